package supervisor

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/supervise-go/supervisor/internal/sys"
	"github.com/supervise-go/supervisor/restart"
)

// Process is one supervised process of a Program: the handle an embedding
// program starts, stops, signals and inspects it through. Its methods are
// safe for concurrent use. A process whose program was removed keeps its
// last state; requests to it fail with ErrShutdown.
//
// One goroutine, started when the supervisor serves, owns the process's
// state: it alone spawns, signals and reaps the child, arms the timers and
// changes the state; the handle's methods send it requests and read
// snapshots. It never waits for a fork: the spawner's threads fork, and the
// outcome comes back to it like a child's exit does.
//
// The states and every transition between them (supervisord's, spec 3.2);
// setState refuses any other edge:
//
//	from                          to        when
//	STOPPED, EXITED, FATAL        STARTING  a start request, autostart, autorestart (STOPPED:
//	                                        also the restart after failed health checks)
//	                                        (a STARTING process has no pid until its
//	                                        fork is done)
//	STARTING                      RUNNING   up for StartSecs (at once if negative)
//	STARTING                      BACKOFF   the fork failed, or the child exited before StartSecs
//	STARTING                      FATAL     waiting for dependencies (no child yet), one of them
//	                                        can no longer be met
//	STARTING                      STOPPED   a stop request while waiting for dependencies
//	STARTING, RUNNING             STOPPING  a stop request: StopSignal sent (SIGKILL every
//	                                        StopWaitSecs after, without a state change)
//	STARTING, RUNNING, STOPPING   UNKNOWN   signalling the child failed unexpectedly
//	RUNNING                       EXITED    the child exited by itself
//	STOPPING                      STOPPED   the child exited while being stopped
//	BACKOFF                       STARTING  the retry delay elapsed
//	BACKOFF                       FATAL     the restart policy gave up, or a shutdown
//	BACKOFF                       STOPPED   a stop request (there is no child)
//	EXITED                        FATAL     the restart policy gave up on restarts
//	UNKNOWN                       STOPPED, EXITED, BACKOFF
//	                                        the child exited after all
type Process struct {
	prog *Program
	h    host
	spec *processSpec
	reqs chan request
	done chan struct{} // closed when the goroutine has returned

	mu         sync.Mutex // guards the snapshot below
	state      State
	pid        int
	laststart  time.Time // last spawn attempt
	laststop   time.Time // last reap
	exitStatus int
	spawnErr   string
	waitingFor string // the dependency a waiting STARTING process waits for
	status     string // the child's last STATUS= (sd_notify)
	count      counters
	changed    chan struct{}  // closed at the next state change; nil until watch asks for it
	out        [2]*channelLog // stdout, stderr
	outPipes   []*pipeReader  // readers of the current spawn's output pipes

	// Owned by the goroutine.
	cur              State // the state, read without the lock
	child            *sys.Child
	stdin            *stdinPipe
	forking          bool            // a spawn is queued or forking
	forkWaiter       chan error      // gets the outcome of the fork a request asked for
	deferred         []request       // requests received while forking, answered after it
	forks            chan forkResult // the queued fork's outcome; nil unless forking
	exits            chan childExit
	timer            Timer
	timerKind        timerKind
	tracker          restart.Tracker
	failures         int // consecutive failed starts (supervisord's backoff)
	killing          bool
	ran              bool               // a child of this process has exited at least once
	lastRunCode      int                // the last child's exit code (see runExitCode)
	probeCancel      context.CancelFunc // ends the readiness checks of this spawn
	probes           sync.WaitGroup
	ready            chan struct{}      // a readiness check succeeded
	readyFailed      string             // the spawn error of a start whose check timed out
	healthCancel     context.CancelFunc // ends the health checks of this run
	unhealthy        chan error         // the health checks failed HealthFailures times
	watchdog         chan struct{}      // the child sent WATCHDOG=1
	notify           *notifySocket      // the sd_notify socket, if the spec uses it
	restartAfterStop bool               // start again once stopped (a failed health check)
	waiting          bool               // STARTING, waiting for dependencies (no fork queued)
	depPoke          chan struct{}      // a process changed state: check the dependencies again
	spawnEnv         []string           // the environment of the last spawn, kept for exec: checks
	readyR, readyW   *os.File           // the x_ready fd:N pipe of the current spawn
	readers          sync.WaitGroup     // output readers of all spawns
}

// host is what a process's goroutine needs from its supervisor.
type host interface {
	now() time.Time
	newTimer(d time.Duration) Timer
	logger() *slog.Logger
	submit(a *sys.Attr, then func(*sys.Child, error)) error
	publish(e Event)
	isStopping() bool
	childEnv(p *processSpec) map[string]string
	envFiles() []string // WithEnvironmentFiles
	transitionRefused(msg string)
	essentialEnded(e *EssentialError)
	dependencyStatus(p *Process) depStatus
	setWaiting(p *Process, waiting bool)
	stateChanged()
}

type timerKind int

const (
	timerNone timerKind = iota
	timerStarted
	timerReady    // ReadyTimeout
	timerWatchdog // Watchdog
	timerRetry
	timerKill
	timerRestart
)

type requestKind int

const (
	reqStart requestKind = iota + 1
	reqStop
	reqShutdownStop // stop for supervisor shutdown: BACKOFF goes to FATAL
	reqSignal
	reqStdin
	reqQuit
)

type request struct {
	kind requestKind
	sig  syscall.Signal
	data []byte
	// reply gets the answer: for reqStart, nil once the spawn is queued,
	// or why it was refused.
	reply chan error
	// forked, for reqStart, gets the start's outcome once the fork is done
	// or failed.
	forked chan error
}

type forkResult struct {
	child *sys.Child
	err   error
}

type childExit struct {
	child  *sys.Child
	status syscall.WaitStatus
	err    error
}

func newProcess(s *Supervisor, prog *Program, spec *processSpec) *Process {
	p := &Process{
		prog:    prog,
		h:       s,
		spec:    spec,
		reqs:    make(chan request),
		done:    make(chan struct{}),
		exits:   make(chan childExit, 1),
		tracker: spec.restartPolicy().NewTracker(spec.startRetries()),
	}
	// The channels of features the spec does not use stay nil: a nil
	// channel is never ready, so run's select skips it, and an idle process
	// keeps neither the channel nor the sudog its parked select would hang
	// on it (about 200 bytes each). Sends to them are non-blocking or come
	// only from the feature's own goroutines.
	if spec.Ready != "" || spec.usesNotify() {
		p.ready = make(chan struct{}, 1) // READY=1 is read with x_watchdog alone too
	}
	if spec.Health != "" {
		p.unhealthy = make(chan error, 1)
	}
	if spec.Watchdog > 0 {
		p.watchdog = make(chan struct{}, 1)
	}
	if len(prog.spec.DependsOn) > 0 {
		p.depPoke = make(chan struct{}, 1) // only a process with dependencies waits for them
	}
	p.out[0] = newChannelLog(s, spec, ChannelStdout, &spec.stdout)
	p.out[1] = newChannelLog(s, spec, ChannelStderr, &spec.stderr)
	return p
}

// Name returns the process name, e.g. "worker_02".
func (p *Process) Name() string { return p.spec.name }

// Group returns the name of the process's group.
func (p *Process) Group() string { return p.spec.group }

// Program returns the program the process belongs to.
func (p *Process) Program() *Program { return p.prog }

// String returns "group:name", or "name" when the group has the process's
// name (supervisord's namespec).
func (p *Process) String() string { return makeNamespec(p.spec.group, p.spec.name) }

// State returns the current state.
func (p *Process) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// Start starts the process and waits until it is RUNNING (up for
// StartSecs, or ready with ProgramSpec.Ready) or its start failed. The
// start is always asked for and its fork always awaited; ctx bounds only
// the wait for RUNNING after that: if ctx ends first, Start returns
// ctx.Err() and the process goes on starting.
//
// With ProgramSpec.DependsOn, Start first starts the stopped dependencies
// (transitively, without waiting for them), and the fork is deferred
// until they are met: the wait for that counts as the wait for RUNNING.
// A dependency that cannot be met fails the start with a *SpawnError
// naming it (ErrSpawn), and the process is then FATAL.
//
// Errors: ErrShutdown when the supervisor is not serving; ErrAlreadyStarted
// when STARTING, RUNNING, BACKOFF or STOPPING; a *SpawnError wrapping
// ErrNoFile or ErrNotExecutable when the command cannot be run, ErrSpawn when
// the fork failed or the child exited before StartSecs (SpawnError.Msg says
// why); ErrAbnormalTermination when it left STARTING otherwise (a stop);
// ErrFailed in the UNKNOWN state.
func (p *Process) Start(ctx context.Context) error {
	s := p.prog.sup
	if err := s.beginOp(); err != nil {
		return err
	}
	if !p.State().IsRunning() {
		if deps := s.withDependencies([]*Process{p}); len(deps) > 1 {
			s.forkMany(deps[:len(deps)-1], false, func(*Process) bool { return true })
		}
	}
	forked, err := p.requestStart(true)
	s.endOp()
	if err == nil {
		err = <-forked
	}
	if err == nil {
		err = p.waitStarted(ctx)
	}
	return err
}

// Stop stops the process: it sends StopSignal (SIGKILL after StopWaitSecs)
// and waits until the process is STOPPED, or ctx is done (then Stop returns
// ctx.Err() and the stop goes on). A stop also cancels a pending retry or
// restart: BACKOFF goes to STOPPED at once. It fails with ErrNotRunning when
// there is nothing to stop, ErrShutdown when the supervisor is not serving,
// and ErrFailed when the child could not be signalled (the process is then
// UNKNOWN).
func (p *Process) Stop(ctx context.Context) error {
	if err := p.requestStop(); err != nil {
		return err
	}
	return p.waitStopped(ctx, true)
}

// Signal sends sig to the child (never its process group). It fails with
// ErrNotRunning when there is no child (a STARTING process has none until
// it is forked), and ErrFailed when the kernel refuses.
func (p *Process) Signal(sig syscall.Signal) error {
	return p.do(request{kind: reqSignal, sig: sig})
}

// WriteStdin queues data for the child's stdin and returns without
// waiting for the child to read it (supervisord's sendProcessStdin); the
// data is written in order by a goroutine of the child's own. It fails with
// ErrNotRunning when there is no child or it is being stopped, and with
// ErrNoFile once a write to the child's stdin failed (it closed it).
func (p *Process) WriteStdin(data []byte) error {
	return p.do(request{kind: reqStdin, data: data})
}

// priorityKey orders forks: a process is not forked before those of a
// lower key.
func (p *Process) priorityKey() [2]int { return [2]int{p.prog.group.priority, p.spec.Priority} }

// requestStart asks the goroutine to start; the returned channel gets the
// fork's outcome. With check, a command that cannot be run fails the
// request (supervisord's startProcess) instead of failing the spawn (its
// autostart).
func (p *Process) requestStart(check bool) (<-chan error, error) {
	if check {
		if _, _, err := resolveCommand(p.spec.command, p.h.childEnv(p.spec)); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	forked := make(chan error, 1)
	if err := p.do(request{kind: reqStart, forked: forked}); err != nil {
		return nil, err
	}
	return forked, nil
}

func (p *Process) requestStop() error { return p.do(request{kind: reqStop}) }

// watch returns the current state, spawn error and a channel closed at the
// next change.
func (p *Process) watch() (State, string, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.changed == nil {
		// Made on demand: most processes change state with no one
		// waiting, and an idle one then keeps no channel.
		p.changed = make(chan struct{})
	}
	return p.state, p.spawnErr, p.changed
}

// waitStarted waits until p is RUNNING or its start failed. A ctx done
// already means "do not wait": the state is not looked at.
func (p *Process) waitStarted(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for {
		st, spawnErr, changed := p.watch()
		switch {
		case spawnErr != "":
			return fmt.Errorf("%s: %w", p, &SpawnError{Msg: spawnErr, Kind: ErrSpawn})
		case st == Running:
			return nil
		case st != Starting:
			return fmt.Errorf("%s: %w", p, ErrAbnormalTermination)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// waitStopped waits until p is in a stopped state, logging supervisord's
// "waiting for NAME to stop" once with logWait.
func (p *Process) waitStopped(ctx context.Context, logWait bool) error {
	logged := !logWait
	for {
		st, _, changed := p.watch()
		if st.IsStopped() {
			return nil
		}
		if !logged {
			p.h.logger().Info(fmt.Sprintf("waiting for %s to stop", p.spec.name))
			logged = true
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// do sends a request to the goroutine and returns its answer. The
// goroutine never blocks, so the answer comes at once.
func (p *Process) do(r request) error {
	if !p.prog.sup.isServing() {
		return fmt.Errorf("%s: %w", p, ErrShutdown)
	}
	return p.send(r)
}

func (p *Process) send(r request) error {
	r.reply = make(chan error, 1)
	select {
	case p.reqs <- r:
	case <-p.done:
		return fmt.Errorf("%s: %w", p, ErrShutdown)
	}
	return <-r.reply
}

// quit ends the goroutine (see terminate) and waits for it.
func (p *Process) quit() {
	_ = p.send(request{kind: reqQuit})
	<-p.done
}

// transitions is the table of every state change setState allows.
var transitions = map[State][]State{
	Stopped:  {Starting},
	Exited:   {Starting, Fatal},
	Fatal:    {Starting},
	Backoff:  {Starting, Fatal, Stopped},
	Starting: {Running, Backoff, Stopping, Unknown, Fatal, Stopped},
	Running:  {Exited, Stopping, Unknown},
	Stopping: {Stopped, Unknown},
	Unknown:  {Stopped, Exited, Backoff},
}

func allowed(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// stateDetail carries the facts an event reports with a transition.
type stateDetail struct {
	pid        int
	exitStatus int
	expected   bool
	tries      int
}

// setState is the one place the state changes. An edge that is not in
// transitions is refused: the state stays, and the supervisor reports it
// (an error in the log; tests make it fatal).
func (p *Process) setState(to State, d stateDetail) {
	from := p.cur
	if !allowed(from, to) {
		p.h.transitionRefused(fmt.Sprintf("BUG: %s: refused state change %s -> %s", p, from, to))
		return
	}
	p.cur = to
	p.mu.Lock()
	p.state = to
	if p.changed != nil {
		close(p.changed)
		p.changed = nil
	}
	p.mu.Unlock()
	p.h.publish(Event{
		Kind: EventProcessState, Time: p.h.now(),
		Process: p.spec.name, Group: p.spec.group,
		From: from, To: to, Pid: d.pid, ExitStatus: d.exitStatus, Expected: d.expected, Tries: d.tries,
	})
	p.h.stateChanged()
}
