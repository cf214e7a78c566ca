package web_test

import (
	"net/http"
	"testing"
	"time"

	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/web"
)

// TestReplacedTokenPageMailsAFreshOne: the page of a replaced token (the
// link of an older mail, after a resend) offers to mail the party a
// fresh token, as the app and the command line do; the fresh one
// answers, the limit of resends holds, and the page never names the
// address the token went to. Before, the page only said to find the
// newest mail.
func TestReplacedTokenPageMailsAFreshOne(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	old := w.Token(modeltest.N, r.ID)
	if _, err := w.Desk.Resend(w.Ctx, modeltest.N, r.ID); err != nil {
		t.Fatal(err)
	}
	newest := w.Token(modeltest.N, r.ID)

	p := w.get(link(r.ID, old))
	want(t, p, http.StatusForbidden, "That token was replaced by a newer one", "Mail me a fresh token")
	if !p.has(`value="resend"`) || p.has(`value="accept"`) {
		t.Fatalf("the replaced token's page does not offer a fresh token (only):\n%s", p.body)
	}

	p = w.post(r.ID, old, "resend")
	want(t, p, http.StatusOK, "A fresh token for request #1 was mailed to the account's address")
	fresh := w.Token(modeltest.N, r.ID)
	if fresh == newest || fresh == old {
		t.Fatalf("no fresh token was mailed")
	}
	a, _ := w.Desk.Account(w.Ctx, modeltest.N)
	if p.has(a.Email) || p.has(fresh) {
		t.Errorf("the page names the address or shows the token:\n%s", p.body)
	}
	// the form sent again (a reload) mails nothing more: its token is
	// older now than the one the fresh one replaced, and so is any older
	before := w.Snap()
	p = w.post(r.ID, old, "resend")
	want(t, p, http.StatusForbidden, "That token was replaced by a newer one")
	if p.has(`value="resend"`) {
		t.Errorf("a token two resends old offers a fresh one:\n%s", p.body)
	}
	w.Same(before, "the resend's form sent again")
	// the token mailed before it is replaced now, and offers a fresh one
	// in its turn; the fresh one answers
	if p := w.get(link(r.ID, newest)); !p.has(`value="resend"`) {
		t.Errorf("the token the fresh one replaced offers no fresh one:\n%s", p.body)
	}
	want(t, w.post(r.ID, newest, "accept"), http.StatusForbidden, "replaced by a newer one")
	want(t, w.post(r.ID, fresh, "accept"), http.StatusOK, "You accepted request #1")

	// a party that has answered has nothing to resend: no button, and a
	// resend asked for anyway is refused, nothing mailed
	p = w.get(link(r.ID, old))
	if p.has(`value="resend"`) {
		t.Errorf("an answered party's old token offers a fresh one:\n%s", p.body)
	}
	before = w.Snap()
	p = w.post(r.ID, old, "resend")
	if p.status < 400 || !p.has("You have already accepted request #1") {
		t.Errorf("a resend after the answer: %d\n%s", p.status, p.body)
	}
	w.Same(before, "a resend after the answer")
}

// TestReplacedTokenResendsAreLimited: the page's resends are the
// model's, within its limit: past it the page says when to ask again,
// with Retry-After, and nothing is mailed.
func TestReplacedTokenResendsAreLimited(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	var old string // the token the last resend replaced
	for range model.MaxResends {
		old = w.Token(modeltest.N, r.ID)
		if _, err := w.Desk.Resend(w.Ctx, modeltest.N, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	before := w.Snap()
	// The link's page says so at once, and offers no button that the
	// limit would refuse (before, "Mail me a fresh token" led to a 429).
	p := w.get(link(r.ID, old))
	want(t, p, http.StatusForbidden, "That token was replaced by a newer one",
		"Request #1 was already mailed to you again 3 times within 1 hour; you can ask again at 10:00 UTC (in 1 hour).")
	if p.has(`value="resend"`) {
		t.Errorf("the page offers a fresh token past the limit:\n%s", p.body)
	}
	p = w.post(r.ID, old, "resend")
	want(t, p, http.StatusTooManyRequests, "was already mailed to you again 3 times")
	if p.header.Get("Retry-After") == "" {
		t.Errorf("no Retry-After")
	}
	w.Same(before, "a resend past the limit")
	// Once the hour is over, the button is back.
	w.Clock.Advance(model.ResendWindow)
	if p := w.get(link(r.ID, old)); !p.has(`value="resend"`) {
		t.Errorf("the page offers no fresh token once the limit is over:\n%s", p.body)
	}
}

// TestResendWithALiveOrWrongToken: a live token has nothing replaced to
// make up for: a resend asked with it gets its page, the form to answer,
// nothing mailed; a token of nobody is a wrong token, counted as any
// other.
func TestResendWithALiveOrWrongToken(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	live := w.Token(modeltest.N, r.ID)
	before := w.Snap()
	p := w.post(r.ID, live, "resend")
	want(t, p, http.StatusOK, "Accept")
	if p.tokenValue() != live || p.header.Get("Location") != "" {
		t.Errorf("a live token's resend: not its page, or a redirect repeating the token (%q)", p.header.Get("Location"))
	}
	want(t, w.post(r.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "resend"), http.StatusForbidden, "That is not a token of request #1",
		"more tries before a pause")
	w.Same(before, "resends with a live or a wrong token")
}

// TestPageWithoutAFormSaysNotYouAnswer: a page that offers no way to
// answer with its token — the link of a replaced token, the page after
// "Mail me a fresh token", a party whose tries are paused — names the
// party as "In this request you are …", never "You answer as …" (in
// Portuguese "Está a responder como …", "you are answering as"), which
// read as if the page had just taken an answer, or could.
func TestPageWithoutAFormSaysNotYouAnswer(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	old := w.Token(modeltest.N, r.ID)
	if _, err := w.Desk.Resend(w.Ctx, modeltest.N, r.ID); err != nil {
		t.Fatal(err)
	}
	noForm := func(what string, p page, status int) {
		t.Helper()
		want(t, p, status, "In this request you are ne44444-ovh (new tech contact).")
		if p.has("You answer as") {
			t.Errorf("%s says \"You answer as\":\n%s", what, p.body)
		}
	}
	noForm("the replaced token's page", w.get(link(r.ID, old)), http.StatusForbidden)
	noForm("the page after a fresh token was mailed", w.post(r.ID, old, "resend"), http.StatusOK)

	for range model.MaxTokenFailures {
		w.Desk.Accept(w.Ctx, modeltest.N, r.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	}
	noForm("a paused party's page", w.get(link(r.ID, w.Token(modeltest.N, r.ID))), http.StatusOK)

	// in Portuguese, the same
	if _, err := w.Desk.SetLang(w.Ctx, modeltest.N, "pt"); err != nil {
		t.Fatal(err)
	}
	p := w.get(link(r.ID, old))
	want(t, p, http.StatusForbidden, "Neste pedido, é ne44444-ovh (novo contacto técnico).")
	if p.has("Está a responder como") {
		t.Errorf("the replaced token's page says \"Está a responder como\":\n%s", p.body)
	}

	// the page with the form still says "You answer as"
	w.Clock.Advance(model.TokenLockout + time.Minute)
	if _, err := w.Desk.SetLang(w.Ctx, modeltest.N, "en"); err != nil {
		t.Fatal(err)
	}
	want(t, w.get(link(r.ID, w.Token(modeltest.N, r.ID))), http.StatusOK, "You answer as ne44444-ovh (new tech contact).")
}
