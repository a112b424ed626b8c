//go:build (unix && !linux) || (linux && portablespawner)

package sys

import (
	"sync"
	"syscall"
)

// ParentDeathSignal tells whether the children get a parent-death signal:
// false here, a supervisor that dies leaves its children running.
const ParentDeathSignal = false

// umaskMu orders forks around umask changes. The umask is a property of the
// whole process here (there is no per-thread umask as with Linux's unshare
// CLONE_FS), and a child inherits it at fork: a spawn with its own umask
// sets it, forks and restores it holding umaskMu exclusively, and every
// other spawn forks holding it shared, so that none inherits another
// child's umask.
var umaskMu sync.RWMutex

// initThread has nothing to prepare: without a parent-death signal or a
// per-thread umask, the spawning goroutines need no thread of their own.
func initThread() error { return nil }

// forkExec forks and execs the child; there is no pidfd (-1).
// A child with resource limits is refused (rlimit_portable.go).
func forkExec(a *Attr, files [3]int) (pid, pidfd int, err error) {
	if len(a.Rlimits) > 0 {
		return forkExecLimited(a, files)
	}
	if a.Umask >= 0 {
		umaskMu.Lock()
		old := syscall.Umask(a.Umask)
		defer func() {
			syscall.Umask(old)
			umaskMu.Unlock()
		}()
	} else {
		umaskMu.RLock()
		defer umaskMu.RUnlock()
	}
	attr := &syscall.ProcAttr{
		Dir:   a.Dir,
		Env:   a.Env,
		Files: a.childFiles(files),
		Sys: &syscall.SysProcAttr{
			Setpgid:    true,
			Credential: a.Credential,
		},
	}
	pid, err = syscall.ForkExec(a.Path, a.Argv, attr)
	if err != nil {
		return 0, -1, err
	}
	return pid, -1, nil
}
