package supervisor

import (
	"bytes"
	"time"
)

// supervisord's capture-mode tokens (spec 8.5).
var (
	captureBegin = []byte("<!--XSUPERVISOR:BEGIN-->")
	captureEnd   = []byte("<!--XSUPERVISOR:END-->")
)

// capture splits a channel's output into what is logged and what is
// captured between the BEGIN and END tokens (capture mode). It is used by
// the channel's one reader goroutine only.
type capture struct {
	maxBytes  int64
	capturing bool
	pending   []byte // the end of the output, which may be the start of a token
	captured  []byte // the current capture, its newest maxBytes bytes
}

// feed takes a chunk of output and returns the part to log and the
// captures completed in it.
func (c *capture) feed(b []byte) (logged []byte, done [][]byte) {
	data := append(c.pending, b...)
	c.pending = nil
	for {
		token := captureBegin
		if c.capturing {
			token = captureEnd
		}
		i := bytes.Index(data, token)
		if i < 0 {
			// Hold back only what could be the start of a token (supervisord
			// holds back any tail shorter than the token).
			keep := partialSuffix(data, token)
			c.take(&logged, data[:len(data)-keep])
			c.pending = append([]byte(nil), data[len(data)-keep:]...)
			return logged, done
		}
		c.take(&logged, data[:i])
		data = data[i+len(token):]
		if c.capturing {
			done = append(done, c.captured)
			c.captured = nil
		}
		c.capturing = !c.capturing
	}
}

// take adds b to the log or to the capture, whichever is current.
func (c *capture) take(logged *[]byte, b []byte) {
	if !c.capturing {
		*logged = append(*logged, b...)
		return
	}
	c.captured = append(c.captured, b...)
	if over := int64(len(c.captured)) - c.maxBytes; over > 0 {
		c.captured = append(c.captured[:0], c.captured[over:]...)
	}
}

// partialSuffix returns the length of the longest end of data that is a
// beginning of token.
func partialSuffix(data, token []byte) int {
	for n := min(len(token)-1, len(data)); n > 0; n-- {
		if bytes.HasPrefix(token, data[len(data)-n:]) {
			return n
		}
	}
	return 0
}

// stripANSI removes ANSI escape sequences (ESC [ ... up to the first of
// supervisord's end characters), as supervisord's strip_ansi does.
func stripANSI(b []byte) []byte {
	if bytes.IndexByte(b, 0x1b) < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == 0x1b && i+1 < len(b) && b[i+1] == '[' {
			j := i + 2
			for j < len(b) && bytes.IndexByte([]byte("HfABCDRsuJKhlpm"), b[j]) < 0 {
				j++
			}
			i = j // skip through the end character
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// timestamper prefixes every line with the time it was read (an opt-in
// extension: LogSpec.Timestamps).
type timestamper struct {
	midLine bool // the last chunk did not end with a newline
}

func (t *timestamper) apply(now time.Time, b []byte) []byte {
	stamp := now.Format("2006-01-02 15:04:05.000 ")
	out := make([]byte, 0, len(b)+len(stamp)*4)
	for len(b) > 0 {
		if !t.midLine {
			out = append(out, stamp...)
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b...)
			t.midLine = true
			break
		}
		out = append(out, b[:i+1]...)
		b = b[i+1:]
		t.midLine = false
	}
	return out
}
