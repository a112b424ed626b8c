//go:build !linux

package web

import "syscall"

// browserProcAttr puts the browser in its own process group; there is no
// parent-death signal here, so a browser outlives a killed test binary.
func browserProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
