package supervisor

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/supervise-go/supervisor/restart"
	"github.com/supervise-go/supervisor/supervisortest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStartRetriesTiming pins supervisord's linear backoff (spec 3.3) on a
// fake clock with real children: after the n-th failed start the next one
// comes n seconds later, and after startretries retries the process is
// FATAL at once. Both ways a start fails are covered: a command that cannot
// be found (no fork) and a child that exits before startsecs.
func TestStartRetriesTiming(t *testing.T) {
	t.Parallel()
	for _, retries := range []int{0, 1, 2, 3, 4, 5} {
		for _, kind := range []string{"notfound", "quickexit"} {
			t.Run(fmt.Sprintf("%s/startretries=%d", kind, retries), func(t *testing.T) {
				t.Parallel()
				clock := supervisortest.NewClock(fakeT0)
				spec := newSpec("quick", "nosuchcommand_xyz")
				if kind == "quickexit" {
					spec.Command = `/bin/sh -c "echo hello; exit 1"`
				}
				spec.StartRetries = retries
				if retries == 0 {
					spec.StartRetries = -1 // startretries=0
				}
				ts := startSup(t, []ProgramSpec{spec}, WithClock(clock))

				var spawnTimes []time.Duration
				for attempt := 1; ; attempt++ {
					// Each attempt ends in BACKOFF with the retry timer armed, or
					// in FATAL.
					if kind == "notfound" {
						ts.log.waitFor(t, "spawnerr: can't find command 'nosuchcommand_xyz'", attempt)
					} else {
						ts.log.waitFor(t, "exited: quick (exit status 1; not expected)", attempt)
					}
					spawnTimes = append(spawnTimes, clock.Now().Sub(fakeT0))
					if attempt == retries+1 {
						break
					}
					clock.BlockUntilTimers(t, 1)
					due, ok := clock.NextDue()
					require.True(t, ok)
					assert.Equal(t, time.Duration(attempt)*time.Second, due, "delay after failure %d", attempt)
					clock.Advance(due)
				}
				info := ts.waitState(t, "quick", Fatal)
				ts.log.waitFor(t, "gave up: quick entered FATAL state, too many start retries too quickly", 1)

				var want []time.Duration
				at := time.Duration(0)
				for n := 0; n <= retries; n++ {
					at += time.Duration(n) * time.Second
					want = append(want, at)
				}
				assert.Equal(t, want, spawnTimes, "spawn times")
				assert.Equal(t, want[len(want)-1], clock.Now().Sub(fakeT0), "FATAL time")
				if kind == "notfound" {
					assert.Equal(t, "can't find command 'nosuchcommand_xyz'", info.Description())
					assert.Empty(t, ts.log.messages("spawned:"))
				} else {
					assert.Equal(t, "Exited too quickly (process log may have details)", info.Description())
					assert.Len(t, ts.log.messages("spawned: 'quick' with pid"), retries+1)
				}
				assert.Equal(t, 0, clock.Pending(), "no timer left after FATAL")
			})
		}
	}
}

// TestBackoffResetsAfterRunning: a process that reached RUNNING and then
// crashed is restarted without delay, and its next failures count from 1
// again (spec 3.3).
func TestBackoffResetsAfterRunning(t *testing.T) {
	t.Parallel()
	clock := supervisortest.NewClock(fakeT0)
	spec := newSpec("flaky", helperCmd(t, "sleep"))
	spec.Environment = helperEnv()
	spec.StartSecs = 5 * time.Second
	ts := startSup(t, []ProgramSpec{spec}, WithClock(clock))
	ts.waitState(t, "flaky", Starting)
	clock.BlockUntilTimers(t, 1)
	clock.Advance(5 * time.Second)
	first := ts.waitState(t, "flaky", Running)

	// Crash it from RUNNING: restarted at once (no timer involved).
	sub := ts.Subscribe(64)
	defer sub.Close()
	err := ts.proc(t, "flaky").Signal(9)
	require.NoError(t, err)
	for ev := range sub.C {
		if ev.Kind == EventProcessState && ev.To == Starting {
			assert.Equal(t, 0, ev.Tries)
			break
		}
	}
	ts.log.waitFor(t, "exited: flaky (terminated by SIGKILL; not expected)", 1)
	info := ts.waitState(t, "flaky", Starting)
	assert.NotEqual(t, first.Pid, info.Pid)
	assert.Equal(t, fakeT0.Add(5*time.Second), info.Start, "restarted without delay")

	// Now fail quickly: the first retry waits 1 s, not more.
	err = ts.proc(t, "flaky").Signal(9)
	require.NoError(t, err)
	ts.waitState(t, "flaky", Backoff)
	clock.BlockUntilTimers(t, 1)
	due, _ := clock.NextDue()
	assert.Equal(t, time.Second, due)
}

// TestStopEscalatesOnOwnTimer (checks 24 and stop escalation): a child that
// ignores SIGTERM gets SIGKILL after stopwaitsecs, measured from its own stop
// signal, and another child exiting meanwhile changes nothing.
func TestStopEscalatesOnOwnTimer(t *testing.T) {
	t.Parallel()
	clock := supervisortest.NewClock(fakeT0)
	trapper := newSpec("trapper", helperCmd(t, "ignoreterm"))
	trapper.Environment = helperEnv()
	trapper.StartSecs = -1
	trapper.StopWaitSecs = 2 * time.Second
	trapper.Stdout.EventsEnabled = true
	other := newSpec("other", helperCmd(t, "sleep"))
	other.Environment = helperEnv()
	other.StartSecs = -1
	other.AutoRestart = RestartNever
	ts := startSup(t, []ProgramSpec{trapper, other}, WithClock(clock))
	pid := ts.waitState(t, "trapper", Running).Pid
	ts.waitState(t, "other", Running)
	ts.waitOutput(t, "trapper", "ready") // SIGTERM is ignored from now on
	stopped := make(chan error, 1)
	go func() { err := ts.proc(t, "trapper").Stop(context.Background()); stopped <- err }()
	ts.waitState(t, "trapper", Stopping)
	clock.BlockUntilTimers(t, 1)

	// An unrelated child exits while trapper is stopping.
	err := ts.proc(t, "other").Signal(9)
	require.NoError(t, err)
	ts.waitState(t, "other", Exited)
	assert.Equal(t, Stopping, ts.proc(t, "trapper").State())
	assert.Empty(t, ts.log.messages("killing 'trapper'"))

	clock.Advance(1999 * time.Millisecond)
	assert.Equal(t, Stopping, ts.proc(t, "trapper").State())
	clock.Advance(time.Millisecond)
	require.NoError(t, <-stopped)
	info := ts.waitState(t, "trapper", Stopped)
	assert.Equal(t, []string{fmt.Sprintf("killing 'trapper' (%d) with SIGKILL", pid)}, ts.log.messages("killing 'trapper'"))
	assert.Equal(t, []string{"stopped: trapper (terminated by SIGKILL)"}, ts.log.messages("stopped: trapper"))
	assert.Equal(t, []string{"waiting for trapper to stop"}, ts.log.messages("waiting for"))
	assert.Equal(t, -1, info.ExitStatus)
}

// TestStopBackoffIsImmediate (check 29): a process in BACKOFF stops at once,
// no signal involved, and its retry never fires.
func TestStopBackoffIsImmediate(t *testing.T) {
	t.Parallel()
	clock := supervisortest.NewClock(fakeT0)
	spec := newSpec("quick", "/bin/false")
	ts := startSup(t, []ProgramSpec{spec}, WithClock(clock))
	ts.waitState(t, "quick", Backoff)
	clock.BlockUntilTimers(t, 1)
	err := ts.proc(t, "quick").Stop(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Stopped, ts.proc(t, "quick").State())
	assert.Equal(t, 0, clock.Pending())
	clock.Advance(time.Hour)
	assert.Equal(t, Stopped, ts.proc(t, "quick").State())
	assert.Len(t, ts.log.messages("spawned:"), 1)
}

// TestStopCancelsPendingRestart: with a policy that delays restarts, a stop
// of the EXITED process cancels the restart (a stop means stopped).
func TestStopCancelsPendingRestart(t *testing.T) {
	t.Parallel()
	clock := supervisortest.NewClock(fakeT0)
	spec := newSpec("crashy", helperCmd(t, "exit", "3"))
	spec.Environment = helperEnv()
	spec.StartSecs = -1
	spec.AutoRestart = RestartAlways
	spec.Restart = restart.Exponential{Initial: 10 * time.Second, DelayRestarts: true}
	ts := startSup(t, []ProgramSpec{spec}, WithClock(clock))
	ts.waitState(t, "crashy", Exited)
	clock.BlockUntilTimers(t, 1)
	err := ts.proc(t, "crashy").Stop(context.Background())
	require.ErrorIs(t, err, ErrNotRunning)
	assert.Equal(t, 0, clock.Pending())
	clock.Advance(time.Hour)
	assert.Equal(t, Exited, ts.proc(t, "crashy").State())
	assert.Len(t, ts.log.messages("spawned:"), 1)
}
