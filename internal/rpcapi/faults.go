package rpcapi

import (
	"context"
	"errors"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// fault returns supervisord's fault for code with a detail: "NAME: detail".
// The detail is kept even when empty ("BAD_NAME: "), as supervisord does
// for a name given as "".
func fault(code int, detail string) *xmlrpc.Fault {
	return &xmlrpc.Fault{Code: code, String: xmlrpc.FaultName(code) + ": " + detail}
}

// bareFault returns the fault for code without a detail: "NAME".
func bareFault(code int) *xmlrpc.Fault {
	return &xmlrpc.Fault{Code: code, String: xmlrpc.FaultName(code)}
}

// errorFaults maps the supervisor package's errors to supervisord's faults,
// in the order they are tried (a *SpawnError is matched before the
// sentinels it wraps). named says whether supervisord's text is "NAME:
// <name>", with the name the client gave, or "NAME" alone.
var errorFaults = []struct {
	err   error
	code  int
	named bool
}{
	{supervisor.ErrBadName, xmlrpc.FaultBadName, true},
	{supervisor.ErrAlreadyStarted, xmlrpc.FaultAlreadyStarted, true},
	{supervisor.ErrNotRunning, xmlrpc.FaultNotRunning, true},
	{supervisor.ErrSpawn, xmlrpc.FaultSpawnError, true},
	{supervisor.ErrAbnormalTermination, xmlrpc.FaultAbnormalTermination, true},
	{supervisor.ErrStillRunning, xmlrpc.FaultStillRunning, true},
	{supervisor.ErrAlreadyAdded, xmlrpc.FaultAlreadyAdded, true},
	{supervisor.ErrShutdown, xmlrpc.FaultShutdownState, false},
	{supervisor.ErrBadArguments, xmlrpc.FaultBadArguments, false},
	{supervisor.ErrNoFile, xmlrpc.FaultNoFile, true},
	{supervisor.ErrNotExecutable, xmlrpc.FaultNotExecutable, true},
}

// FaultFor turns an error of the supervisor package about name (as the
// client wrote it) into supervisord's fault.
//
// A command that cannot be run (NO_FILE, NOT_EXECUTABLE) carries
// supervisord's explanation ("can't find command 'x'") rather than the
// name; FAILED carries the error's own text.
func FaultFor(err error, name string) *xmlrpc.Fault {
	var f *xmlrpc.Fault
	if errors.As(err, &f) {
		return f
	}
	var se *supervisor.SpawnError
	if errors.As(err, &se) && !errors.Is(se.Kind, supervisor.ErrSpawn) {
		return fault(faultCodeOf(se.Kind), se.Msg)
	}
	for _, e := range errorFaults {
		if errors.Is(err, e.err) {
			if e.named {
				return fault(e.code, name)
			}
			return bareFault(e.code)
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fault(xmlrpc.FaultFailed, name+": "+err.Error())
	}
	return fault(xmlrpc.FaultFailed, err.Error())
}

func faultCodeOf(kind error) int {
	if errors.Is(kind, supervisor.ErrNoFile) {
		return xmlrpc.FaultNoFile
	}
	return xmlrpc.FaultNotExecutable
}
