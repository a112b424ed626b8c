package supervisor

import (
	"os"
	"sync"
	"syscall"
	"time"
)

// drainTimeout bounds how long output is still read after the child exited.
// A grandchild that inherited the pipes and keeps them open must not hold
// the process (or a stop) hostage.
const drainTimeout = time.Second

// readBufSize is the size of one read from a child's pipe.
const readBufSize = 64 << 10

// readBufs lends read buffers only while a pipe has data, so that idle
// children cost no buffer memory.
var readBufs = sync.Pool{New: func() any { b := make([]byte, readBufSize); return &b }}

// childPipes are the pipes of one spawn: child ends go to the child's fds
// 0-2, parent ends stay here.
type childPipes struct {
	stdin                       *os.File // parent writes
	stdout, stderr              *os.File // parent reads; stderr nil with redirect
	childIn, childOut, childErr *os.File
}

func newChildPipes(redirect bool) (*childPipes, error) {
	p := &childPipes{}
	var err error
	if p.childIn, p.stdin, err = os.Pipe(); err != nil {
		return nil, err
	}
	if p.stdout, p.childOut, err = os.Pipe(); err != nil {
		p.closeAll()
		return nil, err
	}
	if redirect {
		p.childErr = p.childOut
		return p, nil
	}
	if p.stderr, p.childErr, err = os.Pipe(); err != nil {
		p.closeAll()
		return nil, err
	}
	return p, nil
}

func (p *childPipes) closeChildEnds() {
	closeFiles(p.childIn, p.childOut, p.childErr)
}

func (p *childPipes) closeParentEnds() {
	closeFiles(p.stdin, p.stdout, p.stderr)
}

func (p *childPipes) closeAll() {
	p.closeChildEnds()
	p.closeParentEnds()
}

func closeFiles(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			_ = f.Close()
		}
	}
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
		go func(log *channelLog) {
			defer p.readers.Done()
			defer f.Close()
			readPipe(f, func(b []byte) { log.write(pid, b) })
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
