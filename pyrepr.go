package supervisor

import "github.com/supervise-go/supervisor/internal/pyrepr"

// pyRepr and pyASCII quote like Python's repr() and ascii(), as
// supervisord's messages do.
func pyRepr(s string) string  { return pyrepr.Repr(s) }
func pyASCII(s string) string { return pyrepr.ASCII(s) }
