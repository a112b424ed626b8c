package daemon

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/supervise-go/supervisor/internal/proctest"
	"golang.org/x/sys/unix"
)

// daemonBin is gosupervisord built once for the tests.
var daemonBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gosupervisord-test")
	if err != nil {
		panic(err)
	}
	daemonBin = filepath.Join(dir, "gosupervisord")
	out, err := exec.Command("go", "build", "-race", "-o", daemonBin, "../../examples/gosupervisord").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building gosupervisord: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

const waitLong = 30 * time.Second

// writeConf writes a config into a fresh directory; {DIR} stands for it.
func writeConf(t *testing.T, body string) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "supervisord.conf")
	body = strings.ReplaceAll(body, "{DIR}", dir)
	body = strings.ReplaceAll(body, "{PORT}", strconv.Itoa(freePort(t)))
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	return dir, path
}

// waitLog waits until the main log has n lines containing sub.
func waitLog(t *testing.T, logPath, sub string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		data, _ := os.ReadFile(logPath)
		var got []string
		for _, l := range strings.Split(string(data), "\n") {
			if strings.Contains(l, sub) {
				got = append(got, l)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("log %s: %d lines with %q, want %d; log:\n%s", logPath, len(got), sub, n, data)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func runDaemon(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(daemonBin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd, &out
}

func waitExit(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(waitLong):
		t.Fatal("daemon did not exit")
	}
	return -1
}

// sleeperConf runs one program, sleeper, with everything in the test's
// directory.
const sleeperConf = `[supervisord]
logfile={DIR}/s.log
pidfile={DIR}/s.pid
childlogdir={DIR}
[program:sleeper]
command=/bin/sleep 1000
startsecs=0
`

var logLine = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (CRIT|ERRO|WARN|INFO|DEBG|TRAC|BLAT) `)

// A bad config is refused before anything starts: exit 2, supervisord's
// message, where it is, and the help hint.
func TestBadConfigExits2(t *testing.T) {
	t.Parallel()
	_, path := writeConf(t, "[supervisord]\nlogfile={DIR}/s.log\n[program:a]\ncommand=/bin/sleep 1\nnumprocs=2\n")
	out, err := exec.Command(daemonBin, "-n", "-c", path).CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 2, ee.ExitCode())
	assert.Contains(t, string(out), "Error: %(process_num) must be present within process_name when numprocs > 1 in section 'program:a' (file: '"+path+"')")
	assert.Contains(t, string(out), "For help, use "+daemonBin+" -h")

	out, err = exec.Command(daemonBin, "-n", "-c", "/nonexistent/x.conf").CombinedOutput()
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 2, ee.ExitCode())
	assert.Contains(t, string(out), "Error: could not find config file /nonexistent/x.conf")

	out, err = exec.Command(daemonBin, "-e", "verbose", "-c", path).CombinedOutput() // checked before the config
	require.ErrorAs(t, err, &ee)
	assert.Contains(t, string(out), "Error: invalid value for -e 'verbose': bad logging level name 'verbose'")
}

// Check 30: SIGTERM stops groups highest priority first, one at a time,
// removes the pidfile and the unix socket, and exits 0.
func TestSIGTERMOrderedShutdown(t *testing.T) {
	t.Parallel()
	dir, path := writeConf(t, `[supervisord]
logfile={DIR}/s.log
pidfile={DIR}/s.pid
childlogdir={DIR}
[unix_http_server]
file={DIR}/s.sock
[program:low]
command=/bin/sleep 1000
priority=100
startsecs=0
[program:mid]
command=/bin/sleep 1000
priority=200
startsecs=0
[program:high]
command=/bin/sleep 1000
priority=300
startsecs=0
`)
	logPath := filepath.Join(dir, "s.log")
	cmd, _ := runDaemon(t, "-n", "-c", path)
	waitLog(t, logPath, "success:", 3)
	pidData, err := os.ReadFile(filepath.Join(dir, "s.pid"))
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("%d\n", cmd.Process.Pid), string(pidData))
	_, err = os.Stat(filepath.Join(dir, "s.sock"))
	require.NoError(t, err)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd))
	stopped := waitLog(t, logPath, "stopped:", 3)
	var order []string
	for _, l := range stopped {
		order = append(order, strings.Fields(l)[4])
	}
	assert.Equal(t, []string{"high", "mid", "low"}, order)
	waitLog(t, logPath, "received SIGTERM indicating exit request", 1)
	_, err = os.Stat(filepath.Join(dir, "s.pid"))
	assert.ErrorIs(t, err, os.ErrNotExist, "pidfile removed")
	_, err = os.Stat(filepath.Join(dir, "s.sock"))
	assert.ErrorIs(t, err, os.ErrNotExist, "socket removed")
	data, _ := os.ReadFile(logPath)
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		assert.Regexp(t, logLine, l)
	}
}

// Check 30: SIGHUP stops everything and starts again from the config, in
// the same process, with new AUTO log names.
func TestSIGHUPReload(t *testing.T) {
	t.Parallel()
	dir, path := writeConf(t, sleeperConf)
	logPath := filepath.Join(dir, "s.log")
	cmd, _ := runDaemon(t, "-n", "-c", path)
	waitLog(t, logPath, "success: sleeper", 1)
	before, _ := filepath.Glob(filepath.Join(dir, "sleeper-stdout---supervisor-*.log"))
	require.Len(t, before, 1)

	for range 3 { // repeated SIGHUP: survives, ends with the program once
		require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
		time.Sleep(300 * time.Millisecond)
	}
	waitLog(t, logPath, "received SIGHUP indicating restart request", 1)
	started := waitLog(t, logPath, "supervisord started with pid", 2)
	for _, l := range started {
		assert.True(t, strings.HasSuffix(l, "with pid "+strconv.Itoa(cmd.Process.Pid)), l)
	}
	n := len(waitLog(t, logPath, "success: sleeper", 2))
	after, _ := filepath.Glob(filepath.Join(dir, "sleeper-stdout---supervisor-*.log"))
	require.Len(t, after, 1, "old AUTO logs cleaned")
	assert.NotEqual(t, before[0], after[0], "new AUTO name")
	assert.Equal(t, n, len(waitLog(t, logPath, "spawned: 'sleeper'", n)))
	// Exactly one sleeper runs, a child of the daemon; none was orphaned.
	assert.Len(t, childrenOf(cmd.Process.Pid), 1)
	assert.Empty(t, orphans("sleep 1000"), "no sleeper left behind by the reloads")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd))
}

// Signals still count while a reload stops everything, as in supervisord:
// a second SIGHUP is logged, SIGUSR2 reopens the logs, and SIGTERM turns the
// reload into a shutdown that ends with status 0 once the stop is done.
func TestSignalsDuringReloadStop(t *testing.T) {
	t.Parallel()
	dir, path := writeConf(t, `[supervisord]
logfile={DIR}/s.log
pidfile={DIR}/s.pid
childlogdir={DIR}
[program:stubborn]
command=/bin/sh -c 'trap "" TERM; while :; do sleep 0.1; done'
startsecs=1
stopwaitsecs=3
killasgroup=true
`)
	logPath := filepath.Join(dir, "s.log")
	cmd, _ := runDaemon(t, "-n", "-c", path)
	// startsecs=1: the shell has set its trap by then. (With startsecs=0 a
	// loaded machine let the reload's SIGTERM arrive first, the reload
	// ended at once, and the second SIGHUP made a third run.)
	waitLog(t, logPath, "success: stubborn", 1)

	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	waitLog(t, logPath, "waiting for stubborn to die", 1)
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	waitLog(t, logPath, "received SIGHUP indicating restart request", 2)
	require.NoError(t, cmd.Process.Signal(syscall.SIGUSR2))
	waitLog(t, logPath, "supervisord logreopen", 1)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	waitLog(t, logPath, "received SIGTERM indicating exit request", 1)

	assert.Equal(t, 0, waitExit(t, cmd), "exits by itself, not killed by a signal")
	waitLog(t, logPath, "stopped: stubborn (terminated by SIGKILL)", 1)
	assert.Len(t, waitLog(t, logPath, "supervisord started with pid", 1), 1, "no second run")
	_, err := os.Stat(filepath.Join(dir, "s.pid"))
	assert.ErrorIs(t, err, os.ErrNotExist, "pidfile removed")
	assert.Empty(t, orphans(`/bin/sh -c trap "" TERM; while :; do sleep 0.1; done`), "nothing left running")
}

// Without -n the daemon detaches: the command returns at once with 0, the
// daemon runs in its own session with its pid in the pidfile.
func TestDetach(t *testing.T) {
	t.Parallel()
	dir, path := writeConf(t, `[supervisord]
logfile={DIR}/s.log
pidfile={DIR}/s.pid
childlogdir={DIR}
[inet_http_server]
port=127.0.0.1:{PORT}
[program:sleeper]
command=/bin/sleep 1000
startsecs=0
`)
	out, err := exec.Command(daemonBin, "-c", path).CombinedOutput()
	require.NoError(t, err, string(out))
	logPath := filepath.Join(dir, "s.log")
	waitLog(t, logPath, "success: sleeper", 1)
	waitLog(t, logPath, "daemonizing the supervisord process", 1)
	pidData, err := os.ReadFile(filepath.Join(dir, "s.pid"))
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(pidData)))
	require.NoError(t, err)
	sid, err := unix.Getsid(pid)
	require.NoError(t, err)
	assert.Equal(t, pid, sid, "session leader")
	require.NoError(t, syscall.Kill(pid, syscall.SIGTERM))
	deadline := time.Now().Add(waitLong)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	assert.Error(t, syscall.Kill(pid, 0), "daemon exited")
	waitLog(t, logPath, "stopped: sleeper", 1)
}

// seedConf is the tutorial config the project started from, which the
// config package's tests also load.
const seedConf = "../../config/testdata/seed-tutorial.conf"

// The seed scenario (seedConf) produces the tutorial's processes and
// main-log lines.
func TestSeedScenarioMainLog(t *testing.T) {
	t.Parallel()
	seed, err := os.ReadFile(seedConf)
	require.NoError(t, err)
	conf := strings.NewReplacer("logfile=/tmp/supervisord.log", "logfile={DIR}/s.log\npidfile={DIR}/s.pid",
		"childlogdir=/tmp", "childlogdir={DIR}", "127.0.0.1:9001", "127.0.0.1:{PORT}").Replace(string(seed))
	dir, path := writeConf(t, conf)
	logPath := filepath.Join(dir, "s.log")
	cmd, _ := runDaemon(t, "-n", "-c", path)
	waitLog(t, logPath, "gave up: foo entered FATAL state, too many start retries too quickly", 1)
	for _, name := range []string{"foo1_00", "foo1_01", "foo1_02"} {
		waitLog(t, logPath, "gave up: "+name+" entered FATAL state, too many start retries too quickly", 1)
		waitLog(t, logPath, "spawned: '"+name+"' with pid", 1)
		waitLog(t, logPath, "exited: "+name+" (exit status 0; not expected)", 1)
	}
	assert.Len(t, waitLog(t, logPath, "spawnerr: can't find command '/bin/echo foo_00 '", 4), 4)
	for _, name := range []string{"foo1_00", "foo1_01", "foo1_02"} {
		out, err := os.ReadFile(mustGlob(t, filepath.Join(dir, name+"-stdout---supervisor-*.log")))
		require.NoError(t, err)
		assert.Equal(t, name+"\n", string(out), "the child's output in its AUTO log")
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd))
}

func mustGlob(t *testing.T, pattern string) string {
	t.Helper()
	m, _ := filepath.Glob(pattern)
	require.Len(t, m, 1, pattern)
	return m[0]
}

// childrenOf lists the pids whose parent is pid.
func childrenOf(pid int) []int { return proctest.Children(pid) }

// orphans lists processes adopted by init whose command line is cmdline.
func orphans(cmdline string) []int {
	var out []int
	for _, pid := range childrenOf(1) {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if strings.ReplaceAll(strings.TrimRight(string(data), "\x00"), "\x00", " ") == cmdline {
			out = append(out, pid)
		}
	}
	return out
}

// Check 34: after the main log was moved away, SIGUSR2 writes its two lines
// into the moved file and later lines into a fresh file at the path.
func TestSIGUSR2ReopensLogs(t *testing.T) {
	t.Parallel()
	dir, path := writeConf(t, sleeperConf)
	logPath := filepath.Join(dir, "s.log")
	cmd, _ := runDaemon(t, "-n", "-c", path)
	waitLog(t, logPath, "success: sleeper", 1)
	moved := filepath.Join(dir, "x.old")
	require.NoError(t, os.Rename(logPath, moved))
	require.NoError(t, cmd.Process.Signal(syscall.SIGUSR2))
	waitLog(t, moved, "received SIGUSR2 indicating log reopen request", 1)
	waitLog(t, moved, "supervisord logreopen", 1)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd))
	waitLog(t, logPath, "stopped: sleeper", 1)
	old, _ := os.ReadFile(moved)
	assert.NotContains(t, string(old), "stopped: sleeper", "later lines go to the new file")
}

// reloadConf runs two programs and serves the API for supervisorctl.
const reloadConf = `[supervisord]
logfile={DIR}/s.log
pidfile={DIR}/s.pid
childlogdir={DIR}
[inet_http_server]
port=127.0.0.1:{PORT}
[supervisorctl]
serverurl=http://127.0.0.1:{PORT}
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[program:one]
command=/bin/sleep 1000
startsecs=0
[program:two]
command=/bin/sleep 1000
startsecs=0
`

// breakConf appends a program with a bad stopsignal to the config and
// returns the text a refused reload reports: where the fault is, then
// supervisord's message.
func breakConf(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	line := strings.Count(string(data), "\n") + 3
	data = append(data, "[program:bad]\ncommand=/bin/sleep 1000\nstopsignal=NOPE\n"...)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return fmt.Sprintf("%s:%d: [program:bad] stopsignal: ", path, line)
}

// sortedChildren returns the daemon's children, sorted, once there are n.
func sortedChildren(t *testing.T, pid, n int) []int {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		kids := childrenOf(pid)
		if len(kids) == n {
			slices.Sort(kids)
			return kids
		}
		if time.Now().After(deadline) {
			t.Fatalf("daemon %d has children %v, want %d", pid, kids, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A SIGHUP with a config that no longer loads stops nothing: the programs
// keep running with the same pids, the error (file:line, section, key) is
// in the main log at ERROR, and the daemon still reloads once the config
// is mended.
func TestSIGHUPBadConfigKeepsPrograms(t *testing.T) {
	t.Parallel()
	dir, path := writeConf(t, reloadConf)
	logPath := filepath.Join(dir, "s.log")
	cmd, _ := runDaemon(t, "-n", "-c", path)
	waitLog(t, logPath, "success: one", 1)
	waitLog(t, logPath, "success: two", 1)
	before := sortedChildren(t, cmd.Process.Pid, 2)
	good, err := os.ReadFile(path)
	require.NoError(t, err)

	where := breakConf(t, path)
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	refused := waitLog(t, logPath, "reload refused", 1)
	assert.Regexp(t, `^\S+ \S+ ERRO reload refused, the running programs are kept: `+regexp.QuoteMeta(where)+`value 'NOPE' is not a valid signal name`, refused[0])
	time.Sleep(500 * time.Millisecond) // time for a wrong stop to show
	assert.Equal(t, before, sortedChildren(t, cmd.Process.Pid, 2), "same children")
	data, _ := os.ReadFile(logPath)
	assert.NotContains(t, string(data), "stopped:")
	assert.NotContains(t, string(data), "waiting for")
	assert.Len(t, waitLog(t, logPath, "supervisord started with pid", 1), 1)

	require.NoError(t, os.WriteFile(path, good, 0o644))
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	waitLog(t, logPath, "supervisord started with pid", 2)
	waitLog(t, logPath, "success: one", 2)
	waitLog(t, logPath, "success: two", 2)
	after := sortedChildren(t, cmd.Process.Pid, 2)
	assert.NotEqual(t, before, after, "a good config reloads as before")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd))
}
