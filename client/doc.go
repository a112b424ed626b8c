// Package client controls a supervisord, or gosupervisord, over its
// XML-RPC interface: the calls supervisorctl makes, as typed Go methods.
//
// A Client is made for a server URL in supervisorctl's serverurl forms,
// "http://host:port" for an [inet_http_server] or "unix:///path" for a
// [unix_http_server], with HTTP Basic credentials when the server asks for
// them:
//
//	c, err := client.Dial(ctx, "unix:///var/run/supervisor.sock",
//		client.WithAuth("admin", "secret"))
//	...
//	infos, err := c.AllProcessInfo(ctx)
//	for _, p := range infos {
//		fmt.Println(p.Namespec(), p.State, p.Description)
//	}
//
// Every method takes a context, which bounds the whole exchange. A method
// that supervisord answers with true returns only an error. Errors are:
//
//   - *Fault, when supervisord refused the call ("BAD_NAME: web"); test its
//     Code against the Fault* constants, or use IsFault;
//   - *HTTPError, for a status other than 200 (errors.Is(err,
//     ErrUnauthorized) for a 401);
//   - *NetError, when the server could not be reached or the connection
//     broke (errors.Is(err, syscall.ECONNREFUSED) and the like see through
//     it);
//   - an error describing an answer of the wrong shape.
//
// Log files are read with ReadProcessStdoutLog and friends, or followed live
// with Tail, which streams the /logtail/ pages supervisorctl tail -f uses.
// Call reaches any other method by name.
//
// The package is a client only. It does not parse supervisord.conf (the
// serverurl, username and password of [supervisorctl] are the caller's to
// find), and it does not retry: supervisorctl's own behaviour on top of it
// lives in examples/gosupervisorctl.
package client
