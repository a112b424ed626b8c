package daemon

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

const essentialBase = `[supervisord]
logfile={DIR}/s.log
pidfile={DIR}/s.pid
childlogdir={DIR}
[program:low]
command=/bin/sleep 1000
priority=100
startsecs=0
[program:high]
command=/bin/sleep 1000
priority=900
startsecs=0
`

// Issue 13, part 2: when a process of an x_essential program ends for good
// gosupervisord stops everything in order and exits with that process's
// exit status (128+N after signal N, 1 when it never ran); a requested
// shutdown still exits 0.
func TestEssentialDaemonExitStatus(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, program string
		status        int
		line          string
	}{
		{"exited", "command=/bin/sh -c 'sleep 0.5; exit 7'\nstartsecs=0\nautorestart=false\n", 7,
			"CRIT essential program main entered EXITED state, exiting (exit status 7)"},
		{"expected", "command=/bin/sh -c 'sleep 0.5; exit 0'\nstartsecs=0\n", 0,
			"CRIT essential program main entered EXITED state, exiting (exit status 0)"},
		{"signal", "command=/bin/sh -c 'sleep 0.5; kill -9 $$'\nstartsecs=0\nautorestart=false\n", 137,
			"CRIT essential program main entered EXITED state, exiting (exit status 137)"},
		{"never ran", "command=/nonexistent/main\nstartretries=0\n", 1,
			"CRIT essential program main entered FATAL state, exiting (exit status 1)"},
		{"fatal after exit 0", "command=/bin/sh -c 'exit 0'\nstartsecs=10\nstartretries=0\n", 1,
			"CRIT essential program main entered FATAL state, exiting (exit status 1)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir, path := writeConf(t, essentialBase+"[program:main]\npriority=500\nx_essential=true\n"+c.program)
			logPath := filepath.Join(dir, "s.log")
			cmd, out := runDaemon(t, "-n", "-c", path)
			assert.Equal(t, c.status, waitExit(t, cmd), out.String())
			waitLog(t, logPath, c.line, 1)
			stopped := waitLog(t, logPath, "stopped: ", 2)
			assert.Contains(t, stopped[0], "stopped: high ")
			assert.Contains(t, stopped[1], "stopped: low ")
		})
	}
	t.Run("shutdown", func(t *testing.T) {
		t.Parallel()
		dir, path := writeConf(t, essentialBase+"[program:main]\nx_essential=true\ncommand=/bin/sleep 1000\nstartsecs=0\nautorestart=false\n")
		logPath := filepath.Join(dir, "s.log")
		cmd, _ := runDaemon(t, "-n", "-c", path)
		waitLog(t, logPath, "success: main", 1)
		assert.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		assert.Equal(t, 0, waitExit(t, cmd), "a requested shutdown exits 0")
		waitLog(t, logPath, "stopped: main", 1)
	})
}
