package supervisor

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"syscall"
	"time"

	"github.com/supervise-go/supervisor/internal/signame"
	"github.com/supervise-go/supervisor/internal/sys"
)

// run is the process's goroutine: it owns the state (see Process) and
// handles, one at a time, requests, fork outcomes, the child's exit and
// its timers. Nothing it does blocks for long.
func (p *Process) run() {
	defer close(p.done)
	for {
		var timerC <-chan time.Time
		if p.timer != nil {
			timerC = p.timer.C()
		}
		select {
		case r := <-p.reqs:
			switch {
			case r.kind == reqQuit:
				p.terminate()
				r.reply <- nil
				return
			case p.forking:
				// Answered once the child exists or its fork failed, as
				// if the fork had been instantaneous.
				p.deferred = append(p.deferred, r)
			default:
				r.reply <- p.handle(r)
			}
		case f := <-p.forks: // nil unless forking
			p.forked(f)
		case <-p.ready:
			p.becameReady()
		case err := <-p.unhealthy:
			p.becameUnhealthy(err)
		case <-p.watchdog:
			p.watchdogPinged()
		case <-p.depPoke:
			if p.waiting {
				p.checkDependencies()
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
		return p.start(r.forked)
	case reqStop, reqShutdownStop:
		return p.stop(r.kind == reqShutdownStop)
	case reqSignal:
		return p.signal(r.sig)
	case reqStdin:
		return p.writeStdin(r.data)
	}
	return fmt.Errorf("unknown request %d", r.kind)
}

// start begins a start requested from outside; forked gets its outcome.
func (p *Process) start(forked chan error) error {
	switch st := p.cur; {
	case st == Unknown:
		return fmt.Errorf("%s is in an unknown process state: %w", p.spec.name, ErrFailed)
	case st.IsRunning(), st == Stopping:
		return fmt.Errorf("%s: %w", p, ErrAlreadyStarted)
	}
	p.cancelTimer()
	p.failures = 0
	p.forkWaiter = forked
	p.spawn()
	return nil
}

// spawn enters STARTING and queues the child's fork (spec 3.6); forked
// handles the outcome. It is only called from STOPPED, EXITED, FATAL or
// BACKOFF.
func (p *Process) spawn() {
	now := p.h.now()
	p.killing = false
	p.mu.Lock()
	p.spawnErr = ""
	p.status = ""
	drain(p.ready) // a success of an earlier spawn's check
	p.exitStatus = 0
	p.laststart = now
	p.count.starts++
	p.mu.Unlock()
	p.setState(Starting, stateDetail{tries: p.failures})
	if len(p.prog.spec.DependsOn) > 0 {
		p.checkDependencies()
		return
	}
	p.fork()
}

// fork queues the child's fork; forked handles the outcome, which the
// spawning thread sends on a channel made for this fork (an idle process
// keeps none, and its parked select no sudog for it; no goroutine waits
// for the fork).
func (p *Process) fork() {
	forks := make(chan forkResult, 1)
	err := p.submit(func(child *sys.Child, err error) {
		forks <- forkResult{child: child, err: err} // never blocks: room for one
	})
	if err != nil {
		p.forked(forkResult{err: err})
		return
	}
	p.forking = true
	p.forks = forks
}

// submit resolves what the child needs and queues its fork; then gets the
// outcome.
func (p *Process) submit(then func(*sys.Child, error)) error {
	envMap, env, err := p.childEnvironment()
	if err != nil {
		return err
	}
	path, argv, err := resolveCommand(p.spec.command, envMap)
	if err != nil {
		return err
	}
	cred, err := credential(p.spec.User)
	if err != nil {
		return err
	}
	umask := -1
	if p.spec.Umask != nil {
		umask = int(*p.spec.Umask)
	}
	if p.spec.usesNotify() {
		sock, err := p.openNotify()
		if err != nil {
			return fmt.Errorf("making the NOTIFY_SOCKET: %w", err)
		}
		env = append(slices.Clone(env), "NOTIFY_SOCKET="+sock)
	}
	if p.spec.Ready != "" || p.spec.Health != "" {
		p.spawnEnv = env // exec: checks run with it
	}
	attr := &sys.Attr{
		Path: path, Argv: argv, Env: env, Dir: p.spec.directory, Umask: umask,
		MergeStderr: p.spec.RedirectStderr, Credential: cred, Rlimits: sysRlimits(p.spec.Rlimits),
	}
	if n := readyFD(p.spec.Ready); n > 0 {
		w, err := p.openReadyFD()
		if err != nil {
			return fmt.Errorf("making the pipe of x_ready fd:%d: %w", n, err)
		}
		p.readyW = w
		attr.NotifyFD, attr.NotifyFile = n, int(w.Fd())
	}
	return p.h.submit(attr, then)
}

// forked handles the outcome of a fork: the child runs, or the start
// failed (BACKOFF).
func (p *Process) forked(f forkResult) {
	p.forking, p.forks = false, nil
	if p.readyW != nil { // the child has its copy now
		_ = p.readyW.Close()
		p.readyW = nil
	}
	err := f.err
	var pipeErr *sys.PipeError
	var rlimitErr *sys.RlimitError
	switch {
	case err == nil:
	case errors.As(err, &rlimitErr):
		err = &SpawnError{Msg: rlimitErr.Error(), Kind: ErrSpawn}
	case errors.As(err, &pipeErr):
		err = &SpawnError{Msg: fmt.Sprintf("unknown error making dispatchers for %s: %s",
			pyRepr(p.spec.name), sys.ErrorText(pipeErr.Err)), Kind: ErrSpawn}
	default:
		var se *SpawnError
		if !errors.As(err, &se) {
			err = &SpawnError{Msg: forkErrorText(p.spec.name, p.spec.directory, p.spec.User, err), Kind: ErrSpawn}
		}
	}
	waiter := p.forkWaiter
	p.forkWaiter = nil
	if err != nil {
		p.mu.Lock()
		p.spawnErr = err.Error()
		p.mu.Unlock()
		p.h.logger().Info("spawnerr: " + err.Error())
		var se *SpawnError
		if errors.As(err, &se) && se.Hint != "" {
			p.h.logger().Warn(fmt.Sprintf("%s: %s", p.spec.name, se.Hint))
		}
		p.enterBackoff()
	} else {
		p.childStarted(f.child)
	}
	// The request learns the outcome only once it is logged ("spawned:"
	// or "spawnerr:"), so that forks in priority order are logged in that
	// order too.
	if waiter != nil {
		if err != nil {
			waiter <- &SpawnError{Msg: err.Error(), Kind: ErrSpawn}
		} else {
			waiter <- nil
		}
	}
	deferred := p.deferred
	p.deferred = nil
	for _, r := range deferred {
		r.reply <- p.handle(r)
	}
}

// childStarted takes over a forked child: its pipes, its exit, and the
// StartSecs timer.
func (p *Process) childStarted(child *sys.Child) {
	pipes := pipesOf(child.Stdio)
	p.child = child
	p.stdin = newStdinPipe(pipes.stdin)
	p.mu.Lock()
	p.pid = child.Pid
	p.mu.Unlock()
	p.startReaders(child.Pid, pipes, child.Watcher())
	// No goroutine waits for a child that runs. Once it exited, it is
	// reaped right here when possible (p.exits has room: a process has one
	// child at a time), else by a goroutine of its own.
	child.WhenExited(func() {
		if ws, reaped, err := child.TryWait(); reaped {
			ex := childExit{child: child, status: ws, err: err}
			select {
			case p.exits <- ex:
			default:
				go func() { p.exits <- ex }()
			}
			return
		}
		go func() {
			ws, err := child.Wait()
			p.exits <- childExit{child: child, status: ws, err: err}
		}()
	})
	p.h.logger().Info(fmt.Sprintf("spawned: %s with pid %d", pyRepr(p.spec.name), child.Pid))
	if p.spec.Ready != "" {
		// RUNNING once the readiness check succeeds; StartSecs is unused.
		if k := readyKind(p.spec.Ready); k != "notify" && k != "log" && k != "fd" {
			p.startProbing()
		}
		p.armTimer(timerReady, orDefault(p.spec.ReadyTimeout, defaultReadyTimeout))
		return
	}
	if p.spec.startSecs() <= 0 {
		p.becomeRunning()
		return
	}
	p.armTimer(timerStarted, p.spec.startSecs())
}

func (p *Process) becomeRunning() {
	p.failures = 0
	p.h.logger().Info(fmt.Sprintf("success: %s entered RUNNING state, process has stayed up for > than %d seconds (startsecs)",
		p.spec.name, int(p.spec.startSecs()/time.Second)))
	p.setState(Running, stateDetail{pid: p.child.Pid})
	p.startHealthChecks()
	p.armWatchdog()
}

func (p *Process) enterBackoff() {
	p.failures++
	p.setState(Backoff, stateDetail{tries: p.failures})
	if p.h.isStopping() {
		return // the shutdown will move it to FATAL
	}
	delay, giveUp := p.tracker.StartFailed(p.failures, p.h.now())
	if giveUp {
		p.giveUp("gave up: %s entered FATAL state, too many start retries too quickly")
		return
	}
	p.armTimer(timerRetry, delay)
}

func (p *Process) giveUp(format string) {
	p.failures = 0
	p.h.logger().Info(fmt.Sprintf(format, p.spec.name))
	p.setState(Fatal, stateDetail{})
	p.endedForGood(Fatal)
}

// finish handles the child's exit (spec 3.4).
func (p *Process) finish(ex childExit) {
	if ex.child != p.child {
		return // cannot happen: one child at a time
	}
	now := p.h.now()
	pid := p.child.Pid
	p.child.Release()
	p.child = nil
	p.cancelTimer()
	p.stopProbing()
	p.stopHealthChecks()
	p.closeReadyFD()
	readyFailed := p.readyFailed
	p.readyFailed = ""
	status, why := describeExit(ex.status, ex.err)
	expected := p.spec.expects(status)
	p.ran, p.lastRunCode = true, runExitCode(ex.status, ex.err)

	p.mu.Lock()
	laststart := p.laststart
	p.laststop = now
	p.pid = 0
	p.mu.Unlock()
	if p.stdin != nil {
		p.stdin.close()
		p.stdin = nil
	}
	p.drainReaders()

	tooQuickly := now.Sub(laststart) < p.spec.startSecs()
	if p.spec.Ready != "" {
		tooQuickly = true // any exit before the check succeeded fails the start
	}
	switch {
	case p.killing:
		p.killing = false
		p.setExitStatus(status, "")
		msg := fmt.Sprintf("stopped: %s (%s)", p.spec.name, why)
		if expected {
			p.h.logger().Info(msg)
		} else {
			p.h.logger().Warn(msg)
		}
		p.setState(Stopped, stateDetail{pid: pid, exitStatus: status})
		if p.restartAfterStop {
			p.restartAfterStop = false
			if !p.h.isStopping() {
				p.failures = 0
				p.spawn()
			}
		}
	case p.cur == Starting && tooQuickly:
		p.setExitStatus(0, cmp.Or(readyFailed, "Exited too quickly (process log may have details)"))
		p.countExit(false)
		p.h.logger().Warn(fmt.Sprintf("exited: %s (%s; not expected)", p.spec.name, why))
		p.enterBackoff()
	default:
		p.failures = 0
		if p.cur == Starting {
			// Up for startSecs, but the timer had not fired yet: pass
			// through RUNNING without a success line, as supervisord does.
			p.setState(Running, stateDetail{pid: pid})
		}
		if expected {
			p.setExitStatus(status, "")
			p.h.logger().Info(fmt.Sprintf("exited: %s (%s; expected)", p.spec.name, why))
		} else {
			p.setExitStatus(status, fmt.Sprintf("Bad exit code %d", status))
			p.h.logger().Warn(fmt.Sprintf("exited: %s (%s; not expected)", p.spec.name, why))
		}
		p.countExit(expected)
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
	if p.h.isStopping() {
		return
	}
	switch p.spec.AutoRestart {
	case RestartNever:
		p.endedForGood(Exited)
		return
	case RestartUnexpected:
		if expected {
			p.endedForGood(Exited)
			return
		}
	}
	delay, giveUp := p.tracker.Restarting(p.h.now())
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
	p.countRestart()
	p.spawn()
}

func (p *Process) timeout(kind timerKind) {
	switch kind {
	case timerReady:
		p.readyTimedOut()
	case timerWatchdog:
		p.watchdogExpired()
	case timerStarted:
		if p.cur == Starting && p.child != nil {
			p.becomeRunning()
		}
	case timerRetry:
		if p.cur == Backoff && !p.h.isStopping() {
			p.spawn()
		}
	case timerRestart:
		if p.cur == Exited && !p.h.isStopping() {
			p.countRestart()
			p.spawn()
		}
	case timerKill:
		if p.child == nil {
			return
		}
		p.h.logger().Warn(fmt.Sprintf("killing %s (%d) with SIGKILL", pyRepr(p.spec.name), p.child.Pid))
		if err := p.sendSignal(syscall.SIGKILL, p.spec.killAsGroup()); err != nil {
			p.signalFailed(err)
			return
		}
		p.armTimer(timerKill, max(p.spec.stopWait(), time.Second))
	}
}

// stop asks the child to stop (spec 3.5). For a shutdown, BACKOFF goes to
// FATAL instead of STOPPED, as supervisord does.
func (p *Process) stop(shutdown bool) error {
	p.restartAfterStop = false // a stop request cancels a health restart
	switch p.cur {
	case Starting, Running:
		if p.waiting {
			p.stopWaiting()
			p.setState(Stopped, stateDetail{})
			return nil
		}
		p.cancelTimer()
		p.stopProbing()
		p.stopHealthChecks()
		sig := p.spec.stopSignal()
		group := ""
		if p.spec.StopAsGroup {
			group = " process group"
		}
		p.h.logger().Debug(fmt.Sprintf("killing %s (pid %d)%s with signal %s", p.spec.name, p.child.Pid, group, signame.Name(sig)))
		p.killing = true
		if err := p.sendSignal(sig, p.spec.StopAsGroup); err != nil {
			p.killing = false
			p.signalFailed(err)
			return fmt.Errorf("%s: %w: %v", p, ErrFailed, err)
		}
		p.setState(Stopping, stateDetail{pid: p.child.Pid})
		p.armTimer(timerKill, p.spec.stopWait())
		return nil
	case Backoff:
		p.cancelTimer()
		p.h.logger().Debug(fmt.Sprintf("Attempted to kill %s, which is in BACKOFF state.", p.spec.name))
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
	return fmt.Errorf("%s: %w", p, ErrNotRunning)
}

func (p *Process) signal(sig syscall.Signal) error {
	if !p.cur.IsSignallable() || p.child == nil {
		return fmt.Errorf("%s: %w", p, ErrNotRunning)
	}
	p.h.logger().Debug(fmt.Sprintf("sending %s (pid %d) sig %s", p.spec.name, p.child.Pid, signame.Name(sig)))
	if err := p.child.Signal(sig); err != nil {
		p.signalFailed(err)
		return fmt.Errorf("%s: %w: %v", p, ErrFailed, err)
	}
	return nil
}

func (p *Process) writeStdin(data []byte) error {
	if p.stdin == nil || p.cur == Stopping || !p.cur.IsSignallable() {
		return fmt.Errorf("%s: %w", p, ErrNotRunning)
	}
	if err := p.stdin.write(data); err != nil {
		return fmt.Errorf("%s: %w", p, err)
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
	p.h.logger().Error(fmt.Sprintf("unknown problem killing %s (%d):%v", p.spec.name, p.child.Pid, err))
	p.setState(Unknown, stateDetail{pid: p.child.Pid})
}

// terminate ends the goroutine's work. The supervisor stops processes
// before it quits them; a child still alive here (or still being forked)
// is killed with its group and reaped, so that nothing outlives the
// supervisor.
func (p *Process) terminate() {
	p.cancelTimer()
	p.stopProbing()
	p.stopHealthChecks()
	p.restartAfterStop = false
	if p.waiting {
		p.stopWaiting()
	}
	if p.forking {
		p.forked(<-p.forks) // answers the requests that wait for it
	}
	if p.child != nil {
		_ = p.child.SignalGroup(syscall.SIGKILL)
		_ = p.child.Signal(syscall.SIGKILL)
		ex := <-p.exits
		if p.cur == Starting || p.cur == Running {
			p.setState(Stopping, stateDetail{pid: p.child.Pid})
		}
		p.killing = true
		p.finish(ex)
	}
	p.cancelTimer()
	p.closeNotify()
	p.closeReadyFD()
	p.readers.Wait()
	for _, o := range p.out {
		o.close()
	}
}

func (p *Process) armTimer(kind timerKind, d time.Duration) {
	p.cancelTimer()
	p.timer = p.h.newTimer(d)
	p.timerKind = kind
}

func (p *Process) cancelTimer() {
	if p.timer != nil {
		p.timer.Stop()
		p.timer, p.timerKind = nil, timerNone
	}
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
		why := "terminated by " + signame.Name(ws.Signal())
		if ws.CoreDump() {
			why += " (core dumped)"
		}
		return -1, why
	}
	return -1, fmt.Sprintf("unknown termination cause 0x%04x", uint32(ws))
}
