package daemon

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listenerConf has a childutils listener subscribed to every event, and
// programs that make each kind: output events, a capture, an exit. The
// programs sleep before their first output: with startsecs=0 supervisord
// calls a process RUNNING at its loop's next turn (up to a second later,
// after output read meanwhile), gosupervisord as soon as it is forked.
const listenerConf = `[supervisord]
logfile={DIR}/s.log
pidfile={DIR}/s.pid
childlogdir={DIR}
loglevel=debug
[program:quick]
command=/bin/sh -c 'sleep 1.5; echo hello; sleep 0.2; echo oops >&2; sleep 0.2; exit 3'
startsecs=0
autorestart=false
stdout_events_enabled=true
stderr_events_enabled=true
[program:cap]
command=/bin/sh -c 'sleep 1.5; printf "<!--XSUPERVISOR:BEGIN-->captured<!--XSUPERVISOR:END-->"; exec sleep 1000'
stdout_capture_maxbytes=1MB
startsecs=0
[eventlistener:rec]
command={PYTHON} -u {LISTENER} {DIR}/events ok
events=EVENT
buffer_size=100
`

// pids and times differ from run to run.
var volatile = regexp.MustCompile(`(pid|when):\d+`)

// events runs the config under daemon until the listener recorded quick's
// EXITED and cap's capture, and returns the events it got, TICKs left out
// (their number depends on timing), pids and serials blanked, grouped by
// process (the interleaving of two programs' events is timing too).
func listenerEvents(t *testing.T, daemon, python string) map[string][]string {
	t.Helper()
	listener, err := filepath.Abs("../../eventlistener/testdata/listener.py")
	require.NoError(t, err)
	conf := strings.NewReplacer("{PYTHON}", python, "{LISTENER}", listener).Replace(listenerConf)
	dir, path := writeConf(t, conf)
	cmd := exec.Command(daemon, "-n", "-c", path)
	require.NoError(t, cmd.Start())
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	var lines []string
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "events"))
		lines = strings.Split(strings.TrimSpace(string(b)), "\n")
		s := string(b)
		return strings.Contains(s, "PROCESS_STATE_EXITED") && strings.Contains(s, "PROCESS_COMMUNICATION_STDOUT")
	}, waitLong, 50*time.Millisecond, "events so far: %q", &lines)
	time.Sleep(300 * time.Millisecond) // anything that comes after
	b, _ := os.ReadFile(filepath.Join(dir, "events"))
	byProc := map[string][]string{}
	for i, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.SplitN(l, " ", 5)
		require.Len(t, f, 5, l)
		name, payload := f[0], strings.SplitN(f[4], "|", 2)[1]
		if strings.HasPrefix(name, "TICK") {
			continue
		}
		require.Equal(t, f[1], f[2], "serial and poolserial of the only pool: %s", l)
		_ = i
		key := "-"
		if m := regexp.MustCompile(`processname:(\S+)`).FindStringSubmatch(payload); m != nil {
			key = m[1]
		}
		byProc[key] = append(byProc[key], name+" "+f[3]+" "+volatile.ReplaceAllString(payload, "$1:N"))
	}
	return byProc
}

// gosupervisord's listener gets the same events, with the same headers and
// payloads, as supervisord 4.2.5's does with the same config.
func TestListenerEventsLikeSupervisord(t *testing.T) {
	t.Parallel()
	python := "/usr/bin/python3"
	if exec.Command(python, "-c", "import supervisor.childutils").Run() != nil {
		t.Skip("Debian's supervisor package is needed")
	}
	var ours, theirs map[string][]string
	done := make(chan struct{})
	go func() {
		defer close(done)
		theirs = listenerEvents(t, "/usr/bin/supervisord", python)
	}()
	ours = listenerEvents(t, daemonBin, python)
	<-done
	keys := func(m map[string][]string) []string {
		var k []string
		for key := range m {
			k = append(k, key)
		}
		sort.Strings(k)
		return k
	}
	require.Equal(t, keys(theirs), keys(ours))
	for _, k := range keys(theirs) {
		assert.Equal(t, theirs[k], ours[k], "events of %s", k)
	}
	assert.Contains(t, ours["quick"], "PROCESS_LOG_STDOUT rec processname:quick groupname:quick pid:N channel:stdout\\nhello\\n")
	assert.Contains(t, ours["cap"], "PROCESS_COMMUNICATION_STDOUT rec processname:cap groupname:cap pid:N\\ncaptured")
}

// shellListener is a one-line listener as supervisord's docs write them:
// it records each header line and answers OK.
const shellListener = `[eventlistener:shl]
command=/bin/sh -c 'while true; do printf "READY\n"; read line; echo "$line" >> {DIR}/shl; n=${line##*len:}; head -c $n >/dev/null; printf "RESULT 2\nOK"; done'
events=PROCESS_STATE_FATAL,REMOTE_COMMUNICATION
startsecs=0
`

// Listeners are processes like any other for supervisorctl: status, stop,
// start; reread and update remove and add their pools; and a shell
// one-liner gets its events.
func TestListenerWithSupervisorctl(t *testing.T) {
	needSupervisorctl(t)
	t.Parallel()
	conf := ctlBase + `[program:doomed]
command=/bin/false
startretries=0
autostart=false
` + shellListener
	dir, path, _ := startDaemon(t, conf)
	require.Eventually(t, func() bool {
		out, _ := ctl(t, path, "status", "shl")
		return regexp.MustCompile(`(?m)^shl\s+RUNNING\s+pid \d+`).MatchString(out)
	}, waitLong, 100*time.Millisecond)

	// A FATAL program and a remote event reach the one-liner.
	out, _ := ctl(t, path, "start", "doomed")
	assert.Equal(t, "doomed: ERROR (spawn error)\n", out)
	records := func(n int) []string {
		var lines []string
		ok := assert.Eventually(t, func() bool {
			b, _ := os.ReadFile(filepath.Join(dir, "shl"))
			lines = strings.Split(strings.TrimSpace(string(b)), "\n")
			return len(b) > 0 && len(lines) >= n
		}, waitLong, 50*time.Millisecond, "listener records: %q", &lines)
		if !ok {
			b, _ := os.ReadFile(filepath.Join(dir, "s.log"))
			t.Fatalf("main log:\n%s", b)
		}
		return lines
	}
	assert.Regexp(t, `^ver:3.0 server:supervisor serial:0 pool:shl poolserial:0 eventname:PROCESS_STATE_FATAL len:\d+$`, records(1)[0])

	// Stop and start it like a program.
	out, _ = ctl(t, path, "stop", "shl")
	assert.Equal(t, "shl: stopped\n", out)
	out, _ = ctl(t, path, "start", "shl")
	assert.Equal(t, "shl: started\n", out)

	// Without its section, update removes the pool; with it again, adds it.
	require.NoError(t, os.WriteFile(path, []byte(strings.ReplaceAll(strings.ReplaceAll(
		ctlBase, "{DIR}", dir), "{PORT}", portOf(t, path))), 0o644))
	out, _ = ctl(t, path, "reread")
	assert.Contains(t, out, "shl: disappeared")
	out, _ = ctl(t, path, "update")
	assert.Contains(t, out, "shl: removed process group")
	out, _ = ctl(t, path, "status")
	assert.NotContains(t, out, "shl")
	base, _ := os.ReadFile(path)
	require.NoError(t, os.WriteFile(path, append(base, strings.ReplaceAll(shellListener, "{DIR}", dir)...), 0o644))
	out, _ = ctl(t, path, "update")
	assert.Contains(t, out, "shl: added process group")
	require.Eventually(t, func() bool {
		out, _ := ctl(t, path, "status", "shl")
		return strings.Contains(out, "RUNNING")
	}, waitLong, 100*time.Millisecond)
}

// portOf returns the port of the config's inet_http_server.
func portOf(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	m := regexp.MustCompile(`port=127\.0\.0\.1:(\d+)`).FindSubmatch(b)
	require.NotNil(t, m)
	return string(m[1])
}
