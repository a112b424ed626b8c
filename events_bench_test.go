package supervisor

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkPublish measures the cost, to the process goroutine that
// publishes, of handing one event to every subscription: readers that keep
// up, and a subscription whose reader has stopped reading (its buffer full,
// every new event dropping the oldest).
func BenchmarkPublish(b *testing.B) {
	ev := Event{Kind: EventProcessLog, Group: "web", Process: "web", Pid: 42,
		Channel: "stdout", Data: []byte("GET / 200\n"), Time: time.Now()}
	for _, c := range []struct {
		readers, stalled int
	}{{1, 0}, {4, 0}, {0, 1}, {1, 1}} {
		b.Run(fmt.Sprintf("readers=%d/stalled=%d", c.readers, c.stalled), func(b *testing.B) {
			s := New()
			var subs []*Subscription
			done := make(chan struct{})
			for range c.readers {
				sub := s.Subscribe(0)
				subs = append(subs, sub)
				go func() {
					for range sub.C {
					}
					done <- struct{}{}
				}()
			}
			for range c.stalled {
				subs = append(subs, s.Subscribe(0)) // never read
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				s.publish(ev)
			}
			b.StopTimer()
			for _, sub := range subs {
				sub.Close()
			}
			for range c.readers {
				<-done
			}
		})
	}
}
