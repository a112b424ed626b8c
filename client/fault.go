package client

import (
	"errors"
	"strconv"

	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// A Fault is an error answer from supervisord: the method ran (or was looked
// up) and refused, as in "BAD_NAME: web" for an unknown process. Match it with
// errors.As, or test a code with [IsFault].
type Fault struct {
	Code   int    // one of the Fault* constants
	String string // supervisord's text: "NAME" or "NAME: detail", e.g. "BAD_NAME: web"
}

// Error returns e.g. "supervisord fault 10: BAD_NAME: web".
func (f *Fault) Error() string {
	return "supervisord fault " + strconv.Itoa(f.Code) + ": " + f.String
}

// Fault codes of supervisord's XML-RPC interface (supervisor/xmlrpc.py).
// FaultSuccess is not a fault: it is the Status of a successful [Result].
const (
	FaultUnknownMethod        = xmlrpc.FaultUnknownMethod
	FaultIncorrectParameters  = xmlrpc.FaultIncorrectParameters
	FaultBadArguments         = xmlrpc.FaultBadArguments
	FaultSignatureUnsupported = xmlrpc.FaultSignatureUnsupported
	FaultShutdownState        = xmlrpc.FaultShutdownState
	FaultBadName              = xmlrpc.FaultBadName
	FaultBadSignal            = xmlrpc.FaultBadSignal
	FaultNoFile               = xmlrpc.FaultNoFile
	FaultNotExecutable        = xmlrpc.FaultNotExecutable
	FaultFailed               = xmlrpc.FaultFailed
	FaultAbnormalTermination  = xmlrpc.FaultAbnormalTermination
	FaultSpawnError           = xmlrpc.FaultSpawnError
	FaultAlreadyStarted       = xmlrpc.FaultAlreadyStarted
	FaultNotRunning           = xmlrpc.FaultNotRunning
	FaultSuccess              = xmlrpc.FaultSuccess
	FaultAlreadyAdded         = xmlrpc.FaultAlreadyAdded
	FaultStillRunning         = xmlrpc.FaultStillRunning
	FaultCantReread           = xmlrpc.FaultCantReread
)

// FaultName returns supervisord's name for a fault code, such as "BAD_NAME"
// for FaultBadName, or "" for a code supervisord does not use.
func FaultName(code int) string { return xmlrpc.FaultName(code) }

// IsFault reports whether err is, or wraps, a *Fault with the given code.
func IsFault(err error, code int) bool {
	var f *Fault
	return errors.As(err, &f) && f.Code == code
}

// ErrUnauthorized is matched (with errors.Is) by the *HTTPError of a call
// the server refused with 401: no credentials, or wrong ones.
var ErrUnauthorized = errors.New("supervisord requires authentication")

// An HTTPError is an answer other than 200 OK to an XML-RPC call or a log
// tail request, such as 401 for missing credentials or 404 for a log that
// does not exist.
type HTTPError struct {
	StatusCode int    // e.g. 401
	Status     string // e.g. "401 Unauthorized"
	URL        string // what was asked for: the server URL and the path
}

func (e *HTTPError) Error() string {
	return "supervisord answered " + e.Status + " for " + e.URL
}

// Is makes errors.Is(err, ErrUnauthorized) true for a 401.
func (e *HTTPError) Is(target error) bool {
	return target == ErrUnauthorized && e.StatusCode == 401
}

// A VersionError is returned by [Dial] when the server speaks an API version
// other than [APIVersion].
type VersionError struct {
	Version string // what the server reported
}

func (e *VersionError) Error() string {
	return "supervisord speaks API version " + e.Version + ", this client expects " + APIVersion
}

// fromXMLRPC turns the codec's fault into the public one, leaving other
// errors alone.
func fromXMLRPC(err error) error {
	var xf *xmlrpc.Fault
	if errors.As(err, &xf) {
		return &Fault{Code: xf.Code, String: xf.String}
	}
	return err
}
