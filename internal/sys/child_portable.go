//go:build (unix && !linux) || (linux && portablespawner)

package sys

import (
	"errors"
	"os"
	"syscall"
)

// Child is a started child process. Here its exit is observed by
// the goroutine that calls Wait, which holds an OS thread blocked in the
// kernel (waitid or wait6 through package os) until the child has exited.
// The pid stays valid (not reused) until Wait has returned: Wait marks the
// child done before it reaps it, so a later Signal is not sent at all.
type Child struct {
	Pid int
	// Stdio holds the parent's ends of the child's pipes:
	// the write end of the child's stdin, the read ends of its stdout and
	// stderr, as raw close-on-exec fds owned by the caller; -1 where none.
	Stdio   [3]int
	proc    *os.Process
	watcher *Watcher
	exits   *exitNotifier // none here
}

func newChild(pid, _ int) (*Child, error) {
	proc, err := os.FindProcess(pid) // never fails on unix
	if err != nil {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		var ws syscall.WaitStatus
		_, _ = syscall.Wait4(pid, &ws, 0, nil)
		return nil, err
	}
	return &Child{Pid: pid, Stdio: [3]int{-1, -1, -1}, proc: proc}, nil
}

// WhenExited calls f at once: here only a goroutine blocked in
// Wait learns of the exit.
func (c *Child) WhenExited(f func()) { f() }

// Watcher returns the spawner's watcher, which watches nothing here.
func (c *Child) Watcher() *Watcher { return c.watcher }

// TryWait never reaps here (package os does, in Wait): it reports false,
// and Wait must be called.
func (c *Child) TryWait() (syscall.WaitStatus, bool, error) { return 0, false, nil }

// Wait blocks until the child has exited, reaps it and returns its status.
// Call it exactly once. Signalling the reaped child is harmless: the signal
// is not sent, so no other process can be reached.
func (c *Child) Wait() (syscall.WaitStatus, error) {
	// Reaped now, or never by us: a Reaper may take the pid from here on.
	defer disown(c.Pid)
	ps, err := c.proc.Wait()
	if err != nil {
		return 0, err
	}
	return ps.Sys().(syscall.WaitStatus), nil
}

// Release frees what the child holds once it has been reaped and will not
// be signalled again.
func (c *Child) Release() { _ = c.proc.Release() }

// Signal sends sig to the child only.
func (c *Child) Signal(sig syscall.Signal) error {
	return ignoreGone(c.proc.Signal(sig))
}

// SignalGroup sends sig to the child's process group (its pgid is its pid).
func (c *Child) SignalGroup(sig syscall.Signal) error {
	return ignoreGone(syscall.Kill(-c.Pid, sig))
}

// ignoreGone drops "no such process" and "already finished": the child
// exited and its reap will finish the job, or has.
func ignoreGone(err error) error {
	if errors.Is(err, syscall.ESRCH) || errors.Is(err, os.ErrProcessDone) {
		return nil
	}
	return err
}
