package supervisor

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// mountTmpfs mounts a tmpfs of size bytes on a new directory, unmounted
// when the test ends. It skips the test where mounting is not allowed
// (not root, or no CAP_SYS_ADMIN in a container).
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, fmt.Sprintf("size=%d,mode=0755", size))
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		t.Skipf("a full disk is simulated with a small tmpfs, which this test cannot mount here (%v): run it as root", err)
	}
	require.NoError(t, err, "mount tmpfs on %s", dir)
	t.Cleanup(func() {
		// Lazily: the LogFile may still hold its file open.
		assert.NoError(t, unix.Unmount(dir, unix.MNT_DETACH), "unmount %s", dir)
	})
	return dir
}

// fillDisk writes to path until the filesystem is full.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			require.ErrorIs(t, err, unix.ENOSPC)
			return
		}
	}
}

// lineLen is the length of a line of the writer below: long, so that the
// last page of its file, which the full disk still leaves it, fills fast.
const lineLen = 256

// lineFill completes a line of the writer after its number.
var lineFill = " " + strings.Repeat("x", lineLen-10)

// numberedLine is line i of the writer's output: i as 8 digits, a space,
// x up to lineLen and a newline.
func numberedLine(i int) string { return fmt.Sprintf("%08d%s\n", i, lineFill) }

// A child whose log file's filesystem fills up keeps running, its output
// is dropped without making it wait, and the main log says so exactly
// twice: once when writes begin to fail (with the file and the error) and
// once when they succeed again, with the number of bytes lost, which
// ProcessInfo counts too and which is exactly the gap in the file.
func TestLogFileFullDiskReported(t *testing.T) {
	t.Parallel()
	dir := mountTmpfs(t, 64<<10)
	logPath := filepath.Join(dir, "out.log")
	spec := newSpec("writer", `/bin/sh -c 'i=0; while :; do printf "%%08d`+lineFill+`\n" $i; i=$((i+1)); sleep 0.01; done'`)
	spec.StartSecs = -1
	spec.Stdout.File = logPath
	spec.Stdout.MaxBytes = 0
	spec.Stderr.File = ""
	ts := startSup(t, []ProgramSpec{spec})
	info := ts.waitState(t, "writer", Running)
	require.Eventually(t, func() bool {
		out, _ := ts.proc(t, "writer").RecentOutput(ChannelStdout)
		return bytes.Contains(out, []byte(numberedLine(10)))
	}, waitLong, 10*time.Millisecond)

	filler := filepath.Join(dir, "filler")
	fillDisk(t, filler)
	failing := ts.log.waitFor(t, "writes are failing", 1)
	assert.Equal(t, "'writer' stdout log "+logPath+": writes are failing, output is dropped until they succeed: write "+logPath+": no space left on device", failing[0].Msg)
	assert.Equal(t, "WARN", failing[0].Level.String())
	require.Eventually(t, func() bool { // more writes fail meanwhile
		now := ts.proc(t, "writer").Info()
		return now.StdoutDropped >= 5*lineLen
	}, waitLong, 10*time.Millisecond)
	fi, err := os.Stat(logPath)
	require.NoError(t, err)
	written := int(fi.Size()) // what reached the file before the disk was full
	require.NoError(t, os.Remove(filler))
	recovered := ts.log.waitFor(t, "writes succeed again", 1)
	m := regexp.MustCompile(`^'writer' stdout log ` + regexp.QuoteMeta(logPath) + `: writes succeed again; (\d+) bytes of output were dropped$`).FindStringSubmatch(recovered[0].Msg)
	require.NotNil(t, m, recovered[0].Msg)
	assert.Equal(t, "WARN", recovered[0].Level.String())
	dropped, _ := strconv.ParseInt(m[1], 10, 64)
	assert.GreaterOrEqual(t, dropped, int64(5*lineLen))

	// More output arrives after the recovery, and nothing more is said.
	last := ts.proc(t, "writer").out[0].tail.Load().Total()
	require.Eventually(t, func() bool { return ts.proc(t, "writer").out[0].tail.Load().Total() > last+3*lineLen }, waitLong, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	assert.Len(t, ts.log.messages("writes are failing"), 1)
	assert.Len(t, ts.log.messages("writes succeed again"), 1)
	now := ts.proc(t, "writer").Info()
	assert.Equal(t, Running, now.State)
	assert.Equal(t, info.Pid, now.Pid, "the same child throughout")
	assert.Equal(t, dropped, now.StdoutDropped)
	assert.Zero(t, now.StderrDropped)

	// The file is the stream less exactly the bytes dropped: its start up
	// to where the disk filled (maybe in the middle of a line), then the
	// stream again from the line the first successful write began with.
	data, err := os.ReadFile(logPath)
	require.NoError(t, err)
	var stream bytes.Buffer
	for i := 0; stream.Len() < len(data)+int(dropped)+1000; i++ {
		stream.WriteString(numberedLine(i))
	}
	want := stream.Bytes()
	require.Greater(t, len(data), written, "written again after the recovery")
	assert.Equal(t, string(want[:written]), string(data[:written]), "the stream until the disk was full")
	resume := written + int(dropped)
	assert.Zero(t, resume%lineLen, "output resumes at the start of a line")
	rest := data[written:]
	rest = rest[:bytes.LastIndexByte(rest, '\n')+1]
	assert.Equal(t, string(want[resume:resume+len(rest)]), string(rest), "after the gap, the stream from byte %d", resume)
}
