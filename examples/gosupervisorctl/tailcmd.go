package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/supervise-go/supervisor/client"
	"github.com/supervise-go/supervisor/internal/pyrepr"
)

// pyInt is Python's int() of a string: surrounding spaces, an optional
// sign, decimal digits with single underscores between them.
func pyInt(s string) (int, bool) {
	n, ok := pyrepr.ParseDigits(pyrepr.Strip(s), 10, false)
	return int(n), ok
}

func (c *controller) doTail(arg string) error {
	if ok, err := c.upcheck(); !ok {
		return err
	}
	args := fields(arg)
	if len(args) < 1 {
		return c.usage("tail", "Error: too few arguments", exitGeneric)
	}
	if len(args) > 3 {
		return c.usage("tail", "Error: too many arguments", exitGeneric)
	}
	modifier := ""
	if strings.HasPrefix(args[0], "-") {
		modifier, args = args[0], args[1:]
	}
	var name, channel string
	switch {
	case len(args) == 1:
		name, channel = args[0], "stdout"
	case len(args) > 1:
		name, channel = args[0], strings.ToLower(args[len(args)-1])
		if channel != "stderr" && channel != "stdout" {
			c.output("Error: bad channel " + pyrepr.Repr(channel))
			c.exit = exitGeneric
			return nil
		}
	default:
		c.output("Error: tail requires process name")
		c.exit = exitGeneric
		return nil
	}
	bytes, follow := 1600, false
	if modifier != "" {
		what := modifier[1:]
		if what == "f" {
			follow = true
		} else if n, ok := pyInt(what); ok {
			bytes = n
		} else {
			c.output("Error: bad argument " + modifier)
			c.exit = exitGeneric
			return nil
		}
	}
	cl, _ := c.client()
	if follow {
		path := "/logtail/" + name + "/" + channel
		return c.tailf(path, func(ctx context.Context) (io.ReadCloser, error) {
			return cl.OpenTail(ctx, name, client.Stream(channel))
		})
	}
	var out string
	var err error
	if channel == "stdout" {
		out, err = cl.ReadProcessStdoutLog(c.ctx, name, -bytes, 0)
	} else {
		out, err = cl.ReadProcessStderrLog(c.ctx, name, -bytes, 0)
	}
	if err != nil {
		f := faultOf(err)
		if f == nil {
			return err
		}
		c.exit = exitGeneric
		switch f.Code {
		case client.FaultNoFile:
			c.output(name + ": ERROR (no log file)")
		case client.FaultFailed:
			c.output(name + ": ERROR (unknown error reading log)")
		case client.FaultBadName:
			c.output(name + ": ERROR (no such process name)")
		default:
			return err
		}
		return nil
	}
	c.output(out)
	return nil
}

func (c *controller) doMaintail(arg string) error {
	if ok, err := c.upcheck(); !ok {
		return err
	}
	args := fields(arg)
	bytes := 1600
	switch {
	case len(args) > 1:
		return c.usage("maintail", "Error: too many arguments", exitGeneric)
	case len(args) == 1:
		if !strings.HasPrefix(args[0], "-") {
			c.output("Error: bad argument " + args[0])
			c.exit = exitGeneric
			return nil
		}
		what := args[0][1:]
		if what == "f" {
			cl, _ := c.client()
			return c.tailf("/mainlogtail", cl.OpenMainTail)
		}
		n, ok := pyInt(what)
		if !ok {
			c.output("Error: bad argument " + args[0])
			c.exit = exitGeneric
			return nil
		}
		bytes = n
	}
	cl, _ := c.client()
	out, err := cl.ReadLog(c.ctx, -bytes, 0)
	if err != nil {
		f := faultOf(err)
		if f == nil {
			return err
		}
		c.exit = exitGeneric
		switch f.Code {
		case client.FaultNoFile:
			c.output("supervisord: ERROR (no log file)")
		case client.FaultFailed:
			c.output("supervisord: ERROR (unknown error reading log)")
		default:
			return err
		}
		return nil
	}
	c.output(out)
	return nil
}

// tailf follows a log until Ctrl-C or until the server ends the stream,
// as supervisorctl tail -f does. Problems with the stream are reported on
// stderr and do not change the exit status.
func (c *controller) tailf(path string, open func(context.Context) (io.ReadCloser, error)) error {
	c.output("==> Press Ctrl-C to exit <==")
	c.interruptHandled = true
	c.streamLog(c.ctx, path, open, &sync.Mutex{})
	if c.ctx.Err() != nil {
		c.output("")
	}
	return nil
}

// streamLog copies one /logtail or /mainlogtail stream to stdout, holding
// mu for each write so that two streams (fg) do not interleave within a
// piece.
func (c *controller) streamLog(ctx context.Context, path string, open func(context.Context) (io.ReadCloser, error), mu *sync.Mutex) {
	url := c.o.serverURL + path
	r, err := open(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		var he *client.HTTPError
		if errors.As(err, &he) {
			fmt.Fprintf(c.stderr, "%s Cannot read, status code %d\n", url, he.StatusCode)
			return
		}
		fmt.Fprintf(c.stderr, "%s Cannot connect, error: %s\n", url, connectError(err))
		return
	}
	defer r.Close()
	buf := make([]byte, 32*1024)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			mu.Lock()
			c.stdout.Write(buf[:n])
			mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// connectError words a failure to open a tail as supervisorctl's HTTP
// client does: "<class 'X'> (message)".
func connectError(err error) string {
	d := describeError(err)
	if class, msg, ok := strings.Cut(d, ", "); ok && strings.HasPrefix(class, "<class") {
		return class + " (" + msg + ")"
	}
	return d
}

func (c *controller) doFg(arg string) error {
	if ok, err := c.upcheck(); !ok {
		return err
	}
	names := fields(arg)
	if len(names) == 0 {
		return c.usage("fg", "ERROR: no process name supplied", exitGeneric)
	}
	if len(names) > 1 {
		c.output("ERROR: too many process names supplied")
		c.exit = exitGeneric
		return nil
	}
	name := names[0]
	cl, _ := c.client()
	info, err := cl.ProcessInfo(c.ctx, name)
	if err != nil {
		f := faultOf(err)
		if f == nil {
			return err
		}
		if f.Code == client.FaultBadName {
			c.output("ERROR: bad process name supplied")
			c.exit = exitGeneric
		} else {
			c.output("ERROR: " + faultStr(f))
		}
		return nil
	}
	if info.State != client.StateRunning {
		c.output("ERROR: process not running")
		c.exit = exitGeneric
		return nil
	}
	c.output("==> Press Ctrl-C to exit <==")
	c.interruptHandled = true

	ctx, cancel := context.WithCancel(c.ctx)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, s := range []client.Stream{client.Stdout, client.Stderr} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.streamLog(ctx, "/logtail/"+name+"/"+string(s), func(ctx context.Context) (io.ReadCloser, error) {
				return cl.OpenTail(ctx, name, s)
			}, &mu)
		}()
	}
	defer func() {
		cancel()
		wg.Wait()
	}()
	for {
		line, err := c.in.readInput()
		if err != nil {
			c.output("Exiting foreground")
			return nil
		}
		err = cl.SendProcessStdin(c.ctx, name, line+"\n")
		if err != nil {
			f := faultOf(err)
			if f == nil {
				return err
			}
			if f.Code == client.FaultNotRunning {
				c.output("Process got killed")
			} else {
				c.output("ERROR: " + faultStr(f))
			}
			c.output("Exiting foreground")
			return nil
		}
		info, err := cl.ProcessInfo(c.ctx, name)
		if err != nil {
			return err
		}
		if info.State != client.StateRunning {
			c.output("Process got killed")
			c.output("Exiting foreground")
			return nil
		}
	}
}
