//go:build linux && !portablespawner

package sys

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// Watcher calls a function once a file descriptor becomes readable, for
// any number of descriptors, from one goroutine blocked in epoll_wait. A
// supervisor's children are mostly idle: waiting for each one's exit and
// output with a parked goroutine per pidfd and pipe (Go's netpoller) would
// cost a goroutine stack (2 KiB or more) for each; a watch costs a map
// entry. The functions run on the watcher's goroutine, one at a time, and
// must not block: they start a goroutine or send on a buffered channel.
type Watcher struct {
	epfd, wakefd int
	done         chan struct{}

	mu      sync.Mutex
	next    uint32
	watches map[uint32]watch
	closed  bool
}

type watch struct {
	f       func()
	onClose bool // call f at Close if it has not been called
}

// errWatcherClosed is returned by Watch after Close.
var errWatcherClosed = errors.New("watcher closed")

// NewWatcher starts a watcher. Close it to end its goroutine.
func NewWatcher() (*Watcher, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		_ = unix.Close(epfd)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	// Token 0 is the wake-up of Close.
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &unix.EpollEvent{Events: unix.EPOLLIN}); err != nil {
		_ = unix.Close(epfd)
		_ = unix.Close(wakefd)
		return nil, fmt.Errorf("epoll_ctl: %w", err)
	}
	w := &Watcher{epfd: epfd, wakefd: wakefd, done: make(chan struct{}), watches: map[uint32]watch{}}
	go w.loop()
	return w, nil
}

// Watch calls f once fd is readable (data, end of file, or for a pidfd the
// child's exit), once. cancel removes the watch and reports whether it did
// so before f was called: then f is never called. Cancel a watch before
// closing fd. A watch that cannot be made returns an error, and f is not
// called.
func (w *Watcher) Watch(fd int, f func()) (cancel func() bool, err error) {
	return w.watch(fd, watch{f: f})
}

// watchOrClose is Watch, but f is also called by Close if it has not been
// called before: for a child's pidfd, whose waiter must then wait
// otherwise.
func (w *Watcher) watchOrClose(fd int, f func()) error {
	_, err := w.watch(fd, watch{f: f, onClose: true})
	return err
}

func (w *Watcher) watch(fd int, wt watch) (cancel func() bool, err error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil, errWatcherClosed
	}
	tok := w.next + 1
	for tok == 0 || w.watches[tok].f != nil {
		tok++
	}
	w.next = tok
	w.watches[tok] = wt
	w.mu.Unlock()
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLONESHOT, Fd: int32(tok)}
	err = unix.EpollCtl(w.epfd, unix.EPOLL_CTL_ADD, fd, &ev)
	if errors.Is(err, unix.EEXIST) {
		// Watched before: a one-shot watch stays registered, disabled.
		err = unix.EpollCtl(w.epfd, unix.EPOLL_CTL_MOD, fd, &ev)
	}
	if err != nil {
		w.take(tok)
		return nil, fmt.Errorf("epoll_ctl: %w", err)
	}
	return func() bool {
		if w.take(tok) == nil {
			return false
		}
		_ = unix.EpollCtl(w.epfd, unix.EPOLL_CTL_DEL, fd, nil)
		return true
	}, nil
}

// take removes a watch and returns its function, or nil if it was taken.
func (w *Watcher) take(tok uint32) func() {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := w.watches[tok].f
	delete(w.watches, tok)
	return f
}

func (w *Watcher) loop() {
	defer close(w.done)
	events := make([]unix.EpollEvent, 128)
	for {
		n, err := unix.EpollWait(w.epfd, events, -1)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			panic(fmt.Sprintf("epoll_wait: %v", err)) // a bug: epfd is ours
		}
		for _, ev := range events[:n] {
			tok := uint32(ev.Fd)
			if tok == 0 {
				return
			}
			if f := w.take(tok); f != nil {
				f()
			}
		}
	}
}

// Close ends the watcher's goroutine and waits for it. Watches not yet
// fired are dropped: their functions are never called (but those of
// children's exits, which are called).
func (w *Watcher) Close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	left := w.watches
	w.watches = map[uint32]watch{}
	w.mu.Unlock()
	one := []byte{1, 0, 0, 0, 0, 0, 0, 0}
	_, _ = unix.Write(w.wakefd, one)
	<-w.done
	_ = unix.Close(w.epfd)
	_ = unix.Close(w.wakefd)
	for _, wt := range left {
		if wt.onClose {
			wt.f()
		}
	}
}
