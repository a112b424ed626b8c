package client

import (
	"context"
	"fmt"
)

// This file has one typed method per supervisord XML-RPC method. Names
// drop the "get" prefix (State for supervisor.getState); each doc comment
// names the method it calls. Methods that supervisord answers with true
// return only an error.

// APIVersion returns the version of the XML-RPC interface
// (supervisor.getAPIVersion), "3.0" for supervisord 3.x and 4.x.
func (c *Client) APIVersion(ctx context.Context) (string, error) {
	return callString(ctx, c, "supervisor.getAPIVersion")
}

// SupervisorVersion returns the server's package version, such as "4.2.5"
// (supervisor.getSupervisorVersion).
func (c *Client) SupervisorVersion(ctx context.Context) (string, error) {
	return callString(ctx, c, "supervisor.getSupervisorVersion")
}

// Identification returns the identifier set in [supervisord]
// (supervisor.getIdentification), "supervisor" by default.
func (c *Client) Identification(ctx context.Context) (string, error) {
	return callString(ctx, c, "supervisor.getIdentification")
}

// State returns supervisord's own state (supervisor.getState).
func (c *Client) State(ctx context.Context) (SupervisorState, error) {
	v, err := c.Call(ctx, "supervisor.getState")
	if err != nil {
		return 0, err
	}
	f, err := asFields(v, "supervisor.getState")
	if err != nil {
		return 0, err
	}
	s := SupervisorState(f.int("statecode"))
	return s, f.err
}

// PID returns the process id of supervisord (supervisor.getPID).
func (c *Client) PID(ctx context.Context) (int, error) {
	return callInt(ctx, c, "supervisor.getPID")
}

// ReadLog reads the main log (supervisor.readLog). With offset < 0 and
// length 0 it returns the last -offset bytes; with offset >= 0, length bytes
// from offset, or everything from offset when length is 0.
func (c *Client) ReadLog(ctx context.Context, offset, length int) (string, error) {
	return callString(ctx, c, "supervisor.readLog", offset, length)
}

// ClearLog empties the main log (supervisor.clearLog).
func (c *Client) ClearLog(ctx context.Context) error {
	return callDone(ctx, c, "supervisor.clearLog")
}

// Shutdown makes supervisord stop all processes and exit
// (supervisor.shutdown). It returns once the request is accepted.
func (c *Client) Shutdown(ctx context.Context) error {
	return callDone(ctx, c, "supervisor.shutdown")
}

// Restart makes supervisord stop all processes, reread its configuration
// and start again (supervisor.restart).
func (c *Client) Restart(ctx context.Context) error {
	return callDone(ctx, c, "supervisor.restart")
}

// ReloadConfig rereads the configuration file and reports which groups were
// added, changed or removed, without acting on them (supervisor.reloadConfig):
// AddProcessGroup and RemoveProcessGroup do that, as supervisorctl update
// does. A configuration that cannot be read is a *Fault with
// FaultCantReread.
func (c *Client) ReloadConfig(ctx context.Context) (ConfigChanges, error) {
	v, err := c.Call(ctx, "supervisor.reloadConfig")
	if err != nil {
		return ConfigChanges{}, err
	}
	outer, ok := v.([]any)
	if !ok || len(outer) != 1 {
		return ConfigChanges{}, fmt.Errorf("client: supervisor.reloadConfig: want [[added, changed, removed]], got %s", typeName(v))
	}
	lists, err := decodeList(outer[0], "supervisor.reloadConfig", func(e any) ([]string, error) {
		return decodeStrings(e, "group names")
	})
	if err != nil {
		return ConfigChanges{}, err
	}
	if len(lists) != 3 {
		return ConfigChanges{}, fmt.Errorf("client: supervisor.reloadConfig: want 3 lists, got %d", len(lists))
	}
	return ConfigChanges{Added: lists[0], Changed: lists[1], Removed: lists[2]}, nil
}

// AddProcessGroup puts a configured group in use, starting its autostart
// processes (supervisor.addProcessGroup). FaultBadName if it is not
// configured, FaultAlreadyAdded if it is in use.
func (c *Client) AddProcessGroup(ctx context.Context, name string) error {
	return callDone(ctx, c, "supervisor.addProcessGroup", name)
}

// RemoveProcessGroup takes a stopped group out of use
// (supervisor.removeProcessGroup). FaultStillRunning if one of its
// processes is not stopped.
func (c *Client) RemoveProcessGroup(ctx context.Context, name string) error {
	return callDone(ctx, c, "supervisor.removeProcessGroup", name)
}

// StartProcess starts one process, named "name" or "group:name"
// (supervisor.startProcess). With wait, it returns once the process has
// stayed up for its startsecs, or failed: FaultSpawnError,
// FaultAbnormalTermination. FaultAlreadyStarted if it is running. Given
// "group:*", supervisord starts the group; the first failure, if any, is
// returned.
func (c *Client) StartProcess(ctx context.Context, name string, wait bool) error {
	return callDone(ctx, c, "supervisor.startProcess", name, wait)
}

// StartProcessGroup starts the processes of a group that are not running,
// in priority order (supervisor.startProcessGroup), and reports on each.
func (c *Client) StartProcessGroup(ctx context.Context, name string, wait bool) ([]Result, error) {
	return callResults(ctx, c, "supervisor.startProcessGroup", name, wait)
}

// StartAllProcesses starts every process that is not running
// (supervisor.startAllProcesses).
func (c *Client) StartAllProcesses(ctx context.Context, wait bool) ([]Result, error) {
	return callResults(ctx, c, "supervisor.startAllProcesses", wait)
}

// StopProcess stops one process (supervisor.stopProcess); with wait, it
// returns once the process has stopped. FaultNotRunning if it was not
// running. Given "group:*", supervisord stops the group.
func (c *Client) StopProcess(ctx context.Context, name string, wait bool) error {
	return callDone(ctx, c, "supervisor.stopProcess", name, wait)
}

// StopProcessGroup stops the running processes of a group
// (supervisor.stopProcessGroup).
func (c *Client) StopProcessGroup(ctx context.Context, name string, wait bool) ([]Result, error) {
	return callResults(ctx, c, "supervisor.stopProcessGroup", name, wait)
}

// StopAllProcesses stops every running process (supervisor.stopAllProcesses).
func (c *Client) StopAllProcesses(ctx context.Context, wait bool) ([]Result, error) {
	return callResults(ctx, c, "supervisor.stopAllProcesses", wait)
}

// SignalProcess sends a signal, given by name ("HUP", "SIGHUP") or number
// ("1"), to one process (supervisor.signalProcess). FaultBadSignal for an
// unknown signal, FaultNotRunning if the process has no pid.
func (c *Client) SignalProcess(ctx context.Context, name, signal string) error {
	return callDone(ctx, c, "supervisor.signalProcess", name, signal)
}

// SignalProcessGroup signals the processes of a group that can be
// signalled (supervisor.signalProcessGroup).
func (c *Client) SignalProcessGroup(ctx context.Context, name, signal string) ([]Result, error) {
	return callResults(ctx, c, "supervisor.signalProcessGroup", name, signal)
}

// SignalAllProcesses signals every process that can be signalled
// (supervisor.signalAllProcesses).
func (c *Client) SignalAllProcesses(ctx context.Context, signal string) ([]Result, error) {
	return callResults(ctx, c, "supervisor.signalAllProcesses", signal)
}

// AllConfigInfo describes every configured process, in use or not
// (supervisor.getAllConfigInfo).
func (c *Client) AllConfigInfo(ctx context.Context) ([]ConfigInfo, error) {
	v, err := c.Call(ctx, "supervisor.getAllConfigInfo")
	if err != nil {
		return nil, err
	}
	return decodeList(v, "supervisor.getAllConfigInfo", decodeConfigInfo)
}

// ProcessInfo describes one process, "name" or "group:name"
// (supervisor.getProcessInfo). FaultBadName if there is none.
func (c *Client) ProcessInfo(ctx context.Context, name string) (ProcessInfo, error) {
	v, err := c.Call(ctx, "supervisor.getProcessInfo", name)
	if err != nil {
		return ProcessInfo{}, err
	}
	return decodeProcessInfo(v)
}

// AllProcessInfo describes every process in use, ordered by group then name
// (supervisor.getAllProcessInfo).
func (c *Client) AllProcessInfo(ctx context.Context) ([]ProcessInfo, error) {
	v, err := c.Call(ctx, "supervisor.getAllProcessInfo")
	if err != nil {
		return nil, err
	}
	return decodeList(v, "supervisor.getAllProcessInfo", decodeProcessInfo)
}

// ReadProcessStdoutLog reads a process's stdout log with ReadLog's offset
// and length rules (supervisor.readProcessStdoutLog). FaultNoFile if the
// process has no log file.
func (c *Client) ReadProcessStdoutLog(ctx context.Context, name string, offset, length int) (string, error) {
	return callString(ctx, c, "supervisor.readProcessStdoutLog", name, offset, length)
}

// ReadProcessStderrLog is ReadProcessStdoutLog for stderr
// (supervisor.readProcessStderrLog).
func (c *Client) ReadProcessStderrLog(ctx context.Context, name string, offset, length int) (string, error) {
	return callString(ctx, c, "supervisor.readProcessStderrLog", name, offset, length)
}

// TailProcessStdoutLog reads up to length bytes of a process's stdout log
// from offset, or its last length bytes if more was written
// (supervisor.tailProcessStdoutLog). Pass the returned Offset to the next
// call to follow the log; for a live stream, see Tail.
func (c *Client) TailProcessStdoutLog(ctx context.Context, name string, offset, length int) (LogChunk, error) {
	return callTail(ctx, c, "supervisor.tailProcessStdoutLog", name, offset, length)
}

// TailProcessStderrLog is TailProcessStdoutLog for stderr
// (supervisor.tailProcessStderrLog).
func (c *Client) TailProcessStderrLog(ctx context.Context, name string, offset, length int) (LogChunk, error) {
	return callTail(ctx, c, "supervisor.tailProcessStderrLog", name, offset, length)
}

// ClearProcessLogs empties a process's stdout and stderr logs
// (supervisor.clearProcessLogs).
func (c *Client) ClearProcessLogs(ctx context.Context, name string) error {
	return callDone(ctx, c, "supervisor.clearProcessLogs", name)
}

// ClearAllProcessLogs empties the logs of every process
// (supervisor.clearAllProcessLogs).
func (c *Client) ClearAllProcessLogs(ctx context.Context) ([]Result, error) {
	return callResults(ctx, c, "supervisor.clearAllProcessLogs")
}

// SendProcessStdin writes chars to a running process's stdin
// (supervisor.sendProcessStdin). FaultNotRunning if it is not running,
// FaultNoFile if its stdin is closed.
func (c *Client) SendProcessStdin(ctx context.Context, name, chars string) error {
	return callDone(ctx, c, "supervisor.sendProcessStdin", name, chars)
}

// SendRemoteCommEvent emits a REMOTE_COMMUNICATION event to event listeners
// (supervisor.sendRemoteCommEvent).
func (c *Client) SendRemoteCommEvent(ctx context.Context, typ, data string) error {
	return callDone(ctx, c, "supervisor.sendRemoteCommEvent", typ, data)
}

// ListMethods returns the names of every method the server offers
// (system.listMethods).
func (c *Client) ListMethods(ctx context.Context) ([]string, error) {
	v, err := c.Call(ctx, "system.listMethods")
	if err != nil {
		return nil, err
	}
	return decodeStrings(v, "system.listMethods")
}

// MethodHelp returns a method's documentation (system.methodHelp).
func (c *Client) MethodHelp(ctx context.Context, method string) (string, error) {
	return callString(ctx, c, "system.methodHelp", method)
}

// MethodSignature returns a method's return type followed by its parameter
// types, such as ["boolean", "string", "boolean"] for supervisor.startProcess
// (system.methodSignature).
func (c *Client) MethodSignature(ctx context.Context, method string) ([]string, error) {
	v, err := c.Call(ctx, "system.methodSignature", method)
	if err != nil {
		return nil, err
	}
	return decodeStrings(v, "system.methodSignature")
}

func callString(ctx context.Context, c *Client, method string, params ...any) (string, error) {
	v, err := c.Call(ctx, method, params...)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("client: %s: want a string, got %s", method, typeName(v))
	}
	return s, nil
}

func callInt(ctx context.Context, c *Client, method string, params ...any) (int, error) {
	v, err := c.Call(ctx, method, params...)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int)
	if !ok {
		return 0, fmt.Errorf("client: %s: want an int, got %s", method, typeName(v))
	}
	return n, nil
}

// callDone calls a method that answers true. Some (startProcess given
// "group:*") answer with an array of results instead; the first failure among
// them is the error.
func callDone(ctx context.Context, c *Client, method string, params ...any) error {
	v, err := c.Call(ctx, method, params...)
	if err != nil {
		return err
	}
	switch v := v.(type) {
	case bool:
		if !v {
			return fmt.Errorf("client: %s answered false", method)
		}
		return nil
	case []any:
		rs, err := decodeList(v, method, decodeResult)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if err := r.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("client: %s: want a boolean, got %s", method, typeName(v))
}

func callResults(ctx context.Context, c *Client, method string, params ...any) ([]Result, error) {
	v, err := c.Call(ctx, method, params...)
	if err != nil {
		return nil, err
	}
	return decodeList(v, method, decodeResult)
}

func callTail(ctx context.Context, c *Client, method string, params ...any) (LogChunk, error) {
	v, err := c.Call(ctx, method, params...)
	if err != nil {
		return LogChunk{}, err
	}
	a, ok := v.([]any)
	if !ok || len(a) != 3 {
		return LogChunk{}, fmt.Errorf("client: %s: want [text, offset, overflow], got %s", method, typeName(v))
	}
	text, ok1 := a[0].(string)
	off, ok2 := a[1].(int)
	over, ok3 := a[2].(bool)
	if !ok1 || !ok2 || !ok3 {
		return LogChunk{}, fmt.Errorf("client: %s: want [string, int, boolean], got [%s, %s, %s]",
			method, typeName(a[0]), typeName(a[1]), typeName(a[2]))
	}
	return LogChunk{Text: text, Offset: off, Overflow: over}, nil
}
