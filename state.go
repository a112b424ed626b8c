package supervisor

import "fmt"

// State is the state of one supervised process. The numeric values are
// supervisord's, so they can be reported over its XML-RPC API unchanged.
type State int

// Process states, with supervisord's codes.
const (
	Stopped  State = 0    // not running: never started, or stopped on request
	Starting State = 10   // spawned, not yet up for StartSecs
	Running  State = 20   // up for at least StartSecs
	Backoff  State = 30   // failed to start; waiting to retry
	Stopping State = 40   // stop signal sent, waiting for the child to exit
	Exited   State = 100  // exited on its own from RUNNING
	Fatal    State = 200  // gave up starting after StartRetries failures
	Unknown  State = 1000 // signalling the child failed unexpectedly
)

var stateNames = map[State]string{
	Stopped:  "STOPPED",
	Starting: "STARTING",
	Running:  "RUNNING",
	Backoff:  "BACKOFF",
	Stopping: "STOPPING",
	Exited:   "EXITED",
	Fatal:    "FATAL",
	Unknown:  "UNKNOWN",
}

// String returns supervisord's name for the state, e.g. "RUNNING".
func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// IsStopped reports whether s is one of supervisord's STOPPED_STATES
// (STOPPED, EXITED, FATAL, UNKNOWN): no child is running.
func (s State) IsStopped() bool {
	return s == Stopped || s == Exited || s == Fatal || s == Unknown
}

// IsRunning reports whether s is one of supervisord's RUNNING_STATES
// (STARTING, RUNNING, BACKOFF): the process is meant to be up.
func (s State) IsRunning() bool {
	return s == Starting || s == Running || s == Backoff
}

// IsSignallable reports whether a child exists that a signal can reach
// (STARTING, RUNNING, STOPPING).
func (s State) IsSignallable() bool {
	return s == Starting || s == Running || s == Stopping
}

// SupervisorState is the state of the supervisor as a whole, with
// supervisord's codes: RUNNING while Serve runs and accepts requests,
// SHUTDOWN before and once it began stopping.
type SupervisorState int

// Supervisor states.
const (
	SupervisorRunning  SupervisorState = 1
	SupervisorShutdown SupervisorState = -1
)

// String returns supervisord's name for the state, e.g. "RUNNING".
func (s SupervisorState) String() string {
	switch s {
	case SupervisorRunning:
		return "RUNNING"
	case SupervisorShutdown:
		return "SHUTDOWN"
	}
	return fmt.Sprintf("SupervisorState(%d)", int(s))
}
