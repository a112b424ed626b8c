package config

import (
	"errors"
	"testing"
	"time"

	"github.com/supervise-go/supervisor/restart"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExtensionBackoff(t *testing.T) {
	cfg := mustLoad(t, sd+"[program:a]\ncommand=/bin/true\nx_backoff=exponential\nx_backoff_initial=500ms\nx_backoff_max=30\nx_backoff_multiplier=1.5\nx_backoff_jitter=0.1\nx_restart_max=3\nx_restart_window=1m\n[program:b]\ncommand=/bin/true\n")
	a := program(t, cfg, "a")
	assert.Equal(t, restart.Intensity{
		Policy:      restart.Exponential{Initial: 500 * time.Millisecond, Max: 30 * time.Second, Multiplier: 1.5, Jitter: 0.1},
		MaxRestarts: 3, Window: time.Minute,
	}, a.Restart)
	assert.Nil(t, program(t, cfg, "b").Restart, "supervisord's policy by default")
}

func TestExtensionTimestamps(t *testing.T) {
	cfg := mustLoad(t, sd+"[program:a]\ncommand=/bin/true\nx_stdout_timestamps=true\n[program:b]\ncommand=/bin/true\n")
	assert.True(t, program(t, cfg, "a").Stdout.Timestamps)
	assert.False(t, program(t, cfg, "a").Stderr.Timestamps)
	assert.False(t, program(t, cfg, "b").Stdout.Timestamps, "off by default")
	_, err := Parse("t.conf", []byte(sd+"[program:a]\ncommand=/bin/true\nx_stderr_timestamps=maybe\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "x_stderr_timestamps=maybe: not a valid boolean value: 'maybe'")
}

func TestExtensionLogMaxAge(t *testing.T) {
	cfg := mustLoad(t, sd+"[program:a]\ncommand=/bin/true\nx_stdout_logfile_max_age=168h\nx_stderr_logfile_max_age=60\n")
	assert.Equal(t, 168*time.Hour, program(t, cfg, "a").Stdout.MaxAge)
	assert.Equal(t, time.Minute, program(t, cfg, "a").Stderr.MaxAge)
	_, err := Parse("t.conf", []byte(sd+"[program:a]\ncommand=/bin/true\nx_stdout_logfile_max_age=old\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "x_stdout_logfile_max_age=old: not a duration")
}

func TestExtensionSubreaper(t *testing.T) {
	assert.False(t, mustLoad(t, sd).Supervisord.Subreaper, "off by default")
	assert.True(t, mustLoad(t, sd+"x_subreaper = true\n").Supervisord.Subreaper)
	assert.False(t, mustLoad(t, sd+"x_subreaper=false\n").Supervisord.Subreaper)
	// A [DEFAULT] x_ key is the programs' (and this one is none of theirs).
	_, err := Parse("t.conf", []byte("[DEFAULT]\nx_subreaper=true\n"+sd+"[program:a]\ncommand=/bin/true\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unknown extension key 'x_subreaper'")
}

func TestExtensionErrors(t *testing.T) {
	for name, c := range map[string]struct{ conf, key, msg string }{
		"misspelled":       {"[program:a]\ncommand=/bin/true\nx_bakoff=exponential\n", "x_bakoff", "unknown extension key 'x_bakoff'"},
		"bad kind":         {"[program:a]\ncommand=/bin/true\nx_backoff=fast\n", "x_backoff", "x_backoff=fast: must be linear or exponential"},
		"needs kind":       {"[program:a]\ncommand=/bin/true\nx_backoff_max=5\n", "x_backoff_max", "needs x_backoff=exponential"},
		"bad duration":     {"[program:a]\ncommand=/bin/true\nx_backoff=exponential\nx_backoff_max=soon\n", "x_backoff_max", "not a duration"},
		"window only":      {"[program:a]\ncommand=/bin/true\nx_restart_window=1m\n", "x_restart_window", "needs x_restart_max"},
		"elsewhere":        {"x_backoff=linear\n", "x_backoff", "unknown extension key 'x_backoff' (known [supervisord] x_ keys: x_environment_file, x_subreaper)"},
		"in supervisorctl": {"[supervisorctl]\nx_subreaper=true\n", "x_subreaper", "[supervisorctl] has no x_ keys"},
		"bad subreaper":    {"x_subreaper=sometimes\n", "x_subreaper", "x_subreaper=sometimes: not a valid boolean value: 'sometimes'"},
		"bad multiplier":   {"[program:a]\ncommand=/bin/true\nx_backoff=exponential\nx_backoff_multiplier=0.5\n", "x_backoff", "multiplier 0.5 is below 1"},
	} {
		t.Run(name, func(t *testing.T) {
			_, file := writeCase(t, loadCase{conf: sd + c.conf})
			_, err := LoadWith(file, testEnv)
			var ce *Error
			require.True(t, errors.As(err, &ce), "%v", err)
			assert.Equal(t, c.key, ce.Key)
			assert.Contains(t, ce.Msg, c.msg)
			assert.Greater(t, ce.Line, 0)
		})
	}
}

func TestExtensionEnvironmentFile(t *testing.T) {
	cfg := mustLoad(t, sd+"x_environment_file=/etc/all.env\n[program:a]\ncommand=/bin/true\nx_environment_file = /etc/a.env, -%(here)s/opt.env ,- /etc/b.env\n[program:b]\ncommand=/bin/true\n")
	assert.Equal(t, []string{"/etc/all.env"}, cfg.Supervisord.EnvironmentFiles)
	here := program(t, cfg, "a").Vars["here"]
	assert.Equal(t, []string{"/etc/a.env", "-" + here + "/opt.env", "-/etc/b.env"}, program(t, cfg, "a").EnvironmentFiles)
	assert.Nil(t, program(t, cfg, "b").EnvironmentFiles, "none by default")
	for name, c := range map[string]struct{ conf, key, msg string }{
		"empty entry":   {"[program:a]\ncommand=/bin/true\nx_environment_file=/a.env,,/b.env\n", "x_environment_file", "x_environment_file=/a.env,,/b.env: empty path in the list"},
		"empty":         {"[program:a]\ncommand=/bin/true\nx_environment_file=\n", "x_environment_file", "empty path"},
		"dash only":     {"x_environment_file=-\n", "x_environment_file", "x_environment_file=-: empty path in the list"},
		"in http":       {"[inet_http_server]\nport=127.0.0.1:9001\nx_environment_file=/a\n", "x_environment_file", "unknown extension key 'x_environment_file' (known [inet_http_server] x_ keys: x_metrics)"},
		"bad expansion": {"[program:a]\ncommand=/bin/true\nx_environment_file=%(nope)s\n", "x_environment_file", "nope"},
	} {
		t.Run(name, func(t *testing.T) {
			_, file := writeCase(t, loadCase{conf: sd + c.conf})
			_, err := LoadWith(file, testEnv)
			var ce *Error
			require.True(t, errors.As(err, &ce), "%v", err)
			assert.Equal(t, c.key, ce.Key)
			assert.Contains(t, ce.Msg, c.msg)
			assert.Greater(t, ce.Line, 0)
		})
	}
}

func TestExtensionMetrics(t *testing.T) {
	cfg := mustLoad(t, sd+"[inet_http_server]\nport=127.0.0.1:9001\nx_metrics = true\n[unix_http_server]\nfile=/tmp/s.sock\n")
	require.Len(t, cfg.HTTPServers, 2)
	assert.True(t, cfg.HTTPServers[0].Metrics)
	assert.False(t, cfg.HTTPServers[1].Metrics, "off by default")
	for name, c := range map[string]struct{ conf, key, msg string }{
		"bad bool":    {"[unix_http_server]\nfile=/tmp/s.sock\nx_metrics=perhaps\n", "x_metrics", "x_metrics=perhaps: not a valid boolean value: 'perhaps'"},
		"misspelled":  {"[inet_http_server]\nport=9001\nx_metric=true\n", "x_metric", "unknown extension key 'x_metric' (known [inet_http_server] x_ keys: x_metrics)"},
		"in program":  {"[program:a]\ncommand=/bin/true\nx_metrics=true\n", "x_metrics", "unknown extension key 'x_metrics'"},
		"supervisord": {"x_metrics=true\n", "x_metrics", "unknown extension key 'x_metrics' (known [supervisord] x_ keys"},
	} {
		t.Run(name, func(t *testing.T) {
			_, file := writeCase(t, loadCase{conf: sd + c.conf})
			_, err := LoadWith(file, testEnv)
			var ce *Error
			require.True(t, errors.As(err, &ce), "%v", err)
			assert.Equal(t, c.key, ce.Key)
			assert.Contains(t, ce.Msg, c.msg)
			assert.Greater(t, ce.Line, 0)
		})
	}
}
