// Package ctldiff is the differential runner of the compatibility tests: it
// runs one supervisord.conf under Python's supervisord (the reference) and
// under the daemon being tested (gosupervisord), drives both with the real
// supervisorctl, and reports every command whose answer (output and exit
// status) differs between them.
//
// Each daemon gets a directory and a port of its own (see Isolate), so the
// two run at the same time without sharing a file. Answers are compared
// after Normalise has replaced what differs from run to run: pids, uptimes,
// dates, the directory and the random part of AUTO child log names.
//
// It is for tests only. It needs Debian's supervisor package (apt-get
// install supervisor) for supervisord and supervisorctl.
package ctldiff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/supervise-go/supervisor/internal/shlex"
)

// Reference is the default command line of the reference daemon; "{conf}"
// stands for the path of its config.
var Reference = []string{"supervisord", "-n", "-c", "{conf}"}

// Timeouts of a run. They are generous: the tests that use the runner share
// a small machine with other tests.
const (
	listenTimeout  = 30 * time.Second // from start until the daemon accepts connections
	commandTimeout = 60 * time.Second // one supervisorctl command
	stopTimeout    = 30 * time.Second // from SIGTERM until the daemon has exited
)

// Config is one comparison.
type Config struct {
	// Conf is the text of the supervisord.conf both daemons run, before
	// Isolate; {DIR} stands for each daemon's own directory.
	Conf string
	// Ours is the command line of the daemon under test, "{conf}" standing
	// for its config's path, e.g. {"/tmp/gosupervisord", "-n", "-c", "{conf}"}.
	Ours []string
	// Reference is the reference daemon's command line; nil means the
	// package's Reference.
	Reference []string
	// Ctl is the supervisorctl program; "" means supervisorctl.
	Ctl string
	// Wait is how long the daemons run, once they accept connections,
	// before the first command: time for programs to start, fail or retry.
	Wait time.Duration
	// Commands are supervisorctl command lines ("status", "stop web:*"),
	// split into words as a shell would, run in order against each daemon.
	Commands []string
	// Dir is the directory under which each daemon gets its own
	// directory ("supervisord" and "ours"); it must exist. "" means a
	// fresh directory under os.TempDir, removed at the end.
	Dir string
}

// Answer is what supervisorctl answered to one command: its output
// (stdout, then stderr) after Normalise, and its exit status.
type Answer struct {
	Output string
	Status int
}

// Side is one daemon's part of a comparison.
type Side struct {
	// Name is "supervisord" or "ours".
	Name string
	// Answers holds one answer per command of the Config, in order.
	Answers []Answer
	// Output is what the daemon itself wrote on stdout and stderr.
	Output string
}

// Result is the outcome of Run.
type Result struct {
	// Commands are the Config's commands.
	Commands []string
	// Reference is supervisord's side, Ours the daemon under test's.
	Reference, Ours Side
	// Diffs are the indexes in Commands of the commands whose answers
	// differ, in order.
	Diffs []int
}

// Same reports whether every command got the same answer from both daemons.
func (r *Result) Same() bool { return len(r.Diffs) == 0 }

// String is a report of the comparison: a SAME or DIFF line per command,
// both answers under each DIFF, and a count of each at the end.
func (r *Result) String() string {
	var b strings.Builder
	indent := func(s string) string { return strings.ReplaceAll(s, "\n", "\n      ") }
	next := 0
	for i, c := range r.Commands {
		if next < len(r.Diffs) && r.Diffs[next] == i {
			next++
			ref, ours := r.Reference.Answers[i], r.Ours.Answers[i]
			fmt.Fprintf(&b, "DIFF  %s\n", c)
			fmt.Fprintf(&b, "  supervisord (exit %d):\n      %s\n", ref.Status, indent(ref.Output))
			fmt.Fprintf(&b, "  ours        (exit %d):\n      %s\n", ours.Status, indent(ours.Output))
			continue
		}
		fmt.Fprintf(&b, "SAME  %s\n", c)
	}
	fmt.Fprintf(&b, "%d same, %d different", len(r.Commands)-len(r.Diffs), len(r.Diffs))
	return b.String()
}

// Run starts the reference daemon and ours on cfg.Conf, each in its own
// directory and on its own port, waits until both accept connections and
// then cfg.Wait, runs cfg.Commands with supervisorctl against each, and
// stops both (SIGTERM, then SIGKILL to the process group of one that does
// not exit in time). The two daemons run at the same time. It returns an
// error when a daemon cannot be started or never listens, or when
// supervisorctl cannot be run; differing answers are not an error but in
// the Result.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if len(cfg.Ours) == 0 {
		return nil, errors.New("ctldiff: no command line for our daemon")
	}
	words := make([][]string, len(cfg.Commands))
	for i, c := range cfg.Commands {
		w, err := shlex.Split(c)
		if err != nil {
			return nil, fmt.Errorf("ctldiff: command %q: %w", c, err)
		}
		words[i] = w
	}
	root := cfg.Dir
	if root == "" {
		d, err := os.MkdirTemp("", "ctldiff-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		root = d
	}
	// The directory as the daemons will print it, symlinks resolved.
	root, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	ref := cfg.Reference
	if ref == nil {
		ref = Reference
	}
	ctl := cfg.Ctl
	if ctl == "" {
		ctl = "supervisorctl"
	}

	res := &Result{Commands: cfg.Commands,
		Reference: Side{Name: "supervisord"}, Ours: Side{Name: "ours"}}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, side := range []struct {
		s    *Side
		argv []string
	}{{&res.Reference, ref}, {&res.Ours, cfg.Ours}} {
		wg.Go(func() {
			errs[i] = runSide(ctx, side.s, side.argv, ctl, filepath.Join(root, side.s.Name), ports[i], cfg, words)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return res, err
	}
	for i := range cfg.Commands {
		if res.Reference.Answers[i] != res.Ours.Answers[i] {
			res.Diffs = append(res.Diffs, i)
		}
	}
	return res, nil
}

// runSide runs one daemon in dir on port and fills s with its answers.
func runSide(ctx context.Context, s *Side, argv []string, ctl, dir string, port int, cfg Config, words [][]string) (err error) {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	conf := filepath.Join(dir, "supervisord.conf")
	if err := os.WriteFile(conf, []byte(Isolate(cfg.Conf, dir, port)), 0o644); err != nil {
		return err
	}
	args := make([]string, len(argv))
	for i, a := range argv {
		args[i] = strings.ReplaceAll(a, "{conf}", conf)
	}
	d, err := startDaemon(args, dir)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	defer func() {
		s.Output = d.stop()
		if err != nil {
			err = fmt.Errorf("%s: %w; its output:\n%s", s.Name, err, s.Output)
		}
	}()
	if err := d.waitListening(ctx, port); err != nil {
		return err
	}
	select {
	case <-time.After(cfg.Wait):
	case <-ctx.Done():
		return ctx.Err()
	case <-d.exited:
		return errors.New("the daemon exited before the commands")
	}
	for _, w := range words {
		a, err := runCtl(ctx, ctl, conf, w)
		if err != nil {
			return err
		}
		a.Output = Normalise(a.Output, dir)
		s.Answers = append(s.Answers, a)
	}
	return nil
}

// runCtl runs supervisorctl -c conf with the words of one command.
func runCtl(ctx context.Context, ctl, conf string, words []string) (Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ctl, append([]string{"-c", conf}, words...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return Answer{}, fmt.Errorf("supervisorctl %s: %w", strings.Join(words, " "), ctx.Err())
	case errors.As(err, &ee):
	case err != nil:
		return Answer{}, fmt.Errorf("supervisorctl: %w", err)
	}
	return Answer{Output: stdout.String() + stderr.String(), Status: cmd.ProcessState.ExitCode()}, nil
}

// daemon is a started daemon, in a process group of its own.
type daemon struct {
	cmd    *exec.Cmd
	log    *os.File
	exited chan struct{} // closed once the daemon has been waited for
}

// startDaemon starts argv with its output in dir/daemon.out.
func startDaemon(argv []string, dir string) (*daemon, error) {
	log, err := os.Create(filepath.Join(dir, "daemon.out"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, err
	}
	d := &daemon{cmd: cmd, log: log, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(d.exited)
	}()
	return d, nil
}

// waitListening waits until something accepts connections on the port.
func (d *daemon) waitListening(ctx context.Context, port int) error {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(listenTimeout)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the daemon did not listen on %s within %v", addr, listenTimeout)
		}
		select {
		case <-d.exited:
			return fmt.Errorf("the daemon exited (%v) before it listened on %s", d.cmd.ProcessState, addr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop ends the daemon, as supervisord is ended, and returns its output.
// A daemon still running stopTimeout after SIGTERM is killed, with
// whatever else is left in its process group.
func (d *daemon) stop() string {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(stopTimeout):
		_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.exited
	}
	d.log.Close()
	out, _ := os.ReadFile(d.log.Name())
	return string(out)
}

// freePorts returns n distinct TCP ports on 127.0.0.1 that nothing listened
// on; all are held until the last is found, so that none is given twice.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
