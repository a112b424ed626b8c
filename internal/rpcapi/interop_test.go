package rpcapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/proctest"
)

// python returns a Python 3 interpreter with xmlrpc.client, preferring
// Debian's (which also has supervisor's own modules), or skips the test.
func python(t *testing.T) string {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil {
			if exec.Command(path, "-c", "import xmlrpc.client").Run() == nil {
				return path
			}
		}
	}
	t.Skip("no python3 with xmlrpc.client")
	return ""
}

const pyClient = `
import sys, json, xmlrpc.client
s = xmlrpc.client.ServerProxy(sys.argv[1])
out = {}
out['state'] = s.supervisor.getState()
out['info'] = s.supervisor.getProcessInfo('sleeper')
out['multi'] = s.system.multicall([{'methodName': 'supervisor.getPID'}, {'methodName': 'supervisor.nope'}])
try:
    s.supervisor.getProcessInfo('nope')
except xmlrpc.client.Fault as f:
    out['fault'] = [f.faultCode, f.faultString]
out['methods'] = s.system.listMethods()
out['tail'] = s.supervisor.tailProcessStdoutLog('echo', 0, 5)
out['log'] = s.supervisor.readProcessStdoutLog('echo', 0, 0)
out['config'] = len(s.supervisor.getAllConfigInfo())
out['stop'] = s.supervisor.stopProcess('grp:*')
try:
    xmlrpc.client.ServerProxy(sys.argv[2]).supervisor.getPID()
except xmlrpc.client.ProtocolError as e:
    out['noauth'] = e.errcode
print(json.dumps(out))
`

// Python's own XML-RPC client, through a real socket, reads every answer.
func TestPythonClient(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	echo := testSpec("echo", `/bin/sh -c "printf 'h\303\251llo \033[31mred\033[0m \377 end\n'; exec /bin/sleep 1000"`)
	echo.StartSecs = -1
	echo.Stdout.File = filepath.Join(dir, "echo.log")
	e := newEnv(t, sleeper("sleeper"), echo, grp())
	e.waitState("sleeper", supervisor.Running)
	e.waitState("grp:multi_00", supervisor.Running)
	e.waitState("grp:multi_01", supervisor.Running)
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(echo.Stdout.File)
		return bytes.HasSuffix(b, []byte("end\n"))
	}, waitLong, 10*time.Millisecond)
	s := e.serve(HandlerOptions{Username: "user", Password: "pa:ss"})

	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", pyClient,
		"http://user:pa:ss@"+s.addr+"/RPC2", "http://"+s.addr+"/RPC2").CombinedOutput()
	require.NoError(t, err, "%s", out)
	var got struct {
		State   map[string]any
		Info    map[string]any
		Multi   []any
		Fault   []any
		Methods []string
		Tail    []any
		Log     string
		Config  int
		Stop    []map[string]any
		Noauth  int
	}
	require.NoError(t, json.Unmarshal(out, &got), "%s", out)
	assert.Equal(t, map[string]any{"statecode": 1.0, "statename": "RUNNING"}, got.State)
	assert.Equal(t, "RUNNING", got.Info["statename"])
	assert.Equal(t, []any{float64(os.Getpid()), map[string]any{"faultCode": 1.0, "faultString": "UNKNOWN_METHOD"}}, got.Multi)
	assert.Equal(t, []any{10.0, "BAD_NAME: nope"}, got.Fault)
	assert.Len(t, got.Methods, 41)
	logged, err := os.ReadFile(echo.Stdout.File)
	require.NoError(t, err)
	assert.Equal(t, []any{" end\n", float64(len(logged)), true}, got.Tail)
	assert.Equal(t, "héllo \ufffd[31mred\ufffd[0m \ufffd end\n", got.Log)
	assert.Equal(t, 4, got.Config)
	assert.Len(t, got.Stop, 2)
	assert.Equal(t, 401, got.Noauth)
}

// Debian's supervisorctl drives the handler as it drives supervisord.
func TestSupervisorctl(t *testing.T) {
	ctl, err := exec.LookPath("supervisorctl")
	if err != nil {
		t.Skip("supervisorctl is not installed")
	}
	dir := t.TempDir()
	echo := testSpec("echo", `/bin/sh -c "echo first line; exec /bin/sleep 1000"`)
	echo.StartSecs = -1
	echo.Stdout.File = filepath.Join(dir, "echo.log")
	e := newEnv(t, sleeper("sleeper"), echo, quick())
	e.waitState("sleeper", supervisor.Running)
	e.waitState("echo", supervisor.Running)
	e.waitState("quick", supervisor.Fatal)
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(echo.Stdout.File)
		return string(b) == "first line\n"
	}, waitLong, 10*time.Millisecond)
	s := e.serve(HandlerOptions{Username: "user", Password: "pass", TailInterval: 50 * time.Millisecond})
	conf := filepath.Join(dir, "ctl.conf")
	require.NoError(t, os.WriteFile(conf, []byte("[supervisorctl]\nserverurl=http://"+s.addr+"\nusername=user\npassword=pass\n"), 0o600))

	run := func(args ...string) (string, int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		defer cancel()
		out, err := exec.CommandContext(ctx, ctl, append([]string{"-c", conf}, args...)...).CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return string(out), exit.ExitCode()
		}
		require.NoError(t, err, "%s", out)
		return string(out), 0
	}

	out, code := run("status")
	assert.Equal(t, 3, code, out) // quick is FATAL
	assert.Regexp(t, `(?m)^echo +RUNNING +pid \d+, uptime 0:00:\d\d$`, out)
	assert.Regexp(t, `(?m)^quick +FATAL +Exited too quickly \(process log may have details\)$`, out)
	assert.Regexp(t, `(?m)^sleeper +RUNNING +pid \d+, uptime`, out)

	out, code = run("status", "nosuch")
	assert.Equal(t, 4, code)
	assert.Equal(t, "nosuch: ERROR (no such process)\n", out)

	out, _ = run("pid")
	assert.Regexp(t, `^\d+\n$`, out)

	out, _ = run("stop", "sleeper")
	assert.Equal(t, "sleeper: stopped\n", out)
	out, _ = run("stop", "sleeper")
	assert.Equal(t, "sleeper: ERROR (not running)\n", out)
	out, _ = run("start", "sleeper")
	assert.Equal(t, "sleeper: started\n", out)
	out, _ = run("start", "sleeper")
	assert.Equal(t, "sleeper: ERROR (already started)\n", out)
	out, code = run("start", "quick")
	assert.Equal(t, "quick: ERROR (spawn error)\n", out)
	assert.Equal(t, 7, code)

	out, _ = run("tail", "echo")
	assert.Equal(t, "first line\n\n", out) // supervisorctl adds a newline
	out, _ = run("maintail")
	assert.Contains(t, out, "supervisord started with pid")
	out, _ = run("avail")
	assert.Regexp(t, `(?m)^echo +in use +auto +999:999$`, out)

	// tail -f streams from /logtail (check 45).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, ctl, "-c", conf, "tail", "-f", "echo")
	var buf proctest.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	require.NoError(t, cmd.Start())
	require.Eventually(t, func() bool { return strings.Contains(buf.String(), "first line\n") }, waitLong, 20*time.Millisecond, "%s", buf.String())
	appendFile(t, echo.Stdout.File, "appended\n")
	require.Eventually(t, func() bool { return strings.Contains(buf.String(), "appended\n") }, waitLong, 20*time.Millisecond, "%s", buf.String())
	cancel()
	_ = cmd.Wait()
	assert.Regexp(t, regexp.MustCompile(`==> Press Ctrl-C to exit <==`), buf.String())
}
