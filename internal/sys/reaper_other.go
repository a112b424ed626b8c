//go:build !linux

package sys

// Without a Reaper (Linux only), no registry of owned children is needed.

func forkOwned(a *Attr, files [3]int) (pid, pidfd int, err error) { return forkExec(a, files) }

func disown(int) {}
