package supervisor_test

import (
	"context"
	"fmt"
	"log"

	"github.com/supervise-go/supervisor"
)

// An application that needs its database ready and its schema migration
// completed: starting the application starts both, and forks it only once
// they are there. The database counts as RUNNING (ready) once it logs
// that it accepts connections. A shutdown stops the application before
// the database.
func ExampleProgramSpec_dependsOn() {
	sup := supervisor.New()
	specs := []supervisor.ProgramSpec{{
		Name:        "migrate",
		Command:     "/bin/sh -c 'sleep 0.2; exit 0'",
		StartSecs:   -1,
		AutoRestart: supervisor.RestartNever,
		NoAutostart: true,
	}, {
		Name:        "db",
		Command:     "/bin/sh -c 'sleep 0.3; echo ready to accept connections; exec sleep 1000'",
		Ready:       "log:ready to accept connections",
		NoAutostart: true,
	}, {
		Name:        "app",
		Command:     "/bin/sleep 1000",
		StartSecs:   -1,
		NoAutostart: true,
		DependsOn: []supervisor.Dependency{
			{Name: "db"}, // RUNNING, that is ready
			{Name: "migrate", Condition: supervisor.DependCompleted},
		},
	}}
	for _, spec := range specs {
		if _, err := sup.Add(spec); err != nil {
			log.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sup.Serve(ctx) }()
	<-sup.Ready()

	app, _ := sup.Program("app")
	if err := app.Start(context.Background()); err != nil { // starts db and migrate too
		log.Fatal(err)
	}
	for _, p := range sup.Processes() {
		fmt.Println(p, p.State())
	}
	cancel()
	<-done
	// Output:
	// migrate EXITED
	// db RUNNING
	// app RUNNING
}
