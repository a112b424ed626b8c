package supervisortest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// Clock is a supervisor.Clock for tests: time stands still until the test
// calls Advance, so start, retry, restart and stop timing are checked
// without sleeping. Give it to supervisor.New with supervisor.WithClock. It
// is safe for concurrent use, since the supervisor arms its timers from its
// own goroutines.
//
// The usual pattern, for a process that the test drove into BACKOFF:
//
//	clk := supervisortest.NewClock(t0)
//	sup := supervisor.New(supervisor.WithClock(clk))
//	... wait for the BACKOFF event ...
//	clk.BlockUntilTimers(t, 1)       // its retry timer is armed
//	d, _ := clk.NextDue()            // the delay the restart policy chose
//	clk.Advance(d)                   // fire it: the process starts again
//
// A process arms a timer while STARTING (StartSecs), STOPPING
// (StopWaitSecs), in BACKOFF (the retry) and, with a delaying policy, when
// EXITED: wait for the state's event before counting timers.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	seq     uint64        // creation order, to fire timers due together in order
	timers  []*timer      // pending timers, in no particular order
	changed chan struct{} // closed and replaced when the pending set changes
}

// NewClock returns a clock that reads start until it is advanced.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start, changed: make(chan struct{})}
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewTimer returns a timer that fires when the clock has been advanced by d.
// Like time.NewTimer, d <= 0 fires at once: the channel already holds Now().
func (c *Clock) NewTimer(d time.Duration) interface {
	C() <-chan time.Time
	Stop() bool
} {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{clock: c, due: c.now.Add(d), seq: c.seq, c: make(chan time.Time, 1)}
	if d <= 0 {
		t.c <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	c.notifyLocked()
	return t
}

// Advance moves the clock forward by d (d >= 0) and fires every timer due by
// the new time, earliest first (timers due together in creation order). A
// fired timer's channel receives its due time; as with time.Timer the
// channel holds one value and the send never blocks. Timers armed by other
// goroutines in reaction are relative to the new time: to walk through a
// sequence of timers, advance one step at a time and wait with
// WaitForTimers in between.
func (c *Clock) Advance(d time.Duration) {
	if d < 0 {
		panic(fmt.Sprintf("Clock.Advance(%v): time cannot go backwards", d))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	var due, left []*timer
	for _, t := range c.timers {
		if t.due.After(c.now) {
			left = append(left, t)
		} else {
			due = append(due, t)
		}
	}
	if len(due) == 0 {
		return
	}
	c.timers = left
	slices.SortFunc(due, func(a, b *timer) int {
		return cmp.Or(a.due.Compare(b.due), cmp.Compare(a.seq, b.seq))
	})
	for _, t := range due {
		select {
		case t.c <- t.due:
		default:
		}
	}
	c.notifyLocked()
}

// Pending returns how many timers are armed and not yet fired or stopped.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// NextDue returns how long from now the earliest pending timer fires, and
// false if no timer is pending.
func (c *Clock) NextDue() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return 0, false
	}
	next := slices.MinFunc(c.timers, func(a, b *timer) int { return a.due.Compare(b.due) })
	return next.due.Sub(c.now), true
}

// WaitForTimers blocks until at least n timers are pending, or returns an
// error when ctx is done first.
func (c *Clock) WaitForTimers(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		have, changed := len(c.timers), c.changed
		c.mu.Unlock()
		if have >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("supervisortest.Clock: waited for %d pending timers, have %d: %w", n, have, context.Cause(ctx))
		}
	}
}

// BlockUntilTimers is WaitForTimers for a test goroutine: it fails the test
// if n timers are not pending within 10 seconds of real time (far more than
// any correct code needs; it only keeps a bug from hanging the suite).
func (c *Clock) BlockUntilTimers(t testing.TB, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := c.WaitForTimers(ctx, n); err != nil {
		t.Fatal(err)
	}
}

// notifyLocked wakes the goroutines in WaitForTimers. c.mu must be held.
func (c *Clock) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

type timer struct {
	clock *Clock
	due   time.Time
	seq   uint64
	c     chan time.Time
}

func (t *timer) C() <-chan time.Time { return t.c }

// Stop disarms the timer and reports whether it had not yet been received
// from. As with time.Timer since Go 1.23 (which the real clock uses), a
// value fired but not yet received is discarded, so no stale time arrives
// after Stop, and Stop returns true.
func (t *timer) Stop() bool {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	if i := slices.Index(c.timers, t); i >= 0 {
		c.timers = slices.Delete(c.timers, i, i+1)
		c.notifyLocked()
		return true
	}
	select {
	case <-t.c:
		return true
	default:
		return false
	}
}

// Step waits (as BlockUntilTimers does) until a timer is pending, advances
// the clock to the earliest one, and returns how far it went: one step of
// the process's timing, e.g. the delay before a retry.
func (c *Clock) Step(t testing.TB) time.Duration {
	t.Helper()
	c.BlockUntilTimers(t, 1)
	d, _ := c.NextDue()
	c.Advance(d)
	return d
}
