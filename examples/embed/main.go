// Command embed shows the supervisor library inside a Go program: it runs a
// program of three processes and prints every event it receives, until
// interrupted (Ctrl-C), when it stops them all and exits.
//
//	go run ./examples/embed
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/supervise-go/supervisor"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// supervisord's main-log lines on stderr.
	logger := slog.New(supervisor.NewMainLogHandler(os.Stderr, slog.LevelInfo))
	sup := supervisor.New(supervisor.WithLogger(logger))

	// [program:worker] numprocs=3 process_name=%(program_name)s_%(process_num)02d
	spec := supervisor.NewProgramSpec("worker", `/bin/sh -c "echo worker $SUPERVISOR_PROCESS_NAME up; sleep 5; exit 1"`)
	spec.NumProcs = 3
	spec.ProcessName = "%(program_name)s_%(process_num)02d"
	spec.StopAsGroup = true                     // a stop reaches sh's sleep too
	spec.Stdout.File, spec.Stderr.File = "", "" // keep output in memory only
	if err := sup.Add(spec); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}

	events := sup.Subscribe(0)
	go func() {
		for ev := range events.C {
			fmt.Println(ev)
		}
	}()
	if err := sup.Serve(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	events.Close()
}
