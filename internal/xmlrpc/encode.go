package xmlrpc

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ErrUnencodable is matched (with errors.Is) by the errors of WriteResponse
// and EncodeRequest for a value XML-RPC cannot carry: nil, an integer outside
// 32 bits, a channel, a map whose keys are not strings, a cycle...
var ErrUnencodable = errors.New("xmlrpc: value cannot be encoded")

// dateTimeLayout is the ISO 8601 variant Python's xmlrpc.client reads and writes.
const dateTimeLayout = "20060102T15:04:05"

// WriteResponse writes a methodResponse carrying v, or a fault response if v
// is a Fault or *Fault. The bytes are those Python's
// xmlrpc.client.dumps((v,), methodresponse=True) produces. Nothing is written
// if v cannot be encoded, so a server can still answer with an error status.
// The document is built in a pooled buffer and written with one Write.
func WriteResponse(w io.Writer, v any) error {
	return writePooled(w, func(b []byte) ([]byte, error) { return AppendResponse(b, v) })
}

// AppendResponse appends to dst what WriteResponse writes and returns the
// extended buffer. If v cannot be encoded it returns dst unchanged (its
// length, that is) and the error. A server that must know the length before
// it writes (Content-Length) encodes into a buffer it reuses.
func AppendResponse(dst []byte, v any) ([]byte, error) {
	switch f := v.(type) {
	case *Fault:
		if f == nil {
			return dst, fmt.Errorf("%w: nil *Fault", ErrUnencodable)
		}
		return AppendFault(dst, f.Code, f.String)
	case Fault:
		return AppendFault(dst, f.Code, f.String)
	}
	e := encoder{buf: dst}
	e.str("<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n")
	if err := e.value(v); err != nil {
		return dst, err
	}
	e.str("</param>\n</params>\n</methodResponse>\n")
	return e.buf, nil
}

// WriteFault writes a fault response, as Python's
// xmlrpc.client.dumps(Fault(code, msg), methodresponse=True) does.
func WriteFault(w io.Writer, code int, msg string) error {
	return writePooled(w, func(b []byte) ([]byte, error) { return AppendFault(b, code, msg) })
}

// AppendFault appends to dst what WriteFault writes, as AppendResponse does.
func AppendFault(dst []byte, code int, msg string) ([]byte, error) {
	e := encoder{buf: dst}
	e.str("<?xml version='1.0'?>\n<methodResponse>\n<fault>\n")
	if err := e.fault(code, msg); err != nil {
		return dst, err
	}
	e.str("</fault>\n</methodResponse>\n")
	return e.buf, nil
}

// EncodeRequest writes a methodCall of method with params, byte for byte as
// Python's xmlrpc.client.dumps(params, method) does. Nothing is written if a
// parameter cannot be encoded.
func EncodeRequest(w io.Writer, method string, params ...any) error {
	if method == "" {
		return fmt.Errorf("%w: empty method name", ErrUnencodable)
	}
	return writePooled(w, func(b []byte) ([]byte, error) {
		e := encoder{buf: b}
		e.str("<?xml version='1.0'?>\n<methodCall>\n<methodName>")
		e.escaped(method)
		e.str("</methodName>\n<params>\n")
		for _, p := range params {
			e.str("<param>\n")
			if err := e.value(p); err != nil {
				return b, err
			}
			e.str("</param>\n")
		}
		e.str("</params>\n</methodCall>\n")
		return e.buf, nil
	})
}

// bufPool holds the buffers WriteResponse, WriteFault and EncodeRequest
// build their documents in. A getAllProcessInfo answer over 500 processes
// is half a megabyte: growing a fresh buffer to that size for every call
// costs more than encoding it, and the garbage makes the collector run
// often in a daemon whose every cycle scans the stacks of two goroutines
// per child.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooled is the capacity beyond which a buffer is left to the collector
// rather than kept: one exceptional answer must not stay pinned.
const maxPooled = 16 << 20

// GetBuffer returns an empty buffer from the pool the writers use, for
// AppendResponse and AppendFault; PutBuffer gives it back once its bytes
// are written.
func GetBuffer() *[]byte {
	b := bufPool.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

// PutBuffer returns b, got from GetBuffer, to the pool. b must not be used
// afterwards.
func PutBuffer(b *[]byte) {
	if cap(*b) <= maxPooled {
		bufPool.Put(b)
	}
}

func writePooled(w io.Writer, build func([]byte) ([]byte, error)) error {
	b := GetBuffer()
	defer PutBuffer(b)
	var err error
	if *b, err = build(*b); err != nil {
		return err
	}
	_, err = w.Write(*b)
	return err
}

// An encoder appends the XML of values to buf, in the layout of Python's
// xmlrpc.client.Marshaller: one <value> per line, containers opened on the
// line of their <value>.
type encoder struct {
	buf   []byte
	depth int // containers currently open, bounded by MaxDepth
}

func (e *encoder) str(s string) { e.buf = append(e.buf, s...) }

// value appends v followed by a newline. The common types are handled
// without reflection.
func (e *encoder) value(v any) error {
	switch v := v.(type) {
	case nil:
		return fmt.Errorf("%w: nil (XML-RPC has no null)", ErrUnencodable)
	case string:
		e.string(v)
	case int:
		return e.int(int64(v))
	case int64:
		return e.int(v)
	case int32:
		return e.int(int64(v))
	case bool:
		e.bool(v)
	case float64:
		e.double(v)
	case []byte:
		e.base64(v)
	case time.Time:
		e.time(v)
	case []any:
		if err := e.open("<value><array><data>\n"); err != nil {
			return err
		}
		for _, x := range v {
			if err := e.value(x); err != nil {
				return err
			}
		}
		e.close("</data></array></value>\n")
	case []string:
		if err := e.open("<value><array><data>\n"); err != nil {
			return err
		}
		for _, x := range v {
			e.string(x)
		}
		e.close("</data></array></value>\n")
	case []map[string]any:
		if err := e.open("<value><array><data>\n"); err != nil {
			return err
		}
		for _, x := range v {
			if err := e.stringMap(x); err != nil {
				return err
			}
		}
		e.close("</data></array></value>\n")
	case map[string]any:
		return e.stringMap(v)
	case *Fault:
		if v == nil {
			return fmt.Errorf("%w: nil *Fault", ErrUnencodable)
		}
		return e.fault(v.Code, v.String)
	case Fault:
		return e.fault(v.Code, v.String)
	default:
		return e.reflectValue(reflect.ValueOf(v))
	}
	return nil
}

func (e *encoder) string(s string) {
	e.str("<value><string>")
	e.escaped(s)
	e.str("</string></value>\n")
}

func (e *encoder) bool(b bool) {
	if b {
		e.str("<value><boolean>1</boolean></value>\n")
	} else {
		e.str("<value><boolean>0</boolean></value>\n")
	}
}

func (e *encoder) time(t time.Time) {
	e.str("<value><dateTime.iso8601>")
	e.buf = t.AppendFormat(e.buf, dateTimeLayout)
	e.str("</dateTime.iso8601></value>\n")
}

func (e *encoder) int(n int64) error {
	if n < math.MinInt32 || n > math.MaxInt32 {
		return fmt.Errorf("%w: integer %d does not fit in 32 bits", ErrUnencodable, n)
	}
	e.str("<value><int>")
	e.buf = strconv.AppendInt(e.buf, n, 10)
	e.str("</int></value>\n")
	return nil
}

func (e *encoder) double(f float64) {
	e.str("<value><double>")
	e.buf = appendPyFloat(e.buf, f)
	e.str("</double></value>\n")
}

// base64 writes lines of 76 characters each ending in a newline, as Python's
// base64.encodebytes does.
func (e *encoder) base64(b []byte) {
	const lineBytes = 57 // 76 encoded characters
	e.str("<value><base64>\n")
	for len(b) > 0 {
		n := min(len(b), lineBytes)
		e.buf = base64.StdEncoding.AppendEncode(e.buf, b[:n])
		e.buf = append(e.buf, '\n')
		b = b[n:]
	}
	e.str("</base64></value>\n")
}

// open starts an array or a struct, tag being its opening markup, unless
// that would nest containers deeper than MaxDepth; close ends it.
func (e *encoder) open(tag string) error {
	if e.depth++; e.depth > MaxDepth {
		return fmt.Errorf("%w: nested deeper than %d arrays and structs", ErrUnencodable, MaxDepth)
	}
	e.str(tag)
	return nil
}

func (e *encoder) close(tag string) {
	e.str(tag)
	e.depth--
}

// member starts a struct member; its value follows, then </member>.
func (e *encoder) member(name string) {
	e.str("<member>\n<name>")
	e.escaped(name)
	e.str("</name>\n")
}

// stringMap writes m as a struct, its members sorted by name.
func (e *encoder) stringMap(m map[string]any) error {
	if err := e.open("<value><struct>\n"); err != nil {
		return err
	}
	var small [16]string // the keys of a small map stay on the stack
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		e.member(k)
		if err := e.value(m[k]); err != nil {
			return err
		}
		e.str("</member>\n")
	}
	e.close("</struct></value>\n")
	return nil
}

func (e *encoder) fault(code int, msg string) error {
	if err := e.open("<value><struct>\n"); err != nil {
		return err
	}
	e.member("faultCode")
	if err := e.int(int64(code)); err != nil {
		return err
	}
	e.str("</member>\n")
	e.member("faultString")
	e.string(msg)
	e.str("</member>\n")
	e.close("</struct></value>\n")
	return nil
}

var (
	timeType  = reflect.TypeFor[time.Time]()
	faultType = reflect.TypeFor[Fault]()
)

// reflectValue encodes the types that the fast path of value does not know:
// named types, other integer and float widths, slices, arrays, maps with
// string keys, structs and pointers. It works on rv itself, never boxing an
// element or a field in an interface (which would allocate a copy of it),
// so that a slice of structs, such as getAllProcessInfo's answer, encodes
// without allocating.
func (e *encoder) reflectValue(rv reflect.Value) error {
	switch rv.Kind() {
	case reflect.Interface:
		// What the interface holds, as value sees it: a nil interface is
		// refused as nil is, a nil pointer in it as a nil pointer is.
		return e.value(rv.Interface())
	case reflect.Pointer:
		if rv.IsNil() {
			return fmt.Errorf("%w: nil %s", ErrUnencodable, rv.Type())
		}
		if e.depth >= MaxDepth {
			// A pointer cycle through no container would recurse forever.
			return fmt.Errorf("%w: nested deeper than %d levels", ErrUnencodable, MaxDepth)
		}
		e.depth++
		err := e.reflectValue(rv.Elem())
		e.depth--
		return err
	case reflect.Bool:
		e.bool(rv.Bool())
		return nil
	case reflect.String:
		e.string(rv.String())
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return e.int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt32 {
			return fmt.Errorf("%w: integer %d does not fit in 32 bits", ErrUnencodable, u)
		}
		return e.int(int64(u))
	case reflect.Float32, reflect.Float64:
		e.double(rv.Float())
		return nil
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			if rv.Kind() == reflect.Slice {
				e.base64(rv.Bytes())
				return nil
			}
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			e.base64(b)
			return nil
		}
		if err := e.open("<value><array><data>\n"); err != nil {
			return err
		}
		for i := range rv.Len() {
			if err := e.reflectValue(rv.Index(i)); err != nil {
				return err
			}
		}
		e.close("</data></array></value>\n")
		return nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("%w: %s (struct member names must be strings)", ErrUnencodable, rv.Type())
		}
		if err := e.open("<value><struct>\n"); err != nil {
			return err
		}
		keys := rv.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			e.member(k.String())
			if err := e.reflectValue(rv.MapIndex(k)); err != nil {
				return err
			}
			e.str("</member>\n")
		}
		e.close("</struct></value>\n")
		return nil
	case reflect.Struct:
		switch rv.Type() {
		case timeType:
			e.time(rv.Interface().(time.Time))
			return nil
		case faultType:
			f := rv.Interface().(Fault)
			return e.fault(f.Code, f.String)
		}
		if err := e.open("<value><struct>\n"); err != nil {
			return err
		}
		for _, f := range structFields(rv.Type()) {
			e.str(f.member)
			if err := e.reflectValue(rv.Field(f.index)); err != nil {
				return err
			}
			e.str("</member>\n")
		}
		e.close("</struct></value>\n")
		return nil
	}
	return fmt.Errorf("%w: unsupported type %s", ErrUnencodable, rv.Type())
}

type field struct {
	member string // "<member>\n<name>" name "</name>\n", escaped
	index  int
}

// fieldCache maps a struct's reflect.Type to its []field.
var fieldCache sync.Map

// structFields lists the members a Go struct encodes to, in declaration
// order: every exported field, named by its `xmlrpc:"name"` tag or else by
// the field's name. A field tagged `xmlrpc:"-"` is left out. Embedded structs
// are not flattened. The list is made once per type.
func structFields(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	fields := make([]field, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Tag.Get("xmlrpc")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		m := encoder{buf: make([]byte, 0, len(name)+32)}
		m.member(name)
		fields = append(fields, field{member: string(m.buf), index: i})
	}
	f, _ := fieldCache.LoadOrStore(t, fields)
	return f.([]field)
}

// escaped appends s as XML character data the way Python's xmlrpc.client
// escapes it (&, < and > only), except that it keeps the document
// well-formed where Python would not: \r becomes &#13; so that it survives
// parsing, and invalid UTF-8 and characters XML 1.0 forbids become U+FFFD.
func (e *encoder) escaped(s string) {
	// Most text needs no change: copy it in one go.
	i := 0
	for i < len(s) && plain[s[i]] {
		i++
	}
	if i == len(s) {
		e.buf = append(e.buf, s...)
		return
	}
	start := 0 // s[start:i] is pending, needing no change
	for i < len(s) {
		c := s[i]
		var repl string
		size := 1
		if c < utf8.RuneSelf {
			switch {
			case c == '&':
				repl = "&amp;"
			case c == '<':
				repl = "&lt;"
			case c == '>':
				repl = "&gt;"
			case c == '\r':
				repl = "&#13;"
			case c < 0x20 && c != '\t' && c != '\n':
				repl = "\uFFFD"
			}
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			if (r == utf8.RuneError && size == 1) || r == 0xFFFE || r == 0xFFFF {
				repl = "\uFFFD"
			}
		}
		if repl != "" {
			e.buf = append(e.buf, s[start:i]...)
			e.buf = append(e.buf, repl...)
			start = i + size
		}
		i += size
	}
	e.buf = append(e.buf, s[start:]...)
}

// plain tells the bytes escaped copies as they are: printable ASCII, tab and
// newline, but for &, < and >.
var plain = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	t['\t'], t['\n'] = true, true
	t['&'], t['<'], t['>'] = false, false, false
	return t
}()

// appendPyFloat appends f as Python's repr(float) writes it, which is what
// xmlrpc.client puts in a <double>: the shortest digits that read back as f,
// in positional notation with at least one decimal (1.0, 0.0001) when the
// decimal exponent is in [-4, 16), else in exponent notation (1e+16, 1e-05).
func appendPyFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "nan"...)
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	}
	var tmp [32]byte
	s := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64) // -d.ddde±dd
	mant, exps, _ := strings.Cut(string(s), "e")
	exp, _ := strconv.Atoi(exps)
	if exp < -4 || exp >= 16 {
		return append(b, s...) // Go's exponent form is Python's
	}
	if mant[0] == '-' {
		b = append(b, '-')
		mant = mant[1:]
	}
	digits := strings.Replace(mant, ".", "", 1)
	switch {
	case exp < 0:
		b = append(b, "0."...)
		for range -exp - 1 {
			b = append(b, '0')
		}
		b = append(b, digits...)
	case len(digits) <= exp+1:
		b = append(b, digits...)
		for range exp + 1 - len(digits) {
			b = append(b, '0')
		}
		b = append(b, ".0"...)
	default:
		b = append(b, digits[:exp+1]...)
		b = append(b, '.')
		b = append(b, digits[exp+1:]...)
	}
	return b
}
