package daemon

import (
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// logSIGCHLD logs supervisord's DEBUG line "received SIGCHLD indicating a
// child quit" for each SIGCHLD (signals that arrive together are one), on
// a channel of its own so that a burst of them never crowds out a SIGTERM.
// Reaping is the supervisor's; this only logs. stop ends it.
func logSIGCHLD(log *slog.Logger) (stop func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGCHLD)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range c {
			log.Debug("received SIGCHLD indicating a child quit")
		}
	}()
	return func() {
		signal.Stop(c)
		close(c)
		<-done
	}
}
