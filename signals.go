package supervisor

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// signalNames maps Linux signal numbers to supervisord's names (spec 3.4:
// SIGPOLL rather than SIGIO, SIGCHLD, SIGABRT, SIGRTMIN for 34).
var signalNames = map[syscall.Signal]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT",
	7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2",
	13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD",
	18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU",
	23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ", 26: "SIGVTALRM", 27: "SIGPROF",
	28: "SIGWINCH", 29: "SIGPOLL", 30: "SIGPWR", 31: "SIGSYS", 34: "SIGRTMIN", 64: "SIGRTMAX",
}

// signalAliases are the other names Python's signal module accepts.
var signalAliases = map[string]syscall.Signal{
	"SIGIOT": 6, "SIGCLD": 17, "SIGIO": 29,
}

// signalName returns supervisord's name for sig, or "signal N".
func signalName(sig syscall.Signal) string {
	if n, ok := signalNames[sig]; ok {
		return n
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// ParseSignal reads a signal as supervisord does: a number, or a name with
// or without the SIG prefix, in any case, surrounding spaces ignored. Errors
// match ErrBadSignal and carry supervisord's texts.
func ParseSignal(s string) (syscall.Signal, error) {
	t := strings.TrimSpace(s)
	if n, err := strconv.Atoi(t); err == nil {
		sig := syscall.Signal(n)
		if _, ok := signalNames[sig]; ok || n == 0 || (n > 34 && n < 64) {
			return sig, nil
		}
		return 0, fmt.Errorf("%w: value %s is not a valid signal number", ErrBadSignal, pyRepr(s))
	}
	name := strings.ToUpper(t)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig, ok := signalAliases[name]; ok {
		return sig, nil
	}
	for sig, n := range signalNames {
		if n == name {
			return sig, nil
		}
	}
	return 0, fmt.Errorf("%w: value %s is not a valid signal name", ErrBadSignal, pyRepr(s))
}
