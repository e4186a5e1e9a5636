package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/usagerep/usagerep/pkg/source"
)

// metrics are the server's Prometheus series, on a registry of its own so
// that two servers (tests) never share one.
type metrics struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	inFlight       prometheus.Gauge
	results        *prometheus.CounterVec
	computeSeconds *prometheus.HistogramVec
	scans          *prometheus.CounterVec
	records        prometheus.Gauge
	rejected       prometheus.Gauge
	inputBytes     prometheus.Gauge
	reloads        prometheus.Counter
	ready          prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usagerep_http_requests_total", Help: "HTTP requests answered, by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "usagerep_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route.",
			Buckets: []float64{.005, .01, .05, .1, .5, 1, 5, 30, 120},
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "usagerep_http_requests_in_flight", Help: "HTTP requests being answered.",
		}),
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usagerep_report_results_total", Help: "Reports answered, by report and how: computed, shared (joined a running computation) or cached.",
		}, []string{"report", "how"}),
		computeSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "usagerep_report_compute_seconds", Help: "Time to compute a report, scan included.",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 30, 120, 600},
		}, []string{"report"}),
		scans: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usagerep_input_scans_total", Help: "Full scans of the inputs, by the report they were for (startup: the first read).",
		}, []string{"report"}),
		records: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "usagerep_input_records", Help: "Records read from the inputs by the last scan.",
		}),
		rejected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "usagerep_input_rejected_records", Help: "Records rejected by the last scan.",
		}),
		inputBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "usagerep_input_bytes", Help: "On-disk bytes of the inputs read by the last scan.",
		}),
		reloads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "usagerep_input_changes_total", Help: "Times the inputs were seen to change.",
		}),
		ready: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "usagerep_ready", Help: "1 once the inputs were read at start.",
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, m.results, m.computeSeconds, m.scans,
		m.records, m.rejected, m.inputBytes, m.reloads, m.ready,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// noteScan counts one finished scan of the inputs for report.
func (m *metrics) noteScan(report string, st source.Stats) {
	m.scans.WithLabelValues(report).Inc()
	rec, rej := st.Totals()
	m.records.Set(float64(rec))
	m.rejected.Set(float64(rej))
	m.inputBytes.Set(float64(st.Bytes))
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
