// Package eventlistener runs supervisord's event listener pools on top of a
// [supervisor.Supervisor]: the processes of a program receive the events
// they subscribe to on stdin, one at a time, and answer on stdout with
// supervisord's READY / RESULT protocol, byte for byte as supervisord 4.2.5
// speaks it, so listeners written for supervisord (supervisor.childutils,
// shell one-liners) run unchanged.
//
// The events are the ones every subscriber gets from
// [supervisor.Supervisor.Subscribe]: one event system, two consumers. A
// Dispatcher holds one subscription and hands each event to the pools that
// subscribe to its type; each pool keeps at most BufferSize events waiting
// for a READY listener and discards the oldest beyond that (logged, and
// counted by Discarded), so a slow or stuck listener never slows the
// supervisor down. The protocol reads the listeners' stdout through
// [supervisor.Supervisor.TapOutput], which loses no byte; their stdout is
// still written to their stdout log as well, and stderr is logged as usual.
//
// The protocol, in short (see supervisord's documentation):
//
//   - A listener starts ACKNOWLEDGED and writes "READY\n": it is READY.
//   - Once its process is RUNNING, a READY listener gets the oldest
//     buffered event: a header line "ver:3.0 server:ID serial:N pool:NAME
//     poolserial:N eventname:TYPE len:N\n" and len characters of payload.
//     It is BUSY.
//   - It answers "RESULT n\n" and n bytes: "OK" accepts the event
//     (ACKNOWLEDGED again); anything else ("FAIL") rejects it, and the event
//     goes back to the head of the buffer to be sent again.
//   - Any other output, at any time, puts the listener in the UNKNOWN
//     state, with supervisord's warning: it gets no more events until its
//     process is started again. An event it held goes back to the buffer.
//   - A listener that exits (or is killed, or restarted) while BUSY gives
//     its event back to the buffer.
//
// Serials: serial counts the events that any pool of the Dispatcher
// accepted, from 0; poolserial counts those of the pool.
package eventlistener

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	supervisor "github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/pyrepr"
)

// Listener states, with supervisord's names.
const (
	StateAcknowledged = "ACKNOWLEDGED"
	StateReady        = "READY"
	StateBusy         = "BUSY"
	StateUnknown      = "UNKNOWN"
)

// Limits on what a BUSY listener may write before its answer is complete.
// supervisord has none (a listener that never writes a newline makes it
// buffer forever); past these the result line is bad: the listener goes
// UNKNOWN and its event back to the buffer.
const (
	maxResultLine = 1024    // bytes of "RESULT n" without its newline
	maxResultLen  = 1 << 20 // n
)

// DefaultBufferSize is supervisord's buffer_size default.
const DefaultBufferSize = 10

// Options configure a Dispatcher.
type Options struct {
	// Identifier is the header's server token (supervisord's identifier);
	// empty means "supervisor", supervisord's default.
	Identifier string
	// Logger gets supervisord's protocol log lines (listener state changes
	// at DEBUG, protocol violations at WARN, buffer overflows at ERROR);
	// nil means slog.Default().
	Logger *slog.Logger
	// SubscriptionBuffer is the Dispatcher's subscription buffer (see
	// Supervisor.Subscribe); 0 means 16384. Events it drops, which only a
	// Dispatcher starved of CPU would, are logged.
	SubscriptionBuffer int
}

// PoolConfig describes one pool: supervisord's [eventlistener:x] keys that
// are not program keys.
type PoolConfig struct {
	// Name is the pool's name: the name of the program, and of its group,
	// whose processes are the listeners (the ProgramSpec added with Name
	// and Group both set to it, as the config package reads
	// [eventlistener:Name]).
	Name string
	// Events are the subscribed types (supervisor.EventTypes names;
	// families such as PROCESS_STATE, and EVENT, match every type in them).
	Events []string
	// BufferSize is how many events may wait for a READY listener; 0
	// means DefaultBufferSize.
	BufferSize int
	// Accept decides from a listener's result whether the event was
	// processed; nil means supervisord's default_handler: exactly "OK".
	// A rejected event goes back to the head of the buffer.
	Accept func(e supervisor.Event, result []byte) bool
}

// Dispatcher feeds a supervisor's events to its event listener pools. Make
// it with New, add pools with SetPool, and Close it when done; it stops by
// itself when the supervisor's Serve returns. All methods are safe for
// concurrent use.
type Dispatcher struct {
	sup   *supervisor.Supervisor
	log   *slog.Logger
	ident string
	sub   *supervisor.Subscription
	wake  chan struct{}
	quit  chan struct{}
	done  chan struct{}
	close sync.Once

	mu      sync.Mutex
	pools   map[string]*pool
	order   []*pool // in the order they were first set: supervisord's subscription order
	serial  int64
	dropped uint64 // subscription drops already logged
}

type pool struct {
	cfg       PoolConfig
	active    bool // the group exists
	serial    int64
	buffer    []*envelope
	listeners map[string]*listener // by process name
	discarded uint64
	removeTap func()
}

// envelope is an event with its serials.
type envelope struct {
	ev         supervisor.Event
	name       string
	serial     int64
	poolSerial int64
}

type listener struct {
	pid       int
	state     string
	buf       []byte
	resultLen int // -1 until the result line was read
	result    []byte
	event     *envelope
}

// New returns a Dispatcher for sup, subscribed from now on. Create it, and
// set its pools, before adding the listener programs, so that their first
// output and the events of their group's addition are seen.
func New(sup *supervisor.Supervisor, opts Options) *Dispatcher {
	d := &Dispatcher{sup: sup, log: opts.Logger, ident: opts.Identifier,
		wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{}),
		pools: map[string]*pool{}}
	if d.log == nil {
		d.log = slog.Default()
	}
	if d.ident == "" {
		d.ident = "supervisor"
	}
	n := opts.SubscriptionBuffer
	if n <= 0 {
		n = 1 << 14
	}
	d.sub = sup.Subscribe(n)
	go d.run()
	return d
}

// SetPool adds a pool, or changes the configuration of the pool of that
// name (its buffer and listeners stay). The pool takes events while its
// program exists in the supervisor (from its PROCESS_GROUP_ADDED event to
// its PROCESS_GROUP_REMOVED one). The error, for an unknown event type or
// an empty name, is supervisord's.
func (d *Dispatcher) SetPool(cfg PoolConfig) error {
	if cfg.Name == "" {
		return errors.New("eventlistener: a pool needs a name")
	}
	if len(cfg.Events) == 0 {
		return fmt.Errorf("[eventlistener:%s] section requires an \"events\" line", cfg.Name)
	}
	for _, e := range cfg.Events {
		if err := CheckType(e); err != nil {
			return fmt.Errorf("Unknown event type %s in [eventlistener:%s] events", e, cfg.Name)
		}
	}
	if cfg.BufferSize <= 0 {
		cfg.BufferSize = DefaultBufferSize
	}
	cfg.Events = append([]string(nil), cfg.Events...)
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.pools[cfg.Name]; ok {
		p.cfg = cfg
		return nil
	}
	p := &pool{cfg: cfg, listeners: map[string]*listener{}}
	if _, err := d.sup.Program(cfg.Name); err == nil {
		p.active = true
	}
	d.pools[cfg.Name] = p
	d.order = append(d.order, p)
	name := cfg.Name
	p.removeTap = d.sup.TapOutput(name, func(process string, pid int, ch supervisor.Channel, b []byte) {
		if ch == supervisor.ChannelStdout {
			d.output(name, process, pid, b)
		}
	})
	return nil
}

// RemovePool removes a pool: its buffered events are dropped and its
// processes' output is no longer read as the protocol.
func (d *Dispatcher) RemovePool(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.pools[name]
	if !ok {
		return
	}
	p.removeTap()
	delete(d.pools, name)
	for i, q := range d.order {
		if q == p {
			d.order = append(d.order[:i], d.order[i+1:]...)
			break
		}
	}
}

// Discarded returns how many events the pool discarded because its buffer
// was full.
func (d *Dispatcher) Discarded(pool string) uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.pools[pool]; ok {
		return p.discarded
	}
	return 0
}

// ListenerState returns the protocol state of a listener process
// (StateAcknowledged, StateReady, StateBusy or StateUnknown), or "" when
// the pool or process is not known (never started, say).
func (d *Dispatcher) ListenerState(pool, process string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.pools[pool]; ok {
		if l, ok := p.listeners[process]; ok {
			return l.state
		}
	}
	return ""
}

// Close stops dispatching, removes the pools and the subscription, and
// waits for the Dispatcher's goroutine.
func (d *Dispatcher) Close() {
	d.close.Do(func() { close(d.quit) })
	<-d.done
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range d.order {
		p.removeTap()
	}
	d.pools, d.order = map[string]*pool{}, nil
}

func (d *Dispatcher) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// run takes events from the subscription and dispatches buffered events
// when a listener may be ready. A slow check every second catches what no
// event announces (a BUSY listener whose death event was dropped).
func (d *Dispatcher) run() {
	defer close(d.done)
	defer d.sub.Close()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-d.quit:
			return
		case e, ok := <-d.sub.C:
			if !ok {
				return
			}
			d.accept(e)
		case <-d.wake:
		case <-tick.C:
			d.checkBusy()
		}
		d.dispatch()
	}
}

// accept hands e to every active pool that subscribes to its type.
func (d *Dispatcher) accept(e supervisor.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n := d.sub.Dropped(); n > d.dropped {
		d.log.Error(fmt.Sprintf("event listener dispatcher fell behind: %d events were lost", n-d.dropped))
		d.dropped = n
	}
	name := e.Name()
	if e.Kind == supervisor.EventGroupAdded {
		if p, ok := d.pools[e.Group]; ok {
			p.active = true
		}
	}
	if e.Kind == supervisor.EventGroupRemoved {
		if p, ok := d.pools[e.Group]; ok {
			p.active = false
			p.buffer = nil
			p.listeners = map[string]*listener{}
		}
	}
	if e.Kind == supervisor.EventProcessState {
		d.listenerStateEvent(e)
	}
	if name == "" {
		return
	}
	var env *envelope
	for _, p := range d.order {
		if !p.active || !p.subscribes(name) {
			continue
		}
		if env == nil {
			env = &envelope{ev: e, name: name, serial: d.serial}
			d.serial++
		}
		pe := *env
		pe.poolSerial = p.serial
		p.serial++
		d.buffer(p, &pe, false)
	}
}

func (p *pool) subscribes(name string) bool {
	for _, t := range p.cfg.Events {
		if Matches(t, name) {
			return true
		}
	}
	return false
}

// buffer adds an event to the pool's buffer, at the head for an event sent
// back, discarding the oldest one when the buffer is full (as supervisord
// does, even for an event sent back).
func (d *Dispatcher) buffer(p *pool, e *envelope, head bool) {
	if head {
		d.log.Debug(fmt.Sprintf("rebuffering event %d for pool %s (buf size=%d, max=%d)",
			e.serial, p.cfg.Name, len(p.buffer), p.cfg.BufferSize))
	}
	if len(p.buffer) >= p.cfg.BufferSize {
		old := p.buffer[0]
		p.buffer = p.buffer[1:]
		p.discarded++
		d.log.Error(fmt.Sprintf("pool %s event buffer overflowed, discarding event %d", p.cfg.Name, old.serial))
	}
	if head {
		p.buffer = append([]*envelope{e}, p.buffer...)
	} else {
		p.buffer = append(p.buffer, e)
	}
}

// listenerStateEvent gives back the event of a BUSY listener whose child
// is gone.
func (d *Dispatcher) listenerStateEvent(e supervisor.Event) {
	p, ok := d.pools[e.Group]
	if !ok {
		return
	}
	l, ok := p.listeners[e.Process]
	if !ok {
		return
	}
	switch e.To {
	case supervisor.Exited, supervisor.Stopped, supervisor.Unknown, supervisor.Fatal, supervisor.Backoff:
		// Only the event of the listener's own child: an event that the
		// Dispatcher reads late must not reset a newer child's state.
		if e.Pid != 0 && e.Pid == l.pid {
			d.gone(p, l)
		}
	}
}

// gone forgets a listener's child: its event, if any, goes back.
func (d *Dispatcher) gone(p *pool, l *listener) {
	if l.event != nil {
		d.buffer(p, l.event, true)
	}
	*l = listener{pid: -1, state: StateAcknowledged, resultLen: -1}
}

// checkBusy finds BUSY listeners whose child is no longer the one that got
// the event.
func (d *Dispatcher) checkBusy() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range d.order {
		for name, l := range p.listeners {
			if l.state != StateBusy {
				continue
			}
			proc, err := d.sup.Process(p.cfg.Name, name)
			if err != nil || proc.Info().Pid != l.pid {
				d.gone(p, l)
			}
		}
	}
}

// send is one envelope on its way to a listener.
type send struct {
	proc *supervisor.Process
	pool *pool
	l    *listener
	e    *envelope
	data []byte
}

// dispatch sends buffered events to READY listeners of RUNNING processes,
// the oldest first, in the order of the pool's processes. The writes happen
// without the lock: they wait for the processes' goroutines.
func (d *Dispatcher) dispatch() {
	var sends []send
	d.mu.Lock()
	for _, p := range d.order {
		if !p.active || len(p.buffer) == 0 {
			continue
		}
		prog, err := d.sup.Program(p.cfg.Name)
		if err != nil {
			continue
		}
		procs := prog.Processes()
		for len(p.buffer) > 0 {
			var to *supervisor.Process
			var l *listener
			for _, proc := range procs {
				info := proc.Info()
				if info.State != supervisor.Running {
					continue
				}
				if c, ok := p.listeners[info.Name]; ok && c.pid == info.Pid && c.state == StateReady {
					to, l = proc, c
					break
				}
			}
			if to == nil {
				break
			}
			e := p.buffer[0]
			p.buffer = p.buffer[1:]
			l.state, l.event = StateBusy, e
			sends = append(sends, send{proc: to, pool: p, l: l, e: e, data: d.serialize(p, e)})
		}
	}
	d.mu.Unlock()
	for _, s := range sends {
		err := s.proc.WriteStdin(s.data)
		name := s.proc.Name()
		if err == nil {
			d.log.Debug(fmt.Sprintf("event %d sent to listener %s", s.e.serial, name))
			continue
		}
		d.mu.Lock()
		d.log.Debug(fmt.Sprintf("epipe occurred while sending event %d to listener %s, listener state unchanged",
			s.e.serial, name))
		if s.l.event == s.e {
			s.l.event = nil
			s.l.state = StateReady
			d.buffer(s.pool, s.e, true)
		}
		d.mu.Unlock()
	}
}

// serialize is supervisord's envelope: the header line and the payload;
// len counts the payload's characters.
func (d *Dispatcher) serialize(p *pool, e *envelope) []byte {
	payload := e.ev.Payload()
	return []byte(fmt.Sprintf("ver:3.0 server:%s serial:%d pool:%s poolserial:%d eventname:%s len:%d\n%s",
		d.ident, e.serial, p.cfg.Name, e.poolSerial, e.name, utf8.RuneCountInString(payload), payload))
}

// output reads a listener's stdout as the protocol (supervisord's
// PEventListenerDispatcher.handle_listener_state_change).
func (d *Dispatcher) output(poolName, process string, pid int, b []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.pools[poolName]
	if !ok {
		return
	}
	l, ok := p.listeners[process]
	if !ok {
		l = &listener{pid: pid, state: StateAcknowledged, resultLen: -1}
		p.listeners[process] = l
	} else if l.pid != pid {
		// A new child: the old one's event goes back.
		d.gone(p, l)
		l.pid = pid
	}
	l.buf = append(l.buf, b...)
	d.protocol(p, process, l)
	d.signal()
}

func (d *Dispatcher) protocol(p *pool, process string, l *listener) {
	for len(l.buf) > 0 {
		switch l.state {
		case StateUnknown:
			l.buf = nil
			return
		case StateAcknowledged:
			const ready = "READY\n"
			if len(l.buf) < len(ready) {
				return
			}
			l.event = nil
			if !bytes.HasPrefix(l.buf, []byte(ready)) {
				d.change(process, l, StateUnknown)
				l.buf = nil
				return
			}
			d.change(process, l, StateReady)
			l.buf = l.buf[len(ready):]
		case StateReady:
			// Output while waiting for an event violates the protocol.
			d.change(process, l, StateUnknown)
			l.buf, l.event = nil, nil
			return
		case StateBusy:
			if l.resultLen < 0 {
				i := bytes.IndexByte(l.buf, '\n')
				if i < 0 && len(l.buf) <= maxResultLine {
					return
				}
				var line []byte
				if i < 0 {
					line, l.buf = l.buf, nil
				} else {
					line, l.buf = l.buf[:i], l.buf[i+1:]
				}
				n, err := resultLength(line)
				if err != nil {
					text := string(line)
					if !utf8.Valid(line) {
						text = "Undecodable: " + pyrepr.BytesRepr(line)
					}
					d.log.Warn(fmt.Sprintf("%s: bad result line: '%s'", process, text))
					d.change(process, l, StateUnknown)
					l.buf = nil
					d.reject(p, l)
					return
				}
				l.resultLen, l.result = n, nil
			}
			take := min(l.resultLen-len(l.result), len(l.buf))
			l.result = append(l.result, l.buf[:take]...)
			l.buf = l.buf[take:]
			if len(l.result) == l.resultLen {
				d.result(p, process, l)
			}
		}
	}
}

// resultLength parses the n of "RESULT n" as supervisord does: whatever
// follows the first 7 bytes, as a Python int.
func resultLength(line []byte) (int, error) {
	if len(line) < len("RESULT ") || len(line) > maxResultLine {
		return 0, errors.New("bad result line")
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(line[len("RESULT "):])))
	if err != nil || n < 0 || n > maxResultLen {
		return 0, errors.New("bad result line")
	}
	return n, nil
}

// result applies the result handler to a complete result.
func (d *Dispatcher) result(p *pool, process string, l *listener) {
	ok := false
	if l.event != nil {
		if p.cfg.Accept != nil {
			ok = p.cfg.Accept(l.event.ev, l.result)
		} else {
			ok = string(l.result) == "OK"
		}
	}
	if ok {
		d.log.Debug(process + ": event was processed")
		d.change(process, l, StateAcknowledged)
		l.event = nil
	} else {
		d.log.Warn(process + ": event was rejected")
		d.change(process, l, StateAcknowledged)
		d.reject(p, l)
	}
	l.result, l.resultLen = nil, -1
}

// reject sends the listener's event back to the head of the buffer.
func (d *Dispatcher) reject(p *pool, l *listener) {
	if l.event != nil {
		d.buffer(p, l.event, true)
		l.event = nil
	}
}

func (d *Dispatcher) change(process string, l *listener, to string) {
	d.log.Debug(fmt.Sprintf("%s: %s -> %s", process, l.state, to))
	l.state = to
	if to == StateUnknown {
		d.log.Warn(process + ": has entered the UNKNOWN state and will no longer receive events, " +
			"this usually indicates the process violated the eventlistener protocol")
	}
}
