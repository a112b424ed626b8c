// Package web is the daemon's web UI: supervisord's status page at
// http://host:9001/, with its URLs, parameters, messages and redirects, made
// live, filterable and usable on a phone and from the keyboard.
//
// New returns one http.Handler for every path the daemon does not keep for
// itself (/RPC2, /logtail/, /mainlogtail). It does no authentication: the
// daemon mounts it behind the same basic auth as /RPC2, which then guards
// the JSON endpoints and the event stream too. Templates, script, style sheet
// and icon are embedded; the page loads nothing from elsewhere.
//
// # Pages and endpoints
//
//	GET  /, /index.html     the status page: one row per process, grouped by
//	                        group, with its state, description and actions
//	GET  /?message=TEXT     the same, showing TEXT in the message banner
//	GET  /tail.html?processname=NS[&limit=N][&channel=stderr]
//	                        the last max(1024, N) bytes of the process's stdout
//	                        log (stderr: an extension), then followed live
//	GET  /ok.html           "OK", for probes
//	POST /index.html        an action from a form (below); 301 as for GET
//	GET  /api/processes     the status as JSON: the fields of supervisord's
//	                        getProcessInfo per process, plus namespec, the
//	                        actions its state allows and its tail URL
//	GET  /api/events        the same JSON as server-sent events ("processes"),
//	                        at once and after every change
//	GET  /api/tail?processname=NS[&channel=stderr][&offset=O][&limit=L]
//	                        the log's bytes after O (without O: its last L
//	                        bytes, default 64 KiB) and the offset to resume at
//	POST /api/action        an action; answers {"ok": bool, "message": text}
//	GET  /static/...        script, style sheet, icon
//
// Every other path is 404 (supervisord's own stylesheets and images are not
// served).
//
// # Actions
//
// An action takes supervisord's parameters, processname (a namespec as
// "group:name", or "name" for a process alone in its group) and action:
//
//	start, stop, restart, clearlog   one process
//	refresh, stopall, restartall     everything (refresh does nothing)
//
// and, as an extension, group=G with action start, stop or restart for
// every process of group G. The action runs to completion, waiting like the
// XML-RPC methods do (a start waits for RUNNING), even if the client leaves.
// The index.html forms and supervisord's links are then answered as
// supervisord answers them: 301 with
//
//	Location: http://<Host>/?message=<message quoted as Python's urllib.parse.quote>
//
// where the message is supervisord's, e.g. "Process NS stopped", "ERROR:
// Process NS: spawn error", "unexpected rpc fault [70] NOT_RUNNING: NS", "No
// such process named NS", "All stopped at Tue Nov 24 00:49:05 2026". An
// unknown action, or one missing its processname, is a client error, 400
// (supervisord answers 500). The 301 carries Cache-Control: no-store so
// that a browser never answers the next click on the same link from its
// cache.
//
// /api/action takes the same form and answers JSON instead: 200 when done,
// 404 for an unknown process or group, 409 when the action was refused or
// failed, 503 while the daemon shuts down, 400 for an unknown action. Its
// message is supervisord's, except where supervisord hides a failure: a
// restart whose start failed, or processes that stopall or restartall could
// not handle, are reported.
//
// # Legacy GET actions and cross-site requests
//
// supervisord performs actions on a plain GET of
// index.html?processname=X&action=Y, and so does this package by default, so
// that bookmarks and scripts (curl, monitoring) written for supervisord keep
// working. The page itself never uses them: its buttons post forms, which its
// script sends to /api/action.
//
// Because a browser sends saved basic-auth credentials with any request to
// the server, another site could otherwise act through a logged-in browser.
// So:
//
//   - POSTs (to index.html and /api/action) go through
//     http.CrossOriginProtection: a browser request from another origin
//     (Sec-Fetch-Site, else Origin) is refused with 403. Clients that send
//     neither header, such as scripts, are not browsers and are let through.
//     WithTrustedOrigin admits another origin, e.g. behind a reverse proxy
//     that changes Host.
//   - A GET that performs an action is refused with 403 when the browser says
//     it comes from another site (Sec-Fetch-Site other than same-origin or
//     none, or, without that header, a Referer from another host). A
//     bookmark, a typed URL, a link on the page and non-browser clients work.
//   - WithoutLegacyActions refuses every action by GET (405), for those who
//     need no compatibility. action=refresh, which changes nothing, is always
//     allowed.
//
// # Injection
//
// Process names may hold any character but space, ':' and '/', so "<img
// src=x onerror=...>" with tabs is a valid name, and logs hold anything.
// Pages are rendered with html/template; the scripts build nodes with
// textContent and attributes, never HTML strings; JSON escapes <, > and &.
// Every response carries a Content-Security-Policy that allows only this
// server's own script and style (no inline script or style, no eval), no
// framing (frame-ancestors 'none', X-Frame-Options: DENY) and forms posting
// only back here, plus X-Content-Type-Options: nosniff.
//
// # Live updates
//
// The page keeps its table current from /api/events. Each stream subscribes
// to the supervisor's events with a small buffer (supervisor.Subscribe),
// which drops the oldest events rather than wait: a client that stops reading
// never holds supervision up, and since each message is a complete snapshot
// nothing is lost but intermediate states. Snapshots go out at most every
// 100 ms, and at least every 25 s as a keep-alive. Each write has a 30 s
// deadline, so a stalled client is dropped; the handler returns when the
// client leaves or the supervisor stops serving. Behind a ResponseWriter that
// cannot flush, the stream sends one snapshot and ends, and the browser's
// EventSource reconnection turns it into polling every 2 s; without
// EventSource, the page polls /api/processes. The uptime in descriptions
// ticks in the browser between snapshots. Without JavaScript the page still
// works as supervisord's did: forms, redirects and reloads.
//
// The tail page polls /api/tail every second while following (and while the
// tab is visible), appending only new bytes; after a rotation or a clear it
// marks the break and starts over at the new file's end. Text never splits a
// UTF-8 character between polls.
package web
