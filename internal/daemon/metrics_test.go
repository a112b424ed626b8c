package daemon

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// x_metrics serves /metrics behind the section's authentication: 401
// without credentials, the processes' and the daemon's series with them;
// a section without x_metrics has no /metrics.
func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	dir, path := writeConf(t, `[supervisord]
logfile={DIR}/s.log
pidfile={DIR}/s.pid
childlogdir={DIR}
[inet_http_server]
port=127.0.0.1:{PORT}
username=user
password=secret
x_metrics=true
[unix_http_server]
file={DIR}/s.sock
[program:sleeper]
command=/bin/sleep 1000
startsecs=0
`)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	port := regexp.MustCompile(`port=127.0.0.1:(\d+)`).FindStringSubmatch(string(data))[1]
	cmd, _ := runDaemon(t, "-n", "-c", path)
	waitLog(t, filepath.Join(dir, "s.log"), "success: sleeper", 1)
	url := "http://127.0.0.1:" + port + "/metrics"

	resp, err := http.Get(url)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	req.SetBasicAuth("user", "secret")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	text := string(body)
	assert.Contains(t, text, `supervisor_process_state{group="sleeper",name="sleeper",state="RUNNING"} 1`)
	assert.Contains(t, text, `supervisor_process_starts_total{group="sleeper",name="sleeper"} 1`)
	assert.Contains(t, text, `supervisor_process_resident_memory_bytes{group="sleeper",name="sleeper"} `)
	assert.Contains(t, text, "\nprocess_cpu_seconds_total ")
	assert.Contains(t, text, "\ngo_goroutines ")

	unix := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", filepath.Join(dir, "s.sock"))
	}}}
	resp, err = unix.Get("http://localhost/metrics")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "no x_metrics in [unix_http_server]")
	unix.CloseIdleConnections()

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd))
}
