package supervisor

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
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
}

func newChannelLog(s *Supervisor, proc *processSpec, channel Channel, spec LogSpec) *channelLog {
	return &channelLog{sup: s, proc: proc, channel: channel, spec: spec, tail: newTailBuffer(defaultTailBytes)}
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
	return nil
}

func (c *channelLog) write(pid int, b []byte) {
	_, _ = c.tail.Write(b)
	if c.file != nil {
		// A failed write is counted by the LogFile, which retries at the
		// next write: the pipe is drained whatever the disk does.
		_, _ = c.file.Write(b)
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
