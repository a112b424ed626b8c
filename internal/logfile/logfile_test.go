package logfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// logTestContent returns the content of path, or "<missing>".
func logTestContent(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "<missing>"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func logTestWrite(t *testing.T, l *File, s string) {
	t.Helper()
	n, err := l.Write([]byte(s))
	if err != nil || n != len(s) {
		t.Fatalf("Write(%d bytes) = %d, %v", len(s), n, err)
	}
}

func TestLogFileRotation(t *testing.T) {
	a10, b10, c10 := strings.Repeat("a", 10), strings.Repeat("b", 10), strings.Repeat("c", 10)
	big := strings.Repeat("x", 5894)
	tests := []struct {
		name     string
		before   string // content of the file before the File opens it
		maxBytes int64
		backups  int
		writes   []string
		want     []string // want[0] is the base file, want[i] is base.i; base.len(want) must not exist
	}{
		{"below maxBytes", "", 10, 2, []string{"abc", "def"}, []string{"abcdef"}},
		{"reaching maxBytes rotates after the write", "", 10, 2, []string{"aaaaa", "bbbbb"}, []string{"", "aaaaabbbbb"}},
		{"keeps exactly backups old files", "", 10, 2, []string{a10, b10, c10, "d"}, []string{"d", c10, b10}},
		{"one backup", "", 5, 1, []string{"aaaaa", "bbbbb", "ccccc"}, []string{"", "ccccc"}},
		{"backups 0 truncates", "", 10, 0, []string{a10, "b"}, []string{"b"}},
		{"maxBytes 0 never rotates", "", 0, 2, []string{a10, b10, c10}, []string{a10 + b10 + c10}},
		{"negative maxBytes never rotates", "", -1, 2, []string{a10, b10}, []string{a10 + b10}},
		{"single write larger than maxBytes (observed)", "", 1024, 2, []string{big}, []string{"", big}},
		{"existing content counts", "xxxxxxxx", 10, 2, []string{"yy"}, []string{"", "xxxxxxxxyy"}},
		{"existing content is appended to", "old\n", 100, 2, []string{"new\n"}, []string{"old\nnew\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.log")
			if tt.before != "" {
				if err := os.WriteFile(path, []byte(tt.before), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			l := New(path, tt.maxBytes, tt.backups)
			defer l.Close()
			for _, w := range tt.writes {
				logTestWrite(t, l, w)
			}
			for i, want := range append(tt.want, "<missing>") {
				p := path
				if i > 0 {
					p += "." + strconv.Itoa(i)
				}
				if got := logTestContent(t, p); got != want {
					t.Errorf("%s = %.40q (%d bytes), want %.40q (%d bytes)", filepath.Base(p), got, len(got), want, len(want))
				}
			}
		})
	}
}

// Check 33: with maxbytes=1KB and 2 backups, x.log.1 appears once the
// writes pass 1 KiB, and the write that crosses the limit is kept whole.
func TestLogFileRotatesAfterWriteNotBefore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	l := New(path, 1024, 2)
	defer l.Close()
	chunk := strings.Repeat("z", 99) + "\n"
	for range 10 {
		logTestWrite(t, l, chunk)
	}
	if got := len(logTestContent(t, path)); got != 1000 {
		t.Fatalf("after 1000 bytes: x.log has %d bytes", got)
	}
	if got := logTestContent(t, path+".1"); got != "<missing>" {
		t.Fatalf("rotated before reaching maxBytes")
	}
	logTestWrite(t, l, chunk)
	if got := len(logTestContent(t, path+".1")); got != 1100 {
		t.Errorf("x.log.1 has %d bytes, want 1100", got)
	}
	if got := logTestContent(t, path); got != "" {
		t.Errorf("x.log = %q after rotation, want empty", got)
	}
	logTestWrite(t, l, "next\n")
	if got := logTestContent(t, path); got != "next\n" {
		t.Errorf("x.log = %q, want the write after rotation", got)
	}
}

func TestLogFileOpensLazily(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	l := New(path, 0, 0)
	if l.Path() != path {
		t.Errorf("Path() = %q", l.Path())
	}
	if n, err := l.Write(nil); n != 0 || err != nil {
		t.Errorf("Write(nil) = %d, %v", n, err)
	}
	if err := l.Reopen(); err != nil {
		t.Errorf("Reopen before any write: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file exists without any write: %v", err)
	}
}

func TestLogFilePermissions(t *testing.T) {
	dir := t.TempDir()
	t.Run("created file", func(t *testing.T) {
		path := filepath.Join(dir, "explicit.log")
		l := New(path, 0, 0)
		defer l.Close()
		logTestWrite(t, l, "x")
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m&^0o644 != 0 || m&0o600 != 0o600 {
			t.Errorf("mode %v, want 0644 less the umask", m)
		}
	})
	t.Run("AUTO log stays private across rotation", func(t *testing.T) {
		path, err := AutoPath(dir, "foo", "stdout", "supervisor")
		if err != nil {
			t.Fatal(err)
		}
		l := New(path, 4, 1)
		defer l.Close()
		logTestWrite(t, l, "12345")
		for _, p := range []string{path, path + ".1"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if m := fi.Mode().Perm(); m != 0o600 {
				t.Errorf("%s: mode %v, want 0600", filepath.Base(p), m)
			}
		}
	})
	t.Run("private log recreated after deletion", func(t *testing.T) {
		path := filepath.Join(dir, "private.log")
		l := NewPrivate(path, 0, 0)
		defer l.Close()
		logTestWrite(t, l, "x")
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("mode %v, want 0600", m)
		}
	})
}

// Check 34's semantics for child logs: after the file is moved away, writes
// keep going to the moved file until Reopen, then to a new file at the path.
func TestLogFileReopenAfterMove(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.log")
	old := filepath.Join(dir, "x.old")
	l := New(path, 0, 0)
	defer l.Close()
	logTestWrite(t, l, "before\n")
	if err := os.Rename(path, old); err != nil {
		t.Fatal(err)
	}
	logTestWrite(t, l, "moved\n")
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	if got := logTestContent(t, path); got != "" {
		t.Errorf("Reopen did not create an empty file at the path: %q", got)
	}
	logTestWrite(t, l, "after\n")
	if got := logTestContent(t, old); got != "before\nmoved\n" {
		t.Errorf("moved file = %q", got)
	}
	if got := logTestContent(t, path); got != "after\n" {
		t.Errorf("new file = %q", got)
	}
}

func TestLogFileClear(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	l := New(path, 6, 2)
	defer l.Close()
	logTestWrite(t, l, "rotated\n") // goes to x.log.1
	logTestWrite(t, l, "abc")
	if err := l.Clear(); err != nil {
		t.Fatal(err)
	}
	if got := logTestContent(t, path); got != "" {
		t.Errorf("after Clear x.log = %q, want empty file", got)
	}
	if got := logTestContent(t, path+".1"); got != "rotated\n" {
		t.Errorf("Clear touched the backup: %q", got)
	}
	logTestWrite(t, l, "x")
	if got := logTestContent(t, path); got != "x" {
		t.Errorf("after Clear and Write x.log = %q", got)
	}

	t.Run("never written", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "y.log")
		l := New(path, 0, 0)
		defer l.Close()
		if err := l.Clear(); err != nil {
			t.Fatal(err)
		}
		if got := logTestContent(t, path); got != "" {
			t.Errorf("after Clear y.log = %q, want an empty file", got)
		}
	})
}

func TestLogFileClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	l := New(path, 0, 0)
	logTestWrite(t, l, "x")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := l.Write([]byte("y")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Write after Close: %v, want os.ErrClosed", err)
	}
	if err := l.Reopen(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Reopen after Close: %v, want os.ErrClosed", err)
	}
	if err := l.Clear(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Clear after Close: %v, want os.ErrClosed", err)
	}
	if got := logTestContent(t, path); got != "x" {
		t.Errorf("content %q", got)
	}
}

// A device is written to but never rotated or removed. The File is
// pointed at a symlink to /dev/null so that a bug here could only ever rename
// or remove the symlink.
func TestLogFileDeviceIsNeverRotated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "null.log")
	if err := os.Symlink(os.DevNull, path); err != nil {
		t.Fatal(err)
	}
	l := New(path, 10, 2)
	defer l.Close()
	for range 5 {
		logTestWrite(t, l, strings.Repeat("n", 100))
	}
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	if err := l.Clear(); err != nil {
		t.Fatal(err)
	}
	logTestWrite(t, l, "more")
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v, %v", fi, err)
	}
	if _, err := os.Lstat(path + ".1"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a device was rotated: %v", err)
	}
}

func TestLogFileFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	l := New(path, 1, 2)
	defer l.Close()

	// No reader: the open fails at once instead of blocking, and is counted.
	if _, err := l.Write([]byte("lost")); err == nil {
		t.Fatal("Write to a FIFO without a reader succeeded")
	}
	if n, last := l.Failures(); n != 1 || last == nil {
		t.Errorf("Failures() = %d, %v; want 1 and the error", n, last)
	}

	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	logTestWrite(t, l, "hello")
	logTestWrite(t, l, "world")
	got := make([]byte, 10)
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != "helloworld" {
		t.Errorf("read %q from the FIFO", got)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v, %v", fi, err)
	}
	if _, err := os.Lstat(path + ".1"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a FIFO was rotated: %v", err)
	}
}

func TestLogFileRecoversFromFailures(t *testing.T) {
	t.Run("missing directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "later")
		path := filepath.Join(dir, "x.log")
		l := New(path, 0, 0)
		defer l.Close()
		for range 2 {
			if _, err := l.Write([]byte("lost")); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("Write into a missing directory: %v", err)
			}
		}
		if n, last := l.Failures(); n != 2 || !errors.Is(last, fs.ErrNotExist) {
			t.Errorf("Failures() = %d, %v", n, last)
		}
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		logTestWrite(t, l, "ok")
		if got := logTestContent(t, path); got != "ok" {
			t.Errorf("content %q", got)
		}
	})

	t.Run("full disk", func(t *testing.T) {
		if _, err := os.Stat("/dev/full"); err != nil {
			t.Skip("no /dev/full")
		}
		path := filepath.Join(t.TempDir(), "full.log")
		if err := os.Symlink("/dev/full", path); err != nil {
			t.Fatal(err)
		}
		l := New(path, 10, 1)
		defer l.Close()
		for i := range 3 {
			if _, err := l.Write([]byte("data")); !errors.Is(err, syscall.ENOSPC) {
				t.Errorf("write %d: %v, want ENOSPC", i, err)
			}
		}
		if n, _ := l.Failures(); n != 3 {
			t.Errorf("%d failures counted, want 3", n)
		}
	})

	t.Run("rotation blocked", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.log")
		// A non-empty directory where the backup should go makes the
		// rename fail; nothing may be lost meanwhile.
		if err := os.MkdirAll(filepath.Join(path+".1", "busy"), 0o755); err != nil {
			t.Fatal(err)
		}
		l := New(path, 5, 1)
		defer l.Close()
		for _, s := range []string{"12345", "678"} {
			if n, err := l.Write([]byte(s)); n != len(s) || err == nil {
				t.Errorf("Write(%q) = %d, %v; want all written and the rotation error", s, n, err)
			}
		}
		if got := logTestContent(t, path); got != "12345678" {
			t.Errorf("content %q while rotation fails", got)
		}
		if err := os.RemoveAll(path + ".1"); err != nil {
			t.Fatal(err)
		}
		logTestWrite(t, l, "9")
		if got := logTestContent(t, path+".1"); got != "123456789" {
			t.Errorf("backup %q after recovery", got)
		}
		if got := logTestContent(t, path); got != "" {
			t.Errorf("base %q after recovery", got)
		}
	})
}

// Rotation follows the file's real size: after logrotate's copytruncate
// empties the file, the File does not rotate early.
func TestLogFileRotationUsesRealSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	l := New(path, 100, 1)
	defer l.Close()
	logTestWrite(t, l, strings.Repeat("a", 90))
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	logTestWrite(t, l, strings.Repeat("b", 20))
	if got := logTestContent(t, path); got != strings.Repeat("b", 20) {
		t.Errorf("content %q", got)
	}
	if _, err := os.Stat(path + ".1"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("rotated on a stale size")
	}
}

// Two writers (stdout and stderr) sharing one File: every Write lands
// whole, never interleaved with the other's, across rotations too.
func TestLogFileConcurrentWritesDoNotInterleave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	const backups = 60 // keeps everything: about 14 rotations
	l := New(path, 128<<10, backups)
	var wg sync.WaitGroup
	var total [2]int
	for g, letter := range []byte{'a', 'b'} {
		wg.Go(func() {
			for i := range 300 {
				rec := append(bytes.Repeat([]byte{letter}, 1+(i*7919+g*31)%6000), '\n')
				if _, err := l.Write(rec); err != nil {
					t.Error(err)
					return
				}
				total[g] += len(rec)
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	var all []byte
	for i := backups; i >= 0; i-- {
		p := path
		if i > 0 {
			p += "." + strconv.Itoa(i)
		}
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if len(all) != total[0]+total[1] {
		t.Fatalf("%d bytes in the files, %d written", len(all), total[0]+total[1])
	}
	for n, line := range bytes.Split(bytes.TrimSuffix(all, []byte("\n")), []byte("\n")) {
		if len(line) == 0 || len(bytes.Trim(line, string(line[:1]))) != 0 {
			t.Fatalf("record %d is mixed: %.60q", n, line)
		}
	}
	if _, err := os.Stat(path + ".2"); err != nil {
		t.Errorf("the test did not rotate: %v", err)
	}
}

// SetMaxAge: rotated backups older than the limit go at the next rotation;
// younger ones and the current file stay.
func TestLogFileMaxAge(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "aged.log")
	old := time.Now().Add(-48 * time.Hour)
	for _, suffix := range []string{".1", ".2"} {
		if err := os.WriteFile(path+suffix, []byte("old"+suffix), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path+suffix, old, old); err != nil {
			t.Fatal(err)
		}
	}
	l := New(path, 10, 3)
	l.SetMaxAge(24 * time.Hour)
	defer l.Close()
	if _, err := l.Write([]byte("x")); err != nil { // opening expires them
		t.Fatal(err)
	}
	for _, suffix := range []string{".1", ".2"} {
		if _, err := os.Stat(path + suffix); !os.IsNotExist(err) {
			t.Errorf("%s older than the limit was kept", suffix)
		}
	}
	if _, err := l.Write([]byte("0123456789")); err != nil { // rotates: a fresh .1
		t.Fatal(err)
	}
	if data, err := os.ReadFile(path + ".1"); err != nil || string(data) != "x0123456789" {
		t.Errorf("fresh backup: %q, %v", data, err)
	}
}

// BenchmarkLogFileWrite compares a File rotating at supervisord's default
// 50 MB (3 backups) with plain appends to an *os.File. The plain file is
// truncated every 50 MB to bound the disk space, and so is a File that
// does not rotate, which isolates the File's own cost from the kernel's
// cost of renaming and unlinking 50 MB files.
func BenchmarkLogFileWrite(b *testing.B) {
	const maxBytes = 50 << 20
	for _, size := range []int{4 << 10, 64 << 10} {
		chunk := bytes.Repeat([]byte("0123456789abcde\n"), size/16)
		b.Run(fmt.Sprintf("rotate50MBx3/%dKiB", size>>10), func(b *testing.B) {
			l := New(filepath.Join(b.TempDir(), "x.log"), maxBytes, 3)
			defer l.Close()
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := l.Write(chunk); err != nil {
					b.Fatal(err)
				}
			}
		})
		truncating := func(b *testing.B, w io.Writer, truncate func() error) {
			b.SetBytes(int64(size))
			var written int64
			for b.Loop() {
				if _, err := w.Write(chunk); err != nil {
					b.Fatal(err)
				}
				if written += int64(size); written >= maxBytes {
					if err := truncate(); err != nil {
						b.Fatal(err)
					}
					written = 0
				}
			}
		}
		b.Run(fmt.Sprintf("norotate/%dKiB", size>>10), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "x.log")
			l := New(path, 0, 0)
			defer l.Close()
			truncating(b, l, func() error { return os.Truncate(path, 0) })
		})
		b.Run(fmt.Sprintf("os.File/%dKiB", size>>10), func(b *testing.B) {
			f, err := os.OpenFile(filepath.Join(b.TempDir(), "x.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			truncating(b, f, func() error { return f.Truncate(0) })
		})
	}
}
