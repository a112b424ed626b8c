package daemon

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/supervise-go/supervisor/internal/ctldiff"
	"github.com/supervise-go/supervisor/internal/proctest"
)

// The tests in this file drive gosupervisord with Debian's real
// supervisorctl. They skip only when it is missing outside CI; in CI
// (.ci/run installs the supervisor package) a missing one fails them.
func needSupervisorctl(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("supervisorctl"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("supervisorctl is required in CI (apt-get install supervisor)")
		}
		t.Skip("supervisorctl not installed")
	}
}

// ctlScenario is a config and supervisorctl commands whose answers must be
// the same from supervisord and from gosupervisord.
type ctlScenario struct {
	name     string
	conf     string
	wait     time.Duration // to let programs settle before the commands
	commands []string
}

// groupsConf has a [group:x] of two programs and a program of its own.
const groupsConf = `[group:web]
programs=a,b
priority=10
[program:a]
command=/bin/sleep 1000
startsecs=0
[program:b]
command=/bin/sleep 1000
startsecs=0
[program:c]
command=/bin/sleep 1000
startsecs=0
`

var ctlScenarios = []ctlScenario{
	{
		name: "status-start-stop",
		conf: `[program:sleeper]
command=/bin/sleep 1000
startsecs=0
[program:quick]
command=/bin/sh -c "echo hello; exit 1"
startretries=0
[program:foo1]
command=/bin/sleep 1000
numprocs=3
process_name=%(program_name)s_%(process_num)02d
startsecs=0
[program:manual]
command=/bin/sleep 1000
autostart=false
`,
		wait: 2500 * time.Millisecond,
		commands: []string{
			"status", "status sleeper", "status nosuch", "status nogroup:*", "status foo1:*",
			"stop sleeper", "stop sleeper", "status sleeper",
			"start sleeper", "start sleeper", "start notfound",
			"stop foo1:foo1_01", "status foo1:*", "start foo1:*",
			"stop quick", "start manual", "stop manual",
			"restart sleeper", "pid", "pid sleeper", "pid nosuch", "signal HUP manual", "signal USR1 foo1:foo1_00",
			"signal HUP nosuch", "signal BOGUS sleeper",
			"avail", "version",
		},
	},
	{
		name: "quick-spawn-error",
		conf: `[program:quick]
command=/bin/sh -c "echo hello; exit 1"
autostart=false
startretries=0
[program:notfound]
command=nosuchcommand_xyz
autostart=false
`,
		wait:     500 * time.Millisecond,
		commands: []string{"start quick", "status quick", "start notfound", "status", "stop quick"},
	},
	{
		name: "groups",
		conf: groupsConf,
		wait: 2500 * time.Millisecond,
		// Group and all stops are left out: supervisord reports their results
		// in the order the processes finish stopping, which varies from run
		// to run (TestCtlGroupActions checks them without order).
		commands: []string{"status", "stop web:a", "status", "start web:a", "status", "start all", "clear web:a", "avail"},
	},
}

// seedScenario is the tutorial config the project started from.
func seedScenario(t *testing.T) ctlScenario {
	seed, err := os.ReadFile(seedConf)
	require.NoError(t, err)
	return ctlScenario{
		name: "seed-tutorial",
		// Its logfile, childlogdir and port are moved by ctldiff into a
		// directory and a port of each daemon's own.
		conf: string(seed),
		wait: 12 * time.Second, // foo reaches FATAL after ~6.5 s of retries; room for a loaded machine
		// foo1's states are left out: when loaded, supervisord may reap an
		// instant exit more than startsecs late and call it EXITED rather
		// than FATAL (TestSeedScenarioMainLog checks ours). Group starts
		// answer in completion order: see TestCtlGroupActions.
		commands: []string{"status foo", "tail foo1:foo1_01", "avail", "start foo", "status foo"},
	}
}

// TestCtlSameAsSupervisord runs each scenario under supervisord and under
// gosupervisord with internal/ctldiff: every answer of the real
// supervisorctl (output and exit status, with pids, times and directories
// normalised) must be the same.
func TestCtlSameAsSupervisord(t *testing.T) {
	needSupervisorctl(t)
	if _, err := exec.LookPath("supervisord"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("supervisord is required in CI (apt-get install supervisor)")
		}
		t.Skip("supervisord not installed")
	}
	for _, sc := range append(ctlScenarios, seedScenario(t)) {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			res, err := ctldiff.Run(ctx, ctldiff.Config{
				Conf:     sc.conf,
				Ours:     []string{daemonBin, "-n", "-c", "{conf}"},
				Wait:     sc.wait,
				Commands: sc.commands,
				Dir:      t.TempDir(),
			})
			require.NoError(t, err)
			if !res.Same() {
				t.Errorf("supervisorctl answers differ:\n%s", res)
			}
		})
	}
}

// ctl runs the real supervisorctl against the config and returns its
// output and exit status.
func ctl(t *testing.T, conf string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("supervisorctl", append([]string{"-c", conf}, args...)...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("supervisorctl: %v", err)
	}
	return string(out), code
}

// startDaemon runs gosupervisord on conf (with {DIR} and {PORT}) and waits
// until supervisorctl gets an answer.
func startDaemon(t *testing.T, conf string) (dir, path string, cmd *exec.Cmd) {
	t.Helper()
	dir, path = writeConf(t, conf)
	cmd, _ = runDaemon(t, "-n", "-c", path)
	deadline := time.Now().Add(waitLong)
	for {
		if out, code := ctl(t, path, "version"); code == 0 && strings.TrimSpace(out) == Version {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("gosupervisord never answered supervisorctl")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return dir, path, cmd
}

const ctlBase = `[supervisord]
logfile={DIR}/s.log
pidfile={DIR}/s.pid
childlogdir={DIR}
[inet_http_server]
port=127.0.0.1:{PORT}
[supervisorctl]
serverurl=http://127.0.0.1:{PORT}
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
`

// Checks 40-43 with the exact texts and exit statuses.
func TestCtlOutputsAndExitCodes(t *testing.T) {
	needSupervisorctl(t)
	t.Parallel()
	dir, conf, daemon := startDaemon(t, ctlBase+`[program:trapper]
command=/bin/sh -c "trap '' TERM; exec sleep 1000"
startsecs=0
stopwaitsecs=1
[program:quick]
command=/bin/sh -c "exit 1"
autostart=false
startretries=0
[program:a_very_long_program_name_exceeding_thirty]
command=/bin/sleep 1000
startsecs=0
[program:sleeper]
command=/bin/sleep 1000
startsecs=0
[program:exit0]
command=/bin/sleep 1000
startsecs=0
`)
	out, code := ctl(t, conf, "status", "trapper")
	assert.Regexp(t, `^trapper {26}RUNNING   pid \d+, uptime 0:00:0\d\n$`, out)
	assert.Equal(t, 0, code)
	out, code = ctl(t, conf, "status", "a_very_long_program_name_exceeding_thirty")
	assert.Regexp(t, `^a_very_long_program_name_exceeding_thirty   RUNNING   pid \d+`, out)
	assert.Equal(t, 0, code)
	out, code = ctl(t, conf, "status", "nosuch")
	assert.Equal(t, "nosuch: ERROR (no such process)\n", out)
	assert.Equal(t, 4, code)
	out, code = ctl(t, conf, "status", "nogroup:*")
	assert.Equal(t, "nogroup: ERROR (no such group)\n", out)
	assert.Equal(t, 4, code)
	_, code = ctl(t, conf, "status")
	assert.Equal(t, 3, code, "quick is STOPPED")

	out, code = ctl(t, conf, "start", "quick")
	assert.Equal(t, "quick: ERROR (spawn error)\n", out)
	assert.Equal(t, 7, code)
	out, code = ctl(t, conf, "start", "notfound")
	assert.Equal(t, "notfound: ERROR (no such process)\n", out)
	assert.Equal(t, 1, code)
	out, code = ctl(t, conf, "start", "sleeper")
	assert.Equal(t, "sleeper: ERROR (already started)\n", out)
	assert.Equal(t, 0, code)
	out, code = ctl(t, conf, "stop", "trapper")
	assert.Equal(t, "trapper: stopped\n", out)
	assert.Equal(t, 0, code)
	out, code = ctl(t, conf, "stop", "trapper")
	assert.Equal(t, "trapper: ERROR (not running)\n", out)
	assert.Equal(t, 0, code)
	logData, _ := os.ReadFile(filepath.Join(dir, "s.log"))
	assert.Contains(t, string(logData), "waiting for trapper to stop")
	assert.Contains(t, string(logData), "killing 'trapper' (")
	assert.Contains(t, string(logData), "stopped: trapper (terminated by SIGKILL)")

	// Check 42 and 43: reread, update, add, remove after editing the config.
	data, err := os.ReadFile(conf)
	require.NoError(t, err)
	edited := strings.Replace(string(data), "[program:exit0]\ncommand=/bin/sleep 1000\nstartsecs=0\n", "", 1)
	edited = strings.Replace(edited, "[program:sleeper]\ncommand=/bin/sleep 1000\n", "[program:sleeper]\ncommand=/bin/sleep 2000\n", 1)
	edited += "[program:newone]\ncommand=/bin/sleep 1000\nstartsecs=0\n"
	require.NoError(t, os.WriteFile(conf, []byte(edited), 0o644))
	out, _ = ctl(t, conf, "reread")
	assert.Equal(t, "exit0: disappeared\nnewone: available\nsleeper: changed\n", out)
	out, _ = ctl(t, conf, "avail")
	assert.Contains(t, out, "newone                           avail     auto      999:999\n")
	out, _ = ctl(t, conf, "update")
	assert.Equal(t, "exit0: stopped\nexit0: removed process group\nsleeper: stopped\nsleeper: updated process group\nnewone: added process group\n", out)
	out, code = ctl(t, conf, "remove", "newone")
	assert.Equal(t, "ERROR: process/group still running: newone\n", out)
	assert.Equal(t, 1, code)
	out, code = ctl(t, conf, "add", "newone")
	assert.Equal(t, "ERROR: process group already active\n", out)
	assert.Equal(t, 0, code)
	out, _ = ctl(t, conf, "stop", "newone")
	assert.Equal(t, "newone: stopped\n", out)
	out, code = ctl(t, conf, "remove", "newone")
	assert.Equal(t, "newone: removed process group\n", out)
	assert.Equal(t, 0, code)
	out, _ = ctl(t, conf, "add", "newone")
	assert.Equal(t, "newone: added process group\n", out)

	pidBefore, _ := ctl(t, conf, "pid")
	out, code = ctl(t, conf, "reload")
	assert.Equal(t, "Restarted supervisord\n", out)
	assert.Equal(t, 0, code)
	waitLog(t, filepath.Join(dir, "s.log"), "supervisord started with pid", 2)
	deadline := time.Now().Add(waitLong)
	for {
		if out, code := ctl(t, conf, "status", "newone"); code == 0 && strings.Contains(out, "RUNNING") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("newone not running again after reload")
		}
		time.Sleep(100 * time.Millisecond)
	}
	pidAfter, _ := ctl(t, conf, "pid")
	assert.Equal(t, pidBefore, pidAfter, "a reload keeps the daemon's pid")

	out, code = ctl(t, conf, "shutdown")
	assert.Equal(t, "Shut down\n", out)
	assert.Equal(t, 0, code)
	assert.Equal(t, 0, waitExit(t, daemon))
}

// Logs through supervisorctl: tail, tail -f, clear, maintail.
func TestCtlTails(t *testing.T) {
	needSupervisorctl(t)
	t.Parallel()
	_, conf, _ := startDaemon(t, ctlBase+`[program:talker]
command=/bin/sh -c "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"
startsecs=0
stopasgroup=true
`)
	deadline := time.Now().Add(waitLong)
	for {
		out, code := ctl(t, conf, "tail", "talker")
		if code == 0 && strings.Contains(out, "tick 2") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tail never showed output: %q", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, code := ctl(t, conf, "tail", "talker", "stderr")
	assert.Equal(t, 0, code)
	assert.Equal(t, "\n", out)
	out, code = ctl(t, conf, "tail", "nosuch")
	assert.Equal(t, "nosuch: ERROR (no such process name)\n", out)
	assert.Equal(t, 1, code)

	// tail -f streams new lines until interrupted.
	cmd := exec.Command("supervisorctl", "-c", conf, "tail", "-f", "talker")
	var buf proctest.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	require.NoError(t, cmd.Start())
	deadline = time.Now().Add(waitLong)
	for !strings.Contains(buf.String(), "==> Press Ctrl-C to exit <==") || strings.Count(buf.String(), "tick") < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("tail -f did not follow: %q", buf.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()

	out, code = ctl(t, conf, "clear", "talker")
	assert.Equal(t, "talker: cleared\n", out)
	assert.Equal(t, 0, code)
	out, code = ctl(t, conf, "maintail")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "spawned: 'talker' with pid")
}

// A child that closes its output, or floods it without newlines, does not
// keep the daemon from answering others.
func TestCtlNoisyChildrenDoNotStallAnswers(t *testing.T) {
	needSupervisorctl(t)
	t.Parallel()
	_, conf, _ := startDaemon(t, ctlBase+`[program:closer]
command=/bin/sh -c "exec >&- 2>&-; exec sleep 1000"
startsecs=0
[program:flood]
command=/bin/sh -c "while true; do head -c 4000000 /dev/zero | tr '\\0' x; done"
startsecs=0
stopasgroup=true
stdout_logfile_maxbytes=10MB
stdout_logfile_backups=1
[program:sleeper]
command=/bin/sleep 1000
startsecs=0
`)
	for range 20 {
		start := time.Now()
		out, code := ctl(t, conf, "status", "sleeper")
		require.Equal(t, 0, code, out)
		// Liveness, not speed: a stalled daemon would take the whole bound.
		require.Less(t, time.Since(start), 10*time.Second)
	}
	out, _ := ctl(t, conf, "status")
	assert.Contains(t, out, "closer")
	assert.Regexp(t, `flood +RUNNING`, out)
	out, code := ctl(t, conf, "stop", "all")
	assert.Equal(t, 0, code, out)
}

// Group and all actions report every process once (in an order supervisord
// does not fix: it answers as processes finish).
func TestCtlGroupActions(t *testing.T) {
	needSupervisorctl(t)
	t.Parallel()
	_, conf, _ := startDaemon(t, ctlBase+groupsConf+`[program:quick]
command=/bin/sh -c "exit 0"
numprocs=2
process_name=%(program_name)s_%(process_num)d
autostart=false
startretries=0
`)
	sorted := func(out string) []string {
		lines := strings.Split(strings.TrimSpace(out), "\n")
		slices.Sort(lines)
		return lines
	}
	out, code := ctl(t, conf, "stop", "web:*")
	assert.Equal(t, []string{"web:a: stopped", "web:b: stopped"}, sorted(out))
	assert.Equal(t, 0, code)
	out, _ = ctl(t, conf, "start", "all")
	assert.Equal(t, []string{"quick:quick_0: ERROR (spawn error)", "quick:quick_1: ERROR (spawn error)",
		"web:a: started", "web:b: started"}, sorted(out), "only what was not running")
	out, _ = ctl(t, conf, "restart", "web:*")
	assert.Equal(t, []string{"web:a: started", "web:a: stopped", "web:b: started", "web:b: stopped"}, sorted(out))
	out, _ = ctl(t, conf, "stop", "all")
	assert.Equal(t, []string{"c: stopped", "web:a: stopped", "web:b: stopped"}, sorted(out))
	out, code = ctl(t, conf, "start", "quick:*")
	assert.Equal(t, []string{"quick:quick_0: ERROR (spawn error)", "quick:quick_1: ERROR (spawn error)"}, sorted(out))
	assert.Equal(t, 7, code)
	out, code = ctl(t, conf, "stop", "nogroup:*")
	assert.Equal(t, "nogroup: ERROR (no such group)\n", out)
	assert.Equal(t, 1, code)
	out, code = ctl(t, conf, "status")
	assert.Equal(t, 3, code, out)
}

// supervisorctl reload with a config that no longer loads: the restart RPC
// answers CANT_REREAD with where the fault is (supervisorctl, which expects
// no fault but SHUTDOWN_STATE, prints it in its generic error line and
// exits 1), every program keeps running with the same pid, the main log
// has the error, and reread refuses the same config with the same text.
func TestCtlReloadBadConfigKeepsPrograms(t *testing.T) {
	needSupervisorctl(t)
	t.Parallel()
	dir, conf, daemon := startDaemon(t, reloadConf)
	logPath := filepath.Join(dir, "s.log")
	waitLog(t, logPath, "success: one", 1)
	waitLog(t, logPath, "success: two", 1)
	before := sortedChildren(t, daemon.Process.Pid, 2)
	status, _ := ctl(t, conf, "status")

	where := breakConf(t, conf)
	text := where + "value 'NOPE' is not a valid signal name in section 'program:bad' (file: '" + conf + "')"
	out, code := ctl(t, conf, "reload")
	assert.Contains(t, out, `<Fault 92: "CANT_REREAD: `+text)
	assert.NotContains(t, out, "Restarted supervisord")
	assert.Equal(t, 1, code)
	assert.Contains(t, waitLog(t, logPath, "reload refused", 1)[0], " ERRO reload refused, the running programs are kept: "+text)

	out, code = ctl(t, conf, "reread")
	assert.Equal(t, "ERROR: CANT_REREAD: "+text+"\n", out)
	assert.Equal(t, 1, code)

	time.Sleep(500 * time.Millisecond) // time for a wrong stop to show
	assert.Equal(t, before, sortedChildren(t, daemon.Process.Pid, 2), "same children")
	after, _ := ctl(t, conf, "status")
	pids := regexp.MustCompile(`(?m)^(\S+) +RUNNING +pid (\d+),`)
	assert.Equal(t, pids.FindAllString(status, -1), pids.FindAllString(after, -1), "status: every program RUNNING with its pid")
	assert.Len(t, pids.FindAllString(after, -1), 2)
	assert.Len(t, waitLog(t, logPath, "supervisord started with pid", 1), 1, "no second run")

	out, code = ctl(t, conf, "shutdown")
	assert.Equal(t, "Shut down\n", out)
	assert.Equal(t, 0, code)
	assert.Equal(t, 0, waitExit(t, daemon))
}
