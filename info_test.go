package supervisor

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Description of a RUNNING process, as Python's timedelta prints uptimes.
func TestDescriptionUptime(t *testing.T) {
	start := time.Date(2026, 11, 24, 0, 48, 12, 0, time.UTC)
	for _, tt := range []struct {
		up   time.Duration
		want string
	}{
		{0, "pid 42, uptime 0:00:00"},
		{-time.Second, "pid 42, uptime 0:00:00"},
		{5*time.Second + 900*time.Millisecond, "pid 42, uptime 0:00:05"},
		{23*time.Hour + 59*time.Minute + 59*time.Second, "pid 42, uptime 23:59:59"},
		{24*time.Hour + time.Second, "pid 42, uptime 1 day, 0:00:01"},
		{3*24*time.Hour + 4*time.Hour + 5*time.Minute + 6*time.Second, "pid 42, uptime 3 days, 4:05:06"},
		{400*24*time.Hour + 10*time.Hour + 20*time.Minute + 30*time.Second, "pid 42, uptime 400 days, 10:20:30"},
	} {
		i := ProcessInfo{State: Running, Pid: 42, Start: start, Now: start.Add(tt.up)}
		assert.Equal(t, tt.want, i.Description(), "%v", tt.up)
	}
}

// BenchmarkProcesses500 measures the snapshots getAllProcessInfo starts
// from: 500 processes, each in its own group.
func BenchmarkProcesses500(b *testing.B) {
	specs := sleepSpecs(500)
	for i := range specs {
		specs[i].NoAutostart = true
	}
	s := New()
	if err := addSpecs(s, specs...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		procs := s.Processes()
		for _, p := range procs {
			_ = p.Info()
		}
		if len(procs) != 500 {
			b.Fatal("not 500")
		}
	}
}

// A notify child's STATUS= text follows the pid and uptime when RUNNING.
func TestDescriptionRunningWithStatus(t *testing.T) {
	start := time.Date(2026, 11, 24, 0, 48, 12, 0, time.UTC)
	i := ProcessInfo{State: Running, Pid: 123, Start: start, Now: start.Add(62 * time.Second), Status: "serving 3 clients"}
	assert.Equal(t, "pid 123, uptime 0:01:02, serving 3 clients", i.Description())
	i.State, i.Pid = Starting, 0
	assert.Equal(t, "serving 3 clients", i.Description())
}

// Processes and Programs follow groups as they are added and removed, in
// start order (by priority), though the order is kept between calls; a
// caller may reorder what it gets.
func TestProcessesFollowAddAndRemove(t *testing.T) {
	t.Parallel()
	s := New()
	names := func() (procs, progs []string) {
		for _, p := range s.Processes() {
			procs = append(procs, p.Name())
		}
		for _, p := range s.Programs() {
			progs = append(progs, p.Name())
		}
		return procs, progs
	}
	late := newSpec("late", "/bin/true")
	late.Priority = 900
	_, err := s.Add(late)
	require.NoError(t, err)
	procs, progs := names()
	assert.Equal(t, []string{"late"}, procs)
	assert.Equal(t, []string{"late"}, progs)

	early := newSpec("early", "/bin/true")
	early.Priority = 100
	_, err = s.Add(early)
	require.NoError(t, err)
	mine := s.Processes()
	slices.Reverse(mine)
	procs, progs = names()
	assert.Equal(t, []string{"early", "late"}, procs, "the caller's reordering is its own")
	assert.Equal(t, []string{"early", "late"}, progs)

	require.NoError(t, s.Remove("early"))
	procs, progs = names()
	assert.Equal(t, []string{"late"}, procs)
	assert.Equal(t, []string{"late"}, progs)
	require.NoError(t, s.Remove("late"))
	assert.Nil(t, s.Processes())
}
