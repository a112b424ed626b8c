package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/supervise-go/supervisor/client"
)

// This file is the harness of the golden tests: it starts a supervisor
// daemon on a configuration, runs Debian's supervisorctl and gosupervisorctl
// against it, and compares what they print and their exit statuses.

// A startFunc starts a supervisor daemon on the configuration file conf,
// waits until it answers, and returns its server URL (the serverurl of the
// file's [supervisorctl] section) and a function that stops it and waits
// for it to exit. The golden tests take the daemon as a parameter so that
// the same comparisons run against Python's supervisord and gosupervisord.
type startFunc func(t testing.TB, conf string) (serverURL string, stop func())

// daemons are the servers the golden tests run against: Python's
// supervisord and gosupervisord ($GOSUPERVISORD, or built from this tree).
func daemons(t *testing.T) map[string]startFunc {
	return map[string]startFunc{
		"supervisord":   execDaemon(referenceTool(t, "supervisord")),
		"gosupervisord": execDaemon(gosupervisordBin(t)),
	}
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// gosupervisordBin returns $GOSUPERVISORD, or gosupervisord built once from
// ../gosupervisord for this test run.
func gosupervisordBin(t *testing.T) string {
	if p := os.Getenv("GOSUPERVISORD"); p != "" {
		return p
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gosupervisorctl-test")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "gosupervisord")
		if out, err := exec.Command("go", "build", "-o", builtBin, "../gosupervisord").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building gosupervisord: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// referenceTool returns the path of one of Debian's supervisor programs.
// The tests that need it are skipped when it is missing, except in CI
// (CI set), where that is a failure: CI must install the package.
func referenceTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; CI must install Debian's supervisor package", name)
		}
		t.Skipf("%s is not installed (apt-get install supervisor)", name)
	}
	return p
}

// execDaemon returns a startFunc that runs bin -n -c conf (supervisord's
// command line, which gosupervisord shares) in a process group of its own,
// so that stopping it also takes any child it left behind.
func execDaemon(bin string) startFunc {
	return func(t testing.TB, conf string) (string, func()) {
		t.Helper()
		cfg, err := readCtlConfig(conf)
		if err != nil {
			t.Fatalf("reading %s: %v", conf, err)
		}
		var out bytes.Buffer
		cmd := exec.Command(bin, "-n", "-c", conf)
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		// A Go daemon that hangs dumps every goroutine on SIGABRT.
		cmd.Env = append(os.Environ(), "GOTRACEBACK=all")
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		var once sync.Once
		stop := func() {
			once.Do(func() {
				hung := false
				cmd.Process.Signal(syscall.SIGTERM)
				select {
				case <-exited:
				case <-time.After(30 * time.Second):
					hung = true
					cmd.Process.Signal(syscall.SIGABRT)
					select {
					case <-exited:
					case <-time.After(5 * time.Second):
					}
				}
				// Whatever is left of the group (nothing, normally).
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-exited
				if hung {
					mainLog, _ := os.ReadFile(filepath.Join(filepath.Dir(conf), "supervisord.log"))
					t.Errorf("%s did not stop on SIGTERM within 30s; killed it\nmain log:\n%s\noutput (after SIGABRT):\n%s", bin, mainLog, out.String())
				}
			})
		}
		t.Cleanup(stop)

		var opts []client.Option
		if cfg.username != nil && cfg.password != nil {
			opts = append(opts, client.WithAuth(*cfg.username, *cfg.password))
		}
		cl, err := client.New(cfg.serverURL, opts...)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		// The daemon gives no other sign of being ready than answering.
		deadline := time.Now().Add(30 * time.Second)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := cl.APIVersion(ctx)
			cancel()
			if err == nil {
				return cfg.serverURL, stop
			}
			select {
			case <-exited:
				t.Fatalf("%s exited at start-up:\n%s", bin, out.String())
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not answer at %s within 30s: %v\n%s", bin, cfg.serverURL, err, out.String())
			}
		}
	}
}

// serverKind says which HTTP server a test configuration has.
type serverKind int

const (
	inetServer serverKind = iota
	unixServer
)

// testConf describes a configuration for a test daemon.
type testConf struct {
	kind serverKind
	user string // with a password "pw" when not empty
	body string // program sections; {DIR} stands for the daemon's directory
}

// writeConf writes conf into a new short-named directory (unix socket
// paths are limited to 107 bytes) and returns the file's path and the
// directory.
func writeConf(t testing.TB, c testConf) (path, dir string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "gsc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var b strings.Builder
	fmt.Fprintf(&b, "[supervisord]\nlogfile=%s/supervisord.log\npidfile=%s/supervisord.pid\nchildlogdir=%s\n\n", dir, dir, dir)
	auth := ""
	if c.user != "" {
		auth = "username=" + c.user + "\npassword=pw\n"
	}
	switch c.kind {
	case inetServer:
		port := freePort(t)
		fmt.Fprintf(&b, "[inet_http_server]\nport=127.0.0.1:%d\n%s\n", port, auth)
		fmt.Fprintf(&b, "[supervisorctl]\nserverurl=http://127.0.0.1:%d\n%s\n", port, auth)
	case unixServer:
		fmt.Fprintf(&b, "[unix_http_server]\nfile=%s/s.sock\n%s\n", dir, auth)
		fmt.Fprintf(&b, "[supervisorctl]\nserverurl=unix://%s/s.sock\n%s\n", dir, auth)
	}
	b.WriteString("[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n")
	b.WriteString(strings.ReplaceAll(c.body, "{DIR}", dir))
	path = filepath.Join(dir, "supervisord.conf")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

// rewriteBody replaces the program sections of a configuration written by
// writeConf, for reread and update.
func rewriteBody(t testing.TB, path, dir, oldBody, newBody string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old := strings.ReplaceAll(oldBody, "{DIR}", dir)
	s := strings.Replace(string(data), old, strings.ReplaceAll(newBody, "{DIR}", dir), 1)
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// A ctl is one of the two programs compared.
type ctl struct {
	name  string
	path  string
	argv0 string   // what the program sees as its own path
	env   []string // added to the environment
}

// ctlResult is what one run of a ctl printed and its exit status.
type ctlResult struct {
	stdout, stderr string
	code           int
}

func (r ctlResult) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// run runs the ctl with args and stdin, in dir.
func (c ctl) run(t testing.TB, args []string, stdin string) ctlResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.path)
	cmd.Args = append([]string{c.argv0}, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), c.env...)
	// No controlling terminal: Python's getpass would read from it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %q: %v", c.name, args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s %q did not finish in time", c.name, args)
	}
	return ctlResult{stdout.String(), stderr.String(), code}
}

// The two programs: Debian's supervisorctl, and ours, run under the path
// supervisorctl has so that usage messages and configuration search match.
func ctls(t testing.TB) (ref, ours ctl) {
	t.Helper()
	p := referenceTool(t, "supervisorctl")
	return ctl{"supervisorctl", p, p, nil}, ctl{"gosupervisorctl", ourBinary, p, nil}
}

var (
	pythonTrace = regexp.MustCompile(`(?m)(error: <class '[^']+'>, .*?): file: \S+ line: \d+$`)
	pidDesc     = regexp.MustCompile(`pid \d+, uptime \d+:\d\d:\d\d`)
	stopDate    = regexp.MustCompile(`\b[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M\b`)
	bareNumber  = regexp.MustCompile(`(?m)^\d+$`)
	traceback   = regexp.MustCompile(`(?m)^Traceback \(most recent call last\):\n(?:  .*\n)*`)
	getpassWarn = regexp.MustCompile(`(?m)^\S*getpass.py:\d+: GetPassWarning: .*\n  .*\n`)
)

// normalize removes from an output what may differ between two runs that
// behave the same: the Python source location supervisorctl appends to
// uncaught errors and the traceback it prints for a broken configuration
// file (gosupervisorctl has neither to show: it prints the last line of
// the traceback, the error itself), Python's warning that getpass cannot
// turn off echo, pids and uptimes, stop
// times, and the given strings (directories, URLs). With pids, bare
// numbers (the pid command's output) are replaced too.
func normalize(s string, pids bool, repl ...string) string {
	s = pythonTrace.ReplaceAllString(s, "$1")
	s = traceback.ReplaceAllString(s, "")
	s = getpassWarn.ReplaceAllString(s, "")
	s = pidDesc.ReplaceAllString(s, "pid N, uptime T")
	s = stopDate.ReplaceAllString(s, "DATE")
	if pids {
		s = bareNumber.ReplaceAllString(s, "N")
	}
	for i := 0; i+1 < len(repl); i += 2 {
		s = strings.ReplaceAll(s, repl[i], repl[i+1])
	}
	return s
}

// A step is one command compared on the same daemon: the reference runs
// args, then undo; then ours does the same. The undo commands put the
// daemon back as it was, so that the next step sees the same state.
type step struct {
	args  []string
	stdin string // for the shell
	undo  [][]string
	// unordered compares the lines of output as sets: supervisord
	// reports on a group or "all" in the order the processes finish
	// starting or stopping, which varies from run to run.
	unordered bool
}

func s(args ...string) step { return step{args: args} }

// compareSteps runs each step with both programs against the daemon
// configured by conf, and reports every difference.
func compareSteps(t *testing.T, conf string, steps []step) {
	ref, ours := ctls(t)
	for _, st := range steps {
		args := append([]string{"-c", conf}, st.args...)
		want := ref.run(t, args, st.stdin)
		var wantUndo []ctlResult
		for _, u := range st.undo {
			wantUndo = append(wantUndo, ref.run(t, append([]string{"-c", conf}, u...), ""))
		}
		got := ours.run(t, args, st.stdin)
		var gotUndo []ctlResult
		for _, u := range st.undo {
			gotUndo = append(gotUndo, ours.run(t, append([]string{"-c", conf}, u...), ""))
		}
		if st.unordered {
			want, got = sortLines(want), sortLines(got)
		}
		check(t, fmt.Sprintf("%q", st.args), want, got, false)
		for i := range st.undo {
			if st.unordered {
				wantUndo[i], gotUndo[i] = sortLines(wantUndo[i]), sortLines(gotUndo[i])
			}
			check(t, fmt.Sprintf("%q then %q", st.args, st.undo[i]), wantUndo[i], gotUndo[i], false)
		}
	}
}

func sortLines(r ctlResult) ctlResult {
	lines := strings.Split(r.stdout, "\n")
	slices.Sort(lines)
	r.stdout = strings.Join(lines, "\n")
	return r
}

func check(t *testing.T, what string, want, got ctlResult, pids bool, repl ...string) {
	t.Helper()
	w := ctlResult{normalize(want.stdout, pids, repl...), normalize(want.stderr, pids, repl...), want.code}
	g := ctlResult{normalize(got.stdout, pids, repl...), normalize(got.stderr, pids, repl...), got.code}
	if w != g {
		t.Errorf("%s:\nsupervisorctl:\n%s\ngosupervisorctl:\n%s", what, w, g)
	}
}

// compareFresh runs a script of commands with each program against its own
// fresh daemon on the same configuration, for commands that cannot be
// undone (shutdown, update). between, if set, runs after the daemon
// starts and before the script, with the configuration's path and
// directory.
func compareFresh(t *testing.T, start startFunc, c testConf, script [][]string, between func(conf, dir string)) {
	ref, ours := ctls(t)
	type transcript struct {
		results []ctlResult
		repl    []string
	}
	runAll := func(prog ctl) transcript {
		conf, dir := writeConf(t, c)
		url, stop := start(t, conf)
		defer stop()
		if between != nil {
			between(conf, dir)
		}
		var tr transcript
		tr.repl = []string{dir, "{DIR}", url, "{URL}"}
		for _, args := range script {
			tr.results = append(tr.results, prog.run(t, append([]string{"-c", conf}, args...), ""))
		}
		return tr
	}
	want, got := runAll(ref), runAll(ours)
	for i, args := range script {
		w, g := want.results[i], got.results[i]
		w = ctlResult{normalize(w.stdout, true, want.repl...), normalize(w.stderr, true, want.repl...), w.code}
		g = ctlResult{normalize(g.stdout, true, got.repl...), normalize(g.stderr, true, got.repl...), g.code}
		check(t, fmt.Sprintf("step %d %q", i, args), w, g, true)
	}
}
