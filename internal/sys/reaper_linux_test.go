package sys

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The reaper tests make the test process a child subreaper and reap its
// unowned children: process-wide effects, so they do not run in parallel
// with other tests (none of which starts children outside a Spawner).

// reapLog collects what a Reaper reports.
type reapLog struct {
	mu  sync.Mutex
	got map[int]syscall.WaitStatus
}

func (l *reapLog) report(pid int, ws syscall.WaitStatus) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got[pid] = ws
}

func (l *reapLog) status(pid int) (syscall.WaitStatus, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ws, ok := l.got[pid]
	return ws, ok
}

func (l *reapLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.got)
}

func startReaper(t *testing.T) *reapLog {
	t.Helper()
	if err := SetChildSubreaper(true); err != nil {
		t.Fatal(err)
	}
	l := &reapLog{got: map[int]syscall.WaitStatus{}}
	r := StartReaper(l.report)
	t.Cleanup(func() {
		r.Stop()
		if err := SetChildSubreaper(false); err != nil {
			t.Error(err)
		}
	})
	return l
}

// procState is the state letter of a process (Z for a zombie), or 0 when
// it is gone.
func procState(pid int) byte {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return 0
	}
	return data[i+2]
}

// zombies lists this process's children that are zombies, except those in
// keep.
func zombies(keep ...int) []int {
	var z []int
	for _, pid := range listChildrenFromTasks(nil) {
		if procState(pid) == 'Z' && !slices.Contains(keep, pid) {
			z = append(z, pid)
		}
	}
	return z
}

// waitFor polls cond for up to 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// readPids reads the whitespace-separated pids a child prints, until EOF.
func readPids(t *testing.T, fd int) []int {
	t.Helper()
	f := PollableFile(fd, "stdout")
	defer f.Close()
	_ = f.SetReadDeadline(time.Now().Add(30 * time.Second))
	var pids []int
	sc := bufio.NewScanner(f)
	sc.Split(bufio.ScanWords)
	for sc.Scan() {
		pid, err := strconv.Atoi(sc.Text())
		if err != nil {
			t.Fatalf("child printed %q", sc.Text())
		}
		pids = append(pids, pid)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return pids
}

// A supervised child leaves an orphan that is reparented to us and exits
// while the child's own zombie waits to be reaped by its Child: the reaper
// takes the orphan (it is not hidden behind the zombie) and leaves the
// child's status to Child.Wait.
func TestReaperAdoptsOrphansAndLeavesOwnedChildren(t *testing.T) {
	log := startReaper(t)
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	// The backgrounded sh prints its pid and outlives its parent by 0.2 s,
	// then exits 5; the supervised sh exits 7 at once.
	c, err := sp.Start(&Attr{Path: "/bin/sh", Umask: -1, MergeStderr: true,
		Argv: []string{"sh", "-c", `sh -c 'sleep 0.2; exit 5' & echo $!; exit 7`}})
	if err != nil {
		t.Fatal(err)
	}
	Close(c.Stdio[0])
	orphans := readPids(t, c.Stdio[1]) // EOF once the orphan has exited
	if len(orphans) != 1 {
		t.Fatalf("orphans %v", orphans)
	}
	orphan := orphans[0]
	waitFor(t, "the orphan's reap", func() bool { _, ok := log.status(orphan); return ok })
	ws, _ := log.status(orphan)
	if !ws.Exited() || ws.ExitStatus() != 5 {
		t.Errorf("orphan %d reaped with %v, want exit status 5", orphan, ws)
	}
	// The supervised child is still a zombie, its status untaken.
	if s := procState(c.Pid); s != 'Z' {
		t.Errorf("supervised child %d in state %q, want Z (unreaped)", c.Pid, s)
	}
	if _, ok := log.status(c.Pid); ok {
		t.Errorf("the reaper reaped the supervised child %d", c.Pid)
	}
	ws, err = c.Wait()
	c.Release()
	if err != nil || !ws.Exited() || ws.ExitStatus() != 7 {
		t.Errorf("supervised child: %v %v, want exit status 7", ws, err)
	}
	if z := zombies(); len(z) > 0 {
		t.Errorf("zombies left: %v", z)
	}
}

// Many supervised children that double-fork, restarting as they exit,
// each with its own exit status: every status reaches its Child, every
// orphan is reaped, no zombie is left.
func TestReaperChurn(t *testing.T) {
	log := startReaper(t)
	sp, err := NewSpawner(2)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	const workers, rounds = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				code := (w*rounds + i) % 100
				c, err := sp.Start(&Attr{Path: "/bin/sh", Umask: -1, Argv: []string{"sh", "-c",
					fmt.Sprintf("(sleep 0.0%d &) ; exit %d", i%10, code)}})
				if err != nil {
					errs <- err
					return
				}
				for _, fd := range c.Stdio {
					Close(fd)
				}
				ws, err := c.Wait()
				c.Release()
				if err != nil || !ws.Exited() || ws.ExitStatus() != code {
					errs <- fmt.Errorf("child %d: %v %v, want exit status %d", c.Pid, ws, err, code)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	waitFor(t, "every orphan's reap", func() bool { return log.count() >= workers*rounds })
	waitFor(t, "no zombie", func() bool { return len(zombies()) == 0 })
}

// Hundreds of orphans exiting at once are all reaped, in a bounded time,
// and a child started meanwhile still gets its own status.
func TestReaperFlood(t *testing.T) {
	log := startReaper(t)
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	const n = 300 // more than one pass takes (reapMaxPerPass)
	// The orphans are cats reading the parent's stdin, whose write end we
	// hold: closing it makes them all exit at once.
	c, err := sp.Start(&Attr{Path: "/bin/sh", Umask: -1, MergeStderr: true, Argv: []string{"sh", "-c",
		fmt.Sprintf(`exec 3<&0; i=0; while [ $i -lt %d ]; do cat <&3 >/dev/null 2>&1 & echo $!; i=$((i+1)); done; exit 3`, n)}})
	if err != nil {
		t.Fatal(err)
	}
	orphans := readPids(t, c.Stdio[1])
	ws, err := c.Wait()
	c.Release()
	if err != nil || ws.ExitStatus() != 3 {
		t.Fatalf("parent: %v %v", ws, err)
	}
	if len(orphans) != n {
		t.Fatalf("%d orphans, want %d", len(orphans), n)
	}
	Close(c.Stdio[0])
	// Meanwhile, supervision goes on.
	k, err := sp.Start(&Attr{Path: "/bin/sh", Umask: -1, Argv: []string{"sh", "-c", "sleep 0.5; exit 9"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range k.Stdio {
		Close(fd)
	}
	start := time.Now()
	waitFor(t, "the flood's reap", func() bool {
		for _, pid := range orphans {
			if _, ok := log.status(pid); !ok {
				return false
			}
		}
		return true
	})
	t.Logf("%d orphans reaped within %v of their exit", n, time.Since(start))
	for _, pid := range orphans {
		if ws, _ := log.status(pid); !ws.Exited() || ws.ExitStatus() != 0 {
			t.Errorf("orphan %d: %v, want exit status 0", pid, ws)
		}
	}
	ws, err = k.Wait()
	k.Release()
	if err != nil || !ws.Exited() || ws.ExitStatus() != 9 {
		t.Errorf("child started during the flood: %v %v, want exit status 9", ws, err)
	}
	if z := zombies(); len(z) > 0 {
		t.Errorf("zombies left: %v", z)
	}
}

// Both ways of listing the children agree.
func TestListChildren(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	var kids []*Child
	for range 3 {
		c, err := sp.Start(&Attr{Path: "/bin/sleep", Argv: []string{"sleep", "1000"}, Umask: -1})
		if err != nil {
			t.Fatal(err)
		}
		kids = append(kids, c)
	}
	a, b := listChildrenFromTasks(nil), listChildrenFromProc(nil)
	slices.Sort(a)
	slices.Sort(b)
	for _, c := range kids {
		if !slices.Contains(a, c.Pid) {
			t.Errorf("child %d missing from the tasks' lists %v", c.Pid, a)
		}
		_ = c.Signal(syscall.SIGKILL)
		_, _ = c.Wait()
		c.Release()
		for _, fd := range c.Stdio {
			Close(fd)
		}
	}
	if !slices.Equal(a, b) {
		t.Errorf("children from tasks %v, from /proc %v", a, b)
	}
	if ppid, ok := statPPid(os.Getpid()); !ok || ppid != os.Getppid() {
		t.Errorf("statPPid(self) = %d %v, want %d", ppid, ok, os.Getppid())
	}
	if _, ok := statPPid(-1); ok {
		t.Error("statPPid(-1) succeeded")
	}
}
