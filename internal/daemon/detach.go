package daemon

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"github.com/supervise-go/supervisor/config"
)

// detach starts the daemon again as a background process in a new session
// (Go cannot fork a running program safely, so it re-executes itself),
// handing over the listeners already opened. The child changes to
// Directory, applies Umask and has /dev/null as stdin, stdout and stderr.
func (d *Daemon) detach(s *config.Supervisord, listeners []net.Listener) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot find own executable to daemonize: %v", err)
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = append(os.Environ(), envDetached+"="+strconv.Itoa(len(listeners)))
	cmd.Dir = s.Directory
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	for _, l := range listeners {
		f, err := listenerFile(l)
		if err != nil {
			return fmt.Errorf("cannot hand over listener %s: %v", l.Addr(), err)
		}
		defer f.Close()
		cmd.ExtraFiles = append(cmd.ExtraFiles, f)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot daemonize: %v", err)
	}
	return cmd.Process.Release()
}

// becomeDetachedChild finishes detaching in the re-executed child.
func becomeDetachedChild(s *config.Supervisord) {
	syscall.Umask(int(s.Umask))
}
