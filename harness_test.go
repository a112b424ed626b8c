package supervisor

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/supervise-go/supervisor/internal/proctest"
)

// waitLong bounds every wait in the tests: generous, so that a busy 2-core
// machine running the race detector never makes a correct test fail.
const waitLong = 30 * time.Second

// helperCmd returns a command line that runs the test binary as the helper
// program with args (see helperMain). The spec must carry helperEnv.
func helperCmd(t testing.TB, args ...string) string {
	exe, err := os.Executable()
	require.NoError(t, err)
	return strings.Join(append([]string{exe}, args...), " ")
}

// testTag marks every child the tests start (through the environment, which
// grandchildren inherit), so that leftovers can be found in /proc.
var testTag = fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())

func helperEnv() map[string]string {
	return map[string]string{"GO_SUPERVISOR_HELPER": "1"}
}

// logRecorder is a slog.Handler that keeps every message so tests can wait
// for and assert on supervisord's log lines.
type logRecorder struct {
	mu    sync.Mutex
	lines []logLine
	more  chan struct{} // closed and replaced on every line
}

type logLine struct {
	Time  time.Time
	Level slog.Level
	Msg   string
}

func newLogRecorder() *logRecorder { return &logRecorder{more: make(chan struct{})} }

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.lines = append(r.lines, logLine{time.Now(), rec.Level, rec.Message})
	close(r.more)
	r.more = make(chan struct{})
	r.mu.Unlock()
	return nil
}

// messages returns the messages (without DEBUG ones) that contain sub.
func (r *logRecorder) messages(sub string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, l := range r.lines {
		if l.Level > slog.LevelDebug && strings.Contains(l.Msg, sub) {
			out = append(out, l.Msg)
		}
	}
	return out
}

// waitFor waits until n messages contain sub and returns them.
func (r *logRecorder) waitFor(t testing.TB, sub string, n int) []logLine {
	t.Helper()
	deadline := time.After(waitLong)
	for {
		r.mu.Lock()
		var got []logLine
		for _, l := range r.lines {
			if strings.Contains(l.Msg, sub) {
				got = append(got, l)
			}
		}
		more := r.more
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-more:
		case <-deadline:
			t.Fatalf("timed out waiting for %d log lines with %q; have:\n%s", n, sub, r.dump())
		}
	}
}

func (r *logRecorder) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, l := range r.lines {
		fmt.Fprintf(&b, "%s %s %s\n", l.Time.Format("15:04:05.000"), l.Level, l.Msg)
	}
	return b.String()
}

// testSup is a Supervisor serving in the background for one test.
type testSup struct {
	*Supervisor
	log    *logRecorder
	events *collector // every event since before Serve
	stop   func()
}

// startSup creates a Supervisor with specs, serves it until the test ends,
// and checks afterwards that no child is left behind.
func startSup(t *testing.T, specs []ProgramSpec, opts ...Option) *testSup {
	t.Helper()
	rec := newLogRecorder()
	s := New(append([]Option{WithLogger(slog.New(rec))}, opts...)...)
	s.onRefused = func(msg string) { panic(msg) }
	require.NoError(t, addSpecs(s, tagged(t, specs...)...))
	events := s.Subscribe(1 << 16)
	col := &collector{outputs: map[string]*strings.Builder{}, more: make(chan struct{})}
	go col.run(events)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	<-s.Ready()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(2 * waitLong):
				t.Fatalf("Serve did not return after cancel; log:\n%s", rec.dump())
			}
			assertNoLeftovers(t, testTag+"/"+t.Name())
		})
	}
	t.Cleanup(stop)
	return &testSup{Supervisor: s, log: rec, events: col, stop: stop}
}

// addSpecs adds specs, one AddGroup per group, in the order the specs
// first name the groups (as the config package lists them).
func addSpecs(s *Supervisor, specs ...ProgramSpec) error {
	var order []string
	byGroup := map[string][]ProgramSpec{}
	for _, spec := range specs {
		g := spec.groupName()
		if byGroup[g] == nil {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], spec)
	}
	for _, g := range order {
		if _, err := s.AddGroup(byGroup[g]...); err != nil {
			return err
		}
	}
	return nil
}

// lookup returns the process that a namespec ("group:name", or "name" for
// a program's own group) designates.
func lookup(s *Supervisor, name string) (*Process, error) {
	g, p, ok := strings.Cut(name, ":")
	if !ok {
		p = g
	}
	return s.Process(g, p)
}

// proc returns the Process that name ("group:name" or "name") designates.
func (ts *testSup) proc(t testing.TB, name string) *Process {
	t.Helper()
	p, err := lookup(ts.Supervisor, name)
	require.NoError(t, err)
	return p
}

// waitState waits until the process is in state want.
func (ts *testSup) waitState(t testing.TB, name string, want State) ProcessInfo {
	t.Helper()
	p := ts.proc(t, name)
	deadline := time.After(waitLong)
	for {
		st, _, changed := p.watch()
		if st == want {
			return p.info(time.Now())
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("%s: still %s, want %s; log:\n%s", name, st, want, ts.log.dump())
		}
	}
}

// assertNoLeftovers fails if a process carrying tag in its environment (a
// child or an orphaned grandchild of the test) is still there.
func assertNoLeftovers(t testing.TB, tag string) {
	t.Helper()
	var left []string
	for range 50 { // grandchildren killed by SIGKILL need a moment to vanish
		left = leftovers(tag, false)
		if len(left) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
}

// leftovers lists the processes whose environment has the tag and, with
// children, every child of this process (zombies included).
func leftovers(tag string, children bool) []string {
	return proctest.Leftovers("SUPERVISOR_TEST_TAG", tag, children)
}

// tagged returns copies of specs whose environment marks their processes
// as the test's (see assertNoLeftovers).
func tagged(t testing.TB, specs ...ProgramSpec) []ProgramSpec {
	out := make([]ProgramSpec, len(specs))
	for i, spec := range specs {
		env := map[string]string{"SUPERVISOR_TEST_TAG": testTag + "/" + t.Name()}
		for k, v := range spec.Environment {
			env[k] = v
		}
		spec.Environment = env
		out[i] = spec
	}
	return out
}

// collector records every event of a subscription, for tests to wait on.
type collector struct {
	mu      sync.Mutex
	events  []Event
	outputs map[string]*strings.Builder // namespec -> output seen in log events
	more    chan struct{}               // closed and replaced on every event
}

func (c *collector) run(sub *Subscription) {
	for ev := range sub.C {
		c.mu.Lock()
		c.events = append(c.events, ev)
		if ev.Kind == EventProcessLog {
			b := c.outputs[ev.Namespec()]
			if b == nil {
				b = &strings.Builder{}
				c.outputs[ev.Namespec()] = b
			}
			b.Write(ev.Data)
		}
		close(c.more)
		c.more = make(chan struct{})
		c.mu.Unlock()
	}
}

// waitOutput waits until the process has written text containing sub (its
// LogSpec needs EventsEnabled).
func (ts *testSup) waitOutput(t testing.TB, name, sub string) {
	t.Helper()
	deadline := time.After(waitLong)
	for {
		ts.events.mu.Lock()
		var seen string
		if b := ts.events.outputs[name]; b != nil {
			seen = b.String()
		}
		more := ts.events.more
		ts.events.mu.Unlock()
		if strings.Contains(seen, sub) {
			return
		}
		select {
		case <-more:
		case <-deadline:
			t.Fatalf("%s never wrote %q (wrote %q); log:\n%s", name, sub, seen, ts.log.dump())
		}
	}
}

// stateEvents waits until at least n state-change events were seen for a
// process and returns them all.
func (ts *testSup) stateEvents(t testing.TB, name string, n int) []Event {
	t.Helper()
	return ts.eventsWhere(t, n, name+" state changes", func(ev Event) bool {
		return ev.Kind == EventProcessState && ev.Namespec() == name
	})
}

// eventsWhere waits until at least n events that keep accepts were seen,
// and returns them all, in order; what names them in a failure.
func (ts *testSup) eventsWhere(t testing.TB, n int, what string, keep func(Event) bool) []Event {
	t.Helper()
	deadline := time.After(waitLong)
	for {
		ts.events.mu.Lock()
		var out []Event
		for _, ev := range ts.events.events {
			if keep(ev) {
				out = append(out, ev)
			}
		}
		more := ts.events.more
		ts.events.mu.Unlock()
		if len(out) >= n {
			return out
		}
		select {
		case <-more:
		case <-deadline:
			t.Fatalf("%d %s, want %d", len(out), what, n)
		}
	}
}

// newSpec returns a spec with supervisord's config defaults, as a
// [program:x] section with only a command gives: priority 999 and AUTO logs
// of 50 MB with 10 backups.
func newSpec(name, command string) ProgramSpec {
	log := LogSpec{File: AutoLog, MaxBytes: 50 << 20, Backups: 10}
	return ProgramSpec{Name: name, Command: command, Priority: 999, GroupPriority: 999, Stdout: log, Stderr: log}
}

// processErrors splits the error of an operation on several processes
// into its *ProcessErrors.
func processErrors(err error) []*ProcessError {
	if err == nil {
		return nil
	}
	var out []*ProcessError
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		out = append(out, e.(*ProcessError))
	}
	return out
}

// fakeT0 is where the fake clocks of the tests start.
var fakeT0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
