package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/supervise-go/supervisor/client"
	"github.com/supervise-go/supervisor/internal/pyrepr"
)

// Exit statuses, from the LSB init script conventions supervisorctl follows.
const (
	exitOK           = 0
	exitGeneric      = 1
	exitInvalidArgs  = 2
	exitUnimpl       = 3 // also status: a process is not running
	exitPrivileges   = 4 // also status: unknown; also connection refused
	exitNotInstalled = 5
	exitNotRunning   = 7
)

// controller runs supervisorctl commands: one from the command line, or
// many in the interactive shell. Its fields change as commands run: open
// sets a new server URL, a 401 in the shell asks for new credentials.
type controller struct {
	o      *options
	stdout io.Writer
	stderr io.Writer
	in     lineReader
	exit   int

	cl *client.Client // made on first use, for o's URL and credentials

	// ctx is the running command's context, cancelled on Ctrl-C.
	ctx  context.Context
	intr *interrupts
	// interruptHandled is set by the commands that treat Ctrl-C as their
	// normal end (tail -f, maintail -f, fg); any other command interrupted
	// ends the program, as KeyboardInterrupt ends supervisorctl.
	interruptHandled bool

	completeCache []client.ProcessInfo // process names for tab completion
}

// errInterrupted ends a command, or the shell, on Ctrl-C.
var errInterrupted = errors.New("interrupted")

// eofError is what Python's input() raises at the end of the input.
var eofError = &pyError{"EOFError", "EOF when reading a line"}

func (c *controller) output(s string) {
	io.WriteString(c.stdout, s+"\n")
}

// client returns the XML-RPC client for the current server URL and
// credentials. Credentials are sent when both a username and a password
// are known, as supervisorctl does.
func (c *controller) client() (*client.Client, error) {
	if c.cl != nil {
		return c.cl, nil
	}
	u := c.o.serverURL
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "unix://") {
		return nil, &pyError{"ValueError", "Unknown protocol for serverurl " + u}
	}
	var opts []client.Option
	if c.o.username != nil && c.o.password != nil {
		opts = append(opts, client.WithAuth(*c.o.username, *c.o.password))
	}
	cl, err := client.New(u, opts...)
	if err != nil {
		return nil, &pyError{"ValueError", err.Error()}
	}
	c.cl = cl
	return cl, nil
}

// resetClient drops the client after the URL or credentials changed.
func (c *controller) resetClient() {
	if c.cl != nil {
		c.cl.Close()
		c.cl = nil
	}
	c.completeCache = nil
}

// upcheck asks the server for its API version before a command, and
// reports the problems a user can act on. It returns false, having set the
// exit status and said why, if the command should not go on; an error is
// one that onecmd reports as supervisorctl reports an uncaught exception.
func (c *controller) upcheck() (bool, error) {
	cl, err := c.client()
	if err != nil {
		return false, err
	}
	v, err := cl.Call(c.ctx, "supervisor.getVersion")
	if err == nil {
		if s, ok := v.(string); !ok || s != client.APIVersion {
			c.output(fmt.Sprintf("Sorry, this version of supervisorctl expects to talk to a server with API version %s, but the remote version is %s.", client.APIVersion, pyStr(v)))
			c.exit = exitNotInstalled
			return false, nil
		}
		return true, nil
	}
	var f *client.Fault
	if errors.As(err, &f) {
		if f.Code == client.FaultUnknownMethod {
			c.output("Sorry, supervisord responded but did not recognize the supervisor namespace commands that supervisorctl uses to control it.  Please check that the [rpcinterface:supervisor] section is enabled in the configuration file (see sample.conf).")
			c.exit = exitUnimpl
			return false, nil
		}
		c.exit = exitGeneric
		return false, err
	}
	var ne *client.NetError
	if errors.As(err, &ne) {
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			c.output(c.o.serverURL + " refused connection")
			c.exit = exitPrivileges
			return false, nil
		case errors.Is(err, syscall.ENOENT):
			c.output(c.o.serverURL + " no such file")
			c.exit = exitNotRunning
			return false, nil
		}
		c.exit = exitGeneric
	}
	return false, err
}

// parseline splits a command line as Python's cmd module does: the command
// is the leading run of letters, digits and underscores; "?" means help.
// ok is false for a line that cannot name a command (it starts with "!").
func parseline(line string) (cmd, arg, rest string, ok bool) {
	line = strings.TrimSpace(line)
	if line == "" {
		return "", "", "", true
	}
	switch line[0] {
	case '?':
		line = "help " + line[1:]
	case '!':
		return "", "", line, false
	}
	i := 0
	for i < len(line) && isIdentChar(line[i]) {
		i++
	}
	return line[:i], strings.TrimSpace(line[i:]), line, true
}

func isIdentChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// onecmd runs one command line. It returns true when the shell should end
// (quit, exit, EOF).
func (c *controller) onecmd(line string) bool {
	cmd, arg, line, ok := parseline(line)
	if ok && line == "" {
		return false // an empty line does nothing
	}
	c.completeCache = nil
	cm, known := commands[cmd]
	if !ok || cmd == "" || !known {
		c.output("*** Unknown syntax: " + line)
		c.exit = exitGeneric
		return false
	}
	stop, err := cm.do(c, arg)
	if err == nil {
		return stop
	}
	if c.ctx.Err() != nil || errors.Is(err, errInterrupted) {
		return false // the caller sees the interrupt
	}
	if errors.Is(err, client.ErrUnauthorized) {
		c.output("Server requires authentication")
		if c.o.interactive {
			user, err := c.in.readLine("Username:")
			eof := eofError
			if err == nil {
				var pass string
				if pass, err = c.in.readPassword("Password:"); err == nil {
					c.output("")
					c.o.username, c.o.password = &user, &pass
					c.resetClient()
					return c.onecmd(line)
				}
				eof = &pyError{"EOFError", ""} // getpass raises it without a message
			}
			if errors.Is(err, errInterrupted) {
				return false
			}
			c.output("error: " + describeError(eof))
			c.exit = exitGeneric
			return false
		}
		// supervisorctl runs the command a second time here, which fails
		// the same way and is reported as an uncaught error.
	}
	c.output("error: " + describeError(err))
	c.exit = exitGeneric
	return false
}

// pyError is an error supervisorctl would raise as the Python exception
// class, with the message str() of it gives.
type pyError struct {
	class string
	msg   string
}

func (e *pyError) Error() string { return e.msg }

// describeError words an error as supervisorctl's "error: <class 'X'>, msg"
// line does, naming the Python exception that the same failure raises
// there, so that scripts which look for these lines keep working.
// supervisorctl also appends the Python source file and line that raised;
// gosupervisorctl has no such thing to show and leaves that part out.
func describeError(err error) string {
	var pe *pyError
	var he *client.HTTPError
	var f *client.Fault
	var dns *net.DNSError
	var errno syscall.Errno
	switch {
	case errors.As(err, &pe):
		return fmt.Sprintf("<class '%s'>, %s", pe.class, pe.msg)
	case errors.As(err, &he):
		// Python's transport always posts to 127.0.0.1/RPC2, whatever the URL.
		return fmt.Sprintf("<class 'xmlrpc.client.ProtocolError'>, <ProtocolError for 127.0.0.1/RPC2: %s>", he.Status)
	case errors.As(err, &f):
		return fmt.Sprintf("<class 'xmlrpc.client.Fault'>, %s", faultStr(f))
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return "<class 'socket.gaierror'>, [Errno -2] Name or service not known"
		}
		return "<class 'socket.gaierror'>, [Errno -3] Temporary failure in name resolution"
	case errors.As(err, &errno):
		return fmt.Sprintf("<class '%s'>, [Errno %d] %s", errnoClass(errno), int(errno), capitalize(errno.Error()))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "<class 'http.client.RemoteDisconnected'>, Remote end closed connection without response"
	}
	return err.Error()
}

// faultStr is Python's str() of an xmlrpc.client.Fault.
func faultStr(f *client.Fault) string {
	return fmt.Sprintf("<Fault %d: %s>", f.Code, pyrepr.Repr(f.String))
}

// errnoClass names the OSError subclass Python raises for an errno.
func errnoClass(e syscall.Errno) string {
	switch e {
	case syscall.ECONNREFUSED:
		return "ConnectionRefusedError"
	case syscall.ECONNRESET:
		return "ConnectionResetError"
	case syscall.ECONNABORTED:
		return "ConnectionAbortedError"
	case syscall.EPIPE, syscall.ESHUTDOWN:
		return "BrokenPipeError"
	case syscall.ENOENT:
		return "FileNotFoundError"
	case syscall.EACCES, syscall.EPERM:
		return "PermissionError"
	case syscall.ETIMEDOUT:
		return "TimeoutError"
	case syscall.EINTR:
		return "InterruptedError"
	}
	return "OSError"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// pyStr is Python's str() of a decoded XML-RPC value, for the few messages
// that show one.
func pyStr(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		if v {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	}
	return fmt.Sprint(v)
}

// interrupts turns SIGINT into the closing of a channel that the running
// command, or the prompt, is watching. Each command arms a fresh channel.
type interrupts struct {
	mu     sync.Mutex
	ch     chan struct{}
	closed bool
}

func newInterrupts(sigs <-chan os.Signal) *interrupts {
	i := &interrupts{ch: make(chan struct{})}
	go func() {
		for range sigs {
			i.mu.Lock()
			if !i.closed {
				close(i.ch)
				i.closed = true
			}
			i.mu.Unlock()
		}
	}()
	return i
}

// arm returns a channel that is closed at the next SIGINT.
func (i *interrupts) arm() <-chan struct{} {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.closed {
		i.ch = make(chan struct{})
		i.closed = false
	}
	return i.ch
}

// current returns the channel armed last.
func (i *interrupts) current() <-chan struct{} {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.ch
}

// run runs one command line with a context that Ctrl-C cancels. It
// reports whether the shell should stop, and whether an interrupt that the
// command did not handle arrived.
func (c *controller) run(line string) (stop, interrupted bool) {
	ch := c.intr.arm()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
		}
	}()
	c.ctx = ctx
	c.interruptHandled = false
	stop = c.onecmd(line)
	interrupted = isClosed(ch) && !c.interruptHandled
	cancel()
	return stop, interrupted
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
