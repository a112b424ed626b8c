package xmlrpc_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// A server reads a call and answers with a value or a fault. Over HTTP,
// errors matching ErrMalformed are answered with status 400.
func Example_server() {
	body := strings.NewReader(`<?xml version='1.0'?>
<methodCall>
<methodName>supervisor.getState</methodName>
<params>
</params>
</methodCall>
`)
	method, params, err := xmlrpc.ParseRequest(body)
	if errors.Is(err, xmlrpc.ErrMalformed) {
		fmt.Println("400 Bad Request")
		return
	}
	switch {
	case method == "supervisor.getState" && len(params) == 0:
		xmlrpc.WriteResponse(os.Stdout, map[string]any{"statecode": 1, "statename": "RUNNING"})
	default:
		xmlrpc.WriteFault(os.Stdout, xmlrpc.FaultUnknownMethod, "UNKNOWN_METHOD")
	}
	// Output:
	// <?xml version='1.0'?>
	// <methodResponse>
	// <params>
	// <param>
	// <value><struct>
	// <member>
	// <name>statecode</name>
	// <value><int>1</int></value>
	// </member>
	// <member>
	// <name>statename</name>
	// <value><string>RUNNING</string></value>
	// </member>
	// </struct></value>
	// </param>
	// </params>
	// </methodResponse>
}

// A client encodes a call and reads the answer; a fault comes back as a
// *Fault error.
func Example_client() {
	var req bytes.Buffer
	if err := xmlrpc.EncodeRequest(&req, "supervisor.startProcess", "web", true); err != nil {
		panic(err)
	}
	fmt.Print(req.String())

	// What supervisord answers when there is no such program.
	var resp bytes.Buffer
	xmlrpc.WriteResponse(&resp, xmlrpc.NewFault(xmlrpc.FaultBadName, "web"))

	_, err := xmlrpc.ParseResponse(&resp)
	var fault *xmlrpc.Fault
	if errors.As(err, &fault) && fault.Code == xmlrpc.FaultBadName {
		fmt.Println("no such process:", fault.String)
	}
	// Output:
	// <?xml version='1.0'?>
	// <methodCall>
	// <methodName>supervisor.startProcess</methodName>
	// <params>
	// <param>
	// <value><string>web</string></value>
	// </param>
	// <param>
	// <value><boolean>1</boolean></value>
	// </param>
	// </params>
	// </methodCall>
	// no such process: BAD_NAME: web
}

// Go structs encode as XML-RPC structs with their members in field order,
// named by the xmlrpc tag.
func ExampleWriteResponse_struct() {
	type state struct {
		Code int    `xmlrpc:"statecode"`
		Name string `xmlrpc:"statename"`
	}
	var buf bytes.Buffer
	xmlrpc.WriteResponse(&buf, []state{{1, "RUNNING"}})
	v, _ := xmlrpc.ParseResponse(&buf)
	fmt.Printf("%v\n", v)
	// Output: [map[statecode:1 statename:RUNNING]]
}
