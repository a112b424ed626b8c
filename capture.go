package supervisor

import (
	"errors"
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
// spawner right before the fork), as raw descriptors. Each becomes a
// pollable *os.File only once it is used (see pipeReader and stdinPipe):
// most children are quiet and never written to, and a File costs heap, a
// descriptor in Go's netpoller and a cleanup for as long as it exists.
type childPipes struct {
	stdin int    // parent writes
	out   [2]int // parent reads stdout and stderr; stderr -1 with redirect
}

// pipesOf takes the parent's ends that the spawner returned.
func pipesOf(stdio [3]int) *childPipes {
	return &childPipes{stdin: stdio[0], out: [2]int{stdio[1], stdio[2]}}
}

// startReaders copies the child's output to the channel logs until EOF, or
// until drainReaders' deadline after the child exited.
func (p *Process) startReaders(pid int, pipes *childPipes, w *sys.Watcher) {
	p.mu.Lock()
	p.outPipes = p.outPipes[:0]
	p.mu.Unlock()
	for i, fd := range pipes.out {
		if fd < 0 {
			continue
		}
		p.readers.Add(1)
		r := &pipeReader{fd: fd, watcher: w, log: p.out[i], pid: pid, match: p.logMatcher(), readers: &p.readers}
		p.mu.Lock()
		p.outPipes = append(p.outPipes, r)
		p.mu.Unlock()
		r.start()
	}
}

// drainReaders gives the current output readers a short time to read what
// the exited child left in its pipes, then makes them stop.
func (p *Process) drainReaders() {
	p.mu.Lock()
	defer p.mu.Unlock()
	deadline := time.Now().Add(drainTimeout)
	for _, r := range p.outPipes {
		r.drain(deadline)
	}
	p.outPipes = p.outPipes[:0]
}

// readPipe calls sink with each chunk read from f until EOF, an error or
// the read deadline, and says whether the deadline ended it and whether it
// read anything. A buffer is taken from the pool only once data is there.
func readPipe(f *os.File, sink func([]byte)) (timedOut, gotData bool) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, false
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
				gotData = true
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
		case errors.Is(err, os.ErrDeadlineExceeded):
			return true, gotData
		case err != nil: // closed
			return false, gotData
		case rerr == syscall.EINTR:
		case rerr != nil || n == 0: // error, or EOF: every writer closed it
			return false, gotData
		}
	}
}
