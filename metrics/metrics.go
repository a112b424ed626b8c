// Package metrics exports a Supervisor's processes as Prometheus metrics:
// a Collector that an embedding program registers in its own registry,
// and Handler, a /metrics handler with a registry of its own (the one
// gosupervisord serves with x_metrics = true). The supervisor package
// itself does not depend on Prometheus.
//
// Every series has the labels group and name (the process's group and
// name):
//
//	supervisor_process_state{state}            1 for the current state, 0 for the
//	                                           seven others (STOPPED, STARTING,
//	                                           RUNNING, BACKOFF, STOPPING, EXITED,
//	                                           FATAL, UNKNOWN)
//	supervisor_process_starts_total            spawn attempts (ProcessInfo.Starts)
//	supervisor_process_restarts_total          automatic restarts (ProcessInfo.Restarts)
//	supervisor_process_exits_total{expected}   exits no stop asked for, expected
//	                                           "true" or "false"
//	supervisor_process_last_exit_status        ProcessInfo.ExitStatus, supervisord's
//	                                           exitstatus: the last exit's status,
//	                                           -1 after a death by signal, 0 before
//	                                           any exit and again at each spawn
//	supervisor_process_start_time_seconds      Unix time of the last spawn; 0 if
//	                                           never started
//	supervisor_process_cpu_seconds_total       user and system CPU time of the
//	                                           running child (itself, not its
//	                                           descendants), from /proc
//	supervisor_process_resident_memory_bytes   its resident set size, from /proc
//
// The counters come from ProcessInfo, whose counts the process's own
// goroutine keeps: they are exact, where counting events from a
// Subscription would miss those dropped while its reader lags. They start
// at 0 when a process is added (a reload that changes a program makes new
// processes), which Prometheus' rate() takes as a counter reset. The CPU
// and memory series exist only while a child runs and only where /proc
// does (Linux); the CPU counter starts again with each new child.
//
// A scrape takes a snapshot of each process (a mutex held for a copy) and
// reads one /proc file per running child; it never waits for a process's
// goroutine, so supervision goes on at its own pace. Its cost grows with
// the number of processes. Measured with 500 sleeping children on a
// loaded 2-core machine (BenchmarkScrape500, CPU of the whole process per
// scrape): 14 ms through Handler, most of it the kernel's work for the 500
// open/read/close of /proc/<pid>/stat; 47 ms through a registry holding a
// Collector (BenchmarkCollectorScrape500), because Prometheus' registry
// builds, sorts and checks every one of the 8000 series.
package metrics

import (
	"bytes"
	"net/http"
	"strconv"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/expfmt"

	"github.com/supervise-go/supervisor"
)

// states lists the process states in the order of their series.
var states = []supervisor.State{
	supervisor.Stopped, supervisor.Starting, supervisor.Running, supervisor.Backoff,
	supervisor.Stopping, supervisor.Exited, supervisor.Fatal, supervisor.Unknown,
}

// family describes one metric family and how to read its values from a
// snapshot.
type family struct {
	name, help, typ string
	extra           string // the extra label, if any
	// values calls add for each series of one process: the extra label's
	// value ("" if none) and the value. It may call add never (no child).
	values func(s *snapshot, add func(label string, v float64))
}

// snapshot is what a scrape knows of one process.
type snapshot struct {
	info     supervisor.ProcessInfo
	cpu, rss float64
	hasProc  bool // cpu and rss were read
}

var families = []family{
	{name: "supervisor_process_state", typ: "gauge", extra: "state",
		help: "Process state: 1 for the current one, 0 for the others.",
		values: func(s *snapshot, add func(string, float64)) {
			for _, st := range states {
				v := 0.0
				if s.info.State == st {
					v = 1
				}
				add(st.String(), v)
			}
		}},
	{name: "supervisor_process_starts_total", typ: "counter",
		help:   "Spawn attempts: entries into STARTING.",
		values: func(s *snapshot, add func(string, float64)) { add("", float64(s.info.Starts)) }},
	{name: "supervisor_process_restarts_total", typ: "counter",
		help:   "Automatic restarts after an exit from RUNNING.",
		values: func(s *snapshot, add func(string, float64)) { add("", float64(s.info.Restarts)) }},
	{name: "supervisor_process_exits_total", typ: "counter", extra: "expected",
		help: "Exits of the child that no stop asked for, by whether the exit status was expected.",
		values: func(s *snapshot, add func(string, float64)) {
			add("true", float64(s.info.ExitsExpected))
			add("false", float64(s.info.ExitsUnexpected))
		}},
	{name: "supervisor_process_last_exit_status", typ: "gauge",
		help:   "Last exit status; -1 after a death by signal.",
		values: func(s *snapshot, add func(string, float64)) { add("", float64(s.info.ExitStatus)) }},
	{name: "supervisor_process_start_time_seconds", typ: "gauge",
		help: "Unix time of the last spawn; 0 if never started.",
		values: func(s *snapshot, add func(string, float64)) {
			v := 0.0
			if !s.info.Start.IsZero() {
				v = float64(s.info.Start.UnixNano()) / 1e9
			}
			add("", v)
		}},
	{name: "supervisor_process_cpu_seconds_total", typ: "counter",
		help: "User and system CPU time of the running child.",
		values: func(s *snapshot, add func(string, float64)) {
			if s.hasProc {
				add("", s.cpu)
			}
		}},
	{name: "supervisor_process_resident_memory_bytes", typ: "gauge",
		help: "Resident set size of the running child.",
		values: func(s *snapshot, add func(string, float64)) {
			if s.hasProc {
				add("", s.rss)
			}
		}},
}

// snapshots takes a snapshot of every process of sup.
func snapshots(sup *supervisor.Supervisor) []snapshot {
	procs := sup.Processes()
	out := make([]snapshot, len(procs))
	var buf [1024]byte
	for i, p := range procs {
		s := &out[i]
		s.info = p.Info()
		if s.info.Pid > 0 {
			s.cpu, s.rss, s.hasProc = readProcStat(s.info.Pid, buf[:])
		}
	}
	return out
}

// Collector is a prometheus.Collector of a Supervisor's processes (see the
// package doc for its series), for an embedding program's own registry.
// It is safe for concurrent use; register it once per registry.
type Collector struct {
	sup   *supervisor.Supervisor
	descs []*prometheus.Desc // one per family
}

// NewCollector returns a Collector of sup's processes, those of the moment
// of each scrape.
func NewCollector(sup *supervisor.Supervisor) *Collector {
	c := &Collector{sup: sup}
	for _, f := range families {
		labels := []string{"group", "name"}
		if f.extra != "" {
			labels = append(labels, f.extra)
		}
		c.descs = append(c.descs, prometheus.NewDesc(f.name, f.help, labels, nil))
	}
	return c
}

// Describe sends the descriptors of every series.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect sends the series of every process.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	snaps := snapshots(c.sup)
	for i := range snaps {
		s := &snaps[i]
		for fi, f := range families {
			typ := prometheus.GaugeValue
			if f.typ == "counter" {
				typ = prometheus.CounterValue
			}
			f.values(s, func(label string, v float64) {
				if f.extra != "" {
					ch <- prometheus.MustNewConstMetric(c.descs[fi], typ, v, s.info.Group, s.info.Name, label)
				} else {
					ch <- prometheus.MustNewConstMetric(c.descs[fi], typ, v, s.info.Group, s.info.Name)
				}
			})
		}
	}
}

// HandlerOptions configure Handler.
type HandlerOptions struct {
	// MaxRequestsInFlight bounds the scrapes served at once; more are
	// answered 503 at once, so that a flood of scrapes costs at most this
	// many scrapes' CPU at a time. 0 means 2.
	MaxRequestsInFlight int
}

// Handler returns an HTTP handler of sup's metrics in the Prometheus text
// format (version 0.0.4, whatever the request accepts, uncompressed): the
// series of a Collector, and the serving program's own process_* and go_*
// metrics from a registry of the handler's own (never the global one). It
// writes the supervisor's series itself rather than through a registry,
// which makes a scrape several times cheaper (see the package doc), and
// answers 503 when MaxRequestsInFlight scrapes are already running. It
// adds no authentication: put it behind yours.
func Handler(sup *supervisor.Supervisor, opts HandlerOptions) http.Handler {
	if opts.MaxRequestsInFlight <= 0 {
		opts.MaxRequestsInFlight = 2
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector())
	return &handler{sup: sup, reg: reg, slots: make(chan struct{}, opts.MaxRequestsInFlight)}
}

type handler struct {
	sup   *supervisor.Supervisor
	reg   *prometheus.Registry
	slots chan struct{}
}

var textFormat = expfmt.NewFormat(expfmt.TypeTextPlain)

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	default:
		http.Error(w, "too many scrapes at once; try again later", http.StatusServiceUnavailable)
		return
	}
	own, err := h.reg.Gather()
	if err != nil {
		http.Error(w, "gathering the daemon's metrics: "+err.Error(), http.StatusInternalServerError)
		return
	}
	snaps := snapshots(h.sup)
	w.Header().Set("Content-Type", string(textFormat))
	enc := expfmt.NewEncoder(w, textFormat)
	for _, mf := range own {
		if err := enc.Encode(mf); err != nil {
			return // the client went away
		}
	}
	buf := make([]byte, 0, 64<<10)
	for _, f := range families {
		buf = append(buf, "# HELP "...)
		buf = append(buf, f.name...)
		buf = append(buf, ' ')
		buf = append(buf, f.help...)
		buf = append(buf, "\n# TYPE "...)
		buf = append(buf, f.name...)
		buf = append(buf, ' ')
		buf = append(buf, f.typ...)
		buf = append(buf, '\n')
		for i := range snaps {
			s := &snaps[i]
			f.values(s, func(label string, v float64) {
				buf = append(buf, f.name...)
				buf = append(buf, `{group="`...)
				buf = appendLabelValue(buf, s.info.Group)
				buf = append(buf, `",name="`...)
				buf = appendLabelValue(buf, s.info.Name)
				if f.extra != "" {
					buf = append(buf, `",`...)
					buf = append(buf, f.extra...)
					buf = append(buf, `="`...)
					buf = appendLabelValue(buf, label)
				}
				buf = append(buf, `"} `...)
				buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
				buf = append(buf, '\n')
			})
			if len(buf) >= 60<<10 {
				if _, err := w.Write(buf); err != nil {
					return
				}
				buf = buf[:0]
			}
		}
	}
	_, _ = w.Write(buf)
}

// appendLabelValue escapes a label value for the text format: backslash,
// double quote and newline.
func appendLabelValue(buf []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			buf = append(buf, `\\`...)
		case '"':
			buf = append(buf, `\"`...)
		case '\n':
			buf = append(buf, `\n`...)
		default:
			buf = append(buf, c)
		}
	}
	return buf
}

// clockTicks is USER_HZ, the unit of CPU times in /proc: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

var pageSize = float64(syscall.Getpagesize())

// readProcStat reads the CPU seconds (utime + stime) and resident bytes of
// pid from /proc/<pid>/stat into buf.
func readProcStat(pid int, buf []byte) (cpu, rss float64, ok bool) {
	path := strconv.AppendInt(append(buf[:0], "/proc/"...), int64(pid), 10)
	path = append(path, "/stat"...)
	fd, err := syscall.Open(string(path), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0, 0, false
	}
	n, err := syscall.Read(fd, buf)
	syscall.Close(fd)
	if err != nil || n <= 0 {
		return 0, 0, false
	}
	return parseProcStat(buf[:n])
}

// parseProcStat parses the content of /proc/<pid>/stat: fields 14 and 15
// (utime, stime) and 24 (rss, in pages), counted after the command name in
// parentheses, which may contain spaces and parentheses itself.
func parseProcStat(b []byte) (cpu, rss float64, ok bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	b = b[i+1:]
	var utime, stime, pages uint64
	field := 2 // the field just before b
	for len(b) > 0 && field < 24 {
		b = bytes.TrimLeft(b, " ")
		end := bytes.IndexByte(b, ' ')
		if end < 0 {
			end = len(b)
		}
		field++
		switch field {
		case 14, 15, 24:
			v, err := strconv.ParseUint(string(bytes.TrimSpace(b[:end])), 10, 64)
			if err != nil {
				return 0, 0, false
			}
			switch field {
			case 14:
				utime = v
			case 15:
				stime = v
			case 24:
				pages = v
			}
		}
		b = b[end:]
	}
	if field < 24 {
		return 0, 0, false
	}
	return float64(utime+stime) / clockTicks, float64(pages) * pageSize, true
}
