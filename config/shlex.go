package config

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/supervise-go/supervisor/internal/shlex"
)

// lexer is Python's shlex.shlex in its default non-POSIX mode with the word
// characters supervisord adds for environment= ('/', '.', '+', '-', '(',
// ')', ':'). Only ASCII letters and digits are word characters in this mode:
// "é" is a token of its own. Quotes stay part of their token; '#' skips to
// the end of the line; any other character is a one-character token.
//
// With percent set, a %-format specifier ("%(name)02d", "%%") also counts as
// word characters; that variant tokenizes the raw template of an
// environment= value, before expansion.
type lexer struct {
	s       string
	i       int
	back    []string // pushed-back one-character tokens
	percent bool
}

const shlexWord = "abcdfeghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_/.+-():"

func isWordChar(c rune) bool { return c < 0x80 && strings.ContainsRune(shlexWord, c) }

func isShlexSpace(c rune) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// spec returns the length of a %-specifier at l.s[l.i:], or 0.
func (l *lexer) spec() int {
	if !l.percent || l.i >= len(l.s) || l.s[l.i] != '%' {
		return 0
	}
	rest := l.s[l.i+1:]
	if strings.HasPrefix(rest, "%") {
		return 2
	}
	if !strings.HasPrefix(rest, "(") {
		return 0
	}
	j := strings.IndexByte(rest, ')')
	if j < 0 {
		return 0
	}
	k := j + 1
	for k < len(rest) && strings.IndexByte("#0- +123456789.", rest[k]) >= 0 {
		k++
	}
	if k < len(rest) {
		k++
	}
	return 1 + k
}

// next returns the next token, or "" at the end (Python's eof for
// non-POSIX shlex, which also ends iteration).
func (l *lexer) next() (string, error) {
	if len(l.back) > 0 {
		t := l.back[0]
		l.back = l.back[1:]
		return t, nil
	}
	var tok strings.Builder
	state := ' '
	for {
		if n := l.spec(); n > 0 && (state == ' ' || state == 'a') {
			tok.WriteString(l.s[l.i : l.i+n])
			l.i += n
			state = 'a'
			continue
		}
		if l.i >= len(l.s) {
			if state == '"' || state == '\'' {
				return "", shlex.ErrNoClosingQuote
			}
			return tok.String(), nil
		}
		c, size := utf8.DecodeRuneInString(l.s[l.i:])
		l.i += size
		switch state {
		case ' ':
			switch {
			case isShlexSpace(c):
				continue
			case c == '#':
				l.skipLine()
			case isWordChar(c):
				tok.WriteRune(c)
				state = 'a'
			case c == '"' || c == '\'':
				tok.WriteRune(c)
				state = c
			default:
				return string(c), nil
			}
		case '"', '\'':
			tok.WriteRune(c)
			if c == state {
				return tok.String(), nil
			}
		case 'a':
			switch {
			case isShlexSpace(c):
				return tok.String(), nil
			case c == '#':
				// Non-POSIX shlex drops the rest of the line but keeps
				// building the same word from the next line.
				l.skipLine()
			case isWordChar(c) || c == '"' || c == '\'':
				tok.WriteRune(c)
			default:
				l.back = append(l.back, string(c))
				return tok.String(), nil
			}
		}
	}
}

func (l *lexer) skipLine() {
	if j := strings.IndexByte(l.s[l.i:], '\n'); j >= 0 {
		l.i += j + 1
	} else {
		l.i = len(l.s)
	}
}

func (l *lexer) tokens() ([]string, error) {
	var out []string
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		if t == "" {
			return out, nil
		}
		out = append(out, t)
	}
}

// kvPair is one KEY=value of an environment= setting, in order.
type kvPair struct{ key, value string }

// keyValuePairs is supervisord's dict_of_key_value_pairs: tokens are taken
// four at a time as KEY '=' VALUE separator, whatever the separator is, and
// quotes are trimmed from both ends of VALUE. Later keys replace earlier
// ones.
func keyValuePairs(s string, percent bool) ([]kvPair, error) {
	l := &lexer{s: s, percent: percent}
	toks, err := l.tokens()
	if err != nil {
		return nil, err
	}
	var out []kvPair
	for i := 0; i < len(toks); i += 4 {
		if i+3 > len(toks) || toks[i+1] != "=" {
			return nil, fmt.Errorf("Unexpected end of key/value pairs in value '%s'", s)
		}
		p := kvPair{toks[i], strings.Trim(toks[i+2], `'"`)}
		replaced := false
		for j := range out {
			if out[j].key == p.key {
				out[j].value, replaced = p.value, true
			}
		}
		if !replaced {
			out = append(out, p)
		}
	}
	return out, nil
}
