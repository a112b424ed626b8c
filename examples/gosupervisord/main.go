// Command gosupervisord is a drop-in replacement for supervisord 4.2.5: it
// reads supervisord.conf files unchanged and serves supervisord's XML-RPC
// API, so the real supervisorctl (or gosupervisorctl) drives it.
//
//	gosupervisord -n -c /etc/supervisor/supervisord.conf
package main

import (
	"os"

	"github.com/supervise-go/supervisor/internal/daemon"
)

func main() {
	os.Exit(daemon.Main(os.Args, os.Stdout, os.Stderr))
}
