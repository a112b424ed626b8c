package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/supervise-go/supervisor/internal/proctest"
)

const tickerProgram = `
[program:ticker]
command=/bin/sh -c 'i=0; while true; do echo line$i; i=$((i+1)); sleep 0.2; done'
startsecs=0
`

// tail -f prints the log as it grows, and Ctrl-C ends it cleanly: an empty
// line, exit status 0. Both programs are held to that.
func TestTailFollow(t *testing.T) {
	for name, start := range daemons(t) {
		for _, kind := range []serverKind{inetServer, unixServer} {
			t.Run(name+"/"+[]string{"inet", "unix"}[kind], func(t *testing.T) {
				t.Parallel()
				conf, _ := writeConf(t, testConf{kind: kind, body: tickerProgram})
				start(t, conf)
				ref, ours := ctls(t)
				for _, c := range []ctl{ref, ours} {
					for _, args := range [][]string{{"tail", "-f", "ticker"}, {"maintail", "-f"}} {
						out := follow(t, c, append([]string{"-c", conf}, args...), args[0] == "tail")
						if !strings.HasPrefix(out, "==> Press Ctrl-C to exit <==\n") || !strings.HasSuffix(out, "\n\n") {
							t.Errorf("%s %q printed:\n%s", c.name, args, out)
						}
					}
				}
			})
		}
	}
}

// follow runs a following tail, waits to see it print lines that were
// written after it started, interrupts it, and returns all it printed.
func follow(t *testing.T, c ctl, args []string, ticker bool) string {
	t.Helper()
	cmd := exec.Command(c.path, args...)
	cmd.Args[0] = c.argv0
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	lines := make(chan string)
	go func() {
		defer close(lines)
		r := bufio.NewReader(io.TeeReader(stdout, &out))
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			lines <- strings.TrimSuffix(l, "\n")
		}
	}()
	// The ticker writes a numbered line every 0.2s: seeing lines written
	// after the first one printed shows that the tail follows the log. For
	// the main log, which does not move by itself, a few lines will do.
	deadline := time.After(60 * time.Second)
	seen, first := 0, -1
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("%s %q ended early: %s", c.name, args, stderr.String())
			}
			if !ticker {
				if seen++; seen >= 3 {
					break wait
				}
				continue
			}
			if n, ok := strings.CutPrefix(l, "line"); ok {
				k, _ := strconv.Atoi(n)
				if first < 0 {
					first = k
				} else if k >= first+2 {
					break wait // two lines written while following
				}
			}
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("%s %q: no output that follows the log within 60s", c.name, args)
		}
	}
	// Interrupt when the program is idle, waiting for more: supervisorctl
	// interrupted while it handles a piece of the stream can exit 0
	// without its empty line (its HTTP client's error handler catches the
	// KeyboardInterrupt).
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	// Read to the end of the output before Wait, which closes the pipe.
	stopped := time.After(30 * time.Second)
	for open := true; open; {
		select {
		case _, open = <-lines:
		case <-stopped:
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("%s %q did not stop on Ctrl-C", c.name, args)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("%s %q after Ctrl-C: %v (stderr %q)", c.name, args, err, stderr.String())
	}
	return out.String()
}

// terminal is gosupervisorctl running on a pseudo-terminal, as a user at a
// terminal would see it.
type terminal struct {
	t      *testing.T
	master *os.File
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    []byte // everything printed
	mark   int    // where expect looks from
	grew   chan struct{}
	done   chan error
}

func startTerminal(t *testing.T, args ...string) *terminal {
	m, s := openPTY(t)
	cmd := exec.Command(ourBinary, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
	cmd.Env = append(os.Environ(), "TERM=xterm")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	term := &terminal{t: t, master: m, cmd: cmd, grew: make(chan struct{}, 1), done: make(chan error, 1)}
	reading := make(chan struct{})
	go func() {
		defer close(reading)
		buf := make([]byte, 4096)
		for {
			n, err := m.Read(buf)
			term.mu.Lock()
			term.out = append(term.out, buf[:n]...)
			term.mu.Unlock()
			select {
			case term.grew <- struct{}{}:
			default:
			}
			if err != nil {
				return // EIO once the program has exited
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		<-reading
		term.done <- err
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		m.Close()
	})
	return term
}

// expect waits until the output since the last expect contains want.
func (tm *terminal) expect(want string) {
	tm.t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		tm.mu.Lock()
		i := bytes.Index(tm.out[tm.mark:], []byte(want))
		if i >= 0 {
			tm.mark += i + len(want)
		}
		got := string(tm.out[tm.mark:])
		tm.mu.Unlock()
		if i >= 0 {
			return
		}
		select {
		case <-tm.grew:
		case <-deadline:
			tm.t.Fatalf("waiting for %q; the terminal shows after the last match:\n%q", want, got)
		}
	}
}

func (tm *terminal) send(keys string) {
	tm.t.Helper()
	if _, err := tm.master.Write([]byte(keys)); err != nil {
		tm.t.Fatal(err)
	}
}

// wait waits for the program to exit and returns its exit status.
func (tm *terminal) wait() int {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			tm.t.Fatal(err)
		}
		return 0
	case <-time.After(60 * time.Second):
		tm.t.Fatal("gosupervisorctl did not exit")
		return -1
	}
}

// The shell on a terminal: the status table first, a prompt, completion of
// commands, process and group names, history recalled with the arrow keys
// and kept in the history file, line editing, Ctrl-C ending tail -f but
// not the shell, and Ctrl-D ending the shell with status 0.
func TestInteractiveTerminal(t *testing.T) {
	for name, start := range daemons(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conf, dir := writeConf(t, testConf{kind: inetServer, body: programs})
			start(t, conf)
			hist := filepath.Join(dir, "history")
			os.WriteFile(hist, []byte("version\n"), 0o600)

			tm := startTerminal(t, "-c", conf, "-r", hist)
			tm.expect("sleeper                                     RUNNING")
			tm.expect("supervisor> ")

			tm.send("sta\t\t") // start and status: listed
			tm.expect("start  status")
			tm.send("t\t") // now only status
			tm.expect("status ")
			tm.send("sl\t")
			tm.expect("status sleeper ")
			tm.send("\r")
			tm.expect("sleeper                          RUNNING   pid ")
			tm.expect("supervisor> ")

			tm.send("\x1b[A") // the line just run
			tm.expect("status sleeper")
			tm.send("\x1b[A") // the one from the history file
			tm.expect("version")
			tm.send("\r")
			tm.expect("4.2.5")
			tm.expect("supervisor> ")

			tm.send("status gr\t") // grp:grp_00, grp:grp_01, grp:* share "grp:"
			tm.expect("status grp:")
			tm.send("\t\t") // nothing more in common: list them
			tm.expect("grp:grp_00  grp:*  grp:grp_01")
			tm.send("*\r")
			tm.expect("grp:grp_00")
			tm.expect("grp:grp_01")
			tm.expect("supervisor> ")

			// Editing: Ctrl-U erases, Left and Backspace fix a typo.
			tm.send("junk\x15pidd\x1b[D\x7f\r")
			tm.expect("\r\n")
			tm.expect("\r\n")
			tm.expect("supervisor> ")

			tm.send("tail -f sleeper\r")
			tm.expect("==> Press Ctrl-C to exit <==")
			tm.expect("hello")
			tm.send("\x03") // SIGINT from the terminal
			tm.expect("supervisor> ")

			tm.send("\x04") // Ctrl-D on an empty line
			if code := tm.wait(); code != 0 {
				t.Errorf("exit status %d after Ctrl-D, want 0", code)
			}
			data, _ := os.ReadFile(hist)
			if want := "version\nstatus sleeper \nversion\nstatus grp:*\npid\ntail -f sleeper\n"; string(data) != want {
				t.Errorf("history file:\n%s\nwant:\n%s", data, want)
			}
		})
	}
}

// Ctrl-C at the prompt ends the shell, with status 0, as KeyboardInterrupt
// ends supervisorctl's.
func TestInteractiveInterrupt(t *testing.T) {
	for name, start := range daemons(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conf, _ := writeConf(t, testConf{kind: unixServer, body: programs})
			start(t, conf)
			tm := startTerminal(t, "-c", conf)
			tm.expect("supervisor> ")
			tm.send("vers")
			tm.expect("vers")
			tm.send("\x03")
			if code := tm.wait(); code != 0 {
				t.Errorf("exit status %d after Ctrl-C, want 0", code)
			}
		})
	}
}

// fg shows the process's output and sends it what is typed; the end of the
// input ends it with "Exiting foreground". Both programs are held to that.
func TestFg(t *testing.T) {
	for name, start := range daemons(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conf, _ := writeConf(t, testConf{kind: unixServer, body: "[program:cat]\ncommand=/bin/cat\nstartsecs=0\n"})
			start(t, conf)
			ref, ours := ctls(t)
			for _, c := range []ctl{ref, ours} {
				cmd := exec.Command(c.path, "-c", conf, "fg", "cat")
				cmd.Args[0] = c.argv0
				stdin, err := cmd.StdinPipe()
				if err != nil {
					t.Fatal(err)
				}
				var out proctest.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// Until cat echoes it back, the line may have been sent before
				// the log tail started: send again.
				word := "ping-" + c.name
				deadline := time.Now().Add(60 * time.Second)
				for !strings.Contains(out.String(), word+"\n") {
					if time.Now().After(deadline) {
						cmd.Process.Kill()
						cmd.Wait()
						t.Fatalf("%s fg: %q never echoed; output:\n%s", c.name, word, out.String())
					}
					io.WriteString(stdin, word+"\n")
					time.Sleep(500 * time.Millisecond)
				}
				stdin.Close()
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				// Python's supervisorctl prints "Exiting foreground" at once,
				// but its output thread only notices when the log tail brings
				// more bytes or its 30 s select timeout ends (with
				// supervisord as with gosupervisord): wait well beyond that.
				select {
				case err := <-done:
					if err != nil {
						t.Errorf("%s fg: %v\n%s", c.name, err, out.String())
					}
				case <-time.After(90 * time.Second):
					cmd.Process.Kill()
					<-done
					t.Fatalf("%s fg did not end at the end of its input", c.name)
				}
				got := out.String()
				if !strings.HasPrefix(got, "==> Press Ctrl-C to exit <==\n") || !strings.HasSuffix(got, "Exiting foreground\n") {
					t.Errorf("%s fg printed:\n%s", c.name, got)
				}
			}
		})
	}
}
