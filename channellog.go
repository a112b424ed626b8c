package supervisor

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
)

// tailMax is how many of the latest bytes of each output channel are kept
// in memory, for Tail and for processes without a log file.
const tailMax = 64 << 10

// channelLog receives one output channel (stdout or stderr) of a process
// across all its spawns: it keeps an in-memory tail, writes the log file and
// publishes log events.
type channelLog struct {
	sup     *Supervisor
	proc    *processSpec
	channel string // "stdout" or "stderr"
	spec    LogSpec

	mu   sync.Mutex
	tail []byte // grows up to tailMax, then keeps the newest bytes
	file *os.File
}

func newChannelLog(s *Supervisor, proc *processSpec, channel string, spec LogSpec) *channelLog {
	return &channelLog{sup: s, proc: proc, channel: channel, spec: spec}
}

func (c *channelLog) write(pid int, b []byte) {
	c.mu.Lock()
	c.tail = appendTail(c.tail, b, tailMax)
	if c.file == nil && c.spec.File != "" && !strings.EqualFold(c.spec.File, AutoLog) {
		f, err := os.OpenFile(c.spec.File, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err == nil {
			c.file = f
		}
	}
	if c.file != nil {
		_, _ = c.file.Write(b)
	}
	c.mu.Unlock()

	if c.sup.log.Enabled(context.Background(), slog.LevelDebug) {
		c.sup.log.Debug("'" + c.proc.name + "' " + c.channel + " output:\n" + string(b))
	}
	if c.spec.EventsEnabled {
		c.sup.publish(Event{Kind: EventProcessLog, Time: c.sup.clock.Now(),
			Process: c.proc.name, Group: c.proc.group, Pid: pid, Channel: c.channel,
			Data: append([]byte(nil), b...)})
	}
}

// Tail returns a copy of the newest output kept in memory.
func (c *channelLog) Tail() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.tail...)
}

func (c *channelLog) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.file != nil {
		_ = c.file.Close()
		c.file = nil
	}
}

// appendTail appends b to buf, keeping at most max newest bytes.
func appendTail(buf, b []byte, max int) []byte {
	if len(b) >= max {
		return append(buf[:0], b[len(b)-max:]...)
	}
	if over := len(buf) + len(b) - max; over > 0 {
		buf = append(buf[:0], buf[over:]...)
	}
	return append(buf, b...)
}

// path returns the log file's path, or "" when output is not kept in a file.
func (c *channelLog) path() string {
	if c.spec.File == "" || strings.EqualFold(c.spec.File, AutoLog) {
		return ""
	}
	return c.spec.File
}
