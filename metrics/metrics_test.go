package metrics_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	pmodel "github.com/prometheus/common/model"

	"contactdesk/delivery"
	"contactdesk/delivery/smtptest"
	"contactdesk/metrics"
	"contactdesk/model"
	"contactdesk/storage"
)

// scrape reads the metrics h serves, as Prometheus would.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(pmodel.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text: %v", err)
	}
	return fams
}

// value is the value of the family's metric with these labels (0 when
// there is none such).
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return 0
}

// TestScrapeAfterKnownActions drives a desk through a known set of
// actions, refusals and mails, and reads them back from /metrics.
func TestScrapeAfterKnownActions(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(filepath.Join(t.TempDir(), "desk.db"), storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := metrics.New()
	d := model.NewDesk(db, model.Options{Observe: m.Observe})
	if _, err := d.UseRealDelivery(ctx); err != nil { // as a run with --smtp does
		t.Fatal(err)
	}
	m.Desk(d)
	sessions := 3
	m.Sessions("ssh", func() int { return sessions })

	// Mail through a real SMTP server, which refuses one address.
	srv := smtptest.Start(t, smtptest.Options{})
	srv.Refuse(func(rcpt string) *smtp.SMTPError {
		if strings.HasPrefix(rcpt, "nobody") {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	})
	server, err := delivery.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	from, _ := delivery.ParseFrom("desk@example.com")
	sender, err := delivery.New(delivery.Config{Server: server, From: from, OnSent: m.MailSent, OnFailed: m.MailFailed})
	if err != nil {
		t.Fatal(err)
	}
	sender.Attach(d)

	people := map[string]string{"ad11111-ovh": "ada@example.pt", "ne22222-ovh": "nobody@example.pt", "te33333-ovh": "ted@example.pt"}
	for h, email := range people {
		if _, err := d.AddAccount(ctx, model.NewAccount{Handle: h, Name: "Person " + h, Email: email}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.AddAccount(ctx, model.NewAccount{Handle: "ad11111-ovh", Name: "Again", Email: "again@example.pt"}); err == nil {
		t.Fatal("an account added twice")
	}
	if _, err := d.AddService(ctx, model.NewService{Name: "ada.pt", Type: "domain", Admin: "ad11111-ovh", Tech: "ad11111-ovh", Billing: "ad11111-ovh"}); err != nil {
		t.Fatal(err)
	}
	rs, err := d.CreateRequest(ctx, "ad11111-ovh", model.NewRequest{Service: "ada.pt", Roles: []model.Role{model.Tech}, To: "ne22222-ovh"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Accept(ctx, "ne22222-ovh", rs[0].ID, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG"); err == nil {
		t.Fatal("a wrong token accepted")
	}
	if _, err := d.CreateRequest(ctx, "ad11111-ovh", model.NewRequest{Service: "ada.pt", Roles: []model.Role{model.Billing}, To: "te33333-ovh"}); err != nil {
		t.Fatal(err)
	}
	// Two parties on each request: ada's mails go, nobody's is refused.
	srv.Wait(t, 3)
	if err := sender.Close(); err != nil {
		t.Logf("sender: %v", err)
	}
	for _, r := range []string{"rate", "rate", "auth", "full", "per-account", "xx11111-ovh"} {
		m.Refused(r)
	}

	h := m.Handler(d)
	fams := scrape(t, h)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"contactdesk_actions_total", []string{"action", "account.add", "outcome", "done"}, 3},
		{"contactdesk_actions_total", []string{"action", "account.add", "outcome", "refused"}, 1},
		{"contactdesk_actions_total", []string{"action", "service.add", "outcome", "done"}, 1},
		{"contactdesk_actions_total", []string{"action", "request.create", "outcome", "done"}, 2},
		{"contactdesk_actions_total", []string{"action", "request.accept", "outcome", "refused"}, 1},
		{"contactdesk_connections_refused_total", []string{"reason", "rate"}, 2},
		{"contactdesk_connections_refused_total", []string{"reason", "auth"}, 1},
		{"contactdesk_connections_refused_total", []string{"reason", "full"}, 1},
		{"contactdesk_connections_refused_total", []string{"reason", "per-account"}, 1},
		{"contactdesk_connections_refused_total", []string{"reason", "per-connection"}, 0},
		{"contactdesk_connections_refused_total", []string{"reason", "other"}, 1},
		{"contactdesk_sessions_open", []string{"door", "ssh"}, 3},
		{"contactdesk_requests", []string{"state", "validatingByCustomers"}, 2},
		{"contactdesk_requests", []string{"state", "done"}, 0},
		{"contactdesk_outbox_pending", nil, 0},
		{"contactdesk_mail_sent_total", nil, 3},
		{"contactdesk_mail_failed_total", nil, 1},
		{"contactdesk_database_up", nil, 1},
	} {
		if got := value(fams, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// Every write is timed, the sender's records of delivery among them.
	if n := value(fams, "contactdesk_write_seconds"); n < 9 {
		t.Errorf("contactdesk_write_seconds counts %v writes, want at least 9", n)
	}
	if _, ok := fams["contactdesk_actions_total"]; !ok || fams["contactdesk_write_seconds"].GetType() != dto.MetricType_HISTOGRAM {
		t.Error("the write times are not a histogram")
	}

	// No label holds a handle, an address or anything a user typed.
	personal := regexp.MustCompile(`@|-ovh|[A-Z0-9]{4}-[A-Z0-9]{4}`)
	for name, f := range fams {
		for _, mt := range f.Metric {
			for _, l := range mt.Label {
				if personal.MatchString(l.GetValue()) {
					t.Errorf("%s has the label %s=%q", name, l.GetName(), l.GetValue())
				}
			}
		}
	}

	// Health: 200 while the database answers, 503 once it does not.
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get("/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	db.Close()
	if code, body := get("/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "does not answer") {
		t.Errorf("/healthz of a closed store: %d %q", code, body)
	}
	fams = scrape(t, h)
	if value(fams, "contactdesk_database_up") != 0 || value(fams, "contactdesk_mail_sent_total") != 3 {
		t.Errorf("a scrape with the store closed: up %v, sent %v", value(fams, "contactdesk_database_up"), value(fams, "contactdesk_mail_sent_total"))
	}
}

// TestHTTPDoors: requests of the web page and the API are counted by
// door, route pattern and status class, timed, and never labelled with
// their path.
func TestHTTPDoors(t *testing.T) {
	m := metrics.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /request/{id}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "a page") })
	mux.HandleFunc("POST /request/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusSeeOther) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	web := m.HTTP("web", mux)
	// A door that routes by itself, and one that names its routes.
	api := m.HTTP("api", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/1.0/me") {
			metrics.SetRoute(r, "GET /1.0/me")
			return
		}
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	for _, c := range []struct {
		h            http.Handler
		method, path string
	}{
		{web, "GET", "/request/42?token=7K3Q-9XWM-ABCD-EFGH"},
		{web, "GET", "/request/43"},
		{web, "POST", "/request/43"},
		{web, "GET", "/nope/xx11111-ovh"},
		{api, "GET", "/1.0/me"},
		{api, "DELETE", "/1.0/secret/ab12345-ovh"},
		{api, "BREW", "/1.0/pot"},
	} {
		c.h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(c.method, c.path, nil))
	}
	fams := scrape(t, m.Handler(model.NewDesk(nil, model.Options{})))
	for _, c := range []struct {
		labels []string
		want   float64
	}{
		{[]string{"door", "web", "route", "GET /request/{id}", "status", "2xx"}, 2},
		{[]string{"door", "web", "route", "POST /request/{id}", "status", "3xx"}, 1},
		{[]string{"door", "web", "route", "/", "status", "4xx"}, 1},
		{[]string{"door", "api", "route", "GET /1.0/me", "status", "2xx"}, 1},
		{[]string{"door", "api", "route", "DELETE", "status", "5xx"}, 1},
		{[]string{"door", "api", "route", "OTHER", "status", "5xx"}, 1},
	} {
		if got := value(fams, "contactdesk_http_requests_total", c.labels...); got != c.want {
			t.Errorf("contactdesk_http_requests_total%v = %v, want %v", c.labels, got, c.want)
		}
	}
	if got := value(fams, "contactdesk_http_request_seconds", "door", "web", "route", "GET /request/{id}"); got != 2 {
		t.Errorf("timed %v requests of GET /request/{id}, want 2", got)
	}
	for _, mt := range fams["contactdesk_http_requests_total"].Metric {
		for _, l := range mt.Label {
			if strings.ContainsAny(l.GetValue(), "0123456789?") && l.GetName() != "status" && l.GetValue() != "GET /1.0/me" {
				t.Errorf("a label holds a path: %s=%q", l.GetName(), l.GetValue())
			}
		}
	}
}

// TestHealthzNewerSchema: a node whose database a newer contactdesk
// upgraded fails its health check, saying so and what to do, where it
// said ok while every write failed.
func TestHealthzNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	db, err := storage.Open(path, storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := metrics.New().Handler(model.NewDesk(db, model.Options{}))
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", storage.SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	want := fmt.Sprintf("the database was upgraded by a newer contactdesk (schema %d; this one knows up to %d): upgrade this contactdesk", storage.SchemaVersion()+1, storage.SchemaVersion())
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), want) {
		t.Errorf("/healthz of a database upgraded by a newer contactdesk: %d %q", rec.Code, rec.Body)
	}
}
