package daemon

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/supervise-go/supervisor"
)

// notifySignals subscribes to the signals gosupervisord acts on.
func notifySignals() chan os.Signal {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGUSR2)
	return signals
}

// handleSignals reacts to signals until a shutdown or restart begins.
func (d *Daemon) handleSignals(signals <-chan os.Signal) {
	for {
		select {
		case <-d.stop:
			return
		case sig := <-signals:
			d.handleSignal(sig)
		}
	}
}

// handleSignalsUntil goes on reacting to signals in the background while a
// shutdown or restart stops everything; the function it returns ends that
// and waits until no signal is being handled. Signals that arrive after it
// wait in the channel for the next run.
func (d *Daemon) handleSignalsUntil(signals <-chan os.Signal) (end func()) {
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		for {
			select {
			case <-done:
				return
			case sig := <-signals:
				d.handleSignal(sig)
			}
		}
	}()
	return func() {
		close(done)
		<-ended
	}
}

// handleSignal does what supervisord does on sig: SIGTERM, SIGINT and
// SIGQUIT shut down (also during a restart), SIGHUP restarts (ignored
// during a shutdown), SIGUSR2 reopens the logs.
func (d *Daemon) handleSignal(sig os.Signal) {
	name := supervisorSignalName(sig)
	switch sig {
	case syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT:
		d.log.Warn(fmt.Sprintf("received %s indicating exit request", name))
		d.Shutdown()
	case syscall.SIGHUP:
		if supervisor.SupervisorState(d.mood.Load()) == supervisor.SupervisorShutdown {
			d.log.Warn(fmt.Sprintf("ignored %s indicating restart request (shutdown in progress)", name))
			return
		}
		d.log.Warn(fmt.Sprintf("received %s indicating restart request", name))
		d.Restart()
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

// supervisorSignalName is the name supervisord's log gives sig.
func supervisorSignalName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		switch s {
		case syscall.SIGTERM:
			return "SIGTERM"
		case syscall.SIGINT:
			return "SIGINT"
		case syscall.SIGQUIT:
			return "SIGQUIT"
		case syscall.SIGHUP:
			return "SIGHUP"
		case syscall.SIGUSR2:
			return "SIGUSR2"
		}
	}
	return strings.ToUpper(sig.String())
}
