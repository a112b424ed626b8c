package daemon

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/supervise-go/supervisor/config"
	"github.com/supervise-go/supervisor/internal/rpcapi"
	"github.com/supervise-go/supervisor/internal/web"
)

// serveHTTP serves supervisord's XML-RPC API, log tails and web UI on the
// listeners, each with its section's authentication, and returns a
// function that stops the servers (closing the listeners, which removes
// unix sockets).
func (d *Daemon) serveHTTP(cfg *config.Config, listeners []net.Listener) func() {
	api := rpcapi.New(d, d.log)
	ui := web.New(d)
	var servers []*http.Server
	for i, l := range listeners {
		srv := cfg.HTTPServers[i]
		h := api.Handler(rpcapi.HandlerOptions{Username: srv.Username, Password: srv.Password, Fallback: ui})
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
