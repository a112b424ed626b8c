//go:build unix

package sys

import (
	"os"
	"syscall"
)

// PollableFile wraps a raw fd as a non-blocking *os.File served by the
// netpoller, so reads and writes park a goroutine rather than a thread and
// honour deadlines.
func PollableFile(fd int, name string) *os.File {
	_ = syscall.SetNonblock(fd, true)
	return os.NewFile(uintptr(fd), name)
}

// Close closes a raw fd, ignoring -1.
func Close(fd int) {
	if fd >= 0 {
		_ = syscall.Close(fd)
	}
}
