package daemon

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/supervise-go/supervisor/internal/rpcapi"
	"github.com/supervise-go/supervisor/internal/signame"
)

// notifySignals subscribes to the signals gosupervisord acts on.
func notifySignals() chan os.Signal {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGUSR2)
	return signals
}

// handleSignals reacts to signals until stop is closed. Signals that arrive
// after that wait in the channel for the next call.
func (d *Daemon) handleSignals(signals <-chan os.Signal, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case sig := <-signals:
			d.handleSignal(sig)
		}
	}
}

// handleSignal does what supervisord does on sig: SIGTERM, SIGINT and
// SIGQUIT shut down (also during a restart), SIGHUP restarts (ignored
// during a shutdown; refused, with the running programs kept, when the
// config file is bad: see Restart), SIGUSR2 reopens the logs.
func (d *Daemon) handleSignal(sig os.Signal) {
	name := signame.Name(sig.(syscall.Signal))
	switch sig {
	case syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT:
		d.log.Warn(fmt.Sprintf("received %s indicating exit request", name))
		d.Shutdown()
	case syscall.SIGHUP:
		if rpcapi.State(d.mood.Load()) == rpcapi.StateShutdown {
			d.log.Warn(fmt.Sprintf("ignored %s indicating restart request (shutdown in progress)", name))
			return
		}
		d.log.Warn(fmt.Sprintf("received %s indicating restart request", name))
		_ = d.Restart() // a bad config is logged, and nothing stops
	case syscall.SIGUSR2:
		d.log.Info(fmt.Sprintf("received %s indicating log reopen request", name))
		d.log.Info("supervisord logreopen")
		if d.mainLog != nil {
			_ = d.mainLog.Reopen()
		}
		if err := d.sup.ReopenLogs(); err != nil {
			d.log.Warn(fmt.Sprintf("reopening child logs: %v", err))
		}
	}
}
