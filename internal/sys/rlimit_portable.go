//go:build (unix && !linux) || (linux && portablespawner)

package sys

import "errors"

// errNoRlimits is why a child with resource limits is not started here:
// the portable spawner has no way to set another process's limits between
// its fork and its exec.
var errNoRlimits = errors.New("resource limits are only supported by the Linux spawner")

func forkExecLimited(a *Attr, _ [3]int) (pid, pidfd int, err error) {
	return 0, -1, &RlimitError{Rlimit: a.Rlimits[0], Err: errNoRlimits}
}
