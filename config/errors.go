package config

import (
	"fmt"
	"strings"
)

// Error is why a config could not be loaded. Msg is exactly the text
// supervisord 4.2.5 prints after "Error: " for the same mistake (so a daemon
// can reproduce its output and tools that parse it keep working); the other
// fields locate the mistake where supervisord's text does not.
type Error struct {
	// File is the config file the offending text is in: the path as given to
	// Load, or the path of an included file.
	File string
	// Line is the 1-based line of the offending key (or of the section
	// header, for errors about a whole section); 0 when unknown, e.g. for a
	// default value.
	Line int
	// Section is the section name without brackets ("program:web"), empty
	// for errors about the whole file.
	Section string
	// Key is the offending key, empty for errors about a section or file.
	Key string
	// Msg is supervisord's message.
	Msg string
}

// Error returns the location followed by supervisord's message:
//
//	supervisord.conf:12: [program:web] stopsignal: value 'FOO' is not a valid signal name
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Section != "" {
		fmt.Fprintf(&b, "[%s] ", e.Section)
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}
