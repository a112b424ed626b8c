package supervisor

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/supervise-go/supervisor/internal/pyrepr"
)

// EventTypes are supervisord's event type names, as an [eventlistener:x]
// events= line names them: the concrete types that Event.Name returns and
// the abstract ones that match a family (see EventTypeMatches). The slice
// is the caller's.
func EventTypes() []string { return slices.Clone(eventTypeNames) }

var eventTypeNames = []string{
	"EVENT",
	"PROCESS_STATE", "PROCESS_STATE_STOPPED", "PROCESS_STATE_EXITED", "PROCESS_STATE_STARTING",
	"PROCESS_STATE_STOPPING", "PROCESS_STATE_BACKOFF", "PROCESS_STATE_FATAL", "PROCESS_STATE_RUNNING",
	"PROCESS_STATE_UNKNOWN",
	"PROCESS_COMMUNICATION", "PROCESS_COMMUNICATION_STDOUT", "PROCESS_COMMUNICATION_STDERR",
	"PROCESS_LOG", "PROCESS_LOG_STDOUT", "PROCESS_LOG_STDERR",
	"REMOTE_COMMUNICATION",
	"SUPERVISOR_STATE_CHANGE", "SUPERVISOR_STATE_CHANGE_RUNNING", "SUPERVISOR_STATE_CHANGE_STOPPING",
	"TICK", "TICK_5", "TICK_60", "TICK_3600",
	"PROCESS_GROUP", "PROCESS_GROUP_ADDED", "PROCESS_GROUP_REMOVED",
}

// abstractEventTypes are the families: each matches the types named
// FAMILY_*, as supervisord's event classes subclass them.
var abstractEventTypes = []string{
	"PROCESS_STATE", "PROCESS_COMMUNICATION", "PROCESS_LOG", "SUPERVISOR_STATE_CHANGE", "TICK", "PROCESS_GROUP",
}

// CheckEventType returns nil for a name in EventTypes, else an error with
// supervisord's words: "Unknown event type NAME". Names are case-sensitive
// (supervisord upper-cases the events= line before looking them up).
func CheckEventType(name string) error {
	if slices.Contains(eventTypeNames, name) {
		return nil
	}
	return fmt.Errorf("%w: Unknown event type %s", ErrBadArguments, name)
}

// EventTypeMatches reports whether an event named name (Event.Name) is of
// type typ, as supervisord's subscriptions see it: "EVENT" matches every
// event, a family ("PROCESS_STATE", "PROCESS_LOG", "TICK"...) every type
// in it, and a concrete type only itself.
func EventTypeMatches(typ, name string) bool {
	switch {
	case typ == name || typ == "EVENT":
		return true
	case slices.Contains(abstractEventTypes, typ):
		return strings.HasPrefix(name, typ+"_")
	}
	return false
}

// Name returns the event's supervisord type name, the one a listener's
// header carries in eventname: PROCESS_STATE_RUNNING,
// PROCESS_LOG_STDOUT, PROCESS_COMMUNICATION_STDERR, REMOTE_COMMUNICATION,
// SUPERVISOR_STATE_CHANGE_RUNNING or _STOPPING (a restart too is
// STOPPING), PROCESS_GROUP_ADDED or _REMOVED, TICK_5, TICK_60, TICK_3600.
// An event that supervisord has no type for (a state or period it does not
// know) gives "".
func (e Event) Name() string {
	switch e.Kind {
	case EventProcessState:
		if s := e.To.String(); !strings.HasPrefix(s, "State(") {
			return "PROCESS_STATE_" + s
		}
	case EventSupervisorState:
		if e.Supervisor == SupervisorRunning {
			return "SUPERVISOR_STATE_CHANGE_RUNNING"
		}
		return "SUPERVISOR_STATE_CHANGE_STOPPING"
	case EventProcessLog:
		return "PROCESS_LOG_" + strings.ToUpper(e.Channel)
	case EventProcessCommunication:
		return "PROCESS_COMMUNICATION_" + strings.ToUpper(e.Channel)
	case EventRemoteCommunication:
		return "REMOTE_COMMUNICATION"
	case EventGroupAdded:
		return "PROCESS_GROUP_ADDED"
	case EventGroupRemoved:
		return "PROCESS_GROUP_REMOVED"
	case EventTick:
		switch e.Tick {
		case 5 * time.Second:
			return "TICK_5"
		case time.Minute:
			return "TICK_60"
		case time.Hour:
			return "TICK_3600"
		}
	}
	return ""
}

// Payload returns the event's body exactly as supervisord 4.2.5 (on
// Python 3) serializes it for a listener:
//
//	PROCESS_STATE_*: processname:P groupname:G from_state:S, then
//	  tries:N (STARTING, BACKOFF), expected:0|1 pid:N (EXITED) or
//	  pid:N (RUNNING, STOPPING, STOPPED); nothing more for FATAL, UNKNOWN
//	PROCESS_LOG_*: processname:P groupname:G pid:N channel:C, a newline, the data
//	PROCESS_COMMUNICATION_*: processname:P groupname:G pid:N, a newline, the data
//	REMOTE_COMMUNICATION: type:T, a newline, the data
//	SUPERVISOR_STATE_CHANGE_*: empty
//	PROCESS_GROUP_*: groupname:G and a newline
//	TICK_*: when:N, N the Unix time the period began
//
// Output that is not valid UTF-8 is written as supervisord does:
// "Undecodable: " and Python's repr of the bytes. supervisord 4.2.5 on
// Python 3 encodes sendRemoteCommEvent's arguments before formatting them,
// so a REMOTE_COMMUNICATION payload reads type:b'T' and b'DATA' (Python
// bytes reprs); that is what listeners of supervisord receive, and so what
// this returns. The header's len is the payload's length in characters
// (runes), not bytes.
func (e Event) Payload() string {
	switch e.Kind {
	case EventProcessState:
		s := fmt.Sprintf("processname:%s groupname:%s from_state:%s", e.Process, e.Group, e.From)
		switch e.To {
		case Starting, Backoff:
			s += fmt.Sprintf(" tries:%d", e.Tries)
		case Exited:
			exp := 0
			if e.Expected {
				exp = 1
			}
			s += fmt.Sprintf(" expected:%d pid:%d", exp, e.Pid)
		case Running, Stopping, Stopped:
			s += fmt.Sprintf(" pid:%d", e.Pid)
		}
		return s
	case EventProcessLog:
		return fmt.Sprintf("processname:%s groupname:%s pid:%d channel:%s\n%s",
			e.Process, e.Group, e.Pid, e.Channel, decodeOutput(e.Data))
	case EventProcessCommunication:
		return fmt.Sprintf("processname:%s groupname:%s pid:%d\n%s",
			e.Process, e.Group, e.Pid, decodeOutput(e.Data))
	case EventRemoteCommunication:
		return "type:" + pyrepr.BytesRepr([]byte(e.Type)) + "\n" + pyrepr.BytesRepr(e.Data)
	case EventGroupAdded, EventGroupRemoved:
		return "groupname:" + e.Group + "\n"
	case EventTick:
		return fmt.Sprintf("when:%d", e.Time.Unix())
	}
	return ""
}

// decodeOutput is supervisord's as_string with its fallback: the text, or
// "Undecodable: b'...'" when it is not UTF-8.
func decodeOutput(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return "Undecodable: " + pyrepr.BytesRepr(b)
}
