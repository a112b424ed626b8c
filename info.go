package supervisor

import (
	"fmt"
	"strconv"
	"time"
)

// ProcessInfo is a snapshot of one process, with the fields of supervisord's
// getProcessInfo.
type ProcessInfo struct {
	Name       string
	Group      string
	State      State
	Pid        int       // 0 when no child runs
	Start      time.Time // last spawn; zero if never started
	Stop       time.Time // last time a child was reaped; zero if never
	Now        time.Time // when the snapshot was taken
	ExitStatus int       // last exit status; -1 after a death by signal
	SpawnErr   string    // why the last start failed, or ""
	// WaitingFor names the dependency (ProgramSpec.DependsOn) a STARTING
	// process waits for before it is forked; "" otherwise.
	WaitingFor string
	// Status is the last STATUS= line the child sent on its NOTIFY_SOCKET
	// (ProgramSpec.Ready = ReadyNotify, or Watchdog); "" otherwise.
	Status string
	// StdoutLogfile and StderrLogfile are the log files' paths ("" if none).
	StdoutLogfile, StderrLogfile string
	// StdoutDropped and StderrDropped count the bytes of output that could
	// not be written to the log files (disk full, over quota, an I/O error,
	// a deleted directory) since the process was added; the child is never
	// made to wait for its log. The main log says when writes begin to fail
	// and when they succeed again. Clearing the logs does not reset them.
	StdoutDropped, StderrDropped int64

	// The counts below run from when the process was added (a program
	// changed by a reload is a new process and starts again from 0). The
	// process's own goroutine keeps them, so they miss nothing.

	// Starts counts spawn attempts: every entry into STARTING, whether a
	// start request, autostart, a retry from BACKOFF or an automatic
	// restart asked for it, and whether or not the fork then succeeded.
	Starts int64
	// Restarts counts the automatic restarts: spawns after the child
	// exited from RUNNING, by AutoRestart (or a restart policy's delayed
	// restart). Retries from BACKOFF and requested starts are not
	// restarts.
	Restarts int64
	// ExitsExpected and ExitsUnexpected count the child's exits that no
	// stop asked for, by whether the exit status is one of ExitCodes. An
	// exit before StartSecs (to BACKOFF) is always unexpected, as
	// supervisord logs it; an exit caused by a stop is in neither.
	ExitsExpected, ExitsUnexpected int64
}

// Description renders the state the way supervisorctl status shows it:
// "pid 123, uptime 0:00:05" when RUNNING (followed by ", " and the child's
// STATUS= text when it sent one, so that scripts reading the pid keep
// working), the spawn error in BACKOFF and
// FATAL, the stop time ("Nov 24 12:48 AM", local time) or "Not started"
// when STOPPED or EXITED, "waiting for NAME" when STARTING and waiting for
// the dependency NAME, the child's STATUS= text when STARTING otherwise
// (sd_notify), and "" otherwise.
func (i ProcessInfo) Description() string {
	switch i.State {
	case Running:
		// Built by hand: getAllProcessInfo describes every process, and
		// fmt costs more than the rest of a RUNNING process's entry.
		var buf [64]byte
		b := append(buf[:0], "pid "...)
		b = strconv.AppendInt(b, int64(i.Pid), 10)
		b = append(b, ", uptime "...)
		b = appendUptime(b, i.Now.Sub(i.Start))
		if i.Status != "" {
			b = append(append(b, ", "...), i.Status...)
		}
		return string(b)
	case Starting:
		if i.WaitingFor != "" {
			return "waiting for " + i.WaitingFor
		}
		return i.Status
	case Backoff, Fatal:
		if i.SpawnErr != "" {
			return i.SpawnErr
		}
		return fmt.Sprintf("unknown error (try \"tail %s\")", i.Name)
	case Stopped, Exited:
		if i.Start.IsZero() {
			return "Not started"
		}
		return i.Stop.Local().Format("Jan 02 03:04 PM")
	}
	return ""
}

// appendUptime appends d in whole seconds as Python's timedelta formats it:
// "0:00:05", "23:59:59", "1 day, 0:00:01", "3 days, 4:05:06".
func appendUptime(b []byte, d time.Duration) []byte {
	secs := int64(d / time.Second)
	if secs < 0 {
		secs = 0
	}
	days := secs / 86400
	secs %= 86400
	switch days {
	case 0:
	case 1:
		b = append(b, "1 day, "...)
	default:
		b = strconv.AppendInt(b, days, 10)
		b = append(b, " days, "...)
	}
	b = strconv.AppendInt(b, secs/3600, 10)
	b = append(b, ':', byte('0'+secs/60%60/10), byte('0'+secs/60%10), ':', byte('0'+secs%60/10), byte('0'+secs%10))
	return b
}

// Info returns a snapshot of the process.
func (p *Process) Info() ProcessInfo { return p.info(p.h.now()) }

func (p *Process) info(now time.Time) ProcessInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	return ProcessInfo{
		Name: p.spec.name, Group: p.spec.group, State: p.state, Pid: p.pid,
		Start: p.laststart, Stop: p.laststop, Now: now,
		ExitStatus: p.exitStatus, SpawnErr: p.spawnErr, WaitingFor: p.waitingFor, Status: p.status,
		StdoutLogfile: p.out[0].path(), StderrLogfile: p.out[1].path(),
		StdoutDropped: p.out[0].droppedBytes(), StderrDropped: p.out[1].droppedBytes(),
		Starts: p.count.starts, Restarts: p.count.restarts,
		ExitsExpected: p.count.exitsExpected, ExitsUnexpected: p.count.exitsUnexpected,
	}
}
