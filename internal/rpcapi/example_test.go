package rpcapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/internal/rpcapi"
)

// daemon is the smallest Backend: a supervisor and its configuration.
type daemon struct {
	sup   *supervisor.Supervisor
	specs []supervisor.ProgramSpec
}

func (d *daemon) Supervisor() *supervisor.Supervisor  { return d.sup }
func (d *daemon) Available() []supervisor.ProgramSpec { return d.specs }
func (d *daemon) Reread() error                       { return nil }
func (d *daemon) Identifier() string                  { return "supervisor" }
func (d *daemon) PID() int                            { return os.Getpid() }
func (d *daemon) State() rpcapi.State                 { return rpcapi.StateOf(d.sup) }
func (d *daemon) Shutdown()                           {}
func (d *daemon) Restart() error                      { return nil }
func (d *daemon) MainLogPath() string                 { return "" }
func (d *daemon) ClearMainLog() error                 { return nil }

// Serving the API of a running supervisor on an [inet_http_server], with
// authentication, and calling it.
func Example() {
	spec := supervisor.ProgramSpec{Name: "sleeper", Command: "/bin/sleep 1000", NoAutostart: true,
		Stdout: supervisor.LogSpec{File: supervisor.AutoLog}}
	d := &daemon{sup: supervisor.New(supervisor.WithChildLogDir(os.TempDir())), specs: []supervisor.ProgramSpec{spec}}
	if _, err := d.sup.Add(spec); err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error)
	go func() { served <- d.sup.Serve(ctx) }()
	<-d.sup.Ready()
	defer func() { cancel(); <-served }()

	api := rpcapi.New(d, nil) // a *slog.Logger here gets supervisord's TRACE lines

	// In process:
	_, err := api.Call(ctx, "supervisor.getProcessInfo", []any{"nope"})
	fmt.Println(err)

	// Over HTTP, as supervisorctl does:
	l, err := rpcapi.ListenInet("127.0.0.1", 0)
	if err != nil {
		panic(err)
	}
	srv := rpcapi.NewServer(api.Handler(rpcapi.HandlerOptions{Username: "user", Password: "123"}), nil)
	go func() { _ = srv.Serve(l) }()
	defer srv.Shutdown(context.Background())

	req, _ := http.NewRequest(http.MethodPost, "http://"+l.Addr().String()+"/RPC2",
		strings.NewReader(`<methodCall><methodName>supervisor.getProcessInfo</methodName>`+
			`<params><param><value>sleeper</value></param></params></methodCall>`))
	req.SetBasicAuth("user", "123")
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Status, strings.Contains(string(body), "<name>statename</name>\n<value><string>STOPPED</string>"))
	// Output:
	// xmlrpc fault 10: BAD_NAME: nope
	// 200 OK true
}
