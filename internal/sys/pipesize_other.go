//go:build unix && !linux

package sys

// SetPipeSize does nothing here: this system sizes pipes itself (Linux's
// F_SETPIPE_SZ has no counterpart).
func SetPipeSize(fd uintptr, size int) {}
