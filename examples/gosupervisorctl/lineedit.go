package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"
)

// termReader is a small line editor for a terminal, the part of readline
// the shell needs: moving and deleting within the line, history with the
// arrow keys, and tab completion. The terminal is in raw mode only while a
// line is being read, so commands print as usual.
//
// Keys: Left/Right, Ctrl-B/F; Home/End, Ctrl-A/E; Backspace, Delete,
// Ctrl-D (end of input on an empty line); Ctrl-K, Ctrl-U, Ctrl-W; Up/Down,
// Ctrl-P/N; Tab; Ctrl-L redraws; Ctrl-C interrupts.
type termReader struct {
	fd      int
	pump    *stdinPump
	intr    *interrupts
	out     io.Writer
	pending []byte // read but not yet used
	history []string
	// complete returns the completions of the word that ends at the
	// cursor, given the whole line; each ends with a space when complete.
	complete func(line, word string) []string
}

var _ lineReader = (*termReader)(nil)

func (t *termReader) readLine(prompt string) (string, error) {
	line, err := t.edit(prompt, true)
	if err == nil && strings.TrimSpace(line) != "" {
		if n := len(t.history); n == 0 || t.history[n-1] != line {
			t.history = append(t.history, line)
		}
	}
	return line, err
}

func (t *termReader) readPassword(prompt string) (string, error) {
	return t.edit(prompt, false)
}

// readInput reads a line in the terminal's normal mode, where the kernel
// echoes and edits and Ctrl-C is a signal: fg uses it while the process's
// output is printed around what is typed.
func (t *termReader) readInput() (string, error) {
	var line []byte
	for {
		if len(t.pending) == 0 {
			select {
			case chunk, ok := <-t.pump.chunks():
				if !ok {
					if len(line) > 0 {
						return string(line), nil
					}
					return "", io.EOF
				}
				t.pending = chunk
			case <-t.intr.current():
				return "", errInterrupted
			}
		}
		b := t.pending[0]
		t.pending = t.pending[1:]
		if b == '\n' {
			return string(line), nil
		}
		line = append(line, b)
	}
}

func (t *termReader) loadHistory(path string) { t.history = readHistory(path) }

func (t *termReader) saveHistory(path string) { writeHistory(path, t.history) }

// nextByte returns the next byte typed, or io.EOF.
func (t *termReader) nextByte() (byte, error) {
	for len(t.pending) == 0 {
		chunk, ok := <-t.pump.chunks()
		if !ok {
			return 0, io.EOF
		}
		t.pending = chunk
	}
	b := t.pending[0]
	t.pending = t.pending[1:]
	return b, nil
}

// editor is the state of the line being edited.
type editor struct {
	t      *termReader
	prompt string
	echo   bool
	buf    []rune
	pos    int // cursor, in runes
	hist   int // index in history of the line shown; len(history) for the new one
	saved  []rune
	tabs   int // consecutive Tab presses without progress
}

func (t *termReader) edit(prompt string, echo bool) (string, error) {
	old, err := term.MakeRaw(t.fd)
	if err != nil {
		// Not a terminal after all: read it plainly.
		io.WriteString(t.out, prompt)
		return t.readInput()
	}
	defer term.Restore(t.fd, old)
	e := &editor{t: t, prompt: prompt, echo: echo, hist: len(t.history)}
	e.refresh()
	for {
		b, err := t.nextByte()
		if err != nil {
			io.WriteString(t.out, "\r\n")
			return "", err
		}
		if b != '\t' {
			e.tabs = 0
		}
		switch b {
		case '\r', '\n':
			e.pos = len(e.buf)
			e.refresh()
			io.WriteString(t.out, "\r\n")
			return string(e.buf), nil
		case 3: // Ctrl-C
			io.WriteString(t.out, "^C\r\n")
			return "", errInterrupted
		case 4: // Ctrl-D
			if len(e.buf) == 0 {
				io.WriteString(t.out, "\r\n")
				return "", io.EOF
			}
			e.deleteAt(e.pos)
		case 127, 8: // Backspace
			if e.pos > 0 {
				e.pos--
				e.deleteAt(e.pos)
			}
		case 1:
			e.pos = 0
		case 5:
			e.pos = len(e.buf)
		case 2:
			e.left()
		case 6:
			e.right()
		case 11: // Ctrl-K
			e.buf = e.buf[:e.pos]
		case 21: // Ctrl-U
			e.buf = append([]rune{}, e.buf[e.pos:]...)
			e.pos = 0
		case 23: // Ctrl-W: the word before the cursor, and the spaces after it
			i := e.pos
			for i > 0 && e.buf[i-1] == ' ' {
				i--
			}
			for i > 0 && e.buf[i-1] != ' ' {
				i--
			}
			e.buf = append(e.buf[:i], e.buf[e.pos:]...)
			e.pos = i
		case 12: // Ctrl-L
			io.WriteString(t.out, "\x1b[H\x1b[2J")
		case 16:
			e.historyMove(-1)
		case 14:
			e.historyMove(1)
		case '\t':
			e.completeWord()
		case 27:
			e.escape()
		default:
			if b < 32 {
				break
			}
			r := rune(b)
			if b >= utf8.RuneSelf {
				r = e.readRune(b)
			}
			e.buf = append(e.buf[:e.pos], append([]rune{r}, e.buf[e.pos:]...)...)
			e.pos++
		}
		e.refresh()
	}
}

// readRune completes a UTF-8 sequence whose first byte is b.
func (e *editor) readRune(b byte) rune {
	seq := []byte{b}
	for !utf8.FullRune(seq) && len(seq) < utf8.UTFMax {
		c, err := e.t.nextByte()
		if err != nil {
			break
		}
		seq = append(seq, c)
	}
	r, _ := utf8.DecodeRune(seq)
	return r
}

func (e *editor) deleteAt(i int) {
	if i < len(e.buf) {
		e.buf = append(e.buf[:i], e.buf[i+1:]...)
	}
}

func (e *editor) left() {
	if e.pos > 0 {
		e.pos--
	}
}

func (e *editor) right() {
	if e.pos < len(e.buf) {
		e.pos++
	}
}

// escape handles the ANSI sequences of the arrow, Home, End and Delete keys.
func (e *editor) escape() {
	b, err := e.t.nextByte()
	if err != nil || (b != '[' && b != 'O') {
		return
	}
	b, err = e.t.nextByte()
	if err != nil {
		return
	}
	switch b {
	case 'A':
		e.historyMove(-1)
	case 'B':
		e.historyMove(1)
	case 'C':
		e.right()
	case 'D':
		e.left()
	case 'H':
		e.pos = 0
	case 'F':
		e.pos = len(e.buf)
	default:
		if b < '0' || b > '9' {
			return
		}
		// ESC [ n ~
		n := b
		for {
			c, err := e.t.nextByte()
			if err != nil || c == '~' {
				break
			}
			if c < '0' || c > '9' {
				return
			}
		}
		switch n {
		case '1', '7':
			e.pos = 0
		case '4', '8':
			e.pos = len(e.buf)
		case '3':
			e.deleteAt(e.pos)
		}
	}
}

func (e *editor) historyMove(d int) {
	h := e.t.history
	n := e.hist + d
	if n < 0 || n > len(h) {
		return
	}
	if e.hist == len(h) {
		e.saved = append([]rune{}, e.buf...)
	}
	e.hist = n
	if n == len(h) {
		e.buf = append([]rune{}, e.saved...)
	} else {
		e.buf = []rune(h[n])
	}
	e.pos = len(e.buf)
}

// completeWord completes the word before the cursor, as readline does:
// one candidate replaces it; several extend it by what they share, and a
// second Tab that cannot extend it lists them.
func (e *editor) completeWord() {
	if e.t.complete == nil || !e.echo {
		return
	}
	start := e.pos
	for start > 0 && !isWordBreak(e.buf[start-1]) {
		start--
	}
	word := string(e.buf[start:e.pos])
	cands := dedupe(e.t.complete(string(e.buf), word))
	if len(cands) == 0 {
		return
	}
	repl := cands[0]
	if len(cands) > 1 {
		repl = commonPrefix(cands)
	}
	if repl != word {
		rest := append([]rune{}, e.buf[e.pos:]...)
		e.buf = append(append(e.buf[:start], []rune(repl)...), rest...)
		e.pos = start + utf8.RuneCountInString(repl)
		e.tabs = 0
		return
	}
	e.tabs++
	if e.tabs >= 2 && len(cands) > 1 {
		var b strings.Builder
		b.WriteString("\r\n")
		for _, c := range cands {
			b.WriteString(strings.TrimSuffix(c, " "))
			b.WriteString("  ")
		}
		b.WriteString("\r\n")
		io.WriteString(e.t.out, b.String())
		e.tabs = 0
	}
}

// isWordBreak reports readline's word delimiters, less ':', '*' and '-'
// which supervisorctl removes so that "group:*" and "my-app" are one word.
func isWordBreak(r rune) bool {
	return strings.ContainsRune(" \t\n\"\\'`@$><=;|&{(", r)
}

func dedupe(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func commonPrefix(s []string) string {
	p := s[0]
	for _, x := range s[1:] {
		for !strings.HasPrefix(x, p) {
			_, size := utf8.DecodeLastRuneInString(p)
			p = p[:len(p)-size]
		}
	}
	return p
}

// refresh redraws the line: prompt, text, then the cursor moved back to
// its place. Wide characters and lines longer than the terminal are not
// accounted for.
func (e *editor) refresh() {
	var b strings.Builder
	b.WriteString("\r")
	b.WriteString(e.prompt)
	if e.echo {
		b.WriteString(string(e.buf))
	}
	b.WriteString("\x1b[K")
	if back := len(e.buf) - e.pos; e.echo && back > 0 {
		fmt.Fprintf(&b, "\x1b[%dD", back)
	}
	io.WriteString(e.t.out, b.String())
}
