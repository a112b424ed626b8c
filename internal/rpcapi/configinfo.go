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
	active := map[string]bool{}
	for _, g := range sup.Groups() {
		active[g] = true
	}
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
			ci := newConfigInfo(pc, inuse)
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

func newConfigInfo(pc supervisor.ProcessConfig, inuse bool) configInfo {
	s := pc.Program
	stop := int(s.StopSignal)
	if stop == 0 {
		stop = int(syscall.SIGTERM)
	}
	exit := s.ExitCodes
	if exit == nil {
		exit = []int{}
	}
	return configInfo{
		Autostart:             s.Autostart,
		Directory:             noneIfEmpty(pc.Directory),
		UID:                   uidOf(s.User),
		Command:               pc.Command,
		ExitCodes:             exit,
		Group:                 pc.Group,
		GroupPrio:             s.GroupPrio(),
		InUse:                 inuse,
		KillAsGroup:           s.KillAsGroup || s.StopAsGroup,
		Name:                  pc.Name,
		ProcessPrio:           s.Priority,
		RedirectStderr:        s.RedirectStderr,
		StartRetries:          s.StartRetries,
		StartSecs:             seconds(s.StartSecs),
		StdoutCaptureMaxBytes: capInt(s.Stdout.CaptureMaxBytes),
		StdoutEventsEnabled:   s.Stdout.EventsEnabled,
		StdoutLogfile:         logName(pc.Stdout.File),
		StdoutLogfileBackups:  s.Stdout.Backups,
		StdoutLogfileMaxBytes: capInt(s.Stdout.MaxBytes),
		StdoutSyslog:          s.Stdout.Syslog,
		StopSignal:            stop,
		StopWaitSecs:          seconds(s.StopWaitSecs),
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
	if p, err := sup.LogPath(one(pc.Group, pc.Name), ch); err == nil && p != "" {
		return p
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
