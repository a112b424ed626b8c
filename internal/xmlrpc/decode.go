package xmlrpc

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Limits on what the parsers accept, against documents built to exhaust the
// stack or the heap. Together with a bound on the body's size they keep the
// work of parsing proportional to the size of a legitimate message.
const (
	// MaxDepth is how deeply arrays and structs may nest. supervisord's
	// deepest values (system.multicall's arguments and results) use 3.
	MaxDepth = 64
	// MaxValues is how many <value> elements a document may hold in all.
	// A getAllConfigInfo response for 1000 processes holds about 31000.
	MaxValues = 1 << 20
)

var (
	// ErrMalformed is matched by every error of ParseRequest and
	// ParseResponse that is the input's fault (as opposed to the reader's): a
	// document that is not XML, not well-formed, truncated, has a DOCTYPE,
	// is not an XML-RPC message, or exceeds MaxDepth or MaxValues. A server
	// answers it with HTTP 400.
	ErrMalformed = errors.New("xmlrpc: malformed message")

	// ErrNoMethodName is matched, as well as ErrMalformed, by the error of
	// ParseRequest for a call without a method name or with an empty one,
	// which supervisord answers with HTTP 400 without logging an error.
	ErrNoMethodName = errors.New("xmlrpc: no method name")
)

// A ParseError describes why a document is not an acceptable XML-RPC
// message. It matches ErrMalformed with errors.Is, and also ErrNoMethodName
// when that is the problem.
type ParseError struct {
	Line int    // 1-based line of the input where the problem was found
	Msg  string // what is wrong, e.g. "unknown value type <nil>"
	kind error  // an additional sentinel, or nil
}

func (e *ParseError) Error() string {
	return "xmlrpc: line " + strconv.Itoa(e.Line) + ": " + e.Msg
}

// Is reports whether target is ErrMalformed or the error's specific sentinel.
func (e *ParseError) Is(target error) bool {
	return target == ErrMalformed || (e.kind != nil && target == e.kind)
}

// ParseRequest reads a methodCall and returns its method name and
// parameters, decoded as described in the package documentation. A call
// without <params> has no parameters. It reads r to its end, to check that
// nothing follows the document.
//
// Errors caused by the input match ErrMalformed; errors from r are returned
// wrapped and do not.
func ParseRequest(r io.Reader) (method string, params []any, err error) {
	return newParser(r).request()
}

func (p *parser) request() (method string, params []any, err error) {
	if err := p.root("methodCall"); err != nil {
		return "", nil, err
	}
	var seenName, seenParams bool
	nameLine := 1 // where a method name was expected
	for {
		t, err := p.tag()
		if err != nil {
			return "", nil, err
		}
		if _, ok := t.(xml.EndElement); ok {
			break // </methodCall>; the decoder checks that it matches
		}
		switch name := t.(xml.StartElement).Name.Local; {
		case name == "methodName" && !seenName:
			seenName = true
			nameLine, _ = p.d.InputPos()
			text, err := p.text(name)
			if err != nil {
				return "", nil, err
			}
			method = string(bytes.TrimSpace(text))
		case name == "params" && !seenParams:
			seenParams = true
			if params, err = p.params(); err != nil {
				return "", nil, err
			}
		default:
			return "", nil, p.errorf("unexpected <%s> in <methodCall>", name)
		}
	}
	if err := p.end(); err != nil {
		return "", nil, err
	}
	if method == "" {
		return "", nil, &ParseError{Line: nameLine, Msg: "the call has no method name", kind: ErrNoMethodName}
	}
	if params == nil {
		params = []any{}
	}
	return method, params, nil
}

// ParseResponse reads a methodResponse and returns the value it carries,
// decoded as described in the package documentation. If the response is a
// fault, the error is a *Fault and the value nil. It reads r to its end, to
// check that nothing follows the document.
//
// Errors caused by the input match ErrMalformed; errors from r are returned
// wrapped and do not.
func ParseResponse(r io.Reader) (any, error) {
	return newParser(r).response()
}

func (p *parser) response() (any, error) {
	if err := p.root("methodResponse"); err != nil {
		return nil, err
	}
	t, err := p.tag()
	if err != nil {
		return nil, err
	}
	var v any
	var fault *Fault
	switch name := startName(t); name {
	case "params":
		params, err := p.params()
		if err != nil {
			return nil, err
		}
		if len(params) != 1 {
			return nil, p.errorf("a response needs exactly one parameter, not %d", len(params))
		}
		v = params[0]
	case "fault":
		if fault, err = p.fault(); err != nil {
			return nil, err
		}
	default:
		return nil, p.errorf("expected <params> or <fault> in <methodResponse>, found %s", describe(t))
	}
	if t, err := p.tag(); err != nil {
		return nil, err
	} else if _, ok := t.(xml.EndElement); !ok {
		return nil, p.errorf("unexpected %s after the response", describe(t))
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	if fault != nil {
		return nil, fault
	}
	return v, nil
}

// A parser walks the tokens of one document by recursive descent. The xml
// package checks well-formedness (matching tags, legal names, known
// entities); the parser checks XML-RPC's grammar and the limits.
type parser struct {
	d         *xml.Decoder
	r         *errReader
	depth     int  // arrays and structs open around the current value
	values    int  // <value> elements seen
	maxValues int  // MaxValues, lowered by tests
	started   bool // the root element has begun
}

func newParser(r io.Reader) *parser {
	er := &errReader{r: r}
	d := xml.NewDecoder(er)
	d.CharsetReader = charsetReader
	return &parser{d: d, r: er, maxValues: MaxValues}
}

// errReader remembers the reader's failure, which the xml package reports
// like any other error, so that it is not mistaken for bad input.
type errReader struct {
	r   io.Reader
	err error
}

func (r *errReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

func (p *parser) errorf(format string, args ...any) error {
	line, _ := p.d.InputPos()
	return &ParseError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// fail converts an error of the xml package.
func (p *parser) fail(err error) error {
	if p.r.err != nil {
		return fmt.Errorf("xmlrpc: reading the message: %w", p.r.err)
	}
	if err == io.EOF {
		if !p.started {
			return p.errorf("empty document")
		}
		return p.errorf("the document ends early")
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &ParseError{Line: se.Line, Msg: se.Msg}
	}
	return p.errorf("%v", err) // e.g. an unsupported charset or XML version
}

// token returns the next start element, end element or character data,
// skipping comments and processing instructions. It refuses DOCTYPE and
// other declarations, the vehicle of entity-expansion attacks.
func (p *parser) token() (xml.Token, error) {
	for {
		t, err := p.d.Token()
		if err != nil {
			return nil, p.fail(err)
		}
		switch t.(type) {
		case xml.StartElement, xml.EndElement, xml.CharData:
			return t, nil
		case xml.Directive:
			return nil, p.errorf("DOCTYPE and other <!...> declarations are not allowed")
		}
	}
}

// tag returns the next start or end element, allowing only white space
// before it.
func (p *parser) tag() (xml.Token, error) {
	for {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		if cd, ok := t.(xml.CharData); ok {
			if !isSpace(cd) {
				return nil, p.errorf("unexpected text %.20q", cd)
			}
			continue
		}
		return t, nil
	}
}

// expect consumes the start element name, allowing only white space before it.
func (p *parser) expect(name, where string) error {
	t, err := p.tag()
	if err != nil {
		return err
	}
	if startName(t) != name {
		return p.errorf("expected <%s> in <%s>, found %s", name, where, describe(t))
	}
	return nil
}

// expectEnd consumes the end of the current element, allowing only white
// space before it.
func (p *parser) expectEnd(where string) error {
	t, err := p.tag()
	if err != nil {
		return err
	}
	if _, ok := t.(xml.EndElement); !ok {
		return p.errorf("expected </%s>, found %s", where, describe(t))
	}
	return nil
}

// root consumes the prolog and the root element's start tag.
func (p *parser) root(name string) error {
	t, err := p.tag()
	if err != nil {
		return err
	}
	if startName(t) != name {
		return p.errorf("expected root element <%s>, found %s", name, describe(t))
	}
	p.started = true
	return nil
}

// end checks that only white space, comments and processing instructions
// follow the root element.
func (p *parser) end() error {
	for {
		t, err := p.d.Token()
		if err == io.EOF && p.r.err == nil {
			return nil
		}
		if err != nil {
			return p.fail(err)
		}
		switch t := t.(type) {
		case xml.CharData:
			if !isSpace(t) {
				return p.errorf("text after the root element")
			}
		case xml.StartElement:
			return p.errorf("element <%s> after the root element", t.Name.Local)
		case xml.Directive:
			return p.errorf("DOCTYPE and other <!...> declarations are not allowed")
		}
	}
}

// text returns the character data of the element whose start tag was just
// consumed, up to and including its end tag. The data belongs to the caller.
func (p *parser) text(name string) ([]byte, error) {
	var buf []byte
	for {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.CharData:
			buf = append(buf, t...)
		case xml.StartElement:
			return nil, p.errorf("unexpected <%s> in <%s>", t.Name.Local, name)
		case xml.EndElement:
			if buf == nil {
				buf = []byte{}
			}
			return buf, nil
		}
	}
}

// params consumes the <param> elements up to </params>.
func (p *parser) params() ([]any, error) {
	params := []any{}
	for {
		t, err := p.tag()
		if err != nil {
			return nil, err
		}
		if _, ok := t.(xml.EndElement); ok {
			return params, nil
		}
		if name := startName(t); name != "param" {
			return nil, p.errorf("expected <param> in <params>, found <%s>", name)
		}
		if err := p.expect("value", "param"); err != nil {
			return nil, err
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if err := p.expectEnd("param"); err != nil {
			return nil, err
		}
		params = append(params, v)
	}
}

// fault consumes <value><struct>…</struct></value></fault>.
func (p *parser) fault() (*Fault, error) {
	if err := p.expect("value", "fault"); err != nil {
		return nil, err
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	code, okCode := m["faultCode"].(int)
	msg, okMsg := m["faultString"].(string)
	if !ok || !okCode || !okMsg {
		return nil, p.errorf("a fault must be a struct of an int faultCode and a string faultString")
	}
	if err := p.expectEnd("fault"); err != nil {
		return nil, err
	}
	return &Fault{Code: code, String: msg}, nil
}

// value decodes the <value> whose start tag was just consumed, through its
// end tag. A value without a type element is a string of its text.
func (p *parser) value() (any, error) {
	if p.values++; p.values > p.maxValues {
		return nil, p.errorf("more than %d values", p.maxValues)
	}
	var text []byte
	var v any
	typed := "" // the type element, once seen
	for {
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.CharData:
			text = append(text, t...)
		case xml.StartElement:
			if typed != "" {
				return nil, p.errorf("<%s> after <%s> in a <value>", t.Name.Local, typed)
			}
			typed = t.Name.Local
			if v, err = p.typed(typed); err != nil {
				return nil, err
			}
		case xml.EndElement:
			if typed == "" {
				return string(text), nil
			}
			if !isSpace(text) {
				return nil, p.errorf("text beside <%s> in a <value>", typed)
			}
			return v, nil
		}
	}
}

// typed decodes the element name, the type of a value, whose start tag was
// just consumed, through its end tag.
func (p *parser) typed(name string) (any, error) {
	switch name {
	case "array":
		return p.array()
	case "struct":
		return p.structure()
	}
	text, err := p.text(name)
	if err != nil {
		return nil, err
	}
	switch name {
	case "string":
		return string(text), nil
	case "int", "i4":
		n, err := strconv.ParseInt(string(bytes.TrimSpace(text)), 10, strconv.IntSize)
		if err != nil {
			return nil, p.errorf("bad <%s> %.40q", name, text)
		}
		return int(n), nil
	case "boolean":
		switch string(bytes.TrimSpace(text)) {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
		return nil, p.errorf("bad <boolean> %.40q (must be 0 or 1)", text)
	case "double":
		f, err := strconv.ParseFloat(string(bytes.TrimSpace(text)), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) { // Python reads 1e400 as inf
			return nil, p.errorf("bad <double> %.40q", text)
		}
		return f, nil
	case "dateTime.iso8601":
		return p.dateTime(string(bytes.TrimSpace(text)))
	case "base64":
		b := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
		n, err := base64.StdEncoding.Decode(b, bytes.Map(dropSpace, text))
		if err != nil {
			return nil, p.errorf("bad <base64>: %v", err)
		}
		return b[:n], nil
	}
	return nil, p.errorf("unknown value type <%s>", name)
}

// dateTime accepts Python's 20261124T00:48:12 and, being liberal, the
// extended forms 2026-11-24T00:48:12 and RFC 3339 with a zone. Times without
// a zone are taken as UTC.
func (p *parser) dateTime(s string) (any, error) {
	for _, layout := range []string{dateTimeLayout, "2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return nil, p.errorf("bad <dateTime.iso8601> %.40q (want e.g. 20261124T00:48:12)", s)
}

func (p *parser) nest() error {
	if p.depth++; p.depth > MaxDepth {
		return p.errorf("arrays and structs nested deeper than %d", MaxDepth)
	}
	return nil
}

// array decodes <data>, values, </data></array> into a non-nil []any.
func (p *parser) array() (any, error) {
	if err := p.nest(); err != nil {
		return nil, err
	}
	if err := p.expect("data", "array"); err != nil {
		return nil, err
	}
	a := []any{}
	for {
		t, err := p.tag()
		if err != nil {
			return nil, err
		}
		if _, ok := t.(xml.EndElement); ok {
			break
		}
		if name := startName(t); name != "value" {
			return nil, p.errorf("expected <value> in <data>, found <%s>", name)
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
	if err := p.expectEnd("array"); err != nil {
		return nil, err
	}
	p.depth--
	return a, nil
}

// structure decodes <member><name>…</name><value>…</value></member>… up to
// </struct>. A repeated name keeps its last value, as in Python.
func (p *parser) structure() (any, error) {
	if err := p.nest(); err != nil {
		return nil, err
	}
	m := map[string]any{}
	for {
		t, err := p.tag()
		if err != nil {
			return nil, err
		}
		if _, ok := t.(xml.EndElement); ok {
			break
		}
		if name := startName(t); name != "member" {
			return nil, p.errorf("expected <member> in <struct>, found <%s>", name)
		}
		if err := p.expect("name", "member"); err != nil {
			return nil, err
		}
		name, err := p.text("name")
		if err != nil {
			return nil, err
		}
		if err := p.expect("value", "member"); err != nil {
			return nil, err
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if err := p.expectEnd("member"); err != nil {
			return nil, err
		}
		m[string(name)] = v
	}
	p.depth--
	return m, nil
}

// startName returns the local name of t if it is a start element, else "".
// Namespace prefixes are ignored, as Python does.
func startName(t xml.Token) string {
	if s, ok := t.(xml.StartElement); ok {
		return s.Name.Local
	}
	return ""
}

func describe(t xml.Token) string {
	switch t := t.(type) {
	case xml.StartElement:
		return "<" + t.Name.Local + ">"
	case xml.EndElement:
		return "</" + t.Name.Local + ">"
	}
	return "text"
}

func isSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
		return -1
	}
	return r
}
