package sys

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs argv and returns the child and its stdout's read end; its
// stdin and stderr ends are closed.
func start(t *testing.T, sp *Spawner, umask int, argv ...string) (*Child, *os.File) {
	t.Helper()
	c, err := sp.Start(&Attr{Path: argv[0], Argv: argv, Umask: umask})
	if err != nil {
		t.Fatal(err)
	}
	Close(c.Stdio[0])
	Close(c.Stdio[2])
	return c, PollableFile(c.Stdio[1], "stdout")
}

func TestSpawnerExitStatusAndOutput(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	c, out := start(t, sp, 0o077, "/bin/sh", "-c", "umask; exit 3")
	defer out.Close()
	data, _ := io.ReadAll(out)
	ws, err := c.Wait()
	if err != nil || !ws.Exited() || ws.ExitStatus() != 3 {
		t.Fatalf("wait: %v %v", ws, err)
	}
	if got := strings.TrimSpace(string(data)); got != "0077" {
		t.Errorf("child umask %q, want 0077", got)
	}
	// The supervisor's own umask is untouched (only the spawning thread's).
	old := syscall.Umask(0o022)
	syscall.Umask(old)
	if old == 0o077 {
		t.Error("the process umask changed")
	}
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("signal after exit: %v (want nil: the child is gone)", err)
	}
	c.Release()
}

func TestSpawnerSignalsAndGroup(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	// The child leads its own process group, so the group signal reaches
	// the grandchild too.
	c, out := start(t, sp, -1, "/bin/sh", "-c", "sleep 1000 & echo $!; wait")
	defer out.Close()
	buf := make([]byte, 64)
	_ = out.SetReadDeadline(time.Now().Add(30 * time.Second))
	n, err := out.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	var grandchild int
	for _, ch := range strings.TrimSpace(string(buf[:n])) {
		grandchild = grandchild*10 + int(ch-'0')
	}
	if pgid, _ := syscall.Getpgid(c.Pid); pgid != c.Pid {
		t.Errorf("child pgid %d, want its pid %d", pgid, c.Pid)
	}
	if err := c.SignalGroup(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	ws, err := c.Wait()
	if err != nil || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("wait: %v %v", ws, err)
	}
	c.Release()
	deadline := time.Now().Add(30 * time.Second)
	for syscall.Kill(grandchild, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if syscall.Kill(grandchild, 0) == nil {
		t.Errorf("grandchild %d survived the group SIGKILL", grandchild)
	}
}

func TestSpawnerPipes(t *testing.T) {
	sp, err := NewSpawner(2)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	for _, merge := range []bool{false, true} {
		c, err := sp.Start(&Attr{Path: "/bin/sh", Umask: -1, MergeStderr: merge,
			Argv: []string{"sh", "-c", "read x; echo out:$x; echo err >&2"}})
		if err != nil {
			t.Fatal(err)
		}
		if merge != (c.Stdio[2] < 0) {
			t.Errorf("merge=%v: stderr fd %d", merge, c.Stdio[2])
		}
		in := os.NewFile(uintptr(c.Stdio[0]), "stdin")
		if _, err := in.WriteString("hello\n"); err != nil {
			t.Fatal(err)
		}
		in.Close()
		out := os.NewFile(uintptr(c.Stdio[1]), "stdout")
		stdout, _ := io.ReadAll(out)
		out.Close()
		var stderr []byte
		if !merge {
			errf := os.NewFile(uintptr(c.Stdio[2]), "stderr")
			stderr, _ = io.ReadAll(errf)
			errf.Close()
		}
		if _, err := c.Wait(); err != nil {
			t.Fatal(err)
		}
		c.Release()
		wantOut, wantErr := "out:hello\nerr\n", ""
		if !merge {
			wantOut, wantErr = "out:hello\n", "err\n"
		}
		if string(stdout) != wantOut || string(stderr) != wantErr {
			t.Errorf("merge=%v: stdout %q stderr %q, want %q %q", merge, stdout, stderr, wantOut, wantErr)
		}
	}
}

// TestSpawnerBurst queues spawns with different umasks on several threads:
// each child gets its own umask.
func TestSpawnerBurst(t *testing.T) {
	sp, err := NewSpawner(3)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	const n = 40
	pend := make([]*Pending, n)
	for i := range pend {
		pend[i], err = sp.Submit(&Attr{Path: "/bin/sh", Umask: i % 8, MergeStderr: true,
			Argv: []string{"sh", "-c", "umask"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range pend {
		c, err := p.Wait()
		if err != nil {
			t.Fatalf("spawn %d: %v", i, err)
		}
		Close(c.Stdio[0])
		out := os.NewFile(uintptr(c.Stdio[1]), "stdout")
		data, _ := io.ReadAll(out)
		out.Close()
		ws, err := c.Wait()
		if err != nil {
			t.Fatal(err)
		}
		c.Release()
		if got, want := strings.TrimSpace(string(data)), fmt.Sprintf("%04o", i%8); got != want {
			t.Errorf("child %d: umask %q, want %s (status %v)", i, got, want, ws)
		}
	}
}

// TestSpawnerCloseDrains: Close still spawns what was queued before it, and
// Submit fails after it. On Linux those children then get the parent-death
// SIGKILL; elsewhere they keep running until killed.
func TestSpawnerCloseDrains(t *testing.T) {
	sp, err := NewSpawner(2)
	if err != nil {
		t.Fatal(err)
	}
	pend := make([]*Pending, 10)
	for i := range pend {
		if pend[i], err = sp.Submit(&Attr{Path: "/bin/sleep", Argv: []string{"sleep", "1000"}, Umask: -1}); err != nil {
			t.Fatal(err)
		}
	}
	sp.Close()
	if _, err := sp.Submit(&Attr{Path: "/bin/true", Argv: []string{"true"}}); err != ErrSpawnerClosed {
		t.Errorf("Submit after Close: %v, want ErrSpawnerClosed", err)
	}
	for i, p := range pend {
		c, err := p.Wait()
		if err != nil {
			t.Fatalf("spawn %d: %v", i, err)
		}
		if !ParentDeathSignal {
			if err := syscall.Kill(c.Pid, 0); err != nil {
				t.Errorf("child %d after Close: %v, want it still running", i, err)
			}
			if err := c.Signal(syscall.SIGKILL); err != nil {
				t.Error(err)
			}
		}
		ws, err := c.Wait()
		if err != nil || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Errorf("child %d after Close: %v %v, want killed by SIGKILL", i, ws, err)
		}
		c.Release()
		for _, fd := range c.Stdio {
			Close(fd)
		}
	}
}

func TestSpawnerForkError(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	before := openFds(t)
	_, err = sp.Start(&Attr{Path: "/bin/true", Argv: []string{"true"}, Umask: -1,
		Dir: "/nonexistent-dir"})
	if !errors.Is(err, syscall.ENOENT) {
		t.Errorf("start in a missing directory: %v, want ENOENT", err)
	}
	if after := openFds(t); after != before {
		t.Errorf("open fds %d after a failed spawn, %d before: pipes leaked", after, before)
	}
}

// openFds counts the open fds below 4096 (more than a test opens), with
// fcntl, which every unix has.
func openFds(t *testing.T) int {
	t.Helper()
	n := 0
	for fd := range 4096 {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
			n++
		}
	}
	return n
}

// SubmitFunc hands each spawn's outcome to its function, in submission
// order, with nobody waiting: the child, or why it did not start; and after
// Close it refuses new spawns.
func TestSpawnerSubmitFunc(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		c   *Child
		err error
	}
	outcomes := make(chan outcome, 2)
	for _, path := range []string{"/bin/sh", "/nonexistent/command"} {
		err := sp.SubmitFunc(&Attr{Path: path, Argv: []string{path, "-c", "exit 4"}, Umask: -1}, func(c *Child, err error) {
			outcomes <- outcome{c, err}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	first := <-outcomes
	if first.err != nil {
		t.Fatalf("first spawn: %v", first.err)
	}
	closePipeEnds(&first.c.Stdio)
	if ws, err := first.c.Wait(); err != nil || ws.ExitStatus() != 4 {
		t.Errorf("first child: %v %v, want exit status 4", ws, err)
	}
	first.c.Release()
	if second := <-outcomes; !errors.Is(second.err, syscall.ENOENT) || second.c != nil {
		t.Errorf("second spawn: %v %v, want ENOENT", second.c, second.err)
	}
	sp.Close()
	if err := sp.SubmitFunc(&Attr{Path: "/bin/true", Argv: []string{"true"}}, func(*Child, error) {
		t.Error("called after Close")
	}); !errors.Is(err, ErrSpawnerClosed) {
		t.Errorf("SubmitFunc after Close: %v, want ErrSpawnerClosed", err)
	}
}
