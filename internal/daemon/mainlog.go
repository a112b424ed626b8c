package daemon

import (
	"fmt"
	"io"
	"log/slog"
	"log/syslog"
	"os"
	"sync"

	"github.com/supervise-go/supervisor/config"
	"github.com/supervise-go/supervisor/internal/logfile"
	"github.com/supervise-go/supervisor/internal/mainlog"
)

// openMainLog opens the main log (spec 4.1): a rotating file, or syslog for
// logfile=syslog; echoed to stdout in the foreground unless silent. It is
// opened (and so checked) at once, before the daemon detaches.
func (d *Daemon) openMainLog(s *config.Supervisord, detaching bool) (*logfile.File, slog.Handler, error) {
	level, err := mainlog.ParseLevel(s.LogLevel)
	if err != nil {
		return nil, nil, err
	}
	w := &mainLogWriter{name: s.Logfile, level: level, stderr: d.stderr}
	var file *logfile.File
	if s.Logfile == "syslog" {
		sw, err := syslog.New(syslog.LOG_INFO|syslog.LOG_DAEMON, "supervisord")
		if err != nil {
			return nil, nil, fmt.Errorf("could not open syslog: %v", err)
		}
		w.out = sw
	} else {
		f, err := os.OpenFile(s.Logfile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("could not open logfile %s: %v", s.Logfile, err)
		}
		_ = f.Close()
		file = logfile.New(s.Logfile, s.LogfileMaxBytes, s.LogfileBackups)
		w.out = file
	}
	if s.Nodaemon && !s.Silent && !detaching {
		w.echo = d.stdout
	}
	return file, mainlog.NewHandler(w, level), nil
}

// mainLogWriter writes the main log's lines to its file (or syslog) and,
// in the foreground, echoes them to stdout, whether or not the file takes
// them. Like a child's log, the main log never makes the daemon wait for a
// failing disk: a line it cannot write is dropped. It then says so once,
// at WARN, where it still can (stdout in the foreground, stderr otherwise:
// nowhere once detached), with the file and the error; and once, in the
// log itself, when a write succeeds again, with the bytes dropped
// meanwhile.
type mainLogWriter struct {
	out    io.Writer // the file or syslog
	name   string    // the file's path, or "syslog"
	echo   io.Writer // stdout in the foreground, or nil
	stderr io.Writer
	level  slog.Leveler

	mu      sync.Mutex
	failing bool
	lost    int64 // bytes dropped since the writes began to fail
}

func (w *mainLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.echo != nil {
		_, _ = w.echo.Write(p)
	}
	n, err := w.out.Write(p)
	if err != nil && n < len(p) {
		if !w.failing {
			w.failing, w.lost = true, 0
			to := w.echo
			if to == nil {
				to = w.stderr
			}
			w.note(to, fmt.Sprintf("main log %s: writes are failing, its lines are dropped until they succeed: %v", w.name, err))
		}
		w.lost += int64(len(p) - n)
		return n, err
	}
	if w.failing {
		w.failing = false
		msg := fmt.Sprintf("main log %s: writes succeed again; %d bytes of log lines were dropped", w.name, w.lost)
		w.note(w.out, msg)
		if w.echo != nil {
			w.note(w.echo, msg)
		}
	}
	return n, err
}

// note writes a WARN line about the main log to to, straight, not through
// the writer itself.
func (w *mainLogWriter) note(to io.Writer, msg string) {
	slog.New(mainlog.NewHandler(to, w.level)).Warn(msg)
}
