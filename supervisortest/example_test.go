package supervisortest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/restart"
	"github.com/supervise-go/supervisor/supervisortest"
)

// An embedding program checks the restart policy it gives a flaky helper:
// a real child that fails at once, on a clock that moves only when the
// test says so. The whole run takes milliseconds, not the 7 s of delays.
func Example() {
	clock := supervisortest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	sup := supervisor.New(supervisor.WithClock(clock))
	_, err := sup.Add(supervisor.ProgramSpec{
		Name:    "flaky",
		Command: "/bin/false",
		Restart: restart.Exponential{Initial: time.Second, Max: 4 * time.Second, MaxRetries: 4},
	})
	if err != nil {
		panic(err)
	}
	events := sup.Subscribe(0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	go func() { done <- sup.Serve(ctx) }()

	for ev := range events.C {
		if ev.Kind != supervisor.EventProcessState {
			continue
		}
		switch ev.To {
		case supervisor.Backoff:
			if ev.Tries > 4 {
				continue // out of retries: FATAL comes next, with no timer
			}
			// The retry timer is armed with the event; fire it.
			if err := clock.WaitForTimers(ctx, 1); err != nil {
				panic(err)
			}
			d, _ := clock.NextDue()
			fmt.Printf("failure %d: retry in %v\n", ev.Tries, d)
			clock.Advance(d)
		case supervisor.Fatal:
			fmt.Println("FATAL")
			cancel()
		}
	}
	<-done
	// Output:
	// failure 1: retry in 1s
	// failure 2: retry in 2s
	// failure 3: retry in 4s
	// failure 4: retry in 4s
	// FATAL
}
