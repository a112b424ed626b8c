package supervisor

import (
	"fmt"
	"maps"
	"slices"

	"github.com/supervise-go/supervisor/internal/sys"
)

// Rlimit is a soft and a hard resource limit (see ProgramSpec.Rlimits),
// in the kernel's units; RlimitInfinity is unlimited.
type Rlimit struct{ Soft, Hard uint64 }

// RlimitInfinity is an unlimited resource limit (RLIM_INFINITY).
const RlimitInfinity = ^uint64(0)

// rlimitNames are the resources ProgramSpec.Rlimits may name, systemd's
// Limit* settings in lower case.
var rlimitNames = []string{"as", "core", "cpu", "data", "fsize", "locks", "memlock",
	"msgqueue", "nice", "nofile", "nproc", "rtprio", "sigpending", "stack"}

// validateRlimits reports every unknown resource and every soft limit
// above its hard one.
func (s *ProgramSpec) validateRlimits() []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(s.Rlimits)) {
		l := s.Rlimits[name]
		switch {
		case !slices.Contains(rlimitNames, name):
			errs = append(errs, fmt.Errorf("%w: resource limit %s: no such resource (known: %v)", ErrBadSpec, pyRepr(name), rlimitNames))
		case l.Soft > l.Hard:
			errs = append(errs, fmt.Errorf("%w: resource limit %s: soft limit %s above hard limit %s",
				ErrBadSpec, name, rlimitText(l.Soft), rlimitText(l.Hard)))
		}
	}
	return errs
}

// sysRlimits lists the limits for the spawner, by name.
func sysRlimits(m map[string]Rlimit) []sys.Rlimit {
	if len(m) == 0 {
		return nil
	}
	out := make([]sys.Rlimit, 0, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		out = append(out, sys.Rlimit{Name: name, Cur: m[name].Soft, Max: m[name].Hard})
	}
	return out
}

func rlimitText(v uint64) string {
	if v == RlimitInfinity {
		return "unlimited"
	}
	return fmt.Sprint(v)
}
