//go:build linux && !portablespawner

package sys

import (
	"errors"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// exitNotifier tells a spawner's children's owners that a child has exited,
// from one goroutine woken by SIGCHLD, for the children without a pidfd
// (see keepPidfd). It costs a child no descriptor: a pidfd would be a fourth
// beside its three pipes, and RLIMIT_NOFILE (often a hard 20000 or less in
// containers) is what bounds how many children a supervisor can run, as it
// bounds supervisord, which holds three. But it costs more CPU per exit:
// asking the kernel for any exited child walks the list of all the
// process's children (0.5 ms with 5000 of them on a 2-core VM), where a
// pidfd wakes its watcher at once. So children hold a pidfd while
// descriptors are plentiful, and come here when they are not.
//
// On SIGCHLD, if it watches any child, it asks the kernel which child is a
// zombie without reaping it (waitid(P_ALL, WNOWAIT)): if one of its own
// watched children, it calls that child's function (which reaps it, see
// Child.WhenExited) and asks again, until none is left. If the zombie is
// not one it watches, the kernel would keep naming that one first: most
// often a child with a pidfd that its watcher is about to reap, so it asks
// again exitPassInterval later; if the same zombie still comes first (a
// child of another spawner, one forked elsewhere in the program and not yet
// waited for, an orphan that a Reaper will take), it checks each watched
// child instead (waitid(P_PID, WNOWAIT)). Passes are not spaced out: a
// supervisor stops its programs one after the other, each waiting for the
// exit of the one before, so an exit's latency is what counts.
//
// It never reaps a child itself and never waits for "any child": a child
// it does not watch keeps its status for its owner.
type exitNotifier struct {
	sigs chan os.Signal
	stop chan struct{}
	done chan struct{}

	mu      sync.Mutex
	watches map[int]func() // pid → called once the child exited
	closed  bool
}

func newExitNotifier() *exitNotifier {
	n := &exitNotifier{
		sigs:    make(chan os.Signal, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
		watches: map[int]func(){},
	}
	signal.Notify(n.sigs, syscall.SIGCHLD)
	go n.loop()
	return n
}

// errNotifierClosed is returned by watch after close.
var errNotifierClosed = errors.New("exit notifier closed")

// watch calls f once the child pid has exited (or can no longer be waited
// for: then its wait reports why), once: at once if it has already exited.
// f runs on the notifier's goroutine or on the caller's and must not
// block. A pid has one watch at a time.
func (n *exitNotifier) watch(pid int, f func()) error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return errNotifierClosed
	}
	n.watches[pid] = f
	n.mu.Unlock()
	// Its SIGCHLD may have been handled before the watch existed.
	if exited(pid) {
		if f := n.take(pid); f != nil {
			f()
		}
	}
	return nil
}

// take removes the watch of pid and returns its function, or nil if there
// is none.
func (n *exitNotifier) take(pid int) func() {
	n.mu.Lock()
	defer n.mu.Unlock()
	f := n.watches[pid]
	delete(n.watches, pid)
	return f
}

// exitPassInterval is how long the notifier gives an exited child it does
// not watch to be reaped by its owner before it checks its own children
// one by one.
const exitPassInterval = 5 * time.Millisecond

func (n *exitNotifier) loop() {
	defer close(n.done)
	hiding := 0 // the zombie that came first at the last pass
	for {
		var retry <-chan time.Time
		if hiding != 0 {
			retry = time.After(exitPassInterval)
		}
		select {
		case <-n.stop:
			return
		case <-n.sigs:
		case <-retry:
		}
		hiding = n.pass(hiding)
	}
}

// pass calls the functions of the watched children that have exited. It
// returns the exited child that it does not watch and that came first, if
// it was not hiding already (then it has checked each watched child).
func (n *exitNotifier) pass(hiding int) int {
	n.mu.Lock()
	none := len(n.watches) == 0
	n.mu.Unlock()
	if none {
		return 0 // every child has a pidfd: nothing to ask the kernel
	}
	last := 0
	for {
		pid := anyExited()
		if pid <= 0 {
			return 0
		}
		if pid != last {
			if f := n.take(pid); f != nil {
				f()
				last = pid // if f leaves it a zombie, do not call it again
				continue
			}
		}
		if pid != hiding {
			return pid
		}
		n.scan()
		return 0
	}
}

// scan checks every watched child.
func (n *exitNotifier) scan() {
	n.mu.Lock()
	pids := make([]int, 0, len(n.watches))
	for pid := range n.watches {
		pids = append(pids, pid)
	}
	n.mu.Unlock()
	for _, pid := range pids {
		if exited(pid) {
			if f := n.take(pid); f != nil {
				f()
			}
		}
	}
}

// close stops the notifier and calls the functions still watching: their
// children are not known to have exited, so each one's Wait then waits in
// the kernel.
func (n *exitNotifier) close() {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.closed = true
	left := n.watches
	n.watches = nil
	n.mu.Unlock()
	signal.Stop(n.sigs)
	close(n.stop)
	<-n.done
	for _, f := range left {
		f()
	}
}

// anyExited returns the pid of a child of the process that has exited and
// not been reaped, without reaping it; 0 if there is none.
func anyExited() int {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_ALL, 0, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0 // ECHILD: no children at all
		}
		return siginfoPid(&info)
	}
}

// exited reports whether the child pid has exited, without reaping it; also
// true if it cannot be waited for (not a child of ours, or already reaped),
// so that its wait reports that.
func exited(pid int) bool {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		if err == unix.EINTR {
			continue
		}
		return err != nil || siginfoPid(&info) == pid
	}
}

// waitExited blocks its thread until the child pid has exited, without
// reaping it: the wait of a child whose notifier is closed.
func waitExited(pid int) {
	for {
		var info unix.Siginfo
		if err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != unix.EINTR {
			return
		}
	}
}

// siginfoPid reads si_pid, the first field of the union that follows
// si_signo, si_errno and si_code, at an offset aligned for a pointer (the
// union holds pointers). The kernel fills it for a child found, and the
// caller's zeroed value stays 0 when none is.
func siginfoPid(info *unix.Siginfo) int {
	const word = unsafe.Sizeof(uintptr(0))
	off := (12 + word - 1) &^ (word - 1)
	return int(*(*int32)(unsafe.Add(unsafe.Pointer(info), off)))
}
