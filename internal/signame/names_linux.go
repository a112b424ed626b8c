package signame

import "syscall"

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
