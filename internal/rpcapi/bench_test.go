package rpcapi

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// BenchmarkGetAllProcessInfo measures one getAllProcessInfo over 500
// processes, call and encoding: the daemon's target is 200 calls/s with one
// client, i.e. under 5 ms each.
func BenchmarkGetAllProcessInfo(b *testing.B) {
	var specs []supervisor.ProgramSpec
	for i := range 500 {
		s := testSpec(fmt.Sprintf("p%03d", i), "/bin/sleep 1000")
		s.NoAutostart = true
		specs = append(specs, s)
	}
	sup := supervisor.New(supervisor.WithChildLogDir(b.TempDir()))
	if err := addSpecs(sup, specs...); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sup.Serve(ctx) }()
	<-sup.Ready()
	defer func() { cancel(); <-done }()
	bk := &testBackend{sup: sup, available: specs}
	bk.state.Store(int32(supervisor.SupervisorRunning))
	a := New(bk, nil)
	b.ResetTimer()
	for b.Loop() {
		v, err := a.Call(context.Background(), "supervisor.getAllProcessInfo", nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := xmlrpc.WriteResponse(io.Discard, v); err != nil {
			b.Fatal(err)
		}
	}
}
