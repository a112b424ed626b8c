//go:build linux && !portablespawner

package sys

import (
	"fmt"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// ParentDeathSignal tells whether the children get a parent-death signal
// (SIGKILL): true on Linux, where none outlives its supervisor.
const ParentDeathSignal = true

// initThread prepares the spawning goroutine's thread: locked, with private
// filesystem attributes.
func initThread() error {
	// Never unlocked: when the spawning goroutine returns, the thread exits
	// with it, which is what we want (its private fs attributes die with it).
	runtime.LockOSThread()
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("unshare(CLONE_FS): %w", err)
	}
	return nil
}

// forkExec forks and execs the child on the spawning thread, whose umask is
// its own, and returns its pid and a pidfd for it, or -1 (see
// keepPidfd). A child with resource limits goes through the trampoline
// (rlimit_linux.go).
func forkExec(a *Attr, files [3]int) (pid, pidfd int, err error) {
	if len(a.Rlimits) > 0 {
		return forkExecLimited(a, files)
	}
	return forkExecFiles(a, a.Path, a.Argv, a.Env, a.childFiles(files))
}

// forkExecFiles forks and execs path with a's attributes but the given
// argv, environment and fds.
func forkExecFiles(a *Attr, path string, argv, env []string, files []uintptr) (pid, pidfd int, err error) {
	if a.Umask >= 0 {
		old := unix.Umask(a.Umask)
		defer unix.Umask(old)
	}
	pidfd = -1
	attr := &syscall.ProcAttr{
		Dir:   a.Dir,
		Env:   env,
		Files: files,
		Sys: &syscall.SysProcAttr{
			Setpgid:    true,
			Pdeathsig:  syscall.SIGKILL,
			Credential: a.Credential,
			PidFD:      &pidfd,
		},
	}
	pid, err = syscall.ForkExec(path, argv, attr)
	if err != nil {
		return 0, -1, err
	}
	if pidfd >= 0 && (a.noPidfd || !keepPidfd(pidfd)) {
		_ = unix.Close(pidfd)
		pidfd = -1
	}
	return pid, pidfd, nil
}

// keepPidfd tells whether a child may keep the pidfd that the kernel gave
// it, numbered fd: while fewer than three quarters of RLIMIT_NOFILE's soft
// limit are open, which fd proves, the kernel giving the lowest number
// free. Beyond that a child's exit comes from SIGCHLD (exits_linux.go)
// and it holds only its pipes, so that the limit bounds the children at
// three descriptors each, as under supervisord, not four.
func keepPidfd(fd int) bool {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return true
	}
	return uint64(fd) < lim.Cur/4*3
}
