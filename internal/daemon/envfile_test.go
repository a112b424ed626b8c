package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// x_environment_file end to end: [supervisord]'s file under the program's,
// the program's environment= over both; a bad line is a spawn error in the
// main log that names the file and line.
func TestEnvironmentFileConfig(t *testing.T) {
	t.Parallel()
	dir, path := writeConf(t, `[supervisord]
logfile={DIR}/s.log
pidfile={DIR}/s.pid
childlogdir={DIR}
environment=LEVEL="supervisord"
x_environment_file={DIR}/all.env
[program:show]
command=/bin/sh -c 'echo "$LEVEL $FROM_ALL $FROM_PROG" > {DIR}/out; exec sleep 1000'
startsecs=0
x_environment_file={DIR}/prog.env, -{DIR}/missing.env
environment=FROM_PROG="environment="
[program:bad]
command=/bin/sleep 1000
startsecs=0
startretries=0
x_environment_file={DIR}/bad.env
`)
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	write("all.env", "LEVEL=all\nFROM_ALL=all\n")
	write("prog.env", "# the program's\nexport LEVEL='prog file'\nFROM_PROG=prog\n")
	write("bad.env", "OK=1\n\nnot an assignment\n")
	cmd, _ := runDaemon(t, "-n", "-c", path)
	logPath := filepath.Join(dir, "s.log")
	waitLog(t, logPath, "success: show", 1)
	lines := waitLog(t, logPath, "gave up: bad entered FATAL state", 1)
	assert.NotEmpty(t, lines)
	spawnErr := waitLog(t, logPath, "spawnerr: environment file "+filepath.Join(dir, "bad.env")+", line 3: not NAME=VALUE", 1)
	assert.NotEmpty(t, spawnErr)
	var out string
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		data, _ := os.ReadFile(filepath.Join(dir, "out"))
		if out = strings.TrimSpace(string(data)); out != "" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	assert.Equal(t, "prog file all environment=", out)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd))
}
