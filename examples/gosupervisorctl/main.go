// Command gosupervisorctl controls a supervisord, or gosupervisord, as
// supervisorctl does, for machines without Python: the same options,
// commands, output and exit statuses, so that scripts written for
// supervisorctl keep working.
//
//	gosupervisorctl [-c FILE] [-s URL] [-u USER] [-p PASSWORD] [-i] [-r HISTORY] [command [args]]
//
// With a command it runs it and exits with its status; without one it
// starts a shell that runs "status" and then reads commands, with history
// and tab completion when its input is a terminal. "help" lists the
// commands. The server URL and credentials come from the [supervisorctl]
// section of the configuration file (-c, or the first of supervisorctl's
// default paths that exists), overridden by the options.
package main

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"
)

func main() {
	os.Exit(run())
}

func run() int {
	progname := programPath(os.Args[0])
	o, err := parseOptions(progname, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		var ex *exitNow
		if errors.As(err, &ex) {
			return ex.code
		}
		os.Stderr.WriteString("Error: " + err.Error() + "\n")
		return exitInvalidArgs
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	c := &controller{
		o:      o,
		stdout: os.Stdout,
		stderr: os.Stderr,
		intr:   newInterrupts(sigs),
	}
	pump := &stdinPump{f: os.Stdin}
	// Like Python's input(), line editing only when both ends are a terminal.
	if term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd())) {
		c.in = &termReader{fd: int(os.Stdin.Fd()), pump: pump, intr: c.intr, out: os.Stdout, complete: c.complete}
	} else {
		c.in = &plainReader{pump: pump, out: os.Stdout, errOut: os.Stderr, intr: c.intr}
	}

	if len(o.args) > 0 {
		// Even with -i, a command on the command line is all that runs.
		if _, interrupted := c.run(strings.Join(o.args, " ")); interrupted {
			dieOfInterrupt()
		}
		return c.exit
	}
	c.shell()
	return exitOK // the shell always exits 0
}

// shell runs "status", then each command typed, until quit, exit, the end
// of the input, or Ctrl-C.
func (c *controller) shell() {
	if c.o.historyFile != "" {
		c.in.loadHistory(c.o.historyFile)
		defer c.in.saveHistory(c.o.historyFile)
	}
	line := "status"
	for {
		stop, interrupted := c.run(line)
		if interrupted {
			c.output("")
			return
		}
		if stop {
			return
		}
		c.intr.arm()
		l, err := c.in.readLine(c.o.prompt + "> ")
		switch {
		case errors.Is(err, errInterrupted):
			c.output("")
			return
		case err != nil:
			line = "EOF"
		default:
			line = l
		}
	}
}

// dieOfInterrupt ends the program the way an uncaught Ctrl-C ends
// supervisorctl: killed by SIGINT, so that a calling shell sees it.
func dieOfInterrupt() {
	signal.Reset(os.Interrupt)
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	time.Sleep(time.Second)
	os.Exit(130)
}

// programPath is the path supervisorctl would see as its own: the command
// as typed if it has a slash, else where PATH finds it (a Python script run
// from PATH gets its full path as argv[0]). It names the program in usage
// messages and anchors the first two configuration search paths.
func programPath(argv0 string) string {
	if strings.Contains(argv0, "/") {
		return argv0
	}
	if p, err := exec.LookPath(argv0); err == nil {
		return p
	}
	return argv0
}
