package xmlrpc

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const decl = "<?xml version='1.0'?>\n"

// call wraps the XML of one parameter's <value> in a methodCall.
func call(value string) string {
	return decl + "<methodCall><methodName>m</methodName><params><param>" + value +
		"</param></params></methodCall>"
}

func TestParseRequestAccepts(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		method string
		params []any
	}{
		{"params absent", decl + "<methodCall><methodName>system.listMethods</methodName></methodCall>",
			"system.listMethods", []any{}},
		{"params empty", "<methodCall><methodName>m</methodName><params/></methodCall>", "m", []any{}},
		{"params before methodName", "<methodCall><params><param><value>x</value></param></params>" +
			"<methodName>m</methodName></methodCall>", "m", []any{"x"}},
		{"method name white space", "<methodCall><methodName>\n  m.n\n</methodName></methodCall>", "m.n", []any{}},
		{"no declaration", "<methodCall><methodName>m</methodName></methodCall>", "m", []any{}},
		{"untyped value", call("<value>some text</value>"), "m", []any{"some text"}},
		{"empty value", call("<value/>"), "m", []any{""}},
		{"white space value", call("<value>  </value>"), "m", []any{"  "}},
		{"empty string", call("<value><string/></value>"), "m", []any{""}},
		{"string keeps spaces", call("<value><string> a  b </string></value>"), "m", []any{" a  b "}},
		{"i4", call("<value><i4>-7</i4></value>"), "m", []any{-7}},
		{"int with spaces and sign", call("<value><int> +42\n</int></value>"), "m", []any{42}},
		{"int beyond 32 bits", call("<value><int>4294967296</int></value>"), "m", []any{4294967296}},
		{"boolean", call("<value><boolean> 1 </boolean></value>"), "m", []any{true}},
		{"double", call("<value><double>-1.25e3</double></value>"), "m", []any{-1250.0}},
		{"double overflow is inf", call("<value><double>1e400</double></value>"), "m", []any{math.Inf(1)}},
		{"dateTime python", call("<value><dateTime.iso8601>20261124T00:48:12</dateTime.iso8601></value>"),
			"m", []any{time.Date(2026, 11, 24, 0, 48, 12, 0, time.UTC)}},
		{"dateTime extended", call("<value><dateTime.iso8601>2026-11-24T00:48:12</dateTime.iso8601></value>"),
			"m", []any{time.Date(2026, 11, 24, 0, 48, 12, 0, time.UTC)}},
		{"dateTime zone", call("<value><dateTime.iso8601>2026-11-24T01:48:12+01:00</dateTime.iso8601></value>"),
			"m", []any{time.Date(2026, 11, 24, 0, 48, 12, 0, time.UTC)}},
		{"base64 lines", call("<value><base64>\naGVs\nbG8=\n</base64></value>"), "m", []any{[]byte("hello")}},
		{"base64 empty", call("<value><base64></base64></value>"), "m", []any{[]byte{}}},
		{"pretty printed", decl + "<methodCall>\n  <methodName>m</methodName>\n  <params>\n    <param>\n" +
			"      <value>\n        <array>\n          <data>\n            <value><int>1</int></value>\n" +
			"          </data>\n        </array>\n      </value>\n    </param>\n  </params>\n</methodCall>\n",
			"m", []any{[]any{1}}},
		{"CRLF", "<methodCall>\r\n<methodName>m</methodName>\r\n<params>\r\n<param>\r\n" +
			"<value><string>a\r\nb</string></value>\r\n</param>\r\n</params>\r\n</methodCall>\r\n",
			"m", []any{"a\nb"}},
		{"character references", call("<value><string>&#13;&#x41;&lt;&amp;&gt;&quot;&apos;</string></value>"),
			"m", []any{"\rA<&>\"'"}},
		{"CDATA", call("<value><string><![CDATA[<not> & markup]]></string></value>"), "m", []any{"<not> & markup"}},
		{"comments and PIs", "<?xml version='1.0'?><!-- c --><methodCall><!-- c --><methodName>m<!-- c --></methodName>" +
			"<params><?pi x?><param><value><!-- c --><int>1</int><!-- c --></value></param></params></methodCall><!-- c -->",
			"m", []any{1}},
		{"namespace prefix ignored", call("<value><ex:i4 xmlns:ex='urn:x'>3</ex:i4></value>"), "m", []any{3}},
		{"duplicate member keeps last", call("<value><struct><member><name>a</name><value>1</value></member>" +
			"<member><name>a</name><value>2</value></member></struct></value>"), "m",
			[]any{map[string]any{"a": "2"}}},
		{"empty member name", call("<value><struct><member><name/><value>1</value></member></struct></value>"),
			"m", []any{map[string]any{"": "1"}}},
		{"utf-8 declared", "<?xml version='1.0' encoding='UTF-8'?><methodCall><methodName>m</methodName>" +
			"<params><param><value>h\u00e9</value></param></params></methodCall>", "m", []any{"h\u00e9"}},
		{"latin-1 declared", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><methodCall><methodName>m</methodName>" +
			"<params><param><value>h\xe9\xff</value></param></params></methodCall>", "m", []any{"h\u00e9\u00ff"}},
		{"us-ascii declared", "<?xml version='1.0' encoding='us-ascii'?><methodCall><methodName>m</methodName>" +
			"<params><param><value>plain</value></param></params></methodCall>", "m", []any{"plain"}},
		{"trailing white space", "<methodCall><methodName>m</methodName></methodCall>\n\n  ", "m", []any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, params, err := ParseRequest(strings.NewReader(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.method, method)
			assert.Equal(t, tt.params, params)
		})
	}
}

// billionLaughs is the classic entity-expansion bomb: a few hundred bytes
// that expand to 10^9 "lol"s in a parser that expands entities.
const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<methodCall><methodName>&lol9;</methodName></methodCall>`

func nested(levels int) string {
	return call(strings.Repeat("<value><array><data>", levels) + strings.Repeat("</data></array></value>", levels))
}

func TestParseRequestRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
		msg  string // a part of the error's text
	}{
		{"empty body", "", "empty document"},
		{"white space only", " \n\t", "empty document"},
		{"declaration only", decl, "empty document"},
		{"not XML", "hello world", "unexpected text"},
		{"JSON", `{"method": "m"}`, "unexpected text"},
		{"HTTP", "GET / HTTP/1.1\r\n\r\n", "unexpected text"},
		{"truncated", decl + "<methodCall><methodName>m</methodName><params><param><val", "unexpected EOF"},
		{"truncated after root start", "<methodCall>", "unexpected EOF"},
		{"unclosed root", "<methodCall><methodName>m</methodName>", "unexpected EOF"},
		{"mismatched tags", "<methodCall><methodName>m</methodResponse></methodCall>", "element <methodName> closed by </methodResponse>"},
		{"wrong root", "<methodResponse><params/></methodResponse>", "expected root element <methodCall>, found <methodResponse>"},
		{"html", "<html><body>hi</body></html>", "expected root element <methodCall>, found <html>"},
		{"unknown element in methodCall", "<methodCall><methodName>m</methodName><extra/></methodCall>", "unexpected <extra> in <methodCall>"},
		{"two method names", "<methodCall><methodName>m</methodName><methodName>n</methodName></methodCall>", "unexpected <methodName>"},
		{"two params", "<methodCall><methodName>m</methodName><params/><params/></methodCall>", "unexpected <params>"},
		{"element in methodName", "<methodCall><methodName><b>m</b></methodName></methodCall>", "unexpected <b> in <methodName>"},
		{"text in params", "<methodCall><methodName>m</methodName><params>x</params></methodCall>", "unexpected text"},
		{"param without value", "<methodCall><methodName>m</methodName><params><param/></params></methodCall>", "expected <value> in <param>"},
		{"param with two values", call("<value>1</value><value>2</value>"), "expected </param>"},
		{"element after root", "<methodCall><methodName>m</methodName></methodCall><methodCall/>", "element <methodCall> after the root element"},
		{"text after root", "<methodCall><methodName>m</methodName></methodCall>junk", "text after the root element"},
		{"deep nesting 10000", nested(10000), "nested deeper than 64"},
		{"deep nesting 65", nested(65), "nested deeper than 64"},
		{"deep structs", call(strings.Repeat("<value><struct><member><name>a</name>", 100)), "nested deeper than 64"},
		{"billion laughs", billionLaughs, "DOCTYPE"},
		{"external entity", `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>` +
			`<methodCall><methodName>&x;</methodName></methodCall>`, "DOCTYPE"},
		{"DOCTYPE inside", "<methodCall><!DOCTYPE x><methodName>m</methodName></methodCall>", "DOCTYPE"},
		{"undeclared entity", "<methodCall><methodName>&lol;</methodName></methodCall>", "invalid character entity &lol;"},
		{"huge int", call("<value><int>99999999999999999999999999</int></value>"), "bad <int>"},
		{"int not a number", call("<value><int>12abc</int></value>"), "bad <int>"},
		{"int empty", call("<value><int/></value>"), "bad <int>"},
		{"int with fraction", call("<value><i4>1.5</i4></value>"), "bad <i4>"},
		{"boolean 2", call("<value><boolean>2</boolean></value>"), "bad <boolean>"},
		{"boolean true", call("<value><boolean>true</boolean></value>"), "bad <boolean>"},
		{"double not a number", call("<value><double>one</double></value>"), "bad <double>"},
		{"dateTime bad", call("<value><dateTime.iso8601>yesterday</dateTime.iso8601></value>"), "bad <dateTime.iso8601>"},
		{"base64 bad", call("<value><base64>!!!</base64></value>"), "bad <base64>"},
		{"unknown type", call("<value><foo>1</foo></value>"), "unknown value type <foo>"},
		{"nil extension", call("<value><nil/></value>"), "unknown value type <nil>"},
		{"i8 extension", call("<value><i8>1</i8></value>"), "unknown value type <i8>"},
		{"two types", call("<value><int>1</int><int>2</int></value>"), "<int> after <int>"},
		{"text beside type", call("<value>x<int>1</int></value>"), "text beside <int>"},
		{"element in int", call("<value><int><b>1</b></int></value>"), "unexpected <b> in <int>"},
		{"array without data", call("<value><array><value>1</value></array></value>"), "expected <data> in <array>"},
		{"array with junk", call("<value><array><data><int>1</int></data></array></value>"), "expected <value> in <data>"},
		{"array two datas", call("<value><array><data/><data/></array></value>"), "expected </array>"},
		{"struct junk", call("<value><struct><value>1</value></struct></value>"), "expected <member> in <struct>"},
		{"member value first", call("<value><struct><member><value>1</value><name>a</name></member></struct></value>"), "expected <name> in <member>"},
		{"member without value", call("<value><struct><member><name>a</name></member></struct></value>"), "expected <value> in <member>"},
		{"member two values", call("<value><struct><member><name>a</name><value/><value/></member></struct></value>"), "expected </member>"},
		{"unsupported charset", "<?xml version='1.0' encoding='koi8-r'?><methodCall/>", "unsupported charset"},
		{"XML 1.1", "<?xml version='1.1'?><methodCall/>", "version"},
		{"invalid UTF-8", call("<value>\xff\xfe</value>"), "invalid UTF-8"},
		{"NUL byte", call("<value>a\x00b</value>"), "illegal character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, params, err := ParseRequest(strings.NewReader(tt.in))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrMalformed)
			assert.NotErrorIs(t, err, ErrNoMethodName)
			assert.Contains(t, err.Error(), tt.msg)
			var pe *ParseError
			assert.ErrorAs(t, err, &pe)
			assert.Empty(t, method)
			assert.Nil(t, params)
		})
	}
}

func TestParseRequestNoMethodName(t *testing.T) {
	for _, in := range []string{
		"<methodCall></methodCall>",
		"<methodCall><params><param><value>x</value></param></params></methodCall>",
		"<methodCall><methodName></methodName></methodCall>",
		"<methodCall><methodName/></methodCall>",
		"<methodCall><methodName> \n </methodName></methodCall>",
	} {
		_, _, err := ParseRequest(strings.NewReader(in))
		assert.ErrorIs(t, err, ErrNoMethodName, in)
		assert.ErrorIs(t, err, ErrMalformed, in)
	}
}

// Every strict prefix of a valid request is refused, never accepted as
// something shorter.
func TestParseRequestTruncated(t *testing.T) {
	doc := strings.TrimSpace(string(readGolden(t, "request_multicall")))
	for i := range len(doc) {
		_, _, err := ParseRequest(strings.NewReader(doc[:i]))
		require.ErrorIs(t, err, ErrMalformed, "prefix of %d bytes: %q", i, doc[:i])
	}
	_, _, err := ParseRequest(strings.NewReader(doc))
	require.NoError(t, err)
}

func TestParseRequestBodyLimit(t *testing.T) {
	doc := readGolden(t, "request_multicall")
	lr := &io.LimitedReader{R: bytes.NewReader(doc), N: int64(len(doc) / 2)}
	_, _, err := ParseRequest(lr)
	assert.ErrorIs(t, err, ErrMalformed)
	assert.Zero(t, lr.N, "the caller can tell the limit was reached")
}

func TestParseRequestTooManyValues(t *testing.T) {
	in := call("<value><array><data>" + strings.Repeat("<value/>", 11) + "</data></array></value>")
	p := newParser(strings.NewReader(in))
	p.maxValues = 11
	_, _, err := p.request()
	assert.ErrorIs(t, err, ErrMalformed)
	assert.ErrorContains(t, err, "more than 11 values")

	p = newParser(strings.NewReader(in))
	p.maxValues = 12
	_, params, err := p.request()
	require.NoError(t, err)
	assert.Len(t, params[0], 11)
}

func TestParseReadError(t *testing.T) {
	boom := errors.New("connection reset")
	doc := readGolden(t, "request_multicall")
	r := io.MultiReader(bytes.NewReader(doc[:100]), iotest.ErrReader(boom))
	_, _, err := ParseRequest(r)
	assert.ErrorIs(t, err, boom)
	assert.NotErrorIs(t, err, ErrMalformed, "not the client's fault")

	_, err = ParseResponse(io.MultiReader(strings.NewReader("<methodResponse>"), iotest.ErrReader(boom)))
	assert.ErrorIs(t, err, boom)
	assert.NotErrorIs(t, err, ErrMalformed)

	// One byte at a time, and with data and EOF together, parsing works.
	_, params, err := ParseRequest(iotest.OneByteReader(bytes.NewReader(doc)))
	require.NoError(t, err)
	assert.Len(t, params, 1)
	_, _, err = ParseRequest(iotest.DataErrReader(bytes.NewReader(doc)))
	require.NoError(t, err)
}

func TestParseResponseErrors(t *testing.T) {
	resp := func(body string) string { return decl + "<methodResponse>" + body + "</methodResponse>" }
	tests := []struct {
		name, in, msg string
	}{
		{"empty", "", "empty document"},
		{"wrong root", "<methodCall><methodName>m</methodName></methodCall>", "expected root element <methodResponse>"},
		{"no params", resp(""), "expected <params> or <fault>"},
		{"zero params", resp("<params></params>"), "exactly one parameter, not 0"},
		{"two params", resp("<params><param><value>1</value></param><param><value>2</value></param></params>"), "exactly one parameter, not 2"},
		{"params and fault", resp("<params><param><value>1</value></param></params><fault/>"), "unexpected <fault> after the response"},
		{"fault not a struct", resp("<fault><value>oops</value></fault>"), "a fault must be a struct"},
		{"fault missing string", resp("<fault><value><struct><member><name>faultCode</name><value><int>1</int></value></member></struct></value></fault>"), "a fault must be a struct"},
		{"fault code a string", resp("<fault><value><struct><member><name>faultCode</name><value>1</value></member>" +
			"<member><name>faultString</name><value>x</value></member></struct></value></fault>"), "a fault must be a struct"},
		{"fault two values", resp("<fault><value><struct></struct></value><value/></fault>"), "a fault must be a struct"},
		{"truncated", resp("<params><param><value><string>abc")[:60], "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ParseResponse(strings.NewReader(tt.in))
			assert.Nil(t, v)
			assert.ErrorIs(t, err, ErrMalformed)
			assert.ErrorContains(t, err, tt.msg)
			var f *Fault
			assert.False(t, errors.As(err, &f), "not a fault")
		})
	}
}

func TestParseErrorLine(t *testing.T) {
	_, _, err := ParseRequest(strings.NewReader("<methodCall>\n<methodName>m</methodName>\n<params>\n<param>\n<value><foo/></value>"))
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 5, pe.Line)
	assert.Equal(t, "xmlrpc: line 5: unknown value type <foo>", err.Error())
}
