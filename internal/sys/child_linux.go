//go:build linux && !portablespawner

package sys

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Child is a started child process. Its exit is observed through a pidfd
// registered with Go's netpoller, so waiting costs a parked goroutine, not an
// OS thread. The pid stays valid (not reused) until Wait has returned.
type Child struct {
	Pid int
	// Stdio holds the parent's ends of the child's pipes:
	// the write end of the child's stdin, the read ends of its stdout and
	// stderr, as raw close-on-exec fds owned by the caller; -1 where none.
	Stdio   [3]int
	pidfd   *os.File
	fd      int      // pidfd's descriptor
	watcher *Watcher // the spawner's
}

func newChild(pid, fd int) (*Child, error) {
	if err := unix.SetNonblock(fd, true); err != nil {
		_ = unix.Close(fd)
		return nil, fmt.Errorf("pidfd nonblock: %w", err)
	}
	return &Child{Pid: pid, Stdio: [3]int{-1, -1, -1}, pidfd: os.NewFile(uintptr(fd), "pidfd"), fd: fd}, nil
}

// WhenExited calls f once the child has exited, so that Wait then returns
// at once: until then no goroutine waits for the child. f runs on the
// spawner's watcher and must not block (it starts the goroutine that calls
// Wait). Without a watcher, or if the watch cannot be made, f is called at
// once and Wait blocks as usual.
func (c *Child) WhenExited(f func()) {
	if c.watcher == nil {
		f()
		return
	}
	if _, err := c.watcher.Watch(c.fd, f); err != nil {
		f()
	}
}

// Watcher returns the watcher of the spawner that started the child, for
// its pipes (see Watcher.Watch); nil for a child made otherwise.
func (c *Child) Watcher() *Watcher { return c.watcher }

// Wait blocks until the child has exited, reaps it and returns its status.
// Call it exactly once. Signalling the reaped child is harmless (its pidfd
// stays open until Release, so no other process can be reached).
func (c *Child) Wait() (syscall.WaitStatus, error) {
	// Reaped now, or never by us: a Reaper may take the pid from here on.
	defer disown(c.Pid)
	var ws syscall.WaitStatus
	var werr error
	rc, err := c.pidfd.SyscallConn()
	if err != nil {
		return 0, err
	}
	err = rc.Read(func(uintptr) bool {
		for {
			pid, e := syscall.Wait4(c.Pid, &ws, syscall.WNOHANG, nil)
			if e == syscall.EINTR {
				continue
			}
			if e != nil {
				werr = e
				return true
			}
			return pid == c.Pid // false: not yet, wait for readability
		}
	})
	if err != nil {
		return 0, err
	}
	return ws, werr
}

// TryWait reaps the child if it has exited, without waiting, and reports
// whether it did; then ws and err are what Wait would have returned, and
// Wait must not be called. It is for callers that must not block, such as
// a WhenExited callback.
func (c *Child) TryWait() (ws syscall.WaitStatus, reaped bool, err error) {
	for {
		pid, e := syscall.Wait4(c.Pid, &ws, syscall.WNOHANG, nil)
		switch {
		case e == syscall.EINTR:
			continue
		case e != nil:
			disown(c.Pid)
			return 0, true, e
		case pid != c.Pid:
			return 0, false, nil
		}
		disown(c.Pid)
		return ws, true, nil
	}
}

// Release closes the pidfd once the child has been reaped and will not be
// signalled again.
func (c *Child) Release() { _ = c.pidfd.Close() }

// Signal sends sig to the child only.
func (c *Child) Signal(sig syscall.Signal) error {
	rc, err := c.pidfd.SyscallConn()
	if err != nil {
		return ignoreGone(err)
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.PidfdSendSignal(int(fd), sig, nil, 0)
	}); err != nil {
		return ignoreGone(err)
	}
	return ignoreGone(serr)
}

// SignalGroup sends sig to the child's process group (its pgid is its pid).
func (c *Child) SignalGroup(sig syscall.Signal) error {
	return ignoreGone(syscall.Kill(-c.Pid, sig))
}

// ignoreGone drops "no such process" and "already closed": the child exited
// and its reap will finish the job.
func ignoreGone(err error) error {
	if errors.Is(err, syscall.ESRCH) || errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}
