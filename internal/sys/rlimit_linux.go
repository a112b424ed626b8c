//go:build linux && !portablespawner

package sys

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/supervise-go/supervisor/internal/trampoline"
	"golang.org/x/sys/unix"
)

// A child with resource limits is started through a trampoline, because
// Go's fork has no hook between fork and exec. The spawning thread forks
// the supervisor's own executable (/proc/self/exe) with the child's
// attributes (process group, directory, umask, parent-death signal, fds)
// but not its user, and trampoline.EnvVar in its environment. That
// process stops in package trampoline's init, early in its
// initialization and before main runs: it sets the
// limits (setrlimit(2)), switches to the child's user and groups on its
// thread, arms the parent-death signal again (a user switch clears it) and
// execs the command in its place (same pid). The spawning thread waits for
// that exec, so a refused limit or a failed exec is a spawn error, as with
// a direct fork.
//
// The limits are set before the user switch: what may be raised is what
// the supervisor may raise. (Setting them from the supervisor with
// prlimit(2) would need CAP_SYS_RESOURCE, which containers do not grant
// root by default, for a child of another user.)
//
// The cost is one start of the supervisor's binary, paid only by children
// with limits (see BenchmarkSpawnerStartRlimit); the others are forked as
// before.

// trampolineExecTimeout bounds the wait for a trampoline's exec: only a
// binary whose package inits block before package trampoline's could
// exceed it.
const trampolineExecTimeout = 30_000 // ms

var rlimitResources = map[string]int{
	"as":         unix.RLIMIT_AS,
	"core":       unix.RLIMIT_CORE,
	"cpu":        unix.RLIMIT_CPU,
	"data":       unix.RLIMIT_DATA,
	"fsize":      unix.RLIMIT_FSIZE,
	"locks":      unix.RLIMIT_LOCKS,
	"memlock":    unix.RLIMIT_MEMLOCK,
	"msgqueue":   unix.RLIMIT_MSGQUEUE,
	"nice":       unix.RLIMIT_NICE,
	"nofile":     unix.RLIMIT_NOFILE,
	"nproc":      unix.RLIMIT_NPROC,
	"rtprio":     unix.RLIMIT_RTPRIO,
	"sigpending": unix.RLIMIT_SIGPENDING,
	"stack":      unix.RLIMIT_STACK,
}

// forkExecLimited starts a child with resource limits through the
// trampoline.
func forkExecLimited(a *Attr, files [3]int) (pid, pidfd int, err error) {
	var limits []string
	for _, l := range a.Rlimits {
		res, ok := rlimitResources[l.Name]
		if !ok {
			return 0, -1, &RlimitError{Rlimit: l, Err: errors.New("no such resource")}
		}
		limits = append(limits, fmt.Sprintf("%d=%d:%d", res, l.Cur, l.Max))
	}
	cred := ""
	if c := a.Credential; c != nil {
		groups := make([]string, len(c.Groups))
		for i, g := range c.Groups {
			groups[i] = strconv.FormatUint(uint64(g), 10)
		}
		cred = fmt.Sprintf("%d:%d:%t:%s", c.Uid, c.Gid, !c.NoSetGroups, strings.Join(groups, ","))
	}
	statusR, statusW, err := Pipe()
	if err != nil {
		return 0, -1, err
	}
	defer func() { Close(statusR); Close(statusW) }()

	childFiles := append(a.childFiles(files), uintptr(statusW))
	env := slices.DeleteFunc(slices.Clone(a.Env), func(kv string) bool {
		return strings.HasPrefix(kv, trampoline.EnvVar+"=")
	})
	env = append(env, fmt.Sprintf("%s=%d;%s;%s", trampoline.EnvVar, len(childFiles)-1, strings.Join(limits, ","), cred))
	argv := append([]string{"supervisor-rlimit-trampoline", a.Path}, a.Argv...)
	attr := *a
	attr.Credential = nil // switched by the trampoline, after the limits
	pid, pidfd, err = forkExecFiles(&attr, "/proc/self/exe", argv, env, childFiles)
	if err != nil {
		return 0, -1, err
	}
	Close(statusW)
	statusW = -1

	phase, errno, err := readTrampolineStatus(statusR)
	switch {
	case err == nil && errno == 0:
		return pid, pidfd, nil // exec'd
	case err != nil:
	case phase >= 0 && phase < len(a.Rlimits):
		err = &RlimitError{Rlimit: a.Rlimits[phase], Err: errno}
	default:
		err = errno // as from a direct fork: its user switch or exec failed
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	var ws syscall.WaitStatus
	for {
		if _, werr := syscall.Wait4(pid, &ws, 0, nil); werr != syscall.EINTR {
			break
		}
	}
	Close(pidfd)
	return 0, -1, err
}

// readTrampolineStatus waits for the trampoline's exec: end of file on its
// close-on-exec status pipe when the command runs, or what failed (the
// index of a limit, trampoline.PhaseCredential or trampoline.PhaseExec) and the errno.
func readTrampolineStatus(fd int) (phase int, errno syscall.Errno, err error) {
	var buf [8]byte
	got := 0
	for got < len(buf) {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		ready, err := unix.Poll(pfd, trampolineExecTimeout)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, 0, fmt.Errorf("waiting for the resource-limit trampoline: %w", os.NewSyscallError("poll", err))
		case ready == 0:
			return 0, 0, errors.New("the resource-limit trampoline did not exec the command within 30s")
		}
		n, err := syscall.Read(fd, buf[got:])
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, 0, fmt.Errorf("waiting for the resource-limit trampoline: %w", os.NewSyscallError("read", err))
		case n == 0 && got == 0:
			return 0, 0, nil // exec'd
		case n == 0:
			return 0, 0, errors.New("the resource-limit trampoline ended without a status")
		}
		got += n
	}
	return int(int32(binary.NativeEndian.Uint32(buf[:4]))), syscall.Errno(binary.NativeEndian.Uint32(buf[4:])), nil
}
