//go:build unix

package sys

import "fmt"

// Rlimit is one resource limit that a child gets before it execs. Name is
// the resource in lower case without RLIMIT_ (nofile, nproc ...), Cur and
// Max the soft and hard limit (RLIM_INFINITY is ^uint64(0)).
type Rlimit struct {
	Name     string
	Cur, Max uint64
}

// RlimitError reports a resource limit that could not be set on a child:
// the kernel refused it (a raise without the privilege, nofile above
// fs.nr_open), or the platform has no such limit or no way to set it.
type RlimitError struct {
	Rlimit Rlimit
	Err    error
}

func (e *RlimitError) Error() string {
	return fmt.Sprintf("couldn't set resource limit %s to %s:%s: %v",
		e.Rlimit.Name, rlimitText(e.Rlimit.Cur), rlimitText(e.Rlimit.Max), e.Err)
}

func (e *RlimitError) Unwrap() error { return e.Err }

func rlimitText(v uint64) string {
	if v == ^uint64(0) {
		return "unlimited"
	}
	return fmt.Sprint(v)
}
