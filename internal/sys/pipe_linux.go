//go:build linux && !portablespawner

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
