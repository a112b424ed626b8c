package config

import (
	"errors"
	"testing"
	"time"

	"github.com/supervise-go/supervisor"
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
		"bad essential":    {"[program:a]\ncommand=/bin/true\nx_essential=yes please\n", "x_essential", "x_essential=yes please: not a valid boolean value: 'yes please'"},
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

func TestExtensionEssential(t *testing.T) {
	cfg := mustLoad(t, sd+"[program:a]\ncommand=/bin/true\nx_essential=true\n[program:b]\ncommand=/bin/true\n")
	assert.True(t, program(t, cfg, "a").Essential)
	assert.False(t, program(t, cfg, "b").Essential, "off by default")
}

func TestExtensionReady(t *testing.T) {
	cfg := mustLoad(t, sd+"[program:a]\ncommand=/bin/true\nx_ready=http://127.0.0.1:8080%(ENV_HOME)s\nx_ready_interval=250ms\nx_ready_probe_timeout=2\nx_ready_timeout=1m\n[program:b]\ncommand=/bin/true\n")
	a := program(t, cfg, "a")
	assert.Equal(t, "http://127.0.0.1:8080/root", a.Ready)
	assert.Equal(t, 250*time.Millisecond, a.ReadyInterval)
	assert.Equal(t, 2*time.Second, a.ReadyProbeTimeout)
	assert.Equal(t, time.Minute, a.ReadyTimeout)
	assert.Empty(t, program(t, cfg, "b").Ready, "none by default")
	c := mustLoad(t, sd+"[program:a]\ncommand=/bin/true\nx_ready=notify\nx_watchdog=30\n[program:b]\ncommand=/bin/true\nx_ready=log:^listening on\n")
	assert.Equal(t, "log:^listening on", program(t, c, "b").Ready)
	assert.Equal(t, supervisor.ReadyNotify, program(t, c, "a").Ready)
	assert.Equal(t, 30*time.Second, program(t, c, "a").Watchdog)
	for conf, msg := range map[string]string{
		"x_ready=ping\n":         "x_ready=ping: invalid program spec: ready check 'ping': unknown kind",
		"x_ready=tcp:x\n":        "x_ready=tcp:x: invalid program spec: ready check 'tcp:x': want tcp:HOST:PORT",
		"x_ready_timeout=soon\n": "x_ready_timeout=soon: not a duration",
		"x_ready_interval=-1\n":  "x_ready_interval=-1: not a duration",
	} {
		_, file := writeCase(t, loadCase{conf: sd + "[program:a]\ncommand=/bin/true\n" + conf})
		_, err := LoadWith(file, testEnv)
		var ce *Error
		require.True(t, errors.As(err, &ce), "%v", err)
		assert.Equal(t, "program:a", ce.Section)
		assert.Equal(t, 4, ce.Line)
		assert.Contains(t, ce.Msg, msg)
	}
}

func TestExtensionHealth(t *testing.T) {
	cfg := mustLoad(t, sd+"[program:a]\ncommand=/bin/true\nx_health=tcp:127.0.0.1:80\nx_health_interval=5\nx_health_timeout=500ms\nx_health_failures=2\n[program:b]\ncommand=/bin/true\n")
	a := program(t, cfg, "a")
	assert.Equal(t, "tcp:127.0.0.1:80", a.Health)
	assert.Equal(t, 5*time.Second, a.HealthInterval)
	assert.Equal(t, 500*time.Millisecond, a.HealthTimeout)
	assert.Equal(t, 2, a.HealthFailures)
	assert.Empty(t, program(t, cfg, "b").Health, "none by default")
	for conf, want := range map[string][2]string{
		"x_health=ping\n":           {"x_health", "x_health=ping: invalid program spec: health check 'ping': unknown kind"},
		"x_health_failures=-2\n":    {"x_health_failures", "x_health_failures=-2: invalid program spec: health: HealthInterval, HealthTimeout and HealthFailures must not be negative"},
		"x_health_interval=often\n": {"x_health_interval", "x_health_interval=often: not a duration"},
	} {
		_, file := writeCase(t, loadCase{conf: sd + "[program:a]\ncommand=/bin/true\n" + conf})
		_, err := LoadWith(file, testEnv)
		var ce *Error
		require.True(t, errors.As(err, &ce), "%v", err)
		assert.Equal(t, want[0], ce.Key)
		assert.Equal(t, 4, ce.Line)
		assert.Contains(t, ce.Msg, want[1])
	}
}

func TestExtensionDependsOn(t *testing.T) {
	cfg := mustLoad(t, sd+"[group:backend]\nprograms=db,cache\n[program:db]\ncommand=/bin/true\n[program:cache]\ncommand=/bin/true\n"+
		"[program:migrate]\ncommand=/bin/true\n[program:web]\ncommand=/bin/true\nx_depends_on = backend, migrate:completed\n")
	assert.Equal(t, []supervisor.Dependency{{Name: "backend"}, {Name: "migrate", Condition: supervisor.DependCompleted}},
		program(t, cfg, "web").DependsOn)
	assert.Nil(t, program(t, cfg, "db").DependsOn, "none by default")
}

func TestExtensionDependsOnErrors(t *testing.T) {
	for name, c := range map[string]struct{ conf, section, msg string }{
		"cycle": {"[program:a]\ncommand=/bin/true\nx_depends_on=b\n[program:b]\ncommand=/bin/true\nx_depends_on=c:completed\n[program:c]\ncommand=/bin/true\nx_depends_on=a\n",
			"program:c", "x_depends_on=a: dependency cycle a -> b -> c -> a"},
		"self": {"[program:a]\ncommand=/bin/true\nx_depends_on=a\n",
			"program:a", "x_depends_on=a: invalid program spec: 'a' depends on itself"},
		"unknown": {"[program:a]\ncommand=/bin/true\nx_depends_on=db\n",
			"program:a", "x_depends_on=db: no [program:db] or [group:db]"},
		"ambiguous": {"[group:db]\nprograms=x\n[program:x]\ncommand=/bin/true\n[program:db]\ncommand=/bin/true\n[program:a]\ncommand=/bin/true\nx_depends_on=db\n",
			"program:a", "x_depends_on=db: 'db' is ambiguous: both [program:db] and [group:db]"},
		"condition": {"[program:db]\ncommand=/bin/true\n[program:a]\ncommand=/bin/true\nx_depends_on=db:up\n",
			"program:a", "x_depends_on=db:up: invalid program spec: depends on 'db': unknown condition 'up' (write running or completed)"},
		"empty": {"[program:db]\ncommand=/bin/true\n[program:a]\ncommand=/bin/true\nx_depends_on=db,\n",
			"program:a", "x_depends_on=db,: depends on '': invalid program spec: empty name"},
		"cycle through group": {"[group:g]\nprograms=b\n[program:a]\ncommand=/bin/true\nx_depends_on=g\n[program:b]\ncommand=/bin/true\nx_depends_on=a\n",
			"program:a", "x_depends_on=g: dependency cycle b -> a -> b"},
	} {
		t.Run(name, func(t *testing.T) {
			_, file := writeCase(t, loadCase{conf: sd + c.conf})
			_, err := LoadWith(file, testEnv)
			var ce *Error
			require.True(t, errors.As(err, &ce), "%v", err)
			assert.Equal(t, "x_depends_on", ce.Key)
			assert.Equal(t, c.section, ce.Section)
			assert.Contains(t, ce.Msg, c.msg)
			assert.Greater(t, ce.Line, 0)
			assert.Equal(t, file, ce.File)
		})
	}
}

func TestExtensionRlimit(t *testing.T) {
	cfg := mustLoad(t, sd+"[program:a]\ncommand=/bin/true\nx_rlimit_nofile = 1024:4096\nx_rlimit_core=unlimited\nx_rlimit_cpu=60\nx_rlimit_stack=8388608:Infinity\n[program:b]\ncommand=/bin/true\n")
	assert.Equal(t, map[string]supervisor.Rlimit{
		"nofile": {Soft: 1024, Hard: 4096},
		"core":   {Soft: supervisor.RlimitInfinity, Hard: supervisor.RlimitInfinity},
		"cpu":    {Soft: 60, Hard: 60},
		"stack":  {Soft: 8388608, Hard: supervisor.RlimitInfinity},
	}, program(t, cfg, "a").Rlimits)
	assert.Nil(t, program(t, cfg, "b").Rlimits, "the supervisor's limits by default")
	for name, c := range map[string]struct{ conf, key, msg string }{
		"negative":      {"x_rlimit_nofile=-1\n", "x_rlimit_nofile", "x_rlimit_nofile=-1: want SOFT[:HARD]: '-1' is negative"},
		"negative hard": {"x_rlimit_core=0:-5\n", "x_rlimit_core", "x_rlimit_core=0:-5: want SOFT[:HARD]: '-5' is negative"},
		"malformed":     {"x_rlimit_nofile=lots\n", "x_rlimit_nofile", "x_rlimit_nofile=lots: want SOFT[:HARD]: 'lots' is not a number or unlimited"},
		"suffix":        {"x_rlimit_fsize=10M\n", "x_rlimit_fsize", "'10M' is not a number or unlimited"},
		"empty":         {"x_rlimit_cpu=\n", "x_rlimit_cpu", "'' is not a number or unlimited"},
		"too many":      {"x_rlimit_as=1:2:3\n", "x_rlimit_as", "'2:3' is not a number or unlimited"},
		"soft above":    {"x_rlimit_nofile=4096:1024\n", "x_rlimit_nofile", "x_rlimit_nofile=4096:1024: soft limit above hard limit"},
		"unknown":       {"x_rlimit_files=10\n", "x_rlimit_files", "unknown extension key 'x_rlimit_files'"},
		"misspelt":      {"x_rlimits_nofile=10\n", "x_rlimits_nofile", "unknown extension key 'x_rlimits_nofile'"},
	} {
		t.Run(name, func(t *testing.T) {
			_, file := writeCase(t, loadCase{conf: sd + "[program:a]\ncommand=/bin/true\n" + c.conf})
			_, err := LoadWith(file, testEnv)
			var ce *Error
			require.True(t, errors.As(err, &ce), "%v", err)
			assert.Equal(t, c.key, ce.Key)
			assert.Equal(t, "program:a", ce.Section)
			assert.Contains(t, ce.Msg, c.msg)
			assert.Equal(t, 4, ce.Line, "%v", err)
		})
	}
}
