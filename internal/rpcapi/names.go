package rpcapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/supervise-go/supervisor"
)

// supervisord's names for processes: "group:process", "group:*" and
// "group:" (a whole group), "name" (the process of that name in the group
// of that name), and the result lists of its group and "all" methods. The
// supervisor package knows none of this: it has handles.

// splitNamespec splits a name as supervisord does: "group:process",
// "group:*" and "group:" (a whole group: process ""), or "name" (the
// process of that name in the group of that name).
func splitNamespec(name string) (group, process string) {
	g, p, ok := strings.Cut(name, ":")
	if !ok {
		return name, name
	}
	if p == "*" {
		p = ""
	}
	return g, p
}

// namespec is supervisord's name of a process: "group:name", or "name"
// when both are the same.
func namespec(group, name string) string {
	if group == name {
		return name
	}
	return group + ":" + name
}

// groupProcesses returns the processes of a group in start order, or
// ErrBadName when there is no such group.
func (a *API) groupProcesses(group string) ([]*supervisor.Process, error) {
	var out []*supervisor.Process
	for _, p := range a.sup().Processes() {
		if p.Group() == group {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("group %s: %w", group, supervisor.ErrBadName)
	}
	return out, nil
}

// groupNames returns the names of the groups.
func groupNames(sup *supervisor.Supervisor) map[string]bool {
	names := map[string]bool{}
	for _, p := range sup.Programs() {
		names[p.Group()] = true
	}
	return names
}

// byName returns every process sorted by group name then process name
// (the order of supervisord's getAllProcessInfo).
func byName(sup *supervisor.Supervisor) []*supervisor.Process {
	procs := sup.Processes()
	slices.SortFunc(procs, func(a, b *supervisor.Process) int {
		return cmp.Or(strings.Compare(a.Group(), b.Group()), strings.Compare(a.Name(), b.Name()))
	})
	return procs
}

// filter returns the processes whose state passes keep.
func filter(procs []*supervisor.Process, keep func(supervisor.State) bool) []*supervisor.Process {
	var out []*supervisor.Process
	for _, p := range procs {
		if keep(p.State()) {
			out = append(out, p)
		}
	}
	return out
}

// doneContext is an ended context: given to Start or Stop, it asks for the
// action without waiting for its outcome (supervisord's wait=False).
var doneContext = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// waitContext is ctx when the client waits, else doneContext.
func waitContext(ctx context.Context, wait bool) context.Context {
	if wait {
		return ctx
	}
	return doneContext
}

// notWaited reports whether err only says that a call without wait did
// not wait.
func notWaited(err error, wait bool) bool {
	return !wait && errors.Is(err, context.Canceled)
}

// eachResult reports the outcome of an action on each of asked, in order,
// from the error the supervisor returned (a join of *ProcessError). An
// error about the whole call (the supervisor is stopping) is a fault.
func eachResult(asked []*supervisor.Process, err error, wait bool) (any, error) {
	failed := map[*supervisor.Process]error{}
	if err != nil {
		joined, ok := err.(interface{ Unwrap() []error })
		if !ok {
			return nil, FaultFor(err, "")
		}
		for _, e := range joined.Unwrap() {
			var pe *supervisor.ProcessError
			if !errors.As(e, &pe) {
				return nil, FaultFor(e, "")
			}
			if !notWaited(pe.Err, wait) {
				failed[pe.Process] = pe.Err
			}
		}
	}
	out := make([]result, 0, len(asked))
	for _, p := range asked {
		if e := failed[p]; e != nil {
			out = append(out, faultResult(p.Name(), p.Group(), FaultFor(e, p.String())))
		} else {
			out = append(out, okResult(p.Name(), p.Group()))
		}
	}
	return out, nil
}

// logPath is the path of a process's log file for ch, "" when none.
func logPath(info supervisor.ProcessInfo, ch supervisor.Channel) string {
	if ch == supervisor.ChannelStderr {
		return info.StderrLogfile
	}
	return info.StdoutLogfile
}
