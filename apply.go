package supervisor

import (
	"context"
	"fmt"
	"slices"
)

// Changes lists group names by what a new set of programs does to them,
// each list sorted: supervisord's reread answer.
type Changes struct {
	Added   []string // in the new set only ("available")
	Changed []string // in both, with a different configuration
	Removed []string // running now, absent from the new set ("disappeared")
}

// Diff compares specs with the groups the supervisor has, without changing
// anything. It fails as AddGroup does on a spec that does not validate.
func (s *Supervisor) Diff(specs []ProgramSpec) (Changes, error) {
	groups, err := s.buildGroups(specs)
	if err != nil {
		return Changes{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.diffLocked(groups), nil
}

func (s *Supervisor) diffLocked(groups []*group) Changes {
	var c Changes
	next := map[string]*group{}
	for _, g := range groups {
		next[g.name] = g
		old, ok := s.groups[g.name]
		switch {
		case !ok:
			c.Added = append(c.Added, g.name)
		case !sameGroup(old, g):
			c.Changed = append(c.Changed, g.name)
		}
	}
	for name := range s.groups {
		if _, ok := next[name]; !ok {
			c.Removed = append(c.Removed, name)
		}
	}
	slices.Sort(c.Added)
	slices.Sort(c.Changed)
	slices.Sort(c.Removed)
	return c
}

func sameGroup(a, b *group) bool {
	if a.priority != b.priority || len(a.programs) != len(b.programs) {
		return false
	}
	for i := range a.programs {
		if !specsEqual(&a.programs[i].spec, &b.programs[i].spec) {
			return false
		}
	}
	return true
}

// Apply makes the supervisor run exactly specs, like supervisorctl's
// reread + update: groups that disappeared are stopped and removed, changed
// groups are stopped and replaced, new groups are added (and autostarted
// when serving). Groups that did not change are not touched: their
// processes keep running with the same pids.
func (s *Supervisor) Apply(ctx context.Context, specs []ProgramSpec) (Changes, error) {
	groups, err := s.buildGroups(specs)
	if err != nil {
		return Changes{}, err
	}
	s.mu.Lock()
	c := s.diffLocked(groups)
	serving := s.serving
	s.mu.Unlock()

	for _, name := range append(slices.Clone(c.Removed), c.Changed...) {
		if serving {
			s.mu.Lock()
			g := s.groups[name]
			s.mu.Unlock()
			if g != nil {
				if err := s.stopMany(ctx, g.procs); err != nil {
					return c, fmt.Errorf("stopping group %q: %w", name, err)
				}
			}
		}
		if err := s.Remove(name); err != nil {
			return c, err
		}
	}
	// Added in the order of specs (supervisord adds its groups in priority
	// order, so a listener pool, priority -1, hears the others' additions).
	var add []*group
	for _, g := range groups {
		if slices.Contains(c.Changed, g.name) || slices.Contains(c.Added, g.name) {
			add = append(add, g)
		}
	}
	if len(add) > 0 {
		if err := s.addGroups(add); err != nil {
			return c, err
		}
	}
	return c, nil
}
