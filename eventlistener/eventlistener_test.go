package eventlistener_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	supervisor "github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/eventlistener"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const waitLong = 30 * time.Second

// logs keeps every log line (DEBUG included).
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (r *logs) Enabled(context.Context, slog.Level) bool { return true }
func (r *logs) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logs) WithGroup(string) slog.Handler            { return r }
func (r *logs) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.lines = append(r.lines, rec.Level.String()+" "+rec.Message)
	r.mu.Unlock()
	return nil
}

func (r *logs) count(sub string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, l := range r.lines {
		if strings.Contains(l, sub) {
			n++
		}
	}
	return n
}

func (r *logs) waitFor(t *testing.T, sub string, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return r.count(sub) >= n }, waitLong, 20*time.Millisecond,
		"never logged %d x %q; log:\n%s", n, sub, r.dump())
}

func (r *logs) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

type env struct {
	sup  *supervisor.Supervisor
	disp *eventlistener.Dispatcher
	log  *logs
	dir  string
}

// start serves a supervisor with a Dispatcher and the given pools, and
// stops both (checking that every child was reaped) when the test ends.
func start(t *testing.T, pools []eventlistener.PoolConfig, specs ...supervisor.ProgramSpec) *env {
	t.Helper()
	needChildutils(t)
	rec := &logs{}
	log := slog.New(rec)
	sup := supervisor.New(supervisor.WithLogger(log))
	disp := eventlistener.New(sup, eventlistener.Options{Logger: log})
	for _, p := range pools {
		require.NoError(t, disp.SetPool(p))
	}
	for _, s := range specs {
		_, err := sup.Add(s)
		require.NoError(t, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sup.Serve(ctx) }()
	<-sup.Ready()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(2 * waitLong):
			t.Fatalf("Serve did not return; log:\n%s", rec.dump())
		}
		disp.Close()
		if t.Failed() {
			t.Logf("log:\n%s", rec.dump())
		}
	})
	return &env{sup: sup, disp: disp, log: rec, dir: t.TempDir()}
}

// python is the Python that has supervisor.childutils: Debian's
// supervisor package installs it for the system's python3, which need not
// be the first python3 in PATH.
var python = func() string {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import supervisor.childutils").Run() == nil {
			return p
		}
	}
	return ""
}()

func needChildutils(t *testing.T) {
	if python == "" {
		t.Skip("python3 with supervisor.childutils (Debian's supervisor package) is needed")
	}
}

// listenerSpec is a pool of n childutils listeners writing to out.
func listenerSpec(t *testing.T, name, out, mode string, n int) supervisor.ProgramSpec {
	script, err := filepath.Abs("testdata/listener.py")
	require.NoError(t, err)
	s := supervisor.ProgramSpec{Name: name, Group: name, Priority: -1, Command: fmt.Sprintf("%s -u %s %s %s", python, script, out, mode),
		StartSecs: -1, AutoRestart: supervisor.RestartAlways, NumProcs: n}
	if n > 1 {
		s.ProcessName = "%(program_name)s_%(process_num)d"
	}
	return s
}

// received returns the lines the listeners wrote, once there are n.
func received(t *testing.T, out string, n int) []string {
	t.Helper()
	var lines []string
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(out)
		lines = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(b) == 0 {
			lines = nil
		}
		return len(lines) >= n
	}, waitLong, 20*time.Millisecond, "want %d events, got %q", n, &lines)
	return lines
}

// A childutils listener gets the events of its types with supervisord's
// header and payload, in order.
func TestListenerGetsStateEvents(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	e := start(t, []eventlistener.PoolConfig{{Name: "l", Events: []string{"PROCESS_STATE", "REMOTE_COMMUNICATION"}}},
		listenerSpec(t, "l", out, "ok", 1),
		supervisor.ProgramSpec{Name: "quick", Command: "/bin/sh -c 'exit 3'", StartSecs: -1,
			AutoRestart: supervisor.RestartNever})
	lines := received(t, out, 1)
	// The listener's own start is buffered until it is READY and RUNNING.
	assert.Equal(t, "PROCESS_STATE_STARTING 0 0 l l|processname:l groupname:l from_state:STOPPED tries:0", lines[0])
	e.sup.SendRemoteCommEvent("greet", []byte("héllo"))
	var quick []string
	require.Eventually(t, func() bool {
		quick = nil
		for _, l := range received(t, out, 1) {
			if strings.Contains(l, "processname:quick") || strings.HasPrefix(l, "REMOTE") {
				quick = append(quick, l)
			}
		}
		return len(quick) >= 4
	}, waitLong, 20*time.Millisecond)
	var pid int
	_, err := fmt.Sscanf(quick[2][strings.Index(quick[2], "pid:"):], "pid:%d", &pid)
	require.NoError(t, err)
	assert.Regexp(t, `^PROCESS_STATE_STARTING \d+ \d+ l l\|processname:quick groupname:quick from_state:STOPPED tries:0$`, quick[0])
	assert.Regexp(t, `^PROCESS_STATE_RUNNING \d+ \d+ l l\|processname:quick groupname:quick from_state:STARTING pid:\d+$`, quick[1])
	assert.Regexp(t, `^PROCESS_STATE_EXITED \d+ \d+ l l\|processname:quick groupname:quick from_state:RUNNING expected:0 pid:\d+$`, quick[2])
	assert.Equal(t, `REMOTE_COMMUNICATION`, strings.Fields(quick[3])[0])
	assert.True(t, strings.HasSuffix(quick[3], `|type:b'greet'\nb'h\xc3\xa9llo'`), quick[3])
	// Serials increase by one across the events the pool took.
	all := received(t, out, 1)
	for i, l := range all {
		assert.Equal(t, fmt.Sprint(i), strings.Fields(l)[1], l)
		assert.Equal(t, fmt.Sprint(i), strings.Fields(l)[2], l)
	}
}

// A FAIL result sends the same event again; a listener that is killed while
// BUSY gives its event back, and its next child gets it.
func TestFailAndKilledWhileBusy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	failOut, hangOut := filepath.Join(dir, "fail"), filepath.Join(dir, "hang")
	e := start(t, []eventlistener.PoolConfig{
		{Name: "failer", Events: []string{"REMOTE_COMMUNICATION"}},
		{Name: "hanger", Events: []string{"REMOTE_COMMUNICATION"}},
	}, listenerSpec(t, "failer", failOut, "fail1", 1), listenerSpec(t, "hanger", hangOut, "hang", 1))
	require.Eventually(t, func() bool {
		return e.disp.ListenerState("failer", "failer") == eventlistener.StateReady &&
			e.disp.ListenerState("hanger", "hanger") == eventlistener.StateReady
	}, waitLong, 20*time.Millisecond)
	e.sup.SendRemoteCommEvent("t", []byte("x"))
	f := received(t, failOut, 2)
	assert.Equal(t, f[0], f[1], "the failed event is sent again, same serials")
	e.log.waitFor(t, "failer: event was rejected", 1)
	e.log.waitFor(t, "failer: event was processed", 1)

	h := received(t, hangOut, 1)
	require.Equal(t, eventlistener.StateBusy, e.disp.ListenerState("hanger", "hanger"))
	prog, err := e.sup.Program("hanger")
	require.NoError(t, err)
	require.NoError(t, prog.Signal(syscall.SIGKILL))
	h2 := received(t, hangOut, 2)
	assert.Equal(t, h[0], h2[1], "the restarted listener gets the event back")
	e.log.waitFor(t, "rebuffering event 0 for pool hanger", 1)
	require.NoError(t, prog.Signal(syscall.SIGKILL)) // stop does not wait for the sleeper
}

// A full buffer discards its oldest event, logged and counted; the newest
// ones are delivered.
func TestBufferOverflow(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "out")
	spec := listenerSpec(t, "slow", out, "ok", 1)
	spec.NoAutostart = true
	e := start(t, []eventlistener.PoolConfig{{Name: "slow", Events: []string{"REMOTE_COMMUNICATION"}, BufferSize: 2}}, spec)
	for i := range 5 {
		e.sup.SendRemoteCommEvent("n", []byte(fmt.Sprint(i)))
	}
	e.log.waitFor(t, "pool slow event buffer overflowed, discarding event", 3)
	assert.Equal(t, uint64(3), e.disp.Discarded("slow"))
	prog, err := e.sup.Program("slow")
	require.NoError(t, err)
	require.NoError(t, prog.Start(context.Background()))
	lines := received(t, out, 2)
	assert.True(t, strings.HasSuffix(lines[0], `b'3'`), lines[0])
	assert.True(t, strings.HasSuffix(lines[1], `b'4'`), lines[1])
	assert.Contains(t, e.log.dump(), "ERROR pool slow event buffer overflowed, discarding event 0")
}

// Three listeners share the work: every event goes to exactly one.
func TestPoolOfThree(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "out")
	e := start(t, []eventlistener.PoolConfig{{Name: "pool", Events: []string{"REMOTE_COMMUNICATION"}, BufferSize: 100}},
		listenerSpec(t, "pool", out, "ok", 3))
	require.Eventually(t, func() bool {
		for i := range 3 {
			if e.disp.ListenerState("pool", fmt.Sprintf("pool_%d", i)) != eventlistener.StateReady {
				return false
			}
		}
		return true
	}, waitLong, 20*time.Millisecond)
	for i := range 30 {
		e.sup.SendRemoteCommEvent("n", []byte(fmt.Sprint(i)))
	}
	lines := received(t, out, 30)
	serials, who := map[string]bool{}, map[string]int{}
	for _, l := range lines {
		f := strings.Fields(l)
		serials[f[1]] = true
		who[strings.SplitN(f[4], "|", 2)[0]]++
	}
	assert.Len(t, serials, 30, "each event once")
	assert.Len(t, lines, 30)
	assert.GreaterOrEqual(t, len(who), 2, "the work is shared: %v", who)
}

// Garbage on stdout puts the listener in UNKNOWN with supervisord's
// warning, a bad RESULT line gives the event back; the supervisor and the
// other listeners go on.
func TestProtocolViolations(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "out")
	garbage := supervisor.ProgramSpec{Name: "garbage", Command: `/bin/sh -c 'printf "hello world\n"; exec sleep 1000'`,
		StartSecs: -1, StopSignal: syscall.SIGKILL}
	badResult := supervisor.ProgramSpec{Name: "badresult",
		Command:   `/bin/sh -c 'printf "READY\n"; read line; printf "RESULT x\nOK"; exec sleep 1000'`,
		StartSecs: -1, StopSignal: syscall.SIGKILL, AutoRestart: supervisor.RestartNever}
	flood := supervisor.ProgramSpec{Name: "flood",
		Command:   `/bin/sh -c 'printf "READY\n"; read line; head -c 100000 /dev/zero; exec sleep 1000'`,
		StartSecs: -1, StopSignal: syscall.SIGKILL, AutoRestart: supervisor.RestartNever}
	// RESULT 5 with "OK": the next READY completes the result ("OKREA"),
	// which rejects the event; the rest of the line is not READY yet.
	wrongLen := supervisor.ProgramSpec{Name: "wronglen",
		Command:   `/bin/sh -c 'printf "READY\n"; read line; printf "RESULT 5\nOK"; sleep 0.2; printf "READY\n"; exec sleep 1000'`,
		StartSecs: -1, StopSignal: syscall.SIGKILL, AutoRestart: supervisor.RestartNever}
	// Says nothing at all: its events wait, and overflow.
	silent := supervisor.ProgramSpec{Name: "silent", Command: "/bin/sleep 1000", StartSecs: -1}
	e := start(t, []eventlistener.PoolConfig{
		{Name: "garbage", Events: []string{"REMOTE_COMMUNICATION"}},
		{Name: "badresult", Events: []string{"REMOTE_COMMUNICATION"}},
		{Name: "flood", Events: []string{"REMOTE_COMMUNICATION"}},
		{Name: "wronglen", Events: []string{"REMOTE_COMMUNICATION"}},
		{Name: "silent", Events: []string{"REMOTE_COMMUNICATION"}, BufferSize: 1},
		{Name: "good", Events: []string{"REMOTE_COMMUNICATION"}},
	}, garbage, badResult, flood, wrongLen, silent, listenerSpec(t, "good", out, "ok", 1))
	e.log.waitFor(t, "garbage: has entered the UNKNOWN state and will no longer receive events", 1)
	require.Eventually(t, func() bool {
		return e.disp.ListenerState("badresult", "badresult") == eventlistener.StateReady &&
			e.disp.ListenerState("flood", "flood") == eventlistener.StateReady &&
			e.disp.ListenerState("good", "good") == eventlistener.StateReady
	}, waitLong, 20*time.Millisecond)
	e.sup.SendRemoteCommEvent("t", []byte("1"))
	e.log.waitFor(t, "WARN badresult: bad result line: 'RESULT x'", 1)
	e.log.waitFor(t, "flood: bad result line: ", 1)
	e.log.waitFor(t, "rebuffering event 0 for pool badresult", 1)
	assert.Equal(t, eventlistener.StateUnknown, e.disp.ListenerState("badresult", "badresult"))
	e.log.waitFor(t, "WARN wronglen: event was rejected", 1)
	e.log.waitFor(t, "rebuffering event 0 for pool wronglen", 1)
	e.sup.SendRemoteCommEvent("t", []byte("2"))
	lines := received(t, out, 2)
	assert.True(t, strings.HasSuffix(lines[1], "b'2'"))
	e.log.waitFor(t, "ERROR pool silent event buffer overflowed, discarding event 0", 1)
	assert.Equal(t, uint64(1), e.disp.Discarded("silent"))
	assert.Equal(t, "", e.disp.ListenerState("silent", "silent"), "never said anything")
}

// Unknown event types are refused with supervisord's words.
func TestUnknownEventType(t *testing.T) {
	sup := supervisor.New()
	d := eventlistener.New(sup, eventlistener.Options{})
	defer d.Close()
	err := d.SetPool(eventlistener.PoolConfig{Name: "x", Events: []string{"PROCESS_STATE_BOGUS"}})
	assert.EqualError(t, err, "Unknown event type PROCESS_STATE_BOGUS in [eventlistener:x] events")
}
