package daemon

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statusLine returns supervisorctl status's line for name, spaces
// squeezed.
func statusLine(t *testing.T, conf, name string) string {
	t.Helper()
	out, _ := ctl(t, conf, "status", name)
	return strings.Join(strings.Fields(out), " ")
}

// Issue 13, part 3, through the real supervisorctl: a program whose
// dependency is not RUNNING shows STARTING "waiting for db"; it is forked
// after db is RUNNING; a dependency that fails makes it FATAL with the
// reason; SIGTERM stops the dependent before its dependency.
func TestDependsOnDaemon(t *testing.T) {
	needSupervisorctl(t)
	t.Parallel()
	dir, conf, cmd := startDaemon(t, ctlBase+`[program:db]
command=/bin/sleep 1000
startsecs=3
priority=500
[program:web]
command=/bin/sh -c 'trap "sleep 1; exit 0" TERM; while :; do sleep 0.2; done'
startsecs=0
priority=100
x_depends_on=db
[program:broken]
command=/bin/sh -c 'exit 1'
startretries=0
[program:api]
command=/bin/sleep 1000
startsecs=0
x_depends_on=broken:completed
`)
	logPath := filepath.Join(dir, "s.log")
	assert.Equal(t, "web STARTING waiting for db", statusLine(t, conf, "web"))
	waitLog(t, logPath, "success: db", 1)
	waitLog(t, logPath, "spawned: 'web'", 1)
	assert.Regexp(t, regexp.MustCompile(`^web RUNNING pid \d+, uptime `), statusLine(t, conf, "web"))
	deadline := time.Now().Add(waitLong)
	for !strings.HasPrefix(statusLine(t, conf, "api"), "api FATAL") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	assert.Equal(t, "api FATAL dependency broken will not be completed: broken is FATAL",
		statusLine(t, conf, "api"))

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd))
	stopped := waitLog(t, logPath, "stopped: ", 2)
	assert.Contains(t, stopped[0], "stopped: web (exit status 0)", "web, though of a lower priority, stops first")
	assert.Contains(t, stopped[1], "stopped: db (terminated by SIGTERM)")
}

// x_ready through supervisorctl: the program stays STARTING until its
// check succeeds, its dependent waits for it, then both run.
func TestReadyDaemon(t *testing.T) {
	needSupervisorctl(t)
	t.Parallel()
	dir, conf, cmd := startDaemon(t, ctlBase+`[program:db]
command=/bin/sleep 1000
x_ready=exec:test -f {DIR}/db-ready
x_ready_interval=100ms
[program:web]
command=/bin/sleep 1000
startsecs=0
x_depends_on=db
`)
	logPath := filepath.Join(dir, "s.log")
	waitLog(t, logPath, "spawned: 'db'", 1)
	time.Sleep(500 * time.Millisecond)
	assert.Equal(t, "db STARTING", statusLine(t, conf, "db"))
	assert.Equal(t, "web STARTING waiting for db", statusLine(t, conf, "web"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "db-ready"), nil, 0o644))
	waitLog(t, logPath, "success: db entered RUNNING state, process is ready (x_ready exec:test -f ", 1)
	waitLog(t, logPath, "success: web", 1)
	assert.Regexp(t, `^web RUNNING pid \d+, uptime `, statusLine(t, conf, "web"))
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd))
}
