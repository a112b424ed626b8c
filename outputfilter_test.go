package supervisor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCaptureFeed(t *testing.T) {
	cases := []struct {
		name     string
		chunks   []string
		max      int64
		logged   string
		captured []string
	}{
		{"no tokens", []string{"hello\n", "world\n"}, 100, "hello\nworld\n", nil},
		{"one capture", []string{"a<!--XSUPERVISOR:BEGIN-->secret<!--XSUPERVISOR:END-->b"}, 100, "ab", []string{"secret"}},
		{"tokens split across chunks", []string{"a<!--XSUPER", "VISOR:BEGIN-->sec", "ret<!--XSUPERVISOR:E", "ND-->b\n"}, 100, "ab\n", []string{"secret"}},
		{"capture keeps its newest maxbytes", []string{"<!--XSUPERVISOR:BEGIN-->0123456789<!--XSUPERVISOR:END-->"}, 4, "", []string{"6789"}},
		{"two captures", []string{"<!--XSUPERVISOR:BEGIN-->x<!--XSUPERVISOR:END-->-<!--XSUPERVISOR:BEGIN-->y<!--XSUPERVISOR:END-->"}, 10, "-", []string{"x", "y"}},
		{"a lone < is not held back for ever", []string{"a <", " b\n"}, 10, "a < b\n", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cp := &capture{maxBytes: c.max}
			var logged strings.Builder
			var captured []string
			for _, ch := range c.chunks {
				l, done := cp.feed([]byte(ch))
				logged.Write(l)
				for _, d := range done {
					captured = append(captured, string(d))
				}
			}
			assert.Equal(t, c.logged, logged.String())
			assert.Equal(t, c.captured, captured)
		})
	}
}

func TestStripANSI(t *testing.T) {
	assert.Equal(t, "red plain", string(stripANSI([]byte("\x1b[31mred\x1b[0m plain"))))
	assert.Equal(t, "x", string(stripANSI([]byte("\x1b[2Jx"))))
	assert.Equal(t, "no escapes", string(stripANSI([]byte("no escapes"))))
}

func TestTimestamps(t *testing.T) {
	at := time.Date(2026, 11, 24, 3, 4, 5, 6e6, time.UTC)
	var ts timestamper
	out := string(ts.apply(at, []byte("one\ntw")))
	out += string(ts.apply(at, []byte("o\nthree\n")))
	assert.Equal(t, "2026-11-24 03:04:05.006 one\n2026-11-24 03:04:05.006 two\n2026-11-24 03:04:05.006 three\n", out)
}

// Capture mode end to end: the captured text becomes an event and stays out
// of the log; strip_ansi and timestamps apply to what is logged.
func TestCaptureModeAndFilters(t *testing.T) {
	t.Parallel()
	spec := newSpec("talker", `/bin/sh -c "printf 'before\n<!--XSUPERVISOR:BEGIN-->the payload<!--XSUPERVISOR:END-->\033[31mafter\033[0m\n'; exec sleep 1000"`)
	spec.StartSecs = -1
	spec.Stdout = LogSpec{CaptureMaxBytes: 1024, EventsEnabled: true, Timestamps: true}
	ts := startSup(t, []ProgramSpec{spec}, WithStripANSI(true))
	ts.waitOutput(t, "talker", "after\n")
	out, err := ts.proc(t, "talker").RecentOutput(ChannelStdout)
	require.NoError(t, err)
	assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} before\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} after\n$`, string(out))
	ts.events.mu.Lock()
	defer ts.events.mu.Unlock()
	var captured []string
	for _, ev := range ts.events.events {
		if ev.Kind == EventProcessCommunication {
			captured = append(captured, string(ev.Data))
			assert.Equal(t, "stdout", ev.Channel)
		}
	}
	assert.Equal(t, []string{"the payload"}, captured)
}

// After a quick respawn, the readers of the old child's pipe (held open by a
// grandchild that still writes) run beside the new child's for a while:
// capture and timestamps must not race between them (go test -race), and
// every line still comes out whole, with its timestamp.
func TestRespawnBesideOldReaders(t *testing.T) {
	t.Parallel()
	loop := func(n int, word string) string {
		return "for i in" + strings.Repeat(" x", n) + "; do echo " + word + "; sleep 0.005; done"
	}
	spec := newSpec("chatty", "/bin/sh -c '("+loop(200, "grandchild")+") & "+loop(40, "parent")+"'")
	spec.StartSecs = -1
	spec.AutoRestart = RestartAlways
	spec.Stdout = LogSpec{CaptureMaxBytes: 1024, Timestamps: true}
	ts := startSup(t, []ProgramSpec{spec})
	ts.log.waitFor(t, "spawned: 'chatty'", 4)
	err := ts.proc(t, "chatty").Stop(context.Background())
	require.NoError(t, err)
	out, err := ts.proc(t, "chatty").RecentOutput(ChannelStdout)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	require.NotEmpty(t, lines)
	for _, l := range lines[1:] { // the first may be cut by the tail's start
		assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (parent|grandchild)$`, l)
	}
}
