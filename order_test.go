package supervisor

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spawnedRE matches supervisord's "spawned:" line.
var spawnedRE = regexp.MustCompile(`^spawned: '([^']+)' with pid (\d+)$`)

// spawnOrder returns the names and pids of the "spawned:" lines of the
// log, in the order they were logged.
func spawnOrder(t *testing.T, ts *testSup, n int) (names []string, pids []int) {
	t.Helper()
	for _, l := range ts.log.waitFor(t, "spawned: ", n) {
		m := spawnedRE.FindStringSubmatch(l.Msg)
		require.NotNil(t, m, l.Msg)
		pid, _ := strconv.Atoi(m[2])
		names = append(names, m[1])
		pids = append(pids, pid)
	}
	return names, pids
}

// prioritySpecs returns one sleeping program per priority, named pN for
// priority N, in the order given.
func prioritySpecs(t *testing.T, prefix string, priorities ...int) []ProgramSpec {
	var specs []ProgramSpec
	for _, prio := range priorities {
		spec := newSpec(fmt.Sprintf("%s%d", prefix, prio), helperCmd(t, "sleep"))
		spec.Environment = helperEnv()
		spec.Priority, spec.GroupPriority = prio, prio
		spec.StartSecs = -1
		spec.StopWaitSecs = waitLong
		specs = append(specs, spec)
	}
	return specs
}

// Issue 13, part 1: autostart programs are forked, and their "spawned:"
// lines logged, strictly by ascending priority, whatever order they were
// added in; so are the programs an update (Apply) adds; a shutdown stops
// them from the highest priority down, each group stopped before the next
// is signalled. Without forkMany's barrier between priorities, the
// spawned lines come out of order on most runs.
func TestPriorityOrderStartUpdateShutdown(t *testing.T) {
	t.Parallel()
	first := prioritySpecs(t, "p", 300, 100, 200, 800, 500, 700, 400, 600)
	ts := startSup(t, first)

	names, pids := spawnOrder(t, ts, len(first))
	assert.Equal(t, []string{"p100", "p200", "p300", "p400", "p500", "p600", "p700", "p800"}, names,
		"spawned: lines in priority order")
	assert.True(t, slices.IsSorted(pids), "pids %v in priority order", pids)

	// An update that adds programs forks them in priority order too.
	added := prioritySpecs(t, "q", 300, 100, 200, 250, 150)
	_, err := ts.Apply(context.Background(), tagged(t, append(slices.Clone(first), added...)...))
	require.NoError(t, err)
	names, pids = spawnOrder(t, ts, len(first)+len(added))
	assert.Equal(t, []string{"q100", "q150", "q200", "q250", "q300"}, names[len(first):],
		"an update forks in priority order")
	assert.True(t, slices.IsSorted(pids[len(first):]), "pids %v in priority order", pids[len(first):])

	// The shutdown stops the highest priority first, one at a time.
	ts.stop()
	var stopped []string
	for _, l := range ts.log.waitFor(t, "stopped: ", len(first)+len(added)) {
		stopped = append(stopped, regexp.MustCompile(`^stopped: (\S+) `).FindStringSubmatch(l.Msg)[1])
	}
	assert.Equal(t, []string{"p800", "p700", "p600", "p500", "p400", "q300", "p300", "q250",
		"q200", "p200", "q150", "q100", "p100"}, stopped)
}

// Programs of one priority may overlap, but every one of them is forked
// before any program of a higher priority; StartProcesses keeps the same
// order.
func TestPriorityOrderSamePriorityOverlaps(t *testing.T) {
	t.Parallel()
	specs := prioritySpecs(t, "a", 200, 100)
	specs = append(specs, prioritySpecs(t, "b", 200, 100)...)
	specs = append(specs, prioritySpecs(t, "c", 200, 100)...)
	for i := range specs {
		specs[i].NoAutostart = true
	}
	ts := startSup(t, specs)
	require.NoError(t, ts.StartProcesses(context.Background(), ts.Processes()...))
	names, pids := spawnOrder(t, ts, len(specs))
	assert.ElementsMatch(t, []string{"a100", "b100", "c100"}, names[:3])
	assert.ElementsMatch(t, []string{"a200", "b200", "c200"}, names[3:])
	assert.LessOrEqual(t, slices.Max(pids[:3]), slices.Min(pids[3:]), "pids %v", pids)
}

// stopAll (StopProcesses of every process) signals in reverse priority
// order: the STOPPING transitions come highest priority first.
func TestStopAllReversePriority(t *testing.T) {
	t.Parallel()
	ts := startSup(t, prioritySpecs(t, "p", 300, 100, 200))
	spawnOrder(t, ts, 3)
	require.NoError(t, ts.StopProcesses(context.Background(), ts.Processes()...))
	var stopping []string
	for _, ev := range ts.eventsTo(t, Stopping, 3) {
		stopping = append(stopping, ev.Process)
	}
	assert.Equal(t, []string{"p300", "p200", "p100"}, stopping)
}

// eventsTo waits until n state changes to state were seen and returns
// them, in order.
func (ts *testSup) eventsTo(t testing.TB, to State, n int) []Event {
	t.Helper()
	return ts.eventsWhere(t, n, "changes to "+to.String(), func(ev Event) bool {
		return ev.Kind == EventProcessState && ev.To == to
	})
}
