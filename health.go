package supervisor

import (
	"context"
	"fmt"
	"time"
)

// The defaults of the health check fields of ProgramSpec.
const (
	defaultHealthInterval = 10 * time.Second
	defaultHealthTimeout  = time.Second
	defaultHealthFailures = 3
)

// validateHealth reports bad health check fields.
func (s *ProgramSpec) validateHealth() []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrBadSpec}, args...)...))
	}
	if s.HealthInterval < 0 || s.HealthTimeout < 0 || s.HealthFailures < 0 {
		bad("health: HealthInterval, HealthTimeout and HealthFailures must not be negative")
	}
	if s.Health != "" && (readyKind(s.Health) == "" || readyKind(s.Health) == "notify" || readyKind(s.Health) == "log" || readyKind(s.Health) == "fd") {
		bad("health check %s: unknown kind (write tcp:HOST:PORT, http://URL, https://URL or exec:COMMAND)", pyRepr(s.Health))
	} else if s.Health != "" {
		probe := ProgramSpec{Ready: s.Health}
		for _, err := range probe.validateReady() {
			errs = append(errs, fmt.Errorf("health: %w", err))
		}
	}
	return errs
}

// startHealthChecks runs the health check every HealthInterval while the
// process is RUNNING; after HealthFailures failures in a row p.unhealthy
// gets the last error and the checks end.
func (p *Process) startHealthChecks() {
	if p.spec.Health == "" {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.healthCancel = cancel
	check, env, dir := p.spec.Health, p.spawnEnv, p.spec.directory
	interval := orDefault(p.spec.HealthInterval, defaultHealthInterval)
	timeout := orDefault(p.spec.HealthTimeout, defaultHealthTimeout)
	limit := p.spec.HealthFailures
	if limit == 0 {
		limit = defaultHealthFailures
	}
	unhealthy := p.unhealthy
	p.probes.Add(1)
	go func() {
		defer p.probes.Done()
		failures := 0
		for {
			select {
			case <-time.After(interval):
			case <-ctx.Done():
				return
			}
			try, cancelTry := context.WithTimeout(ctx, timeout)
			err := probe(try, check, env, dir)
			cancelTry()
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				failures = 0
				continue
			}
			if failures++; failures >= limit {
				select {
				case unhealthy <- err:
				case <-ctx.Done():
				}
				return
			}
		}
	}()
}

// stopHealthChecks ends the health checks, if any, and drops a verdict
// they may have sent already.
func (p *Process) stopHealthChecks() {
	if p.healthCancel != nil {
		p.healthCancel()
		p.healthCancel = nil
		p.probes.Wait()
		select {
		case <-p.unhealthy:
		default:
		}
	}
}

// becameUnhealthy restarts a RUNNING process whose health checks failed
// HealthFailures times in a row: it is stopped as by a stop request, then
// started again.
func (p *Process) becameUnhealthy(err error) {
	p.stopHealthChecks()
	if p.cur != Running || p.child == nil || p.h.isStopping() {
		return
	}
	limit := p.spec.HealthFailures
	if limit == 0 {
		limit = defaultHealthFailures
	}
	p.restartUnhealthy(fmt.Sprintf("unhealthy: %s failed %d health checks in a row (x_health %s: %v), restarting",
		p.spec.name, limit, p.spec.Health, err), err)
}

// restartUnhealthy logs msg, reports an EventUnhealthy and restarts the
// RUNNING process: stopped as by a stop request, then started again.
func (p *Process) restartUnhealthy(msg string, err error) {
	p.stopHealthChecks()
	p.h.logger().Warn(msg)
	p.h.publish(Event{Kind: EventUnhealthy, Time: p.h.now(), Process: p.spec.name, Group: p.spec.group,
		Pid: p.child.Pid, Data: []byte(err.Error())})
	if p.stop(false) == nil {
		p.restartAfterStop = true
	}
}
