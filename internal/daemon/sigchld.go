package daemon

import (
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// sigchldLogDelay holds back the SIGCHLD line. supervisord's loop reads its
// children's output before it handles the signals that came meanwhile, so
// the debug lines of an exited child's last output come before "received
// SIGCHLD"; here the output readers and this line race, and on a loaded
// machine the line could come first (Supervisor's end-to-end test
// test_issue_638 waits for it after the output). The delay gives the
// readers that head start; it only moves a debug line.
const sigchldLogDelay = 50 * time.Millisecond

// logSIGCHLD logs supervisord's DEBUG line "received SIGCHLD indicating a
// child quit" for each SIGCHLD (signals that arrive together, or within
// sigchldLogDelay of each other, are one), on a channel of its own so that
// a burst of them never crowds out a SIGTERM. Reaping is the supervisor's;
// this only logs. stop ends it.
func logSIGCHLD(log *slog.Logger) (stop func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGCHLD)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-c:
			case <-quit:
				return
			}
			select {
			case <-time.After(sigchldLogDelay):
			case <-quit:
				return
			}
			select {
			case <-c: // arrived during the delay: the same line
			default:
			}
			log.Debug("received SIGCHLD indicating a child quit")
		}
	}()
	return func() {
		signal.Stop(c)
		close(quit)
		<-done
	}
}
