package rpcapi

import (
	"math"
	"time"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// The structs below are written member by member in field order, which is
// the order supervisord builds its dicts in (Python keeps insertion order),
// so responses match supervisord's byte for byte.

// stateInfo is getState's answer.
type stateInfo struct {
	Code int    `xmlrpc:"statecode"`
	Name string `xmlrpc:"statename"`
}

// processInfo is getProcessInfo's answer (spec 6.3).
type processInfo struct {
	Name          string `xmlrpc:"name"`
	Group         string `xmlrpc:"group"`
	Start         int    `xmlrpc:"start"`
	Stop          int    `xmlrpc:"stop"`
	Now           int    `xmlrpc:"now"`
	State         int    `xmlrpc:"state"`
	StateName     string `xmlrpc:"statename"`
	SpawnErr      string `xmlrpc:"spawnerr"`
	ExitStatus    int    `xmlrpc:"exitstatus"`
	Logfile       string `xmlrpc:"logfile"` // stdout_logfile, under its old name
	StdoutLogfile string `xmlrpc:"stdout_logfile"`
	StderrLogfile string `xmlrpc:"stderr_logfile"`
	Pid           int    `xmlrpc:"pid"`
	Description   string `xmlrpc:"description"`
}

func newProcessInfo(i supervisor.ProcessInfo) processInfo {
	return processInfo{
		Name:          i.Name,
		Group:         i.Group,
		Start:         epoch(i.Start),
		Stop:          epoch(i.Stop),
		Now:           epoch(i.Now),
		State:         int(i.State),
		StateName:     i.State.String(),
		SpawnErr:      i.SpawnErr,
		ExitStatus:    i.ExitStatus,
		Logfile:       i.StdoutLogfile,
		StdoutLogfile: i.StdoutLogfile,
		StderrLogfile: i.StderrLogfile,
		Pid:           i.Pid,
		Description:   i.Description(),
	}
}

// result is one entry of the array that the group and "all" methods
// answer: status 80 and "OK" on success, else the fault's code and text.
type result struct {
	Name        string `xmlrpc:"name"`
	Group       string `xmlrpc:"group"`
	Status      int    `xmlrpc:"status"`
	Description string `xmlrpc:"description"`
}

func okResult(name, group string) result {
	return result{Name: name, Group: group, Status: xmlrpc.FaultSuccess, Description: "OK"}
}

func faultResult(name, group string, f *xmlrpc.Fault) result {
	return result{Name: name, Group: group, Status: f.Code, Description: f.String}
}

// epoch returns t in whole seconds since 1970, 0 for the zero time, capped
// to 32 bits (XML-RPC's int) as supervisord caps it.
func epoch(t time.Time) int {
	if t.IsZero() {
		return 0
	}
	return capInt(t.Unix())
}

// capInt clamps n to XML-RPC's 32-bit int.
func capInt(n int64) int {
	return int(max(math.MinInt32, min(math.MaxInt32, n)))
}
