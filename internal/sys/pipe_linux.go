package sys

import (
	"os"
	"syscall"
)

// Pipe returns a pipe whose ends are raw close-on-exec fds, so that the end
// given to a child never passes through Go's netpoller.
func Pipe() (r, w int, err error) {
	var fds [2]int
	if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); err != nil {
		return -1, -1, os.NewSyscallError("pipe2", err)
	}
	return fds[0], fds[1], nil
}

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
