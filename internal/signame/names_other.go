//go:build unix && !linux

package signame

import "syscall"

// signalNames maps this system's signal numbers to their names, as Python's
// signal module has them here: the POSIX signals, by the system's numbers
// (macOS and the BSDs number many of them differently from Linux, and have
// no SIGRTMIN, SIGPOLL or SIGPWR).
var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP: "SIGHUP", syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT",
	syscall.SIGILL: "SIGILL", syscall.SIGTRAP: "SIGTRAP", syscall.SIGABRT: "SIGABRT",
	syscall.SIGBUS: "SIGBUS", syscall.SIGFPE: "SIGFPE", syscall.SIGKILL: "SIGKILL",
	syscall.SIGUSR1: "SIGUSR1", syscall.SIGSEGV: "SIGSEGV", syscall.SIGUSR2: "SIGUSR2",
	syscall.SIGPIPE: "SIGPIPE", syscall.SIGALRM: "SIGALRM", syscall.SIGTERM: "SIGTERM",
	syscall.SIGCHLD: "SIGCHLD", syscall.SIGCONT: "SIGCONT", syscall.SIGSTOP: "SIGSTOP",
	syscall.SIGTSTP: "SIGTSTP", syscall.SIGTTIN: "SIGTTIN", syscall.SIGTTOU: "SIGTTOU",
	syscall.SIGURG: "SIGURG", syscall.SIGXCPU: "SIGXCPU", syscall.SIGXFSZ: "SIGXFSZ",
	syscall.SIGVTALRM: "SIGVTALRM", syscall.SIGPROF: "SIGPROF", syscall.SIGWINCH: "SIGWINCH",
	syscall.SIGIO: "SIGIO", syscall.SIGSYS: "SIGSYS",
}

// signalAliases are the other names Python's signal module accepts: SIGIOT,
// the handler constants (SIG_DFL, SIG_IGN) and sigprocmask's flags, with the
// BSD values.
var signalAliases = map[string]syscall.Signal{
	"SIGIOT":  syscall.SIGABRT,
	"SIG_DFL": 0, "SIG_IGN": 1, "SIG_BLOCK": 1, "SIG_UNBLOCK": 2, "SIG_SETMASK": 3,
}
