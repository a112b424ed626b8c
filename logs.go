package supervisor

import (
	"errors"
	"fmt"

	"github.com/supervise-go/supervisor/internal/logfile"
)

// The child-log API: what a process wrote, read back through its handle.
// Where the output goes is set by the spec's LogSpec; the paths are in
// ProcessInfo.

// channelLog returns the process's log for ch.
func (p *Process) channelLog(ch Channel) (*channelLog, error) {
	switch ch {
	case ChannelStdout:
		return p.out[0], nil
	case ChannelStderr:
		return p.out[1], nil
	}
	return nil, fmt.Errorf("channel %q: %w", ch, ErrBadArguments)
}

// ReadLog reads the channel's log file with supervisord's readProcessLog
// rules: a negative offset reads the last -offset bytes (length must then
// be 0), otherwise length bytes from offset (0 means to the end); an
// offset past the end reads nothing. A bad pair fails with ErrBadArguments,
// a channel without a log file (or whose file is not yet written) with
// ErrNoFile.
func (p *Process) ReadLog(ch Channel, offset, length int64) ([]byte, error) {
	c, err := p.channelLog(ch)
	if err != nil {
		return nil, err
	}
	if c.file == nil {
		return nil, fmt.Errorf("%s %s: %w", p, ch, ErrNoFile)
	}
	return logfile.Read(c.file.Path(), offset, length)
}

// TailLog reads the end of the channel's log file with supervisord's
// tailProcessLog rules: at most length bytes ending at the end of the file,
// starting no earlier than offset; newOffset is the file's size, for the
// next call; overflow says that more than length bytes were there since
// offset (the oldest of them were skipped). A channel without a log file
// gives no data, offset 0 and no error, as supervisord answers.
func (p *Process) TailLog(ch Channel, offset, length int64) (data []byte, newOffset int64, overflow bool, err error) {
	c, err := p.channelLog(ch)
	if err != nil {
		return nil, 0, false, err
	}
	if c.file == nil {
		return nil, 0, false, nil
	}
	data, newOffset, overflow, err = logfile.Tail(c.file.Path(), offset, length)
	if errors.Is(err, ErrNoFile) {
		return nil, 0, false, nil
	}
	return data, newOffset, overflow, err
}

// RecentOutput returns the newest output of the channel kept in memory (up
// to 64 KiB), whether or not it has a log file. ClearLogs empties it.
func (p *Process) RecentOutput(ch Channel) ([]byte, error) {
	c, err := p.channelLog(ch)
	if err != nil {
		return nil, err
	}
	return c.Tail(), nil
}

// ClearLogs empties both channels' log files (rotated backups are kept)
// and forgets their recent output. A file that cannot be truncated fails
// with ErrFailed.
func (p *Process) ClearLogs() error {
	var errs []error
	for _, c := range p.out {
		c.clearTail()
		if c.file != nil {
			if err := c.file.Clear(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s: %w: %v", p, ErrFailed, err)
	}
	return nil
}

// ReopenLogs closes and reopens every child log file at its path, for
// external log rotation (supervisord does it on SIGUSR2).
func (s *Supervisor) ReopenLogs() error {
	var errs []error
	for _, p := range s.Processes() {
		for _, c := range p.out {
			if c.file != nil {
				if err := c.file.Reopen(); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}
