package sys

import "golang.org/x/sys/unix"

// SetPipeSize asks for a pipe buffer of size bytes (F_SETPIPE_SZ); errors
// are ignored, the pipe keeps its size. Other systems size pipes themselves,
// and there it does nothing.
func SetPipeSize(fd uintptr, size int) {
	_, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, size)
}
