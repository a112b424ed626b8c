// Package rpcapi is supervisord's XML-RPC interface (the supervisor.* and
// system.* methods) over a supervisor.Supervisor, and the HTTP handlers that
// serve it: /RPC2, /logtail and /mainlogtail, with supervisord's basic
// authentication. The daemon gives it a Backend.
//
// # Methods
//
// API.Call dispatches the 41 methods of supervisord 4.2.5's default
// interface, aliases included, with its fault codes and texts (spec 6):
// BAD_NAME: foo for an unknown name, INCORRECT_PARAMETERS for a wrong
// number or type of parameters, SHUTDOWN_STATE for every supervisor.*
// method but sendRemoteCommEvent once the Backend is shutting down, and so
// on. The supervisor package's errors become faults in one table
// (faults.go). Structs are written with supervisord's member order, so a
// response is byte for byte what supervisord sends. Names are read as
// supervisord reads them: "group:process", "group:*" or "group:" for a
// whole group (which startProcess, stopProcess and signalProcess hand to
// their group variants), and "name" for the process of that name in the
// group of that name; "all" is only a name.
//
// # HTTP
//
// API.Handler serves one [inet_http_server] or [unix_http_server] section,
// NewServer wraps it in an http.Server with timeouts that keep slow clients
// from pinning the daemon, and ListenInet and ListenUnix open the sockets
// with supervisord's rules (socket mode and owner, stale socket removal,
// its "Another program is already listening" error). Everything that is
// not XML-RPC or a log tail goes to HandlerOptions.Fallback, the web UI,
// behind the same authentication.
//
// # What it is not
//
// It reads no configuration and runs nothing itself: Backend.Reread
// re-reads the configuration, Backend.Shutdown and Restart act on the
// daemon, and everything about processes goes to the Supervisor. Event
// listeners and the web UI live elsewhere.
package rpcapi
