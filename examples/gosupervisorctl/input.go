package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"
)

// A lineReader reads what the user types: the shell's commands, the
// answers to questions, fg's input.
type lineReader interface {
	// readLine shows prompt and returns the next line without its newline;
	// io.EOF at the end of the input, errInterrupted on Ctrl-C.
	readLine(prompt string) (string, error)
	// readPassword is readLine without echo, when the input is a terminal.
	readPassword(prompt string) (string, error)
	// readInput reads a line without a prompt or line editing, for fg,
	// whose process output is printed while the user types.
	readInput() (string, error)
	// loadHistory and saveHistory keep the lines typed in a file between
	// sessions (-r, history_file). Errors are ignored, as supervisorctl
	// ignores them.
	loadHistory(path string)
	saveHistory(path string)
}

// stdinPump reads standard input in one goroutine for the whole program,
// so that whichever reader needs a line next gets it, and a read can be
// abandoned on Ctrl-C without losing what arrives later. It starts on first
// use: a command that never reads its input leaves it alone.
type stdinPump struct {
	once sync.Once
	f    *os.File
	ch   chan []byte // closed at end of input
}

func (p *stdinPump) chunks() <-chan []byte {
	p.once.Do(func() {
		p.ch = make(chan []byte)
		go func() {
			defer close(p.ch)
			for {
				buf := make([]byte, 4096)
				n, err := p.f.Read(buf)
				if n > 0 {
					p.ch <- buf[:n]
				}
				if err != nil {
					return
				}
			}
		}()
	})
	return p.ch
}

// plainReader reads lines from a pipe or file, or from a terminal left in
// its normal mode, writing prompts to out as Python's input() does.
type plainReader struct {
	pump   *stdinPump
	out    io.Writer // prompts
	errOut io.Writer // the warning before a password
	intr   *interrupts
	buf    []byte
	eof    bool
	hist   []string // kept only to be written back unchanged
}

func (r *plainReader) readLine(prompt string) (string, error) {
	io.WriteString(r.out, prompt)
	return r.next()
}

func (r *plainReader) next() (string, error) {
	for {
		if i := bytes.IndexByte(r.buf, '\n'); i >= 0 {
			line := string(r.buf[:i])
			r.buf = r.buf[i+1:]
			return line, nil
		}
		if r.eof {
			if len(r.buf) > 0 {
				line := string(r.buf)
				r.buf = nil
				return line, nil
			}
			return "", io.EOF
		}
		select {
		case chunk, ok := <-r.pump.chunks():
			if !ok {
				r.eof = true
				continue
			}
			r.buf = append(r.buf, chunk...)
		case <-r.intr.current():
			return "", errInterrupted
		}
	}
}

func (r *plainReader) readInput() (string, error) { return r.next() }

// readPassword is Python's getpass without a terminal: a warning and the
// prompt on stderr, the line read from stdin, then a newline on stderr.
func (r *plainReader) readPassword(prompt string) (string, error) {
	io.WriteString(r.errOut, "Warning: Password input may be echoed.\n"+prompt)
	line, err := r.next()
	if err == nil {
		io.WriteString(r.errOut, "\n")
	}
	return line, err
}

func (r *plainReader) loadHistory(path string) { r.hist = readHistory(path) }

func (r *plainReader) saveHistory(path string) { writeHistory(path, r.hist) }

// readHistory reads a readline history file: one entry per line.
func readHistory(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	s := strings.TrimSuffix(string(data), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func writeHistory(path string, lines []string) {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	os.WriteFile(path, []byte(b.String()), 0o600)
}
