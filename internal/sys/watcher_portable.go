//go:build (unix && !linux) || (linux && portablespawner)

package sys

import "errors"

// Watcher is Linux's epoll watcher; elsewhere there is none, and Watch
// always fails: callers then park a goroutine per descriptor, as Go's
// netpoller allows everywhere.
type Watcher struct{}

// NewWatcher returns a watcher that watches nothing.
func NewWatcher() (*Watcher, error) { return &Watcher{}, nil }

// Watch fails: see Watcher.
func (w *Watcher) Watch(int, func()) (func() bool, error) {
	return nil, errors.New("no watcher on this platform")
}

// Close does nothing.
func (w *Watcher) Close() {}
