package signame

import (
	"syscall"
	"testing"
)

// The signal names are read by this system's numbers, which differ between
// Linux, macOS and the BSDs (SIGUSR1 is 10 on Linux, 30 on macOS).
func TestSignalNumbersAreTheSystems(t *testing.T) {
	for name, sig := range map[string]syscall.Signal{
		"HUP": syscall.SIGHUP, "INT": syscall.SIGINT, "QUIT": syscall.SIGQUIT,
		"KILL": syscall.SIGKILL, "USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2,
		"TERM": syscall.SIGTERM, "CHLD": syscall.SIGCHLD, "CONT": syscall.SIGCONT,
		"STOP": syscall.SIGSTOP, "TSTP": syscall.SIGTSTP, "WINCH": syscall.SIGWINCH,
		"BUS": syscall.SIGBUS, "SYS": syscall.SIGSYS, "URG": syscall.SIGURG,
	} {
		got, err := Parse(name)
		if err != nil || got != sig {
			t.Errorf("Parse(%q) = %d, %v; want %d", name, got, err, sig)
		}
		if n := Name(sig); n != "SIG"+name {
			t.Errorf("Name(%d) = %q, want SIG%s", sig, n, name)
		}
	}
}
