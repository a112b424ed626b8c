package rpcapi

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/user"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ErrAddressInUse is returned by ListenInet and ListenUnix when another
// program already listens where the configuration says to. Its text is
// supervisord's message for the case, which it prints after "Error: "
// before exiting with status 2.
var ErrAddressInUse = errors.New("Another program is already listening on a port that one of our HTTP servers is configured to use.  Shut this program down first before starting supervisord.") //nolint:staticcheck // supervisord's words

// ListenInet opens the TCP listener of an [inet_http_server]: host (empty
// for every interface) and port. A port in use gives ErrAddressInUse;
// other failures carry supervisord's "Cannot open an HTTP server" text.
func ListenInet(host string, port int) (net.Listener, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, listenError(err)
	}
	return l, nil
}

// listenError words a failure to listen as supervisord does.
func listenError(err error) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return fmt.Errorf("Cannot open an HTTP server: socket.error reported %w", err)
	}
	if errno == syscall.EADDRINUSE {
		return ErrAddressInUse
	}
	return &wrapped{msg: fmt.Sprintf("Cannot open an HTTP server: socket.error reported errno.%s (%d)", unix.ErrnoName(errno), int(errno)), err: err}
}

type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

// UnixSocket describes the socket of a [unix_http_server].
type UnixSocket struct {
	// Path is the socket file.
	Path string
	// Mode is the socket file's mode (chmod); zero means 0700.
	Mode fs.FileMode
	// UID and GID own the socket file (chown); -1 leaves either as it is.
	// Zero values mean root: set both to -1 for no chown.
	UID, GID int
	// OnStale, if not nil, is called before a stale socket file (one that
	// nobody answers on) is removed. supervisord prints
	// "Unlinking stale socket PATH" to stderr there.
	OnStale func(path string)
}

// UnixListener is the listener of a [unix_http_server]. Close removes the
// socket file, unless another socket has replaced it meanwhile.
type UnixListener struct {
	*net.UnixListener
	path string
	ino  uint64
	once sync.Once
	err  error
}

// Path returns the socket file's path.
func (l *UnixListener) Path() string { return l.path }

// Close stops listening and removes the socket file.
func (l *UnixListener) Close() error {
	l.once.Do(func() {
		l.err = l.UnixListener.Close()
		if st, err := os.Lstat(l.path); err == nil && st.Mode()&fs.ModeSocket != 0 && inode(st) == l.ino {
			_ = os.Remove(l.path)
		}
	})
	return l.err
}

// AdoptUnixListener wraps a listener for the socket file at path that was
// opened by ListenUnix in another process (inherited across an exec), so
// that closing it removes the file.
func AdoptUnixListener(l *net.UnixListener, path string) *UnixListener {
	l.SetUnlinkOnClose(false)
	ul := &UnixListener{UnixListener: l, path: path}
	if st, err := os.Lstat(path); err == nil {
		ul.ino = inode(st)
	}
	return ul
}

// ListenUnix opens the socket of a [unix_http_server] the way supervisord
// does: the socket is made under a temporary name, given its mode, and only
// then linked at s.Path, so it is never reachable with looser permissions.
// If s.Path exists, a server answering there gives ErrAddressInUse, and a
// stale file (nobody answers) is removed and the link tried again.
func ListenUnix(s UnixSocket) (*UnixListener, error) {
	mode := s.Mode
	if mode == 0 {
		mode = 0o700
	}
	tmp := s.Path + "." + strconv.Itoa(os.Getpid())
	defer os.Remove(tmp)
	for attempt := 0; ; attempt++ {
		_ = os.Remove(tmp) // left by a crash, or by the attempt before
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
		if err != nil {
			return nil, listenError(err)
		}
		l.SetUnlinkOnClose(false) // the temporary name goes below; the real one in Close
		if err := os.Chmod(tmp, mode); err != nil {
			l.Close()
			return nil, fmt.Errorf("cannot set the mode of socket file %s: %w", tmp, err)
		}
		if err := os.Link(tmp, s.Path); err != nil {
			l.Close()
			if !errors.Is(err, fs.ErrExist) {
				return nil, listenError(err)
			}
			if inUse(s.Path) || attempt >= 2 {
				return nil, ErrAddressInUse
			}
			if s.OnStale != nil {
				s.OnStale(s.Path)
			}
			_ = os.Remove(s.Path)
			continue
		}
		ul := &UnixListener{UnixListener: l, path: s.Path}
		if st, err := os.Lstat(s.Path); err == nil {
			ul.ino = inode(st)
		}
		if s.UID != -1 || s.GID != -1 {
			if err := os.Lchown(s.Path, s.UID, s.GID); err != nil {
				ul.Close()
				if errors.Is(err, fs.ErrPermission) {
					return nil, fmt.Errorf("Not permitted to chown %s to uid/gid (%d, %d); adjust \"sockchown\" value in config file or on command line to values that the current user (%s) can successfully chown", s.Path, s.UID, s.GID, currentUser()) //nolint:staticcheck // supervisord's words
				}
				return nil, err
			}
		}
		return ul, nil
	}
}

// inUse reports whether a server answers on the socket file at path.
func inUse(path string) bool {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return strconv.Itoa(os.Geteuid())
}
