package supervisor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seqEvent numbers events through Pid, so that the tests can tell which
// ones arrived.
func seqEvent(i int) Event { return Event{Kind: EventRemoteCommunication, Pid: i} }

// A reader that has not read keeps the newest events, in order, and the
// count of those dropped.
func TestSubscriptionKeepsNewest(t *testing.T) {
	s := New()
	sub := s.Subscribe(4)
	for i := 1; i <= 10; i++ {
		s.publish(seqEvent(i))
	}
	s.closeSubscriptions()
	var got []int
	for ev := range sub.C {
		got = append(got, ev.Pid)
	}
	assert.Equal(t, []int{7, 8, 9, 10}, got)
	assert.Equal(t, uint64(6), sub.Dropped())
}

// Under a flood, a slow reader gets events in order, never one twice, and
// every event is either delivered or counted as dropped, even when a drop
// races with the reader taking the same event.
func TestSubscriptionAccountsForEveryEvent(t *testing.T) {
	s := New()
	sub := s.Subscribe(8)
	got := make(chan []int)
	go func() {
		var seen []int
		for ev := range sub.C {
			seen = append(seen, ev.Pid)
			if len(seen)%64 == 0 {
				time.Sleep(time.Millisecond) // fall behind now and then
			}
		}
		got <- seen
	}()
	const n = 50000
	for i := 1; i <= n; i++ {
		s.publish(seqEvent(i))
	}
	s.closeSubscriptions()
	seen := <-got
	require.NotEmpty(t, seen)
	for i := 1; i < len(seen); i++ {
		require.Greater(t, seen[i], seen[i-1], "order at %d", i)
	}
	assert.Equal(t, n, seen[len(seen)-1], "the newest event arrives")
	assert.Equal(t, uint64(n), uint64(len(seen))+sub.Dropped(), "delivered + dropped")
	assert.Greater(t, sub.Dropped(), uint64(0), "the reader fell behind")
}
