package daemon

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// priorityConf has one sleeping program per priority, named pN, listed
// out of order.
func priorityConf(prefix string, priorities ...int) string {
	s := ""
	for _, p := range priorities {
		s += fmt.Sprintf("[program:%s%d]\ncommand=/bin/sleep 1000\npriority=%d\nstartsecs=0\n", prefix, p, p)
	}
	return s
}

var spawnedLine = regexp.MustCompile(`spawned: '([^']+)' with pid (\d+)$`)

// spawned waits for n "spawned:" lines and returns the names and pids of
// those from the index from on, in the order logged.
func spawned(t *testing.T, logPath string, from, n int) (names []string, pids []int) {
	t.Helper()
	for _, l := range waitLog(t, logPath, "spawned: ", n)[from:n] {
		m := spawnedLine.FindStringSubmatch(l)
		require.NotNil(t, m, l)
		pid, _ := strconv.Atoi(m[2])
		names, pids = append(names, m[1]), append(pids, pid)
	}
	return names, pids
}

// Issue 13, part 1: gosupervisord forks (and logs "spawned:" for) autostart
// programs strictly by ascending priority at start-up, on a reload and on
// an update, and stops them from the highest priority down on SIGTERM.
func TestPriorityOrderDaemon(t *testing.T) {
	needSupervisorctl(t)
	t.Parallel()
	dir, path, cmd := startDaemon(t, ctlBase+priorityConf("p", 300, 100, 200, 600, 400, 500))
	logPath := dir + "/s.log"
	want := []string{"p100", "p200", "p300", "p400", "p500", "p600"}
	names, pids := spawned(t, logPath, 0, 6)
	assert.Equal(t, want, names, "start-up")
	assert.True(t, slices.IsSorted(pids), "start-up pids %v", pids)

	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	names, pids = spawned(t, logPath, 6, 12)
	assert.Equal(t, want, names, "reload")
	assert.True(t, slices.IsSorted(pids), "reload pids %v", pids)
	waitLog(t, logPath, "supervisord started with pid", 2)

	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(priorityConf("q", 250, 150, 50))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	out, code := ctl(t, path, "update")
	require.Equal(t, 0, code, out)
	names, pids = spawned(t, logPath, 12, 15)
	assert.Equal(t, []string{"q50", "q150", "q250"}, names, "update")
	assert.True(t, slices.IsSorted(pids), "update pids %v", pids)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd))
	var stopped []string
	for _, l := range waitLog(t, logPath, "stopped: ", 6+6+3)[6:] {
		stopped = append(stopped, regexp.MustCompile(`stopped: (\S+) `).FindStringSubmatch(l)[1])
	}
	assert.Equal(t, []string{"p600", "p500", "p400", "p300", "q250", "p200", "q150", "p100", "q50"}, stopped)
}
