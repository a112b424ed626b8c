package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/supervise-go/supervisor/internal/pyrepr"
)

// options is the outcome of the command line and the configuration file.
type options struct {
	progname    string
	serverURL   string
	username    *string // nil when neither -u nor the file gives one
	password    *string
	interactive bool
	prompt      string
	historyFile string
	args        []string // the command and its arguments
}

// helpText is supervisorctl's -h output; %s is the program's path.
const helpText = `supervisorctl -- control applications run by supervisord from the cmd line.

Usage: %s [options] [action [arguments]]

Options:
-c/--configuration FILENAME -- configuration file path (searches if not given)
-h/--help -- print usage message and exit
-i/--interactive -- start an interactive shell after executing commands
-s/--serverurl URL -- URL on which supervisord server is listening
     (default "http://localhost:9001").
-u/--username USERNAME -- username to use for authentication with server
-p/--password PASSWORD -- password to use for authentication with server
-r/--history-file -- keep a readline history (if readline is available)

action [arguments] -- see below

Actions are commands like "tail" or "stop".  If -i is specified or no action is
specified on the command line, a "shell" interpreting actions typed
interactively is started.  Use the action "help" to find out about available
actions.

`

// An option of the command line: its short letter, its long name, and
// whether it takes an argument.
type optSpec struct {
	short  byte
	long   string
	hasArg bool
}

// The order matters: it is the order of getopt's short option string,
// which decides nothing here but keeps the table readable against
// supervisorctl's.
var optSpecs = []optSpec{
	{'h', "help", false},
	{'?', "", false},
	{'c', "configuration", true},
	{'i', "interactive", false},
	{'s', "serverurl", true},
	{'u', "username", true},
	{'p', "password", true},
	{'r', "history_file", true},
}

// exitNow is returned by parseOptions when the program must stop before
// running any command: after -h (code 0), a usage error (2), or a broken
// configuration file (1).
type exitNow struct{ code int }

func (e *exitNow) Error() string { return fmt.Sprintf("exit %d", e.code) }

// parseOptions reads the command line as supervisorctl's getopt does (options
// end at the first argument that is not one), then the configuration file,
// whose values count only where the command line gave none.
func parseOptions(progname string, args []string, stdout, stderr io.Writer) (*options, error) {
	usage := func(msg string) error {
		fmt.Fprintf(stderr, "Error: %s\nFor help, use %s -h\n", msg, progname)
		return &exitNow{2}
	}
	parsed, rest, err := getopt(args)
	if err != nil {
		return nil, usage(err.Error())
	}
	o := &options{progname: progname, args: rest}
	var configFile, serverURL, history *string
	var interactive bool
	for _, p := range parsed {
		set := func(dst **string) error {
			if *dst != nil {
				return usage(fmt.Sprintf("conflicting command line option %s", pyrepr.Repr(p.opt)))
			}
			v := p.arg
			*dst = &v
			return nil
		}
		var err error
		switch p.spec.short {
		case 'h', '?':
			fmt.Fprint(stdout, strings.Replace(helpText, "%s", progname, 1))
			return nil, &exitNow{0}
		case 'c':
			err = set(&configFile)
		case 'i':
			if interactive {
				return nil, usage(fmt.Sprintf("conflicting command line option %s", pyrepr.Repr(p.opt)))
			}
			interactive = true
		case 's':
			if !looksLikeURL(p.arg) {
				return nil, usage(fmt.Sprintf("invalid value for %s %s: value %s is not a URL", p.opt, pyrepr.Repr(p.arg), pyrepr.Repr(p.arg)))
			}
			err = set(&serverURL)
		case 'u':
			err = set(&o.username)
		case 'p':
			err = set(&o.password)
		case 'r':
			err = set(&history)
		}
		if err != nil {
			return nil, err
		}
	}

	file := ""
	if configFile != nil {
		file = *configFile
	} else {
		file = findConfig(progname)
	}
	cfg := &ctlConfig{serverURL: "http://localhost:9001", prompt: "supervisor"}
	if file != "" {
		c, err := readCtlConfig(file)
		var ue *usageError
		var ie *iniError
		switch {
		case errors.As(err, &ue):
			return nil, usage(ue.msg)
		case errors.As(err, &ie):
			fmt.Fprintln(stderr, ie.Error())
			return nil, &exitNow{1}
		case err != nil:
			return nil, usage(err.Error())
		}
		cfg = c
	}
	o.serverURL = cfg.serverURL
	if serverURL != nil {
		o.serverURL = *serverURL
	}
	if o.username == nil {
		o.username = cfg.username
	}
	if o.password == nil {
		o.password = cfg.password
	}
	o.prompt = cfg.prompt
	o.historyFile = cfg.historyFile
	if history != nil {
		o.historyFile = *history
	}
	o.interactive = interactive || len(rest) == 0
	return o, nil
}

type parsedOpt struct {
	spec optSpec
	opt  string // as it will be named in messages: "-s" or "--serverurl"
	arg  string
}

// getopt is Python's getopt.getopt for optSpecs, with its error messages.
func getopt(args []string) ([]parsedOpt, []string, error) {
	var out []parsedOpt
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		if args[0] == "--" {
			return out, args[1:], nil
		}
		a := args[0]
		args = args[1:]
		if strings.HasPrefix(a, "--") {
			name, arg, hasValue := strings.Cut(a[2:], "=")
			spec, err := longOpt(name)
			if err != nil {
				return nil, nil, err
			}
			switch {
			case spec.hasArg && !hasValue:
				if len(args) == 0 {
					return nil, nil, fmt.Errorf("option --%s requires argument", spec.long)
				}
				arg, args = args[0], args[1:]
			case !spec.hasArg && hasValue:
				return nil, nil, fmt.Errorf("option --%s must not have an argument", spec.long)
			}
			out = append(out, parsedOpt{spec, "--" + spec.long, arg})
			continue
		}
		letters := a[1:]
		for letters != "" {
			c := letters[0]
			letters = letters[1:]
			spec, ok := shortOpt(c)
			if !ok {
				return nil, nil, fmt.Errorf("option -%c not recognized", c)
			}
			arg := ""
			if spec.hasArg {
				if letters == "" {
					if len(args) == 0 {
						return nil, nil, fmt.Errorf("option -%c requires argument", c)
					}
					letters, args = args[0], args[1:]
				}
				arg, letters = letters, ""
			}
			out = append(out, parsedOpt{spec, "-" + string(c), arg})
		}
	}
	return out, args, nil
}

func shortOpt(c byte) (optSpec, bool) {
	for _, s := range optSpecs {
		if s.short == c {
			return s, true
		}
	}
	return optSpec{}, false
}

// longOpt finds a long option by its name or a unique prefix of it.
func longOpt(name string) (optSpec, error) {
	var matches []optSpec
	for _, s := range optSpecs {
		if s.long == "" || !strings.HasPrefix(s.long, name) {
			continue
		}
		if s.long == name {
			return s, nil
		}
		matches = append(matches, s)
	}
	switch len(matches) {
	case 0:
		return optSpec{}, fmt.Errorf("option --%s not recognized", name)
	case 1:
		return matches[0], nil
	}
	return optSpec{}, fmt.Errorf("option --%s not a unique prefix", name)
}

// looksLikeURL is supervisor's check of -s: Python's urlparse finds a
// scheme, and a host or a path.
func looksLikeURL(v string) bool {
	scheme := urlScheme(v)
	if scheme == "" {
		return false
	}
	rest := v[len(scheme)+1:]
	if strings.HasPrefix(rest, "//") {
		rest = rest[2:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		if end > 0 {
			return true // a host
		}
		rest = rest[end:]
	}
	if end := strings.IndexAny(rest, "?#"); end >= 0 {
		rest = rest[:end]
	}
	if end := strings.LastIndexByte(rest, ';'); end >= 0 && !strings.Contains(rest[end:], "/") {
		rest = rest[:end]
	}
	return rest != ""
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
