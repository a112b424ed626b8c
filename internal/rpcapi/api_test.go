package rpcapi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// supervisordSignatures is what supervisord 4.2.5 answers to
// system.methodSignature for each name of system.listMethods, in that order.
var supervisordSignatures = []struct {
	name string
	sig  []string
}{
	{"supervisor.addProcessGroup", []string{"boolean", "string"}},
	{"supervisor.clearAllProcessLogs", []string{"array"}},
	{"supervisor.clearLog", []string{"boolean"}},
	{"supervisor.clearProcessLog", []string{"boolean", "string"}},
	{"supervisor.clearProcessLogs", []string{"boolean", "string"}},
	{"supervisor.getAPIVersion", []string{"string"}},
	{"supervisor.getAllConfigInfo", []string{"array"}},
	{"supervisor.getAllProcessInfo", []string{"array"}},
	{"supervisor.getIdentification", []string{"string"}},
	{"supervisor.getPID", []string{"int"}},
	{"supervisor.getProcessInfo", []string{"struct", "string"}},
	{"supervisor.getState", []string{"struct"}},
	{"supervisor.getSupervisorVersion", []string{"string"}},
	{"supervisor.getVersion", []string{"string"}},
	{"supervisor.readLog", []string{"string", "int", "int"}},
	{"supervisor.readMainLog", []string{"string", "int", "int"}},
	{"supervisor.readProcessLog", []string{"string", "string", "int", "int"}},
	{"supervisor.readProcessStderrLog", []string{"string", "string", "int", "int"}},
	{"supervisor.readProcessStdoutLog", []string{"string", "string", "int", "int"}},
	{"supervisor.reloadConfig", []string{"array"}},
	{"supervisor.removeProcessGroup", []string{"boolean", "string"}},
	{"supervisor.restart", []string{"boolean"}},
	{"supervisor.sendProcessStdin", []string{"boolean", "string", "string"}},
	{"supervisor.sendRemoteCommEvent", []string{"boolean", "string", "string"}},
	{"supervisor.shutdown", []string{"boolean"}},
	{"supervisor.signalAllProcesses", []string{"array", "string"}},
	{"supervisor.signalProcess", []string{"boolean", "string", "string"}},
	{"supervisor.signalProcessGroup", []string{"array", "string", "string"}},
	{"supervisor.startAllProcesses", []string{"array", "boolean"}},
	{"supervisor.startProcess", []string{"boolean", "string", "boolean"}},
	{"supervisor.startProcessGroup", []string{"array", "string", "boolean"}},
	{"supervisor.stopAllProcesses", []string{"array", "boolean"}},
	{"supervisor.stopProcess", []string{"boolean", "string", "boolean"}},
	{"supervisor.stopProcessGroup", []string{"array", "string", "boolean"}},
	{"supervisor.tailProcessLog", []string{"array", "string", "int", "int"}},
	{"supervisor.tailProcessStderrLog", []string{"array", "string", "int", "int"}},
	{"supervisor.tailProcessStdoutLog", []string{"array", "string", "int", "int"}},
	{"system.listMethods", []string{"array"}},
	{"system.methodHelp", []string{"string", "string"}},
	{"system.methodSignature", []string{"array", "string"}},
	{"system.multicall", []string{"array", "array"}},
}

func TestIdentityMethods(t *testing.T) { // check 35
	e := newEnv(t, sleeper("sleeper"))
	assert.Equal(t, "3.0", e.call("supervisor.getAPIVersion"))
	assert.Equal(t, "3.0", e.call("supervisor.getVersion"))
	assert.Equal(t, "4.2.5", e.call("supervisor.getSupervisorVersion"))
	assert.Equal(t, "testid", e.call("supervisor.getIdentification"))
	assert.Equal(t, os.Getpid(), e.call("supervisor.getPID"))
	assert.Equal(t, map[string]any{"statecode": 1, "statename": "RUNNING"}, wire(t, e.call("supervisor.getState")))
}

func TestListMethodsAndSignatures(t *testing.T) { // check 35
	e := newEnv(t)
	var names []any
	for _, m := range supervisordSignatures {
		names = append(names, m.name)
	}
	got := wire(t, e.call("system.listMethods"))
	require.Equal(t, names, got)
	require.Len(t, got, 41)
	for _, m := range supervisordSignatures {
		sig := wire(t, e.call("system.methodSignature", m.name)).([]any)
		var want []any
		for _, s := range m.sig {
			want = append(want, s)
		}
		assert.Equal(t, want, sig, m.name)
		help := e.call("system.methodHelp", m.name).(string)
		assert.NotEmpty(t, help, m.name)
		assert.NotContains(t, help, "\n", m.name)
	}
	for _, name := range []string{"nope", "supervisor.nope", "supervisor._update", "supervisor.getPID.x", ""} {
		assert.Equal(t, &xmlrpc.Fault{Code: 4, String: "SIGNATURE_UNSUPPORTED"}, e.fault("system.methodHelp", name), name)
		assert.Equal(t, &xmlrpc.Fault{Code: 4, String: "SIGNATURE_UNSUPPORTED"}, e.fault("system.methodSignature", name), name)
	}
}

func TestFaults(t *testing.T) { // checks 36 and 37
	e := newEnv(t, sleeper("sleeper"), quick())
	e.waitState("quick", supervisor.Fatal)
	e.waitState("sleeper", supervisor.Running)

	tests := []struct {
		method string
		args   []any
		code   int
		text   string
	}{
		{"supervisor.getProcessInfo", []any{"nope"}, 10, "BAD_NAME: nope"},
		{"supervisor.getProcessInfo", []any{"sleeper:*"}, 10, "BAD_NAME: sleeper:*"},
		{"supervisor.getProcessInfo", []any{"sleeper:"}, 10, "BAD_NAME: sleeper:"},
		{"supervisor.getProcessInfo", []any{"nope:sleeper"}, 10, "BAD_NAME: nope:sleeper"},
		{"supervisor.getProcessInfo", []any{""}, 10, "BAD_NAME: "},
		{"supervisor.stopProcess", []any{"quick"}, 70, "NOT_RUNNING: quick"},
		{"supervisor.startProcess", []any{"sleeper"}, 60, "ALREADY_STARTED: sleeper"},
		{"supervisor.startProcess", []any{"sleeper:sleeper", false}, 60, "ALREADY_STARTED: sleeper:sleeper"},
		{"supervisor.startProcess", []any{"all"}, 10, "BAD_NAME: all"},
		{"supervisor.foo", nil, 1, "UNKNOWN_METHOD"},
		{"foo", nil, 1, "UNKNOWN_METHOD"},
		{"nope.getPID", nil, 1, "UNKNOWN_METHOD"},
		{"supervisor.getPID.real", nil, 1, "UNKNOWN_METHOD"},
		{"supervisor._update", nil, 1, "UNKNOWN_METHOD"},
		{"", nil, 1, "UNKNOWN_METHOD"},
		{"supervisor.getProcessInfo", nil, 2, "INCORRECT_PARAMETERS"},
		{"supervisor.getProcessInfo", []any{"a", "b"}, 2, "INCORRECT_PARAMETERS"},
		{"supervisor.getProcessInfo", []any{5}, 2, "INCORRECT_PARAMETERS"},
		{"supervisor.getPID", []any{1}, 2, "INCORRECT_PARAMETERS"},
		{"supervisor.startProcess", nil, 2, "INCORRECT_PARAMETERS"},
		{"supervisor.startProcess", []any{"a", true, 1}, 2, "INCORRECT_PARAMETERS"},
		{"supervisor.readProcessStdoutLog", []any{"sleeper", "x", 0}, 2, "INCORRECT_PARAMETERS"},
		{"supervisor.readProcessStdoutLog", []any{"sleeper", []any{}, 0}, 2, "INCORRECT_PARAMETERS"},
		{"supervisor.signalProcess", []any{"sleeper", "BOGUS"}, 11, "BAD_SIGNAL: BOGUS"},
		{"supervisor.signalProcess", []any{"nope", "BOGUS"}, 10, "BAD_NAME: nope"},
		{"supervisor.signalProcess", []any{"quick", "CONT"}, 70, "NOT_RUNNING: quick"},
		{"supervisor.signalProcessGroup", []any{"zz", "CONT"}, 10, "BAD_NAME: zz"},
		{"supervisor.signalProcessGroup", []any{"zz", "BOGUS"}, 10, "BAD_NAME: zz"},
		{"supervisor.readProcessStdoutLog", []any{"quick", -10, 5}, 3, "BAD_ARGUMENTS"},
		{"supervisor.readProcessStdoutLog", []any{"quick", 0, -1}, 3, "BAD_ARGUMENTS"},
		{"supervisor.readProcessStdoutLog", []any{"multi", 0, 5}, 10, "BAD_NAME: multi"},
		{"supervisor.readProcessStderrLog", []any{"sleeper:*", 0, 5}, 10, "BAD_NAME: sleeper:*"},
		{"supervisor.tailProcessStdoutLog", []any{"nope", 0, 5}, 10, "BAD_NAME: nope"},
		{"supervisor.clearProcessLogs", []any{"sleeper:*"}, 10, "BAD_NAME: sleeper:*"},
		{"supervisor.clearProcessLogs", []any{"nope"}, 10, "BAD_NAME: nope"},
		{"supervisor.startProcessGroup", []any{"zz"}, 10, "BAD_NAME: zz"},
		{"supervisor.stopProcessGroup", []any{"zz"}, 10, "BAD_NAME: zz"},
		{"supervisor.startProcess", []any{"zz:*"}, 10, "BAD_NAME: zz:*"},
		{"supervisor.stopProcess", []any{"zz:"}, 10, "BAD_NAME: zz:"},
		{"supervisor.signalProcess", []any{"zz:*", "HUP"}, 10, "BAD_NAME: zz:*"},
		{"supervisor.signalProcess", []any{"zz:*", "BOGUS"}, 10, "BAD_NAME: zz:*"},
		{"supervisor.startProcess", []any{""}, 10, "BAD_NAME: "},
		{"supervisor.clearProcessLogs", []any{""}, 10, "BAD_NAME: "},
		{"supervisor.startProcess", []any{"sleeper:zz"}, 10, "BAD_NAME: sleeper:zz"},
		{"supervisor.stopProcess", []any{"nope"}, 10, "BAD_NAME: nope"},
		{"supervisor.sendProcessStdin", []any{"sleeper", 5}, 2, "INCORRECT_PARAMETERS: 5"},
		{"supervisor.sendProcessStdin", []any{"nope", "x"}, 10, "BAD_NAME: nope"},
		{"supervisor.sendProcessStdin", []any{"quick", "x"}, 70, "NOT_RUNNING: quick"},
		{"supervisor.addProcessGroup", []any{"zz"}, 10, "BAD_NAME: zz"},
		{"supervisor.addProcessGroup", []any{"sleeper"}, 90, "ALREADY_ADDED: sleeper"},
		{"supervisor.removeProcessGroup", []any{"zz"}, 10, "BAD_NAME: zz"},
		{"supervisor.removeProcessGroup", []any{"sleeper"}, 91, "STILL_RUNNING: sleeper"},
		{"system.multicall", nil, 2, "INCORRECT_PARAMETERS"},
		{"system.multicall", []any{5}, 2, "INCORRECT_PARAMETERS"},
	}
	for _, tt := range tests {
		f := e.fault(tt.method, tt.args...)
		assert.Equal(t, &xmlrpc.Fault{Code: tt.code, String: tt.text}, f, "%s%v", tt.method, tt.args)
	}
}

func TestMulticall(t *testing.T) { // check 38
	e := newEnv(t, sleeper("sleeper"))
	got := wire(t, e.call("system.multicall", []any{
		map[string]any{"methodName": "supervisor.getPID"},
		map[string]any{"methodName": "supervisor.nope"},
		map[string]any{"methodName": "supervisor.getProcessInfo", "params": []any{"nope"}},
		map[string]any{"methodName": "supervisor.getProcessInfo"},
		map[string]any{"params": []any{}},
		map[string]any{"methodName": 5},
		map[string]any{"methodName": "system.multicall", "params": []any{[]any{}}},
		map[string]any{"methodName": "supervisor.getState", "params": 5},
		5,
		map[string]any{"methodName": "supervisor.getAPIVersion", "params": []any{}},
		map[string]any{"methodName": "supervisor.startProcess", "params": []any{"sleeper"}},
		map[string]any{"methodName": "supervisor.stopProcess", "params": []any{"sleeper"}},
		map[string]any{"methodName": "supervisor.getProcessInfo", "params": []any{"sleeper"}},
	}))
	fault := func(code int, s string) map[string]any { return map[string]any{"faultCode": code, "faultString": s} }
	list := got.([]any)
	require.Len(t, list, 13)
	assert.Equal(t, []any{
		os.Getpid(),
		fault(1, "UNKNOWN_METHOD"),
		fault(10, "BAD_NAME: nope"),
		fault(2, "INCORRECT_PARAMETERS"),
		fault(2, "INCORRECT_PARAMETERS: No methodName"),
		fault(2, "INCORRECT_PARAMETERS: No methodName"),
		fault(2, "INCORRECT_PARAMETERS: Recursive system.multicall forbidden"),
		fault(2, "INCORRECT_PARAMETERS"),
		fault(2, "INCORRECT_PARAMETERS"),
		"3.0",
		fault(60, "ALREADY_STARTED: sleeper"),
		true,
	}, list[:12])
	// The stop waited: the call after it sees the process stopped.
	assert.Equal(t, "STOPPED", list[12].(map[string]any)["statename"])

	assert.Equal(t, []any{}, wire(t, e.call("system.multicall", []any{})))
}

func TestProcessInfo(t *testing.T) { // check 39 and spec 6.3
	e := newEnv(t, sleeper("sleeper"), quick(), grp())
	e.waitState("quick", supervisor.Fatal)
	running := e.waitState("sleeper", supervisor.Running)

	info := wire(t, e.call("supervisor.getProcessInfo", "sleeper")).(map[string]any)
	stdout := e.info("sleeper").StdoutLogfile
	stderr := e.info("sleeper").StderrLogfile
	require.True(t, strings.HasPrefix(filepath.Base(stdout), "sleeper-stdout---testid-"), stdout)
	now := info["now"].(int)
	assert.InDelta(t, time.Now().Unix(), now, 2)
	assert.Equal(t, map[string]any{
		"name": "sleeper", "group": "sleeper",
		"start": int(running.Start.Unix()), "stop": 0, "now": now,
		"state": 20, "statename": "RUNNING", "spawnerr": "", "exitstatus": 0,
		"logfile": stdout, "stdout_logfile": stdout, "stderr_logfile": stderr,
		"pid":         running.Pid,
		"description": running.Description(),
	}, info)
	assert.Regexp(t, `^pid \d+, uptime 0:00:0\d$`, info["description"])

	// supervisord's member order, byte for byte.
	var buf strings.Builder
	require.NoError(t, xmlrpc.WriteResponse(&buf, e.call("supervisor.getProcessInfo", "grp:multi_01")))
	assert.Equal(t, []string{"name", "group", "start", "stop", "now", "state", "statename", "spawnerr",
		"exitstatus", "logfile", "stdout_logfile", "stderr_logfile", "pid", "description"}, memberNames(buf.String()))

	q := wire(t, e.call("supervisor.getProcessInfo", "quick")).(map[string]any)
	assert.Equal(t, "FATAL", q["statename"])
	assert.Equal(t, "Exited too quickly (process log may have details)", q["description"])
	assert.Equal(t, q["description"], q["spawnerr"])
	assert.Equal(t, 0, q["exitstatus"]) // as supervisord says for an exit before startsecs

	m := wire(t, e.call("supervisor.getProcessInfo", "grp:multi_00")).(map[string]any)
	assert.Equal(t, "", m["stdout_logfile"])
	assert.Equal(t, "", m["logfile"])

	all := wire(t, e.call("supervisor.getAllProcessInfo")).([]any)
	var names []string
	for _, p := range all {
		names = append(names, p.(map[string]any)["group"].(string)+":"+p.(map[string]any)["name"].(string))
	}
	assert.Equal(t, []string{"grp:multi_00", "grp:multi_01", "quick:quick", "sleeper:sleeper"}, names)
}

// memberNames lists the struct member names of an encoded response in
// order.
func memberNames(doc string) []string {
	var names []string
	for _, part := range strings.Split(doc, "<name>")[1:] {
		names = append(names, part[:strings.Index(part, "</name>")])
	}
	return names
}

func TestStartStop(t *testing.T) {
	nocmd := testSpec("nocmd", "nosuchcommand_xyz")
	nocmd.NoAutostart = true
	plain := filepath.Join(t.TempDir(), "plain")
	require.NoError(t, os.WriteFile(plain, []byte("x"), 0o644))
	notexec := testSpec("notexec", plain)
	notexec.NoAutostart = true
	slow := sleeper("slow")
	slow.StartSecs = 500 * time.Millisecond
	slow.NoAutostart = true
	e := newEnv(t, sleeper("sleeper"), quick(), grp(), nocmd, notexec, slow)
	e.waitState("sleeper", supervisor.Running)
	e.waitState("quick", supervisor.Fatal)

	assert.Equal(t, true, e.call("supervisor.stopProcess", "sleeper"))
	assert.Equal(t, supervisor.Stopped, e.waitState("sleeper", supervisor.Stopped).State)
	assert.Equal(t, &xmlrpc.Fault{Code: 70, String: "NOT_RUNNING: sleeper"}, e.fault("supervisor.stopProcess", "sleeper"))
	assert.Equal(t, true, e.call("supervisor.startProcess", "sleeper"))
	info := e.info("sleeper")
	assert.Equal(t, supervisor.Running, info.State)

	// wait=true returns once RUNNING, after startsecs.
	begin := time.Now()
	assert.Equal(t, true, e.call("supervisor.startProcess", "slow", true))
	assert.GreaterOrEqual(t, time.Since(begin), 400*time.Millisecond)
	info = e.info("slow")
	assert.Equal(t, supervisor.Running, info.State)
	assert.Equal(t, true, e.call("supervisor.stopProcess", "slow", false))
	e.waitState("slow", supervisor.Stopped)
	assert.Equal(t, true, e.call("supervisor.startProcess", "slow", false))
	info = e.info("slow")
	assert.Equal(t, supervisor.Starting, info.State)

	assert.Equal(t, &xmlrpc.Fault{Code: 50, String: "SPAWN_ERROR: quick"}, e.fault("supervisor.startProcess", "quick"))
	assert.Equal(t, &xmlrpc.Fault{Code: 20, String: "NO_FILE: can't find command 'nosuchcommand_xyz'"}, e.fault("supervisor.startProcess", "nocmd"))
	assert.Equal(t, &xmlrpc.Fault{Code: 21, String: "NOT_EXECUTABLE: command at '" + plain + "' is not executable"}, e.fault("supervisor.startProcess", "notexec"))

	// A group, by startProcess("g:*") or startProcessGroup.
	ok := func(name, group string) map[string]any {
		return map[string]any{"name": name, "group": group, "status": 80, "description": "OK"}
	}
	assert.Equal(t, []any{}, wire(t, e.call("supervisor.startProcess", "grp:*")))
	assert.ElementsMatch(t, []any{ok("multi_00", "grp"), ok("multi_01", "grp")}, wire(t, e.call("supervisor.stopProcess", "grp:*")))
	assert.ElementsMatch(t, []any{ok("multi_00", "grp"), ok("multi_01", "grp")}, wire(t, e.call("supervisor.startProcess", "grp:")))
	assert.ElementsMatch(t, []any{ok("multi_00", "grp"), ok("multi_01", "grp")}, wire(t, e.call("supervisor.stopProcessGroup", "grp")))
	assert.ElementsMatch(t, []any{ok("multi_00", "grp"), ok("multi_01", "grp")}, wire(t, e.call("supervisor.startProcessGroup", "grp", false)))
	e.waitState("grp:multi_00", supervisor.Running)
	e.waitState("grp:multi_01", supervisor.Running)

	// All: the failures are results, not faults.
	all := wire(t, e.call("supervisor.startAllProcesses")).([]any)
	byName := map[string]any{}
	for _, r := range all {
		byName[r.(map[string]any)["name"].(string)] = r
	}
	assert.Equal(t, map[string]any{"name": "nocmd", "group": "nocmd", "status": 20, "description": "NO_FILE: can't find command 'nosuchcommand_xyz'"}, byName["nocmd"])
	assert.Equal(t, map[string]any{"name": "quick", "group": "quick", "status": 50, "description": "SPAWN_ERROR: quick"}, byName["quick"])
	assert.NotContains(t, byName, "sleeper") // already running: left out
	stopped := wire(t, e.call("supervisor.stopAllProcesses")).([]any)
	assert.Contains(t, stopped, ok("sleeper", "sleeper"))
	assert.Contains(t, stopped, ok("multi_00", "grp"))
	for _, p := range e.sup.Processes() {
		assert.True(t, p.State().IsStopped(), "%s is %s", p, p.State())
	}
}

func TestSignal(t *testing.T) {
	e := newEnv(t, sleeper("sleeper"), quick(), grp())
	e.waitState("sleeper", supervisor.Running)
	e.waitState("quick", supervisor.Fatal)
	e.waitState("grp:multi_00", supervisor.Running)
	e.waitState("grp:multi_01", supervisor.Running)

	assert.Equal(t, true, e.call("supervisor.signalProcess", "sleeper", "CONT"))
	assert.Equal(t, true, e.call("supervisor.signalProcess", "sleeper", "18"))
	ok := func(name, group string) map[string]any {
		return map[string]any{"name": name, "group": group, "status": 80, "description": "OK"}
	}
	assert.Equal(t, []any{ok("multi_00", "grp"), ok("multi_01", "grp")}, wire(t, e.call("supervisor.signalProcess", "grp:*", "SIGCONT")))
	assert.Equal(t, []any{ok("multi_00", "grp"), ok("multi_01", "grp")}, wire(t, e.call("supervisor.signalProcessGroup", "grp", "cont")))
	assert.Equal(t, []any{}, wire(t, e.call("supervisor.signalProcessGroup", "quick", "CONT")))
	assert.ElementsMatch(t, []any{ok("multi_00", "grp"), ok("multi_01", "grp"), ok("sleeper", "sleeper")},
		wire(t, e.call("supervisor.signalAllProcesses", "CONT")))

	// A bad signal fails for each signallable process of a group or all.
	bad := func(name, group string) map[string]any {
		return map[string]any{"name": name, "group": group, "status": 11, "description": "BAD_SIGNAL: BOGUS"}
	}
	assert.Equal(t, []any{bad("multi_00", "grp"), bad("multi_01", "grp")}, wire(t, e.call("supervisor.signalProcessGroup", "grp", "BOGUS")))
	assert.Equal(t, []any{bad("multi_00", "grp"), bad("multi_01", "grp"), bad("sleeper", "sleeper")},
		wire(t, e.call("supervisor.signalAllProcesses", "BOGUS")))

	assert.Equal(t, true, e.call("supervisor.signalProcess", "sleeper", "TERM"))
	// sleep dies of SIGTERM: unexpected, so restarted.
	e.waitState("sleeper", supervisor.Running)
}

func TestLogs(t *testing.T) { // check 37 and spec 6.5
	dir := t.TempDir()
	const out48 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJK\n"
	require.Len(t, out48, 48)
	echo := testSpec("echo", `/bin/sh -c "printf '`+out48[:47]+`\\n'; printf err >&2; exec /bin/sleep 1000"`)
	echo.StartSecs = -1
	echo.Stdout.File = filepath.Join(dir, "echo.out")
	echo.Stderr.File = filepath.Join(dir, "echo.err")
	e := newEnv(t, echo, grp(), sleeper("sleeper"))
	e.waitState("echo", supervisor.Running)
	require.Eventually(t, func() bool {
		a, _ := os.ReadFile(echo.Stdout.File)
		b, _ := os.ReadFile(echo.Stderr.File)
		return len(a) == 48 && len(b) == 3
	}, waitLong, 10*time.Millisecond)

	assert.Equal(t, out48, e.call("supervisor.readProcessStdoutLog", "echo", 0, 0))
	assert.Equal(t, out48, e.call("supervisor.readProcessLog", "echo", 0, 0))
	assert.Equal(t, out48[:5], e.call("supervisor.readProcessStdoutLog", "echo", 0, 5))
	assert.Equal(t, out48[38:], e.call("supervisor.readProcessStdoutLog", "echo", -10, 0))
	assert.Equal(t, out48, e.call("supervisor.readProcessStdoutLog", "echo", -1600, 0))
	assert.Equal(t, "", e.call("supervisor.readProcessStdoutLog", "echo", 100, 0))
	assert.Equal(t, "err", e.call("supervisor.readProcessStderrLog", "echo:echo", 0, 0))

	tail := func(method string, args ...any) any { return wire(t, e.call(method, args...)) }
	assert.Equal(t, []any{out48[38:], 48, true}, tail("supervisor.tailProcessStdoutLog", "echo", 0, 10))
	assert.Equal(t, []any{out48, 48, false}, tail("supervisor.tailProcessStdoutLog", "echo", 0, 1000))
	assert.Equal(t, []any{out48[38:], 48, false}, tail("supervisor.tailProcessLog", "echo", 40, 10))
	assert.Equal(t, []any{"", 48, false}, tail("supervisor.tailProcessStdoutLog", "echo", 100, 10))
	assert.Equal(t, []any{"err", 3, false}, tail("supervisor.tailProcessStderrLog", "echo", 0, 100))

	// No log file: NO_FILE for reads, nothing for tails.
	assert.Equal(t, &xmlrpc.Fault{Code: 20, String: "NO_FILE"}, e.fault("supervisor.readProcessStdoutLog", "grp:multi_00", 0, 5))
	assert.Equal(t, []any{"", 0, false}, tail("supervisor.tailProcessStdoutLog", "grp:multi_00", 0, 5))
	assert.Equal(t, "", e.call("supervisor.readProcessStderrLog", "grp:multi_00", 0, 5)) // AUTO, empty

	// A configured file that does not exist.
	require.NoError(t, os.Remove(echo.Stderr.File))
	assert.Equal(t, &xmlrpc.Fault{Code: 20, String: "NO_FILE: " + echo.Stderr.File}, e.fault("supervisor.readProcessStderrLog", "echo", 0, 5))
	assert.Equal(t, []any{"", 0, false}, tail("supervisor.tailProcessStderrLog", "echo", 0, 5))

	// Clearing.
	assert.Equal(t, true, e.call("supervisor.clearProcessLogs", "echo"))
	assert.Equal(t, "", e.call("supervisor.readProcessStdoutLog", "echo", 0, 0))
	assert.Equal(t, true, e.call("supervisor.clearProcessLog", "sleeper"))
	var names []string
	for _, r := range wire(t, e.call("supervisor.clearAllProcessLogs")).([]any) {
		m := r.(map[string]any)
		assert.Equal(t, 80, m["status"])
		assert.Equal(t, "OK", m["description"])
		names = append(names, m["name"].(string))
	}
	assert.ElementsMatch(t, []string{"echo", "multi_00", "multi_01", "sleeper"}, names)
}

func TestMainLog(t *testing.T) {
	e := newEnv(t)
	content, err := os.ReadFile(e.b.mainLog)
	require.NoError(t, err)
	assert.Equal(t, string(content), e.call("supervisor.readLog", 0, 0))
	assert.Equal(t, string(content[len(content)-5:]), e.call("supervisor.readMainLog", -5, 0))
	assert.Equal(t, &xmlrpc.Fault{Code: 3, String: "BAD_ARGUMENTS"}, e.fault("supervisor.readLog", -5, 1))

	assert.Equal(t, true, e.call("supervisor.clearLog"))
	assert.Equal(t, int32(1), e.b.cleared.Load())
	assert.Equal(t, "", e.call("supervisor.readLog", 0, 0))

	require.NoError(t, os.Remove(e.b.mainLog))
	assert.Equal(t, &xmlrpc.Fault{Code: 20, String: "NO_FILE: " + e.b.mainLog}, e.fault("supervisor.readLog", 0, 0))
	assert.Equal(t, &xmlrpc.Fault{Code: 20, String: "NO_FILE"}, e.fault("supervisor.clearLog"))
	e.b.mainLog = ""
	assert.Equal(t, &xmlrpc.Fault{Code: 20, String: "NO_FILE"}, e.fault("supervisor.readLog", 0, 0))
}

func TestStdinAndRemoteComm(t *testing.T) {
	dir := t.TempDir()
	cat := testSpec("cat", "/bin/cat")
	cat.StartSecs = -1
	cat.Stdout.File = filepath.Join(dir, "cat.out")
	e := newEnv(t, cat)
	e.waitState("cat", supervisor.Running)

	assert.Equal(t, true, e.call("supervisor.sendProcessStdin", "cat", "héllo\n"))
	assert.Equal(t, true, e.call("supervisor.sendProcessStdin", "cat", []byte("bytes\n")))
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(cat.Stdout.File)
		return string(b) == "héllo\nbytes\n"
	}, waitLong, 10*time.Millisecond)

	sub := e.sup.Subscribe(16)
	defer sub.Close()
	assert.Equal(t, true, e.call("supervisor.sendRemoteCommEvent", "mytype", "hello data"))
	for ev := range sub.C {
		if ev.Kind == supervisor.EventRemoteCommunication {
			assert.Equal(t, "mytype", ev.Type)
			assert.Equal(t, "hello data", string(ev.Data))
			break
		}
	}
}

func TestShutdownState(t *testing.T) {
	e := newEnv(t, sleeper("sleeper"))
	assert.Equal(t, true, e.call("supervisor.shutdown"))
	assert.Equal(t, int32(1), e.b.shutdowns.Load())
	assert.Equal(t, true, e.call("supervisor.restart"))
	assert.Equal(t, int32(1), e.b.restarts.Load())
	// A configuration the daemon refuses is a fault with its text, and no
	// restart.
	e.b.mu.Lock()
	e.b.restartErr = errorString("supervisord.conf:3: [program:x] numprocs: bad")
	e.b.mu.Unlock()
	assert.Equal(t, &xmlrpc.Fault{Code: 92, String: "CANT_REREAD: supervisord.conf:3: [program:x] numprocs: bad"}, e.fault("supervisor.restart"))
	assert.Equal(t, int32(1), e.b.restarts.Load())

	for _, st := range []State{StateShutdown, StateRestarting} {
		e.b.state.Store(int32(st))
		for _, m := range []string{"supervisor.getState", "supervisor.getPID", "supervisor.getAllProcessInfo", "supervisor.startAllProcesses"} {
			assert.Equal(t, &xmlrpc.Fault{Code: 6, String: "SHUTDOWN_STATE"}, e.fault(m), m)
		}
		assert.Equal(t, &xmlrpc.Fault{Code: 6, String: "SHUTDOWN_STATE"}, e.fault("supervisor.startProcess", "sleeper"))
		// The number of parameters is checked first, as in supervisord.
		assert.Equal(t, &xmlrpc.Fault{Code: 2, String: "INCORRECT_PARAMETERS"}, e.fault("supervisor.startProcess"))
		assert.Equal(t, true, e.call("supervisor.sendRemoteCommEvent", "t", "d"))
		assert.Len(t, e.call("system.listMethods"), 41)
		got := wire(t, e.call("system.multicall", []any{map[string]any{"methodName": "supervisor.getPID"}}))
		assert.Equal(t, []any{map[string]any{"faultCode": 6, "faultString": "SHUTDOWN_STATE"}}, got)
	}
}

func TestReloadAddRemove(t *testing.T) { // spec 6.4, check 42-43 at the API level
	e := newEnv(t, sleeper("sleeper"), sleeper("exit0"))
	e.waitState("sleeper", supervisor.Running)

	assert.Equal(t, []any{[]any{[]any{}, []any{}, []any{}}}, wire(t, e.call("supervisor.reloadConfig")))

	changed := sleeper("sleeper")
	changed.Command = "/bin/sleep 999"
	newone := sleeper("newone")
	e.b.setNext([]supervisor.ProgramSpec{changed, newone})
	assert.Equal(t, []any{[]any{[]any{"newone"}, []any{"sleeper"}, []any{"exit0"}}}, wire(t, e.call("supervisor.reloadConfig")))
	// Reread does not change what runs.
	assert.Equal(t, map[string]bool{"exit0": true, "sleeper": true}, groupNames(e.sup))

	// supervisorctl update: stop and remove, then add.
	assert.Equal(t, &xmlrpc.Fault{Code: 91, String: "STILL_RUNNING: exit0"}, e.fault("supervisor.removeProcessGroup", "exit0"))
	e.call("supervisor.stopProcessGroup", "exit0")
	assert.Equal(t, true, e.call("supervisor.removeProcessGroup", "exit0"))
	assert.Equal(t, &xmlrpc.Fault{Code: 10, String: "BAD_NAME: exit0"}, e.fault("supervisor.removeProcessGroup", "exit0"))
	assert.Equal(t, &xmlrpc.Fault{Code: 10, String: "BAD_NAME: exit0"}, e.fault("supervisor.addProcessGroup", "exit0"))
	assert.Equal(t, &xmlrpc.Fault{Code: 90, String: "ALREADY_ADDED: sleeper"}, e.fault("supervisor.addProcessGroup", "sleeper"))
	assert.Equal(t, true, e.call("supervisor.addProcessGroup", "newone"))
	e.waitState("newone", supervisor.Running) // autostart
	assert.Equal(t, &xmlrpc.Fault{Code: 90, String: "ALREADY_ADDED: newone"}, e.fault("supervisor.addProcessGroup", "newone"))

	e.b.mu.Lock()
	e.b.rereadErr = errorString("Error: bad config")
	e.b.mu.Unlock()
	assert.Equal(t, &xmlrpc.Fault{Code: 92, String: "CANT_REREAD: Error: bad config"}, e.fault("supervisor.reloadConfig"))
}

type errorString string

func (e errorString) Error() string { return string(e) }

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestAllConfigInfo(t *testing.T) {
	dir := t.TempDir()
	a := sleeper("a")
	a.Stdout.File = filepath.Join(dir, "a-%(process_num)d.log")
	a.RedirectStderr = true
	a.User = "0"
	a.ExitCodes = []int{0, 2}
	a.StopSignal = 9
	a.Directory = "/tmp"
	a.Priority = 5
	inactive := sleeper("inactive")
	e := newEnv(t, a, grp())
	e.b.mu.Lock()
	e.b.available = append(e.b.available, inactive)
	e.b.mu.Unlock()

	var buf strings.Builder
	require.NoError(t, xmlrpc.WriteResponse(&buf, e.call("supervisor.getAllConfigInfo")))
	names := memberNames(buf.String())
	assert.Equal(t, []string{"autostart", "directory", "uid", "command", "exitcodes", "group", "group_prio", "inuse",
		"killasgroup", "name", "process_prio", "redirect_stderr", "startretries", "startsecs", "stdout_capture_maxbytes",
		"stdout_events_enabled", "stdout_logfile", "stdout_logfile_backups", "stdout_logfile_maxbytes", "stdout_syslog",
		"stopsignal", "stopwaitsecs", "stderr_capture_maxbytes", "stderr_events_enabled", "stderr_logfile",
		"stderr_logfile_backups", "stderr_logfile_maxbytes", "stderr_syslog", "serverurl"}, names[:29])

	all := wire(t, e.call("supervisor.getAllConfigInfo")).([]any)
	require.Len(t, all, 4)
	byName := map[string]map[string]any{}
	var order []string
	for _, c := range all {
		m := c.(map[string]any)
		byName[m["name"].(string)] = m
		order = append(order, m["name"].(string))
	}
	assert.Equal(t, []string{"a", "inactive", "multi_00", "multi_01"}, order)
	assert.Equal(t, map[string]any{
		"autostart": true, "directory": "/tmp", "uid": 0, "command": "/bin/sleep 1000", "exitcodes": []any{0, 2},
		"group": "a", "group_prio": 5, "inuse": true, "killasgroup": false, "name": "a", "process_prio": 5,
		"redirect_stderr": true, "startretries": 3, "startsecs": 0, "stdout_capture_maxbytes": 0,
		"stdout_events_enabled": false, "stdout_logfile": filepath.Join(dir, "a-0.log"), "stdout_logfile_backups": 10,
		"stdout_logfile_maxbytes": 52428800, "stdout_syslog": false, "stopsignal": 9, "stopwaitsecs": 5,
		"stderr_capture_maxbytes": 0, "stderr_events_enabled": false, "stderr_logfile": "none",
		"stderr_logfile_backups": 10, "stderr_logfile_maxbytes": 52428800, "stderr_syslog": false, "serverurl": "none",
	}, byName["a"])

	in := byName["inactive"]
	assert.Equal(t, false, in["inuse"])
	assert.Equal(t, "auto", in["stdout_logfile"])
	assert.Equal(t, "auto", in["stderr_logfile"])
	assert.Equal(t, "none", in["uid"])
	assert.Equal(t, "none", in["directory"])
	assert.Equal(t, 15, in["stopsignal"])

	m := byName["multi_00"]
	assert.Equal(t, true, m["inuse"])
	assert.Equal(t, "grp", m["group"])
	assert.Equal(t, 999, m["group_prio"])
	assert.Equal(t, "none", m["stdout_logfile"])
	path := e.info("grp:multi_00").StderrLogfile
	assert.Equal(t, path, m["stderr_logfile"]) // the real AUTO name
}

func TestTraceLog(t *testing.T) {
	e := newEnv(t)
	e.call("supervisor.getState")
	e.fault("supervisor.getProcessInfo", "nope")
	assert.Equal(t, []string{
		"TRAC XML-RPC method called: supervisor.getState()",
		"TRAC XML-RPC method supervisor.getState() returned successfully",
		"TRAC XML-RPC method called: supervisor.getProcessInfo()",
		"TRAC XML-RPC method supervisor.getProcessInfo() returned fault: [10] BAD_NAME: nope",
	}, e.log.all())
}
