package supervisor

import (
	"errors"
	"fmt"
)

// channelOf returns the channel log of the process that name designates.
func (s *Supervisor) channelOf(name string, ch Channel) (*channelLog, error) {
	t, err := s.resolve(name)
	if err != nil {
		return nil, err
	}
	if !t.single {
		return nil, fmt.Errorf("%s: %w", name, ErrBadName)
	}
	switch ch {
	case ChannelStdout:
		return t.procs[0].out[0], nil
	case ChannelStderr:
		return t.procs[0].out[1], nil
	}
	return nil, fmt.Errorf("channel %q: %w", ch, ErrBadArguments)
}

// ReadLog reads a process's log file with supervisord's readProcessLog
// rules (see the package function ReadLog). A process whose channel has no
// log file gives ErrNoFile.
func (s *Supervisor) ReadLog(name string, ch Channel, offset, length int64) ([]byte, error) {
	c, err := s.channelOf(name, ch)
	if err != nil {
		return nil, err
	}
	if c.file == nil {
		return nil, fmt.Errorf("%s %s: %w", name, ch, ErrNoFile)
	}
	return ReadLog(c.file.Path(), offset, length)
}

// TailLog reads the end of a process's log file with supervisord's
// tailProcessLog rules (see the package function TailLog). A channel
// without a log file gives no data, offset 0 and no error, as supervisord
// answers.
func (s *Supervisor) TailLog(name string, ch Channel, offset, length int64) (data []byte, newOffset int64, overflow bool, err error) {
	c, err := s.channelOf(name, ch)
	if err != nil {
		return nil, 0, false, err
	}
	if c.file == nil {
		return nil, 0, false, nil
	}
	data, newOffset, overflow, err = TailLog(c.file.Path(), offset, length)
	if errors.Is(err, ErrNoFile) {
		return nil, 0, false, nil
	}
	return data, newOffset, overflow, err
}

// RecentOutput returns the newest output of a process's channel kept in
// memory (up to 64 KiB), whether or not it has a log file.
func (s *Supervisor) RecentOutput(name string, ch Channel) ([]byte, error) {
	c, err := s.channelOf(name, ch)
	if err != nil {
		return nil, err
	}
	return c.Tail(), nil
}

// LogPath returns the path of a process's log file for the channel, or ""
// when its output is not kept in a file.
func (s *Supervisor) LogPath(name string, ch Channel) (string, error) {
	c, err := s.channelOf(name, ch)
	if err != nil {
		return "", err
	}
	return c.path(), nil
}

// ClearLogs empties the log files of the processes that name designates
// (backups are kept) and forgets their recent output.
func (s *Supervisor) ClearLogs(name string) ([]Result, error) {
	t, err := s.resolve(name)
	if err != nil {
		return nil, err
	}
	var results []Result
	for _, p := range t.procs {
		var errs []error
		for _, c := range p.out {
			c.tail.Reset()
			if c.file != nil {
				if err := c.file.Clear(); err != nil {
					errs = append(errs, err)
				}
			}
		}
		var rerr error
		if err := errors.Join(errs...); err != nil {
			rerr = fmt.Errorf("%s: %w: %v", p.Namespec(), ErrFailed, err)
		}
		results = append(results, Result{Name: p.spec.name, Group: p.spec.group, Err: rerr})
	}
	if t.single {
		return results, results[0].Err
	}
	return results, nil
}

// ReopenLogs closes and reopens every child log file at its path, for
// external log rotation (supervisord does it on SIGUSR2).
func (s *Supervisor) ReopenLogs() error {
	s.mu.Lock()
	var logs []*channelLog
	for _, g := range s.groups {
		for _, p := range g.procs {
			logs = append(logs, p.out[0], p.out[1])
		}
	}
	s.mu.Unlock()
	var errs []error
	for _, c := range logs {
		if c.file != nil {
			if err := c.file.Reopen(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
