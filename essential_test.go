package supervisor

import (
	"context"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveToEnd serves specs until Serve returns by itself (or cancel is
// called), and returns Serve's error and the log.
func serveToEnd(t *testing.T, specs []ProgramSpec, during func(s *Supervisor, cancel func())) (error, *logRecorder) {
	t.Helper()
	rec := newLogRecorder()
	s := New(WithLogger(slog.New(rec)))
	s.onRefused = func(msg string) { panic(msg) }
	require.NoError(t, addSpecs(s, tagged(t, specs...)...))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	<-s.Ready()
	if during != nil {
		during(s, cancel)
	}
	select {
	case err := <-done:
		assertNoLeftovers(t, testTag+"/"+t.Name())
		return err, rec
	case <-time.After(2 * waitLong):
		cancel()
		<-done
		t.Fatalf("Serve did not return; log:\n%s", rec.dump())
	}
	return nil, nil
}

func sleeper(t *testing.T, name string, prio int) ProgramSpec {
	spec := newSpec(name, helperCmd(t, "sleep"))
	spec.Environment = helperEnv()
	spec.StartSecs = -1
	spec.Priority, spec.GroupPriority = prio, prio
	return spec
}

// essentialEnd runs specs until an essential process ends and returns the
// *EssentialError Serve gave.
func essentialEnd(t *testing.T, specs []ProgramSpec, during func(s *Supervisor, cancel func())) (*EssentialError, *logRecorder) {
	t.Helper()
	err, rec := serveToEnd(t, specs, during)
	var ee *EssentialError
	require.ErrorAs(t, err, &ee, "log:\n%s", rec.dump())
	return ee, rec
}

// Issue 13, part 2: an essential process that exits with no restart to
// follow makes Serve stop everything, in the shutdown's order, and
// return its exit status.
func TestEssentialExitStopsEverything(t *testing.T) {
	t.Parallel()
	main := newSpec("main", helperCmd(t, "exit", "3", "300ms"))
	main.Environment = helperEnv()
	main.StartSecs = -1
	main.AutoRestart = RestartNever
	main.Essential = true
	main.Priority, main.GroupPriority = 500, 500
	ee, rec := essentialEnd(t, []ProgramSpec{sleeper(t, "low", 100), main, sleeper(t, "high", 900)}, nil)
	assert.Equal(t, Exited, ee.State)
	assert.Equal(t, 3, ee.ExitCode)
	assert.Equal(t, "main", ee.Process.Name())
	assert.Equal(t, "essential process main ended in state EXITED (exit status 3)", ee.Error())
	assert.Len(t, rec.messages("essential program main entered EXITED state, exiting (exit status 3)"), 1)
	assert.Equal(t, []string{"stopped: high (terminated by SIGTERM)", "stopped: low (terminated by SIGTERM)"},
		rec.messages("stopped: "), "the others are stopped from the highest priority down")
}

// An expected exit with supervisord's autorestart=unexpected is an end
// for good too, with status 0; a death by signal N gives 128+N.
func TestEssentialExitCodes(t *testing.T) {
	t.Parallel()
	t.Run("expected exit", func(t *testing.T) {
		t.Parallel()
		spec := newSpec("job", helperCmd(t, "exit", "0", "200ms"))
		spec.Environment = helperEnv()
		spec.StartSecs = -1
		spec.Essential = true
		ee, _ := essentialEnd(t, []ProgramSpec{spec}, nil)
		assert.Equal(t, Exited, ee.State)
		assert.Equal(t, 0, ee.ExitCode)
	})
	t.Run("signal", func(t *testing.T) {
		t.Parallel()
		spec := sleeper(t, "victim", 1)
		spec.AutoRestart = RestartNever
		spec.Essential = true
		ee, _ := essentialEnd(t, []ProgramSpec{spec}, func(s *Supervisor, _ func()) {
			p := s.Processes()[0]
			require.Eventually(t, func() bool { return p.State() == Running }, waitLong, 10*time.Millisecond)
			require.NoError(t, p.Signal(syscall.SIGKILL))
		})
		assert.Equal(t, Exited, ee.State)
		assert.Equal(t, 128+9, ee.ExitCode)
	})
	t.Run("fatal never ran", func(t *testing.T) {
		t.Parallel()
		spec := newSpec("missing", "/nonexistent/command")
		spec.StartRetries = -1
		spec.Essential = true
		ee, _ := essentialEnd(t, []ProgramSpec{spec, sleeper(t, "other", 1)}, nil)
		assert.Equal(t, Fatal, ee.State)
		assert.Equal(t, 1, ee.ExitCode)
	})
	t.Run("fatal after exit 0", func(t *testing.T) {
		t.Parallel()
		spec := newSpec("quick", helperCmd(t, "exit", "0"))
		spec.Environment = helperEnv()
		spec.StartSecs = time.Minute // exits too quickly: BACKOFF, then FATAL
		spec.StartRetries = -1
		spec.Essential = true
		ee, _ := essentialEnd(t, []ProgramSpec{spec}, nil)
		assert.Equal(t, Fatal, ee.State)
		assert.Equal(t, 1, ee.ExitCode, "a FATAL program never yields 0")
	})
}

// Stops that were asked for never end the supervisor: a stop request of
// the essential program, then the shutdown (Serve returns nil).
func TestEssentialRequestedStopsDoNotCount(t *testing.T) {
	t.Parallel()
	spec := sleeper(t, "core", 1)
	spec.AutoRestart = RestartNever
	spec.Essential = true
	err, rec := serveToEnd(t, []ProgramSpec{spec, sleeper(t, "other", 2)}, func(s *Supervisor, cancel func()) {
		p := s.Processes()[0]
		require.Eventually(t, func() bool { return p.State() == Running }, waitLong, 10*time.Millisecond)
		require.NoError(t, p.Stop(context.Background()))
		require.NoError(t, p.Start(context.Background()))
		cancel()
	})
	require.NoError(t, err)
	assert.Empty(t, rec.messages("essential"))
}
