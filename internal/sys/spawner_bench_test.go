package sys

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// BenchmarkSpawnerStart measures starting /bin/sleep, pipes included,
// through a spawning thread; BenchmarkForkExecDirect is a bare fork and exec.
func BenchmarkSpawnerStart(b *testing.B) { benchStart(b, nil) }

// benchStart starts /bin/sleep with the given limits b.N times.
func benchStart(b *testing.B, limits []Rlimit) {
	sp, err := NewSpawner(1)
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	var children []*Child
	for range b.N {
		c, err := sp.Start(&Attr{Path: "/bin/sleep", Argv: []string{"sleep", "1000"}, Umask: -1, Rlimits: limits})
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
		closePipeEnds(&c.Stdio)
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

// BenchmarkSpawnerBurst1000 queues 1000 spawns with pipes at once, keeping
// the parent's ends open as a supervisor does, with one to three spawning
// threads.
func BenchmarkSpawnerBurst1000(b *testing.B) {
	for _, n := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("threads=%d", n), func(b *testing.B) { benchBurst(b, n) })
	}
}

func benchBurst(b *testing.B, threads int) {
	sp, err := NewSpawner(threads)
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	var idle, total int
	for range b.N {
		idle0, tot0 := cpuStat()
		var pend []*Pending
		for range 1000 {
			p, err := sp.Submit(&Attr{Path: "/bin/sleep", Argv: []string{"sleep", "1000"}, Umask: -1})
			if err != nil {
				b.Fatal(err)
			}
			pend = append(pend, p)
		}
		var children []*Child
		for _, p := range pend {
			c, err := p.Wait()
			if err != nil {
				b.Fatal(err)
			}
			children = append(children, c)
		}
		b.StopTimer()
		idle1, tot1 := cpuStat()
		idle, total = idle+idle1-idle0, total+tot1-tot0
		for _, c := range children {
			_ = c.Signal(syscall.SIGKILL)
			_, _ = c.Wait()
			c.Release()
			for _, fd := range c.Stdio {
				Close(fd)
			}
		}
		b.StartTimer()
	}
	// How much of the machine's CPU time went unused during the bursts.
	b.ReportMetric(100*float64(idle)/float64(max(total, 1)), "idle%")
}

// cpuStat returns the machine's idle and total CPU time from /proc/stat.
func cpuStat() (idle, total int) {
	b, _ := os.ReadFile("/proc/stat")
	f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])[1:]
	for i, x := range f {
		n, _ := strconv.Atoi(x)
		total += n
		if i == 3 || i == 4 {
			idle += n
		}
	}
	return
}
