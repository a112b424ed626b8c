package supervisor

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/supervise-go/supervisor/internal/sys"
)

// The benchmarks compare the supervisor with plain os/exec doing the same
// work without supervision, in the same run:
//
//	go test -run '^$' -bench . -benchtime 3x
//
// Figures go in the closing notes of the issues; see README.

func sleepSpecs(n int) []ProgramSpec {
	specs := make([]ProgramSpec, n)
	for i := range specs {
		s := newSpec(fmt.Sprintf("s%04d", i), "/bin/sleep 1000")
		s.StartSecs = -1
		s.Stdout.File, s.Stderr.File = "", ""
		specs[i] = s
	}
	return specs
}

// runningSup serves specs and returns once every process is RUNNING.
func runningSup(b *testing.B, specs []ProgramSpec) (s *Supervisor, stop func()) {
	s = New()
	if err := addSpecs(s, specs...); err != nil {
		b.Fatal(err)
	}
	sub := s.Subscribe(len(specs) * 4)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Serve(ctx); close(done) }()
	running := 0
	for running < len(specs) {
		ev := <-sub.C
		if ev.Kind == EventProcessState && ev.To == Running {
			running++
		}
	}
	sub.Close()
	return s, func() { cancel(); <-done }
}

// BenchmarkStart1000 measures launch to all 1000 processes RUNNING.
func BenchmarkStart1000(b *testing.B) {
	specs := sleepSpecs(1000)
	for range b.N {
		_, stop := runningSup(b, specs)
		b.StopTimer()
		stop()
		b.StartTimer()
	}
}

// BenchmarkStart1000OsExec is the baseline: 1000 exec.Cmd.Start calls.
func BenchmarkStart1000OsExec(b *testing.B) {
	for range b.N {
		cmds := make([]*exec.Cmd, 1000)
		for i := range cmds {
			cmds[i] = exec.Command("/bin/sleep", "1000")
			cmds[i].SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmds[i].Start(); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		killAll(cmds)
		b.StartTimer()
	}
}

// BenchmarkStart1000OsExecPipes is the like-for-like baseline: os/exec
// keeping each child's stdin, stdout and stderr pipes open, as any
// supervisor must (each held fd makes every later fork and exec dearer).
func BenchmarkStart1000OsExecPipes(b *testing.B) {
	for range b.N {
		cmds := make([]*exec.Cmd, 1000)
		for i := range cmds {
			cmds[i] = exec.Command("/bin/sleep", "1000")
			cmds[i].SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if _, err := cmds[i].StdinPipe(); err != nil {
				b.Fatal(err)
			}
			if _, err := cmds[i].StdoutPipe(); err != nil {
				b.Fatal(err)
			}
			if _, err := cmds[i].StderrPipe(); err != nil {
				b.Fatal(err)
			}
			if err := cmds[i].Start(); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		killAll(cmds)
		b.StartTimer()
	}
}

func killAll(cmds []*exec.Cmd) {
	for _, c := range cmds {
		_ = c.Process.Kill()
	}
	for _, c := range cmds {
		_ = c.Wait()
	}
}

// BenchmarkStopAll1000 measures stopping 1000 RUNNING processes (SIGTERM,
// reaped) with StopAll.
func BenchmarkStopAll1000(b *testing.B) {
	specs := sleepSpecs(1000)
	for range b.N {
		b.StopTimer()
		s, stop := runningSup(b, specs)
		b.StartTimer()
		if err := s.StopProcesses(context.Background(), s.Processes()...); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		stop()
		b.StartTimer()
	}
}

// BenchmarkStopAll1000OsExec is the baseline: SIGTERM to 1000 children,
// then wait for each.
func BenchmarkStopAll1000OsExec(b *testing.B) {
	for range b.N {
		b.StopTimer()
		cmds := make([]*exec.Cmd, 1000)
		for i := range cmds {
			cmds[i] = exec.Command("/bin/sleep", "1000")
			if err := cmds[i].Start(); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		for _, c := range cmds {
			_ = c.Process.Signal(syscall.SIGTERM)
		}
		for _, c := range cmds {
			_ = c.Wait()
		}
	}
}

// BenchmarkRestartChurn: 20 programs that exit at once, autorestart=true,
// startsecs=0. Reports restarts per second.
func BenchmarkRestartChurn(b *testing.B) {
	specs := make([]ProgramSpec, 20)
	for i := range specs {
		s := newSpec(fmt.Sprintf("t%02d", i), "/bin/true")
		s.StartSecs = -1
		s.AutoRestart = RestartAlways
		s.Stdout.File, s.Stderr.File = "", ""
		specs[i] = s
	}
	s := New()
	if err := addSpecs(s, specs...); err != nil {
		b.Fatal(err)
	}
	sub := s.Subscribe(1 << 14)
	defer sub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Serve(ctx); close(done) }()
	b.ResetTimer()
	start := time.Now()
	restarts := 0
	for restarts < b.N {
		ev := <-sub.C
		if ev.Kind == EventProcessState && ev.To == Starting {
			restarts++
		}
	}
	b.ReportMetric(float64(restarts)/time.Since(start).Seconds(), "restarts/s")
	b.StopTimer()
	cancel()
	<-done
}

// BenchmarkRestartChurnOsExec is the baseline: 20 goroutines each running
// /bin/true in a loop.
func BenchmarkRestartChurnOsExec(b *testing.B) {
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n.Add(1) <= int64(b.N) {
				if err := exec.Command("/bin/true").Run(); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "restarts/s")
}

// BenchmarkRespawnAfterKill: time from SIGKILL of a RUNNING child
// (startsecs=0) to its replacement being RUNNING; reports the median.
// RESPAWN_GAP_MS=50 pauses between kills as daemonbench does, so that the
// CPUs are idle when the kill comes (slower: a cold wake-up per hand-off).
func BenchmarkRespawnAfterKill(b *testing.B) {
	spec := sleepSpecs(1)[0]
	spec.AutoRestart = RestartAlways
	s, stop := runningSup(b, []ProgramSpec{spec})
	defer stop()
	sub := s.Subscribe(64)
	defer sub.Close()
	var lat []time.Duration
	b.ResetTimer()
	for range b.N {
		info := s.Processes()[0].Info()
		t0 := time.Now()
		if err := syscall.Kill(info.Pid, syscall.SIGKILL); err != nil {
			b.Fatal(err)
		}
		for ev := range sub.C {
			if ev.Kind == EventProcessState && ev.To == Running && ev.Pid != info.Pid {
				break
			}
		}
		lat = append(lat, time.Since(t0))
		if gap := os.Getenv("RESPAWN_GAP_MS"); gap != "" {
			n, _ := strconv.Atoi(gap)
			time.Sleep(time.Duration(n) * time.Millisecond)
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
}

// BenchmarkIdle500 starts 500 sleeping children and measures, while
// nothing happens, the supervisor's CPU time, OS threads and resident
// memory. Run it with -benchtime 1x; -idle sets the quiet period.
func BenchmarkIdle500(b *testing.B) {
	s, stop := runningSup(b, sleepSpecs(500))
	defer stop()
	_ = s
	quiet := 5 * time.Second
	if v := os.Getenv("IDLE_SECONDS"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			quiet = time.Duration(n) * time.Second
		}
	}
	b.ResetTimer()
	for range b.N {
		var before, after syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
		time.Sleep(quiet)
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
		b.ReportMetric(cpu.Seconds(), "cpu-s")
		b.ReportMetric(quiet.Seconds(), "quiet-s")
	}
	b.StopTimer()
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && f[0] == "Threads:":
			n, _ := strconv.Atoi(f[1])
			b.ReportMetric(float64(n), "threads")
		case len(f) >= 2 && f[0] == "VmRSS:":
			kb, _ := strconv.Atoi(f[1])
			b.ReportMetric(float64(kb)/1024, "RSS-MiB")
		}
	}
}

// BenchmarkIdleHeap500 measures what an idle RUNNING process keeps alive in
// the supervisor, with 500 sleeping children and no log files: the live
// heap (HeapAlloc) and the goroutine stacks (StackInuse) while they run,
// less the same once they are stopped and their supervisor is gone, per
// process. Measuring against the stopped state leaves out what the first
// run initialises once (package tables, caches) and what an earlier
// iteration left for the collector. IDLE_HEAPPROFILE=FILE writes a heap
// profile while they idle; with -memprofilerate=1 it shows every byte
// that stays (go tool pprof -sample_index=inuse_space -top FILE).
func BenchmarkIdleHeap500(b *testing.B) {
	const n = 500
	specs := sleepSpecs(n)
	var heap, stack int64
	for range b.N {
		_, stop := runningSup(b, specs)
		running := settledMemStats()
		if path := os.Getenv("IDLE_HEAPPROFILE"); path != "" {
			writeHeapProfile(b, path)
		}
		stop()
		stopped := settledMemStats()
		heap += int64(running.HeapAlloc) - int64(stopped.HeapAlloc)
		stack += int64(running.StackInuse) - int64(stopped.StackInuse)
	}
	b.ReportMetric(float64(heap)/float64(b.N*n), "heap-B/proc")
	b.ReportMetric(float64(stack)/float64(b.N*n), "stack-B/proc")
}

// settledMemStats reads the memory statistics after two collections, the
// second of which also empties what sync.Pools kept from the first.
func settledMemStats() runtime.MemStats {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms
}

func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCapture512MiB: a child writes 512 MiB to stdout, captured into a
// log file rotating at 50 MB with 3 backups. Reports MB/s and the
// supervisor's CPU use (cores busy while capturing).
func BenchmarkCapture512MiB(b *testing.B) { benchCapture(b, 50<<20) }

// BenchmarkCapture512MiBNoRotation is the same capture into one file that
// never rotates: the cost of the pipe alone.
func BenchmarkCapture512MiBNoRotation(b *testing.B) { benchCapture(b, 0) }

func benchCapture(b *testing.B, maxBytes int64) {
	dir := b.TempDir()
	for range b.N {
		spec := newSpec("dd", "/bin/dd if=/dev/zero bs=65536 count=8192")
		spec.StartSecs = -1
		spec.AutoRestart = RestartNever
		spec.Stdout = LogSpec{File: dir + "/capture.log", MaxBytes: maxBytes, Backups: 3}
		spec.Stderr.File = ""
		s := New()
		if _, err := s.Add(spec); err != nil {
			b.Fatal(err)
		}
		sub := s.Subscribe(64)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		var before, after syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
		start := time.Now()
		go func() { _ = s.Serve(ctx); close(done) }()
		for ev := range sub.C {
			if ev.Kind == EventProcessState && ev.To == Exited {
				break
			}
		}
		s.Processes()[0].readers.Wait() // every byte written to the log
		elapsed := time.Since(start)
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		sub.Close()
		cancel()
		<-done
		cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
		for _, suffix := range []string{"", ".1", ".2", ".3"} {
			_ = os.Remove(dir + "/capture.log" + suffix)
		}
		b.ReportMetric(512/elapsed.Seconds(), "MiB/s")
		b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "supervisor-cores")
	}
}

// BenchmarkCapture512MiBDirect is the baseline: the same child writing
// straight to a file.
func BenchmarkCapture512MiBDirect(b *testing.B) {
	dir := b.TempDir()
	for range b.N {
		start := time.Now()
		if err := exec.Command("/bin/dd", "if=/dev/zero", "of="+dir+"/direct.out", "bs=65536", "count=8192").Run(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(512/time.Since(start).Seconds(), "MiB/s")
		_ = os.Remove(dir + "/direct.out")
	}
}

// BenchmarkCapture512MiBPipeDiscard is the ceiling of any capture through a
// pipe: the same child writing into a 1 MiB pipe whose reader (plain Go, no
// supervision) reads 1 MiB at a time and throws the bytes away, writing no
// file at all.
func BenchmarkCapture512MiBPipeDiscard(b *testing.B) {
	buf := make([]byte, readBufSize)
	for range b.N {
		r, w, err := os.Pipe()
		if err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command("/bin/dd", "if=/dev/zero", "bs=65536", "count=8192")
		cmd.Stdout = w
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		w.Close()
		if rc, err := r.SyscallConn(); err == nil {
			_ = rc.Control(func(fd uintptr) { sys.SetPipeSize(fd, busyPipeSize) })
		}
		for {
			n, err := r.Read(buf)
			if n == 0 || err != nil {
				break
			}
		}
		r.Close()
		if err := cmd.Wait(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(512/time.Since(start).Seconds(), "MiB/s")
	}
}
