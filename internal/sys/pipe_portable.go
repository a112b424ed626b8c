//go:build (unix && !linux) || (linux && portablespawner)

package sys

import (
	"os"
	"syscall"
)

// Pipe returns a pipe whose ends are raw close-on-exec fds, so that the end
// given to a child never passes through Go's netpoller. Without pipe2 (macOS)
// the ends are made close-on-exec under syscall.ForkLock, as package os does,
// so that no concurrent fork inherits them.
func Pipe() (r, w int, err error) {
	var fds [2]int
	syscall.ForkLock.RLock()
	err = syscall.Pipe(fds[:])
	if err == nil {
		syscall.CloseOnExec(fds[0])
		syscall.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, -1, os.NewSyscallError("pipe", err)
	}
	return fds[0], fds[1], nil
}
