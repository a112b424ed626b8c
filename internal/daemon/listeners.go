package daemon

import (
	"fmt"
	"net"
	"os"

	"github.com/supervise-go/supervisor/config"
	"github.com/supervise-go/supervisor/internal/rpcapi"
)

// openListeners opens the [inet_http_server] and [unix_http_server]
// sockets, in cfg.HTTPServers order. Nothing listens where the config did
// not say so.
func openListeners(cfg *config.Config) ([]net.Listener, error) {
	var ls []net.Listener
	for _, srv := range cfg.HTTPServers {
		var l net.Listener
		var err error
		if srv.Network == "tcp" {
			l, err = rpcapi.ListenInet(srv.Host, srv.Port)
		} else {
			l, err = rpcapi.ListenUnix(rpcapi.UnixSocket{
				Path: srv.File, Mode: srv.Chmod, UID: srv.ChownUID, GID: srv.ChownGID,
				OnStale: func(path string) { fmt.Fprintf(os.Stderr, "Unlinking stale socket %s\n", path) },
			})
		}
		if err != nil {
			closeListeners(ls)
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, nil
}

// listenerFile returns a dup of the listener's fd, to hand to a child.
func listenerFile(l net.Listener) (*os.File, error) {
	switch l := l.(type) {
	case *net.TCPListener:
		return l.File()
	case *rpcapi.UnixListener:
		return l.UnixListener.File()
	}
	return nil, fmt.Errorf("unsupported listener %T", l)
}

// inheritedListeners rebuilds the listeners a detaching parent handed over
// as fds 3, 4, ... in cfg.HTTPServers order.
func inheritedListeners(cfg *config.Config) []net.Listener {
	var ls []net.Listener
	for i, srv := range cfg.HTTPServers {
		f := os.NewFile(uintptr(3+i), "listener")
		l, err := net.FileListener(f)
		_ = f.Close()
		if err != nil {
			continue
		}
		if ul, ok := l.(*net.UnixListener); ok {
			// The parent created the socket file; this process removes it.
			l = rpcapi.AdoptUnixListener(ul, srv.File)
		}
		ls = append(ls, l)
	}
	return ls
}

func closeListeners(ls []net.Listener) {
	for _, l := range ls {
		_ = l.Close()
	}
}
