package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/supervise-go/supervisor/client"
	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// exampleServer stands in for a supervisord with one running program, web,
// so that the examples run in the test suite.
func exampleServer() *httptest.Server {
	info := map[string]any{
		"name": "web", "group": "web", "state": 20, "statename": "RUNNING",
		"description": "pid 4242, uptime 1:02:03", "pid": 4242,
	}
	return httptest.NewServer(&fakeServer{methods: map[string]func([]any) any{
		"supervisor.getAPIVersion":     value("3.0"),
		"supervisor.getAllProcessInfo": value([]any{info}),
		"supervisor.startProcess": func(p []any) any {
			if p[0] == "web" {
				return xmlrpc.NewFault(xmlrpc.FaultAlreadyStarted, "web")
			}
			return xmlrpc.NewFault(xmlrpc.FaultBadName, fmt.Sprint(p[0]))
		},
	}})
}

func Example() {
	srv := exampleServer()
	defer srv.Close()
	// In real use the URL is the serverurl of [supervisorctl], such as
	// "unix:///var/run/supervisor.sock", with client.WithAuth(user, password)
	// if the server has a username.
	serverURL := srv.URL

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, serverURL)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	infos, err := c.AllProcessInfo(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range infos {
		fmt.Printf("%-10s %-8s %s\n", p.Namespec(), p.State, p.Description)
	}

	for _, name := range []string{"web", "db"} {
		err := c.StartProcess(ctx, name, true)
		var f *client.Fault
		switch {
		case err == nil:
			fmt.Println(name, "started")
		case client.IsFault(err, client.FaultAlreadyStarted):
			fmt.Println(name, "was already running")
		case errors.As(err, &f):
			fmt.Println(name, "refused:", f.String)
		default:
			log.Fatal(err) // network, authentication...
		}
	}
	// Output:
	// web        RUNNING  pid 4242, uptime 1:02:03
	// web was already running
	// db refused: BAD_NAME: db
}
