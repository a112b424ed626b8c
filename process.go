package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/supervise-go/supervisor/internal/sys"
)

// Process is one supervised process. One goroutine (run) owns its state: it
// alone spawns, signals and reaps the child, arms the timers and changes the
// state. Everything else talks to it through requests and reads snapshots.
//
// Every state transition of supervisord (spec 3.2) is in this file:
//
//	STOPPED/EXITED/FATAL/BACKOFF -> STARTING   spawn (start request, autostart, autorestart, retry)
//	STARTING -> RUNNING                        startSecs timer fired
//	STARTING -> BACKOFF                        spawn failed, or the child exited before startSecs
//	BACKOFF  -> STARTING / FATAL               retry timer fired / the restart policy gave up
//	RUNNING  -> EXITED                         the child exited on its own
//	STARTING/RUNNING -> STOPPING               stop request: stop signal sent
//	STOPPING -> STOPPED                        the child exited while a stop was in progress
//	STOPPING -> STOPPING                       stopWaitSecs elapsed: SIGKILL, timer re-armed
//	BACKOFF  -> STOPPED                        stop request (no child, no signal)
//	any      -> UNKNOWN                        signalling the child failed unexpectedly
//
// A spawn is queued on the Spawner, whose threads fork queued children back
// to back. Until the fork is done the process is STARTING without a pid and
// its goroutine waits for the fork, so requests sent meanwhile (a stop, say)
// are handled once the child exists.
type Process struct {
	sup  *Supervisor
	spec *processSpec
	reqs chan request
	done chan struct{}

	mu         sync.Mutex // guards the fields below, read by snapshots
	state      State
	pid        int
	laststart  time.Time // last spawn attempt
	laststop   time.Time // last reap
	exitStatus int
	spawnErr   string
	changed    chan struct{} // closed and replaced on every state change
	stdin      *os.File
	out        [2]*channelLog // stdout, stderr
	outPipes   []*os.File     // read ends of the current spawn's output pipes

	// Owned by the run goroutine.
	child     *sys.Child
	exits     chan childExit
	timer     Timer
	timerKind timerKind
	tracker   RestartTracker
	failures  int // consecutive failed starts (supervisord's backoff)
	killing   bool
	readers   sync.WaitGroup    // output readers of all spawns
	envMap    map[string]string // the child's environment, built at the first spawn
	env       []string
	queued    func() // set for reqStartQueued: called once the spawn is queued
}

type timerKind int

const (
	timerNone timerKind = iota
	timerStarted
	timerRetry
	timerKill
	timerRestart
)

type requestKind int

const (
	reqStart requestKind = iota
	// reqStartQueued is a start whose reply comes as soon as the spawn is
	// queued (or failed before that), so that a caller starting many
	// processes lets the spawner fork them back to back.
	reqStartQueued
	reqStop
	reqShutdownStop // stop for supervisor shutdown: BACKOFF goes to FATAL
	reqSignal
	reqQuit
)

type request struct {
	kind  requestKind
	sig   syscall.Signal
	reply chan error
	// forked, for reqStartQueued, receives the start's outcome once the
	// fork is done (or failed): the error a reqStart would have replied.
	forked chan error
}

type childExit struct {
	child  *sys.Child
	status syscall.WaitStatus
	err    error
}

func newProcess(s *Supervisor, spec *processSpec) *Process {
	p := &Process{
		sup:     s,
		spec:    spec,
		reqs:    make(chan request),
		done:    make(chan struct{}),
		changed: make(chan struct{}),
		exits:   make(chan childExit, 1),
		tracker: spec.restartPolicy().NewTracker(spec.StartRetries),
	}
	p.out[0] = newChannelLog(s, spec, ChannelStdout, spec.stdout)
	p.out[1] = newChannelLog(s, spec, ChannelStderr, spec.stderr)
	return p
}

// Name returns the process name, e.g. "foo1_02".
func (p *Process) Name() string { return p.spec.name }

// Group returns the name of the process's group.
func (p *Process) Group() string { return p.spec.group }

// Namespec returns "group:name", or "name" when the group has the same name.
func (p *Process) Namespec() string { return makeNamespec(p.spec.group, p.spec.name) }

// State returns the current state.
func (p *Process) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// watch returns the current state and a channel closed at the next change.
func (p *Process) watch() (State, string, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state, p.spawnErr, p.changed
}

// do sends a request to the run goroutine and returns its answer.
func (p *Process) do(ctx context.Context, r request) error {
	r.reply = make(chan error, 1)
	select {
	case p.reqs <- r:
	case <-p.done:
		return fmt.Errorf("process %s: %w", p.Namespec(), ErrShutdown)
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-r.reply
}

func (p *Process) run() {
	defer close(p.done)
	for {
		var timerC <-chan time.Time
		if p.timer != nil {
			timerC = p.timer.C()
		}
		select {
		case r := <-p.reqs:
			switch r.kind {
			case reqQuit:
				p.quit()
				r.reply <- nil
				return
			case reqStartQueued:
				replied := false
				p.queued = func() { r.reply <- nil; replied = true }
				err := p.start()
				p.queued = nil
				if !replied {
					r.reply <- err
				}
				r.forked <- err
			default:
				r.reply <- p.handle(r)
			}
		case ex := <-p.exits:
			p.finish(ex)
		case <-timerC:
			kind := p.timerKind
			p.timer, p.timerKind = nil, timerNone
			p.timeout(kind)
		}
	}
}

func (p *Process) handle(r request) error {
	switch r.kind {
	case reqStart:
		return p.start()
	case reqStop:
		return p.stop(false)
	case reqShutdownStop:
		return p.stop(true)
	case reqSignal:
		return p.signal(r.sig)
	}
	return fmt.Errorf("unknown request %d", r.kind)
}

func (p *Process) start() error {
	switch st := p.State(); {
	case st == Unknown:
		return fmt.Errorf("%s is in an unknown process state: %w", p.spec.name, ErrFailed)
	case st.IsRunning():
		return fmt.Errorf("%s: %w", p.Namespec(), ErrAlreadyStarted)
	case st == Stopping:
		return fmt.Errorf("%s: %w", p.Namespec(), ErrAlreadyStarted)
	}
	p.cancelTimer()
	p.failures = 0
	p.spawn()
	_, spawnErr, _ := p.watch()
	if spawnErr != "" {
		return &SpawnError{Msg: spawnErr, Kind: ErrSpawn}
	}
	return nil
}

// spawn starts the child (spec 3.6). It is only called from STOPPED,
// EXITED, FATAL or BACKOFF.
func (p *Process) spawn() {
	now := p.sup.clock.Now()
	p.killing = false
	p.mu.Lock()
	p.spawnErr = ""
	p.exitStatus = 0
	p.laststart = now
	p.mu.Unlock()
	p.setState(Starting, stateDetail{tries: p.failures})

	err := p.forkChild()
	if err != nil {
		p.mu.Lock()
		p.spawnErr = err.Error()
		p.mu.Unlock()
		p.sup.log.Info("spawnerr: " + err.Error())
		var se *SpawnError
		if errors.As(err, &se) && se.Hint != "" {
			p.sup.log.Warn(fmt.Sprintf("%s: %s", p.spec.name, se.Hint))
		}
		p.enterBackoff()
		return
	}
	p.sup.log.Info(fmt.Sprintf("spawned: %s with pid %d", pyRepr(p.spec.name), p.child.Pid))
	if p.spec.StartSecs <= 0 {
		p.becomeRunning()
		return
	}
	p.armTimer(timerStarted, p.spec.StartSecs)
}

// forkChild prepares pipes and attributes, starts the child and the
// goroutines that watch it.
func (p *Process) forkChild() error {
	if p.env == nil {
		p.envMap = p.sup.childEnv(p.spec)
		p.env = envList(p.envMap)
	}
	path, argv, err := resolveCommand(p.spec.command, p.envMap)
	if err != nil {
		return err
	}
	cred, err := credential(p.spec.User)
	if err != nil {
		return err
	}
	var child *sys.Child
	umask := -1
	if p.spec.Umask != nil {
		umask = int(*p.spec.Umask)
	}
	pending, err := p.sup.spawner.Submit(&sys.Attr{
		Path: path, Argv: argv, Env: p.env, Dir: p.spec.directory, Umask: umask,
		MergeStderr: p.spec.RedirectStderr, Credential: cred,
	})
	if err == nil {
		if p.queued != nil {
			p.queued()
			p.queued = nil
		}
		child, err = pending.Wait()
	}
	var pipeErr *sys.PipeError
	switch {
	case errors.As(err, &pipeErr):
		return &SpawnError{Msg: fmt.Sprintf("unknown error making dispatchers for %s: %s",
			pyRepr(p.spec.name), sys.ErrorText(pipeErr.Err)), Kind: ErrSpawn}
	case err != nil:
		return &SpawnError{Msg: forkErrorText(p.spec.name, p.spec.directory, p.spec.User, err), Kind: ErrSpawn}
	}
	pipes := pipesOf(child.Stdio)
	p.child = child
	p.mu.Lock()
	p.pid = child.Pid
	p.stdin = pipes.stdin
	p.mu.Unlock()
	p.startReaders(child.Pid, pipes)
	go func() {
		ws, err := child.Wait()
		p.exits <- childExit{child: child, status: ws, err: err}
	}()
	return nil
}

func (p *Process) becomeRunning() {
	p.failures = 0
	p.sup.log.Info(fmt.Sprintf("success: %s entered RUNNING state, process has stayed up for > than %d seconds (startsecs)",
		p.spec.name, int(p.spec.StartSecs/time.Second)))
	p.setState(Running, stateDetail{pid: p.child.Pid})
}

func (p *Process) enterBackoff() {
	p.failures++
	p.setState(Backoff, stateDetail{tries: p.failures})
	if p.sup.stopping.Load() {
		return // the shutdown will move it to FATAL
	}
	delay, giveUp := p.tracker.StartFailed(p.failures, p.sup.clock.Now())
	if giveUp {
		p.giveUp("gave up: %s entered FATAL state, too many start retries too quickly")
		return
	}
	p.armTimer(timerRetry, delay)
}

func (p *Process) giveUp(format string) {
	p.failures = 0
	p.sup.log.Info(fmt.Sprintf(format, p.spec.name))
	p.setState(Fatal, stateDetail{})
}

// finish handles the child's exit (spec 3.4).
func (p *Process) finish(ex childExit) {
	if ex.child != p.child {
		return // cannot happen: one child at a time
	}
	now := p.sup.clock.Now()
	pid := p.child.Pid
	p.child.Release()
	p.child = nil
	p.cancelTimer()
	status, why := describeExit(ex.status, ex.err)
	expected := p.spec.expects(status)

	p.mu.Lock()
	laststart := p.laststart
	p.laststop = now
	p.pid = 0
	stdin := p.stdin
	p.stdin = nil
	p.mu.Unlock()
	if stdin != nil {
		_ = stdin.Close()
	}
	p.drainReaders()

	tooQuickly := now.Sub(laststart) < p.spec.StartSecs
	switch {
	case p.killing:
		p.killing = false
		p.setExitStatus(status, "")
		msg := fmt.Sprintf("stopped: %s (%s)", p.spec.name, why)
		if expected {
			p.sup.log.Info(msg)
		} else {
			p.sup.log.Warn(msg)
		}
		p.setState(Stopped, stateDetail{pid: pid, exitStatus: status})
	case p.State() == Starting && tooQuickly:
		p.setExitStatus(0, "Exited too quickly (process log may have details)")
		p.sup.log.Warn(fmt.Sprintf("exited: %s (%s; not expected)", p.spec.name, why))
		p.enterBackoff()
	default:
		p.failures = 0
		if p.State() == Starting {
			// Up for startSecs, but the timer had not fired yet: pass
			// through RUNNING without a success line, as supervisord does.
			p.setState(Running, stateDetail{pid: pid})
		}
		if expected {
			p.setExitStatus(status, "")
			p.sup.log.Info(fmt.Sprintf("exited: %s (%s; expected)", p.spec.name, why))
		} else {
			p.setExitStatus(status, fmt.Sprintf("Bad exit code %d", status))
			p.sup.log.Warn(fmt.Sprintf("exited: %s (%s; not expected)", p.spec.name, why))
		}
		p.setState(Exited, stateDetail{pid: pid, exitStatus: status, expected: expected})
		p.maybeRestart(expected)
	}
}

func (p *Process) setExitStatus(status int, spawnErr string) {
	p.mu.Lock()
	p.exitStatus = status
	if spawnErr != "" {
		p.spawnErr = spawnErr
	}
	p.mu.Unlock()
}

// maybeRestart applies autorestart after an exit from RUNNING.
func (p *Process) maybeRestart(expected bool) {
	if p.sup.stopping.Load() {
		return
	}
	switch p.spec.AutoRestart {
	case RestartNever:
		return
	case RestartUnexpected:
		if expected {
			return
		}
	}
	delay, giveUp := p.tracker.Restarting(p.sup.clock.Now())
	if giveUp {
		p.mu.Lock()
		p.spawnErr = "restarted too often (restart limit reached)"
		p.mu.Unlock()
		p.giveUp("gave up: %s entered FATAL state, too many restarts")
		return
	}
	if delay > 0 {
		p.armTimer(timerRestart, delay)
		return
	}
	p.spawn()
}

func (p *Process) timeout(kind timerKind) {
	switch kind {
	case timerStarted:
		if p.State() == Starting && p.child != nil {
			p.becomeRunning()
		}
	case timerRetry:
		if p.State() == Backoff && !p.sup.stopping.Load() {
			p.spawn()
		}
	case timerRestart:
		if p.State() == Exited && !p.sup.stopping.Load() {
			p.spawn()
		}
	case timerKill:
		if p.child == nil {
			return
		}
		p.sup.log.Warn(fmt.Sprintf("killing %s (%d) with SIGKILL", pyRepr(p.spec.name), p.child.Pid))
		if err := p.sendSignal(syscall.SIGKILL, p.spec.killAsGroup()); err != nil {
			p.signalFailed(err)
			return
		}
		p.armTimer(timerKill, max(p.spec.StopWaitSecs, time.Second))
	}
}

// stop asks the child to stop (spec 3.5). For a shutdown, BACKOFF goes to
// FATAL instead of STOPPED, as supervisord does.
func (p *Process) stop(shutdown bool) error {
	switch st := p.State(); st {
	case Starting, Running:
		p.cancelTimer()
		sig := p.spec.stopSignal()
		group := ""
		if p.spec.StopAsGroup {
			group = " process group"
		}
		p.sup.log.Debug(fmt.Sprintf("killing %s (pid %d)%s with signal %s", p.spec.name, p.child.Pid, group, SignalName(sig)))
		p.killing = true
		if err := p.sendSignal(sig, p.spec.StopAsGroup); err != nil {
			p.killing = false
			p.signalFailed(err)
			return fmt.Errorf("%s: %w: %v", p.Namespec(), ErrFailed, err)
		}
		p.setState(Stopping, stateDetail{pid: p.child.Pid})
		p.armTimer(timerKill, p.spec.StopWaitSecs)
		return nil
	case Backoff:
		p.cancelTimer()
		p.sup.log.Debug(fmt.Sprintf("Attempted to kill %s, which is in BACKOFF state.", p.spec.name))
		p.failures = 0
		if shutdown {
			p.setState(Fatal, stateDetail{})
		} else {
			p.setState(Stopped, stateDetail{})
		}
		return nil
	case Exited:
		// A restart may be pending (a delaying restart policy): a stop
		// cancels it, so nothing starts after a stop.
		p.cancelTimer()
	}
	return fmt.Errorf("%s: %w", p.Namespec(), ErrNotRunning)
}

func (p *Process) signal(sig syscall.Signal) error {
	if !p.State().IsSignallable() || p.child == nil {
		return fmt.Errorf("%s: %w", p.Namespec(), ErrNotRunning)
	}
	p.sup.log.Debug(fmt.Sprintf("sending %s (pid %d) sig %s", p.spec.name, p.child.Pid, SignalName(sig)))
	if err := p.child.Signal(sig); err != nil {
		p.signalFailed(err)
		return fmt.Errorf("%s: %w: %v", p.Namespec(), ErrFailed, err)
	}
	return nil
}

func (p *Process) sendSignal(sig syscall.Signal, group bool) error {
	if group {
		return p.child.SignalGroup(sig)
	}
	return p.child.Signal(sig)
}

func (p *Process) signalFailed(err error) {
	p.sup.log.Error(fmt.Sprintf("unknown problem killing %s (%d):%v", p.spec.name, p.child.Pid, err))
	p.setState(Unknown, stateDetail{pid: p.child.Pid})
}

// quit ends the run goroutine. The supervisor stops processes before it
// quits them; a child still alive here is killed with its group and reaped,
// so that nothing outlives the supervisor.
func (p *Process) quit() {
	p.cancelTimer()
	if p.child != nil {
		_ = p.child.SignalGroup(syscall.SIGKILL)
		_ = p.child.Signal(syscall.SIGKILL)
		ex := <-p.exits
		p.killing = true
		p.finish(ex)
	}
	p.readers.Wait()
	for _, o := range p.out {
		o.close()
	}
}

func (p *Process) armTimer(kind timerKind, d time.Duration) {
	p.cancelTimer()
	p.timer = p.sup.clock.NewTimer(d)
	p.timerKind = kind
}

func (p *Process) cancelTimer() {
	if p.timer != nil {
		p.timer.Stop()
		p.timer, p.timerKind = nil, timerNone
	}
}

// stateDetail carries the facts an event reports with a transition.
type stateDetail struct {
	pid        int
	exitStatus int
	expected   bool
	tries      int
}

func (p *Process) setState(to State, d stateDetail) {
	p.mu.Lock()
	from := p.state
	p.state = to
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
	p.sup.publish(Event{
		Kind: EventProcessState, Time: p.sup.clock.Now(),
		Process: p.spec.name, Group: p.spec.group,
		From: from, To: to, Pid: d.pid, ExitStatus: d.exitStatus, Expected: d.expected, Tries: d.tries,
	})
}

// expects reports whether an exit status is in ExitCodes.
func (s *ProgramSpec) expects(status int) bool {
	for _, c := range s.ExitCodes {
		if c == status {
			return true
		}
	}
	return false
}

// describeExit returns supervisord's exit status (-1 for a death by signal)
// and its words for the cause.
func describeExit(ws syscall.WaitStatus, err error) (int, string) {
	switch {
	case err != nil:
		return -1, fmt.Sprintf("unknown termination cause: %v", err)
	case ws.Exited():
		return ws.ExitStatus(), fmt.Sprintf("exit status %d", ws.ExitStatus())
	case ws.Signaled():
		why := "terminated by " + SignalName(ws.Signal())
		if ws.CoreDump() {
			why += " (core dumped)"
		}
		return -1, why
	}
	return -1, fmt.Sprintf("unknown termination cause 0x%04x", uint32(ws))
}
