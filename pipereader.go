package supervisor

import (
	"os"
	"sync"
	"time"

	"github.com/supervise-go/supervisor/internal/sys"
)

// idleHandBack is how long a pipe stays quiet before its reader goroutine
// ends and the spawner's watcher waits for it instead.
const idleHandBack = time.Second

// pipeReader copies one output pipe of a child to its channel log. Most
// children are quiet most of the time, and a goroutine parked on each of
// their pipes would cost its stack: so a reader waits on the spawner's
// watcher (sys.Watcher) while its pipe is idle, starts a goroutine when
// data comes, and hands the pipe back after idleHandBack without data.
// Where there is no watcher, the goroutine stays, parked in Go's
// netpoller. Once the child exited (drain), it reads until end of file or
// the drain deadline, and then closes the pipe.
//
// Its fields are plain values rather than closures over them: a reader
// lives as long as its child, and closures would cost allocations of
// their own.
type pipeReader struct {
	fd      int
	watcher *sys.Watcher    // nil: read from a goroutine throughout
	log     *channelLog     // gets the output
	pid     int             // of the child that writes it (taps, log events)
	match   func([]byte)    // the log:REGEX readiness check, or nil
	readers *sync.WaitGroup // Done once the pipe is closed

	mu       sync.Mutex
	f        *os.File    // made by the first run: a pipe that never had data needs none
	cancel   func() bool // cancels the watch while parked on the watcher
	draining bool        // the child exited: stop at deadline
	deadline time.Time
}

// start parks the reader on the watcher, or starts its goroutine.
func (r *pipeReader) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.parkLocked() {
		go r.run()
	}
}

// parkLocked hands the pipe to the watcher; false if there is none or the
// watch could not be made.
func (r *pipeReader) parkLocked() bool {
	if r.watcher == nil || r.draining {
		return false
	}
	cancel, err := r.watcher.Watch(r.fd, r.wake)
	if err != nil {
		return false
	}
	r.cancel = cancel
	return true
}

// wake runs on the watcher when the pipe is readable.
func (r *pipeReader) wake() {
	r.mu.Lock()
	r.cancel = nil
	r.mu.Unlock()
	go r.run()
}

// run reads until the pipe is idle (then parks it), or until it ends.
func (r *pipeReader) run() {
	for {
		r.mu.Lock()
		if r.f == nil {
			r.f = sys.PollableFile(r.fd, string(r.log.channel))
		}
		if r.draining {
			_ = r.f.SetReadDeadline(r.deadline)
		} else {
			_ = r.f.SetReadDeadline(time.Now().Add(idleHandBack))
		}
		r.mu.Unlock()
		timedOut, gotData := readPipe(r.f, r.sink)
		if !timedOut {
			break // end of file, or an error
		}
		r.mu.Lock()
		if r.draining {
			over := !time.Now().Before(r.deadline)
			r.mu.Unlock()
			if over {
				break
			}
			continue
		}
		if !gotData && r.parkLocked() {
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
	}
	_ = r.f.Close()
	r.readers.Done()
}

// sink handles one chunk read from the pipe.
func (r *pipeReader) sink(b []byte) {
	if r.match != nil {
		r.match(b)
	}
	r.log.write(r.pid, b)
}

// drain makes the reader stop at deadline, or at end of file before: a
// parked reader is taken back from the watcher to read what is left.
func (r *pipeReader) drain(deadline time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.draining, r.deadline = true, deadline
	if r.cancel != nil {
		cancel := r.cancel
		r.cancel = nil
		if cancel() {
			go r.run()
			return
		}
		// The watcher fired meanwhile: wake starts the goroutine, which
		// sees the deadline.
	}
	if r.f != nil { // else run has not begun, and sets the deadline itself
		_ = r.f.SetReadDeadline(deadline)
	}
}
