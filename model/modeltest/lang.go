package modeltest

import (
	"errors"
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model"
)

// testLanguages: a request between a Portuguese, a French and an
// English account mails each party in its own language, whoever asked,
// from the first mail to the last; a refusal reads in English from
// Error() and in any language from Localize; an unknown language is
// refused with the list, and changes nothing.
func testLanguages(t *testing.T, open Opener) {
	f := New(t, open)
	for h, l := range map[model.Handle]string{A: "pt", T: "fr-FR"} {
		a, err := f.Desk.SetLang(f.Ctx, h, l)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := locale.Parse(l); a.Lang != want {
			t.Fatalf("%s: language %s after setting %s", h, a.Lang, l)
		}
	}
	r := f.Create(A, Example, N, model.Tech)[0] // parties: A (pt), T (fr), N (en)
	for _, h := range []model.Handle{A, T, N} {
		f.Accept(h, r.ID)
	}
	want := map[model.Handle][]string{
		A: {"Confirme: novo contacto técnico de example.com (pedido #1)", "Pedido #1 concluído: ne44444-ovh é o novo contacto técnico de example.com"},
		T: {"À confirmer\u00a0: nouveau contact technique pour example.com (demande #1)", "Demande #1 aboutie\u00a0: ne44444-ovh est le nouveau contact technique d'example.com"},
		N: {"Please confirm: new tech contact for example.com (request #1)", "Request #1 done: ne44444-ovh is the new tech contact of example.com"},
	}
	bodies := map[model.Handle]string{A: "Olá, Ada Admin,", T: "Bonjour Ted Tech,", N: "Hello Nina New,"}
	for h, subjects := range want {
		ms, err := f.Desk.Mails(f.Ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 2 {
			t.Fatalf("%s has %d mails, want 2", h, len(ms))
		}
		for i, m := range ms { // newest first
			if got := m.Subject; got != subjects[len(ms)-1-i] {
				t.Errorf("%s: mail %q, want %q", h, got, subjects[len(ms)-1-i])
			}
			if !strings.HasPrefix(m.Body, bodies[h]) {
				t.Errorf("%s: mail body starts %q", h, m.Body[:min(40, len(m.Body))])
			}
		}
	}

	// The history: stored in English, read in any language (DetailOf),
	// every line the model wrote.
	pt := locale.For(locale.PT)
	hs, err := f.Desk.History(f.Ctx, A, model.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range hs {
		if got := model.DetailOf(e).In(locale.For(locale.EN)); got != e.Detail {
			t.Errorf("%s in English: %q, stored %q", e.Action, got, e.Detail)
		}
		if got := model.DetailOf(e).In(pt); got == e.Detail {
			t.Errorf("%s in Portuguese: %q, as stored", e.Action, got)
		}
	}
	for action, want := range map[string]string{
		model.ActRequestCreate: "contacto técnico de example.com: te22222-ovh -> ne44444-ovh; a confirmar por ad11111-ovh, te22222-ovh e ne44444-ovh",
		model.ActRequestAccept: "aceitou",
		model.ActContactChange: "contacto técnico de example.com: te22222-ovh -> ne44444-ovh",
		model.ActRequestDone:   "contacto técnico de example.com passou de te22222-ovh para ne44444-ovh",
		model.ActLang:          "língua definida: português (pt)",
	} {
		found := false
		for _, e := range hs {
			if e.Action == action && model.DetailOf(e).In(pt) == want {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s line reads %q in Portuguese", action, want)
		}
	}

	// A refusal: English from Error(), each language from Localize.
	_, err = f.Desk.CreateRequest(f.Ctx, T, model.NewRequest{Service: Owed, Roles: []model.Role{model.Billing}, To: string(N2)})
	if !errors.Is(err, model.ErrNotYourRole) {
		t.Fatalf("tech asking for billing: %v", err)
	}
	for l, text := range map[locale.Lang]string{
		locale.EN: "only the admin or the billing contact can change the billing contact of owed.org",
		locale.PT: "só o administrador ou o contacto de faturação podem alterar o contacto de faturação de owed.org",
		locale.FR: "seul l'administrateur ou le contact facturation peut modifier le contact facturation d'owed.org",
	} {
		if got := model.Localize(err, locale.For(l)); got != text {
			t.Errorf("%s: %q, want %q", l, got, text)
		}
	}
	if err.Error() != "only the admin or the billing contact can change the billing contact of owed.org" {
		t.Errorf("Error() = %q", err)
	}

	// A refusal that names an invisible character, wholly in each
	// language.
	holder := "Café \u200d"
	_, err = f.Desk.SetOwner(f.Ctx, A, Example, model.OwnerChange{Holder: &holder})
	for l, text := range map[locale.Lang]string{
		locale.EN: "it contains an invisible character (U+200D)",
		locale.PT: "contém um carácter invisível (U+200D)",
		locale.FR: "présence d'un caractère invisible (U+200D)",
	} {
		if got := model.Localize(err, locale.For(l)); !strings.HasSuffix(got, text) {
			t.Errorf("%s: %q, want it to end %q", l, got, text)
		}
	}

	// An unknown language.
	before := f.Snap()
	_, err = f.Desk.SetLang(f.Ctx, N, "de")
	if !errors.Is(err, model.ErrInvalid) || model.FieldOf(err) != "lang" || !strings.Contains(err.Error(), "pt, en or fr") {
		t.Errorf("SetLang de: %v", err)
	}
	f.Same(before, "an unknown language")

	// The desk's default language: an account opened without one
	// speaks it; one opened with one speaks its own.
	if _, err := f.Desk.SetSetting(f.Ctx, model.SettingDefaultLang, "PT-pt"); err != nil {
		t.Fatal(err)
	}
	if set, _ := f.Desk.Settings(f.Ctx); set[model.SettingDefaultLang] != "pt" || set.DefaultLang() != model.LangPT {
		t.Fatalf("default-lang reads back %v", set)
	}
	for h, c := range map[string]struct{ lang, want string }{"pp10001-ovh": {"", "pt"}, "ff10002-ovh": {"fr", "fr"}} {
		a, err := f.Desk.AddAccount(f.Ctx, model.NewAccount{Handle: h, Name: "Nova Conta", Email: h + "@mail.example", Lang: c.lang})
		if err != nil || string(a.Lang) != c.want {
			t.Errorf("account %s opened with %q: %s, %v; want %s", h, c.lang, a.Lang, err, c.want)
		}
	}
	_, err = f.Desk.SetSetting(f.Ctx, model.SettingDefaultLang, "de")
	if !errors.Is(err, model.ErrInvalid) || model.FieldOf(err) != "value" || !strings.Contains(err.Error(), "use pt, en or fr") {
		t.Errorf("default-lang de: %v", err)
	}
	if _, err := f.Desk.SetSetting(f.Ctx, model.SettingDefaultLang, ""); err != nil {
		t.Fatal(err)
	}
	if a, err := f.Desk.AddAccount(f.Ctx, model.NewAccount{Handle: "ee10003-ovh", Name: "New One", Email: "ee10003-ovh@mail.example"}); err != nil || a.Lang != model.LangEN {
		t.Errorf("with default-lang unset: %s, %v", a.Lang, err)
	}
}
