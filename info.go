package supervisor

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
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
	// StdoutLogfile and StderrLogfile are the log files' paths ("" if none).
	StdoutLogfile, StderrLogfile string
}

// Namespec returns "group:name", or "name" when the group has the same name.
func (i ProcessInfo) Namespec() string { return makeNamespec(i.Group, i.Name) }

// Description renders the state the way supervisorctl status shows it:
// "pid 123, uptime 0:00:05" when RUNNING, the spawn error in BACKOFF and
// FATAL, the stop time ("Nov 24 12:48 AM", local time) or "Not started"
// when STOPPED or EXITED, and "" otherwise.
func (i ProcessInfo) Description() string {
	switch i.State {
	case Running:
		// Built by hand: getAllProcessInfo describes every process, and
		// fmt costs more than the rest of a RUNNING process's entry.
		var buf [64]byte
		b := append(buf[:0], "pid "...)
		b = strconv.AppendInt(b, int64(i.Pid), 10)
		b = append(b, ", uptime "...)
		return string(appendUptime(b, i.Now.Sub(i.Start)))
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

func (p *Process) info(now time.Time) ProcessInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	return ProcessInfo{
		Name: p.spec.name, Group: p.spec.group, State: p.state, Pid: p.pid,
		Start: p.laststart, Stop: p.laststop, Now: now,
		ExitStatus: p.exitStatus, SpawnErr: p.spawnErr,
		StdoutLogfile: p.out[0].path(), StderrLogfile: p.out[1].path(),
	}
}

// Processes returns a snapshot of every process, sorted by group name then
// process name (the order of supervisord's getAllProcessInfo).
func (s *Supervisor) Processes() []ProcessInfo {
	s.mu.Lock()
	var procs []*Process
	for _, g := range s.groups {
		procs = append(procs, g.procs...)
	}
	s.mu.Unlock()
	// Sorting the pointers (by the names a snapshot copies) is cheaper than
	// sorting the snapshots, which are large.
	slices.SortFunc(procs, func(a, b *Process) int {
		return cmp.Or(strings.Compare(a.spec.group, b.spec.group), strings.Compare(a.spec.name, b.spec.name))
	})
	now := s.clock.Now()
	out := make([]ProcessInfo, len(procs))
	for i, p := range procs {
		out[i] = p.info(now)
	}
	return out
}

// Process returns a snapshot of the process that name ("group:process" or
// "process") designates, or ErrBadName.
func (s *Supervisor) Process(name string) (ProcessInfo, error) {
	t, err := s.resolve(name)
	if err != nil {
		return ProcessInfo{}, err
	}
	if !t.single {
		return ProcessInfo{}, fmt.Errorf("%s: %w", name, ErrBadName)
	}
	return t.procs[0].info(s.clock.Now()), nil
}

// Groups returns the names of the groups, in start order.
func (s *Supervisor) Groups() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, g := range s.sortedGroupsLocked() {
		names = append(names, g.name)
	}
	return names
}
