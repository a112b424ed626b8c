package rpcapi

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/supervise-go/supervisor/internal/mainlog"
	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// Defaults of HandlerOptions' zero fields.
const (
	DefaultMaxBodyBytes = 10 << 20
	DefaultBodyTimeout  = time.Minute
	DefaultWriteTimeout = 30 * time.Second
	DefaultTailInterval = 200 * time.Millisecond
)

// HandlerOptions configure the handler of one HTTP server section
// ([inet_http_server] or [unix_http_server]).
type HandlerOptions struct {
	// Username and Password, when Username is not empty, make every path
	// require HTTP basic authentication, as supervisord does. Password
	// is the password itself or "{SHA}" followed by the lower-case hex
	// SHA-1 of it.
	Username, Password string

	// Fallback serves every request that is not for /RPC2..., /logtail/...
	// or /mainlogtail: supervisord's web UI. It sits behind the same
	// authentication. Nil answers those requests 404.
	Fallback http.Handler

	// MaxBodyBytes bounds an XML-RPC request body; a larger one is
	// answered 413. Zero means DefaultMaxBodyBytes (10 MiB, ten times what
	// a multicall over 1000 processes needs).
	MaxBodyBytes int64
	// BodyTimeout bounds the time to receive an XML-RPC request body.
	// Zero means DefaultBodyTimeout.
	BodyTimeout time.Duration
	// WriteTimeout bounds each write of a response, so that a client that
	// stops reading cannot hold a connection and its goroutine for long.
	// It is not a bound on the whole response: a stream from /logtail
	// lasts as long as the client reads it, and an XML-RPC call that waits
	// for processes to start takes as long as they take. Zero means
	// DefaultWriteTimeout.
	WriteTimeout time.Duration
	// TailInterval is how often /logtail and /mainlogtail look for new
	// bytes in the file they follow. Zero means DefaultTailInterval.
	TailInterval time.Duration
}

func (o *HandlerOptions) setDefaults() {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.BodyTimeout <= 0 {
		o.BodyTimeout = DefaultBodyTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.TailInterval <= 0 {
		o.TailInterval = DefaultTailInterval
	}
}

// Handler returns the HTTP handler of one server section: supervisord's
// endpoints, in the order it checks them (spec 7.2):
//
//	POST /RPC2...                           XML-RPC (any path that starts so)
//	GET  /logtail/<namespec>[/stdout|/stderr]  the process log: its last
//	                                        1024 bytes, then what is appended
//	GET  /mainlogtail                       the same for the main log
//	anything else                           opts.Fallback
//
// An XML-RPC request must be a POST (else 400) with a Content-Length (else
// 411) of at most MaxBodyBytes (else 413) holding a well-formed call (else
// 400). Faults are answered 200 with a fault response, like any call.
//
// Serve it with a server made by NewServer, whose timeouts it relies on.
func (a *API) Handler(opts HandlerOptions) http.Handler {
	opts.setDefaults()
	var h http.Handler = &handler{api: a, opts: opts}
	if opts.Username != "" {
		h = &basicAuth{user: opts.Username, password: opts.Password, next: h}
	}
	return &deadlines{next: h, timeout: opts.WriteTimeout, api: a}
}

type handler struct {
	api  *API
	opts HandlerOptions
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/RPC2"):
		h.rpc(w, r)
	case p == "/logtail" || strings.HasPrefix(p, "/logtail/"):
		h.logtail(w, r)
	case strings.HasPrefix(p, "/mainlogtail"):
		h.mainlogtail(w, r)
	case h.opts.Fallback != nil:
		h.opts.Fallback.ServeHTTP(w, r)
	default:
		httpError(w, http.StatusNotFound)
	}
}

// rpc answers one XML-RPC call.
func (h *handler) rpc(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		httpError(w, http.StatusBadRequest)
		return
	}
	if r.Header.Get("Content-Length") == "" {
		// Also a chunked body: supervisord wants the length up front.
		httpError(w, http.StatusLengthRequired)
		return
	}
	if r.ContentLength > h.opts.MaxBodyBytes {
		w.Header().Set("Connection", "close") // the body is not read
		httpError(w, http.StatusRequestEntityTooLarge)
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(h.opts.BodyTimeout))
	method, args, err := xmlrpc.ParseRequest(http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes))
	// The call may wait for processes far longer than the body took to
	// come: the deadline must not cut the server's watch for a client
	// that goes away meanwhile.
	_ = rc.SetReadDeadline(time.Time{})
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			w.Header().Set("Connection", "close")
			httpError(w, http.StatusRequestEntityTooLarge)
		case errors.Is(err, xmlrpc.ErrNoMethodName):
			h.api.log.Error("XML-RPC request data is invalid: no method name")
			httpError(w, http.StatusBadRequest)
		case errors.Is(err, xmlrpc.ErrMalformed):
			h.api.log.Error("XML-RPC request data is invalid: unmarshallable (" + err.Error() + ")")
			httpError(w, http.StatusBadRequest)
		default: // the client went away or was too slow: no one to tell
			w.Header().Set("Connection", "close")
			httpError(w, http.StatusBadRequest)
		}
		return
	}

	v, callErr := h.api.Call(r.Context(), method, args)
	// The answer is encoded into a pooled buffer, whole, since its length
	// goes first (supervisorctl reads by Content-Length), and written with
	// one Write, which the server passes straight to the connection.
	buf := xmlrpc.GetBuffer()
	defer xmlrpc.PutBuffer(buf)
	if callErr != nil {
		f := asFault(callErr)
		*buf, err = xmlrpc.AppendFault(*buf, f.Code, f.String)
	} else {
		*buf, err = xmlrpc.AppendResponse(*buf, v)
	}
	if err != nil {
		h.api.log.Log(r.Context(), mainlog.LevelCritical,
			fmt.Sprintf("Handling XML-RPC request %s() raised an unexpected exception: %v", method, err))
		httpError(w, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(*buf)))
	_, _ = w.Write(*buf)
}

// httpError answers with status code and a small HTML page, the way
// supervisord's HTTP server (medusa) does.
func httpError(w http.ResponseWriter, code int) {
	body := fmt.Sprintf("<head>\n<title>Error response</title>\n</head>\n<body>\n<h1>Error response</h1>\n<p>Error code %d.\n<p>Message: %s.\n</body>", code, http.StatusText(code))
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

// basicAuth lets through requests with the right credentials and answers
// all others 401, whatever is wrong with them: no Authorization header,
// another scheme, bad base64, no colon, unknown user, wrong password.
type basicAuth struct {
	user, password string
	next           http.Handler
}

func (b *basicAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || !b.check(user, pass) {
		w.Header().Set("WWW-Authenticate", `Basic realm="default"`)
		w.Header().Set("Connection", "close")
		httpError(w, http.StatusUnauthorized)
		return
	}
	b.next.ServeHTTP(w, r)
}

// check compares in constant time; both comparisons always run, and the
// plain ones compare digests so that not even the length leaks.
func (b *basicAuth) check(user, pass string) bool {
	userOK := equalDigests(user, b.user)
	var passOK int
	if hash, ok := strings.CutPrefix(b.password, "{SHA}"); ok {
		sum := sha1.Sum([]byte(pass))
		passOK = subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(hash))
	} else {
		passOK = equalDigests(pass, b.password)
	}
	return userOK&passOK == 1
}

func equalDigests(a, b string) int {
	x, y := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(x[:], y[:])
}
