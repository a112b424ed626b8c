//go:build linux

// Command daemonbench measures gosupervisord against Debian's supervisord,
// and against plain os/exec doing the same work unsupervised where that
// makes sense, on the scenarios of issues 5 and 15, in one run. Each round
// runs every implementation in turn (interleaved), so that the figures of
// one run share the machine's conditions; with -rounds N each figure is the
// median of N rounds. It prints each figure as it comes (stderr), then a
// table with the ratios:
//
//	go run ./scripts/daemonbench                    # every row
//	go run ./scripts/daemonbench -quick             # shorter periods
//	go run ./scripts/daemonbench -run 'getAll|RSS'  # rows matching a regexp
//	go run ./scripts/daemonbench -scale 1000,5000   # sizes of the scale rows
//
// Rows (-list prints them):
//
//	launch        launch until N programs are RUNNING (startsecs=0), from the
//	              main logs' "success:" lines; plain: N exec.Cmd.Start
//	kill          SIGKILL of a RUNNING program to its new pid RUNNING
//	              (autorestart), median of -kills, from the main log, then
//	              polling getProcessInfo; plain: Wait then Start
//	capture       -capture MiB of child stdout (dd) into a log rotating at
//	              50 MB with 3 backups; plain: a Go program reading the same
//	              pipe into a file it rotates the same way
//	idle          daemon CPU over -idle and RSS with 500 sleeping programs;
//	              plain: a Go program holding 500 exec.Cmd and their Waits
//	getall        getAllProcessInfo calls/s with 500 programs and one client,
//	              a new connection per call and with keep-alive, and the
//	              daemon's CPU per call
//	scale         for each size of -scale: launch to all RUNNING, one
//	              getAllProcessInfo, daemon RSS, shutdown (SIGTERM to exit)
//	startup       launch to first RPC answer, stopAllProcesses (issue 5)
//
// Needs supervisord on PATH (apt-get install supervisor). The plain
// baselines run in a child process (this program with -baseline), so that
// their RSS and start-up are a fresh process's, as the daemons' are.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// An impl is one of the implementations compared: a daemon, or the plain
// baseline (argv nil).
type impl struct {
	name string
	argv func(conf string) []string
}

func (m impl) plain() bool { return m.argv == nil }

var (
	quick      = flag.Bool("quick", false, "shorter periods: idle 5 s, calls 2 s")
	ours       = flag.String("ours", "", "gosupervisord binary (default: build it)")
	only       = flag.String("run", "", "run only the rows whose name or group matches this regexp")
	list       = flag.Bool("list", false, "list the rows and exit")
	rounds     = flag.Int("rounds", 1, "rounds, each running every implementation in turn; figures are medians")
	launchN    = flag.Int("launch", 1000, "programs of the launch and startup rows")
	kills      = flag.Int("kills", 20, "SIGKILLs of the kill row")
	captureMiB = flag.Int("capture", 512, "MiB written by the child of the capture row")
	idleFor    = flag.Duration("idle", 30*time.Second, "quiet period of the idle row")
	rpcN       = flag.Int("rpcn", 500, "programs of the getall and idle rows")
	callsFor   = flag.Duration("calls", 5*time.Second, "period of each getall measurement")
	scale      = flag.String("scale", "1000,5000", "sizes of the scale rows, comma-separated")
	skip       = flag.String("skip", "", "implementations to leave out, comma-separated (supervisord, gosupervisord, plain)")
	extra      = flag.String("extra", "", "more gosupervisord binaries to compare, as name=path,... (e.g. an earlier build)")
	baseline   = flag.String("baseline", "", "internal: run a plain os/exec baseline (launch, kill, capture, idle)")
	baseN      = flag.Int("n", 0, "internal: size for -baseline")
	baseOut    = flag.String("out", "", "internal: log file for -baseline capture")
)

func main() {
	flag.Parse()
	if *baseline != "" {
		runBaseline(*baseline)
		return
	}
	if *quick {
		*idleFor, *callsFor = 5*time.Second, 2*time.Second
	}
	filter, err := regexp.Compile(*only)
	check(err)
	var sizes []int
	for _, s := range strings.Split(*scale, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		check(err)
		sizes = append(sizes, n)
	}

	b := &bench{filter: filter}
	b.define(sizes)
	if *list {
		for _, r := range b.rows {
			fmt.Printf("%-8s %s\n", r.group, r.name)
		}
		return
	}
	if !b.any() {
		fmt.Fprintln(os.Stderr, "no row matches -run")
		os.Exit(2)
	}

	bin := *ours
	if bin == "" {
		dir, err := os.MkdirTemp("", "daemonbench")
		check(err)
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "gosupervisord")
		out, err := exec.Command("go", "build", "-o", bin, "./examples/gosupervisord").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
			os.Exit(1)
		}
	}
	// Both daemons hold three fds per program (its pipes), 15000 for the
	// scale row's 5000, and gosupervisord a pidfd each while under 3/4 of
	// the limit: raise the hard limit the daemons inherit if this runs as
	// root (where the sandbox lets it). minfds still bounds what supervisord
	// closes in each child.
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Max < 65536 {
		want := syscall.Rlimit{Cur: 65536, Max: 65536}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			fmt.Fprintf(os.Stderr, "RLIMIT_NOFILE stays %d: %v\n", lim.Max, err)
		}
	}
	self, err := os.Executable()
	check(err)
	selfExe = self
	all := []impl{
		{name: "supervisord"},
		{name: "gosupervisord", argv: func(c string) []string { return []string{bin, "-n", "-c", c} }},
		{name: "plain"},
	}
	for _, m := range all {
		if slices.Contains(strings.Split(*skip, ","), m.name) {
			continue
		}
		if m.name == "supervisord" {
			ref, err := exec.LookPath("supervisord")
			check(err)
			m.argv = func(c string) []string { return []string{ref, "-n", "-c", c} }
		}
		b.impls = append(b.impls, m)
	}
	if *extra != "" {
		for _, e := range strings.Split(*extra, ",") {
			name, path, ok := strings.Cut(e, "=")
			if !ok {
				check(fmt.Errorf("-extra %q: want name=path", e))
			}
			b.impls = append(b.impls, impl{name: name, argv: func(c string) []string { return []string{path, "-n", "-c", c} }})
		}
	}
	b.run()
	b.print()
}

// A row is one figure per implementation. measure runs one round of every
// row of a group for one implementation, so that rows measured on the same
// daemon (RSS and CPU, the two getall modes) share its start.
type row struct {
	group, name, unit string
	lowerBest         bool
	hasPlain          bool
	vals              map[string][]float64
}

type bench struct {
	filter *regexp.Regexp
	impls  []impl
	rows   []*row
	groups []group
}

type group struct {
	name    string
	rows    []*row
	measure func(m impl) []float64 // one value per row; NaN-free
}

func (b *bench) add(g string, measure func(m impl) []float64, rows ...*row) {
	for _, r := range rows {
		r.group = g
		r.vals = map[string][]float64{}
		b.rows = append(b.rows, r)
	}
	b.groups = append(b.groups, group{g, rows, measure})
}

func (b *bench) selected(g group) bool {
	if b.filter.MatchString(g.name) {
		return true
	}
	for _, r := range g.rows {
		if b.filter.MatchString(r.name) {
			return true
		}
	}
	return false
}

func (b *bench) any() bool { return slices.ContainsFunc(b.groups, b.selected) }

func (b *bench) run() {
	for round := range *rounds {
		for _, g := range b.groups {
			if !b.selected(g) {
				continue
			}
			for _, m := range b.impls {
				if m.plain() && !slices.ContainsFunc(g.rows, func(r *row) bool { return r.hasPlain }) {
					continue
				}
				vals := g.measure(m)
				for i, r := range g.rows {
					if m.plain() && !r.hasPlain {
						continue
					}
					r.vals[m.name] = append(r.vals[m.name], vals[i])
					fmt.Fprintf(os.Stderr, "round %d  %-62s %-14s %10.3f %s\n", round+1, r.name, m.name, vals[i], r.unit)
				}
			}
		}
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (b *bench) print() {
	fmt.Println()
	if *rounds > 1 {
		fmt.Printf("Medians of %d interleaved rounds.\n\n", *rounds)
	}
	var names []string
	for _, m := range b.impls {
		names = append(names, m.name)
	}
	fmt.Printf("| scenario | %s | ours/supervisord | ours/plain |\n", strings.Join(names, " | "))
	fmt.Printf("|---|%s---|---|\n", strings.Repeat("---|", len(names)))
	for _, r := range b.rows {
		if len(r.vals) == 0 {
			continue
		}
		fmt.Printf("| %s |", r.name)
		for _, name := range names {
			if v, ok := r.vals[name]; ok {
				fmt.Printf(" %.3f %s |", median(v), r.unit)
			} else {
				fmt.Print(" - |")
			}
		}
		ratio := func(other string) string {
			a, b := median(r.vals["gosupervisord"]), median(r.vals[other])
			if a == 0 || b == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2f", a/b)
		}
		fmt.Printf(" %s | %s |\n", ratio("supervisord"), ratio("plain"))
	}
	fmt.Println("\nLower is better for s, ms and MiB; higher for calls/s and MiB/s.")
}

// define lists the rows, in the order they run.
func (b *bench) define(sizes []int) {
	n := *launchN
	b.add("launch", func(m impl) []float64 {
		if m.plain() {
			return []float64{plainLaunch(n)}
		}
		r := start(m, sleepers(n, false))
		defer r.stop()
		last := r.waitSuccesses(n)
		return []float64{last.Sub(r.t0).Seconds()}
	}, &row{name: fmt.Sprintf("launch to all %d programs RUNNING (startsecs=0)", n), unit: "s", lowerBest: true, hasPlain: true})

	b.add("kill", func(m impl) []float64 {
		if m.plain() {
			return plainKill(*kills)
		}
		return killLatency(m, *kills)
	},
		&row{name: fmt.Sprintf("SIGKILL to new pid RUNNING, median of %d", *kills), unit: "ms", lowerBest: true, hasPlain: true},
		&row{name: fmt.Sprintf("  the same, polling getProcessInfo every 0.5 ms, median of %d", *kills), unit: "ms", lowerBest: true, hasPlain: true})

	b.add("capture", func(m impl) []float64 {
		if m.plain() {
			return []float64{plainCapture(*captureMiB)}
		}
		return []float64{capture(m, *captureMiB)}
	}, &row{name: fmt.Sprintf("%d MiB of child stdout into a 50MB x3 rotated log", *captureMiB), unit: "MiB/s", hasPlain: true})

	b.add("idle", func(m impl) []float64 {
		if m.plain() {
			return []float64{0, plainIdleRSS(*rpcN)}
		}
		return idle(m, *rpcN)
	},
		&row{name: fmt.Sprintf("daemon CPU over %v with %d sleeping programs", *idleFor, *rpcN), unit: "s", lowerBest: true},
		&row{name: fmt.Sprintf("%d idle children: daemon RSS", *rpcN), unit: "MiB", lowerBest: true, hasPlain: true})

	b.add("getall", func(m impl) []float64 { return getAll(m, *rpcN) },
		&row{name: fmt.Sprintf("getAllProcessInfo, %d programs, 1 client, new connection per call", *rpcN), unit: "calls/s"},
		&row{name: "  daemon CPU per call, new connection", unit: "ms", lowerBest: true},
		&row{name: fmt.Sprintf("getAllProcessInfo, %d programs, 1 client, HTTP keep-alive", *rpcN), unit: "calls/s"},
		&row{name: "  daemon CPU per call, keep-alive", unit: "ms", lowerBest: true})

	for _, size := range sizes {
		b.add(fmt.Sprintf("scale%d", size), func(m impl) []float64 { return scaleRun(m, size) },
			&row{name: fmt.Sprintf("scale %d: launch to all RUNNING", size), unit: "s", lowerBest: true},
			&row{name: fmt.Sprintf("scale %d: one getAllProcessInfo (median of 5)", size), unit: "ms", lowerBest: true},
			&row{name: fmt.Sprintf("scale %d: daemon RSS, all RUNNING", size), unit: "MiB", lowerBest: true},
			&row{name: fmt.Sprintf("scale %d: shutdown, SIGTERM to exit", size), unit: "s", lowerBest: true})
	}

	b.add("startup", func(m impl) []float64 {
		r := start(m, sleepers(n, false))
		first := r.firstAnswer.Seconds()
		r.waitSuccesses(n)
		t := time.Now()
		r.call("supervisor.stopAllProcesses")
		stop := time.Since(t).Seconds()
		r.stop()
		return []float64{first, stop}
	},
		&row{name: fmt.Sprintf("launch to first RPC answer with %d programs", n), unit: "s", lowerBest: true},
		&row{name: fmt.Sprintf("stopAllProcesses with %d running", n), unit: "s", lowerBest: true})
}

// sleepers is the config of n sleeping programs, which restart when
// killed if autorestart.
func sleepers(n int, autorestart bool) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "[program:p%04d]\ncommand=/bin/sleep 100000\nstartsecs=0\nstdout_logfile=NONE\nstderr_logfile=NONE\n", i)
		if autorestart {
			b.WriteString("autorestart=true\n")
		}
	}
	return b.String()
}

// killLatency kills the RUNNING program kills times and measures until it
// is RUNNING again with a new pid, in two ways one after the other: from
// the main log's "success:" line, which leaves the daemon alone; then by
// polling getProcessInfo on a kept-alive connection every 0.5 ms, which is
// precise but keeps waking the daemon (supervisord's loop included).
func killLatency(m impl, kills int) []float64 {
	r := start(m, sleepers(1, true))
	defer r.stop()
	r.waitSuccesses(1)
	log := r.follow(false)
	c := &http.Client{}
	var logged, polled []float64
	for i := range 2 * kills {
		pid, _ := r.state(c, "p0000")
		tk := time.Now()
		check(syscall.Kill(pid, syscall.SIGKILL))
		for {
			if i < kills {
				if tl, ok := log.success(); ok {
					// The log's timestamps are truncated to the
					// millisecond: the line was written half a
					// millisecond later on average.
					logged = append(logged, tl.Sub(tk).Seconds()*1000+0.5)
					break
				}
				time.Sleep(time.Millisecond)
			} else {
				if p, state := r.state(c, "p0000"); p != pid && state == "RUNNING" {
					polled = append(polled, time.Since(tk).Seconds()*1000)
					break
				}
				time.Sleep(500 * time.Microsecond)
			}
			if time.Since(tk) > 30*time.Second {
				panic(m.name + ": no new RUNNING after SIGKILL")
			}
		}
		for {
			if p, state := r.state(c, "p0000"); p != pid && state == "RUNNING" {
				break
			}
			time.Sleep(time.Millisecond)
		}
		log.success() // skip what the polling phase logged
		time.Sleep(50 * time.Millisecond)
	}
	c.CloseIdleConnections()
	return []float64{median(logged), median(polled)}
}

// capture measures from startProcess to the daemon having written every
// byte, which /proc/<pid>/io's wchar counts.
func capture(m impl, mib int) float64 {
	dir, err := os.MkdirTemp("", "daemonbench-capture")
	check(err)
	defer os.RemoveAll(dir)
	prog := fmt.Sprintf("[program:cap]\ncommand=/bin/dd if=/dev/zero bs=65536 count=%d\nautostart=false\nstartsecs=0\nautorestart=false\n"+
		"stdout_logfile=%s/cap.log\nstdout_logfile_maxbytes=50MB\nstdout_logfile_backups=3\nstderr_logfile=NONE\n", mib*16, dir)
	r := start(m, prog)
	defer r.stop()
	w0 := wchar(r.cmd.Process.Pid)
	t0 := time.Now()
	r.call("supervisor.startProcess", "cap", false)
	want := w0 + int64(mib)<<20
	for wchar(r.cmd.Process.Pid) < want {
		if time.Since(t0) > 5*time.Minute {
			panic(m.name + ": capture never completed")
		}
		time.Sleep(time.Millisecond)
	}
	return float64(mib) / time.Since(t0).Seconds()
}

func idle(m impl, n int) []float64 {
	r := start(m, sleepers(n, false))
	defer r.stop()
	r.waitSuccesses(n)
	time.Sleep(2 * time.Second) // let start-up settle
	pid := r.cmd.Process.Pid
	c0 := cpuSeconds(pid)
	time.Sleep(*idleFor)
	return []float64{cpuSeconds(pid) - c0, rssMiB(pid)}
}

// getAll reads each reply whole without decoding it: the figure is the
// daemon's, not this client's XML decoder's.
func getAll(m impl, n int) []float64 {
	r := start(m, sleepers(n, false))
	defer r.stop()
	r.waitSuccesses(n)
	var out []float64
	for _, keepAlive := range []bool{false, true} {
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: !keepAlive}}
		r.rawCall(c, "supervisor.getAllProcessInfo") // warm up
		pid := r.cmd.Process.Pid
		cpu0, calls, t := cpuSeconds(pid), 0, time.Now()
		for time.Since(t) < *callsFor {
			r.rawCall(c, "supervisor.getAllProcessInfo")
			calls++
		}
		elapsed := time.Since(t).Seconds()
		cpu := cpuSeconds(pid) - cpu0
		out = append(out, float64(calls)/elapsed, cpu*1000/float64(calls))
		c.CloseIdleConnections()
	}
	return out
}

func scaleRun(m impl, n int) []float64 {
	r := start(m, sleepers(n, false))
	launch := 0.0 // not all RUNNING
	if last, err := r.trySuccesses(n); err != nil {
		fmt.Fprintf(os.Stderr, "scale %d: %v\n", n, err)
	} else {
		launch = last.Sub(r.t0).Seconds()
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	var calls []float64
	for range 5 {
		t := time.Now()
		r.rawCall(c, "supervisor.getAllProcessInfo")
		calls = append(calls, time.Since(t).Seconds()*1000)
	}
	rss := rssMiB(r.cmd.Process.Pid)
	shutdown := r.stop().Seconds()
	return []float64{launch, median(calls), rss, shutdown}
}

type run struct {
	name        string
	cmd         *exec.Cmd
	dir         string
	url         string
	t0          time.Time
	firstAnswer time.Duration
	done        chan struct{}
}

// start writes a config with programs, starts the daemon and waits for its
// first RPC answer.
func start(m impl, programs string) *run {
	dir, err := os.MkdirTemp("", "daemonbench-"+m.name)
	check(err)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	// Three pipes per program, and supervisord closes every fd below
	// minfds in each child it forks: no more than it needs (10000 as in
	// issue 5's figures, more for the 5000 of the scale rows).
	minfds := max(10000, 3*strings.Count(programs, "[program:")+1024)
	var b strings.Builder
	fmt.Fprintf(&b, "[supervisord]\nlogfile=%s/s.log\npidfile=%s/s.pid\nchildlogdir=%s\nminfds=%d\nminprocs=%d\n", dir, dir, dir, minfds, minfds)
	fmt.Fprintf(&b, "[inet_http_server]\nport=127.0.0.1:%d\n", port)
	b.WriteString("[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n")
	b.WriteString(programs)
	conf := filepath.Join(dir, "supervisord.conf")
	check(os.WriteFile(conf, []byte(b.String()), 0o644))
	argv := m.argv(conf)
	r := &run{name: m.name, cmd: exec.Command(argv[0], argv[1:]...), dir: dir, url: fmt.Sprintf("http://127.0.0.1:%d/RPC2", port), done: make(chan struct{})}
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	r.t0 = time.Now()
	check(r.cmd.Start())
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	for {
		if _, err := r.tryCall("supervisor.getState"); err == nil {
			r.firstAnswer = time.Since(r.t0)
			return r
		}
		select {
		case <-r.done:
			out, _ := os.ReadFile(filepath.Join(dir, "s.log"))
			panic(fmt.Sprintf("%s exited: %s", m.name, out))
		case <-time.After(5 * time.Millisecond):
		}
		if time.Since(r.t0) > 10*time.Minute {
			panic(m.name + " never answered")
		}
	}
}

// stop sends SIGTERM and returns how long the daemon took to exit.
func (r *run) stop() time.Duration {
	t := time.Now()
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(5 * time.Minute):
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
		<-r.done
	}
	d := time.Since(t)
	_ = os.RemoveAll(r.dir)
	return d
}

func (r *run) tryCall(method string, params ...any) (any, error) {
	var body bytes.Buffer
	if err := xmlrpc.EncodeRequest(&body, method, params...); err != nil {
		return nil, err
	}
	resp, err := http.Post(r.url, "text/xml", &body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return xmlrpc.ParseResponse(resp.Body)
}

func (r *run) call(method string, params ...any) any {
	v, err := r.tryCall(method, params...)
	check(err)
	return v
}

// state returns the pid and state name of a process, asked with c.
func (r *run) state(c *http.Client, name string) (int, string) {
	var body bytes.Buffer
	check(xmlrpc.EncodeRequest(&body, "supervisor.getProcessInfo", name))
	resp, err := c.Post(r.url, "text/xml", &body)
	check(err)
	defer resp.Body.Close()
	v, err := xmlrpc.ParseResponse(resp.Body)
	check(err)
	info, ok := v.(map[string]any)
	if !ok {
		panic("getProcessInfo: not a struct")
	}
	pid, _ := info["pid"].(int)
	state, _ := info["statename"].(string)
	return pid, state
}

var getAllBody = func() []byte {
	var body bytes.Buffer
	check(xmlrpc.EncodeRequest(&body, "supervisor.getAllProcessInfo"))
	return body.Bytes()
}()

// rawCall makes a call without parameters with c and reads the whole reply
// without decoding it.
func (r *run) rawCall(c *http.Client, method string) {
	body := getAllBody
	if method != "supervisor.getAllProcessInfo" {
		var b bytes.Buffer
		check(xmlrpc.EncodeRequest(&b, method))
		body = b.Bytes()
	}
	resp, err := c.Post(r.url, "text/xml", bytes.NewReader(body))
	check(err)
	n, err := io.Copy(io.Discard, resp.Body)
	check(err)
	resp.Body.Close()
	if resp.StatusCode != 200 || n == 0 {
		panic(fmt.Sprintf("HTTP %d, %d bytes", resp.StatusCode, n))
	}
}

// waitSuccesses waits for n "success:" lines in the main log, which both
// daemons write with millisecond timestamps, and returns the time of the
// last. Reading the log rather than polling the API leaves the daemon
// being measured alone.
func (r *run) waitSuccesses(n int) time.Time {
	t, err := r.trySuccesses(n)
	check(err)
	return t
}

// trySuccesses is waitSuccesses failing when a program gives up (FATAL).
func (r *run) trySuccesses(n int) (time.Time, error) {
	f := r.follow(true)
	var last time.Time
	for seen := 0; seen < n; {
		if t, ok := f.success(); ok {
			last, seen = t, seen+1
			continue
		}
		if f.gaveUp != "" {
			return last, fmt.Errorf("%s: %d of %d RUNNING, then %s", r.name, seen, n, f.gaveUp)
		}
		select {
		case <-r.done:
			panic(r.name + " exited")
		case <-time.After(20 * time.Millisecond):
		}
	}
	return last, nil
}

// A follower reads the lines appended to the main log.
type follower struct {
	f       *os.File
	pending []byte
	lines   []string
	gaveUp  string // the first "gave up:" line seen, if any
}

// follow reads the main log from its start, or from its end.
func (r *run) follow(fromStart bool) *follower {
	f, err := os.Open(filepath.Join(r.dir, "s.log"))
	check(err)
	if !fromStart {
		_, err = f.Seek(0, io.SeekEnd)
		check(err)
	}
	return &follower{f: f}
}

// success returns the time of the next "success:" line, if one came.
func (l *follower) success() (time.Time, bool) {
	for {
		for len(l.lines) > 0 {
			line := l.lines[0]
			l.lines = l.lines[1:]
			if strings.Contains(line, " INFO gave up: ") && l.gaveUp == "" {
				l.gaveUp = line
			}
			if !strings.Contains(line, " INFO success: ") || len(line) < 23 {
				continue
			}
			if t, err := time.ParseInLocation("2006-01-02 15:04:05,000", line[:23], time.Local); err == nil {
				return t, true
			}
		}
		var buf [64 << 10]byte
		n, _ := l.f.Read(buf[:])
		if n == 0 {
			return time.Time{}, false
		}
		l.pending = append(l.pending, buf[:n]...)
		for {
			i := bytes.IndexByte(l.pending, '\n')
			if i < 0 {
				break
			}
			l.lines = append(l.lines, string(l.pending[:i]))
			l.pending = l.pending[i+1:]
		}
	}
}

// cpuSeconds reads utime+stime of pid from /proc (clock ticks of 1/100 s).
func cpuSeconds(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	check(err)
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100
}

func procField(path, key string) float64 {
	data, err := os.ReadFile(path)
	check(err)
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == key {
			v, _ := strconv.ParseFloat(f[1], 64)
			return v
		}
	}
	panic("no " + key + " in " + path)
}

func rssMiB(pid int) float64 { return procField(fmt.Sprintf("/proc/%d/status", pid), "VmRSS:") / 1024 }

// wchar is how many bytes pid has written, to files and sockets alike.
func wchar(pid int) int64 { return int64(procField(fmt.Sprintf("/proc/%d/io", pid), "wchar:")) }

func check(err error) {
	if err != nil {
		panic(err)
	}
}

// The plain baselines run in a child process: this program with -baseline.

var selfExe string

// startBaseline runs this program with -baseline mode and returns it with
// a reader of its output lines.
func startBaseline(args ...string) (*exec.Cmd, *bufio.Scanner) {
	cmd := exec.Command(selfExe, args...)
	cmd.Stderr = os.Stderr
	// Should this program die, the baseline and its children go too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	out, err := cmd.StdoutPipe()
	check(err)
	check(cmd.Start())
	return cmd, bufio.NewScanner(out)
}

func readFloat(sc *bufio.Scanner) float64 {
	if !sc.Scan() {
		panic("baseline ended early")
	}
	v, err := strconv.ParseFloat(sc.Text(), 64)
	check(err)
	return v
}

func plainLaunch(n int) float64 {
	t0 := time.Now()
	cmd, sc := startBaseline("-baseline", "launch", "-n", strconv.Itoa(n))
	if !sc.Scan() {
		panic("baseline ended early")
	}
	d := time.Since(t0).Seconds()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	return d
}

func plainKill(n int) []float64 {
	cmd, sc := startBaseline("-baseline", "kill", "-n", strconv.Itoa(n))
	v := readFloat(sc)
	_ = cmd.Wait()
	return []float64{v, v}
}

func plainCapture(mib int) float64 {
	dir, err := os.MkdirTemp("", "daemonbench-capture")
	check(err)
	defer os.RemoveAll(dir)
	cmd, sc := startBaseline("-baseline", "capture", "-n", strconv.Itoa(mib), "-out", filepath.Join(dir, "cap.log"))
	v := readFloat(sc)
	_ = cmd.Wait()
	return v
}

func plainIdleRSS(n int) float64 {
	cmd, sc := startBaseline("-baseline", "idle", "-n", strconv.Itoa(n))
	if !sc.Scan() {
		panic("baseline ended early")
	}
	time.Sleep(2 * time.Second)
	rss := rssMiB(cmd.Process.Pid)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	return rss
}

// runBaseline is the child side: plain os/exec doing the work of a row.
func runBaseline(mode string) {
	n := *baseN
	sleeper := func() *exec.Cmd {
		c := exec.Command("/bin/sleep", "100000")
		// A group of its own, as the daemons' children; killed if this
		// program dies.
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		return c
	}
	// holdUntilTERM waits for each child, as a supervisor must, until
	// SIGTERM, then kills them.
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	signal.Ignore(syscall.SIGPIPE) // a parent gone must not kill us before we kill the children
	holdUntilTERM := func(cmds []*exec.Cmd) {
		for _, c := range cmds {
			go func() { _ = c.Wait() }()
		}
		fmt.Println("ready")
		<-term
		for _, c := range cmds {
			_ = c.Process.Kill()
		}
	}
	switch mode {
	case "launch", "idle":
		cmds := make([]*exec.Cmd, n)
		for i := range cmds {
			cmds[i] = sleeper()
			check(cmds[i].Start())
		}
		holdUntilTERM(cmds)
	case "kill":
		c := sleeper()
		check(c.Start())
		var lat []float64
		for range n {
			t := time.Now()
			check(c.Process.Kill())
			_ = c.Wait()
			c = sleeper()
			check(c.Start())
			lat = append(lat, time.Since(t).Seconds()*1000)
			time.Sleep(50 * time.Millisecond)
		}
		_ = c.Process.Kill()
		_ = c.Wait()
		fmt.Println(median(lat))
	case "capture":
		c := exec.Command("/bin/dd", "if=/dev/zero", "bs=65536", "count="+strconv.Itoa(n*16))
		out, err := c.StdoutPipe()
		check(err)
		t := time.Now()
		check(c.Start())
		w := &rotating{path: *baseOut, max: 50 << 20, backups: 3}
		w.open()
		buf := make([]byte, 1<<20) // the pipe is the kernel's default, 64 KiB
		for {
			k, err := out.Read(buf)
			w.write(buf[:k])
			if err != nil {
				break
			}
		}
		check(w.f.Close())
		_ = c.Wait()
		fmt.Println(float64(n) / time.Since(t).Seconds())
	default:
		panic("unknown baseline " + mode)
	}
}

// rotating is a log file rotated as supervisord rotates: at max bytes,
// path.N-1 becomes path.N ... path becomes path.1.
type rotating struct {
	path    string
	max     int64
	backups int
	f       *os.File
	size    int64
}

func (r *rotating) open() {
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	check(err)
	r.f, r.size = f, 0
}

func (r *rotating) write(p []byte) {
	for len(p) > 0 {
		k := min(int64(len(p)), r.max-r.size)
		_, err := r.f.Write(p[:k])
		check(err)
		r.size += k
		p = p[k:]
		if r.size >= r.max {
			check(r.f.Close())
			for i := r.backups - 1; i >= 1; i-- {
				_ = os.Rename(fmt.Sprintf("%s.%d", r.path, i), fmt.Sprintf("%s.%d", r.path, i+1))
			}
			check(os.Rename(r.path, r.path+".1"))
			r.open()
		}
	}
}
