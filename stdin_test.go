package supervisor

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// WriteStdin delivers every write, in order, to a child that reads its
// stdin; writes to one that never reads return at once and a stop is not
// held up by them; once the child closed its stdin, writes fail with
// ErrNoFile.
func TestWriteStdin(t *testing.T) {
	t.Parallel()
	echo := ProgramSpec{Name: "echo", Command: "/bin/cat", StartSecs: -1,
		Stdout: LogSpec{EventsEnabled: true}}
	deaf := ProgramSpec{Name: "deaf", Command: "/bin/sleep 1000", StartSecs: -1, StopWaitSecs: 5 * time.Second}
	closer := ProgramSpec{Name: "closer", Command: "/bin/sh -c 'exec 0<&-; exec sleep 1000'", StartSecs: -1}
	ts := startSup(t, []ProgramSpec{echo, deaf, closer})
	for _, n := range []string{"echo", "deaf", "closer"} {
		ts.waitState(t, n, Running)
	}

	var want strings.Builder
	for i := range 200 {
		line := strings.Repeat(string(rune('a'+i%26)), i) + "\n"
		want.WriteString(line)
		require.NoError(t, ts.proc(t, "echo").WriteStdin([]byte(line)))
	}
	ts.waitOutput(t, "echo", want.String()[want.Len()-300:])
	out, err := ts.proc(t, "echo").RecentOutput(ChannelStdout)
	require.NoError(t, err)
	assert.Equal(t, want.String(), string(out), "every write, in order")

	// 4 MiB is far more than a pipe holds: the writes only queue.
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	for range 64 {
		require.NoError(t, ts.proc(t, "deaf").WriteStdin(chunk))
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	require.NoError(t, ts.proc(t, "deaf").Stop(ctx), "a stop drops the queue")
	assert.ErrorIs(t, ts.proc(t, "deaf").WriteStdin([]byte("late\n")), ErrNotRunning)

	deadline := time.Now().Add(waitLong)
	for {
		err := ts.proc(t, "closer").WriteStdin([]byte("anyone?\n"))
		if err != nil {
			assert.ErrorIs(t, err, ErrNoFile)
			break
		}
		require.True(t, time.Now().Before(deadline), "writes to a closed stdin never failed")
		time.Sleep(10 * time.Millisecond)
	}
}
