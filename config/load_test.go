package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supervise-go/supervisor/internal/pyfmt"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/supervise-go/supervisor"
)

// testEnv is the environment the table tests load with, so that messages
// listing the available names do not depend on the machine.
var testEnv = Options{Environ: []string{"HOME=/root"}, Hostname: "testhost"}

// writeCase writes c into a new temporary directory and returns the main
// file's path.
func writeCase(t *testing.T, c loadCase) (dir, file string) {
	t.Helper()
	dir = t.TempDir()
	file = filepath.Join(dir, "supervisord.conf")
	for name, text := range c.files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(strings.ReplaceAll(text, "{dir}", dir)), 0o644))
	}
	require.NoError(t, os.WriteFile(file, []byte(strings.ReplaceAll(c.conf, "{dir}", dir)), 0o644))
	return dir, file
}

func TestLoadCases(t *testing.T) {
	for _, c := range loadCases {
		t.Run(c.name, func(t *testing.T) {
			dir, file := writeCase(t, c)
			cfg, err := LoadWith(file, testEnv)
			if c.want == "" {
				require.NoError(t, err)
				require.NotNil(t, cfg)
				return
			}
			require.Error(t, err)
			assert.Nil(t, cfg, "no partial config on error")
			var ce *Error
			require.True(t, errors.As(err, &ce), "error is *config.Error")
			want := strings.NewReplacer("{file}", file, "{dir}", dir, "{names}", "ENV_HOME").Replace(c.want)
			assert.Equal(t, want, ce.Msg)
			assert.NotEmpty(t, ce.File)
			assert.Contains(t, err.Error(), ce.Msg)
		})
	}
}

func mustLoad(t *testing.T, conf string) *Config {
	t.Helper()
	_, file := writeCase(t, loadCase{conf: conf})
	cfg, err := LoadWith(file, testEnv)
	require.NoError(t, err)
	return cfg
}

func program(t *testing.T, cfg *Config, name string) supervisor.ProgramSpec {
	t.Helper()
	for _, p := range cfg.Programs {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no program %q", name)
	return supervisor.ProgramSpec{}
}

// expandAll expands a template for every process as the root package does.
func expandAll(t *testing.T, p supervisor.ProgramSpec, tmpl string) []string {
	t.Helper()
	var out []string
	for i := 0; i < p.NumProcs; i++ {
		vars := map[string]any{"program_name": p.Name, "group_name": p.Name, "process_num": p.NumProcsStart + i,
			"numprocs": p.NumProcs, "host_node_name": "testhost"}
		for k, v := range p.Vars {
			vars[k] = v
		}
		if p.Group != "" {
			vars["group_name"] = p.Group
		}
		s, err := pyfmt.Expand(tmpl, vars)
		require.NoError(t, err)
		out = append(out, s)
	}
	return out
}

func TestCheck1NumprocsProcessNames(t *testing.T) {
	cfg := mustLoad(t, sd+"[program:foo1]\ncommand=/bin/true\nnumprocs=3\nprocess_name=%(program_name)s_%(process_num)02d\n")
	p := program(t, cfg, "foo1")
	assert.Equal(t, 3, p.NumProcs)
	assert.Equal(t, []string{"foo1_00", "foo1_01", "foo1_02"}, expandAll(t, p, p.ProcessName))
	assert.Equal(t, "", p.Group, "own group, named after the program")
}

func TestCheck3EnvironmentQuoting(t *testing.T) {
	cfg := mustLoad(t, sd+"[program:a]\ncommand=/bin/true\nnumprocs=2\nprocess_name=%(process_num)s\nenvironment=A=\"x,y\",B='q',C=%(process_num)d\n")
	p := program(t, cfg, "a")
	assert.Equal(t, "x,y", p.Environment["A"])
	assert.Equal(t, "q", p.Environment["B"])
	assert.Equal(t, []string{"0", "1"}, expandAll(t, p, p.Environment["C"]))
}

func TestCheck7InlineCommentsAndContinuation(t *testing.T) {
	cfg := mustLoad(t, sd+"[program:a]\ncommand=/bin/echo first\n  second\n\n  third\nenvironment=X=b ;c\n[program:b]\ncommand=/bin/echo a;b ;c # d\nenvironment=X=b;Y=c\n")
	a, b := program(t, cfg, "a"), program(t, cfg, "b")
	assert.Equal(t, "/bin/echo first\nsecond\n\nthird", a.Command)
	assert.Equal(t, "b", a.Environment["X"])
	assert.Equal(t, "/bin/echo a;b ;c", b.Command)
	assert.Equal(t, map[string]string{"X": "b", "Y": "c"}, b.Environment, "';' separates pairs in environment=")
}

func TestCheck8ByteSizes(t *testing.T) {
	for in, want := range map[string]int64{"50MB": 52428800, "1kb": 1024, "1gb": 1073741824, "1 MB": 1 << 20, "-1": -1, "7": 7} {
		got, err := byteSize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for in, msg := range map[string]string{"1.5MB": "'1.5'", "1K": "'1k'", "5xb": "'5xb'", "MB": "''"} {
		_, err := byteSize(in)
		require.Error(t, err, in)
		assert.Equal(t, "invalid literal for int() with base 10: "+msg, err.Error())
	}
}

func TestCheck9Booleans(t *testing.T) {
	for _, s := range []string{"yes", "TRUE", "On", "1"} {
		b, err := pyBool(s)
		require.NoError(t, err)
		assert.True(t, b, s)
	}
	for _, s := range []string{"no", "False", "OFF", "0"} {
		b, err := pyBool(s)
		require.NoError(t, err)
		assert.False(t, b, s)
	}
	_, err := pyBool("2")
	assert.EqualError(t, err, "not a valid boolean value: '2'")
}

func TestCheck10Signals(t *testing.T) {
	for _, s := range []string{"term", "SIGTERM", "15", " sigterm "} {
		sig, err := signalNumber(s)
		require.NoError(t, err, s)
		assert.Equal(t, syscall.SIGTERM, sig, s)
	}
	_, err := signalNumber("FOO")
	assert.EqualError(t, err, "value 'FOO' is not a valid signal name")
}

func TestCheck12KillAsGroupFollowsStopAsGroup(t *testing.T) {
	p := program(t, mustLoad(t, sd+"[program:a]\ncommand=/bin/true\nstopasgroup=true\n"), "a")
	assert.True(t, p.StopAsGroup)
	assert.True(t, p.KillAsGroup)
}

func TestCheck16Include(t *testing.T) {
	c := loadCase{conf: sd + "[include]\nfiles=inc/*.ini nomatch/*.conf\n",
		files: map[string]string{"inc/b.ini": "[program:b]\ncommand=/bin/true\nstdout_logfile=%(here)s/b.log\n"}}
	dir, file := writeCase(t, c)
	cfg, err := LoadWith(file, testEnv)
	require.NoError(t, err)
	b := program(t, cfg, "b")
	assert.Equal(t, filepath.Join(dir, "inc", "b.log"), b.Stdout.File)
	assert.Equal(t, []string{`Included extra file "` + dir + `/inc/b.ini" during parsing`}, cfg.Infos)
	assert.Equal(t, []string{`No file matches via include "` + dir + `/nomatch/*.conf"`}, cfg.Warnings)
	assert.Equal(t, []string{dir + "/inc/b.ini"}, cfg.Included)
}

func TestDefaults(t *testing.T) {
	cfg := mustLoad(t, sd+"[program:a]\ncommand=/bin/true\n")
	p := program(t, cfg, "a")
	// supervisord's defaults, written out: the config gives every value.
	log := supervisor.LogSpec{File: supervisor.AutoLog, MaxBytes: 50 << 20, Backups: 10}
	want := supervisor.ProgramSpec{Name: "a", Command: "/bin/true", ProcessName: "%(program_name)s",
		NumProcs: 1, Priority: 999, GroupPriority: 999, StartSecs: time.Second, StartRetries: 3,
		ExitCodes: []int{0}, StopSignal: syscall.SIGTERM, StopWaitSecs: 10 * time.Second,
		Stdout: log, Stderr: log, Vars: p.Vars}
	assert.Equal(t, want, p)
	s := cfg.Supervisord
	assert.Equal(t, int64(50<<20), s.LogfileMaxBytes)
	assert.Equal(t, 10, s.LogfileBackups)
	assert.Equal(t, "info", s.LogLevel)
	assert.Equal(t, 1024, s.MinFDs)
	assert.Equal(t, 200, s.MinProcs)
	assert.Equal(t, "supervisor", s.Identifier)
	assert.EqualValues(t, 0o22, s.Umask)
	assert.True(t, filepath.IsAbs(s.Logfile))
	assert.Equal(t, "supervisord.log", filepath.Base(s.Logfile))
	assert.Equal(t, "supervisord.pid", filepath.Base(s.Pidfile))
	assert.Nil(t, cfg.Supervisorctl)
	assert.Empty(t, cfg.HTTPServers)
}

func TestProgramAllKeys(t *testing.T) {
	var c loadCase
	for _, lc := range loadCases {
		if lc.name == "program all keys" {
			c = lc
		}
	}
	dir, file := writeCase(t, c)
	cfg, err := LoadWith(file, testEnv)
	require.NoError(t, err)
	p := program(t, cfg, "all")
	assert.Equal(t, 2, p.NumProcs)
	assert.Equal(t, 5, p.NumProcsStart)
	assert.Equal(t, 10, p.Priority)
	assert.True(t, p.NoAutostart)
	assert.Equal(t, time.Duration(-1), p.StartSecs, "startsecs=0 is written as -1")
	assert.Equal(t, 7, p.StartRetries)
	assert.Equal(t, supervisor.RestartAlways, p.AutoRestart)
	assert.Equal(t, []int{0, 2}, p.ExitCodes)
	assert.Equal(t, syscall.SIGINT, p.StopSignal)
	assert.Equal(t, 3*time.Second, p.StopWaitSecs)
	assert.True(t, p.StopAsGroup && p.KillAsGroup)
	assert.Equal(t, "root", p.User)
	assert.Equal(t, "/tmp", p.Directory)
	require.NotNil(t, p.Umask)
	assert.EqualValues(t, 0o002, *p.Umask)
	assert.Equal(t, []string{dir + "/logs/all-5.out", dir + "/logs/all-6.out"}, expandAll(t, p, p.Stdout.File))
	assert.Equal(t, supervisor.LogSpec{File: p.Stdout.File, MaxBytes: 1024, Backups: 2, CaptureMaxBytes: 1 << 20, EventsEnabled: true, Syslog: true}, p.Stdout)
	assert.Equal(t, supervisor.LogSpec{}, p.Stderr)
	assert.Equal(t, []string{"all_5", "all_6"}, expandAll(t, p, p.ProcessName))
	assert.Equal(t, "1", p.Environment["A"])
	assert.Equal(t, []string{"5", "6"}, expandAll(t, p, p.Environment["B"]))
	assert.Equal(t, "", p.ServerURL)
	assert.Equal(t, dir, p.Vars["here"])
	assert.NotContains(t, p.Vars, "ENV_HOME", "no template names it")
}

// The spec carries the ENV_X values its templates name, and only those:
// a copy of the whole environment per program would cost every program
// memory for nothing.
func TestVarsCarryReferencedEnvOnly(t *testing.T) {
	cfg := mustLoad(t, sd+"environment=ZZ_CMD_ARG=from-env,ZZ_UNUSED=x\n[program:a]\ncommand=/bin/echo %(ENV_ZZ_CMD_ARG)s\nenvironment=B=%(ENV_HOME)s/b\n[program:b]\ncommand=/bin/true\n")
	a, b := cfg.Programs[0], cfg.Programs[1]
	assert.Equal(t, map[string]string{"here": a.Vars["here"], "ENV_ZZ_CMD_ARG": "from-env", "ENV_HOME": "/root"}, a.Vars)
	assert.Equal(t, map[string]string{"here": b.Vars["here"]}, b.Vars)
	procs, err := a.Processes()
	require.NoError(t, err)
	assert.Equal(t, "/bin/echo from-env", procs[0].Command)
	assert.Equal(t, "/root/b", procs[0].Environment["B"])
}

func TestGroups(t *testing.T) {
	cfg := mustLoad(t, sd+"[group:g]\nprograms=a,b\npriority=5\n[program:a]\ncommand=/bin/true\npriority=7\n[program:b]\ncommand=/bin/true\n[program:c]\ncommand=/bin/true\npriority=1\n")
	require.Len(t, cfg.Programs, 3)
	assert.Equal(t, "c", cfg.Programs[0].Name, "groups sorted by priority")
	a := program(t, cfg, "a")
	assert.Equal(t, "g", a.Group)
	assert.Equal(t, 5, a.GroupPriority)
	assert.Equal(t, 7, a.Priority)
	assert.Equal(t, []Group{{Name: "g", Priority: 5, Programs: []string{"a", "b"}}}, cfg.Groups)
	c := program(t, cfg, "c")
	assert.Equal(t, "", c.Group)
	assert.Equal(t, 1, c.GroupPriority)
}

func TestLogFileTemplates(t *testing.T) {
	cfg := mustLoad(t, sd+"[program:a]\ncommand=/bin/true\nstdout_logfile=/tmp/a%%%%b.log\nstderr_logfile=~/x.log\nnumprocs=2\nprocess_name=%(process_num)s\n")
	p := program(t, cfg, "a")
	assert.Equal(t, []string{"/tmp/a%b.log", "/tmp/a%b.log"}, expandAll(t, p, p.Stdout.File), "log names are expanded twice")
	home := os.Getenv("HOME")
	assert.Equal(t, []string{home + "/x.log", home + "/x.log"}, expandAll(t, p, p.Stderr.File))
}

func TestServersAndCtl(t *testing.T) {
	cfg := mustLoad(t, sd+"[inet_http_server]\nport=*:9001\nusername=u\npassword={SHA}abc\n[inet_http_server:two]\nport=LocalHost:9002\n[unix_http_server]\nfile=/tmp/../tmp/x.sock\nchown=0:0\n[supervisorctl]\nserverurl=unix:///tmp//x.sock\nprompt=hi\nhistory_file=%(here)s/h\n")
	require.Len(t, cfg.HTTPServers, 3)
	assert.Equal(t, HTTPServer{Section: "inet_http_server", Network: "tcp", Port: 9001, Username: "u", Password: "{SHA}abc", HasAuth: true, ChownUID: -1, ChownGID: -1}, cfg.HTTPServers[0])
	assert.Equal(t, "localhost", cfg.HTTPServers[1].Host)
	assert.Equal(t, "two", cfg.HTTPServers[1].Name)
	assert.Equal(t, HTTPServer{Section: "unix_http_server", Network: "unix", File: "/tmp/x.sock", Chmod: 0o700}, cfg.HTTPServers[2])
	require.NotNil(t, cfg.Supervisorctl)
	assert.Equal(t, "unix:///tmp/x.sock", cfg.Supervisorctl.ServerURL)
	assert.Equal(t, "hi", cfg.Supervisorctl.Prompt)
	assert.Equal(t, cfg.Here+"/h", cfg.Supervisorctl.HistoryFile)
}

func TestSupervisorctlErrorIsOnlyAWarning(t *testing.T) {
	cfg := mustLoad(t, sd+"[supervisorctl]\nprompt=%(nope)s\n")
	assert.Nil(t, cfg.Supervisorctl)
	require.Len(t, cfg.Warnings, 1)
	assert.Contains(t, cfg.Warnings[0], "contains names ('nope')")
}

func TestErrorLocation(t *testing.T) {
	_, file := writeCase(t, loadCase{conf: sd + "[program:a]\ncommand=/bin/true\n\nstopsignal=FOO\n"})
	_, err := LoadWith(file, testEnv)
	var ce *Error
	require.True(t, errors.As(err, &ce))
	assert.Equal(t, Error{File: file, Line: 5, Section: "program:a", Key: "stopsignal",
		Msg: "value 'FOO' is not a valid signal name in section 'program:a' (file: '" + file + "')"}, *ce)
	assert.Equal(t, file+":5: [program:a] stopsignal: "+ce.Msg, err.Error())
}

func TestMissingFile(t *testing.T) {
	_, err := Load("/nonexistent/supervisord.conf")
	assert.EqualError(t, err, "/nonexistent/supervisord.conf: could not find config file /nonexistent/supervisord.conf")
}

func TestSeedTutorial(t *testing.T) {
	cfg, err := LoadWith("testdata/seed-tutorial.conf", testEnv)
	require.NoError(t, err)
	foo, foo1 := program(t, cfg, "foo"), program(t, cfg, "foo1")
	assert.Equal(t, `"/bin/echo %(program_name)s_%(process_num)02d "`, foo.Command)
	assert.Equal(t, supervisor.RestartAlways, foo.AutoRestart)
	assert.True(t, foo.RedirectStderr)
	assert.Equal(t, "", foo.Stderr.File)
	assert.Equal(t, []string{"foo1_00", "foo1_01", "foo1_02"}, expandAll(t, foo1, foo1.ProcessName))
	assert.Equal(t, []string{"/bin/echo foo1_00", "/bin/echo foo1_01", "/bin/echo foo1_02"}, expandAll(t, foo1, foo1.Command))
	assert.Equal(t, supervisor.RestartNever, foo1.AutoRestart)
	assert.Equal(t, -1, foo1.StartRetries, "startretries=0 is written as -1")
	require.Len(t, cfg.HTTPServers, 1)
	assert.Equal(t, "127.0.0.1", cfg.HTTPServers[0].Host)
	assert.Equal(t, []RPCInterface{{Name: "supervisor", Factory: mainRPCFactory, Extras: map[string]string{}}}, cfg.RPCInterfaces)
	assert.Equal(t, "/tmp/supervisord.log", cfg.Supervisord.Logfile)
}
