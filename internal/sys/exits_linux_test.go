//go:build linux && !portablespawner

package sys

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// openFDs counts the process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// startQuiet starts argv with its pipes closed at once: with a pidfd, or
// without one (its exit comes from SIGCHLD).
func startQuiet(t *testing.T, sp *Spawner, pidfd bool, argv ...string) *Child {
	t.Helper()
	c, err := sp.Start(&Attr{Path: argv[0], Argv: argv, Umask: -1, noPidfd: !pidfd})
	if err != nil {
		t.Fatal(err)
	}
	if (c.pidfd >= 0) != pidfd {
		t.Fatalf("child's pidfd %d, want one: %v", c.pidfd, pidfd)
	}
	closePipeEnds(&c.Stdio)
	return c
}

// A child holds a pidfd while fewer than three quarters of the
// descriptors the process may open are open, and none beyond.
func TestPidfdWhileDescriptorsArePlentiful(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			t.Fatal(err)
		}
	}()
	for _, tc := range []struct {
		soft  uint64 // beside the descriptors open
		pidfd bool
	}{{1000, true}, {8, false}} {
		low := lim
		low.Cur = uint64(openFDs(t)) + tc.soft
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
			t.Fatal(err)
		}
		c, err := sp.Start(&Attr{Path: "/bin/sh", Argv: []string{"sh", "-c", "exit 5"}, Umask: -1})
		if err != nil {
			t.Fatal(err)
		}
		if (c.pidfd >= 0) != tc.pidfd {
			t.Errorf("soft limit %d with %d open: pidfd %d, want one: %v", low.Cur, openFDs(t), c.pidfd, tc.pidfd)
		}
		closePipeEnds(&c.Stdio)
		if ws, err := c.Wait(); err != nil || ws.ExitStatus() != 5 {
			t.Errorf("wait: %v %v", ws, err)
		}
		c.Release()
	}
}

// A running child without a pidfd holds its three pipes and nothing else:
// RLIMIT_NOFILE bounds how many children a supervisor can run, and
// supervisord needs three per child too.
func TestRunningChildHoldsOnlyItsPipes(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	const n = 20
	before := openFDs(t)
	var kids []*Child
	for range n {
		c, err := sp.Start(&Attr{Path: "/bin/sleep", Argv: []string{"sleep", "100"}, Umask: -1, noPidfd: true})
		if err != nil {
			t.Fatal(err)
		}
		kids = append(kids, c)
	}
	held := openFDs(t) - before
	for _, c := range kids {
		closePipeEnds(&c.Stdio)
		if err := c.Signal(syscall.SIGKILL); err != nil {
			t.Error(err)
		}
		if _, err := c.Wait(); err != nil {
			t.Error(err)
		}
		c.Release()
	}
	if held != 3*n {
		t.Errorf("%d running children hold %d descriptors, want %d (their pipes)", n, held, 3*n)
	}
}

// A child's exit is still reported while another child of the process, not
// the spawner's, sits unreaped as a zombie: the kernel names that one first
// when asked for any exited child.
func TestExitReportedBehindForeignZombie(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	// A child forked outside the spawner, left a zombie until the end.
	foreign, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		var ws syscall.WaitStatus
		_, _ = syscall.Wait4(foreign, &ws, 0, nil)
	}()
	waitFor(t, "the foreign child's zombie", func() bool { return procState(foreign) == 'Z' })

	for i := range 3 {
		c := startQuiet(t, sp, false, "/bin/sleep", "100")
		f, ch := fired()
		c.WhenExited(f)
		expectFire(t, ch, false, "child still running")
		if err := c.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		expectFire(t, ch, true, "child killed")
		ws, reaped, err := c.TryWait()
		if !reaped || err != nil || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: TryWait: %v %v %v", i, ws, reaped, err)
		}
		if procState(foreign) != 'Z' {
			t.Fatalf("round %d: the foreign zombie was reaped", i)
		}
	}
}

// Every child of a burst that exits at once is reported, though their
// SIGCHLDs merge into fewer signals, and so is every child of a second
// spawner in the same process; half of them have a pidfd.
func TestExitBurstAcrossSpawners(t *testing.T) {
	sps := make([]*Spawner, 2)
	for i := range sps {
		sp, err := NewSpawner(1)
		if err != nil {
			t.Fatal(err)
		}
		defer sp.Close()
		sps[i] = sp
	}
	const perSpawner = 50
	statuses := make(chan syscall.WaitStatus, 2*perSpawner)
	var kids []*Child
	for i := range 2 * perSpawner {
		c := startQuiet(t, sps[i%2], i%4 < 2, "/bin/sleep", "100")
		c.WhenExited(func() {
			ws, reaped, err := c.TryWait()
			if !reaped || err != nil {
				t.Errorf("TryWait in WhenExited: %v %v", reaped, err)
			}
			statuses <- ws
		})
		kids = append(kids, c)
	}
	for _, c := range kids {
		if err := c.SignalGroup(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.After(30 * time.Second)
	for range kids {
		select {
		case ws := <-statuses:
			if ws.Signal() != syscall.SIGTERM {
				t.Errorf("status %v, want killed by SIGTERM", ws)
			}
		case <-deadline:
			t.Fatalf("%d of %d exits reported", len(statuses), len(kids))
		}
	}
	for _, c := range kids {
		if err := c.Signal(syscall.SIGKILL); err != nil {
			t.Errorf("signal after reap: %v (want nil, nothing sent)", err)
		}
		c.Release()
	}
}

// Close reports the children still watched, so that nobody waits on a
// closed watcher; their Wait then waits in the kernel.
func TestCloseHandsWatchedChildrenToWait(t *testing.T) {
	for _, pidfd := range []bool{true, false} {
		t.Run(map[bool]string{true: "pidfd", false: "SIGCHLD"}[pidfd], func(t *testing.T) {
			testCloseHandsWatchedChildrenToWait(t, pidfd)
		})
	}
}

func testCloseHandsWatchedChildrenToWait(t *testing.T, pidfd bool) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	c := startQuiet(t, sp, pidfd, "/bin/sleep", "100")
	f, ch := fired()
	c.WhenExited(f)
	done := make(chan syscall.WaitStatus)
	go func() {
		<-ch
		ws, err := c.Wait()
		if err != nil {
			t.Error(err)
		}
		done <- ws
	}()
	sp.Close() // its thread ends: the child gets its parent-death SIGKILL
	select {
	case ws := <-done:
		if ws.Signal() != syscall.SIGKILL {
			t.Errorf("status %v, want killed by SIGKILL", ws)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Wait never returned after Close")
	}
	c.Release()
}
