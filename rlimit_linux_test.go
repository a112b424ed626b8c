//go:build linux && !portablespawner

package supervisor

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/supervise-go/supervisor/internal/proctest"
)

// procLimit reads one limit of a running process, "SOFT:HARD".
func procLimit(t *testing.T, pid int, name string) string {
	t.Helper()
	l, err := proctest.Limit(strconv.Itoa(pid), name)
	require.NoError(t, err)
	return l
}

// A program's processes run with its limits (set before they exec, as
// their user when it is another), its other processes and programs with
// the supervisor's; editing the spec's map after Add changes nothing.
func TestRlimits(t *testing.T) {
	t.Parallel()
	limited := newSpec("limited", "/bin/sleep 100")
	limited.StartSecs = -1
	limited.NumProcs = 2
	limited.ProcessName = "%(program_name)s_%(process_num)d"
	limited.Rlimits = map[string]Rlimit{"nofile": {Soft: 64, Hard: 128}, "core": {Soft: 0, Hard: 0},
		"fsize": {Soft: RlimitInfinity, Hard: RlimitInfinity}}
	if os.Getuid() == 0 {
		limited.User = "nobody"
	}
	plain := newSpec("plain", "/bin/sleep 100")
	plain.StartSecs = -1
	ts := startSup(t, nil)
	_, err := ts.Add(tagged(t, limited)[0])
	require.NoError(t, err)
	limited.Rlimits["nofile"] = Rlimit{Soft: 1, Hard: 1}
	_, err = ts.Add(tagged(t, plain)[0])
	require.NoError(t, err)
	require.NoError(t, ts.StartProcesses(t.Context()))

	own, err := proctest.Limit("self", "Max open files")
	require.NoError(t, err)
	_, ownHard, _ := strings.Cut(own, ":")
	for _, name := range []string{"limited:limited_0", "limited:limited_1"} {
		info := ts.waitState(t, name, Running)
		require.Equal(t, "64:128", procLimit(t, info.Pid, "Max open files"), name)
		require.Equal(t, "0:0", procLimit(t, info.Pid, "Max core file size"), name)
		require.Equal(t, "unlimited:unlimited", procLimit(t, info.Pid, "Max file size"), name)
		if os.Getuid() == 0 {
			status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", info.Pid))
			require.NoError(t, err)
			require.Regexp(t, `(?m)^Uid:\s+65534\s`, string(status), "runs as nobody")
		}
	}
	info := ts.waitState(t, "plain", Running)
	require.True(t, strings.HasSuffix(procLimit(t, info.Pid, "Max open files"), ":"+ownHard),
		"a program without limits keeps the supervisor's hard nofile %s", ownHard)
}

// A limit the kernel refuses (nofile above fs.nr_open) fails the spawn
// with an error that names it: BACKOFF, then FATAL, and the supervisor
// goes on.
func TestRlimitRefused(t *testing.T) {
	t.Parallel()
	nrOpen, err := proctest.NrOpen()
	require.NoError(t, err)
	spec := newSpec("toomany", "/bin/sleep 100")
	spec.StartRetries = 1
	spec.Rlimits = map[string]Rlimit{"nofile": {Soft: 1024, Hard: nrOpen + 1}}
	ok := newSpec("fine", "/bin/sleep 100")
	ok.StartSecs = -1
	ts := startSup(t, []ProgramSpec{spec, ok})
	info := ts.waitState(t, "toomany", Fatal)
	want := fmt.Sprintf("couldn't set resource limit nofile to 1024:%d: operation not permitted", nrOpen+1)
	require.Equal(t, want, info.SpawnErr)
	require.NotEmpty(t, ts.log.messages("spawnerr: "+want))
	err = ts.proc(t, "toomany").Start(t.Context())
	require.ErrorIs(t, err, ErrSpawn)
	require.ErrorContains(t, err, want)
	ts.waitState(t, "fine", Running)
}

func TestValidateRlimits(t *testing.T) {
	t.Parallel()
	spec := ProgramSpec{Name: "x", Command: "/bin/true", Rlimits: map[string]Rlimit{
		"nofiles": {Soft: 1, Hard: 1},
		"nofile":  {Soft: 2048, Hard: 1024},
		"core":    {Soft: RlimitInfinity, Hard: 0},
		"stack":   {Soft: 8 << 20, Hard: RlimitInfinity},
	}}
	err := spec.Validate()
	require.ErrorIs(t, err, ErrBadSpec)
	require.ErrorContains(t, err, "resource limit 'nofiles': no such resource")
	require.ErrorContains(t, err, "resource limit nofile: soft limit 2048 above hard limit 1024")
	require.ErrorContains(t, err, "resource limit core: soft limit unlimited above hard limit 0")
	require.NotContains(t, err.Error(), "resource limit stack")
}
