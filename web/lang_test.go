package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
	want(t, p, http.StatusOK, `lang="pt-PT"`, "Pedido #1: novo contacto técnico para example.com", "Responde como ne44444-ovh (novo contacto técnico)",
		"example.com (domínio)", "Contacto técnico: te22222-ovh → ne44444-ovh", "ad11111-ovh, a 02/03/2026 09:00 UTC",
		"a aguardar as respostas de ad11111-ovh, te22222-ovh, ne44444-ovh", "ainda sem resposta", ">Aceitar</button>", "Gestão de contactos")

	p = w.post(r.ID, w.Token(modeltest.T, r.ID), "accept")
	want(t, p, http.StatusOK, `lang="fr"`, "Vous avez accepté la demande #1\u00a0; en attente encore de ad11111-ovh, ne44444-ovh.",
		"te22222-ovh (vous)", "a accepté le 02/03/2026 09:00 UTC")
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
	// a wrong token: the visitor's language, the refusal too
	req = httptest.NewRequest(http.MethodGet, link(r.ID, strings.Repeat("ABCD-", 6)+"ABCD"), nil)
	req.Header.Set("Accept-Language", "fr")
	want(t, w.do(req), http.StatusForbidden, "Ce code n'ouvre pas la demande #1", "Ce n'est pas un code de la demande #1", "essais avant une pause.")
}
