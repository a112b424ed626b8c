//go:build unix

package sys

import (
	"errors"
	"sync"
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
	// The child's fds 0, 1 and 2 are new pipes, made on the spawning thread
	// right before the fork (so that a burst of spawns does not hold every
	// pipe open while the earlier children fork: each open fd makes a fork
	// dearer). The parent's ends are in Child.Stdio. With MergeStderr, fd 2
	// shares fd 1's pipe.
	MergeStderr bool
	// Credential, when non-nil, switches the child's uid, gid and groups.
	Credential *syscall.Credential
	// NotifyFD, when above 2, is the child's fd that NotifyFile (an fd
	// of ours, close-on-exec) becomes; the fds between 3 and it are
	// closed. The caller keeps NotifyFile and closes it after the fork.
	NotifyFD, NotifyFile int
	// Rlimits are set on the child before it execs. Where they are set,
	// on Linux, the child is started through a trampoline (see the
	// package doc); a limit the kernel refuses fails the spawn with an
	// *RlimitError. Elsewhere any limit fails the spawn.
	Rlimits []Rlimit

	noPidfd bool // tests: no pidfd, whatever keepPidfd says
}

// childFiles returns the child's fds: stdio, then NotifyFile as NotifyFD.
func (a *Attr) childFiles(files [3]int) []uintptr {
	out := []uintptr{uintptr(files[0]), uintptr(files[1]), uintptr(files[2])}
	if a.NotifyFD > 2 {
		for len(out) < a.NotifyFD {
			out = append(out, ^uintptr(0)) // -1: closed in the child
		}
		out = append(out, uintptr(a.NotifyFile))
	}
	return out
}

// PipeError reports that the pipes for a child could not be made.
type PipeError struct{ Err error }

func (e *PipeError) Error() string { return e.Err.Error() }
func (e *PipeError) Unwrap() error { return e.Err }

// ErrSpawnerClosed is returned by Submit after Close.
var ErrSpawnerClosed = errors.New("spawner closed")

// Spawner starts children from a few spawning threads that live as long as
// the Spawner. On Linux they are locked OS threads, for two reasons: the
// kernel's parent-death signal (which the children get so that none outlives
// a supervisor killed with SIGKILL) fires when the *thread* that forked them
// exits, and Go may end other threads; and each thread has its own filesystem
// attributes (unshare CLONE_FS), so a child's umask can be set there without
// touching the rest of the program. Elsewhere they are plain goroutines, and
// a umask is set process-wide around the fork (see the package doc).
//
// Requests wait in a queue that the threads take in order, without going to
// sleep between them: a burst of spawns (a supervisor starting, a group
// starting, many children restarting at once) costs one wake-up of a thread,
// not one per child. With more than one thread, consecutive spawns overlap:
// a fork waits for its child's exec, which another CPU can do meanwhile.
type Spawner struct {
	mu      sync.Mutex
	more    sync.Cond // signalled when the queue grows or Close is called
	queue   []queuedSpawn
	closed  bool
	threads sync.WaitGroup
	watcher *Watcher      // the children's quiet pipes
	exits   *exitNotifier // the children's exits
}

// queuedSpawn is a spawn waiting for a spawning thread, and who gets its
// outcome.
type queuedSpawn struct {
	attr *Attr
	then func(*Child, error)
}

// Pending is a spawn submitted with Submit; Wait returns its outcome.
type Pending struct{ done chan spawnOutcome }

type spawnOutcome struct {
	c   *Child
	err error
}

type spawnReply struct {
	pid, pidfd int // pidfd: -1 where the child has none
	stdio      [3]int
	err        error
}

// NewSpawner starts threads spawning threads (at least one). Close it only
// once every child it started has been reaped: on Linux its children receive
// SIGKILL when it ends (elsewhere they keep running).
func NewSpawner(threads int) (*Spawner, error) {
	w, err := NewWatcher()
	if err != nil {
		return nil, err
	}
	s := &Spawner{watcher: w, exits: newExitNotifier()}
	s.more.L = &s.mu
	ready := make(chan error, 1)
	for range max(threads, 1) {
		s.threads.Add(1)
		go s.loop(ready)
		if err := <-ready; err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *Spawner) loop(ready chan<- error) {
	defer s.threads.Done()
	if err := initThread(); err != nil {
		ready <- err
		return
	}
	ready <- nil
	s.mu.Lock()
	for {
		for len(s.queue) == 0 && !s.closed {
			s.more.Wait()
		}
		if len(s.queue) == 0 {
			s.mu.Unlock()
			return
		}
		q := s.queue[0]
		s.queue[0] = queuedSpawn{}
		s.queue = s.queue[1:]
		s.mu.Unlock()
		q.then(s.childOf(spawn(q.attr)))
		s.mu.Lock()
	}
}

// Submit queues a spawn and returns at once; the spawning threads take
// queued spawns in the order they were submitted.
func (s *Spawner) Submit(a *Attr) (*Pending, error) {
	p := &Pending{done: make(chan spawnOutcome, 1)}
	if err := s.SubmitFunc(a, func(c *Child, err error) { p.done <- spawnOutcome{c, err} }); err != nil {
		return nil, err
	}
	return p, nil
}

// SubmitFunc queues a spawn as Submit does, and calls f with its outcome,
// what Pending.Wait would return, on the spawning thread right after the
// fork: f must not block (a send on a buffered channel with room). No
// goroutine waits for the fork meanwhile.
func (s *Spawner) SubmitFunc(a *Attr, f func(*Child, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrSpawnerClosed
	}
	s.queue = append(s.queue, queuedSpawn{attr: a, then: f})
	s.more.Signal()
	return nil
}

// Wait waits for the spawn and returns the started child. Call it once.
func (p *Pending) Wait() (*Child, error) {
	o := <-p.done
	return o.c, o.err
}

// childOf makes the started child of a spawn's reply.
func (s *Spawner) childOf(r spawnReply) (*Child, error) {
	if r.err != nil {
		return nil, r.err
	}
	c, err := newChild(r.pid, r.pidfd)
	if err != nil {
		disown(r.pid) // nobody will wait for it: a Reaper may
		for _, fd := range r.stdio {
			Close(fd)
		}
		return nil, err
	}
	c.Stdio = r.stdio
	c.watcher, c.exits = s.watcher, s.exits
	return c, nil
}

// Start starts a child as described by a and waits for it.
func (s *Spawner) Start(a *Attr) (*Child, error) {
	p, err := s.Submit(a)
	if err != nil {
		return nil, err
	}
	return p.Wait()
}

// Close ends the spawning threads once the queue is empty, and waits for
// them; then the watchers of its children's exits and pipes.
func (s *Spawner) Close() {
	s.mu.Lock()
	s.closed = true
	s.more.Broadcast()
	s.mu.Unlock()
	s.threads.Wait()
	s.watcher.Close()
	s.exits.close()
}

// spawn makes the child's pipes and forks it. It runs on the spawning
// thread.
func spawn(a *Attr) spawnReply {
	r := spawnReply{stdio: [3]int{-1, -1, -1}}
	child := [3]int{-1, -1, -1}
	var err error
	if child[0], r.stdio[0], err = Pipe(); err == nil {
		if r.stdio[1], child[1], err = Pipe(); err == nil {
			if a.MergeStderr {
				child[2] = child[1]
			} else {
				r.stdio[2], child[2], err = Pipe()
			}
		}
	}
	if err != nil {
		r.err = &PipeError{err}
	} else {
		r.pid, r.pidfd, r.err = forkOwned(a, child)
	}
	closePipeEnds(&child)
	if r.err != nil {
		closePipeEnds(&r.stdio)
	}
	return r
}

// closePipeEnds closes the fds of one side of a child's pipes (fd 2 may be
// fd 1's) and marks them closed.
func closePipeEnds(fds *[3]int) {
	Close(fds[0])
	Close(fds[1])
	if fds[2] != fds[1] {
		Close(fds[2])
	}
	*fds = [3]int{-1, -1, -1}
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
