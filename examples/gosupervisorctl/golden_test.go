package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// ourBinary is gosupervisorctl built for the tests, without cgo, as it ships.
var ourBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gsc-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ourBinary = filepath.Join(dir, "gosupervisorctl")
	build := exec.Command("go", "build", "-o", ourBinary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building gosupervisorctl:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// programs is the configuration the golden tests share: running processes,
// a group of two, one that cannot start, one never started, one without a
// log, commands that do not exist or cannot be run.
const programs = `
[program:sleeper]
command=/bin/sh -c 'echo hello; echo err >&2; exec sleep 1000'
startsecs=0

[program:quick]
command=/bin/false
startretries=0

[program:manual]
command=/bin/sleep 1000
autostart=false

[program:grp]
command=/bin/sleep 1000
numprocs=2
process_name=%(program_name)s_%(process_num)02d
startsecs=0

[program:a_very_long_program_name_exceeding_thirty]
command=/bin/sleep 1000
startsecs=0
priority=5

[program:nolog]
command=/bin/sleep 1000
startsecs=0
stdout_logfile=NONE
stderr_logfile=NONE

[program:noexec]
command=/nonexistent/program
autostart=false

[program:notexec]
command={DIR}/supervisord.conf
autostart=false

[program:g1]
command=/bin/sleep 1000
startsecs=0
[program:g2]
command=/bin/sleep 1000
startsecs=0
autostart=false
[group:both]
programs=g1,g2
priority=50
`

// Commands that only read, compared one by one on one daemon.
var readSteps = []step{
	s("status"), s("status", "all"), s("status", "sleeper"), s("status", "grp:*"), s("status", "grp:"),
	s("status", "grp:grp_00"), s("status", "both:g2"), s("status", "nosuch"), s("status", "nosuch:*"),
	s("status", "nosuch", "grp:grp_01", "sleeper"), s("status", "manual"), s("status", "quick"),
	s("status", "sleeper", "grp:*"), s("status", "nosuch", "manual"), s("status", "quick", "sleeper"),
	s("pid"), s("pid", "all"), s("pid", "sleeper"), s("pid", "manual"), s("pid", "nosuch"),
	s("pid", "nosuch", "sleeper"), s("pid", "grp:grp_00"),
	s("avail"), s("avail", "x"), s("version"), s("version", "x"),
	s("help"), s("help", "help"), s("help", "nosuch"), s("help", "EOF"), s("?"),
	s("help", "status"), s("help", "pid"), s("help", "start"), s("help", "stop"), s("help", "signal"),
	s("help", "restart"), s("help", "shutdown"), s("help", "reload"), s("help", "avail"),
	s("help", "reread"), s("help", "add"), s("help", "remove"), s("help", "update"), s("help", "clear"),
	s("help", "open"), s("help", "version"), s("help", "fg"), s("help", "quit"), s("help", "exit"),
	s("help", "maintail"), s("help", "tail"),
	s("foo"), s("foo", "bar"), s("!ls"), s(""), s("EOF"), s("quit"), s("exit"),
	s("tail", "sleeper"), s("tail", "sleeper", "stderr"), s("tail", "sleeper", "STDERR"),
	s("tail", "-5", "sleeper"), s("tail", "-3", "sleeper", "stderr"), s("tail", "-0", "sleeper"),
	s("tail", "nosuch"), s("tail", "nolog"), s("tail", "nolog", "stderr"), s("tail", "sleeper", "bad"),
	s("tail"), s("tail", "a", "b", "c", "d"), s("tail", "-x", "sleeper"), s("tail", "-f"),
	s("tail", "-5"), s("tail", "sleeper", "x", "stdout"), s("tail", "grp:grp_00"),
	s("maintail", "x"), s("maintail", "-x"), s("maintail", "a", "b"),
	s("reread"), s("reread", "x"),
	s("start"), s("stop"), s("restart"), s("signal"), s("signal", "HUP"), s("clear"),
	s("start", "nosuch"), s("start", "nosuch:*"), s("start", "nosuch:x"), s("start", "sleeper"),
	s("start", "grp:*"), s("start", "sleeper", "nosuch", "grp:grp_00"),
	s("start", "noexec"), s("start", "notexec"), s("start", "quick"),
	s("stop", "manual"), s("stop", "nosuch"), s("stop", "nosuch:*"), s("stop", "manual", "nosuch"),
	s("signal", "HUP", "manual"), s("signal", "FOO", "sleeper"), s("signal", "HUP", "nosuch"),
	s("signal", "HUP", "nosuch:*"), s("signal", "FOO", "grp:*"),
	s("clear", "nosuch"), s("clear", "nosuch:*"),
	s("fg"), s("fg", "nosuch"), s("fg", "manual"), s("fg", "a", "b"),
	s("shutdown", "x"), s("reload", "x"),
	s("open", "ftp://x"), s("open", "x"),
	s("add"), s("add", "nosuch"), s("add", "sleeper"), s("remove", "nosuch"), s("remove", "sleeper"),
	s("remove", "nosuch", "sleeper"), s("update", "nosuch"),
	// The shell, reading from a pipe: prompts, status first, EOF.
	{stdin: "pid\nfoo\n\nhelp quit\nversion\nstatus nosuch\n"},
	{args: []string{"-i"}, stdin: "quit\npid\n"},
	{args: []string{"-i", "version"}, stdin: "pid\n"},
	{stdin: "shutdown\nn\nreload\nno\n"},
	{stdin: "shutdown\n"}, // the question meets the end of the input
}

// Commands that change the daemon, each undone before the next.
var changeSteps = []step{
	{args: []string{"stop", "sleeper"}, undo: [][]string{{"start", "sleeper"}}},
	{args: []string{"stop", "grp:*"}, undo: [][]string{{"start", "grp:"}}, unordered: true},
	{args: []string{"stop", "grp:grp_00", "sleeper"}, undo: [][]string{{"start", "grp:grp_00", "sleeper"}}},
	{args: []string{"stop", "sleeper"}, undo: [][]string{{"status"}, {"status", "sleeper"}, {"pid", "sleeper"}, {"start", "sleeper"}}},
	{args: []string{"start", "manual"}, undo: [][]string{{"status", "manual"}, {"stop", "manual"}}},
	{args: []string{"start", "both:*"}, undo: [][]string{{"stop", "both:g2"}}, unordered: true},
	s("restart", "sleeper"), {args: []string{"restart", "grp:*"}, unordered: true}, s("restart", "sleeper", "nosuch"),
	{args: []string{"restart", "manual"}, undo: [][]string{{"stop", "manual"}}},
	{args: []string{"stop", "all"}, undo: [][]string{{"status"}, {"start", "all"}, {"stop", "manual", "both:g2"}}, unordered: true},
	{args: []string{"start", "all"}, undo: [][]string{{"stop", "manual", "both:g2"}}, unordered: true},
	{args: []string{"restart", "all"}, undo: [][]string{{"stop", "manual", "both:g2"}}, unordered: true},
	s("signal", "CONT", "sleeper"), s("signal", "CONT", "grp:*"), s("signal", "CONT", "all"),
	s("signal", "18", "sleeper", "grp:grp_01"), s("signal", "SIGCONT", "nolog", "manual"),
	s("clear", "sleeper"), s("clear", "grp:grp_00", "nosuch"), s("clear", "all"), s("clear", "grp:*"),
	s("tail", "sleeper"), // after clear
}

func TestGoldenRead(t *testing.T) {
	for name, start := range daemons(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conf, _ := writeConf(t, testConf{kind: inetServer, body: programs})
			start(t, conf)
			compareSteps(t, conf, readSteps)
		})
	}
}

func TestGoldenChange(t *testing.T) {
	for name, start := range daemons(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conf, _ := writeConf(t, testConf{kind: unixServer, body: programs})
			start(t, conf)
			compareSteps(t, conf, changeSteps)
		})
	}
}

// The main log changes with every command, so it is compared on a daemon
// that nothing else talks to between the two runs.
func TestGoldenMaintail(t *testing.T) {
	for name, start := range daemons(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conf, _ := writeConf(t, testConf{kind: inetServer, body: programs})
			start(t, conf)
			compareSteps(t, conf, []step{s("maintail"), s("maintail", "-200"), s("maintail", "-0")})
		})
	}
}

// Authentication: none given, wrong, right; and over a unix socket.
func TestGoldenAuth(t *testing.T) {
	for name, start := range daemons(t) {
		for _, kind := range []serverKind{inetServer, unixServer} {
			t.Run(fmt.Sprintf("%s/%d", name, kind), func(t *testing.T) {
				t.Parallel()
				conf, _ := writeConf(t, testConf{kind: kind, user: "user", body: programs})
				start(t, conf)
				// writeConf put the credentials in [supervisorctl]; a copy
				// without them shows what happens when they are missing.
				bare := withoutCredentials(t, conf)
				compareSteps(t, conf, []step{s("status"), s("tail", "sleeper"), s("avail")})
				compareSteps(t, bare, []step{
					s("status"), s("avail"), s("tail", "-f", "sleeper"), s("reread"), s("shutdown"),
					s("-u", "user", "status"), s("-u", "user", "-p", "bad", "status"),
					s("-u", "user", "-p", "pw", "status"), s("-u", "user", "-p", "pw", "tail", "sleeper"),
					// The shell asks for credentials.
					{stdin: "user\npw\nversion\n"}, {stdin: "user\nbad\n"}, {stdin: "user\n"},
					{args: []string{"-i"}, stdin: "nobody\nbad\nuser\npw\npid sleeper\n"},
				})
			})
		}
	}
}

// withoutCredentials copies a configuration without the username and
// password lines of [supervisorctl].
func withoutCredentials(t *testing.T, conf string) string {
	data, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	inCtl := false
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if len(line) > 0 && line[0] == '[' {
			inCtl = line == "[supervisorctl]"
		}
		if inCtl && (strings.HasPrefix(line, "username=") || strings.HasPrefix(line, "password=")) {
			continue
		}
		out = append(out, line+"\n"...)
	}
	path := conf + ".bare"
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// No server: refused connections, a socket file that does not exist, a
// host that does not resolve, URLs of the wrong kind; and the command line.
func TestGoldenNoServer(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dead := fmt.Sprintf("http://127.0.0.1:%d", port)
	sock := filepath.Join(t.TempDir(), "nothing.sock")
	var steps []step
	for _, url := range []string{dead, "unix://" + sock} {
		for _, cmd := range [][]string{
			{"status"}, {"start", "x"}, {"stop", "x"}, {"restart", "x"}, {"signal", "HUP", "x"}, {"pid"},
			{"tail", "x"}, {"tail", "-f", "x"}, {"maintail"}, {"clear", "x"}, {"version"}, {"fg", "x"},
			{"avail"}, {"reread"}, {"add", "x"}, {"remove", "x"}, {"update"}, {"shutdown"}, {"reload"},
			{"open", url}, {"help"},
		} {
			steps = append(steps, step{args: append([]string{"-s", url}, cmd...)})
		}
		steps = append(steps, step{args: []string{"-s", url}, stdin: "status\nversion\n"})
	}
	conf := filepath.Join(t.TempDir(), "ctl.conf")
	os.WriteFile(conf, []byte("[supervisorctl]\nserverurl="+dead+"\nprompt=mine\n"), 0o644)
	for _, args := range [][]string{
		{"-s", "http://nosuchhost.invalid:9001", "status"}, {"-s", "localhost:9001", "status"},
		{"-s", "https://x:1", "status"}, {"-s", "foo", "status"}, {"-x"}, {"-s"}, {"--server", dead, "status"},
		{"-s", dead, "-s", dead, "status"}, {"--interactive=3"}, {"--i"}, {"-i", "-i", "status"},
		{"-h"}, {"--help"}, {"-?"}, {"-c", "/nonexistent.conf", "status"}, {"--configuration=" + conf, "pid"},
		{"-c", conf, "--", "pid"}, {"-c", conf, "-", "x"},
	} {
		steps = append(steps, step{args: args})
	}
	ref, ours := ctls(t)
	for _, st := range steps {
		check(t, fmt.Sprintf("%q", st.args), ref.run(t, st.args, st.stdin), ours.run(t, st.args, st.stdin), false)
	}
	// The prompt and server URL of a configuration file.
	check(t, "prompt", ref.run(t, []string{"-c", conf}, "pid\n"), ours.run(t, []string{"-c", conf}, "pid\n"), false)
}

// Configuration files supervisorctl reads, or refuses.
func TestGoldenConfigFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"env.conf":      "[supervisorctl]\nserverurl=http://127.0.0.1:%(ENV_GSC_TEST_PORT)s\nprompt=p%(ENV_GSC_TEST_PORT)s\n",
		"here.conf":     "[supervisorctl]\nserverurl=unix://%(here)s/../x/./s.sock ; comment\n",
		"default.conf":  "[DEFAULT]\nserverurl=unix:///tmp/from-default.sock\n[supervisorctl]\n",
		"cont.conf":     "[supervisorctl]\nprompt = a\n  b\n",
		"nosec.conf":    "[supervisord]\n",
		"noheader.conf": "serverurl=x\n[supervisorctl]\n",
		"bad.conf":      "[supervisorctl]\nfoo\n  bar\nbaz\n",
		"badexp.conf":   "[supervisorctl]\nserverurl=%(nope)s\n",
		"badfmt.conf":   "[supervisorctl]\nprompt=100%\n",
		"empty.conf":    "[supervisorctl]\nserverurl=\n",
		"colon.conf":    "[supervisorctl]\nserverurl: unix:///tmp/colon.sock\n",
	}
	ref, ours := ctls(t)
	ref.env = []string{"GSC_TEST_PORT=1"}
	ours.env = ref.env
	for name, body := range files {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(body), 0o644)
		for _, args := range [][]string{{"-c", path, "status"}, {"-c", path}} {
			check(t, name+fmt.Sprint(args[2:]), ref.run(t, args, ""), ours.run(t, args, ""), false, dir, "{DIR}")
		}
	}
}

// Commands with lasting effects, each program on a daemon of its own:
// reread, update, add and remove after the configuration changed;
// shutdown and reload.
func TestGoldenFresh(t *testing.T) {
	v1 := programs + "\n[program:gone]\ncommand=/bin/sleep 1000\nstartsecs=0\n"
	v2 := programs + "\n[program:newone]\ncommand=/bin/sleep 1000\nstartsecs=0\n" +
		"\n[program:newmanual]\ncommand=/bin/sleep 1000\nautostart=false\n"
	// sleeper changes too.
	v2 = strings.Replace(v2, "exec sleep 1000'", "exec sleep 999'", 1)
	for name, start := range daemons(t) {
		t.Run(name+"/update", func(t *testing.T) {
			t.Parallel()
			compareFresh(t, start, testConf{kind: inetServer, body: v1}, [][]string{
				{"reread"}, {"avail"}, {"update", "nosuch"}, {"update", "newone"}, {"status"},
				{"add", "newmanual"}, {"add", "newmanual"}, {"avail"}, {"remove", "newmanual"},
				{"update", "all"}, {"status"}, {"reread"}, {"update"}, {"remove", "manual"}, {"avail"},
				{"add", "manual", "nosuch", "manual"},
			}, func(conf, dir string) { rewriteBody(t, conf, dir, v1, v2) })
		})
		t.Run(name+"/shutdown", func(t *testing.T) {
			t.Parallel()
			// One shutdown only: what a second one meets (still shutting
			// down, the socket gone, or a connection closed as the daemon
			// exits) depends on timing, for supervisord as for gosupervisord.
			compareFresh(t, start, testConf{kind: unixServer, body: programs}, [][]string{
				{"shutdown"},
			}, nil)
		})
		t.Run(name+"/reload", func(t *testing.T) {
			t.Parallel()
			compareFresh(t, start, testConf{kind: inetServer, body: programs}, [][]string{
				{"reload"},
			}, nil)
		})
		t.Run(name+"/badconfig", func(t *testing.T) {
			t.Parallel()
			compareFresh(t, start, testConf{kind: inetServer, body: programs}, [][]string{
				{"reread"}, {"update"}, {"avail"},
			}, func(conf, dir string) {
				rewriteBody(t, conf, dir, programs, programs+"\n[program:broken]\nnumprocs=2\ncommand=/bin/true\n")
			})
		})
	}
}
