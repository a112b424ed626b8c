package daemon

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// churnConf runs programs that double-fork at each run, as the issue's
// example does: each run leaves an orphaned sleep that exits 0.2 s later,
// and restarts 0.5 s after it started. {EXTRA} goes into [supervisord].
const churnConf = `[supervisord]
logfile={DIR}/s.log
pidfile={DIR}/s.pid
childlogdir={DIR}
loglevel=debug
{EXTRA}
[program:churn]
command=/bin/sh -c "(sleep 0.2 &) && sleep 0.5 && exit 0"
autorestart=true
startsecs=0
numprocs=2
process_name=%(program_name)s_%(process_num)d
[program:sleeper]
command=/bin/sleep 1000
startsecs=0
`

// descendants lists every descendant of pid, from the /proc children files
// of its threads (which also works from outside a pid namespace).
func descendants(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, t := range tasks {
		data, _ := os.ReadFile(t)
		for _, f := range strings.Fields(string(data)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
				out = append(out, descendants(c)...)
			}
		}
	}
	return out
}

// statOf returns a process's state letter and start time (field 22, which
// tells a reused pid apart), or ok false once it is gone.
func statOf(pid int) (state string, start string, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", "", false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return "", "", false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 {
		return "", "", false
	}
	return f[0], f[19], true
}

// zombieIDs returns the zombies among pid's descendants, as pid/start-time.
func zombieIDs(pid int) []string {
	var z []string
	for _, d := range descendants(pid) {
		if st, start, ok := statOf(d); ok && st == "Z" {
			z = append(z, fmt.Sprintf("%d/%s", d, start))
		}
	}
	return z
}

// watchZombies samples the zombies under pid for d and returns those seen
// in two samples at least a second apart (a zombie nobody reaps: a
// supervised child's zombie lasts until its pidfd or SIGCHLD wakes its waiter, an
// orphan's until the next reaper pass), and the number found at the end.
func watchZombies(pid int, d time.Duration) (stuck []string, last int) {
	firstSeen := map[string]time.Time{}
	deadline := time.Now().Add(d)
	for {
		now := time.Now()
		z := zombieIDs(pid)
		for _, id := range z {
			if t, ok := firstSeen[id]; !ok {
				firstSeen[id] = now
			} else if now.Sub(t) >= time.Second && !slices.Contains(stuck, id) {
				stuck = append(stuck, id)
			}
		}
		if now.After(deadline) {
			return stuck, len(z)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// checkReapedUnsupervised checks that no pid logged as "reaped unknown
// pid" is one the daemon spawned.
func checkReapedUnsupervised(t *testing.T, logPath string) {
	t.Helper()
	data, _ := os.ReadFile(logPath)
	spawned := map[string]bool{}
	for _, m := range regexp.MustCompile(`spawned: '[^']+' with pid (\d+)`).FindAllStringSubmatch(string(data), -1) {
		spawned[m[1]] = true
	}
	require.NotEmpty(t, spawned)
	for _, m := range regexp.MustCompile(`reaped unknown pid (\d+)`).FindAllStringSubmatch(string(data), -1) {
		assert.False(t, spawned[m[1]], "pid %s was spawned by the daemon, yet reaped as unknown", m[1])
	}
}

// As PID 1 of a new pid namespace, gosupervisord reaps the orphans of
// double-forking programs (every orphan of the namespace is its child),
// leaves none as a zombie through 10 s of churn, and a SIGTERM stops
// everything in order with exit status 0, leaving no process behind.
func TestPID1ReapsOrphans(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root: unshare --pid makes the new pid namespace")
	}
	if out, err := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "true").CombinedOutput(); err != nil {
		t.Skipf("cannot make a pid namespace here (unshare --pid --fork --mount-proc: %v %s)", err, out)
	}
	dir, path := writeConf(t, strings.ReplaceAll(churnConf, "{EXTRA}", ""))
	logPath := filepath.Join(dir, "s.log")
	// --kill-child: if the test dies, so does the namespace.
	cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", daemonBin, "-n", "-c", path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})

	var daemon int
	deadline := time.Now().Add(waitLong)
	for daemon == 0 {
		if kids := descendants(cmd.Process.Pid); len(kids) > 0 {
			daemon = kids[0]
			break
		}
		require.True(t, time.Now().Before(deadline), "unshare started no child; output:\n%s", &out)
		time.Sleep(10 * time.Millisecond)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", daemon))
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^NSpid:\s+\d+\s+1$`, string(status), "gosupervisord is PID 1 of its namespace")
	ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", daemon))
	require.NoError(t, err)

	waitLog(t, logPath, "spawned: 'sleeper'", 1)
	stuck, last := watchZombies(daemon, 10*time.Second)
	logData, _ := os.ReadFile(logPath)
	reaped := strings.Count(string(logData), "reaped unknown pid")
	t.Logf("after 10 s of churn: %d zombies under PID 1 at the last sample, %d orphans reaped", last, reaped)
	assert.Empty(t, stuck, "zombies that stayed for a second or more")
	// Two programs leave an orphan every 0.5 s or so.
	assert.GreaterOrEqual(t, reaped, 10, "orphans reaped")
	for _, l := range waitLog(t, logPath, "reaped unknown pid", 1) {
		assert.Regexp(t, `DEBG reaped unknown pid \d+ \(exit status 0\)$`, l)
	}
	waitLog(t, logPath, "running as PID 1: reaping orphaned processes", 1)
	checkReapedUnsupervised(t, logPath)

	require.NoError(t, syscall.Kill(daemon, syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd), "exit status after SIGTERM; output:\n%s", &out)
	waitLog(t, logPath, "received SIGTERM indicating exit request", 1)
	waitLog(t, logPath, "stopped: sleeper (terminated by SIGTERM)", 1)
	_, err = os.Stat(filepath.Join(dir, "s.pid"))
	assert.ErrorIs(t, err, os.ErrNotExist, "pidfile removed")

	// Nothing is left in the namespace.
	deadline = time.Now().Add(5 * time.Second)
	for {
		var left []string
		procs, _ := filepath.Glob("/proc/[0-9]*/ns/pid")
		for _, p := range procs {
			if l, err := os.Readlink(p); err == nil && l == ns {
				left = append(left, p)
			}
		}
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes left in the namespace: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// With x_subreaper, a daemon that is not PID 1 adopts and reaps the
// orphans of its programs' children (without it they would go to the
// machine's init or nearest subreaper).
func TestSubreaperReapsOrphans(t *testing.T) {
	t.Parallel()
	dir, path := writeConf(t, strings.ReplaceAll(churnConf, "{EXTRA}", "x_subreaper=true"))
	logPath := filepath.Join(dir, "s.log")
	cmd, out := runDaemon(t, "-n", "-c", path)
	waitLog(t, logPath, "x_subreaper: reaping orphaned processes as their child subreaper", 1)
	waitLog(t, logPath, "reaped unknown pid", 4)
	stuck, last := watchZombies(cmd.Process.Pid, 3*time.Second)
	t.Logf("%d zombies under the daemon at the last sample", last)
	assert.Empty(t, stuck, "zombies that stayed for a second or more")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd), "output:\n%s", out)
	waitLog(t, logPath, "stopped: sleeper (terminated by SIGTERM)", 1)
	// The supervised children's exits were theirs: every churn run ended
	// with its own status, none reaped as unknown.
	data, _ := os.ReadFile(logPath)
	assert.Contains(t, string(data), "exited: churn_0 (exit status 0; expected)")
	assert.Contains(t, string(data), "exited: churn_1 (exit status 0; expected)")
	assert.NotContains(t, string(data), "not expected")
	checkReapedUnsupervised(t, logPath)
}
