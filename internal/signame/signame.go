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

// Name returns supervisord's name for sig (SIGTERM; on Linux SIGPOLL
// for 29, SIGRTMIN for 34), or "signal N" for one it has no name for.
func Name(sig syscall.Signal) string {
	if n, ok := signalNames[sig]; ok {
		return n
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// Parse reads a signal as supervisord's signal_number does, for a
// config's stopsignal as for signalProcess: a number as Python's int()
// reads it, or a name with or without the SIG prefix, in any case; spaces
// around either are ignored. It must be one of the system's signals (on
// Linux SIGRTMIN and SIGRTMAX too) or 0. Errors match ErrBadSignal and their
// text is supervisord's.
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
