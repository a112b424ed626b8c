package daemon

import (
	"fmt"
	"io"
	"log/slog"
	"log/syslog"
	"os"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/config"
)

// openMainLog opens the main log (spec 4.1): a rotating file, or syslog for
// logfile=syslog; echoed to stdout in the foreground unless silent. It is
// opened (and so checked) at once, before the daemon detaches.
func (d *Daemon) openMainLog(s *config.Supervisord, detaching bool) (*supervisor.LogFile, slog.Handler, error) {
	level, err := supervisor.ParseLogLevel(s.LogLevel)
	if err != nil {
		return nil, nil, err
	}
	var w io.Writer
	var file *supervisor.LogFile
	if s.Logfile == "syslog" {
		sw, err := syslog.New(syslog.LOG_INFO|syslog.LOG_DAEMON, "supervisord")
		if err != nil {
			return nil, nil, fmt.Errorf("could not open syslog: %v", err)
		}
		w = sw
	} else {
		f, err := os.OpenFile(s.Logfile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("could not open logfile %s: %v", s.Logfile, err)
		}
		_ = f.Close()
		file = supervisor.NewLogFile(s.Logfile, s.LogfileMaxBytes, s.LogfileBackups)
		w = file
	}
	if s.Nodaemon && !s.Silent && !detaching {
		w = io.MultiWriter(w, d.stdout)
	}
	return file, supervisor.NewMainLogHandler(w, level), nil
}
