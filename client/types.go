package client

import (
	"fmt"
	"strconv"
	"time"
)

// ProcessState is the state of one process, with supervisord's codes
// (supervisor/states.py).
type ProcessState int

// Process states. STARTING, RUNNING and BACKOFF are the running states:
// supervisord refuses to start such a process again. STOPPED, EXITED, FATAL
// and UNKNOWN are the stopped states.
const (
	StateStopped  ProcessState = 0
	StateStarting ProcessState = 10
	StateRunning  ProcessState = 20
	StateBackoff  ProcessState = 30
	StateStopping ProcessState = 40
	StateExited   ProcessState = 100
	StateFatal    ProcessState = 200
	StateUnknown  ProcessState = 1000
)

var processStateNames = map[ProcessState]string{
	StateStopped:  "STOPPED",
	StateStarting: "STARTING",
	StateRunning:  "RUNNING",
	StateBackoff:  "BACKOFF",
	StateStopping: "STOPPING",
	StateExited:   "EXITED",
	StateFatal:    "FATAL",
	StateUnknown:  "UNKNOWN",
}

// String returns supervisord's name for the state, such as "RUNNING", or the
// number for a code it does not define.
func (s ProcessState) String() string {
	if n, ok := processStateNames[s]; ok {
		return n
	}
	return strconv.Itoa(int(s))
}

// IsStopped reports whether s is one of supervisord's stopped states:
// STOPPED, EXITED, FATAL or UNKNOWN. supervisorctl status exits 3 when it
// shows a process in one of them.
func (s ProcessState) IsStopped() bool {
	switch s {
	case StateStopped, StateExited, StateFatal, StateUnknown:
		return true
	}
	return false
}

// IsRunning reports whether s is one of supervisord's running states:
// STARTING, RUNNING or BACKOFF.
func (s ProcessState) IsRunning() bool {
	switch s {
	case StateStarting, StateRunning, StateBackoff:
		return true
	}
	return false
}

// SupervisorState is the state of supervisord itself (supervisor.getState).
type SupervisorState int

// supervisord's own states.
const (
	SupervisorFatal      SupervisorState = 2
	SupervisorRunning    SupervisorState = 1
	SupervisorRestarting SupervisorState = 0
	SupervisorShutdown   SupervisorState = -1
)

// String returns supervisord's name for the state, such as "RUNNING".
func (s SupervisorState) String() string {
	switch s {
	case SupervisorFatal:
		return "FATAL"
	case SupervisorRunning:
		return "RUNNING"
	case SupervisorRestarting:
		return "RESTARTING"
	case SupervisorShutdown:
		return "SHUTDOWN"
	}
	return strconv.Itoa(int(s))
}

// ProcessInfo describes one process, as getProcessInfo and getAllProcessInfo
// return it.
type ProcessInfo struct {
	Name  string // the process name, without its group
	Group string
	// Description is what supervisorctl status shows after the state name:
	// "pid 123, uptime 0:01:02" when running, the stop time or
	// "Not started" when stopped, the spawn error when FATAL or BACKOFF.
	Description string
	Start       time.Time // the last spawn; zero if never started
	Stop        time.Time // when the last child was reaped; zero if never
	Now         time.Time // the server's clock when it answered
	State       ProcessState
	StateName   string // as sent by the server, normally State.String()
	SpawnErr    string // the last spawn error, or ""
	// ExitStatus is the last exit status; -1 after death by a signal.
	ExitStatus    int
	StdoutLogfile string // path of the stdout log, "" if none
	StderrLogfile string // path of the stderr log, "" if none
	PID           int    // 0 when not running
}

// Namespec returns the name supervisorctl uses for the process: "group:name",
// or just "name" when the group is named after the process.
func (p ProcessInfo) Namespec() string { return Namespec(p.Group, p.Name) }

// Namespec joins a group and a process name the way supervisord does:
// "group:name", or "name" alone when both are the same.
func Namespec(group, name string) string {
	if group == name {
		return name
	}
	return group + ":" + name
}

// A Result is the outcome for one process of a call that acts on several
// (startProcessGroup, stopAllProcesses, clearAllProcessLogs, ...).
type Result struct {
	Name        string
	Group       string
	Status      int    // FaultSuccess, or the fault code of the failure
	Description string // "OK", or the fault string, e.g. "NOT_RUNNING"
}

// Namespec returns the process's "group:name" (or "name").
func (r Result) Namespec() string { return Namespec(r.Group, r.Name) }

// Err returns nil for a success, else the failure as a *Fault.
func (r Result) Err() error {
	if r.Status == FaultSuccess {
		return nil
	}
	return &Fault{Code: r.Status, String: r.Description}
}

// ConfigInfo is one configured process as getAllConfigInfo describes it,
// whether or not its group is in use. Paths and names that are not set are
// the string "none"; log paths left to supervisord are "auto" until the
// group is in use.
type ConfigInfo struct {
	Name           string
	Group          string
	InUse          bool // the group is active (added), not just configured
	Autostart      bool
	GroupPrio      int
	ProcessPrio    int
	Command        string
	Directory      string
	UID            string
	ServerURL      string
	ExitCodes      []int
	StartSecs      int
	StartRetries   int
	StopSignal     int // signal number
	StopWaitSecs   int
	KillAsGroup    bool
	RedirectStderr bool

	StdoutLogfile         string
	StdoutLogfileBackups  int
	StdoutLogfileMaxBytes int
	StdoutCaptureMaxBytes int
	StdoutEventsEnabled   bool
	StdoutSyslog          bool
	StderrLogfile         string
	StderrLogfileBackups  int
	StderrLogfileMaxBytes int
	StderrCaptureMaxBytes int
	StderrEventsEnabled   bool
	StderrSyslog          bool
}

// Namespec returns the process's "group:name" (or "name").
func (c ConfigInfo) Namespec() string { return Namespec(c.Group, c.Name) }

// ConfigChanges is what reloadConfig found by comparing the configuration
// file with the groups in use: group names, each list sorted by the server.
type ConfigChanges struct {
	Added   []string // configured but not in use ("available")
	Changed []string // in use, configured differently now
	Removed []string // in use, no longer configured ("disappeared")
}

// A LogChunk is a piece of a log read by TailProcessStdoutLog or
// TailProcessStderrLog.
type LogChunk struct {
	Text string
	// Offset is the log's size when read: pass it back as the offset of the
	// next call to get what was written since.
	Offset int
	// Overflow is true when more than the requested length was written
	// since the offset, so Text holds only the last part.
	Overflow bool
}

// fields decodes one XML-RPC struct, remembering the first type mismatch.
// Missing members read as zero values: servers older or newer than 4.2.5 may
// leave some out, and a missing member should not hide the others.
type fields struct {
	m   map[string]any
	err error
}

func asFields(v any, what string) (*fields, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("client: %s: want a struct, got %s", what, typeName(v))
	}
	return &fields{m: m}, nil
}

func (f *fields) mismatch(key, want string, v any) {
	if f.err == nil {
		f.err = fmt.Errorf("client: member %q: want %s, got %s", key, want, typeName(v))
	}
}

func (f *fields) str(key string) string {
	v, ok := f.m[key]
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		f.mismatch(key, "string", v)
	}
	return s
}

func (f *fields) int(key string) int {
	v, ok := f.m[key]
	if !ok {
		return 0
	}
	switch n := v.(type) {
	case int:
		return n
	case bool: // Python's bool is an int; be lenient where a server is
		if n {
			return 1
		}
		return 0
	}
	f.mismatch(key, "int", v)
	return 0
}

func (f *fields) bool(key string) bool {
	v, ok := f.m[key]
	if !ok {
		return false
	}
	switch b := v.(type) {
	case bool:
		return b
	case int:
		return b != 0
	}
	f.mismatch(key, "boolean", v)
	return false
}

// time reads an epoch-seconds int; 0 means "never" and becomes the zero Time.
func (f *fields) time(key string) time.Time {
	n := f.int(key)
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(int64(n), 0)
}

func (f *fields) ints(key string) []int {
	v, ok := f.m[key]
	if !ok {
		return nil
	}
	a, ok := v.([]any)
	if !ok {
		f.mismatch(key, "array", v)
		return nil
	}
	out := make([]int, 0, len(a))
	for _, e := range a {
		n, ok := e.(int)
		if !ok {
			f.mismatch(key, "array of int", v)
			return nil
		}
		out = append(out, n)
	}
	return out
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case int:
		return "int"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		return "double"
	case time.Time:
		return "dateTime"
	case []byte:
		return "base64"
	case []any:
		return "array"
	case map[string]any:
		return "struct"
	}
	return fmt.Sprintf("%T", v)
}

func decodeProcessInfo(v any) (ProcessInfo, error) {
	f, err := asFields(v, "process info")
	if err != nil {
		return ProcessInfo{}, err
	}
	p := ProcessInfo{
		Name:          f.str("name"),
		Group:         f.str("group"),
		Description:   f.str("description"),
		Start:         f.time("start"),
		Stop:          f.time("stop"),
		Now:           f.time("now"),
		State:         ProcessState(f.int("state")),
		StateName:     f.str("statename"),
		SpawnErr:      f.str("spawnerr"),
		ExitStatus:    f.int("exitstatus"),
		StdoutLogfile: f.str("stdout_logfile"),
		StderrLogfile: f.str("stderr_logfile"),
		PID:           f.int("pid"),
	}
	if p.StdoutLogfile == "" {
		p.StdoutLogfile = f.str("logfile")
	}
	return p, f.err
}

func decodeResult(v any) (Result, error) {
	f, err := asFields(v, "result")
	if err != nil {
		return Result{}, err
	}
	r := Result{
		Name:        f.str("name"),
		Group:       f.str("group"),
		Status:      f.int("status"),
		Description: f.str("description"),
	}
	return r, f.err
}

func decodeConfigInfo(v any) (ConfigInfo, error) {
	f, err := asFields(v, "config info")
	if err != nil {
		return ConfigInfo{}, err
	}
	c := ConfigInfo{
		Name:           f.str("name"),
		Group:          f.str("group"),
		InUse:          f.bool("inuse"),
		Autostart:      f.bool("autostart"),
		GroupPrio:      f.int("group_prio"),
		ProcessPrio:    f.int("process_prio"),
		Command:        f.str("command"),
		Directory:      f.str("directory"),
		UID:            f.str("uid"),
		ServerURL:      f.str("serverurl"),
		ExitCodes:      f.ints("exitcodes"),
		StartSecs:      f.int("startsecs"),
		StartRetries:   f.int("startretries"),
		StopSignal:     f.int("stopsignal"),
		StopWaitSecs:   f.int("stopwaitsecs"),
		KillAsGroup:    f.bool("killasgroup"),
		RedirectStderr: f.bool("redirect_stderr"),

		StdoutLogfile:         f.str("stdout_logfile"),
		StdoutLogfileBackups:  f.int("stdout_logfile_backups"),
		StdoutLogfileMaxBytes: f.int("stdout_logfile_maxbytes"),
		StdoutCaptureMaxBytes: f.int("stdout_capture_maxbytes"),
		StdoutEventsEnabled:   f.bool("stdout_events_enabled"),
		StdoutSyslog:          f.bool("stdout_syslog"),
		StderrLogfile:         f.str("stderr_logfile"),
		StderrLogfileBackups:  f.int("stderr_logfile_backups"),
		StderrLogfileMaxBytes: f.int("stderr_logfile_maxbytes"),
		StderrCaptureMaxBytes: f.int("stderr_capture_maxbytes"),
		StderrEventsEnabled:   f.bool("stderr_events_enabled"),
		StderrSyslog:          f.bool("stderr_syslog"),
	}
	return c, f.err
}

// decodeList decodes an array with one decoder per element.
func decodeList[T any](v any, what string, dec func(any) (T, error)) ([]T, error) {
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("client: %s: want an array, got %s", what, typeName(v))
	}
	out := make([]T, 0, len(a))
	for i, e := range a {
		t, err := dec(e)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", what, i, err)
		}
		out = append(out, t)
	}
	return out, nil
}

func decodeStrings(v any, what string) ([]string, error) {
	return decodeList(v, what, func(e any) (string, error) {
		s, ok := e.(string)
		if !ok {
			return "", fmt.Errorf("client: want a string, got %s", typeName(e))
		}
		return s, nil
	})
}
