package ctldiff

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/supervise-go/supervisor/internal/proctest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	code := m.Run()
	// Every daemon Run started has been waited for, and its programs stopped.
	if left := proctest.Leftovers("CTLDIFF_TEST", "1", true); code == 0 && len(left) > 0 {
		fmt.Fprintf(os.Stderr, "processes left behind:\n%s\n", strings.Join(left, "\n"))
		code = 1
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

func init() {
	// The daemons and their programs inherit the marker Leftovers looks for.
	os.Setenv("CTLDIFF_TEST", "1")
}

// needSupervisor skips a test when Debian's supervisor package is missing,
// except in CI, which must have it.
func needSupervisor(t *testing.T) {
	t.Helper()
	for _, p := range []string{"supervisord", "supervisorctl"} {
		if _, err := exec.LookPath(p); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is required in CI (apt-get install supervisor)", p)
			}
			t.Skipf("%s not installed", p)
		}
	}
}

func TestIsolate(t *testing.T) {
	const dir = "/d"
	cases := []struct{ name, in, want string }{
		{
			name: "sections added to a config with programs only",
			in:   "[program:a]\ncommand=/bin/sleep 1 ; {DIR} too\n",
			want: "[program:a]\ncommand=/bin/sleep 1 ; /d too\n" +
				"[supervisord]\nlogfile=/d/supervisord.log\npidfile=/d/supervisord.pid\nchildlogdir=/d\n" +
				"[inet_http_server]\nport=127.0.0.1:4242\n" +
				"[supervisorctl]\nserverurl=http://127.0.0.1:4242\n" +
				"[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory=supervisor.rpcinterface:make_main_rpcinterface\n",
		},
		{
			name: "keys replaced in place, others and comments kept, unix server dropped",
			in: "; top\n[supervisord]\nlogfile = /tmp/x.log\n  continued\nLOGFILE_maxbytes: 1MB\nchildlogdir: /tmp\n" +
				"[unix_http_server]\nfile=/tmp/s.sock\n" +
				"[inet_http_server] ; web\nport=127.0.0.1:9001\nusername=user\npassword=123\n" +
				"[supervisorctl]\nserverurl=unix:///tmp/s.sock\nusername=user\npassword=123\n" +
				"[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n" +
				"[program:a]\ncommand=/bin/sleep 1\nlogfile=stays",
			want: "; top\n[supervisord]\nlogfile=/d/supervisord.log\npidfile=/d/supervisord.pid\nchildlogdir=/d\nLOGFILE_maxbytes: 1MB\n" +
				"[inet_http_server] ; web\nport=127.0.0.1:4242\nusername=user\npassword=123\n" +
				"[supervisorctl]\nserverurl=http://127.0.0.1:4242\nusername=user\npassword=123\n" +
				"[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory=supervisor.rpcinterface:make_main_rpcinterface\n" +
				"[program:a]\ncommand=/bin/sleep 1\nlogfile=stays\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, Isolate(c.in, dir, 4242))
		})
	}
}

func TestNormalise(t *testing.T) {
	cases := []struct{ in, want string }{
		{"sleeper                          RUNNING   pid 81234, uptime 0:00:03\n",
			"sleeper                          RUNNING   pid N, uptime T"},
		{"x RUNNING   pid 7, uptime 2 days, 3:04:05", "x RUNNING   pid N, uptime T"},
		{"manual                           STOPPED   Mar 05 02:13 PM\n", "manual                           STOPPED   DATE"},
		{"4321\n", "N"},
		{"4321 and more\n", "4321 and more"},
		{"log /tmp/ctl/ours/foo1_01-stdout---supervisor-k2j_x9ab.log\n", "log {DIR}/foo1_01-stdout---supervisor-XXXXXX.log"},
		{"no such file: /tmp/ctl/ours/x.conf", "no such file: {DIR}/x.conf"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, Normalise(c.in, "/tmp/ctl/ours"), c.in)
	}
}

// A config with programs in each state a status can show.
const sampleConf = `[program:sleeper]
command=/bin/sleep 1000
startsecs=0
[program:manual]
command=/bin/sleep 1000
autostart=false
[program:talker]
command=/bin/sh -c "echo hello from {DIR}; exec sleep 1000"
startsecs=0
`

var sampleCommands = []string{"status", "pid", "pid sleeper", "stop sleeper", "status sleeper",
	"tail talker", "status nosuch", "start 'nosuch'"}

// The same daemon on both sides: every answer is the same once normalised.
func TestRunSameDaemon(t *testing.T) {
	needSupervisor(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := Run(ctx, Config{Conf: sampleConf, Ours: Reference, Wait: 500 * time.Millisecond,
		Commands: sampleCommands, Dir: t.TempDir()})
	require.NoError(t, err)
	assert.True(t, res.Same(), res.String())
	require.Len(t, res.Ours.Answers, len(sampleCommands))
	assert.Equal(t, res.Reference.Answers, res.Ours.Answers)
	a := res.Ours.Answers
	assert.Regexp(t, `(?m)^manual +STOPPED +Not started\nsleeper +RUNNING +pid N, uptime T\ntalker +RUNNING +pid N, uptime T$`, a[0].Output)
	assert.Equal(t, 3, a[0].Status, "manual is stopped")
	assert.Equal(t, Answer{"N", 0}, a[1])
	assert.Equal(t, Answer{"N", 0}, a[2])
	assert.Equal(t, Answer{"sleeper: stopped", 0}, a[3])
	assert.Regexp(t, `^sleeper +STOPPED +DATE$`, a[4].Output)
	assert.Equal(t, Answer{"hello from {DIR}", 0}, a[5])
	assert.Equal(t, Answer{"nosuch: ERROR (no such process)", 4}, a[6])
	assert.Equal(t, Answer{"nosuch: ERROR (no such process)", 1}, a[7], "a quoted word")
	assert.True(t, strings.HasSuffix(res.String(), "8 same, 0 different"), res.String())
	assert.Contains(t, res.Reference.Output, "supervisord started with pid", "the daemon's own output is kept")
}

// A daemon that answers differently is reported command by command.
func TestRunReportsDifferences(t *testing.T) {
	needSupervisor(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// "Ours" is supervisord on a config where manual starts by itself, and
	// is RUNNING at once (with startsecs=1, a loaded machine showed it
	// STARTING at the first status).
	ours := []string{"/bin/sh", "-c", `sed -i 's/^autostart=false$/autostart=true\nstartsecs=0/' "$1" && exec supervisord -n -c "$1"`, "sh", "{conf}"}
	res, err := Run(ctx, Config{Conf: sampleConf, Ours: ours, Wait: 500 * time.Millisecond,
		Commands: []string{"status manual", "pid sleeper", "start manual"}, Dir: t.TempDir()})
	require.NoError(t, err)
	assert.False(t, res.Same())
	assert.Equal(t, []int{0, 2}, res.Diffs)
	report := res.String()
	assert.Contains(t, report, "DIFF  status manual\n  supervisord (exit 3):\n      manual                           STOPPED   Not started\n"+
		"  ours        (exit 0):\n      manual                           RUNNING   pid N, uptime T\n")
	assert.Contains(t, report, "SAME  pid sleeper\n")
	assert.Contains(t, report, "DIFF  start manual\n  supervisord (exit 0):\n      manual: started\n"+
		"  ours        (exit 0):\n      manual: ERROR (already started)\n")
	assert.True(t, strings.HasSuffix(report, "1 same, 2 different"), report)
}

// A daemon that never serves is an error that shows what it printed.
func TestRunDaemonThatExits(t *testing.T) {
	needSupervisor(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := Run(ctx, Config{Conf: sampleConf, Ours: []string{"/bin/sh", "-c", "echo cannot start; exit 3"},
		Commands: []string{"status"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ours: the daemon exited (exit status 3) before it listened")
	assert.Contains(t, err.Error(), "cannot start")
	assert.NotContains(t, err.Error(), "supervisord:", "the reference ran")
}
