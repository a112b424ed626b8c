package daemon

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/supervise-go/supervisor/config"
	"github.com/supervise-go/supervisor/internal/pyrepr"
)

// flags are supervisord's command-line options. A nil pointer means the
// option was not given, so the config file's value (or its default) holds.
type flags struct {
	config      string
	nodaemon    bool
	silent      bool
	help        bool
	version     bool
	user        *string
	umask       *fs.FileMode
	directory   *string
	logfile     *string
	maxbytes    *string
	backups     *string
	loglevel    *string
	pidfile     *string
	identifier  *string
	childlogdir *string
	nocleanup   bool
	minfds      *string
	minprocs    *string
	stripANSI   bool
	profile     *string
}

// option describes one supervisord option: its short and long names and
// whether it takes a value.
type option struct {
	short, long string
	value       bool
	set         func(f *flags, v string) error
}

func strp(s string) *string { return &s }

var options = []option{
	{"c", "configuration", true, func(f *flags, v string) error { f.config = v; return nil }},
	{"n", "nodaemon", false, func(f *flags, _ string) error { f.nodaemon = true; return nil }},
	{"s", "silent", false, func(f *flags, _ string) error { f.silent = true; return nil }},
	{"h", "help", false, func(f *flags, _ string) error { f.help = true; return nil }},
	{"?", "", false, func(f *flags, _ string) error { f.help = true; return nil }},
	{"v", "version", false, func(f *flags, _ string) error { f.version = true; return nil }},
	{"u", "user", true, func(f *flags, v string) error { f.user = strp(v); return nil }},
	{"m", "umask", true, func(f *flags, v string) error {
		n, err := config.ParseOctal(v)
		if err != nil {
			return err
		}
		m := fs.FileMode(n) & fs.ModePerm // as for the config's umask
		f.umask = &m
		return nil
	}},
	{"d", "directory", true, func(f *flags, v string) error { f.directory = strp(v); return nil }},
	{"l", "logfile", true, func(f *flags, v string) error { f.logfile = strp(v); return nil }},
	{"y", "logfile_maxbytes", true, func(f *flags, v string) error { f.maxbytes = strp(v); return nil }},
	{"z", "logfile_backups", true, func(f *flags, v string) error { f.backups = strp(v); return nil }},
	{"e", "loglevel", true, func(f *flags, v string) error { f.loglevel = strp(v); return nil }},
	{"j", "pidfile", true, func(f *flags, v string) error { f.pidfile = strp(v); return nil }},
	{"i", "identifier", true, func(f *flags, v string) error { f.identifier = strp(v); return nil }},
	{"q", "childlogdir", true, func(f *flags, v string) error { f.childlogdir = strp(v); return nil }},
	{"k", "nocleanup", false, func(f *flags, _ string) error { f.nocleanup = true; return nil }},
	{"a", "minfds", true, func(f *flags, v string) error { f.minfds = strp(v); return nil }},
	{"", "minprocs", true, func(f *flags, v string) error { f.minprocs = strp(v); return nil }},
	{"t", "strip_ansi", false, func(f *flags, _ string) error { f.stripANSI = true; return nil }},
	{"", "profile_options", true, func(f *flags, v string) error { f.profile = strp(v); return nil }},
}

// parseFlags reads argv (without the program name) with getopt's rules:
// "-c FILE", "-cFILE", "--configuration FILE", "--configuration=FILE",
// bundled short flags ("-nk"). Errors carry supervisord's texts.
func parseFlags(args []string) (*flags, error) {
	f := &flags{}
	var positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			o := findLong(name)
			if o == nil {
				return nil, fmt.Errorf("option --%s not recognized", name)
			}
			if o.value && !hasVal {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("option --%s requires argument", name)
				}
				i++
				val = args[i]
			} else if !o.value && hasVal {
				return nil, fmt.Errorf("option --%s must not have an argument", name)
			}
			if err := o.set(f, val); err != nil {
				return nil, fmt.Errorf("invalid value for --%s %s: %v", name, pyrepr.Repr(val), err)
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for j := 1; j < len(a); j++ {
				o := findShort(a[j : j+1])
				if o == nil {
					return nil, fmt.Errorf("option -%s not recognized", a[j:j+1])
				}
				if !o.value {
					_ = o.set(f, "")
					continue
				}
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return nil, fmt.Errorf("option -%s requires argument", a[j:j+1])
					}
					i++
					val = args[i]
				}
				if err := o.set(f, val); err != nil {
					return nil, fmt.Errorf("invalid value for -%s %s: %v", a[j:j+1], pyrepr.Repr(val), err)
				}
				break
			}
		default:
			positional = append(positional, a)
		}
	}
	if len(positional) > 0 {
		quoted := make([]string, len(positional))
		for i, p := range positional {
			quoted[i] = pyrepr.Repr(p)
		}
		return nil, fmt.Errorf("positional arguments are not supported: [%s]", strings.Join(quoted, ", "))
	}
	return f, nil
}

func findLong(name string) *option {
	for i := range options {
		if options[i].long != "" && options[i].long == name {
			return &options[i]
		}
	}
	return nil
}

func findShort(name string) *option {
	for i := range options {
		if options[i].short == name {
			return &options[i]
		}
	}
	return nil
}

const usage = `gosupervisord -- run a set of applications as daemons (a supervisord 4.2.5 drop-in).

Usage: %s [options]

Options:
-c/--configuration FILENAME -- configuration file path (searches if not given)
-n/--nodaemon -- run in the foreground (same as 'nodaemon=true' in config file)
-s/--silent -- no logs to stdout (maps to 'silent=true' in config file)
-h/--help -- print this usage message and exit
-v/--version -- print supervisord version number and exit
-u/--user USER -- run supervisord as this user (or numeric uid)
-m/--umask UMASK -- use this umask for daemon subprocess (default is 022)
-d/--directory DIRECTORY -- directory to chdir to when daemonized
-l/--logfile FILENAME -- use FILENAME as logfile path
-y/--logfile_maxbytes BYTES -- use BYTES to limit the max size of logfile
-z/--logfile_backups NUM -- number of backups to keep when max bytes reached
-e/--loglevel LEVEL -- use LEVEL as log level (debug,info,warn,error,critical)
-j/--pidfile FILENAME -- write a pid file for the daemon process to FILENAME
-i/--identifier STR -- identifier used for this instance of supervisord
-q/--childlogdir DIRECTORY -- the log directory for child process logs
-k/--nocleanup --  prevent the process from performing cleanup (removal of
                   old automatic child log files) at startup.
-a/--minfds NUM -- the minimum number of file descriptors for start success
-t/--strip_ansi -- strip ansi escape codes from process output
--minprocs NUM  -- the minimum number of processes available for start success
--profile_options OPTIONS -- run supervisord under profiler and output
                             results based on OPTIONS, which  is a comma-sep'd
                             list of 'cumulative', 'calls', and/or 'callers',
                             e.g. 'cumulative,callers')
`
