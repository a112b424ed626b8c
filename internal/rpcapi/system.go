package rpcapi

import (
	"context"
	"slices"

	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

func (a *API) listMethods(context.Context, params) (any, error) {
	return slices.Clone(a.names), nil
}

// described returns the method that system.methodHelp and methodSignature
// are asked about, or SIGNATURE_UNSUPPORTED.
func (a *API) described(p params) (*method, error) {
	name, err := p.str(0)
	if err != nil {
		return nil, err
	}
	m := a.lookup(name)
	if m == nil {
		return nil, bareFault(xmlrpc.FaultSignatureUnsupported)
	}
	return m, nil
}

func (a *API) methodHelp(_ context.Context, p params) (any, error) {
	m, err := a.described(p)
	if err != nil {
		return nil, err
	}
	return m.help, nil
}

func (a *API) methodSignature(_ context.Context, p params) (any, error) {
	m, err := a.described(p)
	if err != nil {
		return nil, err
	}
	return slices.Clone(m.sig), nil
}

// multicall runs each call in order, each one after the previous has
// finished (a start that waits holds up the calls after it, as in
// supervisord). A call's result is its bare value, or the fault as a
// {faultCode, faultString} struct; a malformed entry fails alone.
func (a *API) multicall(ctx context.Context, p params) (any, error) {
	calls, ok := p[0].([]any)
	if !ok {
		return nil, errIncorrect
	}
	out := make([]any, 0, len(calls))
	for _, c := range calls {
		v, err := a.oneOfMany(ctx, c)
		if err != nil {
			out = append(out, *asFault(err))
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

func (a *API) oneOfMany(ctx context.Context, c any) (any, error) {
	call, ok := c.(map[string]any)
	if !ok {
		return nil, errIncorrect
	}
	name, ok := call["methodName"].(string)
	if !ok {
		return nil, fault(xmlrpc.FaultIncorrectParameters, "No methodName")
	}
	if name == "system.multicall" {
		return nil, fault(xmlrpc.FaultIncorrectParameters, "Recursive system.multicall forbidden")
	}
	var args []any
	if raw, present := call["params"]; present {
		if args, ok = raw.([]any); !ok {
			return nil, errIncorrect
		}
	}
	return a.Call(ctx, name, args)
}
