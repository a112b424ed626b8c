package rpcapi

import (
	"context"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/supervise-go/supervisor"
)

// configInfo is one entry of getAllConfigInfo, members in supervisord's
// order. Values supervisord keeps as None are the string "none"; AUTO log
// files not yet named are "auto".
type configInfo struct {
	Autostart             bool   `xmlrpc:"autostart"`
	Directory             string `xmlrpc:"directory"`
	UID                   any    `xmlrpc:"uid"` // int, or "none"
	Command               string `xmlrpc:"command"`
	ExitCodes             []int  `xmlrpc:"exitcodes"`
	Group                 string `xmlrpc:"group"`
	GroupPrio             int    `xmlrpc:"group_prio"`
	InUse                 bool   `xmlrpc:"inuse"`
	KillAsGroup           bool   `xmlrpc:"killasgroup"`
	Name                  string `xmlrpc:"name"`
	ProcessPrio           int    `xmlrpc:"process_prio"`
	RedirectStderr        bool   `xmlrpc:"redirect_stderr"`
	StartRetries          int    `xmlrpc:"startretries"`
	StartSecs             int    `xmlrpc:"startsecs"`
	StdoutCaptureMaxBytes int    `xmlrpc:"stdout_capture_maxbytes"`
	StdoutEventsEnabled   bool   `xmlrpc:"stdout_events_enabled"`
	StdoutLogfile         string `xmlrpc:"stdout_logfile"`
	StdoutLogfileBackups  int    `xmlrpc:"stdout_logfile_backups"`
	StdoutLogfileMaxBytes int    `xmlrpc:"stdout_logfile_maxbytes"`
	StdoutSyslog          bool   `xmlrpc:"stdout_syslog"`
	StopSignal            int    `xmlrpc:"stopsignal"`
	StopWaitSecs          int    `xmlrpc:"stopwaitsecs"`
	StderrCaptureMaxBytes int    `xmlrpc:"stderr_capture_maxbytes"`
	StderrEventsEnabled   bool   `xmlrpc:"stderr_events_enabled"`
	StderrLogfile         string `xmlrpc:"stderr_logfile"`
	StderrLogfileBackups  int    `xmlrpc:"stderr_logfile_backups"`
	StderrLogfileMaxBytes int    `xmlrpc:"stderr_logfile_maxbytes"`
	StderrSyslog          bool   `xmlrpc:"stderr_syslog"`
	ServerURL             string `xmlrpc:"serverurl"`
}

// getAllConfigInfo describes every process of the available configuration,
// sorted by process name (stably: equal names keep the configuration's
// order).
func (a *API) getAllConfigInfo(context.Context, params) (any, error) {
	sup := a.sup()
	specs := a.b.Available()
	active := groupNames(sup)
	// A changed group runs its old configuration: its AUTO names are not
	// those of the new one, which supervisord shows as "auto" too.
	changed := map[string]bool{}
	if c, err := sup.Diff(specs); err == nil {
		for _, g := range c.Changed {
			changed[g] = true
		}
	}
	out := []configInfo{}
	for i := range specs {
		procs, err := specs[i].Processes()
		if err != nil {
			continue // Reread only makes specs that validate
		}
		for _, pc := range procs {
			inuse := active[pc.Group]
			ci := newConfigInfo(&specs[i], pc, inuse)
			if inuse && !changed[pc.Group] {
				ci.StdoutLogfile = autoPath(sup, pc, pc.Stdout.File, supervisor.ChannelStdout, ci.StdoutLogfile)
				ci.StderrLogfile = autoPath(sup, pc, pc.Stderr.File, supervisor.ChannelStderr, ci.StderrLogfile)
			}
			out = append(out, ci)
		}
	}
	slices.SortStableFunc(out, func(x, y configInfo) int { return strings.Compare(x.Name, y.Name) })
	return out, nil
}

// newConfigInfo describes process pc of program s. The config package
// writes every value, so no zero here stands for a default; supervisord's
// 0 comes as -1.
func newConfigInfo(s *supervisor.ProgramSpec, pc supervisor.ProcessConfig, inuse bool) configInfo {
	groupPrio := s.Priority
	if s.Group != "" {
		groupPrio = s.GroupPriority
	}
	stop := int(s.StopSignal)
	if stop == 0 {
		stop = int(syscall.SIGTERM)
	}
	exit := s.ExitCodes
	if exit == nil {
		exit = []int{}
	}
	return configInfo{
		Autostart:             !s.NoAutostart,
		Directory:             noneIfEmpty(pc.Directory),
		UID:                   uidOf(s.User),
		Command:               pc.Command,
		ExitCodes:             exit,
		Group:                 pc.Group,
		GroupPrio:             groupPrio,
		InUse:                 inuse,
		KillAsGroup:           s.KillAsGroup || s.StopAsGroup,
		Name:                  pc.Name,
		ProcessPrio:           s.Priority,
		RedirectStderr:        s.RedirectStderr,
		StartRetries:          max(s.StartRetries, 0),
		StartSecs:             seconds(max(s.StartSecs, 0)),
		StdoutCaptureMaxBytes: capInt(s.Stdout.CaptureMaxBytes),
		StdoutEventsEnabled:   s.Stdout.EventsEnabled,
		StdoutLogfile:         logName(pc.Stdout.File),
		StdoutLogfileBackups:  s.Stdout.Backups,
		StdoutLogfileMaxBytes: capInt(s.Stdout.MaxBytes),
		StdoutSyslog:          s.Stdout.Syslog,
		StopSignal:            stop,
		StopWaitSecs:          seconds(max(s.StopWaitSecs, 0)),
		StderrCaptureMaxBytes: capInt(s.Stderr.CaptureMaxBytes),
		StderrEventsEnabled:   s.Stderr.EventsEnabled,
		StderrLogfile:         logName(pc.Stderr.File),
		StderrLogfileBackups:  s.Stderr.Backups,
		StderrLogfileMaxBytes: capInt(s.Stderr.MaxBytes),
		StderrSyslog:          s.Stderr.Syslog,
		ServerURL:             serverURL(s.ServerURL),
	}
}

// autoPath returns the name an active process's AUTO log file was given,
// or def.
func autoPath(sup *supervisor.Supervisor, pc supervisor.ProcessConfig, file string, ch supervisor.Channel, def string) string {
	if !strings.EqualFold(file, supervisor.AutoLog) {
		return def
	}
	if p, err := sup.Process(pc.Group, pc.Name); err == nil {
		if path := logPath(p.Info(), ch); path != "" {
			return path
		}
	}
	return def
}

func logName(file string) string {
	switch {
	case file == "":
		return "none"
	case strings.EqualFold(file, supervisor.AutoLog):
		return "auto"
	}
	return file
}

func serverURL(u string) string {
	if u == "" || strings.EqualFold(strings.TrimSpace(u), "AUTO") {
		return "none" // supervisord keeps AUTO as None
	}
	return u
}

func noneIfEmpty(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func seconds(d time.Duration) int { return capInt(int64(d / time.Second)) }

// uidOf returns the uid a process runs as: supervisord shows the numeric
// uid of its user option, or None.
func uidOf(name string) any {
	if name == "" {
		return "none"
	}
	if n, err := strconv.Atoi(name); err == nil {
		return n
	}
	if u, err := user.Lookup(name); err == nil {
		if n, err := strconv.Atoi(u.Uid); err == nil {
			return n
		}
	}
	return "none"
}

// exists reports whether path names something on disk.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
