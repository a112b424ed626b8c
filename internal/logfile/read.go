package logfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"syscall"
)

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
func Read(path string, offset, length int64) ([]byte, error) {
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

// TailLog answers a client that follows the log file at path, with the
// algorithm of supervisord's tail*Log. offset is newOffset of the client's
// previous call (0 at first) and length the most bytes it wants. newOffset
// is always the current size of the file, to pass as offset next time.
//
// What comes back, as supervisord computes it: nothing when offset is at or
// past the end of the file; otherwise the last length bytes of the file (all
// of it if smaller), which can repeat bytes from before offset. overflow is
// true when more than length bytes lie past offset, i.e. the client fell
// behind and the bytes in between are skipped. For a 48-byte file:
//
//	(offset, length)  data            newOffset  overflow
//	(0, 10)           last 10 bytes   48         true
//	(0, 1000)         all 48 bytes    48         false
//	(40, 10)          last 10 bytes   48         false
//	(100, 10)         none            48         false
//
// A client that wants each byte once keeps only the last newOffset-offset
// bytes of data when that is fewer than len(data) (see the example).
//
// After the file was rotated or cleared, the client's offset is usually past
// the end of the new, smaller file: it gets nothing and the new size (the
// last row above), as from supervisord, and carries on from there; the next
// call's data then starts with the new file's first bytes if length covers
// them. If the new file has already grown past the old offset, nothing shows
// the rotation and the client gets the new file's last bytes as usual.
//
// Errors match ErrNoFile when path is "" or does not exist (supervisord's
// RPC then answers an empty string, 0 and false) and ErrFailed when the file
// cannot be read (supervisord answers an empty string, offset and false);
// offset comes back unchanged with an error. Negative arguments are not
// refused: they go through the same arithmetic, as in supervisord.
func Tail(path string, offset, length int64) (data []byte, newOffset int64, overflow bool, err error) {
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
