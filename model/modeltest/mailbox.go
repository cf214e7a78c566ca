package modeltest

import (
	"reflect"
	"testing"
	"time"

	"contactdesk/model"
)

// testMailboxList: the mailbox's list (Desk.Mailbox, the Mailbox tab's)
// is the mailbox (Desk.Mails) without the bodies, mail for mail, flag
// for flag, whatever became of each token: live, replaced by a resend,
// answered, ended, a proof of a new address, removed when real delivery
// began, and withheld while queued, once mailed and once not delivered;
// and its newest n mails alone are the mailbox's first n, marked alike.
func testMailboxList(t *testing.T, open Opener) {
	f := New(t, open)
	same := func(when string, d *model.Desk, hs ...model.Handle) {
		t.Helper()
		for _, h := range hs {
			whole, err := d.Mails(f.Ctx, h)
			if err != nil {
				t.Fatal(err)
			}
			list, more, err := d.Mailbox(f.Ctx, h, 0)
			if err != nil || more {
				t.Fatal(more, err)
			}
			if len(whole) == 0 {
				t.Fatalf("%s: %s has no mail", when, h)
			}
			for i := range whole {
				if whole[i].Body == "" {
					t.Errorf("%s: %s's mail #%d has no body in the mailbox", when, h, whole[i].ID)
				}
				whole[i].Body = ""
			}
			if !reflect.DeepEqual(list, whole) {
				t.Errorf("%s: %s's list is not its mailbox without the bodies:\nlist:    %+v\nmailbox: %+v", when, h, list, whole)
			}
			// its newest n alone, as a page: the same n mails, marked
			// the same (a mail's marks come from the newer ones)
			for n := 1; n <= len(whole); n++ {
				page, more, err := d.Mailbox(f.Ctx, h, n)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(page, whole[:n]) || more != (n < len(whole)) {
					t.Errorf("%s: %s's newest %d of %d mails: more %v\npage:    %+v\nmailbox: %+v", when, h, n, len(whole), more, page, whole[:n])
				}
			}
		}
	}
	r := f.Create(A, Example, N, model.Tech)[0]
	refused := f.Create(A, Owed, N2, model.Tech)[0]
	f.Create(A, Multi, N, model.Tech)
	if _, err := f.Desk.Resend(f.Ctx, T, r.ID); err != nil {
		t.Fatal(err)
	}
	f.Accept(N, r.ID)
	if _, err := f.Desk.Refuse(f.Ctx, N2, refused.ID, f.Token(N2, refused.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Desk.AskEmailChange(f.Ctx, T, "ted@new.example"); err != nil {
		t.Fatal(err)
	}
	same("simulated mailbox", f.Desk, A, T, N, N2)

	// real delivery: the simulated mails' tokens are removed, and the
	// new ones withheld, queued, then mailed or not delivered
	d := model.NewDesk(f.Store, model.Options{Clock: f.Clock})
	if _, err := d.UseRealDelivery(f.Ctx); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(time.Minute)
	if _, err := d.Resend(f.Ctx, T, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateRequest(f.Ctx, A, model.NewRequest{Service: Self, Roles: []model.Role{model.Billing}, To: string(N2)}); err != nil {
		t.Fatal(err)
	}
	same("real delivery, queued", d, A, T, N, N2)
	es := f.claim(d, time.Minute)
	if len(es) < 2 {
		t.Fatalf("%d mails claimed", len(es))
	}
	for i, e := range es {
		if err := d.HandOver(f.Ctx, &e, time.Minute); err != nil {
			t.Fatal(err)
		}
		var err error
		if i%2 == 0 {
			_, err = d.Delivered(f.Ctx, e)
		} else {
			_, err = d.Undeliverable(f.Ctx, e, "550 no such user")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	same("real delivery, mailed and not delivered", d, A, T, N, N2)
}
