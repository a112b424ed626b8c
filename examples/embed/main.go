// Command embed shows the supervisor library inside a Go program: it runs a
// program of three processes, prints every event it receives, restarts
// the second process after five seconds through its handle, and stops
// them all when interrupted (Ctrl-C).
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
	"time"

	"github.com/supervise-go/supervisor"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	sup := supervisor.New(supervisor.WithLogger(logger))

	// [program:worker] numprocs=3 process_name=%(program_name)s_%(process_num)02d;
	// every other field keeps supervisord's default.
	worker, err := sup.Add(supervisor.ProgramSpec{
		Name:        "worker",
		Command:     `/bin/sh -c "echo worker $SUPERVISOR_PROCESS_NAME up; sleep 30; exit 1"`,
		NumProcs:    3,
		ProcessName: "%(program_name)s_%(process_num)02d",
		StopAsGroup: true, // a stop reaches sh's sleep too
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}

	events := sup.Subscribe(0)
	go func() {
		for ev := range events.C {
			fmt.Println(ev)
		}
	}()
	go func() {
		select {
		case <-sup.Ready():
		case <-ctx.Done():
			return
		}
		select {
		case <-time.After(5 * time.Second):
		case <-ctx.Done():
			return
		}
		p := worker.Processes()[1]
		if err := p.Stop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "stop:", err)
		}
		if err := p.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "start:", err)
		}
	}()
	if err := sup.Serve(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	events.Close()
}
