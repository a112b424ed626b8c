//go:build linux

package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/supervise-go/supervisor/internal/proctest"
)

// x_rlimit_ end to end, through gosupervisord's binary (the trampoline is
// that binary): the program runs with its limits; a limit the kernel
// refuses is a spawn error in the main log that names it, and the daemon
// goes on.
func TestRlimitConfig(t *testing.T) {
	t.Parallel()
	nrOpen, err := proctest.NrOpen()
	require.NoError(t, err)
	dir, path := writeConf(t, fmt.Sprintf(`[supervisord]
logfile={DIR}/s.log
pidfile={DIR}/s.pid
childlogdir={DIR}
[program:limited]
command=/bin/sh -c 'cat /proc/$$/limits > {DIR}/limits.tmp && mv {DIR}/limits.tmp {DIR}/limits; exec sleep 1000'
startsecs=0
x_rlimit_nofile=256:512
x_rlimit_core=0
x_rlimit_cpu = unlimited
[program:refused]
command=/bin/sleep 1000
startsecs=0
startretries=0
x_rlimit_nofile=%d
`, nrOpen+1))
	cmd, _ := runDaemon(t, "-n", "-c", path)
	logPath := filepath.Join(dir, "s.log")
	waitLog(t, logPath, "success: limited", 1)
	want := fmt.Sprintf("spawnerr: couldn't set resource limit nofile to %d:%d: operation not permitted", nrOpen+1, nrOpen+1)
	assert.NotEmpty(t, waitLog(t, logPath, want, 1))
	assert.NotEmpty(t, waitLog(t, logPath, "gave up: refused entered FATAL state", 1))
	var limits string
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		data, _ := os.ReadFile(filepath.Join(dir, "limits"))
		if limits = string(data); limits != "" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for name, want := range map[string]string{"Max open files": "256 512", "Max core file size": "0 0", "Max cpu time": "unlimited unlimited"} {
		m := regexp.MustCompile(`(?m)^` + name + `\s+(\S+)\s+(\S+)`).FindStringSubmatch(limits)
		if assert.NotNil(t, m, "no %s in %q", name, limits) {
			assert.Equal(t, want, m[1]+" "+m[2], name)
		}
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd))
}
