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
func WriteResponse(w io.Writer, v any) error {
	switch f := v.(type) {
	case *Fault:
		if f == nil {
			return fmt.Errorf("%w: nil *Fault", ErrUnencodable)
		}
		return WriteFault(w, f.Code, f.String)
	case Fault:
		return WriteFault(w, f.Code, f.String)
	}
	e := encoder{buf: make([]byte, 0, 512)}
	e.str("<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n")
	if err := e.value(v); err != nil {
		return err
	}
	e.str("</param>\n</params>\n</methodResponse>\n")
	_, err := w.Write(e.buf)
	return err
}

// WriteFault writes a fault response, as Python's
// xmlrpc.client.dumps(Fault(code, msg), methodresponse=True) does.
func WriteFault(w io.Writer, code int, msg string) error {
	e := encoder{buf: make([]byte, 0, 320)}
	e.str("<?xml version='1.0'?>\n<methodResponse>\n<fault>\n")
	if err := e.fault(code, msg); err != nil {
		return err
	}
	e.str("</fault>\n</methodResponse>\n")
	_, err := w.Write(e.buf)
	return err
}

// EncodeRequest writes a methodCall of method with params, byte for byte as
// Python's xmlrpc.client.dumps(params, method) does. Nothing is written if a
// parameter cannot be encoded.
func EncodeRequest(w io.Writer, method string, params ...any) error {
	if method == "" {
		return fmt.Errorf("%w: empty method name", ErrUnencodable)
	}
	e := encoder{buf: make([]byte, 0, 256)}
	e.str("<?xml version='1.0'?>\n<methodCall>\n<methodName>")
	e.escaped(method)
	e.str("</methodName>\n<params>\n")
	for _, p := range params {
		e.str("<param>\n")
		if err := e.value(p); err != nil {
			return err
		}
		e.str("</param>\n")
	}
	e.str("</params>\n</methodCall>\n")
	_, err := w.Write(e.buf)
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
		e.str("<value><string>")
		e.escaped(v)
		e.str("</string></value>\n")
	case int:
		return e.int(int64(v))
	case int64:
		return e.int(v)
	case int32:
		return e.int(int64(v))
	case bool:
		if v {
			e.str("<value><boolean>1</boolean></value>\n")
		} else {
			e.str("<value><boolean>0</boolean></value>\n")
		}
	case float64:
		e.double(v)
	case []byte:
		e.base64(v)
	case time.Time:
		e.str("<value><dateTime.iso8601>")
		e.buf = v.AppendFormat(e.buf, dateTimeLayout)
		e.str("</dateTime.iso8601></value>\n")
	case []any:
		return e.array(len(v), func(i int) error { return e.value(v[i]) })
	case []string:
		return e.array(len(v), func(i int) error { return e.value(v[i]) })
	case []map[string]any:
		return e.array(len(v), func(i int) error { return e.value(v[i]) })
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return e.structure(len(keys), func(i int) (string, any, error) { return keys[i], v[keys[i]], nil })
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

func (e *encoder) array(n int, elem func(i int) error) error {
	if e.depth++; e.depth > MaxDepth {
		return fmt.Errorf("%w: nested deeper than %d arrays and structs", ErrUnencodable, MaxDepth)
	}
	e.str("<value><array><data>\n")
	for i := range n {
		if err := elem(i); err != nil {
			return err
		}
	}
	e.str("</data></array></value>\n")
	e.depth--
	return nil
}

func (e *encoder) structure(n int, member func(i int) (string, any, error)) error {
	if e.depth++; e.depth > MaxDepth {
		return fmt.Errorf("%w: nested deeper than %d arrays and structs", ErrUnencodable, MaxDepth)
	}
	e.str("<value><struct>\n")
	for i := range n {
		name, v, err := member(i)
		if err != nil {
			return err
		}
		e.str("<member>\n<name>")
		e.escaped(name)
		e.str("</name>\n")
		if err := e.value(v); err != nil {
			return err
		}
		e.str("</member>\n")
	}
	e.str("</struct></value>\n")
	e.depth--
	return nil
}

func (e *encoder) fault(code int, msg string) error {
	return e.structure(2, func(i int) (string, any, error) {
		if i == 0 {
			return "faultCode", code, nil
		}
		return "faultString", msg, nil
	})
}

// reflectValue encodes the types that the fast path of value does not know:
// named types, other integer and float widths, slices, arrays, maps with
// string keys, structs and pointers.
func (e *encoder) reflectValue(rv reflect.Value) error {
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return fmt.Errorf("%w: nil %s", ErrUnencodable, rv.Type())
		}
		if e.depth >= MaxDepth {
			// A pointer cycle through no container would recurse forever.
			return fmt.Errorf("%w: nested deeper than %d levels", ErrUnencodable, MaxDepth)
		}
		e.depth++
		err := e.value(rv.Elem().Interface())
		e.depth--
		return err
	case reflect.Bool:
		return e.value(rv.Bool())
	case reflect.String:
		return e.value(rv.String())
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
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			e.base64(b)
			return nil
		}
		return e.array(rv.Len(), func(i int) error { return e.value(rv.Index(i).Interface()) })
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("%w: %s (struct member names must be strings)", ErrUnencodable, rv.Type())
		}
		keys := rv.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		return e.structure(len(keys), func(i int) (string, any, error) {
			return keys[i].String(), rv.MapIndex(keys[i]).Interface(), nil
		})
	case reflect.Struct:
		fields := structFields(rv.Type())
		return e.structure(len(fields), func(i int) (string, any, error) {
			return fields[i].name, rv.FieldByIndex(fields[i].index).Interface(), nil
		})
	}
	return fmt.Errorf("%w: unsupported type %s", ErrUnencodable, rv.Type())
}

type field struct {
	name  string
	index []int
}

// structFields lists the members a Go struct encodes to, in declaration
// order: every exported field, named by its `xmlrpc:"name"` tag or else by
// the field's name. A field tagged `xmlrpc:"-"` is left out. Embedded structs
// are not flattened.
func structFields(t reflect.Type) []field {
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
		fields = append(fields, field{name: name, index: f.Index})
	}
	return fields
}

// escaped appends s as XML character data the way Python's xmlrpc.client
// escapes it (&, < and > only), except that it keeps the document
// well-formed where Python would not: \r becomes &#13; so that it survives
// parsing, and invalid UTF-8 and characters XML 1.0 forbids become U+FFFD.
func (e *encoder) escaped(s string) {
	start := 0 // s[start:i] is pending, needing no change
	for i := 0; i < len(s); {
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
