package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"syscall"

	"github.com/supervise-go/supervisor/config"
	"github.com/supervise-go/supervisor/internal/signame"
	"github.com/supervise-go/supervisor/internal/sys"
)

// startReaping makes the daemon reap the orphans reparented to it, when it
// runs as PID 1 (the kernel's choice of parent for every orphan in its pid
// namespace) or when x_subreaper asks (it then becomes the child subreaper
// of its descendants). A supervised child is reaped only by the goroutine
// that waits for it (see internal/sys.Reaper). The returned func stops
// reaping; the subreaper attribute stays until a run that does not want it.
//
// Each adopted exit is logged at debug level with supervisord's text,
// "reaped unknown pid 123 (exit status 0)": supervisord logs it at info, but
// it sees such pids only as PID 1, while a subreaper adopts every orphan of
// every double-forking program, at each restart; at info a churning program
// would fill the main log. The text is supervisord's, so what looks for it
// finds it at loglevel=debug.
func (d *Daemon) startReaping(s *config.Supervisord, log *slog.Logger) (stop func()) {
	pid1 := os.Getpid() == 1
	if !s.Subreaper && !pid1 {
		if d.subreaper {
			if err := sys.SetChildSubreaper(false); err != nil {
				log.Warn(fmt.Sprintf("x_subreaper: %v", err))
			} else {
				d.subreaper = false
			}
		}
		return func() {}
	}
	switch {
	case pid1:
		log.Debug("running as PID 1: reaping orphaned processes")
	case !d.subreaper:
		if err := sys.SetChildSubreaper(true); err != nil {
			log.Warn(fmt.Sprintf("x_subreaper: %v; orphaned processes will not be reaped", err))
			return func() {}
		}
		d.subreaper = true
		fallthrough
	default:
		log.Info("x_subreaper: reaping orphaned processes as their child subreaper")
	}
	r := sys.StartReaper(func(pid int, ws syscall.WaitStatus) {
		if log.Enabled(context.Background(), slog.LevelDebug) {
			log.Debug(fmt.Sprintf("reaped unknown pid %d (%s)", pid, waitStatusText(ws)))
		}
	})
	return r.Stop
}

// waitStatusText is supervisord's decode_wait_status message: "exit status
// 1", "terminated by SIGKILL (core dumped)".
func waitStatusText(ws syscall.WaitStatus) string {
	switch {
	case ws.Exited():
		return fmt.Sprintf("exit status %d", ws.ExitStatus())
	case ws.Signaled():
		msg := "terminated by " + signame.Name(ws.Signal())
		if ws.CoreDump() {
			msg += " (core dumped)"
		}
		return msg
	}
	return fmt.Sprintf("unknown termination cause 0x%04x", uint32(ws))
}
