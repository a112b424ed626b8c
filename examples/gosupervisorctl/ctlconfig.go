package main

// This file is the whole of gosupervisorctl's configuration reading: where
// the file is looked for, the INI dialect as far as [supervisorctl] needs it,
// and the section's keys. It stands alone so that it can be swapped for the
// project's config package once that exists.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/supervise-go/supervisor/internal/pyfmt"
	"github.com/supervise-go/supervisor/internal/pyrepr"
)

// ctlConfig is what [supervisorctl] sets. A nil pointer means the key was
// not in the file, so the command line or the default decides.
type ctlConfig struct {
	serverURL   string // always set: the file's value or the default
	username    *string
	password    *string
	prompt      string // always set
	historyFile string // "" for none
}

// searchPaths returns where supervisorctl looks for a configuration file
// when -c is not given, in order. argv0 is the path the program was run by;
// the first two entries are relative to the directory above its directory.
func searchPaths(argv0 string) []string {
	here := pyDirname(pyDirname(argv0))
	join := func(parts ...string) string {
		if here == "" {
			return strings.Join(parts, "/")
		}
		return strings.TrimSuffix(here, "/") + "/" + strings.Join(parts, "/")
	}
	return []string{
		join("etc", "supervisord.conf"),
		join("supervisord.conf"),
		"supervisord.conf",
		"etc/supervisord.conf",
		"/etc/supervisord.conf",
		"/etc/supervisor/supervisord.conf",
	}
}

// pyDirname is Python's os.path.dirname: everything before the last slash,
// without trailing slashes unless that is all there is; "" for a bare name.
func pyDirname(p string) string {
	i := strings.LastIndex(p, "/")
	head := p[:i+1]
	if t := strings.TrimRight(head, "/"); t != "" {
		head = t
	}
	return head
}

// findConfig returns the first existing path of searchPaths, or "".
func findConfig(argv0 string) string {
	for _, p := range searchPaths(argv0) {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// usageError is a problem supervisorctl reports as "Error: MSG" followed by
// a pointer to -h, exiting 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// iniError is a syntax error in the file, reported the way Python's
// configparser names it (supervisorctl does not catch these: Python prints
// a traceback ending in this line and exits 1).
type iniError struct {
	class string // "configparser.ParsingError"
	msg   string
}

func (e *iniError) Error() string { return e.class + ": " + e.msg }

// readCtlConfig reads the [supervisorctl] section of the file at path.
// Values are expanded as supervisorctl does: %(ENV_X)s everywhere, and
// %(here)s (the file's directory) in serverurl and history_file.
func readCtlConfig(path string) (*ctlConfig, error) {
	abs := normalizePath(path)
	here := filepath.Dir(abs)
	if _, err := os.Stat(path); err != nil {
		return nil, &usageError{"could not find config file " + path}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &usageError{"could not read config file " + path}
	}
	ini, err := parseINI(string(data), path)
	if err != nil {
		return nil, err
	}
	sec, ok := ini.sections["supervisorctl"]
	if !ok {
		return nil, &usageError{".ini file does not include supervisorctl section"}
	}
	get := func(key string) (string, bool) {
		if v, ok := sec[key]; ok {
			return v, true
		}
		v, ok := ini.defaults[key]
		return v, ok
	}
	env := map[string]any{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env["ENV_"+k] = v
		}
	}
	withHere := map[string]any{"here": here}
	for k, v := range env {
		withHere[k] = v
	}
	// expand applies supervisorctl's expansion to a key's value, or to its
	// default when the key is absent (the default is expanded too).
	expand := func(key, def string, vars map[string]any) (string, bool, error) {
		v, ok := get(key)
		if !ok {
			v = def
		}
		out, err := pyfmt.ExpandIn(v, "supervisorctl."+key, vars)
		if err != nil {
			return "", ok, &usageError{err.Error()}
		}
		return out, ok, nil
	}

	cfg := &ctlConfig{}
	if cfg.serverURL, _, err = expand("serverurl", "http://localhost:9001", withHere); err != nil {
		return nil, err
	}
	if strings.HasPrefix(cfg.serverURL, "unix://") {
		cfg.serverURL = "unix://" + normalizePath(cfg.serverURL[len("unix://"):])
	}
	if cfg.prompt, _, err = expand("prompt", "supervisor", env); err != nil {
		return nil, err
	}
	for _, k := range []struct {
		key string
		dst **string
	}{{"username", &cfg.username}, {"password", &cfg.password}} {
		v, ok, err := expand(k.key, "", env)
		if err != nil {
			return nil, err
		}
		if ok {
			*k.dst = &v
		}
	}
	hist, _, err := expand("history_file", "", withHere)
	if err != nil {
		return nil, err
	}
	if hist != "" {
		cfg.historyFile = normalizePath(hist)
	}
	return cfg, nil
}

// normalizePath is Python's normpath(abspath(expanduser(p))).
func normalizePath(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = home + p[1:]
		}
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return filepath.Clean(p)
}

// iniFile is a parsed INI file: sections of lower-cased keys, and the
// [DEFAULT] section that supplies keys to all of them.
type iniFile struct {
	sections map[string]map[string]string
	defaults map[string]string
}

// parseINI reads Python 3's RawConfigParser dialect as supervisor configures
// it: inline comments after ; or # preceded by whitespace, full-line
// comments, continuation lines, "key = value" and "key: value", keys
// lower-cased, duplicate sections merged and duplicate keys overwritten.
func parseINI(text, name string) (*iniFile, error) {
	f := &iniFile{sections: map[string]map[string]string{}, defaults: map[string]string{}}
	var cur map[string]string
	type value struct {
		sec  map[string]string
		key  string
		rows []string
	}
	var values []*value // in order, joined at the end
	var opt *value
	indent := -1
	var errs []string

	lines := strings.SplitAfter(text, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, line := range lines {
		lineno := i + 1
		commentAt := inlineComment(line)
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
			commentAt = 0
		}
		content := line
		if commentAt >= 0 {
			content = line[:commentAt]
		}
		content = strings.TrimFunc(content, unicode.IsSpace)
		if content == "" {
			// A blank line inside a value is kept, unless a comment was on it.
			if commentAt < 0 && cur != nil && opt != nil {
				opt.rows = append(opt.rows, "")
			}
			continue
		}
		lineIndent := len(line) - len(strings.TrimLeftFunc(line, unicode.IsSpace))
		if cur != nil && opt != nil && lineIndent > indent {
			opt.rows = append(opt.rows, content)
			continue
		}
		indent = lineIndent
		if strings.HasPrefix(content, "[") && strings.LastIndex(content, "]") > 1 {
			sect := content[1:strings.LastIndex(content, "]")]
			if sect == "DEFAULT" {
				cur = f.defaults
			} else {
				if f.sections[sect] == nil {
					f.sections[sect] = map[string]string{}
				}
				cur = f.sections[sect]
			}
			opt = nil
			continue
		}
		if cur == nil {
			return nil, &iniError{"configparser.MissingSectionHeaderError",
				fmt.Sprintf("File contains no section headers.\nfile: %s, line: %d\n%s", pyrepr.Repr(name), lineno, pyrepr.Repr(line))}
		}
		k := strings.IndexAny(content, "=:")
		if k < 0 || strings.TrimFunc(content[:k], unicode.IsSpace) == "" {
			// Like configparser, keep going (and keep the current option
			// open for continuation lines) to report every bad line.
			errs = append(errs, fmt.Sprintf("\n\t[line %2d]: %s", lineno, pyrepr.Repr(line)))
			continue
		}
		key := strings.ToLower(strings.TrimRightFunc(content[:k], unicode.IsSpace))
		opt = &value{sec: cur, key: key, rows: []string{strings.TrimFunc(content[k+1:], unicode.IsSpace)}}
		values = append(values, opt)
	}
	for _, v := range values {
		v.sec[v.key] = strings.TrimRightFunc(strings.Join(v.rows, "\n"), unicode.IsSpace)
	}
	if errs != nil {
		return nil, &iniError{"configparser.ParsingError",
			"Source contains parsing errors: " + pyrepr.Repr(name) + strings.Join(errs, "")}
	}
	return f, nil
}

// inlineComment returns where an inline comment starts in line, or -1,
// following configparser's search exactly: round by round, the next ';' and
// the next '#' are found; the first of them that is at the start of the line
// or after whitespace starts the comment.
func inlineComment(line string) int {
	next := map[byte]int{';': -1, '#': -1}
	for len(next) > 0 {
		best := -1
		found := map[byte]int{}
		for _, p := range []byte{';', '#'} {
			from, ok := next[p]
			if !ok {
				continue
			}
			j := strings.IndexByte(line[from+1:], p)
			if j < 0 {
				continue
			}
			j += from + 1
			found[p] = j
			if j == 0 || isSpaceBefore(line, j) {
				if best < 0 || j < best {
					best = j
				}
			}
		}
		if best >= 0 {
			return best
		}
		next = found
	}
	return -1
}

func isSpaceBefore(s string, i int) bool {
	r := []rune(s[:i])
	return len(r) > 0 && unicode.IsSpace(r[len(r)-1])
}
