// Package pyfmt is Python's %-formatting with a mapping, as supervisord
// expands its config values (%(program_name)s, %(process_num)02d,
// %(ENV_HOME)s), with Python's own error messages: ours because no Go
// library formats the way Python does, and a config that supervisord
// accepts must expand to the same text here.
package pyfmt

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/supervise-go/supervisor/internal/pyrepr"
)

// Expand fills in a supervisord-style template: Python's %-formatting with a
// mapping, as supervisord applies it to values such as command, process_name
// and stdout_logfile. Each %(name)CONV is replaced by vars[name] formatted
// with conversion CONV; %% is a literal %. Text produced by a substitution is
// never expanded again.
//
//	Expand("%(program_name)s_%(process_num)02d", map[string]any{
//		"program_name": "web", "process_num": 3,
//	}) // "web_03"
//
// Values must be strings or Go integers (supervisord's process_num and
// numprocs are ints). Between the name and the conversion character come, as
// in Python, optional flags (- left-justify, 0 zero-pad, + and space for a
// sign, # for 0x/0X/0o prefixes and kept decimal points), a width, a
// precision (.N) and an ignored length modifier (h, l or L). Conversions:
//
//	s        the string, or an int in decimal; .N truncates to N characters
//	r, a     Python's repr() and ascii() of a string; an int in decimal
//	d, i, u  decimal int; .N pads the digits with zeros to N
//	o, x, X  octal, hex, upper-case hex int
//	e, E, f, F, g, G  the int as a floating-point number (default .6)
//	c        the character whose code point is the int, or a one-character string
//
// Errors are *Error and carry Python's own messages, for example
// "%d format: a real number is required, not str" for %(program_name)d,
// "incomplete format" for a trailing %, and "unsupported format character
// 'q' (0x71) at index 4" for %(a)q. Unlike Python, a specifier without a
// (name), such as the %s in "%s" or the "% d" in "100% done", is refused:
// with a mapping Python would format the whole mapping there, which is never
// what a configuration means. Widths and precisions above 65536 are refused
// as too big.
func Expand(format string, vars map[string]any) (string, error) {
	return ExpandIn(format, "", vars)
}

// ExpandIn is Expand for a template read from the place named by where, such
// as "program:web.command" (section.key) or "process_name"; a failure's
// message then names that place the way supervisord does:
//
//	ExpandIn("/bin/echo %(foo)s", "program:a.command", map[string]any{"a": "", "b": ""})
//	// error: Format string '/bin/echo %(foo)s' for 'program:a.command' contains
//	// names ('foo') which cannot be expanded. Available names: a, b
func ExpandIn(format, where string, vars map[string]any) (string, error) {
	x := expander{format: format, vars: vars}
	out, err := x.run()
	if err != nil {
		err.Format = format
		err.Where = where
		err.Available = make([]string, 0, len(vars))
		for k := range vars {
			err.Available = append(err.Available, k)
		}
		slices.Sort(err.Available)
		return "", err
	}
	return out, nil
}

// ExpandError reports a template that could not be expanded: either it names
// a variable that does not exist (Unknown is set and Reason is empty) or it is
// badly formatted (Reason says how, in Python's words where Python has them).
//
// Its message is supervisord's. With Where set to "program:a.command":
//
//	Format string '/bin/echo %(foo)s' for 'program:a.command' contains names ('foo') which cannot be expanded. Available names: a, b, c
//	Format string '/bin/echo 100%' for 'program:a.command' is badly formatted: incomplete format
//
// With Where empty the " for '...'" part is left out.
type Error struct {
	Format    string   // the template as given
	Where     string   // where the template came from, e.g. "program:a.command"; may be empty
	Unknown   string   // the first name not in the variables, when Reason is empty
	Available []string // the names of the variables, sorted
	Reason    string   // why the template is badly formatted; empty for an unknown name
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("Format string ")
	b.WriteString(pyrepr.Repr(e.Format))
	if e.Where != "" {
		b.WriteString(" for ")
		b.WriteString(pyrepr.Repr(e.Where))
	}
	if e.Reason != "" {
		b.WriteString(" is badly formatted: ")
		b.WriteString(e.Reason)
		return b.String()
	}
	b.WriteString(" contains names (")
	b.WriteString(pyrepr.Repr(e.Unknown))
	b.WriteString(") which cannot be expanded. Available names: ")
	b.WriteString(strings.Join(e.Available, ", "))
	return b.String()
}

// maxWidth bounds widths and precisions, so that a typo cannot make a
// template allocate gigabytes (Python would try).
const maxWidth = 1 << 16

// Conversion flags, as in Python.
const (
	flagLeft  = 1 << iota // -
	flagZero              // 0
	flagBlank             // ' '
	flagSign              // +
	flagAlt               // #
)

// expander walks one template, left to right as Python does, so that of
// several problems the first one in the text is the one reported.
type expander struct {
	format string
	vars   map[string]any
	out    strings.Builder
}

// value is a variable's value: a string, or an integer as sign and
// magnitude so that every Go integer type fits.
type value struct {
	isStr bool
	str   string
	neg   bool
	abs   uint64
}

func (x *expander) run() (string, *Error) {
	f := x.format
	pos := 0
	for {
		i := strings.IndexByte(f[pos:], '%')
		if i < 0 {
			x.out.WriteString(f[pos:])
			return x.out.String(), nil
		}
		x.out.WriteString(f[pos : pos+i])
		pos += i
		next, err := x.spec(pos)
		if err != nil {
			return "", err
		}
		pos = next
	}
}

// spec expands the specifier starting with the % at f[start] and returns the
// index just after it.
func (x *expander) spec(start int) (int, *Error) {
	f := x.format
	pos := start + 1
	incomplete := &Error{Reason: "incomplete format"}
	if pos == len(f) {
		return 0, incomplete
	}
	if f[pos] == '%' {
		x.out.WriteByte('%')
		return pos + 1, nil
	}

	var (
		v      value
		named  bool // a (name) was given
		unused bool // its value has not been consumed yet
	)
	if f[pos] == '(' {
		depth, k := 1, pos+1
		for ; k < len(f) && depth > 0; k++ {
			switch f[k] {
			case '(':
				depth++
			case ')':
				depth--
			}
		}
		if depth > 0 {
			return 0, &Error{Reason: "incomplete format key"}
		}
		key := f[pos+1 : k-1]
		raw, ok := x.vars[key]
		if !ok {
			return 0, &Error{Unknown: key}
		}
		if v, ok = toValue(raw); !ok {
			return 0, &Error{Reason: fmt.Sprintf(
				"value of %s has unsupported type %T (want string or int)", pyrepr.Repr(key), raw)}
		}
		named, unused = true, true
		pos = k
	}
	// positional refuses a specifier that ends before f[end] and has no
	// (name).
	positional := func(end int) *Error {
		return &Error{Reason: fmt.Sprintf(
			"format specifier %s at index %d has no (name); use %%(name)s, or %%%% for a literal %%",
			pyrepr.Repr(f[start:end]), x.index(start))}
	}
	// star handles a * width or precision. Python takes it from the next
	// argument, which here is the named value; the conversion then has none
	// left, so such a template never works.
	star := func() *Error {
		switch {
		case !named:
			return positional(pos + 1)
		case !unused:
			return &Error{Reason: "not enough arguments for format string"}
		case v.isStr:
			return &Error{Reason: "* wants int"}
		}
		unused = false
		return nil
	}

	flags := 0
flagLoop:
	for ; pos < len(f); pos++ {
		switch f[pos] {
		case '-':
			flags |= flagLeft
		case '0':
			flags |= flagZero
		case ' ':
			flags |= flagBlank
		case '+':
			flags |= flagSign
		case '#':
			flags |= flagAlt
		default:
			break flagLoop
		}
	}
	if pos == len(f) {
		return 0, incomplete
	}

	width, prec := -1, -1
	var err *Error
	if f[pos] == '*' {
		if err = star(); err != nil {
			return 0, err
		}
		pos++
	} else if width, pos, err = number(f, pos, "width too big"); err != nil {
		return 0, err
	}
	if pos < len(f) && f[pos] == '.' {
		pos++
		prec = 0
		if pos < len(f) && f[pos] == '*' {
			if err = star(); err != nil {
				return 0, err
			}
			pos++
		} else if prec, pos, err = number(f, pos, "precision too big"); err != nil {
			return 0, err
		}
		prec = max(prec, 0) // "." alone means .0
	}
	if pos < len(f) && (f[pos] == 'h' || f[pos] == 'l' || f[pos] == 'L') {
		pos++
	}
	if pos >= len(f) {
		return 0, incomplete
	}

	conv, size := utf8.DecodeRuneInString(f[pos:])
	convAt := pos
	pos += size
	if named && !unused {
		return 0, &Error{Reason: "not enough arguments for format string"}
	}
	if !strings.ContainsRune("sradiuoxXeEfFgGc", conv) {
		shown := '?'
		if 31 <= conv && conv <= 126 {
			shown = conv
		}
		return 0, &Error{Reason: fmt.Sprintf(
			"unsupported format character '%c' (0x%x) at index %d", shown, conv, x.index(convAt))}
	}
	if !named {
		return 0, positional(pos)
	}
	s := spec{conv: byte(conv), flags: flags, width: width, prec: prec}
	if err := x.write(s, v); err != nil {
		return 0, err
	}
	return pos, nil
}

// number reads the decimal digits at f[pos:], if any; -1 means none.
func number(f string, pos int, tooBig string) (n, next int, err *Error) {
	n = -1
	for ; pos < len(f) && '0' <= f[pos] && f[pos] <= '9'; pos++ {
		n = max(n, 0)*10 + int(f[pos]-'0')
		if n > maxWidth {
			return 0, 0, &Error{Reason: tooBig}
		}
	}
	return n, pos, nil
}

// index converts a byte offset in the template to the character index that
// Python would report.
func (x *expander) index(byteOff int) int {
	return utf8.RuneCountInString(x.format[:byteOff])
}

func toValue(v any) (value, bool) {
	switch n := v.(type) {
	case string:
		return value{isStr: true, str: n}, true
	case int:
		return signed(int64(n)), true
	case int8:
		return signed(int64(n)), true
	case int16:
		return signed(int64(n)), true
	case int32:
		return signed(int64(n)), true
	case int64:
		return signed(n), true
	case uint:
		return value{abs: uint64(n)}, true
	case uint8:
		return value{abs: uint64(n)}, true
	case uint16:
		return value{abs: uint64(n)}, true
	case uint32:
		return value{abs: uint64(n)}, true
	case uint64:
		return value{abs: n}, true
	case uintptr:
		return value{abs: uint64(n)}, true
	}
	return value{}, false
}

func signed(n int64) value {
	if n < 0 {
		return value{neg: true, abs: uint64(-(n + 1)) + 1} // safe for MinInt64
	}
	return value{abs: uint64(n)}
}

// spec is one parsed conversion specifier.
type spec struct {
	conv        byte
	flags       int
	width, prec int // -1 when not given
}

// write formats v according to s, as Python's str % mapping does.
func (x *expander) write(s spec, v value) *Error {
	switch s.conv {
	case 's', 'r', 'a':
		text := strconv.FormatUint(v.abs, 10)
		if v.neg {
			text = "-" + text
		}
		if v.isStr {
			switch s.conv {
			case 's':
				text = v.str
			case 'r':
				text = pyrepr.Repr(v.str)
			case 'a':
				text = pyrepr.ASCII(v.str)
			}
		}
		if s.prec >= 0 {
			text = truncate(text, s.prec)
		}
		x.pad(s, "", "", text, false)

	case 'c':
		var text string
		switch {
		case v.isStr && utf8.RuneCountInString(v.str) == 1:
			text = v.str
		case v.isStr:
			return &Error{Reason: "%c requires int or char"}
		case v.neg || v.abs > 0x10ffff:
			return &Error{Reason: "%c arg not in range(0x110000)"}
		default:
			text = string(rune(v.abs))
		}
		x.pad(s, "", "", text, false)

	case 'd', 'i', 'u', 'o', 'x', 'X':
		if v.isStr {
			kind := "a real number"
			if s.conv == 'o' || s.conv == 'x' || s.conv == 'X' {
				kind = "an integer"
			}
			return &Error{Reason: fmt.Sprintf("%%%c format: %s is required, not str", s.conv, kind)}
		}
		base, prefix := 10, ""
		switch s.conv {
		case 'o':
			base, prefix = 8, "0o"
		case 'x', 'X':
			base, prefix = 16, "0x"
		}
		if s.flags&flagAlt == 0 {
			prefix = ""
		}
		digits := strconv.FormatUint(v.abs, base)
		if s.conv == 'X' {
			digits = strings.ToUpper(digits)
			prefix = strings.ToUpper(prefix)
		}
		if n := s.prec - len(digits); n > 0 {
			digits = strings.Repeat("0", n) + digits
		}
		x.pad(s, sign(s, v.neg), prefix, digits, true)

	case 'e', 'E', 'f', 'F', 'g', 'G':
		if v.isStr {
			return &Error{Reason: "must be real number, not str"}
		}
		x.pad(s, sign(s, v.neg), "", formatFloat(float64(v.abs), s), true)
	}
	return nil
}

// sign is the sign written before a number.
func sign(s spec, neg bool) string {
	switch {
	case neg:
		return "-"
	case s.flags&flagSign != 0:
		return "+"
	case s.flags&flagBlank != 0:
		return " "
	}
	return ""
}

// pad writes sign, prefix and body padded to the width: with spaces on the
// left, or on the right for flag -, or for numbers with flag 0 with zeros
// between the prefix and the body.
func (x *expander) pad(s spec, sign, prefix, body string, numeric bool) {
	n := s.width - len(sign) - len(prefix) - utf8.RuneCountInString(body)
	left := s.flags&flagLeft != 0
	zero := numeric && s.flags&flagZero != 0 && !left
	if n > 0 && !left && !zero {
		x.out.WriteString(strings.Repeat(" ", n))
	}
	x.out.WriteString(sign)
	x.out.WriteString(prefix)
	if n > 0 && zero {
		x.out.WriteString(strings.Repeat("0", n))
	}
	x.out.WriteString(body)
	if n > 0 && left {
		x.out.WriteString(strings.Repeat(" ", n))
	}
}

// truncate keeps the first n characters of s.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// formatFloat formats a non-negative f for conversion e, f or g (or their
// upper-case forms) the way Python's %-formatting does.
func formatFloat(f float64, s spec) string {
	prec := s.prec
	if prec < 0 {
		prec = 6
	}
	alt := s.flags&flagAlt != 0
	var out string
	switch s.conv {
	case 'f', 'F':
		out = strconv.FormatFloat(f, 'f', prec, 64)
		if alt && prec == 0 {
			out += "."
		}
	case 'e', 'E':
		out = strconv.FormatFloat(f, 'e', prec, 64)
		if alt && prec == 0 {
			i := strings.IndexByte(out, 'e')
			out = out[:i] + "." + out[i:]
		}
	case 'g', 'G':
		// Python's rule: with P significant digits and decimal exponent X
		// (after rounding), use fixed notation when -4 <= X < P; drop
		// trailing zeros unless #.
		prec = max(prec, 1)
		out = strconv.FormatFloat(f, 'e', prec-1, 64)
		i := strings.IndexByte(out, 'e')
		exp, _ := strconv.Atoi(out[i+1:])
		mant, expPart := out[:i], out[i:]
		if -4 <= exp && exp < prec {
			mant, expPart = strconv.FormatFloat(f, 'f', prec-1-exp, 64), ""
		}
		switch {
		case !alt && strings.IndexByte(mant, '.') >= 0:
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		case alt && strings.IndexByte(mant, '.') < 0:
			mant += "."
		}
		out = mant + expPart
	}
	if s.conv == 'E' || s.conv == 'G' {
		out = strings.ToUpper(out)
	}
	return out
}
