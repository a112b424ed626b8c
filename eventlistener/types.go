package eventlistener

import (
	"fmt"
	"slices"
	"strings"

	"github.com/supervise-go/supervisor"
)

// Types are supervisord's event type names, as an [eventlistener:x]
// events= line names them: the concrete types that supervisor.Event.Name
// returns and the abstract ones that match a family (see Matches). The
// slice is the caller's.
func Types() []string { return slices.Clone(eventTypeNames) }

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

// CheckType returns nil for a name in Types, else an error with
// supervisord's words: "Unknown event type NAME". Names are case-sensitive
// (supervisord upper-cases the events= line before looking them up).
func CheckType(name string) error {
	if slices.Contains(eventTypeNames, name) {
		return nil
	}
	return fmt.Errorf("%w: Unknown event type %s", supervisor.ErrBadArguments, name)
}

// Matches reports whether an event named name (supervisor.Event.Name) is of
// type typ, as supervisord's subscriptions see it: "EVENT" matches every
// event, a family ("PROCESS_STATE", "PROCESS_LOG", "TICK"...) every type
// in it, and a concrete type only itself.
func Matches(typ, name string) bool {
	switch {
	case typ == name || typ == "EVENT":
		return true
	case slices.Contains(abstractEventTypes, typ):
		return strings.HasPrefix(name, typ+"_")
	}
	return false
}
