// Package storetest holds what the tests of both engines share: the
// request lives that must compile no statement once warm, and the desk
// on which the first page of services must be read from the indexes.
package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

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
			f.Accept(p.Handle, r.ID)
		}
		for _, h := range []model.Handle{modeltest.A, to} {
			if _, err := f.Desk.Services(f.Ctx, h); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Desk.Requests(f.Ctx, h); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Desk.Mails(f.Ctx, h); err != nil {
				t.Fatal(err)
			}
			for _, hf := range []model.HistoryFilter{{Limit: 50}, {Service: service}, {RequestID: r.ID}} {
				if _, err := f.Desk.History(f.Ctx, h, hf); err != nil {
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

// Schema4Rows are the rows of a desk left at schema 4 (before mails were
// kept by recipient, from their template): two accounts, a service, a
// request, two mails with their subject and body written out, the
// second unread and queued for SMTP. Both dialects take them as they
// are.
var Schema4Rows = []string{
	`INSERT INTO accounts (handle, name, email, owes, created) VALUES ('aa11111-ovh', 'Ann', 'ann@example.com', 0, 1), ('bb22222-ovh', 'Bob', 'bob@example.com', 0, 1)`,
	`INSERT INTO services (id, name, type, admin, tech, billing, has_owner, created) VALUES (1, 'old.example', 'vps', 'aa11111-ovh', 'aa11111-ovh', 'aa11111-ovh', FALSE, 1)`,
	`INSERT INTO requests (id, service_id, roles, from_handle, to_handle, requester, state, created, expires) VALUES (1, 1, 'tech', 'aa11111-ovh', 'bb22222-ovh', 'aa11111-ovh', 'validatingByCustomers', 1, 9000000000000000000)`,
	`INSERT INTO parties (request_id, position, handle) VALUES (1, 0, 'aa11111-ovh'), (1, 1, 'bb22222-ovh')`,
	`INSERT INTO mails (id, to_handle, address, subject, date, body, request_id, token, link, kind, read) VALUES
		(1, 'bb22222-ovh', 'bob@example.com', 'Old news', 2, 'Hello Bob, as it was written.', NULL, '', '', 'notice', TRUE),
		(2, 'bb22222-ovh', 'bob@example.com', 'Please confirm', 3, 'Hello Bob, your token: OLDTOKEN', 1, 'OLDTOKEN', 'contactdesk://request/1?token=OLDTOKEN', 'confirm', FALSE)`,
	`INSERT INTO outbox (mail_id, state, attempts, next_try, queued, updated) VALUES (2, 'pending', 0, 3, 3, 3)`,
}

// CheckSchema4Mails checks, on st opened over Schema4Rows, that the mails
// read as they were written, that the outbox still holds the second,
// and that a new mail takes the next id and reads as it was sent.
func CheckSchema4Mails(t *testing.T, st model.Store) {
	t.Helper()
	ctx := context.Background()
	err := st.View(ctx, func(tx model.Tx) error {
		ms, err := tx.MailsOf("bb22222-ovh")
		if err != nil {
			return err
		}
		if len(ms) != 2 || ms[0].ID != 2 || ms[0].Body != "Hello Bob, your token: OLDTOKEN" || ms[0].Subject != "Please confirm" ||
			ms[0].Link != "contactdesk://request/1?token=OLDTOKEN" || ms[0].Delivery != model.DeliveryPending || ms[1].Body != "Hello Bob, as it was written." || !ms[1].Read {
			t.Errorf("the mails after the upgrade: %+v", ms)
		}
		n, err := tx.Unread("bb22222-ovh")
		if n != 1 || err != nil {
			t.Errorf("unread after the upgrade: %d, %v", n, err)
		}
		due, err := tx.DueMails(time.Unix(0, 10), 10)
		if len(due) != 1 || due[0].Mail.ID != 2 || due[0].Mail.Token != "OLDTOKEN" || err != nil {
			t.Errorf("the outbox after the upgrade: %+v, %v", due, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d := model.NewDesk(st, model.Options{})
	m, err := d.Resend(ctx, "bb22222-ovh", 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != 3 {
		t.Errorf("the first mail after the upgrade is #%d", m.ID)
	}
	ms, err := d.Mails(ctx, "bb22222-ovh")
	if err != nil || len(ms) != 3 || ms[0].Body != m.Body || ms[0].Subject != m.Subject || ms[0].Link != m.Link || !strings.Contains(m.Body, m.Token) {
		t.Errorf("a mail sent after the upgrade reads %+v, was sent as %+v (%v)", ms[0], m, err)
	}
}
