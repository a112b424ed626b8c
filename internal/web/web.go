package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/rpcapi"
)

// Version is the supervisord version the page claims compatibility with;
// the footer shows it after Name.
const Version = rpcapi.SupervisorVersion

// Name is this implementation's name, shown in the footer.
const Name = "supervise-go"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// contentSecurityPolicy allows only this server's own script, style,
// images and connections: no inline script or style, no framing, forms
// posting only back here.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self'; connect-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// Option configures the handler returned by New.
type Option func(*config)

type config struct {
	legacyGET      bool
	trustedOrigins []string
	heartbeat      time.Duration
	maxTail        int64
}

// WithoutLegacyActions refuses (with 405) the actions that supervisord
// performs on a GET of index.html?processname=X&action=Y. Pages and scripts
// then act only by POST. They are allowed by default so that bookmarks and
// scripts written for supervisord keep working.
func WithoutLegacyActions() Option {
	return func(c *config) { c.legacyGET = false }
}

// WithTrustedOrigin accepts actions posted from origin ("https://ops.example:
// 8443"), besides this server's own: for a reverse proxy that changes the Host
// header, or a dashboard on another origin. See http.CrossOriginProtection.
func WithTrustedOrigin(origin string) Option {
	return func(c *config) { c.trustedOrigins = append(c.trustedOrigins, origin) }
}

// withHeartbeat changes how often the event stream sends a keep-alive
// comment and a full snapshot; for tests.
func withHeartbeat(d time.Duration) Option {
	return func(c *config) { c.heartbeat = d }
}

var templateFuncs = template.FuncMap{
	"version": func() string { return Version },
	"name":    func() string { return Name },
	"lower":   strings.ToLower,
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprint(n) + " " + many
	},
}

// handler serves the web UI of one supervisor.
type handler struct {
	b      rpcapi.Backend
	cfg    config
	mux    *http.ServeMux
	csrf   *http.CrossOriginProtection
	index  *template.Template
	tail   *template.Template
	static fs.FS
	etags  map[string]string // static file name -> ETag
}

// New returns the web UI of the supervisor that b gives, as one handler for
// every path under "/" (see the package documentation for the paths it
// answers). It does no authentication: mount it behind the same basic auth as
// /RPC2. New panics if opts are invalid (an origin that does not parse).
func New(b rpcapi.Backend, opts ...Option) http.Handler {
	h := &handler{
		b:    b,
		cfg:  config{legacyGET: true, heartbeat: 25 * time.Second, maxTail: 16 << 20},
		csrf: http.NewCrossOriginProtection(),
	}
	for _, o := range opts {
		o(&h.cfg)
	}
	for _, o := range h.cfg.trustedOrigins {
		if err := h.csrf.AddTrustedOrigin(o); err != nil {
			panic(fmt.Sprintf("web.WithTrustedOrigin(%q): %v", o, err))
		}
	}
	h.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.deny(w, r)
	}))
	h.index = template.Must(template.New("index.html").Funcs(templateFuncs).ParseFS(templateFS, "templates/index.html"))
	h.tail = template.Must(template.New("tail.html").Funcs(templateFuncs).ParseFS(templateFS, "templates/tail.html"))
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	h.static = static
	h.etags = staticETags(static)

	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", h.serveIndex)
	mux.HandleFunc("/index.html", h.serveIndex)
	mux.HandleFunc("/tail.html", h.serveTail)
	mux.HandleFunc("/ok.html", h.serveOK)
	mux.HandleFunc("GET /static/{file}", h.serveStatic)
	mux.HandleFunc("GET /api/processes", h.serveProcesses)
	mux.HandleFunc("GET /api/events", h.serveEvents)
	mux.HandleFunc("GET /api/tail", h.serveTailAPI)
	mux.HandleFunc("POST /api/action", h.serveAction)
	h.mux = mux
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	h.mux.ServeHTTP(w, r)
}

// maxFormBytes bounds the body of a request that is parsed as a form.
const maxFormBytes = 64 << 10

// parseForm parses r's query and its body, at most maxFormBytes of it.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	return r.ParseForm()
}

// allowMethods answers 405 unless r's method is one of methods (HEAD counts
// as GET).
func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	m := r.Method
	if m == http.MethodHead {
		m = http.MethodGet
	}
	for _, ok := range methods {
		if m == ok {
			return true
		}
	}
	allow := strings.Join(methods, ", ")
	if strings.Contains(allow, http.MethodGet) {
		allow += ", HEAD"
	}
	w.Header().Set("Allow", allow)
	http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
	return false
}

// noCache sets supervisord's headers for pages that must never be cached.
func noCache(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Pragma", "no-cache")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Expires", "Thu, 01 Jan 1970 00:00:00 GMT")
}

// serveOK is supervisord's ok.html, a liveness probe.
func (h *handler) serveOK(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	noCache(w)
	_, _ = w.Write([]byte("OK"))
}

// deny answers a request refused as cross-origin.
func (h *handler) deny(w http.ResponseWriter, r *http.Request) {
	const msg = "cross-origin request refused: actions are accepted only from this server's own pages"
	if wantsJSON(r) {
		writeJSON(w, http.StatusForbidden, actionReply{OK: false, Message: msg})
		return
	}
	http.Error(w, "403 "+msg, http.StatusForbidden)
}

// running reports whether the supervisor accepts requests, as the daemon
// sees it: a shutdown or restart it began refuses them even before the
// Supervisor stops.
func (h *handler) running() bool {
	return h.b.State() == rpcapi.StateRunning
}

// errShutdownState is returned for every action while the daemon stops.
var errShutdownState = supervisor.ErrShutdown
