// Command daemonbench measures gosupervisord against Debian's supervisord on
// the same scenarios, in one run, and prints each figure and their ratio:
//
//	go run ./scripts/daemonbench            # both daemons
//	go run ./scripts/daemonbench -quick     # shorter idle period
//
// Scenarios (issue 5): launch until 1000 programs are RUNNING
// (startsecs=0); launch until the first RPC answer with 1000 programs;
// stopAllProcesses with 1000 running; getAllProcessInfo calls per second with
// 500 programs and one client; daemon CPU over 30 s and RSS with 500 sleeping
// programs. Needs supervisord on PATH (apt-get install supervisor).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

type daemon struct {
	name string
	argv func(conf string) []string
}

func main() {
	quick := flag.Bool("quick", false, "idle period of 5 s instead of 30 s")
	ours := flag.String("ours", "", "gosupervisord binary (default: build it)")
	only := flag.String("run", "", "run only the scenarios whose name contains this text")
	flag.Parse()
	idle := 30 * time.Second
	if *quick {
		idle = 5 * time.Second
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
	refBin, err := exec.LookPath("supervisord")
	check(err)
	daemons := []daemon{
		{"supervisord", func(c string) []string { return []string{refBin, "-n", "-c", c} }},
		{"gosupervisord", func(c string) []string { return []string{bin, "-n", "-c", c} }},
	}
	type row struct {
		name, unit string
		vals       [2]float64
		lowerBest  bool
	}
	var rows []row
	add := func(name, unit string, lower bool, f func(d daemon) float64) {
		if !strings.Contains(name, *only) {
			return
		}
		var r row
		r.name, r.unit, r.lowerBest = name, unit, lower
		for i, d := range daemons {
			r.vals[i] = f(d)
			fmt.Fprintf(os.Stderr, "%-55s %-14s %10.3f %s\n", name, d.name, r.vals[i], unit)
		}
		rows = append(rows, r)
	}

	add("launch to all 1000 programs RUNNING (startsecs=0)", "s", true, func(d daemon) float64 {
		// Measured from the main log, which both daemons write with the same
		// "success:" lines and millisecond timestamps: polling the API
		// instead would load the daemon being measured.
		r := start(d, 1000)
		defer r.stop()
		for {
			if last, n := r.lastSuccess(); n == 1000 {
				return last.Sub(r.t0).Seconds()
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	add("launch to first RPC answer with 1000 programs", "s", true, func(d daemon) float64 {
		r := start(d, 1000)
		defer r.stop()
		return r.firstAnswer.Seconds()
	})
	add("stopAllProcesses with 1000 running", "s", true, func(d daemon) float64 {
		r := start(d, 1000)
		defer r.stop()
		for r.countRunning() < 1000 {
			time.Sleep(50 * time.Millisecond)
		}
		t := time.Now()
		r.call("supervisor.stopAllProcesses")
		return time.Since(t).Seconds()
	})
	add("getAllProcessInfo calls/s, 500 programs, one client", "calls/s", false, func(d daemon) float64 {
		r := start(d, 500)
		defer r.stop()
		for r.countRunning() < 500 {
			time.Sleep(50 * time.Millisecond)
		}
		// The reply is read whole but not decoded: the figure is the
		// daemon's, not this client's XML decoder's.
		n, t := 0, time.Now()
		for time.Since(t) < 5*time.Second {
			r.rawCall("supervisor.getAllProcessInfo")
			n++
		}
		return float64(n) / time.Since(t).Seconds()
	})
	var rss [2]float64
	add(fmt.Sprintf("daemon CPU over %v with 500 sleeping programs", idle), "s", true, func(d daemon) float64 {
		r := start(d, 500)
		defer r.stop()
		for r.countRunning() < 500 {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(2 * time.Second) // let start-up settle
		c0 := cpuSeconds(r.cmd.Process.Pid)
		time.Sleep(idle)
		cpu := cpuSeconds(r.cmd.Process.Pid) - c0
		if d.name == "supervisord" {
			rss[0] = rssMiB(r.cmd.Process.Pid)
		} else {
			rss[1] = rssMiB(r.cmd.Process.Pid)
		}
		return cpu
	})
	if rss[0] > 0 {
		rows = append(rows, row{"daemon RSS with 500 sleeping programs", "MiB", rss, true})
	}
	fmt.Fprintf(os.Stderr, "%-55s %-14s %10.3f MiB / %.3f MiB\n", "daemon RSS with 500 sleeping programs", "both", rss[0], rss[1])

	fmt.Println()
	fmt.Printf("| scenario | supervisord | gosupervisord | ratio (ours/theirs) |\n|---|---|---|---|\n")
	for _, r := range rows {
		ratio := r.vals[1] / r.vals[0]
		fmt.Printf("| %s | %.3f %s | %.3f %s | %.2f |\n", r.name, r.vals[0], r.unit, r.vals[1], r.unit, ratio)
	}
}

type run struct {
	cmd         *exec.Cmd
	dir         string
	url         string
	t0          time.Time
	firstAnswer time.Duration
}

// start writes a config with n sleeping programs, starts the daemon and
// waits for its first RPC answer.
func start(d daemon, n int) *run {
	dir, err := os.MkdirTemp("", "daemonbench-"+d.name)
	check(err)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "[supervisord]\nlogfile=%s/s.log\npidfile=%s/s.pid\nchildlogdir=%s\nminfds=10000\n", dir, dir, dir)
	fmt.Fprintf(&b, "[inet_http_server]\nport=127.0.0.1:%d\n", port)
	b.WriteString("[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n")
	for i := range n {
		fmt.Fprintf(&b, "[program:p%04d]\ncommand=/bin/sleep 100000\nstartsecs=0\nstdout_logfile=NONE\nstderr_logfile=NONE\n", i)
	}
	conf := filepath.Join(dir, "supervisord.conf")
	check(os.WriteFile(conf, []byte(b.String()), 0o644))
	argv := d.argv(conf)
	r := &run{cmd: exec.Command(argv[0], argv[1:]...), dir: dir, url: fmt.Sprintf("http://127.0.0.1:%d/RPC2", port)}
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r.t0 = time.Now()
	check(r.cmd.Start())
	for {
		if _, err := r.tryCall("supervisor.getState"); err == nil {
			r.firstAnswer = time.Since(r.t0)
			return r
		}
		if time.Since(r.t0) > time.Minute {
			panic(d.name + " never answered")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *run) stop() {
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	_ = os.RemoveAll(r.dir)
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

// rawCall makes the call and reads the whole reply without decoding it.
func (r *run) rawCall(method string) {
	var body bytes.Buffer
	check(xmlrpc.EncodeRequest(&body, method))
	resp, err := http.Post(r.url, "text/xml", &body)
	check(err)
	n, err := io.Copy(io.Discard, resp.Body)
	check(err)
	resp.Body.Close()
	if resp.StatusCode != 200 || n == 0 {
		panic(fmt.Sprintf("HTTP %d, %d bytes", resp.StatusCode, n))
	}
}

// lastSuccess returns the time of the last "success:" line of the main log
// and how many there are.
func (r *run) lastSuccess() (time.Time, int) {
	data, _ := os.ReadFile(filepath.Join(r.dir, "s.log"))
	var last time.Time
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.Contains(line, " INFO success: ") || len(line) < 23 {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02 15:04:05,000", line[:23], time.Local)
		if err == nil {
			last, n = t, n+1
		}
	}
	return last, n
}

// countRunning counts the RUNNING processes in getAllProcessInfo's reply
// without decoding it (both daemons write a statename as
// <string>RUNNING</string>), so polling costs this client little CPU.
func (r *run) countRunning() int {
	var body bytes.Buffer
	check(xmlrpc.EncodeRequest(&body, "supervisor.getAllProcessInfo"))
	resp, err := http.Post(r.url, "text/xml", &body)
	check(err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	check(err)
	return bytes.Count(data, []byte("<string>RUNNING</string>"))
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

func rssMiB(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	check(err)
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
