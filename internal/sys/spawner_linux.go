package sys

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// Attr describes one child to start.
type Attr struct {
	Path  string   // executable, already resolved
	Argv  []string // argv, Argv[0] included
	Env   []string // complete environment
	Dir   string   // working directory; "" inherits
	Umask int      // umask for the child; negative inherits
	// Files become the child's fds 0, 1 and 2.
	Files [3]int
	// Credential, when non-nil, switches the child's uid, gid and groups.
	Credential *syscall.Credential
}

// Spawner starts children from one locked OS thread that lives as long as the
// Spawner. Two reasons: the kernel's parent-death signal (which the children
// get so that none outlives a supervisor killed with SIGKILL) fires when the
// *thread* that forked them exits, and Go may end other threads; and the
// thread has its own filesystem attributes (unshare CLONE_FS), so a child's
// umask can be set there without touching the rest of the program.
type Spawner struct {
	reqs chan spawnReq
	done chan struct{}
}

type spawnReq struct {
	attr  *Attr
	reply chan spawnReply
}

type spawnReply struct {
	pid, pidfd int
	err        error
}

// NewSpawner starts the spawning thread. Close it only once every child it
// started has been reaped: its children receive SIGKILL when it ends.
func NewSpawner() (*Spawner, error) {
	s := &Spawner{reqs: make(chan spawnReq), done: make(chan struct{})}
	ready := make(chan error, 1)
	go s.loop(ready)
	if err := <-ready; err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Spawner) loop(ready chan<- error) {
	// Never unlocked: when this goroutine returns, the thread exits with it,
	// which is what we want (its private fs attributes die with it).
	runtime.LockOSThread()
	defer close(s.done)
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		ready <- fmt.Errorf("unshare(CLONE_FS): %w", err)
		return
	}
	ready <- nil
	for req := range s.reqs {
		pid, pidfd, err := forkExec(req.attr)
		req.reply <- spawnReply{pid, pidfd, err}
	}
}

// Start starts a child as described by a. Only the fork happens on the
// spawning thread; the rest is done on the caller's goroutine.
func (s *Spawner) Start(a *Attr) (*Child, error) {
	reply := make(chan spawnReply, 1)
	s.reqs <- spawnReq{a, reply}
	r := <-reply
	if r.err != nil {
		return nil, r.err
	}
	return newChild(r.pid, r.pidfd)
}

// Close ends the spawning thread and waits for it.
func (s *Spawner) Close() {
	close(s.reqs)
	<-s.done
}

func forkExec(a *Attr) (pid, pidfd int, err error) {
	if a.Umask >= 0 {
		old := unix.Umask(a.Umask)
		defer unix.Umask(old)
	}
	pidfd = -1
	attr := &syscall.ProcAttr{
		Dir:   a.Dir,
		Env:   a.Env,
		Files: []uintptr{uintptr(a.Files[0]), uintptr(a.Files[1]), uintptr(a.Files[2])},
		Sys: &syscall.SysProcAttr{
			Setpgid:    true,
			Pdeathsig:  syscall.SIGKILL,
			Credential: a.Credential,
			PidFD:      &pidfd,
		},
	}
	pid, err = syscall.ForkExec(a.Path, a.Argv, attr)
	if err != nil {
		return 0, -1, err
	}
	if pidfd < 0 {
		// No pidfd support (Linux < 5.3): open one now; the child cannot
		// have been reaped yet, since only we reap it.
		pidfd, err = unix.PidfdOpen(pid, 0)
		if err != nil {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			var ws syscall.WaitStatus
			_, _ = syscall.Wait4(pid, &ws, 0, nil)
			return 0, -1, fmt.Errorf("pidfd_open: %w", err)
		}
	}
	return pid, pidfd, nil
}

// ErrorText renders an errno the way supervisord names it (e.g. ENOENT);
// other errors are returned as text.
func ErrorText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if n := unix.ErrnoName(errno); n != "" {
			return n
		}
	}
	return err.Error()
}
