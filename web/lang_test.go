package web_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/web"
)

// TestPageSpeaksThePartysLanguage: a mail's link opens a page in the
// language of the party whose token it is, whatever the browser asks
// for; the answer's outcome and a refusal too. Before a token says whose
// page it is, the page speaks what the browser asks for, else the
// desk's default language.
func TestPageSpeaksThePartysLanguage(t *testing.T) {
	w := newWorld(t, web.Options{})
	for h, l := range map[model.Handle]string{modeltest.N: "pt", modeltest.T: "fr"} {
		if _, err := w.Desk.SetLang(w.Ctx, h, l); err != nil {
			t.Fatal(err)
		}
	}
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]

	req := httptest.NewRequest(http.MethodGet, link(r.ID, w.Token(modeltest.N, r.ID)), nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	p := w.do(req)
	want(t, p, http.StatusOK, `lang="pt-PT"`, "Pedido #1: novo contacto técnico de example.com", "Está a responder como ne44444-ovh (novo contacto técnico)",
		"example.com (domínio)", "Contacto técnico: te22222-ovh → ne44444-ovh", "ad11111-ovh, a 02/03/2026 09:00 UTC",
		"a aguardar a sua resposta e as de ad11111-ovh e te22222-ovh", "ainda sem resposta", ">Aceitar</button>", "Balcão de contactos")
	if got := p.header.Get("Content-Language"); got != "pt-PT" {
		t.Errorf("Content-Language %q, want pt-PT as the page's lang", got)
	}

	p = w.post(r.ID, w.Token(modeltest.T, r.ID), "accept")
	want(t, p, http.StatusOK, `lang="fr"`, "Vous avez accepté la demande #1\u00a0; toujours en attente de ad11111-ovh et ne44444-ovh.",
		"te22222-ovh (vous)", "a accepté le 02/03/2026 09:00 UTC", "Guichet des contacts", "un e-mail du guichet des contacts de votre hébergeur")
	// the same token again: a refusal, in French
	p = w.post(r.ID, w.Token(modeltest.T, r.ID), "accept")
	if !p.has("Vous avez déjà accepté la demande #1") && !p.has("Ce code a déjà été utilisé pour la demande #1") {
		t.Errorf("a second answer is not refused in French:\n%s", p.body)
	}

	// No token yet: what the browser asks for; then the desk's default.
	req = httptest.NewRequest(http.MethodGet, "/request/1", nil)
	req.Header.Set("Accept-Language", "fr-CA,fr;q=0.9")
	want(t, w.do(req), http.StatusOK, `lang="fr"`, "Collez le code de votre e-mail pour la demande #1")
	if _, err := w.Desk.SetSetting(w.Ctx, model.SettingDefaultLang, "pt"); err != nil {
		t.Fatal(err)
	}
	p = w.get("/nothing-here")
	want(t, p, http.StatusNotFound, `lang="pt-PT"`, "Esta página não existe.")
	if got := p.header.Get("Content-Language"); got != "pt-PT" {
		t.Errorf("a refusal's Content-Language %q, want pt-PT", got)
	}
	// a wrong token: the visitor's language, the refusal too
	req = httptest.NewRequest(http.MethodGet, link(r.ID, strings.Repeat("ABCD-", 6)+"ABCD"), nil)
	req.Header.Set("Accept-Language", "fr")
	want(t, w.do(req), http.StatusForbidden, "Ce code n'ouvre pas la demande #1", "Ce n'est pas un code de la demande #1", "essais avant une pause.")
}

// TestBadFormSpeaksThePartysLanguage: a form that can't be read, sent
// with a party's own token, is answered in that party's language, as
// the page of its link is; with a token of nobody, or two tokens, in
// the visitor's, as before, and a token of nobody counts as a wrong
// try.
func TestBadFormSpeaksThePartysLanguage(t *testing.T) {
	w := newWorld(t, web.Options{ClientGuesses: 2})
	for h, l := range map[model.Handle]string{modeltest.N: "pt", modeltest.T: "fr"} {
		if _, err := w.Desk.SetLang(w.Ctx, h, l); err != nil {
			t.Fatal(err)
		}
	}
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	tokN := w.Token(modeltest.N, r.ID)
	want(t, w.post(r.ID, tokN, "maybe"), http.StatusBadRequest, `lang="pt-PT"`,
		"Não é possível ler este formulário: responda com o botão Aceitar ou Recusar da página do pedido.")
	want(t, w.postRaw("/request/1", "token="+url.QueryEscape(w.Token(modeltest.T, r.ID))+"&answer=accept&answer=refuse"), http.StatusBadRequest,
		`lang="fr"`, "Ce formulaire est illisible\u00a0: répondez avec le bouton Accepter ou Refuser de la page de la demande.")
	// The change of address's page: its account's language.
	_, etok := w.askEmail("ted@new.example")
	want(t, w.postEmail(1, etok, "maybe"), http.StatusBadRequest, `lang="fr"`, "Ce formulaire est illisible\u00a0: répondez avec le bouton Confirmer ou Refuser")
	// Not a party's token: the visitor's language.
	want(t, w.post(r.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "maybe"), http.StatusBadRequest, `lang="en"`, "That form can't be read")
	want(t, w.postRaw("/request/1", "token="+url.QueryEscape(tokN)+"&token=BBBB&answer=accept"), http.StatusBadRequest, `lang="en"`)
	req := httptest.NewRequest(http.MethodPost, "/request/1", strings.NewReader("token=CCCC&answer=maybe"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "fr")
	want(t, w.do(req), http.StatusBadRequest, `lang="fr"`)
	// Those two tokens of nobody spent this client's two tries.
	want(t, w.get(link(r.ID, tokN)), http.StatusTooManyRequests)
	if got := w.Request(modeltest.N, r.ID); len(got.Awaited()) != 3 {
		t.Errorf("a form that can't be read answered: %v", got.Awaited())
	}
}

// TestFrenchNamesTheDeskOnce: the French page names the desk as the
// rest of the French catalogue does, "guichet des contacts", never
// "gestion des contacts" (its header and footer said that, and the
// page of a change of address "guichet").
func TestFrenchNamesTheDeskOnce(t *testing.T) {
	for _, id := range locale.IDs(locale.FR) {
		if !strings.HasPrefix(id, "page.") {
			continue
		}
		for _, form := range locale.Forms(locale.FR, id) {
			if strings.Contains(strings.ToLower(form), "gestion des contacts") {
				t.Errorf("%s: %q", id, form)
			}
		}
	}
}

// TestEndSaidOnce: a request refused or cancelled by a party says so
// once, in each language: "recusado por yy22222-ovh", not "recusado:
// recusado por yy22222-ovh", in its state and in the notice of a link
// that can no longer answer.
func TestEndSaidOnce(t *testing.T) {
	w := newWorld(t, web.Options{})
	refused := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	if _, err := w.Desk.Refuse(w.Ctx, modeltest.T, refused.ID, w.Token(modeltest.T, refused.ID)); err != nil {
		t.Fatal(err)
	}
	cancelled := w.Create(modeltest.A, modeltest.Multi, modeltest.N, model.Tech)[0]
	if _, err := w.Desk.Cancel(w.Ctx, modeltest.A, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	for lang, c := range map[string]struct{ refused, cancelled []string }{
		"en": {[]string{"Request #1 was already refused by te22222-ovh.", "State refused by te22222-ovh"},
			[]string{"Request #2 was already cancelled by ad11111-ovh.", "State cancelled by ad11111-ovh"}},
		"pt": {[]string{"O pedido #1 já foi recusado por te22222-ovh.", "Estado recusado por te22222-ovh"},
			[]string{"O pedido #2 já foi cancelado por ad11111-ovh.", "Estado cancelado por ad11111-ovh"}},
		"fr": {[]string{"La demande #1 a déjà été refusée par te22222-ovh.", "État refusée par te22222-ovh"},
			[]string{"La demande #2 a déjà été annulée par ad11111-ovh.", "État annulée par ad11111-ovh"}},
	} {
		if _, err := w.Desk.SetLang(w.Ctx, modeltest.N, lang); err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			id   int64
			says []string
		}{{refused.ID, c.refused}, {cancelled.ID, c.cancelled}} {
			pg := w.get(link(p.id, w.Token(modeltest.N, p.id)))
			text := strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(pg.body, " "))), " ")
			for _, s := range p.says {
				if !strings.Contains(text, s) {
					t.Errorf("%s: the page does not say %q:\n%s", lang, s, text)
				}
			}
			for _, twice := range []string{"refused: refused", "cancelled: cancelled", "recusado: recusado", "cancelado: cancelado",
				"refusée\u00a0: refusée", "annulée\u00a0: annulée", "already refused:", "already cancelled:", "já está"} {
				if strings.Contains(text, twice) {
					t.Errorf("%s: the page says %q:\n%s", lang, twice, text)
				}
			}
		}
	}
}

// TestMistypedTokenKeepsThePagesLanguage: a token mended wrong in the
// field of a page in Portuguese (the party's language, whatever the
// browser's) is answered in Portuguese, not in the browser's English:
// the form says which language it was shown in. A language the desk
// does not speak is ignored.
func TestMistypedTokenKeepsThePagesLanguage(t *testing.T) {
	w := newWorld(t, web.Options{})
	if _, err := w.Desk.SetLang(w.Ctx, modeltest.N, "pt"); err != nil {
		t.Fatal(err)
	}
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	get := httptest.NewRequest(http.MethodGet, link(r.ID, w.Token(modeltest.N, r.ID)), nil)
	get.Header.Set("Accept-Language", "en-US,en;q=0.9")
	if p := w.do(get); !strings.Contains(p.body, `name="lang" type="hidden" value="pt"`) {
		t.Fatalf("the form of a page in Portuguese does not say so:\n%s", p.body)
	}
	post := func(form string) page {
		req := httptest.NewRequest(http.MethodPost, "/request/1", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", "en-US,en;q=0.9")
		return w.do(req)
	}
	p := post("token=AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA&answer=accept&lang=pt")
	want(t, p, http.StatusForbidden, `lang="pt-PT"`, "Este código não abre o pedido #1", "Restam")
	// its field to mend the token (a GET) keeps the language too
	if !strings.Contains(p.body, `name="lang" type="hidden" value="pt"`) {
		t.Errorf("the field to mend the token does not say its language:\n%s", p.body)
	}
	get = httptest.NewRequest(http.MethodGet, link(r.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAD")+"&lang=pt", nil)
	get.Header.Set("Accept-Language", "en-US,en;q=0.9")
	want(t, w.do(get), http.StatusForbidden, `lang="pt-PT"`, "Este código não abre o pedido #1")
	want(t, post("token=AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAB&answer=accept&lang=xx"), http.StatusForbidden, `lang="en"`,
		"This token does not open request #1")
	// the page of a change of address too
	w.askEmail("nina@new.example")
	req := httptest.NewRequest(http.MethodPost, "/email/1", strings.NewReader("token=AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAC&answer=accept&lang=fr"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	want(t, w.do(req), http.StatusForbidden, `lang="fr"`)
}

// TestTitleNamesTheDeskOnce: the browser's tab reads the page's title,
// then the desk's name; the home page, whose title is the desk's name,
// said it twice ("Balcão de contactos · Balcão de contactos"), in every
// language.
func TestTitleNamesTheDeskOnce(t *testing.T) {
	w := newWorld(t, web.Options{})
	title := regexp.MustCompile(`<title>([^<]*)</title>`)
	for _, c := range []struct{ accept, home, missing string }{
		{"pt-PT", "Balcão de contactos", "Esta página não existe. · Balcão de contactos"},
		{"en", "Contact desk", "There is no such page here. · Contact desk"},
		{"fr", "Guichet des contacts", ""},
	} {
		for path, wantTitle := range map[string]string{"/": c.home, "/nothing-here": c.missing} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Accept-Language", c.accept)
			m := title.FindStringSubmatch(w.do(req).body)
			if m == nil {
				t.Fatalf("%s %s: no title", c.accept, path)
			}
			got := html.UnescapeString(m[1])
			if wantTitle != "" && got != wantTitle {
				t.Errorf("%s %s: the title %q, want %q", c.accept, path, got, wantTitle)
			}
			if strings.Count(got, c.home) != 1 {
				t.Errorf("%s %s: the title %q names the desk %d times", c.accept, path, got, strings.Count(got, c.home))
			}
		}
	}
}
