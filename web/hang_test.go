package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"contactdesk/internal/syncbuf"
	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/web"
)

// newHangingWorld is newWorld over a database that hangs once hung is
// set.
func newHangingWorld(t *testing.T, o web.Options) (*world, *atomic.Bool) {
	hung := new(atomic.Bool)
	f := modeltest.New(t, func(t *testing.T) model.Store { return modeltest.HangingStore{Store: openTemp(t), Hung: hung} })
	log := &syncbuf.Buffer{}
	lg := slog.New(slog.NewTextHandler(log, nil))
	o.Now, o.Log = f.Clock.Now, lg
	return &world{Fixture: f, h: web.AccessLog(lg, web.New(f.Desk, o)), log: log, client: "192.0.2.10:50000"}, hung
}

// within is do, failing the test when no answer comes within limit
// (the request is then given up, so that nothing is left waiting).
func (w *world) within(limit time.Duration, req *http.Request) (page, time.Duration) {
	w.T.Helper()
	ctx, cancel := context.WithCancel(req.Context())
	w.T.Cleanup(cancel)
	req = req.WithContext(ctx)
	got := make(chan page, 1)
	start := time.Now()
	go func() { got <- w.do(req) }()
	select {
	case p := <-got:
		return p, time.Since(start)
	case <-time.After(limit):
		w.T.Fatalf("%s %s: no answer in %s", req.Method, req.URL.Path, limit)
		return page{}, 0
	}
}

// TestHungDatabaseGetsAnAnswer: while the database hangs, the page
// answers within its time limit, as the API does: 503, saying that the
// desk did not answer in time and that nothing was changed, in the
// reader's language (the desk's default one, as last read, when the
// browser names none). An answer sent then is not recorded; the
// pages that need no database (the home page, in the language the
// browser asks for) answer at once.
func TestHungDatabaseGetsAnAnswer(t *testing.T) {
	const limit = 300 * time.Millisecond
	w, hung := newHangingWorld(t, web.Options{Timeout: limit})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	tok := w.Token(modeltest.N, r.ID)
	if _, err := w.Desk.SetSetting(w.Ctx, model.SettingDefaultLang, "pt"); err != nil {
		t.Fatal(err)
	}
	want(t, w.get("/"), http.StatusOK, `lang="pt-PT"`) // the page reads the desk's language
	hung.Store(true)

	p, took := w.within(10*time.Second, httptest.NewRequest(http.MethodGet, link(r.ID, tok), nil))
	want(t, p, http.StatusServiceUnavailable, `lang="pt-PT"`, "O balcão não respondeu a tempo, e nada foi alterado.")
	if took > limit+3*time.Second {
		t.Errorf("the page took %s, with a limit of %s", took, limit)
	}

	form := "token=" + tok + "&answer=accept"
	req := httptest.NewRequest(http.MethodPost, "/request/1", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "fr")
	p, _ = w.within(10*time.Second, req)
	want(t, p, http.StatusServiceUnavailable, `lang="fr"`, "Le guichet n'a pas répondu à temps, et rien n'a été modifié.")

	req = httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Language", "en")
	p, took = w.within(10*time.Second, req)
	want(t, p, http.StatusOK, "Open the link of your mail")
	if took > time.Second {
		t.Errorf("the home page, which needs no database, took %s", took)
	}

	if !strings.Contains(w.log.String(), "web: the desk did not answer within 300ms") {
		t.Errorf("the log does not say the desk did not answer:\n%s", w.log.String())
	}
	hung.Store(false)
	if got := w.Request(modeltest.N, r.ID); len(got.Awaited()) != 3 {
		t.Errorf("an answer was recorded while the desk hung: %+v", got.Parties)
	}
	want(t, w.get(link(r.ID, tok)), http.StatusOK, ">Accept</button>") // the party speaks English
}

// TestAnswerMaybeRecorded: an answer whose outcome the desk could not
// see is not said to have changed nothing: the page says that it may
// have been recorded, and to open the link again; opened again, the
// link shows where things stand.
func TestAnswerMaybeRecorded(t *testing.T) {
	unsure := new(atomic.Bool)
	f := modeltest.New(t, func(t *testing.T) model.Store { return modeltest.UnsureStore{Store: openTemp(t), Unsure: unsure} })
	log := &syncbuf.Buffer{}
	lg := slog.New(slog.NewTextHandler(log, nil))
	w := &world{Fixture: f, h: web.AccessLog(lg, web.New(f.Desk, web.Options{Now: f.Clock.Now, Log: lg})), log: log, client: "192.0.2.10:50000"}
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	tok := w.Token(modeltest.N, r.ID)
	unsure.Store(true)
	p := w.post(r.ID, tok, "accept")
	want(t, p, http.StatusServiceUnavailable, "The desk did not confirm that your answer was recorded: it may have been. Open the link of your mail again")
	if p.has("nothing was changed") {
		t.Errorf("the page says nothing was changed:\n%s", p.body)
	}
	unsure.Store(false)
	want(t, w.get(link(r.ID, tok)), http.StatusGone, "You have already accepted request #1")
}
