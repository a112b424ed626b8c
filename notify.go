package supervisor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
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
		buf := make([]byte, notifyMaxDatagram)
		log := p.h.logger()
		for {
			k, _, flags, _, err := conn.ReadMsgUnix(buf, nil)
			if err != nil {
				return
			}
			if flags&syscall.MSG_TRUNC != 0 {
				log.Debug(fmt.Sprintf("%s: notify datagram over %d bytes ignored", p.spec.name, notifyMaxDatagram))
				continue
			}
			// A datagram's STATUS= is applied before its READY=1 is
			// signalled, so a process is never RUNNING with the old text.
			var readyNow, fed bool
			for _, line := range strings.Split(string(buf[:k]), "\n") {
				key, val, ok := strings.Cut(line, "=")
				switch {
				case key == "READY" && val == "1":
					readyNow = true
				case key == "WATCHDOG" && val == "1":
					fed = true
				case key == "STATUS":
					p.mu.Lock()
					p.status = val
					p.mu.Unlock()
				case line == "" || (ok && knownNotifyKey(key)):
					// Blank, or sd_notify's that we do not act on.
				default:
					log.Debug(fmt.Sprintf("%s: notify message ignored: %s", p.spec.name, pyRepr(line)))
				}
			}
			if readyNow {
				notifyChan(ready)
			}
			if fed {
				notifyChan(watchdog)
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

// notifyMaxDatagram bounds one sd_notify datagram; a longer one is
// ignored whole (systemd takes up to its page-sized buffer too).
const notifyMaxDatagram = 4096

// knownNotifyKey reports a key of sd_notify(3) that a supervisor may
// ignore without saying so.
func knownNotifyKey(key string) bool {
	switch key {
	case "READY", "RELOADING", "STOPPING", "MAINPID", "ERRNO", "BUSERROR", "MONOTONIC_USEC",
		"WATCHDOG", "WATCHDOG_USEC", "EXTEND_TIMEOUT_USEC", "FDSTORE", "FDSTOREREMOVE", "FDNAME", "NOTIFYACCESS":
		return true
	}
	return false
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

// readyFD returns N for Ready = "fd:N", else 0.
func readyFD(check string) int {
	if !strings.HasPrefix(check, "fd:") {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimPrefix(check, "fd:"))
	if err != nil || n < 3 || n > 1023 {
		return -1
	}
	return n
}

// openReadyFD makes the pipe whose write end the child gets as fd N
// (Ready = "fd:N", s6's notification-fd): the child is ready when it
// writes a newline there. It returns the write end, which the caller
// closes once the fork is done.
func (p *Process) openReadyFD() (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p.readyR = r
	ready, log, name, check := p.ready, p.h.logger(), p.spec.name, p.spec.Ready
	p.readers.Add(1)
	go func() {
		defer p.readers.Done()
		defer r.Close()
		buf := make([]byte, 512)
		for {
			n, err := r.Read(buf)
			if bytes.IndexByte(buf[:n], '\n') >= 0 {
				notifyChan(ready)
				return
			}
			if errors.Is(err, io.EOF) {
				// Every copy closed without a newline: it can no longer
				// say it is ready; x_ready_timeout ends the start.
				log.Warn(fmt.Sprintf("%s closed its x_ready %s without writing a newline: it is not ready", name, check))
			}
			if err != nil {
				return
			}
		}
	}()
	return w, nil
}

// closeReadyFD makes the reader of the current fd:N pipe stop.
func (p *Process) closeReadyFD() {
	if p.readyR != nil {
		_ = p.readyR.SetReadDeadline(time.Now())
		p.readyR = nil
	}
}
