package supervisor

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 13, part 4: a RUNNING process whose health check fails
// HealthFailures times in a row is restarted (stopped, then started), with
// an EventUnhealthy; while the check passes it is left alone.
func TestHealthRestart(t *testing.T) {
	t.Parallel()
	flag := filepath.Join(t.TempDir(), "healthy")
	require.NoError(t, os.WriteFile(flag, nil, 0o644))
	spec := sleeper(t, "svc", 1)
	spec.Health = "exec:test -f " + flag
	spec.HealthInterval = 100 * time.Millisecond
	spec.HealthFailures = 2
	ts := startSup(t, []ProgramSpec{spec})
	pid := ts.waitState(t, "svc", Running).Pid
	time.Sleep(600 * time.Millisecond) // several passing checks
	assert.Equal(t, pid, ts.proc(t, "svc").Info().Pid, "healthy: left alone")

	require.NoError(t, os.Remove(flag))
	ts.log.waitFor(t, "unhealthy: svc failed 2 health checks in a row (x_health exec:test -f ", 1)
	require.NoError(t, os.WriteFile(flag, nil, 0o644))
	ts.log.waitFor(t, "spawned: 'svc'", 2)
	info := ts.waitState(t, "svc", Running)
	assert.NotEqual(t, pid, info.Pid, "a new child")
	assert.Len(t, ts.log.messages("stopped: svc (terminated by SIGTERM)"), 1)
	var unhealthy []Event
	ts.events.mu.Lock()
	for _, ev := range ts.events.events {
		if ev.Kind == EventUnhealthy {
			unhealthy = append(unhealthy, ev)
		}
	}
	ts.events.mu.Unlock()
	require.Len(t, unhealthy, 1)
	assert.Equal(t, pid, unhealthy[0].Pid)
	assert.Equal(t, "exit status 1", string(unhealthy[0].Data))

	// A stop request is obeyed: no restart after it.
	require.NoError(t, ts.proc(t, "svc").Stop(context.Background()))
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, Stopped, ts.proc(t, "svc").State())
}

func TestHealthRefused(t *testing.T) {
	t.Parallel()
	spec := newSpec("x", "/bin/true")
	spec.Health = "ping"
	spec.HealthFailures = -1
	err := spec.Validate()
	require.ErrorIs(t, err, ErrBadSpec)
	assert.Contains(t, err.Error(), "health check 'ping': unknown kind")
	assert.Contains(t, err.Error(), "health: HealthInterval, HealthTimeout and HealthFailures must not be negative")
}
