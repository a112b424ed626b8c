package supervisor

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readySpec is a sleeping program whose readiness check is check.
func readySpec(t *testing.T, name, check string) ProgramSpec {
	spec := sleeper(t, name, 1)
	spec.StartSecs = time.Hour // unused with Ready
	spec.Ready = check
	spec.ReadyInterval = 50 * time.Millisecond
	return spec
}

// Issue 13, part 4: with Ready, a process is RUNNING once its check
// succeeds (exec, tcp and http checks), not after StartSecs; a program
// depending on it is forked only then.
func TestReadyChecks(t *testing.T) {
	t.Parallel()
	flag := filepath.Join(t.TempDir(), "ready")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nobody listens until the test says so
	var healthy atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	web := sleeper(t, "web", 1)
	web.DependsOn = []Dependency{{Name: "byexec"}}
	ts := startSup(t, []ProgramSpec{
		readySpec(t, "byexec", "exec:test -f "+flag),
		readySpec(t, "bytcp", "tcp:"+addr),
		readySpec(t, "byhttp", srv.URL+"/health"),
		web,
	})
	time.Sleep(500 * time.Millisecond) // several failed checks
	for _, name := range []string{"byexec", "bytcp", "byhttp"} {
		assert.Equal(t, Starting, ts.proc(t, name).State(), name)
	}
	assert.Equal(t, "waiting for byexec", ts.proc(t, "web").Info().Description())

	require.NoError(t, os.WriteFile(flag, nil, 0o644))
	ts.waitState(t, "byexec", Running)
	ts.waitState(t, "web", Running)
	assert.Less(t, ts.lineIndex(t, "success: byexec entered RUNNING state, process is ready (x_ready exec:test -f "),
		ts.lineIndex(t, "spawned: 'web'"))

	l, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	defer l.Close()
	ts.waitState(t, "bytcp", Running)

	assert.Equal(t, Starting, ts.proc(t, "byhttp").State())
	healthy.Store(true)
	ts.waitState(t, "byhttp", Running)
}

// A check that does not succeed within ReadyTimeout fails the start: the
// child is killed and the start retried, then FATAL with the reason.
func TestReadyTimeout(t *testing.T) {
	t.Parallel()
	spec := readySpec(t, "never", "exec:false")
	spec.ReadyTimeout = 300 * time.Millisecond
	spec.StartRetries = 1
	ts := startSup(t, []ProgramSpec{spec})
	info := ts.waitState(t, "never", Fatal)
	assert.Equal(t, "not ready within 300ms (x_ready_timeout)", info.Description())
	assert.Len(t, ts.log.messages("spawned: 'never'"), 2, "one retry")
	assert.Len(t, ts.log.messages("exited: never (terminated by SIGKILL; not expected)"), 2)
}

// Ready = "log:REGEX": RUNNING at the first line of output that matches,
// on stdout or stderr.
func TestReadyLog(t *testing.T) {
	t.Parallel()
	spec := newSpec("svc", `/bin/sh -c "echo starting; sleep 0.5; echo ready soon >&2; echo 'server listening on :8080' >&2; exec sleep 1000"`)
	spec.Ready = `log:listening on :\d+$`
	spec.StartSecs = time.Hour
	ts := startSup(t, []ProgramSpec{spec})
	ts.log.waitFor(t, "spawned: 'svc'", 1)
	assert.Equal(t, Starting, ts.proc(t, "svc").State())
	ts.waitState(t, "svc", Running)
	ts.log.waitFor(t, `success: svc entered RUNNING state, process is ready (x_ready log:listening on :\d+$)`, 1)
	bad := newSpec("x", "/bin/true")
	bad.Ready = "log:("
	assert.ErrorContains(t, bad.Validate(), "ready check 'log:(': error parsing regexp: missing closing ): `(`")
}

// Ready = "fd:N": RUNNING when the child writes a newline to its fd N.
func TestReadyFD(t *testing.T) {
	t.Parallel()
	spec := newSpec("svc", `/bin/sh -c "sleep 0.5; echo >&5; exec sleep 1000"`)
	spec.Ready = "fd:5"
	ts := startSup(t, []ProgramSpec{spec})
	ts.log.waitFor(t, "spawned: 'svc'", 1)
	assert.Equal(t, Starting, ts.proc(t, "svc").State())
	ts.waitState(t, "svc", Running)
	ts.log.waitFor(t, "success: svc entered RUNNING state, process is ready (x_ready fd:5)", 1)
	for _, v := range []string{"fd:2", "fd:x", "fd:1024"} {
		bad := newSpec("x", "/bin/true")
		bad.Ready = v
		assert.ErrorContains(t, bad.Validate(), "ready check '"+v+"': want fd:N, N from 3 to 1023")
	}
}

// Readiness fields are validated.
func TestReadyRefused(t *testing.T) {
	t.Parallel()
	spec := newSpec("x", "/bin/true")
	spec.Ready = "ping"
	spec.ReadyTimeout = -time.Second
	err := spec.Validate()
	require.ErrorIs(t, err, ErrBadSpec)
	assert.Contains(t, err.Error(), "ready check 'ping': unknown kind (write notify, fd:N, log:REGEX, tcp:HOST:PORT, http://URL, https://URL or exec:COMMAND)")
	assert.Contains(t, err.Error(), "ready: ReadyInterval, ReadyProbeTimeout and ReadyTimeout must not be negative")
	spec = newSpec("x", "/bin/true")
	spec.Ready = "tcp:nowhere"
	assert.ErrorContains(t, spec.Validate(), "ready check 'tcp:nowhere': want tcp:HOST:PORT")
}

// A child that closes its notification fd without writing a newline can no
// longer become ready: that is logged, and ReadyTimeout ends the start.
func TestReadyFDClosedWithoutNewline(t *testing.T) {
	t.Parallel()
	spec := newSpec("svc", `/bin/sh -c "exec 5>&-; exec sleep 1000"`)
	spec.Ready = "fd:5"
	spec.ReadyTimeout = 2 * time.Second
	spec.StartRetries = -1
	ts := startSup(t, []ProgramSpec{spec})
	ts.log.waitFor(t, "svc closed its x_ready fd:5 without writing a newline: it is not ready", 1)
	assert.Equal(t, Starting, ts.proc(t, "svc").State())
	ts.waitState(t, "svc", Fatal)
}
