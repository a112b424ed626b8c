package sys

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// output starts a child, closes its stdin and returns what it printed on
// stdout and stderr (merged) and its exit status.
func output(t *testing.T, sp *Spawner, a *Attr) (string, syscall.WaitStatus) {
	t.Helper()
	a.MergeStderr = true
	c, err := sp.Start(a)
	if err != nil {
		t.Fatal(err)
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
	return string(data), ws
}

func TestSpawnerDirEnv(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	dir, err := filepath.EvalSymlinks(t.TempDir()) // macOS's /tmp is a link
	if err != nil {
		t.Fatal(err)
	}
	got, _ := output(t, sp, &Attr{Path: "/bin/sh", Argv: []string{"sh", "-c", "pwd -P; echo $FOO"},
		Env: []string{"FOO=bar"}, Dir: dir, Umask: -1})
	if want := dir + "\nbar\n"; got != want {
		t.Errorf("child printed %q, want %q", got, want)
	}
}

// TestSpawnerUmaskInherit mixes spawns with and without their own umask on
// several threads: the ones without get the process's umask, never another
// child's (elsewhere than Linux the umask is process-wide while a child
// forks), and the process's umask is the same afterwards.
func TestSpawnerUmaskInherit(t *testing.T) {
	own := syscall.Umask(0o022)
	syscall.Umask(own)
	sp, err := NewSpawner(3)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	const n = 40
	umask := func(i int) int {
		if i%2 == 0 {
			return -1
		}
		return 0o070 | i%8 // never 0o022, nor (most likely) the process's
	}
	pend := make([]*Pending, n)
	for i := range pend {
		if pend[i], err = sp.Submit(&Attr{Path: "/bin/sh", Argv: []string{"sh", "-c", "umask"},
			Umask: umask(i), MergeStderr: true}); err != nil {
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
		if _, err := c.Wait(); err != nil {
			t.Fatal(err)
		}
		c.Release()
		want := umask(i)
		if want < 0 {
			want = own
		}
		if got := strings.TrimSpace(string(data)); got != fmt.Sprintf("%04o", want) {
			t.Errorf("child %d (Umask %o): umask %s, want %04o", i, umask(i), got, want)
		}
	}
	if now := syscall.Umask(own); now != own {
		t.Errorf("the process's umask is %04o after the spawns, was %04o", now, own)
	}
}

func TestSpawnerCredential(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to switch users")
	}
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	got, ws := output(t, sp, &Attr{Path: "/bin/sh", Argv: []string{"sh", "-c", "id -u; id -g; id -G"},
		Dir: "/", Umask: -1, Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{65533}}})
	if f := strings.Fields(got); len(f) < 3 || f[0] != "65534" || f[1] != "65534" || !strings.Contains(got, "65533") {
		t.Errorf("child printed %q (%v), want uid and gid 65534, groups with 65533", got, ws)
	}
}

func TestSpawnerExecError(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	before := openFds(t)
	_, err = sp.Start(&Attr{Path: "/nonexistent-command", Argv: []string{"x"}, Umask: 0o077})
	var pipeErr *PipeError
	if !errors.Is(err, syscall.ENOENT) || errors.As(err, &pipeErr) {
		t.Errorf("start of a missing command: %v, want ENOENT", err)
	}
	if after := openFds(t); after != before {
		t.Errorf("open fds %d after a failed spawn, %d before: pipes leaked", after, before)
	}
	if got := ErrorText(err); got != "ENOENT" {
		t.Errorf("ErrorText %q, want ENOENT", got)
	}
}

// TestSpawnerSignalWhileWaiting signals a child from other goroutines while
// it is killed and reaped: no signal reports an error, and none after the
// reap reaches anything.
func TestSpawnerSignalWhileWaiting(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	c, err := sp.Start(&Attr{Path: "/bin/sleep", Argv: []string{"sleep", "1000"}, Umask: -1})
	if err != nil {
		t.Fatal(err)
	}
	closePipeEnds(&c.Stdio)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := c.Signal(syscall.SIGCONT); err != nil {
					t.Errorf("signal: %v", err)
					return
				}
				if err := c.SignalGroup(syscall.SIGCONT); err != nil {
					t.Errorf("group signal: %v", err)
					return
				}
			}
		}()
	}
	if err := c.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	ws, err := c.Wait()
	if err != nil || ws.Signal() != syscall.SIGKILL {
		t.Errorf("wait: %v %v", ws, err)
	}
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("signal after Wait: %v", err)
	}
	if err := c.SignalGroup(syscall.SIGTERM); err != nil {
		t.Errorf("group signal after Wait: %v", err)
	}
	close(stop)
	wg.Wait()
	c.Release()
}
