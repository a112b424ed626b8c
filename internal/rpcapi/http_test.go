package rpcapi

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// server serves the API over HTTP on a loopback port for one test.
type server struct {
	t      *testing.T
	e      *env
	url    string
	addr   string
	client *http.Client
	srv    *http.Server
	active atomic.Int32 // requests being handled
	served chan string  // path of each request once answered
}

func (e *env) serve(opts HandlerOptions) *server {
	t := e.t
	l, err := ListenInet("127.0.0.1", 0)
	require.NoError(t, err)
	s := &server{t: t, e: e, addr: l.Addr().String(), served: make(chan string, 100)}
	s.url = "http://" + s.addr
	h := e.api.Handler(opts)
	s.srv = NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.active.Add(1)
		defer func() {
			s.active.Add(-1)
			select {
			case s.served <- r.URL.Path:
			default:
			}
		}()
		h.ServeHTTP(w, r)
	}), nil)
	go func() { _ = s.srv.Serve(l) }()
	tr := &http.Transport{DisableCompression: true}
	s.client = &http.Client{Transport: tr, Timeout: waitLong}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		defer cancel()
		assert.NoError(t, s.srv.Shutdown(ctx))
		_ = s.srv.Close()
	})
	return s
}

// post sends body to /RPC2.
func (s *server) post(body string, hdr ...string) *http.Response {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+"/RPC2", strings.NewReader(body))
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "text/xml")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := s.client.Do(req)
	require.NoError(s.t, err)
	return resp
}

// rpc calls method over HTTP and returns the decoded answer or fault.
func (s *server) rpc(method string, args ...any) (any, error) {
	s.t.Helper()
	var buf strings.Builder
	require.NoError(s.t, xmlrpc.EncodeRequest(&buf, method, args...))
	resp := s.post(buf.String())
	defer resp.Body.Close()
	require.Equal(s.t, 200, resp.StatusCode)
	require.Equal(s.t, "text/xml", resp.Header.Get("Content-Type"))
	return xmlrpc.ParseResponse(resp.Body)
}

func readAll(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func TestHTTPResponsesMatchSupervisord(t *testing.T) {
	e := newEnv(t)
	s := e.serve(HandlerOptions{})
	resp := s.post(`<?xml version="1.0"?><methodCall><methodName>supervisor.getState</methodName></methodCall>`)
	assert.Equal(t, "text/xml", resp.Header.Get("Content-Type"))
	assert.Equal(t, "279", resp.Header.Get("Content-Length"))
	assert.Equal(t, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n"+
		"<name>statecode</name>\n<value><int>1</int></value>\n</member>\n<member>\n<name>statename</name>\n"+
		"<value><string>RUNNING</string></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n",
		readAll(t, resp))

	resp = s.post(`<?xml version="1.0"?><methodCall><methodName>supervisor.getProcessInfo</methodName><params><param><value>nope</value></param></params></methodCall>`)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n"+
		"<name>faultCode</name>\n<value><int>10</int></value>\n</member>\n<member>\n<name>faultString</name>\n"+
		"<value><string>BAD_NAME: nope</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n",
		readAll(t, resp))

	// Any path that starts with /RPC2.
	resp = s.post("")
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/RPC2/x?y=1", strings.NewReader(`<methodCall><methodName>supervisor.getPID</methodName></methodCall>`))
	resp, err := s.client.Do(req)
	require.NoError(t, err)
	assert.Contains(t, readAll(t, resp), fmt.Sprintf("<int>%d</int>", os.Getpid()))
}

func TestHTTPBadInput(t *testing.T) {
	e := newEnv(t, sleeper("sleeper"))
	s := e.serve(HandlerOptions{MaxBodyBytes: 1 << 20})

	nested := strings.Repeat("<value><array><data>", 10000) + strings.Repeat("</data></array></value>", 10000)
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` +
		`<methodCall><methodName>&lol3;</methodName></methodCall>`
	call := func(method, params string) string {
		return `<?xml version="1.0"?><methodCall><methodName>` + method + `</methodName><params>` + params + `</params></methodCall>`
	}
	tests := []struct {
		name   string
		method string
		body   string
		status int
		fault  string // for 200
	}{
		{"GET", http.MethodGet, "", 400, ""},
		{"PUT", http.MethodPut, call("supervisor.getPID", ""), 400, ""},
		{"empty body", http.MethodPost, "", 400, ""},
		{"truncated", http.MethodPost, call("supervisor.getPID", "")[:60], 400, ""},
		{"not XML", http.MethodPost, "hello, world", 400, ""},
		{"binary", http.MethodPost, "\x00\x01\x02\xff\xfe", 400, ""},
		{"not a call", http.MethodPost, `<?xml version="1.0"?><methodResponse/>`, 400, ""},
		{"no method name", http.MethodPost, `<methodCall><params/></methodCall>`, 400, ""},
		{"empty method name", http.MethodPost, `<methodCall><methodName></methodName></methodCall>`, 400, ""},
		{"entity expansion", http.MethodPost, laughs, 400, ""},
		{"deeply nested", http.MethodPost, call("supervisor.getPID", "<param>"+nested+"</param>"), 400, ""},
		{"unknown value type", http.MethodPost, call("supervisor.getPID", "<param><value><nil/></value></param>"), 400, ""},
		{"trailing garbage", http.MethodPost, call("supervisor.getPID", "") + "<x/>", 400, ""},
		{"huge", http.MethodPost, call("supervisor.getProcessInfo", "<param><value>"+strings.Repeat("a", 2<<20)+"</value></param>"), 413, ""},
		{"unknown method", http.MethodPost, call("supervisor.nope", ""), 200, "UNKNOWN_METHOD"},
		{"traversal", http.MethodPost, call("supervisor.__init__.x", ""), 200, "UNKNOWN_METHOD"},
		{"wrong count", http.MethodPost, call("supervisor.getProcessInfo", ""), 200, "INCORRECT_PARAMETERS"},
		{"wrong type", http.MethodPost, call("supervisor.getProcessInfo", "<param><value><int>5</int></value></param>"), 200, "INCORRECT_PARAMETERS"},
		{"wrong type struct", http.MethodPost, call("supervisor.readLog", "<param><value><struct/></value></param><param><value><int>5</int></value></param>"), 200, "INCORRECT_PARAMETERS"},
		{"bad arguments", http.MethodPost, call("supervisor.readProcessStdoutLog", "<param><value>sleeper</value></param><param><value><int>-10</int></value></param><param><value><int>5</int></value></param>"), 200, "BAD_ARGUMENTS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, s.url+"/RPC2", strings.NewReader(tt.body))
			require.NoError(t, err)
			resp, err := s.client.Do(req)
			require.NoError(t, err)
			body := readAll(t, resp)
			require.Equal(t, tt.status, resp.StatusCode, body)
			if tt.status != 200 {
				assert.Contains(t, body, fmt.Sprintf("Error code %d.", tt.status))
				return
			}
			_, err = xmlrpc.ParseResponse(strings.NewReader(body))
			var f *xmlrpc.Fault
			require.ErrorAs(t, err, &f)
			assert.Equal(t, tt.fault, f.String)
		})
	}

	t.Run("chunked", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, s.url+"/RPC2", io.MultiReader(strings.NewReader(call("supervisor.getPID", ""))))
		require.NoError(t, err)
		req.ContentLength = -1 // sent chunked, without Content-Length
		resp, err := s.client.Do(req)
		require.NoError(t, err)
		readAll(t, resp)
		assert.Equal(t, 411, resp.StatusCode)
	})
	t.Run("declared too big", func(t *testing.T) {
		conn, err := net.Dial("tcp", s.addr)
		require.NoError(t, err)
		defer conn.Close()
		fmt.Fprintf(conn, "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n<methodCall>", 100<<20)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		readAll(t, resp)
		assert.Equal(t, 413, resp.StatusCode)
	})

	// After all that, the server still answers.
	v, err := s.rpc("supervisor.getPID")
	require.NoError(t, err)
	assert.Equal(t, os.Getpid(), v)
}

// A client that sends half a request holds only its own connection: others
// are answered meanwhile, and it is dropped once BodyTimeout passes.
func TestHTTPSlowClient(t *testing.T) {
	e := newEnv(t)
	s := e.serve(HandlerOptions{BodyTimeout: 500 * time.Millisecond})

	conn, err := net.Dial("tcp", s.addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n<methodCall><methodName>")
	require.NoError(t, err)

	begin := time.Now()
	for range 5 {
		v, err := s.rpc("supervisor.getState")
		require.NoError(t, err)
		assert.Equal(t, 1, v.(map[string]any)["statecode"])
	}
	assert.Less(t, time.Since(begin), 400*time.Millisecond, "other clients must not wait for the slow one")

	require.NoError(t, conn.SetReadDeadline(time.Now().Add(waitLong)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	readAll(t, resp)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Less(t, time.Since(begin), 5*time.Second)
}

// A call that waits long is not cut by the body deadline, and a client
// that goes away ends the wait.
func TestHTTPLongCall(t *testing.T) {
	slow := sleeper("slow")
	slow.StartSecs = 1500 * time.Millisecond
	slow.NoAutostart = true
	e := newEnv(t, slow)
	s := e.serve(HandlerOptions{BodyTimeout: 300 * time.Millisecond})
	begin := time.Now()
	v, err := s.rpc("supervisor.startProcess", "slow", true)
	require.NoError(t, err)
	assert.Equal(t, true, v)
	assert.GreaterOrEqual(t, time.Since(begin), time.Second)
}

func TestHTTPAuth(t *testing.T) { // check 44
	e := newEnv(t, sleeper("sleeper"))
	var fallback atomic.Int32
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fallback.Add(1)
		_, _ = io.WriteString(w, "web ui")
	})
	plain := e.serve(HandlerOptions{Username: "user", Password: "pass", Fallback: ui})
	sum := sha1.Sum([]byte("secret"))
	hashed := e.serve(HandlerOptions{Username: "user", Password: "{SHA}" + hex.EncodeToString(sum[:])})

	basic := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	body := `<methodCall><methodName>supervisor.getPID</methodName></methodCall>`
	tests := []struct {
		name   string
		s      *server
		auth   string
		status int
	}{
		{"none", plain, "", 401},
		{"right", plain, basic("user:pass"), 200},
		{"scheme in lower case", plain, "basic " + base64.StdEncoding.EncodeToString([]byte("user:pass")), 200},
		{"wrong password", plain, basic("user:nope"), 401},
		{"wrong user", plain, basic("resu:pass"), 401},
		{"prefix of the password", plain, basic("user:pas"), 401},
		{"empty password", plain, basic("user:"), 401},
		{"no colon", plain, basic("userpass"), 401},
		{"bad base64", plain, "Basic !!!notbase64", 401},
		{"no credentials", plain, "Basic", 401},
		{"other scheme", plain, "Bearer " + base64.StdEncoding.EncodeToString([]byte("user:pass")), 401},
		{"digest", plain, `Digest username="user"`, 401},
		{"SHA: the password", hashed, basic("user:secret"), 200},
		{"SHA: the hash itself", hashed, basic("user:" + hex.EncodeToString(sum[:])), 401},
		{"SHA: wrong", hashed, basic("user:Secret"), 401},
		{"SHA: none", hashed, "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.auth != "" {
				hdr = []string{"Authorization", tt.auth}
			}
			resp := tt.s.post(body, hdr...)
			text := readAll(t, resp)
			require.Equal(t, tt.status, resp.StatusCode)
			if tt.status == 401 {
				assert.Equal(t, `Basic realm="default"`, resp.Header.Get("WWW-Authenticate"))
				assert.True(t, resp.Close, "Connection: close")
				assert.Contains(t, text, "Error code 401.")
			} else {
				assert.Contains(t, text, strconv.Itoa(os.Getpid()))
			}
		})
	}

	// Every path is behind the same check.
	for _, path := range []string{"/logtail/sleeper", "/mainlogtail", "/", "/index.html", "/stylesheets/supervisor.css"} {
		resp, err := plain.client.Get(plain.url + path)
		require.NoError(t, err)
		readAll(t, resp)
		assert.Equal(t, 401, resp.StatusCode, path)
	}
	assert.Zero(t, fallback.Load())
	req, _ := http.NewRequest(http.MethodGet, plain.url+"/index.html", nil)
	req.SetBasicAuth("user", "pass")
	resp, err := plain.client.Do(req)
	require.NoError(t, err)
	assert.Equal(t, "web ui", readAll(t, resp))
	assert.Equal(t, int32(1), fallback.Load())
}

func TestHTTPNoFallback(t *testing.T) {
	e := newEnv(t)
	s := e.serve(HandlerOptions{})
	resp, err := s.client.Get(s.url + "/index.html")
	require.NoError(t, err)
	readAll(t, resp)
	assert.Equal(t, 404, resp.StatusCode)
}

// stream reads a response body in the background.
type stream struct {
	t    *testing.T
	resp *http.Response
	got  strings.Builder
	c    chan string
}

func (s *server) stream(path string) *stream {
	s.t.Helper()
	resp, err := s.client.Get(s.url + path)
	require.NoError(s.t, err)
	require.Equal(s.t, 200, resp.StatusCode)
	st := &stream{t: s.t, resp: resp, c: make(chan string, 100)}
	go func() {
		defer close(st.c)
		buf := make([]byte, 64<<10)
		for {
			n, err := resp.Body.Read(buf)
			if n > 0 {
				st.c <- string(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	s.t.Cleanup(func() { resp.Body.Close() })
	return st
}

// expect waits until the stream has delivered exactly want since the last
// call.
func (st *stream) expect(want string) {
	st.t.Helper()
	deadline := time.After(waitLong)
	for st.got.Len() < len(want) {
		select {
		case s, ok := <-st.c:
			require.True(st.t, ok, "stream ended; got %q, want %q", st.got.String(), want)
			st.got.WriteString(s)
		case <-deadline:
			st.t.Fatalf("got %q, want %q", st.got.String(), want)
		}
	}
	require.Equal(st.t, want, st.got.String())
	st.got.Reset()
}

func (st *stream) close() {
	st.resp.Body.Close()
	for range st.c {
	}
}

func appendFile(t testing.TB, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	require.NoError(t, err)
	_, err = f.WriteString(data)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func TestLogtail(t *testing.T) { // check 45
	dir := t.TempDir()
	a := sleeper("a")
	a.Stdout.File = filepath.Join(dir, "a.log")
	missing := sleeper("missing")
	missing.Stdout.File = filepath.Join(dir, "missing.log") // never written
	e := newEnv(t, a, missing, grp())
	s := e.serve(HandlerOptions{TailInterval: 50 * time.Millisecond})

	var head strings.Builder
	for i := 0; head.Len() < 2000; i++ {
		fmt.Fprintf(&head, "line %d\n", i)
	}
	appendFile(t, a.Stdout.File, head.String())

	st := s.stream("/logtail/a")
	assert.Equal(t, "text/plain;charset=utf-8", st.resp.Header.Get("Content-Type"))
	assert.Equal(t, "no", st.resp.Header.Get("X-Accel-Buffering"))
	assert.NotEmpty(t, st.resp.Header.Get("Last-Modified"))
	assert.Equal(t, []string{"chunked"}, st.resp.TransferEncoding)
	assert.Equal(t, int64(-1), st.resp.ContentLength)
	st.expect(head.String()[head.Len()-1024:])

	appendFile(t, a.Stdout.File, "more\n")
	st.expect("more\n")

	// Truncation.
	require.NoError(t, os.Truncate(a.Stdout.File, 0))
	appendFile(t, a.Stdout.File, "after\n")
	st.expect("==> File truncated <==\nafter\n")

	// Rotation: a new file at the path is followed from its start.
	require.NoError(t, os.Rename(a.Stdout.File, a.Stdout.File+".1"))
	appendFile(t, a.Stdout.File+".1", "old\n")
	st.expect("old\n") // still the old file until a new one appears
	appendFile(t, a.Stdout.File, "new file\n")
	st.expect("new file\n")
	appendFile(t, a.Stdout.File, "and more\n")
	st.expect("and more\n")

	// The client goes away: the handler returns.
	st.close()
	require.Eventually(t, func() bool { return s.active.Load() == 0 }, waitLong, 10*time.Millisecond)

	// The other channel, by full name; an empty file sends nothing yet.
	st = s.stream("/logtail/grp:multi_00/stderr")
	path := e.info("grp:multi_00").StderrLogfile
	appendFile(t, path, "to stderr\n")
	st.expect("to stderr\n")
	st.close()

	// The main log.
	st = s.stream("/mainlogtail")
	content, err := os.ReadFile(e.b.mainLog)
	require.NoError(t, err)
	st.expect(string(content))
	appendFile(t, e.b.mainLog, "2026-11-24 00:48:13,000 INFO next\n")
	st.expect("2026-11-24 00:48:13,000 INFO next\n")
	st.close()

	for _, path := range []string{"/logtail/nope", "/logtail/a/bogus", "/logtail/grp:*", "/logtail/grp:", "/logtail/grp",
		"/logtail/grp:multi_00", "/logtail/missing", "/logtail", "/logtail/", "/logtail/a:a:a"} {
		resp, err := s.client.Get(s.url + path)
		require.NoError(t, err)
		readAll(t, resp)
		assert.Equal(t, 404, resp.StatusCode, path)
	}
	resp, err := s.client.Post(s.url+"/logtail/a", "text/plain", strings.NewReader(""))
	require.NoError(t, err)
	readAll(t, resp)
	assert.Equal(t, 400, resp.StatusCode)

	e.b.mainLog = ""
	resp, err = s.client.Get(s.url + "/mainlogtail")
	require.NoError(t, err)
	readAll(t, resp)
	assert.Equal(t, 404, resp.StatusCode)
}

// Shutdown ends the streams at once rather than waiting for their clients.
func TestLogtailEndsOnShutdown(t *testing.T) {
	e := newEnv(t)
	s := e.serve(HandlerOptions{})
	st := s.stream("/mainlogtail")
	content, err := os.ReadFile(e.b.mainLog)
	require.NoError(t, err)
	st.expect(string(content))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	begin := time.Now()
	require.NoError(t, s.srv.Shutdown(ctx))
	assert.Less(t, time.Since(begin), 3*time.Second)
	for range st.c {
	}
}

// A client that stops reading a stream is dropped after WriteTimeout,
// even while the file keeps growing.
func TestLogtailStalledReader(t *testing.T) {
	e := newEnv(t)
	s := e.serve(HandlerOptions{WriteTimeout: 300 * time.Millisecond, TailInterval: 20 * time.Millisecond})
	conn, err := net.Dial("tcp", s.addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.(*net.TCPConn).SetReadBuffer(4096))
	_, err = io.WriteString(conn, "GET /mainlogtail HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return s.active.Load() == 1 }, waitLong, 5*time.Millisecond)

	chunk := strings.Repeat("x", 1<<20)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 64 && s.active.Load() == 1; i++ {
			appendFile(t, e.b.mainLog, chunk)
			time.Sleep(20 * time.Millisecond)
		}
	}()
	require.Eventually(t, func() bool { return s.active.Load() == 0 }, waitLong, 10*time.Millisecond)
	<-done
}

func TestListenUnix(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "supervisor.sock")

	uid, gid := -1, -1
	if os.Geteuid() == 0 {
		uid, gid = 65534, 65534
	}
	l, err := ListenUnix(UnixSocket{Path: path, Mode: 0o660, UID: uid, GID: gid})
	require.NoError(t, err)
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.ModeSocket|0o660, st.Mode()&(os.ModeSocket|os.ModePerm))
	if uid != -1 {
		assert.Equal(t, uint32(uid), st.Sys().(*syscall.Stat_t).Uid)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "the temporary name is gone")

	// Someone answers there: refused.
	_, err = ListenUnix(UnixSocket{Path: path, UID: -1, GID: -1})
	assert.ErrorIs(t, err, ErrAddressInUse)
	assert.Equal(t, "Another program is already listening on a port that one of our HTTP servers is configured to use.  Shut this program down first before starting supervisord.", err.Error())

	// Serve the API on it.
	e := newEnv(t)
	srv := NewServer(e.api.Handler(HandlerOptions{}), nil)
	go func() { _ = srv.Serve(l) }()
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", path)
	}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Post("http://localhost/RPC2", "text/xml",
		strings.NewReader(`<methodCall><methodName>supervisor.getIdentification</methodName></methodCall>`))
	require.NoError(t, err)
	assert.Contains(t, readAll(t, resp), "testid")
	tr.CloseIdleConnections()
	require.NoError(t, srv.Shutdown(context.Background()))
	_, err = os.Lstat(path)
	assert.ErrorIs(t, err, os.ErrNotExist, "Close removes the socket file")

	// A stale socket file is removed.
	stale, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	require.NoError(t, err)
	stale.SetUnlinkOnClose(false)
	require.NoError(t, stale.Close())
	var unlinked string
	l, err = ListenUnix(UnixSocket{Path: path, UID: -1, GID: -1, OnStale: func(p string) { unlinked = p }})
	require.NoError(t, err)
	assert.Equal(t, path, unlinked)
	st, err = os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), st.Mode().Perm())

	// A socket that replaced ours is left alone by Close.
	require.NoError(t, os.Remove(path))
	other, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	require.NoError(t, err)
	require.NoError(t, l.Close())
	_, err = os.Lstat(path)
	assert.NoError(t, err)
	require.NoError(t, other.Close())
}

func TestListenInet(t *testing.T) {
	l, err := ListenInet("127.0.0.1", 0)
	require.NoError(t, err)
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	_, err = ListenInet("127.0.0.1", port)
	assert.ErrorIs(t, err, ErrAddressInUse)
	_, err = ListenInet("no-such-host.invalid", 1)
	assert.Error(t, err)
}
