package web_test

import (
	"database/sql"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"contactdesk/internal/clientinfo"
	"contactdesk/internal/syncbuf"
	"contactdesk/metrics"
	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/storage/sqlite"
	"contactdesk/web"
)

// openTemp opens a fresh desk in the test's temp dir.
func openTemp(t *testing.T) model.Store {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "desk.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// page is the page as a test reads it.
type page struct {
	status int
	header http.Header
	body   string
}

// has reports whether the page says s, as its reader reads it (the
// text without its tags, HTML entities read as text), or holds s in its
// HTML (an attribute, a button).
func (p page) has(s string) bool {
	return strings.Contains(textOf(p.body), s) || strings.Contains(html.UnescapeString(p.body), s)
}

// textOf is the text of an HTML page as its reader reads it: without
// its tags, HTML entities read as text.
func textOf(body string) string { return html.UnescapeString(tags.ReplaceAllString(body, "")) }

var tags = regexp.MustCompile(`<[^>]*>`)

// form reports whether the page offers the answer buttons.
func (p page) form() bool {
	return strings.Contains(p.body, `<form method="post"`) || strings.Contains(p.body, `value="accept"`) || strings.Contains(p.body, `value="refuse"`)
}

// tokenValue is the value the page fills the token field with.
func (p page) tokenValue() string {
	m := regexp.MustCompile(`name="token" type="text" value="([^"]*)"`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// world is a desk (the model's fixture) with its page.
type world struct {
	*modeltest.Fixture
	h      http.Handler
	log    *syncbuf.Buffer
	client string // the RemoteAddr of the next request
}

func newWorld(t *testing.T, o web.Options) *world {
	f := modeltest.New(t, openTemp)
	log := &syncbuf.Buffer{}
	lg := slog.New(slog.NewTextHandler(log, nil))
	if o.Now == nil {
		o.Now = f.Clock.Now
	}
	o.Log = lg
	return &world{Fixture: f, h: web.AccessLog(lg, web.New(f.Desk, o)), log: log, client: "192.0.2.10:50000"}
}

func (w *world) do(req *http.Request) page {
	w.T.Helper()
	req.RemoteAddr = w.client
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return page{status: rec.Code, header: rec.Result().Header, body: rec.Body.String()}
}

func (w *world) get(path string) page {
	return w.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// link is the path of request id's page with token, as a mail links it.
func link(id int64, token string) string { return pageLink("request", id, token) }

// pageLink is the path of page /kind/id with token.
func pageLink(kind string, id int64, token string) string {
	return fmt.Sprintf("/%s/%d?token=%s", kind, id, url.QueryEscape(token))
}

func (w *world) post(id int64, token, answer string) page {
	return w.postTo("request", id, token, answer)
}

// postTo answers on page /kind/id with token.
func (w *world) postTo(kind string, id int64, token, answer string) page {
	form := url.Values{"token": {token}, "answer": {answer}}
	req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/%s/%d", kind, id), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return w.do(req)
}

func want(t *testing.T, p page, status int, says ...string) {
	t.Helper()
	if p.status != status {
		t.Errorf("status %d, want %d:\n%s", p.status, status, p.body)
		return
	}
	for _, s := range says {
		if !p.has(s) {
			t.Errorf("the page does not say %q:\n%s", s, p.body)
		}
	}
}

// TestGetChangesNothing: opening a link, as a mail scanner does, twice,
// shows the request as the token's party sees it, with the token filled
// in, and changes nothing at all.
func TestGetChangesNothing(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	tok := w.Token(modeltest.N, r.ID)
	before := w.Snap()
	for range 2 {
		p := w.get(link(r.ID, tok))
		want(t, p, http.StatusOK, "Request #1: new tech contact for example.com", "You answer as ne44444-ovh (new tech contact)",
			"example.com (domain)", "Tech contact: te22222-ovh → ne44444-ovh", "ad11111-ovh, on 2026-03-02 09:00 UTC",
			"waiting for answers from you, ad11111-ovh and te22222-ovh", "2026-03-17 09:00 UTC", "current tech contact", "not answered yet")
		if !p.form() || p.tokenValue() != tok {
			t.Errorf("the form is missing or its token is %q, want %q", p.tokenValue(), tok)
		}
		for _, label := range []string{`<label for="token">`, `id="token"`, `lang="en"`, `>Accept</button>`, `>Refuse</button>`} {
			if !strings.Contains(p.body, label) {
				t.Errorf("the page lacks %s", label)
			}
		}
	}
	w.Same(before, "opening the link twice")
	if got := w.Request(modeltest.N, r.ID); len(got.Awaited()) != 3 {
		t.Errorf("opening the link answered: %v", got.Awaited())
	}
	// The token decides who answers: the requester's shows the requester.
	p := w.get(link(r.ID, w.Token(modeltest.A, r.ID)))
	want(t, p, http.StatusOK, "You answer as ad11111-ovh (requester)")
	// Without a token, the page asks for one, and shows nothing of the request.
	p = w.get(fmt.Sprintf("/request/%d", r.ID))
	want(t, p, http.StatusOK, "Paste the token of your mail for request #1")
	if p.has("example.com") || p.form() {
		t.Errorf("a page without a token shows the request:\n%s", p.body)
	}
	// A mail client that escaped the link's "?" still opens it.
	p = w.get(fmt.Sprintf("/request/%d%%3Ftoken%%3D%s", r.ID, tok))
	want(t, p, http.StatusOK, "You answer as ne44444-ovh")
	w.Same(before, "opening the pages")
}

// TestAcceptFromThePage: every party accepts from the page alone; the
// last one's answer makes the change.
func TestAcceptFromThePage(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	want(t, w.post(r.ID, w.Token(modeltest.T, r.ID), "accept"), http.StatusOK,
		"You accepted request #1; still waiting for ad11111-ovh and ne44444-ovh.", "In this request you are te22222-ovh (current tech contact).")
	// Typed as a person may: lower case, spaces.
	typed := strings.ToLower(strings.ReplaceAll(w.Token(modeltest.A, r.ID), "-", " "))
	want(t, w.post(r.ID, typed, "accept"), http.StatusOK, "still waiting for ne44444-ovh.")
	p := w.post(r.ID, w.Token(modeltest.N, r.ID), "accept")
	want(t, p, http.StatusOK, "Done: ne44444-ovh is now the tech contact of example.com.", "done: the change was made")
	if p.form() {
		t.Errorf("a done request offers the form")
	}
	if s := w.Service(modeltest.Example); s.Tech != modeltest.N {
		t.Errorf("the tech contact is %s", s.Tech)
	}
	// The same history and outcome mails as any other door.
	hs, _ := w.Desk.History(w.Ctx, modeltest.N, model.HistoryFilter{RequestID: r.ID})
	if len(hs) == 0 || hs[0].Action != model.ActRequestDone {
		t.Errorf("history: %+v", hs)
	}
	if ms, _ := w.Desk.Mails(w.Ctx, modeltest.T); ms[0].Kind != model.MailOutcome {
		t.Errorf("no outcome mail: %+v", ms[0])
	}
	// Sent again (the browser's reload): the token is used.
	p = w.post(r.ID, w.Token(modeltest.N, r.ID), "accept")
	want(t, p, http.StatusGone, "Request #1 is already done")
}

// TestRefuseFromThePage: a refusal ends the request for everyone.
func TestRefuseFromThePage(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	p := w.post(r.ID, w.Token(modeltest.T, r.ID), "refuse")
	want(t, p, http.StatusOK, "You refused request #1: the tech contact of example.com stays te22222-ovh.", "refused by te22222-ovh")
	if p.form() {
		t.Errorf("a refused request offers the form")
	}
	if got := w.Request(modeltest.A, r.ID); got.State != model.StateRefused {
		t.Errorf("state %s", got.State)
	}
	// The others' links now say so, and offer nothing.
	p = w.get(link(r.ID, w.Token(modeltest.N, r.ID)))
	want(t, p, http.StatusGone, "Request #1 was already refused by te22222-ovh.", "In this request you are ne44444-ovh")
	if p.has("You answer as") {
		t.Errorf("the page of a refused request says \"You answer as\"")
	}
	if p.form() {
		t.Errorf("the form of a refused request:\n%s", p.body)
	}
	// Those who had not answered never will: no answer, not "not yet".
	if !p.has("no answer: the request ended first") || p.has("not answered yet") {
		t.Errorf("the parties of an ended request:\n%s", p.body)
	}
	// Nobody must confirm an ended request any more: its table of
	// parties says who had to (in pt, "Quem tinha de confirmar").
	if !p.has("Who had to confirm") || p.has("Who must confirm") {
		t.Errorf("the table of an ended request's parties is not headed \"Who had to confirm\":\n%s", p.body)
	}
	if _, err := w.Desk.SetLang(w.Ctx, modeltest.N, "pt"); err != nil {
		t.Fatal(err)
	}
	if p := w.get(link(r.ID, w.Token(modeltest.N, r.ID))); !p.has("Quem tinha de confirmar") || p.has("Quem tem de confirmar") {
		t.Errorf("the table of an ended request's parties, in Portuguese:\n%s", p.body)
	}
}

// TestTokensThatCantAnswer: wrong, used, replaced, retired and other
// requests' tokens get a 4xx page that says what is wrong, and change
// nothing; a stranger's guesses cost the parties nothing in the model.
func TestTokensThatCantAnswer(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	r2 := w.Create(modeltest.A, modeltest.Multi, modeltest.N, model.Tech)[0]
	before := w.Snap()
	left := web.DefaultClientGuesses
	for _, c := range []struct {
		name, path, says string
	}{
		{"made up", link(r.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"), "That is not a token of request #1"},
		{"not a token", link(r.ID, "hello"), "That is not a token: a token is 28 letters and digits"},
		{"a token of another request", link(r.ID, w.Token(modeltest.N, r2.ID)), "That is not a token of request #1"},
		{"a request that does not exist", link(999, w.Token(modeltest.N, r.ID)), "That is not a token of request #999"},
	} {
		left--
		p := w.get(c.path)
		want(t, p, http.StatusForbidden, c.says, fmt.Sprintf("%d more tries before a pause.", left))
		if p.form() || p.has("example.com") {
			t.Errorf("%s: the page shows the request:\n%s", c.name, p.body)
		}
	}
	p := w.post(r.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "accept")
	want(t, p, http.StatusForbidden, "That is not a token of request #1")
	w.Same(before, "wrong tokens")
	// The parties lost no try: each may still make its own mistakes.
	for _, h := range []model.Handle{modeltest.A, modeltest.T, modeltest.N} {
		_, err := w.Desk.Accept(w.Ctx, h, r.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
		if err == nil || !strings.Contains(err.Error(), "4 tries left") {
			t.Errorf("%s's first own wrong try says %v", h, err)
		}
	}
	// Used: the page says it was answered, and offers nothing more.
	tokT := w.Token(modeltest.T, r.ID)
	w.post(r.ID, tokT, "accept")
	p = w.get(link(r.ID, tokT))
	want(t, p, http.StatusGone, "You have already accepted request #1", "accepted on 2026-03-02 09:00 UTC")
	if p.form() {
		t.Errorf("a used token's page offers the form")
	}
	// Replaced by a newer mail.
	old := w.Token(modeltest.N, r.ID)
	if _, err := w.Desk.Resend(w.Ctx, modeltest.N, r.ID); err != nil {
		t.Fatal(err)
	}
	p = w.post(r.ID, old, "accept")
	want(t, p, http.StatusForbidden, "That token was replaced by a newer one")
	if got := w.Request(modeltest.N, r.ID); len(got.Awaited()) != 2 {
		t.Errorf("a replaced token answered: %v", got.Awaited())
	}
	// Retired: the request was cancelled.
	if _, err := w.Desk.Cancel(w.Ctx, modeltest.A, r2.ID); err != nil {
		t.Fatal(err)
	}
	p = w.post(r2.ID, w.Token(modeltest.N, r2.ID), "accept")
	want(t, p, http.StatusGone, "Request #2 was already cancelled by ad11111-ovh.")
	// A form without a button, or without a token.
	want(t, w.post(r.ID, w.Token(modeltest.N, r.ID), "maybe"), http.StatusBadRequest, "answer with the Accept or Refuse button")
	want(t, w.post(r.ID, "", "accept"), http.StatusBadRequest)
	// Expired: past its validity, before any write records it.
	w.Clock.Advance(16 * 24 * time.Hour)
	p = w.get(link(r.ID, w.Token(modeltest.N, r.ID)))
	want(t, p, http.StatusGone, "Request #1 is already expired", "expired")
	if p.form() {
		t.Errorf("an expired request offers the form")
	}
}

// TestPausedElsewhere: a party whose tries were paused through another
// door (the API, the app) is told so by the link's page, which offers no
// form meanwhile, and is refused its right token there too, with when
// to come back in Retry-After, as the API says it.
func TestPausedElsewhere(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	for range model.MaxTokenFailures {
		w.Desk.Accept(w.Ctx, modeltest.N, r.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	}
	// the link's page says so, and offers no form the pause would refuse
	p := w.get(link(r.ID, w.Token(modeltest.N, r.ID)))
	want(t, p, http.StatusOK, "paused until")
	if p.form() {
		t.Errorf("the page of a paused party offers its form")
	}
	p = w.post(r.ID, w.Token(modeltest.N, r.ID), "accept")
	want(t, p, http.StatusTooManyRequests, "paused until")
	if p.header.Get("Retry-After") != "900" {
		t.Errorf("Retry-After %q, want 900 (15 minutes)", p.header.Get("Retry-After"))
	}
}

// TestThrottle: wrong tokens are paused per client address; a paused
// client is refused even the right token, other clients are not, and
// the pause ends. Guesses from any number of addresses never close a
// request's page to a party whose token is right.
func TestThrottle(t *testing.T) {
	w := newWorld(t, web.Options{ClientGuesses: 3, GuessEvery: time.Minute})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	first := w.client
	wrong := link(r.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	want(t, w.get(wrong), http.StatusForbidden, "2 more tries before a pause.")
	want(t, w.get(wrong), http.StatusForbidden, "1 more try before a pause.")
	want(t, w.get(wrong), http.StatusForbidden, "That was the last try for now: tries are paused for 1 minute.")
	right := link(r.ID, w.Token(modeltest.N, r.ID))
	p := w.get(right)
	want(t, p, http.StatusTooManyRequests, "Too many wrong tokens came from your network address (IP): try again in 1 minute.")
	if p.header.Get("Retry-After") != "60" {
		t.Errorf("Retry-After %q", p.header.Get("Retry-After"))
	}
	want(t, w.post(r.ID, w.Token(modeltest.N, r.ID), "accept"), http.StatusTooManyRequests)
	// Another address (an IPv6 /64 is one client) is not paused…
	w.client = "[2001:db8:1:2::10]:4000"
	want(t, w.get(right), http.StatusOK, "You answer as ne44444-ovh")
	want(t, w.get(wrong), http.StatusForbidden)
	w.client = "[2001:db8:1:2::99]:4001"
	want(t, w.get(wrong), http.StatusForbidden, "1 more try before a pause.")
	// …and 40 addresses guessing on the request, three each, leave its
	// page open to its parties, who answer from theirs.
	for i := range 40 {
		w.client = fmt.Sprintf("198.51.%d.7:1234", i)
		for range 3 {
			want(t, w.get(wrong), http.StatusForbidden)
		}
		want(t, w.get(wrong), http.StatusTooManyRequests, "from your network address (IP)")
	}
	w.client = "203.0.113.1:1234"
	want(t, w.get(right), http.StatusOK, "You answer as ne44444-ovh")
	w.client = "203.0.113.2:1234"
	want(t, w.post(r.ID, w.Token(modeltest.T, r.ID), "accept"), http.StatusOK, "You accepted request #1")
	// In the app and on the command line, nobody is paused.
	if _, err := w.Desk.Accept(w.Ctx, modeltest.N, r.ID, w.Token(modeltest.N, r.ID)); err != nil {
		t.Errorf("the party is paused in the model by a stranger's guesses: %v", err)
	}
	// A minute later, the first address has one more try.
	w.client = first
	want(t, w.get(right), http.StatusTooManyRequests)
	w.Clock.Advance(time.Minute)
	want(t, w.get(link(r.ID, w.Token(modeltest.A, r.ID))), http.StatusOK, "You answer as ad11111-ovh")
}

// TestBehindAProxy: with the header a reverse proxy names the client in,
// each client is throttled on its own, not all as the proxy, and its
// access lines name it.
func TestBehindAProxy(t *testing.T) {
	w := newWorld(t, web.Options{ClientGuesses: 1, ClientAddr: clientinfo.FromHeader("X-Forwarded-For")})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	w.client = "127.0.0.1:9000" // the proxy
	guess := func(from string) page {
		req := httptest.NewRequest(http.MethodGet, link(r.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"), nil)
		if from != "" {
			req.Header.Set("X-Forwarded-For", from)
		}
		return w.do(req)
	}
	want(t, guess("10.0.0.1, 203.0.113.5"), http.StatusForbidden, "That was the last try")
	want(t, guess("10.0.0.1, 203.0.113.5"), http.StatusTooManyRequests, "from your network address (IP)")
	// The last address is the one the proxy saw: a client can't pick another.
	want(t, guess("203.0.113.9, 203.0.113.5"), http.StatusTooManyRequests)
	want(t, guess("203.0.113.6"), http.StatusForbidden)
	want(t, guess("[2001:db8::1]:443"), http.StatusForbidden)
	// Without the header (or with nonsense), the connection's address.
	want(t, guess(""), http.StatusForbidden)
	want(t, guess("not an address"), http.StatusTooManyRequests)
	// An IPv6 zone is no part of a client's address, and may be of any
	// length: neither the throttle nor the log takes it.
	want(t, guess("[2001:db8::1%"+strings.Repeat("z", 10000)+"]:443"), http.StatusTooManyRequests)
	log := w.log.String()
	for client, n := range map[string]int{"203.0.113.5": 3, "203.0.113.6": 1, "[2001:db8::1]:443": 2, "127.0.0.1:9000": 2} {
		if got := strings.Count(log, "client="+client+"\n"); got != n {
			t.Errorf("%d access lines name client %s, want %d:\n%s", got, client, n, log)
		}
	}
	if len(log) > 8*300 {
		t.Errorf("%d bytes of log for 8 requests:\n%.3000s", len(log), log)
	}
}

// TestHeaders: every response carries the headers that keep the token
// in the page: no referrer, no cache, no frame, nothing from elsewhere.
func TestHeaders(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	tok := w.Token(modeltest.N, r.ID)
	for _, p := range []page{
		w.get("/"), w.get(link(r.ID, tok)), w.get("/request/1"), w.get(link(r.ID, "wrong")), w.get("/healthz"),
		w.get("/assets/style.css"), w.get("/nothing/here"), w.get("/request/x"), w.post(r.ID, tok, "maybe"),
		w.do(httptest.NewRequest(http.MethodPut, "/request/1", nil)),
		w.get("/request//1?token=" + tok), w.get("/x/../request/1?token=" + tok),
	} {
		for k, v := range map[string]string{
			"Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
			"Referrer-Policy":         "no-referrer",
			"X-Content-Type-Options":  "nosniff",
			"Cache-Control":           "no-store",
		} {
			if got := p.header.Get(k); got != v {
				t.Errorf("%d %s: %s is %q", p.status, strings.SplitN(p.body, "\n", 2)[0], k, got)
			}
		}
		if p.header.Get("Content-Type") == "" {
			t.Errorf("a response without a Content-Type")
		}
	}
	// A path that is not clean is no link of the page: 404, never a
	// redirect that would repeat the token in its Location.
	for _, path := range []string{"/request//1", "//request/1", "/request/1/../1", "/assets/../request/1", "/./request/1"} {
		p := w.get(path + "?token=" + url.QueryEscape(tok))
		if p.status != http.StatusNotFound || p.header.Get("Location") != "" || strings.Contains(p.body, tok) {
			t.Errorf("%s: %d, Location %q", path, p.status, p.header.Get("Location"))
		}
	}
	// Another method on an address of the page: 405, saying which.
	for path, allow := range map[string]string{"/request/1": "GET, HEAD, POST", "/email/1": "GET, HEAD, POST", "/healthz": "GET, HEAD", "/": "GET, HEAD", "/assets/style.css": "GET, HEAD"} {
		for _, method := range []string{http.MethodDelete, http.MethodPut, http.MethodOptions} {
			p := w.do(httptest.NewRequest(method, path, nil))
			if p.status != http.StatusMethodNotAllowed || p.header.Get("Allow") != allow || p.header.Get("Content-Security-Policy") == "" {
				t.Errorf("%s %s: %d, Allow %q", method, path, p.status, p.header.Get("Allow"))
			}
		}
	}
	if p := w.post(r.ID+100, tok, "accept"); p.status == http.StatusMethodNotAllowed {
		t.Errorf("POST to a request's page is not allowed")
	}
	if p := w.get("/nothing/here"); p.status != http.StatusNotFound || !strings.Contains(p.body, `href="../assets/style.css"`) {
		t.Errorf("a page below a folder links its style sheet wrongly:\n%s", p.body)
	}
	if p := w.get("/assets/style.css"); !strings.HasPrefix(p.header.Get("Content-Type"), "text/css") || !strings.Contains(p.body, "color-scheme") {
		t.Errorf("the style sheet: %s", p.header.Get("Content-Type"))
	}
	// The page itself loads nothing from elsewhere and runs no script.
	p := w.get(link(r.ID, tok))
	for _, bad := range []string{"<script", "http://", "https://", "//", "style=", "onclick"} {
		if strings.Contains(strings.ReplaceAll(p.body, "<!DOCTYPE", ""), bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
}

// TestNoTokenInLogs: the access log has one line per request, and none
// holds a token, a query string, or anything of a form's body.
func TestNoTokenInLogs(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	tok := w.Token(modeltest.N, r.ID)
	w.get(link(r.ID, tok))
	w.get(fmt.Sprintf("/request/%d%%3Ftoken%%3D%s", r.ID, tok))
	w.get("/x" + tok + "?token=" + tok)
	w.post(r.ID, "BBBB-"+tok[5:], "accept")
	w.post(r.ID, tok, "accept")
	log := w.log.String()
	if n := strings.Count(log, "msg=http "); n != 5 {
		t.Errorf("%d access lines for 5 requests:\n%s", n, log)
	}
	norm, _ := model.NormalizeToken(tok)
	for _, secret := range []string{tok, norm, tok[5:], "token=", "?", "%3F", "accept&"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds %q:\n%s", secret, log)
		}
	}
	if !strings.Contains(log, "route=/request/1 status=200") || !strings.Contains(log, "method=POST") {
		t.Errorf("the log does not say what was asked:\n%s", log)
	}
}

// TestHostileNames: what the database holds is escaped on the page,
// however it got there.
func TestHostileNames(t *testing.T) {
	w := newWorld(t, web.Options{})
	const name = `<script>alert("x")</script>.example`
	err := w.Store.Update(w.Ctx, func(tx model.Tx) error {
		return tx.InsertService(&model.Service{Name: name, Type: `vps"><img src=x onerror=alert(1)>`, Admin: modeltest.A, Tech: modeltest.T, Billing: modeltest.B, Created: modeltest.Start})
	})
	if err != nil {
		t.Fatal(err)
	}
	r := w.Create(modeltest.A, name, modeltest.N, model.Tech)[0]
	err = w.Store.Update(w.Ctx, func(tx model.Tx) error {
		return tx.EndRequest(r.ID, model.StateRefused, "\u202egnp.exe <b>bold</b>\x1b[31m", modeltest.Start)
	})
	if err != nil {
		t.Fatal(err)
	}
	p := w.get(link(r.ID, w.Token(modeltest.N, r.ID)))
	for _, bad := range []string{"<script", "<img", "<b>", "\u202e", "\x1b"} {
		if strings.Contains(p.body, bad) {
			t.Errorf("the page holds %q:\n%s", bad, p.body)
		}
	}
	if !strings.Contains(p.body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;.example") {
		t.Errorf("the service's name is not shown escaped:\n%s", p.body)
	}
}

// TestHealthz answers 200 while the database answers, 503 after.
func TestHealthz(t *testing.T) {
	w := newWorld(t, web.Options{})
	if p := w.get("/healthz"); p.status != http.StatusOK || p.body != "ok\n" {
		t.Errorf("healthz: %d %q", p.status, p.body)
	}
	w.Store.Close()
	if p := w.get("/healthz"); p.status != http.StatusServiceUnavailable {
		t.Errorf("healthz of a closed database: %d %q", p.status, p.body)
	}
}

// TestHealthzNewerSchema: a node whose database a newer contactdesk
// upgraded while it served fails its health check, saying so and what
// to do (it said ok while every write failed), and logs nothing at each
// probe (serve logs it once); an answer is refused with the page of a
// failure, not recorded.
func TestHealthzNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	f := modeltest.New(t, func(t *testing.T) model.Store {
		db, err := sqlite.Open(path, sqlite.Options{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
	log := &syncbuf.Buffer{}
	lg := slog.New(slog.NewTextHandler(log, nil))
	w := &world{Fixture: f, h: web.AccessLog(lg, web.New(f.Desk, web.Options{Now: f.Clock.Now, Log: lg})), log: log, client: "192.0.2.10:50000"}
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	tok := w.Token(modeltest.N, r.ID)
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	setVersion := func(v int) {
		if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
			t.Fatal(err)
		}
	}
	setVersion(sqlite.SchemaVersion() + 1)
	p := w.get("/healthz")
	if want := fmt.Sprintf("the database was upgraded by a newer contactdesk (schema %d; this one knows up to %d): upgrade this contactdesk; until then it changes nothing\n",
		sqlite.SchemaVersion()+1, sqlite.SchemaVersion()); p.status != http.StatusServiceUnavailable || p.body != want {
		t.Errorf("healthz of a database upgraded by a newer contactdesk: %d %q, want 503 %q", p.status, p.body, want)
	}
	if strings.Contains(log.String(), "health check") {
		t.Errorf("a probe logged:\n%s", log.String())
	}
	want(t, w.post(r.ID, tok, "accept"), http.StatusServiceUnavailable, "nothing was changed")
	setVersion(sqlite.SchemaVersion())
	if got := w.Request(modeltest.N, r.ID); len(got.Awaited()) != 3 {
		t.Errorf("an answer was recorded under a newer schema: %+v", got.Parties)
	}
}

// TestFormSize: an answer's body is small; a large one is refused
// unread.
func TestFormSize(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	body := "answer=accept&token=" + w.Token(modeltest.N, r.ID) + "&pad=" + strings.Repeat("x", 64<<10)
	req := httptest.NewRequest(http.MethodPost, "/request/1", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	want(t, w.do(req), http.StatusRequestEntityTooLarge)
	if got := w.Request(modeltest.N, r.ID); len(got.Awaited()) != 3 {
		t.Errorf("a too large form answered")
	}
}

// postRaw posts body, as it is, to path.
func (w *world) postRaw(path, body string) page {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return w.do(req)
}

// TestRepeatedFields: a form that gives a field twice (both buttons, or
// two tokens) can't be read: which one was meant is unknown. It gets
// the page's 400 and changes nothing, on a request's page as on a
// change of address's.
func TestRepeatedFields(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	tok, other := url.QueryEscape(w.Token(modeltest.N, r.ID)), url.QueryEscape(w.Token(modeltest.T, r.ID))
	c, etok := w.askEmail("ted@new.example")
	before := w.Snap()
	for _, body := range []string{
		"token=" + tok + "&answer=accept&answer=refuse",
		"token=" + tok + "&answer=refuse&answer=accept",
		"token=" + tok + "&answer=accept&answer=accept",
		"token=" + tok + "&token=" + other + "&answer=accept",
		"token=" + tok + "&token=" + tok + "&answer=refuse",
	} {
		want(t, w.postRaw(fmt.Sprintf("/request/%d", r.ID), body), http.StatusBadRequest,
			"That form can't be read: answer with the Accept or Refuse button of the request's page.")
	}
	for _, body := range []string{
		"token=" + url.QueryEscape(etok) + "&answer=accept&answer=refuse",
		"token=" + url.QueryEscape(etok) + "&token=" + url.QueryEscape(etok) + "&answer=accept",
	} {
		want(t, w.postRaw(fmt.Sprintf("/email/%d", c.ID), body), http.StatusBadRequest,
			"That form can't be read: answer with the Confirm or Refuse button of the change's page.")
	}
	w.Same(before, "forms with a field given twice")
	// Each field once: answered.
	want(t, w.postRaw(fmt.Sprintf("/request/%d", r.ID), "token="+tok+"&answer=refuse"), http.StatusOK, "You refused request #1")
}

// TestRoutesInTheLog: an access line names a page's route as the page
// does, whatever the answer: /request/9 for its link, its form, another
// method (405) or a link whose "?" was escaped; never a token.
func TestRoutesInTheLog(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	c, etok := w.askEmail("ted@new.example")
	tok := w.Token(modeltest.N, r.ID)
	for _, method := range []string{http.MethodPut, http.MethodDelete} {
		want(t, w.do(httptest.NewRequest(method, link(r.ID, tok), nil)), http.StatusMethodNotAllowed)
		want(t, w.do(httptest.NewRequest(method, fmt.Sprintf("/request/%d%%3Ftoken%%3D%s", r.ID, tok), nil)), http.StatusMethodNotAllowed)
		want(t, w.do(httptest.NewRequest(method, emailLink(c.ID, etok), nil)), http.StatusMethodNotAllowed)
		want(t, w.do(httptest.NewRequest(method, "/", nil)), http.StatusMethodNotAllowed)
	}
	w.get(link(r.ID, tok))
	w.get("/")
	log := w.log.String()
	for line, n := range map[string]int{
		"route=/request/1 status=405": 4, "route=/email/1 status=405": 2, "route=- status=405": 2,
		"route=/request/1 status=200": 1, "route=- status=200": 1,
	} {
		if got := strings.Count(log, line); got != n {
			t.Errorf("%d lines with %q, want %d:\n%s", got, line, n, log)
		}
	}
	if strings.Contains(log, "{id}") || strings.Contains(log, "{$}") || strings.Contains(log, tok) || strings.Contains(log, etok) || strings.Contains(log, "token") {
		t.Errorf("the log:\n%s", log)
	}
}

// TestWrongTokenKeptInItsField: the page of a token that opened nothing
// asks for another with the one typed in its field, so that a slip is
// mended in place; what no token could be (far too long) is not shown.
func TestWrongTokenKeptInItsField(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	slip := "K3QX-9XWM-4HBT-AAAA-BBBB-CCCC-DDDD"
	p := w.get(link(r.ID, slip))
	want(t, p, http.StatusForbidden, `value="`+slip+`"`)
	p = w.post(r.ID, slip, "accept")
	want(t, p, http.StatusForbidden, `value="`+slip+`"`)
	p = w.get(link(r.ID, `"><script>x</script>`))
	if strings.Contains(p.body, "<script>") {
		t.Fatalf("the typed token is not escaped:\n%s", p.body)
	}
	if p = w.get(link(r.ID, strings.Repeat("A", 100))); strings.Contains(p.body, `value="AAAA`) {
		t.Errorf("100 characters shown back as a token")
	}
}

// TestPageSaysYouAreAwaited: the page names its reader "you" among those
// a request waits for, and alone says it waits for the reader's answer;
// it named the reader by handle, as somebody else.
func TestPageSaysYouAreAwaited(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	for _, h := range []model.Handle{modeltest.A, modeltest.T} {
		if _, err := w.Desk.Accept(w.Ctx, h, r.ID, w.Token(h, r.ID)); err != nil {
			t.Fatal(err)
		}
	}
	p := w.get(link(r.ID, w.Token(modeltest.N, r.ID)))
	want(t, p, http.StatusOK, "waiting for your answer")
	if p.has("waiting for answers from ne44444-ovh") {
		t.Errorf("the page names its reader as another:\n%s", p.body)
	}
}

// TestIdleTimeoutAsTheREADMESays: the README gives the HTTP server's
// timeouts, an idle keep-alive connection's among them.
func TestIdleTimeoutAsTheREADMESays(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ")
	for _, want := range []string{
		"a minute for an idle one",
		"an idle keep-alive connection | 5 s, 15 s; 30 s (with a `--call-timeout` over 20 s, 10 s more than it); 1 min |",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("the README has no %q", want)
		}
	}
	if d := web.NewServer(nil, slog.Default()).IdleTimeout; d != time.Minute {
		t.Errorf("the idle timeout is %s; the README says a minute", d)
	}
}

// TestHostileMethodInTheLog: a method the client makes up, of any
// length, is written OTHER in the access line: 15,000 characters sent
// 10,000 times wrote 154 MiB of log.
func TestHostileMethodInTheLog(t *testing.T) {
	w := newWorld(t, web.Options{})
	long := strings.Repeat("X", 15000)
	for path, status := range map[string]int{"/": 405, "/request/1": 405, "/nothing/here": 404, "/request//1": 404} {
		want(t, w.do(httptest.NewRequest(long, path, nil)), status)
	}
	w.do(httptest.NewRequest("brew", "/", nil))
	log := w.log.String()
	if n := strings.Count(log, "msg=http method=OTHER "); n != 5 || len(log) > 5*300 {
		t.Errorf("%d lines with method=OTHER for 5 requests, %d bytes of log:\n%.2000s", n, len(log), log)
	}
}

// TestMetricsNameTheRoute: serve's metrics count each request of the
// page by its route, as README says — the pattern it matched, never its
// path, which holds ids and tokens — not by its method alone
// (route="GET", as they did).
func TestMetricsNameTheRoute(t *testing.T) {
	w := newWorld(t, web.Options{})
	m := metrics.New()
	w.h = web.AccessLog(slog.New(slog.DiscardHandler), m.HTTP("web", web.New(w.Desk, web.Options{Now: w.Clock.Now})))
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	tok := w.Token(modeltest.N, r.ID)
	w.get(link(r.ID, tok))
	w.do(httptest.NewRequest(http.MethodHead, link(r.ID, tok), nil))
	w.get(link(r.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"))
	w.post(r.ID, tok, "accept")
	w.get("/")
	w.get("/healthz")
	w.get("/assets/style.css")
	w.get("/nothing/" + tok)
	w.do(httptest.NewRequest(http.MethodPut, link(r.ID, tok), nil))
	w.get("/request//1?token=" + tok)
	w.do(httptest.NewRequest(strings.Repeat("X", 100), "/", nil))

	rec := httptest.NewRecorder()
	m.Handler(w.Desk).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	got := map[string]string{}
	for line := range strings.Lines(rec.Body.String()) {
		if rest, ok := strings.CutPrefix(line, `contactdesk_http_requests_total{door="web",`); ok {
			labels, n, _ := strings.Cut(strings.TrimSpace(rest), "} ")
			got[labels] = n
		}
	}
	for labels, n := range map[string]string{
		`route="GET /request/{id}",status="2xx"`:     "2",
		`route="GET /request/{id}",status="4xx"`:     "1",
		`route="POST /request/{id}",status="2xx"`:    "1",
		`route="GET /{$}",status="2xx"`:              "1",
		`route="GET /healthz",status="2xx"`:          "1",
		`route="GET /assets/style.css",status="2xx"`: "1",
		`route="/",status="4xx"`:                     "1",
		`route="/request/{id}",status="4xx"`:         "1",
		`route="unclean",status="4xx"`:               "1",
		`route="/{$}",status="4xx"`:                  "1",
	} {
		if got[labels] != n {
			t.Errorf("contactdesk_http_requests_total{door=\"web\",%s} = %q, want %s; all:\n%v", labels, got[labels], n, got)
		}
	}
	if len(got) != 10 {
		t.Errorf("%d series, want 10:\n%v", len(got), got)
	}
	if strings.Contains(rec.Body.String(), tok) || strings.Contains(rec.Body.String(), "/request/1") {
		t.Errorf("a label holds a path")
	}
}

// TestAcceptedButRefusedByTheRecheck: the last acceptance, when the
// recheck then refuses the request (the new billing contact owes money
// now), is told as a failure, not a success: a red notice, a full
// sentence that ends with a full stop, in each language ("Request #1
// was refused: …."; before, "Request #1 ended refused: …", without the
// stop, in a green box, "O pedido #1 terminou recusado: …").
func TestAcceptedButRefusedByTheRecheck(t *testing.T) {
	for lang, says := range map[string]string{
		"en": "Request #1 was refused: ne44444-ovh has unpaid bills; the billing contact can't move until they are settled.",
		"pt": "O pedido #1 foi recusado: ne44444-ovh tem faturas por pagar; o contacto de faturação só pode mudar quando estiverem regularizadas.",
		"fr": "La demande #1 s'est terminée par un refus\u00a0: ne44444-ovh a des factures impayées\u00a0; le contact facturation ne peut pas changer tant qu'elles ne sont pas réglées.",
	} {
		t.Run(lang, func(t *testing.T) {
			w := newWorld(t, web.Options{})
			r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Billing)[0]
			if _, err := w.Desk.SetLang(w.Ctx, modeltest.N, lang); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Desk.SetStanding(w.Ctx, modeltest.N, 1234); err != nil {
				t.Fatal(err)
			}
			for _, p := range r.Parties {
				if p.Handle != modeltest.N {
					w.Accept(p.Handle, r.ID)
				}
			}
			p := w.post(r.ID, w.Token(modeltest.N, r.ID), "accept")
			want(t, p, http.StatusOK, says)
			if !strings.Contains(p.body, `class="notice error"`) {
				t.Errorf("the refusal is not told as a failure:\n%s", p.body)
			}
		})
	}
}
