package restart_test

import (
	"fmt"
	"time"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/restart"
)

// The delays a program sees when every start fails at once: 0.5s doubling
// up to 5s, FATAL once six retries have failed.
func ExampleExponential() {
	spec := supervisor.ProgramSpec{Name: "worker", Command: "/usr/local/bin/worker"}
	spec.Restart = restart.Exponential{
		Initial:    500 * time.Millisecond,
		Max:        5 * time.Second,
		MaxRetries: 6, // instead of spec.StartRetries
	}

	tracker := spec.Restart.NewTracker(3)
	start := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	now := start
	fmt.Println("failure  at      next attempt")
	for failures := 1; ; failures++ {
		delay, giveUp := tracker.StartFailed(failures, now)
		if giveUp {
			fmt.Printf("%-8d %-7v FATAL\n", failures, now.Sub(start))
			break
		}
		fmt.Printf("%-8d %-7v in %v\n", failures, now.Sub(start), delay)
		now = now.Add(delay)
	}
	// Output:
	// failure  at      next attempt
	// 1        0s      in 500ms
	// 2        500ms   in 1s
	// 3        1.5s    in 2s
	// 4        3.5s    in 4s
	// 5        7.5s    in 5s
	// 6        12.5s   in 5s
	// 7        17.5s   FATAL
}

// supervisord restarts a program that crashes after StartSecs at once and
// forever; a Intensity gives up when it crashes too often.
func ExampleIntensity() {
	policy := restart.Intensity{MaxRestarts: 3, Window: time.Minute}
	tracker := policy.NewTracker(3)

	start := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, crash := range []time.Duration{0, 5 * time.Second, 10 * time.Second, 15 * time.Second} {
		if _, giveUp := tracker.Restarting(start.Add(crash)); giveUp {
			fmt.Printf("crash at +%v: FATAL\n", crash)
			break
		}
		fmt.Printf("crash at +%v: restart\n", crash)
	}
	// Output:
	// crash at +0s: restart
	// crash at +5s: restart
	// crash at +10s: restart
	// crash at +15s: FATAL
}
