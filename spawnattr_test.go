package supervisor

import (
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Directory, Umask and User reach the child; the supervisor's own umask is
// untouched (the child's is set on the spawning thread only).
func TestSpawnAttributes(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "attrs") // t.TempDir's parent is 0700: not for another user
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	umask := fs.FileMode(0o027)
	spec := newSpec("attrs", `/bin/sh -c "pwd; umask; id -u; exec sleep 1000"`)
	spec.StartSecs = -1
	spec.Directory = dir
	spec.Umask = &umask
	spec.Stdout.EventsEnabled = true
	var wantUID string
	if os.Getuid() == 0 {
		nobody, err := user.Lookup("nobody")
		require.NoError(t, err)
		spec.User = "nobody"
		wantUID = nobody.Uid
		require.NoError(t, os.Chmod(dir, 0o755))
	}
	ts := startSup(t, []ProgramSpec{spec})
	ts.waitState(t, "attrs", Running)
	ts.waitOutput(t, "attrs", "\n0027\n")
	if os.Getuid() == 0 {
		ts.waitOutput(t, "attrs", "0027\n"+wantUID+"\n")
	}
	out, err := ts.proc(t, "attrs").RecentOutput(ChannelStdout)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(out), dir+"\n"), "working directory: %q", out)
}

// A directory that does not exist fails the spawn with supervisord's words
// (the child is never started, so the error is the spawn error).
func TestSpawnBadDirectory(t *testing.T) {
	t.Parallel()
	spec := newSpec("lost", "/bin/sleep 1000")
	spec.Directory = "/nonexistent"
	spec.StartRetries = -1
	ts := startSup(t, []ProgramSpec{spec})
	info := ts.waitState(t, "lost", Fatal)
	assert.Equal(t, "couldn't chdir to /nonexistent: ENOENT", info.Description())
}

// Pipes that cannot be made fail the spawn with supervisord's words (run in
// a helper process, since it lowers the process's fd limit).
func TestSpawnNoFds(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "nofds")
	cmd.Env = append(os.Environ(), "GO_SUPERVISOR_HELPER=1", "SUPERVISOR_TEST_TAG="+testTag+"/"+t.Name())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, "unknown error making dispatchers for 'starved': EMFILE\n", string(out))
}
