package xmlrpc

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type state int

type named []byte

type withTags struct {
	Name    string `xmlrpc:"name"`
	Skipped string `xmlrpc:"-"`
	Plain   int
	private int
	State   state          `xmlrpc:"state"`
	Ptr     *int           `xmlrpc:"ptr"`
	Extra   map[string]int `xmlrpc:"extra"`
}

// Every value goes through a request and a response and comes back as the
// decoder's type for it.
func TestRoundTrip(t *testing.T) {
	seven := 7
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		v    any
		want any // nil means v
	}{
		{"int", 42, nil},
		{"int max", math.MaxInt32, nil},
		{"int min", math.MinInt32, nil},
		{"int64", int64(-5), -5},
		{"int32", int32(5), 5},
		{"int8", int8(-8), -8},
		{"uint16", uint16(65535), 65535},
		{"uint32 max that fits", uint32(math.MaxInt32), math.MaxInt32},
		{"named int", state(20), 20},
		{"true", true, nil},
		{"false", false, nil},
		{"string", "hello, world", nil},
		{"empty string", "", nil},
		{"markup", "<b>&amp;</b> >", nil},
		{"quotes", `"'`, nil},
		{"unicode", "日本語 ✓ 😀 é", nil},
		{"newlines and tabs", "a\n\tb\n", nil},
		{"carriage return survives", "progress 10%\rprogress 20%\r\n", nil},
		{"float64", 3.25, nil},
		{"float64 tiny", 5e-324, nil},
		{"float64 inf", math.Inf(-1), nil},
		{"float32", float32(0.5), 0.5},
		{"time", time.Date(2026, 11, 24, 0, 48, 12, 0, time.UTC), nil},
		{"time keeps its wall clock", time.Date(2026, 11, 24, 1, 48, 12, 999, paris),
			time.Date(2026, 11, 24, 1, 48, 12, 0, time.UTC)},
		{"bytes", []byte("\x00\x01binary\xff"), nil},
		{"bytes empty", []byte{}, nil},
		{"bytes 1000", bytes.Repeat([]byte("0123456789"), 100), nil},
		{"named bytes", named("abc"), []byte("abc")},
		{"byte array", [3]byte{1, 2, 3}, []byte{1, 2, 3}},
		{"array", []any{1, "two", 3.0, true}, nil},
		{"array empty", []any{}, nil},
		{"array nil", []any(nil), []any{}},
		{"strings", []string{"a", "b"}, []any{"a", "b"}},
		{"ints", []int{1, 2}, []any{1, 2}},
		{"go array", [2]string{"x", "y"}, []any{"x", "y"}},
		{"nested arrays", []any{[]any{[]any{}}, []any{1}}, nil},
		{"struct", map[string]any{"a": 1, "b": "x", "c": []any{map[string]any{}}}, nil},
		{"struct empty", map[string]any{}, nil},
		{"struct nil", map[string]any(nil), map[string]any{}},
		{"structs", []map[string]any{{"a": 1}, {"b": 2}}, []any{map[string]any{"a": 1}, map[string]any{"b": 2}}},
		{"map of strings", map[string]string{"k": "v"}, map[string]any{"k": "v"}},
		{"member names escaped", map[string]any{"<&>": 1}, nil},
		{"go struct", withTags{Name: "n", Skipped: "s", Plain: 3, State: 10, Ptr: &seven, Extra: map[string]int{"e": 1}},
			map[string]any{"name": "n", "Plain": 3, "state": 10, "ptr": 7, "extra": map[string]any{"e": 1}}},
		{"pointer to go struct", &struct{ A int }{1}, map[string]any{"A": 1}},
		{"fault value", NewFault(FaultFailed, "boom"), map[string]any{"faultCode": 30, "faultString": "FAILED: boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want == nil {
				want = tt.v
			}
			var buf bytes.Buffer
			require.NoError(t, EncodeRequest(&buf, "test.echo", tt.v, "after"))
			method, params, err := ParseRequest(&buf)
			require.NoError(t, err)
			assert.Equal(t, "test.echo", method)
			assert.Equal(t, []any{want, "after"}, params)

			if _, isFault := tt.v.(*Fault); isFault {
				return // a response of a Fault is a fault response, tested elsewhere
			}
			buf.Reset()
			require.NoError(t, WriteResponse(&buf, tt.v))
			got, err := ParseResponse(&buf)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestRoundTripNaN(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteResponse(&buf, math.NaN()))
	assert.Contains(t, buf.String(), "<double>nan</double>")
	got, err := ParseResponse(&buf)
	require.NoError(t, err)
	assert.True(t, math.IsNaN(got.(float64)))
}

func TestEncodeRefuses(t *testing.T) {
	type node struct{ Next *node }
	loop := &node{}
	loop.Next = loop
	var nilPtr *int
	tests := []struct {
		name string
		v    any
		msg  string
	}{
		{"nil", nil, "nil (XML-RPC has no null)"},
		{"int64 above 32 bits", int64(math.MaxInt32 + 1), "integer 2147483648 does not fit in 32 bits"},
		{"int64 below 32 bits", int64(math.MinInt32 - 1), "integer -2147483649 does not fit in 32 bits"},
		{"int above 32 bits", 1 << 40, "does not fit in 32 bits"},
		{"uint64 max", uint64(math.MaxUint64), "integer 18446744073709551615 does not fit in 32 bits"},
		{"uint32 max", uint32(math.MaxUint32), "does not fit in 32 bits"},
		{"named int too big", state(math.MaxInt32 + 1), "does not fit in 32 bits"},
		{"nil in array", []any{1, nil}, "nil"},
		{"overflow in struct", map[string]any{"now": int64(1) << 33}, "does not fit in 32 bits"},
		{"nil pointer", nilPtr, "nil *int"},
		{"nil fault", (*Fault)(nil), "nil *Fault"},
		{"channel", make(chan int), "unsupported type chan int"},
		{"func", func() {}, "unsupported type func()"},
		{"complex", 1i, "unsupported type complex128"},
		{"int keys", map[int]string{1: "a"}, "map[int]string (struct member names must be strings)"},
		{"pointer cycle", loop, "nested deeper than 64"},
		{"too deep", deepArray(MaxDepth + 1), "nested deeper than 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteResponse(&buf, tt.v)
			assert.ErrorIs(t, err, ErrUnencodable)
			assert.ErrorContains(t, err, tt.msg)
			assert.Zero(t, buf.Len(), "nothing written")

			err = EncodeRequest(&buf, "m", "ok", tt.v)
			assert.ErrorIs(t, err, ErrUnencodable)
			assert.Zero(t, buf.Len(), "nothing written")
		})
	}
	var buf bytes.Buffer
	require.NoError(t, WriteResponse(&buf, deepArray(MaxDepth)), "the deepest value the decoder takes")
	_, err := ParseResponse(&buf)
	require.NoError(t, err)

	assert.ErrorIs(t, EncodeRequest(&buf, ""), ErrUnencodable, "empty method name")
}

func deepArray(n int) any {
	var v any = "leaf"
	for range n {
		v = []any{v}
	}
	return v
}

// Where Python would write a document no parser accepts, the encoder writes
// one that parses.
func TestEncodeSanitizes(t *testing.T) {
	tests := []struct {
		in, xml, decoded string
	}{
		{"plain", "plain", "plain"},
		{"a<b>&c", "a&lt;b&gt;&amp;c", "a<b>&c"},
		{"\"'", "\"'", "\"'"},
		{"cr\r\n", "cr&#13;\n", "cr\r\n"},
		{"\x1b[31mred\x1b[0m", "\uFFFD[31mred\uFFFD[0m", "\uFFFD[31mred\uFFFD[0m"},
		{"nul\x00", "nul\uFFFD", "nul\uFFFD"},
		{"bad utf-8 \xff\xfe.", "bad utf-8 \uFFFD\uFFFD.", "bad utf-8 \uFFFD\uFFFD."},
		{"truncated \xe6\x97", "truncated \uFFFD\uFFFD", "truncated \uFFFD\uFFFD"},
		{"noncharacter \uFFFE\uFFFF", "noncharacter \uFFFD\uFFFD", "noncharacter \uFFFD\uFFFD"},
		{"tab\tdel\x7f", "tab\tdel\x7f", "tab\tdel\x7f"},
		{"astral 😀", "astral 😀", "astral 😀"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		require.NoError(t, WriteResponse(&buf, tt.in))
		assert.Contains(t, buf.String(), "<string>"+tt.xml+"</string>", "%q", tt.in)
		got, err := ParseResponse(&buf)
		require.NoError(t, err, "%q", tt.in)
		assert.Equal(t, tt.decoded, got, "%q", tt.in)
	}
}

// appendPyFloat must agree with Python's repr(float); the expectations were
// printed by Python 3.11.
func TestPyFloat(t *testing.T) {
	tenth := 0.1
	tests := []struct {
		f    float64
		want string
	}{
		{0.0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1.0, "1.0"},
		{0.1, "0.1"},
		{-2.5, "-2.5"},
		{123.0, "123.0"},
		{100.5, "100.5"},
		{0.00015, "0.00015"},
		{0.00314159, "0.00314159"},
		{0.0001, "0.0001"},
		{1e-05, "1e-05"},
		{2.5e-05, "2.5e-05"},
		{1e-10, "1e-10"},
		{-1e-10, "-1e-10"},
		{1e15, "1000000000000000.0"},
		{1e16, "1e+16"},
		{1e22, "1e+22"},
		{1e100, "1e+100"},
		{9999999999999998.0, "9999999999999998.0"},
		{12345678901234567.0, "1.2345678901234568e+16"},
		{1.5e-07, "1.5e-07"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{123456.789, "123456.789"},
		{tenth + 0.2, "0.30000000000000004"}, // not a constant: Go's would be exact
		{1.0 / 3, "0.3333333333333333"},
		{1 << 53, "9007199254740992.0"},
		{-(1 << 63), "-9.223372036854776e+18"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(appendPyFloat(nil, tt.f)), "%v", tt.f)
	}
}

func TestFault(t *testing.T) {
	f := NewFault(FaultBadName, "foo")
	assert.Equal(t, &Fault{Code: 10, String: "BAD_NAME: foo"}, f)
	assert.Equal(t, "xmlrpc fault 10: BAD_NAME: foo", f.Error())
	assert.Equal(t, "SUCCESS", NewFault(FaultSuccess, "").String)
	assert.Equal(t, "custom", NewFault(1000, "custom").String)
	assert.Equal(t, "CANT_REREAD", FaultName(FaultCantReread))
	assert.Empty(t, FaultName(5))
}

// benchInfos is what getAllProcessInfo returns for 500 processes.
func benchInfos() ([]procInfo, []any) {
	structs := make([]procInfo, 500)
	maps := make([]any, 500)
	for i := range structs {
		name := fmt.Sprintf("worker_%03d", i)
		structs[i] = info(name, "workers", 10000+i, 20, "RUNNING", "pid 1234, uptime 1 day, 2:03:04")
		maps[i] = structs[i].asMap()
	}
	return structs, maps
}

func BenchmarkWriteResponseAllProcessInfo(b *testing.B) {
	structs, maps := benchInfos()
	for _, bc := range []struct {
		name string
		v    any
	}{{"structs", structs}, {"maps", maps}} {
		b.Run(bc.name, func(b *testing.B) {
			var buf bytes.Buffer
			require.NoError(b, WriteResponse(&buf, bc.v))
			b.SetBytes(int64(buf.Len()))
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := WriteResponse(&buf, bc.v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseResponseAllProcessInfo(b *testing.B) {
	structs, _ := benchInfos()
	var buf bytes.Buffer
	require.NoError(b, WriteResponse(&buf, structs))
	doc := buf.Bytes()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseResponse(bytes.NewReader(doc)); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenchmarkDocument(t *testing.T) {
	structs, maps := benchInfos()
	var a, b bytes.Buffer
	require.NoError(t, WriteResponse(&a, structs))
	require.NoError(t, WriteResponse(&b, maps))
	assert.Equal(t, 14*500, strings.Count(a.String(), "<member>"))
	assert.Equal(t, a.Len(), b.Len(), "same members, other order")
}

func TestAppendResponse(t *testing.T) {
	structs, _ := benchInfos()
	var want bytes.Buffer
	require.NoError(t, WriteResponse(&want, structs))
	got, err := AppendResponse([]byte("prefix"), structs)
	require.NoError(t, err)
	assert.Equal(t, "prefix"+want.String(), string(got))

	// Pointers, interfaces and named types reached by reflection encode as
	// the values they hold.
	type named []procInfo
	var boxed []any
	for i := range structs[:3] {
		boxed = append(boxed, &structs[i])
	}
	want.Reset()
	require.NoError(t, WriteResponse(&want, structs[:3]))
	for _, v := range []any{named(structs[:3]), boxed, &boxed} {
		got, err := AppendResponse(nil, v)
		require.NoError(t, err)
		assert.Equal(t, want.String(), string(got), "%T", v)
	}

	dst := []byte("prefix")
	got, err = AppendResponse(dst, []any{1, nil})
	assert.ErrorIs(t, err, ErrUnencodable)
	assert.Equal(t, "prefix", string(got), "dst unchanged")

	got, err = AppendFault(nil, FaultBadName, "BAD_NAME: x")
	require.NoError(t, err)
	want.Reset()
	require.NoError(t, WriteFault(&want, FaultBadName, "BAD_NAME: x"))
	assert.Equal(t, want.String(), string(got))
}
