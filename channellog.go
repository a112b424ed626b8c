package supervisor

import (
	"context"
	"fmt"
	"log/slog"
	"log/syslog"
	"strings"
	"sync"
)

// Channel names one output channel of a process.
type Channel string

// The two output channels.
const (
	ChannelStdout Channel = "stdout"
	ChannelStderr Channel = "stderr"
)

// channelLog receives one output channel (stdout or stderr) of a process
// across all its spawns: it keeps an in-memory tail, writes the log file and
// publishes log events.
type channelLog struct {
	sup     *Supervisor
	proc    *processSpec
	channel Channel
	spec    LogSpec
	file    *LogFile // nil when the output is not kept in a file
	tail    *tailBuffer

	// Guarded by mu: after a quick respawn, the readers of the old child's
	// pipes (held open by a grandchild, say) may still run for a while
	// beside the new child's.
	mu      sync.Mutex
	capture *capture // nil unless CaptureMaxBytes > 0
	stamps  timestamper
}

func newChannelLog(s *Supervisor, proc *processSpec, channel Channel, spec LogSpec) *channelLog {
	c := &channelLog{sup: s, proc: proc, channel: channel, spec: spec, tail: newTailBuffer(defaultTailBytes)}
	if spec.CaptureMaxBytes > 0 {
		c.capture = &capture{maxBytes: spec.CaptureMaxBytes}
	}
	return c
}

// open creates the log file object when the process's group is activated:
// an AUTO file gets its generated name (and exists from then on, as in
// supervisord); an explicit path is opened at the first output.
func (c *channelLog) open() error {
	switch {
	case c.spec.File == "":
		return nil
	case strings.EqualFold(c.spec.File, AutoLog):
		path, err := autoLogPath(c.sup.childLogDir, c.proc.name, string(c.channel), c.sup.identifier)
		if err != nil {
			return fmt.Errorf("process %s: AUTO %s log: %w", c.proc.name, c.channel, err)
		}
		c.file = newPrivateLogFile(path, c.spec.MaxBytes, c.spec.Backups)
	default:
		c.file = NewLogFile(c.spec.File, c.spec.MaxBytes, c.spec.Backups)
	}
	c.file.SetMaxAge(c.spec.MaxAge)
	return nil
}

// write handles one chunk of the child's output: ANSI stripping, capture
// mode, timestamps, then the tail, the file, syslog, the debug echo and log
// events.
func (c *channelLog) write(pid int, b []byte) {
	if c.sup.stripANSI {
		b = stripANSI(b)
	}
	if c.capture != nil {
		var done [][]byte
		c.mu.Lock()
		b, done = c.capture.feed(b)
		c.mu.Unlock()
		for _, d := range done {
			c.sup.publish(Event{Kind: EventProcessCommunication, Time: c.sup.clock.Now(),
				Process: c.proc.name, Group: c.proc.group, Pid: pid, Channel: string(c.channel), Data: d})
		}
	}
	if len(b) == 0 {
		return
	}
	if c.spec.Timestamps {
		c.mu.Lock()
		b = c.stamps.apply(c.sup.clock.Now(), b)
		c.mu.Unlock()
	}
	_, _ = c.tail.Write(b)
	if c.file != nil {
		// A failed write is counted by the LogFile, which retries at the
		// next write: the pipe is drained whatever the disk does.
		_, _ = c.file.Write(b)
	}
	if c.spec.Syslog {
		c.sup.syslogLines(c.proc.name, b)
	}
	if c.sup.log.Enabled(context.Background(), slog.LevelDebug) {
		c.sup.log.Debug("'" + c.proc.name + "' " + string(c.channel) + " output:\n" + string(b))
	}
	if c.spec.EventsEnabled {
		c.sup.publish(Event{Kind: EventProcessLog, Time: c.sup.clock.Now(),
			Process: c.proc.name, Group: c.proc.group, Pid: pid, Channel: string(c.channel),
			Data: append([]byte(nil), b...)})
	}
}

// Tail returns a copy of the newest output kept in memory.
func (c *channelLog) Tail() []byte { return c.tail.Bytes() }

// path returns the log file's path, or "" when output is not kept in a file.
func (c *channelLog) path() string {
	if c.file == nil {
		return ""
	}
	return c.file.Path()
}

func (c *channelLog) close() {
	if c.file != nil {
		_ = c.file.Close()
	}
}

// syslogLines sends each line of b to syslog as "<process> <line>"
// (supervisord's stdout_syslog). Without a reachable syslog the lines are
// dropped, and the failure is logged once.
func (s *Supervisor) syslogLines(process string, b []byte) {
	s.syslogOnce.Do(func() {
		w, err := syslog.New(syslog.LOG_INFO|syslog.LOG_USER, "supervisord")
		if err != nil {
			s.log.Warn(fmt.Sprintf("syslog unavailable, child output is not sent to it: %v", err))
			return
		}
		s.syslog = w
	})
	if s.syslog == nil {
		return
	}
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if line != "" {
			_ = s.syslog.Info(process + " " + line)
		}
	}
}
