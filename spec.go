package supervisor

import (
	"io/fs"
	"syscall"
	"time"
)

// AutoRestart says whether a process that exits from RUNNING is started
// again (supervisord's autorestart).
type AutoRestart int

const (
	// RestartUnexpected restarts only when the exit status is not in
	// ExitCodes (a death by signal is always unexpected). supervisord's
	// default.
	RestartUnexpected AutoRestart = iota
	// RestartAlways restarts whatever the exit status.
	RestartAlways
	// RestartNever leaves the process EXITED.
	RestartNever
)

// String returns the config word for the mode: "unexpected", "true" or "false".
func (a AutoRestart) String() string {
	switch a {
	case RestartAlways:
		return "true"
	case RestartNever:
		return "false"
	}
	return "unexpected"
}

// AutoLog is the LogSpec.File value that asks for a log file with a
// generated name in the supervisor's child log directory, as supervisord's
// "AUTO".
const AutoLog = "AUTO"

// DefaultProcessName is the ProcessName template supervisord uses when none
// is given.
const DefaultProcessName = "%(program_name)s"

// LogSpec configures where one output channel (stdout or stderr) of a
// process goes.
type LogSpec struct {
	// File is a path template (expanded per process, like Command), AutoLog,
	// or "" to read and discard the output.
	File string
	// MaxBytes rotates the file once it reaches this size; 0 never rotates.
	MaxBytes int64
	// Backups is how many rotated files (File.1 ... File.N) are kept; 0
	// truncates the file instead of keeping one.
	Backups int
	// CaptureMaxBytes, when > 0, enables supervisord's capture mode: output
	// between <!--XSUPERVISOR:BEGIN--> and <!--XSUPERVISOR:END--> is
	// delivered as one event instead of being logged.
	CaptureMaxBytes int64
	// EventsEnabled delivers every chunk of output as an EventProcessLog.
	EventsEnabled bool
	// Syslog also sends each line to syslog, prefixed with the process name.
	Syslog bool
	// Timestamps prefixes each line with the time it was read
	// ("2006-01-02 15:04:05.000 "). An extension, off by default.
	Timestamps bool
	// MaxAge deletes rotated backups older than this (see
	// LogFile.SetMaxAge). An extension; 0, the default, keeps them.
	MaxAge time.Duration
}

// ProgramSpec describes one program: supervisord's [program:x] section as a
// plain struct. Use [NewProgramSpec] to get supervisord's defaults; a
// ProgramSpec literal means exactly what its fields say, except where a
// field's doc names a default for its zero value.
//
// Command, ProcessName, Directory, Environment values and the log file names
// are templates expanded for each process with Python %-format rules (see
// [Expand]): %(program_name)s, %(process_num)02d, %(group_name)s,
// %(numprocs)d, %(host_node_name)s, the names in Vars, and ENV_X for each
// key X of Environment. Write %% for a literal %.
type ProgramSpec struct {
	// Name is the program name ([program:Name]). It must not contain
	// spaces, ':' or '/'.
	Name string
	// Group is the name of the group the program's processes belong to
	// (supervisord's [group:x]). Empty means a group of its own, named Name.
	Group string
	// GroupPriority orders explicit groups (Group != ""); all programs of a
	// group must give the same value. A program's own group takes Priority.
	GroupPriority int

	// Command is the command line, split like a POSIX shell would (quotes
	// and backslashes) but never run through a shell. A first word without
	// '/' is searched in the PATH of the process environment.
	Command string
	// ProcessName is the template for each process's name. Empty means
	// DefaultProcessName. With NumProcs > 1 it must contain %(process_num).
	ProcessName string
	// NumProcs is how many processes to run; 0 means 1.
	NumProcs int
	// NumProcsStart is the process_num of the first process.
	NumProcsStart int
	// Priority orders starts (ascending) and stops (descending).
	Priority int

	// Autostart starts the processes when the program is added.
	Autostart bool
	// AutoRestart decides what happens when a process exits from RUNNING.
	AutoRestart AutoRestart
	// StartSecs is how long a child must stay up to count as started.
	StartSecs time.Duration
	// StartRetries is how many failed starts are retried before FATAL.
	StartRetries int
	// ExitCodes are the expected exit statuses. Nil or empty: none is
	// expected (NewProgramSpec gives {0}).
	ExitCodes []int
	// Restart decides the delays between start attempts and may limit
	// restarts; nil means supervisord's linear policy ([LinearBackoff]).
	Restart RestartPolicy

	// StopSignal is sent to stop a process; 0 means SIGTERM.
	StopSignal syscall.Signal
	// StopWaitSecs is how long to wait after StopSignal before SIGKILL (and
	// between further SIGKILLs while the child lives).
	StopWaitSecs time.Duration
	// StopAsGroup sends StopSignal to the child's whole process group.
	StopAsGroup bool
	// KillAsGroup sends SIGKILL to the child's whole process group. It is
	// implied by StopAsGroup.
	KillAsGroup bool

	// User runs the child as this user (name or numeric uid); the
	// supervisor must be root to switch. Empty keeps the supervisor's user.
	User string
	// Directory is the child's working directory; empty inherits.
	Directory string
	// Umask is the child's umask; nil inherits the supervisor's.
	Umask *fs.FileMode
	// Environment is added to the child's environment, over the
	// supervisor's own and its WithEnvironment values.
	Environment map[string]string
	// ServerURL is the child's SUPERVISOR_SERVER_URL; empty or "AUTO" means
	// the supervisor's (see WithServerURL).
	ServerURL string

	// RedirectStderr sends the child's stderr to its stdout pipe.
	RedirectStderr bool
	// Stdout and Stderr say where the output goes.
	Stdout, Stderr LogSpec

	// Vars are extra names for template expansion, e.g. "here" or ENV_X
	// values that a config loader supplies.
	Vars map[string]string
}

// NewProgramSpec returns a ProgramSpec with every default of supervisord's
// [program:x]: one process named after the program, priority 999,
// autostart, autorestart=unexpected, startsecs 1, startretries 3, exit code
// 0 expected, SIGTERM with 10 s before SIGKILL, and AUTO logs of 50 MB with
// 10 backups.
func NewProgramSpec(name, command string) ProgramSpec {
	log := LogSpec{File: AutoLog, MaxBytes: 50 << 20, Backups: 10}
	return ProgramSpec{
		Name:          name,
		Command:       command,
		ProcessName:   DefaultProcessName,
		NumProcs:      1,
		Priority:      999,
		GroupPriority: 999,
		Autostart:     true,
		AutoRestart:   RestartUnexpected,
		StartSecs:     time.Second,
		StartRetries:  3,
		ExitCodes:     []int{0},
		StopSignal:    syscall.SIGTERM,
		StopWaitSecs:  10 * time.Second,
		Stdout:        log,
		Stderr:        log,
	}
}
