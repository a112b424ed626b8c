package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/supervise-go/supervisor"
)

// evilName is a process name that is HTML: process names cannot hold
// spaces, ':' or '/', but tabs, quotes and angle brackets are fine.
const evilName = "<img\tsrc=x\tonerror=alert(1)>\"'&"

// evilOutput is what the "echo" program writes to its log.
const evilOutput = "hello <script>alert(1)</script> & bye\n"

// fleet is the set of programs most tests run.
func fleet() []supervisor.ProgramSpec {
	sleeper := program("sleeper", "/bin/sleep 1000")
	echo := program("echo", `/bin/sh -c "printf '%%s\n' '`+strings.TrimSuffix(evilOutput, "\n")+`'; exec /bin/sleep 1000"`)
	evil := program("evil", "/bin/sleep 1000")
	evil.ProcessName = evilName
	a := program("a", "/bin/sleep 1000")
	a.Group = "grp"
	b := program("b", "/bin/sleep 1000")
	b.Group = "grp"
	idle := program("idle", "/bin/sleep 1000")
	idle.NoAutostart = true
	nofile := program("nofile", "/nonexistent/command")
	nofile.NoAutostart = true
	quick := program("quick", "/bin/sh -c \"exit 1\"")
	quick.NoAutostart = true
	quick.StartSecs = time.Second
	quick.StartRetries = -1
	nolog := program("nolog", "/bin/sleep 1000")
	nolog.Stdout.File = ""
	nolog.NoAutostart = true
	return []supervisor.ProgramSpec{sleeper, echo, evil, a, b, idle, nofile, quick, nolog}
}

func TestIndexPage(t *testing.T) {
	e := startEnv(t, fleet())
	for _, path := range []string{"/", "/index.html"} {
		res, body := e.get(t, path)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		// supervisord's headers.
		assert.Equal(t, "text/html;charset=utf-8", res.Header.Get("Content-Type"))
		assert.Equal(t, "no-cache", res.Header.Get("Pragma"))
		assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"))
		assert.Equal(t, "Thu, 01 Jan 1970 00:00:00 GMT", res.Header.Get("Expires"))
		assertStrictCSP(t, res)

		assert.Contains(t, body, "<title>Supervisor Status</title>")
		// One row per process, sorted by group then name, with its state
		// in supervisord's class and its tail link with the namespec quoted.
		assert.Contains(t, body, `<a href="tail.html?processname=grp%3Aa">grp:a</a>`)
		assert.Contains(t, body, `<span class="statusrunning badge st-running">running</span>`)
		assert.Contains(t, body, `<span class="statusnominal badge st-stopped">stopped</span>`)
		order := regexp.MustCompile(`data-namespec="([^"]*)"`).FindAllStringSubmatch(body, -1)
		var names []string
		for _, m := range order {
			names = append(names, m[1])
		}
		assert.Equal(t, []string{"echo", "evil:&lt;img\tsrc=x\tonerror=alert(1)&gt;&#34;&#39;&amp;", "grp:a", "grp:b", "idle", "nofile", "nolog", "quick", "sleeper"}, names)
		// Buttons by state: a RUNNING process restarts and stops, a STOPPED one starts.
		assert.Regexp(t, `value="restart" aria-label="Restart sleeper"`, body)
		assert.Regexp(t, `value="stop" aria-label="Stop sleeper"`, body)
		assert.Regexp(t, `value="start" aria-label="Start idle"`, body)
		assert.NotRegexp(t, `value="start" aria-label="Start sleeper"`, body)
		// The group is shown as a group, with its actions.
		assert.Contains(t, body, `<tbody class="group" data-group="grp">`)
		assert.Contains(t, body, `<span class="gname">grp</span> <span class="gcount">2 processes</span>`)
		assert.Contains(t, body, `<p id="empty" class="empty" hidden>No programs to manage</p>`)
		assert.Contains(t, body, "supervisord "+Version+" compatible")
		assert.Contains(t, body, `<script src="static/app.js" defer></script>`)
		assert.NotContains(t, body, "<script>", "no inline script")
	}
	res, body := e.do(t, http.MethodHead, "/", "")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Empty(t, body)
}

func TestIndexWithoutPrograms(t *testing.T) {
	e := startEnv(t, nil)
	res, body := e.get(t, "/")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body, `<p id="empty" class="empty">No programs to manage</p>`)
}

// assertStrictCSP checks the headers that keep injected markup inert.
func assertStrictCSP(t *testing.T, res *http.Response) {
	t.Helper()
	csp := res.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'none'")
	assert.Contains(t, csp, "script-src 'self'")
	assert.Contains(t, csp, "frame-ancestors 'none'")
	assert.NotContains(t, csp, "unsafe")
	assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "DENY", res.Header.Get("X-Frame-Options"))
}

// TestLegacyActionRedirects pins supervisord's answers to its action URLs:
// 301 to http://<Host>/?message=<quoted message> once the action is done.
func TestLegacyActionRedirects(t *testing.T) {
	e := startEnv(t, fleet())
	e.waitState(t, "sleeper", supervisor.Running)
	cases := []struct {
		query   string
		message string // as Python's urllib.parse.quote writes it
		after   map[string]supervisor.State
	}{
		// check 46
		{"processname=sleeper&action=stop", "Process%20sleeper%20stopped", map[string]supervisor.State{"sleeper": supervisor.Stopped}},
		{"processname=sleeper&action=stop", "unexpected%20rpc%20fault%20%5B70%5D%20NOT_RUNNING%3A%20sleeper", nil},
		{"processname=sleeper&action=start", "Process%20sleeper%20started", map[string]supervisor.State{"sleeper": supervisor.Running}},
		{"processname=sleeper&action=start", "ERROR%3A%20Process%20sleeper%3A%20already%20started", nil},
		{"processname=sleeper&action=restart", "Process%20sleeper%20restarted", map[string]supervisor.State{"sleeper": supervisor.Running}},
		{"processname=sleeper&action=clearlog", "Log%20for%20sleeper%20cleared", nil},
		{"processname=grp%3Aa&action=stop", "Process%20grp%3Aa%20stopped", map[string]supervisor.State{"grp:a": supervisor.Stopped, "grp:b": supervisor.Running}},
		{"processname=idle&action=restart", "Process%20idle%20restarted", map[string]supervisor.State{"idle": supervisor.Running}},
		{"processname=nosuch&action=stop", "No%20such%20process%20named%20nosuch", nil},
		{"processname=grp%3A%2A&action=stop", "No%20such%20process%20named%20grp%3A%2A", map[string]supervisor.State{"grp:b": supervisor.Running}},
		{"processname=all&action=stop", "No%20such%20process%20named%20all", map[string]supervisor.State{"sleeper": supervisor.Running}},
		{"processname=nofile&action=start", "ERROR%3A%20Process%20nofile%3A%20no%20such%20file", nil},
		{"processname=quick&action=start", "ERROR%3A%20Process%20quick%3A%20spawn%20error", nil},
		{"processname=nofile&action=restart", "Process%20nofile%20restarted", nil}, // supervisord hides the failure
	}
	for _, c := range cases {
		res, body := e.get(t, "/index.html?"+c.query)
		require.Equal(t, http.StatusMovedPermanently, res.StatusCode, c.query)
		assert.Equal(t, "http://"+e.host()+"/?message="+c.message, res.Header.Get("Location"), c.query)
		assert.Equal(t, "no-store", res.Header.Get("Cache-Control"), "a cached 301 would skip the next click")
		assert.Contains(t, body, "Continue")
		for name, want := range c.after {
			assert.Equal(t, want, e.state(t, name), "%s after %s", name, c.query)
		}
	}

	// All at once; the messages carry the time as time.ctime() does.
	ctimeRE := `[A-Z][a-z]{2}%20[A-Z][a-z]{2}%20[%0-9]{2,4}%20\d\d%3A\d\d%3A\d\d%20\d{4}$`
	for _, c := range []struct{ action, prefix string }{
		{"refresh", "Page%20refreshed%20at%20"},
		{"stopall", "All%20stopped%20at%20"},
		{"restartall", "All%20restarted%20at%20"},
	} {
		res, _ := e.get(t, "/index.html?action="+c.action)
		require.Equal(t, http.StatusMovedPermanently, res.StatusCode, c.action)
		assert.Regexp(t, "^http://"+regexp.QuoteMeta(e.host())+"/\\?message="+c.prefix+ctimeRE, res.Header.Get("Location"))
		if c.action == "stopall" {
			for _, p := range e.sup.Processes() {
				assert.True(t, p.State().IsStopped(), "%s is %s after stopall", p, p.State())
			}
		}
	}
	assert.Equal(t, supervisor.Running, e.state(t, "sleeper"), "after restartall")
	assert.Equal(t, supervisor.Running, e.state(t, "idle"), "restartall starts every process")

	// What cannot be done is the client's error, where supervisord answers
	// 500.
	for _, q := range []string{"action=dance", "processname=sleeper&action=dance", "action=start", "processname=x&action=UNKNOWN"} {
		res, body := e.get(t, "/index.html?"+q)
		assert.Equal(t, http.StatusBadRequest, res.StatusCode, q)
		assert.Contains(t, body, "400 Bad Request: unknown action ", q)
	}
	// An empty action is no action.
	res, body := e.get(t, "/?action=&processname=sleeper")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body, "Supervisor Status")
}

// TestLegacyPostForm: supervisord takes the same parameters from a posted
// form, which is also what the page's buttons send without JavaScript.
func TestLegacyPostForm(t *testing.T) {
	e := startEnv(t, fleet())
	e.waitState(t, "sleeper", supervisor.Running)
	res, _ := e.post(t, "/index.html", "processname=sleeper&action=stop")
	require.Equal(t, http.StatusMovedPermanently, res.StatusCode)
	assert.Equal(t, "http://"+e.host()+"/?message=Process%20sleeper%20stopped", res.Header.Get("Location"))
	assert.Equal(t, supervisor.Stopped, e.state(t, "sleeper"))

	// The browser's own same-origin form post.
	res, _ = e.post(t, "/", "processname=sleeper&action=start", "Origin", e.srv.URL, "Sec-Fetch-Site", "same-origin")
	require.Equal(t, http.StatusMovedPermanently, res.StatusCode)
	assert.Equal(t, "http://"+e.host()+"/?message=Process%20sleeper%20started", res.Header.Get("Location"))

	// A group button (an extension).
	res, _ = e.post(t, "/", "group=grp&action=stop")
	require.Equal(t, http.StatusMovedPermanently, res.StatusCode)
	assert.Equal(t, "http://"+e.host()+"/?message=Group%20grp%20stopped", res.Header.Get("Location"))
	assert.Equal(t, supervisor.Stopped, e.state(t, "grp:a"))
	assert.Equal(t, supervisor.Stopped, e.state(t, "grp:b"))
}

// TestCrossSiteRequestsRefused: another site cannot make a logged-in
// browser act, neither by posting a form nor through a legacy GET link.
func TestCrossSiteRequestsRefused(t *testing.T) {
	e := startEnv(t, fleet())
	e.waitState(t, "sleeper", supervisor.Running)
	cases := []struct {
		name, method, path, form string
		header                   []string
	}{
		{"post from another origin", "POST", "/index.html", "processname=sleeper&action=stop", []string{"Origin", "http://evil.example"}},
		{"post cross-site", "POST", "/index.html", "processname=sleeper&action=stop", []string{"Sec-Fetch-Site", "cross-site"}},
		{"api post cross-site", "POST", "/api/action", "processname=sleeper&action=stop", []string{"Sec-Fetch-Site", "same-site", "Accept", "application/json"}},
		{"api post from another origin", "POST", "/api/action", "processname=sleeper&action=stop", []string{"Origin", "http://evil.example"}},
		{"legacy get cross-site", "GET", "/index.html?processname=sleeper&action=stop", "", []string{"Sec-Fetch-Site", "cross-site"}},
		{"legacy get with a foreign referer", "GET", "/index.html?processname=sleeper&action=stop", "", []string{"Referer", "http://evil.example/page"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			header := c.header
			if c.method == "POST" {
				header = append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)
			}
			res, body := e.do(t, c.method, c.path, c.form, header...)
			assert.Equal(t, http.StatusForbidden, res.StatusCode, body)
			assert.Contains(t, body, "cross-origin request refused")
			assert.Equal(t, supervisor.Running, e.state(t, "sleeper"))
		})
	}
	// A bookmark, a typed URL or a link on the page itself still works.
	for _, site := range []string{"none", "same-origin"} {
		res, _ := e.get(t, "/index.html?processname=sleeper&action=clearlog", "Sec-Fetch-Site", site)
		assert.Equal(t, http.StatusMovedPermanently, res.StatusCode, site)
	}
	res, _ := e.get(t, "/index.html?processname=sleeper&action=clearlog", "Referer", e.srv.URL+"/")
	assert.Equal(t, http.StatusMovedPermanently, res.StatusCode)
}

func TestWithoutLegacyActions(t *testing.T) {
	e := startEnv(t, fleet(), WithoutLegacyActions())
	e.waitState(t, "sleeper", supervisor.Running)
	res, _ := e.get(t, "/index.html?processname=sleeper&action=stop")
	assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
	assert.Equal(t, "POST", res.Header.Get("Allow"))
	assert.Equal(t, supervisor.Running, e.state(t, "sleeper"))
	res, _ = e.get(t, "/index.html?action=refresh")
	assert.Equal(t, http.StatusMovedPermanently, res.StatusCode, "refresh changes nothing")
	res, _ = e.post(t, "/index.html", "processname=sleeper&action=stop")
	assert.Equal(t, http.StatusMovedPermanently, res.StatusCode)
	assert.Equal(t, supervisor.Stopped, e.state(t, "sleeper"))
}

func TestTrustedOrigin(t *testing.T) {
	e := startEnv(t, fleet(), WithTrustedOrigin("https://ops.example"))
	e.waitState(t, "sleeper", supervisor.Running)
	res, _ := e.post(t, "/api/action", "processname=sleeper&action=stop", "Origin", "https://ops.example", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Panics(t, func() { New(e.b, WithTrustedOrigin("not an origin")) })
}

// TestMessageEscaped: the message banner shows any text given in the URL as
// text.
func TestMessageEscaped(t *testing.T) {
	e := startEnv(t, nil)
	res, body := e.get(t, "/?message="+url.QueryEscape(`<script>alert(1)</script>`))
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body, `<div id="message" class="status_msg" role="status" aria-live="polite">&lt;script&gt;alert(1)&lt;/script&gt;</div>`)
	_, body = e.get(t, "/?message="+url.QueryEscape("ERROR: Process x: spawn error"))
	assert.Contains(t, body, `class="status_msg error"`)
	_, body = e.get(t, "/")
	assert.Contains(t, body, `<div id="message" class="status_msg" role="status" aria-live="polite" hidden></div>`)
}

// TestProcessNameEscaped: a process named with HTML is text everywhere.
func TestProcessNameEscaped(t *testing.T) {
	e := startEnv(t, fleet())
	ns := "evil:" + evilName
	e.waitState(t, ns, supervisor.Running)
	_, body := e.get(t, "/")
	assert.NotContains(t, body, "<img\t")
	assert.Contains(t, body, `>evil:&lt;img`+"\t"+`src=x`+"\t"+`onerror=alert(1)&gt;&#34;&#39;&amp;</a>`)
	assert.Contains(t, body, `href="tail.html?processname=`+pyQuote(ns)+`"`)
	assert.Contains(t, body, `name="processname" value="evil:&lt;img`)

	// The legacy action finds it by its quoted name and quotes it back.
	res, _ := e.get(t, "/index.html?processname="+url.QueryEscape(ns)+"&action=stop")
	require.Equal(t, http.StatusMovedPermanently, res.StatusCode)
	assert.Equal(t, "http://"+e.host()+"/?message="+pyQuote("Process "+ns+" stopped"), res.Header.Get("Location"))
	loc, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	_, body = e.get(t, "/?"+loc.RawQuery)
	assert.NotContains(t, body, "<img\t")
	assert.Contains(t, body, "Process evil:&lt;img")

	_, body = e.get(t, "/tail.html?processname="+url.QueryEscape(ns))
	assert.Contains(t, body, "<title>Supervisor tail of process evil:&lt;img")
	assert.NotContains(t, body, "<img\t")

	// JSON escapes it too, for any page that would embed it.
	_, body = e.get(t, "/api/processes")
	assert.NotContains(t, body, "<img")
	assert.Contains(t, body, `\u003cimg\tsrc=x\tonerror=alert(1)\u003e\"'\u0026`)
}

func TestTailPage(t *testing.T) {
	specs := fleet()
	long := program("long", `/bin/sh -c "i=0; while [ $i -lt 100 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done; exec /bin/sleep 1000"`)
	later := program("later", "/bin/sleep 1000")
	later.NoAutostart = true
	later.Stdout.File = t.TempDir() + "/later.log" // opened by the first output
	specs = append(specs, long, later)
	e := startEnv(t, specs)
	e.waitLog(t, "echo", int64(len(evilOutput)))

	res, body := e.get(t, "/tail.html?processname=echo")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "text/html;charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"))
	assertStrictCSP(t, res)
	assert.Contains(t, body, "<title>Supervisor tail of process echo</title>")
	assert.Contains(t, body, `data-offset="`+strconv.Itoa(len(evilOutput))+`" data-follow="true">hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; bye`+"\n</pre>")
	assert.NotContains(t, body, "<script>alert")
	assert.Contains(t, body, `<a class="btn" href="tail.html?processname=echo">Refresh</a>`)
	assert.Contains(t, body, `<a class="btn" href="logtail/echo">Raw stream</a>`)

	// The last max(1024, limit) bytes, as supervisord.
	const lineLen = len("line-10-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n")
	size := int64(10*(lineLen-1) + 90*lineLen)
	e.waitLog(t, "long", size)
	for _, c := range []struct {
		query string
		n     int
	}{
		{"", 1024}, {"&limit=10", 1024}, {"&limit=2000", 2000}, {"&limit=-5000", 1024}, {"&limit=abc", 1024},
		{"&limit=99999999999999999999999", int(size)},
	} {
		_, body := e.get(t, "/tail.html?processname=long"+c.query)
		m := regexp.MustCompile(`(?s)data-follow="true">(.*)</pre>`).FindStringSubmatch(body)
		require.NotNil(t, m, c.query)
		assert.Len(t, m[1], c.n, c.query)
		assert.True(t, strings.HasSuffix(m[1], "line-99-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"), c.query)
		assert.Contains(t, body, `data-offset="`+strconv.Itoa(int(size))+`"`)
	}

	// Errors, in supervisord's words, with a 200.
	for _, c := range []struct{ query, text string }{
		{"", "No process name found"},
		{"?processname=", "No process name found"},
		{"?processname=nosuch", "ERROR: unexpected rpc fault [10] BAD_NAME: nosuch"},
		{"?processname=nolog", "No file for nolog"},
		{"?processname=later", "No file for later"},
	} {
		res, body := e.get(t, "/tail.html"+c.query)
		assert.Equal(t, http.StatusOK, res.StatusCode, c.query)
		assert.Contains(t, body, `<p id="tailerror" class="status_msg error">`+c.text+`</p>`, c.query)
	}
	_, body = e.get(t, "/tail.html?processname=later")
	assert.Contains(t, body, `data-follow="true"`, "a log file to come can be followed")
	_, body = e.get(t, "/tail.html?processname=idle")
	assert.Contains(t, body, `data-offset="0" data-follow="true"></pre>`, "an empty AUTO log")
	_, body = e.get(t, "/tail.html?processname=nolog")
	assert.Contains(t, body, `data-follow="false"`)

	// stderr, an extension.
	_, body = e.get(t, "/tail.html?processname=echo&channel=stderr")
	assert.Contains(t, body, `<a class="btn" href="logtail/echo/stderr">Raw stream</a>`)
	assert.Contains(t, body, `aria-current="page">stderr</a>`)
}

func TestOKPage(t *testing.T) {
	e := startEnv(t, nil)
	res, body := e.get(t, "/ok.html")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "text/plain", res.Header.Get("Content-Type"))
	assert.Equal(t, "OK", body)
}

func TestRoutes(t *testing.T) {
	e := startEnv(t, nil)
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/stylesheets/supervisor.css", http.StatusNotFound},
		{"GET", "/nope", http.StatusNotFound},
		{"GET", "/static/nope.js", http.StatusNotFound},
		{"GET", "/static/", http.StatusNotFound},
		{"DELETE", "/", http.StatusMethodNotAllowed},
		{"PUT", "/index.html", http.StatusMethodNotAllowed},
		{"DELETE", "/tail.html", http.StatusMethodNotAllowed},
		{"GET", "/api/action", http.StatusMethodNotAllowed},
		{"POST", "/api/processes", http.StatusMethodNotAllowed},
		{"GET", "/ok.html", http.StatusOK},
		{"POST", "/ok.html", http.StatusOK},
	} {
		res, _ := e.do(t, c.method, c.path, "")
		assert.Equal(t, c.status, res.StatusCode, "%s %s", c.method, c.path)
		assert.NotEmpty(t, res.Header.Get("Content-Security-Policy"), "%s %s", c.method, c.path)
	}
}

func TestStaticFiles(t *testing.T) {
	e := startEnv(t, nil)
	for file, ctype := range map[string]string{
		"app.js": "text/javascript", "tail.js": "text/javascript", "style.css": "text/css", "favicon.svg": "image/svg+xml",
	} {
		res, body := e.get(t, "/static/"+file)
		require.Equal(t, http.StatusOK, res.StatusCode, file)
		assert.Contains(t, res.Header.Get("Content-Type"), ctype, file)
		assert.NotEmpty(t, body)
		tag := res.Header.Get("ETag")
		require.NotEmpty(t, tag)
		res, _ = e.get(t, "/static/"+file, "If-None-Match", tag)
		assert.Equal(t, http.StatusNotModified, res.StatusCode, file)
	}
	// The scripts never build HTML from strings.
	for _, file := range []string{"app.js", "tail.js"} {
		_, body := e.get(t, "/static/"+file)
		for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
			assert.NotContains(t, body, sink, file)
		}
	}
}
