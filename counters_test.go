package supervisor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The counts in ProcessInfo follow spawns, automatic restarts and exits,
// and a stop is not an exit.
func TestInfoCounters(t *testing.T) {
	t.Parallel()
	quick := newSpec("quick", helperCmd(t, "exit", "3", "300ms"))
	quick.Environment = helperEnv()
	quick.StartSecs = 100 * time.Millisecond
	quick.ExitCodes = []int{0}
	sleeper := newSpec("sleeper", helperCmd(t, "sleep"))
	sleeper.Environment = helperEnv()
	sleeper.StartSecs = -1
	ts := startSup(t, []ProgramSpec{quick, sleeper})

	p := ts.proc(t, "quick")
	deadline := time.Now().Add(waitLong)
	for p.Info().Restarts < 2 {
		require.True(t, time.Now().Before(deadline), "no restarts; log:\n%s", ts.log.dump())
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, p.Stop(t.Context()))
	in := p.Info()
	require.Equal(t, int64(0), in.ExitsExpected)
	require.GreaterOrEqual(t, in.ExitsUnexpected, in.Restarts)
	require.Equal(t, in.Restarts+1, in.Starts, "every spawn but the first is a restart")

	s := ts.proc(t, "sleeper")
	ts.waitState(t, "sleeper", Running)
	require.NoError(t, s.Stop(t.Context()))
	require.NoError(t, s.Start(t.Context()))
	in = s.Info()
	require.Equal(t, int64(2), in.Starts)
	require.Equal(t, int64(0), in.Restarts)
	require.Equal(t, int64(0), in.ExitsExpected+in.ExitsUnexpected, "a stop is not counted as an exit")
}
