package sys

import (
	"bytes"
	"errors"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// owned is the set of children that a Spawner forked and whose Child.Wait
// has not returned: the reaper leaves them alone, so that their exit status
// goes to their Child and nowhere else.
//
// A fork and its registration happen under fork's read lock; a reaper's
// pass holds its write lock. So during a pass no child can exist that was
// forked but is not registered yet, and no pid can be reused by a new fork.
// A pid leaves the set only once its Child.Wait has reaped it (or will
// never); a count per pid, not a flag, because a pid reaped by its Child
// may be reused by a new fork before that Child has unregistered it.
var owned = struct {
	fork sync.RWMutex
	mu   sync.Mutex
	pids map[int]int
}{pids: map[int]int{}}

// forkOwned forks and execs a child, registered as owned before any reaper
// can see it.
func forkOwned(a *Attr, files [3]int) (pid, pidfd int, err error) {
	owned.fork.RLock()
	defer owned.fork.RUnlock()
	pid, pidfd, err = forkExec(a, files)
	if err == nil {
		owned.mu.Lock()
		owned.pids[pid]++
		owned.mu.Unlock()
	}
	return pid, pidfd, err
}

// disown removes one registration of pid: its owner has reaped it, or never
// will (then a reaper may).
func disown(pid int) {
	owned.mu.Lock()
	defer owned.mu.Unlock()
	if owned.pids[pid] <= 1 {
		delete(owned.pids, pid)
	} else {
		owned.pids[pid]--
	}
}

func isOwned(pid int) bool {
	owned.mu.Lock()
	defer owned.mu.Unlock()
	return owned.pids[pid] > 0
}

// SetChildSubreaper makes the calling process a child subreaper (on) or an
// ordinary process again (off): with it, the orphaned descendants of its
// children are reparented to it rather than to the namespace's init, and it
// must reap them (see Reaper). PID 1 reaps orphans without it.
func SetChildSubreaper(on bool) error {
	v := 0
	if on {
		v = 1
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, uintptr(v), 0, 0, 0); err != nil {
		return os.NewSyscallError("prctl(PR_SET_CHILD_SUBREAPER)", err)
	}
	return nil
}

const (
	// reapMinInterval spaces the reaper's passes: a flood of SIGCHLDs (a
	// churn of children, hundreds of orphans exiting at once) costs at
	// most one pass per interval, and a zombie waits at most about that
	// long.
	reapMinInterval = 10 * time.Millisecond
	// reapMaxPerPass bounds how many children one pass reaps before it
	// lets spawns (which its lock holds back) go on; the rest are reaped by
	// the next pass, at once.
	reapMaxPerPass = 256
)

// Reaper reaps the children of this process that no Spawner owns: orphans
// reparented to it as PID 1 or as a child subreaper (a double-forking
// program's leftovers, a killed child's grandchildren). It never takes the
// exit status of a child a Spawner started.
//
// On each SIGCHLD (and once at start) it lists the process's own children
// from /proc/self/task/*/children (or, on kernels without that file, from
// the ppid of every process in /proc) and calls waitpid(pid, WNOHANG) on
// each one that is not owned, under the lock that spawns take to fork and
// register. It never waits for "any child" (wait4(-1) or waitid(P_ALL)),
// which would take a supervised child's status; peeking with WNOWAIT would
// not do either, as a supervised zombie ahead in the kernel's list hides
// the orphans behind it.
//
// Every child of the process must be started through a Spawner while a
// Reaper runs: one started otherwise (os/exec, os.StartProcess) would be
// reaped under its owner's feet.
type Reaper struct {
	report func(pid int, ws syscall.WaitStatus)
	stop   chan struct{}
	done   chan struct{}
	sigs   chan os.Signal
	list   func([]int) []int
}

// StartReaper starts reaping. report, when non-nil, is called on the
// reaper's goroutine for each child reaped, with its wait status; it should
// return quickly. Stop the Reaper when done.
func StartReaper(report func(pid int, ws syscall.WaitStatus)) *Reaper {
	r := &Reaper{
		report: report,
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
		sigs:   make(chan os.Signal, 1),
		list:   listChildrenFromTasks,
	}
	if _, err := os.Stat("/proc/self/task/" + strconv.Itoa(os.Getpid()) + "/children"); errors.Is(err, os.ErrNotExist) {
		r.list = listChildrenFromProc
	}
	signal.Notify(r.sigs, syscall.SIGCHLD)
	go r.loop()
	return r
}

// Stop ends the reaper and waits for its goroutine. Children that exit
// afterwards stay zombies until something reaps them.
func (r *Reaper) Stop() {
	signal.Stop(r.sigs)
	close(r.stop)
	<-r.done
}

func (r *Reaper) loop() {
	defer close(r.done)
	var kids []int
	var reaped []reapedChild
	for {
		var more bool
		kids, reaped, more = r.pass(kids[:0], reaped[:0])
		if r.report != nil {
			for _, c := range reaped {
				r.report(c.pid, c.ws)
			}
		}
		if more {
			select {
			case <-r.stop:
				return
			default:
				continue
			}
		}
		last := time.Now()
		select {
		case <-r.stop:
			return
		case <-r.sigs:
		}
		if d := reapMinInterval - time.Since(last); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-r.stop:
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

type reapedChild struct {
	pid int
	ws  syscall.WaitStatus
}

// pass reaps the children that have exited and that no Spawner owns, at
// most reapMaxPerPass of them; more reports that some may be left.
func (r *Reaper) pass(kids []int, reaped []reapedChild) ([]int, []reapedChild, bool) {
	owned.fork.Lock()
	defer owned.fork.Unlock()
	kids = r.list(kids)
	for _, pid := range kids {
		if isOwned(pid) {
			continue
		}
		var ws syscall.WaitStatus
		for {
			got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG|unix.WALL, nil)
			if err == syscall.EINTR {
				continue
			}
			if err == nil && got == pid {
				reaped = append(reaped, reapedChild{pid, ws})
			}
			break
		}
		if len(reaped) == reapMaxPerPass {
			return kids, reaped, true
		}
	}
	return kids, reaped, false
}

// listChildrenFromTasks appends the pids of the process's children, as
// listed in each of its threads' /proc children file (an orphan is
// reparented to one of the threads).
func listChildrenFromTasks(kids []int) []int {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return kids
	}
	for _, t := range tasks {
		data, err := os.ReadFile("/proc/self/task/" + t.Name() + "/children")
		if err != nil {
			continue // the thread ended
		}
		for _, f := range bytes.Fields(data) {
			if pid, err := strconv.Atoi(string(f)); err == nil {
				kids = append(kids, pid)
			}
		}
	}
	return kids
}

// listChildrenFromProc appends the pids of the processes whose parent is
// this process, from every /proc/<pid>/stat: the fallback for kernels built
// without CONFIG_PROC_CHILDREN.
func listChildrenFromProc(kids []int) []int {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return kids
	}
	self := os.Getpid()
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		if ppid, ok := statPPid(pid); ok && ppid == self {
			kids = append(kids, pid)
		}
	}
	return kids
}

// statPPid reads a process's parent pid from /proc/<pid>/stat.
func statPPid(pid int) (int, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(data[i+1:])
	if len(f) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(string(f[1]))
	return ppid, err == nil
}
