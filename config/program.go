package config

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/pyfmt"
)

// maxCheckedProcs bounds how many processes of one program Load expands to
// validate its per-process templates; the root package expands every
// process again when it spawns it. Expanding a million processes at load
// time (numprocs=1000000 is one typo away) would only make loading slow.
const maxCheckedProcs = 1000

// eventTypes are supervisord's event type names (spec 8.1).
var eventTypes = []string{
	"EVENT", "PROCESS_COMMUNICATION", "PROCESS_COMMUNICATION_STDERR", "PROCESS_COMMUNICATION_STDOUT",
	"PROCESS_GROUP", "PROCESS_GROUP_ADDED", "PROCESS_GROUP_REMOVED", "PROCESS_LOG", "PROCESS_LOG_STDERR",
	"PROCESS_LOG_STDOUT", "PROCESS_STATE", "PROCESS_STATE_BACKOFF", "PROCESS_STATE_EXITED",
	"PROCESS_STATE_FATAL", "PROCESS_STATE_RUNNING", "PROCESS_STATE_STARTING", "PROCESS_STATE_STOPPED",
	"PROCESS_STATE_STOPPING", "PROCESS_STATE_UNKNOWN", "REMOTE_COMMUNICATION", "SUPERVISOR_STATE_CHANGE",
	"SUPERVISOR_STATE_CHANGE_RUNNING", "SUPERVISOR_STATE_CHANGE_STOPPING", "TICK", "TICK_3600", "TICK_5", "TICK_60",
}

const defaultResultHandler = "supervisor.dispatchers:default_handler"

// groupEntry is a process group in supervisord's order, before sorting.
type groupEntry struct {
	priority int
	specs    []supervisor.ProgramSpec
	listener *EventListener
	fcgi     *FCGIProgram
}

// processGroups reads [group:x], [program:x], [eventlistener:x] and
// [fcgi-program:x] in supervisord's order (groups, programs, listeners,
// FastCGI programs), so that of several mistakes the same one is reported.
func (l *loader) processGroups() error {
	all := l.doc.sections()
	has := func(s string) bool { return slices.Contains(all, s) }
	hereOnly := map[string]any{"here": l.here}
	inGroup := map[string]bool{}
	var entries []groupEntry

	for _, sec := range all {
		if !strings.HasPrefix(sec, "group:") {
			continue
		}
		name, err := processOrGroupName(strings.SplitN(sec, ":", 2)[1])
		if err != nil {
			return l.fail(sec, "", err.Error())
		}
		progs, _, err := l.get(sec, "programs", ptr(""), hereOnly)
		if err != nil {
			return err
		}
		prioStr, _, err := l.get(sec, "priority", ptr("999"), hereOnly)
		if err != nil {
			return err
		}
		prio, err := pyInt(prioStr)
		if err != nil {
			return l.fail(sec, "priority", err.Error())
		}
		g := Group{Name: name, Priority: prio, Programs: listOfStrings(progs)}
		e := groupEntry{priority: prio}
		// supervisord names the previous member's section in messages about
		// later members; reproduce that.
		shown := sec
		seen := map[string]bool{}
		for _, p := range g.Programs {
			ps, fsec := "program:"+p, "fcgi-program:"+p
			if !has(ps) && !has(fsec) {
				return l.fail(sec, "programs", fmt.Sprintf("[%s] names unknown program or fcgi-program %s", shown, p))
			}
			if has(ps) && has(fsec) {
				return l.fail(sec, "programs", fmt.Sprintf("[%s] name %s is ambiguous (exists as program and fcgi-program)", shown, p))
			}
			member := ps
			if !has(ps) {
				member = fsec
			}
			shown = member
			inGroup[member] = true
			spec, err := l.programSpec(member, name)
			if err != nil {
				return err
			}
			if seen[member] {
				continue
			}
			seen[member] = true
			spec.Group, spec.GroupPriority = name, prio
			if spec.NumProcs > 0 {
				e.specs = append(e.specs, spec)
			}
		}
		l.cfg.Groups = append(l.cfg.Groups, g)
		entries = append(entries, e)
	}

	for _, sec := range all {
		if !strings.HasPrefix(sec, "program:") || inGroup[sec] {
			continue
		}
		if _, err := processOrGroupName(strings.SplitN(sec, ":", 2)[1]); err != nil {
			return l.fail(sec, "", err.Error())
		}
		prio, err := l.groupPriority(sec, "999")
		if err != nil {
			return err
		}
		spec, err := l.programSpec(sec, "")
		if err != nil {
			return err
		}
		spec.GroupPriority = prio
		if spec.NumProcs > 0 {
			entries = append(entries, groupEntry{priority: prio, specs: []supervisor.ProgramSpec{spec}})
		}
	}

	for _, sec := range all {
		if !strings.HasPrefix(sec, "eventlistener:") {
			continue
		}
		el, err := l.listener(sec)
		if err != nil {
			return err
		}
		l.cfg.EventListeners = append(l.cfg.EventListeners, *el)
	}

	for _, sec := range all {
		if !strings.HasPrefix(sec, "fcgi-program:") || inGroup[sec] {
			continue
		}
		fp, err := l.fcgi(sec)
		if err != nil {
			return err
		}
		l.cfg.FCGIPrograms = append(l.cfg.FCGIPrograms, *fp)
	}

	sort.SliceStable(entries, func(i, j int) bool { return entries[i].priority < entries[j].priority })
	for _, e := range entries {
		l.cfg.Programs = append(l.cfg.Programs, e.specs...)
	}
	return nil
}

// groupPriority reads a program section's priority as its group's: with
// only %(here)s and ENV_X available, and without the section suffix.
func (l *loader) groupPriority(sec, def string) (int, error) {
	v, _, err := l.get(sec, "priority", ptr(def), map[string]any{"here": l.here})
	if err != nil {
		return 0, err
	}
	n, err := pyInt(v)
	if err != nil {
		return 0, l.fail(sec, "priority", err.Error())
	}
	return n, nil
}

func (l *loader) listener(sec string) (*EventListener, error) {
	hereOnly := map[string]any{"here": l.here}
	prio, err := l.groupPriority(sec, "-1")
	if err != nil {
		return nil, err
	}
	bs, _, err := l.get(sec, "buffer_size", ptr("10"), hereOnly)
	if err != nil {
		return nil, err
	}
	bufSize, err := pyInt(bs)
	if err != nil {
		return nil, l.fail(sec, "buffer_size", err.Error())
	}
	if bufSize < 1 {
		return nil, l.fail(sec, "buffer_size", fmt.Sprintf("[%s] section sets invalid buffer_size (%d)", sec, bufSize))
	}
	rh, _, err := l.get(sec, "result_handler", ptr(defaultResultHandler), hereOnly)
	if err != nil {
		return nil, err
	}
	if norm, err := entryPoint(rh); err != nil {
		return nil, l.fail(sec, "result_handler", err.Error())
	} else if norm != defaultResultHandler {
		return nil, l.fail(sec, "result_handler", fmt.Sprintf("%s cannot be resolved within [%s]", rh, sec))
	}
	evs, _, err := l.get(sec, "events", ptr(""), hereOnly)
	if err != nil {
		return nil, err
	}
	var events []string
	for _, e := range listOfStrings(evs) {
		e = strings.ToUpper(e)
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	if len(events) == 0 {
		return nil, l.fail(sec, "events", fmt.Sprintf(`[%s] section requires an "events" line`, sec))
	}
	for _, e := range events {
		if !slices.Contains(eventTypes, e) {
			return nil, l.fail(sec, "events", fmt.Sprintf("Unknown event type %s in [%s] events", e, sec))
		}
	}
	rs, _, err := l.get(sec, "redirect_stderr", ptr("false"), hereOnly)
	if err != nil {
		return nil, err
	}
	redirect, err := pyBool(rs)
	if err != nil {
		return nil, l.fail(sec, "redirect_stderr", err.Error())
	}
	if redirect {
		return nil, l.fail(sec, "redirect_stderr", fmt.Sprintf("[%s] section sets redirect_stderr=true "+
			"but this is not allowed because it will interfere with the eventlistener protocol", sec))
	}
	pool := strings.SplitN(sec, ":", 2)[1]
	spec, err := l.programSpec(sec, pool)
	if err != nil {
		return nil, err
	}
	spec.Group, spec.GroupPriority = pool, prio
	return &EventListener{ProgramSpec: spec, Events: events, BufferSize: bufSize, ResultHandler: defaultResultHandler}, nil
}

func (l *loader) fcgi(sec string) (*FCGIProgram, error) {
	hereOnly := map[string]any{"here": l.here}
	name, err := processOrGroupName(strings.SplitN(sec, ":", 2)[1])
	if err != nil {
		return nil, l.fail(sec, "", err.Error())
	}
	prio, err := l.groupPriority(sec, "999")
	if err != nil {
		return nil, err
	}
	fp := &FCGIProgram{SocketOwnerUID: -1, SocketOwnerGID: -1}
	procUID := -1
	if u, ok, err := l.get(sec, "user", nil, hereOnly); err != nil {
		return nil, err
	} else if ok {
		if procUID, err = nameToUID(u); err != nil {
			return nil, l.fail(sec, "user", err.Error())
		}
	}
	if v, ok, err := l.get(sec, "socket_backlog", nil, hereOnly); err != nil {
		return nil, err
	} else if ok {
		n, err := pyInt(v)
		if err != nil {
			return nil, l.fail(sec, "socket_backlog", err.Error())
		}
		if n < 1 || n > 65535 {
			return nil, l.fail(sec, "socket_backlog", fmt.Sprintf("Invalid socket_backlog value %d", n))
		}
		fp.SocketBacklog = n
	}
	ownerSet, modeSet := false, false
	if v, ok, err := l.get(sec, "socket_owner", nil, hereOnly); err != nil {
		return nil, err
	} else if ok {
		if fp.SocketOwnerUID, fp.SocketOwnerGID, err = userGroup(v); err != nil {
			return nil, l.fail(sec, "socket_owner", "Invalid socket_owner value "+v)
		}
		ownerSet = true
	}
	fp.SocketMode = 0o700
	if v, ok, err := l.get(sec, "socket_mode", nil, hereOnly); err != nil {
		return nil, err
	} else if ok {
		m, err := octal(v)
		if err != nil {
			return nil, l.fail(sec, "socket_mode", "Invalid socket_mode value "+v)
		}
		fp.SocketMode = fs.FileMode(m) & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
		modeSet = true
	}
	sock, _, err := l.get(sec, "socket", ptr(""), map[string]any{"here": l.here, "program_name": name})
	if err != nil {
		return nil, err
	}
	if sock == "" {
		return nil, l.fail(sec, "socket", fmt.Sprintf(`[%s] section requires a "socket" line`, sec))
	}
	sockErr := func(msg string) error {
		return l.fail(sec, "socket", fmt.Sprintf("%s in [%s] socket", msg, sec))
	}
	if path, ok := strings.CutPrefix(sock, "unix://"); ok {
		if !strings.HasPrefix(path, "/") {
			// supervisord raises ValueError with two arguments here, so
			// its message is the tuple's repr.
			return nil, sockErr(fmt.Sprintf("('Unix socket path %%s is not an absolute path', %s)", pyRepr(path)))
		}
		fp.Socket = "unix://" + normalizePath(path)
		if !ownerSet && procUID >= 0 && procUID != currentUID() {
			fp.SocketOwnerUID, fp.SocketOwnerGID = procUID, primaryGID(procUID)
		}
	} else {
		if ownerSet || modeSet {
			return nil, sockErr("socket_owner and socket_mode params should only be used with a Unix domain socket")
		}
		host, port, ok := parseTCPSocket(sock)
		if !ok {
			return nil, sockErr(fmt.Sprintf("('Bad socket format %%s', %s)", pyRepr(sock)))
		}
		p, err := portNumber(port)
		if err != nil {
			return nil, sockErr(err.Error())
		}
		fp.Socket = fmt.Sprintf("tcp://%s:%d", strings.ToLower(host), p)
	}
	spec, err := l.programSpec(sec, name)
	if err != nil {
		return nil, err
	}
	spec.GroupPriority = prio
	fp.ProgramSpec = spec
	return fp, nil
}

// parseTCPSocket matches tcp://([^\s:]+):(\d+)$.
func parseTCPSocket(s string) (host, port string, ok bool) {
	rest, ok := strings.CutPrefix(s, "tcp://")
	if !ok {
		return "", "", false
	}
	host, port, ok = strings.Cut(rest, ":")
	if !ok || host == "" || strings.ContainsFunc(host, pyIsSpace) || port == "" {
		return "", "", false
	}
	port = strings.TrimSuffix(port, "\n")
	for _, c := range port {
		if c < '0' || c > '9' {
			return "", "", false
		}
	}
	return host, port, port != ""
}

// procResult is what one process of a program expands to.
type procResult struct {
	vars           map[string]any // the names the root package will use
	env            []kvPair
	stdout, stderr string // final log file values (AutoLog, "" or a path)
}

// programSpec reads the program keys of a [program:x], [eventlistener:x] or
// [fcgi-program:x] section, in supervisord's order. group is the group's
// name ("" for the program's own). Errors get supervisord's section suffix.
func (l *loader) programSpec(sec, group string) (supervisor.ProgramSpec, error) {
	spec, err := l.programSpecBare(sec, group)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Msg = fmt.Sprintf("%s in section %s (file: %s)", e.Msg, pyRepr(sec), pyRepr(l.sectionFile(sec)))
		}
		return spec, err
	}
	return spec, nil
}

func (l *loader) programSpecBare(sec, group string) (supervisor.ProgramSpec, error) {
	var spec supervisor.ProgramSpec
	name, err := processOrGroupName(strings.SplitN(sec, ":", 2)[1])
	if err != nil {
		return spec, l.fail(sec, "", err.Error())
	}
	groupName := group
	if groupName == "" {
		groupName = name
	}
	common := map[string]any{"here": l.here, "program_name": name, "host_node_name": l.host, "group_name": groupName}

	var firstErr error
	str := func(key, def string) string {
		if firstErr != nil {
			return ""
		}
		v, _, err := l.get(sec, key, ptr(def), common)
		firstErr = err
		return v
	}
	conv := func(key string, err error) {
		if firstErr == nil && err != nil {
			firstErr = l.fail(sec, key, err.Error())
		}
	}
	integer := func(key, def string) int {
		s := str(key, def)
		if firstErr != nil {
			return 0
		}
		n, err := pyInt(s)
		conv(key, err)
		return n
	}
	boolean := func(key, def string) bool {
		s := str(key, def)
		if firstErr != nil {
			return false
		}
		b, err := pyBool(s)
		conv(key, err)
		return b
	}
	bytes := func(key, def string) int64 {
		s := str(key, def)
		if firstErr != nil {
			return 0
		}
		n, err := byteSize(s)
		conv(key, err)
		return n
	}

	// Every value is explicit: where a zero means a default in
	// supervisor.ProgramSpec, supervisord's 0 is written as -1 (noneIfZero).
	spec = supervisor.ProgramSpec{Name: name, GroupPriority: 999}
	spec.Priority = integer("priority", "999")
	spec.NoAutostart = !boolean("autostart", "true")
	if ar := str("autorestart", "unexpected"); firstErr == nil {
		v, err := autoRestart(ar)
		conv("autorestart", err)
		spec.AutoRestart = map[string]supervisor.AutoRestart{"true": supervisor.RestartAlways,
			"false": supervisor.RestartNever, "unexpected": supervisor.RestartUnexpected}[v]
	}
	spec.StartSecs = noneIfZero(time.Duration(integer("startsecs", "1")) * time.Second)
	spec.StartRetries = noneIfZero(integer("startretries", "3"))
	if ss := str("stopsignal", "TERM"); firstErr == nil {
		var err error
		spec.StopSignal, err = signalNumber(ss)
		conv("stopsignal", err)
	}
	spec.StopWaitSecs = noneIfZero(time.Duration(integer("stopwaitsecs", "10")) * time.Second)
	spec.StopAsGroup = boolean("stopasgroup", "false")
	spec.KillAsGroup = boolean("killasgroup", fmt.Sprint(spec.StopAsGroup))
	if ec := str("exitcodes", "0"); firstErr == nil {
		var err error
		spec.ExitCodes, err = exitCodes(ec)
		conv("exitcodes", err)
	}
	spec.RedirectStderr = boolean("redirect_stderr", "false")
	spec.NumProcs = integer("numprocs", "1")
	spec.NumProcsStart = integer("numprocs_start", "0")
	envRaw, _ := l.doc.get(sec, "environment")
	spec.Stdout.CaptureMaxBytes = bytes("stdout_capture_maxbytes", "0")
	spec.Stdout.EventsEnabled = boolean("stdout_events_enabled", "false")
	spec.Stderr.CaptureMaxBytes = bytes("stderr_capture_maxbytes", "0")
	spec.Stderr.EventsEnabled = boolean("stderr_events_enabled", "false")
	if firstErr != nil {
		return spec, firstErr
	}
	if v, ok, err := l.get(sec, "serverurl", nil, common); err != nil {
		return spec, err
	} else if ok && strings.ToUpper(pyStrip(v)) != "AUTO" {
		spec.ServerURL = v
	}
	if v, ok, err := l.get(sec, "user", nil, common); err != nil {
		return spec, err
	} else if ok {
		if _, err := nameToUID(v); err != nil {
			return spec, l.fail(sec, "user", err.Error())
		}
		spec.User = v
	}
	if v, ok, err := l.get(sec, "umask", nil, common); err != nil {
		return spec, err
	} else if ok {
		m, err := octal(v)
		if err != nil {
			return spec, l.fail(sec, "umask", err.Error())
		}
		if m < 0 || m > 0o777 {
			return spec, l.fail(sec, "umask", fmt.Sprintf("umask %s is outside 0..0777", v))
		}
		u := fs.FileMode(m)
		spec.Umask = &u
	}
	procName, ok := l.doc.get(sec, "process_name")
	if !ok {
		procName = "%(program_name)s"
	}
	if _, err := processOrGroupName(procName); err != nil {
		return spec, l.fail(sec, "process_name", err.Error())
	}
	spec.ProcessName = procName
	if spec.NumProcs > 1 && !strings.Contains(procName, "%(process_num)") {
		return spec, l.fail(sec, "process_name", "%(process_num) must be present within process_name when numprocs > 1")
	}
	if spec.StopAsGroup && !spec.KillAsGroup {
		return spec, l.fail(sec, "killasgroup", "Cannot set stopasgroup=true and killasgroup=false")
	}
	if spec.NumProcs <= 0 {
		l.cfg.Warnings = append(l.cfg.Warnings, fmt.Sprintf(
			"For [%s], numprocs=%d: the program has no processes", sec, spec.NumProcs))
		return spec, nil
	}
	if group != "" {
		spec.Group = group
	}

	// Per-process keys: expand them for each process as supervisord does,
	// to fail at load time as it does; keep the templates for the root.
	vars := map[string]any{}
	maps.Copy(vars, common)
	var procs []procResult
	var lastEnvStr string
	nums := processNums(spec.NumProcsStart, spec.NumProcs)
	for _, n := range nums {
		vars["process_num"], vars["numprocs"] = n, spec.NumProcs
		maps.Copy(vars, l.env)
		pr := procResult{vars: map[string]any{}}
		maps.Copy(pr.vars, vars)
		envStr, err := pyfmt.ExpandIn(envRaw, "environment", vars)
		if err != nil {
			return spec, l.fail(sec, "environment", err.Error())
		}
		if len(procs) > 0 && envStr == lastEnvStr {
			pr.env = procs[len(procs)-1].env // most programs' environment does not vary
		} else if pr.env, err = keyValuePairs(envStr, false); err != nil {
			return spec, l.fail(sec, "environment", err.Error())
		}
		lastEnvStr = envStr
		for _, p := range pr.env {
			vars["ENV_"+p.key] = p.value
			pr.vars["ENV_"+p.key] = p.value
		}
		if v, ok, err := l.get(sec, "directory", nil, vars); err != nil {
			return spec, err
		} else if ok && n == nums[0] {
			dir, _ := l.doc.get(sec, "directory")
			spec.Directory = dir
			_ = v
		}
		for _, ch := range []struct {
			k   string
			log *supervisor.LogSpec
			out *string
		}{{"stdout", &spec.Stdout, &pr.stdout}, {"stderr", &spec.Stderr, &pr.stderr}} {
			key := ch.k + "_logfile"
			final := supervisor.AutoLog
			if v, ok, err := l.get(sec, key, nil, vars); err != nil {
				return spec, err
			} else if ok {
				v2, err := pyfmt.ExpandIn(v, key, vars)
				if err != nil {
					return spec, l.fail(sec, key, err.Error())
				}
				if final, err = logfileName(v2); err != nil {
					return spec, l.fail(sec, key, err.Error())
				}
			}
			bk := ch.k + "_logfile_backups"
			if s, _, err := l.get(sec, bk, ptr("10"), vars); err != nil {
				return spec, err
			} else if ch.log.Backups, err = pyInt(s); err != nil {
				return spec, l.fail(sec, bk, err.Error())
			}
			mk := ch.k + "_logfile_maxbytes"
			if s, _, err := l.get(sec, mk, ptr("50MB"), vars); err != nil {
				return spec, err
			} else if ch.log.MaxBytes, err = byteSize(s); err != nil {
				return spec, l.fail(sec, mk, err.Error())
			}
			sk := ch.k + "_syslog"
			if s, _, err := l.get(sec, sk, ptr("false"), vars); err != nil {
				return spec, err
			} else if ch.log.Syslog, err = pyBool(s); err != nil {
				return spec, l.fail(sec, sk, err.Error())
			}
			if final == logSyslog {
				l.warnOnce(fmt.Sprintf("For [%s], %s=syslog but this is deprecated and will be removed.  "+
					"Use %s=true to enable syslog instead.", sec, key, sk))
				final, ch.log.Syslog = logNone, true
			}
			if final == supervisor.AutoLog && ch.log.MaxBytes == 0 {
				l.warnOnce(fmt.Sprintf("For [%s], AUTO logging used for %s without rollover, "+
					"set maxbytes > 0 to avoid filling up filesystem unintentionally", sec, key))
			}
			*ch.out = final
		}
		if spec.RedirectStderr {
			if pr.stderr != supervisor.AutoLog && pr.stderr != logNone {
				l.warnOnce(fmt.Sprintf("For [%s], redirect_stderr=true but stderr_logfile has also "+
					"been set to a filename, the filename has been ignored", sec))
			}
			pr.stderr = logNone
		}
		if _, ok, err := l.get(sec, "command", nil, vars); err != nil {
			return spec, err
		} else if !ok {
			return spec, l.fail(sec, "", fmt.Sprintf("program section %s does not specify a command", sec))
		}
		if _, err := pyfmt.ExpandIn(procName, "process_name", vars); err != nil {
			return spec, l.fail(sec, "process_name", err.Error())
		}
		procs = append(procs, pr)
	}
	spec.Command, _ = l.doc.get(sec, "command")

	// Templates for the root package.
	var err2 error
	if spec.Environment, err2 = envTemplate(envRaw, procs); err2 != nil {
		return spec, l.fail(sec, "environment", err2.Error())
	}
	for _, ch := range []struct {
		k    string
		log  *supervisor.LogSpec
		vals func(procResult) string
	}{{"stdout", &spec.Stdout, func(p procResult) string { return p.stdout }},
		{"stderr", &spec.Stderr, func(p procResult) string { return p.stderr }}} {
		raw, _ := l.doc.get(sec, ch.k+"_logfile")
		f, err := logTemplate(raw, procs, ch.vals)
		if err != nil {
			return spec, l.fail(sec, ch.k+"_logfile", err.Error())
		}
		ch.log.File = f
	}
	spec.Vars = map[string]string{"here": l.here}
	for k, v := range l.env {
		if referencesName(&spec, k) {
			spec.Vars[k] = v.(string)
		}
	}
	if err := l.extensions(sec, &spec); err != nil {
		return spec, err
	}
	return spec, nil
}

// processNums are the process_num values to check: all of them, or the
// first maxCheckedProcs and the last.
func processNums(start, n int) []int {
	var nums []int
	for i := 0; i < n && i < maxCheckedProcs; i++ {
		nums = append(nums, start+i)
	}
	if n > maxCheckedProcs {
		nums = append(nums, start+n-1)
	}
	return nums
}

func (l *loader) warnOnce(msg string) {
	if !slices.Contains(l.cfg.Warnings, msg) {
		l.cfg.Warnings = append(l.cfg.Warnings, msg)
	}
}

// escapePercent makes s a template that expands to itself.
func escapePercent(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// rootVars are the names the root package expands a template with for one
// process: those of procResult.vars (which mirror it).
func expandsTo(tmpl string, p procResult, want string) bool {
	got, err := pyfmt.Expand(tmpl, p.vars)
	return err == nil && got == want
}

// envTemplate turns the raw environment= value into per-key templates that
// the root package, expanding each value for a process, turns into exactly
// what supervisord computes for that process (it expands the whole string
// first and splits it after). When no such templates exist but every
// process gets the same environment, that environment is returned with its
// '%' escaped.
func envTemplate(raw string, procs []procResult) (map[string]string, error) {
	if raw == "" {
		return nil, nil
	}
	if tmpl, err := keyValuePairs(raw, true); err == nil {
		ok := true
		for _, p := range procs {
			if len(p.env) != len(tmpl) {
				ok = false
				break
			}
			for i, kv := range tmpl {
				if kv.key != p.env[i].key || !expandsTo(kv.value, p, p.env[i].value) {
					ok = false
				}
			}
		}
		if ok {
			m := map[string]string{}
			for _, kv := range tmpl {
				m[kv.key] = kv.value
			}
			return m, nil
		}
	}
	first := procs[0].env
	for _, p := range procs[1:] {
		if !slices.Equal(p.env, first) {
			return nil, fmt.Errorf("environment %s expands to different keys or quoting for each process; "+
				"this is not supported", pyRepr(raw))
		}
	}
	m := map[string]string{}
	for _, kv := range first {
		m[kv.key] = escapePercent(kv.value)
	}
	return m, nil
}

// logTemplate picks the Stdout/Stderr File value: AutoLog, "" or a path
// template that expands, for each process, to the path supervisord computes
// (it expands log file names twice and then expands a leading ~).
func logTemplate(raw string, procs []procResult, val func(procResult) string) (string, error) {
	first := val(procs[0])
	if first == supervisor.AutoLog || first == logNone {
		for _, p := range procs {
			if val(p) != first {
				return "", fmt.Errorf("log file %s names a file for some processes only", pyRepr(raw))
			}
		}
		return first, nil
	}
	for _, cand := range []string{raw, expandUser(raw)} {
		ok := true
		for _, p := range procs {
			if !expandsTo(cand, p, val(p)) {
				ok = false
				break
			}
		}
		if ok {
			return cand, nil
		}
	}
	for _, p := range procs {
		if val(p) != first {
			return "", fmt.Errorf("log file %s needs two rounds of expansion and differs between processes; "+
				"this is not supported", pyRepr(raw))
		}
	}
	return escapePercent(first), nil
}

// noneIfZero writes supervisord's 0 as supervisor.ProgramSpec writes it
// where its zero value stands for a default: as -1.
func noneIfZero[T int | time.Duration](v T) T {
	if v == 0 {
		return -1
	}
	return v
}

// referencesName reports whether one of the templates that the root
// package expands per process names the variable name: only those ENV_X
// values go into the spec's Vars. A copy of the whole environment per
// program would cost a few KiB of every program's memory for names no
// template uses; a template with an unknown name was refused above, with
// every name in its message.
func referencesName(spec *supervisor.ProgramSpec, name string) bool {
	ref := "%(" + name + ")"
	for _, t := range []string{spec.Command, spec.ProcessName, spec.Directory, spec.Stdout.File, spec.Stderr.File} {
		if strings.Contains(t, ref) {
			return true
		}
	}
	for _, t := range spec.Environment {
		if strings.Contains(t, ref) {
			return true
		}
	}
	return false
}
