// Package restart holds the policies that decide how long a supervised
// process waits before it is started again, and when the supervisor gives
// up on it (FATAL): supervisord's own (Linear, the default), an
// exponential backoff with jitter, and a restart-intensity limit that wraps
// either. A policy goes in supervisor.ProgramSpec.Restart; the supervisor
// makes one Tracker per process. The package does not import the
// supervisor, so a policy and its trackers can be tested on their own (see
// the examples), or on a real process with supervisortest.Clock.
package restart

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Policy decides how long a process waits before it is started again,
// and when the supervisor gives up on it (FATAL). A policy is configuration:
// it makes one Tracker per process, which holds that process's state,
// so one policy value may be shared by many programs.
//
// Three policies are provided. For a program whose every start fails at once
// (startretries=3 unless said otherwise), a user sees these delays before
// each retry:
//
//	failure   Linear   Exponential{}   Exponential{Jitter: 0.2, MaxRetries: 8}
//	1         1s              1s                     0.8s .. 1.2s
//	2         2s              2s                     1.6s .. 2.4s
//	3         3s              4s                     3.2s .. 4.8s
//	4         FATAL           FATAL                  6.4s .. 9.6s
//	5                                                12.8s .. 19.2s
//	6                                                25.6s .. 38.4s
//	7                                                48s .. 1m (capped at Max)
//	8                                                48s .. 1m
//	9                                                FATAL
//
// A process that reached RUNNING and then exited is restarted at once by
// both backoffs, unless Exponential.DelayRestarts is set. [Intensity]
// wraps any policy and gives up when restarts come too often.
type Policy interface {
	// NewTracker returns the state for one process whose ProgramSpec allows
	// startRetries retries of a failed start.
	NewTracker(startRetries int) Tracker
}

// Tracker is one process's restart state. The process goroutine calls
// it; it need not be safe for concurrent use. The times passed in come from
// the supervisor's Clock and never go backwards.
type Tracker interface {
	// StartFailed is called when the failures-th consecutive start attempt
	// failed (failures >= 1) and the process entered BACKOFF. It returns the
	// delay before the next attempt, or giveUp to move to FATAL.
	StartFailed(failures int, now time.Time) (delay time.Duration, giveUp bool)
	// Restarting is called before a process that had reached RUNNING is
	// restarted automatically after it exited. It returns the delay before
	// the restart, or giveUp to move to FATAL instead.
	Restarting(now time.Time) (delay time.Duration, giveUp bool)
}

// Linear is supervisord's policy and the default: after the n-th
// consecutive failed start the next attempt waits n seconds; after
// startretries retries the process is FATAL. A process that reached RUNNING
// is restarted at once, however often it exits.
//
// For a child that fails as soon as it is started, the attempts are at:
//
//	startretries   attempts at (t0 = first start)             FATAL at
//	0              t0                                          t0
//	1              t0, +1s                                     t0+1s
//	3 (default)    t0, +1s, +3s, +6s                           t0+6s
//	5              t0, +1s, +3s, +6s, +10s, +15s               t0+15s
//
// A child that fails only after StartSecs moves each attempt later by that
// much.
type Linear struct{}

// NewTracker implements Policy.
func (Linear) NewTracker(startRetries int) Tracker {
	return linearTracker{retries: startRetries}
}

type linearTracker struct{ retries int }

func (t linearTracker) StartFailed(failures int, _ time.Time) (time.Duration, bool) {
	if failures > t.retries {
		return 0, true
	}
	return time.Duration(failures) * time.Second, false
}

func (linearTracker) Restarting(time.Time) (time.Duration, bool) { return 0, false }

// Defaults of Exponential's zero fields.
const (
	DefaultInitial    = time.Second
	DefaultMultiplier = 2.0
	DefaultMax        = time.Minute
	DefaultResetAfter = time.Minute
)

// Exponential waits Initial after the first failed start and
// Multiplier times longer after each further one, up to Max. Its zero value
// is ready to use: 1s, 2s, 4s, 8s, ... 1m, FATAL after startretries retries.
//
// With Jitter j each delay is multiplied by a random factor in [1-j, 1+j]
// and then capped at Max, so processes that fail together do not retry in
// step. Each tracker has its own random source.
//
// The delay after the n-th consecutive failure is
//
//	min(Max, min(Max, Initial * Multiplier^(n-1)) * random[1-Jitter, 1+Jitter])
//
// which gives these delays (before the retry limit, if any, is reached):
//
//	policy                        failure:  1      2      3      4      5      6      7      8
//	Exponential{}                      1s     2s     4s     8s     16s    32s    1m     1m
//	{Initial: 500ms, Max: 5s}                 0.5s   1s     2s     4s     5s     5s     5s     5s
//	{Multiplier: 1.5, Max: 10s}               1s     1.5s   2.25s  3.375s 5.06s  7.59s  10s    10s
//	{Jitter: 0.5}               from          0.5s   1s     2s     4s     8s     16s    30s    30s
//	                            to            1.5s   3s     6s     12s    24s    48s    1m     1m
//
// The process is FATAL after the last allowed retry fails (MaxRetries, or
// the program's startretries), as with [Linear].
//
// A process that reached RUNNING and then exited is restarted at once unless
// DelayRestarts is set. Then each exit of a streak of short runs waits like a
// failed start does (Initial, Initial*Multiplier, ...), and a run that lasted
// ResetAfter or longer ends the streak, so its exit waits Initial again. A run
// is timed from the moment its start was due (the last delay returned), which
// includes StartSecs. Restarts never give up; wrap the policy in
// [Intensity] for that.
//
// Call [Exponential.Validate] to reject out-of-range fields; NewTracker
// replaces them as each field's doc says.
type Exponential struct {
	// Initial is the delay after the first failure. Zero or negative means
	// DefaultInitial (1s).
	Initial time.Duration
	// Multiplier scales each delay from the one before. Below 1 (including
	// zero) means DefaultMultiplier (2), since a shrinking delay is no
	// backoff; 1 gives constant delays of Initial.
	Multiplier float64
	// Max caps every delay, jitter included. Zero or negative means
	// DefaultMax (1 minute).
	Max time.Duration
	// Jitter spreads each delay by up to this fraction either way, then caps
	// it at Max. 0 (no jitter) to 1; values outside are clamped to that range.
	Jitter float64
	// MaxRetries is how many failed starts are retried before FATAL. Zero
	// means the program's StartRetries; negative means retry forever.
	MaxRetries int
	// DelayRestarts makes a process that reached RUNNING and exited back off
	// too, when it keeps exiting within ResetAfter of its start.
	DelayRestarts bool
	// ResetAfter is how long a run must last to end a streak of restarts
	// (DelayRestarts only). Zero or negative means DefaultResetAfter
	// (1 minute).
	ResetAfter time.Duration

	// seed, when non-zero, seeds every tracker's random source identically,
	// so tests see the same jitter each run.
	seed uint64
}

// Validate reports a field outside its documented range, wrapping
// ErrBadPolicy. Zero fields, which mean defaults, are valid.
func (b Exponential) Validate() error {
	switch {
	case b.Initial < 0:
		return fmt.Errorf("%w: exponential backoff: initial delay %v is negative", ErrBadPolicy, b.Initial)
	case b.Multiplier != 0 && !(b.Multiplier >= 1): // !(>=) also catches NaN
		return fmt.Errorf("%w: exponential backoff: multiplier %v is below 1", ErrBadPolicy, b.Multiplier)
	case math.IsInf(b.Multiplier, 1):
		return fmt.Errorf("%w: exponential backoff: multiplier is infinite", ErrBadPolicy)
	case b.Max < 0:
		return fmt.Errorf("%w: exponential backoff: maximum delay %v is negative", ErrBadPolicy, b.Max)
	case !(b.Jitter >= 0 && b.Jitter <= 1):
		return fmt.Errorf("%w: exponential backoff: jitter %v is outside [0, 1]", ErrBadPolicy, b.Jitter)
	case b.ResetAfter < 0:
		return fmt.Errorf("%w: exponential backoff: reset time %v is negative", ErrBadPolicy, b.ResetAfter)
	}
	return nil
}

// NewTracker implements Policy.
func (b Exponential) NewTracker(startRetries int) Tracker {
	t := &exponentialTracker{
		initial:       b.Initial,
		multiplier:    b.Multiplier,
		max:           b.Max,
		jitter:        b.Jitter,
		retries:       startRetries,
		delayRestarts: b.DelayRestarts,
		resetAfter:    b.ResetAfter,
	}
	if t.initial <= 0 {
		t.initial = DefaultInitial
	}
	if !(t.multiplier >= 1) || math.IsInf(t.multiplier, 1) {
		t.multiplier = DefaultMultiplier
	}
	if t.max <= 0 {
		t.max = DefaultMax
	}
	switch {
	case t.jitter > 1:
		t.jitter = 1
	case !(t.jitter >= 0):
		t.jitter = 0
	}
	switch {
	case b.MaxRetries > 0:
		t.retries = b.MaxRetries
	case b.MaxRetries < 0:
		t.retries = -1
	}
	if t.resetAfter <= 0 {
		t.resetAfter = DefaultResetAfter
	}
	if t.jitter > 0 {
		if b.seed != 0 {
			t.rand = rand.New(rand.NewPCG(b.seed, b.seed))
		} else {
			t.rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
		}
	}
	return t
}

type exponentialTracker struct {
	initial       time.Duration
	multiplier    float64
	max           time.Duration
	jitter        float64
	retries       int // -1: forever
	delayRestarts bool
	resetAfter    time.Duration
	rand          *rand.Rand // nil without jitter

	streak  int       // exits after RUNNING since the last long run
	nextRun time.Time // when the last scheduled start was due; zero if none
}

func (t *exponentialTracker) StartFailed(failures int, now time.Time) (time.Duration, bool) {
	if t.retries >= 0 && failures > t.retries {
		// FATAL: a later manual start begins afresh.
		t.streak, t.nextRun = 0, time.Time{}
		return 0, true
	}
	d := t.delay(failures)
	t.nextRun = now.Add(d)
	return d, false
}

func (t *exponentialTracker) Restarting(now time.Time) (time.Duration, bool) {
	if !t.delayRestarts {
		return 0, false
	}
	if !t.nextRun.IsZero() && now.Sub(t.nextRun) >= t.resetAfter {
		t.streak = 0
	}
	t.streak++
	d := t.delay(t.streak)
	t.nextRun = now.Add(d)
	return d, false
}

// delay is the wait after the n-th failure of a streak (n >= 1).
func (t *exponentialTracker) delay(n int) time.Duration {
	// In float64, where Pow may overflow to +Inf for long streaks. The cap
	// is applied in Duration too: float64(Max) may round up past MaxInt64.
	limit := float64(t.max)
	d := float64(t.initial) * math.Pow(t.multiplier, float64(max(n-1, 0)))
	if t.rand != nil {
		d = min(d, limit) * (1 - t.jitter + 2*t.jitter*t.rand.Float64())
	}
	if d >= limit {
		return t.max
	}
	return time.Duration(d)
}

// Intensity wraps another policy and gives up (FATAL) when a process
// would be started more than MaxRestarts times within any Window, as
// Erlang/OTP supervisors' restart intensity and suture's failure threshold
// do. Retries after a failed start and automatic restarts after RUNNING both
// count; the first start, and any start made on request, do not. A restart
// counts at the time it is due (when the delay returned by Policy ends).
//
// It is how a policy that restarts forever, such as supervisord's restart of
// a process that had reached RUNNING, is told to stop: with
// Intensity{MaxRestarts: 3, Window: time.Minute} a child that runs a
// few seconds and crashes is restarted at once three times, then FATAL:
//
//	exits at    t0        t0+5s     t0+10s    t0+15s
//	decision    restart   restart   restart   FATAL (a 4th restart within 1m)
//
// while the same child crashing every 30s runs forever (never more than two
// restarts in a minute). Once it has given up, the count starts again from
// zero, so a manual start gets the full allowance.
//
// Window <= 0 disables the limit: the wrapped policy alone decides.
type Intensity struct {
	// Policy decides the delays and may give up sooner. Nil means
	// Linear.
	Policy Policy
	// MaxRestarts is how many restarts are allowed within Window. Zero
	// allows none: the process is FATAL the first time it would restart.
	MaxRestarts int
	// Window is the span in which restarts are counted.
	Window time.Duration
}

// Validate reports a field outside its documented range, wrapping
// ErrBadPolicy, and validates the wrapped policy if it has a Validate method.
func (r Intensity) Validate() error {
	if r.MaxRestarts < 0 {
		return fmt.Errorf("%w: restart intensity: maximum restarts %d is negative", ErrBadPolicy, r.MaxRestarts)
	}
	if v, ok := r.Policy.(interface{ Validate() error }); ok {
		return v.Validate()
	}
	return nil
}

// NewTracker implements Policy.
func (r Intensity) NewTracker(startRetries int) Tracker {
	p := r.Policy
	if p == nil {
		p = Linear{}
	}
	return &intensityTracker{
		inner:  p.NewTracker(startRetries),
		max:    max(r.MaxRestarts, 0),
		window: r.Window,
	}
}

type intensityTracker struct {
	inner  Tracker
	max    int
	window time.Duration
	starts []time.Time // due times of counted restarts within the window
}

func (t *intensityTracker) StartFailed(failures int, now time.Time) (time.Duration, bool) {
	d, giveUp := t.inner.StartFailed(failures, now)
	return t.count(now, d, giveUp)
}

func (t *intensityTracker) Restarting(now time.Time) (time.Duration, bool) {
	d, giveUp := t.inner.Restarting(now)
	return t.count(now, d, giveUp)
}

// count takes the inner tracker's answer at now, records the restart it
// schedules and vetoes it if it is one too many within the window.
func (t *intensityTracker) count(now time.Time, d time.Duration, giveUp bool) (time.Duration, bool) {
	if giveUp {
		t.starts = t.starts[:0] // a manual start gets the full allowance
		return d, true
	}
	if t.window <= 0 {
		return d, false
	}
	due := now.Add(d)
	kept := t.starts[:0]
	for _, s := range t.starts {
		if due.Sub(s) < t.window {
			kept = append(kept, s)
		}
	}
	t.starts = kept
	if len(t.starts) >= t.max {
		t.starts = t.starts[:0]
		return 0, true
	}
	t.starts = append(t.starts, due)
	return d, false
}

// ErrBadPolicy matches the errors of the policies' Validate methods.
var ErrBadPolicy = errors.New("invalid restart policy")
