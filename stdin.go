package supervisor

import (
	"os"
	"sync"
)

// stdinPipe writes to one child's stdin from a goroutine of its own, so
// that a child that does not read never blocks the process's goroutine or
// the caller of WriteStdin. Data is written in the order it was queued.
// After a failed write (the child closed its stdin) every write fails with
// ErrNoFile and the rest of the queue is dropped, as supervisord closes its
// stdin dispatcher.
type stdinPipe struct {
	f    *os.File
	done chan struct{}

	mu     sync.Mutex
	more   sync.Cond
	queue  [][]byte
	failed bool
	closed bool
}

func newStdinPipe(f *os.File) *stdinPipe {
	s := &stdinPipe{f: f, done: make(chan struct{})}
	s.more.L = &s.mu
	go s.loop()
	return s
}

// write queues a copy of data.
func (s *stdinPipe) write(data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed || s.closed {
		return ErrNoFile
	}
	s.queue = append(s.queue, append([]byte(nil), data...))
	s.more.Signal()
	return nil
}

func (s *stdinPipe) loop() {
	defer close(s.done)
	s.mu.Lock()
	for {
		for len(s.queue) == 0 && !s.closed {
			s.more.Wait()
		}
		if len(s.queue) == 0 || s.failed {
			s.mu.Unlock()
			return
		}
		b := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.mu.Unlock()
		_, err := s.f.Write(b)
		s.mu.Lock()
		if err != nil {
			s.failed = true
			s.queue = nil
		}
	}
}

// close drops what was not written yet, closes the pipe (which ends a
// write the child blocks) and waits for the writer to return.
func (s *stdinPipe) close() {
	s.mu.Lock()
	s.closed = true
	s.queue = nil
	s.more.Signal()
	s.mu.Unlock()
	_ = s.f.Close()
	<-s.done
}
