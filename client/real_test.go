package client_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supervise-go/supervisor/client"
)

// startSupervisord runs Debian's supervisord on a configuration with the
// given server section and program sections, and returns its server URL
// once it answers. The test is skipped when supervisord is not installed,
// unless CI is set. The daemon is stopped at the end of the test.
func startSupervisord(t *testing.T, unixSocket bool, user string, programs string) (url string, exited <-chan struct{}) {
	t.Helper()
	bin, err := exec.LookPath("supervisord")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("supervisord is not installed; CI must install Debian's supervisor package")
		}
		t.Skip("supervisord is not installed (apt-get install supervisor)")
	}
	dir, err := os.MkdirTemp("", "cli") // short: unix socket paths are limited
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	auth := ""
	if user != "" {
		auth = "username=" + user + "\npassword=pw\n"
	}
	var server string
	if unixSocket {
		server = fmt.Sprintf("[unix_http_server]\nfile=%s/s.sock\n%s", dir, auth)
		url = "unix://" + dir + "/s.sock"
	} else {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		server = fmt.Sprintf("[inet_http_server]\nport=127.0.0.1:%d\n%s", port, auth)
		url = fmt.Sprintf("http://127.0.0.1:%d", port)
	}
	conf := fmt.Sprintf(`[supervisord]
logfile=%[1]s/supervisord.log
pidfile=%[1]s/supervisord.pid
childlogdir=%[1]s

%[2]s
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

%[3]s`, dir, server, programs)
	path := filepath.Join(dir, "supervisord.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o644))

	var out bytes.Buffer
	cmd := exec.Command(bin, "-n", "-c", path)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("supervisord did not stop on SIGTERM")
		}
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	})

	var opts []client.Option
	if user != "" {
		opts = append(opts, client.WithAuth(user, "pw"))
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := client.Dial(ctx(t), url, opts...)
		if err == nil {
			c.Close()
			return url, done
		}
		select {
		case <-done:
			t.Fatalf("supervisord exited at start-up:\n%s", out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("supervisord did not answer within 30s: %v\n%s", err, out.String())
		}
	}
}

const realPrograms = `
[program:cat]
command=/bin/cat
startsecs=0

[program:pair]
command=/bin/sleep 1000
numprocs=2
process_name=%(program_name)s_%(process_num)d
startsecs=0
`

// The whole API against the reference server, over both transports.
func TestRealSupervisord(t *testing.T) {
	for _, tc := range []struct {
		name string
		unix bool
		user string
	}{{"inet+auth", false, "user"}, {"unix", true, ""}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url, exited := startSupervisord(t, tc.unix, tc.user, realPrograms)
			var opts []client.Option
			if tc.user != "" {
				opts = append(opts, client.WithAuth(tc.user, "pw"))
				_, err := newClient(t, url).PID(ctx(t))
				assert.ErrorIs(t, err, client.ErrUnauthorized)
			}
			c := newClient(t, url, opts...)
			realAPI(t, c)

			require.NoError(t, c.Shutdown(ctx(t)))
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				t.Fatal("supervisord did not exit after Shutdown")
			}
			_, err := c.PID(ctx(t))
			var ne *client.NetError
			assert.ErrorAs(t, err, &ne)
		})
	}
}

func realAPI(t *testing.T, c *client.Client) {
	cx := ctx(t)
	v, err := c.APIVersion(cx)
	require.NoError(t, err)
	assert.Equal(t, "3.0", v)
	v, err = c.SupervisorVersion(cx)
	require.NoError(t, err)
	assert.NotEmpty(t, v)
	v, err = c.Identification(cx)
	require.NoError(t, err)
	assert.Equal(t, "supervisor", v)
	st, err := c.State(cx)
	require.NoError(t, err)
	assert.Equal(t, client.SupervisorRunning, st)
	pid, err := c.PID(cx)
	require.NoError(t, err)
	assert.Positive(t, pid)

	all, err := c.AllProcessInfo(cx)
	require.NoError(t, err)
	var names []string
	for _, p := range all {
		names = append(names, p.Namespec())
	}
	assert.Equal(t, []string{"cat", "pair:pair_0", "pair:pair_1"}, names)

	info, err := c.ProcessInfo(cx, "cat")
	require.NoError(t, err)
	assert.Equal(t, client.StateRunning, info.State)
	assert.Equal(t, "RUNNING", info.StateName)
	assert.Positive(t, info.PID)
	assert.False(t, info.Start.IsZero())
	assert.WithinDuration(t, time.Now(), info.Now, time.Minute)
	assert.NotEmpty(t, info.StdoutLogfile)
	assert.Contains(t, info.Description, fmt.Sprintf("pid %d, uptime ", info.PID))

	assert.True(t, client.IsFault(c.StartProcess(cx, "cat", true), client.FaultAlreadyStarted))
	assert.True(t, client.IsFault(c.StartProcess(cx, "nosuch", true), client.FaultBadName))
	_, err = c.ProcessInfo(cx, "nosuch")
	assert.True(t, client.IsFault(err, client.FaultBadName))

	// What is written to cat's stdin comes back on its stdout, seen live
	// through the log tail.
	tail, err := c.OpenTail(cx, "cat", client.Stdout)
	require.NoError(t, err)
	require.NoError(t, c.SendProcessStdin(cx, "cat", "ping from the client\n"))
	var got []byte
	buf := make([]byte, 1024)
	for !bytes.Contains(got, []byte("ping from the client\n")) {
		n, err := tail.Read(buf)
		require.NoError(t, err)
		got = append(got, buf[:n]...)
	}
	tail.Close()
	s, err := c.ReadProcessStdoutLog(cx, "cat", -100, 0)
	require.NoError(t, err)
	assert.Equal(t, "ping from the client\n", s)
	chunk, err := c.TailProcessStdoutLog(cx, "cat", 0, 4)
	require.NoError(t, err)
	assert.Equal(t, client.LogChunk{Text: "ent\n", Offset: 21, Overflow: true}, chunk)
	s, err = c.ReadProcessStderrLog(cx, "cat", 0, 0)
	require.NoError(t, err)
	assert.Empty(t, s)
	require.NoError(t, c.ClearProcessLogs(cx, "cat"))
	s, err = c.ReadProcessStdoutLog(cx, "cat", 0, 0)
	require.NoError(t, err)
	assert.Empty(t, s)

	_, err = c.OpenTail(cx, "nosuch", client.Stdout)
	var he *client.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 404, he.StatusCode)

	require.NoError(t, c.SignalProcess(cx, "cat", "CONT"))
	assert.True(t, client.IsFault(c.SignalProcess(cx, "cat", "NOSUCHSIG"), client.FaultBadSignal))
	rs, err := c.SignalProcessGroup(cx, "pair", "CONT")
	require.NoError(t, err)
	assert.Len(t, rs, 2)

	require.NoError(t, c.StopProcess(cx, "cat", true))
	info, err = c.ProcessInfo(cx, "cat")
	require.NoError(t, err)
	assert.Equal(t, client.StateStopped, info.State)
	assert.True(t, info.State.IsStopped())
	assert.True(t, client.IsFault(c.StopProcess(cx, "cat", true), client.FaultNotRunning))

	rs, err = c.StopProcessGroup(cx, "pair", true)
	require.NoError(t, err)
	require.Len(t, rs, 2)
	for _, r := range rs {
		assert.NoError(t, r.Err())
		assert.Equal(t, "pair", r.Group)
	}
	rs, err = c.StartAllProcesses(cx, true)
	require.NoError(t, err)
	assert.Len(t, rs, 3)
	require.NoError(t, c.StopProcess(cx, "pair:*", true))
	require.NoError(t, c.StartProcess(cx, "pair:", true))

	assert.True(t, client.IsFault(c.RemoveProcessGroup(cx, "cat"), client.FaultStillRunning))
	require.NoError(t, c.StopProcess(cx, "cat", true))
	require.NoError(t, c.RemoveProcessGroup(cx, "cat"))
	ch, err := c.ReloadConfig(cx)
	require.NoError(t, err)
	assert.Equal(t, client.ConfigChanges{Added: []string{"cat"}, Changed: []string{}, Removed: []string{}}, ch)
	require.NoError(t, c.AddProcessGroup(cx, "cat"))
	assert.True(t, client.IsFault(c.AddProcessGroup(cx, "cat"), client.FaultAlreadyAdded))

	cis, err := c.AllConfigInfo(cx)
	require.NoError(t, err)
	require.Len(t, cis, 3)
	assert.Equal(t, "cat", cis[0].Name)
	assert.Equal(t, "/bin/cat", cis[0].Command)
	assert.True(t, cis[0].InUse)
	assert.Equal(t, []int{0}, cis[0].ExitCodes)
	assert.Equal(t, 15, cis[0].StopSignal)

	rs, err = c.ClearAllProcessLogs(cx)
	require.NoError(t, err)
	assert.Len(t, rs, 3)

	s, err = c.ReadLog(cx, 0, 0)
	require.NoError(t, err)
	assert.Contains(t, s, "supervisord started with pid")
	var main bytes.Buffer
	short, cancel := context.WithTimeout(cx, 500*time.Millisecond)
	err = c.TailMain(short, &main)
	cancel()
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, main.String(), "INFO")

	methods, err := c.ListMethods(cx)
	require.NoError(t, err)
	assert.True(t, slices.Contains(methods, "supervisor.getProcessInfo"))
	assert.True(t, slices.Contains(methods, "system.multicall"))
	sig, err := c.MethodSignature(cx, "supervisor.startProcess")
	require.NoError(t, err)
	assert.Equal(t, []string{"boolean", "string", "boolean"}, sig)
	help, err := c.MethodHelp(cx, "supervisor.getPID")
	require.NoError(t, err)
	assert.NotEmpty(t, help)

	mr, err := c.Multicall(cx,
		client.MethodCall{Method: "supervisor.getPID"},
		client.MethodCall{Method: "supervisor.getProcessInfo", Params: []any{"nosuch"}},
	)
	require.NoError(t, err)
	require.Len(t, mr, 2)
	assert.Equal(t, pid, mr[0].Value)
	assert.Equal(t, &client.Fault{Code: client.FaultBadName, String: "BAD_NAME: nosuch"}, mr[1].Err)

	require.NoError(t, c.SendRemoteCommEvent(cx, "test", "data"))
	require.NoError(t, c.ClearLog(cx))

	r, err := c.Call(cx, "supervisor.getIdentification")
	require.NoError(t, err)
	assert.Equal(t, "supervisor", r)
	_, err = c.Call(cx, "supervisor.noSuchMethod")
	assert.True(t, client.IsFault(err, client.FaultUnknownMethod))

}
