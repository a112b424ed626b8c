// Package signame names and parses signals as supervisord does: SIGTERM,
// TERM, 15; its refusals (real-time signals, unknown names) and their
// texts.
package signame

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/supervise-go/supervisor/internal/pyrepr"
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

// signalAliases are the other names Python's signal module accepts,
// handler constants (SIG_DFL, SIG_IGN) and sigprocmask's flags included:
// supervisord takes any SIG attribute of the module for a signal.
var signalAliases = map[string]syscall.Signal{
	"SIGIOT": 6, "SIGCLD": 17, "SIGIO": 29,
	"SIG_DFL": 0, "SIG_IGN": 1, "SIG_BLOCK": 0, "SIG_UNBLOCK": 1, "SIG_SETMASK": 2,
}

// SignalName returns supervisord's name for sig (SIGTERM, SIGPOLL for 29,
// SIGRTMIN for 34), or "signal N" for one it has no name for.
func Name(sig syscall.Signal) string {
	if n, ok := signalNames[sig]; ok {
		return n
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// ParseSignal reads a signal as supervisord's signal_number does, for a
// config's stopsignal as for signalProcess: a number as Python's int()
// reads it, or a name with or without the SIG prefix, in any case; spaces
// around either are ignored. It must be one of Linux's signals, 0, SIGRTMIN
// or SIGRTMAX. Errors match ErrBadSignal and their text is supervisord's.
func Parse(s string) (syscall.Signal, error) {
	t := pyrepr.Strip(s)
	n, isNumber := pyrepr.ParseDigits(t, 10, false)
	if !isNumber {
		name := strings.ToUpper(t)
		if !strings.HasPrefix(name, "SIG") {
			name = "SIG" + name
		}
		sig, ok := signalByName(name)
		if !ok {
			return 0, badSignalError(fmt.Sprintf("value %s is not a valid signal name", pyrepr.Repr(s)))
		}
		n = int64(sig)
	}
	if _, known := signalNames[syscall.Signal(n)]; !known && n != 0 {
		return 0, badSignalError(fmt.Sprintf("value %s is not a valid signal number", pyrepr.Repr(s)))
	}
	return syscall.Signal(n), nil
}

// signalByName looks a SIG-prefixed upper-case name up.
func signalByName(name string) (syscall.Signal, bool) {
	if sig, ok := signalAliases[name]; ok {
		return sig, true
	}
	for sig, n := range signalNames {
		if n == name {
			return sig, true
		}
	}
	return 0, false
}

// badSignalError is ParseSignal's error: supervisord's text, matching
// ErrBadSignal.
type badSignalError string

func (e badSignalError) Error() string { return string(e) }

// Unwrap lets errors.Is match ErrBadSignal.
func (e badSignalError) Unwrap() error { return ErrBadSignal }

// ErrBadSignal matches every error of Parse. The supervisor package
// exports the same value as its ErrBadSignal.
var ErrBadSignal = errors.New("bad signal")
