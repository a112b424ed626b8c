package logfile

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// logTest48 is the 48-byte log of the observations in the spec.
const logTest48 = "line 1 of the log\nline 2 of the log\n0123456789\n\n"

func logTestFile48(t *testing.T) string {
	t.Helper()
	if len(logTest48) != 48 {
		t.Fatalf("fixture has %d bytes", len(logTest48))
	}
	path := filepath.Join(t.TempDir(), "x.log")
	if err := os.WriteFile(path, []byte(logTest48), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadLog(t *testing.T) {
	path := logTestFile48(t)
	const s = logTest48
	tests := []struct {
		name           string
		offset, length int64
		want           string
		err            error
	}{
		{"supervisorctl tail", -1600, 0, s, nil},
		{"last bytes", -10, 0, s[38:], nil},
		{"last byte", -1, 0, s[47:], nil},
		{"exactly the size", -48, 0, s, nil},
		{"most negative offset", math.MinInt64, 0, s, nil},
		{"negative offset with length", -10, 5, "", ErrBadArguments},
		{"negative offset with negative length", -10, -5, "", ErrBadArguments},
		{"negative length", 0, -1, "", ErrBadArguments},
		{"whole file", 0, 0, s, nil},
		{"from offset to end", 40, 0, s[40:], nil},
		{"range", 5, 10, s[5:15], nil},
		{"range past end", 40, 100, s[40:], nil},
		{"huge length", 1, math.MaxInt64, s[1:], nil},
		{"offset at end", 48, 0, "", nil},
		{"offset past end", 100, 10, "", nil},
		{"huge offset", math.MaxInt64, 0, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(path, tt.offset, tt.length)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Read(%d, %d) error %v, want %v", tt.offset, tt.length, err, tt.err)
			}
			if string(got) != tt.want {
				t.Errorf("Read(%d, %d) = %q, want %q", tt.offset, tt.length, got, tt.want)
			}
		})
	}
}

func TestReadLogErrors(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		err  error
	}{
		{"no log configured", "", ErrNoFile},
		{"missing file", filepath.Join(dir, "nope.log"), ErrNoFile},
		// supervisord checks that the file exists before the arguments.
		{"missing file, bad arguments", filepath.Join(dir, "nope.log"), ErrNoFile},
		{"directory", dir, ErrFailed},
		{"FIFO does not block", fifo, ErrFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Read(tt.path, -10, 5); !errors.Is(err, tt.err) {
				t.Errorf("ReadLog: %v, want %v", err, tt.err)
			}
			data, off, overflow, err := Tail(tt.path, 7, 10)
			if !errors.Is(err, tt.err) || data != nil || off != 7 || overflow {
				t.Errorf("TailLog = %q, %d, %v, %v; want nil, 7, false, %v", data, off, overflow, err, tt.err)
			}
		})
	}
}

func TestTailLog(t *testing.T) {
	path := logTestFile48(t)
	const s = logTest48
	tests := []struct {
		name           string
		offset, length int64
		want           string
		newOffset      int64
		overflow       bool
	}{
		// Observed with supervisord 4.2.5.
		{"behind by more than length", 0, 10, s[38:], 48, true},
		{"everything fits", 0, 1000, s, 48, false},
		{"offset past the end", 100, 10, "", 48, false},
		// The rest follows the same algorithm.
		{"up to date", 48, 10, "", 48, false},
		{"fewer new bytes than length", 40, 10, s[38:], 48, false},
		{"exactly length new bytes", 38, 10, s[38:], 48, false},
		{"one more than length", 37, 10, s[38:], 48, true},
		{"offset at the last byte", 47, 10, s[38:], 48, false},
		{"zero length", 0, 0, "", 48, true},
		{"negative offset", -10, 5, s[43:], 48, true},
		{"negative length", 10, -5, "", 48, true},
		{"huge length", 0, math.MaxInt64, s, 48, false},
		{"huge offset and length", math.MaxInt64, math.MaxInt64, "", 48, false},
		{"most negative offset", math.MinInt64, 10, s[38:], 48, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, off, overflow, err := Tail(path, tt.offset, tt.length)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want || off != tt.newOffset || overflow != tt.overflow {
				t.Errorf("Tail(%d, %d) = %q, %d, %v; want %q, %d, %v",
					tt.offset, tt.length, got, off, overflow, tt.want, tt.newOffset, tt.overflow)
			}
		})
	}
}

func TestTailLogEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got, off, overflow, err := Tail(path, 0, 1600)
	if err != nil || len(got) != 0 || off != 0 || overflow {
		t.Errorf("TailLog = %q, %d, %v, %v", got, off, overflow, err)
	}
}

// A client following a log across a rotation: its offset is past the end of
// the new file, so it gets nothing and the new size, then carries on from
// there.
func TestTailLogAcrossRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	l := New(path, 40, 1)
	defer l.Close()
	logTestWrite(t, l, "0123456789012345678901234567890\n") // 32 bytes

	data, off, _, err := Tail(path, 0, 100)
	if err != nil || string(data) != "0123456789012345678901234567890\n" || off != 32 {
		t.Fatalf("first call: %q, %d, %v", data, off, err)
	}
	logTestWrite(t, l, "abcdefghij\n") // 43 bytes: rotates
	logTestWrite(t, l, "new\n")

	data, off, overflow, err := Tail(path, off, 100)
	if err != nil || len(data) != 0 || off != 4 || overflow {
		t.Fatalf("after rotation: %q, %d, %v, %v; want nothing and offset 4", data, off, overflow, err)
	}
	logTestWrite(t, l, "next\n")
	data, next, overflow, err := Tail(path, off, 100)
	if err != nil || string(data) != "new\nnext\n" || next != 9 || overflow {
		t.Errorf("next call: %q, %d, %v, %v; want the whole new file", data, next, overflow, err)
	}
	if fresh := data[max(0, int64(len(data))-(next-off)):]; string(fresh) != "next\n" {
		t.Errorf("bytes past the offset: %q", fresh)
	}
}

// A client that follows a log and wants each byte once.
func ExampleTail() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	log := New(filepath.Join(dir, "app.log"), 0, 0)
	defer log.Close()

	var offset int64
	for _, lines := range []string{"starting\n", "ready\n", "request 1\nrequest 2\nrequest 3\n"} {
		fmt.Fprint(log, lines)
		data, next, overflow, err := Tail(log.Path(), offset, 16)
		if err != nil {
			panic(err)
		}
		if !overflow {
			// TailLog returns the file's last bytes: drop those seen before.
			data = data[max(0, int64(len(data))-(next-offset)):]
		}
		fmt.Printf("%q overflow=%v\n", data, overflow)
		offset = next
	}
	// Output:
	// "starting\n" overflow=false
	// "ready\n" overflow=false
	// "est 2\nrequest 3\n" overflow=true
}
