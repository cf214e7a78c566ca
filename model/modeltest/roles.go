package modeltest

import (
	"slices"
	"testing"

	"contactdesk/model"
)

// testEveryRoleSeesItsService: an account holding one role of a service,
// and no other, whichever role of model.Roles, sees the service (its
// list, its first screenful, the service itself), what was done to it
// in its history, and the service's other contacts among its
// acquaintances, those who were no party to the change included. The
// store names each role's column in its queries by hand: a role left
// out of one of them hides the service from its contact without an
// error. The account gets the role the way users do, from example.com's
// admin.
func testEveryRoleSeesItsService(t *testing.T, open Opener) {
	for _, r := range model.Roles {
		t.Run(string(r), func(t *testing.T) {
			f := New(t, open)
			req := f.Create(A, Example, N, r)[0]
			for _, p := range req.Parties {
				if got := f.Accept(p.Handle, req.ID); p.Handle == N && got.State != model.StateDone {
					t.Fatalf("%s of %s to %s: %s", r, Example, N, got.State)
				}
			}
			s := f.Service(Example)
			if !slices.Equal(s.RolesOf(N), []model.Role{r}) {
				t.Fatalf("%s holds %v of %s, want only %s", N, s.RolesOf(N), Example, r)
			}
			names := func(vs []model.ServiceView) []string {
				var ns []string
				for _, v := range vs {
					ns = append(ns, v.Name)
				}
				return ns
			}
			if vs, err := f.Desk.Services(f.Ctx, N); err != nil || !slices.Contains(names(vs), Example) {
				t.Errorf("the %s contact's services: %v %v", r, names(vs), err)
			}
			if vs, _, err := f.Desk.FirstServices(f.Ctx, N, 10); err != nil || !slices.Contains(names(vs), Example) {
				t.Errorf("the %s contact's first services: %v %v", r, names(vs), err)
			}
			if _, err := f.Desk.Service(f.Ctx, N, Example); err != nil {
				t.Errorf("the %s contact reads %s: %v", r, Example, err)
			}
			hs, err := f.Desk.History(f.Ctx, N, model.HistoryFilter{})
			if err != nil || !slices.ContainsFunc(hs, func(e model.HistoryEntry) bool { return e.Action == model.ActServiceAdd && e.Service == Example }) {
				t.Errorf("the %s contact's history does not show %s added: %d lines, %v", r, Example, len(hs), err)
			}
			as, err := f.Desk.Acquaintances(f.Ctx, N)
			if err != nil {
				t.Fatal(err)
			}
			for _, other := range model.Roles {
				h := s.Contact(other)
				if h != N && !slices.ContainsFunc(as, func(a model.Account) bool { return a.Handle == h }) {
					t.Errorf("the %s contact's acquaintances lack %s, the %s contact of %s: %v", r, h, other, Example, as)
				}
			}
		})
	}
}
