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

	"github.com/supervise-go/supervisor/internal/sys"
)

// Supervisor runs groups of programs. Create it with New, add programs with
// Add or Apply, and run it with Serve; the methods that act on processes
// work while Serve runs. All methods are safe for concurrent use.
type Supervisor struct {
	log         *slog.Logger
	clock       Clock
	baseEnv     map[string]string // the supervisor's own environment
	extraEnv    map[string]string // WithEnvironment
	serverURL   string
	identifier  string
	childLogDir string
	hostname    string
	stripANSI   bool

	syslogOnce sync.Once
	syslog     *syslog.Writer // nil when syslog is unreachable

	mu      sync.Mutex
	groups  map[string]*group
	addSeq  int
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
}

// group is a process group: the processes of one program, or of the
// programs of one explicit group, in start order.
type group struct {
	name     string
	priority int
	seq      int // order of addition, to break priority ties
	specs    []ProgramSpec
	procs    []*Process
}

// Option configures a Supervisor.
type Option func(*Supervisor)

// WithLogger sends the supervisor's log lines (supervisord's main log
// messages, e.g. "spawned: 'foo' with pid 42") to l. The default discards
// them.
func WithLogger(l *slog.Logger) Option { return func(s *Supervisor) { s.log = l } }

// WithClock replaces the real clock, for tests.
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
// supervisor does not delete old AUTO files; see CleanAutoLogs.
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
		ready:       make(chan struct{}),
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

// Add adds programs as new groups. Programs that name the same Group form
// one group. If Serve is running, processes with Autostart are started.
// Adding a group that exists fails with ErrAlreadyAdded.
func (s *Supervisor) Add(specs ...ProgramSpec) error {
	groups, err := s.buildGroups(specs)
	if err != nil {
		return err
	}
	return s.addGroups(groups)
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
		s.autostart(slices.SortedFunc(slices.Values(groups), compareGroups))
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
		spec := specs[i] // a private copy: the caller may reuse its slice
		if programs[spec.Name] {
			return nil, fmt.Errorf("program %q: %w: listed twice", spec.Name, ErrBadSpec)
		}
		programs[spec.Name] = true
		if err := checkName(spec.Name); err != nil {
			return nil, fmt.Errorf("program %q: %w", spec.Name, err)
		}
		name := spec.groupName()
		g := byName[name]
		if g == nil {
			g = &group{name: name, priority: spec.GroupPrio()}
			byName[name] = g
			order = append(order, g)
		} else if spec.Group == "" || g.priority != spec.GroupPriority {
			return nil, fmt.Errorf("group %q: %w: programs disagree on the group or its priority", name, ErrBadSpec)
		}
		g.specs = append(g.specs, spec)
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
	for i := range g.specs {
		procs, err := g.specs[i].processes(s.hostname)
		if err != nil {
			return fmt.Errorf("program %q: %w", g.specs[i].Name, err)
		}
		var batch []*Process
		for j := range procs {
			if seen[procs[j].name] {
				return fmt.Errorf("group %q: %w: process name %q used twice", g.name, ErrBadSpec, procs[j].name)
			}
			seen[procs[j].name] = true
			batch = append(batch, newProcess(s, &procs[j]))
		}
		slices.SortStableFunc(batch, func(a, b *Process) int {
			return cmp.Or(cmp.Compare(a.spec.Priority, b.spec.Priority), strings.Compare(a.spec.name, b.spec.name))
		})
		g.procs = append(g.procs, batch...)
	}
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
	if s.serving {
		for _, p := range g.procs {
			go p.run()
		}
	}
	s.publish(Event{Kind: EventGroupAdded, Time: s.clock.Now(), Group: g.name})
}

// Remove removes groups whose processes are all stopped. A group with a
// process still running fails with ErrStillRunning; an unknown one with
// ErrBadName.
func (s *Supervisor) Remove(names ...string) error {
	s.mu.Lock()
	var gone []*group
	for _, name := range names {
		g, ok := s.groups[name]
		if !ok {
			s.mu.Unlock()
			return fmt.Errorf("group %q: %w", name, ErrBadName)
		}
		for _, p := range g.procs {
			if !p.State().IsStopped() {
				s.mu.Unlock()
				return fmt.Errorf("group %q: %w", name, ErrStillRunning)
			}
		}
		gone = append(gone, g)
	}
	for _, g := range gone {
		delete(s.groups, g.name)
	}
	serving := s.serving
	s.mu.Unlock()
	for _, g := range gone {
		if serving {
			s.quitGroup(g)
		}
		s.publish(Event{Kind: EventGroupRemoved, Time: s.clock.Now(), Group: g.name})
	}
	return nil
}

func (s *Supervisor) quitGroup(g *group) {
	for _, p := range g.procs {
		_ = p.do(context.Background(), request{kind: reqQuit})
		<-p.done
	}
}

// Result is the outcome of an action on one process of a group or of all
// processes. Err is nil on success.
type Result struct {
	Name  string // process name
	Group string
	Err   error
}

// Namespec returns "group:name" for the result's process.
func (r Result) Namespec() string { return makeNamespec(r.Group, r.Name) }

// target is what a name given to Start, Stop, Signal... designates.
type target struct {
	procs  []*Process
	single bool // a single process was named (not a group or all)
}

// resolve finds the processes that name designates: "all", "group:*",
// "group:", "group:process", or "name" (a process whose group has its name,
// or a whole group). Processes come in start order.
func (s *Supervisor) resolve(name string) (target, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "all" {
		return target{procs: s.allLocked()}, nil
	}
	gname, pname, hasColon := strings.Cut(name, ":")
	g, ok := s.groups[gname]
	if !ok {
		return target{}, fmt.Errorf("%s: %w", name, ErrBadName)
	}
	if !hasColon {
		pname = gname
		// A bare name is the process of that name in its own group.
		for _, p := range g.procs {
			if p.spec.name == pname {
				return target{procs: []*Process{p}, single: true}, nil
			}
		}
		return target{}, fmt.Errorf("%s: %w", name, ErrBadName)
	}
	if pname == "" || pname == "*" {
		return target{procs: slices.Clone(g.procs)}, nil
	}
	for _, p := range g.procs {
		if p.spec.name == pname {
			return target{procs: []*Process{p}, single: true}, nil
		}
	}
	return target{}, fmt.Errorf("%s: %w", name, ErrBadName)
}

// sortedGroupsLocked returns the groups by ascending priority, ties by
// order of addition, then name.
func (s *Supervisor) sortedGroupsLocked() []*group {
	gs := make([]*group, 0, len(s.groups))
	for _, g := range s.groups {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, compareGroups)
	return gs
}

// compareGroups orders groups as they start: by priority, then in the order
// they were added, then by name.
func compareGroups(a, b *group) int {
	return cmp.Or(cmp.Compare(a.priority, b.priority), cmp.Compare(a.seq, b.seq), strings.Compare(a.name, b.name))
}

func (s *Supervisor) allLocked() []*Process {
	var out []*Process
	for _, g := range s.sortedGroupsLocked() {
		out = append(out, g.procs...)
	}
	return out
}

// Start starts the processes that name designates ("all", "group:*",
// "group:process" or "process"; see Result). With wait, it returns once each
// started process is RUNNING or has failed, as supervisord's startProcess
// does; ctx bounds the wait, not the start.
//
// For a single process the returned error is that process's: ErrBadName,
// a *SpawnError matching ErrNoFile or ErrNotExecutable, ErrAlreadyStarted,
// ErrSpawn (it exited before StartSecs) or ErrAbnormalTermination. For a
// group or all, processes already running are left out of the results and
// the error is nil unless the name is unknown.
func (s *Supervisor) Start(ctx context.Context, name string, wait bool) ([]Result, error) {
	t, err := s.resolve(name)
	if err != nil {
		return nil, err
	}
	s.opMu.RLock()
	if s.stopping.Load() || !s.isServing() {
		s.opMu.RUnlock()
		return nil, ErrShutdown
	}
	var results []Result
	var procs []*Process      // procs[i] is results[i]'s
	var forked []<-chan error // for a group or all, each start's fork
	for _, p := range t.procs {
		if !t.single && p.State().IsRunning() {
			continue
		}
		f, err := s.startOne(ctx, p, !t.single)
		results = append(results, Result{Name: p.spec.name, Group: p.spec.group, Err: err})
		procs = append(procs, p)
		forked = append(forked, f)
	}
	if !t.single {
		// The spawns were queued; each result waits for its fork.
		for i := range results {
			if results[i].Err == nil {
				results[i].Err = waitForked(ctx, forked[i])
			}
		}
	}
	s.opMu.RUnlock()
	if wait {
		for i := range results {
			if results[i].Err == nil {
				results[i].Err = s.waitStarted(ctx, procs[i])
			}
		}
	}
	if t.single {
		return results, results[0].Err
	}
	return results, nil
}

// startOne checks the command and asks the process to spawn. With queue,
// it returns once the spawn is queued, and the start's outcome comes later
// on the channel it returns (see waitForked).
func (s *Supervisor) startOne(ctx context.Context, p *Process, queue bool) (<-chan error, error) {
	if _, _, err := resolveCommand(p.spec.command, s.childEnv(p.spec)); err != nil {
		return nil, fmt.Errorf("%s: %w", p.Namespec(), err)
	}
	if !queue {
		return nil, p.do(ctx, request{kind: reqStart})
	}
	forked := make(chan error, 1)
	return forked, p.do(ctx, request{kind: reqStartQueued, forked: forked})
}

// waitForked waits for the outcome of a queued start: nil once the child is
// forked, else the error a start that was not queued would have returned.
func waitForked(ctx context.Context, forked <-chan error) error {
	select {
	case err := <-forked:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitStarted waits until p is RUNNING or its start failed.
func (s *Supervisor) waitStarted(ctx context.Context, p *Process) error {
	for {
		st, spawnErr, changed := p.watch()
		switch {
		case spawnErr != "":
			return fmt.Errorf("%s: %w", p.Namespec(), &SpawnError{Msg: spawnErr, Kind: ErrSpawn})
		case st == Running:
			return nil
		case st != Starting:
			return fmt.Errorf("%s: %w", p.Namespec(), ErrAbnormalTermination)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Stop stops the processes that name designates. With wait, it returns once
// each of them is in a stopped state. A stop also cancels a pending restart
// or retry. For a single process the error is that process's (ErrBadName,
// ErrNotRunning, ErrFailed); for a group or all, processes not running are
// left out of the results.
//
// Processes are signalled in reverse start order (highest priority first),
// and the results come in start order, as supervisord reports them.
func (s *Supervisor) Stop(ctx context.Context, name string, wait bool) ([]Result, error) {
	t, err := s.resolve(name)
	if err != nil {
		return nil, err
	}
	if !s.isServing() {
		return nil, ErrShutdown
	}
	var results []Result
	var stopping []*Process
	for _, p := range slices.Backward(t.procs) {
		if !t.single && !p.State().IsRunning() {
			continue
		}
		err := p.do(ctx, request{kind: reqStop})
		if err == nil {
			stopping = append(stopping, p)
		}
		results = append(results, Result{Name: p.spec.name, Group: p.spec.group, Err: err})
	}
	slices.Reverse(results)
	if wait {
		if err := s.waitStopped(ctx, stopping, true); err != nil {
			return results, err
		}
	}
	if t.single {
		return results, results[0].Err
	}
	return results, nil
}

// waitStopped waits until every process is in a stopped state, logging
// supervisord's "waiting for NAME to stop" now and then.
func (s *Supervisor) waitStopped(ctx context.Context, procs []*Process, logWait bool) error {
	for _, p := range procs {
		logged := !logWait
		for {
			st, _, changed := p.watch()
			if st.IsStopped() {
				break
			}
			if !logged {
				s.log.Info(fmt.Sprintf("waiting for %s to stop", p.spec.name))
				logged = true
			}
			select {
			case <-changed:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

// Restart stops then starts the processes that name designates, waiting
// for both like Stop and Start.
func (s *Supervisor) Restart(ctx context.Context, name string) ([]Result, error) {
	if _, err := s.Stop(ctx, name, true); err != nil && !errors.Is(err, ErrNotRunning) {
		return nil, err
	}
	return s.Start(ctx, name, true)
}

// Signal sends sig to the processes that name designates (to each child
// only, never its process group). Processes without a child fail with
// ErrNotRunning; for a group or all they are left out.
func (s *Supervisor) Signal(name string, sig syscall.Signal) ([]Result, error) {
	t, err := s.resolve(name)
	if err != nil {
		return nil, err
	}
	if !s.isServing() {
		return nil, ErrShutdown
	}
	var results []Result
	for _, p := range t.procs {
		if !t.single && !p.State().IsSignallable() {
			continue
		}
		err := p.do(context.Background(), request{kind: reqSignal, sig: sig})
		results = append(results, Result{Name: p.spec.name, Group: p.spec.group, Err: err})
	}
	if t.single {
		return results, results[0].Err
	}
	return results, nil
}

// WriteStdin writes data to the stdin of a running process (supervisord's
// sendProcessStdin). It fails with ErrNotRunning when there is no child or
// it is being stopped, and ErrNoFile when the child closed its stdin.
func (s *Supervisor) WriteStdin(name string, data []byte) error {
	t, err := s.resolve(name)
	if err != nil {
		return err
	}
	if !t.single {
		return fmt.Errorf("%s: %w: not a single process", name, ErrBadName)
	}
	p := t.procs[0]
	p.mu.Lock()
	stdin, st := p.stdin, p.state
	p.mu.Unlock()
	if stdin == nil || st == Stopping || !st.IsSignallable() {
		return fmt.Errorf("%s: %w", name, ErrNotRunning)
	}
	if _, err := stdin.Write(data); err != nil {
		if errors.Is(err, syscall.EPIPE) || errors.Is(err, os.ErrClosed) {
			return fmt.Errorf("%s: %w", name, ErrNoFile)
		}
		return fmt.Errorf("%s: %w: %v", name, ErrFailed, err)
	}
	return nil
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

// Serve runs the supervisor until ctx is done: it starts the processes that
// have Autostart, in priority order, and keeps every process in its state.
// When ctx is done it stops everything, group by group from the highest
// priority down, waits for every child to be reaped, and returns nil. Serve
// may be called once. It composes with errgroup, oklog/run and suture.
func (s *Supervisor) Serve(ctx context.Context) error {
	s.mu.Lock()
	if s.served {
		s.mu.Unlock()
		return errors.New("supervisor: Serve called twice")
	}
	s.served = true
	sp, err := sys.NewSpawner(spawnThreads())
	if err != nil {
		s.mu.Unlock()
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
	s.autostart(groups)
	close(s.ready)
	<-ctx.Done()
	s.shutdown()
	return nil
}

// Ready returns a channel that is closed once Serve runs and has started
// the Autostart processes: from then on Start, Stop and the other process
// methods work.
func (s *Supervisor) Ready() <-chan struct{} { return s.ready }

// autostart spawns the Autostart processes of groups that never ran, in
// priority order, without waiting for any to reach RUNNING (as supervisord
// spawns them all in one iteration of its loop). It queues every spawn
// first, so that the spawner forks them back to back in this order, then
// waits until each has been forked (or failed).
func (s *Supervisor) autostart(groups []*group) {
	s.opMu.RLock()
	defer s.opMu.RUnlock()
	if s.stopping.Load() {
		return
	}
	var forked []<-chan error
	for _, g := range groups {
		for _, p := range g.procs {
			if p.spec.Autostart && p.State() == Stopped {
				f := make(chan error, 1)
				if p.do(context.Background(), request{kind: reqStartQueued, forked: f}) == nil {
					forked = append(forked, f)
				}
			}
		}
	}
	for _, f := range forked {
		_ = waitForked(context.Background(), f)
	}
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
	for _, g := range slices.Backward(groups) {
		s.stopGroupForShutdown(g)
	}
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

func (s *Supervisor) stopGroupForShutdown(g *group) {
	procs := slices.Clone(g.procs)
	slices.SortStableFunc(procs, func(a, b *Process) int { return cmp.Compare(b.spec.Priority, a.spec.Priority) })
	for _, p := range procs {
		_ = p.do(context.Background(), request{kind: reqShutdownStop})
	}
	var names []string
	for _, p := range procs {
		if !p.State().IsStopped() {
			names = append(names, p.spec.name)
		}
	}
	if len(names) > 0 {
		s.log.Info("waiting for " + strings.Join(names, ", ") + " to die")
	}
	_ = s.waitStopped(context.Background(), procs, false)
}
