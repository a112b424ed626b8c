package web

import "syscall"

// browserProcAttr puts the browser in its own process group, with SIGKILL as
// its parent-death signal.
func browserProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
