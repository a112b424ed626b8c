package supervisor

import "time"

// RestartPolicy decides how long a process waits before it is started again,
// and when the supervisor gives up on it (FATAL). A policy is configuration:
// it makes one RestartTracker per process, which holds that process's state.
type RestartPolicy interface {
	// NewTracker returns the state for one process whose ProgramSpec allows
	// startRetries retries of a failed start.
	NewTracker(startRetries int) RestartTracker
}

// RestartTracker is one process's restart state. The process goroutine calls
// it; it need not be safe for concurrent use.
type RestartTracker interface {
	// StartFailed is called when the failures-th consecutive start attempt
	// failed (failures >= 1) and the process entered BACKOFF. It returns the
	// delay before the next attempt, or giveUp to move to FATAL.
	StartFailed(failures int, now time.Time) (delay time.Duration, giveUp bool)
	// Restarting is called before a process that had reached RUNNING is
	// restarted automatically after it exited. It returns the delay before
	// the restart, or giveUp to move to FATAL instead.
	Restarting(now time.Time) (delay time.Duration, giveUp bool)
}

// LinearBackoff is supervisord's policy and the default: after the n-th
// consecutive failed start the next attempt waits n seconds; after
// StartRetries retries the process is FATAL. A process that reached RUNNING
// is restarted at once, however often it exits.
//
//	startretries=3: attempts at t0, t0+1s, t0+3s, t0+6s, then FATAL
type LinearBackoff struct{}

// NewTracker implements RestartPolicy.
func (LinearBackoff) NewTracker(startRetries int) RestartTracker {
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
