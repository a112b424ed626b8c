package daemon

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/supervise-go/supervisor/config"
)

const errPortInUse = "Another program is already listening on a port that one of our HTTP servers is configured to use.  Shut this program down first before starting supervisord."

// openListeners opens the [inet_http_server] and [unix_http_server]
// sockets, in cfg.HTTPServers order. Nothing listens where the config did
// not say so.
func openListeners(cfg *config.Config) ([]net.Listener, error) {
	var ls []net.Listener
	for _, srv := range cfg.HTTPServers {
		l, err := listen(srv)
		if err != nil {
			closeListeners(ls)
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, nil
}

func listen(srv config.HTTPServer) (net.Listener, error) {
	if srv.Network == "tcp" {
		l, err := net.Listen("tcp", net.JoinHostPort(srv.Host, strconv.Itoa(srv.Port)))
		if err != nil {
			return nil, errors.New(errPortInUse)
		}
		return l, nil
	}
	if _, err := os.Lstat(srv.File); err == nil {
		if c, err := net.DialTimeout("unix", srv.File, time.Second); err == nil {
			_ = c.Close()
			return nil, errors.New(errPortInUse)
		}
		fmt.Fprintf(os.Stderr, "Unlinking stale socket %s\n", srv.File)
		_ = os.Remove(srv.File)
	}
	l, err := net.Listen("unix", srv.File)
	if err != nil {
		return nil, fmt.Errorf("Cannot open an HTTP server: socket.error reported %v", err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(true)
	if err := os.Chmod(srv.File, srv.Chmod); err != nil {
		_ = l.Close()
		return nil, fmt.Errorf("Could not change permissions of socket file %s: %v", srv.File, err)
	}
	if srv.ChownUID >= 0 || srv.ChownGID >= 0 {
		if err := os.Lchown(srv.File, srv.ChownUID, srv.ChownGID); err != nil {
			_ = l.Close()
			return nil, fmt.Errorf("Could not change ownership of socket file %s: %v", srv.File, err)
		}
	}
	return l, nil
}

// listenerFile returns a dup of the listener's fd, to hand to a child.
func listenerFile(l net.Listener) (*os.File, error) {
	switch l := l.(type) {
	case *net.TCPListener:
		return l.File()
	case *net.UnixListener:
		return l.File()
	}
	return nil, fmt.Errorf("unsupported listener %T", l)
}

// inheritedListeners rebuilds the listeners a detaching parent handed over
// as fds 3, 4, ... in cfg.HTTPServers order.
func inheritedListeners(cfg *config.Config) []net.Listener {
	var ls []net.Listener
	for i := range cfg.HTTPServers {
		f := os.NewFile(uintptr(3+i), "listener")
		l, err := net.FileListener(f)
		_ = f.Close()
		if err != nil {
			continue
		}
		if ul, ok := l.(*net.UnixListener); ok {
			// The parent created the socket file; this process removes it.
			ul.SetUnlinkOnClose(true)
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
