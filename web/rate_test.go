package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/web"
)

// TestPagesPastTheRate: a client asking for pages past its rate gets a
// 429 saying, in its browser's language, when to come back (and
// Retry-After), with the page's headers, and nothing of the desk; other
// clients are still served. Its access log has a line for the first
// page refused, then one counting those refused meanwhile. Before,
// nothing bounded how fast one client asked: each page read the desk
// and wrote its line, as fast as the client could send.
func TestPagesPastTheRate(t *testing.T) {
	// Longer than the 50 refused pages take on a busy machine under the
	// race detector: with 300 ms, a while could pass among them, and
	// their count be cut in two lines, or a page start a run anew.
	const every = 5 * time.Second
	web.RefusedLogEvery(t, every)
	w := newWorld(t, web.Options{AddrRate: 3})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	tok := w.Token(modeltest.N, r.ID)
	for range 3 {
		want(t, w.get(link(r.ID, tok)), http.StatusOK, "Request #1")
	}
	p := w.get(link(r.ID, tok))
	want(t, p, http.StatusTooManyRequests, "Too many pages asked for", "Too many pages were asked for from your network address (IP): try again in 20 seconds.")
	if p.header.Get("Retry-After") != "20" || p.header.Get("Content-Security-Policy") == "" || p.has("example.com") || p.form() {
		t.Errorf("the refusal's headers %v, or it shows the request:\n%s", p.header, p.body)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Language", "pt-PT")
	want(t, w.do(req), http.StatusTooManyRequests, "Foram pedidas demasiadas páginas a partir do seu endereço de rede (IP): tente de novo daqui a 20 segundos.")
	for range 48 {
		want(t, w.get("/healthz"), http.StatusTooManyRequests)
	}
	// The style sheet the refusal's page asks for next, served all the
	// same, without an access line.
	if css := w.get("/assets/style.css"); css.status != http.StatusOK || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("the style sheet past the rate: %d %s", css.status, css.header.Get("Content-Type"))
	}
	w.client = "192.0.2.11:50000"
	want(t, w.get(link(r.ID, tok)), http.StatusOK, "Request #1")

	refused := func() int { return strings.Count(w.log.String(), "status=429") }
	if n := refused(); n != 1 || !strings.Contains(w.log.String(), `route=/request/{id} status=429`) || strings.Contains(w.log.String(), "style.css") {
		t.Errorf("%d access lines of refused pages, want the first alone:\n%s", n, w.log.String())
	}
	deadline := time.Now().Add(every + 20*time.Second)
	for !strings.Contains(w.log.String(), "pages refused past the rate") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(w.log.String(), `level=WARN msg="pages refused past the rate" client=192.0.2.10 refused=49`) {
		t.Errorf("the log does not count the pages refused after the first:\n%s", w.log.String())
	}
}

// TestPagesPastTheNetworkRate: the clients of one IPv6 /48 ask for four
// times a client's rate of pages together, then are told to wait, their
// network named; a client of another /48, or of IPv4, is still served.
// Before, each /64 had a rate of its own, and whoever held a /48 (65,536
// of them) or a /56 (256) asked for as many pages as so many addresses.
func TestPagesPastTheNetworkRate(t *testing.T) {
	now := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	w := newWorld(t, web.Options{AddrRate: 3, Now: func() time.Time { return now }})
	for i := range 4 {
		w.client = fmt.Sprintf("[2001:db8:1:%x::7]:4000", i)
		for range 3 {
			want(t, w.get("/"), http.StatusOK)
		}
	}
	w.client = "[2001:db8:1:ff::7]:4000"
	p := w.get("/")
	want(t, p, http.StatusTooManyRequests, "Too many pages were asked for from your network: try again in 5 seconds.")
	if p.header.Get("Retry-After") != "5" {
		t.Errorf("Retry-After %q", p.header.Get("Retry-After"))
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Language", "fr")
	want(t, w.do(req), http.StatusTooManyRequests, "Trop de pages ont été demandées depuis votre réseau\u00a0: réessayez dans 5 secondes.")
	req.Header.Set("Accept-Language", "pt-PT")
	want(t, w.do(req), http.StatusTooManyRequests, "Foram pedidas demasiadas páginas a partir da sua rede: tente de novo daqui a 5 segundos.")
	for _, other := range []string{"[2001:db8:2::7]:4000", "192.0.2.10:50000"} {
		w.client = other
		want(t, w.get("/"), http.StatusOK)
	}
	// A client of the full /48 that had pages left still has them,
	// whatever it asked for meanwhile: the pages its network refused
	// were not counted as its own. Once the network has a page again
	// (one every 5 s), the client gets it.
	w.client = "[2001:db8:1:ff::7]:4000"
	for range 5 {
		want(t, w.get("/"), http.StatusTooManyRequests, "from your network")
	}
	now = now.Add(5 * time.Second)
	want(t, w.get("/"), http.StatusOK)
	want(t, w.get("/"), http.StatusTooManyRequests, "from your network")
}

// TestPagesWithoutRate: with NoLimit, a client asks for as many pages
// as it likes.
func TestPagesWithoutRate(t *testing.T) {
	w := newWorld(t, web.Options{AddrRate: web.NoLimit})
	for i := range 300 {
		if p := w.get("/"); p.status != http.StatusOK {
			t.Fatalf("page %d: %d", i+1, p.status)
		}
	}
}

// TestPageRateAsTheREADMESays: the README states the default rate.
func TestPageRateAsTheREADMESays(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ")
	if want := fmt.Sprintf("it may ask for %d a minute", web.DefaultAddrRate); !strings.Contains(readme, want) {
		t.Errorf("the README has no %q", want)
	}
}
