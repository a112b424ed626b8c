//go:build linux && !portablespawner

package supervisor

import (
	"bytes"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// readerGoroutines counts the goroutines reading a child's output pipe.
func readerGoroutines() int {
	var b bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&b, 2)
	return strings.Count(b.String(), "supervisor.readPipe(")
}

// Quiet children cost no reader goroutine: their pipes wait on the
// spawner's watcher, and output after a long silence is still captured
// whole, in order, on both channels.
func TestQuietPipesHaveNoReader(t *testing.T) {
	t.Parallel()
	var specs []ProgramSpec
	for _, n := range []string{"q1", "q2", "q3"} {
		specs = append(specs, ProgramSpec{Name: n, Command: "/bin/sleep 1000", StartSecs: -1})
	}
	late := ProgramSpec{Name: "late", StartSecs: -1,
		Command: "/bin/sh -c 'echo one; sleep 1.5; echo two; echo err >&2; sleep 1.5; echo three; exec sleep 1000'",
		Stdout:  LogSpec{EventsEnabled: true}, Stderr: LogSpec{EventsEnabled: true}}
	ts := startSup(t, append(specs, late))
	ts.waitOutput(t, "late", "three\n")
	for ch, want := range map[Channel]string{ChannelStdout: "one\ntwo\nthree\n", ChannelStderr: "err\n"} {
		out, err := ts.proc(t, "late").RecentOutput(ch)
		assert.NoError(t, err)
		assert.Equal(t, want, string(out), ch)
	}

	// Each of the 8 pipes has been quiet for longer than idleHandBack.
	deadline := time.Now().Add(waitLong)
	for readerGoroutines() > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	assert.Zero(t, readerGoroutines(), "reader goroutines of quiet pipes")
	for _, n := range []string{"q1", "q2", "q3", "late"} {
		assert.Equal(t, Running, ts.proc(t, n).State(), n)
	}
}
