package supervisortest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// received returns the value waiting in c, failing the test if there is none.
func received(t *testing.T, c <-chan time.Time) time.Time {
	t.Helper()
	select {
	case v := <-c:
		return v
	default:
		t.Fatal("timer has not fired")
		return time.Time{}
	}
}

func assertNotFired(t *testing.T, c <-chan time.Time) {
	t.Helper()
	select {
	case v := <-c:
		t.Fatalf("timer fired at %v", v)
	default:
	}
}

func TestFakeClockNowMovesOnlyOnAdvance(t *testing.T) {
	clk := NewClock(t0)
	assert.Equal(t, t0, clk.Now())
	clk.Advance(1500 * time.Millisecond)
	assert.Equal(t, t0.Add(1500*time.Millisecond), clk.Now())
	clk.Advance(0)
	assert.Equal(t, t0.Add(1500*time.Millisecond), clk.Now())
	assert.Panics(t, func() { clk.Advance(-time.Nanosecond) })
}

func TestFakeClockFiresAtDueTimeWithDueTime(t *testing.T) {
	clk := NewClock(t0)
	tm := clk.NewTimer(time.Second)
	assert.Equal(t, 1, clk.Pending())

	clk.Advance(time.Second - time.Nanosecond)
	assertNotFired(t, tm.C())
	assert.Equal(t, 1, clk.Pending())

	clk.Advance(time.Nanosecond)
	assert.Equal(t, t0.Add(time.Second), received(t, tm.C()))
	assert.Equal(t, 0, clk.Pending())

	// A timer fires once.
	clk.Advance(time.Hour)
	assertNotFired(t, tm.C())
}

func TestFakeClockAdvancePastSeveralTimersFiresEachWithItsDueTime(t *testing.T) {
	clk := NewClock(t0)
	// Armed out of order; two share a due time.
	late := clk.NewTimer(3 * time.Second)
	early := clk.NewTimer(time.Second)
	tieA := clk.NewTimer(2 * time.Second)
	tieB := clk.NewTimer(2 * time.Second)
	never := clk.NewTimer(time.Minute)

	clk.Advance(5 * time.Second)
	assert.Equal(t, t0.Add(time.Second), received(t, early.C()))
	assert.Equal(t, t0.Add(2*time.Second), received(t, tieA.C()))
	assert.Equal(t, t0.Add(2*time.Second), received(t, tieB.C()))
	assert.Equal(t, t0.Add(3*time.Second), received(t, late.C()))
	assertNotFired(t, never.C())
	assert.Equal(t, 1, clk.Pending())
	assert.Equal(t, t0.Add(5*time.Second), clk.Now())
}

func TestFakeClockUnreadTimerDoesNotBlockAdvance(t *testing.T) {
	clk := NewClock(t0)
	tm := clk.NewTimer(time.Second)
	clk.Advance(time.Second)
	clk.Advance(time.Second) // nobody read the first value: must not block
	assert.Equal(t, t0.Add(time.Second), received(t, tm.C()))
}

func TestFakeClockZeroOrNegativeDurationFiresAtOnce(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		clk := NewClock(t0)
		tm := clk.NewTimer(d)
		assert.Equal(t, 0, clk.Pending())
		assert.Equal(t, t0, received(t, tm.C()))
	}
}

func TestFakeClockStop(t *testing.T) {
	clk := NewClock(t0)

	pending := clk.NewTimer(time.Second)
	assert.True(t, pending.Stop(), "Stop of a pending timer")
	assert.False(t, pending.Stop(), "second Stop")
	assert.Equal(t, 0, clk.Pending())
	clk.Advance(time.Minute)
	assertNotFired(t, pending.C())

	// Fired but not received: like time.Timer since Go 1.23, Stop discards
	// the value and reports true.
	unread := clk.NewTimer(time.Second)
	clk.Advance(time.Second)
	assert.True(t, unread.Stop(), "Stop of a fired, unreceived timer")
	assertNotFired(t, unread.C())

	read := clk.NewTimer(time.Second)
	clk.Advance(time.Second)
	received(t, read.C())
	assert.False(t, read.Stop(), "Stop of a received timer")
}

func TestFakeClockNextDue(t *testing.T) {
	clk := NewClock(t0)
	_, ok := clk.NextDue()
	assert.False(t, ok)

	clk.NewTimer(5 * time.Second)
	clk.NewTimer(2 * time.Second)
	clk.Advance(500 * time.Millisecond)
	d, ok := clk.NextDue()
	assert.True(t, ok)
	assert.Equal(t, 1500*time.Millisecond, d)
}

// The pattern the process tests use: a goroutine that arms a timer, waits
// for it, and arms the next; the test waits for each timer, then fires it.
func TestFakeClockDrivesAGoroutineStepByStep(t *testing.T) {
	clk := NewClock(t0)
	delays := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}
	fired := make(chan time.Time)
	go func() {
		for _, d := range delays {
			fired <- <-clk.NewTimer(d).C()
		}
		close(fired)
	}()

	var at []time.Duration
	for range delays {
		clk.BlockUntilTimers(t, 1)
		d, ok := clk.NextDue()
		require.True(t, ok)
		clk.Advance(d)
		at = append(at, (<-fired).Sub(t0))
	}
	_, open := <-fired
	assert.False(t, open)
	assert.Equal(t, []time.Duration{time.Second, 3 * time.Second, 7 * time.Second}, at)
}

func TestFakeClockWaitForTimers(t *testing.T) {
	t.Run("already pending", func(t *testing.T) {
		clk := NewClock(t0)
		clk.NewTimer(time.Second)
		clk.NewTimer(time.Second)
		ctx, cancel := context.WithCancel(t.Context())
		cancel() // not consulted when the condition already holds
		assert.NoError(t, clk.WaitForTimers(ctx, 2))
		assert.NoError(t, clk.WaitForTimers(ctx, 0))
	})
	t.Run("armed later by other goroutines", func(t *testing.T) {
		clk := NewClock(t0)
		release := make(chan struct{})
		for range 3 {
			go func() {
				<-release
				clk.NewTimer(time.Second)
			}()
		}
		done := make(chan error)
		go func() { done <- clk.WaitForTimers(t.Context(), 3) }()
		close(release)
		require.NoError(t, <-done)
		assert.Equal(t, 3, clk.Pending())
	})
	t.Run("context ends first", func(t *testing.T) {
		clk := NewClock(t0)
		clk.NewTimer(time.Second)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- clk.WaitForTimers(ctx, 2) }()
		cancel()
		err := <-done
		require.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "waited for 2 pending timers, have 1")
	})
	t.Run("fired and stopped timers do not count", func(t *testing.T) {
		clk := NewClock(t0)
		clk.NewTimer(time.Second)
		clk.NewTimer(time.Hour).Stop()
		clk.Advance(time.Second)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
		defer cancel()
		assert.ErrorIs(t, clk.WaitForTimers(ctx, 1), context.DeadlineExceeded)
	})
}

// Run with -race: timers armed, stopped and fired from many goroutines.
func TestFakeClockConcurrentUse(t *testing.T) {
	clk := NewClock(t0)
	const workers, rounds = 8, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				tm := clk.NewTimer(time.Duration(1+(w+i)%5) * time.Millisecond)
				if i%2 == 0 {
					tm.Stop()
				}
				_ = clk.Now()
				_ = clk.Pending()
				clk.NextDue()
			}
		})
	}
	wg.Go(func() {
		for range workers * rounds {
			clk.Advance(time.Millisecond)
		}
	})
	wg.Wait()
	clk.Advance(time.Second)
	assert.Equal(t, 0, clk.Pending())
}
