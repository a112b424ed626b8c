package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"syscall"
	"time"

	"github.com/supervise-go/supervisor/restart"
)

// AutoRestart says whether a process that exits from RUNNING is started
// again (supervisord's autorestart).
type AutoRestart int

const (
	// RestartUnexpected restarts only when the exit status is not in
	// ExitCodes (a death by signal is always unexpected). supervisord's
	// default, and the zero value.
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

// LogSpec configures where one output channel (stdout or stderr) of a
// process goes. The zero value keeps the newest output in memory only (see
// [Process.RecentOutput]) and writes no file.
type LogSpec struct {
	// File is a path template (expanded per process, like Command), AutoLog,
	// or "" to write no file.
	File string
	// MaxBytes rotates the file once it reaches this size; 0 never rotates.
	MaxBytes int64
	// Backups is how many rotated files (File.1 ... File.N) are kept; 0
	// truncates the file instead of keeping one.
	Backups int
	// CaptureMaxBytes, when > 0, enables supervisord's capture mode: output
	// between <!--XSUPERVISOR:BEGIN--> and <!--XSUPERVISOR:END--> is
	// delivered as one EventProcessCommunication instead of being logged.
	CaptureMaxBytes int64
	// EventsEnabled delivers every chunk of output as an EventProcessLog.
	EventsEnabled bool
	// Syslog also sends each line to syslog, prefixed with the process name.
	Syslog bool
	// Timestamps prefixes each line with the time it was read
	// ("2006-01-02 15:04:05.000 "). An extension, off by default.
	Timestamps bool
	// MaxAge deletes rotated backups older than this. An extension; 0, the
	// default, keeps them.
	MaxAge time.Duration
}

// ProgramSpec describes one program: supervisord's [program:x] section as a
// plain struct. A literal with only Name and Command runs with
// supervisord's defaults: one process named after the program, started when
// the supervisor serves, RUNNING after 1 s up, retried 3 times, restarted
// after an exit other than 0, stopped with SIGTERM and killed 10 s later.
// Where a zero value cannot mean supervisord's default and also its zero, a
// negative value stands for zero, as in net.Dialer.KeepAlive.
//
// Command, ProcessName, Directory, Environment values and the log file names
// are templates expanded for each process with Python %-format rules:
// %(program_name)s, %(process_num)02d, %(group_name)s, %(numprocs)d,
// %(host_node_name)s, the names in Vars, and ENV_X for each key X of
// Environment. Write %% for a literal %.
//
// The supervisor keeps a deep copy of the spec it is given: changing the
// caller's maps or slices afterwards changes nothing.
type ProgramSpec struct {
	// Name is the program name ([program:Name]). It must not be empty or
	// contain spaces, ':' or '/'.
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
	// "%(program_name)s". With NumProcs > 1 it must contain %(process_num).
	ProcessName string
	// NumProcs is how many processes to run; 0 means 1.
	NumProcs int
	// NumProcsStart is the process_num of the first process.
	NumProcsStart int
	// Priority orders starts (ascending) and stops (descending). The zero
	// value is priority 0; supervisord's config default is 999.
	Priority int

	// NoAutostart keeps the processes STOPPED until they are started;
	// by default (supervisord's autostart=true) they start when the
	// supervisor serves, or when the program is added to a serving one.
	NoAutostart bool
	// AutoRestart decides what happens when a process exits from RUNNING.
	AutoRestart AutoRestart
	// StartSecs is how long a child must stay up to count as started
	// (RUNNING). 0 means 1 s; negative means RUNNING as soon as it is
	// forked (supervisord's startsecs=0).
	StartSecs time.Duration
	// StartRetries is how many failed starts are retried before FATAL.
	// 0 means 3; negative means none.
	StartRetries int
	// ExitCodes are the expected exit statuses, each 0..255. Nil means {0};
	// an empty non-nil slice expects none.
	ExitCodes []int
	// Restart decides the delays between start attempts and may limit
	// restarts; nil means supervisord's linear policy ([restart.Linear]).
	Restart restart.Policy
	// Essential makes the whole supervisor stop when a process of the
	// program ends for good: it enters FATAL, or it exits and AutoRestart
	// does not restart it (RestartNever; RestartUnexpected after an
	// expected exit). Serve then stops everything and returns an
	// *EssentialError carrying the process and the exit status to exit
	// with. Stops that were asked for (a stop request, Remove, Apply,
	// the shutdown) never count. An extension (x_essential), off by
	// default.
	Essential bool
	// Ready, when set, replaces StartSecs: a process is RUNNING once this
	// check succeeds, tried every ReadyInterval (default 1 s), each try
	// bounded by ReadyProbeTimeout (default 1 s). "tcp:HOST:PORT" succeeds
	// when a TCP connection is accepted, "http://URL" or "https://URL"
	// when a GET answers with a status below 400 (redirects are not
	// followed), "exec:COMMAND" when /bin/sh -c COMMAND exits 0 (run with
	// the child's environment and directory). A child that exits before,
	// or is not ready within ReadyTimeout (default 60 s; it is then killed
	// with SIGKILL), failed its start: BACKOFF and StartRetries apply as
	// for an exit before StartSecs. A dependency on the program
	// (DependRunning) is met once it is ready. An extension (x_ready);
	// empty, the default, uses StartSecs.
	Ready string
	// ReadyNotify ("notify") waits instead for the child to send READY=1
	// on the datagram socket named by $NOTIFY_SOCKET (systemd's
	// sd_notify; STATUS= lines show in ProcessInfo.Status); "log:REGEX"
	// for a line of its stdout or stderr that matches the regular
	// expression (lines longer than 64 KiB are cut); "fd:N" (N from 3 to
	// 1023) for a newline written to its fd N, the write end of a pipe
	// (s6's notification-fd).
	//
	// ReadyInterval, ReadyProbeTimeout and ReadyTimeout tune Ready (see
	// there); 0 means their defaults, negative values are refused.
	ReadyInterval, ReadyProbeTimeout, ReadyTimeout time.Duration
	// Health, when set, is checked every HealthInterval (default 10 s)
	// while a process is RUNNING, each check bounded by HealthTimeout
	// (default 1 s), with Ready's syntax (tcp:, http(s)://, exec:). After
	// HealthFailures (default 3) failures in a row the process is
	// restarted: stopped as by a stop request (StopSignal, then SIGKILL
	// after StopWaitSecs), then started again; an EventUnhealthy reports
	// it. A stop request meanwhile cancels the restart. An extension
	// (x_health); empty, the default, checks nothing.
	Health string
	// HealthInterval and HealthTimeout tune Health; 0 means their
	// defaults, negative values are refused.
	HealthInterval, HealthTimeout time.Duration
	// HealthFailures is how many failed health checks in a row restart
	// the process; 0 means 3.
	HealthFailures int
	// Watchdog, when positive, restarts a RUNNING process (as a failed
	// health check does) that sent no WATCHDOG=1 on its $NOTIFY_SOCKET
	// for that long (systemd's WatchdogSec); the first period starts when
	// it becomes RUNNING. An extension (x_watchdog); 0, the default, has
	// no watchdog.
	Watchdog time.Duration
	// DependsOn lists programs or groups whose processes must reach a
	// condition (RUNNING by default) before this program's processes are
	// forked (x_depends_on). Until then a process waits in STARTING with
	// no pid; once a dependency cannot reach its condition without a new
	// start request (see DependRunning and DependCompleted) the waiting
	// process goes FATAL with a spawn error naming it, so nothing waits
	// forever. Starting a process (autostart included) first starts its
	// stopped dependencies, transitively. Stops go the other way: a
	// shutdown, and a stop of several processes, stop the dependents among
	// them first and wait until each is stopped; a dependent already
	// RUNNING is left alone when a dependency ends. Names may refer to
	// programs added later (a process whose dependency is unknown when it
	// starts goes FATAL); a dependency cycle is refused when the programs
	// are added. Nil, the default, waits for nothing.
	DependsOn []Dependency

	// StopSignal is sent to stop a process; 0 means SIGTERM.
	StopSignal syscall.Signal
	// StopWaitSecs is how long to wait after StopSignal before SIGKILL (and
	// between further SIGKILLs while the child lives). 0 means 10 s;
	// negative means SIGKILL without waiting.
	StopWaitSecs time.Duration
	// StopAsGroup sends StopSignal to the child's whole process group. It
	// implies KillAsGroup.
	StopAsGroup bool
	// KillAsGroup sends SIGKILL to the child's whole process group.
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
	// EnvironmentFiles are files of NAME=VALUE lines (systemd's
	// EnvironmentFile format, see below) added to the child's environment
	// in order, over the supervisor's own, WithEnvironment and
	// WithEnvironmentFiles, and under Environment. They are read again at
	// every spawn, so an edited file applies at the next start. A path
	// starting with '-' may be missing; a relative path is relative to the
	// supervisor's working directory. A missing file (without '-'), one
	// that is not a regular file or is larger than
	// MaxEnvironmentFileBytes, a NUL byte, or a line that is not blank, a
	// '#' or ';' comment, nor [export ]NAME=VALUE with NAME matching
	// [A-Za-z_][A-Za-z0-9_]* is a spawn error that names the file and line
	// (an *EnvFileError for a bad line): the start fails, and the process
	// goes to BACKOFF and FATAL like for any spawn error. VALUE may be
	// 'single-quoted' (literal) or "double-quoted" (\\ \" \$ \` escapes),
	// may continue on the next line after a trailing backslash, and has its
	// trailing blanks removed when unquoted. The paths are not templates.
	EnvironmentFiles []string
	// Rlimits are resource limits set on each process before it execs
	// (setrlimit(2), as systemd's LimitNOFILE= and the like), by resource:
	// as, core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile,
	// nproc, rtprio, sigpending or stack, in the kernel's units (nice: 20
	// minus the lowest nice value allowed). Nil, the default, keeps the
	// supervisor's limits. Validate refuses an unknown resource and a soft
	// limit above its hard one.
	//
	// Linux only: elsewhere a process with limits fails to spawn. Such a
	// process starts through a short-lived copy of the supervisor's own
	// program (/proc/self/exe): it stops in a package init of this
	// module, before main and before most other inits, sets the limits,
	// switches to User and execs the command, keeping its pid. So the
	// limits are set with the supervisor's privilege (raising a hard
	// limit takes CAP_SYS_RESOURCE) even for another User, and a limit
	// the kernel refuses is a spawn error that names it. That copy costs
	// the start of a Go program (a few milliseconds) per spawn, paid only
	// by processes with limits.
	Rlimits map[string]Rlimit
	// ServerURL is the child's SUPERVISOR_SERVER_URL; empty or "AUTO" means
	// the supervisor's (see WithServerURL).
	ServerURL string

	// RedirectStderr sends the child's stderr to its stdout pipe; Stderr is
	// then unused.
	RedirectStderr bool
	// Stdout and Stderr say where the output goes.
	Stdout, Stderr LogSpec

	// Vars are extra names for template expansion, e.g. "here" or ENV_X
	// values that a config loader supplies.
	Vars map[string]string
}

// The defaults that the zero values of ProgramSpec stand for.
const (
	defaultStartSecs    = time.Second
	defaultStartRetries = 3
	defaultStopWait     = 10 * time.Second
	defaultProcessName  = "%(program_name)s"
)

func (s *ProgramSpec) autostart() bool { return !s.NoAutostart }

func (s *ProgramSpec) startSecs() time.Duration { return orDefault(s.StartSecs, defaultStartSecs) }
func (s *ProgramSpec) startRetries() int        { return orDefault(s.StartRetries, defaultStartRetries) }
func (s *ProgramSpec) stopWait() time.Duration  { return orDefault(s.StopWaitSecs, defaultStopWait) }

// orDefault reads a field whose zero value stands for def and whose
// negative values stand for zero (fields that may not be negative are
// refused by Validate first).
func orDefault[T int | time.Duration](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// expects reports whether an exit status is expected.
func (s *ProgramSpec) expects(status int) bool {
	if s.ExitCodes == nil {
		return status == 0
	}
	return slices.Contains(s.ExitCodes, status)
}

// clone returns a deep copy: the maps, slices and pointers are the copy's
// own.
func (s ProgramSpec) clone() ProgramSpec {
	if s.ExitCodes != nil {
		s.ExitCodes = slices.Clone(s.ExitCodes)
	}
	if s.DependsOn != nil {
		s.DependsOn = slices.Clone(s.DependsOn)
	}
	if s.Environment != nil {
		s.Environment = maps.Clone(s.Environment)
	}
	if s.EnvironmentFiles != nil {
		s.EnvironmentFiles = slices.Clone(s.EnvironmentFiles)
	}
	if s.Rlimits != nil {
		s.Rlimits = maps.Clone(s.Rlimits)
	}
	if s.Vars != nil {
		s.Vars = maps.Clone(s.Vars)
	}
	if s.Umask != nil {
		u := *s.Umask
		s.Umask = &u
	}
	return s
}

// Validate reports every field that the supervisor would refuse, joined
// with errors.Join: each wraps ErrBadSpec and says what is wrong (for a
// template that does not expand, why, in Python's words). A spec that validates can be added; Add
// validates it again.
func (s *ProgramSpec) Validate() error {
	_, err := s.processes(hostNodeName())
	return err
}

// Program is a program added to a Supervisor: one ProgramSpec and the
// processes made from it. Its methods act on all of its processes; they are
// safe for concurrent use, and keep working (failing with ErrBadName) after
// the program was removed.
type Program struct {
	sup   *Supervisor
	spec  ProgramSpec // the supervisor's own copy; never modified
	group *group
	procs []*Process // in start order
}

// Name returns the program's name (ProgramSpec.Name).
func (p *Program) Name() string { return p.spec.Name }

// Group returns the name of the group the program belongs to: Spec().Group,
// or Name when that is empty.
func (p *Program) Group() string { return p.group.name }

// Spec returns a copy of the program's spec, as it was added.
func (p *Program) Spec() ProgramSpec { return p.spec.clone() }

// Processes returns the program's processes in start order (by
// process_num). The slice is the caller's.
func (p *Program) Processes() []*Process { return slices.Clone(p.procs) }

// Start starts every process of the program that is not already STARTING,
// RUNNING or in BACKOFF, forking them in start order, then waits like
// [Process.Start] for each. The error joins a *ProcessError for each process
// whose start failed; processes already running are not an error.
func (p *Program) Start(ctx context.Context) error {
	if err := p.live(); err != nil {
		return err
	}
	return p.sup.startMany(ctx, p.procs)
}

// Stop stops every running process of the program, signalling them in
// reverse start order, and waits like [Process.Stop] until each is stopped.
// The error joins a *ProcessError for each process that could not be
// stopped; processes not running are not an error.
func (p *Program) Stop(ctx context.Context) error {
	if err := p.live(); err != nil {
		return err
	}
	return p.sup.stopMany(ctx, p.procs)
}

// Signal sends sig to every process of the program that has a child. The
// error joins a *ProcessError for each that could not be signalled.
func (p *Program) Signal(sig syscall.Signal) error {
	if err := p.live(); err != nil {
		return err
	}
	return p.sup.signalMany(p.procs, sig)
}

// live reports ErrBadName once the program was removed.
func (p *Program) live() error {
	if p.sup.lookupProgram(p.spec.Name) != p {
		return fmt.Errorf("program %s: %w", p.spec.Name, ErrBadName)
	}
	return nil
}

// ProcessError is the failure of one process in an operation on several
// (Program.Start, Supervisor.StopProcesses...). Those operations return the
// ProcessErrors joined with errors.Join; errors.Is and errors.As see
// through to each Err.
type ProcessError struct {
	Process *Process
	Err     error
}

func (e *ProcessError) Error() string { return e.Err.Error() }

func (e *ProcessError) Unwrap() error { return e.Err }

// joinProcessErrors joins the non-nil errors of procs, which are in the
// same order.
func joinProcessErrors(procs []*Process, errs []error) error {
	var out []error
	for i, err := range errs {
		if err != nil {
			out = append(out, &ProcessError{Process: procs[i], Err: err})
		}
	}
	return errors.Join(out...)
}
