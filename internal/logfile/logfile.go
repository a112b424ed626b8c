package logfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// File is an io.Writer that appends to one log file and rotates it the
// way supervisord does. A process's stdout and stderr each get one; the main
// log can use one too.
//
// The file is opened on the first Write, in append mode, so an explicit log
// path first appears when the process first writes to it. A file the
// File creates gets mode 0644 less the umask; once a file has been opened
// its permission bits are kept for the files that replace it on rotation or
// Clear, so an AUTO log (created 0600 when its name is chosen) stays private.
//
// Rotation is decided after each Write: when the file is at least maxBytes
// long (supervisord's tell() after the write), it is renamed to path.1
// (path.1 to path.2 and so on, keeping backups old files) and a new empty
// file is started; with backups == 0 the file is truncated instead. One
// Write is never split, so a single large Write may leave a backup bigger
// than maxBytes. maxBytes <= 0 never rotates, and a path that is not a
// regular file (/dev/stdout, a FIFO, a terminal) is never rotated, truncated
// or removed. The File never seeks. Two LogFiles should not share a path:
// each would rotate the file under the other, which would then write to the
// backup (supervisord behaves the same).
//
// A File is safe for concurrent use; each Write reaches the file whole,
// never interleaved with another Write. A failed open, write or rotation is
// returned by the Write that met it and counted (see Failures), and the
// File stays usable: a Write after a failure opens the path again, so
// logging resumes by itself once the disk or directory is back. Opening
// never blocks (a FIFO without a reader is an error), but a Write to a FIFO
// or terminal waits for room, as any writer does.
type File struct {
	path     string
	maxBytes int64
	backups  int
	maxAge   time.Duration // 0: backups are kept whatever their age

	mu      sync.Mutex
	f       *os.File // nil until the first Write, after Close or a failure
	regular bool     // f is a regular file, so it may be rotated
	size    int64    // size of f as far as this File knows
	perm    fs.FileMode
	closed  bool

	failures uint64
	lastErr  error
}

// defaultLogPerm is the mode of a log file the File creates itself,
// before the umask: readable by others like supervisord's (umask 022) files,
// never writable by them.
const defaultLogPerm fs.FileMode = 0o644

// New returns a File that writes to path, rotating it at maxBytes
// and keeping backups old files. Nothing is opened until the first Write.
func New(path string, maxBytes int64, backups int) *File {
	return &File{path: path, maxBytes: maxBytes, backups: backups, perm: defaultLogPerm}
}

// NewPrivate is New for files that must stay readable by
// their owner only (AUTO child logs), even if something deletes them and the
// File has to create them again.
func NewPrivate(path string, maxBytes int64, backups int) *File {
	l := New(path, maxBytes, backups)
	l.perm = 0o600
	return l
}

// Path returns the path the File writes to.
func (l *File) Path() string { return l.path }

// Write appends p to the file as one write, then rotates the file if it has
// reached maxBytes. n counts the bytes that reached the file; err reports a
// failed open, write or rotation (the bytes may have been written even so).
// Writing nothing does not open the file. After Close, Write returns
// os.ErrClosed.
func (l *File) Write(p []byte) (n int, err error) {
	if len(p) == 0 {
		return 0, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, os.ErrClosed
	}
	if l.f == nil {
		if err := l.open(false); err != nil {
			return 0, l.fail(err)
		}
	}
	n, err = l.f.Write(p)
	l.size += int64(n)
	if err != nil {
		// Start again from the path on the next Write: this recovers from
		// a stale descriptor as well as from a full disk.
		l.drop()
		return n, l.fail(err)
	}
	if err := l.rotateIfFull(); err != nil {
		return n, l.fail(err)
	}
	return n, nil
}

// Reopen closes the file and opens the same path again in append mode, so
// that after an external tool has moved the file away (logrotate, SIGUSR2)
// later writes go to a new file at path. Bytes written before Reopen stay in
// the old file. If no file is open (nothing was written yet, or the last
// attempt failed) Reopen does nothing: the next Write opens the path.
func (l *File) Reopen() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return os.ErrClosed
	}
	if l.f == nil {
		return nil
	}
	l.drop()
	if err := l.open(false); err != nil {
		return l.fail(err)
	}
	return nil
}

// Clear removes the file (not its backups) and opens a new empty one at the
// same path, as supervisord's clearProcessLogs and clearLog do. A path that
// names something other than a regular file is not removed, only reopened.
// If the removal fails the file is still reopened and the removal's error is
// returned.
func (l *File) Clear() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return os.ErrClosed
	}
	l.drop()
	var rmErr error
	if fi, err := os.Stat(l.path); err == nil && fi.Mode().IsRegular() {
		if err := os.Remove(l.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			rmErr = l.fail(err)
		}
	}
	if err := l.open(false); err != nil {
		return errors.Join(rmErr, l.fail(err))
	}
	return rmErr
}

// Close closes the file. The File cannot be used afterwards: Write,
// Reopen and Clear return os.ErrClosed. Closing twice is not an error.
func (l *File) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Failures returns how many opens, writes and rotations have failed so far
// and the latest of those errors (nil if none).
func (l *File) Failures() (count uint64, last error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failures, l.lastErr
}

func (l *File) fail(err error) error {
	l.failures++
	l.lastErr = err
	return err
}

// drop closes the current file, if any; a close error is of no use to
// anyone once the data has been handed to the kernel.
func (l *File) drop() {
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

// open opens l.path for appending, truncating it if truncate is set. The
// open is non-blocking so that a FIFO without a reader fails (ENXIO) instead
// of hanging the writer; Go's poller makes the later writes wait as usual.
func (l *File) open(truncate bool) error {
	flag := os.O_WRONLY | os.O_APPEND | os.O_CREATE | syscall.O_NONBLOCK
	if truncate {
		flag |= os.O_TRUNC
	}
	f, err := os.OpenFile(l.path, flag, l.perm)
	if err != nil {
		return err
	}
	l.f = f
	l.regular, l.size = false, 0
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		l.regular, l.size = true, fi.Size()
		l.perm = fi.Mode().Perm()
		l.expireBackups()
	}
	return nil
}

// SetMaxAge makes the File delete its rotated backups (path.1 ...
// path.N) once they are older than d, checked whenever it opens or rotates
// the file. Zero, the default, keeps them whatever their age. An extension:
// supervisord keeps backups until rotation pushes them out.
func (l *File) SetMaxAge(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maxAge = d
}

// expireBackups deletes the backups older than maxAge.
func (l *File) expireBackups() {
	if l.maxAge <= 0 {
		return
	}
	cutoff := time.Now().Add(-l.maxAge)
	for i := 1; i <= l.backups; i++ {
		name := l.path + "." + strconv.Itoa(i)
		if fi, err := os.Lstat(name); err == nil && fi.Mode().IsRegular() && fi.ModTime().Before(cutoff) {
			_ = os.Remove(name)
		}
	}
}

// rotateIfFull rotates the file when it has reached maxBytes. The size
// counted by Write is checked against the file's real one before rotating,
// so a file truncated behind the File's back (logrotate's copytruncate)
// is not rotated early. If a rename fails, nothing is truncated: the writer
// keeps appending to the current file and tries again after the next Write.
func (l *File) rotateIfFull() error {
	if l.maxBytes <= 0 || !l.regular || l.size < l.maxBytes {
		return nil
	}
	fi, err := l.f.Stat()
	if err != nil {
		return fmt.Errorf("rotate %s: %w", l.path, err)
	}
	if l.size = fi.Size(); l.size < l.maxBytes {
		return nil
	}
	if l.backups > 0 {
		// The oldest backup is about to be replaced. Freeing a large file's
		// pages is slow, so hold it open across the rename and let the
		// last reference go on another goroutine: the writer, and so the
		// child, does not wait for it.
		if oldest, err := os.Open(l.path + "." + strconv.Itoa(l.backups)); err == nil {
			defer func() { go oldest.Close() }()
		}
		for i := l.backups - 1; i >= 1; i-- {
			src := l.path + "." + strconv.Itoa(i)
			if _, err := os.Lstat(src); err != nil {
				continue
			}
			if err := os.Rename(src, l.path+"."+strconv.Itoa(i+1)); err != nil {
				return fmt.Errorf("rotate %s: %w", l.path, err)
			}
		}
		if err := os.Rename(l.path, l.path+".1"); err != nil {
			return fmt.Errorf("rotate %s: %w", l.path, err)
		}
	}
	// The old descriptor now points at path.1 (or at the file about to be
	// truncated); whatever happens next, it must not be written to again.
	// Opening again also expires old backups.
	l.drop()
	if err := l.open(true); err != nil {
		return fmt.Errorf("rotate %s: %w", l.path, err)
	}
	return nil
}
