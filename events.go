package supervisor

import (
	"fmt"
	"sync"
	"time"
)

// EventKind says what an Event reports.
type EventKind int

const (
	// EventProcessState: a process changed state (From -> To).
	EventProcessState EventKind = iota
	// EventSupervisorState: the supervisor is now running or stopping.
	EventSupervisorState
	// EventProcessLog: a chunk of output (LogSpec.EventsEnabled).
	EventProcessLog
	// EventGroupAdded: a group was added.
	EventGroupAdded
	// EventGroupRemoved: a group was removed.
	EventGroupRemoved
	// EventRemoteCommunication: sent with SendRemoteCommEvent.
	EventRemoteCommunication
	// EventProcessCommunication: output captured between supervisord's
	// <!--XSUPERVISOR:BEGIN--> and <!--XSUPERVISOR:END--> tokens
	// (LogSpec.CaptureMaxBytes).
	EventProcessCommunication
	// EventTick: a TICK_5, TICK_60 or TICK_3600 period began (Tick is the
	// period, Time the start of the slice). Only with WithTickEvents.
	EventTick
	// EventDependencyWait: a STARTING process waits for the dependency
	// named by Dependency (ProgramSpec.DependsOn) before it is forked.
	EventDependencyWait
	// EventUnhealthy: a RUNNING process failed ProgramSpec.HealthFailures
	// health checks in a row and is being restarted; Data holds the last
	// check's error, Pid the child's pid.
	EventUnhealthy
)

// String returns the supervisord event family, e.g. "PROCESS_STATE".
func (k EventKind) String() string {
	switch k {
	case EventProcessState:
		return "PROCESS_STATE"
	case EventSupervisorState:
		return "SUPERVISOR_STATE_CHANGE"
	case EventProcessLog:
		return "PROCESS_LOG"
	case EventGroupAdded:
		return "PROCESS_GROUP_ADDED"
	case EventGroupRemoved:
		return "PROCESS_GROUP_REMOVED"
	case EventRemoteCommunication:
		return "REMOTE_COMMUNICATION"
	case EventProcessCommunication:
		return "PROCESS_COMMUNICATION"
	case EventTick:
		return "TICK"
	case EventDependencyWait:
		return "X_DEPENDENCY_WAIT"
	case EventUnhealthy:
		return "X_UNHEALTHY"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is something that happened in the supervisor. Which fields are set
// depends on Kind.
type Event struct {
	Kind EventKind
	Time time.Time

	Process string // process name (process and log events)
	Group   string // group name (process, log and group events)

	From, To   State // process state change
	Pid        int   // child pid at the time of the change (0 if none)
	ExitStatus int   // for EXITED and STOPPED: exit status, -1 after a signal
	Expected   bool  // for EXITED: whether the exit status was expected
	Tries      int   // for STARTING and BACKOFF: consecutive failed starts

	Supervisor SupervisorState // supervisor state change

	Channel string // log and communication events: "stdout" or "stderr"
	Data    []byte // log event: the output; communication events: the data
	Type    string // remote communication: the type

	Tick       time.Duration // tick events: the period (5s, 1m or 1h)
	Dependency string        // dependency wait: the program or group waited for
}

// Namespec returns "group:process" for the event's process.
func (e Event) Namespec() string { return makeNamespec(e.Group, e.Process) }

// String renders the event for people, e.g.
// "foo:foo_00 RUNNING -> EXITED pid 42 exit 1 (not expected)".
func (e Event) String() string {
	switch e.Kind {
	case EventProcessState:
		s := fmt.Sprintf("%s %s -> %s", e.Namespec(), e.From, e.To)
		if e.Pid != 0 {
			s += fmt.Sprintf(" pid %d", e.Pid)
		}
		if e.To == Exited {
			exp := "not expected"
			if e.Expected {
				exp = "expected"
			}
			s += fmt.Sprintf(" exit %d (%s)", e.ExitStatus, exp)
		}
		return s
	case EventSupervisorState:
		return "supervisor " + e.Supervisor.String()
	case EventProcessLog:
		return fmt.Sprintf("%s %s %q", e.Namespec(), e.Channel, e.Data)
	case EventGroupAdded:
		return "group " + e.Group + " added"
	case EventGroupRemoved:
		return "group " + e.Group + " removed"
	case EventRemoteCommunication:
		return fmt.Sprintf("remote %s %q", e.Type, e.Data)
	case EventProcessCommunication:
		return fmt.Sprintf("%s %s captured %q", e.Namespec(), e.Channel, e.Data)
	case EventTick:
		return e.Name() + " " + e.Payload()
	}
	return e.Kind.String()
}

// Subscription delivers events in the order they happened. A subscriber
// that falls behind never slows the supervisor down: at most the buffer given
// to Subscribe waits for it, and when more events arrive the oldest waiting
// ones are dropped and counted in Dropped. So a slow reader still sees the
// latest state, with a gap it can detect.
//
// When Serve returns, C delivers the events still waiting and is then
// closed. Call Close to stop receiving earlier, or when you stop reading.
type Subscription struct {
	// C delivers the events.
	C <-chan Event

	c     chan Event
	sup   *Supervisor
	limit int
	wake  chan struct{} // capacity 1: "something changed"
	done  chan struct{} // closed when the pump has returned

	mu       sync.Mutex
	queue    []Event // queue[head:] waits for the reader
	head     int
	removed  uint64 // events taken off the head so far, delivered or dropped
	dropped  uint64
	draining bool // deliver what is queued, then close C
	aborted  bool // close C now
}

// Subscribe returns a subscription to every event from now on. buffer is
// how many events may wait for a slow reader; 0 or less means 1024.
func (s *Supervisor) Subscribe(buffer int) *Subscription {
	if buffer <= 0 {
		buffer = 1024
	}
	c := make(chan Event)
	sub := &Subscription{C: c, c: c, sup: s, limit: buffer,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.subMu.Lock()
	if s.subsClosed {
		sub.draining = true
	} else {
		s.subs[sub] = struct{}{}
	}
	s.subMu.Unlock()
	go sub.pump()
	return sub
}

// Dropped returns how many events were dropped because the reader was
// behind.
func (sub *Subscription) Dropped() uint64 {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.dropped
}

// Close ends the subscription at once: events not yet received are
// discarded and C is closed before Close returns.
func (sub *Subscription) Close() {
	sub.sup.subMu.Lock()
	delete(sub.sup.subs, sub)
	sub.sup.subMu.Unlock()
	sub.mu.Lock()
	sub.aborted = true
	sub.mu.Unlock()
	sub.signal()
	<-sub.done
}

func (sub *Subscription) signal() {
	select {
	case sub.wake <- struct{}{}:
	default:
	}
}

// push queues e, dropping the oldest waiting events beyond the limit. Its
// cost does not grow with the queue: the head moves, and the queue is
// compacted only when at least half of it is behind the head.
func (sub *Subscription) push(e Event) {
	sub.mu.Lock()
	if n := len(sub.queue) - sub.head - sub.limit + 1; n > 0 {
		clear(sub.queue[sub.head : sub.head+n]) // let their data go
		sub.head += n
		sub.removed += uint64(n)
		sub.dropped += uint64(n)
	}
	if len(sub.queue) == cap(sub.queue) && sub.head > 0 && 2*sub.head >= len(sub.queue) {
		n := copy(sub.queue, sub.queue[sub.head:])
		clear(sub.queue[n:])
		sub.queue, sub.head = sub.queue[:n], 0
	}
	sub.queue = append(sub.queue, e)
	sub.mu.Unlock()
	sub.signal()
}

// finish makes the pump deliver what is queued and then close C.
func (sub *Subscription) finish() {
	sub.mu.Lock()
	sub.draining = true
	sub.mu.Unlock()
	sub.signal()
}

// pump offers the head of the queue to the reader, leaving it queued until
// it is taken, so that a push meanwhile never has to put it back.
func (sub *Subscription) pump() {
	defer close(sub.done)
	defer close(sub.c)
	for {
		sub.mu.Lock()
		if sub.aborted || (sub.draining && sub.head == len(sub.queue)) {
			sub.mu.Unlock()
			return
		}
		if sub.head == len(sub.queue) {
			sub.queue, sub.head = sub.queue[:0], 0
			sub.mu.Unlock()
			<-sub.wake
			continue
		}
		e, at := sub.queue[sub.head], sub.removed
		sub.mu.Unlock()
		select {
		case sub.c <- e:
			sub.mu.Lock()
			if sub.removed == at { // still the head: take it off
				sub.queue[sub.head] = Event{}
				sub.head++
				sub.removed++
			} else {
				// A push dropped it (drops take the head first) while
				// the reader was taking it: it was delivered after all.
				sub.dropped--
			}
			sub.mu.Unlock()
		case <-sub.wake:
			// More events, or Close: look again.
		}
	}
}

// publish hands e to every subscriber without blocking.
func (s *Supervisor) publish(e Event) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for sub := range s.subs {
		sub.push(e)
	}
}

// closeSubscriptions lets every subscription deliver what it holds and
// close, once the supervisor has stopped.
func (s *Supervisor) closeSubscriptions() {
	s.subMu.Lock()
	subs := s.subs
	s.subs = map[*Subscription]struct{}{}
	s.subsClosed = true
	s.subMu.Unlock()
	for sub := range subs {
		sub.finish()
	}
}
