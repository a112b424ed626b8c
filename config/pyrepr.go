package config

import "github.com/supervise-go/supervisor/internal/pyrepr"

// pyRepr quotes like Python's repr(), as supervisord's messages do.
func pyRepr(s string) string { return pyrepr.Repr(s) }

// pyIsSpace is Python's str.isspace for one character.
func pyIsSpace(r rune) bool { return pyrepr.IsSpace(r) }

// pyStrip is Python's str.strip() with no argument.
func pyStrip(s string) string { return pyrepr.Strip(s) }

// parseDigits parses an integer with Python's rules (see pyrepr.ParseDigits).
func parseDigits(s string, base int, prefixOK bool) (int64, bool) {
	return pyrepr.ParseDigits(s, base, prefixOK)
}
