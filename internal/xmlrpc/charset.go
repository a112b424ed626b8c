package xmlrpc

import (
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

var errCharset = errors.New("unsupported charset (want UTF-8 or ISO-8859-1)")

// charsetReader serves xml.Decoder.CharsetReader. supervisorctl sends UTF-8
// (its prolog declares no encoding); other clients may declare Latin-1, or
// US-ASCII, which Latin-1 decodes correctly and leniently.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8":
		return r, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin-1", "latin1", "l1",
		"us-ascii", "ascii":
		return &latin1Reader{r: r}, nil
	}
	return nil, errCharset
}

// latin1Reader converts ISO-8859-1, whose bytes are the code points
// U+0000 to U+00FF, into UTF-8.
type latin1Reader struct {
	r   io.Reader
	in  [1024]byte
	out []byte // converted, of which out[pos:] is not yet read
	pos int
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	if l.pos == len(l.out) {
		n, err := l.r.Read(l.in[:])
		if n == 0 {
			return 0, err
		}
		// An error with data comes back from the next Read of l.r.
		l.out, l.pos = l.out[:0], 0
		for _, c := range l.in[:n] {
			l.out = utf8.AppendRune(l.out, rune(c))
		}
	}
	n := copy(p, l.out[l.pos:])
	l.pos += n
	return n, nil
}
