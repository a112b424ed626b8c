//go:build !unix

package sys

// The supervisor forks, signals process groups and reaps children the unix
// way; there is no Windows or Plan 9 port. This undefined name makes a build
// for such a system fail with a message that says so.
var _ = supervisor_needs_a_unix_system
