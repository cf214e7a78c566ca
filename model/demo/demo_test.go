package demo_test

import (
	"context"
	"path/filepath"
	"testing"

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
