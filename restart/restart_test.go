package restart

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/supervise-go/supervisor/supervisortest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	_ Policy = Linear{}
	_ Policy = Exponential{}
	_ Policy = Intensity{}
)

const sec = time.Second

// failingStarts plays a process whose every start fails at once: attempt,
// fail, ask the tracker, wait on a fake-clock timer for the delay, repeat.
// It returns when each attempt was made and when the process went FATAL,
// both relative to the first attempt, giving up after limit attempts.
func failingStarts(t *testing.T, tr Tracker, limit int) (attempts []time.Duration, fatalAt time.Duration) {
	t.Helper()
	clk := supervisortest.NewClock(fakeT0)
	for failures := 1; failures <= limit; failures++ {
		attempts = append(attempts, clk.Now().Sub(fakeT0))
		delay, giveUp := tr.StartFailed(failures, clk.Now())
		if giveUp {
			return attempts, clk.Now().Sub(fakeT0)
		}
		timer := clk.NewTimer(delay)
		clk.Advance(delay)
		select {
		case <-timer.C():
		default:
			t.Fatal("timer has not fired")
		}
	}
	t.Fatalf("still retrying after %d attempts", limit)
	return nil, 0
}

func TestLinearBackoffAttemptTimes(t *testing.T) {
	tests := []struct {
		startRetries int
		attempts     []time.Duration
		fatalAt      time.Duration
	}{
		{0, []time.Duration{0}, 0},
		{1, []time.Duration{0, 1 * sec}, 1 * sec},
		{2, []time.Duration{0, 1 * sec, 3 * sec}, 3 * sec},
		{3, []time.Duration{0, 1 * sec, 3 * sec, 6 * sec}, 6 * sec},
		{4, []time.Duration{0, 1 * sec, 3 * sec, 6 * sec, 10 * sec}, 10 * sec},
		{5, []time.Duration{0, 1 * sec, 3 * sec, 6 * sec, 10 * sec, 15 * sec}, 15 * sec},
	}
	for _, tt := range tests {
		attempts, fatalAt := failingStarts(t, Linear{}.NewTracker(tt.startRetries), 100)
		assert.Equal(t, tt.attempts, attempts, "startretries=%d: attempts", tt.startRetries)
		assert.Equal(t, tt.fatalAt, fatalAt, "startretries=%d: FATAL at", tt.startRetries)
		assert.Len(t, attempts, tt.startRetries+1, "startretries=%d: attempts = startretries+1", tt.startRetries)
	}
}

func TestLinearBackoffRestartsAfterRunningAtOnceForever(t *testing.T) {
	tr := Linear{}.NewTracker(3)
	for i := range 1000 {
		d, giveUp := tr.Restarting(fakeT0.Add(time.Duration(i) * time.Millisecond))
		require.Zero(t, d)
		require.False(t, giveUp)
	}
}

// delays returns the delays a tracker gives after failures 1..n, or fails
// the test if it gives up.
func delays(t *testing.T, tr Tracker, n int) []time.Duration {
	t.Helper()
	var ds []time.Duration
	for failures := 1; failures <= n; failures++ {
		d, giveUp := tr.StartFailed(failures, fakeT0)
		require.False(t, giveUp, "gave up after failure %d", failures)
		ds = append(ds, d)
	}
	return ds
}

func ms(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

// The rows of the table in Exponential's doc comment, plus edge cases.
func TestExponentialBackoffDelays(t *testing.T) {
	tests := []struct {
		name   string
		policy Exponential
		want   []time.Duration
	}{
		{"zero value", Exponential{},
			[]time.Duration{1 * sec, 2 * sec, 4 * sec, 8 * sec, 16 * sec, 32 * sec, time.Minute, time.Minute}},
		{"initial and max", Exponential{Initial: 500 * time.Millisecond, Max: 5 * sec},
			[]time.Duration{ms(500), 1 * sec, 2 * sec, 4 * sec, 5 * sec, 5 * sec, 5 * sec, 5 * sec}},
		{"multiplier 1.5", Exponential{Multiplier: 1.5, Max: 10 * sec},
			[]time.Duration{1 * sec, ms(1500), ms(2250), ms(3375), ms(5062.5), ms(7593.75), 10 * sec, 10 * sec}},
		{"multiplier 1 is constant", Exponential{Initial: 3 * sec, Multiplier: 1},
			[]time.Duration{3 * sec, 3 * sec, 3 * sec, 3 * sec}},
		{"multiplier below 1 means 2", Exponential{Multiplier: 0.5},
			[]time.Duration{1 * sec, 2 * sec, 4 * sec}},
		{"negative fields mean defaults", Exponential{Initial: -1, Multiplier: -3, Max: -1},
			[]time.Duration{1 * sec, 2 * sec, 4 * sec, 8 * sec, 16 * sec, 32 * sec, time.Minute}},
		{"initial above max is capped", Exponential{Initial: time.Hour, Max: 30 * sec},
			[]time.Duration{30 * sec, 30 * sec}},
		{"negative jitter means none", Exponential{Jitter: -0.5},
			[]time.Duration{1 * sec, 2 * sec, 4 * sec}},
	}
	for _, tt := range tests {
		tt.policy.MaxRetries = -1
		assert.Equal(t, tt.want, delays(t, tt.policy.NewTracker(3), len(tt.want)), tt.name)
	}
}

func TestExponentialBackoffCapSurvivesLongStreaks(t *testing.T) {
	for _, p := range []Exponential{
		{MaxRetries: -1},
		{MaxRetries: -1, Multiplier: 1e300, Max: time.Duration(math.MaxInt64)},
		{MaxRetries: -1, Jitter: 1, seed: 7},
	} {
		tr := p.NewTracker(0)
		max := cmpOr(p.Max, DefaultMax)
		for _, failures := range []int{64, 1000, math.MaxInt32, math.MaxInt} {
			d, giveUp := tr.StartFailed(failures, fakeT0)
			require.False(t, giveUp)
			require.Positive(t, d, "failure %d", failures)
			require.LessOrEqual(t, d, max, "failure %d", failures)
		}
	}
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func TestExponentialBackoffRetriesBeforeFatal(t *testing.T) {
	tests := []struct {
		name         string
		policy       Exponential
		startRetries int
		attempts     []time.Duration
		fatalAt      time.Duration
	}{
		{"startretries by default", Exponential{}, 3,
			[]time.Duration{0, 1 * sec, 3 * sec, 7 * sec}, 7 * sec},
		{"startretries 0", Exponential{}, 0,
			[]time.Duration{0}, 0},
		{"MaxRetries overrides startretries", Exponential{MaxRetries: 5}, 1,
			[]time.Duration{0, 1 * sec, 3 * sec, 7 * sec, 15 * sec, 31 * sec}, 31 * sec},
		{"capped", Exponential{MaxRetries: 4, Max: 3 * sec}, 10,
			[]time.Duration{0, 1 * sec, 3 * sec, 6 * sec, 9 * sec}, 9 * sec},
	}
	for _, tt := range tests {
		attempts, fatalAt := failingStarts(t, tt.policy.NewTracker(tt.startRetries), 100)
		assert.Equal(t, tt.attempts, attempts, "%s: attempts", tt.name)
		assert.Equal(t, tt.fatalAt, fatalAt, "%s: FATAL at", tt.name)
	}
}

func TestExponentialBackoffNegativeMaxRetriesNeverGivesUp(t *testing.T) {
	tr := Exponential{MaxRetries: -1}.NewTracker(3)
	for failures := 1; failures <= 10_000; failures++ {
		_, giveUp := tr.StartFailed(failures, fakeT0)
		require.False(t, giveUp, "failure %d", failures)
	}
}

// With jitter each delay lies in [base*(1-j), base*(1+j)] capped at Max,
// where base is the delay without jitter, and the draws cover that range.
func TestExponentialBackoffJitterBounds(t *testing.T) {
	tests := []struct {
		policy Exponential
		lo, hi []time.Duration // by failure, from 1
	}{
		{ // the table in Policy's doc comment
			Exponential{Jitter: 0.2},
			[]time.Duration{ms(800), ms(1600), ms(3200), ms(6400), ms(12800), ms(25600), 48 * sec, 48 * sec},
			[]time.Duration{ms(1200), ms(2400), ms(4800), ms(9600), ms(19200), ms(38400), time.Minute, time.Minute},
		},
		{ // the table in Exponential's doc comment
			Exponential{Jitter: 0.5},
			[]time.Duration{ms(500), 1 * sec, 2 * sec, 4 * sec, 8 * sec, 16 * sec, 30 * sec, 30 * sec},
			[]time.Duration{ms(1500), 3 * sec, 6 * sec, 12 * sec, 24 * sec, 48 * sec, time.Minute, time.Minute},
		},
		{ // above 1 is clamped to 1
			Exponential{Jitter: 7, Initial: 10 * sec, Max: 100 * sec},
			[]time.Duration{0, 0, 0},
			[]time.Duration{20 * sec, 40 * sec, 80 * sec},
		},
	}
	const draws = 1000
	for _, tt := range tests {
		tt.policy.MaxRetries = -1
		tt.policy.seed = 42
		tr := tt.policy.NewTracker(0)
		for i := range tt.lo {
			failures := i + 1
			lo, hi := tt.lo[i], tt.hi[i]
			seenLo, seenHi := time.Duration(math.MaxInt64), time.Duration(0)
			for range draws {
				d, _ := tr.StartFailed(failures, fakeT0)
				seenLo, seenHi = min(seenLo, d), max(seenHi, d)
			}
			what := fmt.Sprintf("jitter %v, failure %d: draws in [%v, %v], want [%v, %v]",
				tt.policy.Jitter, failures, seenLo, seenHi, lo, hi)
			assert.True(t, lo <= seenLo && seenHi <= hi, what)
			// The draws come within 2% of the range's width of each end.
			slack := (hi - lo) / 50
			assert.True(t, seenLo-lo < slack && hi-seenHi < slack, what)
		}
	}
}

func TestExponentialBackoffJitterSources(t *testing.T) {
	draw := func(p Exponential) []time.Duration { return delays(t, p.NewTracker(0), 20) }

	seeded := Exponential{Jitter: 0.3, MaxRetries: -1, seed: 9}
	assert.Equal(t, draw(seeded), draw(seeded), "same seed, same delays")

	// Unseeded trackers each get their own random source, so processes that
	// fail together spread out.
	unseeded := Exponential{Jitter: 0.3, MaxRetries: -1}
	assert.NotEqual(t, draw(unseeded), draw(unseeded))
}

func TestExponentialBackoffRestartsAfterRunning(t *testing.T) {
	type step struct {
		at       time.Duration // since t0
		failures int           // > 0: a failed start; 0: an exit after RUNNING
		delay    time.Duration
		giveUp   bool
	}
	tests := []struct {
		name         string
		policy       Exponential
		startRetries int
		steps        []step
	}{
		{"without DelayRestarts: at once, forever", Exponential{}, 3, []step{
			{at: 0}, {at: 1 * sec}, {at: 2 * sec}, {at: 2 * sec}, {at: time.Hour},
		}},
		{"short runs back off, a long one resets the streak",
			Exponential{DelayRestarts: true, ResetAfter: 10 * sec}, 3, []step{
				{at: 0, delay: 1 * sec},                // first exit; due at 1s
				{at: 3 * sec, delay: 2 * sec},          // ran 2s; due at 5s
				{at: 6 * sec, delay: 4 * sec},          // ran 1s; due at 10s
				{at: 19 * sec, delay: 8 * sec},         // ran 9s; due at 27s
				{at: 37 * sec, delay: 1 * sec},         // ran exactly 10s: a new streak; due at 38s
				{at: 39 * sec, delay: 2 * sec},         // ran 1s
				{at: 10 * time.Minute, delay: 1 * sec}, // a long run
			}},
		{"the cap and Max apply to restarts",
			Exponential{DelayRestarts: true, Max: 3 * sec}, 3, []step{
				{at: 0, delay: 1 * sec}, {at: 1 * sec, delay: 2 * sec}, {at: 3 * sec, delay: 3 * sec},
				{at: 6 * sec, delay: 3 * sec},
			}},
		{"default ResetAfter is a minute",
			Exponential{DelayRestarts: true}, 3, []step{
				{at: 0, delay: 1 * sec},
				{at: 1*sec + time.Minute - 1, delay: 2 * sec}, // ran 1m-1ns
				{at: 3*sec + 2*time.Minute, delay: 1 * sec},   // ran 2m
			}},
		{"a run is timed from the last start, failed retries included",
			Exponential{DelayRestarts: true, ResetAfter: 10 * sec}, 3, []step{
				{at: 0, delay: 1 * sec},                     // due at 1s
				{at: 1 * sec, failures: 1, delay: 1 * sec},  // that start failed; due at 2s
				{at: 11 * sec, delay: 2 * sec},              // ran 9s since 2s (10s since 1s)
				{at: 13 * sec, failures: 1, delay: 1 * sec}, // retries use their own count
				{at: 14 * sec, failures: 2, delay: 2 * sec}, // due at 16s
				{at: 26 * sec, delay: 1 * sec},              // ran 10s: a new streak
			}},
		{"FATAL ends the streak",
			Exponential{DelayRestarts: true}, 1, []step{
				{at: 0, delay: 1 * sec},
				{at: 1 * sec, delay: 2 * sec},
				{at: 3 * sec, failures: 1, delay: 1 * sec},
				{at: 4 * sec, failures: 2, giveUp: true},
				{at: 5 * sec, delay: 1 * sec}, // started by hand, exited at once
			}},
	}
	for _, tt := range tests {
		tr := tt.policy.NewTracker(tt.startRetries)
		for i, s := range tt.steps {
			now := fakeT0.Add(s.at)
			var d time.Duration
			var giveUp bool
			if s.failures > 0 {
				d, giveUp = tr.StartFailed(s.failures, now)
			} else {
				d, giveUp = tr.Restarting(now)
			}
			assert.Equal(t, s.delay, d, "%s: step %d (at %v): delay", tt.name, i, s.at)
			assert.Equal(t, s.giveUp, giveUp, "%s: step %d (at %v): give up", tt.name, i, s.at)
		}
	}
}

func TestExponentialBackoffValidate(t *testing.T) {
	valid := []Exponential{
		{},
		{Initial: sec, Multiplier: 1, Max: time.Hour, Jitter: 1, MaxRetries: -1, DelayRestarts: true, ResetAfter: sec},
		{Multiplier: 3.5, Jitter: 0.25, MaxRetries: 10},
	}
	for _, p := range valid {
		assert.NoError(t, p.Validate(), "%+v", p)
	}
	invalid := []struct {
		policy Exponential
		msg    string
	}{
		{Exponential{Initial: -sec}, "initial delay -1s is negative"},
		{Exponential{Multiplier: 0.5}, "multiplier 0.5 is below 1"},
		{Exponential{Multiplier: -2}, "multiplier -2 is below 1"},
		{Exponential{Multiplier: math.NaN()}, "multiplier NaN is below 1"},
		{Exponential{Multiplier: math.Inf(1)}, "multiplier is infinite"},
		{Exponential{Max: -sec}, "maximum delay -1s is negative"},
		{Exponential{Jitter: 1.5}, "jitter 1.5 is outside [0, 1]"},
		{Exponential{Jitter: -0.1}, "jitter -0.1 is outside [0, 1]"},
		{Exponential{Jitter: math.NaN()}, "jitter NaN is outside [0, 1]"},
		{Exponential{ResetAfter: -sec}, "reset time -1s is negative"},
	}
	for _, tt := range invalid {
		err := tt.policy.Validate()
		require.ErrorIs(t, err, ErrBadPolicy, "%+v", tt.policy)
		assert.Contains(t, err.Error(), tt.msg)
	}
}

func TestRestartIntensity(t *testing.T) {
	type step struct {
		at       time.Duration // since t0
		failures int           // > 0: a failed start; 0: an exit after RUNNING
		delay    time.Duration
		giveUp   bool
	}
	every := func(interval time.Duration, n int) []step {
		var s []step
		for i := range n {
			s = append(s, step{at: time.Duration(i) * interval})
		}
		return s
	}
	tests := []struct {
		name         string
		policy       Intensity
		startRetries int
		steps        []step
	}{
		{"gives up at the (MaxRestarts+1)-th restart within the window",
			Intensity{MaxRestarts: 3, Window: time.Minute}, 3, []step{
				{at: 0}, {at: 5 * sec}, {at: 10 * sec}, {at: 15 * sec, giveUp: true},
			}},
		{"restarts spread out never give up",
			Intensity{MaxRestarts: 3, Window: time.Minute}, 3,
			every(20*sec, 50)},
		{"restarts exactly a window apart are not in one window",
			Intensity{MaxRestarts: 2, Window: 10 * sec}, 3, []step{
				{at: 0}, {at: 5 * sec}, {at: 10 * sec}, {at: 15 * sec}, {at: 20 * sec},
			}},
		{"just inside the window",
			Intensity{MaxRestarts: 2, Window: 10 * sec}, 3, []step{
				{at: 0}, {at: 5 * sec}, {at: 10*sec - 1, giveUp: true},
			}},
		{"any window, not fixed buckets",
			Intensity{MaxRestarts: 2, Window: 10 * sec}, 3, []step{
				{at: 0}, {at: 8 * sec}, {at: 12 * sec}, {at: 17 * sec, giveUp: true},
			}},
		{"failed starts count, with Linear delays",
			Intensity{MaxRestarts: 3, Window: time.Minute}, 10, []step{
				{at: 0, failures: 1, delay: 1 * sec},
				{at: 1 * sec, failures: 2, delay: 2 * sec},
				{at: 3 * sec, failures: 3, delay: 3 * sec},
				{at: 6 * sec, failures: 4, giveUp: true}, // startretries would allow 10
			}},
		{"failed starts and restarts count together",
			Intensity{MaxRestarts: 3, Window: time.Minute}, 10, []step{
				{at: 0},
				{at: 0, failures: 1, delay: 1 * sec},
				{at: 5 * sec},
				{at: 9 * sec, giveUp: true},
			}},
		{"a restart counts when it is due",
			Intensity{
				Policy:      Exponential{Initial: 10 * sec},
				MaxRestarts: 1, Window: 15 * sec,
			}, 10, []step{
				{at: 0, failures: 1, delay: 10 * sec},        // due at 10s
				{at: 10 * sec, failures: 2, delay: 20 * sec}, // asked 10s later, but due 20s later
				{at: 31 * sec, giveUp: true},                 // due at 31s: 1s after the last
			}},
		{"the wrapped policy's give-up passes through and resets the count",
			Intensity{MaxRestarts: 2, Window: time.Minute}, 1, []step{
				{at: 0, failures: 1, delay: 1 * sec},
				{at: 1 * sec, failures: 2, giveUp: true}, // startretries=1
				{at: 2 * sec},                            // started by hand
				{at: 3 * sec},
				{at: 4 * sec, giveUp: true},
			}},
		{"after giving up a manual start gets the full allowance",
			Intensity{MaxRestarts: 1, Window: time.Minute}, 3, []step{
				{at: 0}, {at: 1 * sec, giveUp: true}, {at: 2 * sec}, {at: 3 * sec, giveUp: true},
			}},
		{"MaxRestarts 0 allows no restart",
			Intensity{Window: time.Minute}, 3, []step{{at: 0, giveUp: true}}},
		{"Window 0 disables the limit",
			Intensity{MaxRestarts: 1}, 3, every(0, 100)},
	}
	for _, tt := range tests {
		tr := tt.policy.NewTracker(tt.startRetries)
		for i, s := range tt.steps {
			now := fakeT0.Add(s.at)
			var d time.Duration
			var giveUp bool
			if s.failures > 0 {
				d, giveUp = tr.StartFailed(s.failures, now)
			} else {
				d, giveUp = tr.Restarting(now)
			}
			assert.Equal(t, s.delay, d, "%s: step %d (at %v): delay", tt.name, i, s.at)
			assert.Equal(t, s.giveUp, giveUp, "%s: step %d (at %v): give up", tt.name, i, s.at)
		}
	}
}

func TestRestartIntensityValidate(t *testing.T) {
	assert.NoError(t, Intensity{}.Validate())
	assert.NoError(t, Intensity{Policy: Exponential{}, MaxRestarts: 5, Window: time.Minute}.Validate())

	err := Intensity{MaxRestarts: -1, Window: time.Minute}.Validate()
	require.ErrorIs(t, err, ErrBadPolicy)
	assert.Contains(t, err.Error(), "maximum restarts -1 is negative")

	err = Intensity{Policy: Exponential{Jitter: 2}}.Validate()
	require.ErrorIs(t, err, ErrBadPolicy)
	assert.Contains(t, err.Error(), "jitter 2 is outside [0, 1]")
}

// fakeT0 is where the fake clocks of the tests start.
var fakeT0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
