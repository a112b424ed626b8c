package supervisor

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"syscall"
)

// ErrBadArguments: the offset and length given to read a log make no sense
// together (BAD_ARGUMENTS).
var ErrBadArguments = errors.New("bad arguments")

// ReadLog returns part of the log file at path, with the rules of
// supervisord's readLog and readProcess*Log:
//
//   - offset < 0: the last -offset bytes (the whole file if it is smaller);
//     length must then be 0. supervisorctl tail asks for (-1600, 0).
//   - offset >= 0, length == 0: from offset to the end of the file.
//   - offset >= 0, length > 0: up to length bytes from offset.
//   - an offset at or past the end gives no bytes and no error.
//
// Errors match, with errors.Is: ErrNoFile when path is "" or does not exist
// (checked first, as supervisord does), ErrBadArguments for a negative length
// or a negative offset with a length, and ErrFailed when the file cannot be
// read (it is a directory, a FIFO, unreadable...). The size is taken when the
// call starts, so bytes appended meanwhile are not returned. The bytes are
// returned as stored; they need not be valid UTF-8.
func ReadLog(path string, offset, length int64) ([]byte, error) {
	f, size, err := openLogForRead(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	var start, end int64
	switch {
	case offset < 0:
		if length != 0 {
			return nil, fmt.Errorf("%w: offset %d with length %d (a negative offset needs length 0)", ErrBadArguments, offset, length)
		}
		start, end = 0, size
		if offset > -size { // also false for math.MinInt64, whose negation overflows
			start = size + offset
		}
	case length < 0:
		return nil, fmt.Errorf("%w: negative length %d", ErrBadArguments, length)
	default:
		start = min(offset, size)
		end = size
		if length > 0 && length < size-start {
			end = start + length
		}
	}
	return readLogRange(f, path, start, end)
}

// TailLog returns new bytes of the log file at path for a client that polls
// it, with the algorithm of supervisord's tail*Log. offset is where the
// client's previous call ended (newOffset of that call, 0 at first) and
// length the most it wants; newOffset is always the current size of the
// file, to pass as offset to the next call.
//
// When more than length bytes are available past offset, only the last
// length bytes are returned and overflow is true, so a client that fell
// behind skips ahead rather than receiving everything. For a 48-byte file:
//
//	(offset, length)  data            newOffset  overflow
//	(0, 10)           last 10 bytes   48         true
//	(0, 1000)         all 48 bytes    48         false
//	(100, 10)         none            48         false
//
// The last row is also what a client sees after the file was rotated or
// cleared since its previous call (its offset is past the end of the new,
// smaller file): no data, and the new size as newOffset, exactly as
// supervisord answers. The client carries on from there; whatever the new
// file held before that call is not returned by TailLog (ReadLog can fetch
// it).
//
// Errors match ErrNoFile when path is "" or does not exist (supervisord's RPC
// answers ['', 0, false] then) and ErrFailed when the file cannot be read
// (supervisord answers ['', offset, false]); offset is returned unchanged
// with an error. Negative arguments are not refused: they go through the
// same arithmetic, as in supervisord.
func TailLog(path string, offset, length int64) (data []byte, newOffset int64, overflow bool, err error) {
	f, size, err := openLogForRead(path)
	if err != nil {
		return nil, offset, false, err
	}
	defer f.Close()

	// supervisord's tailFile, step by step, with sums that saturate
	// instead of wrapping so that huge arguments behave as in Python.
	if size > addSat(offset, length) {
		overflow = true
		offset = size - 1
	}
	if addSat(offset, length) > size {
		if offset > size-1 {
			length = 0
		}
		offset = size - length // length is >= 0 here, size too: no overflow
	}
	offset = max(offset, 0)
	length = max(length, 0)
	end := offset + min(length, max(size-offset, 0))
	data, err = readLogRange(f, path, offset, end)
	if err != nil {
		return nil, offset, false, err
	}
	return data, size, overflow, nil
}

// openLogForRead opens a log file for ReadLog and TailLog and returns its
// size. Opening is non-blocking so that a FIFO at path fails instead of
// waiting for a writer.
func openLogForRead(path string) (*os.File, int64, error) {
	if path == "" {
		return nil, 0, fmt.Errorf("%w: no log file", ErrNoFile)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, 0, fmt.Errorf("%w: %s", ErrNoFile, path)
		}
		return nil, 0, fmt.Errorf("%w: %w", ErrFailed, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("%w: %w", ErrFailed, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%w: %s is not a regular file", ErrFailed, path)
	}
	return f, fi.Size(), nil
}

// readLogRange reads bytes [start, end) of f. A file that shrank meanwhile
// gives what is left rather than an error.
func readLogRange(f *os.File, path string, start, end int64) ([]byte, error) {
	if end <= start {
		return []byte{}, nil
	}
	buf := make([]byte, end-start)
	n, err := f.ReadAt(buf, start)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: read %s: %w", ErrFailed, path, err)
	}
	return buf[:n], nil
}

// addSat returns a+b, clamped to the int64 range instead of wrapping.
func addSat(a, b int64) int64 {
	s := a + b
	switch {
	case a > 0 && b > 0 && s < 0:
		return math.MaxInt64
	case a < 0 && b < 0 && s >= 0:
		return math.MinInt64
	}
	return s
}
