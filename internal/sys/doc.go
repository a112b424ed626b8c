// Package sys holds the platform calls the supervisor needs: starting
// children in their own process groups from spawning threads that serve a
// queue of spawns, waiting for each child's exit, and signalling a child or
// its process group.
//
// It also reaps the orphans that a child subreaper or PID 1 adopts
// (Reaper), without ever taking a supervised child's exit status: every
// child a Spawner forks is registered as owned, under a lock held across
// the fork, until its Child.Wait has reaped it. On SIGCHLD the Reaper lists
// the process's own children (/proc/self/task/*/children) and calls
// waitpid(pid, WNOHANG) on the unowned ones only, holding that lock so that
// no fork can be half-registered and no pid reused meanwhile. It never
// waits for any child (wait4(-1) would steal a supervised status, and a
// waitid(P_ALL, WNOWAIT) peek stops at the first zombie, which may be a
// supervised one that its Child has not reaped yet).
//
// It is internal: its API follows what the root package needs, not what a
// general process library would offer.
//
// # Platforms
//
// The API is the same on every unix; Linux is the first-class target, and
// files follow the os/exec manner (spawner_linux.go, spawner_portable.go).
//
// On Linux, children are forked from locked OS threads with private
// filesystem attributes (unshare CLONE_FS), so each child's umask is set on
// its spawning thread only; every child gets SIGKILL as its parent-death
// signal, so none outlives a supervisor that dies, even by SIGKILL (and a
// closed Spawner's children die with its threads). A running child costs no
// goroutine and no thread: its pidfd, and the caller's ends of its output
// pipes while they are quiet, wait on the Spawner's [Watcher], one epoll
// instance served by one goroutine, which calls back when one becomes
// readable ([Child.WhenExited], [Watcher.Watch]). Once three quarters of
// the descriptors the process may open are open, a new child keeps no
// pidfd (three descriptors a child, as under supervisord, not four): its
// exit is learnt from SIGCHLD by the Spawner's exit notifier, one goroutine
// that asks the kernel which child exited without reaping it (waitid
// WNOWAIT) and calls back its owner, who reaps it (exits_linux.go says how
// it never takes another owner's child). Signal and SignalGroup send
// nothing once the child is reaped (the reap and the sends share a lock),
// so they cannot reach a reused pid.
//
// A child with resource limits (Attr.Rlimits) starts through a
// trampoline on Linux: a copy of the supervisor's own executable that sets
// the limits and the user, then execs the command (package
// internal/trampoline; rlimit_linux.go says why and what it costs).
//
// Elsewhere (macOS, FreeBSD and the other unixes: the portable spawner),
// the spawning threads are plain goroutines calling syscall.ForkExec, and:
//
//   - There is no parent-death signal: a supervisor that dies without
//     stopping its children (SIGKILL, a crash) leaves them running, in their
//     own process groups, and a closed Spawner's children keep running.
//   - The umask is process-wide. A spawn with its own umask sets it, forks
//     and restores it while holding a lock that every other spawn of the
//     package takes shared, so no child inherits another's umask; but until
//     that child has exec'd, the whole program has its umask (a file it
//     creates meanwhile gets it), and forks made outside this package
//     (os/exec) are not held back.
//   - Wait blocks its goroutine, and an OS thread, in the kernel (waitid or
//     wait6, through package os) until the child exits: a thread per running
//     child. Wait marks the child done before reaping it, so a Signal after
//     the reap is not sent and cannot reach a reused pid.
//   - Pipes are not resized ([SetPipeSize] does nothing).
//   - There is no Watcher: a quiet pipe costs a goroutine parked in Go's
//     netpoller.
//   - A child with resource limits fails to spawn (*RlimitError).
//
// Process groups, credentials, the working directory, the environment, the
// pipes and the meaning of Signal, SignalGroup, Wait and Release are the same
// everywhere. Building with the tag portablespawner selects the portable
// spawner on Linux too, which is how its tests run there:
//
//	go test -race -tags portablespawner ./internal/sys
//
// Other systems (Windows, Plan 9) are not supported: the package does not
// build there, with an error that says so.
package sys
