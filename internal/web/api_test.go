package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supervise-go/supervisor/internal/rpcapi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/supervise-go/supervisor"
)

func TestProcessesJSON(t *testing.T) {
	e := startEnv(t, fleet())
	e.waitState(t, "sleeper", supervisor.Running)
	res, body := e.get(t, "/api/processes")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	var snap snapshotJSON
	require.NoError(t, json.Unmarshal([]byte(body), &snap))
	assert.Equal(t, Version, snap.Version)
	assert.Equal(t, "supervisor", snap.Identification)
	assert.Equal(t, "RUNNING", snap.State)
	var names []string
	byName := map[string]processJSON{}
	for _, p := range snap.Processes {
		names = append(names, p.Namespec)
		byName[p.Namespec] = p
	}
	assert.Equal(t, []string{"echo", "evil:" + evilName, "grp:a", "grp:b", "idle", "nofile", "nolog", "quick", "sleeper"}, names)

	s := byName["sleeper"]
	assert.Equal(t, "sleeper", s.Name)
	assert.Equal(t, "sleeper", s.Group)
	assert.Equal(t, 20, s.State)
	assert.Equal(t, "RUNNING", s.StateName)
	assert.Regexp(t, `^pid \d+, uptime 0:00:\d\d$`, s.Description)
	assert.NotZero(t, s.Pid)
	assert.NotZero(t, s.Start)
	assert.Equal(t, s.StdoutLogfile, s.Logfile)
	assert.NotEmpty(t, s.StdoutLogfile)
	assert.Equal(t, "statusrunning", s.StatusClass)
	assert.Equal(t, []string{"restart", "stop", "clearlog"}, s.Actions)
	assert.Equal(t, "tail.html?processname=sleeper", s.TailURL)

	i := byName["idle"]
	assert.Equal(t, "STOPPED", i.StateName)
	assert.Equal(t, "Not started", i.Description)
	assert.Equal(t, []string{"start", "clearlog"}, i.Actions)
	assert.Equal(t, "statusnominal", i.StatusClass)
	assert.Equal(t, "tail.html?processname=grp%3Aa", byName["grp:a"].TailURL)
}

func TestActionsFor(t *testing.T) {
	for st, want := range map[supervisor.State][]string{
		supervisor.Running:  {"restart", "stop", "clearlog"},
		supervisor.Starting: {"stop", "clearlog"},
		supervisor.Backoff:  {"stop", "clearlog"},
		supervisor.Stopping: {"clearlog"},
		supervisor.Stopped:  {"start", "clearlog"},
		supervisor.Exited:   {"start", "clearlog"},
		supervisor.Fatal:    {"start", "clearlog"},
		supervisor.Unknown:  {"clearlog"},
	} {
		assert.Equal(t, want, actionsFor(st), st.String())
	}
	assert.Equal(t, "statuserror", statusClass(supervisor.Fatal))
	assert.Equal(t, "statuserror", statusClass(supervisor.Backoff))
	assert.Equal(t, "statusnominal", statusClass(supervisor.Exited))
}

// TestActionAPI: the page's buttons post here and get JSON back.
func TestActionAPI(t *testing.T) {
	e := startEnv(t, fleet())
	e.waitState(t, "sleeper", supervisor.Running)
	json := []string{"Accept", "application/json", "Origin", e.srv.URL, "Sec-Fetch-Site", "same-origin"}
	cases := []struct {
		form    string
		status  int
		ok      bool
		message string
	}{
		{"processname=sleeper&action=stop", 200, true, "Process sleeper stopped"},
		{"processname=sleeper&action=stop", 409, false, "unexpected rpc fault [70] NOT_RUNNING: sleeper"},
		{"processname=sleeper&action=start", 200, true, "Process sleeper started"},
		{"processname=sleeper&action=start", 409, false, "ERROR: Process sleeper: already started"},
		{"processname=sleeper&action=restart", 200, true, "Process sleeper restarted"},
		{"processname=sleeper&action=clearlog", 200, true, "Log for sleeper cleared"},
		{"processname=nosuch&action=start", 404, false, "No such process named nosuch"},
		{"processname=nofile&action=start", 409, false, "ERROR: Process nofile: no such file"},
		// Unlike the legacy redirect, the API tells a restart that failed.
		{"processname=nofile&action=restart", 409, false, "ERROR: Process nofile: no such file"},
		{"processname=quick&action=restart", 409, false, "ERROR: Process quick: spawn error"},
		{"group=grp&action=stop", 200, true, "Group grp stopped"},
		{"group=grp&action=start", 200, true, "Group grp started"},
		{"group=grp&action=restart", 200, true, "Group grp restarted"},
		{"group=nogroup&action=start", 404, false, "No such group named nogroup"},
		{"action=stopall", 200, true, "All stopped at "},
		{"action=restartall", 409, false, "ERROR: All restarted at "},
		{"action=refresh", 200, true, "Page refreshed at "},
		{"processname=sleeper&action=dance", 400, false, "unknown action dance"},
		{"group=grp&action=clearlog", 400, false, "unknown action clearlog"},
		{"action=start", 400, false, "action start needs a processname"},
		{"", 400, false, "no action given"},
	}
	for _, c := range cases {
		res, body := e.post(t, "/api/action", c.form, json...)
		assert.Equal(t, c.status, res.StatusCode, c.form)
		assert.Equal(t, "application/json", res.Header.Get("Content-Type"), c.form)
		var reply actionReply
		require.NoError(t, jsonUnmarshal(body, &reply), body)
		assert.Equal(t, c.ok, reply.OK, c.form)
		assert.True(t, strings.HasPrefix(reply.Message, c.message), "%s: %q", c.form, reply.Message)
	}
	// restartall names the processes that failed.
	res, body := e.post(t, "/api/action", "action=restartall", json...)
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	assert.Contains(t, body, "nofile (no such file)")
	assert.Contains(t, body, "quick (spawn error)")
	assert.Equal(t, supervisor.Running, e.state(t, "sleeper"))
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// TestShuttingDown: once the daemon began a shutdown, actions are refused
// with supervisord's SHUTDOWN_STATE fault, and the page says why.
func TestShuttingDown(t *testing.T) {
	e := startEnv(t, fleet())
	e.waitState(t, "sleeper", supervisor.Running)
	e.b.setState(rpcapi.StateShutdown)
	for q, msg := range map[string]string{
		"processname=sleeper&action=stop":     "unexpected rpc fault [6] SHUTDOWN_STATE",
		"processname=idle&action=start":       "ERROR: Process idle: unexpected rpc fault [6] SHUTDOWN_STATE",
		"processname=sleeper&action=clearlog": "unexpected rpc fault [6] SHUTDOWN_STATE",
		"action=stopall":                      "unexpected rpc fault [6] SHUTDOWN_STATE",
		"processname=nosuch&action=stop":      "No such process named nosuch",
	} {
		res, _ := e.get(t, "/index.html?"+q)
		require.Equal(t, http.StatusMovedPermanently, res.StatusCode)
		assert.Equal(t, "http://"+e.host()+"/?message="+pyQuote(msg), res.Header.Get("Location"), q)
	}
	res, _ := e.post(t, "/api/action", "processname=sleeper&action=stop")
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	assert.Equal(t, supervisor.Running, e.state(t, "sleeper"))
	_, body := e.get(t, "/")
	assert.Contains(t, body, `<p id="daemon" class="banner warn">Supervisor is SHUTDOWN: actions are refused.</p>`)
	_, body = e.get(t, "/api/processes")
	assert.Contains(t, body, `"state":"SHUTDOWN"`)
}

func TestTailAPI(t *testing.T) {
	specs := fleet()
	utf := program("utf", `/bin/sh -c "printf 'ééé'; exec /bin/sleep 1000"`)
	specs = append(specs, utf)
	e := startEnv(t, specs)
	e.waitLog(t, "echo", int64(len(evilOutput)))
	e.waitLog(t, "utf", 6)

	get := func(q string) (int, tailReply) {
		t.Helper()
		res, body := e.get(t, "/api/tail?"+q)
		assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
		var r tailReply
		require.NoError(t, jsonUnmarshal(body, &r), body)
		return res.StatusCode, r
	}
	n := int64(len(evilOutput))
	status, r := get("processname=echo")
	assert.Equal(t, 200, status)
	assert.Equal(t, tailReply{Data: evilOutput, Offset: n}, r)
	status, r = get(fmt.Sprintf("processname=echo&offset=%d", n))
	assert.Equal(t, 200, status)
	assert.Equal(t, tailReply{Offset: n}, r, "nothing new")
	_, r = get("processname=echo&offset=6")
	assert.Equal(t, tailReply{Data: evilOutput[6:], Offset: n}, r, "only the bytes after offset")
	_, r = get("processname=echo&limit=4")
	assert.Equal(t, tailReply{Data: "bye\n", Offset: n}, r)
	_, r = get("processname=echo&offset=0&limit=4")
	assert.Equal(t, tailReply{Data: "bye\n", Offset: n}, r, "bytes beyond the limit are skipped")

	// Cleared (or rotated): the client's offset is past the end.
	require.NoError(t, e.proc(t, "echo").ClearLogs())
	_, r = get(fmt.Sprintf("processname=echo&offset=%d", n))
	assert.Equal(t, tailReply{Offset: 0, Reset: true}, r)

	// Characters are never cut.
	_, r = get("processname=utf&limit=3")
	assert.Equal(t, tailReply{Data: "é", Offset: 6}, r)
	_, r = get("processname=utf&limit=4")
	assert.Equal(t, tailReply{Data: "éé", Offset: 6}, r)

	for q, want := range map[string]struct {
		status int
		err    string
	}{
		"":                                {400, "No process name found"},
		"processname=nosuch":              {404, "No such process named nosuch"},
		"processname=nolog":               {404, "No file for nolog"},
		"processname=echo&channel=stdin":  {400, "channel must be stdout or stderr"},
		"processname=echo&limit=0":        {400, "limit must be a positive integer"},
		"processname=echo&limit=x":        {400, "limit must be a positive integer"},
		"processname=echo&offset=-1":      {400, "offset must be a non-negative integer"},
		"processname=echo&channel=stderr": {200, ""},
		"processname=" + url.QueryEscape("evil:"+evilName): {200, ""},
	} {
		status, r := get(q)
		assert.Equal(t, want.status, status, q)
		assert.Equal(t, want.err, r.Error, q)
	}
}

func TestIncompleteSuffix(t *testing.T) {
	for in, want := range map[string]int{
		"":              0,
		"abc":           0,
		"é":             0,
		"\xc3":          1,
		"a\xe2\x82":     2,
		"a\xe2\x82\xac": 0,
		"\xf0\x9f\x98":  3,
		"\x80\x80":      0, // not a start: invalid, sent as is
	} {
		assert.Equal(t, want, incompleteSuffix([]byte(in)), "%q", in)
	}
}

// sseEvent reads the next server-sent event, skipping comments.
func sseEvent(t *testing.T, r *bufio.Reader) (name string, data string) {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if name != "" || data != "" {
				return name, data
			}
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data += strings.TrimPrefix(line, "data: ")
		}
	}
}

// TestEventStream: the stream sends a snapshot at once and another after
// each change, and its handler ends when the client leaves.
func TestEventStream(t *testing.T) {
	e := startEnv(t, fleet())
	e.waitState(t, "sleeper", supervisor.Running)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+"/api/events", nil)
	require.NoError(t, err)
	res, err := e.client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	assert.Equal(t, "no", res.Header.Get("X-Accel-Buffering"))
	r := bufio.NewReader(res.Body)
	stateOf := func(data, ns string) string {
		var snap snapshotJSON
		require.NoError(t, jsonUnmarshal(data, &snap))
		for _, p := range snap.Processes {
			if p.Namespec == ns {
				return p.StateName
			}
		}
		return ""
	}
	name, data := sseEvent(t, r)
	assert.Equal(t, "processes", name)
	assert.Equal(t, "RUNNING", stateOf(data, "sleeper"))

	noWait, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, e.proc(t, "sleeper").Stop(noWait), context.Canceled)
	for stateOf(data, "sleeper") != "STOPPED" {
		name, data = sseEvent(t, r)
		assert.Equal(t, "processes", name)
	}
	cancel()
	require.Eventually(t, func() bool { return e.inflight.Load() == 0 }, waitLong, 10*time.Millisecond,
		"the stream's handler outlived its client")
}

func TestEventStreamHeartbeat(t *testing.T) {
	e := startEnv(t, fleet(), withHeartbeat(50*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+"/api/events", nil)
	require.NoError(t, err)
	res, err := e.client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	r := bufio.NewReader(res.Body)
	for range 3 {
		name, _ := sseEvent(t, r)
		assert.Equal(t, "processes", name)
	}
}

// TestEventStreamEndsWithSupervisor: when Serve returns, the stream sends
// a last snapshot and ends.
func TestEventStreamEndsWithSupervisor(t *testing.T) {
	sup := supervisor.New()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- sup.Serve(ctx) }()
	<-sup.Ready()
	b := &backend{sup: sup}
	b.setState(rpcapi.StateRunning)
	srv := httptestServer(t, New(b))
	res, err := http.Get(srv + "/api/events")
	require.NoError(t, err)
	defer res.Body.Close()
	r := bufio.NewReader(res.Body)
	sseEvent(t, r)
	cancel()
	require.NoError(t, <-served)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := r.ReadString('\n'); err != nil {
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(waitLong):
		t.Fatal("the stream did not end with the supervisor")
	}
}

// TestStalledClientDoesNotStallSupervision: a client that opens the stream
// and never reads holds up neither the supervisor nor other clients.
func TestStalledClientDoesNotStallSupervision(t *testing.T) {
	e := startEnv(t, fleet(), withHeartbeat(time.Millisecond))
	var conns []net.Conn
	for range 4 {
		c, err := net.Dial("tcp", e.host())
		require.NoError(t, err)
		require.NoError(t, c.(*net.TCPConn).SetReadBuffer(1024))
		conns = append(conns, c)
		_, err = fmt.Fprintf(c, "GET /api/events HTTP/1.1\r\nHost: %s\r\n\r\n", e.host())
		require.NoError(t, err)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// With a 1 ms heartbeat the streams soon fill their sockets and block
	// in Write; state changes keep coming meanwhile.
	time.Sleep(300 * time.Millisecond)
	var wg sync.WaitGroup
	start := time.Now()
	for _, name := range []string{"sleeper", "grp:a", "grp:b"} {
		wg.Go(func() {
			for range 10 {
				p := e.proc(t, name)
				assert.NoError(t, p.Stop(context.Background()))
				assert.NoError(t, p.Start(context.Background()))
			}
		})
	}
	wg.Wait()
	assert.Less(t, time.Since(start), waitLong)
	// Other clients are served as usual.
	res, _ := e.get(t, "/api/processes")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	// Once the stalled clients go, so do their handlers.
	for _, c := range conns {
		c.Close()
	}
	require.Eventually(t, func() bool { return e.inflight.Load() == 0 }, waitLong, 10*time.Millisecond)
}

// httptestServer serves h until the test ends and returns its URL.
func httptestServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	})
	return srv.URL
}

func TestPyQuote(t *testing.T) {
	for in, want := range map[string]string{
		"Process trapper stopped":       "Process%20trapper%20stopped",
		"grp:a":                         "grp%3Aa",
		"a/b_c.d-e~f":                   "a/b_c.d-e~f",
		"é<>&\"'%+?#=":                  "%C3%A9%3C%3E%26%22%27%25%2B%3F%23%3D",
		"ERROR: Process x: spawn error": "ERROR%3A%20Process%20x%3A%20spawn%20error",
		"unexpected rpc fault [70] NOT_RUNNING: x": "unexpected%20rpc%20fault%20%5B70%5D%20NOT_RUNNING%3A%20x",
	} {
		assert.Equal(t, want, pyQuote(in), in)
	}
}

func TestCtime(t *testing.T) {
	assert.Equal(t, "Tue Nov 24 00:49:05 2026", ctime(time.Date(2026, 11, 24, 0, 49, 5, 0, time.UTC)))
	assert.Equal(t, "Sun Nov  1 13:02:03 2026", ctime(time.Date(2026, 11, 1, 13, 2, 3, 0, time.UTC)))
}

func TestDigits(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "12": 12, "99999999999999999999999": 1 << 62} {
		n, ok := digits(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, n, in)
	}
	for _, in := range []string{"", "-1", "1.5", " 1", "１"} {
		_, ok := digits(in)
		assert.False(t, ok, in)
	}
}

// wrappedWriter is a ResponseWriter of some middleware that hides Flush but
// lets http.ResponseController reach the real one.
type wrappedWriter struct{ w http.ResponseWriter }

func (w wrappedWriter) Header() http.Header         { return w.w.Header() }
func (w wrappedWriter) Write(b []byte) (int, error) { return w.w.Write(b) }
func (w wrappedWriter) WriteHeader(code int)        { w.w.WriteHeader(code) }
func (w wrappedWriter) Unwrap() http.ResponseWriter { return w.w }

// opaqueWriter hides everything but the three methods.
type opaqueWriter struct{ w http.ResponseWriter }

func (w opaqueWriter) Header() http.Header         { return w.w.Header() }
func (w opaqueWriter) Write(b []byte) (int, error) { return w.w.Write(b) }
func (w opaqueWriter) WriteHeader(code int)        { w.w.WriteHeader(code) }

// TestEventStreamBehindMiddleware: the stream flushes through a middleware
// that wraps the ResponseWriter, and degrades to one snapshot per request
// behind one that cannot flush.
func TestEventStreamBehindMiddleware(t *testing.T) {
	e := startEnv(t, fleet())
	h := New(e.b)
	wrapped := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(wrappedWriter{w}, r)
	}))
	opaque := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(opaqueWriter{w}, r)
	}))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, wrapped+"/api/events", nil)
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	name, _ := sseEvent(t, bufio.NewReader(res.Body))
	assert.Equal(t, "processes", name, "the first snapshot arrives while the stream stays open")

	res2, err := http.Get(opaque + "/api/events")
	require.NoError(t, err)
	body, err := io.ReadAll(res2.Body) // ends
	res2.Body.Close()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(body), "retry: 2000\nevent: processes\ndata: {"), string(body))
	assert.Equal(t, 1, strings.Count(string(body), "event: "))
}
