package sys

import (
	"os"
	"syscall"
	"testing"
)

// BenchmarkSpawnerStart measures starting /bin/sleep through the spawning
// thread; BenchmarkForkExecDirect is the same without it.
func BenchmarkSpawnerStart(b *testing.B) {
	sp, err := NewSpawner()
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	null, _ := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	defer null.Close()
	var children []*Child
	for range b.N {
		fd := int(null.Fd())
		c, err := sp.Start(&Attr{Path: "/bin/sleep", Argv: []string{"sleep", "1000"}, Umask: -1,
			Files: [3]int{fd, fd, fd}})
		if err != nil {
			b.Fatal(err)
		}
		children = append(children, c)
	}
	b.StopTimer()
	for _, c := range children {
		_ = c.Signal(syscall.SIGKILL)
		_, _ = c.Wait()
		c.Release()
	}
}

func BenchmarkForkExecDirect(b *testing.B) {
	var pids []int
	for range b.N {
		pid, err := syscall.ForkExec("/bin/sleep", []string{"sleep", "1000"}, &syscall.ProcAttr{
			Files: []uintptr{0, 1, 2}, Sys: &syscall.SysProcAttr{Setpgid: true}})
		if err != nil {
			b.Fatal(err)
		}
		pids = append(pids, pid)
	}
	b.StopTimer()
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		var ws syscall.WaitStatus
		_, _ = syscall.Wait4(pid, &ws, 0, nil)
	}
}

// BenchmarkForkExecManyFds is ForkExecDirect while the parent holds 4000
// open pipe ends, as a supervisor of 1000 children does.
func BenchmarkForkExecManyFds(b *testing.B) {
	var files []*os.File
	for range 2000 {
		r, w, err := os.Pipe()
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, r, w)
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	BenchmarkForkExecDirect(b)
}
