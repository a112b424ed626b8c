package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/supervise-go/supervisor/config"
	"golang.org/x/sys/unix"
)

// When the main log's disk is full, its lines are dropped without making
// the daemon wait; stderr (where a detached or silent daemon has nothing
// else) gets one WARN line with the file and the error, and the log itself
// one when writes succeed again, with the bytes dropped.
func TestMainLogFullDiskReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=64k,mode=0755")
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		t.Skipf("a full disk is simulated with a small tmpfs, which this test cannot mount here (%v): run it as root", err)
	}
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, unix.Unmount(dir, unix.MNT_DETACH)) })

	logPath := filepath.Join(dir, "s.log")
	var stderr bytes.Buffer
	d := &Daemon{stderr: &stderr}
	file, h, err := d.openMainLog(&config.Supervisord{Logfile: logPath, LogLevel: "info"}, true)
	require.NoError(t, err)
	defer file.Close()
	log := slog.New(h)
	log.Info("before")

	filler, err := os.Create(filepath.Join(dir, "filler"))
	require.NoError(t, err)
	for {
		if _, err := filler.Write(make([]byte, 4096)); err != nil {
			break
		}
	}
	require.NoError(t, filler.Close())
	// Fill what is left of the log's last page, then drop lines.
	line := strings.Repeat("x", 200)
	lines := 0
	for stderr.Len() == 0 {
		log.Info(line)
		lines++
		require.Less(t, lines, 1000, "the main log never failed")
	}
	fi, err := os.Stat(logPath)
	require.NoError(t, err)
	written := fi.Size()
	for range 5 {
		log.Info(line)
		lines++
	}
	assert.Regexp(t, `^\S+ \S+ WARN main log `+logPath+`: writes are failing, its lines are dropped until they succeed: write `+logPath+`: no space left on device\n$`, stderr.String())

	require.NoError(t, os.Remove(filepath.Join(dir, "filler")))
	log.Info("after")
	log.Info("later")
	data, err := os.ReadFile(logPath)
	require.NoError(t, err)
	// Every line before "after" was tried; what is not in the file was
	// dropped (the first failing line may have been written in part).
	stamp := len("2006-01-02 15:04:05,000 INFO ")
	tried := int64(stamp+len("before\n")) + int64(lines*(stamp+len(line)+1))
	assert.Regexp(t, fmt.Sprintf(`^\S+ \S+ INFO after\n\S+ \S+ WARN main log %s: writes succeed again; %d bytes of log lines were dropped\n\S+ \S+ INFO later\n$`, logPath, tried-written), string(data[written:]))
	assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line on stderr")
}
