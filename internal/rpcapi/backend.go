package rpcapi

import (
	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/client"
)

// Backend is what the API needs from the daemon that serves it. The daemon
// (examples/gosupervisord) implements it; tests implement it with a real
// supervisor.Supervisor and a fixed set of programs.
type Backend interface {
	// Supervisor is the running supervisor.
	Supervisor() *supervisor.Supervisor
	// Available returns the programs of the configuration read last (at
	// start, reload or Reread): supervisord's "available" configs, which
	// addProcessGroup activates and getAllConfigInfo lists.
	Available() []supervisor.ProgramSpec
	// Reread reads the configuration file again and makes it the available
	// one, without changing what runs. Its error text is supervisord's
	// message, returned to clients as CANT_REREAD: <text>.
	Reread() error
	// Identifier is supervisord's identifier (getIdentification).
	Identifier() string
	// PID is the daemon's process id (getPID).
	PID() int
	// State is the daemon's state: RUNNING, or SHUTDOWN/RESTARTING once a
	// shutdown or restart began (every supervisor.* call but
	// sendRemoteCommEvent then fails with SHUTDOWN_STATE).
	State() State
	// Shutdown begins a shutdown and returns at once.
	Shutdown()
	// Restart reads and checks the configuration file; if it is good, it
	// begins a restart (reload) and returns at once. If it is bad, nothing
	// changes: the programs keep running, and the error, whose text says
	// where the fault is, is returned to clients as CANT_REREAD: <text>.
	Restart() error
	// MainLogPath is the main log file's path, "" when there is none
	// (e.g. logfile=syslog).
	MainLogPath() string
	// ClearMainLog empties the main log file.
	ClearMainLog() error
}

// State is the daemon's state as supervisord's getState reports it: the
// supervisor's RUNNING and SHUTDOWN, and the daemon's own RESTARTING (a
// reload began) and FATAL. It is the client package's type, since a
// client reads the same states.
type State = client.SupervisorState

// supervisord's states, with its codes.
const (
	StateFatal      = client.SupervisorFatal
	StateRunning    = client.SupervisorRunning
	StateRestarting = client.SupervisorRestarting
	StateShutdown   = client.SupervisorShutdown
)

// StateOf is the daemon state of a supervisor that is serving or not.
func StateOf(sup *supervisor.Supervisor) State {
	if sup.State() == supervisor.SupervisorRunning {
		return StateRunning
	}
	return StateShutdown
}
