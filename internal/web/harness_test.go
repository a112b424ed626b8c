package web

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/rpcapi"
)

// waitLong bounds every wait: generous, so that a busy 2-core machine
// running the race detector never fails a correct test.
const waitLong = 30 * time.Second

// testTag marks every child the tests start (through the environment), so
// that leftovers can be found in /proc.
var testTag = fmt.Sprintf("web-%d-%d", os.Getpid(), time.Now().UnixNano())

// backend is the rpcapi.Backend of the tests: a real Supervisor and a
// daemon state the test can change.
type backend struct {
	sup   *supervisor.Supervisor
	state atomic.Int64
}

var _ rpcapi.Backend = (*backend)(nil)

func (b *backend) Supervisor() *supervisor.Supervisor  { return b.sup }
func (b *backend) Available() []supervisor.ProgramSpec { return nil }
func (b *backend) Reread() error                       { return nil }
func (b *backend) Identifier() string                  { return "supervisor" }
func (b *backend) PID() int                            { return os.Getpid() }
func (b *backend) State() rpcapi.State {
	return rpcapi.State(b.state.Load())
}
func (b *backend) Shutdown()               {}
func (b *backend) Restart() error          { return nil }
func (b *backend) MainLogPath() string     { return "" }
func (b *backend) ClearMainLog() error     { return nil }
func (b *backend) setState(s rpcapi.State) { b.state.Store(int64(s)) }

// env is one test's supervisor, serving real children, and the web UI on an
// httptest server.
type env struct {
	b      *backend
	sup    *supervisor.Supervisor
	srv    *httptest.Server
	client *http.Client // does not follow redirects
	// inflight counts the requests whose handler has not returned.
	inflight atomic.Int64
}

// program returns a spec with supervisord's defaults, except that it is
// RUNNING as soon as it is spawned and stops fast.
func program(name, command string) supervisor.ProgramSpec {
	s := testSpec(name, command)
	s.StartSecs = -1
	s.StopWaitSecs = 5 * time.Second
	return s
}

// startEnv serves specs until the test ends, and checks then that no child
// is left behind.
func startEnv(t *testing.T, specs []supervisor.ProgramSpec, opts ...Option) *env {
	t.Helper()
	tag := testTag + "/" + t.Name()
	for i := range specs {
		e := map[string]string{"WEB_TEST_TAG": tag}
		for k, v := range specs[i].Environment {
			e[k] = v
		}
		specs[i].Environment = e
	}
	sup := supervisor.New(supervisor.WithChildLogDir(t.TempDir()))
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
		_, err := sup.AddGroup(byGroup[g]...)
		require.NoError(t, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- sup.Serve(ctx) }()
	<-sup.Ready()
	b := &backend{sup: sup}
	b.setState(rpcapi.StateRunning)
	e := &env{b: b, sup: sup}
	web := New(b, opts...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.inflight.Add(1)
		defer e.inflight.Add(-1)
		web.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		cancel()
		select {
		case err := <-served:
			require.NoError(t, err)
		case <-time.After(2 * waitLong):
			t.Fatal("Serve did not return")
		}
		assertNoLeftovers(t, tag)
	})
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{
		Transport:     transport,
		Timeout:       waitLong,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	e.srv, e.client = srv, client
	return e
}

// get fetches path and returns the response with its body read.
func (e *env) get(t *testing.T, path string, header ...string) (*http.Response, string) {
	t.Helper()
	return e.do(t, http.MethodGet, path, "", header...)
}

// post sends a form to path.
func (e *env) post(t *testing.T, path, form string, header ...string) (*http.Response, string) {
	t.Helper()
	return e.do(t, http.MethodPost, path, form, append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)...)
}

func (e *env) do(t *testing.T, method, path, body string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := e.client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

// host is the Host header the test client sends.
func (e *env) host() string { return strings.TrimPrefix(e.srv.URL, "http://") }

// state returns the current state of a process.
func (e *env) state(t *testing.T, name string) supervisor.State {
	t.Helper()
	return e.proc(t, name).State()
}

// waitState waits for a process to reach state want, on the supervisor's
// events.
func (e *env) waitState(t *testing.T, name string, want supervisor.State) {
	t.Helper()
	sub := e.sup.Subscribe(0)
	defer sub.Close()
	deadline := time.After(waitLong)
	for {
		if e.state(t, name) == want {
			return
		}
		select {
		case <-sub.C:
		case <-deadline:
			t.Fatalf("%s is %s, want %s", name, e.state(t, name), want)
		}
	}
}

// waitLog waits until a process's stdout log holds at least n bytes.
func (e *env) waitLog(t *testing.T, name string, n int64) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, size, _, err := e.proc(t, name).TailLog(supervisor.ChannelStdout, 0, 0)
		return err == nil && size >= n
	}, waitLong, 20*time.Millisecond, "log of %s never reached %d bytes", name, n)
}

// assertNoLeftovers fails if a process carrying the tag is still there.
func assertNoLeftovers(t testing.TB, tag string) {
	t.Helper()
	var left []string
	for range 50 {
		left = procsWithEnv("WEB_TEST_TAG=" + tag + "\x00")
		if len(left) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
}

// procsWithEnv lists the processes whose environment contains entry.
func procsWithEnv(entry string) []string {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var left []string
	for _, d := range dirs {
		env, err := os.ReadFile(filepath.Join(d, "environ"))
		if err != nil || !strings.Contains(string(env), entry) {
			continue
		}
		comm, _ := os.ReadFile(filepath.Join(d, "comm"))
		left = append(left, filepath.Base(d)+" "+strings.TrimSpace(string(comm)))
	}
	return left
}

// procsWithArg lists the processes with an argument containing s, and
// whether each is a zombie.
func procsWithArg(s string) []string {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var found []string
	for _, d := range dirs {
		cmd, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil || !strings.Contains(string(cmd), s) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(d))
		if pid == os.Getpid() {
			continue
		}
		found = append(found, filepath.Base(d)+" "+strings.ReplaceAll(string(cmd), "\x00", " "))
	}
	return found
}

// proc returns the process a namespec designates.
func (e *env) proc(t testing.TB, name string) *supervisor.Process {
	t.Helper()
	g, p, ok := strings.Cut(name, ":")
	if !ok {
		p = g
	}
	proc, err := e.sup.Process(g, p)
	require.NoError(t, err)
	return proc
}

// testSpec returns a spec as the config package makes it from a
// [program:x] section with only a command: every value written out.
func testSpec(name, command string) supervisor.ProgramSpec {
	log := supervisor.LogSpec{File: supervisor.AutoLog, MaxBytes: 50 << 20, Backups: 10}
	return supervisor.ProgramSpec{Name: name, Command: command, ProcessName: "%(program_name)s", NumProcs: 1,
		Priority: 999, GroupPriority: 999, StartSecs: time.Second, StartRetries: 3, ExitCodes: []int{0},
		StopSignal: syscall.SIGTERM, StopWaitSecs: 10 * time.Second, Stdout: log, Stderr: log}
}
