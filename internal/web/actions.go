package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/rpcapi"
)

// actionRequest is one action asked for by index.html (supervisord's
// parameters processname and action) or by /api/action.
type actionRequest struct {
	Action  string // refresh, stopall, restartall, start, stop, restart, clearlog
	Process string // namespec exactly as given (processname)
	Group   string // extension: start, stop or restart every process of a group
}

func actionFromForm(r *http.Request) actionRequest {
	return actionRequest{
		Action:  r.Form.Get("action"),
		Process: r.Form.Get("processname"),
		Group:   r.Form.Get("group"),
	}
}

// outcome is what an action did. Message is supervisord's text for it,
// which the legacy redirect carries. Detail is the text for /api/action: the
// same, except where supervisord hides a failure (a restart whose start
// failed, processes that "stop all" could not stop), which Detail tells.
// Err is nil when everything asked for was done.
type outcome struct {
	Message string
	Detail  string
	Err     error
}

func done(msg string) outcome { return outcome{Message: msg, Detail: msg} }

func failed(msg string, err error) outcome { return outcome{Message: msg, Detail: msg, Err: err} }

// errUnknownAction is a request with an action supervisord does not know,
// or one that needs a process name without it: 400 (supervisord answers
// 500).
var errUnknownAction = errors.New("unknown action")

// perform runs the action and waits for it to complete, as supervisord's
// web page does before it redirects. The wait is not bounded by ctx's
// cancellation: a client that leaves does not cut a restart in half.
func (h *handler) perform(ctx context.Context, req actionRequest) (outcome, error) {
	ctx = context.WithoutCancel(ctx)
	sup := h.b.Supervisor()
	switch req.Action {
	case "refresh":
		return done("Page refreshed at " + ctime(time.Now())), nil
	case "stopall":
		if !h.running() {
			return failed(faultText(errShutdownState, ""), errShutdownState), nil
		}
		procs := sup.Processes()
		err := sup.StopProcesses(ctx, procs...)
		return withFailures(done("All stopped at "+ctime(time.Now())), err), nil
	case "restartall":
		if !h.running() {
			return failed(faultText(errShutdownState, ""), errShutdownState), nil
		}
		procs := sup.Processes()
		err := sup.StopProcesses(ctx, procs...)
		err2 := sup.StartProcesses(ctx, procs...)
		return withFailures(done("All restarted at "+ctime(time.Now())), errors.Join(err, err2)), nil
	}
	if req.Group != "" {
		return h.performGroup(ctx, req)
	}
	if req.Process == "" {
		return outcome{}, errUnknownAction
	}
	switch req.Action {
	case "start", "stop", "restart", "clearlog":
	default:
		return outcome{}, errUnknownAction
	}
	ns := req.Process
	// Look the process up as supervisord's split_namespec does: a bare
	// name is the process of that name in the group of that name, never
	// "all" nor a whole group.
	proc, err := h.process(ns)
	if err != nil {
		return failed("No such process named "+ns, err), nil
	}
	var shutdown error
	if !h.running() {
		shutdown = errShutdownState
	}
	switch req.Action {
	case "start":
		err := shutdown
		if err == nil {
			err = proc.Start(ctx)
		}
		if err != nil {
			return failed(startError(ns, err), err), nil
		}
		return done("Process " + ns + " started"), nil
	case "stop":
		err := shutdown
		if err == nil {
			err = proc.Stop(ctx)
		}
		if err != nil {
			return failed(faultText(err, ns), err), nil
		}
		return done("Process " + ns + " stopped"), nil
	case "restart":
		// supervisord runs stopProcess and startProcess in a multicall and
		// reports success whatever their results; a stop of a process that
		// was not running is no failure.
		out := done("Process " + ns + " restarted")
		err := shutdown
		if err == nil {
			err = proc.Stop(ctx)
			if errors.Is(err, supervisor.ErrNotRunning) {
				err = nil
			}
		}
		if err != nil {
			out.Detail, out.Err = faultText(err, ns), err
			return out, nil
		}
		if err := proc.Start(ctx); err != nil {
			out.Detail, out.Err = startError(ns, err), err
		}
		return out, nil
	default: // clearlog
		err := shutdown
		if err == nil {
			err = proc.ClearLogs()
		}
		if err != nil {
			return failed(faultText(err, ns), err), nil
		}
		return done("Log for " + ns + " cleared"), nil
	}
}

// performGroup starts, stops or restarts every process of a group: an
// extension, which supervisord's page does not offer.
func (h *handler) performGroup(ctx context.Context, req actionRequest) (outcome, error) {
	switch req.Action {
	case "start", "stop", "restart":
	default:
		return outcome{}, errUnknownAction
	}
	sup := h.b.Supervisor()
	g := req.Group
	var procs []*supervisor.Process
	for _, p := range sup.Processes() {
		if p.Group() == g {
			procs = append(procs, p)
		}
	}
	if len(procs) == 0 {
		return failed("No such group named "+g, supervisor.ErrBadName), nil
	}
	if !h.running() {
		return failed(faultText(errShutdownState, ""), errShutdownState), nil
	}
	var err error
	switch req.Action {
	case "start":
		err = sup.StartProcesses(ctx, procs...)
	case "stop":
		err = sup.StopProcesses(ctx, procs...)
	case "restart":
		err = errors.Join(sup.StopProcesses(ctx, procs...), sup.StartProcesses(ctx, procs...))
	}
	out := withFailures(done("Group "+g+" "+pastTense[req.Action]), err)
	out.Message = out.Detail
	return out, nil
}

var pastTense = map[string]string{"start": "started", "stop": "stopped", "restart": "restarted"}

// withFailures adds to out's Detail the processes that failed, from the
// error of an action on several (joined *ProcessErrors, possibly joined
// again).
func withFailures(out outcome, err error) outcome {
	var names []string
	var errs []error
	var walk func(error)
	walk = func(err error) {
		var pe *supervisor.ProcessError
		switch e := err.(type) {
		case nil:
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
		default:
			if errors.As(err, &pe) {
				ns := pe.Process.String()
				msg := shortError(pe.Err)
				if msg == "" {
					msg = faultText(pe.Err, ns)
				}
				names = append(names, ns+" ("+msg+")")
			} else {
				names = append(names, err.Error())
			}
			errs = append(errs, err)
		}
	}
	walk(err)
	if len(names) > 0 {
		out.Detail = "ERROR: " + out.Message + ", except: " + strings.Join(names, ", ")
		out.Err = errors.Join(errs...)
	}
	return out
}

// startError is supervisord's message for a failed start.
func startError(ns string, err error) string {
	msg := shortError(err)
	if msg == "" || errors.Is(err, supervisor.ErrNotRunning) {
		msg = faultText(err, ns)
	}
	return "ERROR: Process " + ns + ": " + msg
}

// shortError is supervisorctl's words for the errors a start or stop
// meets, "" for others.
func shortError(err error) string {
	switch {
	case errors.Is(err, supervisor.ErrNoFile):
		return "no such file"
	case errors.Is(err, supervisor.ErrNotExecutable):
		return "file not executable"
	case errors.Is(err, supervisor.ErrAlreadyStarted):
		return "already started"
	case errors.Is(err, supervisor.ErrSpawn):
		return "spawn error"
	case errors.Is(err, supervisor.ErrAbnormalTermination):
		return "abnormal termination"
	case errors.Is(err, supervisor.ErrNotRunning):
		return "not running"
	}
	return ""
}

// faultText renders err as supervisord's page renders an RPC fault about the
// process ns: "unexpected rpc fault [70] NOT_RUNNING: foo", the fault being
// the one the XML-RPC API answers.
func faultText(err error, ns string) string {
	f := rpcapi.FaultFor(err, ns)
	return fmt.Sprintf("unexpected rpc fault [%d] %s", f.Code, f.String)
}

// isErrorMessage reports whether a message tells of a failure, to show it
// as one.
func isErrorMessage(msg string) bool {
	return strings.HasPrefix(msg, "ERROR") || strings.HasPrefix(msg, "unexpected rpc fault") ||
		strings.HasPrefix(msg, "No such ")
}

// actionStatus is the HTTP status of /api/action for an outcome.
func actionStatus(out outcome) int {
	switch {
	case out.Err == nil:
		return http.StatusOK
	case errors.Is(out.Err, supervisor.ErrBadName):
		return http.StatusNotFound
	case errors.Is(out.Err, supervisor.ErrShutdown):
		return http.StatusServiceUnavailable
	}
	return http.StatusConflict
}
