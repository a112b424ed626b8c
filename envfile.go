package supervisor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// MaxEnvironmentFileBytes bounds the size of an environment file
// (ProgramSpec.EnvironmentFiles, WithEnvironmentFiles); a larger one is a
// spawn error, so a runaway file costs at most this much to read at each
// spawn.
const MaxEnvironmentFileBytes = 1 << 20

// WithEnvironmentFiles names environment files read at every spawn of
// every process, over the supervisor's own environment and WithEnvironment
// and under each program's EnvironmentFiles and Environment (supervisord
// has no such setting; the config key is [supervisord]
// x_environment_file). The files, their format and their errors are as
// for ProgramSpec.EnvironmentFiles.
func WithEnvironmentFiles(paths ...string) Option {
	return func(s *Supervisor) { s.extraFiles = append([]string(nil), paths...) }
}

// EnvFileError describes a bad line of an environment file. A start that
// fails on one returns a *SpawnError (Kind ErrSpawn) with its text, which
// is also the process's ProcessInfo.SpawnErr, e.g.
// `environment file /etc/app.env, line 3: not NAME=VALUE: "junk"`.
type EnvFileError struct {
	File string // the path, without the leading '-'
	Line int    // 1-based; for a quote never closed, the line it opens on
	Msg  string // what is wrong, e.g. `not NAME=VALUE: "junk"`
}

func (e *EnvFileError) Error() string {
	return fmt.Sprintf("environment file %s, line %d: %s", e.File, e.Line, e.Msg)
}

// childEnvironment returns the child's environment for this spawn, built
// anew each time (a few microseconds beside a fork's milliseconds, and no
// copy of the supervisor's environment kept per process): the environment
// files are read again, so that a changed file takes effect at the next
// start.
func (p *Process) childEnvironment() (map[string]string, []string, error) {
	m := p.h.childEnv(p.spec)
	files := p.h.envFiles()
	if len(files) == 0 && len(p.spec.EnvironmentFiles) == 0 {
		return m, envList(m), nil
	}
	// Precedence: the supervisor's environment and WithEnvironment (in m),
	// the supervisor-wide files, the program's files, then the program's
	// Environment, which childEnv already put in m and must win again.
	for _, list := range [][]string{files, p.spec.EnvironmentFiles} {
		for _, path := range list {
			if err := loadEnvFile(path, m); err != nil {
				return nil, nil, &SpawnError{Msg: err.Error(), Kind: ErrSpawn}
			}
		}
	}
	for k, v := range p.spec.env {
		m[k] = v
	}
	return m, envList(m), nil
}

// loadEnvFile reads one environment file into env. A path that starts
// with '-' names a file that may be missing.
func loadEnvFile(path string, env map[string]string) error {
	optional := strings.HasPrefix(path, "-")
	if optional {
		path = path[1:]
	}
	// O_NONBLOCK: opening a FIFO must not block the process's goroutine;
	// anything but a regular file is refused below.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("can't read environment file %s: %v", pyRepr(path), pathErrText(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return fmt.Errorf("can't read environment file %s: %v", pyRepr(path), pathErrText(err))
	} else if !st.Mode().IsRegular() {
		return fmt.Errorf("can't read environment file %s: not a regular file", pyRepr(path))
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxEnvironmentFileBytes+1))
	if err != nil {
		return fmt.Errorf("can't read environment file %s: %v", pyRepr(path), pathErrText(err))
	}
	if len(data) > MaxEnvironmentFileBytes {
		return fmt.Errorf("environment file %s is larger than %d bytes", pyRepr(path), MaxEnvironmentFileBytes)
	}
	return parseEnvFile(path, data, env)
}

func pathErrText(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parseEnvFile parses systemd's EnvironmentFile format into env, strictly:
//
//   - blank lines, and lines whose first non-blank character is '#' or ';'
//     (comments), are skipped;
//   - every other line is NAME=VALUE, optionally after "export ", with
//     NAME matching [A-Za-z_][A-Za-z0-9_]* and blanks allowed around '=';
//   - VALUE is made of unquoted text (a backslash escapes the next
//     character; trailing blanks are dropped), 'single-quoted' text (taken
//     as is) and "double-quoted" text (\" \\ \` \$ are escapes), which
//     may span lines; a backslash at the end of a line continues the value
//     on the next line;
//   - a line that is none of these (no '=', a bad name, an unterminated
//     quote) or a NUL byte anywhere is an error naming the line.
//
// Later assignments of a name win.
func parseEnvFile(name string, data []byte, env map[string]string) error {
	bad := func(line int, format string, a ...any) error {
		return &EnvFileError{File: name, Line: line, Msg: fmt.Sprintf(format, a...)}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return bad(1+bytes.Count(data[:i], []byte("\n")), "contains a NUL byte (not a text file?)")
	}
	isBlank := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' }
	line, i, n := 1, 0, len(data)
	var val []byte
	for i < n {
		for i < n && isBlank(data[i]) {
			i++
		}
		if i == n {
			break
		}
		switch data[i] {
		case '\n':
			i++
			line++
			continue
		case '#', ';':
			for i < n && data[i] != '\n' {
				i++
			}
			continue
		}
		eq := i
		for eq < n && data[eq] != '=' && data[eq] != '\n' {
			eq++
		}
		if eq == n || data[eq] == '\n' {
			return bad(line, "not NAME=VALUE: %s", quoteShort(data[i:eq]))
		}
		key := strings.TrimRight(string(data[i:eq]), " \t")
		if rest, ok := strings.CutPrefix(key, "export"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			key = strings.TrimLeft(rest, " \t")
		}
		if !validEnvName(key) {
			return bad(line, "invalid variable name %s (want [A-Za-z_][A-Za-z0-9_]*)", quoteShort([]byte(key)))
		}
		i = eq + 1
		for i < n && (data[i] == ' ' || data[i] == '\t') {
			i++
		}
		val = val[:0]
		keep := 0 // val[:keep] is quoted or escaped: never trimmed
	value:
		for i < n {
			switch c := data[i]; c {
			case '\n':
				break value
			case '\'':
				start := line
				i++
				for {
					if i == n {
						return bad(start, "unterminated single quote")
					}
					if data[i] == '\'' {
						i++
						break
					}
					if data[i] == '\n' {
						line++
					}
					val = append(val, data[i])
					i++
				}
				keep = len(val)
			case '"':
				start := line
				i++
				for {
					if i == n {
						return bad(start, "unterminated double quote")
					}
					c := data[i]
					if c == '"' {
						i++
						break
					}
					if c == '\\' && i+1 < n {
						switch d := data[i+1]; d {
						case '\n':
							line++
							i += 2
							continue
						case '"', '\\', '`', '$':
							val = append(val, d)
							i += 2
							continue
						}
					}
					if c == '\n' {
						line++
					}
					val = append(val, c)
					i++
				}
				keep = len(val)
			case '\\':
				switch {
				case i+1 < n && data[i+1] == '\n':
					line++
					i += 2
				case i+2 < n && data[i+1] == '\r' && data[i+2] == '\n':
					line++
					i += 3
				case i+1 < n:
					val = append(val, data[i+1])
					keep = len(val)
					i += 2
				default:
					i++
				}
			default:
				val = append(val, c)
				i++
			}
		}
		for len(val) > keep && isBlank(val[len(val)-1]) {
			val = val[:len(val)-1]
		}
		env[key] = string(val)
	}
	return nil
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	return true
}

// quoteShort quotes b for an error message, cut to 40 bytes.
func quoteShort(b []byte) string {
	if len(b) > 40 {
		return fmt.Sprintf("%q...", b[:40])
	}
	return fmt.Sprintf("%q", b)
}
