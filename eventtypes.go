package supervisor

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/supervise-go/supervisor/internal/pyrepr"
)

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
