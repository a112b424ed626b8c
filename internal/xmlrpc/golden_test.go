package xmlrpc

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The files in testdata/golden were written by Python's xmlrpc.client
// (testdata/golden/gen.py); these tests pin the codec to them byte for byte.

// procInfo is getProcessInfo's struct, its fields in supervisord's order so
// that it encodes exactly as Python's dict does.
type procInfo struct {
	Name          string `xmlrpc:"name"`
	Group         string `xmlrpc:"group"`
	Start         int64  `xmlrpc:"start"`
	Stop          int64  `xmlrpc:"stop"`
	Now           int64  `xmlrpc:"now"`
	State         int    `xmlrpc:"state"`
	StateName     string `xmlrpc:"statename"`
	SpawnErr      string `xmlrpc:"spawnerr"`
	ExitStatus    int    `xmlrpc:"exitstatus"`
	LogFile       string `xmlrpc:"logfile"`
	StdoutLogFile string `xmlrpc:"stdout_logfile"`
	StderrLogFile string `xmlrpc:"stderr_logfile"`
	PID           int    `xmlrpc:"pid"`
	Description   string `xmlrpc:"description"`
}

func (p procInfo) asMap() map[string]any {
	return map[string]any{
		"name": p.Name, "group": p.Group, "start": int(p.Start), "stop": int(p.Stop),
		"now": int(p.Now), "state": p.State, "statename": p.StateName,
		"spawnerr": p.SpawnErr, "exitstatus": p.ExitStatus, "logfile": p.LogFile,
		"stdout_logfile": p.StdoutLogFile, "stderr_logfile": p.StderrLogFile,
		"pid": p.PID, "description": p.Description,
	}
}

func info(name, group string, pid, state int, statename, description string) procInfo {
	return procInfo{
		Name: name, Group: group, Start: 1795481292, Now: 1795481297,
		State: state, StateName: statename, LogFile: "/var/log/" + name + ".log",
		StdoutLogFile: "/var/log/" + name + ".log", PID: pid, Description: description,
	}
}

var (
	webInfo    = info("web", "web", 4242, 20, "RUNNING", "pid 4242, uptime 0:00:05")
	workerInfo = info("worker_00", "workers", 0, 0, "STOPPED", "Not started")
	allBytes   = func() []byte {
		b := make([]byte, 256)
		for i := range b {
			b[i] = byte(i)
		}
		return b
	}()
)

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name+".xml"))
	require.NoError(t, err)
	return b
}

func TestGoldenResponses(t *testing.T) {
	tests := []struct {
		name string
		v    any // what the server encodes
		want any // what the client decodes; nil means v itself
	}{
		{"struct_array", map[string]any{"a": 1, "b": []any{true, "s"}}, nil},
		{"string_escape", "a<b>&c\"'\n\tz", nil},
		{"unicode", "héllo ✓ 日本 😀", nil},
		{"bool_false", false, nil},
		{"ints", []int64{0, 1, -1, math.MaxInt32, math.MinInt32}, []any{0, 1, -1, math.MaxInt32, math.MinInt32}},
		{"doubles", []float64{1.0, 0.1, -2.5, 1e16, 9999999999999998.0, 1e15, 1e-05,
			0.0001, math.Copysign(0, -1), 1.5e-07, 5e-324, math.MaxFloat64,
			123456.789, 12345678901234567.0, math.Inf(1), math.Inf(-1)},
			[]any{1.0, 0.1, -2.5, 1e16, 9999999999999998.0, 1e15, 1e-05,
				0.0001, math.Copysign(0, -1), 1.5e-07, 5e-324, math.MaxFloat64,
				123456.789, 12345678901234567.0, math.Inf(1), math.Inf(-1)}},
		{"empty_containers", []any{[]any{}, map[string]any{}, ""}, nil},
		{"datetime", time.Date(2026, 11, 24, 0, 48, 12, 0, time.UTC), nil},
		{"base64_empty", []byte{}, nil},
		{"base64_long", allBytes, nil},
		{"state", map[string]any{"statecode": 1, "statename": "RUNNING"}, nil},
		{"process_info", webInfo, webInfo.asMap()},
		{"all_process_info", []procInfo{webInfo, workerInfo}, []any{webInfo.asMap(), workerInfo.asMap()}},
		{"tail", []any{"line one\nline <two> & three\n", 48, false}, nil},
		{"multicall_result",
			[]any{map[string]any{"statecode": 1, "statename": "RUNNING"}, NewFault(FaultBadName, "nosuch"), true},
			[]any{map[string]any{"statecode": 1, "statename": "RUNNING"},
				map[string]any{"faultCode": 10, "faultString": "BAD_NAME: nosuch"}, true}},
		{"reload_config", [][][]string{{{"new"}, {"changed"}, {}}},
			[]any{[]any{[]any{"new"}, []any{"changed"}, []any{}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden := readGolden(t, "response_"+tt.name)
			var buf bytes.Buffer
			require.NoError(t, WriteResponse(&buf, tt.v))
			assert.Equal(t, string(golden), buf.String())

			got, err := ParseResponse(bytes.NewReader(golden))
			require.NoError(t, err)
			want := tt.want
			if want == nil {
				want = tt.v
			}
			assert.Equal(t, want, got)
		})
	}
}

func TestGoldenFaults(t *testing.T) {
	tests := []struct {
		name string
		f    *Fault
	}{
		{"fault_bad_name", NewFault(FaultBadName, "x")},
		{"fault_escape", NewFault(FaultIncorrectParameters, "<a & b>")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden := readGolden(t, "response_"+tt.name)
			var buf bytes.Buffer
			require.NoError(t, WriteFault(&buf, tt.f.Code, tt.f.String))
			assert.Equal(t, string(golden), buf.String())
			buf.Reset()
			require.NoError(t, WriteResponse(&buf, tt.f), "WriteResponse of a *Fault")
			assert.Equal(t, string(golden), buf.String())
			buf.Reset()
			require.NoError(t, WriteResponse(&buf, *tt.f), "WriteResponse of a Fault")
			assert.Equal(t, string(golden), buf.String())

			v, err := ParseResponse(bytes.NewReader(golden))
			assert.Nil(t, v)
			assert.Equal(t, tt.f, err)
		})
	}
}

func TestGoldenRequests(t *testing.T) {
	type orderedStruct struct { // Python's dict order, which a map cannot keep
		K     []any          `xmlrpc:"k"`
		Empty map[string]any `xmlrpc:"empty"`
	}
	type call struct {
		MethodName string `xmlrpc:"methodName"`
		Params     []any  `xmlrpc:"params"`
	}
	tests := []struct {
		name   string
		method string
		params []any // what the client encodes
		want   []any // what the server decodes; nil means params
	}{
		{"no_params", "supervisor.getAllProcessInfo", nil, []any{}},
		{"start", "supervisor.startProcess", []any{"web", true}, nil},
		{"readlog", "supervisor.readProcessStdoutLog", []any{"web", -1600, 0}, nil},
		{"stdin", "supervisor.sendProcessStdin", []any{"web", "héllo <&>\n"}, nil},
		{"struct_array", "test.echo",
			[]any{"x", orderedStruct{K: []any{1, 2, map[string]any{"n": "v"}}, Empty: map[string]any{}},
				[]any{true, 1.5, "a&b", []any{}}},
			[]any{"x", map[string]any{"k": []any{1, 2, map[string]any{"n": "v"}}, "empty": map[string]any{}},
				[]any{true, 1.5, "a&b", []any{}}}},
		{"other_types", "test.echo",
			[]any{time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC), []byte("\x00\xff binary"), -0.5}, nil},
		{"multicall", "system.multicall",
			[]any{[]call{
				{"supervisor.getState", []any{}},
				{"supervisor.startProcess", []any{"web", false}},
				{"supervisor.getProcessInfo", []any{"web"}},
			}},
			[]any{[]any{
				map[string]any{"methodName": "supervisor.getState", "params": []any{}},
				map[string]any{"methodName": "supervisor.startProcess", "params": []any{"web", false}},
				map[string]any{"methodName": "supervisor.getProcessInfo", "params": []any{"web"}},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden := readGolden(t, "request_"+tt.name)
			var buf bytes.Buffer
			require.NoError(t, EncodeRequest(&buf, tt.method, tt.params...))
			assert.Equal(t, string(golden), buf.String())

			method, params, err := ParseRequest(bytes.NewReader(golden))
			require.NoError(t, err)
			assert.Equal(t, tt.method, method)
			want := tt.want
			if want == nil {
				want = tt.params
			}
			assert.Equal(t, want, params)
		})
	}
}
