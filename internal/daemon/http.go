package daemon

import (
	"net"
	"net/http"

	"github.com/supervise-go/supervisor/config"
)

// serveHTTP serves the API on the listeners and returns a function that
// stops the servers (closing the listeners, which removes unix sockets).
func (d *Daemon) serveHTTP(cfg *config.Config, listeners []net.Listener) func() {
	var servers []*http.Server
	for range listeners {
		servers = append(servers, &http.Server{Handler: http.NotFoundHandler()})
	}
	for i, l := range listeners {
		go func() { _ = servers[i].Serve(l) }()
	}
	return func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}
}
