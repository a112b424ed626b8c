package metrics_test

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/supervise-go/supervisor"
	"github.com/supervise-go/supervisor/metrics"
)

// An embedding program adds the supervisor's series to the registry it
// already serves.
func ExampleNewCollector() {
	sup := supervisor.New()
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.NewCollector(sup))
	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
}

// Or it serves the supervisor's own handler: cheaper per scrape, with the
// program's process_* and go_* metrics, bounded to two scrapes at once.
func ExampleHandler() {
	sup := supervisor.New()
	http.Handle("/metrics", metrics.Handler(sup, metrics.HandlerOptions{}))
}
