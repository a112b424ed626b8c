package rpcapi

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/supervise-go/supervisor/internal/mainlog"
)

// Server timeouts set by NewServer.
const (
	// ReadHeaderTimeout bounds the time to receive a request's headers.
	ReadHeaderTimeout = 10 * time.Second
	// IdleTimeout closes a kept-alive connection unused this long, as
	// supervisord's HTTP server drops its idle channels after 30 minutes.
	// supervisorctl keeps one connection for a whole interactive session
	// and does not retry a request on a connection the server closed, so
	// this is long.
	IdleTimeout = 30 * time.Minute
	// MaxHeaderBytes bounds a request's headers.
	MaxHeaderBytes = 64 << 10
)

// NewServer returns an http.Server for a handler made by API.Handler, with
// timeouts that keep slow or stalled clients from holding the daemon's
// connections: ReadHeaderTimeout, IdleTimeout, and the body and per-write
// deadlines the handler sets (HandlerOptions). There is deliberately no
// overall ReadTimeout or WriteTimeout: /logtail streams, and calls that
// wait for processes, last longer than any such bound.
//
// Shutdown ends the /logtail streams and cancels the calls in progress, so
// that it returns promptly; errors of the server itself go to logger (nil
// discards them).
func NewServer(h http.Handler, logger *slog.Logger) *http.Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	s.RegisterOnShutdown(cancel)
	return s
}

// deadlines gives each write of a response its own deadline, and writes
// supervisord's TRACE access line once the request is answered.
type deadlines struct {
	next    http.Handler
	timeout time.Duration
	api     *API
}

func (d *deadlines) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	dw := &deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), timeout: d.timeout}
	// A deadline left by an earlier request on this connection must not
	// fail this one's first write (the server's own "100 Continue" too).
	dw.extend()
	defer dw.extend() // the server flushes what is buffered after we return
	d.next.ServeHTTP(dw, r)
	if log := d.api.log; log.Enabled(r.Context(), mainlog.LevelTrace) {
		status := dw.status
		if status == 0 {
			status = http.StatusOK
		}
		log.Log(r.Context(), mainlog.LevelTrace, fmt.Sprintf("%s - - [%s] \"%s %s %s\" %d %d",
			r.RemoteAddr, time.Now().Format("02/Jan/2006:15:04:05 -0700"), r.Method, r.RequestURI, r.Proto, status, dw.written))
	}
}

// deadlineWriter extends the connection's write deadline before each write
// and flush.
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	status  int
	written int64
}

func (w *deadlineWriter) extend() { _ = w.rc.SetWriteDeadline(time.Now().Add(w.timeout)) }

func (w *deadlineWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.extend()
	w.ResponseWriter.WriteHeader(code)
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.extend()
	n, err := w.ResponseWriter.Write(p)
	w.written += int64(n)
	return n, err
}

// Flush sends what is buffered, within a fresh deadline.
func (w *deadlineWriter) Flush() { _ = w.FlushError() }

// FlushError is Flush reporting failure (http.ResponseController uses it),
// so that a stream learns its client is gone.
func (w *deadlineWriter) FlushError() error {
	w.extend()
	return w.rc.Flush()
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
