package supervisor

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain doubles as the child helper program: with GO_SUPERVISOR_HELPER
// set, the test binary behaves as the command named by its arguments instead
// of running tests (the standard library's own pattern for exec tests).
func TestMain(m *testing.M) {
	if os.Getenv("GO_SUPERVISOR_HELPER") == "1" {
		os.Exit(helperMain(os.Args[1:]))
	}
	code := m.Run()
	if code == 0 {
		// No child of the test binary may remain, not even a zombie, and
		// no process any test started.
		if left := leftovers(testTag, true); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "processes left behind by the tests:\n%v\n", left)
			code = 1
		}
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goroutines leaked: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// helperMain implements the helper commands:
//
//	sleep               sleep until killed
//	exit CODE [DELAY]   exit with CODE after DELAY
//	ignoreterm          ignore SIGTERM, print "ready", sleep until killed
//	onsignal SIG CODE   print "ready", exit with CODE on signal number SIG
//	supervise           run a Supervisor with one child, print its pid
//	numbered BYTES      write BYTES of numbered lines (numberedLine), exit 0
//	print N             print N numbered lines on stdout, then sleep
//	notify STEP...      sd_notify steps (see helperNotify), then sleep
//	nofds               start a process while no fd can be opened, print
//	                    the start's error
func helperMain(args []string) int {
	if len(args) == 0 {
		return 2
	}
	switch args[0] {
	case "sleep":
		select {}
	case "exit":
		code, _ := strconv.Atoi(args[1])
		if len(args) > 2 {
			d, _ := time.ParseDuration(args[2])
			time.Sleep(d)
		}
		return code
	case "ignoreterm":
		signal.Ignore(syscall.SIGTERM)
		fmt.Println("ready")
		select {}
	case "onsignal":
		sig, _ := strconv.Atoi(args[1])
		code, _ := strconv.Atoi(args[2])
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.Signal(sig))
		fmt.Println("ready")
		<-c
		return code
	case "supervise":
		// A supervisor with one child; prints the child's pid and runs
		// until killed.
		s := New()
		spec := newSpec("child", "/bin/sleep 1000")
		spec.StartSecs = -1
		if _, err := s.Add(spec); err != nil {
			return 1
		}
		sub := s.Subscribe(16)
		go func() { _ = s.Serve(context.Background()) }()
		for ev := range sub.C {
			if ev.Kind == EventProcessState && ev.To == Running {
				fmt.Println(ev.Pid)
			}
		}
		return 0
	case "numbered":
		// numbered BYTES: write numbered lines, BYTES in all, then exit 0.
		total, _ := strconv.Atoi(args[1])
		w := bufio.NewWriterSize(os.Stdout, 64<<10)
		var line []byte
		for i := 0; total > 0; i++ {
			line = appendNumberedLine(line[:0], i)
			if len(line) > total {
				line = line[:total]
			}
			_, _ = w.Write(line)
			total -= len(line)
		}
		_ = w.Flush()
		return 0
	case "nofds":
		s := New()
		spec := newSpec("starved", "/bin/sleep 1000")
		spec.NoAutostart = true
		spec.StartRetries = -1
		if _, err := s.Add(spec); err != nil {
			return 1
		}
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan struct{})
		go func() { _ = s.Serve(ctx); close(served) }()
		<-s.Ready()
		ents, _ := os.ReadDir("/proc/self/fd")
		var old syscall.Rlimit
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old)
		low := old
		setRlim(&low.Cur, len(ents)) // the fd ReadDir used is closed again
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low)
		noWait, cancelWait := context.WithCancel(ctx)
		cancelWait()
		err := s.Processes()[0].Start(noWait)
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old)
		fmt.Println(err)
		cancel()
		<-served
		return 0
	case "notify":
		return helperNotify(args[1:])
	case "print":
		n, _ := strconv.Atoi(args[1])
		for i := range n {
			fmt.Printf("line %d\n", i)
		}
		select {}
	}
	return 2
}

// appendNumberedLine appends line i of the "numbered" helper's output:
// a zero-padded 9-digit number and a fixed text.
func appendNumberedLine(b []byte, i int) []byte {
	start := len(b)
	b = strconv.AppendInt(b, int64(i), 10)
	for len(b)-start < 9 {
		b = append(b[:start+1], b[start:]...)
		b[start] = '0'
	}
	return append(b, " the quick brown fox jumps over the lazy dog\n"...)
}

// setRlim sets a field of a syscall.Rlimit, an int64 on FreeBSD and a
// uint64 elsewhere.
func setRlim[T int64 | uint64](field *T, n int) { *field = T(n) }
