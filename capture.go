package supervisor

import (
	"os"

	"sync"
	"syscall"
	"time"

	"github.com/supervise-go/supervisor/internal/sys"
)

// drainTimeout bounds how long output is still read after the child exited.
// A grandchild that inherited the pipes and keeps them open must not hold
// the process (or a stop) hostage.
const drainTimeout = time.Second

// readBufSize is the size of one read from a child's pipe.
const readBufSize = 1 << 20

// A pipe read full busyReads times in a row is grown to busyPipeSize. Only
// busy pipes grow: the kernel counts pipe memory per user, and past its soft
// limit new pipes get a single page, so idle children keep the default.
const (
	defaultPipeSize = 64 << 10 // Linux's default pipe capacity
	busyReads       = 4
	busyPipeSize    = 1 << 20
)

// readBufs lends read buffers only while a pipe has data, so that idle
// children cost no buffer memory.
var readBufs = sync.Pool{New: func() any { b := make([]byte, readBufSize); return &b }}

// childPipes are the parent's ends of one spawn's pipes (made by the
// spawner right before the fork), as pollable files.
type childPipes struct {
	stdin          *os.File // parent writes
	stdout, stderr *os.File // parent reads; stderr nil with redirect
}

// pipesOf wraps the parent's ends that the spawner returned.
func pipesOf(stdio [3]int) *childPipes {
	p := &childPipes{
		stdin:  sys.PollableFile(stdio[0], "stdin"),
		stdout: sys.PollableFile(stdio[1], "stdout"),
	}
	if stdio[2] >= 0 {
		p.stderr = sys.PollableFile(stdio[2], "stderr")
	}
	return p
}

// startReaders copies the child's output to the channel logs until EOF, or
// until drainReaders' deadline after the child exited.
func (p *Process) startReaders(pid int, pipes *childPipes) {
	p.mu.Lock()
	p.outPipes = p.outPipes[:0]
	p.mu.Unlock()
	for i, f := range []*os.File{pipes.stdout, pipes.stderr} {
		if f == nil {
			continue
		}
		p.mu.Lock()
		p.outPipes = append(p.outPipes, f)
		p.mu.Unlock()
		p.readers.Add(1)
		match := p.logMatcher()
		go func(log *channelLog) {
			defer p.readers.Done()
			defer f.Close()
			readPipe(f, func(b []byte) {
				if match != nil {
					match(b)
				}
				log.write(pid, b)
			})
		}(p.out[i])
	}
}

// drainReaders gives the current output readers a short time to read what
// the exited child left in its pipes, then makes them stop.
func (p *Process) drainReaders() {
	p.mu.Lock()
	defer p.mu.Unlock()
	deadline := time.Now().Add(drainTimeout)
	for _, f := range p.outPipes {
		_ = f.SetReadDeadline(deadline)
	}
	p.outPipes = p.outPipes[:0]
}

// readPipe calls sink with each chunk read from f until EOF, an error or the
// read deadline. A buffer is taken from the pool only once data is there.
func readPipe(f *os.File, sink func([]byte)) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	full := 0 // consecutive reads that found the pipe full
	for {
		var n int
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			buf := readBufs.Get().(*[]byte)
			defer readBufs.Put(buf)
			n, rerr = syscall.Read(int(fd), *buf)
			if rerr == syscall.EAGAIN {
				return false
			}
			if n > 0 {
				sink((*buf)[:n])
			}
			if n >= defaultPipeSize {
				if full++; full == busyReads {
					// A busy writer: a bigger pipe means fewer wake-ups.
					sys.SetPipeSize(fd, busyPipeSize)
				}
			} else {
				full = 0
			}
			return true
		})
		switch {
		case err != nil: // read deadline after the child exited, or closed
			return
		case rerr == syscall.EINTR:
		case rerr != nil || n == 0: // error, or EOF: every writer closed it
			return
		}
	}
}
