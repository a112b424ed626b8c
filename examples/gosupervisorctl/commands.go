package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/supervise-go/supervisor/client"
)

// A command is one supervisorctl action: what it does, and its help text.
type command struct {
	do   func(c *controller, arg string) (stop bool, err error)
	help []string // lines printed by "help NAME"; nil for none
}

// commands maps each action to its implementation. "EOF" is what the shell
// runs at the end of its input, as Python's cmd module does.
var commands map[string]command

func init() {
	commands = map[string]command{
		"add":      {do: noStop((*controller).doAdd), help: helpAdd},
		"avail":    {do: noStop((*controller).doAvail), help: helpAvail},
		"clear":    {do: noStop((*controller).doClear), help: helpClear},
		"exit":     {do: doQuit, help: helpExit},
		"fg":       {do: noStop((*controller).doFg), help: helpFg},
		"help":     {do: noStop((*controller).doHelp), help: helpHelp},
		"maintail": {do: noStop((*controller).doMaintail), help: helpMaintail},
		"open":     {do: noStop((*controller).doOpen), help: helpOpen},
		"pid":      {do: noStop((*controller).doPid), help: helpPid},
		"quit":     {do: doQuit, help: helpQuit},
		"reload":   {do: noStop((*controller).doReload), help: helpReload},
		"remove":   {do: noStop((*controller).doRemove), help: helpRemove},
		"reread":   {do: noStop((*controller).doReread), help: helpReread},
		"restart":  {do: noStop((*controller).doRestart), help: helpRestart},
		"shutdown": {do: noStop((*controller).doShutdown), help: helpShutdown},
		"signal":   {do: noStop((*controller).doSignal), help: helpSignal},
		"start":    {do: noStop((*controller).doStart), help: helpStart},
		"status":   {do: noStop((*controller).doStatus), help: helpStatus},
		"stop":     {do: noStop((*controller).doStop), help: helpStop},
		"tail":     {do: noStop((*controller).doTail), help: helpTail},
		"update":   {do: noStop((*controller).doUpdate), help: helpUpdate},
		"version":  {do: noStop((*controller).doVersion), help: helpVersion},
		"EOF":      {do: doQuit},
	}
}

func noStop(f func(c *controller, arg string) error) func(*controller, string) (bool, error) {
	return func(c *controller, arg string) (bool, error) { return false, f(c, arg) }
}

func doQuit(c *controller, _ string) (bool, error) {
	c.output("")
	return true, nil
}

// printHelp prints a command's help lines.
func (c *controller) printHelp(name string) {
	for _, l := range commands[name].help {
		c.output(l)
	}
}

// splitNamespec splits "group:name" as supervisord does. "group:" and
// "group:*" name the whole group (hasProcess false); a name without a colon
// is a process in the group of the same name.
func splitNamespec(s string) (group, process string, hasProcess bool) {
	g, p, found := strings.Cut(s, ":")
	if !found {
		return s, s, true
	}
	if p == "" || p == "*" {
		return g, "", false
	}
	return g, p, true
}

// setExitFromFault is supervisorctl's mapping of a result's status to the
// exit status: success and the ignored code change nothing, a dead program
// is 7, anything else 1.
func (c *controller) setExitFromFault(code, ignored int) {
	switch code {
	case ignored, client.FaultSuccess:
	case client.FaultSpawnError, client.FaultAbnormalTermination, client.FaultNotRunning:
		c.exit = exitNotRunning
	default:
		c.exit = exitGeneric
	}
}

// usage reports a command line that cmd does not accept: the message, then
// cmd's help, and the exit status to end with.
func (c *controller) usage(cmd, msg string, exit int) error {
	c.output(msg)
	c.exit = exit
	c.printHelp(cmd)
	return nil
}

// noIgnore is an ignored fault code that no result has.
const noIgnore = -1

// fields splits arguments on whitespace, as Python's str.split() does.
func fields(arg string) []string { return strings.Fields(arg) }

func faultOf(err error) *client.Fault {
	var f *client.Fault
	if errors.As(err, &f) {
		return f
	}
	return nil
}

// unknownResult is supervisorctl's complaint about a result code it has no
// words for.
func unknownResult(code int, name string) error {
	return &pyError{"ValueError", fmt.Sprintf("Unknown result code %d for %s", code, name)}
}

// ---- status

func (c *controller) doStatus(arg string) error {
	ok, err := c.upcheck()
	if err != nil {
		return err
	}
	if !ok {
		c.exit = exitPrivileges // status reports every upcheck failure as 4
		return nil
	}
	cl, _ := c.client()
	all, err := cl.AllProcessInfo(c.ctx)
	if err != nil {
		return err
	}
	names := fields(arg)
	matching := all
	if len(names) > 0 && !slices.Contains(names, "all") {
		matching = nil
		for _, name := range names {
			group, process, hasProcess := splitNamespec(name)
			bad := true
			for _, info := range all {
				if info.Group == group && (!hasProcess || info.Name == process) {
					bad = false
					matching = append(matching, info)
				}
			}
			if bad {
				if hasProcess {
					c.output(name + ": ERROR (no such process)")
				} else {
					c.output(group + ": ERROR (no such group)")
				}
				c.exit = exitPrivileges
			}
		}
	}
	c.showStatuses(matching)
	for _, info := range matching {
		if info.State.IsStopped() {
			c.exit = exitUnimpl
		}
	}
	return nil
}

// showStatuses prints one line per process, the name column as wide as the
// longest name (at least 30) plus 3, the state column 10.
func (c *controller) showStatuses(infos []client.ProcessInfo) {
	width := 30
	for _, info := range infos {
		width = max(width, utf8.RuneCountInString(info.Namespec()))
	}
	for _, info := range infos {
		c.output(padRight(info.Namespec(), width+3) + padRight(info.StateName, 10) + info.Description)
	}
}

// padRight is Python's "%-Ns": pad with spaces to n characters.
func padRight(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

// ---- pid

func (c *controller) doPid(arg string) error {
	cl, err := c.client()
	if err != nil {
		return err
	}
	if ok, err := c.upcheck(); !ok {
		return err
	}
	names := fields(arg)
	switch {
	case len(names) == 0:
		pid, err := cl.PID(c.ctx)
		if err != nil {
			return err
		}
		c.output(strconv.Itoa(pid))
	case slices.Contains(names, "all"):
		infos, err := cl.AllProcessInfo(c.ctx)
		if err != nil {
			return err
		}
		for _, info := range infos {
			c.output(strconv.Itoa(info.PID))
		}
	default:
		for _, name := range names {
			info, err := cl.ProcessInfo(c.ctx, name)
			if err != nil {
				c.exit = exitGeneric
				if f := faultOf(err); f != nil && f.Code == client.FaultBadName {
					c.output("No such process " + name)
					continue
				}
				return err
			}
			c.output(strconv.Itoa(info.PID))
			if info.PID == 0 {
				c.exit = exitNotRunning
			}
		}
	}
	return nil
}

// ---- start, stop, signal, restart

// resultWords are what supervisorctl prints after "name: " for the result
// codes that one command knows.
type resultWords map[int]string

// line is supervisorctl's line for r, or its complaint about a code it has
// no words for.
func (w resultWords) line(r client.Result) (string, error) {
	name := r.Namespec()
	if words, ok := w[r.Status]; ok {
		return name + ": " + words, nil
	}
	return "", unknownResult(r.Status, name)
}

var startResult = resultWords{
	client.FaultBadName:             "ERROR (no such process)",
	client.FaultNoFile:              "ERROR (no such file)",
	client.FaultNotExecutable:       "ERROR (file is not executable)",
	client.FaultAlreadyStarted:      "ERROR (already started)",
	client.FaultSpawnError:          "ERROR (spawn error)",
	client.FaultAbnormalTermination: "ERROR (abnormal termination)",
	client.FaultSuccess:             "started",
}.line

var (
	stopResult      = signalResult("stopped")
	signalledResult = signalResult("signalled")
)

// signalResult formats the results of stop or signal: success says
// success, and a failure prints its description alone.
func signalResult(success string) func(client.Result) (string, error) {
	words := resultWords{
		client.FaultBadName:    "ERROR (no such process)",
		client.FaultBadSignal:  "ERROR (bad signal name)",
		client.FaultNotRunning: "ERROR (not running)",
		client.FaultSuccess:    success,
	}
	return func(r client.Result) (string, error) {
		if r.Status == client.FaultFailed {
			return r.Description, nil
		}
		return words.line(r)
	}
}

// showResults prints the results of a group or "all" call.
func (c *controller) showResults(rs []client.Result, format func(client.Result) (string, error), ignored int) error {
	for _, r := range rs {
		line, err := format(r)
		if err != nil {
			return err
		}
		c.output(line)
		c.setExitFromFault(r.Status, ignored)
	}
	return nil
}

// faultResult is the result a single-process call's fault stands for.
func faultResult(f *client.Fault, group, process string) client.Result {
	return client.Result{Name: process, Group: group, Status: f.Code, Description: f.String}
}

// namedTargets is how start, stop or signal reaches the processes its
// arguments name: all of them, a whole group ("g" or "g:*"), or one.
type namedTargets struct {
	all    func() ([]client.Result, error)
	group  func(group string) ([]client.Result, error)
	one    func(name string) error
	format func(client.Result) (string, error)
	// ignored is the fault that leaves the exit status alone.
	ignored int
	// noGroupExit is the exit status after an unknown group; groupErrExit,
	// unless 0, the one set before another failure of a group call.
	noGroupExit, groupErrExit int
}

// applyNamed runs t on names and prints a line for each process, as
// supervisorctl does.
func (c *controller) applyNamed(names []string, t namedTargets) error {
	if slices.Contains(names, "all") {
		rs, err := t.all()
		if err != nil {
			return err
		}
		return c.showResults(rs, t.format, t.ignored)
	}
	for _, name := range names {
		group, process, hasProcess := splitNamespec(name)
		if !hasProcess {
			rs, err := t.group(group)
			if err != nil {
				if f := faultOf(err); f != nil && f.Code == client.FaultBadName {
					c.output(group + ": ERROR (no such group)")
					c.exit = t.noGroupExit
					continue
				}
				if t.groupErrExit != 0 {
					c.exit = t.groupErrExit
				}
				return err
			}
			if err := c.showResults(rs, t.format, t.ignored); err != nil {
				return err
			}
			continue
		}
		if err := c.showOne(group, process, t.one(name), t.format, t.ignored); err != nil {
			return err
		}
	}
	return nil
}

// showOne prints the line for a call on one process, whose error callErr is
// nil or a fault, and sets the exit status from it.
func (c *controller) showOne(group, process string, callErr error, format func(client.Result) (string, error), ignored int) error {
	r := client.Result{Name: process, Group: group, Status: client.FaultSuccess}
	if callErr != nil {
		f := faultOf(callErr)
		if f == nil {
			return callErr
		}
		r = faultResult(f, group, process)
	}
	line, err := format(r)
	if err != nil {
		return err
	}
	c.output(line)
	c.setExitFromFault(r.Status, ignored)
	return nil
}

func (c *controller) doStart(arg string) error {
	if ok, err := c.upcheck(); !ok {
		return err
	}
	names := fields(arg)
	cl, _ := c.client()
	if len(names) == 0 {
		return c.usage("start", "Error: start requires a process name", exitInvalidArgs)
	}
	return c.applyNamed(names, namedTargets{
		all:         func() ([]client.Result, error) { return cl.StartAllProcesses(c.ctx, true) },
		group:       func(g string) ([]client.Result, error) { return cl.StartProcessGroup(c.ctx, g, true) },
		one:         func(name string) error { return cl.StartProcess(c.ctx, name, true) },
		format:      startResult,
		ignored:     client.FaultAlreadyStarted,
		noGroupExit: exitInvalidArgs, groupErrExit: exitGeneric,
	})
}

func (c *controller) doStop(arg string) error {
	if ok, err := c.upcheck(); !ok {
		return err
	}
	names := fields(arg)
	cl, _ := c.client()
	if len(names) == 0 {
		return c.usage("stop", "Error: stop requires a process name", exitGeneric)
	}
	return c.applyNamed(names, namedTargets{
		all:         func() ([]client.Result, error) { return cl.StopAllProcesses(c.ctx, true) },
		group:       func(g string) ([]client.Result, error) { return cl.StopProcessGroup(c.ctx, g, true) },
		one:         func(name string) error { return cl.StopProcess(c.ctx, name, true) },
		format:      stopResult,
		ignored:     client.FaultNotRunning,
		noGroupExit: exitGeneric, groupErrExit: exitGeneric,
	})
}

func (c *controller) doSignal(arg string) error {
	if ok, err := c.upcheck(); !ok {
		return err
	}
	args := fields(arg)
	if len(args) < 2 {
		return c.usage("signal", "Error: signal requires a signal name and a process name", exitGeneric)
	}
	sig, names := args[0], args[1:]
	cl, _ := c.client()
	return c.applyNamed(names, namedTargets{
		all:         func() ([]client.Result, error) { return cl.SignalAllProcesses(c.ctx, sig) },
		group:       func(g string) ([]client.Result, error) { return cl.SignalProcessGroup(c.ctx, g, sig) },
		one:         func(name string) error { return cl.SignalProcess(c.ctx, name, sig) },
		format:      signalledResult,
		ignored:     noIgnore,
		noGroupExit: exitGeneric,
	})
}

func (c *controller) doRestart(arg string) error {
	if ok, err := c.upcheck(); !ok {
		return err
	}
	if len(fields(arg)) == 0 {
		return c.usage("restart", "Error: restart requires a process name", exitGeneric)
	}
	if err := c.doStop(arg); err != nil {
		return err
	}
	return c.doStart(arg)
}

// ---- shutdown, reload

// confirm asks a yes/no question in the shell; outside it the answer is yes.
func (c *controller) confirm(question string) (bool, error) {
	if !c.o.interactive {
		return true, nil
	}
	answer, err := c.in.readLine(question)
	if err != nil {
		if errors.Is(err, errInterrupted) {
			return false, err
		}
		return false, eofError
	}
	return strings.HasPrefix(strings.ToLower(answer), "y"), nil
}

func (c *controller) doShutdown(arg string) error {
	if arg != "" {
		return c.usage("shutdown", "Error: shutdown accepts no arguments", exitGeneric)
	}
	really, err := c.confirm("Really shut the remote supervisord process down y/N? ")
	if err != nil || !really {
		return err
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	err = cl.Shutdown(c.ctx)
	if err == nil {
		c.output("Shut down")
		return nil
	}
	if f := faultOf(err); f != nil {
		if f.Code == client.FaultShutdownState {
			c.output("ERROR: already shutting down")
			return nil
		}
		c.exit = exitGeneric
		return err
	}
	var ne *client.NetError
	if errors.As(err, &ne) {
		c.exit = exitGeneric
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			c.output("ERROR: " + c.o.serverURL + " refused connection (already shut down?)")
			return nil
		case errors.Is(err, syscall.ENOENT):
			c.output("ERROR: " + c.o.serverURL + " no such file (already shut down?)")
			return nil
		}
	}
	return err
}

func (c *controller) doReload(arg string) error {
	if arg != "" {
		return c.usage("reload", "Error: reload accepts no arguments", exitGeneric)
	}
	really, err := c.confirm("Really restart the remote supervisord process y/N? ")
	if err != nil || !really {
		return err
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	err = cl.Restart(c.ctx)
	if err == nil {
		c.output("Restarted supervisord")
		return nil
	}
	if f := faultOf(err); f != nil {
		c.exit = exitGeneric
		if f.Code == client.FaultShutdownState {
			c.output("ERROR: already shutting down")
			return nil
		}
	}
	return err
}

// ---- avail, reread, add, remove, update

func (c *controller) doAvail(arg string) error {
	if arg != "" {
		return c.usage("avail", "Error: avail accepts no arguments", exitGeneric)
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	infos, err := cl.AllConfigInfo(c.ctx)
	if err != nil {
		if f := faultOf(err); f != nil {
			c.exit = exitGeneric
			if f.Code == client.FaultShutdownState {
				c.output("ERROR: supervisor shutting down")
				return nil
			}
		}
		return err
	}
	for _, ci := range infos {
		inUse, auto := "avail", "manual"
		if ci.InUse {
			inUse = "in use"
		}
		if ci.Autostart {
			auto = "auto"
		}
		c.output(fmt.Sprintf("%s %s %s %d:%d", padRight(ci.Namespec(), 32), padRight(inUse, 9), padRight(auto, 9), ci.GroupPrio, ci.ProcessPrio))
	}
	return nil
}

func (c *controller) doReread(arg string) error {
	if arg != "" {
		return c.usage("reread", "Error: reread accepts no arguments", exitGeneric)
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	ch, err := cl.ReloadConfig(c.ctx)
	if err != nil {
		if f := faultOf(err); f != nil {
			c.exit = exitGeneric
			switch f.Code {
			case client.FaultShutdownState:
				c.output("ERROR: supervisor shutting down")
				return nil
			case client.FaultCantReread:
				c.output("ERROR: " + f.String)
				return nil
			}
		}
		return err
	}
	what := map[string]string{}
	for _, g := range ch.Added {
		what[g] = "available"
	}
	for _, g := range ch.Changed {
		what[g] = "changed"
	}
	for _, g := range ch.Removed {
		what[g] = "disappeared"
	}
	if len(what) == 0 {
		c.output("No config updates to processes")
		return nil
	}
	names := make([]string, 0, len(what))
	for g := range what {
		names = append(names, g)
	}
	slices.Sort(names)
	for _, g := range names {
		c.output(g + ": " + what[g])
	}
	return nil
}

func (c *controller) doAdd(arg string) error {
	cl, err := c.client()
	if err != nil {
		return err
	}
	for _, name := range fields(arg) {
		err := cl.AddProcessGroup(c.ctx, name)
		if err == nil {
			c.output(name + ": added process group")
			continue
		}
		f := faultOf(err)
		switch {
		case f != nil && f.Code == client.FaultShutdownState:
			c.output("ERROR: shutting down")
			c.exit = exitGeneric
		case f != nil && f.Code == client.FaultAlreadyAdded:
			c.output("ERROR: process group already active")
		case f != nil && f.Code == client.FaultBadName:
			c.output("ERROR: no such process/group: " + name)
			c.exit = exitGeneric
		default:
			c.exit = exitGeneric
			return err
		}
	}
	return nil
}

func (c *controller) doRemove(arg string) error {
	cl, err := c.client()
	if err != nil {
		return err
	}
	for _, name := range fields(arg) {
		err := cl.RemoveProcessGroup(c.ctx, name)
		if err == nil {
			c.output(name + ": removed process group")
			continue
		}
		f := faultOf(err)
		if f == nil {
			return err
		}
		c.exit = exitGeneric
		switch f.Code {
		case client.FaultStillRunning:
			c.output("ERROR: process/group still running: " + name)
		case client.FaultBadName:
			c.output("ERROR: no such process/group: " + name)
		default:
			return err
		}
	}
	return nil
}

func (c *controller) doUpdate(arg string) error {
	cl, err := c.client()
	if err != nil {
		return err
	}
	ch, err := cl.ReloadConfig(c.ctx)
	if err != nil {
		if f := faultOf(err); f != nil {
			c.exit = exitGeneric
			if f.Code == client.FaultShutdownState {
				c.output("ERROR: already shutting down")
				return nil
			}
		}
		return err
	}
	var only []string // the groups named, in order, without repeats
	for _, g := range fields(arg) {
		if !slices.Contains(only, g) {
			only = append(only, g)
		}
	}
	if slices.Contains(only, "all") {
		only = nil
	}
	if len(only) > 0 {
		infos, err := cl.AllProcessInfo(c.ctx)
		if err != nil {
			return err
		}
		known := map[string]bool{}
		for _, info := range infos {
			known[info.Group] = true
		}
		for _, g := range ch.Added {
			known[g] = true
		}
		for _, g := range only {
			if !known[g] {
				c.output("ERROR: no such group: " + g)
				c.exit = exitGeneric
			}
		}
	}
	skip := func(g string) bool { return len(only) > 0 && !slices.Contains(only, g) }

	for _, g := range ch.Removed {
		if skip(g) {
			continue
		}
		rs, err := cl.StopProcessGroup(c.ctx, g, true)
		if err != nil {
			return err
		}
		c.output(g + ": stopped")
		if slices.ContainsFunc(rs, func(r client.Result) bool { return r.Status == client.FaultFailed }) {
			c.output(g + ": has problems; not removing")
			c.exit = exitGeneric
			continue
		}
		if err := cl.RemoveProcessGroup(c.ctx, g); err != nil {
			return err
		}
		c.output(g + ": removed process group")
	}
	for _, g := range ch.Changed {
		if skip(g) {
			continue
		}
		if _, err := cl.StopProcessGroup(c.ctx, g, true); err != nil {
			return err
		}
		c.output(g + ": stopped")
		if err := cl.RemoveProcessGroup(c.ctx, g); err != nil {
			return err
		}
		if err := cl.AddProcessGroup(c.ctx, g); err != nil {
			return err
		}
		c.output(g + ": updated process group")
	}
	for _, g := range ch.Added {
		if skip(g) {
			continue
		}
		if err := cl.AddProcessGroup(c.ctx, g); err != nil {
			return err
		}
		c.output(g + ": added process group")
	}
	return nil
}

// ---- clear

var clearResult = resultWords{
	client.FaultBadName: "ERROR (no such process)",
	client.FaultFailed:  "ERROR (failed)",
	client.FaultSuccess: "cleared",
}.line

func (c *controller) doClear(arg string) error {
	if ok, err := c.upcheck(); !ok {
		return err
	}
	names := fields(arg)
	if len(names) == 0 {
		return c.usage("clear", "Error: clear requires a process name", exitGeneric)
	}
	cl, _ := c.client()
	if slices.Contains(names, "all") {
		rs, err := cl.ClearAllProcessLogs(c.ctx)
		if err != nil {
			return err
		}
		return c.showResults(rs, clearResult, noIgnore)
	}
	for _, name := range names {
		group, process, hasProcess := splitNamespec(name)
		if !hasProcess {
			process = "None" // as Python shows a missing process
		}
		if err := c.showOne(group, process, cl.ClearProcessLogs(c.ctx, name), clearResult, noIgnore); err != nil {
			return err
		}
	}
	return nil
}

// ---- open, version

func (c *controller) doOpen(arg string) error {
	u := strings.TrimSpace(arg)
	if s := urlScheme(u); s != "unix" && s != "http" {
		c.output("ERROR: url must be http:// or unix://")
		c.exit = exitGeneric
		return nil
	}
	c.o.serverURL = u
	c.resetClient()
	old := c.exit
	err := c.doStatus("")
	c.exit = old
	return err
}

func (c *controller) doVersion(arg string) error {
	if arg != "" {
		return c.usage("version", "Error: version accepts no arguments", exitGeneric)
	}
	if ok, err := c.upcheck(); !ok {
		return err
	}
	cl, _ := c.client()
	v, err := cl.SupervisorVersion(c.ctx)
	if err != nil {
		return err
	}
	c.output(v)
	return nil
}

// urlScheme is the scheme Python's urlparse finds in v, lower-cased, or "".
func urlScheme(v string) string {
	i := strings.IndexByte(v, ':')
	if i <= 0 || !isASCIILetter(v[0]) {
		return ""
	}
	for j := 0; j < i; j++ {
		ch := v[j]
		if !isASCIILetter(ch) && !('0' <= ch && ch <= '9') && ch != '+' && ch != '-' && ch != '.' {
			return ""
		}
	}
	return strings.ToLower(v[:i])
}
