package shlex

import (
	"errors"
	"strings"
)

// The errors Split returns, with the texts of Python's shlex, which
// supervisord embeds in its own messages ("can't parse command 'x': No
// closing quotation").
var (
	// ErrNoClosingQuote: a ' or " is not closed.
	ErrNoClosingQuote = errors.New("No closing quotation")
	// ErrNoEscapedChar: the input ends with a lone backslash.
	ErrNoEscapedChar = errors.New("No escaped character")
)

// Split returns the words of s. Quotes and backslashes are removed; an empty
// quoted string (” or "") is an empty word. A blank s has no words.
//
//	Split(`/bin/sh -c "echo 'hi there'" a\ b`) // ["/bin/sh" "-c" "echo 'hi there'" "a b"]
func Split(s string) ([]string, error) {
	var (
		words  []string
		word   strings.Builder
		inWord bool // a word has begun, even if it is still empty ("")
	)
	for i := 0; i < len(s); i++ {
		// Every character with a meaning is ASCII, so walking bytes keeps
		// UTF-8 sequences intact.
		c := s[i]
		switch c {
		case ' ', '\t', '\r', '\n':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case '\\':
			i++
			if i == len(s) {
				return nil, ErrNoEscapedChar
			}
			word.WriteByte(s[i])
			inWord = true
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, ErrNoClosingQuote
			}
			word.WriteString(s[i+1 : i+1+end])
			i += 1 + end
			inWord = true
		case '"':
			inWord = true
			for i++; ; i++ {
				if i == len(s) {
					return nil, ErrNoClosingQuote
				}
				if s[i] == '"' {
					break
				}
				if s[i] == '\\' {
					if i+1 == len(s) {
						return nil, ErrNoEscapedChar
					}
					if s[i+1] == '"' || s[i+1] == '\\' {
						i++
					}
				}
				word.WriteByte(s[i])
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}
