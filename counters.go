package supervisor

// counters are a process's lifetime counts, guarded by Process.mu and
// changed only by the process's goroutine, so they are exact: every spawn,
// restart and exit is counted once, whatever reads them (unlike a count
// kept from a Subscription, which drops events when its reader lags).
type counters struct {
	starts, restarts               int64
	exitsExpected, exitsUnexpected int64
}

// countRestart notes that the spawn about to happen is an automatic
// restart.
func (p *Process) countRestart() {
	p.mu.Lock()
	p.count.restarts++
	p.mu.Unlock()
}

// countExit notes an exit of the child that no stop asked for.
func (p *Process) countExit(expected bool) {
	p.mu.Lock()
	if expected {
		p.count.exitsExpected++
	} else {
		p.count.exitsUnexpected++
	}
	p.mu.Unlock()
}
