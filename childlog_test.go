package supervisor

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Check 31: AUTO logs are named <proc>-<channel>---<identifier>-XXXXXXXX.log
// in the child log directory, mode 0600, and exist from activation on.
func TestAutoLogFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := newSpec("foo", "/bin/sleep 1000")
	spec.NoAutostart = true
	ts := startSup(t, []ProgramSpec{spec}, WithChildLogDir(dir), WithIdentifier("myid"))
	info := ts.proc(t, "foo").Info()
	for ch, path := range map[string]string{"stdout": info.StdoutLogfile, "stderr": info.StderrLogfile} {
		assert.Equal(t, dir, filepath.Dir(path))
		assert.Regexp(t, regexp.MustCompile(`^foo-`+ch+`---myid-[a-z0-9_]{8}\.log$`), filepath.Base(path))
		fi, err := os.Stat(path)
		require.NoError(t, err, "created although never started")
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}
}

// Output reaches the log files; redirect_stderr merges stderr into stdout;
// reads, tails and clears go through the Supervisor (check 37's tail).
func TestChildLogReadTailClear(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.log")
	spec := newSpec("talker", `/bin/sh -c "printf 0123456789012345678901234567890123456789; printf 'abcdefgh'; echo oops >&2; exec sleep 1000"`)
	spec.StartSecs = -1
	spec.Stdout.File = out
	spec.Stderr.File = ""
	spec.Stdout.EventsEnabled = true
	spec.Stderr.EventsEnabled = true
	merged := newSpec("merged", `/bin/sh -c "echo to-out; echo to-err >&2; exec sleep 1000"`)
	merged.StartSecs = -1
	merged.RedirectStderr = true
	merged.Stdout.File = filepath.Join(dir, "merged.log")
	merged.Stdout.EventsEnabled = true
	ts := startSup(t, []ProgramSpec{spec, merged})
	ts.waitOutput(t, "talker", "abcdefgh")
	ts.waitOutput(t, "talker", "oops") // stderr has its own reader
	ts.waitOutput(t, "merged", "to-err")

	data, err := ts.proc(t, "talker").ReadLog(ChannelStdout, 0, 0)
	require.NoError(t, err)
	assert.Equal(t, "0123456789012345678901234567890123456789abcdefgh", string(data))
	tail, off, overflow, err := ts.proc(t, "talker").TailLog(ChannelStdout, 0, 10)
	require.NoError(t, err)
	assert.Equal(t, []any{"89abcdefgh", int64(48), true}, []any{string(tail), off, overflow})
	_, err = ts.proc(t, "talker").ReadLog(ChannelStdout, -10, 5)
	assert.ErrorIs(t, err, ErrBadArguments)
	_, err = ts.proc(t, "talker").ReadLog(ChannelStderr, 0, 0)
	assert.ErrorIs(t, err, ErrNoFile, "stderr has no file")
	recent, err := ts.proc(t, "talker").RecentOutput(ChannelStderr)
	require.NoError(t, err)
	assert.Equal(t, "oops\n", string(recent), "output without a file is still kept in memory")

	mergedLog, err := os.ReadFile(merged.Stdout.File)
	require.NoError(t, err)
	assert.Equal(t, "to-out\nto-err\n", string(mergedLog))
	info := ts.proc(t, "merged").Info()
	assert.Empty(t, info.StderrLogfile)

	err = ts.proc(t, "talker").ClearLogs()
	require.NoError(t, err)
	data, err = os.ReadFile(out)
	require.NoError(t, err)
	assert.Empty(t, data)
}

// Check 33 through a real child: rotation after the write, backups kept.
func TestChildLogRotation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "rot.log")
	spec := newSpec("rot", `/bin/sh -c "i=0; while [ $i -lt 100 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done; exec sleep 1000"`)
	spec.StartSecs = -1
	spec.Stdout = LogSpec{File: path, MaxBytes: 1024, Backups: 2, EventsEnabled: true}
	ts := startSup(t, []ProgramSpec{spec})
	ts.waitOutput(t, "rot", "line-99-")
	// How reads chunk the output is up to the pipe, and rotation happens
	// after each write; so assert what holds for any chunking.
	var kept []byte
	for _, suffix := range []string{".2", ".1", ""} {
		b, err := os.ReadFile(path + suffix)
		if suffix == ".2" && os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err, suffix)
		kept = append(kept, b...)
	}
	_, err := os.Stat(path + ".3")
	assert.ErrorIs(t, err, os.ErrNotExist, "never more than backups")
	var all strings.Builder
	for i := range 100 {
		fmt.Fprintf(&all, "line-%d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", i)
	}
	assert.True(t, strings.HasSuffix(all.String(), string(kept)), "kept files are the end of the output")
	base, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Less(t, len(base), 1024, "the current file was rotated once it reached maxbytes")
}

// No loss (issue 4): a child writes 256 MiB of numbered lines through
// rotation; the bytes kept are exactly the tail of what it wrote.
func TestChildLogNoLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 256 MiB")
	}
	t.Parallel()
	const total = 256 << 20
	dir := t.TempDir()
	path := filepath.Join(dir, "big.log")
	spec := newSpec("big", helperCmd(t, "numbered", "268435456"))
	spec.Environment = helperEnv()
	spec.StartSecs = -1
	spec.AutoRestart = RestartNever
	spec.Stdout = LogSpec{File: path, MaxBytes: 8 << 20, Backups: 3}
	ts := startSup(t, []ProgramSpec{spec})
	ts.waitState(t, "big", Exited)
	ts.log.waitFor(t, "exited: big (exit status 0; expected)", 1)
	// The exit is seen before the last output may be read: wait for the
	// reader to finish (bounded by drainTimeout).
	p := ts.proc(t, "big")
	p.readers.Wait()

	var kept []byte
	for _, suffix := range []string{".3", ".2", ".1", ""} {
		b, err := os.ReadFile(path + suffix)
		require.NoError(t, err, suffix)
		kept = append(kept, b...)
	}
	require.NotEmpty(t, kept)
	// Rebuild the same stream and compare its tail.
	stream := make([]byte, 0, total+100)
	for i := 0; len(stream) < total; i++ {
		stream = appendNumberedLine(stream, i)
	}
	stream = stream[:total]
	assert.True(t, bytes.HasSuffix(stream, kept), "kept bytes are the exact tail of the stream (kept %d bytes)", len(kept))
	assert.GreaterOrEqual(t, len(kept), 3*(8<<20), "three full backups kept")
	first := strings.SplitN(string(kept), "\n", 2)[0]
	t.Logf("kept %d bytes from line %q on", len(kept), first)
}
