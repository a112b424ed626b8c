package client_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supervise-go/supervisor/client"
	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// fakeServer speaks just enough of supervisord's HTTP interface for the
// client's tests: /RPC2 dispatches to methods, /logtail/ and /mainlogtail to
// tail, and credentials are checked when user is set.
type fakeServer struct {
	mu      sync.Mutex
	methods map[string]func(params []any) any // a returned *xmlrpc.Fault is sent as a fault
	calls   []string                          // method names, in order
	user    string
	pass    string
	tail    func(w http.ResponseWriter, r *http.Request)
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.user != "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != f.user || p != f.pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="default"`)
			http.Error(w, "Error code 401.", http.StatusUnauthorized)
			return
		}
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/RPC2"):
		if r.Method != http.MethodPost {
			http.Error(w, "Error code 400.", http.StatusBadRequest)
			return
		}
		method, params, err := xmlrpc.ParseRequest(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.calls = append(f.calls, method)
		fn := f.methods[method]
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		if fn == nil {
			xmlrpc.WriteResponse(w, xmlrpc.NewFault(xmlrpc.FaultUnknownMethod, ""))
			return
		}
		xmlrpc.WriteResponse(w, fn(params))
	case f.tail != nil && (strings.HasPrefix(r.URL.Path, "/logtail/") || r.URL.Path == "/mainlogtail"):
		f.tail(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeServer) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func newFake(t *testing.T, methods map[string]func([]any) any) (*fakeServer, *httptest.Server) {
	t.Helper()
	f := &fakeServer{methods: methods}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func newClient(t *testing.T, url string, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(url, opts...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func value(v any) func([]any) any { return func([]any) any { return v } }

func okResult(name, group string) map[string]any {
	return map[string]any{"name": name, "group": group, "status": 80, "description": "OK"}
}

func TestTypedMethods(t *testing.T) {
	now := time.Unix(1795489610, 0)
	info := map[string]any{
		"description": "pid 16269, uptime 0:00:55", "exitstatus": 0, "group": "web",
		"logfile": "/tmp/web.log", "name": "web_00", "now": int(now.Unix()), "pid": 16269,
		"spawnerr": "", "start": int(now.Unix()) - 55, "state": 20, "statename": "RUNNING",
		"stderr_logfile": "", "stdout_logfile": "/tmp/web.log", "stop": 0,
	}
	var gotParams sync.Map
	record := func(name string, v any) func([]any) any {
		return func(p []any) any { gotParams.Store(name, p); return v }
	}
	_, srv := newFake(t, map[string]func([]any) any{
		"supervisor.getAPIVersion":        value("3.0"),
		"supervisor.getSupervisorVersion": value("4.2.5"),
		"supervisor.getIdentification":    value("supervisor"),
		"supervisor.getState":             value(map[string]any{"statecode": 1, "statename": "RUNNING"}),
		"supervisor.getPID":               value(42),
		"supervisor.readLog":              record("readLog", "main log\n"),
		"supervisor.getProcessInfo":       record("getProcessInfo", info),
		"supervisor.getAllProcessInfo":    value([]any{info, info}),
		"supervisor.startProcessGroup":    record("startProcessGroup", []any{okResult("web_00", "web"), map[string]any{"name": "web_01", "group": "web", "status": 50, "description": "SPAWN_ERROR: web:web_01"}}),
		"supervisor.reloadConfig":         value([]any{[]any{[]any{"new"}, []any{"web"}, []any{}}}),
		"supervisor.tailProcessStderrLog": record("tail", []any{"lo\n", 6, true}),
		"supervisor.signalProcess":        record("signalProcess", true),
		"supervisor.getAllConfigInfo": value([]any{map[string]any{
			"autostart": true, "command": "/bin/sleep 1000", "directory": "none", "exitcodes": []any{0, 2},
			"group": "web", "group_prio": 999, "inuse": true, "name": "web_00", "process_prio": 10,
			"stopsignal": 15, "stdout_logfile": "auto", "stdout_logfile_maxbytes": 52428800,
		}}),
		"system.methodSignature": value([]any{"boolean", "string", "boolean"}),
	})
	c := newClient(t, srv.URL)
	ctx := ctx(t)

	v, err := c.APIVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, "3.0", v)
	v, err = c.SupervisorVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, "4.2.5", v)
	v, err = c.Identification(ctx)
	require.NoError(t, err)
	assert.Equal(t, "supervisor", v)
	st, err := c.State(ctx)
	require.NoError(t, err)
	assert.Equal(t, client.SupervisorRunning, st)
	assert.Equal(t, "RUNNING", st.String())
	pid, err := c.PID(ctx)
	require.NoError(t, err)
	assert.Equal(t, 42, pid)

	s, err := c.ReadLog(ctx, -1600, 0)
	require.NoError(t, err)
	assert.Equal(t, "main log\n", s)
	p, _ := gotParams.Load("readLog")
	assert.Equal(t, []any{-1600, 0}, p)

	pi, err := c.ProcessInfo(ctx, "web:web_00")
	require.NoError(t, err)
	assert.Equal(t, client.ProcessInfo{
		Name: "web_00", Group: "web", Description: "pid 16269, uptime 0:00:55",
		Start: now.Add(-55 * time.Second), Now: now, State: client.StateRunning, StateName: "RUNNING",
		StdoutLogfile: "/tmp/web.log", PID: 16269,
	}, pi)
	assert.True(t, pi.Stop.IsZero())
	assert.Equal(t, "web:web_00", pi.Namespec())
	assert.True(t, pi.State.IsRunning())
	assert.False(t, pi.State.IsStopped())

	all, err := c.AllProcessInfo(ctx)
	require.NoError(t, err)
	assert.Len(t, all, 2)

	rs, err := c.StartProcessGroup(ctx, "web", true)
	require.NoError(t, err)
	require.Len(t, rs, 2)
	assert.NoError(t, rs[0].Err())
	assert.True(t, client.IsFault(rs[1].Err(), client.FaultSpawnError))
	assert.Equal(t, "web:web_01", rs[1].Namespec())
	p, _ = gotParams.Load("startProcessGroup")
	assert.Equal(t, []any{"web", true}, p)

	ch, err := c.ReloadConfig(ctx)
	require.NoError(t, err)
	assert.Equal(t, client.ConfigChanges{Added: []string{"new"}, Changed: []string{"web"}, Removed: []string{}}, ch)

	chunk, err := c.TailProcessStderrLog(ctx, "web:web_00", 0, 3)
	require.NoError(t, err)
	assert.Equal(t, client.LogChunk{Text: "lo\n", Offset: 6, Overflow: true}, chunk)

	require.NoError(t, c.SignalProcess(ctx, "web:*", "HUP"))
	p, _ = gotParams.Load("signalProcess")
	assert.Equal(t, []any{"web:*", "HUP"}, p)

	ci, err := c.AllConfigInfo(ctx)
	require.NoError(t, err)
	require.Len(t, ci, 1)
	assert.Equal(t, []int{0, 2}, ci[0].ExitCodes)
	assert.True(t, ci[0].InUse)
	assert.Equal(t, 10, ci[0].ProcessPrio)
	assert.Equal(t, "auto", ci[0].StdoutLogfile)
	assert.Equal(t, 52428800, ci[0].StdoutLogfileMaxBytes)

	sig, err := c.MethodSignature(ctx, "supervisor.startProcess")
	require.NoError(t, err)
	assert.Equal(t, []string{"boolean", "string", "boolean"}, sig)
}

func TestFaults(t *testing.T) {
	_, srv := newFake(t, map[string]func([]any) any{
		"supervisor.startProcess": value(xmlrpc.NewFault(xmlrpc.FaultBadName, "nope")),
		// startProcess("g:*") answers with the group's results.
		"supervisor.stopProcess": value([]any{okResult("a", "g"), map[string]any{"name": "b", "group": "g", "status": 70, "description": "NOT_RUNNING"}}),
	})
	c := newClient(t, srv.URL)

	err := c.StartProcess(ctx(t), "nope", true)
	var f *client.Fault
	require.ErrorAs(t, err, &f)
	assert.Equal(t, &client.Fault{Code: client.FaultBadName, String: "BAD_NAME: nope"}, f)
	assert.Equal(t, "supervisord fault 10: BAD_NAME: nope", err.Error())
	assert.True(t, client.IsFault(err, client.FaultBadName))
	assert.Equal(t, "BAD_NAME", client.FaultName(client.FaultBadName))

	err = c.StopProcess(ctx(t), "g:*", true)
	assert.True(t, client.IsFault(err, client.FaultNotRunning), "%v", err)

	_, err = c.PID(ctx(t))
	assert.True(t, client.IsFault(err, client.FaultUnknownMethod), "%v", err)
}

func TestWrongShapes(t *testing.T) {
	_, srv := newFake(t, map[string]func([]any) any{
		"supervisor.getPID":            value("42"),
		"supervisor.getAllProcessInfo": value([]any{map[string]any{"name": "a", "pid": "x"}}),
		"supervisor.reloadConfig":      value([]any{}),
		"supervisor.shutdown":          value(false),
	})
	c := newClient(t, srv.URL)
	_, err := c.PID(ctx(t))
	assert.EqualError(t, err, "client: supervisor.getPID: want an int, got string")
	_, err = c.AllProcessInfo(ctx(t))
	assert.EqualError(t, err, `supervisor.getAllProcessInfo[0]: client: member "pid": want int, got string`)
	_, err = c.ReloadConfig(ctx(t))
	assert.Error(t, err)
	assert.EqualError(t, c.Shutdown(ctx(t)), "client: supervisor.shutdown answered false")
}

func TestMulticall(t *testing.T) {
	_, srv := newFake(t, map[string]func([]any) any{
		"system.multicall": func(p []any) any {
			calls := p[0].([]any)
			out := make([]any, len(calls))
			for i, c := range calls {
				m := c.(map[string]any)
				if m["methodName"] == "supervisor.getPID" {
					out[i] = 42
				} else {
					out[i] = xmlrpc.NewFault(xmlrpc.FaultBadName, m["params"].([]any)[0].(string))
				}
			}
			return out
		},
	})
	c := newClient(t, srv.URL)
	rs, err := c.Multicall(ctx(t),
		client.MethodCall{Method: "supervisor.getPID"},
		client.MethodCall{Method: "supervisor.getProcessInfo", Params: []any{"x"}},
	)
	require.NoError(t, err)
	assert.Equal(t, []client.MulticallResult{
		{Value: 42},
		{Err: &client.Fault{Code: client.FaultBadName, String: "BAD_NAME: x"}},
	}, rs)
}

func TestAuth(t *testing.T) {
	f, srv := newFake(t, map[string]func([]any) any{"supervisor.getPID": value(7)})
	f.user, f.pass = "user", "p:w"

	_, err := newClient(t, srv.URL).PID(ctx(t))
	var he *client.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 401, he.StatusCode)
	assert.ErrorIs(t, err, client.ErrUnauthorized)

	_, err = newClient(t, srv.URL, client.WithAuth("user", "bad")).PID(ctx(t))
	assert.ErrorIs(t, err, client.ErrUnauthorized)

	pid, err := newClient(t, srv.URL, client.WithAuth("user", "p:w")).PID(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, 7, pid)
}

func TestUnixSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	f := &fakeServer{methods: map[string]func([]any) any{"supervisor.getAPIVersion": value("3.0"), "supervisor.getPID": value(9)}}
	srv := httptest.NewUnstartedServer(f)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)

	c, err := client.Dial(ctx(t), "unix://"+sock)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	pid, err := c.PID(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, 9, pid)
	assert.Equal(t, []string{"supervisor.getAPIVersion", "supervisor.getPID"}, f.called())

	// A socket file that does not exist: ENOENT, as supervisorctl reports.
	_, err = newClient(t, "unix://"+sock+".missing").PID(ctx(t))
	var ne *client.NetError
	require.ErrorAs(t, err, &ne)
	assert.ErrorIs(t, err, syscall.ENOENT)
	assert.Contains(t, err.Error(), "unix://"+sock+".missing")
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	_, err = client.Dial(ctx(t), "http://"+addr)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
}

func TestDialVersionMismatch(t *testing.T) {
	_, srv := newFake(t, map[string]func([]any) any{"supervisor.getAPIVersion": value("2.0")})
	_, err := client.Dial(ctx(t), srv.URL)
	var ve *client.VersionError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "2.0", ve.Version)
}

func TestBadURLs(t *testing.T) {
	for _, u := range []string{"ftp://x", "localhost:9001", "unix://", "http://", ""} {
		_, err := client.New(u)
		assert.Error(t, err, u)
	}
	// The path of an http URL is ignored: calls go to /RPC2.
	_, srv := newFake(t, map[string]func([]any) any{"supervisor.getPID": value(1)})
	_, err := newClient(t, srv.URL+"/some/path").PID(ctx(t))
	assert.NoError(t, err)
}

func TestContextDeadline(t *testing.T) {
	block := make(chan struct{})
	_, srv := newFake(t, map[string]func([]any) any{
		"supervisor.getPID": func([]any) any { <-block; return 1 },
	})
	t.Cleanup(func() { close(block) }) // before srv.Close, which waits for the handler
	c := newClient(t, srv.URL)
	cx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.PID(cx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// The tail streams: each piece the server flushes reaches the writer before
// the next is sent, and cancelling the context ends Tail with ctx.Err().
func TestTailStreams(t *testing.T) {
	next := make(chan string)
	f, srv := newFake(t, nil)
	f.tail = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/logtail/g:p/stderr" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain;charset=utf-8")
		for {
			select {
			case s := <-next:
				io.WriteString(w, s)
				w.(http.Flusher).Flush()
			case <-r.Context().Done():
				return
			}
		}
	}
	c := newClient(t, srv.URL)
	cx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- c.Tail(cx, pw, "g:p", client.Stderr) }()

	buf := make([]byte, 100)
	for _, piece := range []string{"first\n", "second\n"} {
		next <- piece
		n, err := pr.Read(buf)
		require.NoError(t, err)
		assert.Equal(t, piece, string(buf[:n]))
	}
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("Tail did not return after cancel")
	}

	// An unknown process: 404, before anything is streamed.
	err := c.Tail(ctx(t), io.Discard, "nope", client.Stdout)
	var he *client.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 404, he.StatusCode)
}

// A stream the server ends is not an error.
func TestTailMainEnds(t *testing.T) {
	f, srv := newFake(t, nil)
	f.tail = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/mainlogtail" {
			io.WriteString(w, "main\n")
		}
	}
	var sb strings.Builder
	require.NoError(t, newClient(t, srv.URL).TailMain(ctx(t), &sb))
	assert.Equal(t, "main\n", sb.String())
}

func TestNetErrorUnwraps(t *testing.T) {
	e := &client.NetError{Method: "m", ServerURL: "http://x", Err: syscall.ECONNREFUSED}
	assert.True(t, errors.Is(e, syscall.ECONNREFUSED))
	assert.Equal(t, "client: m on http://x: connection refused", e.Error())
}
