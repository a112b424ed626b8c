//go:build linux && !portablespawner

package sys

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/supervise-go/supervisor/internal/proctest"
	"golang.org/x/sys/unix"
)

// limitsLine finds a limit in a /proc/PID/limits text, e.g. "Max open
// files": its soft and hard value.
func limitsLine(t *testing.T, limits, name string) (soft, hard string) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s+(\S+)\s+(\S+)`).FindStringSubmatch(limits)
	if m == nil {
		t.Fatalf("no %q line in\n%s", name, limits)
	}
	return m[1], m[2]
}

// TestSpawnerRlimits starts a shell with limits through the trampoline: it
// has them, and every other attribute (directory, environment without the
// trampoline's marker, process group, fds with the notify fd and none of
// the trampoline's) is as for a direct fork.
func TestSpawnerRlimits(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	notifyR, notifyW, err := Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer Close(notifyR)
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got, ws := output(t, sp, &Attr{
		Path: "/bin/sh",
		Argv: []string{"sh", "-c", `cat /proc/$$/limits; echo "dir=$(pwd -P)"; echo "env=$(env | grep -c TRAMPOLINE)"; ` +
			`echo "pgid=$(ps -o pgid= -p $$ | tr -d ' ') pid=$$"; echo fds:; ls /proc/$$/fd; echo end`},
		Env: []string{"PATH=/usr/bin:/bin", "FOO=bar"}, Dir: dir, Umask: -1,
		NotifyFD: 3, NotifyFile: notifyW,
		Rlimits: []Rlimit{{Name: "nofile", Cur: 100, Max: 200}, {Name: "core", Cur: 0, Max: 0},
			{Name: "fsize", Cur: ^uint64(0), Max: ^uint64(0)}, {Name: "nice", Cur: 0, Max: 0}},
	})
	Close(notifyW)
	if ws.ExitStatus() != 0 {
		t.Fatalf("child exited %v:\n%s", ws, got)
	}
	for _, want := range []struct{ name, soft, hard string }{
		{"Max open files", "100", "200"},
		{"Max core file size", "0", "0"},
		{"Max file size", "unlimited", "unlimited"},
		{"Max nice priority", "0", "0"},
	} {
		if soft, hard := limitsLine(t, got, want.name); soft != want.soft || hard != want.hard {
			t.Errorf("%s: %s %s, want %s %s", want.name, soft, hard, want.soft, want.hard)
		}
	}
	if !strings.Contains(got, "env=0") {
		t.Errorf("the trampoline's marker is in the command's environment:\n%s", got)
	}
	// The same shell without limits (a direct fork) has the same fds: the
	// trampoline's status pipe is not among them.
	fds := func(out string) string {
		_, after, _ := strings.Cut(out, "fds:\n")
		list, _, _ := strings.Cut(after, "end\n")
		return list
	}
	notifyW2 := dupFD(t, notifyR)
	direct, _ := output(t, sp, &Attr{Path: "/bin/sh", Argv: []string{"sh", "-c", "echo fds:; ls /proc/$$/fd; echo end"},
		Umask: -1, NotifyFD: 3, NotifyFile: notifyW2})
	Close(notifyW2)
	if fds(got) != fds(direct) || !strings.Contains(fds(got), "3\n") {
		t.Errorf("fds with limits:\n%swithout:\n%s", fds(got), fds(direct))
	}
	if m := regexp.MustCompile(`dir=(\S+)`).FindStringSubmatch(got); m == nil || m[1] != dir {
		t.Errorf("child's directory: %q, want %s", m, dir)
	}
	if m := regexp.MustCompile(`pgid=(\d+) pid=(\d+)`).FindStringSubmatch(got); m == nil || m[1] != m[2] {
		t.Errorf("child's process group: %q, want its own", m)
	}
}

// TestSpawnerRlimitNofile checks nofile alone: Go's runtime in
// the trampoline raises its soft limit at start and would put back the
// one it found; the command must get what was asked, soft and hard.
func TestSpawnerRlimitNofile(t *testing.T) {
	// A soft limit below the hard one, so that the trampoline's runtime
	// raises it at start (as it does where soft limits are low).
	var own syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &own); err != nil {
		t.Fatal(err)
	}
	lowered := own
	lowered.Cur = min(own.Cur, own.Max/2)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lowered); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &own) }()
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	for _, lim := range []Rlimit{{Name: "nofile", Cur: 64, Max: 4096}, {Name: "nofile", Cur: 4095, Max: 4096}, {Name: "nofile", Cur: 4096, Max: 4096}, {Name: "nofile", Cur: 64, Max: own.Max}} {
		got, _ := output(t, sp, &Attr{Path: "/bin/cat", Argv: []string{"cat", "/proc/self/limits"}, Umask: -1, Rlimits: []Rlimit{lim}})
		soft, hard := limitsLine(t, got, "Max open files")
		if soft != fmt.Sprint(lim.Cur) || hard != fmt.Sprint(lim.Max) {
			t.Errorf("nofile %d:%d: the command has %s:%s", lim.Cur, lim.Max, soft, hard)
		}
	}
}

// TestSpawnerRlimitAsOtherUser starts children that run as nobody. Their
// limits are set before the user switch, so a root supervisor may lower
// them (even without CAP_SYS_RESOURCE, as in a container, where setting
// another user's limits from outside would be refused) and may raise the
// hard nofile limit above its own exactly when it holds CAP_SYS_RESOURCE.
func TestSpawnerRlimitAsOtherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to switch users")
	}
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	nobody := &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{65533}}
	got, ws := output(t, sp, &Attr{Path: "/bin/sh", Argv: []string{"sh", "-c", "id -u; id -G; cat /proc/$$/limits"},
		Dir: "/", Umask: -1, Credential: nobody,
		Rlimits: []Rlimit{{Name: "nofile", Cur: 50, Max: 60}, {Name: "core", Cur: 0, Max: 0}}})
	if f := strings.Fields(got); len(f) < 2 || f[0] != "65534" || !strings.Contains(got, "65533") {
		t.Fatalf("child (%v) printed %q, want uid 65534 and group 65533 first", ws, got)
	}
	if soft, hard := limitsLine(t, got, "Max open files"); soft != "50" || hard != "60" {
		t.Errorf("nofile %s:%s, want 50:60", soft, hard)
	}

	var own syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &own); err != nil {
		t.Fatal(err)
	}
	raise := []Rlimit{{Name: "nofile", Cur: own.Max + 1000, Max: own.Max + 1000}}
	if !hasCapSysResource(t) {
		_, err := sp.Start(&Attr{Path: "/bin/true", Argv: []string{"true"}, Umask: -1, Credential: nobody, Rlimits: raise})
		var rlErr *RlimitError
		if !errors.As(err, &rlErr) || rlErr.Rlimit.Name != "nofile" || !errors.Is(err, syscall.EPERM) {
			t.Errorf("raise without CAP_SYS_RESOURCE: %v, want an *RlimitError for nofile with EPERM", err)
		}
		return
	}
	got, _ = output(t, sp, &Attr{Path: "/bin/cat", Argv: []string{"cat", "/proc/self/limits"},
		Dir: "/", Umask: -1, Credential: nobody, Rlimits: raise})
	if soft, hard := limitsLine(t, got, "Max open files"); soft != fmt.Sprint(raise[0].Cur) || hard != fmt.Sprint(raise[0].Max) {
		t.Errorf("nofile %s:%s, want %d:%d", soft, hard, raise[0].Cur, raise[0].Max)
	}
}

// hasCapSysResource reports whether this process may raise hard limits.
func hasCapSysResource(t *testing.T) bool {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`CapEff:\s*([0-9a-f]+)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("no CapEff in /proc/self/status")
	}
	caps, err := strconv.ParseUint(string(m[1]), 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	return caps&(1<<unix.CAP_SYS_RESOURCE) != 0
}

// TestSpawnerRlimitRefused asks for more open files than the kernel allows
// (fs.nr_open): the spawn fails with an error that names the limit, and
// leaves no fd open and no child behind.
func TestSpawnerRlimitRefused(t *testing.T) {
	nrOpen, err := proctest.NrOpen()
	if err != nil {
		t.Fatal(err)
	}
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	before := openFds(t)
	_, err = sp.Start(&Attr{Path: "/bin/sleep", Argv: []string{"sleep", "100"}, Umask: -1,
		Rlimits: []Rlimit{{Name: "core", Cur: 0, Max: 0}, {Name: "nofile", Cur: nrOpen + 1, Max: nrOpen + 1}}})
	var rlErr *RlimitError
	if !errors.As(err, &rlErr) || rlErr.Rlimit.Name != "nofile" || !errors.Is(err, syscall.EPERM) {
		t.Fatalf("start with nofile above fs.nr_open: %v, want an *RlimitError for nofile with EPERM", err)
	}
	if want := fmt.Sprintf("couldn't set resource limit nofile to %d:%d: operation not permitted", nrOpen+1, nrOpen+1); err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if after := openFds(t); after != before {
		t.Errorf("open fds %d after a refused limit, %d before", after, before)
	}
	assertNoChildren(t)

	_, err = sp.Start(&Attr{Path: "/bin/true", Argv: []string{"true"}, Umask: -1, Rlimits: []Rlimit{{Name: "bogus"}}})
	if !errors.As(err, &rlErr) || rlErr.Rlimit.Name != "bogus" {
		t.Errorf("start with an unknown limit: %v, want an *RlimitError", err)
	}
}

// TestSpawnerRlimitExecError starts a missing command with limits: the
// trampoline's failed exec is the spawn's ENOENT, as for a direct fork.
func TestSpawnerRlimitExecError(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	before := openFds(t)
	_, err = sp.Start(&Attr{Path: "/nonexistent-command", Argv: []string{"x"}, Umask: -1,
		Rlimits: []Rlimit{{Name: "core", Cur: 0, Max: 0}}})
	if !errors.Is(err, syscall.ENOENT) {
		t.Errorf("start of a missing command with limits: %v, want ENOENT", err)
	}
	if after := openFds(t); after != before {
		t.Errorf("open fds %d after a failed spawn, %d before", after, before)
	}
	assertNoChildren(t)
}

// assertNoChildren fails if this process has a child (a zombie included).
func assertNoChildren(t *testing.T) {
	t.Helper()
	var ws syscall.WaitStatus
	if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); err != syscall.ECHILD {
		t.Errorf("a child is left: wait4 gave pid %d, %v", pid, err)
	}
}

// dupFD returns a close-on-exec copy of fd.
func dupFD(t *testing.T, fd int) int {
	t.Helper()
	n, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// BenchmarkSpawnerStartRlimit is BenchmarkSpawnerStart for a child with a
// limit, started through the trampoline.
func BenchmarkSpawnerStartRlimit(b *testing.B) {
	benchStart(b, []Rlimit{{Name: "core", Cur: 0, Max: 0}})
}
