package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"syscall"

	"github.com/thejerf/suture/v4"
	"golang.org/x/sync/errgroup"

	"github.com/supervise-go/supervisor"
)

// A program of three processes, numbered as supervisord numbers them; the
// events show each one's way from STOPPED to RUNNING and back.
func Example() {
	sup := supervisor.New()
	worker, err := sup.Add(supervisor.ProgramSpec{
		Name:        "worker",
		Command:     "/bin/sleep 1000",
		NumProcs:    3,
		ProcessName: "%(program_name)s_%(process_num)02d",
		StartSecs:   -1, // RUNNING as soon as forked
	})
	if err != nil {
		log.Fatal(err)
	}
	events := sup.Subscribe(0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sup.Serve(ctx) }()

	// Wait for the three to run, then stop the supervisor.
	running := 0
	for ev := range events.C {
		if ev.Kind == supervisor.EventProcessState && ev.To == supervisor.Running {
			if running++; running == 3 {
				break
			}
		}
	}
	for _, p := range worker.Processes() {
		fmt.Println(p, p.State())
	}
	cancel()
	<-done
	for ev := range events.C { // drained and closed after Serve returned
		if ev.Kind == supervisor.EventProcessState && ev.To == supervisor.Stopped {
			fmt.Println(ev.Group+":"+ev.Process, "stopped")
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

// Starting and stopping one process through its handle; errors are
// matched with errors.Is.
func ExampleProcess_Start() {
	sup := supervisor.New()
	web, err := sup.Add(supervisor.ProgramSpec{Name: "web", Command: "/bin/sleep 1000", NoAutostart: true})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sup.Serve(ctx) }()
	<-sup.Ready()

	p := web.Processes()[0]
	// Start waits until RUNNING: the default StartSecs, 1 s up.
	if err := p.Start(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(p, p.State())
	err = p.Start(context.Background())
	fmt.Println(errors.Is(err, supervisor.ErrAlreadyStarted))
	if err := p.Stop(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(p, p.State())
	err = p.Signal(syscall.SIGHUP)
	fmt.Println(errors.Is(err, supervisor.ErrNotRunning))
	cancel()
	<-done
	// Output:
	// web RUNNING
	// true
	// web STOPPED
	// true
}

// Apply makes the supervisor run a new set of programs, as supervisorctl's
// reread and update do: only what changed is stopped, started or replaced.
func ExampleSupervisor_Apply() {
	sup := supervisor.New()
	spec := func(name, cmd string) supervisor.ProgramSpec {
		return supervisor.ProgramSpec{Name: name, Command: cmd, StartSecs: -1}
	}
	if _, err := sup.Apply(context.Background(), []supervisor.ProgramSpec{
		spec("db", "/bin/sleep 1000"), spec("cache", "/bin/sleep 1000"),
	}); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sup.Serve(ctx) }()
	<-sup.Ready()

	changes, err := sup.Apply(context.Background(), []supervisor.ProgramSpec{
		spec("db", "/bin/sleep 1000"), spec("cache", "/bin/sleep 2000"), spec("web", "/bin/sleep 1000"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("added %v, changed %v, removed %v\n", changes.Added, changes.Changed, changes.Removed)
	for _, p := range sup.Programs() {
		fmt.Println(p.Name(), p.Spec().Command)
	}
	cancel()
	<-done
	// Output:
	// added [web], changed [cache], removed []
	// db /bin/sleep 1000
	// cache /bin/sleep 2000
	// web /bin/sleep 1000
}

// The supervisor beside other parts of a service in an errgroup: when one
// part fails, the context ends and Serve stops every child before it
// returns.
func ExampleSupervisor_Serve_errgroup() {
	sup := supervisor.New()
	if _, err := sup.Add(supervisor.ProgramSpec{Name: "helper", Command: "/bin/sleep 1000"}); err != nil {
		log.Fatal(err)
	}
	g, ctx := errgroup.WithContext(context.Background())
	g.Go(func() error { return sup.Serve(ctx) })
	g.Go(func() error {
		<-sup.Ready()
		return errors.New("the service's server failed") // say
	})
	fmt.Println(g.Wait())
	fmt.Println(sup.Processes()[0].State())
	// Output:
	// the service's server failed
	// STOPPED
}

// The supervisor as a suture service: Serve has suture's contract (it
// returns once everything it started has stopped).
func ExampleSupervisor_Serve_suture() {
	sup := supervisor.New()
	if _, err := sup.Add(supervisor.ProgramSpec{Name: "helper", Command: "/bin/sleep 1000"}); err != nil {
		log.Fatal(err)
	}
	tree := suture.NewSimple("app")
	tree.Add(sup)
	ctx, cancel := context.WithCancel(context.Background())
	done := tree.ServeBackground(ctx)
	<-sup.Ready()
	fmt.Println(sup.State())
	cancel()
	<-done
	fmt.Println(sup.State(), sup.Processes()[0].State())
	// Output:
	// RUNNING
	// SHUTDOWN STOPPED
}
