package supervisor_test

import (
	"context"
	"fmt"

	"github.com/supervise-go/supervisor"
)

// A program of three processes, numbered as supervisord numbers them; the
// events show each one's way from STOPPED to RUNNING and back.
func Example() {
	sup := supervisor.New()
	spec := supervisor.NewProgramSpec("worker", "/bin/sleep 1000")
	spec.NumProcs = 3
	spec.ProcessName = "%(program_name)s_%(process_num)02d"
	spec.StartSecs = 0
	spec.Stdout.File, spec.Stderr.File = "", ""
	if err := sup.Add(spec); err != nil {
		panic(err)
	}
	events := sup.Subscribe(0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sup.Serve(ctx) }()

	// Wait for the three to run, then stop the supervisor.
	running := 0
	for ev := range events.C {
		if ev.Kind == supervisor.EventProcessState && ev.To == supervisor.Running {
			running++
			if running == 3 {
				break
			}
		}
	}
	for _, p := range sup.Processes() {
		fmt.Println(p.Namespec(), p.State)
	}
	cancel()
	<-done
	for ev := range events.C { // drained and closed after Serve returned
		if ev.Kind == supervisor.EventProcessState && ev.To == supervisor.Stopped {
			fmt.Println(ev.Namespec(), "stopped")
		}
	}
	// Unordered output:
	// worker:worker_00 RUNNING
	// worker:worker_01 RUNNING
	// worker:worker_02 RUNNING
	// worker:worker_02 stopped
	// worker:worker_01 stopped
	// worker:worker_00 stopped
}
