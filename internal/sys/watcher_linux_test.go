//go:build linux && !portablespawner

package sys

import (
	"sync"
	"syscall"
	"testing"
	"time"
)

// watchedPipe returns a watcher and a pipe, closed when the test ends;
// closeW closes the write end early (once).
func watchedPipe(t *testing.T) (w *Watcher, r, wr int, closeW func()) {
	t.Helper()
	w, err := NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	if r, wr, err = Pipe(); err != nil {
		t.Fatal(err)
	}
	closeW = sync.OnceFunc(func() { Close(wr) })
	t.Cleanup(func() { Close(r); closeW() })
	return w, r, wr, closeW
}

// fired returns a function for Watch that counts its calls on a channel.
func fired() (func(), chan struct{}) {
	ch := make(chan struct{}, 4)
	return func() { ch <- struct{}{} }, ch
}

func expectFire(t *testing.T, ch chan struct{}, want bool, what string) {
	t.Helper()
	select {
	case <-ch:
		if !want {
			t.Fatalf("%s: called", what)
		}
	case <-time.After(200 * time.Millisecond):
		if want {
			t.Fatalf("%s: not called", what)
		}
	}
}

// A watch fires once, when its pipe becomes readable; it can be made again
// on the same descriptor; a cancelled watch never fires.
func TestWatcherPipe(t *testing.T) {
	w, r, wr, _ := watchedPipe(t)
	f, ch := fired()
	cancel, err := w.Watch(r, f)
	if err != nil {
		t.Fatal(err)
	}
	expectFire(t, ch, false, "empty pipe")
	if _, err := syscall.Write(wr, []byte("x")); err != nil {
		t.Fatal(err)
	}
	expectFire(t, ch, true, "after a write")
	expectFire(t, ch, false, "a second time") // one-shot, though still readable
	if cancel() {
		t.Error("cancel after the call reported success")
	}

	// Again on the same pipe (still readable): fires at once.
	if _, err := w.Watch(r, f); err != nil {
		t.Fatal(err)
	}
	expectFire(t, ch, true, "watched again")

	// Drained, watched, cancelled, then written: never fires.
	buf := make([]byte, 8)
	if _, err := syscall.Read(r, buf); err != nil {
		t.Fatal(err)
	}
	cancel, err = w.Watch(r, f)
	if err != nil {
		t.Fatal(err)
	}
	if !cancel() {
		t.Error("cancel before the call reported failure")
	}
	if _, err := syscall.Write(wr, []byte("y")); err != nil {
		t.Fatal(err)
	}
	expectFire(t, ch, false, "cancelled")
}

// The end of file (every writer closed) is readable too.
func TestWatcherEOF(t *testing.T) {
	w, r, _, closeW := watchedPipe(t)
	f, ch := fired()
	if _, err := w.Watch(r, f); err != nil {
		t.Fatal(err)
	}
	closeW()
	expectFire(t, ch, true, "end of file")
}

// WhenExited fires when the child exits, not before; TryWait (which does
// not reap a running child) or Wait then returns its status. Close drops
// what has not fired, and Watch fails after it.
func TestWhenExited(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	c, out := start(t, sp, -1, "/bin/sleep", "5")
	defer out.Close()

	f, ch := fired()
	c.WhenExited(f)
	expectFire(t, ch, false, "child still running")
	if _, reaped, err := c.TryWait(); reaped || err != nil {
		t.Fatalf("TryWait of a running child: reaped %v, %v", reaped, err)
	}
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	expectFire(t, ch, true, "child exited")
	ws, reaped, err := c.TryWait()
	if !reaped || err != nil || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("TryWait once exited: %v %v %v", ws, reaped, err)
	}
	c.Release()

	// The same with Wait, on a child that exits by itself.
	c2, out2 := start(t, sp, -1, "/bin/sh", "-c", "exit 7")
	defer out2.Close()
	c2.WhenExited(f)
	expectFire(t, ch, true, "second child exited")
	if ws, err := c2.Wait(); err != nil || ws.ExitStatus() != 7 {
		t.Fatalf("wait: %v %v", ws, err)
	}
	c2.Release()

	// A watch that never fires is dropped by Close.
	r, wr, err := Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer Close(r)
	defer Close(wr)
	if _, err := sp.watcher.Watch(r, f); err != nil {
		t.Fatal(err)
	}
	sp.Close()
	if _, err := sp.watcher.Watch(r, f); err == nil {
		t.Error("Watch after Close succeeded")
	}
	expectFire(t, ch, false, "after Close")
}
