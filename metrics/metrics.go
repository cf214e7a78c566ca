// Package metrics is what `contactdesk serve --metrics ADDR` serves on an
// address of its own: the desk's figures for Prometheus (/metrics) and its
// health (/healthz). The other packages know nothing of Prometheus: the
// desk tells Observe of every write (model.Options.Observe), the SSH
// server tells Refused of every refusal (server.Options.OnRefuse), the
// mail sender tells MailSent and MailFailed (delivery.Config), and the
// HTTP doors are wrapped by HTTP.
//
// No label ever holds a handle, an address, a token or a path with an id
// in it: every label value is one of a fixed set of words, the routes
// patterns written in the code.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"contactdesk/model"
)

// Metrics is the registry of one process, with the collectors the
// hooks feed.
type Metrics struct {
	reg          *prometheus.Registry
	actions      *prometheus.CounterVec
	writes       prometheus.Histogram
	refused      *prometheus.CounterVec
	sent, failed prometheus.Counter
	httpRequests *prometheus.CounterVec
	httpSeconds  *prometheus.HistogramVec
}

// Refusal reasons counted (server.Refusal's values); any other is
// counted as "other".
var reasons = []string{"rate", "full", "per-account", "per-connection", "auth", "unavailable"}

// doors are the ways in that have sessions or HTTP requests.
var doors = []string{"ssh", "web", "api"}

// writeBuckets span a durable write: from a sync of 0.3 ms to a wait of
// seconds for a busy file or a slow server.
var writeBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// New returns the metrics of a process, the Go runtime's and the
// process's own among them.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contactdesk_actions_total",
			Help: "Write actions of the desk, by action and outcome (done, refused by a rule, failed).",
		}, []string{"action", "outcome"}),
		writes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "contactdesk_write_seconds",
			Help:    "How long write transactions took, waiting for the store included.",
			Buckets: writeBuckets,
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contactdesk_connections_refused_total",
			Help: "SSH connections and sessions turned away, by reason: rate, full, per-account, per-connection, auth.",
		}, []string{"reason"}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "contactdesk_mail_sent_total",
			Help: "Mails the SMTP server took.",
		}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "contactdesk_mail_failed_total",
			Help: "Mails given up: refused by the SMTP server (5xx), not taken within a day, or cut off while the server took them (counted by the node that finds one a crashed sender left).",
		}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contactdesk_http_requests_total",
			Help: "HTTP requests, by door (web, api), route and status class.",
		}, []string{"door", "route", "status"}),
		httpSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "contactdesk_http_request_seconds",
			Help:    "How long HTTP requests took, by door (web, api) and route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"door", "route"}),
	}
	m.reg.MustRegister(m.actions, m.writes, m.refused, m.sent, m.failed, m.httpRequests, m.httpSeconds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range reasons {
		m.refused.WithLabelValues(r) // shown at 0 from the start
	}
	return m
}

// Registry returns the registry, for tests and for collectors of other
// packages.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// actionRE is what an action's name looks like (model's Act… words);
// anything else is counted as "other", so that no text from elsewhere
// can reach a label.
var actionRE = regexp.MustCompile(`^[a-z][a-z.-]{0,39}$`)

// Observe counts a write of the desk: it is model.Options.Observe.
func (m *Metrics) Observe(action string, o model.Outcome, took time.Duration) {
	if !actionRE.MatchString(action) {
		action = "other"
	}
	switch o {
	case model.OutcomeDone, model.OutcomeRefused, model.OutcomeFailed:
	default:
		o = model.OutcomeFailed
	}
	m.actions.WithLabelValues(action, string(o)).Inc()
	m.writes.Observe(took.Seconds())
}

// Refused counts a connection or session turned away, for why (a
// server.Refusal).
func (m *Metrics) Refused(reason string) { m.refused.WithLabelValues(oneOf(reason, reasons)).Inc() }

// MailSent counts a mail the SMTP server took.
func (m *Metrics) MailSent() { m.sent.Inc() }

// MailFailed counts a mail given up.
func (m *Metrics) MailFailed() { m.failed.Inc() }

// Sessions shows count, read at each scrape, as the sessions open
// through door (ssh).
func (m *Metrics) Sessions(door string, count func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "contactdesk_sessions_open",
		Help:        "Sessions open now, by door.",
		ConstLabels: prometheus.Labels{"door": oneOf(door, doors)},
	}, func() float64 { return float64(count()) }))
}

// Desk shows the desk's gauges, read from the store at each scrape:
// the requests by state, the outbox, and whether the store answered.
func (m *Metrics) Desk(d *model.Desk) { m.reg.MustRegister(&deskCollector{d: d}) }

func oneOf(v string, set []string) string {
	for _, s := range set {
		if v == s {
			return v
		}
	}
	return "other"
}

// scrapeTimeout bounds the reads of a scrape and of a health check: a
// store that takes longer is as good as down to a monitor.
const scrapeTimeout = 5 * time.Second

var (
	requestsDesc = prometheus.NewDesc("contactdesk_requests", "Requests of the desk now, by state (one past its expiry is expired).", []string{"state"}, nil)
	outboxDesc   = prometheus.NewDesc("contactdesk_outbox_pending", "Mails the SMTP outbox has still to send.", nil, nil)
	upDesc       = prometheus.NewDesc("contactdesk_database_up", "1 when the database answered the scrape's reads, else 0.", nil, nil)
)

// deskCollector reads the desk's gauges when Prometheus scrapes.
type deskCollector struct{ d *model.Desk }

func (c *deskCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- requestsDesc
	ch <- outboxDesc
	ch <- upDesc
}

func (c *deskCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	g, err := c.d.Gauges(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 0)
		ch <- prometheus.NewInvalidMetric(requestsDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 1)
	for _, s := range model.States {
		ch <- prometheus.MustNewConstMetric(requestsDesc, prometheus.GaugeValue, float64(g.Requests[s]), string(s))
	}
	ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(g.OutboxPending))
}

// Handler serves the metrics at /metrics and the desk's health at
// /healthz: 200 when the database answers a read, 503 when not (or not
// within 5 s), or when a newer contactdesk upgraded it (this one can't
// write it: the body says so).
func (m *Metrics) Handler(d *model.Desk) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		// What can be read is served; a store that does not answer shows
		// as contactdesk_database_up 0 rather than as a failed scrape.
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), scrapeTimeout)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := d.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			var newer *model.NewerSchemaError
			if errors.As(err, &newer) {
				fmt.Fprintln(w, newer.Error())
				return
			}
			fmt.Fprintln(w, "the database does not answer")
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "contactdesk: /metrics (Prometheus), /healthz (200 while the database answers)")
	})
	return mux
}
