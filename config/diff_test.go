package config

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// supervisordPath finds Debian's supervisord for the differential test. It
// skips the test when there is none, except in CI (CI set), where the
// reference must be there.
func supervisordPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("supervisord")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("supervisord is not installed; CI must install Debian's supervisor package")
		}
		t.Skip("supervisord is not installed")
	}
	return p
}

// lockedBuffer is a bytes.Buffer safe for the writer goroutine of exec and
// the polling reader.
type lockedBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newLockedBuffer() *lockedBuffer { return &lockedBuffer{mu: make(chan struct{}, 1)} }

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// runSupervisord starts the real supervisord on file in the foreground, in
// dir, and returns "" when it starts (it is then stopped) or the message it
// printed after "Error: ".
func runSupervisord(t *testing.T, bin, dir, file string) (accepted bool, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-n", "-c", file)
	cmd.Dir = dir
	out, errOut := newLockedBuffer(), newLockedBuffer()
	cmd.Stdout, cmd.Stderr = out, errOut
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			text := errOut.String()
			i := strings.Index(text, "Error: ")
			require.GreaterOrEqual(t, i, 0, "supervisord exited without an error: stdout %q stderr %q", out.String(), text)
			text = text[i+len("Error: "):]
			if j := strings.Index(text, "\nFor help, use "); j >= 0 {
				text = text[:j]
			}
			return false, text
		case <-tick.C:
			if strings.Contains(out.String(), "supervisord started with pid") {
				// Stop it and its children the way an operator would.
				_ = syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
				select {
				case <-done:
				case <-time.After(15 * time.Second):
					_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
					<-done
				}
				return true, ""
			}
		case <-ctx.Done():
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			t.Fatalf("supervisord neither started nor failed: stdout %q stderr %q", out.String(), errOut.String())
		}
	}
}

// differentialCases are the load cases plus every config of testdata.
func differentialCases(t *testing.T) []loadCase {
	cases := append([]loadCase(nil), loadCases...)
	files, err := filepath.Glob("testdata/corpus/*.conf")
	require.NoError(t, err)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		cases = append(cases, loadCase{name: "corpus/" + filepath.Base(f), conf: string(data)})
	}
	return cases
}

// TestDifferential runs each case through the real supervisord and through
// Load and checks that both accept it, or both reject it with the same
// message.
func TestDifferential(t *testing.T) {
	bin := supervisordPath(t)
	if testing.Short() {
		t.Skip("starts supervisord for every case")
	}
	for _, c := range differentialCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir, file := writeCase(t, c)
			accepted, msg := runSupervisord(t, bin, dir, file)
			_, err := Load(file)
			if accepted {
				assert.NoError(t, err, "supervisord accepts this file")
				return
			}
			require.Error(t, err, "supervisord rejects this file with: %s", msg)
			var ce *Error
			require.True(t, errors.As(err, &ce))
			assert.Equal(t, msg, ce.Msg)
		})
	}
}
