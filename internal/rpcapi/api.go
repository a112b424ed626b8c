package rpcapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/supervise-go/supervisor/internal/mainlog"
	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// SupervisorVersion is what supervisor.getSupervisorVersion answers: the
// release of supervisord whose API this package reproduces. supervisorctl
// prints it for "version".
const SupervisorVersion = "4.2.5"

// APIVersion is what supervisor.getAPIVersion and getVersion answer.
// supervisorctl refuses to talk to a server that gives another value.
const APIVersion = "3.0"

// API answers supervisord's XML-RPC methods over a Backend. It holds no
// state of its own beyond the method table, and is safe for concurrent use:
// each call goes straight to the Backend and its Supervisor.
type API struct {
	b       Backend
	log     *slog.Logger
	methods map[string]*method
	names   []string // sorted, for system.listMethods
}

// A method is one entry of the dispatch table.
type method struct {
	name string
	// sig is supervisord's signature: the return type, then the
	// parameter types (system.methodSignature).
	sig []string
	// optional is how many trailing parameters may be left out (the wait
	// flag of the start and stop methods).
	optional int
	// anyState: the method works while the supervisor shuts down
	// (sendRemoteCommEvent and system.*); the others then fail with
	// SHUTDOWN_STATE.
	anyState bool
	help     string
	fn       func(a *API, ctx context.Context, args params) (any, error)
}

// New returns the API for b. logger receives supervisord's TRACE lines for
// each call (mainlog.LevelTrace) and the errors of the HTTP layer; nil
// discards them.
func New(b Backend, logger *slog.Logger) *API {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &API{b: b, log: logger, methods: map[string]*method{}}
	for _, m := range methodTable() {
		a.methods[m.name] = m
		a.names = append(a.names, m.name)
	}
	slices.Sort(a.names)
	return a
}

// Methods returns the names of every method, sorted: the answer of
// system.listMethods.
func (a *API) Methods() []string { return slices.Clone(a.names) }

// Call runs one XML-RPC method with the decoded parameters and returns the
// value to send back. Its error is always a *xmlrpc.Fault carrying
// supervisord's fault code and text, e.g. {10, "BAD_NAME: foo"}.
//
// Methods that wait (startProcess, stopProcess... with wait true) return
// when the processes got where they were asked to go or when ctx is done;
// a server passes the request's context, so a client that goes away ends
// the wait (not the start or stop itself).
func (a *API) Call(ctx context.Context, name string, args []any) (any, error) {
	trace := a.log.Enabled(ctx, mainlog.LevelTrace)
	if trace {
		a.log.Log(ctx, mainlog.LevelTrace, "XML-RPC method called: "+name+"()")
	}
	v, err := a.call(ctx, name, args)
	if err != nil {
		f := asFault(err)
		if trace {
			a.log.Log(ctx, mainlog.LevelTrace, fmt.Sprintf("XML-RPC method %s() returned fault: [%d] %s", name, f.Code, f.String))
		}
		return nil, f
	}
	if trace {
		a.log.Log(ctx, mainlog.LevelTrace, "XML-RPC method "+name+"() returned successfully")
	}
	return v, nil
}

// call finds the method, checks the number of parameters and the
// supervisor's state, and runs it.
func (a *API) call(ctx context.Context, name string, args []any) (any, error) {
	m := a.lookup(name)
	if m == nil {
		return nil, bareFault(xmlrpc.FaultUnknownMethod)
	}
	if n, max := len(args), len(m.sig)-1; n > max || n < max-m.optional {
		return nil, bareFault(xmlrpc.FaultIncorrectParameters)
	}
	if !m.anyState && a.b.State() < StateRunning {
		return nil, bareFault(xmlrpc.FaultShutdownState)
	}
	return m.fn(a, ctx, params(args))
}

// lookup returns the method called name, or nil. As in supervisord, a name
// must be exactly "namespace.method" and a method whose name starts with
// '_' is never found.
func (a *API) lookup(name string) *method {
	ns, meth, ok := strings.Cut(name, ".")
	if !ok || ns == "" || strings.Contains(meth, ".") || strings.HasPrefix(meth, "_") {
		return nil
	}
	return a.methods[name]
}

// asFault returns err as a fault: itself if it is one, else FAILED with its
// text (an error no table entry foresaw).
func asFault(err error) *xmlrpc.Fault {
	var f *xmlrpc.Fault
	if errors.As(err, &f) {
		return f
	}
	return fault(xmlrpc.FaultFailed, err.Error())
}
