package xmlrpc

import "strconv"

// A Fault is an XML-RPC fault: the error answer to a call. ParseResponse
// returns one as its error; WriteResponse given a Fault writes a fault
// response. Nested inside another value (a system.multicall result), a Fault
// is written as the struct {faultCode, faultString}.
type Fault struct {
	Code   int    // one of the Fault* constants for supervisord
	String string // "NAME" or "NAME: detail", e.g. "BAD_NAME: foo"
}

// Error returns e.g. "xmlrpc fault 10: BAD_NAME: foo".
func (f *Fault) Error() string {
	return "xmlrpc fault " + strconv.Itoa(f.Code) + ": " + f.String
}

// Fault codes used by supervisord (supervisor/xmlrpc.py). FaultSuccess is not
// a fault: it is the status of a successful entry in the result array of the
// "all" and "group" methods.
const (
	FaultUnknownMethod        = 1
	FaultIncorrectParameters  = 2
	FaultBadArguments         = 3
	FaultSignatureUnsupported = 4
	FaultShutdownState        = 6
	FaultBadName              = 10
	FaultBadSignal            = 11
	FaultNoFile               = 20
	FaultNotExecutable        = 21
	FaultFailed               = 30
	FaultAbnormalTermination  = 40
	FaultSpawnError           = 50
	FaultAlreadyStarted       = 60
	FaultNotRunning           = 70
	FaultSuccess              = 80
	FaultAlreadyAdded         = 90
	FaultStillRunning         = 91
	FaultCantReread           = 92
)

var faultNames = map[int]string{
	FaultUnknownMethod:        "UNKNOWN_METHOD",
	FaultIncorrectParameters:  "INCORRECT_PARAMETERS",
	FaultBadArguments:         "BAD_ARGUMENTS",
	FaultSignatureUnsupported: "SIGNATURE_UNSUPPORTED",
	FaultShutdownState:        "SHUTDOWN_STATE",
	FaultBadName:              "BAD_NAME",
	FaultBadSignal:            "BAD_SIGNAL",
	FaultNoFile:               "NO_FILE",
	FaultNotExecutable:        "NOT_EXECUTABLE",
	FaultFailed:               "FAILED",
	FaultAbnormalTermination:  "ABNORMAL_TERMINATION",
	FaultSpawnError:           "SPAWN_ERROR",
	FaultAlreadyStarted:       "ALREADY_STARTED",
	FaultNotRunning:           "NOT_RUNNING",
	FaultSuccess:              "SUCCESS",
	FaultAlreadyAdded:         "ALREADY_ADDED",
	FaultStillRunning:         "STILL_RUNNING",
	FaultCantReread:           "CANT_REREAD",
}

// FaultName returns supervisord's name for a fault code, such as "BAD_NAME"
// for 10, or "" for a code supervisord does not use.
func FaultName(code int) string { return faultNames[code] }

// NewFault returns the fault supervisord sends for code: its String is the
// code's name, followed by ": " and detail when detail is not empty
// (NewFault(FaultBadName, "foo") is "BAD_NAME: foo"). For a code without a
// name, String is detail alone.
func NewFault(code int, detail string) *Fault {
	s := FaultName(code)
	switch {
	case s == "":
		s = detail
	case detail != "":
		s += ": " + detail
	}
	return &Fault{Code: code, String: s}
}
