package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/pyfmt"
)

// Config is a loaded supervisord.conf: every section supervisord reads, with
// its values converted and its defaults filled in.
type Config struct {
	// File is the main config file as given to Load (or the name given to
	// Parse); Here is its directory, absolute (supervisord's %(here)s).
	File, Here string

	Supervisord Supervisord

	// Programs has one spec per [program:x] section, plus one per extra
	// [group:x] that lists the same program again. Programs of a [group:x]
	// have Group and GroupPriority set. They are ordered as supervisord
	// orders its groups: by group priority, then as in the file. A program
	// with numprocs=0 has no processes and is left out (with a warning).
	Programs []supervisor.ProgramSpec
	// Groups are the [group:x] sections.
	Groups []Group
	// EventListeners are the [eventlistener:x] pools, parsed and validated.
	// The runtime does not run event listeners yet: a daemon should refuse
	// or warn about a config that has them.
	EventListeners []EventListener
	// FCGIPrograms are the [fcgi-program:x] sections, parsed and validated.
	// The runtime does not run FastCGI programs yet (it does not bind their
	// sockets): a daemon should refuse or warn about a config that has them.
	FCGIPrograms []FCGIProgram
	// HTTPServers are the [inet_http_server*] sections followed by the
	// [unix_http_server*] sections.
	HTTPServers []HTTPServer
	// RPCInterfaces are the [rpcinterface:x] sections.
	RPCInterfaces []RPCInterface
	// Supervisorctl is the [supervisorctl] section, nil when absent.
	// supervisord itself ignores this section, so a mistake in it does not
	// fail Load; it is reported in Warnings and Supervisorctl stays nil.
	// LoadCtl reads it with supervisorctl's rules.
	Supervisorctl *Supervisorctl

	// Included lists the files read through [include], in reading order.
	Included []string
	// Infos and Warnings are the messages supervisord logs about its config
	// once its logger runs (at INFO and WARN), such as 'Included extra file
	// "x" during parsing' and 'No file matches via include "x"'.
	Infos, Warnings []string
}

// Supervisord is the [supervisord] section (spec 1.6). Command-line flags of
// a daemon override these values.
type Supervisord struct {
	// Logfile is the main log's path, made absolute against the working
	// directory at load time, or "syslog". Default "supervisord.log".
	Logfile string
	// LogfileMaxBytes rotates the main log at this size; 0 never. Default 50MB.
	LogfileMaxBytes int64
	// LogfileBackups is how many rotated main logs are kept. Default 10.
	LogfileBackups int
	// LogLevel is one of critical, error, warn, info, debug, trace, blather
	// (lower-cased). Default info.
	LogLevel string
	// Pidfile is the pid file's path, made absolute like Logfile. Default
	// "supervisord.pid".
	Pidfile string
	// Umask is applied when the daemon detaches (only then). Default 022.
	Umask fs.FileMode
	// Nodaemon keeps the daemon in the foreground.
	Nodaemon bool
	// Silent, with Nodaemon, stops the main log being echoed to stdout.
	Silent bool
	// MinFDs and MinProcs are the soft limits raised at start (RLIMIT_NOFILE
	// and RLIMIT_NPROC). Defaults 1024 and 200. gosupervisord holds 3
	// descriptors per running process (stdin, stdout and stderr pipes; 2
	// with redirect_stderr) and a pidfd while descriptors are plentiful
	// (fewer than 3/4 of the limit open), one more per log file written to,
	// and about 10 of its own (README, "What a program costs").
	MinFDs, MinProcs int
	// NoCleanup keeps old AUTO child logs at start.
	NoCleanup bool
	// ChildLogDir holds AUTO child logs; it must exist. Default: $TMPDIR or /tmp.
	ChildLogDir string
	// User is the user to switch to at start; empty means no switch. It is
	// not looked up at load time (supervisord checks it at start).
	User string
	// Directory is where the daemon changes to when it detaches; it must
	// exist. Empty means no change.
	Directory string
	// StripANSI removes ANSI escape sequences from child logs.
	StripANSI bool
	// Environment is added to every child's environment, under each
	// program's own environment.
	Environment map[string]string
	// Identifier names this supervisor (RPC getIdentification, AUTO log
	// names, event headers). Default "supervisor".
	Identifier string
	// ProfileOptions is kept as written; Python's profiler has no equivalent.
	ProfileOptions string
	// Subreaper (x_subreaper, an extension) makes the daemon the child
	// subreaper of its descendants, so that it reaps the orphans they leave
	// (as it does anyway when it runs as PID 1). Default false.
	Subreaper bool
	// EnvironmentFiles (x_environment_file, an extension) are read at every
	// spawn of every program, over Environment and under each program's
	// own (see supervisor.WithEnvironmentFiles). A leading '-' marks a file
	// that may be missing; the paths are absolute.
	EnvironmentFiles []string
}

// Group is a [group:x] section (spec 1.8): programs run as one group named
// Name; their processes are addressed as Name:process.
type Group struct {
	Name     string
	Priority int      // default 999
	Programs []string // program or fcgi-program names, as listed
}

// EventListener is an [eventlistener:x] section (spec 1.9): a pool of
// processes that receive events on stdin. ProgramSpec holds the program keys
// (GroupPriority is the pool priority, default -1). Run it by adding the
// ProgramSpec and giving Name, Events and BufferSize to an
// eventlistener.Dispatcher, as gosupervisord does.
type EventListener struct {
	supervisor.ProgramSpec
	// Events are the subscribed event type names, upper-cased, as listed.
	Events []string
	// BufferSize is how many events wait for a free listener. Default 10.
	BufferSize int
	// ResultHandler is supervisord's result handler spec; only the default
	// "supervisor.dispatchers:default_handler" is accepted.
	ResultHandler string
}

// FCGIProgram is an [fcgi-program:x] section (spec 1.10): a program whose
// processes share a socket bound by the supervisor as their stdin. Not run
// by the runtime yet.
type FCGIProgram struct {
	supervisor.ProgramSpec
	// Socket is "tcp://host:port" or "unix:///abs/path" (path cleaned),
	// %(program_name)s expanded.
	Socket string
	// SocketBacklog is the listen backlog; 0 means the system's SOMAXCONN.
	SocketBacklog int
	// SocketOwnerUID and SocketOwnerGID own a unix socket; -1 keeps the
	// supervisor's (or, when User is set and differs, that user's).
	SocketOwnerUID, SocketOwnerGID int
	// SocketMode is a unix socket's mode. Default 0700.
	SocketMode fs.FileMode
}

// HTTPServer is an [inet_http_server] or [unix_http_server] section (or one
// whose name starts so, such as [inet_http_server:second]).
type HTTPServer struct {
	// Section is the section name; Name the text after its first ':', if any.
	Section, Name string
	// Network is "tcp" or "unix".
	Network string
	// Host and Port are where a tcp server listens; Host is lower-cased and
	// empty for all interfaces.
	Host string
	Port int
	// File is a unix server's socket path, absolute and cleaned.
	File string
	// Chmod is the unix socket's mode (default 0700); ChownUID and ChownGID
	// its owner, -1 for unchanged.
	Chmod              fs.FileMode
	ChownUID, ChownGID int
	// Username and Password enable HTTP basic authentication when set (both
	// or neither). Password may be "{SHA}" followed by the hex SHA-1 of the
	// password; it is kept as written.
	Username, Password string
	// HasAuth says whether Username and Password were given.
	HasAuth bool
	// Metrics (x_metrics, an extension) serves /metrics, the Prometheus
	// metrics of the processes and of the daemon, behind the same
	// authentication. Default false.
	Metrics bool
}

// RPCInterface is an [rpcinterface:x] section. Only supervisord's own
// factory, "supervisor.rpcinterface:make_main_rpcinterface", is accepted;
// it stands for this module's supervisor.* XML-RPC API.
type RPCInterface struct {
	Name    string
	Factory string
	// Extras are the section's other keys, expanded; supervisord passes
	// them to the factory, and its factory takes none.
	Extras map[string]string
}

// Supervisorctl is the [supervisorctl] section (spec 1.12).
type Supervisorctl struct {
	// ServerURL is "http://host:port" or "unix:///path" (path cleaned).
	// Default "http://localhost:9001".
	ServerURL string
	Username  string
	Password  string
	// Prompt is shown as "<Prompt>> ". Default "supervisor".
	Prompt string
	// HistoryFile is the readline history path, absolute; empty for none.
	HistoryFile string
}

// Options change what Load and Parse take from the running system; the zero
// value uses the real one. Tests use them to be independent of it.
type Options struct {
	// Environ is the environment the ENV_X expansions come from; nil means
	// os.Environ().
	Environ []string
	// Hostname is %(host_node_name)s; empty means os.Hostname().
	Hostname string
}

// Load reads the config file at path, and the files it includes, the way
// supervisord 4.2.5 does. It returns a complete Config or an *Error, never
// both and never part of a config.
func Load(path string) (*Config, error) { return LoadWith(path, Options{}) }

// LoadWith is Load with Options.
func LoadWith(path string, opts Options) (*Config, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, &Error{File: path, Msg: "could not find config file " + path}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "could not read config file " + path}
	}
	return ParseWith(path, data, opts)
}

// Parse reads config text as if it were the file name (which sets
// %(here)s and where [include] globs are looked for). Included files are
// read from disk.
func Parse(name string, data []byte) (*Config, error) { return ParseWith(name, data, Options{}) }

// ParseWith is Parse with Options.
func ParseWith(name string, data []byte, opts Options) (*Config, error) {
	l := newLoader(name, opts)
	cfg, err := l.load(data)
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// loader holds the state of one Load; supervisord keeps the same state in
// its options object.
type loader struct {
	file string
	here string
	host string
	// env holds the ENV_X names. Like supervisord's, it gains the
	// [supervisord] environment keys once that section is read, so every
	// later section sees them.
	env map[string]any
	doc *document
	cfg *Config
}

func newLoader(name string, opts Options) *loader {
	environ := opts.Environ
	if environ == nil {
		environ = os.Environ()
	}
	env := map[string]any{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env["ENV_"+k] = v
		}
	}
	host := opts.Hostname
	if host == "" {
		host, _ = os.Hostname()
	}
	here, err := filepath.Abs(filepath.Dir(name))
	if err != nil {
		here = filepath.Dir(name)
	}
	return &loader{file: name, here: here, host: host, env: env, doc: newDocument(),
		cfg: &Config{File: name, Here: here}}
}

func (l *loader) load(data []byte) (*Config, error) {
	if err := l.doc.read(l.file, data); err != nil {
		return nil, err
	}
	if err := l.includes(); err != nil {
		return nil, err
	}
	if !l.doc.hasSection("supervisord") {
		return nil, &Error{File: l.file, Msg: ".ini file does not include supervisord section"}
	}
	steps := []func() error{l.supervisord, l.supervisordExtensions, l.rpcInterfaces, l.processGroups, l.dependencies, l.servers, l.supervisorctl, l.checkExtKeysElsewhere}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return l.cfg, nil
}

// sectionFile is the file a section came from.
func (l *loader) sectionFile(section string) string {
	if p, ok := l.doc.secPos[section]; ok {
		return p.file
	}
	return l.file
}

// fail makes an *Error about key (or the whole section when key is "") of
// section, with msg as supervisord's text.
func (l *loader) fail(section, key, msg string) *Error {
	e := &Error{File: l.sectionFile(section), Section: section, Key: key, Msg: msg}
	if key != "" {
		if p := l.doc.keyAt(section, key); p.line > 0 {
			e.File, e.Line = p.file, p.line
		}
	} else if p, ok := l.doc.secPos[section]; ok {
		e.Line = p.line
	}
	return e
}

// names merges the ENV_X names with extra ones (extra wins), as
// supervisord's saneget does.
func (l *loader) names(extra map[string]any) map[string]any {
	m := make(map[string]any, len(l.env)+len(extra))
	for k, v := range l.env {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// get is supervisord's saneget: the raw value of key (or DEFAULT's), else
// def, %-expanded with the ENV_X names plus extra. ok is false when the key
// is absent and there is no default (def == nil).
func (l *loader) get(section, key string, def *string, extra map[string]any) (v string, ok bool, err error) {
	v, ok = l.doc.get(section, key)
	if !ok {
		if def == nil {
			return "", false, nil
		}
		v = *def
	}
	if !strings.Contains(v, "%") {
		return v, true, nil // nothing to expand: Python's % leaves it as is
	}
	out, err := pyfmt.ExpandIn(v, section+"."+key, l.names(extra))
	if err != nil {
		return "", true, l.fail(section, key, err.Error())
	}
	return out, true, nil
}

func ptr(s string) *string { return &s }

// includes processes [include] (spec 1.3).
func (l *loader) includes() error {
	if !l.doc.hasSection("include") {
		return nil
	}
	l.doc.expandHere(l.here)
	raw, ok := l.doc.get("include", "files")
	if !ok {
		return l.fail("include", "", ".ini file has [include] section, but no files setting")
	}
	names := l.names(map[string]any{"here": l.here, "host_node_name": l.host})
	files, err := pyfmt.ExpandIn(raw, "include.files", names)
	if err != nil {
		return l.fail("include", "files", err.Error())
	}
	base := l.here
	for _, pattern := range strings.Fields(files) {
		pattern = pyJoin(base, pattern)
		matches := pyGlob(pattern)
		if len(matches) == 0 {
			l.cfg.Warnings = append(l.cfg.Warnings, fmt.Sprintf("No file matches via include %q", pattern))
			continue
		}
		sort.Strings(matches)
		for _, m := range matches {
			l.cfg.Infos = append(l.cfg.Infos, fmt.Sprintf("Included extra file %q during parsing", m))
			data, err := os.ReadFile(m)
			if err != nil {
				// Python's read() skips files it cannot open.
				continue
			}
			if err := l.doc.read(m, data); err != nil {
				return err
			}
			l.cfg.Included = append(l.cfg.Included, m)
			dir, err := filepath.Abs(filepath.Dir(m))
			if err != nil {
				dir = filepath.Dir(m)
			}
			l.doc.expandHere(dir)
		}
	}
	return nil
}

// supervisord reads [supervisord] in supervisord's order, so that of several
// mistakes the same one is reported.
func (l *loader) supervisord() error {
	const sec = "supervisord"
	s := &l.cfg.Supervisord
	here := map[string]any{"here": l.here}
	var firstErr error
	str := func(key, def string) string {
		if firstErr != nil {
			return ""
		}
		v, _, err := l.get(sec, key, ptr(def), here)
		firstErr = err
		return v
	}
	conv := func(key string, err error) {
		if firstErr == nil && err != nil {
			firstErr = l.fail(sec, key, err.Error())
		}
	}
	var err error
	s.MinFDs, err = pyInt(str("minfds", "1024"))
	conv("minfds", err)
	s.MinProcs, err = pyInt(str("minprocs", "200"))
	conv("minprocs", err)
	if firstErr != nil {
		return firstErr
	}
	if v, ok, err := l.get(sec, "directory", nil, here); err != nil {
		return err
	} else if ok {
		s.Directory, err = existingDirectory(v)
		conv("directory", err)
	}
	s.User = str("user", "")
	umask, err := octal(str("umask", "022"))
	conv("umask", err)
	s.Umask = fs.FileMode(umask) & fs.ModePerm
	s.Logfile, err = existingDirpath(str("logfile", "supervisord.log"))
	conv("logfile", err)
	s.LogfileMaxBytes, err = byteSize(str("logfile_maxbytes", "50MB"))
	conv("logfile_maxbytes", err)
	s.LogfileBackups, err = pyInt(str("logfile_backups", "10"))
	conv("logfile_backups", err)
	s.LogLevel, err = logLevel(str("loglevel", "info"))
	conv("loglevel", err)
	s.Pidfile, err = existingDirpath(str("pidfile", "supervisord.pid"))
	conv("pidfile", err)
	s.Identifier = str("identifier", "supervisor")
	s.Nodaemon, err = pyBool(str("nodaemon", "false"))
	conv("nodaemon", err)
	s.Silent, err = pyBool(str("silent", "false"))
	conv("silent", err)
	s.ChildLogDir, err = existingDirectory(str("childlogdir", tempDir()))
	conv("childlogdir", err)
	s.NoCleanup, err = pyBool(str("nocleanup", "false"))
	conv("nocleanup", err)
	s.StripANSI, err = pyBool(str("strip_ansi", "false"))
	conv("strip_ansi", err)
	envStr := str("environment", "")
	if firstErr != nil {
		return firstErr
	}
	envStr, err = pyfmt.ExpandIn(envStr, "environment",
		l.names(map[string]any{"here": l.here, "host_node_name": l.host}))
	if err != nil {
		return l.fail(sec, "environment", err.Error())
	}
	pairs, err := keyValuePairs(envStr, false)
	if err != nil {
		return l.fail(sec, "environment", err.Error())
	}
	s.Environment = map[string]string{}
	for _, p := range pairs {
		s.Environment[p.key] = p.value
		l.env["ENV_"+p.key] = p.value
	}
	if v, ok := l.doc.get(sec, "profile_options"); ok {
		s.ProfileOptions = v
	}
	// supervisord makes both absolute against its working directory at
	// start; "syslog" is not a path.
	if s.Logfile != "syslog" {
		s.Logfile = absPath(s.Logfile)
	}
	s.Pidfile = absPath(s.Pidfile)
	return nil
}

// tempDir is Python's tempfile.gettempdir(): $TMPDIR, $TEMP or $TMP if it
// names a directory, else /tmp.
func tempDir() string {
	for _, k := range []string{"TMPDIR", "TEMP", "TMP"} {
		if d := os.Getenv(k); d != "" && isDir(d) {
			return d
		}
	}
	return "/tmp"
}

const (
	rpcFactoryKey  = "supervisor.rpcinterface_factory"
	mainRPCFactory = "supervisor.rpcinterface:make_main_rpcinterface"
)

// rpcInterfaces reads [rpcinterface:x] sections (spec 1.13).
func (l *loader) rpcInterfaces() error {
	for _, sec := range l.doc.sections() {
		if !strings.HasPrefix(sec, "rpcinterface:") {
			continue
		}
		name := strings.SplitN(sec, ":", 2)[1]
		spec, ok, err := l.get(sec, rpcFactoryKey, nil, nil)
		if err != nil {
			return err
		}
		if !ok {
			return l.fail(sec, "", fmt.Sprintf("section [%s] does not specify a %s", sec, rpcFactoryKey))
		}
		norm, err := entryPoint(spec)
		if err != nil {
			return l.fail(sec, rpcFactoryKey, err.Error())
		}
		if norm != mainRPCFactory {
			return l.fail(sec, rpcFactoryKey, fmt.Sprintf("%s cannot be resolved within [%s]", spec, sec))
		}
		extras := map[string]string{}
		for _, k := range l.doc.options(sec) {
			if k == rpcFactoryKey {
				continue
			}
			v, _, err := l.get(sec, k, nil, nil)
			if err != nil {
				return err
			}
			extras[k] = v
		}
		l.cfg.RPCInterfaces = append(l.cfg.RPCInterfaces, RPCInterface{Name: name, Factory: norm, Extras: extras})
	}
	return nil
}

// entryPoint checks a "module:attr" spec the way setuptools parses one and
// returns it without spaces.
func entryPoint(spec string) (string, error) {
	mod, attr, hasAttr := strings.Cut(spec, ":")
	mod, attr = strings.TrimSpace(mod), strings.TrimSpace(attr)
	okName := func(s string) bool {
		if s == "" {
			return false
		}
		for _, c := range s {
			if !(c == '.' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c > 0x7f) {
				return false
			}
		}
		return true
	}
	if !okName(mod) || (hasAttr && !okName(attr)) {
		return "", errors.New("EntryPoint must be in 'name=module:attrs [extras]'")
	}
	if !hasAttr {
		return mod, nil
	}
	return mod + ":" + attr, nil
}

// supervisorctl reads [supervisorctl] for Config.Supervisorctl; supervisord
// does not read it, so a mistake there is only a warning.
func (l *loader) supervisorctl() error {
	if !l.doc.hasSection("supervisorctl") {
		return nil
	}
	ctl, err := l.ctl()
	if err != nil {
		l.cfg.Warnings = append(l.cfg.Warnings, "[supervisorctl] ignored: "+err.Error())
		return nil
	}
	l.cfg.Supervisorctl = ctl
	return nil
}

func (l *loader) ctl() (*Supervisorctl, error) {
	const sec = "supervisorctl"
	here := map[string]any{"here": l.here}
	c := &Supervisorctl{}
	var err error
	if c.ServerURL, _, err = l.get(sec, "serverurl", ptr("http://localhost:9001"), here); err != nil {
		return nil, err
	}
	if strings.HasPrefix(c.ServerURL, "unix://") {
		c.ServerURL = "unix://" + normalizePath(c.ServerURL[7:])
	}
	if c.Prompt, _, err = l.get(sec, "prompt", ptr("supervisor"), nil); err != nil {
		return nil, err
	}
	if c.Username, _, err = l.get(sec, "username", ptr(""), nil); err != nil {
		return nil, err
	}
	if c.Password, _, err = l.get(sec, "password", ptr(""), nil); err != nil {
		return nil, err
	}
	if c.HistoryFile, _, err = l.get(sec, "history_file", ptr(""), here); err != nil {
		return nil, err
	}
	if c.HistoryFile != "" {
		c.HistoryFile = normalizePath(c.HistoryFile)
	}
	return c, nil
}

// LoadCtl reads the file at path the way supervisorctl does: only its
// [supervisorctl] section matters, and it must exist.
func LoadCtl(path string) (*Supervisorctl, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if _, serr := os.Stat(path); serr != nil {
			return nil, &Error{File: path, Msg: "could not find config file " + path}
		}
		return nil, &Error{File: path, Msg: "could not read config file " + path}
	}
	l := newLoader(path, Options{})
	l.here = filepath.Dir(normalizePath(path))
	if err := l.doc.read(path, data); err != nil {
		return nil, err
	}
	if !l.doc.hasSection("supervisorctl") {
		return nil, &Error{File: path, Msg: ".ini file does not include supervisorctl section"}
	}
	return l.ctl()
}

// servers reads the HTTP server sections (spec 1.11): all inet ones, then
// all unix ones, each in file order.
func (l *loader) servers() error {
	for _, kind := range []string{"inet_http_server", "unix_http_server"} {
		for _, sec := range l.doc.sections() {
			if !strings.HasPrefix(sec, kind) {
				continue
			}
			srv := HTTPServer{Section: sec, ChownUID: -1, ChownGID: -1}
			if _, name, ok := strings.Cut(sec, ":"); ok {
				srv.Name = name
			}
			if kind == "unix_http_server" {
				file, ok, err := l.get(sec, "file", nil, map[string]any{"here": l.here})
				if err != nil {
					return err
				}
				if !ok {
					return l.fail(sec, "", fmt.Sprintf("section [%s] has no file value", sec))
				}
				srv.Network, srv.File = "unix", normalizePath(pyStrip(file))
			}
			user, hasUser, err := l.get(sec, "username", nil, nil)
			if err != nil {
				return err
			}
			pass, hasPass, err := l.get(sec, "password", nil, nil)
			if err != nil {
				return err
			}
			if hasUser != hasPass {
				key := "username"
				if hasPass {
					key = "password"
				}
				return l.fail(sec, key, fmt.Sprintf("Section [%s] contains incomplete authentication: "+
					"If a username or a password is specified, both the username and password must be specified", sec))
			}
			srv.Username, srv.Password, srv.HasAuth = user, pass, hasUser
			if kind == "inet_http_server" {
				port, ok, err := l.get(sec, "port", nil, nil)
				if err != nil {
					return err
				}
				if !ok {
					return l.fail(sec, "", fmt.Sprintf("section [%s] has no port value", sec))
				}
				srv.Network = "tcp"
				if srv.Host, srv.Port, err = inetAddress(port); err != nil {
					return l.fail(sec, "port", err.Error())
				}
			} else {
				if v, ok, err := l.get(sec, "chown", nil, nil); err != nil {
					return err
				} else if ok {
					if srv.ChownUID, srv.ChownGID, err = userGroup(v); err != nil {
						return l.fail(sec, "chown", "Invalid sockchown value "+v)
					}
				}
				srv.Chmod = 0o700
				if v, ok, err := l.get(sec, "chmod", nil, nil); err != nil {
					return err
				} else if ok {
					m, err := octal(v)
					if err != nil {
						return l.fail(sec, "chmod", "Invalid chmod value "+v)
					}
					srv.Chmod = fs.FileMode(m) & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
				}
			}
			if err := l.httpServerExtensions(sec, &srv); err != nil {
				return err
			}
			l.cfg.HTTPServers = append(l.cfg.HTTPServers, srv)
		}
	}
	// supervisord checks the unix sections after all inet ones; keep the
	// error order but list servers in that same order.
	return nil
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
