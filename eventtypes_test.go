package supervisor

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The payloads below are supervisord 4.2.5's (supervisor/events.py), as a
// listener reads them after the header.
func TestEventNameAndPayload(t *testing.T) {
	ps := func(from, to State, pid, tries int, expected bool) Event {
		return Event{Kind: EventProcessState, Process: "cat", Group: "grp", From: from, To: to,
			Pid: pid, Tries: tries, Expected: expected}
	}
	for _, c := range []struct {
		e             Event
		name, payload string
	}{
		{ps(Stopped, Starting, 0, 0, false), "PROCESS_STATE_STARTING", "processname:cat groupname:grp from_state:STOPPED tries:0"},
		{ps(Backoff, Starting, 0, 2, false), "PROCESS_STATE_STARTING", "processname:cat groupname:grp from_state:BACKOFF tries:2"},
		{ps(Starting, Running, 42, 0, false), "PROCESS_STATE_RUNNING", "processname:cat groupname:grp from_state:STARTING pid:42"},
		{ps(Starting, Backoff, 0, 1, false), "PROCESS_STATE_BACKOFF", "processname:cat groupname:grp from_state:STARTING tries:1"},
		{ps(Running, Stopping, 42, 0, false), "PROCESS_STATE_STOPPING", "processname:cat groupname:grp from_state:RUNNING pid:42"},
		{ps(Stopping, Stopped, 42, 0, false), "PROCESS_STATE_STOPPED", "processname:cat groupname:grp from_state:STOPPING pid:42"},
		{ps(Running, Exited, 42, 0, true), "PROCESS_STATE_EXITED", "processname:cat groupname:grp from_state:RUNNING expected:1 pid:42"},
		{ps(Running, Exited, 42, 0, false), "PROCESS_STATE_EXITED", "processname:cat groupname:grp from_state:RUNNING expected:0 pid:42"},
		{ps(Backoff, Fatal, 0, 3, false), "PROCESS_STATE_FATAL", "processname:cat groupname:grp from_state:BACKOFF"},
		{ps(Running, Unknown, 42, 0, false), "PROCESS_STATE_UNKNOWN", "processname:cat groupname:grp from_state:RUNNING"},
		{Event{Kind: EventProcessLog, Process: "cat", Group: "cat", Pid: 7, Channel: "stdout", Data: []byte("héllo\n")},
			"PROCESS_LOG_STDOUT", "processname:cat groupname:cat pid:7 channel:stdout\nhéllo\n"},
		{Event{Kind: EventProcessLog, Process: "cat", Group: "cat", Pid: 7, Channel: "stderr", Data: []byte("\x88\n")},
			"PROCESS_LOG_STDERR", "processname:cat groupname:cat pid:7 channel:stderr\nUndecodable: b'\\x88\\n'"},
		{Event{Kind: EventProcessCommunication, Process: "cat", Group: "cat", Pid: 7, Channel: "stdout", Data: []byte("hi")},
			"PROCESS_COMMUNICATION_STDOUT", "processname:cat groupname:cat pid:7\nhi"},
		{Event{Kind: EventProcessCommunication, Process: "cat", Group: "cat", Pid: 7, Channel: "stderr", Data: []byte("hi")},
			"PROCESS_COMMUNICATION_STDERR", "processname:cat groupname:cat pid:7\nhi"},
		{Event{Kind: EventRemoteCommunication, Type: "foo", Data: []byte("bar baz")},
			"REMOTE_COMMUNICATION", "type:b'foo'\nb'bar baz'"},
		{Event{Kind: EventSupervisorState, Supervisor: SupervisorRunning}, "SUPERVISOR_STATE_CHANGE_RUNNING", ""},
		{Event{Kind: EventSupervisorState, Supervisor: SupervisorShutdown}, "SUPERVISOR_STATE_CHANGE_STOPPING", ""},
		{Event{Kind: EventGroupAdded, Group: "g"}, "PROCESS_GROUP_ADDED", "groupname:g\n"},
		{Event{Kind: EventGroupRemoved, Group: "g"}, "PROCESS_GROUP_REMOVED", "groupname:g\n"},
		{Event{Kind: EventTick, Tick: 5 * time.Second, Time: time.Unix(1700000005, 0)}, "TICK_5", "when:1700000005"},
		{Event{Kind: EventTick, Tick: time.Minute, Time: time.Unix(1700000040, 0)}, "TICK_60", "when:1700000040"},
		{Event{Kind: EventTick, Tick: time.Hour, Time: time.Unix(1699999200, 0)}, "TICK_3600", "when:1699999200"},
	} {
		assert.Equal(t, c.name, c.e.Name(), "%v", c.e)
		assert.Equal(t, c.payload, c.e.Payload(), "%v", c.e)
	}
	assert.Equal(t, 5, utf8.RuneCountInString("héllo"), "len counts characters")
}

// A tap sees every byte a child writes, in order, with its pid, whether or
// not the output is logged or published; undecodable output is shown in the
// debug log as supervisord shows it.
func TestTapOutputAndUndecodableDebug(t *testing.T) {
	t.Parallel()
	spec := newSpec("tapped", `/bin/sh -c "printf 'a\n'; printf '\210\n'; printf 'b\n' >&2; exec sleep 1000"`)
	spec.Stdout, spec.Stderr = LogSpec{}, LogSpec{}
	var mu sync.Mutex
	got := map[Channel]*strings.Builder{ChannelStdout: {}, ChannelStderr: {}}
	pids := map[int]bool{}
	ts := startSup(t, nil)
	remove := ts.TapOutput("tapped", func(process string, pid int, ch Channel, b []byte) {
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, "tapped", process)
		pids[pid] = true
		got[ch].Write(b)
	})
	defer remove()
	_, err := ts.Add(tagged(t, spec)[0])
	require.NoError(t, err)
	info := ts.waitState(t, "tapped", Running)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return got[ChannelStdout].String() == "a\n\x88\n" && got[ChannelStderr].String() == "b\n"
	}, waitLong, 10*time.Millisecond)
	mu.Lock()
	assert.Equal(t, map[int]bool{info.Pid: true}, pids)
	mu.Unlock()
	require.Eventually(t, func() bool {
		ts.log.mu.Lock()
		defer ts.log.mu.Unlock()
		for _, l := range ts.log.lines {
			if strings.HasPrefix(l.Msg, "'tapped' stdout output:\nUndecodable: b'") && strings.HasSuffix(l.Msg, `\x88\n'`) {
				return true
			}
		}
		return false
	}, waitLong, 10*time.Millisecond, "no debug line with the bytes' repr")
	require.NoError(t, ts.proc(t, "tapped").Stop(context.Background()))
}

// TICK_5 events come at each 5-second boundary of the wall clock.
func TestTickEvents(t *testing.T) {
	t.Parallel()
	ts := startSup(t, nil, WithTickEvents())
	deadline := time.After(12 * time.Second)
	for {
		ts.events.mu.Lock()
		var ticks []Event
		for _, e := range ts.events.events {
			if e.Kind == EventTick {
				ticks = append(ticks, e)
			}
		}
		more := ts.events.more
		ts.events.mu.Unlock()
		if len(ticks) > 0 {
			e := ticks[0]
			if e.Tick == 5*time.Second {
				assert.Zero(t, e.Time.Unix()%5)
				assert.WithinDuration(t, time.Now(), e.Time, 2*time.Second, "the tick came late")
				assert.Equal(t, "TICK_5", e.Name())
				return
			}
		}
		select {
		case <-more:
		case <-deadline:
			t.Fatal("no TICK_5 within 12 s")
		}
	}
}
