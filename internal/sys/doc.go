// Package sys holds the platform calls the supervisor needs on Linux:
// starting children in their own process groups from dedicated OS threads
// that serve a queue of spawns, waiting for each child's exit through a pidfd
// in Go's netpoller (no OS thread blocked per child), and signalling a child
// or its process group.
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
package sys
