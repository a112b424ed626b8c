package rpcapi

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/supervise-go/supervisor/internal/mainlog"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/proctest"
	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if left := leftovers(); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "processes left behind by the tests:\n%s\n", strings.Join(left, "\n"))
			code = 1
		}
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goroutines leaked: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// waitLong bounds every wait: generous, so that a busy 2-core machine
// running the race detector never fails a correct test.
const waitLong = 30 * time.Second

// testTag marks every child the tests start (through the environment,
// which grandchildren inherit), so that leftovers can be found in /proc.
var testTag = fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())

// leftovers lists the test binary's children and every process carrying
// testTag.
func leftovers() []string { return proctest.Leftovers("RPCAPI_TEST_TAG", testTag, true) }

// testBackend is the daemon's part for the tests: a real Supervisor, the
// "available" configuration, and a reread that installs next.
type testBackend struct {
	sup     *supervisor.Supervisor
	mainLog string

	mu         sync.Mutex
	available  []supervisor.ProgramSpec
	next       []supervisor.ProgramSpec // what Reread makes available
	rereadErr  error
	restartErr error // what Restart refuses with, nil to restart

	state     atomic.Int32
	shutdowns atomic.Int32
	restarts  atomic.Int32
	cleared   atomic.Int32
}

func (b *testBackend) Supervisor() *supervisor.Supervisor { return b.sup }
func (b *testBackend) Available() []supervisor.ProgramSpec {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.available
}
func (b *testBackend) Reread() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.rereadErr != nil {
		return b.rereadErr
	}
	if b.next != nil {
		b.available = b.next
	}
	return nil
}
func (b *testBackend) Identifier() string { return "testid" }
func (b *testBackend) PID() int           { return os.Getpid() }
func (b *testBackend) State() State {
	return State(b.state.Load())
}
func (b *testBackend) Shutdown() { b.shutdowns.Add(1) }
func (b *testBackend) Restart() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.restartErr != nil {
		return b.restartErr
	}
	b.restarts.Add(1)
	return nil
}
func (b *testBackend) MainLogPath() string { return b.mainLog }
func (b *testBackend) ClearMainLog() error {
	b.cleared.Add(1)
	return os.Truncate(b.mainLog, 0)
}

func (b *testBackend) setNext(specs []supervisor.ProgramSpec) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.next = specs
}

// env is a supervisor serving real children for one test, with the API
// over it.
type env struct {
	t   *testing.T
	dir string
	b   *testBackend
	sup *supervisor.Supervisor
	api *API
	log *logRecorder
}

// newEnv serves the supervisor with specs as the available configuration,
// every group of which is active, until the test ends; then it checks that
// every child is gone.
func newEnv(t *testing.T, specs ...supervisor.ProgramSpec) *env {
	t.Helper()
	dir := t.TempDir()
	rec := newLogRecorder()
	sup := supervisor.New(
		supervisor.WithChildLogDir(dir),
		supervisor.WithIdentifier("testid"),
		supervisor.WithEnvironment(map[string]string{"RPCAPI_TEST_TAG": testTag}),
	)
	require.NoError(t, addSpecs(sup, specs...))
	b := &testBackend{sup: sup, available: specs, mainLog: filepath.Join(dir, "supervisord.log")}
	b.state.Store(int32(StateRunning))
	require.NoError(t, os.WriteFile(b.mainLog, []byte("2026-11-24 00:48:12,311 INFO supervisord started with pid 1\n"), 0o644))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sup.Serve(ctx) }()
	<-sup.Ready()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(waitLong):
			t.Fatal("supervisor did not stop")
		}
	})
	return &env{t: t, dir: dir, b: b, sup: sup, api: New(b, slog.New(rec)), log: rec}
}

// call runs a method that must succeed.
func (e *env) call(method string, args ...any) any {
	e.t.Helper()
	v, err := e.api.Call(context.Background(), method, args)
	require.NoError(e.t, err, "%s%v", method, args)
	return v
}

// fault runs a method that must fail and returns its fault.
func (e *env) fault(method string, args ...any) *xmlrpc.Fault {
	e.t.Helper()
	v, err := e.api.Call(context.Background(), method, args)
	require.Error(e.t, err, "%s%v returned %#v", method, args, v)
	f, ok := err.(*xmlrpc.Fault)
	require.True(e.t, ok, "error %T is not a fault", err)
	return f
}

// wire encodes v as a response and decodes it again: the value a client
// sees, with structs as maps.
func wire(t testing.TB, v any) any {
	t.Helper()
	var buf strings.Builder
	require.NoError(t, xmlrpc.WriteResponse(&buf, v))
	out, err := xmlrpc.ParseResponse(strings.NewReader(buf.String()))
	require.NoError(t, err)
	return out
}

// waitState waits until the process name is in state want.
func (e *env) waitState(name string, want supervisor.State) supervisor.ProcessInfo {
	e.t.Helper()
	sub := e.sup.Subscribe(0)
	defer sub.Close()
	deadline := time.After(waitLong)
	for {
		info := e.info(name)
		if info.State == want {
			return info
		}
		select {
		case <-sub.C:
		case <-deadline:
			e.t.Fatalf("%s is %s, not %s", name, info.State, want)
		}
	}
}

// Programs used by the tests.

func sleeper(name string) supervisor.ProgramSpec {
	s := testSpec(name, "/bin/sleep 1000")
	s.StartSecs = -1
	s.StopWaitSecs = 5 * time.Second
	return s
}

// quick exits at once: FATAL after its only try.
func quick() supervisor.ProgramSpec {
	s := testSpec("quick", `/bin/sh -c "echo hello; exit 1"`)
	s.StartSecs = time.Second
	s.StartRetries = -1
	return s
}

// grp is a group of two sleepers without log files on stdout.
func grp() supervisor.ProgramSpec {
	s := sleeper("multi")
	s.Group = "grp"
	s.GroupPriority = 999
	s.NumProcs = 2
	s.ProcessName = "%(program_name)s_%(process_num)02d"
	s.Stdout.File = ""
	return s
}

// logRecorder is a slog.Handler that keeps every message.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func newLogRecorder() *logRecorder                              { return &logRecorder{} }
func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf("%s %s", levelName(rec.Level), rec.Message))
	return nil
}

func (r *logRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

func levelName(l slog.Level) string {
	if l == mainlog.LevelTrace {
		return "TRAC"
	}
	return l.String()
}

// testSpec returns a spec as the config package makes it from a
// [program:x] section with only a command: every value written out.
func testSpec(name, command string) supervisor.ProgramSpec {
	log := supervisor.LogSpec{File: supervisor.AutoLog, MaxBytes: 50 << 20, Backups: 10}
	return supervisor.ProgramSpec{Name: name, Command: command, ProcessName: "%(program_name)s", NumProcs: 1,
		Priority: 999, GroupPriority: 999, StartSecs: time.Second, StartRetries: 3, ExitCodes: []int{0},
		StopSignal: syscall.SIGTERM, StopWaitSecs: 10 * time.Second, Stdout: log, Stderr: log}
}

// lookup returns the process a namespec designates.
func lookup(sup *supervisor.Supervisor, name string) (*supervisor.Process, error) {
	return sup.Process(splitNamespec(name))
}

// addSpecs adds specs, one AddGroup per group, in the order the specs
// first name the groups.
func addSpecs(sup *supervisor.Supervisor, specs ...supervisor.ProgramSpec) error {
	var order []string
	byGroup := map[string][]supervisor.ProgramSpec{}
	for _, s := range specs {
		g := cmp.Or(s.Group, s.Name)
		if byGroup[g] == nil {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], s)
	}
	for _, g := range order {
		if _, err := sup.AddGroup(byGroup[g]...); err != nil {
			return err
		}
	}
	return nil
}

// info returns a snapshot of the process a namespec designates.
func (e *env) info(name string) supervisor.ProcessInfo {
	e.t.Helper()
	p, err := lookup(e.sup, name)
	require.NoError(e.t, err)
	return p.Info()
}
