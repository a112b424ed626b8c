package supervisor

import (
	"context"
	"fmt"
	"syscall"

	"github.com/supervise-go/supervisor/internal/mainlog"
)

// EssentialError is what Serve returns when a process of an essential
// program (ProgramSpec.Essential) ended for good: it entered FATAL, or it
// exited and no automatic restart follows (AutoRestart is RestartNever, or
// RestartUnexpected and the exit was expected). Serve has then stopped
// everything, in the order of a shutdown, before returning it.
//
// A process that stops because someone asked (a stop request, Remove,
// Apply, the end of Serve's ctx) is never such an end. Only the first
// essential process to end counts.
type EssentialError struct {
	// Process is the essential process that ended.
	Process *Process
	// State is the state it ended in: Fatal or Exited.
	State State
	// ExitCode is the exit status an embedding program should exit with:
	// its last run's exit status, 128+N when signal N ended that run, or 1
	// when it never ran (every start failed). A FATAL process never gives
	// 0: a last run that exited 0 gives 1.
	ExitCode int
}

func (e *EssentialError) Error() string {
	return fmt.Sprintf("essential process %s ended in state %s (exit status %d)", e.Process, e.State, e.ExitCode)
}

// runExitCode is the exit status a shell would report for a child's
// wait status: its exit status, or 128+N for signal N; 1 when unknown.
func runExitCode(ws syscall.WaitStatus, err error) int {
	switch {
	case err != nil:
		return 1
	case ws.Exited():
		return ws.ExitStatus()
	case ws.Signaled():
		return 128 + int(ws.Signal())
	}
	return 1
}

// endedForGood is called by the process's goroutine when it enters FATAL,
// or EXITED with no restart to follow, other than while the supervisor
// stops: for an essential program it tells the supervisor.
func (p *Process) endedForGood(st State) {
	if !p.spec.Essential || p.h.isStopping() {
		return
	}
	code := 1
	if p.ran {
		code = p.lastRunCode
	}
	if st == Fatal && code == 0 {
		code = 1
	}
	p.h.essentialEnded(&EssentialError{Process: p, State: st, ExitCode: code})
}

// essentialEnded records the first essential end; Serve then shuts down.
func (s *Supervisor) essentialEnded(e *EssentialError) {
	select {
	case s.essential <- e:
		s.log.Log(context.Background(), mainlog.LevelCritical, fmt.Sprintf("essential program %s entered %s state, exiting (exit status %d)",
			e.Process.spec.name, e.State, e.ExitCode))
	default:
	}
}
