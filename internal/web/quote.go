package web

import (
	"strings"
	"time"
)

// pyQuote percent-encodes s as Python's urllib.parse.quote(s) does with its
// default safe="/": letters, digits, "_.-~" and "/" stay, every other byte of
// the UTF-8 text becomes %XX. supervisord builds its redirect's message and
// its links' process names this way, and clients compare them byte for byte
// (a ':' in a namespec is %3A, a space %20).
func pyQuote(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '_' || c == '.' || c == '-' || c == '~' || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// ctime formats t as Python's time.ctime(), e.g. "Tue Nov 24 00:49:05 2026"
// (the day of the month padded with a space).
func ctime(t time.Time) string {
	return t.Format(time.ANSIC)
}
