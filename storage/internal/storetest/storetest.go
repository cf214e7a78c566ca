// Package storetest holds what the tests of both engines share: the
// request lives that must compile no statement once warm, and the desk
// on which the first page of services must be read from the indexes.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"contactdesk/model"
	"contactdesk/model/modeltest"
)

// CompilesNothingWarm checks that, once warm, a whole request life
// (create, every acceptance, the lists a user looks at) has the engine
// compile or prepare no statement: compiled says how many times it did
// since the last reset, and the last statement it did. Two lives warm
// the desk, and two more are counted.
func CompilesNothingWarm(t *testing.T, open modeltest.Opener, reset func(), compiled func() (int, string)) {
	f := modeltest.New(t, open)
	life := func(service string, to model.Handle) {
		r := f.Create(modeltest.A, service, to, model.Tech)[0]
		for _, p := range r.Parties {
			// the Mailbox tab's first page while the token is live (its
			// request asked about), and the token's mail, opened
			ms, _, err := f.Desk.Mailbox(f.Ctx, p.Handle, model.MailboxPage)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Desk.Mail(f.Ctx, p.Handle, ms[0].ID); err != nil {
				t.Fatal(err)
			}
			f.Accept(p.Handle, r.ID)
		}
		for _, h := range []model.Handle{modeltest.A, to, modeltest.T} {
			if _, err := f.Desk.Services(f.Ctx, h); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Desk.Requests(f.Ctx, h); err != nil {
				t.Fatal(err)
			}
			ms, err := f.Desk.Mails(f.Ctx, h)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.Desk.Mailbox(f.Ctx, h, 0); err != nil {
				t.Fatal(err)
			}
			// a request's page reads its token mail, a mail's page the mail
			if _, _, err := f.Desk.TokenMail(f.Ctx, h, r.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Desk.Mail(f.Ctx, h, ms[0].ID); err != nil {
				t.Fatal(err)
			}
			for _, hf := range []model.HistoryFilter{{Limit: 50}, {Service: service}, {RequestID: r.ID}} {
				// T, the tech contact a life replaces, has no line of some
				if _, err := f.Desk.History(f.Ctx, h, hf); err != nil && !errors.Is(err, model.ErrNotFound) {
					t.Fatal(err)
				}
			}
		}
	}
	life(modeltest.Example, modeltest.N)
	life(modeltest.Multi, modeltest.N)
	reset()
	life(modeltest.Self, modeltest.N2)
	life(modeltest.Example, modeltest.N2)
	if n, last := compiled(); n != 0 {
		t.Errorf("a warm request life compiled statements %d times (the last: %s)", n, last)
	}
}

// Many holds every service of PlanDesk, Few one in a thousand.
const (
	Many model.Handle = "ma11111-ovh"
	Few  model.Handle = "fe22222-ovh"
)

// PlanDesk fills st with n services, all held by Many, one in a
// thousand with Few as its tech contact, with the engine's bulk load.
func PlanDesk(t *testing.T, st model.Store, n int) {
	d := model.NewDesk(st, model.Options{})
	ctx := context.Background()
	for _, h := range []model.Handle{Many, Few} {
		if _, err := d.AddAccount(ctx, model.NewAccount{Handle: string(h), Name: string(h), Email: "x@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	ss := make([]*model.Service, n)
	for i := range ss {
		ss[i] = &model.Service{Name: fmt.Sprintf("s%05d.example", i), Type: model.TypeHosting, Admin: Many, Tech: Many, Billing: Many}
		if i%1000 == 0 {
			ss[i].Tech = Few
		}
	}
	err := d.Batch(ctx, func(b *model.Batch) error { return b.ImportServices(ss, nil) })
	if err != nil {
		t.Fatal(err)
	}
}
