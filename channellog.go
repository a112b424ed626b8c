package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"log/syslog"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/supervise-go/supervisor/internal/logfile"
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
	spec    *LogSpec                   // the processSpec's own, not a copy: never modified
	file    *logfile.File              // nil when the output is not kept in a file
	tail    atomic.Pointer[tailBuffer] // made at the first output: a quiet process keeps none

	// Guarded by mu: after a quick respawn, the readers of the old child's
	// pipes (held open by a grandchild, say) may still run for a while
	// beside the new child's.
	mu      sync.Mutex
	capture *capture // nil unless CaptureMaxBytes > 0
	stamps  timestamper

	// Output the file could not take. fileMu is held across each write to
	// the file, so that the "failing" and "recovered" lines are logged in
	// the order the writes happened.
	fileMu  sync.Mutex
	failing bool  // the last write to the file lost bytes
	lost    int64 // bytes lost since the writes began to fail
	dropped atomic.Int64
}

func newChannelLog(s *Supervisor, proc *processSpec, channel Channel, spec *LogSpec) *channelLog {
	c := &channelLog{sup: s, proc: proc, channel: channel, spec: spec}
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
		path, err := logfile.AutoPath(c.sup.childLogDir, c.proc.name, string(c.channel), c.sup.identifier)
		if err != nil {
			return fmt.Errorf("process %s: AUTO %s log: %w", c.proc.name, c.channel, err)
		}
		c.file = logfile.NewPrivate(path, c.spec.MaxBytes, c.spec.Backups)
	default:
		c.file = logfile.New(c.spec.File, c.spec.MaxBytes, c.spec.Backups)
	}
	c.file.SetMaxAge(c.spec.MaxAge)
	return nil
}

// write handles one chunk of the child's output: ANSI stripping, capture
// mode, timestamps, then the tail, the file, syslog, the debug echo and log
// events.
func (c *channelLog) write(pid int, b []byte) {
	c.sup.tap(c.proc.group, c.proc.name, pid, c.channel, b)
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
	_, _ = c.tailBuffer().Write(b)
	if c.file != nil {
		c.writeFile(b)
	}
	if c.spec.Syslog {
		c.sup.syslogLines(c.proc.name, b)
	}
	if c.sup.log.Enabled(context.Background(), slog.LevelDebug) {
		// supervisord: %r of the name, the text, or Python's repr of
		// bytes that are not UTF-8.
		c.sup.log.Debug(pyRepr(c.proc.name) + " " + string(c.channel) + " output:\n" + decodeOutput(b))
	}
	if c.spec.EventsEnabled {
		c.sup.publish(Event{Kind: EventProcessLog, Time: c.sup.clock.Now(),
			Process: c.proc.name, Group: c.proc.group, Pid: pid, Channel: string(c.channel),
			Data: append([]byte(nil), b...)})
	}
}

// writeFile writes b to the log file. A write that fails is not retried:
// the pipe is drained whatever the disk does (full, over quota, an I/O
// error, a deleted directory), so the child never waits for it, and the
// LogFile opens its path again at the next write. The bytes lost are
// counted (see dropped), and the main log gets one WARN line when writes
// begin to lose output (with the error) and one when a write succeeds
// again (with the bytes lost meanwhile), however many writes failed in
// between. A rotation that fails after the bytes were written loses
// nothing and is not reported here (the LogFile counts it).
func (c *channelLog) writeFile(b []byte) {
	c.fileMu.Lock()
	defer c.fileMu.Unlock()
	n, err := c.file.Write(b)
	if err != nil && n < len(b) {
		if errors.Is(err, os.ErrClosed) {
			return // the process was removed; its last output has nowhere to go
		}
		lost := int64(len(b) - n)
		c.dropped.Add(lost)
		if !c.failing {
			c.failing, c.lost = true, 0
			c.sup.log.Warn(fmt.Sprintf("'%s' %s log %s: writes are failing, output is dropped until they succeed: %v",
				c.proc.name, c.channel, c.file.Path(), err))
		}
		c.lost += lost
		return
	}
	if c.failing {
		c.failing = false
		c.sup.log.Warn(fmt.Sprintf("'%s' %s log %s: writes succeed again; %d bytes of output were dropped",
			c.proc.name, c.channel, c.file.Path(), c.lost))
	}
}

// droppedBytes returns how many bytes of output the log file could not
// take since the process was added.
func (c *channelLog) droppedBytes() int64 { return c.dropped.Load() }

// tailBuffer returns the in-memory tail, making it if there is none yet.
// Readers of an old and a new spawn may race to make it: one wins.
func (c *channelLog) tailBuffer() *tailBuffer {
	if t := c.tail.Load(); t != nil {
		return t
	}
	c.tail.CompareAndSwap(nil, newTailBuffer(defaultTailBytes))
	return c.tail.Load()
}

// Tail returns a copy of the newest output kept in memory.
func (c *channelLog) Tail() []byte {
	if t := c.tail.Load(); t != nil {
		return t.Bytes()
	}
	return nil
}

// clearTail forgets the output kept in memory.
func (c *channelLog) clearTail() {
	if t := c.tail.Load(); t != nil {
		t.Reset()
	}
}

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
