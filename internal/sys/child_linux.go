//go:build linux && !portablespawner

package sys

import (
	"errors"
	"sync"
	"syscall"
)

// Child is a started child process. A running child costs no goroutine and
// no thread: its exit is learnt from its pidfd, on the spawner's epoll
// Watcher, or, once three quarters of the descriptors the process may open
// are open, from SIGCHLD (the spawner's exit notifier) with no descriptor
// but its pipes (see keepPidfd). Its pid stays its own until it has been
// reaped, by TryWait or Wait, which mark it reaped under the same lock that
// Signal and SignalGroup hold to send: no signal can reach a reused pid.
type Child struct {
	Pid int
	// Stdio holds the parent's ends of the child's pipes:
	// the write end of the child's stdin, the read ends of its stdout and
	// stderr, as raw close-on-exec fds owned by the caller; -1 where none.
	Stdio   [3]int
	pidfd   int           // -1: none, its exit comes from exits
	watcher *Watcher      // the spawner's
	exits   *exitNotifier // the spawner's

	mu     sync.Mutex
	reaped bool
}

func newChild(pid, pidfd int) (*Child, error) {
	return &Child{Pid: pid, Stdio: [3]int{-1, -1, -1}, pidfd: pidfd}, nil
}

// WhenExited calls f once the child has exited, so that TryWait then reaps
// it and Wait returns at once: until then no goroutine waits for the child.
// f runs on the spawner's Watcher or exit notifier, or at once on the
// caller's goroutine if the child has already exited, and must not block;
// it should reap the child with TryWait (else the exit notifier checks
// each of its children at the next SIGCHLD, see exitNotifier). If the
// spawner is closed, f is called at once and Wait blocks as usual. Call it
// at most once, and not alongside Wait.
func (c *Child) WhenExited(f func()) {
	if c.watchExit(f) != nil {
		f()
	}
}

func (c *Child) watchExit(f func()) error {
	if c.pidfd >= 0 && c.watcher != nil {
		return c.watcher.watchOrClose(c.pidfd, f)
	}
	if c.exits != nil {
		return c.exits.watch(c.Pid, f)
	}
	return errNotifierClosed
}

// Watcher returns the watcher of the spawner that started the child, for
// its pipes (see Watcher.Watch); nil for a child made otherwise.
func (c *Child) Watcher() *Watcher { return c.watcher }

// Wait blocks until the child has exited, reaps it and returns its status.
// Call it exactly once (and not after TryWait has reaped). It waits on the
// spawner's Watcher or exit notifier, or, once the spawner is closed, in
// the kernel (a thread blocked in waitid until the child exits).
func (c *Child) Wait() (syscall.WaitStatus, error) {
	for {
		exited := make(chan struct{})
		if c.watchExit(func() { close(exited) }) != nil {
			waitExited(c.Pid)
		} else {
			<-exited
		}
		if ws, reaped, err := c.TryWait(); reaped {
			return ws, err
		}
	}
}

// TryWait reaps the child if it has exited, without waiting, and reports
// whether it did; then ws and err are what Wait would have returned, and
// Wait must not be called. It is for callers that must not block, such as
// a WhenExited callback.
func (c *Child) TryWait() (ws syscall.WaitStatus, reaped bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reaped {
		return 0, true, errors.New("child already reaped")
	}
	for {
		pid, e := syscall.Wait4(c.Pid, &ws, syscall.WNOHANG, nil)
		switch {
		case e == syscall.EINTR:
			continue
		case e != nil:
			ws = 0
			err = e
		case pid != c.Pid:
			return 0, false, nil
		}
		// Reaped now, or never by us: a Reaper may take the pid from
		// here on.
		c.reaped = true
		disown(c.Pid)
		return ws, true, err
	}
}

// Release frees what the child holds (its pidfd) once it has been reaped
// and will not be signalled again.
func (c *Child) Release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	Close(c.pidfd)
	c.pidfd = -1
}

// Signal sends sig to the child only; nothing once it has been reaped.
func (c *Child) Signal(sig syscall.Signal) error {
	return c.kill(c.Pid, sig)
}

// SignalGroup sends sig to the child's process group (its pgid is its pid);
// nothing once the child has been reaped, as then its pid may name another
// group.
func (c *Child) SignalGroup(sig syscall.Signal) error {
	return c.kill(-c.Pid, sig)
}

func (c *Child) kill(pid int, sig syscall.Signal) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reaped {
		return nil
	}
	return ignoreGone(syscall.Kill(pid, sig))
}

// ignoreGone drops "no such process": a zombie's group may be empty, and
// the reap will finish the job.
func ignoreGone(err error) error {
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}
