package pyfmt

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testVars mirror what supervisord offers a [program:x] command, plus a few
// values for the edge cases.
var testVars = map[string]any{
	"program_name": "foo",
	"group_name":   "foo",
	"process_num":  3,
	"numprocs":     4,
	"here":         "/etc/supervisor",
	"a":            "abc",
	"n":            255,
	"neg":          -42,
	"zero":         0,
	"u":            "wörld",
	"pct":          "%(a)s 100%",
	"q":            "it's",
	"min":          math.MinInt64,
	"umax":         uint64(math.MaxUint64),
	"i8":           int8(-5),
	"one":          "x",
	"(p)":          "paren",
}

// The expected outputs were checked against Python 3.11's str % dict.
func TestExpand(t *testing.T) {
	tests := []struct {
		format, want string
	}{
		{"", ""},
		{"/bin/cat", "/bin/cat"},
		{"100%%", "100%"},
		{"%%(a)s", "%(a)s"},
		{"%(process_num)02d", "03"},
		{"%(process_num)d", "3"},
		{"%(process_num)s", "3"},
		{"%(program_name)s_%(process_num)02d", "foo_03"},
		{"%(here)s/%(program_name)s-%(process_num)s.out", "/etc/supervisor/foo-3.out"},
		{"%(a)5s", "  abc"},
		{"%(a)-5s|", "abc  |"},
		{"%(a)05s", "  abc"}, // 0 pads numbers only
		{"%(a).2s", "ab"},
		{"%(a).s", ""},
		{"%(a)ls", "abc"}, // h, l and L are ignored
		{"%(n)x", "ff"},
		{"%(n)X", "FF"},
		{"%(n)o", "377"},
		{"%(n)#x", "0xff"},
		{"%(n)#X", "0XFF"},
		{"%(n)#o", "0o377"},
		{"%(n)#08x", "0x0000ff"},
		{"%(n)-#8x|", "0xff    |"},
		{"%(n)#.5x", "0x000ff"},
		{"%(zero)#x", "0x0"},
		{"%(n)i %(n)u", "255 255"},
		{"%(n)+d", "+255"},
		{"%(n) d", " 255"},
		{"%(neg) 05d", "-0042"},
		{"%(neg)#o", "-0o52"},
		{"%(n)-05d|", "255  |"},
		{"%(n)05.4d", "00255"},
		{"%(zero).0d", "0"},
		{"%(min)d", "-9223372036854775808"},
		{"%(umax)x", "ffffffffffffffff"},
		{"%(i8)03d", "-05"},
		{"%(a)r %(n)r", "'abc' 255"},
		{"%(q)r", `"it's"`},
		{"%(u)a", `'w\xf6rld'`},
		{"%(n)c", "ÿ"},
		{"%(one)5c|%(one).0c", "    x|x"},
		{"%(n)f", "255.000000"},
		{"%(neg)010.2f", "-000042.00"},
		{"%(n)#.0f", "255."},
		{"%(n)e", "2.550000e+02"},
		{"%(n)+.3E", "+2.550E+02"},
		{"%(n)#.0e", "3.e+02"},
		{"%(n)g %(n).2g %(n)#g %(n)#.1G", "255 2.6e+02 255.000 3.E+02"},
		{"%(zero)g %(zero)#g", "0 0.00000"},
		// Unicode: widths count characters, not bytes.
		{"héllo %(u)s ✓", "héllo wörld ✓"},
		{"%(u)7s|%(u)-7s|%(u).2s", "  wörld|wörld  |wö"},
		// A substituted value is not expanded again.
		{"%(pct)s", "%(a)s 100%"},
		{"%(pct)s%%", "%(a)s 100%%"},
		// Keys may hold balanced parentheses.
		{"%((p))s", "paren"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			got, err := Expand(tt.format, testVars)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		format  string
		unknown string // the missing name, if that is the error
		reason  string // else Python's (or the port's) reason
	}{
		{format: "/bin/echo %(foo)s", unknown: "foo"},
		{format: "%(a)s %(missing)s %(other)s", unknown: "missing"},
		{format: "%()s", unknown: ""},
		{format: "%((x))s", unknown: "(x)"},
		// Python looks the name up before it reads the conversion.
		{format: "%(missing)q", unknown: "missing"},
		{format: "%(program_name)d", reason: "%d format: a real number is required, not str"},
		{format: "%(a)i", reason: "%i format: a real number is required, not str"},
		{format: "%(a)u", reason: "%u format: a real number is required, not str"},
		{format: "%(a)x", reason: "%x format: an integer is required, not str"},
		{format: "%(a)X", reason: "%X format: an integer is required, not str"},
		{format: "%(a)o", reason: "%o format: an integer is required, not str"},
		{format: "%(a)f", reason: "must be real number, not str"},
		{format: "%(a)c", reason: "%c requires int or char"},
		{format: "%(neg)c", reason: "%c arg not in range(0x110000)"},
		{format: "/bin/echo 100%", reason: "incomplete format"},
		{format: "%", reason: "incomplete format"},
		{format: "%(a)", reason: "incomplete format"},
		{format: "%(a)-5.", reason: "incomplete format"},
		{format: "%(a)l", reason: "incomplete format"},
		{format: "%(name", reason: "incomplete format key"},
		{format: "%((a)s", reason: "incomplete format key"},
		{format: "%(a)q", reason: "unsupported format character 'q' (0x71) at index 4"},
		{format: "é%(a)q", reason: "unsupported format character 'q' (0x71) at index 5"},
		{format: "%(a)5%", reason: "unsupported format character '%' (0x25) at index 5"},
		{format: "%(a)é", reason: "unsupported format character '?' (0xe9) at index 4"},
		{format: "%(a)lld", reason: "unsupported format character 'l' (0x6c) at index 5"},
		// The first problem in the text wins, as in Python.
		{format: "%(a)q %(missing)s", reason: "unsupported format character 'q' (0x71) at index 4"},
		// * takes the named value as the width, leaving none to format.
		{format: "%(n)*d", reason: "not enough arguments for format string"},
		{format: "%(a)*d", reason: "* wants int"},
		// Positional specifiers: Python would format the whole mapping.
		{format: "/bin/echo %s", reason: `format specifier '%s' at index 10 has no (name); use %(name)s, or %% for a literal %`},
		{format: "100% done", reason: `format specifier '% d' at index 3 has no (name); use %(name)s, or %% for a literal %`},
		{format: "%-*d", reason: `format specifier '%-*' at index 0 has no (name); use %(name)s, or %% for a literal %`},
		// An unknown conversion is reported as such, named or not.
		{format: "50%q", reason: "unsupported format character 'q' (0x71) at index 3"},
		// Port limits: huge widths would only exhaust memory.
		{format: "%(a)99999999s", reason: "width too big"},
		{format: "%(n).99999999d", reason: "precision too big"},
		{format: "%(f)s", reason: "value of 'f' has unsupported type float64 (want string or int)"},
	}
	vars := map[string]any{"f": 1.5}
	for k, v := range testVars {
		vars[k] = v
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			got, err := Expand(tt.format, vars)
			assert.Empty(t, got)
			var e *Error
			require.True(t, errors.As(err, &e), "err = %v", err)
			assert.Equal(t, tt.format, e.Format)
			assert.Empty(t, e.Where)
			assert.Equal(t, tt.unknown, e.Unknown)
			assert.Equal(t, tt.reason, e.Reason)
			assert.Len(t, e.Available, len(vars))
			assert.True(t, sortedStrings(e.Available))
		})
	}
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] > s[i] {
			return false
		}
	}
	return true
}

// The messages must be supervisord's, word for word (spec 2.2).
func TestErrorMessages(t *testing.T) {
	abc := map[string]any{"c": "", "a": "", "b": 1}
	tests := []struct {
		format, where string
		vars          map[string]any
		want          string
	}{
		{"/bin/echo %(foo)s", "program:a.command", abc,
			`Format string '/bin/echo %(foo)s' for 'program:a.command' contains names ('foo') which cannot be expanded. Available names: a, b, c`},
		{"/bin/echo 100%", "program:a.command", abc,
			`Format string '/bin/echo 100%' for 'program:a.command' is badly formatted: incomplete format`},
		{"%(a)d", "program:a.command", abc,
			`Format string '%(a)d' for 'program:a.command' is badly formatted: %d format: a real number is required, not str`},
		{"%(x)s", "process_name", nil,
			`Format string '%(x)s' for 'process_name' contains names ('x') which cannot be expanded. Available names: `},
		{"it's %(x's)s", "environment", abc,
			`Format string "it's %(x's)s" for 'environment' contains names ("x's") which cannot be expanded. Available names: a, b, c`},
		{"/bin/echo %(foo)s", "", abc,
			`Format string '/bin/echo %(foo)s' contains names ('foo') which cannot be expanded. Available names: a, b, c`},
		{"100%", "", abc,
			`Format string '100%' is badly formatted: incomplete format`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := ExpandIn(tt.format, tt.where, tt.vars)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.Equal(t, tt.where, err.(*Error).Where)
		})
	}
}

// Expand must never panic, must only fail with *Error, and must give
// any text back unchanged once its % signs are doubled.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{
		"", "/bin/cat", "100%%", "%(process_num)02d", "%(program_name)s_%(process_num)02d",
		"%(a)-#+ 012.5lx", "%(n)#.3G", "%(a)q", "%(name", "%s", "é%(u)5.2r", "%(n)*.*d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, format string) {
		out, err := ExpandIn(format, "program:x.command", testVars)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Expand(%q): error of type %T: %v", format, err, err)
			}
			if out != "" || e.Format != format || e.Error() == "" {
				t.Fatalf("Expand(%q) = %q, %#v", format, out, e)
			}
		} else if !strings.Contains(format, "%") && out != format {
			t.Fatalf("Expand(%q) = %q, want it unchanged", format, out)
		}
		got, err := Expand(strings.ReplaceAll(format, "%", "%%"), nil)
		if err != nil || got != format {
			t.Fatalf("Expand of %q with %% doubled = %q, %v", format, got, err)
		}
	})
}
