//go:build !linux

package daemon

import (
	"log/slog"

	"github.com/supervise-go/supervisor/config"
)

// startReaping warns that x_subreaper has no effect: only Linux has child
// subreapers here.
func (d *Daemon) startReaping(s *config.Supervisord, log *slog.Logger) (stop func()) {
	if s.Subreaper {
		log.Warn("x_subreaper: not supported on this system; orphaned processes will not be reaped")
	}
	return func() {}
}
