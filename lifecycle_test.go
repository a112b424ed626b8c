package supervisor

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supervise-go/supervisor/supervisortest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/supervise-go/supervisor/internal/sys"
)

// Check 18 on the real clock: four quick exits, then FATAL about 6 s after
// the first spawn.
func TestQuickExitGivesUpRealClock(t *testing.T) {
	t.Parallel()
	spec := newSpec("quick", `/bin/sh -c "echo hello; exit 1"`)
	ts := startSup(t, []ProgramSpec{spec})
	info := ts.waitState(t, "quick", Fatal)
	spawned := ts.log.waitFor(t, "spawned: 'quick' with pid", 4)
	gaveUp := ts.log.waitFor(t, "gave up: quick entered FATAL state, too many start retries too quickly", 1)
	assert.Len(t, spawned, 4)
	assert.Len(t, ts.log.messages("exited: quick (exit status 1; not expected)"), 4)
	elapsed := gaveUp[0].Time.Sub(spawned[0].Time)
	assert.GreaterOrEqual(t, elapsed, 6*time.Second)
	assert.Less(t, elapsed, 6*time.Second+waitLong/2)
	assert.Equal(t, "Exited too quickly (process log may have details)", info.Description())
}

// Check 20: RUNNING after startsecs, with supervisord's success line.
func TestRunningAfterStartsecs(t *testing.T) {
	t.Parallel()
	spec := newSpec("long", "/bin/sleep 1000")
	ts := startSup(t, []ProgramSpec{spec})
	ts.waitState(t, "long", Running)
	spawned := ts.log.waitFor(t, "spawned: 'long'", 1)
	success := ts.log.waitFor(t, "success: long entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)", 1)
	assert.GreaterOrEqual(t, success[0].Time.Sub(spawned[0].Time), time.Second)
}

// Checks 21, 22, 23: exit classification and autorestart.
func TestExitAndAutorestart(t *testing.T) {
	t.Parallel()
	zero := newSpec("zerostart", `/bin/sh -c "exit 3"`)
	zero.StartSecs = -1
	zero.AutoRestart = RestartNever
	exit0 := newSpec("exit0", `/bin/sh -c "sleep 1.5; exit 0"`)
	exit1 := newSpec("exit1", `/bin/sh -c "sleep 1.5; exit 1"`)
	always := newSpec("always", "/bin/true")
	always.StartSecs = -1
	always.AutoRestart = RestartAlways
	ts := startSup(t, []ProgramSpec{zero, exit0, exit1, always})

	info := ts.waitState(t, "zerostart", Exited)
	assert.Equal(t, 3, info.ExitStatus)
	ts.log.waitFor(t, "exited: zerostart (exit status 3; not expected)", 1)
	assert.Len(t, ts.log.messages("success: zerostart entered RUNNING state"), 1)

	ts.log.waitFor(t, "exited: exit0 (exit status 0; expected)", 1)
	ts.log.waitFor(t, "exited: exit1 (exit status 1; not expected)", 1)
	ts.log.waitFor(t, "spawned: 'exit1'", 2)   // unexpected: restarted
	ts.log.waitFor(t, "spawned: 'always'", 10) // restarted over and over
	assert.Equal(t, Exited, ts.proc(t, "exit0").State())
	assert.Len(t, ts.log.messages("spawned: 'exit0'"), 1)
	assert.Len(t, ts.log.messages("spawned: 'zerostart'"), 1)
	assert.Empty(t, ts.log.messages("gave up: always"))
}

// Check 25: stopasgroup reaches the grandchildren.
func TestStopAsGroupKillsGrandchildren(t *testing.T) {
	t.Parallel()
	spec := newSpec("family", `/bin/sh -c "sleep 1000 & sleep 1000"`)
	spec.StartSecs = -1
	spec.StopAsGroup = true
	ts := startSup(t, []ProgramSpec{spec})
	pid := ts.waitState(t, "family", Running).Pid
	tag := testTag + "/" + t.Name()
	require.Eventually(t, func() bool { return len(leftovers(tag, false)) == 3 }, waitLong, 10*time.Millisecond,
		"sh and its two sleeps")
	err := ts.proc(t, "family").Stop(context.Background())
	require.NoError(t, err)
	assertNoLeftovers(t, tag)
	assert.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "reaped")
}

// A stop completes even when a grandchild keeps the output pipes open.
func TestStopWithGrandchildHoldingPipes(t *testing.T) {
	t.Parallel()
	spec := newSpec("holder", `/bin/sh -c "sleep 1000 & exec sleep 1000"`)
	spec.StartSecs = -1
	spec.StopWaitSecs = 5 * time.Second
	ts := startSup(t, []ProgramSpec{spec})
	ts.waitState(t, "holder", Running)
	start := time.Now()
	err := ts.proc(t, "holder").Stop(context.Background())
	require.NoError(t, err)
	assert.Less(t, time.Since(start), spec.StopWaitSecs, "the stop did not wait for the pipes")
	ts.log.waitFor(t, "stopped: holder (terminated by SIGTERM)", 1)
	killTagged(testTag + "/" + t.Name()) // the orphaned grandchild is the test's to clean up
}

// killTagged kills every process carrying the tag.
func killTagged(tag string) {
	for _, line := range leftovers(tag, false) {
		if pid, err := strconv.Atoi(strings.Fields(line)[0]); err == nil {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// Check 1 and spec 2.3: numprocs and the process_name template.
func TestNumprocsNaming(t *testing.T) {
	t.Parallel()
	spec := newSpec("foo1", `/bin/sh -c "echo $SUPERVISOR_PROCESS_NAME $SUPERVISOR_GROUP_NAME $C; exec sleep 1000"`)
	spec.NumProcs = 3
	spec.ProcessName = "%(program_name)s_%(process_num)02d"
	spec.Environment = map[string]string{"C": "%(process_num)d"}
	spec.StartSecs = -1
	spec.Stdout.EventsEnabled = true
	ts := startSup(t, []ProgramSpec{spec})
	var names []string
	for _, p := range ts.Processes() {
		names = append(names, p.String())
	}
	assert.Equal(t, []string{"foo1:foo1_00", "foo1:foo1_01", "foo1:foo1_02"}, names)
	for i := range 3 {
		ns := fmt.Sprintf("foo1:foo1_%02d", i)
		ts.waitState(t, ns, Running)
		ts.waitOutput(t, ns, fmt.Sprintf("foo1_%02d foo1 %d\n", i, i))
	}
	_, err := ts.Process("foo1", "foo1")
	assert.ErrorIs(t, err, ErrBadName, "a group of 3 is not a process")
	prog, err := ts.Program("foo1")
	require.NoError(t, err)
	assert.Len(t, prog.Processes(), 3)
	require.NoError(t, prog.Stop(context.Background()))
	for _, p := range ts.Processes() {
		assert.Equal(t, Stopped, p.State())
	}
	require.NoError(t, prog.Stop(context.Background()), "nothing to stop is no error for a program")
}

// Check 28: the child's environment.
func TestChildEnvironment(t *testing.T) {
	t.Parallel()
	spec := newSpec("envy", `/bin/sh -c "env; exec sleep 1000"`)
	spec.StartSecs = -1
	spec.Stdout.EventsEnabled = true
	spec.Environment = map[string]string{"SHARED": "program", "OWN": "mine"}
	ts := startSup(t, []ProgramSpec{spec},
		WithServerURL("unix:///tmp/supervisor.sock"),
		WithEnvironment(map[string]string{"SHARED": "supervisor", "GLOBAL": "yes"}))
	ts.waitState(t, "envy", Running)
	ts.waitOutput(t, "envy", "OWN=mine")
	out := string(ts.proc(t, "envy").out[0].Tail())
	for _, want := range []string{"SUPERVISOR_ENABLED=1", "SUPERVISOR_PROCESS_NAME=envy", "SUPERVISOR_GROUP_NAME=envy",
		"SUPERVISOR_SERVER_URL=unix:///tmp/supervisor.sock", "SHARED=program", "GLOBAL=yes", "OWN=mine",
		"PATH=" + os.Getenv("PATH")} {
		assert.Contains(t, strings.Split(out, "\n"), want)
	}
}

// Check 19 and 27, and spec 3.7: spawn errors and their texts.
func TestSpawnErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	noexec := filepath.Join(dir, "noexec.sh")
	require.NoError(t, os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644))
	cases := []struct {
		command, msg string
		kind         error
	}{
		{"nosuchcommand_xyz", "can't find command 'nosuchcommand_xyz'", ErrNoFile},
		{noexec, fmt.Sprintf("command at '%s' is not executable", noexec), ErrNotExecutable},
		{dir, fmt.Sprintf("command at '%s' is a directory", dir), ErrNotExecutable},
		{`/bin/echo "x`, `can't parse command '/bin/echo "x': No closing quotation`, ErrNotExecutable},
		{`"/bin/echo foo_00 "`, "can't find command '/bin/echo foo_00 '", ErrNoFile},
	}
	var specs []ProgramSpec
	for i, c := range cases {
		spec := newSpec(fmt.Sprintf("bad%d", i), c.command)
		spec.NoAutostart = true
		specs = append(specs, spec)
	}
	ts := startSup(t, specs)
	for i, c := range cases {
		name := fmt.Sprintf("bad%d", i)
		err := ts.proc(t, name).Start(context.Background())
		require.ErrorIs(t, err, c.kind, name)
		assert.Contains(t, err.Error(), c.msg)
		assert.Equal(t, Stopped, ts.proc(t, name).State(), "the check comes before any spawn")
	}
	// Autostarted, the same errors end in FATAL with the text as description.
	// The tutorial's quoted command: supervisord's error, and our hint in the log.
	quoted := newSpec("quoted", `"/bin/echo foo_00 "`)
	quoted.StartRetries = -1
	_, err := ts.Add(quoted)
	require.NoError(t, err)
	assert.Equal(t, "can't find command '/bin/echo foo_00 '", ts.waitState(t, "quoted", Fatal).Description())
	ts.log.waitFor(t, "quoted: the whole command line '/bin/echo foo_00 ' is one quoted word", 1)

	spec := newSpec("auto", "nosuchcommand_xyz")
	spec.StartRetries = -1
	_, err = ts.Add(spec)
	require.NoError(t, err)
	info := ts.waitState(t, "auto", Fatal)
	assert.Equal(t, "can't find command 'nosuchcommand_xyz'", info.Description())
}

// Check 41's start results: spawn error for a quick exit, already started.
func TestStartResults(t *testing.T) {
	t.Parallel()
	quick := newSpec("quick", "/bin/false")
	quick.NoAutostart = true
	quick.StartRetries = -1
	long := newSpec("long", "/bin/sleep 1000")
	long.StartSecs = -1
	ts := startSup(t, []ProgramSpec{quick, long})
	ts.waitState(t, "long", Running)
	err := ts.proc(t, "quick").Start(context.Background())
	assert.ErrorIs(t, err, ErrSpawn)
	err = ts.proc(t, "long").Start(context.Background())
	assert.ErrorIs(t, err, ErrAlreadyStarted)
	err = ts.proc(t, "quick").Stop(context.Background())
	assert.ErrorIs(t, err, ErrNotRunning)
	_, err = ts.Process("nope", "nope")
	assert.ErrorIs(t, err, ErrBadName)
	err = ts.StartProcesses(context.Background(), ts.Processes()...)
	require.ErrorIs(t, err, ErrSpawn)
	var pe *ProcessError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "quick", pe.Process.Name(), "running processes are left out")
	assert.Len(t, err.(interface{ Unwrap() []error }).Unwrap(), 1)
}

// Stopsignal and the stopped line's level follow the exit status.
func TestStopSignal(t *testing.T) {
	t.Parallel()
	spec := newSpec("polite", helperCmd(t, "onsignal", "2", "0"))
	spec.Environment = helperEnv()
	spec.StopSignal = syscall.SIGINT
	spec.StartSecs = -1
	spec.Stdout.EventsEnabled = true
	ts := startSup(t, []ProgramSpec{spec})
	ts.waitState(t, "polite", Running)
	ts.waitOutput(t, "polite", "ready")
	err := ts.proc(t, "polite").Stop(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"stopped: polite (exit status 0)"}, ts.log.messages("stopped:"))
	assert.Equal(t, 0, ts.proc(t, "polite").info(time.Now()).ExitStatus)
}

// Apply restarts only what changed; untouched processes keep their pids.
func TestApplyKeepsUnchangedPids(t *testing.T) {
	t.Parallel()
	mk := func(name, cmd string) ProgramSpec {
		s := newSpec(name, cmd)
		s.StartSecs = -1
		return s
	}
	same, changed, gone := mk("same", "/bin/sleep 1000"), mk("changed", "/bin/sleep 1000"), mk("gone", "/bin/sleep 1000")
	same, changed, gone = tagged(t, same)[0], tagged(t, changed)[0], tagged(t, gone)[0]
	ts := startSup(t, []ProgramSpec{same, changed, gone})
	samePid := ts.waitState(t, "same", Running).Pid
	changedPid := ts.waitState(t, "changed", Running).Pid
	ts.waitState(t, "gone", Running)

	changed2 := tagged(t, mk("changed", "/bin/sleep 2000"))[0]
	added := tagged(t, mk("added", "/bin/sleep 1000"))[0]
	diff, err := ts.Diff([]ProgramSpec{same, changed2, added})
	require.NoError(t, err)
	want := Changes{Added: []string{"added"}, Changed: []string{"changed"}, Removed: []string{"gone"}}
	assert.Equal(t, want, diff)

	got, err := ts.Apply(context.Background(), []ProgramSpec{same, changed2, added})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, samePid, ts.proc(t, "same").info(time.Now()).Pid)
	assert.NotEqual(t, changedPid, ts.waitState(t, "changed", Running).Pid)
	ts.waitState(t, "added", Running)
	var groups []string
	for _, p := range ts.Programs() {
		groups = append(groups, p.Group())
	}
	assert.Equal(t, []string{"same", "changed", "added"}, groups, "start order: re-added groups come last")
	_, err = ts.Process("gone", "gone")
	assert.ErrorIs(t, err, ErrBadName)
	_, err = ts.Program("gone")
	assert.ErrorIs(t, err, ErrBadName)
}

// The events a subscriber sees for a process that fails to start.
func TestEventSequence(t *testing.T) {
	t.Parallel()
	spec := newSpec("quick", "/bin/false")
	spec.StartRetries = 1
	clock := supervisortest.NewClock(fakeT0)
	ts := startSup(t, []ProgramSpec{spec}, WithClock(clock))
	ts.waitState(t, "quick", Backoff)
	clock.BlockUntilTimers(t, 1)
	clock.Advance(time.Second)
	ts.waitState(t, "quick", Fatal)
	type step struct {
		from, to State
		tries    int
	}
	var got []step
	for _, ev := range ts.stateEvents(t, "quick", 5) {
		got = append(got, step{ev.From, ev.To, ev.Tries})
	}
	assert.Equal(t, []step{
		{Stopped, Starting, 0}, {Starting, Backoff, 1},
		{Backoff, Starting, 1}, {Starting, Backoff, 2}, {Backoff, Fatal, 0},
	}, got)
}

// A subscriber that never reads does not slow supervision down; it loses
// the oldest events and can tell.
func TestSlowSubscriberNeverStalls(t *testing.T) {
	t.Parallel()
	spec := newSpec("churn", "/bin/true")
	spec.StartSecs = -1
	spec.AutoRestart = RestartAlways
	spec.Environment = map[string]string{"SUPERVISOR_TEST_TAG": testTag + "/" + t.Name()}
	rec := newLogRecorder()
	s := New(WithLogger(slog.New(rec)))
	_, err := s.Add(spec)
	require.NoError(t, err)
	stuck := s.Subscribe(4)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	rec.waitFor(t, "spawned: 'churn'", 50)
	assert.Greater(t, stuck.Dropped(), uint64(0))
	cancel()
	require.NoError(t, <-done)
	stuck.Close()
	assertNoLeftovers(t, testTag+"/"+t.Name())
}

// No child outlives a supervisor killed with SIGKILL.
func TestChildrenDieWithSupervisor(t *testing.T) {
	if !sys.ParentDeathSignal {
		t.Skip("no parent-death signal on this platform")
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "supervise")
	cmd.Env = append(os.Environ(), "GO_SUPERVISOR_HELPER=1", "SUPERVISOR_TEST_TAG="+testTag+"/"+t.Name())
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var childPid int
	_, err = fmt.Fscan(out, &childPid)
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(childPid, 0), "child running")
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	assertNoLeftovers(t, testTag+"/"+t.Name())
}

// Starting a group or all queues the spawns and forks them back to back;
// the results still come once each child is forked: pids are known, and a
// spawn that failed reports its spawn error.
func TestStartAllQueued(t *testing.T) {
	t.Parallel()
	workers := newSpec("w", "/bin/sleep 1000")
	workers.NumProcs = 4
	workers.ProcessName = "w%(process_num)d"
	workers.NoAutostart = true
	lost := newSpec("lost", "/bin/sleep 1000")
	lost.Directory = "/nonexistent"
	lost.NoAutostart = true
	lost.StartRetries = -1
	ts := startSup(t, []ProgramSpec{workers, lost})
	// A done context: StartAll waits for the forks, not for RUNNING.
	noWait, cancel := context.WithCancel(context.Background())
	cancel()
	errs := processErrors(ts.StartProcesses(noWait, ts.Processes()...))
	require.Len(t, errs, 5)
	pids := map[int]bool{}
	for _, pe := range errs {
		if pe.Process.Name() == "lost" {
			var se *SpawnError
			require.ErrorAs(t, pe, &se)
			assert.Equal(t, "couldn't chdir to /nonexistent: ENOENT", se.Msg)
			continue
		}
		require.ErrorIs(t, pe, context.Canceled, "%s: forked, not waited for", pe.Process)
		info := pe.Process.Info()
		assert.NotZero(t, info.Pid, "%s has its pid when Start returns", pe.Process)
		pids[info.Pid] = true
	}
	assert.Len(t, pids, 4)
	w, err := ts.Program("w")
	require.NoError(t, err)
	require.NoError(t, w.Start(context.Background()), "running processes are left out")
}

// A queued start reports the fork's outcome, not what happened after it: a
// group whose children exit at once is started without error, as a start of
// each one alone is, although the exits may be handled before Start returns.
func TestStartGroupReportsForkNotExit(t *testing.T) {
	t.Parallel()
	quick := newSpec("q", "/bin/true")
	quick.NumProcs = 4
	quick.ProcessName = "q%(process_num)d"
	quick.NoAutostart = true
	quick.StartSecs = 10 * time.Second // each exit is "too quickly"
	quick.StartRetries = -1
	ts := startSup(t, []ProgramSpec{quick})
	q, err := ts.Program("q")
	require.NoError(t, err)
	for round := range 10 {
		noWait, cancel := context.WithCancel(context.Background())
		cancel()
		errs := processErrors(q.Start(noWait))
		require.Len(t, errs, 4)
		for _, pe := range errs {
			assert.ErrorIs(t, pe, context.Canceled, "round %d: %s: forked, not a spawn error", round, pe.Process)
		}
		for i := range 4 {
			ts.waitState(t, fmt.Sprintf("q:q%d", i), Fatal)
		}
	}
}

// Serve runs once: a second call, during or after the first, fails at
// once and changes nothing.
func TestServeTwice(t *testing.T) {
	t.Parallel()
	spec := newSpec("sleeper", "/bin/sleep 1000")
	spec.StartSecs = -1
	ts := startSup(t, []ProgramSpec{spec})
	ts.waitState(t, "sleeper", Running)
	pid := ts.proc(t, "sleeper").Info().Pid
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.ErrorIs(t, ts.Serve(ctx), errServedTwice, "during the first")
	assert.Equal(t, pid, ts.proc(t, "sleeper").Info().Pid)
	assert.Equal(t, SupervisorRunning, ts.State())
	ts.stop()
	require.ErrorIs(t, ts.Serve(ctx), errServedTwice, "after the first")
	assert.Equal(t, SupervisorShutdown, ts.State())
}

// Every state change goes through the transition table: an edge that is
// not in it is refused (the state stays) and reported.
func TestTransitionTableRefusesUnknownEdge(t *testing.T) {
	t.Parallel()
	spec := newSpec("idle", "/bin/sleep 1000")
	spec.NoAutostart = true
	s := New()
	var refused []string
	s.onRefused = func(msg string) { refused = append(refused, msg) }
	prog, err := s.Add(spec)
	require.NoError(t, err)
	p := prog.Processes()[0]
	p.setState(Running, stateDetail{}) // STOPPED -> RUNNING skips STARTING
	assert.Equal(t, Stopped, p.State())
	assert.Equal(t, []string{"BUG: idle: refused state change STOPPED -> RUNNING"}, refused)
	for from, tos := range transitions {
		for _, to := range tos {
			assert.NotEqual(t, from, to, "no self edge: a state change publishes an event")
		}
	}
}
