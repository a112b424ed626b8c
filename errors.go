package supervisor

import (
	"errors"

	"github.com/supervise-go/supervisor/internal/logfile"
)

// Errors returned by the handles' methods. Each matches one supervisord
// XML-RPC fault; match them with errors.Is, since they arrive wrapped with
// the name of the process or group they concern.
var (
	// ErrBadName: no process or group of that name (BAD_NAME).
	ErrBadName = errors.New("no such process or group")
	// ErrNoFile: the command does not exist, or a log read found no log
	// file (NO_FILE).
	ErrNoFile = logfile.ErrNoFile
	// ErrNotExecutable: the command cannot be run (NOT_EXECUTABLE).
	ErrNotExecutable = errors.New("not executable")
	// ErrAlreadyStarted: the process is already STARTING, RUNNING or in
	// BACKOFF (ALREADY_STARTED).
	ErrAlreadyStarted = errors.New("already started")
	// ErrNotRunning: the process has no child to stop or signal (NOT_RUNNING).
	ErrNotRunning = errors.New("not running")
	// ErrSpawn: the child could not be started or exited before StartSecs
	// (SPAWN_ERROR).
	ErrSpawn = errors.New("spawn error")
	// ErrAbnormalTermination: the process left STARTING for a state other
	// than RUNNING while a start waited for it (ABNORMAL_TERMINATION).
	ErrAbnormalTermination = errors.New("abnormal termination")
	// ErrStillRunning: a group cannot be removed while a process of it runs
	// (STILL_RUNNING).
	ErrStillRunning = errors.New("still running")
	// ErrAlreadyAdded: the group is already active (ALREADY_ADDED).
	ErrAlreadyAdded = errors.New("already added")
	// ErrShutdown: the supervisor is stopping and accepts no requests
	// (SHUTDOWN_STATE).
	ErrShutdown = errors.New("supervisor is shutting down")
	// ErrFailed: the request failed for another reason (FAILED).
	ErrFailed = logfile.ErrFailed
	// ErrBadArguments: the offset and length of a log read make no sense
	// together (BAD_ARGUMENTS).
	ErrBadArguments = logfile.ErrBadArguments
	// ErrBadSpec: a ProgramSpec is invalid.
	ErrBadSpec = errors.New("invalid program spec")
)

// SpawnError says why a child could not be started, in supervisord's words
// (e.g. "can't find command 'x'"). It is the process's spawnerr and matches
// ErrNoFile, ErrNotExecutable or ErrSpawn with errors.Is.
type SpawnError struct {
	Msg  string // supervisord's text
	Kind error  // ErrNoFile, ErrNotExecutable or ErrSpawn
	// Hint, when not empty, explains a likely cause in words of ours; it is
	// logged after supervisord's line but is not part of Msg.
	Hint string
}

func (e *SpawnError) Error() string { return e.Msg }

// Unwrap lets errors.Is match e.Kind.
func (e *SpawnError) Unwrap() error { return e.Kind }
