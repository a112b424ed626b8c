package daemon

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/supervise-go/supervisor/config"
	"github.com/supervise-go/supervisor/internal/rpcapi"
	"github.com/supervise-go/supervisor/internal/web"
	"github.com/supervise-go/supervisor/metrics"
)

// serveHTTP serves supervisord's XML-RPC API, log tails and web UI (and,
// with x_metrics, /metrics) on the listeners, each with its section's
// authentication, and returns a
// function that stops the servers (closing the listeners, which removes
// unix sockets).
func (d *Daemon) serveHTTP(cfg *config.Config, listeners []net.Listener) func() {
	api := rpcapi.New(d, d.log)
	ui := web.New(d)
	var servers []*http.Server
	var scrape http.Handler // one for all sections, so its bounds are the daemon's
	for i, l := range listeners {
		srv := cfg.HTTPServers[i]
		var fallback http.Handler = ui
		if srv.Metrics {
			if scrape == nil {
				scrape = metrics.Handler(d.sup, metrics.HandlerOptions{})
			}
			fallback = withMetrics(scrape, ui)
		}
		h := api.Handler(rpcapi.HandlerOptions{Username: srv.Username, Password: srv.Password, Fallback: fallback})
		s := rpcapi.NewServer(h, d.log)
		servers = append(servers, s)
		go func() { _ = s.Serve(l) }()
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, s := range servers {
			if err := s.Shutdown(ctx); err != nil {
				_ = s.Close()
			}
		}
		closeListeners(listeners)
	}
}

// withMetrics serves /metrics with m (metrics.Handler: the processes'
// metrics and the daemon's process_* and go_*, from a registry of their
// own; at most two scrapes at once, more are answered 503) and every other
// path with next.
func withMetrics(m, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			m.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
