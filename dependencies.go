package supervisor

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Dependency is one entry of ProgramSpec.DependsOn: a program or group the
// program's processes wait for before they are forked (x_depends_on).
type Dependency struct {
	// Name is a program's name or an explicit group's (ProgramSpec.Group);
	// every process of it counts. A name that is both a program's and an
	// explicit group's is refused as ambiguous.
	Name string
	// Condition is what each of those processes must have reached; empty
	// means DependRunning.
	Condition DependencyCondition
}

// DependencyCondition is what a dependency must reach before its
// dependents are forked.
type DependencyCondition string

const (
	// DependRunning waits until every process of the dependency is
	// RUNNING. It fails once one of them cannot get there without a new
	// start request: FATAL, STOPPED (a stop request), or EXITED with no
	// restart to follow.
	DependRunning DependencyCondition = "running"
	// DependCompleted waits until every process of the dependency has
	// EXITED with an expected exit status (a one-shot job, a migration).
	// It fails once one of them is FATAL, STOPPED, or EXITED with an
	// unexpected status.
	DependCompleted DependencyCondition = "completed"
)

func (c DependencyCondition) orDefault() DependencyCondition {
	if c == "" {
		return DependRunning
	}
	return c
}

// String returns the entry as x_depends_on writes it: NAME or
// NAME:CONDITION.
func (d Dependency) String() string {
	if d.Condition == "" {
		return d.Name
	}
	return d.Name + ":" + string(d.Condition)
}

// Validate reports a bad name or condition, wrapping ErrBadSpec.
func (d Dependency) Validate() error {
	if err := checkName(d.Name); err != nil {
		return fmt.Errorf("depends on %s: %w", pyRepr(d.Name), err)
	}
	switch d.Condition {
	case "", DependRunning, DependCompleted:
		return nil
	}
	return fmt.Errorf("%w: depends on %s: unknown condition %s (write running or completed)",
		ErrBadSpec, pyRepr(d.Name), pyRepr(string(d.Condition)))
}

// validateDependencies reports every bad entry of s.DependsOn.
func (s *ProgramSpec) validateDependencies() []error {
	var errs []error
	seen := map[string]bool{}
	for _, d := range s.DependsOn {
		if seen[d.Name] {
			errs = append(errs, fmt.Errorf("%w: depends on %s twice", ErrBadSpec, pyRepr(d.Name)))
			continue
		}
		seen[d.Name] = true
		if err := d.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if d.Name == s.Name || (s.Group != "" && d.Name == s.Group) {
			errs = append(errs, fmt.Errorf("%w: %s depends on itself", ErrBadSpec, pyRepr(d.Name)))
		}
	}
	return errs
}

// resolveLocked returns the processes a dependency name stands for.
func (s *Supervisor) resolveLocked(name string) ([]*Process, error) {
	prog := s.programs[name]
	g := s.groups[name]
	if prog != nil && g != nil && g != prog.group || prog != nil && prog.spec.Group == name {
		return nil, fmt.Errorf("%s is ambiguous: a program and a group", pyRepr(name))
	}
	switch {
	case prog != nil:
		return prog.procs, nil
	case g != nil:
		return g.procs, nil
	}
	return nil, fmt.Errorf("no program or group %s", pyRepr(name))
}

// checkDependencyCyclesLocked refuses programs whose dependencies, with
// those of the programs already added, form a cycle.
func (s *Supervisor) checkDependencyCyclesLocked(groups []*group) error {
	progs := map[string]*Program{}
	groupProgs := map[string][]*Program{}
	for _, g := range s.groups {
		groupProgs[g.name] = g.programs
	}
	for name, p := range s.programs {
		progs[name] = p
	}
	for _, g := range groups {
		groupProgs[g.name] = g.programs
		for _, p := range g.programs {
			progs[p.spec.Name] = p
		}
	}
	targets := func(p *Program) []*Program {
		var out []*Program
		for _, d := range p.spec.DependsOn {
			if q := progs[d.Name]; q != nil {
				out = append(out, q)
			} else {
				out = append(out, groupProgs[d.Name]...)
			}
		}
		return out
	}
	const (
		unseen = iota
		onPath
		done
	)
	mark := map[*Program]int{}
	var path []string
	var visit func(p *Program) error
	visit = func(p *Program) error {
		switch mark[p] {
		case onPath:
			i := slices.Index(path, p.spec.Name)
			return fmt.Errorf("%w: dependency cycle %s", ErrBadSpec,
				strings.Join(append(slices.Clone(path[i:]), p.spec.Name), " -> "))
		case done:
			return nil
		}
		mark[p] = onPath
		path = append(path, p.spec.Name)
		for _, q := range targets(p) {
			if err := visit(q); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		mark[p] = done
		return nil
	}
	for _, g := range groups {
		for _, p := range g.programs {
			if err := visit(p); err != nil {
				return fmt.Errorf("program %q: %w", p.spec.Name, err)
			}
		}
	}
	return nil
}

// depStatus is where a process stands with its dependencies.
type depStatus struct {
	waitFor string // the first dependency not met yet, or ""
	failed  string // why a dependency can no longer be met, or ""
}

// dependencyStatus checks p's dependencies against their processes' states.
func (s *Supervisor) dependencyStatus(p *Process) depStatus {
	for _, d := range p.prog.spec.DependsOn {
		s.mu.Lock()
		procs, err := s.resolveLocked(d.Name)
		s.mu.Unlock()
		if err != nil {
			return depStatus{failed: fmt.Sprintf("dependency %s: %v", d.Name, err)}
		}
		cond := d.Condition.orDefault()
		for _, q := range procs {
			met, why := q.meets(cond)
			if why != "" {
				return depStatus{failed: fmt.Sprintf("dependency %s will not be %s: %s", d.Name, cond, why)}
			}
			if !met {
				return depStatus{waitFor: d.Name}
			}
		}
	}
	return depStatus{}
}

// meets reports whether q has reached cond, or why it cannot without a
// new start request.
func (q *Process) meets(cond DependencyCondition) (met bool, cannot string) {
	q.mu.Lock()
	st, status := q.state, q.exitStatus
	q.mu.Unlock()
	expected := q.spec.expects(status)
	switch st {
	case Running:
		return cond == DependRunning, ""
	case Fatal, Stopped:
		return false, fmt.Sprintf("%s is %s", q, st)
	case Exited:
		switch {
		case cond == DependCompleted && expected:
			return true, ""
		case cond == DependCompleted:
			return false, fmt.Sprintf("%s exited with status %d (not expected)", q, status)
		case !q.spec.restartFollows(expected):
			return false, fmt.Sprintf("%s is EXITED and will not be restarted", q)
		}
	}
	return false, ""
}

// restartFollows reports whether autorestart starts a process again after
// an exit from RUNNING (the restart policy may still give up).
func (s *ProgramSpec) restartFollows(expected bool) bool {
	switch s.AutoRestart {
	case RestartAlways:
		return true
	case RestartUnexpected:
		return !expected
	}
	return false
}

// withDependencies returns procs with the dependencies they would wait
// for and that a start request must start (transitively: those not on
// their way to the condition, i.e. stopped, FATAL, or EXITED without
// having met it), every process after the ones it depends on; otherwise
// in the order of procs.
func (s *Supervisor) withDependencies(procs []*Process) []*Process {
	in := map[*Process]bool{}
	for _, p := range procs {
		in[p] = true
	}
	emitted := map[*Process]bool{}
	var out []*Process
	var visit func(p *Process, depth int)
	visit = func(p *Process, depth int) {
		if emitted[p] || depth > 64 { // cycles are refused when programs are added
			return
		}
		for _, d := range p.prog.spec.DependsOn {
			s.mu.Lock()
			deps, err := s.resolveLocked(d.Name)
			s.mu.Unlock()
			if err != nil {
				continue // the dependent fails, naming it
			}
			for _, q := range deps {
				if in[q] {
					visit(q, depth+1)
				} else if met, _ := q.meets(d.Condition.orDefault()); !met && q.State().IsStopped() {
					visit(q, depth+1)
				}
			}
		}
		if !emitted[p] {
			emitted[p] = true
			out = append(out, p)
		}
	}
	for _, p := range procs {
		visit(p, 0)
	}
	return out
}

// dependentsIn maps each process of procs to those of procs that depend on
// it.
func (s *Supervisor) dependentsIn(procs []*Process) map[*Process][]*Process {
	in := map[*Process]bool{}
	for _, p := range procs {
		in[p] = true
	}
	out := map[*Process][]*Process{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range procs {
		for _, d := range q.prog.spec.DependsOn {
			deps, err := s.resolveLocked(d.Name)
			if err != nil {
				continue
			}
			for _, p := range deps {
				if in[p] && !slices.Contains(out[p], q) {
					out[p] = append(out[p], q)
				}
			}
		}
	}
	return out
}

// stopInOrder stops procs batch by batch (a shutdown's groups; a single
// batch for a stop request), each batch in reverse start order: before a
// process is signalled, the processes of procs that depend on it are
// stopped, one at a time, each waited for until it is fully stopped. With
// only, a process is stopped only if only says so. It returns the
// processes it asked to stop and the outcome of each.
func (s *Supervisor) stopInOrder(ctx context.Context, batches [][]*Process, kind requestKind, only func(*Process) bool) ([]*Process, []error) {
	var all []*Process
	for _, b := range batches {
		all = append(all, b...)
	}
	dependents := s.dependentsIn(all)
	handled := map[*Process]bool{}
	var asked []*Process
	var errs []error
	stopWait := func(procs []*Process) {
		var mine []*Process
		var names []string
		for _, p := range procs {
			handled[p] = true
			if !only(p) {
				continue
			}
			err := p.do(request{kind: kind})
			if kind == reqShutdownStop {
				err = nil // nothing to stop is no failure of a shutdown
			}
			asked = append(asked, p)
			errs = append(errs, err)
			mine = append(mine, p)
			if !p.State().IsStopped() {
				names = append(names, p.spec.name)
			}
		}
		if kind == reqShutdownStop && len(names) > 0 {
			s.log.Info("waiting for " + strings.Join(names, ", ") + " to die")
		}
		for _, p := range mine {
			i := slices.Index(asked, p)
			if errs[i] == nil {
				errs[i] = p.waitStopped(ctx, kind != reqShutdownStop)
			}
		}
	}
	var first func(p *Process, depth int)
	first = func(p *Process, depth int) {
		if depth > 64 {
			return
		}
		for _, q := range slices.Backward(dependents[p]) {
			if handled[q] {
				continue
			}
			first(q, depth+1)
			stopWait([]*Process{q})
		}
	}
	for _, b := range batches {
		for _, p := range b {
			if !handled[p] {
				first(p, 0)
			}
		}
		var rest []*Process
		for _, p := range b {
			if !handled[p] {
				rest = append(rest, p)
			}
		}
		stopWait(rest)
	}
	return asked, errs
}

// checkDependencies, in a STARTING process with no fork queued, forks the
// child once the dependencies are met, keeps waiting while they may still
// be, and gives up (FATAL, with a spawn error naming the dependency) once
// one cannot be met without a new start request.
func (p *Process) checkDependencies() {
	st := p.h.dependencyStatus(p)
	switch {
	case st.failed != "":
		p.stopWaiting()
		p.answerFork(&SpawnError{Msg: st.failed, Kind: ErrSpawn})
		p.mu.Lock()
		p.spawnErr = st.failed
		p.mu.Unlock()
		p.h.logger().Info("spawnerr: " + st.failed)
		p.giveUp("gave up: %s entered FATAL state, a dependency cannot be met")
	case st.waitFor != "":
		p.mu.Lock()
		changed := p.waitingFor != st.waitFor
		p.waitingFor = st.waitFor
		p.mu.Unlock()
		if !p.waiting {
			p.waiting = true
			p.h.setWaiting(p, true)
			// The start request is answered: its fork is deferred.
			p.answerFork(nil)
		}
		if changed {
			p.h.logger().Info(fmt.Sprintf("waiting: %s waits for %s to be %s", p.spec.name, st.waitFor, p.conditionOf(st.waitFor)))
			p.h.publish(Event{Kind: EventDependencyWait, Time: p.h.now(), Process: p.spec.name, Group: p.spec.group,
				Dependency: st.waitFor})
		}
	default:
		p.stopWaiting()
		p.fork()
	}
}

// conditionOf returns the condition p's spec sets for a dependency name.
func (p *Process) conditionOf(name string) DependencyCondition {
	for _, d := range p.prog.spec.DependsOn {
		if d.Name == name {
			return d.Condition.orDefault()
		}
	}
	return DependRunning
}

// stopWaiting ends a wait for dependencies.
func (p *Process) stopWaiting() {
	if p.waiting {
		p.waiting = false
		p.h.setWaiting(p, false)
	}
	p.mu.Lock()
	p.waitingFor = ""
	p.mu.Unlock()
}

// answerFork gives a start request the outcome of its fork.
func (p *Process) answerFork(err error) {
	if w := p.forkWaiter; w != nil {
		p.forkWaiter = nil
		w <- err
	}
}

// setWaiting adds p to (or removes it from) the processes that wait for
// dependencies.
func (s *Supervisor) setWaiting(p *Process, waiting bool) {
	s.waitMu.Lock()
	defer s.waitMu.Unlock()
	if waiting {
		if s.waiters == nil {
			s.waiters = map[*Process]struct{}{}
		}
		s.waiters[p] = struct{}{}
	} else {
		delete(s.waiters, p)
	}
}

// stateChanged wakes the processes that wait for dependencies to check
// them again.
func (s *Supervisor) stateChanged() {
	s.waitMu.Lock()
	defer s.waitMu.Unlock()
	for p := range s.waiters {
		select {
		case p.depPoke <- struct{}{}:
		default:
		}
	}
}
