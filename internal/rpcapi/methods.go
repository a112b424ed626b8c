package rpcapi

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/logfile"
	"github.com/supervise-go/supervisor/internal/signame"
	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// methodTable lists every method of supervisord's default interface (spec
// 6.4 and 6.6), aliases included: 41 names.
func methodTable() []*method {
	const (
		tArray  = "array"
		tBool   = "boolean"
		tInt    = "int"
		tString = "string"
		tStruct = "struct"
	)
	sv := func(name string, sig []string, help string, fn func(*API, context.Context, params) (any, error)) *method {
		return &method{name: "supervisor." + name, sig: sig, help: help, fn: fn}
	}
	withWait := func(m *method) *method { m.optional = 1; return m }
	anyState := func(m *method) *method { m.anyState = true; return m }
	sig := func(types ...string) []string { return types }

	readStdout := func(a *API, _ context.Context, p params) (any, error) {
		return a.readProcessLog(p, supervisor.ChannelStdout)
	}
	tailStdout := func(a *API, _ context.Context, p params) (any, error) {
		return a.tailProcessLog(p, supervisor.ChannelStdout)
	}

	return []*method{
		// Status and control of the supervisor.
		sv("getAPIVersion", sig(tString), "Return the version of the XML-RPC API this server speaks (3.0).",
			func(*API, context.Context, params) (any, error) { return APIVersion, nil }),
		sv("getVersion", sig(tString), "Same as getAPIVersion, under the name older clients use.",
			func(*API, context.Context, params) (any, error) { return APIVersion, nil }),
		sv("getSupervisorVersion", sig(tString), "Return the supervisord release this server is compatible with.",
			func(*API, context.Context, params) (any, error) { return SupervisorVersion, nil }),
		sv("getIdentification", sig(tString), "Return the identifier string of this supervisor ([supervisord] identifier).",
			func(a *API, _ context.Context, _ params) (any, error) { return a.b.Identifier(), nil }),
		sv("getState", sig(tStruct), "Return the supervisor's state as {statecode, statename}.",
			func(a *API, _ context.Context, _ params) (any, error) {
				st := a.b.State()
				return stateInfo{Code: int(st), Name: st.String()}, nil
			}),
		sv("getPID", sig(tInt), "Return the process id of the supervisor.",
			func(a *API, _ context.Context, _ params) (any, error) { return a.b.PID(), nil }),
		sv("readLog", sig(tString, tInt, tInt), "Read part of the main log: (offset, length) as in readProcessStdoutLog.",
			(*API).readMainLog),
		sv("readMainLog", sig(tString, tInt, tInt), "Same as readLog, under its name before supervisord 2.1.",
			(*API).readMainLog),
		sv("clearLog", sig(tBool), "Empty the main log file.",
			(*API).clearMainLog),
		sv("shutdown", sig(tBool), "Stop every process, then the supervisor itself.",
			func(a *API, _ context.Context, _ params) (any, error) { a.b.Shutdown(); return true, nil }),
		sv("restart", sig(tBool), "Read the configuration again; if it is good, stop every process and start afresh on it, in the same process. A bad configuration is refused with CANT_REREAD and nothing stops.",
			(*API).restart),

		// Configuration.
		sv("reloadConfig", sig(tArray), "Read the configuration file again; return [[added, changed, removed]] group names without applying them.",
			(*API).reloadConfig),
		sv("addProcessGroup", sig(tBool, tString), "Activate the configured group named name, starting its autostart processes.",
			(*API).addProcessGroup),
		sv("removeProcessGroup", sig(tBool, tString), "Remove the group named name, whose processes must all be stopped.",
			(*API).removeProcessGroup),
		sv("getAllConfigInfo", sig(tArray), "Return the configuration of every process of the configuration read last, one struct per process.",
			(*API).getAllConfigInfo),

		// Processes.
		withWait(sv("startProcess", sig(tBool, tString, tBool), "Start the process name (or every process of group:*); with wait (default), return once it is RUNNING.",
			(*API).startProcess)),
		withWait(sv("startProcessGroup", sig(tArray, tString, tBool), "Start the processes of the group name that are not running; return one result struct per process.",
			(*API).startProcessGroup)),
		withWait(sv("startAllProcesses", sig(tArray, tBool), "Start every process that is not running, in priority order; return one result struct per process.",
			(*API).startAllProcesses)),
		withWait(sv("stopProcess", sig(tBool, tString, tBool), "Stop the process name (or every process of group:*); with wait (default), return once it has stopped.",
			(*API).stopProcess)),
		withWait(sv("stopProcessGroup", sig(tArray, tString, tBool), "Stop the running processes of the group name; return one result struct per process.",
			(*API).stopProcessGroup)),
		withWait(sv("stopAllProcesses", sig(tArray, tBool), "Stop every running process, in reverse priority order; return one result struct per process.",
			(*API).stopAllProcesses)),
		sv("signalProcess", sig(tBool, tString, tString), "Send a signal, given by name (HUP) or number (1), to the process name (or every process of group:*).",
			(*API).signalProcess),
		sv("signalProcessGroup", sig(tArray, tString, tString), "Send a signal to the processes of the group name that have a child; return one result struct per process.",
			(*API).signalProcessGroup),
		sv("signalAllProcesses", sig(tArray, tString), "Send a signal to every process that has a child; return one result struct per process.",
			(*API).signalAllProcesses),
		sv("getProcessInfo", sig(tStruct, tString), "Return the state of the process name (group:process, or process when it has its own group).",
			(*API).getProcessInfo),
		sv("getAllProcessInfo", sig(tArray), "Return the state of every process, sorted by group then name.",
			(*API).getAllProcessInfo),
		sv("sendProcessStdin", sig(tBool, tString, tString), "Write chars, encoded as UTF-8, to the standard input of the process name.",
			(*API).sendProcessStdin),
		anyState(sv("sendRemoteCommEvent", sig(tBool, tString, tString), "Emit a REMOTE_COMMUNICATION event with the given type and data to event listeners.",
			(*API).sendRemoteCommEvent)),

		// Process logs.
		sv("readProcessStdoutLog", sig(tString, tString, tInt, tInt), "Read length bytes of a process's stdout log from offset; a negative offset with length 0 reads the last -offset bytes.",
			readStdout),
		sv("readProcessLog", sig(tString, tString, tInt, tInt), "Same as readProcessStdoutLog, under its older name.",
			readStdout),
		sv("readProcessStderrLog", sig(tString, tString, tInt, tInt), "Read length bytes of a process's stderr log from offset, like readProcessStdoutLog.",
			func(a *API, _ context.Context, p params) (any, error) {
				return a.readProcessLog(p, supervisor.ChannelStderr)
			}),
		sv("tailProcessStdoutLog", sig(tArray, tString, tInt, tInt), "Follow a process's stdout log: return [bytes, new offset, overflow] for (offset, length).",
			tailStdout),
		sv("tailProcessLog", sig(tArray, tString, tInt, tInt), "Same as tailProcessStdoutLog, under its older name.",
			tailStdout),
		sv("tailProcessStderrLog", sig(tArray, tString, tInt, tInt), "Follow a process's stderr log, like tailProcessStdoutLog.",
			func(a *API, _ context.Context, p params) (any, error) {
				return a.tailProcessLog(p, supervisor.ChannelStderr)
			}),
		sv("clearProcessLogs", sig(tBool, tString), "Empty the stdout and stderr log files of the process name.",
			(*API).clearProcessLogs),
		sv("clearProcessLog", sig(tBool, tString), "Same as clearProcessLogs, under its older name.",
			(*API).clearProcessLogs),
		sv("clearAllProcessLogs", sig(tArray), "Empty the log files of every process; return one result struct per process.",
			(*API).clearAllProcessLogs),

		// Introspection and batching.
		anyState(&method{name: "system.listMethods", sig: sig(tArray), help: "Return the names of every method this server answers, sorted.",
			fn: (*API).listMethods}),
		anyState(&method{name: "system.methodHelp", sig: sig(tString, tString), help: "Return the documentation of the method name.",
			fn: (*API).methodHelp}),
		anyState(&method{name: "system.methodSignature", sig: sig(tArray, tString), help: "Return the signature of the method name: its return type followed by its parameter types.",
			fn: (*API).methodSignature}),
		anyState(&method{name: "system.multicall", sig: sig(tArray, tArray), help: "Run an array of {methodName, params} calls in order; return each result, or a {faultCode, faultString} struct for a call that failed.",
			fn: (*API).multicall}),
	}
}

func (a *API) sup() *supervisor.Supervisor { return a.b.Supervisor() }

// nameArg reads the name parameter and splits it.
func nameArg(p params) (name, group, process string, err error) {
	name, err = p.str(0)
	if err != nil {
		return "", "", "", err
	}
	group, process = splitNamespec(name)
	return name, group, process, nil
}

// --- the supervisor ---------------------------------------------------------

func (a *API) readMainLog(_ context.Context, p params) (any, error) {
	offset, err := p.integer(0)
	if err != nil {
		return nil, err
	}
	length, err := p.integer(1)
	if err != nil {
		return nil, err
	}
	path := a.b.MainLogPath()
	if path == "" {
		return nil, bareFault(xmlrpc.FaultNoFile)
	}
	data, err := logfile.Read(path, offset, length)
	if err != nil {
		return nil, logFault(err, path)
	}
	return string(data), nil
}

// logFault is the fault for an error reading the log file at path.
func logFault(err error, path string) *xmlrpc.Fault {
	switch {
	case errors.Is(err, supervisor.ErrNoFile):
		if path == "" {
			return bareFault(xmlrpc.FaultNoFile)
		}
		return fault(xmlrpc.FaultNoFile, path)
	case errors.Is(err, supervisor.ErrBadArguments):
		return bareFault(xmlrpc.FaultBadArguments)
	}
	return bareFault(xmlrpc.FaultFailed)
}

func (a *API) clearMainLog(context.Context, params) (any, error) {
	path := a.b.MainLogPath()
	if path == "" || !exists(path) {
		return nil, bareFault(xmlrpc.FaultNoFile)
	}
	if err := a.b.ClearMainLog(); err != nil {
		return nil, bareFault(xmlrpc.FaultFailed)
	}
	return true, nil
}

// restart checks the configuration before anything stops: supervisord's
// restart has no fault but SHUTDOWN_STATE, and would stop every process and
// exit on a configuration it cannot read. CANT_REREAD is the fault reread
// answers for the same configuration; supervisorctl reload prints it
// (inside its "error: <class 'xmlrpc.client.Fault'>" line) and exits 1.
func (a *API) restart(context.Context, params) (any, error) {
	if err := a.b.Restart(); err != nil {
		return nil, fault(xmlrpc.FaultCantReread, err.Error())
	}
	return true, nil
}

func (a *API) reloadConfig(context.Context, params) (any, error) {
	if err := a.b.Reread(); err != nil {
		return nil, fault(xmlrpc.FaultCantReread, err.Error())
	}
	available := a.b.Available()
	c, err := a.sup().Diff(available)
	if err != nil {
		return nil, fault(xmlrpc.FaultCantReread, err.Error())
	}
	// supervisord lists added and changed groups in the new config's
	// order (by priority), removed ones in the running order (by
	// priority), and supervisorctl update adds them in that order: so a
	// lower priority is forked first.
	var next, running []string
	for _, s := range available {
		next = append(next, cmp.Or(s.Group, s.Name))
	}
	for _, p := range a.sup().Programs() {
		running = append(running, p.Group())
	}
	return []any{[]any{inOrder(c.Added, next), inOrder(c.Changed, next), inOrder(c.Removed, running)}}, nil
}

// inOrder returns names (never nil) sorted by their first place in order.
func inOrder(names, order []string) []string {
	out := slices.Clone(names)
	if out == nil {
		out = []string{}
	}
	slices.SortStableFunc(out, func(a, b string) int {
		return cmp.Compare(slices.Index(order, a), slices.Index(order, b))
	})
	return out
}

func (a *API) addProcessGroup(_ context.Context, p params) (any, error) {
	name, err := p.str(0)
	if err != nil {
		return nil, err
	}
	var specs []supervisor.ProgramSpec
	for _, s := range a.b.Available() {
		if cmp.Or(s.Group, s.Name) == name {
			specs = append(specs, s)
		}
	}
	if len(specs) == 0 {
		return nil, fault(xmlrpc.FaultBadName, name)
	}
	if _, err := a.sup().AddGroup(specs...); err != nil {
		return nil, FaultFor(err, name)
	}
	return true, nil
}

func (a *API) removeProcessGroup(_ context.Context, p params) (any, error) {
	name, err := p.str(0)
	if err != nil {
		return nil, err
	}
	if err := a.sup().Remove(name); err != nil {
		return nil, FaultFor(err, name)
	}
	return true, nil
}

// --- processes --------------------------------------------------------------

func (a *API) startProcess(ctx context.Context, p params) (any, error) {
	name, group, process, err := nameArg(p)
	if err != nil {
		return nil, err
	}
	wait := p.flag(1, true)
	if process == "" {
		return a.startGroup(ctx, group, wait, name)
	}
	proc, err := a.sup().Process(group, process)
	if err != nil {
		return nil, FaultFor(err, name)
	}
	if err := proc.Start(waitContext(ctx, wait)); err != nil && !notWaited(err, wait) {
		if errors.Is(err, supervisor.ErrFailed) && proc.State() == supervisor.Unknown {
			return nil, fault(xmlrpc.FaultFailed, name+" is in an unknown process state")
		}
		return nil, FaultFor(err, name)
	}
	return true, nil
}

func (a *API) startProcessGroup(ctx context.Context, p params) (any, error) {
	name, err := p.str(0)
	if err != nil {
		return nil, err
	}
	return a.startGroup(ctx, name, p.flag(1, true), name)
}

// startGroup starts a group; asked as name ("g:*" to startProcess, "g" to
// startProcessGroup), which an unknown group's fault repeats.
func (a *API) startGroup(ctx context.Context, group string, wait bool, name string) (any, error) {
	procs, err := a.groupProcesses(group)
	if err != nil {
		return nil, FaultFor(err, name)
	}
	return a.startEach(ctx, procs, wait)
}

func (a *API) startAllProcesses(ctx context.Context, p params) (any, error) {
	return a.startEach(ctx, a.sup().Processes(), p.flag(0, true))
}

// startEach starts those of procs that are not running and reports each
// of them (supervisord leaves running ones out).
func (a *API) startEach(ctx context.Context, procs []*supervisor.Process, wait bool) (any, error) {
	asked := filter(procs, func(s supervisor.State) bool { return !s.IsRunning() })
	err := a.sup().StartProcesses(waitContext(ctx, wait), asked...)
	return eachResult(asked, err, wait)
}

func (a *API) stopProcess(ctx context.Context, p params) (any, error) {
	name, group, process, err := nameArg(p)
	if err != nil {
		return nil, err
	}
	wait := p.flag(1, true)
	if process == "" {
		return a.stopGroup(ctx, group, wait, name)
	}
	proc, err := a.sup().Process(group, process)
	if err != nil {
		return nil, FaultFor(err, name)
	}
	if err := proc.Stop(waitContext(ctx, wait)); err != nil && !notWaited(err, wait) {
		return nil, FaultFor(err, name)
	}
	return true, nil
}

func (a *API) stopProcessGroup(ctx context.Context, p params) (any, error) {
	name, err := p.str(0)
	if err != nil {
		return nil, err
	}
	return a.stopGroup(ctx, name, p.flag(1, true), name)
}

func (a *API) stopGroup(ctx context.Context, group string, wait bool, name string) (any, error) {
	procs, err := a.groupProcesses(group)
	if err != nil {
		return nil, FaultFor(err, name)
	}
	return a.stopEach(ctx, procs, wait)
}

func (a *API) stopAllProcesses(ctx context.Context, p params) (any, error) {
	return a.stopEach(ctx, a.sup().Processes(), p.flag(0, true))
}

// stopEach stops those of procs that are running and reports each of them.
func (a *API) stopEach(ctx context.Context, procs []*supervisor.Process, wait bool) (any, error) {
	asked := filter(procs, supervisor.State.IsRunning)
	err := a.sup().StopProcesses(waitContext(ctx, wait), asked...)
	return eachResult(asked, err, wait)
}

func (a *API) signalProcess(_ context.Context, p params) (any, error) {
	name, group, process, err := nameArg(p)
	if err != nil {
		return nil, err
	}
	sigName, err := p.text(1)
	if err != nil {
		return nil, err
	}
	if process == "" {
		procs, err := a.groupProcesses(group)
		if err != nil {
			return nil, FaultFor(err, name)
		}
		return a.signalEach(procs, sigName)
	}
	proc, err := a.sup().Process(group, process)
	if err != nil {
		return nil, FaultFor(err, name)
	}
	sig, err := signame.Parse(sigName)
	if err != nil {
		return nil, fault(xmlrpc.FaultBadSignal, sigName)
	}
	if err := proc.Signal(sig); err != nil {
		return nil, FaultFor(err, name)
	}
	return true, nil
}

func (a *API) signalProcessGroup(_ context.Context, p params) (any, error) {
	group, err := p.str(0)
	if err != nil {
		return nil, err
	}
	sigName, err := p.text(1)
	if err != nil {
		return nil, err
	}
	procs, err := a.groupProcesses(group)
	if err != nil {
		return nil, FaultFor(err, group)
	}
	return a.signalEach(procs, sigName)
}

func (a *API) signalAllProcesses(_ context.Context, p params) (any, error) {
	sigName, err := p.text(0)
	if err != nil {
		return nil, err
	}
	return a.signalEach(a.sup().Processes(), sigName)
}

// signalEach signals those of procs that have a child. A signal that does
// not parse fails for each of those processes, as in supervisord, not for
// the call.
func (a *API) signalEach(procs []*supervisor.Process, sigName string) (any, error) {
	asked := filter(procs, supervisor.State.IsSignallable)
	sig, perr := signame.Parse(sigName)
	if perr != nil {
		// supervisord lists these by name, not in start order.
		slices.SortFunc(asked, func(a, b *supervisor.Process) int {
			return cmp.Or(strings.Compare(a.Group(), b.Group()), strings.Compare(a.Name(), b.Name()))
		})
		f := fault(xmlrpc.FaultBadSignal, sigName)
		out := make([]result, 0, len(asked))
		for _, p := range asked {
			out = append(out, faultResult(p.Name(), p.Group(), f))
		}
		return out, nil
	}
	return eachResult(asked, a.sup().SignalProcesses(sig, asked...), true)
}

func (a *API) getProcessInfo(_ context.Context, p params) (any, error) {
	name, group, process, err := nameArg(p)
	if err != nil {
		return nil, err
	}
	if process == "" {
		return nil, fault(xmlrpc.FaultBadName, name)
	}
	proc, err := a.sup().Process(group, process)
	if err != nil {
		return nil, FaultFor(err, name)
	}
	return newProcessInfo(proc.Info()), nil
}

func (a *API) getAllProcessInfo(context.Context, params) (any, error) {
	// Each snapshot goes straight into its answer: a slice of snapshots
	// in between would double what a call allocates.
	procs := byName(a.sup())
	out := make([]processInfo, len(procs))
	for i, p := range procs {
		out[i] = newProcessInfo(p.Info())
	}
	return out, nil
}

func (a *API) sendProcessStdin(_ context.Context, p params) (any, error) {
	name, group, process, err := nameArg(p)
	if err != nil {
		return nil, err
	}
	var data []byte
	switch v := p[1].(type) {
	case string:
		data = []byte(v)
	case []byte:
		data = v
	default:
		return nil, fault(xmlrpc.FaultIncorrectParameters, pyStr(v))
	}
	if process == "" {
		return nil, fault(xmlrpc.FaultBadName, name)
	}
	proc, err := a.sup().Process(group, process)
	if err != nil {
		return nil, FaultFor(err, name)
	}
	if err := proc.WriteStdin(data); err != nil {
		return nil, FaultFor(err, name)
	}
	return true, nil
}

func (a *API) sendRemoteCommEvent(_ context.Context, p params) (any, error) {
	typ, err := p.text(0)
	if err != nil {
		return nil, err
	}
	data, err := p.text(1)
	if err != nil {
		return nil, err
	}
	a.sup().SendRemoteCommEvent(typ, []byte(data))
	return true, nil
}

// --- process logs -----------------------------------------------------------

// logArgs reads the (name, offset, length) parameters of the log methods.
func logArgs(p params) (name, group, process string, offset, length int64, err error) {
	if name, group, process, err = nameArg(p); err != nil {
		return
	}
	if offset, err = p.integer(1); err != nil {
		return
	}
	length, err = p.integer(2)
	return
}

func (a *API) readProcessLog(p params, ch supervisor.Channel) (any, error) {
	name, group, process, offset, length, err := logArgs(p)
	if err != nil {
		return nil, err
	}
	if process == "" {
		return nil, fault(xmlrpc.FaultBadName, name)
	}
	proc, err := a.sup().Process(group, process)
	if err != nil {
		return nil, FaultFor(err, name)
	}
	data, err := proc.ReadLog(ch, offset, length)
	if err != nil {
		return nil, logFault(err, logPath(proc.Info(), ch))
	}
	return string(data), nil
}

func (a *API) tailProcessLog(p params, ch supervisor.Channel) (any, error) {
	name, group, process, offset, length, err := logArgs(p)
	if err != nil {
		return nil, err
	}
	if process == "" {
		return nil, fault(xmlrpc.FaultBadName, name)
	}
	proc, err := a.sup().Process(group, process)
	if err != nil {
		return nil, FaultFor(err, name)
	}
	data, next, overflow, err := proc.TailLog(ch, offset, length)
	if err != nil {
		// supervisord answers a file it cannot read with nothing new.
		return []any{"", capInt(offset), false}, nil
	}
	return []any{string(data), capInt(next), overflow}, nil
}

func (a *API) clearProcessLogs(_ context.Context, p params) (any, error) {
	name, group, process, err := nameArg(p)
	if err != nil {
		return nil, err
	}
	if process == "" {
		return nil, fault(xmlrpc.FaultBadName, name)
	}
	proc, err := a.sup().Process(group, process)
	if err != nil {
		return nil, FaultFor(err, name)
	}
	if err := proc.ClearLogs(); err != nil {
		return nil, fault(xmlrpc.FaultFailed, name)
	}
	return true, nil
}

func (a *API) clearAllProcessLogs(context.Context, params) (any, error) {
	procs := a.sup().Processes()
	out := make([]result, 0, len(procs))
	for _, p := range procs {
		if err := p.ClearLogs(); err != nil {
			out = append(out, faultResult(p.Name(), p.Group(), fault(xmlrpc.FaultFailed, p.String())))
		} else {
			out = append(out, okResult(p.Name(), p.Group()))
		}
	}
	return out, nil
}
