package supervisor

import (
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helperNotify sends sd_notify datagrams to $NOTIFY_SOCKET: each step is
// "sleep:DURATION", "every:DURATION:MSG" (send MSG forever at that
// period), or a message such as READY=1 or STATUS=text. It then sleeps.
func helperNotify(steps []string) int {
	conn, err := net.Dial("unixgram", os.Getenv("NOTIFY_SOCKET"))
	if err != nil {
		return 3
	}
	for _, step := range steps {
		switch {
		case strings.HasPrefix(step, "sleep:"):
			d, _ := time.ParseDuration(strings.TrimPrefix(step, "sleep:"))
			time.Sleep(d)
		case strings.HasPrefix(step, "every:"):
			ds, msg, _ := strings.Cut(strings.TrimPrefix(step, "every:"), ":")
			d, _ := time.ParseDuration(ds)
			for {
				_, _ = conn.Write([]byte(msg))
				time.Sleep(d)
			}
		default: // '|' separates the lines of one datagram
			_, _ = conn.Write([]byte(strings.ReplaceAll(step, "|", "\n")))
		}
	}
	select {}
}

func notifySpec(t *testing.T, name string, steps ...string) ProgramSpec {
	spec := newSpec(name, helperCmd(t, append([]string{"notify"}, steps...)...))
	spec.Environment = helperEnv()
	spec.Priority, spec.GroupPriority = 1, 1
	return spec
}

// Issue 13, part 4: Ready = "notify" makes a process RUNNING when it sends
// READY=1; its STATUS= text is its description meanwhile.
func TestReadyNotify(t *testing.T) {
	t.Parallel()
	spec := notifySpec(t, "svc", "STATUS=loading", "sleep:600ms", "READY=1|STATUS=serving")
	spec.Ready = ReadyNotify
	ts := startSup(t, []ProgramSpec{spec})
	deadline := time.Now().Add(waitLong)
	for ts.proc(t, "svc").Info().Description() != "loading" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	info := ts.proc(t, "svc").Info()
	assert.Equal(t, Starting, info.State)
	assert.Equal(t, "loading", info.Description())
	info = ts.waitState(t, "svc", Running)
	assert.Equal(t, "serving", info.Status)
	ts.log.waitFor(t, "success: svc entered RUNNING state, process is ready (x_ready notify)", 1)
}

// A process that stops sending WATCHDOG=1 for Watchdog is restarted;
// one that keeps sending is left alone.
func TestWatchdog(t *testing.T) {
	t.Parallel()
	good := notifySpec(t, "good", "every:100ms:WATCHDOG=1")
	good.Watchdog = 700 * time.Millisecond
	good.StartSecs = -1
	silent := notifySpec(t, "silent", "WATCHDOG=1")
	silent.Watchdog = 500 * time.Millisecond
	silent.StartSecs = -1
	ts := startSup(t, []ProgramSpec{good, silent})
	goodPid := ts.waitState(t, "good", Running).Pid
	ts.log.waitFor(t, "unhealthy: silent sent no WATCHDOG=1 for 500ms (x_watchdog), restarting", 1)
	ts.log.waitFor(t, "spawned: 'silent'", 2)
	assert.Equal(t, goodPid, ts.proc(t, "good").Info().Pid, "pinging: left alone")
	assert.Empty(t, ts.log.messages("unhealthy: good"))
}

func TestNotifyRefused(t *testing.T) {
	t.Parallel()
	spec := newSpec("x", "/bin/true")
	spec.Watchdog = -time.Second
	spec.Health = ReadyNotify
	err := spec.Validate()
	require.ErrorIs(t, err, ErrBadSpec)
	assert.Contains(t, err.Error(), "watchdog: Watchdog must not be negative")
	assert.Contains(t, err.Error(), "health check 'notify': unknown kind")
}

// Garbage and oversized datagrams on the notify socket are ignored, each
// with a debug line; READY=1 after them still makes the process RUNNING.
func TestNotifyBadDatagrams(t *testing.T) {
	t.Parallel()
	huge := "STATUS=" + strings.Repeat("x", 10000) + "|READY=1"
	spec := notifySpec(t, "svc", "garbage", huge, "sleep:300ms", "READY=1")
	spec.Ready = ReadyNotify
	ts := startSup(t, []ProgramSpec{spec})
	ts.log.waitFor(t, "svc: notify message ignored: 'garbage'", 1)
	ts.log.waitFor(t, "svc: notify datagram over 4096 bytes ignored", 1)
	info := ts.waitState(t, "svc", Running)
	assert.Empty(t, info.Status, "nothing of the oversized datagram was taken")
}
