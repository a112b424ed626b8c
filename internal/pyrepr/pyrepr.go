// Package pyrepr reproduces the pieces of Python's str and int that
// supervisord's behaviour rests on: it quotes strings the way repr() and
// ascii() do, which is how supervisord quotes names and values inside its
// messages, and strips and reads integers as str.strip() and int() do, which
// is what supervisord accepts in its values.
package pyrepr

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Repr returns s quoted the way Python's repr() quotes a str, which is how
// supervisord quotes names and values inside its error messages: single
// quotes, or double quotes when s contains ' but no "; backslash escapes for
// the chosen quote, the backslash itself, \t \n \r, other control characters
// (\xhh) and non-printable non-ASCII characters (\xhh, \uhhhh, \Uhhhhhhhh).
//
// Go strings may hold bytes that are not UTF-8. Python reads such bytes from
// the environment or the command line as lone surrogates
// (surrogateescape), so each one is shown as Python would show that
// surrogate: the byte 0xff becomes \udcff.
func Repr(s string) string { return pyQuote(s, false) }

// ASCII is Python's ascii(): Repr with every non-ASCII character escaped.
func ASCII(s string) string { return pyQuote(s, true) }

func pyQuote(s string, asciiOnly bool) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(quote)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// An undecodable byte: Python's surrogateescape maps it to
			// U+DC80..U+DCFF.
			r = 0xdc00 | rune(s[i])
		}
		i += size
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteByte(byte(r))
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case ' ' <= r && r < 0x7f:
			b.WriteByte(byte(r))
		case !asciiOnly && unicode.IsPrint(r):
			// Go's IsPrint and Python's str.isprintable agree: letters,
			// marks, numbers, punctuation, symbols, and no space but ' '.
			// Surrogates are never printable.
			b.WriteRune(r)
		case r <= 0xff:
			b.WriteString(`\x`)
			writeHex(&b, r, 2)
		case r <= 0xffff:
			b.WriteString(`\u`)
			writeHex(&b, r, 4)
		default:
			b.WriteString(`\U`)
			writeHex(&b, r, 8)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// writeHex writes the n low hex digits of r, lower case.
func writeHex(b *strings.Builder, r rune, n int) {
	const hex = "0123456789abcdef"
	for shift := 4 * (n - 1); shift >= 0; shift -= 4 {
		b.WriteByte(hex[(r>>shift)&0xf])
	}
}
