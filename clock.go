package supervisor

import "time"

// Clock tells the time and makes timers. The default is the real clock;
// supervisortest.Clock stands still until a test moves it. Durations are
// measured with the monotonic readings of the returned times.
type Clock interface {
	Now() time.Time
	// NewTimer returns a timer that fires once, d from now.
	NewTimer(d time.Duration) Timer
}

// Timer is the part of *time.Timer that the supervisor uses: C delivers
// the time once the timer fires; Stop prevents the firing and reports
// whether it did. It is an alias of an unnamed interface, so that a clock
// can implement Clock without importing this package.
type Timer = interface {
	C() <-chan time.Time
	Stop() bool
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (t realTimer) C() <-chan time.Time { return t.t.C }
func (t realTimer) Stop() bool          { return t.t.Stop() }
