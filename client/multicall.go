package client

import (
	"context"
	"fmt"
)

// A MethodCall is one call in a Multicall batch.
type MethodCall struct {
	Method string
	Params []any
}

// A MulticallResult is the outcome of one call of a batch: its decoded
// value (as Call returns it), or its fault.
type MulticallResult struct {
	Value any
	Err   *Fault // nil on success
}

// Multicall runs several calls in one request, in order (system.multicall).
// A call that fails does not stop the others: its result carries the
// fault. The error is for the batch as a whole (network, HTTP, a malformed
// answer).
func (c *Client) Multicall(ctx context.Context, calls ...MethodCall) ([]MulticallResult, error) {
	batch := make([]any, len(calls))
	for i, mc := range calls {
		params := mc.Params
		if params == nil {
			params = []any{}
		}
		batch[i] = map[string]any{"methodName": mc.Method, "params": params}
	}
	v, err := c.Call(ctx, "system.multicall", batch)
	if err != nil {
		return nil, err
	}
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("client: system.multicall: want an array, got %s", typeName(v))
	}
	if len(a) != len(calls) {
		return nil, fmt.Errorf("client: system.multicall: %d calls, %d results", len(calls), len(a))
	}
	out := make([]MulticallResult, len(a))
	for i, e := range a {
		out[i] = multicallResult(e)
	}
	return out, nil
}

// multicallResult tells a fault struct from a value. supervisord sends a
// success as the bare value, not wrapped in a one-element array as the
// XML-RPC multicall convention has it; Value is what the server sent.
func multicallResult(e any) MulticallResult {
	if m, ok := e.(map[string]any); ok && len(m) == 2 {
		code, ok1 := m["faultCode"].(int)
		s, ok2 := m["faultString"].(string)
		if ok1 && ok2 {
			return MulticallResult{Err: &Fault{Code: code, String: s}}
		}
	}
	return MulticallResult{Value: e}
}
