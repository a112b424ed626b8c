package supervisor

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lineIndex returns the index of the first log line containing sub.
func (ts *testSup) lineIndex(t *testing.T, sub string) int {
	t.Helper()
	l := ts.log.waitFor(t, sub, 1)[0]
	ts.log.mu.Lock()
	defer ts.log.mu.Unlock()
	for i, x := range ts.log.lines {
		if x.Msg == l.Msg && x.Time.Equal(l.Time) {
			return i
		}
	}
	return -1
}

// Issue 13, part 3: a process whose dependency is not RUNNING waits in
// STARTING with no pid, described as "waiting for db"; its autostart
// starts the dependency (not autostarted itself); it is forked only once
// the dependency is RUNNING.
func TestDependsOnWaitsForRunning(t *testing.T) {
	t.Parallel()
	db := sleeper(t, "db", 500)
	db.StartSecs = 700 * time.Millisecond
	db.NoAutostart = true
	web := sleeper(t, "web", 100)
	web.DependsOn = []Dependency{{Name: "db"}}
	ts := startSup(t, []ProgramSpec{db, web})

	info := ts.proc(t, "web").Info()
	assert.Equal(t, Starting, info.State)
	assert.Zero(t, info.Pid)
	assert.Equal(t, "waiting for db", info.Description())
	ts.waitState(t, "web", Running)
	assert.Less(t, ts.lineIndex(t, "success: db entered RUNNING state"), ts.lineIndex(t, "spawned: 'web'"),
		"web is forked once db is RUNNING")
	ts.log.waitFor(t, "waiting: web waits for db to be running", 1)
	ts.events.mu.Lock()
	var waits []Event
	for _, ev := range ts.events.events {
		if ev.Kind == EventDependencyWait {
			waits = append(waits, ev)
		}
	}
	ts.events.mu.Unlock()
	require.Len(t, waits, 1)
	assert.Equal(t, "web", waits[0].Process)
	assert.Equal(t, "db", waits[0].Dependency)
}

// A "completed" dependency is met once its process EXITED with an expected
// status; a start of the dependent starts it (transitively), and Start
// waits for the dependent to be RUNNING.
func TestDependsOnCompletedTransitive(t *testing.T) {
	t.Parallel()
	migrate := newSpec("migrate", helperCmd(t, "exit", "0", "300ms"))
	migrate.Environment = helperEnv()
	migrate.StartSecs = -1
	migrate.AutoRestart = RestartNever
	migrate.NoAutostart = true
	db := sleeper(t, "db", 1)
	db.NoAutostart = true
	db.DependsOn = []Dependency{{Name: "migrate", Condition: DependCompleted}}
	app := sleeper(t, "app", 1)
	app.NoAutostart = true
	app.DependsOn = []Dependency{{Name: "db"}}
	ts := startSup(t, []ProgramSpec{migrate, db, app})

	require.NoError(t, ts.proc(t, "app").Start(context.Background()))
	assert.Equal(t, Exited, ts.proc(t, "migrate").State())
	assert.Equal(t, Running, ts.proc(t, "db").State())
	assert.Less(t, ts.lineIndex(t, "exited: migrate (exit status 0; expected)"), ts.lineIndex(t, "spawned: 'db'"))
	assert.Less(t, ts.lineIndex(t, "spawned: 'db'"), ts.lineIndex(t, "spawned: 'app'"))
}

// A waiting dependent goes FATAL, with a spawn error naming the dependency,
// as soon as the dependency cannot get there without a new start request.
func TestDependsOnFailure(t *testing.T) {
	t.Parallel()
	broken := newSpec("broken", "/nonexistent/db")
	broken.StartRetries = -1
	web := sleeper(t, "web", 1)
	web.DependsOn = []Dependency{{Name: "broken"}}
	job := newSpec("job", helperCmd(t, "exit", "3", "200ms"))
	job.Environment = helperEnv()
	job.StartSecs = -1
	job.AutoRestart = RestartNever
	after := sleeper(t, "after", 1)
	after.DependsOn = []Dependency{{Name: "job", Condition: DependCompleted}}
	slow := sleeper(t, "slow", 1)
	slow.StartSecs = time.Minute
	waiter := sleeper(t, "waiter", 1)
	waiter.DependsOn = []Dependency{{Name: "slow"}}
	ts := startSup(t, []ProgramSpec{broken, web, job, after, slow, waiter})

	info := ts.waitState(t, "web", Fatal)
	assert.Equal(t, "dependency broken will not be running: broken is FATAL", info.Description())
	assert.Zero(t, info.Start.IsZero(), "web never forked")
	info = ts.waitState(t, "after", Fatal)
	assert.Equal(t, "dependency job will not be completed: job exited with status 3 (not expected)", info.Description())

	// A stop request of the dependency fails the waiting dependent.
	assert.Equal(t, "waiting for slow", ts.proc(t, "waiter").Info().Description())
	require.NoError(t, ts.proc(t, "slow").Stop(context.Background()))
	info = ts.waitState(t, "waiter", Fatal)
	assert.Equal(t, "dependency slow will not be running: slow is STOPPED", info.Description())

	// A start of the dependent names the dependency in its error.
	err := ts.proc(t, "web").Start(context.Background())
	var se *SpawnError
	require.ErrorAs(t, err, &se)
	assert.True(t, errors.Is(err, ErrSpawn))
	assert.Contains(t, se.Msg, "dependency broken will not be running")
}

// A dependent already RUNNING is left alone when its dependency dies.
func TestDependsOnRunningDependentLeftAlone(t *testing.T) {
	t.Parallel()
	db := sleeper(t, "db", 1)
	db.AutoRestart = RestartNever
	web := sleeper(t, "web", 2)
	web.DependsOn = []Dependency{{Name: "db"}}
	ts := startSup(t, []ProgramSpec{db, web})
	pid := ts.waitState(t, "web", Running).Pid
	require.NoError(t, ts.proc(t, "db").Signal(syscall.SIGKILL))
	ts.waitState(t, "db", Exited)
	info := ts.proc(t, "web").Info()
	assert.Equal(t, Running, info.State)
	assert.Equal(t, pid, info.Pid)
}

// A shutdown stops dependents before what they depend on, waiting until
// each is fully stopped, even against priority; so does a stop of all.
func TestDependsOnStopOrder(t *testing.T) {
	t.Parallel()
	specs := func() []ProgramSpec {
		db := sleeper(t, "db", 200)
		web := newSpec("web", helperCmd(t, "ignoreterm"))
		web.Environment = helperEnv()
		web.StartSecs = -1
		web.StopWaitSecs = 500 * time.Millisecond // SIGKILL after 0.5 s
		web.Priority, web.GroupPriority = 100, 100
		web.DependsOn = []Dependency{{Name: "db"}}
		web.Stdout.EventsEnabled = true
		other := sleeper(t, "other", 50)
		return []ProgramSpec{db, web, other}
	}
	// check asserts that web, which takes 0.5 s to die, is stopped before
	// db is even signalled.
	check := func(t *testing.T, ts *testSup, rest ...string) {
		t.Helper()
		stopped := ts.log.waitFor(t, "stopped: ", 1+len(rest))
		var order []string
		for _, l := range stopped {
			order = append(order, l.Msg)
		}
		assert.Equal(t, "stopped: web (terminated by SIGKILL)", order[0])
		assert.Equal(t, rest, order[1:])
		// The log is in causal order: web's exit is logged before its
		// state changes, db's signal before its own.
		assert.Less(t, ts.lineIndex(t, "stopped: web "), ts.lineIndex(t, "killing db (pid "),
			"db is signalled once web is STOPPED")
	}
	t.Run("shutdown", func(t *testing.T) {
		t.Parallel()
		ts := startSup(t, specs())
		ts.waitOutput(t, "web", "ready")
		ts.stop()
		check(t, ts, "stopped: db (terminated by SIGTERM)", "stopped: other (terminated by SIGTERM)")
	})
	t.Run("stop all", func(t *testing.T) {
		t.Parallel()
		ts := startSup(t, specs())
		ts.waitOutput(t, "web", "ready")
		other := ts.proc(t, "other")
		require.NoError(t, ts.StopProcesses(context.Background(), ts.proc(t, "db"), ts.proc(t, "web")))
		check(t, ts, "stopped: db (terminated by SIGTERM)")
		require.NoError(t, other.Stop(context.Background()))
	})
}

// Cycles are refused when the programs are added; bad entries by Validate.
func TestDependsOnRefused(t *testing.T) {
	t.Parallel()
	s := New()
	a := newSpec("a", "/bin/true")
	a.DependsOn = []Dependency{{Name: "b"}}
	b := newSpec("b", "/bin/true")
	b.DependsOn = []Dependency{{Name: "c", Condition: DependCompleted}}
	c := newSpec("c", "/bin/true")
	c.DependsOn = []Dependency{{Name: "a"}}
	_, err := s.Add(a)
	require.NoError(t, err, "b may come later")
	_, err = s.Add(b)
	require.NoError(t, err)
	_, err = s.Add(c)
	require.ErrorIs(t, err, ErrBadSpec)
	assert.EqualError(t, err, `program "c": invalid program spec: dependency cycle c -> a -> b -> c`)

	bad := newSpec("x", "/bin/true")
	bad.DependsOn = []Dependency{{Name: "db", Condition: "up"}, {Name: "a b"}, {Name: "x"}, {Name: "a b"}}
	err = bad.Validate()
	require.ErrorIs(t, err, ErrBadSpec)
	assert.Contains(t, err.Error(), "depends on 'db': unknown condition 'up' (write running or completed)")
	assert.Contains(t, err.Error(), "depends on 'a b': invalid program spec: Invalid name: 'a b' because of character: ' '")
	assert.Contains(t, err.Error(), "'x' depends on itself")
	assert.Contains(t, err.Error(), "depends on 'a b' twice")
}
