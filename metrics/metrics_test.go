package metrics

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/supervise-go/supervisor"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// serve runs sup until the test ends; the cleanup waits until every child
// is gone.
func serve(t testing.TB, sup *supervisor.Supervisor) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sup.Serve(ctx) }()
	<-sup.Ready()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func scrape(t testing.TB, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	return rec.Body.String()
}

// value returns the value of the series line that starts with series.
func value(t testing.TB, text, series string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(text)
	require.NotNil(t, m, "no series %s in:\n%s", series, text)
	v, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	return v
}

func TestHandlerSeries(t *testing.T) {
	t.Parallel()
	sup := supervisor.New()
	_, err := sup.Add(supervisor.ProgramSpec{Name: "sleeper", Command: "/bin/sleep 1000", StartSecs: -1})
	require.NoError(t, err)
	flappy, err := sup.Add(supervisor.ProgramSpec{Name: "flappy", Group: "grp", Command: "/bin/sh -c 'sleep 0.3; exit 3'",
		StartSecs: 100 * time.Millisecond})
	require.NoError(t, err)
	_, err = sup.Add(supervisor.ProgramSpec{Name: "idle", Command: "/bin/sleep 1000", NoAutostart: true})
	require.NoError(t, err)
	serve(t, sup)
	fp := flappy.Processes()[0]
	waitFor(t, "a restart", func() bool { return fp.Info().Restarts >= 1 })
	waitFor(t, "sleeper RUNNING", func() bool { return sup.Processes()[0].Info().State == supervisor.Running })

	h := Handler(sup, HandlerOptions{})
	text := scrape(t, h)
	for _, st := range []string{"STOPPED", "STARTING", "RUNNING", "BACKOFF", "STOPPING", "EXITED", "FATAL", "UNKNOWN"} {
		want := 0.0
		if st == "RUNNING" {
			want = 1
		}
		require.Equal(t, want, value(t, text, `supervisor_process_state{group="sleeper",name="sleeper",state="`+st+`"}`), st)
		idle := 0.0
		if st == "STOPPED" {
			idle = 1
		}
		require.Equal(t, idle, value(t, text, `supervisor_process_state{group="idle",name="idle",state="`+st+`"}`), st)
	}
	require.Equal(t, 1.0, value(t, text, `supervisor_process_starts_total{group="sleeper",name="sleeper"}`))
	require.Equal(t, 0.0, value(t, text, `supervisor_process_starts_total{group="idle",name="idle"}`))
	require.Equal(t, 0.0, value(t, text, `supervisor_process_start_time_seconds{group="idle",name="idle"}`))
	require.InDelta(t, float64(time.Now().Unix()), value(t, text, `supervisor_process_start_time_seconds{group="sleeper",name="sleeper"}`), 60)
	require.GreaterOrEqual(t, value(t, text, `supervisor_process_resident_memory_bytes{group="sleeper",name="sleeper"}`), 4096.0)
	require.GreaterOrEqual(t, value(t, text, `supervisor_process_cpu_seconds_total{group="sleeper",name="sleeper"}`), 0.0)
	require.NotContains(t, text, `supervisor_process_cpu_seconds_total{group="idle"`, "no child, no CPU series")

	restarts := value(t, text, `supervisor_process_restarts_total{group="grp",name="flappy"}`)
	require.GreaterOrEqual(t, restarts, 1.0)
	require.GreaterOrEqual(t, value(t, text, `supervisor_process_exits_total{group="grp",name="flappy",expected="false"}`), restarts)
	require.Equal(t, 0.0, value(t, text, `supervisor_process_exits_total{group="grp",name="flappy",expected="true"}`))
	require.Equal(t, 0.0, value(t, text, `supervisor_process_restarts_total{group="sleeper",name="sleeper"}`))
	// The counters move with the next restart.
	waitFor(t, "another restart", func() bool { return float64(fp.Info().Restarts) > restarts })
	text2 := scrape(t, h)
	require.Greater(t, value(t, text2, `supervisor_process_restarts_total{group="grp",name="flappy"}`), restarts)
	require.Greater(t, value(t, text2, `supervisor_process_starts_total{group="grp",name="flappy"}`),
		value(t, text, `supervisor_process_starts_total{group="grp",name="flappy"}`))
	require.Contains(t, text2, `supervisor_process_last_exit_status{group="grp",name="flappy"} `)

	// The serving program's own metrics.
	for _, name := range []string{"process_cpu_seconds_total", "process_resident_memory_bytes", "go_goroutines", "go_memstats_alloc_bytes"} {
		require.Regexp(t, `(?m)^`+name+` `, text2)
	}
}

// The Collector works in an embedding program's own registry and lints
// clean.
func TestCollectorInRegistry(t *testing.T) {
	t.Parallel()
	sup := supervisor.New()
	_, err := sup.Add(supervisor.ProgramSpec{Name: "a", Command: "/bin/sleep 1000", NumProcs: 3, ProcessName: "a_%(process_num)d", NoAutostart: true})
	require.NoError(t, err)
	reg := prometheus.NewPedanticRegistry()
	c := NewCollector(sup)
	require.NoError(t, reg.Register(c))
	require.Equal(t, 3*(8+1+1+2+1+1), testutil.CollectAndCount(c))
	problems, err := testutil.CollectAndLint(c)
	require.NoError(t, err)
	require.Empty(t, problems)
	_, err = reg.Gather()
	require.NoError(t, err)
}

// Handler writes the supervisor's series itself: they parse as the text
// format and are the Collector's, label values escaped.
func TestHandlerMatchesCollector(t *testing.T) {
	t.Parallel()
	sup := supervisor.New()
	for _, name := range []string{"plain", `we"ird\\`} {
		_, err := sup.Add(supervisor.ProgramSpec{Name: "p" + strconv.Itoa(len(name)), ProcessName: name,
			Command: "/bin/sleep 1000", NoAutostart: true})
		require.NoError(t, err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(scrape(t, Handler(sup, HandlerOptions{}))))
	require.NoError(t, err)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(sup))
	want, err := reg.Gather()
	require.NoError(t, err)
	require.Len(t, want, 6, "no CPU or memory series without a child")
	for _, mf := range want {
		got, ok := fams[mf.GetName()]
		require.True(t, ok, mf.GetName())
		require.Equal(t, mf.GetType(), got.GetType(), mf.GetName())
		require.Equal(t, mf.GetHelp(), got.GetHelp(), mf.GetName())
		require.Equal(t, len(mf.GetMetric()), len(got.GetMetric()), mf.GetName())
		index := map[string]float64{}
		for _, m := range got.GetMetric() {
			index[labelKey(m)] = metricValue(m)
		}
		for _, m := range mf.GetMetric() {
			v, ok := index[labelKey(m)]
			require.True(t, ok, "%s %s", mf.GetName(), labelKey(m))
			require.Equal(t, metricValue(m), v)
		}
	}
	require.Contains(t, fams, "go_goroutines")
	require.Contains(t, fams, "process_cpu_seconds_total")
}

func labelKey(m *dto.Metric) string {
	var parts []string
	for _, l := range m.GetLabel() {
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

func metricValue(m *dto.Metric) float64 {
	if m.GetCounter() != nil {
		return m.GetCounter().GetValue()
	}
	return m.GetGauge().GetValue()
}

func TestParseProcStat(t *testing.T) {
	t.Parallel()
	line := "4242 (we ird) (name)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 123456 9999 321 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	cpu, rss, ok := parseProcStat([]byte(line))
	require.True(t, ok)
	require.Equal(t, 3.0, cpu)
	require.Equal(t, 321*pageSize, rss)
	for _, bad := range []string{"", "1 (x", "1 (x) S 1 2", "1 (x) S 1 4242 4242 0 -1 4194560 100 0 0 0 abc 50 0 0 20 0 1 0 1 2 3"} {
		_, _, ok := parseProcStat([]byte(bad))
		require.False(t, ok, bad)
	}
	_, _, ok = readProcStat(1<<30, make([]byte, 512))
	require.False(t, ok, "no such pid")
}

// Concurrent scrapes beyond the in-flight bound are refused at once (503)
// and cost nothing; the rest succeed.
func TestConcurrentScrapes(t *testing.T) {
	t.Parallel()
	sup := supervisor.New()
	_, err := sup.Add(supervisor.ProgramSpec{Name: "s", Command: "/bin/sleep 1000", NumProcs: 20, ProcessName: "s_%(process_num)d", StartSecs: -1})
	require.NoError(t, err)
	serve(t, sup)
	srv := httptest.NewServer(Handler(sup, HandlerOptions{MaxRequestsInFlight: 1}))
	defer srv.Close()
	var wg sync.WaitGroup
	codes := make(chan int, 16)
	for range 16 {
		wg.Go(func() {
			resp, err := http.Get(srv.URL)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	ok := 0
	for c := range codes {
		require.Contains(t, []int{http.StatusOK, http.StatusServiceUnavailable}, c)
		if c == http.StatusOK {
			ok++
		}
	}
	require.Positive(t, ok)
	srv.CloseClientConnections()
}

// BenchmarkScrape500 scrapes a supervisor of 500 real sleeping children
// through Handler and reports the CPU time (user + system, of the whole
// test process) that one scrape costs: snapshots, /proc reads, encoding.
func BenchmarkScrape500(b *testing.B) {
	sup := start500(b)
	benchScrape(b, Handler(sup, HandlerOptions{}))
}

// BenchmarkCollectorScrape500 is the same through a registry holding a
// Collector, as an embedding program would serve it.
func BenchmarkCollectorScrape500(b *testing.B) {
	sup := start500(b)
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(sup))
	benchScrape(b, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
}

func start500(b *testing.B) *supervisor.Supervisor {
	sup := supervisor.New()
	_, err := sup.Add(supervisor.ProgramSpec{Name: "s", Command: "/bin/sleep 1000", NumProcs: 500,
		ProcessName: "s_%(process_num)03d", StartSecs: -1})
	require.NoError(b, err)
	serve(b, sup)
	waitFor(b, "500 RUNNING", func() bool {
		for _, p := range sup.Processes() {
			if p.Info().State != supervisor.Running {
				return false
			}
		}
		return true
	})
	return sup
}

func benchScrape(b *testing.B, h http.Handler) {
	text := scrape(b, h)
	require.Equal(b, 500, strings.Count(text, `state="RUNNING"} 1`))
	require.Equal(b, 500, strings.Count(text, "supervisor_process_resident_memory_bytes{"))
	var before, after syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &before))
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
	b.StopTimer()
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &after))
	cpu := time.Duration(after.Utime.Nano() - before.Utime.Nano() + after.Stime.Nano() - before.Stime.Nano())
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/scrape")
	b.ReportMetric(float64(len(text)), "bytes/scrape")
}
