//go:build (unix && !linux) || (linux && portablespawner)

package sys

// exitNotifier is Linux's SIGCHLD-driven exit notifier; elsewhere there is
// none, and a child's exit is learnt by the goroutine blocked in its Wait.
type exitNotifier struct{}

func newExitNotifier() *exitNotifier { return nil }

func (*exitNotifier) close() {}
