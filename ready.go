package supervisor

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// The defaults of the readiness fields of ProgramSpec.
const (
	defaultReadyInterval     = time.Second
	defaultReadyProbeTimeout = time.Second
	defaultReadyTimeout      = 60 * time.Second
)

// readyKind is the kind of a ProgramSpec.Ready check.
func readyKind(check string) string {
	switch {
	case strings.HasPrefix(check, "tcp:"):
		return "tcp"
	case strings.HasPrefix(check, "http://"), strings.HasPrefix(check, "https://"):
		return "http"
	case strings.HasPrefix(check, "exec:"):
		return "exec"
	case check == ReadyNotify:
		return "notify"
	case strings.HasPrefix(check, "log:"):
		return "log"
	case strings.HasPrefix(check, "fd:"):
		return "fd"
	}
	return ""
}

// validateReady reports bad readiness fields.
func (s *ProgramSpec) validateReady() []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrBadSpec}, args...)...))
	}
	if s.ReadyInterval < 0 || s.ReadyProbeTimeout < 0 || s.ReadyTimeout < 0 {
		bad("ready: ReadyInterval, ReadyProbeTimeout and ReadyTimeout must not be negative")
	}
	if s.Watchdog < 0 {
		bad("watchdog: Watchdog must not be negative")
	}
	if s.Ready == "" {
		return errs
	}
	switch readyKind(s.Ready) {
	case "tcp":
		if _, _, err := net.SplitHostPort(strings.TrimPrefix(s.Ready, "tcp:")); err != nil {
			bad("ready check %s: want tcp:HOST:PORT", pyRepr(s.Ready))
		}
	case "exec":
		if strings.TrimSpace(strings.TrimPrefix(s.Ready, "exec:")) == "" {
			bad("ready check %s: no command", pyRepr(s.Ready))
		}
	case "log":
		if _, err := regexp.Compile(strings.TrimPrefix(s.Ready, "log:")); err != nil {
			bad("ready check %s: %v", pyRepr(s.Ready), err)
		}
	case "fd":
		if readyFD(s.Ready) < 0 {
			bad("ready check %s: want fd:N, N from 3 to 1023", pyRepr(s.Ready))
		}
	case "http", "notify":
	default:
		bad("ready check %s: unknown kind (write notify, fd:N, log:REGEX, tcp:HOST:PORT, http://URL, https://URL or exec:COMMAND)", pyRepr(s.Ready))
	}
	return errs
}

// probe runs the readiness check once: nil means ready.
func probe(ctx context.Context, check string, env []string, dir string) error {
	switch readyKind(check) {
	case "tcp":
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", strings.TrimPrefix(check, "tcp:"))
		if err != nil {
			return err
		}
		return c.Close()
	case "http":
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, check, nil)
		if err != nil {
			return err
		}
		client := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		client.CloseIdleConnections()
		if resp.StatusCode >= 400 {
			return fmt.Errorf("HTTP status %d", resp.StatusCode)
		}
		return nil
	case "exec":
		cmd := exec.CommandContext(ctx, "/bin/sh", "-c", strings.TrimPrefix(check, "exec:"))
		cmd.Env, cmd.Dir = env, dir
		cmd.WaitDelay = time.Second
		return cmd.Run()
	}
	return fmt.Errorf("unknown ready check %q", check)
}

// startProbing runs the readiness check every ReadyInterval, each try
// bounded by ReadyProbeTimeout, until it succeeds (then p.ready gets a
// value) or stopProbing is called.
func (p *Process) startProbing() {
	ctx, cancel := context.WithCancel(context.Background())
	p.probeCancel = cancel
	check, env, dir := p.spec.Ready, p.spawnEnv, p.spec.directory
	interval := orDefault(p.spec.ReadyInterval, defaultReadyInterval)
	timeout := orDefault(p.spec.ReadyProbeTimeout, defaultReadyProbeTimeout)
	ready := p.ready
	p.probes.Add(1)
	go func() {
		defer p.probes.Done()
		for {
			try, cancelTry := context.WithTimeout(ctx, timeout)
			err := probe(try, check, env, dir)
			cancelTry()
			if err == nil {
				select {
				case ready <- struct{}{}:
				case <-ctx.Done():
				}
				return
			}
			select {
			case <-time.After(interval):
			case <-ctx.Done():
				return
			}
		}
	}()
}

// stopProbing ends the readiness checks, if any, and drops a success
// they may have sent already.
func (p *Process) stopProbing() {
	if p.probeCancel != nil {
		p.probeCancel()
		p.probeCancel = nil
		p.probes.Wait()
		select {
		case <-p.ready:
		default:
		}
	}
}

// logMatcher returns, for Ready = "log:REGEX", a function that looks for
// REGEX in each line of output and signals p.ready at the first match;
// nil otherwise. Each output channel gets its own.
func (p *Process) logMatcher() func([]byte) {
	if readyKind(p.spec.Ready) != "log" {
		return nil
	}
	re := regexp.MustCompile(strings.TrimPrefix(p.spec.Ready, "log:"))
	ready := p.ready
	var line []byte
	matched := false
	return func(b []byte) {
		for len(b) > 0 && !matched {
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				if len(line)+len(b) <= maxReadyLine {
					line = append(line, b...)
				}
				return
			}
			if len(line)+i <= maxReadyLine {
				line = append(line, b[:i]...)
			}
			if re.Match(line) {
				matched = true
				notifyChan(ready)
			}
			line, b = line[:0], b[i+1:]
		}
	}
}

// maxReadyLine bounds the line a log:REGEX check looks at; longer lines
// are cut.
const maxReadyLine = 64 << 10

// becameReady handles a successful readiness check: STARTING -> RUNNING.
func (p *Process) becameReady() {
	p.stopProbing()
	if p.cur != Starting || p.child == nil {
		return
	}
	p.cancelTimer()
	p.failures = 0
	p.h.logger().Info(fmt.Sprintf("success: %s entered RUNNING state, process is ready (x_ready %s)", p.spec.name, p.spec.Ready))
	p.setState(Running, stateDetail{pid: p.child.Pid})
	p.startHealthChecks()
	p.armWatchdog()
}

// readyTimedOut fails a start whose readiness check did not succeed in
// ReadyTimeout: the child is killed, and its exit counts as a failed start
// (BACKOFF).
func (p *Process) readyTimedOut() {
	p.stopProbing()
	if p.cur != Starting || p.child == nil {
		return
	}
	d := orDefault(p.spec.ReadyTimeout, defaultReadyTimeout)
	p.readyFailed = fmt.Sprintf("not ready within %s (x_ready_timeout)", d)
	p.h.logger().Warn(fmt.Sprintf("killing %s (%d) with SIGKILL: %s", pyRepr(p.spec.name), p.child.Pid, p.readyFailed))
	_ = p.sendSignal(syscall.SIGKILL, p.spec.killAsGroup())
}
