package supervisor

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ReadyNotify is the ProgramSpec.Ready value that waits for the child to
// send READY=1 on the datagram socket named by $NOTIFY_SOCKET, systemd's
// sd_notify protocol.
const ReadyNotify = "notify"

// notifySocket is a process's sd_notify socket: one per process, made at
// its first spawn, kept for its later ones.
type notifySocket struct {
	dir  string
	path string
	conn *net.UnixConn
	done sync.WaitGroup
}

// usesNotify reports whether the spec needs the sd_notify socket.
func (s *ProgramSpec) usesNotify() bool { return s.Ready == ReadyNotify || s.Watchdog > 0 }

// openNotify makes the process's socket and starts reading it: READY=1
// goes to p.ready, WATCHDOG=1 to p.watchdog, STATUS=text to the
// process's status (ProcessInfo.Status).
func (p *Process) openNotify() (string, error) {
	if p.notify != nil {
		return p.notify.path, nil
	}
	dir, err := os.MkdirTemp("", "gosupervisor-notify-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", err
	}
	if p.spec.User != "" {
		// A child running as another user must be able to send.
		_ = os.Chmod(dir, 0o755)
		_ = os.Chmod(path, 0o777)
	}
	n := &notifySocket{dir: dir, path: path, conn: conn}
	p.notify = n
	ready, watchdog := p.ready, p.watchdog
	n.done.Add(1)
	go func() {
		defer n.done.Done()
		buf := make([]byte, 4096)
		for {
			k, err := conn.Read(buf)
			if err != nil {
				return
			}
			for _, line := range strings.Split(string(buf[:k]), "\n") {
				key, val, _ := strings.Cut(line, "=")
				switch key {
				case "READY":
					if val == "1" {
						notifyChan(ready)
					}
				case "WATCHDOG":
					if val == "1" {
						notifyChan(watchdog)
					}
				case "STATUS":
					p.mu.Lock()
					p.status = val
					p.mu.Unlock()
				}
			}
		}
	}()
	return path, nil
}

// closeNotify closes the socket and removes it.
func (p *Process) closeNotify() {
	if n := p.notify; n != nil {
		p.notify = nil
		_ = n.conn.Close()
		n.done.Wait()
		_ = os.RemoveAll(n.dir)
	}
}

func notifyChan(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// drain drops a pending value of c.
func drain(c chan struct{}) {
	select {
	case <-c:
	default:
	}
}

// watchdogPinged re-arms the watchdog of a RUNNING process.
func (p *Process) watchdogPinged() {
	if p.cur == Running && p.child != nil && p.spec.Watchdog > 0 {
		p.armTimer(timerWatchdog, p.spec.Watchdog)
	}
}

// watchdogExpired restarts a RUNNING process that sent no WATCHDOG=1 for
// Watchdog.
func (p *Process) watchdogExpired() {
	if p.cur != Running || p.child == nil || p.h.isStopping() {
		return
	}
	p.restartUnhealthy(fmt.Sprintf("unhealthy: %s sent no WATCHDOG=1 for %s (x_watchdog), restarting", p.spec.name, p.spec.Watchdog),
		fmt.Errorf("no WATCHDOG=1 for %s", p.spec.Watchdog))
}

// armWatchdog starts the watchdog of a process that became RUNNING.
func (p *Process) armWatchdog() {
	if p.spec.Watchdog > 0 {
		drain(p.watchdog)
		p.armTimer(timerWatchdog, p.spec.Watchdog)
	}
}
