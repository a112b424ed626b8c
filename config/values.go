package config

import (
	"fmt"
	"math"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/signame"
)

// The converters below accept exactly what supervisord's datatypes accept
// and fail with its messages (spec 1.4). They return a plain error whose text
// is that message; the caller wraps it in an *Error with the location.

// pyInt parses an integer the way Python's int(s) does: surrounding
// whitespace, an optional sign, and single '_' between digits.
func pyInt(s string) (int, error) {
	n, ok := parseDigits(pyStrip(s), 10, false)
	if !ok {
		return 0, fmt.Errorf("invalid literal for int() with base 10: %s", pyRepr(s))
	}
	if n > math.MaxInt32 || n < math.MinInt32 {
		// Python has no limit; no setting needs numbers this large, and
		// refusing them keeps durations and counts from overflowing.
		return 0, fmt.Errorf("value %s is out of range", pyRepr(s))
	}
	return int(n), nil
}

var (
	truthy = []string{"yes", "true", "on", "1"}
	falsy  = []string{"no", "false", "off", "0"}
)

// pyBool is supervisord's boolean.
func pyBool(s string) (bool, error) {
	l := strings.ToLower(s)
	switch {
	case slices.Contains(truthy, l):
		return true, nil
	case slices.Contains(falsy, l):
		return false, nil
	}
	return false, fmt.Errorf("not a valid boolean value: %s", pyRepr(s))
}

// byteSize is supervisord's byte_size: an integer with an optional KB, MB
// or GB suffix (any case), in powers of 1024.
func byteSize(s string) (int64, error) {
	v := strings.ToLower(s)
	mult := int64(1)
	for _, suf := range []struct {
		s string
		m int64
	}{{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}} {
		if strings.HasSuffix(v, suf.s) {
			v, mult = v[:len(v)-2], suf.m
			break
		}
	}
	n, ok := parseDigits(pyStrip(v), 10, false)
	if !ok {
		return 0, fmt.Errorf("invalid literal for int() with base 10: %s", pyRepr(v))
	}
	if n > math.MaxInt64/mult || n < math.MinInt64/mult {
		return 0, fmt.Errorf("value %s is out of range", pyRepr(s))
	}
	return n * mult, nil
}

// octal is supervisord's octal_type (int(s, 8)).
func octal(s string) (int64, error) {
	n, ok := parseDigits(pyStrip(s), 8, true)
	if !ok {
		return 0, fmt.Errorf("%s can not be converted to an octal type", s)
	}
	return n, nil
}

// signalNumber is supervisord's signal_number: a number, or a name with or
// without SIG, in any case.
func signalNumber(s string) (syscall.Signal, error) {
	return signame.Parse(s)
}

// exitCodes is supervisord's list_of_exitcodes.
func exitCodes(s string) ([]int, error) {
	codes := []int{}
	if s == "" {
		return codes, nil
	}
	for _, part := range strings.Split(s, ",") {
		n, err := pyInt(part)
		if err != nil || n < 0 || n > 255 {
			return nil, fmt.Errorf("not a valid list of exit codes: %s", pyRepr(s))
		}
		codes = append(codes, n)
	}
	return codes, nil
}

// listOfStrings is supervisord's list_of_strings: comma separated, each
// part trimmed; empty input is an empty list.
func listOfStrings(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = pyStrip(parts[i])
	}
	return parts
}

// logLevels are supervisord's level names, lowest first.
var logLevels = []string{"blather", "trace", "debug", "info", "warn", "error", "critical"}

func logLevel(s string) (string, error) {
	l := strings.ToLower(s)
	if slices.Contains(logLevels, l) {
		return l, nil
	}
	return "", fmt.Errorf("bad logging level name %s", pyRepr(s))
}

// expandUser is Python's os.path.expanduser.
func expandUser(p string) string {
	if !strings.HasPrefix(p, "~") {
		return p
	}
	i := strings.IndexByte(p, '/')
	if i < 0 {
		i = len(p)
	}
	var home string
	if i == 1 {
		home = os.Getenv("HOME")
		if home == "" {
			u, err := user.Current()
			if err != nil {
				return p
			}
			home = u.HomeDir
		}
	} else {
		u, err := user.Lookup(p[1:i])
		if err != nil {
			return p
		}
		home = u.HomeDir
	}
	home = strings.TrimRight(home, "/")
	if home == "" {
		home = "/"
		if i < len(p) {
			home = ""
		}
	}
	return home + p[i:]
}

// pyDirname is Python's os.path.dirname.
func pyDirname(p string) string {
	i := strings.LastIndexByte(p, '/') + 1
	head := p[:i]
	if head != "" && strings.Trim(head, "/") != "" {
		head = strings.TrimRight(head, "/")
	}
	return head
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// existingDirectory is supervisord's existing_directory.
func existingDirectory(v string) (string, error) {
	nv := expandUser(v)
	if isDir(nv) {
		return nv, nil
	}
	return "", fmt.Errorf("%s is not an existing directory", v)
}

// existingDirpath is supervisord's existing_dirpath: the directory part of
// the path, if any, must exist.
func existingDirpath(v string) (string, error) {
	nv := expandUser(v)
	dir := pyDirname(nv)
	if dir == "" || isDir(dir) {
		return nv, nil
	}
	return "", fmt.Errorf("The directory named as part of the path %s does not exist", v)
}

// Special values of a child log file setting.
const (
	logNone   = ""
	logSyslog = "\x00syslog" // deprecated stdout_logfile=syslog
)

// logfileName is supervisord's logfile_name: NONE/OFF, AUTO, SYSLOG (any
// case) or a path whose directory exists.
func logfileName(v string) (string, error) {
	switch strings.ToLower(v) {
	case "none", "off":
		return logNone, nil
	case "auto":
		return supervisor.AutoLog, nil
	case "syslog":
		return logSyslog, nil
	}
	return existingDirpath(v)
}

// processOrGroupName is supervisord's process_or_group_name.
func processOrGroupName(name string) (string, error) {
	s := pyStrip(name)
	for _, c := range []string{" ", ":", "/"} {
		if strings.Contains(s, c) {
			return "", fmt.Errorf("Invalid name: %s because of character: %s", pyRepr(name), pyRepr(c))
		}
	}
	return s, nil
}

// nameToUID is supervisord's name_to_uid: a numeric uid that exists, or a
// user name.
func nameToUID(name string) (int, error) {
	if isPyInt(name) {
		n, _ := pyInt(name)
		if _, err := user.LookupId(strconv.Itoa(n)); err != nil {
			return 0, fmt.Errorf("Invalid user id %s", name)
		}
		return n, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return 0, fmt.Errorf("Invalid user name %s", name)
	}
	return strconv.Atoi(u.Uid)
}

// nameToGID is supervisord's name_to_gid.
func nameToGID(name string) (int, error) {
	if isPyInt(name) {
		n, _ := pyInt(name)
		if _, err := user.LookupGroupId(strconv.Itoa(n)); err != nil {
			return 0, fmt.Errorf("Invalid group id %s", name)
		}
		return n, nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, fmt.Errorf("Invalid group name %s", name)
	}
	return strconv.Atoi(g.Gid)
}

func isPyInt(s string) bool {
	_, err := pyInt(s)
	return err == nil
}

// userGroup is supervisord's colon_separated_user_group: "user" or
// "user:group", names or ids. Gid -1 means "not given".
func userGroup(s string) (uid, gid int, err error) {
	u, g, hasGroup := strings.Cut(s, ":")
	uid, err = nameToUID(u)
	gid = -1
	if err == nil && hasGroup {
		gid, err = nameToGID(g)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("Invalid user:group definition %s", s)
	}
	return uid, gid, nil
}

// inetAddress is supervisord's inet_address: "host:port", ":port",
// "*:port" or "port". An empty host means all interfaces.
func inetAddress(s string) (host string, port int, err error) {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		host, s = strings.ToLower(s[:i]), s[i+1:]
		if s == "" {
			return "", 0, fmt.Errorf("no port number specified in %s", pyRepr(s))
		}
		if port, err = portNumber(s); err != nil {
			return "", 0, err
		}
	} else if port, err = portNumber(s); err != nil {
		return "", 0, fmt.Errorf("not a valid port number: %s ", pyRepr(s))
	}
	if host == "*" {
		host = ""
	}
	return host, port, nil
}

func portNumber(s string) (int, error) {
	n, err := pyInt(s)
	if err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, fmt.Errorf("%d is below lower bound (1)", n)
	}
	if n > 65535 {
		return 0, fmt.Errorf("%d is above upper bound (65535)", n)
	}
	return n, nil
}

// autoRestart is supervisord's auto_restart.
func autoRestart(s string) (string, error) {
	v := strings.ToLower(s)
	switch {
	case slices.Contains(truthy, v):
		return "true", nil
	case slices.Contains(falsy, v):
		return "false", nil
	case v == "unexpected":
		return "unexpected", nil
	}
	return "", fmt.Errorf("invalid 'autorestart' value %s", pyRepr(v))
}

// normalizePath is supervisord's normalize_path: ~ expanded, made absolute
// and cleaned.
func normalizePath(v string) string {
	p, err := filepath.Abs(expandUser(v))
	if err != nil {
		return filepath.Clean(expandUser(v))
	}
	return p
}
