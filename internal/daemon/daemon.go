package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/config"
	"github.com/supervise-go/supervisor/eventlistener"
	"github.com/supervise-go/supervisor/internal/logfile"
	"github.com/supervise-go/supervisor/internal/mainlog"
	"github.com/supervise-go/supervisor/internal/pyrepr"
	"github.com/supervise-go/supervisor/internal/rpcapi"
)

// Version is what -v prints: the supervisord release whose behaviour
// gosupervisord reproduces, the one getSupervisorVersion answers.
const Version = rpcapi.SupervisorVersion

// envDetached marks the re-executed child of a daemon that detaches; its
// value lists the inherited listener fds.
const envDetached = "GOSUPERVISORD_DETACHED"

// Daemon is one gosupervisord process. Across reloads (SIGHUP, the restart
// RPC) it keeps its pid and builds a new supervisor from the config file.
type Daemon struct {
	argv0  string
	flags  *flags
	stdout io.Writer
	stderr io.Writer

	mu       sync.Mutex
	cfg      *config.Config // the available config (reread replaces it)
	sup      *supervisor.Supervisor
	events   *eventlistener.Dispatcher // the [eventlistener:x] pools of sup
	log      *slog.Logger
	mainLog  *logfile.File
	mood     atomic.Int32 // a rpcapi.State
	stop     chan struct{}
	stopOnce sync.Once
	// next is the config a restart runs with, read and checked by Restart
	// before anything was stopped.
	next *config.Config
	// subreaper is whether x_subreaper made the daemon a child subreaper
	// (see startReaping); only the run loop uses it.
	subreaper bool
}

// Main runs gosupervisord with args (args[0] is the program name) and
// returns its exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	d := &Daemon{argv0: args[0], stdout: stdout, stderr: stderr}
	f, err := parseFlags(args[1:])
	if err != nil {
		return d.usageError(err.Error())
	}
	if f.help {
		fmt.Fprintf(stdout, usage, args[0])
		return 0
	}
	if f.version {
		fmt.Fprintln(stdout, Version)
		return 0
	}
	// Option values are checked before the config is read, as supervisord
	// converts them while parsing its command line.
	if err := applyFlags(f, &config.Supervisord{}); err != nil {
		return d.usageError(err.Error())
	}
	d.flags = f
	return d.run()
}

// usageError prints supervisord's error form and returns its status, 2.
func (d *Daemon) usageError(msg string) int {
	fmt.Fprintf(d.stderr, "Error: %s\nFor help, use %s -h\n", msg, d.argv0)
	return 2
}

func (d *Daemon) run() int {
	// One subscription for the daemon's whole life, so that no signal goes
	// unheard between two runs of a reload.
	signals := notifySignals()
	defer signal.Stop(signals)
	cfg, err := d.load()
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			msg := ce.Msg
			if ce.Line > 0 {
				// supervisord's message first, then where it is.
				msg += fmt.Sprintf("\n  (%s:%d%s)", ce.File, ce.Line, sectionKey(ce))
			}
			return d.usageError(msg)
		}
		return d.usageError(err.Error())
	}
	for first := true; ; first = false {
		restart, code := d.runOnce(cfg, first, signals)
		if !restart {
			return code
		}
		// Restart read and checked the config before it stopped anything.
		d.mu.Lock()
		cfg, d.next = d.next, nil
		d.mu.Unlock()
	}
}

func sectionKey(ce *config.Error) string {
	switch {
	case ce.Section != "" && ce.Key != "":
		return fmt.Sprintf(", [%s] %s", ce.Section, ce.Key)
	case ce.Section != "":
		return fmt.Sprintf(", [%s]", ce.Section)
	}
	return ""
}

// load finds and reads the config file and applies the command line over
// it (command line > config > default).
func (d *Daemon) load() (*config.Config, error) {
	path := d.flags.config
	if path == "" {
		var err error
		if path, err = config.Find(d.argv0); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("could not find config file %s", path)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if err := applyFlags(d.flags, &cfg.Supervisord); err != nil {
		return nil, err
	}
	// Listener pools are programs too (status, start, reread, update...);
	// the pools' event settings are set on the dispatcher (setPools).
	// Groups go in supervisord's order: by priority (a pool's default is
	// -1), then by name; a group's programs stay in the config's order.
	for _, l := range cfg.EventListeners {
		cfg.Programs = append(cfg.Programs, l.ProgramSpec)
	}
	slices.SortStableFunc(cfg.Programs, func(a, b supervisor.ProgramSpec) int {
		return cmp.Or(cmp.Compare(a.GroupPriority, b.GroupPriority), cmp.Compare(cmp.Or(a.Group, a.Name), cmp.Or(b.Group, b.Name)))
	})
	return cfg, nil
}

// applyFlags overrides config values with the options given.
func applyFlags(f *flags, s *config.Supervisord) error {
	bad := func(opt, v string, err error) error {
		return fmt.Errorf("invalid value for %s %s: %v", opt, pyrepr.Repr(v), err)
	}
	if f.nodaemon {
		s.Nodaemon = true
	}
	if f.silent {
		s.Silent = true
	}
	if f.nocleanup {
		s.NoCleanup = true
	}
	if f.stripANSI {
		s.StripANSI = true
	}
	if f.umask != nil {
		s.Umask = *f.umask
	}
	if f.user != nil {
		s.User = *f.user
	}
	if f.identifier != nil {
		s.Identifier = *f.identifier
	}
	if f.profile != nil {
		s.ProfileOptions = *f.profile
	}
	if f.directory != nil {
		v, err := config.ParseExistingDirectory(*f.directory)
		if err != nil {
			return bad("-d", *f.directory, err)
		}
		s.Directory = v
	}
	if f.childlogdir != nil {
		v, err := config.ParseExistingDirectory(*f.childlogdir)
		if err != nil {
			return bad("-q", *f.childlogdir, err)
		}
		s.ChildLogDir = v
	}
	for _, p := range []struct {
		opt string
		val *string
		dst *string
	}{{"-l", f.logfile, &s.Logfile}, {"-j", f.pidfile, &s.Pidfile}} {
		if p.val == nil {
			continue
		}
		v := *p.val
		if !(p.opt == "-l" && v == "syslog") {
			var err error
			if v, err = config.ParseExistingDirpath(v); err != nil {
				return bad(p.opt, *p.val, err)
			}
			if v, err = filepath.Abs(v); err != nil {
				return bad(p.opt, *p.val, err)
			}
		}
		*p.dst = v
	}
	if f.maxbytes != nil {
		v, err := config.ParseByteSize(*f.maxbytes)
		if err != nil {
			return bad("-y", *f.maxbytes, err)
		}
		s.LogfileMaxBytes = v
	}
	if f.loglevel != nil {
		v, err := config.ParseLogLevel(*f.loglevel)
		if err != nil {
			return bad("-e", *f.loglevel, err)
		}
		s.LogLevel = v
	}
	for _, p := range []struct {
		opt string
		val *string
		dst *int
	}{{"-z", f.backups, &s.LogfileBackups}, {"-a", f.minfds, &s.MinFDs}, {"--minprocs", f.minprocs, &s.MinProcs}} {
		if p.val == nil {
			continue
		}
		v, err := config.ParseInt(*p.val)
		if err != nil {
			return bad(p.opt, *p.val, err)
		}
		*p.dst = v
	}
	return nil
}

// runOnce runs the daemon on cfg until a shutdown (restart false) or a
// reload (restart true), following supervisord's start-up order (spec 5.1).
func (d *Daemon) runOnce(cfg *config.Config, first bool, signals <-chan os.Signal) (restart bool, code int) {
	s := &cfg.Supervisord
	var queued []queuedLog

	// 3. Privileges.
	if s.User != "" {
		msg, err := dropPrivileges(s.User)
		if err != nil {
			return false, d.usageError(err.Error())
		}
		if msg != "" {
			queued = append(queued, queuedLog{slog.LevelInfo, msg})
		}
	} else if os.Getuid() == 0 && first {
		queued = append(queued, queuedLog{mainlog.LevelCritical, "Supervisor is running as root.  Privileges were not dropped because no user is specified in the config file.  If you intend to run as root, you can set user=root in the config file to avoid this message."})
	}
	// 4. Resource limits, first run only.
	if first {
		msgs, err := raiseLimits(s.MinFDs, s.MinProcs)
		if err != nil {
			return false, d.usageError(err.Error())
		}
		for _, m := range msgs {
			queued = append(queued, queuedLog{slog.LevelInfo, m})
		}
	}

	detached := os.Getenv(envDetached) != ""
	detach := first && !s.Nodaemon && !detached

	// 8 (early). HTTP servers: opened before detaching so that a port in
	// use is reported to the user, and handed to the detached child.
	var listeners []net.Listener
	if detached && first {
		becomeDetachedChild(s)
		listeners = inheritedListeners(cfg)
	} else {
		var err error
		listeners, err = openListeners(cfg)
		if err != nil {
			return false, d.usageError(err.Error())
		}
	}
	// 5. The main log, opened before detaching so errors reach the user.
	mainLog, handler, err := d.openMainLog(s, detach || detached)
	if err != nil {
		closeListeners(listeners)
		return false, d.usageError(err.Error())
	}
	if detach {
		err := d.detach(s, listeners)
		closeListeners(listeners)
		_ = mainLog.Close()
		if err != nil {
			return false, d.usageError(err.Error())
		}
		return false, 0
	}

	logger := slog.New(handler)
	d.mu.Lock()
	d.cfg, d.log, d.mainLog = cfg, logger, mainLog
	d.stop = make(chan struct{})
	d.stopOnce = sync.Once{}
	d.mu.Unlock()
	defer func() { _ = mainLog.Close() }()

	for _, q := range queued {
		logger.Log(context.Background(), q.level, q.msg)
	}
	for _, w := range cfg.Warnings {
		logger.Warn(w)
	}
	for _, i := range cfg.Infos {
		logger.Info(i)
	}
	for _, f := range cfg.FCGIPrograms {
		logger.Warn(fmt.Sprintf("[fcgi-program:%s] is not supported by gosupervisord yet; the section is ignored", f.Name))
	}
	for _, r := range cfg.RPCInterfaces {
		logger.Info(fmt.Sprintf("RPC interface %s initialized", pyrepr.Repr(r.Name)))
	}
	for _, srv := range cfg.HTTPServers {
		if !srv.HasAuth {
			logger.Log(context.Background(), mainlog.LevelCritical,
				fmt.Sprintf("Server %s running without any HTTP authentication checking", pyrepr.Repr(srv.Section)))
		}
	}
	if detached && first {
		logger.Info("daemonizing the supervisord process")
		if s.Directory != "" {
			logger.Info(fmt.Sprintf("set current directory: %s", pyrepr.Repr(s.Directory)))
		}
	}

	// Orphans are reaped before any program starts, and until the main log
	// closes (PID 1 or x_subreaper; an extension).
	defer d.startReaping(s, logger)()
	defer logSIGCHLD(logger)()

	// 6. Old AUTO child logs.
	if !s.NoCleanup {
		if err := logfile.CleanAuto(s.ChildLogDir, s.Identifier); err != nil {
			logger.Warn(fmt.Sprintf("cleaning up old AUTO child logs: %v", err))
		}
	}
	// 7. The supervisor and its groups.
	sup := supervisor.New(
		supervisor.WithLogger(logger),
		supervisor.WithEnvironment(s.Environment),
		supervisor.WithEnvironmentFiles(s.EnvironmentFiles...),
		supervisor.WithServerURL(serverURL(cfg)),
		supervisor.WithIdentifier(s.Identifier),
		supervisor.WithChildLogDir(s.ChildLogDir),
		supervisor.WithStripANSI(s.StripANSI),
		supervisor.WithTickEvents(),
	)
	// The event listener pools take events from before the first group is
	// added (supervisord's PROCESS_GROUP_ADDED events at start-up).
	events := eventlistener.New(sup, eventlistener.Options{Identifier: s.Identifier, Logger: logger})
	defer events.Close()
	if err := setPools(events, cfg); err != nil {
		closeListeners(listeners)
		return false, d.usageError(err.Error())
	}
	if _, err := sup.Apply(context.Background(), cfg.Programs); err != nil {
		closeListeners(listeners)
		return false, d.usageError(err.Error())
	}
	d.mu.Lock()
	d.sup, d.events = sup, events
	d.mu.Unlock()

	// 10. Pidfile.
	pid := os.Getpid()
	pidWritten := false
	if err := os.WriteFile(s.Pidfile, []byte(fmt.Sprintf("%d\n", pid)), 0o644); err != nil {
		logger.Log(context.Background(), mainlog.LevelCritical, fmt.Sprintf("could not write pidfile %s", s.Pidfile))
	} else {
		pidWritten = true
	}
	logger.Info(fmt.Sprintf("supervisord started with pid %d", pid))

	// 8. Serve the API; 11. run until a shutdown or restart.
	stopHTTP := d.serveHTTP(cfg, listeners)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	d.mood.Store(int32(rpcapi.StateRunning))
	go func() {
		err := sup.Serve(ctx)
		if err != nil {
			// An essential program ended (Serve stopped everything and
			// logged why), or nothing is supervised (no spawning
			// threads, say): exit.
			if !errors.As(err, new(*supervisor.EssentialError)) {
				logger.Log(context.Background(), mainlog.LevelCritical, err.Error())
			}
			d.Shutdown()
		}
		served <- err
	}()
	go func() {
		// Start-up (reading the config, creating every process) leaves
		// garbage behind; give it back to the system once, so the
		// long-running daemon's footprint is what it uses.
		select {
		case <-sup.Ready():
			debug.FreeOSMemory()
		case <-ctx.Done():
		}
	}()
	d.handleSignals(signals, d.stop)
	// Signals still count while everything stops: SIGTERM turns a reload
	// into a shutdown, SIGUSR2 reopens the logs, as in supervisord.
	stopped, handled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(handled)
		d.handleSignals(signals, stopped)
	}()
	cancel()
	serveErr := <-served
	stopHTTP()
	close(stopped)
	<-handled

	// 5.3 Exit: remove the pidfile (only if written); the unix sockets were
	// removed with their servers.
	if pidWritten {
		_ = os.Remove(s.Pidfile)
	}
	if serveErr != nil {
		// x_essential: the exit status of the essential process.
		if ee := (*supervisor.EssentialError)(nil); errors.As(serveErr, &ee) {
			return false, ee.ExitCode
		}
		return false, 1
	}
	return d.State() == rpcapi.StateRestarting, 0
}

type queuedLog struct {
	level slog.Level
	msg   string
}

// serverURL is the SUPERVISOR_SERVER_URL given to children: the first unix
// server, else the last inet server (spec 1.11).
func serverURL(cfg *config.Config) string {
	url := ""
	for _, s := range cfg.HTTPServers {
		if s.Network == "unix" {
			return "unix://" + s.File
		}
		host := s.Host
		if host == "" {
			host = "localhost"
		}
		url = fmt.Sprintf("http://%s:%d", host, s.Port)
	}
	return url
}

// Backend methods (internal/rpcapi.Backend).

// Supervisor returns the running supervisor.
func (d *Daemon) Supervisor() *supervisor.Supervisor {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sup
}

// Available returns the programs of the config read last.
func (d *Daemon) Available() []supervisor.ProgramSpec {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cfg.Programs
}

// Reread reads the config file again and makes it the available one. A
// config that cannot be read or whose programs the supervisor refuses
// changes nothing; the error says where the fault is (see check).
func (d *Daemon) Reread() error {
	cfg, err := d.check()
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.cfg.Programs = cfg.Programs
	d.cfg.EventListeners = cfg.EventListeners
	events := d.events
	d.mu.Unlock()
	if events != nil {
		// The pools' new settings apply from now on, to the running pool
		// too; update restarts its listeners if their program changed.
		return setPools(events, cfg)
	}
	return nil
}

// setPools gives the dispatcher the config's [eventlistener:x] pools.
func setPools(events *eventlistener.Dispatcher, cfg *config.Config) error {
	for _, l := range cfg.EventListeners {
		if err := events.SetPool(eventlistener.PoolConfig{Name: l.Name, Events: l.Events, BufferSize: l.BufferSize}); err != nil {
			return err
		}
	}
	return nil
}

// check reads the config file and checks its programs as the supervisor
// would add them, without changing anything. Its error is one line:
// "file:line: [section] key: message" for a fault in the file (the parts
// that are known), supervisord's message otherwise. Reread (reread, update)
// and Restart (reload, SIGHUP) refuse a config with the same text.
func (d *Daemon) check() (*config.Config, error) {
	cfg, err := d.load()
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			return nil, errors.New(ce.Error())
		}
		return nil, err
	}
	if sup := d.Supervisor(); sup != nil {
		if _, err := sup.Diff(cfg.Programs); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// Identifier returns the supervisord identifier.
func (d *Daemon) Identifier() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cfg.Supervisord.Identifier
}

// PID returns the daemon's pid.
func (d *Daemon) PID() int { return os.Getpid() }

// State returns RUNNING, or SHUTDOWN/RESTARTING once one began.
func (d *Daemon) State() rpcapi.State {
	return rpcapi.State(d.mood.Load())
}

// Shutdown begins stopping everything; the daemon then exits, even when a
// restart had begun.
func (d *Daemon) Shutdown() {
	d.mood.Store(int32(rpcapi.StateShutdown))
	d.stopOnce.Do(func() { close(d.stop) })
}

// Restart reads and checks the config file (see check) and, if it is good,
// begins stopping everything; the daemon then starts again on that config,
// keeping its pid. A later edit of the file does not change what the
// restart runs. A bad config stops nothing: the programs keep running
// unchanged, the error is logged at ERROR and returned (the reload RPC
// answers it as CANT_REREAD). Faults found only while starting again (a
// log file or socket that cannot be opened, an unknown user) still end the
// daemon with status 2, as supervisord does.
//
// Restart does nothing, and returns nil, once a shutdown or a restart has
// begun.
func (d *Daemon) Restart() error {
	if d.State() != rpcapi.StateRunning {
		return nil
	}
	cfg, err := d.check()
	if err != nil {
		d.mu.Lock()
		log := d.log
		d.mu.Unlock()
		log.Error(fmt.Sprintf("reload refused, the running programs are kept: %v", err))
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mood.CompareAndSwap(int32(rpcapi.StateRunning), int32(rpcapi.StateRestarting)) {
		d.next = cfg
		d.stopOnce.Do(func() { close(d.stop) })
	}
	return nil
}

// MainLogPath returns the main log's path, "" for syslog.
func (d *Daemon) MainLogPath() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mainLog == nil {
		return ""
	}
	return d.mainLog.Path()
}

// ClearMainLog empties the main log.
func (d *Daemon) ClearMainLog() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mainLog == nil {
		return supervisor.ErrNoFile
	}
	return d.mainLog.Clear()
}
