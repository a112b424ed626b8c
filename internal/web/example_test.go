package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/rpcapi"
)

// The daemon mounts the UI on every path it does not serve itself, behind
// the same authentication as its XML-RPC API.
func ExampleNew() {
	sup := supervisor.New()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- sup.Serve(ctx) }()
	<-sup.Ready()
	defer func() { cancel(); <-served }()

	b := &backend{sup: sup} // the daemon's rpcapi.Backend
	b.setState(rpcapi.StateRunning)
	requireAuth := func(h http.Handler) http.Handler { return h } // the daemon's basic auth
	mux := http.NewServeMux()
	mux.Handle("/", requireAuth(New(b)))
	// mux.Handle("/RPC2", ...), mux.Handle("/logtail/", ...), ...

	srv := httptest.NewServer(mux)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/ok.html")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	fmt.Println(res.StatusCode, string(body))
	// Output: 200 OK
}
