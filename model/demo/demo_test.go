package demo_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/storage"
)

func load(t *testing.T, services int) *model.Desk {
	t.Helper()
	st, err := storage.Open(filepath.Join(t.TempDir(), "desk.db"), storage.Options{Create: true, Bulk: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := model.NewDesk(st, model.Options{})
	if _, err := demo.Load(context.Background(), d, demo.Options{Services: services}); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAgencyHoldsATenth: from 10,000 services on, the demo has an agency
// holding a role on a tenth of them, some of each role; below, none.
func TestAgencyHoldsATenth(t *testing.T) {
	ctx := context.Background()
	d := load(t, demo.AgencyFrom)
	a, err := d.Account(ctx, demo.Agency)
	if err != nil || a.Name != "Agência Exemplo" || !a.UpToDate() {
		t.Fatalf("the agency: %+v, %v", a, err)
	}
	ss, err := d.Services(ctx, demo.Agency)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != demo.AgencyFrom/10 {
		t.Fatalf("the agency holds a role on %d services, want %d", len(ss), demo.AgencyFrom/10)
	}
	held := map[model.Role]int{}
	for _, s := range ss {
		for _, r := range model.Roles {
			if s.Contact(r) == demo.Agency {
				held[r]++
			}
		}
	}
	if held[model.Admin] == 0 || held[model.Tech] == 0 || held[model.Billing] == 0 || held[model.Tech] < held[model.Admin] {
		t.Fatalf("the agency's roles: %v; want all three, tech the most", held)
	}

	small := load(t, demo.AgencyFrom-1)
	if _, err := small.Account(ctx, demo.Agency); err == nil {
		t.Fatalf("a demo of %d services has the agency", demo.AgencyFrom-1)
	}
}

// TestSpeaksThreeLanguages: the demo's accounts speak Portuguese,
// English and French, the persona English; each reads its mails in its
// own language, and every line of the history the model wrote reads in
// Portuguese and in French.
func TestSpeaksThreeLanguages(t *testing.T) {
	ctx := context.Background()
	d := load(t, 0)
	as, err := d.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[model.Lang]int{}
	hello := map[model.Lang]string{model.LangPT: "Olá, ", model.LangEN: "Hello ", model.LangFR: "Bonjour "}
	for _, a := range as {
		seen[a.Lang]++
		ms, err := d.Mails(ctx, a.Handle)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if !strings.HasPrefix(m.Body, hello[a.Lang]) {
				t.Errorf("%s (%s) has a mail that starts %q", a.Handle, a.Lang, m.Body[:20])
			}
		}
		hs, err := d.History(ctx, a.Handle, model.HistoryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range hs {
			for _, l := range []locale.Lang{locale.PT, locale.FR} {
				if model.DetailOf(e).In(locale.For(l)) == e.Detail {
					t.Errorf("%s line %q does not read in %s", e.Action, e.Detail, l)
				}
			}
		}
	}
	if p, _ := d.Account(ctx, demo.Persona); p.Lang != model.LangEN || seen[model.LangPT] == 0 || seen[model.LangFR] == 0 {
		t.Errorf("the persona speaks %s; the languages: %v", p.Lang, seen)
	}
}
