package supervisor

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"log/syslog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/supervise-go/supervisor/internal/sys"
)

// Supervisor runs programs. Create it with New, add programs with Add (or
// Apply), and run it with Serve; the handles that Add returns work while
// Serve runs. All methods are safe for concurrent use.
//
// Programs belong to groups: a program's own, named after it, or an explicit
// one shared by several programs (ProgramSpec.Group, supervisord's
// [group:x]). Groups start in ascending priority and stop in descending
// priority; within a group, processes go by their program's priority.
type Supervisor struct {
	log         *slog.Logger
	clock       Clock
	baseEnv     map[string]string // the supervisor's own environment
	extraEnv    map[string]string // WithEnvironment
	extraFiles  []string          // WithEnvironmentFiles
	serverURL   string
	identifier  string
	childLogDir string
	hostname    string
	stripANSI   bool
	ticks       bool // WithTickEvents

	tapMu sync.RWMutex
	taps  map[string]outputTap // TapOutput, by group

	syslogOnce sync.Once
	syslog     *syslog.Writer // nil when syslog is unreachable

	mu       sync.Mutex
	groups   map[string]*group
	programs map[string]*Program
	addSeq   int
	// The groups and processes in start order, made when first asked for
	// after groups were added or removed (a group never changes once
	// added): getAllProcessInfo and the status page ask at every call.
	sorted  []*group
	all     []*Process
	serving bool
	served  bool
	ready   chan struct{} // closed once Serve has started the processes
	spawner *sys.Spawner
	// opMu is held (read) by every request that may start processes and
	// (write) by the shutdown, so that nothing starts once stopping began.
	opMu     sync.RWMutex
	stopping atomic.Bool

	subMu      sync.Mutex
	subs       map[*Subscription]struct{}
	subsClosed bool

	essential chan *EssentialError // the first essential process to end

	waitMu  sync.Mutex
	waiters map[*Process]struct{} // processes waiting for dependencies

	onRefused func(msg string) // tests: a refused state change
}

// group is a process group: the programs that share it, and their
// processes in start order.
type group struct {
	name     string
	priority int
	seq      int // order of addition, to break priority ties
	programs []*Program
	procs    []*Process
}

// Option configures a Supervisor.
type Option func(*Supervisor)

// WithLogger sends the supervisor's log lines (supervisord's main log
// messages, e.g. "spawned: 'foo' with pid 42") to l. The default discards
// them.
func WithLogger(l *slog.Logger) Option { return func(s *Supervisor) { s.log = l } }

// WithClock replaces the real clock; supervisortest.Clock lets tests drive
// start, retry and stop timing without sleeping.
func WithClock(c Clock) Option { return func(s *Supervisor) { s.clock = c } }

// WithEnvironment adds variables to every child's environment, under each
// program's own Environment (supervisord's [supervisord] environment).
func WithEnvironment(env map[string]string) Option {
	return func(s *Supervisor) { s.extraEnv = env }
}

// WithServerURL sets the SUPERVISOR_SERVER_URL given to children whose
// ProgramSpec.ServerURL is empty or "AUTO".
func WithServerURL(url string) Option { return func(s *Supervisor) { s.serverURL = url } }

// WithIdentifier sets the supervisor's identifier (supervisord's
// identifier, default "supervisor"), used in AUTO log file names.
func WithIdentifier(id string) Option { return func(s *Supervisor) { s.identifier = id } }

// WithChildLogDir sets the directory of AUTO child log files (supervisord's
// childlogdir). The default is the system's temporary directory. The
// supervisor does not delete old AUTO files.
func WithChildLogDir(dir string) Option { return func(s *Supervisor) { s.childLogDir = dir } }

// WithStripANSI removes ANSI escape sequences from child output before it
// is logged (supervisord's strip_ansi).
func WithStripANSI(strip bool) Option { return func(s *Supervisor) { s.stripANSI = strip } }

// New returns a Supervisor with no programs.
func New(opts ...Option) *Supervisor {
	s := &Supervisor{
		log:         slog.New(slog.DiscardHandler),
		clock:       realClock{},
		identifier:  "supervisor",
		childLogDir: os.TempDir(),
		groups:      map[string]*group{},
		programs:    map[string]*Program{},
		ready:       make(chan struct{}),
		essential:   make(chan *EssentialError, 1),
		subs:        map[*Subscription]struct{}{},
		hostname:    hostNodeName(),
	}
	for _, o := range opts {
		o(s)
	}
	s.baseEnv = map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			s.baseEnv[k] = v
		}
	}
	return s
}

// Add adds a program, in a group of its own or, with spec.Group, in a new
// explicit group of that one program (use AddGroup for a group of
// several). It fails with an error wrapping ErrBadSpec (see
// ProgramSpec.Validate) or, when the group or a program of that name
// exists, ErrAlreadyAdded. If Serve is running, the program's processes
// start at once unless NoAutostart is set.
func (s *Supervisor) Add(spec ProgramSpec) (*Program, error) {
	ps, err := s.AddGroup(spec)
	if err != nil {
		return nil, err
	}
	return ps[0], nil
}

// AddGroup adds programs that form one explicit group: each spec names the
// same Group and GroupPriority. It adds all of them or none, and returns
// their handles in the order of specs. Errors are Add's.
func (s *Supervisor) AddGroup(specs ...ProgramSpec) ([]*Program, error) {
	if len(specs) == 0 {
		return nil, fmt.Errorf("%w: no program to add", ErrBadSpec)
	}
	groups, err := s.buildGroups(specs)
	if err != nil {
		return nil, err
	}
	if len(groups) != 1 {
		return nil, fmt.Errorf("%w: programs of one AddGroup must share a group", ErrBadSpec)
	}
	if err := s.addGroups(groups); err != nil {
		return nil, err
	}
	return slices.Clone(groups[0].programs), nil
}

// addGroups installs groups built by buildGroups and, when serving,
// autostarts their processes in priority order.
func (s *Supervisor) addGroups(groups []*group) error {
	s.opMu.RLock()
	defer s.opMu.RUnlock()
	s.mu.Lock()
	for _, g := range groups {
		if _, ok := s.groups[g.name]; ok {
			s.mu.Unlock()
			return fmt.Errorf("group %q: %w", g.name, ErrAlreadyAdded)
		}
		for _, p := range g.programs {
			if _, ok := s.programs[p.spec.Name]; ok {
				s.mu.Unlock()
				return fmt.Errorf("program %q: %w", p.spec.Name, ErrAlreadyAdded)
			}
		}
	}
	if err := s.checkDependencyCyclesLocked(groups); err != nil {
		s.mu.Unlock()
		return err
	}
	if err := openGroupLogs(groups); err != nil {
		s.mu.Unlock()
		return err
	}
	for _, g := range groups {
		s.installLocked(g)
	}
	serving := s.serving && !s.stopping.Load()
	s.mu.Unlock()
	if serving {
		// opMu is held already: a second RLock could deadlock behind a
		// shutdown waiting for the write lock.
		s.autostartLocked(slices.SortedFunc(slices.Values(groups), compareGroups))
	}
	return nil
}

// buildGroups validates specs and turns them into groups, in the order
// the specs first name them.
func (s *Supervisor) buildGroups(specs []ProgramSpec) ([]*group, error) {
	byName := map[string]*group{}
	var order []*group
	programs := map[string]bool{}
	for i := range specs {
		prog := &Program{sup: s, spec: specs[i].clone()}
		spec := &prog.spec
		if programs[spec.Name] {
			return nil, fmt.Errorf("program %q: %w: listed twice", spec.Name, ErrBadSpec)
		}
		programs[spec.Name] = true
		name := spec.groupName()
		g := byName[name]
		if g == nil {
			g = &group{name: name, priority: spec.groupPriority()}
			byName[name] = g
			order = append(order, g)
		} else if spec.Group == "" || g.priority != spec.GroupPriority {
			return nil, fmt.Errorf("group %q: %w: programs disagree on the group or its priority", name, ErrBadSpec)
		}
		prog.group = g
		g.programs = append(g.programs, prog)
	}
	for _, g := range order {
		if err := s.makeProcesses(g); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// makeProcesses creates the group's processes in start order: by
// (priority, name) for a program's own group, in program order for an
// explicit group.
func (s *Supervisor) makeProcesses(g *group) error {
	seen := map[string]bool{}
	for _, prog := range g.programs {
		procs, err := prog.spec.processes(s.hostname)
		if err != nil {
			return fmt.Errorf("program %q: %w", prog.spec.Name, err)
		}
		for j := range procs {
			if seen[procs[j].name] {
				return fmt.Errorf("group %q: %w: process name %q used twice", g.name, ErrBadSpec, procs[j].name)
			}
			seen[procs[j].name] = true
			prog.procs = append(prog.procs, newProcess(s, prog, &procs[j]))
		}
		slices.SortStableFunc(prog.procs, func(a, b *Process) int {
			return strings.Compare(a.spec.name, b.spec.name)
		})
		g.procs = append(g.procs, prog.procs...)
	}
	slices.SortStableFunc(g.procs, func(a, b *Process) int {
		return cmp.Or(cmp.Compare(a.spec.Priority, b.spec.Priority), strings.Compare(a.spec.name, b.spec.name))
	})
	return nil
}

// openGroupLogs activates the log files of every process of groups, or of
// none if one fails.
func openGroupLogs(groups []*group) error {
	var opened []*channelLog
	for _, g := range groups {
		for _, p := range g.procs {
			for _, c := range p.out {
				if err := c.open(); err != nil {
					for _, o := range opened {
						o.close()
					}
					return err
				}
				opened = append(opened, c)
			}
		}
	}
	return nil
}

func (s *Supervisor) installLocked(g *group) {
	s.addSeq++
	g.seq = s.addSeq
	s.groups[g.name] = g
	s.sorted, s.all = nil, nil
	for _, p := range g.programs {
		s.programs[p.spec.Name] = p
	}
	if s.serving {
		for _, p := range g.procs {
			go p.run()
		}
	}
	s.publish(Event{Kind: EventGroupAdded, Time: s.clock.Now(), Group: g.name})
}

// Remove removes a group whose processes are all stopped, with its
// programs; their handles then fail with ErrBadName. A group with a
// process still running fails with ErrStillRunning; an unknown one with
// ErrBadName.
func (s *Supervisor) Remove(group string) error {
	s.mu.Lock()
	g, ok := s.groups[group]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("group %q: %w", group, ErrBadName)
	}
	for _, p := range g.procs {
		if !p.State().IsStopped() {
			s.mu.Unlock()
			return fmt.Errorf("group %q: %w", group, ErrStillRunning)
		}
	}
	delete(s.groups, g.name)
	s.sorted, s.all = nil, nil
	for _, p := range g.programs {
		delete(s.programs, p.spec.Name)
	}
	serving := s.serving
	s.mu.Unlock()
	if serving {
		s.quitGroup(g)
	}
	s.publish(Event{Kind: EventGroupRemoved, Time: s.clock.Now(), Group: g.name})
	s.stateChanged() // a process waiting for the group fails
	return nil
}

func (s *Supervisor) quitGroup(g *group) {
	for _, p := range g.procs {
		p.quit()
	}
}

// Programs returns every program, in start order: by group priority, then
// order of addition, then program order within a group.
func (s *Supervisor) Programs() []*Program {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Program
	for _, g := range s.sortedGroupsLocked() {
		out = append(out, g.programs...)
	}
	return out
}

// Program returns the program of that name, or an error wrapping
// ErrBadName.
func (s *Supervisor) Program(name string) (*Program, error) {
	if p := s.lookupProgram(name); p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("program %q: %w", name, ErrBadName)
}

func (s *Supervisor) lookupProgram(name string) *Program {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.programs[name]
}

// Processes returns every process, in start order (see Programs; within a
// group, by priority then name), in a slice of the caller's.
func (s *Supervisor) Processes() []*Process {
	s.mu.Lock()
	defer s.mu.Unlock()
	if all := s.allLocked(); len(all) > 0 {
		return slices.Clone(all)
	}
	return nil
}

// Process returns the process of that name in that group, or an error
// wrapping ErrBadName. A program's own group has the program's name, so
// Process("web", "web") is the single process of program web.
func (s *Supervisor) Process(group, name string) (*Process, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.groups[group]; ok {
		for _, p := range g.procs {
			if p.spec.name == name {
				return p, nil
			}
		}
	}
	return nil, fmt.Errorf("process %s: %w", makeNamespec(group, name), ErrBadName)
}

// sortedGroupsLocked returns the groups by ascending priority, ties by
// order of addition, then name. The slice is shared: do not modify it.
func (s *Supervisor) sortedGroupsLocked() []*group {
	if s.sorted == nil {
		s.sorted = make([]*group, 0, len(s.groups))
		for _, g := range s.groups {
			s.sorted = append(s.sorted, g)
		}
		slices.SortFunc(s.sorted, compareGroups)
	}
	return s.sorted
}

// compareGroups orders groups as they start: by priority, then in the order
// they were added, then by name.
func compareGroups(a, b *group) int {
	return cmp.Or(cmp.Compare(a.priority, b.priority), cmp.Compare(a.seq, b.seq), strings.Compare(a.name, b.name))
}

// allLocked returns every process in start order. The slice is shared: do
// not modify it.
func (s *Supervisor) allLocked() []*Process {
	if s.all == nil {
		s.all = []*Process{}
		for _, g := range s.sortedGroupsLocked() {
			s.all = append(s.all, g.procs...)
		}
	}
	return s.all
}

// StartProcesses starts those of procs that are not STARTING, RUNNING or
// in BACKOFF, the way [Process.Start] starts one: it forks them in the
// order given, never one before every process of a lower priority (its
// group's, then its program's) is forked, then waits for each to be
// RUNNING; ctx bounds only that wait. Their stopped dependencies
// (ProgramSpec.DependsOn) are started too, each before its dependents
// (whatever the priorities), but only procs are reported. Pass
// Processes() for all of them, a program's or a group's for those. The
// error joins a *ProcessError for each process whose start failed;
// processes already running are no error.
func (s *Supervisor) StartProcesses(ctx context.Context, procs ...*Process) error {
	return s.startMany(ctx, procs)
}

// StopProcesses stops those of procs that are running, the way
// [Process.Stop] stops one: it signals them in reverse order, then waits
// until each is stopped or ctx is done. A process of procs that others of
// procs depend on (ProgramSpec.DependsOn) is signalled only once those
// dependents are stopped, one at a time; dependents outside procs are
// left alone. The error joins a *ProcessError
// for each process that could not be stopped; processes not running are
// no error.
func (s *Supervisor) StopProcesses(ctx context.Context, procs ...*Process) error {
	return s.stopMany(ctx, procs)
}

// SignalProcesses sends sig to each of procs that has a child (see
// [Process.Signal]). The error joins a *ProcessError for each process
// that could not be signalled.
func (s *Supervisor) SignalProcesses(sig syscall.Signal, procs ...*Process) error {
	return s.signalMany(procs, sig)
}

// beginOp admits a request that may start processes: it fails with
// ErrShutdown before Serve and once the shutdown began. Call endOp after.
func (s *Supervisor) beginOp() error {
	s.opMu.RLock()
	if s.stopping.Load() || !s.isServing() {
		s.opMu.RUnlock()
		return ErrShutdown
	}
	return nil
}

func (s *Supervisor) endOp() { s.opMu.RUnlock() }

// forkMany asks each of procs to start, in order, and waits until each
// start is forked or failed. A process is not asked before every process
// of a lower priority key than its own is forked, so priorities start in
// order while processes of one priority overlap. It returns the processes
// it asked and, for each, the outcome of its fork.
func (s *Supervisor) forkMany(procs []*Process, check bool, want func(*Process) bool) ([]*Process, []error) {
	var asked []*Process
	var errs []error
	var forks []<-chan error
	waited := 0
	wait := func() {
		for ; waited < len(forks); waited++ {
			if forks[waited] != nil && errs[waited] == nil {
				errs[waited] = <-forks[waited]
			}
		}
	}
	var key [2]int
	for _, p := range procs {
		if !want(p) {
			continue
		}
		if k := p.priorityKey(); len(asked) == 0 || k != key {
			wait()
			key = k
		}
		f, err := p.requestStart(check)
		asked = append(asked, p)
		errs = append(errs, err)
		forks = append(forks, f)
	}
	wait()
	return asked, errs
}

// startMany starts procs that are not running (see Program.Start).
func (s *Supervisor) startMany(ctx context.Context, procs []*Process) error {
	if err := s.beginOp(); err != nil {
		return err
	}
	var want []*Process
	for _, p := range procs {
		if !p.State().IsRunning() {
			want = append(want, p)
		}
	}
	all, errs := s.forkMany(s.withDependencies(want), true, func(*Process) bool { return true })
	s.endOp()
	// Only the processes asked for are reported; a dependency that fails
	// fails its dependents, whose errors name it.
	var asked []*Process
	var outcome []error
	for i, p := range all {
		if !slices.Contains(want, p) {
			continue
		}
		if errs[i] == nil {
			errs[i] = p.waitStarted(ctx)
		}
		asked = append(asked, p)
		outcome = append(outcome, errs[i])
	}
	return joinProcessErrors(asked, outcome)
}

// stopMany stops procs that are running (see Program.Stop).
func (s *Supervisor) stopMany(ctx context.Context, procs []*Process) error {
	if !s.isServing() {
		return ErrShutdown
	}
	backward := slices.Clone(procs)
	slices.Reverse(backward)
	asked, errs := s.stopInOrder(ctx, [][]*Process{backward}, reqStop,
		func(p *Process) bool { return p.State().IsRunning() })
	slices.Reverse(asked)
	slices.Reverse(errs)
	return joinProcessErrors(asked, errs)
}

// signalMany signals procs that have a child.
func (s *Supervisor) signalMany(procs []*Process, sig syscall.Signal) error {
	if !s.isServing() {
		return ErrShutdown
	}
	var asked []*Process
	var errs []error
	for _, p := range procs {
		if !p.State().IsSignallable() {
			continue
		}
		asked = append(asked, p)
		errs = append(errs, p.Signal(sig))
	}
	return joinProcessErrors(asked, errs)
}

// State returns the supervisor's state: RUNNING while Serve runs and
// accepts requests, SHUTDOWN before and once it began stopping.
func (s *Supervisor) State() SupervisorState {
	if s.isServing() && !s.stopping.Load() {
		return SupervisorRunning
	}
	return SupervisorShutdown
}

// SendRemoteCommEvent publishes an EventRemoteCommunication with the given
// type and data (supervisord's sendRemoteCommEvent).
func (s *Supervisor) SendRemoteCommEvent(typ string, data []byte) {
	s.publish(Event{Kind: EventRemoteCommunication, Time: s.clock.Now(), Type: typ, Data: data})
}

func (s *Supervisor) isServing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.serving
}

// errServedTwice is what a second call of Serve returns.
var errServedTwice = errors.New("supervisor: Serve called twice")

// Serve runs the supervisor until ctx is done: it starts the processes of
// programs without NoAutostart, in priority order, and keeps every process
// in its state. When ctx is done it stops everything, group by group from
// the highest priority down, waits for every child to be reaped, and
// returns nil; only then are the subscriptions closed. Dependencies
// (ProgramSpec.DependsOn) come before priorities: a process's dependencies
// are started before it, and its dependents stopped (fully) before it.
//
// When a process of an essential program (ProgramSpec.Essential) ends for
// good before ctx is done, Serve stops everything the same way and returns
// an *EssentialError that says which process ended and the exit status to
// exit with. If ctx is done by the time the stop is over, the shutdown
// counts as asked for: Serve returns nil.
//
// Serve runs once per Supervisor: a second call, during or after the
// first, returns an error at once and changes nothing. Serve fails (and
// Ready is never closed) only if the threads that fork children cannot be
// made. It composes with errgroup, oklog/run and suture (see the
// examples).
func (s *Supervisor) Serve(ctx context.Context) error {
	s.mu.Lock()
	if s.served {
		s.mu.Unlock()
		return errServedTwice
	}
	s.served = true
	sp, err := sys.NewSpawner(spawnThreads())
	if err != nil {
		s.mu.Unlock()
		s.closeSubscriptions()
		return fmt.Errorf("supervisor: %w", err)
	}
	s.spawner = sp
	s.serving = true
	groups := s.sortedGroupsLocked()
	for _, g := range groups {
		for _, p := range g.procs {
			go p.run()
		}
	}
	s.mu.Unlock()

	s.publish(Event{Kind: EventSupervisorState, Time: s.clock.Now(), Supervisor: SupervisorRunning})
	stopTicks := make(chan struct{})
	ticksDone := make(chan struct{})
	if s.ticks {
		go func() { defer close(ticksDone); s.runTicks(stopTicks) }()
	} else {
		close(ticksDone)
	}
	s.autostart(groups)
	close(s.ready)
	var ended *EssentialError
	select {
	case <-ctx.Done():
	case ended = <-s.essential:
	}
	s.shutdown()
	close(stopTicks)
	<-ticksDone
	if ended != nil && ctx.Err() == nil {
		return ended
	}
	return nil
}

// Ready returns a channel that is closed once Serve runs and has forked
// the processes to autostart: from then on the handles can start and stop
// processes. If Serve fails it is never closed, so wait for Serve's return
// too.
func (s *Supervisor) Ready() <-chan struct{} { return s.ready }

// autostart forks the autostart processes of groups that never ran, in
// priority order, without waiting for any to reach RUNNING (as supervisord
// spawns them all in one iteration of its loop).
func (s *Supervisor) autostart(groups []*group) {
	s.opMu.RLock()
	defer s.opMu.RUnlock()
	s.autostartLocked(groups)
}

// autostartLocked is autostart for a caller that holds opMu (read).
func (s *Supervisor) autostartLocked(groups []*group) {
	if s.stopping.Load() {
		return
	}
	var procs []*Process
	for _, g := range groups {
		for _, p := range g.procs {
			if p.spec.autostart() && p.State() == Stopped {
				procs = append(procs, p)
			}
		}
	}
	s.forkMany(s.withDependencies(procs), false, func(*Process) bool { return true })
}

// shutdown stops every group, highest priority first, one group at a time,
// then ends the process goroutines, the spawner and the subscriptions.
func (s *Supervisor) shutdown() {
	s.opMu.Lock()
	s.stopping.Store(true)
	s.opMu.Unlock()
	s.publish(Event{Kind: EventSupervisorState, Time: s.clock.Now(), Supervisor: SupervisorShutdown})

	s.mu.Lock()
	groups := s.sortedGroupsLocked()
	s.mu.Unlock()
	var batches [][]*Process
	for _, g := range slices.Backward(groups) {
		procs := slices.Clone(g.procs)
		slices.SortStableFunc(procs, func(a, b *Process) int { return cmp.Compare(b.spec.Priority, a.spec.Priority) })
		batches = append(batches, procs)
	}
	s.stopInOrder(context.Background(), batches, reqShutdownStop, func(*Process) bool { return true })
	s.mu.Lock()
	s.serving = false
	s.mu.Unlock()
	for _, g := range groups {
		s.quitGroup(g)
	}
	s.spawner.Close()
	if s.syslog != nil {
		_ = s.syslog.Close()
	}
	s.closeSubscriptions()
}

// The supervisor as its processes' host (see host).

func (s *Supervisor) now() time.Time                 { return s.clock.Now() }
func (s *Supervisor) newTimer(d time.Duration) Timer { return s.clock.NewTimer(d) }
func (s *Supervisor) logger() *slog.Logger           { return s.log }
func (s *Supervisor) isStopping() bool               { return s.stopping.Load() }

func (s *Supervisor) submit(a *sys.Attr, then func(*sys.Child, error)) error {
	return s.spawner.SubmitFunc(a, then)
}

// transitionRefused reports a state change that the table refused: a bug,
// logged at ERROR (tests set onRefused to fail at once).
func (s *Supervisor) transitionRefused(msg string) {
	s.log.Error(msg)
	if s.onRefused != nil {
		s.onRefused(msg)
	}
}
