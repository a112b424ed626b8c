//go:build (unix && !linux) || (linux && portablespawner)

package sys

import (
	"errors"
	"testing"
)

// The portable spawner cannot set a child's limits: it refuses the spawn,
// naming the limit, and forks nothing.
func TestSpawnerRlimitUnsupported(t *testing.T) {
	sp, err := NewSpawner(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	before := openFds(t)
	_, err = sp.Start(&Attr{Path: "/bin/true", Argv: []string{"true"}, Umask: -1,
		Rlimits: []Rlimit{{Name: "core", Cur: 0, Max: 0}}})
	var rlErr *RlimitError
	if !errors.As(err, &rlErr) || !errors.Is(err, errNoRlimits) || rlErr.Rlimit.Name != "core" {
		t.Fatalf("start with a limit: %v, want an *RlimitError for core", err)
	}
	if after := openFds(t); after != before {
		t.Errorf("open fds %d after a refused spawn, %d before", after, before)
	}
}
