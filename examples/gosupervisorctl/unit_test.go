package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supervise-go/supervisor/internal/xmlrpc"
)

// The INI dialect's inline comments, including configparser's quirk.
func TestInlineComments(t *testing.T) {
	for in, want := range map[string]string{
		"a=b ;c":                       "b",
		"a=b;c":                        "b;c",
		"a=b #c":                       "b",
		"a=b#c ;d":                     "b#c",
		"a=/bin/echo a;b ;c # d":       "/bin/echo a;b ;c",
		"a=x\t; tab":                   "x",
		"a = spaced value ; and more ": "spaced value",
	} {
		ini, err := parseINI("[s]\n"+in+"\n", "t.conf")
		require.NoError(t, err, in)
		assert.Equal(t, want, ini.sections["s"]["a"], in)
	}
}

func TestSearchPaths(t *testing.T) {
	assert.Equal(t, []string{
		"/usr/etc/supervisord.conf", "/usr/supervisord.conf", "supervisord.conf",
		"etc/supervisord.conf", "/etc/supervisord.conf", "/etc/supervisor/supervisord.conf",
	}, searchPaths("/usr/bin/supervisorctl"))
	assert.Equal(t, "etc/supervisord.conf", searchPaths("gosupervisorctl")[0])
	assert.Equal(t, "etc/supervisord.conf", searchPaths("./gosupervisorctl")[0])
	assert.Equal(t, "/etc/supervisord.conf", searchPaths("/bin/gosupervisorctl")[0])
}

// Problems the reference server never shows: another API version, no
// supervisor namespace, an HTTP error.
func TestUpcheckProblems(t *testing.T) {
	answer := func(v any, status int) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if status != http.StatusOK {
				http.Error(w, "no", status)
				return
			}
			xmlrpc.WriteResponse(w, v)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	ours := ctl{"gosupervisorctl", ourBinary, "gosupervisorctl", nil}
	for _, tc := range []struct {
		srv      *httptest.Server
		args     []string
		want     string
		wantCode int
	}{
		{answer("2.0", 200), []string{"version"}, "Sorry, this version of supervisorctl expects to talk to a server with API version 3.0, but the remote version is 2.0.\n", 5},
		{answer("2.0", 200), []string{"status"}, "Sorry, this version of supervisorctl expects to talk to a server with API version 3.0, but the remote version is 2.0.\n", 4},
		{answer(xmlrpc.NewFault(xmlrpc.FaultUnknownMethod, ""), 200), []string{"pid"}, "Sorry, supervisord responded but did not recognize the supervisor namespace commands that supervisorctl uses to control it.  Please check that the [rpcinterface:supervisor] section is enabled in the configuration file (see sample.conf).\n", 3},
		{answer(xmlrpc.NewFault(xmlrpc.FaultFailed, "odd"), 200), []string{"pid"}, "error: <class 'xmlrpc.client.Fault'>, <Fault 30: 'FAILED: odd'>\n", 1},
		{answer(nil, 500), []string{"tail", "x"}, "error: <class 'xmlrpc.client.ProtocolError'>, <ProtocolError for 127.0.0.1/RPC2: 500 Internal Server Error>\n", 1},
	} {
		r := ours.run(t, append([]string{"-s", tc.srv.URL}, tc.args...), "")
		assert.Equal(t, tc.want, r.stdout, "%q", tc.args)
		assert.Equal(t, tc.wantCode, r.code, "%q", tc.args)
		assert.False(t, strings.Contains(r.stderr, "goroutine"), r.stderr)
	}
}
