package shlex

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expected words were checked against Python 3.11's shlex.split.
func TestShlexSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" \t\r\n ", nil},
		{"/bin/cat", []string{"/bin/cat"}},
		{`/bin/echo "hello world"`, []string{"/bin/echo", "hello world"}},
		{`'a b'c`, []string{"a bc"}},
		{`a\ b`, []string{"a b"}},
		{`"a\"b"`, []string{`a"b`}},
		{`"/bin/echo foo_00 "`, []string{"/bin/echo foo_00 "}},
		{"/bin/echo first\nsecond\nthird", []string{"/bin/echo", "first", "second", "third"}},
		{"  a \t b\r\nc  ", []string{"a", "b", "c"}},
		{`a''b "" ''`, []string{"ab", "", ""}},
		{`''`, []string{""}},
		// Single quotes keep everything, backslashes included.
		{`'a\b\'`, []string{`a\b\`}},
		{`'say "hi"'`, []string{`say "hi"`}},
		// In double quotes only \" and \\ are escapes; other backslashes
		// stay, $ and newline included (unlike sh).
		{`"a\\b"`, []string{`a\b`}},
		{`"a\$b\nc\'"`, []string{`a\$b\nc\'`}},
		{"\"a\\\nb\"", []string{"a\\\nb"}},
		{`"it's"`, []string{"it's"}},
		// Outside quotes a backslash takes the next character literally,
		// a newline too (no line continuation).
		{`\"a\'`, []string{`"a'`}},
		{`a\\b`, []string{`a\b`}},
		{"a\\\nb", []string{"a\nb"}},
		{`\ `, []string{" "}},
		// No comments, expansion or operators.
		{`echo #x $HOME ~ * a;b|c`, []string{"echo", "#x", "$HOME", "~", "*", "a;b|c"}},
		// Vertical tab and form feed are not separators for shlex.
		{"a\vb\fc", []string{"a\vb\fc"}},
		{`héllo "wörld ✓"`, []string{"héllo", "wörld ✓"}},
		{`/bin/sh -c "echo 'hi there'" a\ b`, []string{"/bin/sh", "-c", "echo 'hi there'", "a b"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Split(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestShlexSplitErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
		text string
	}{
		{`/bin/echo "hello`, ErrNoClosingQuote, "No closing quotation"},
		{`'a`, ErrNoClosingQuote, "No closing quotation"},
		{`a "b\"`, ErrNoClosingQuote, "No closing quotation"},
		{`"it's`, ErrNoClosingQuote, "No closing quotation"},
		{`a\`, ErrNoEscapedChar, "No escaped character"},
		{`\`, ErrNoEscapedChar, "No escaped character"},
		{`"a\`, ErrNoEscapedChar, "No escaped character"},
		// A lone backslash inside single quotes is literal; the quote is
		// what is missing.
		{`'a\`, ErrNoClosingQuote, "No closing quotation"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Split(tt.in)
			assert.Nil(t, got)
			assert.True(t, errors.Is(err, tt.want), "err = %v", err)
			assert.EqualError(t, err, tt.text)
		})
	}
}

// quote is the inverse of Split for one word: single quotes, with each '
// written as '\”.
func quote(w string) string {
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

func FuzzShlexSplit(f *testing.F) {
	for _, s := range []string{
		"", `/bin/echo "hello world"`, `'a b'c`, `a\ b`, `"a\"b"`, `"x\$y"`,
		"a\nb", `"unclosed`, `trailing\`, `'' ""`, "é \t\r x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := Split(s)
		if err != nil {
			return
		}
		// Quoting the words and splitting again must give them back.
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = quote(w)
		}
		again, err := Split(strings.Join(quoted, " \n"))
		if err != nil {
			t.Fatalf("re-split of %q: %v", words, err)
		}
		if !slices.Equal(again, words) {
			t.Fatalf("Split(%q) = %q, re-split gives %q", s, words, again)
		}
	})
}
