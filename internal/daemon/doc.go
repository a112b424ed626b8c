// Package daemon is gosupervisord: supervisord's command line, start-up
// order, signals, pidfile, main log and reload, around a supervisor.Supervisor
// and the XML-RPC API of internal/rpcapi. examples/gosupervisord is its main.
package daemon
