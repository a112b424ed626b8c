package sys

import (
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs argv with stdout on a pipe and returns the child and the
// pipe's read end.
func start(t *testing.T, sp *Spawner, umask int, argv ...string) (*Child, *os.File) {
	t.Helper()
	r, w, err := Pipe()
	if err != nil {
		t.Fatal(err)
	}
	null, _ := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	defer null.Close()
	c, err := sp.Start(&Attr{Path: argv[0], Argv: argv, Umask: umask,
		Files: [3]int{int(null.Fd()), w, int(null.Fd())}})
	Close(w)
	if err != nil {
		Close(r)
		t.Fatal(err)
	}
	return c, PollableFile(r, "stdout")
}

func TestSpawnerExitStatusAndOutput(t *testing.T) {
	sp, err := NewSpawner()
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
	sp, err := NewSpawner()
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
