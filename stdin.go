package supervisor

import (
	"os"
	"sync"

	"github.com/supervise-go/supervisor/internal/sys"
)

// stdinPipe writes to one child's stdin from a goroutine of its own, so
// that a child that does not read never blocks the process's goroutine or
// the caller of WriteStdin. Data is written in the order it was queued.
// The writer goroutine runs only while data waits: most children are never
// written to, and an idle one costs no goroutine. After a failed write (the
// child closed its stdin) every write fails with ErrNoFile and the rest of
// the queue is dropped, as supervisord closes its stdin dispatcher. The
// descriptor becomes a pollable File at the first write only, so that a
// child never written to costs none.
//
// The fields are laid out so that the struct fits 64 bytes.
type stdinPipe struct {
	writer sync.WaitGroup // the writer goroutine, while one runs
	fd     int32          // the pipe, until f is made

	mu      sync.Mutex
	writing bool // a writer goroutine runs
	failed  bool
	closed  bool
	f       *os.File // nil until the first write
	queue   [][]byte
}

func newStdinPipe(fd int) *stdinPipe {
	return &stdinPipe{fd: int32(fd)}
}

// write queues a copy of data, starting a writer if none runs.
func (s *stdinPipe) write(data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed || s.closed {
		return ErrNoFile
	}
	s.queue = append(s.queue, append([]byte(nil), data...))
	if s.f == nil {
		s.f = sys.PollableFile(int(s.fd), "stdin")
	}
	if !s.writing {
		s.writing = true
		s.writer.Add(1)
		go s.loop()
	}
	return nil
}

// loop writes the queue out in order and returns once it is empty.
func (s *stdinPipe) loop() {
	defer s.writer.Done()
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.queue) > 0 && !s.failed && !s.closed {
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
	s.writing = false
}

// close drops what was not written yet, closes the pipe (which ends a
// write the child blocks) and waits for the writer to return.
func (s *stdinPipe) close() {
	s.mu.Lock()
	s.closed = true
	s.queue = nil
	f := s.f
	s.mu.Unlock()
	if f != nil {
		_ = f.Close()
	} else {
		sys.Close(int(s.fd))
	}
	s.writer.Wait()
}
