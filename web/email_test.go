package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/web"
)

// emailLink is the path of change id's page with token, as its mail
// links it.
func emailLink(id int64, token string) string { return pageLink("email", id, token) }

func (w *world) postEmail(id int64, token, answer string) page {
	return w.postTo("email", id, token, answer)
}

// askEmail has te22222-ovh ask for a new address, and returns the
// change and the token mailed to the new address.
func (w *world) askEmail(email string) (model.EmailChange, string) {
	w.T.Helper()
	c, err := w.Desk.AskEmailChange(w.Ctx, modeltest.T, email)
	if err != nil {
		w.T.Fatal(err)
	}
	return c, modeltest.EmailToken(w.Fixture, modeltest.T)
}

// TestEmailPageConfirms: the link of the mail that proves a new address
// shows the change (twice, changing nothing) with the token filled in,
// and its Confirm button makes the change.
func TestEmailPageConfirms(t *testing.T) {
	w := newWorld(t, web.Options{})
	c, tok := w.askEmail("ted@new.example")
	before := w.Snap()
	for range 2 {
		p := w.get(emailLink(c.ID, tok))
		want(t, p, http.StatusOK, "New e-mail address for te22222-ovh",
			"te22222-ovh asked to receive its contact desk mail at this address, ted@new.example.",
			"waiting for its token", "2026-03-02 09:00 UTC", ">Confirm</button>", ">Refuse</button>")
		if p.tokenValue() != tok {
			t.Errorf("the token field holds %q, want the link's", p.tokenValue())
		}
	}
	w.Same(before, "opening the link of a change of address")
	// A form without one of its buttons is told which answer.
	want(t, w.postEmail(c.ID, tok, "confirm"), http.StatusBadRequest, "answer with the Confirm or Refuse button of the change's page")
	w.Same(before, "a form that is no answer")
	p := w.postEmail(c.ID, tok, "accept")
	want(t, p, http.StatusOK, "Confirmed: te22222-ovh now receives its mail at ted@new.example.", "confirmed")
	if p.form() {
		t.Error("the page still offers the buttons once the change is made")
	}
	if a, _ := w.Desk.Account(w.Ctx, modeltest.T); a.Email != "ted@new.example" {
		t.Errorf("the address is %q", a.Email)
	}
	// The link again: done, no buttons; the token again: refused.
	p = w.get(emailLink(c.ID, tok))
	want(t, p, http.StatusGone, "This change of address was already confirmed")
	if p.form() {
		t.Error("a confirmed change offers the buttons")
	}
	want(t, w.postEmail(c.ID, tok, "refuse"), http.StatusGone)
	if a, _ := w.Desk.Account(w.Ctx, modeltest.T); a.Email != "ted@new.example" {
		t.Errorf("a second answer changed the address to %q", a.Email)
	}
}

// TestEmailPageRefuses: Refuse ends the change; the account keeps its
// address and is told there.
func TestEmailPageRefuses(t *testing.T) {
	w := newWorld(t, web.Options{})
	old := string(modeltest.T) + "@mail.example"
	c, tok := w.askEmail("not-ted@elsewhere.example")
	p := w.postEmail(c.ID, tok, "refuse")
	want(t, p, http.StatusOK, "Refused: te22222-ovh keeps its address, and was told there.", "refused")
	if a, _ := w.Desk.Account(w.Ctx, modeltest.T); a.Email != old {
		t.Errorf("a refused change moved the address to %q", a.Email)
	}
	ms, _ := w.Desk.Mails(w.Ctx, modeltest.T)
	if ms[0].Address != old || ms[0].Subject != "Your e-mail address was not changed" {
		t.Errorf("the account was not told at its address: %+v", ms[0])
	}
	want(t, w.get(emailLink(c.ID, tok)), http.StatusGone, "This change of address was refused")
}

// TestEmailPageWrongTokens: a wrong token, a change that does not exist
// and a replaced token get a 4xx page that says so; wrong guesses are
// throttled per client, and never pause the account nor close the page
// to it.
func TestEmailPageWrongTokens(t *testing.T) {
	w := newWorld(t, web.Options{ClientGuesses: 3, GuessEvery: time.Minute})
	first, firstTok := w.askEmail("ted@first.example")
	c, tok := w.askEmail("ted@second.example")
	before := w.Snap()
	want(t, w.get(emailLink(first.ID, firstTok)), http.StatusForbidden, "A newer change of address has been asked for te22222-ovh since")
	wrong := emailLink(c.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	want(t, w.get(wrong), http.StatusForbidden, "This token does not open that change of address", "2 more tries before a pause.")
	want(t, w.get(emailLink(c.ID+100, tok)), http.StatusForbidden, "This token does not open that change of e-mail address", "1 more try before a pause.")
	want(t, w.postEmail(c.ID, "not a token", "accept"), http.StatusForbidden, "That is not a token", "That was the last try for now")
	p := w.get(emailLink(c.ID, tok))
	want(t, p, http.StatusTooManyRequests, "Too many wrong tokens came from your network address (IP)")
	w.Same(before, "wrong tokens on the page of a change of address")
	// Other clients' guesses, however many, leave the page open to the
	// account's token.
	for i := range 20 {
		w.client = fmt.Sprintf("198.51.100.%d:1234", i)
		for range 3 {
			want(t, w.get(wrong), http.StatusForbidden)
		}
	}
	w.client = "203.0.113.9:1"
	want(t, w.get(emailLink(c.ID, tok)), http.StatusOK, "ted@second.example")
	// The account itself is not paused: the app still confirms.
	if _, err := w.Desk.ConfirmEmail(w.Ctx, modeltest.T, tok); err != nil {
		t.Errorf("a stranger's guesses paused the account: %v", err)
	}
}

// TestEmailPagePausedElsewhere: an account whose tries at its change of
// address were paused through another door (wrong tokens in the app) is
// refused its right token on the page too, changing nothing, with when
// to come back in Retry-After, as the API says it.
func TestEmailPagePausedElsewhere(t *testing.T) {
	w := newWorld(t, web.Options{})
	c, tok := w.askEmail("ted@new.example")
	for range model.MaxTokenFailures {
		w.Desk.ConfirmEmail(w.Ctx, modeltest.T, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	}
	before := w.Snap()
	p := w.postEmail(c.ID, tok, "accept")
	want(t, p, http.StatusTooManyRequests, "paused until")
	if p.header.Get("Retry-After") != "900" {
		t.Errorf("Retry-After %q, want 900 (15 minutes)", p.header.Get("Retry-After"))
	}
	w.Same(before, "a right token while the account's tries are paused")
}

// TestEmailPageAsksAndSpeaks: without a token the page asks for one, in
// the visitor's language; with one, it speaks the account's.
func TestEmailPageAsksAndSpeaks(t *testing.T) {
	w := newWorld(t, web.Options{})
	if _, err := w.Desk.SetLang(w.Ctx, modeltest.T, "pt"); err != nil {
		t.Fatal(err)
	}
	c, tok := w.askEmail("ted@new.example")
	req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/email/%d", c.ID), nil)
	req.Header.Set("Accept-Language", "fr")
	p := w.do(req)
	want(t, p, http.StatusOK, `lang="fr"`, "Changement d'adresse e-mail", "Collez le code de validation de votre e-mail", ">Ouvrir le changement</button>")
	p = w.get(emailLink(c.ID, tok))
	want(t, p, http.StatusOK, `lang="pt-PT"`, "Novo endereço de e-mail de te22222-ovh", ">Confirmar</button>", "à espera do seu código")
	want(t, w.postEmail(c.ID, tok, "accept"), http.StatusOK, "Confirmada: te22222-ovh recebe agora o seu correio em ted@new.example.")
	// Nothing of the token reaches the access log.
	if strings.Contains(w.log.String(), tok) || !strings.Contains(w.log.String(), "route=/email/") {
		t.Errorf("access log:\n%s", w.log.String())
	}
}

// TestEmailPageAfterItEnded: while a change of address waits, its page
// says that mail keeps going to the old address until it is confirmed;
// once confirmed, refused, replaced or expired, that is no longer true,
// and the page says only what is: in each language, on the answer's
// page and on the link's.
func TestEmailPageAfterItEnded(t *testing.T) {
	until := map[string]string{"en": "Until it is confirmed", "pt": "Até ser confirmado", "fr": "Tant qu'elle n'est pas confirmée"}
	asked := map[string]string{"en": "te22222-ovh asked to receive its contact desk mail at this address, ted@",
		"pt": "te22222-ovh pediu para receber o correio do balcão de contactos neste endereço, ted@",
		"fr": "te22222-ovh a demandé à recevoir le courrier du guichet des contacts à cette adresse, ted@"}
	for _, lang := range []string{"en", "pt", "fr"} {
		w := newWorld(t, web.Options{})
		if _, err := w.Desk.SetLang(w.Ctx, modeltest.T, lang); err != nil {
			t.Fatal(err)
		}
		check := func(what string, p page, pending bool) {
			t.Helper()
			if !p.has(asked[lang]) || p.has(until[lang]) != pending {
				t.Errorf("%s, in %s (%d): the page says %q: %v, want %v:\n%s", what, lang, p.status, until[lang], p.has(until[lang]), pending, textOf(p.body))
			}
		}
		c, tok := w.askEmail("ted@one.example")
		check("waiting", w.get(emailLink(c.ID, tok)), true)
		check("confirmed", w.postEmail(c.ID, tok, "accept"), false)
		check("the link once confirmed", w.get(emailLink(c.ID, tok)), false)
		c, tok = w.askEmail("ted@two.example")
		check("refused", w.postEmail(c.ID, tok, "refuse"), false)
		p := w.get(emailLink(c.ID, tok))
		check("the link once refused", p, false)
		// Its end's label agrees with a change of address, masculine in
		// French ("changement"), where a request is feminine ("demande").
		if ended := map[string]string{"en": "Ended", "pt": "Terminou", "fr": "Terminé"}[lang]; !strings.Contains(p.body, "<dt>"+ended+"</dt>") {
			t.Errorf("in %s, the end of a change of address is not labelled %q:\n%s", lang, ended, textOf(p.body))
		}
		w.Clock.Advance(time.Hour) // past the limit of changes asked for in an hour
		c, tok = w.askEmail("ted@three.example")
		w.askEmail("ted@four.example")
		check("the link once replaced", w.get(emailLink(c.ID, tok)), false)
		c, tok = w.askEmail("ted@five.example")
		w.Clock.Advance(30 * 24 * time.Hour)
		check("the link once expired", w.get(emailLink(c.ID, tok)), false)
	}
}
