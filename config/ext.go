package config

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/restart"
)

// ExtPrefix starts every key this package reads beyond supervisord's.
// supervisord ignores keys it does not know, so a file using them still
// loads there (with supervisord's behaviour); here a key with the prefix
// that is not one of ExtKeys is an error, so a misspelling cannot silently
// fall back to a default. Keys without the prefix that neither knows are
// ignored, as supervisord does.
const ExtPrefix = "x_"

// ExtKeys are the extension keys of [program:x], [eventlistener:x] and
// [fcgi-program:x], with what they mean. Durations are Go durations ("500ms",
// "1m30s") or plain numbers of seconds ("2", "0.5"). Values are
// %-expanded like priority (here, ENV_X, program_name, group_name,
// host_node_name).
var ExtKeys = map[string]string{
	"x_backoff":                "restart delay policy: linear (supervisord's: 1s, 2s, 3s... then FATAL after startretries) or exponential",
	"x_backoff_initial":        "exponential: delay after the first failed start (default 1s)",
	"x_backoff_multiplier":     "exponential: factor between successive delays, at least 1 (default 2)",
	"x_backoff_max":            "exponential: longest delay (default 1m)",
	"x_backoff_jitter":         "exponential: spread each delay by up to this fraction either way, 0 to 1 (default 0)",
	"x_backoff_max_retries":    "exponential: failed starts retried before FATAL; 0 means startretries, -1 forever (default 0)",
	"x_backoff_delay_restarts": "exponential: also delay restarts of a process that reached RUNNING and keeps exiting (default false)",
	"x_backoff_reset_after":    "exponential: a run this long ends a streak of delayed restarts (default 1m)",
	"x_restart_max":            "with x_restart_window: at most this many automatic restarts within the window, then FATAL",
	"x_restart_window":         "the window for x_restart_max; unset or 0 disables the limit",
	"x_stdout_timestamps":      "prefix each line of stdout in its log with the time it was read (default false)",
	"x_stderr_timestamps":      "prefix each line of stderr in its log with the time it was read (default false)",
	"x_stdout_logfile_max_age": "delete rotated stdout logs (.1, .2 ...) older than this, e.g. 168h (default: keep them)",
	"x_stderr_logfile_max_age": "delete rotated stderr logs older than this (default: keep them)",
	"x_depends_on":             "NAME[:CONDITION][, ...]: programs or [group:x] groups whose processes must be RUNNING (condition running, the default) or have EXITED with an expected status (completed) before this program's processes are forked; until then they wait in STARTING (default: none)",
	"x_ready":                  "readiness check that replaces startsecs: notify (READY=1 on $NOTIFY_SOCKET, sd_notify), fd:N (a newline written to fd N), log:REGEX (a line of output matches), tcp:HOST:PORT, http://URL (status below 400) or exec:COMMAND (exit 0); RUNNING once it succeeds (default: none, startsecs applies)",
	"x_watchdog":               "restart a RUNNING process that sent no WATCHDOG=1 on $NOTIFY_SOCKET for this long (default: none)",
	"x_ready_interval":         "time between readiness checks (default 1s)",
	"x_ready_probe_timeout":    "time one readiness check may take (default 1s)",
	"x_ready_timeout":          "not ready within this: the process is killed and the start failed (default 60s)",
	"x_health":                 "health check while RUNNING, with x_ready's syntax; after x_health_failures failures in a row the process is restarted (default: none)",
	"x_health_interval":        "time between health checks (default 10s)",
	"x_health_timeout":         "time one health check may take (default 1s)",
	"x_health_failures":        "failed health checks in a row that restart the process (default 3)",
	"x_essential":              "when a process of the program ends for good (FATAL, or EXITED with no autorestart to follow), stop everything and exit with its exit status, 128+N after signal N, 1 if it never ran or is FATAL after exiting 0 (default false)",
	"x_environment_file":       "comma-separated files of NAME=VALUE lines (systemd's EnvironmentFile format) read at every spawn, over [supervisord]'s environment and under environment=; a path starting with - may be missing (default: none)",
	"x_rlimit_as":              "resource limit RLIMIT_AS (address space in bytes) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
	"x_rlimit_core":            "resource limit RLIMIT_CORE (core file size in bytes) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
	"x_rlimit_cpu":             "resource limit RLIMIT_CPU (CPU time in seconds) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
	"x_rlimit_data":            "resource limit RLIMIT_DATA (data segment in bytes) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
	"x_rlimit_fsize":           "resource limit RLIMIT_FSIZE (file size in bytes) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
	"x_rlimit_locks":           "resource limit RLIMIT_LOCKS (file locks) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
	"x_rlimit_memlock":         "resource limit RLIMIT_MEMLOCK (locked memory in bytes) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
	"x_rlimit_msgqueue":        "resource limit RLIMIT_MSGQUEUE (POSIX message queue bytes) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
	"x_rlimit_nice":            "resource limit RLIMIT_NICE (nice ceiling, 20 minus the lowest nice value allowed) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
	"x_rlimit_nofile":          "resource limit RLIMIT_NOFILE (open files) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
	"x_rlimit_nproc":           "resource limit RLIMIT_NPROC (processes of the user) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
	"x_rlimit_rtprio":          "resource limit RLIMIT_RTPRIO (real-time priority) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
	"x_rlimit_sigpending":      "resource limit RLIMIT_SIGPENDING (pending signals) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
	"x_rlimit_stack":           "resource limit RLIMIT_STACK (stack size in bytes) set on each process before it execs: SOFT[:HARD], each a number or unlimited, HARD omitted meaning SOFT; Linux only (default: the supervisor's)",
}

// SupervisordExtKeys are the extension keys of [supervisord], with what
// they mean. Only the section's own keys count: an x_ key in [DEFAULT] is
// meant for the programs.
var SupervisordExtKeys = map[string]string{
	"x_environment_file": "comma-separated environment files (as in [program:x]) read at every spawn of every program, over environment= and under each program's own files and environment= (default: none)",
	"x_subreaper":        "become the child subreaper of every descendant and reap the orphans they leave (double-forking programs, a killed child's grandchildren); on anyway when the daemon runs as PID 1 (default false)",
}

// HTTPServerExtKeys are the extension keys of [inet_http_server] and
// [unix_http_server] (and the sections whose names start so), with what
// they mean.
var HTTPServerExtKeys = map[string]string{
	"x_metrics": "serve /metrics, the processes' Prometheus metrics, behind the server's authentication (default false)",
}

// sectionExtensions calls set with each extension key of a section other
// than a program's and its stripped value, refusing a key not in known.
// An error from set is reported against the key.
func (l *loader) sectionExtensions(sec string, known map[string]string, set func(k, v string) error) error {
	s, err := l.doc.f.GetSection(sec)
	if err != nil {
		return nil
	}
	for _, k := range s.KeyStrings() {
		if !strings.HasPrefix(k, ExtPrefix) {
			continue
		}
		if _, ok := known[k]; !ok {
			return l.fail(sec, k, fmt.Sprintf("unknown extension key %s (known [%s] %s keys: %s)",
				pyRepr(k), sec, ExtPrefix, strings.Join(sortedKeys(known), ", ")))
		}
		v, _, err := l.get(sec, k, nil, map[string]any{"here": l.here})
		if err != nil {
			return err
		}
		v = pyStrip(v)
		if err := set(k, v); err != nil {
			return l.fail(sec, k, fmt.Sprintf("%s=%s: %v", k, v, err))
		}
	}
	return nil
}

// httpServerExtensions reads the extension keys of an HTTP server section.
func (l *loader) httpServerExtensions(sec string, srv *HTTPServer) error {
	return l.sectionExtensions(sec, HTTPServerExtKeys, func(k, v string) (err error) {
		switch k {
		case "x_metrics":
			srv.Metrics, err = pyBool(v)
		}
		return err
	})
}

// supervisordExtensions reads the extension keys of [supervisord].
func (l *loader) supervisordExtensions() error {
	s := &l.cfg.Supervisord
	return l.sectionExtensions("supervisord", SupervisordExtKeys, func(k, v string) (err error) {
		switch k {
		case "x_environment_file":
			s.EnvironmentFiles, err = envFileList(v)
		case "x_subreaper":
			s.Subreaper, err = pyBool(v)
		}
		return err
	})
}

func (l *loader) extensions(sec string, spec *supervisor.ProgramSpec) error {
	common := map[string]any{"here": l.here, "program_name": spec.Name,
		"host_node_name": l.host, "group_name": cmp.Or(spec.Group, spec.Name)}
	vals := map[string]string{}
	for _, k := range l.doc.options(sec) {
		if !strings.HasPrefix(k, ExtPrefix) {
			continue
		}
		if _, ok := ExtKeys[k]; !ok {
			return l.fail(sec, k, fmt.Sprintf("unknown extension key %s (known %s keys: %s)",
				pyRepr(k), ExtPrefix, strings.Join(sortedKeys(ExtKeys), ", ")))
		}
		v, _, err := l.get(sec, k, nil, common)
		if err != nil {
			return err
		}
		vals[k] = pyStrip(v)
	}
	if len(vals) == 0 {
		return nil
	}
	var firstErr error
	bad := func(k, format string, args ...any) {
		if firstErr == nil {
			firstErr = l.fail(sec, k, fmt.Sprintf("%s=%s: ", k, vals[k])+fmt.Sprintf(format, args...))
		}
	}
	dur := func(k string) time.Duration {
		v, ok := vals[k]
		if !ok {
			return 0
		}
		d, err := parseDuration(v)
		if err != nil {
			bad(k, "not a duration (write 500ms, 2s, 1m or a number of seconds)")
		}
		return d
	}
	float := func(k string) float64 {
		v, ok := vals[k]
		if !ok {
			return 0
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			bad(k, "not a number")
		}
		return f
	}
	integer := func(k string) int {
		v, ok := vals[k]
		if !ok {
			return 0
		}
		n, err := pyInt(v)
		if err != nil {
			bad(k, "%v", err)
		}
		return n
	}

	for _, ts := range []struct {
		key string
		log *supervisor.LogSpec
	}{{"x_stdout_timestamps", &spec.Stdout}, {"x_stderr_timestamps", &spec.Stderr}} {
		if v, ok := vals[ts.key]; ok {
			on, err := pyBool(v)
			if err != nil {
				bad(ts.key, "%v", err)
			}
			ts.log.Timestamps = on
		}
	}
	if v, ok := vals["x_depends_on"]; ok {
		var deps []supervisor.Dependency
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			name, cond, _ := strings.Cut(item, ":")
			deps = append(deps, supervisor.Dependency{Name: strings.TrimSpace(name),
				Condition: supervisor.DependencyCondition(strings.TrimSpace(cond))})
		}
		// The library's checks, with its words.
		probe := supervisor.ProgramSpec{Name: spec.Name, Group: spec.Group, Command: "x", DependsOn: deps}
		if err := probe.Validate(); err != nil {
			bad("x_depends_on", "%s", strings.ReplaceAll(err.Error(), "\n", "; "))
		}
		spec.DependsOn = deps
	}
	if v, ok := vals["x_ready"]; ok {
		spec.Ready = v
	}
	spec.Watchdog = dur("x_watchdog")
	spec.ReadyInterval = dur("x_ready_interval")
	spec.ReadyProbeTimeout = dur("x_ready_probe_timeout")
	spec.ReadyTimeout = dur("x_ready_timeout")
	if firstErr == nil {
		probe := supervisor.ProgramSpec{Name: spec.Name, Command: "x", Ready: spec.Ready}
		if err := probe.Validate(); err != nil {
			bad("x_ready", "%s", strings.ReplaceAll(err.Error(), "\n", "; "))
		}
	}
	if v, ok := vals["x_health"]; ok {
		spec.Health = v
	}
	spec.HealthInterval = dur("x_health_interval")
	spec.HealthTimeout = dur("x_health_timeout")
	spec.HealthFailures = integer("x_health_failures")
	if firstErr == nil {
		probe := supervisor.ProgramSpec{Name: spec.Name, Command: "x", Health: spec.Health, HealthFailures: spec.HealthFailures}
		if err := probe.Validate(); err != nil {
			key := "x_health"
			if spec.HealthFailures < 0 {
				key = "x_health_failures"
			}
			bad(key, "%s", strings.ReplaceAll(err.Error(), "\n", "; "))
		}
	}
	if v, ok := vals["x_essential"]; ok {
		on, err := pyBool(v)
		if err != nil {
			bad("x_essential", "%v", err)
		}
		spec.Essential = on
	}
	if v, ok := vals["x_environment_file"]; ok {
		files, err := envFileList(v)
		if err != nil {
			bad("x_environment_file", "%v", err)
		}
		spec.EnvironmentFiles = files
	}
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		v := vals[k]
		name, ok := strings.CutPrefix(k, "x_rlimit_")
		if !ok {
			continue
		}
		l, err := parseRlimit(v)
		if err != nil {
			bad(k, "%v", err)
			continue
		}
		if spec.Rlimits == nil {
			spec.Rlimits = map[string]supervisor.Rlimit{}
		}
		spec.Rlimits[name] = l
	}
	spec.Stdout.MaxAge = dur("x_stdout_logfile_max_age")
	spec.Stderr.MaxAge = dur("x_stderr_logfile_max_age")

	var policy restart.Policy
	switch kind := strings.ToLower(vals["x_backoff"]); kind {
	case "", "linear":
		for k := range vals {
			if strings.HasPrefix(k, "x_backoff_") {
				bad(k, "needs x_backoff=exponential")
			}
		}
	case "exponential":
		eb := restart.Exponential{
			Initial:    dur("x_backoff_initial"),
			Multiplier: float("x_backoff_multiplier"),
			Max:        dur("x_backoff_max"),
			Jitter:     float("x_backoff_jitter"),
			MaxRetries: integer("x_backoff_max_retries"),
			ResetAfter: dur("x_backoff_reset_after"),
		}
		if v, ok := vals["x_backoff_delay_restarts"]; ok {
			b, err := pyBool(v)
			if err != nil {
				bad("x_backoff_delay_restarts", "%v", err)
			}
			eb.DelayRestarts = b
		}
		if firstErr == nil {
			if err := eb.Validate(); err != nil {
				bad("x_backoff", "%v", err)
			}
		}
		policy = eb
	default:
		bad("x_backoff", "must be linear or exponential")
	}
	_, hasMax := vals["x_restart_max"]
	window := dur("x_restart_window")
	maxRestarts := integer("x_restart_max")
	if firstErr == nil && (hasMax || window != 0) {
		switch {
		case !hasMax:
			bad("x_restart_window", "needs x_restart_max")
		case window <= 0:
			bad("x_restart_max", "needs a positive x_restart_window")
		default:
			ri := restart.Intensity{Policy: policy, MaxRestarts: maxRestarts, Window: window}
			if err := ri.Validate(); err != nil {
				bad("x_restart_max", "%v", err)
			}
			policy = ri
		}
	}
	if firstErr != nil {
		return firstErr
	}
	spec.Restart = policy
	return nil
}

// dependencies checks every x_depends_on against the programs and groups
// of the file: each name must be one program or one [group:x], not both,
// and no program may depend on itself through others.
func (l *loader) dependencies() error {
	programs := map[string]*supervisor.ProgramSpec{}
	for i := range l.cfg.Programs {
		programs[l.cfg.Programs[i].Name] = &l.cfg.Programs[i]
	}
	groups := map[string][]string{}
	for _, g := range l.cfg.Groups {
		groups[g.Name] = g.Programs
	}
	section := func(name string) string {
		if l.doc.hasSection("program:" + name) {
			return "program:" + name
		}
		return "fcgi-program:" + name
	}
	value := func(p *supervisor.ProgramSpec) string {
		var items []string
		for _, d := range p.DependsOn {
			items = append(items, d.String())
		}
		return "x_depends_on=" + strings.Join(items, ", ") + ": "
	}
	for _, p := range l.cfg.Programs {
		for _, d := range p.DependsOn {
			_, isProg := programs[d.Name]
			_, isGroup := groups[d.Name]
			switch {
			case isProg && isGroup:
				return l.fail(section(p.Name), "x_depends_on", value(&p)+fmt.Sprintf("%s is ambiguous: both [program:%s] and [group:%s]", pyRepr(d.Name), d.Name, d.Name))
			case !isProg && !isGroup:
				return l.fail(section(p.Name), "x_depends_on", value(&p)+fmt.Sprintf("no [program:%s] or [group:%s]", d.Name, d.Name))
			}
		}
	}
	const (
		onPath = iota + 1
		done
	)
	mark := map[string]int{}
	var path []string
	var visit func(name string) error
	visit = func(name string) error {
		switch mark[name] {
		case onPath:
			i := slices.Index(path, name)
			cycle := append(slices.Clone(path[i:]), name)
			last := path[len(path)-1]
			return l.fail(section(last), "x_depends_on", value(programs[last])+"dependency cycle "+strings.Join(cycle, " -> "))
		case done:
			return nil
		}
		mark[name] = onPath
		path = append(path, name)
		for _, d := range programs[name].DependsOn {
			targets := []string{d.Name}
			if _, ok := programs[d.Name]; !ok {
				targets = groups[d.Name]
			}
			for _, t := range targets {
				if programs[t] == nil {
					continue
				}
				if err := visit(t); err != nil {
					return err
				}
			}
		}
		path = path[:len(path)-1]
		mark[name] = done
		return nil
	}
	for _, p := range l.cfg.Programs {
		if err := visit(p.Name); err != nil {
			return err
		}
	}
	return nil
}

// envFileList reads x_environment_file: comma-separated paths, each
// made absolute like supervisord's other paths (~ expanded, relative to
// the current directory), keeping a leading '-' (may be missing).
func envFileList(v string) ([]string, error) {
	var files []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		optional := strings.HasPrefix(f, "-")
		if optional {
			f = strings.TrimSpace(f[1:])
		}
		if f == "" {
			return nil, fmt.Errorf("empty path in the list")
		}
		f = normalizePath(f)
		if optional {
			f = "-" + f
		}
		files = append(files, f)
	}
	return files, nil
}

// parseRlimit reads an x_rlimit_ value: SOFT[:HARD], each a non-negative
// integer or unlimited (infinity too, as systemd), HARD omitted meaning
// HARD = SOFT, as systemd's Limit* settings.
func parseRlimit(v string) (supervisor.Rlimit, error) {
	one := func(s string) (uint64, error) {
		s = strings.TrimSpace(s)
		switch strings.ToLower(s) {
		case "unlimited", "infinity":
			return supervisor.RlimitInfinity, nil
		}
		if strings.HasPrefix(s, "-") {
			return 0, fmt.Errorf("%s is negative", pyRepr(s))
		}
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n == supervisor.RlimitInfinity {
			return 0, fmt.Errorf("%s is not a number or unlimited", pyRepr(s))
		}
		return n, nil
	}
	softText, hardText, both := strings.Cut(v, ":")
	soft, err := one(softText)
	if err != nil {
		return supervisor.Rlimit{}, fmt.Errorf("want SOFT[:HARD]: %w", err)
	}
	hard := soft
	if both {
		if hard, err = one(hardText); err != nil {
			return supervisor.Rlimit{}, fmt.Errorf("want SOFT[:HARD]: %w", err)
		}
	}
	if soft > hard {
		return supervisor.Rlimit{}, fmt.Errorf("soft limit above hard limit")
	}
	return supervisor.Rlimit{Soft: soft, Hard: hard}, nil
}

// parseDuration reads a Go duration or a plain number of seconds.
func parseDuration(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || f > float64(math.MaxInt64)/float64(time.Second) || f < 0 {
			return 0, fmt.Errorf("bad duration")
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration")
	}
	return d, nil
}

// checkExtKeysElsewhere rejects extension keys written in sections that
// define none (only the section's own keys: a [DEFAULT] x_ key is meant for
// the programs).
func (l *loader) checkExtKeysElsewhere() error {
	for _, sec := range l.doc.sections() {
		if strings.HasPrefix(sec, "program:") || strings.HasPrefix(sec, "eventlistener:") ||
			strings.HasPrefix(sec, "fcgi-program:") {
			continue
		}
		// [supervisord] and the HTTP servers have their own
		// (supervisordExtensions, httpServerExtensions).
		known := sec == "supervisorctl" || sec == "include" ||
			slices.ContainsFunc([]string{"group:", "rpcinterface:"},
				func(p string) bool { return strings.HasPrefix(sec, p) })
		if !known {
			continue
		}
		s, err := l.doc.f.GetSection(sec)
		if err != nil {
			continue
		}
		for _, k := range s.KeyStrings() {
			if strings.HasPrefix(k, ExtPrefix) {
				return l.fail(sec, k, fmt.Sprintf("unknown extension key %s: [%s] has no %s keys", pyRepr(k), sec, ExtPrefix))
			}
		}
	}
	return nil
}
