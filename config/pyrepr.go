package config

import (
	"strings"
	"unicode"

	"github.com/supervise-go/supervisor/internal/pyrepr"
)

// pyRepr quotes like Python's repr(), as supervisord's messages do.
func pyRepr(s string) string { return pyrepr.Repr(s) }

// pyIsSpace is Python's str.isspace for one character: Go's unicode.IsSpace
// plus the information separators U+001C..U+001F, which Python counts as
// whitespace (and so strips from config lines and values).
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyStrip is Python's str.strip() with no argument.
func pyStrip(s string) string { return strings.TrimFunc(s, pyIsSpace) }
