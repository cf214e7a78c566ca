package modeltest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
)

// testOthersRequests: a request is its parties' business. A contact of
// the service that is no party to it (the admin, when the tech contact
// names its successor) sees in the service's history neither the
// request nor its parties — as the refusal of a request pending on that
// role tells it neither — only what was done to the service itself and,
// once made, the change of its contacts.
func testOthersRequests(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(T, Example, N, model.Tech)[0]
	refused := f.Create(B, Example, N2, model.Billing)[0]
	if _, err := f.Desk.Refuse(f.Ctx, N2, refused.ID, f.Token(N2, refused.ID)); err != nil {
		t.Fatal(err)
	}
	// the admin, asking for the same role, is told of a request pending,
	// neither its number nor its parties
	_, err := f.Desk.Plan(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N2)})
	IsKind(t, err, model.ErrPending, "the admin asks for the tech role while the tech contact's request waits")
	requestLines := func(who model.Handle, filter model.HistoryFilter) (ofR, ofRefused, others int) {
		t.Helper()
		hs, err := f.Desk.History(f.Ctx, who, filter)
		if err != nil {
			t.Fatalf("history of %s (%+v): %v", who, filter, err)
		}
		for _, h := range hs {
			switch h.RequestID {
			case r.ID:
				ofR++
			case refused.ID:
				ofRefused++
			default:
				others++
			}
		}
		return
	}
	for _, filter := range []model.HistoryFilter{{}, {Service: Example}} {
		// the admin: the service added, nothing of the two requests
		if ofR, ofRefused, others := requestLines(A, filter); ofR != 0 || ofRefused != 0 || others == 0 {
			t.Errorf("the admin, no party, sees %d lines of #%d and %d of #%d (%d others) in its history %+v; want none of either", ofR, r.ID, ofRefused, refused.ID, others, filter)
		}
		// the billing contact sees its own request, not the tech's
		if ofR, ofRefused, _ := requestLines(B, filter); ofR != 0 || ofRefused == 0 {
			t.Errorf("the billing contact sees %d lines of #%d (no party) and %d of its own #%d in its history %+v", ofR, r.ID, ofRefused, refused.ID, filter)
		}
		// the tech contact sees its own, not the billing contact's
		if ofR, ofRefused, _ := requestLines(T, filter); ofR == 0 || ofRefused != 0 {
			t.Errorf("the tech contact sees %d lines of its own #%d and %d of #%d (no party) in its history %+v", ofR, r.ID, ofRefused, refused.ID, filter)
		}
	}
	// a request that is not X's under a service X holds no role of is
	// "not found" of the service, whether the service exists or not
	_, under := f.Desk.History(f.Ctx, X, model.HistoryFilter{Service: Example, RequestID: r.ID})
	_, nowhere := f.Desk.History(f.Ctx, X, model.HistoryFilter{Service: "nowhere.example", RequestID: r.ID})
	IsKind(t, under, model.ErrNotFound, "a stranger's history of another's request under an existing service")
	if under == nil || nowhere == nil || strings.ReplaceAll(under.Error(), Example, "nowhere.example") != nowhere.Error() {
		t.Errorf("another's request under an existing service says %v; under one that does not exist %v", under, nowhere)
	}
	// the request made, the admin sees the change of its service's
	// contacts, without the request's number, and nothing else of it
	f.Accept(T, r.ID)
	if done := f.Accept(N, r.ID); done.State != model.StateDone {
		t.Fatalf("#%d: %s", r.ID, done.State)
	}
	changes := func(who model.Handle, filter model.HistoryFilter) (ofR []string, change []model.HistoryEntry) {
		t.Helper()
		hs, err := f.Desk.History(f.Ctx, who, filter)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			if h.RequestID == r.ID {
				ofR = append(ofR, h.Action)
			}
			if h.Action == model.ActContactChange {
				change = append(change, h)
			}
		}
		return ofR, change
	}
	for _, filter := range []model.HistoryFilter{{}, {Service: Example}} {
		ofR, change := changes(A, filter)
		if len(ofR) != 0 || len(change) != 1 || change[0].RequestID != 0 || !strings.Contains(change[0].Detail, string(N)) {
			t.Errorf("once #%d made the change, the admin sees %v of it, and the changes of contact %+v, in its history %+v; want the change alone, without the request's number", r.ID, ofR, change, filter)
		}
		// its parties still see it whole, the change with its request
		ofR, change = changes(N, filter)
		if len(ofR) < 4 || len(change) != 1 || change[0].RequestID != r.ID {
			t.Errorf("the new tech contact sees %v of #%d, and the changes of contact %+v, in its history %+v", ofR, r.ID, change, filter)
		}
	}
}

// testPermissionsPending: a role with a request waiting for it is not
// one a request can be asked for, whatever the new contact: Permissions
// says so before any handle is typed, with the very refusal a request
// would meet — its number and whom it awaits to a party of it, neither
// to a contact that is none — and when it passes at the latest (the
// request's expiry, its RetryAt), and says it no more once the request
// has ended. Every contact of the service is told of the change, party
// or not, as the request is made and as it ends: their screens (the
// services' pending mark, the form's roles) read it again.
func testPermissionsPending(t *testing.T, open Opener) {
	f := New(t, open)
	changes, unsubscribe := f.Desk.Subscribe(A) // the admin, no party
	defer unsubscribe()
	told := func(what string) {
		t.Helper()
		select {
		case <-changes: // published as the write commits, before it returns
		default:
			t.Errorf("the admin, a contact of %s no party to its request, is not told %s", Example, what)
		}
	}
	r := f.Create(T, Example, N, model.Tech)[0]
	told("the request is made")
	ask := func(who model.Handle) map[model.Role]error {
		t.Helper()
		_, perms, err := f.Desk.Permissions(f.Ctx, who, Example)
		if err != nil {
			t.Fatalf("permissions of %s: %v", who, err)
		}
		return perms
	}
	for _, c := range []struct {
		who          model.Handle
		says, hidden []string
	}{
		{T, []string{fmt.Sprintf("#%d", r.ID), string(N)}, nil},                                             // the requester, a party
		{A, []string{"another contact of " + Example + " has a request pending"}, []string{"#", string(N)}}, // the admin, none
	} {
		err := ask(c.who)[model.Tech]
		IsKind(t, err, model.ErrPending, fmt.Sprintf("the tech role, to %s, while #%d waits", c.who, r.ID))
		_, planned := f.Desk.Plan(f.Ctx, c.who, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N2)})
		if planned == nil || err.Error() != planned.Error() {
			t.Errorf("%s is told %q before typing a handle, %q once it is typed", c.who, err, planned)
		}
		for _, s := range c.says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s is told %q, without %q", c.who, err, s)
			}
		}
		for _, s := range c.hidden {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%s, no party, is told %q, which tells %q", c.who, err, s)
			}
		}
		// when it passes at the latest: a form showing it reads the
		// roles again then
		if at := model.RetryAt(err); !at.Equal(r.Expires) {
			t.Errorf("%s is told the tech role may be asked for again at %v, not at #%d's expiry, %v", c.who, at, r.ID, r.Expires)
		}
	}
	// the other roles are as they were: the admin may change them, the
	// tech contact not
	if perms := ask(A); perms[model.Admin] != nil || perms[model.Billing] != nil {
		t.Errorf("the admin may not change the roles no request waits for: %v", perms)
	}
	IsKind(t, ask(T)[model.Billing], model.ErrNotYourRole, "the billing role, to the tech contact")
	// once the request has expired (not yet settled), the role is free
	f.Clock.Advance(r.Expires.Sub(f.Clock.Now()) + time.Minute)
	for _, who := range []model.Handle{A, T} {
		if err := ask(who)[model.Tech]; err != nil {
			t.Errorf("%s may not change the tech role after #%d expired: %v", who, r.ID, err)
		}
	}
	// settled by the next write, whatever it is (the language of an
	// account with no part in it): the admin is told it ended
	if _, err := f.Desk.SetLang(f.Ctx, N2, "fr"); err != nil {
		t.Fatal(err)
	}
	if got, err := f.Desk.Request(f.Ctx, T, r.ID); err != nil || got.State != model.StateExpired {
		t.Fatalf("#%d: %+v %v; want expired", r.ID, got, err)
	}
	told("the request has ended")
}
