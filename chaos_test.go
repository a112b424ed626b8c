package supervisor

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestChaos: 100 programs that exit at random moments, with every restart
// mode, while goroutines start, stop, signal, restart and read at random.
// Then everything is stopped: no deadlock, no panic, every process in a
// stopped state, no child left, goroutines back to where they were.
//
// It does not run in parallel, so that the goroutine check sees only its own.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test skipped in -short mode")
	}
	defer goleak.VerifyNone(t)
	rng := rand.New(rand.NewPCG(1, 2))
	var specs []ProgramSpec
	for i := range 100 {
		delay := 0.1 + rng.Float64()*0.9
		code := rng.IntN(3)
		spec := newSpec(fmt.Sprintf("p%03d", i), fmt.Sprintf(`/bin/sh -c "echo out; echo err >&2; sleep %.2f; exit %d"`, delay, code))
		spec.AutoRestart = []AutoRestart{RestartAlways, RestartUnexpected, RestartNever}[i%3]
		spec.StartSecs = []time.Duration{0, 0, time.Second / 2, time.Second}[i%4]
		spec.StartRetries = i % 4
		spec.StopWaitSecs = 2 * time.Second
		spec.StopAsGroup = i%2 == 0
		if i%10 == 0 {
			spec.NumProcs = 2
			spec.ProcessName = "%(program_name)s_%(process_num)d"
		}
		specs = append(specs, spec)
	}
	rec := newLogRecorder()
	s := New(WithLogger(slog.New(rec)))
	require.NoError(t, addSpecs(s, tagged(t, specs...)...))
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	<-s.Ready()

	// Targets: every process, every program, and all.
	var targets []chaosTarget
	targets = append(targets, chaosTarget{name: "all",
		start:  func(ctx context.Context) error { return s.StartProcesses(ctx, s.Processes()...) },
		stop:   func(ctx context.Context) error { return s.StopProcesses(ctx, s.Processes()...) },
		signal: func(sig syscall.Signal) error { return s.SignalProcesses(sig, s.Processes()...) },
		procs:  s.Processes})
	for _, prog := range s.Programs() {
		targets = append(targets, chaosTarget{name: prog.Name(), start: prog.Start, stop: prog.Stop,
			signal: prog.Signal, procs: prog.Processes})
	}
	for _, p := range s.Processes() {
		targets = append(targets, chaosTarget{name: p.String(), start: p.Start, stop: p.Stop, signal: p.Signal,
			procs: func() []*Process { return []*Process{p} }})
	}
	stopChaos := make(chan struct{})
	var wg sync.WaitGroup
	var ops [6]atomic.Int64
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 99))
			for {
				select {
				case <-stopChaos:
					return
				default:
				}
				tg := targets[r.IntN(len(targets))]
				if tg.name == "all" && r.IntN(10) != 0 {
					continue // whole-supervisor actions, but rarely
				}
				opCtx, opCancel := context.WithTimeout(context.Background(), 10*time.Second)
				op := r.IntN(6)
				ops[op].Add(1)
				if r.IntN(2) == 0 {
					// A caller that does not wait (an RPC with wait=false).
					opCancel()
				}
				switch op {
				case 0:
					_ = tg.start(opCtx)
				case 1:
					_ = tg.stop(opCtx)
				case 2:
					_ = tg.signal([]syscall.Signal{syscall.SIGTERM, syscall.SIGKILL, syscall.SIGCONT}[r.IntN(3)])
				case 3:
					_ = tg.stop(opCtx)
					_ = tg.start(opCtx)
				case 4:
					for _, p := range s.Processes() {
						_ = p.Info()
					}
				case 5:
					for _, p := range tg.procs() {
						_, _ = p.RecentOutput(ChannelStdout)
						_, _ = p.RecentOutput(ChannelStderr)
					}
				}
				opCancel()
			}
		}()
	}
	time.Sleep(8 * time.Second)
	close(stopChaos)
	wg.Wait()
	cancel()
	select {
	case err := <-served:
		require.NoError(t, err)
	case <-time.After(2 * waitLong):
		t.Fatalf("Serve did not return: deadlock? log tail:\n%s", rec.dump())
	}
	for _, p := range s.Processes() {
		info := p.Info()
		assert.True(t, info.State.IsStopped(), "%s is %s", p, info.State)
		assert.Zero(t, info.Pid, p.String())
	}
	assert.NotEmpty(t, rec.messages("spawned:"))
	t.Logf("operations start/stop/signal/restart/info/tail: %d/%d/%d/%d/%d/%d; spawns: %d",
		ops[0].Load(), ops[1].Load(), ops[2].Load(), ops[3].Load(), ops[4].Load(), ops[5].Load(),
		len(rec.messages("spawned:")))
	assertNoLeftovers(t, testTag+"/"+t.Name())
}

// chaosTarget is something the chaos test acts on: a process, a program,
// or the whole supervisor.
type chaosTarget struct {
	name   string
	start  func(context.Context) error
	stop   func(context.Context) error
	signal func(syscall.Signal) error
	procs  func() []*Process
}
