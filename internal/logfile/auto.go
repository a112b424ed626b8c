package logfile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
)

// AUTO child logs live in the child log directory under names that
// supervisord's mkstemp call would give them, e.g.
// foo-stdout---supervisor-0nluq_q8.log, so that tools which know those names
// (and CleanAuto of either implementation) find them.

// autoLogChars are the characters of the random part of an AUTO log name,
// those of Python's tempfile names.
const autoLogChars = "abcdefghijklmnopqrstuvwxyz0123456789_"

// autoLogAttempts bounds the search for an unused name, as mkstemp does;
// with 37^8 names a collision is already rare.
const autoLogAttempts = 10000

// autoLogPath creates an empty file named
// <process>-<channel>---<identifier>-XXXXXXXX.log in dir, with mode 0600,
// and returns its path. XXXXXXXX are eight random characters from
// [a-z0-9_]; an existing file is never reused.
func AutoPath(dir, process, channel, identifier string) (string, error) {
	prefix := process + "-" + channel + "---" + identifier + "-"
	var random [8]byte
	for range autoLogAttempts {
		for i := range random {
			random[i] = autoLogChars[rand.IntN(len(autoLogChars))]
		}
		path := filepath.Join(dir, prefix+string(random[:])+".log")
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("create AUTO log for %s %s: %w", process, channel, err)
		}
		if err := f.Close(); err != nil {
			return "", fmt.Errorf("create AUTO log for %s %s: %w", process, channel, err)
		}
		return path, nil
	}
	return "", fmt.Errorf("create AUTO log for %s %s in %s: no unused name found", process, channel, dir)
}

// autoLogPattern matches the names CleanAuto removes. As supervisord's
// pattern it is matched at the start of the name only, so anything may
// follow ".log" and a rotated AUTO log (.log.1 ... .log.N) matches too.
func autoLogPattern(identifier string) *regexp.Regexp {
	return regexp.MustCompile(`^.+?---` + regexp.QuoteMeta(identifier) + `-\S+\.log\.{0,1}\d{0,4}`)
}

// CleanAuto removes from dir the AUTO child logs, and their backups, that
// a supervisor with this identifier created: the files whose names match
// supervisord's pattern ^.+?---<identifier>-\S+\.log\.{0,1}\d{0,4} at their
// start. supervisord does this at start and on every reload unless nocleanup
// is set. Directories are left alone; a file that cannot be removed does not
// stop the others, and all such failures are returned together.
func CleanAuto(dir, identifier string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("clean AUTO logs: %w", err)
	}
	pattern := autoLogPattern(identifier)
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !pattern.MatchString(e.Name()) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("clean AUTO logs: %w", errors.Join(errs...))
	}
	return nil
}
