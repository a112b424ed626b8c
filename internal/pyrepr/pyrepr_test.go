package pyrepr

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The expected texts are what Python 3.11's repr() and ascii() print.
func TestPyRepr(t *testing.T) {
	tests := []struct {
		in, repr, ascii string
	}{
		{"", `''`, `''`},
		{"program:a.command", `'program:a.command'`, `'program:a.command'`},
		{"/bin/echo %(foo)s", `'/bin/echo %(foo)s'`, `'/bin/echo %(foo)s'`},
		// Quote choice: double quotes only for a ' without any ".
		{"it's", `"it's"`, `"it's"`},
		{`say "hi"`, `'say "hi"'`, `'say "hi"'`},
		{`a'b"c`, `'a\'b"c'`, `'a\'b"c'`},
		{`back\slash`, `'back\\slash'`, `'back\\slash'`},
		{"\t\n\r", `'\t\n\r'`, `'\t\n\r'`},
		{"\x00\x1f\x7f", `'\x00\x1f\x7f'`, `'\x00\x1f\x7f'`},
		// Printable non-ASCII stays in repr; ascii escapes it.
		{"é€😀", `'é€😀'`, `'\xe9\u20ac\U0001f600'`},
		// Non-printable non-ASCII: C1 controls, no-break space, soft hyphen
		// (format), line separator, private use.
		{"\u0080\u00a0\u00ad\u2028\ue000", `'\x80\xa0\xad\u2028\ue000'`, `'\x80\xa0\xad\u2028\ue000'`},
		{"\U000e0001", `'\U000e0001'`, `'\U000e0001'`},
		// Bytes that are not UTF-8 show as Python's surrogateescape.
		{"a\xffb\x80", `'a\udcffb\udc80'`, `'a\udcffb\udc80'`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.repr, Repr(tt.in), "repr")
			assert.Equal(t, tt.ascii, ASCII(tt.in), "ascii")
		})
	}
}

func TestBytesRepr(t *testing.T) {
	for in, want := range map[string]string{
		"\x88\n":           `b'\x88\n'`,
		"READY\n":          `b'READY\n'`,
		"it's":             `b"it's"`,
		`'"`:               `b'\'"'`,
		"a\\b\t\r\x00\x7f": `b'a\\b\t\r\x00\x7f'`,
		"":                 `b''`,
	} {
		if got := BytesRepr([]byte(in)); got != want {
			t.Errorf("BytesRepr(%q) = %s, want %s", in, got, want)
		}
	}
}
