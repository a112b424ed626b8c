package pyrepr

import (
	"math"
	"strings"
	"unicode"
)

// IsSpace is Python's str.isspace for one character: Go's unicode.IsSpace
// plus the information separators U+001C..U+001F, which Python counts as
// whitespace (and so strips from config lines and values).
func IsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// Strip is Python's str.strip() with no argument.
func Strip(s string) string { return strings.TrimFunc(s, IsSpace) }

// ParseDigits parses [sign][0o]digits with Python's underscore rules; the
// 0o prefix is allowed only when prefixOK. Overflowing int64 fails.
func ParseDigits(s string, base int, prefixOK bool) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	afterPrefix := false
	if prefixOK && len(s) >= 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O') {
		s = s[2:]
		afterPrefix = true
	}
	if s == "" {
		return 0, false
	}
	var n int64
	prevDigit := afterPrefix // "0o_7" is valid, "_7" is not
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			if !prevDigit {
				return 0, false
			}
			prevDigit = false
			continue
		}
		d := int64(c) - '0'
		if c < '0' || c > '9' || d >= int64(base) {
			return 0, false
		}
		if n > (math.MaxInt64-d)/int64(base) {
			return 0, false
		}
		n = n*int64(base) + d
		prevDigit = true
		digits++
	}
	if !prevDigit || digits == 0 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}
