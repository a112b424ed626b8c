// Package rpcapi is supervisord's XML-RPC interface (the supervisor.* and
// system.* methods) over a supervisor.Supervisor, and the HTTP handlers that
// serve it: /RPC2, /logtail and /mainlogtail, with supervisord's basic
// authentication. The daemon gives it a Backend.
package rpcapi
