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

// A running child holds its three pipes and nothing else: RLIMIT_NOFILE
// bounds how many children a supervisor can run, and supervisord needs
// three per child too.
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
		c, err := sp.Start(&Attr{Path: "/bin/sleep", Argv: []string{"sleep", "100"}, Umask: -1})
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
		c, out := start(t, sp, -1, "/bin/sleep", "100")
		out.Close()
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
// spawner in the same process.
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
		c, out := start(t, sps[i%2], -1, "/bin/sleep", "100")
		out.Close()
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
// closed notifier; their Wait then waits in the kernel.
func TestCloseHandsWatchedChildrenToWait(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	c, out := start(t, sp, -1, "/bin/sleep", "100")
	out.Close()
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
