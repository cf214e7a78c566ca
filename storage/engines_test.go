package storage_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
	"contactdesk/storage"
	"contactdesk/storage/postgres"
	"contactdesk/storage/postgres/pgtest"
)

// pgOpen opens a fresh PostgreSQL database with the schema, closed when
// the test ends.
func pgOpen(t testing.TB) *postgres.DB {
	t.Helper()
	return pgOpenURL(t, pgtest.URL(t))
}

func pgOpenURL(t testing.TB, u string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), u, postgres.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// twin runs every step on a SQLite store and on a PostgreSQL store and
// checks that both give the same answer: the two engines must agree
// exactly (order, ErrNoRow, nil for no rows, times in UTC…).
type twin struct {
	t    *testing.T
	lite model.Store
	pg   model.Store
	step int
}

func newTwin(t *testing.T) *twin {
	lite, err := storage.Open(filepath.Join(t.TempDir(), "desk.db"), storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	return &twin{t: t, lite: lite, pg: pgOpen(t)}
}

// write runs fn in an Update of each store, read in a View.
func (w *twin) write(what string, fn func(model.Tx) (any, error)) any {
	return w.do(what, true, fn)
}

func (w *twin) read(what string, fn func(model.Tx) (any, error)) any {
	return w.do(what, false, fn)
}

func (w *twin) do(what string, write bool, fn func(model.Tx) (any, error)) any {
	w.t.Helper()
	w.step++
	run := func(s model.Store) (out any, err error) {
		f := func(tx model.Tx) error {
			out, err = fn(tx)
			return err
		}
		if write {
			s.Update(context.Background(), f)
		} else {
			s.View(context.Background(), f)
		}
		return out, err
	}
	lv, lerr := run(w.lite)
	pv, perr := run(w.pg)
	switch {
	case (lerr == nil) != (perr == nil):
		w.t.Errorf("step %d, %s: SQLite says %v, PostgreSQL %v", w.step, what, lerr, perr)
	case errors.Is(lerr, model.ErrNoRow) != errors.Is(perr, model.ErrNoRow):
		w.t.Errorf("step %d, %s: SQLite says %v, PostgreSQL %v", w.step, what, lerr, perr)
	case !reflect.DeepEqual(lv, pv):
		w.t.Errorf("step %d, %s:\n SQLite     %#v\n PostgreSQL %#v", w.step, what, lv, pv)
	}
	return pv
}

var t0 = time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

// codeMailWords writes code mails as their minutes after t0, oldest
// first, a star after one of the application key's.
func codeMailWords(v any) string {
	ms, _ := v.([]model.CodeMail)
	var words []string
	for _, m := range ms {
		w := fmt.Sprint(int(m.Date.Sub(t0) / time.Minute))
		if m.OfApp {
			w += "*"
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

func hash(s string) model.TokenHash { return model.HashToken(s) }

// TestTxMirrorsSQLite goes through every model.Tx method, on data and on
// what isn't there, and compares the two stores' answers.
func TestTxMirrorsSQLite(t *testing.T) {
	w := newTwin(t)
	one := func(err error) (any, error) { return nil, err }

	// Accounts.
	for i, a := range []model.Account{
		{Handle: "xx11111-ovh", Name: "Xavier Xará", Email: "x@xara.pt", Created: at(0)},
		{Handle: "ab12345-ovh", Name: "Alice Brandão", Email: "alice@example.com", Owes: 4250, Created: at(1)},
		{Handle: "yy22222-ovh", Name: "Yolanda de la Peña", Email: "y@example.es", Created: at(2)},
		{Handle: "zz_3333-ovh", Name: "Zed 100% Real", Email: "z@example.org", Created: at(3)},
		{Handle: "cd67890-ovh", Name: "ÉLODIE Crémieux", Email: "e@example.fr"},
	} {
		w.write(fmt.Sprintf("InsertAccount %d", i), func(tx model.Tx) (any, error) { return one(tx.InsertAccount(a)) })
	}
	w.write("InsertAccount twice", func(tx model.Tx) (any, error) {
		return one(tx.InsertAccount(model.Account{Handle: "xx11111-ovh", Name: "again", Email: "a@b.c"}))
	})
	w.read("Account", func(tx model.Tx) (any, error) { return tx.Account("ab12345-ovh") })
	w.read("Account missing", func(tx model.Tx) (any, error) { return tx.Account("qq00000-ovh") })
	w.read("Accounts", func(tx model.Tx) (any, error) { return tx.Accounts() })
	for _, p := range []string{"", "x", "XX1", "al", "ALICE B", "peña", "de", "la p", "é", "élodie", "zz_", "z%", "100%", "_", `\`, "nobody"} {
		for _, limit := range []int{0, 2} {
			w.read(fmt.Sprintf("FindAccounts %q %d", p, limit), func(tx model.Tx) (any, error) { return tx.FindAccounts(p, limit) })
		}
	}
	w.write("SetEmail", func(tx model.Tx) (any, error) { return one(tx.SetEmail("xx11111-ovh", "xavier@xara.pt")) })
	w.write("SetEmail missing", func(tx model.Tx) (any, error) { return one(tx.SetEmail("qq00000-ovh", "q@q.q")) })
	w.write("SetOwes", func(tx model.Tx) (any, error) { return one(tx.SetOwes("ab12345-ovh", 0)) })
	w.write("SetOwes missing", func(tx model.Tx) (any, error) { return one(tx.SetOwes("qq00000-ovh", 10)) })
	w.write("SetOwes negative", func(tx model.Tx) (any, error) { return one(tx.SetOwes("xx11111-ovh", -1)) })
	w.read("Accounts after", func(tx model.Tx) (any, error) { return tx.Accounts() })

	// Services.
	svcs := []model.Service{
		{Name: "xara.pt", Type: model.TypeDomain, Admin: "xx11111-ovh", Tech: "xx11111-ovh", Billing: "ab12345-ovh", Owner: &model.Owner{Holder: "Xavier", Address: "Rua 1", Phone: "+351", Email: "o@xara.pt"}, Created: at(5)},
		{Name: "web-xara", Type: model.TypeHosting, Admin: "xx11111-ovh", Tech: "yy22222-ovh", Billing: "xx11111-ovh", Created: at(6)},
		{Name: "Web.xara", Type: model.TypeVPS, Admin: "yy22222-ovh", Tech: "yy22222-ovh", Billing: "yy22222-ovh", Created: at(7)},
		{Name: "a-b.example", Type: model.TypeDomain, Admin: "ab12345-ovh", Tech: "xx11111-ovh", Billing: "ab12345-ovh", Owner: &model.Owner{}, Created: at(8)},
		{Name: "ab.example", Type: model.TypeEmail, Admin: "ab12345-ovh", Tech: "ab12345-ovh", Billing: "xx11111-ovh"},
	}
	for i := range svcs {
		s := svcs[i]
		w.write("InsertService "+s.Name, func(tx model.Tx) (any, error) {
			err := tx.InsertService(&s)
			return s, err
		})
	}
	w.write("InsertService of nobody", func(tx model.Tx) (any, error) {
		s := model.Service{Name: "orphan", Type: model.TypeVPS, Admin: "qq00000-ovh", Tech: "qq00000-ovh", Billing: "qq00000-ovh"}
		return nil, tx.InsertService(&s)
	})
	w.write("InsertService same name", func(tx model.Tx) (any, error) {
		s := svcs[0]
		return nil, tx.InsertService(&s)
	})
	w.read("Service", func(tx model.Tx) (any, error) { return tx.Service("xara.pt") })
	w.read("Service without owner", func(tx model.Tx) (any, error) { return tx.Service("web-xara") })
	w.read("Service missing", func(tx model.Tx) (any, error) { return tx.Service("nope") })
	w.read("ServiceByID", func(tx model.Tx) (any, error) { return tx.ServiceByID(4) })
	w.read("ServiceByID missing", func(tx model.Tx) (any, error) { return tx.ServiceByID(99) })
	w.write("SetContact", func(tx model.Tx) (any, error) { return one(tx.SetContact(2, model.Billing, "ab12345-ovh")) })
	w.write("SetContact missing", func(tx model.Tx) (any, error) { return one(tx.SetContact(99, model.Tech, "ab12345-ovh")) })
	w.write("SetContact bad role", func(tx model.Tx) (any, error) { return one(tx.SetContact(2, "owner", "ab12345-ovh")) })
	w.write("SetOwner", func(tx model.Tx) (any, error) {
		return one(tx.SetOwner(2, model.Owner{Holder: "Hosting SA", Address: "Av. 2\nLisboa", Phone: "1", Email: "h@x"}))
	})
	w.write("SetOwner missing", func(tx model.Tx) (any, error) { return one(tx.SetOwner(99, model.Owner{})) })

	// Requests.
	reqs := []model.Request{
		{ServiceID: 1, Roles: []model.Role{model.Tech, model.Billing}, From: "xx11111-ovh", To: "yy22222-ovh", Requester: "xx11111-ovh", State: model.StateValidating, Created: at(10), Expires: at(100),
			Parties: []model.Party{{Handle: "xx11111-ovh", Answer: model.AnswerPending}, {Handle: "yy22222-ovh", Answer: model.AnswerPending}}},
		{ServiceID: 2, Roles: []model.Role{model.Admin}, From: "xx11111-ovh", To: "ab12345-ovh", Requester: "xx11111-ovh", State: model.StateValidating, Created: at(11), Expires: at(20),
			Parties: []model.Party{{Handle: "xx11111-ovh", Answer: model.AnswerAccepted, Answered: at(12)}, {Handle: "ab12345-ovh", Answer: model.AnswerPending}}},
		{ServiceID: 1, Roles: []model.Role{model.Admin}, From: "xx11111-ovh", To: "cd67890-ovh", Requester: "xx11111-ovh", State: model.StateDone, Reason: "", Created: at(13), Expires: at(50), Ended: at(14),
			Parties: []model.Party{{Handle: "cd67890-ovh", Answer: model.AnswerAccepted, Answered: at(14)}, {Handle: "xx11111-ovh", Answer: model.AnswerAccepted, Answered: at(14)}}},
		{ServiceID: 3, Roles: []model.Role{model.Tech}, From: "yy22222-ovh", To: "zz_3333-ovh", Requester: "yy22222-ovh", State: model.StateValidating, Created: at(15), Expires: at(16)},
	}
	for i := range reqs {
		r := reqs[i]
		w.write(fmt.Sprintf("InsertRequest %d", i), func(tx model.Tx) (any, error) {
			err := tx.InsertRequest(&r)
			return r.ID, err
		})
	}
	for id := int64(1); id <= 5; id++ {
		w.read(fmt.Sprintf("Request %d", id), func(tx model.Tx) (any, error) { return tx.Request(id) })
	}
	for _, h := range []model.Handle{"xx11111-ovh", "yy22222-ovh", "cd67890-ovh", "qq00000-ovh"} {
		w.read("RequestsOf "+string(h), func(tx model.Tx) (any, error) { return tx.RequestsOf(h) })
		w.read("ServicesOf "+string(h), func(tx model.Tx) (any, error) { return tx.ServicesOf(h, at(15)) })
		w.read("ServicesOf later "+string(h), func(tx model.Tx) (any, error) { return tx.ServicesOf(h, at(200)) })
	}
	for id := int64(1); id <= 4; id++ {
		w.read(fmt.Sprintf("OpenRequests %d", id), func(tx model.Tx) (any, error) { return tx.OpenRequests(id) })
	}
	for _, m := range []int{0, 16, 20, 100, 1000} {
		w.read(fmt.Sprintf("DueRequests %d", m), func(tx model.Tx) (any, error) { return tx.DueRequests(at(m)) })
	}
	w.write("SetAnswer", func(tx model.Tx) (any, error) {
		return one(tx.SetAnswer(1, "yy22222-ovh", model.AnswerAccepted, at(17)))
	})
	w.write("SetAnswer not a party", func(tx model.Tx) (any, error) {
		return one(tx.SetAnswer(1, "ab12345-ovh", model.AnswerAccepted, at(17)))
	})
	w.write("EndRequest", func(tx model.Tx) (any, error) {
		return one(tx.EndRequest(4, model.StateExpired, "no decision", at(16)))
	})
	w.write("EndRequest missing", func(tx model.Tx) (any, error) { return one(tx.EndRequest(99, model.StateCancelled, "", at(16))) })
	w.read("Request after", func(tx model.Tx) (any, error) { return tx.Request(1) })
	w.read("DueRequests after", func(tx model.Tx) (any, error) { return tx.DueRequests(at(1000)) })
	for _, m := range []int{0, 15, 1000} {
		w.read(fmt.Sprintf("RequestCounts %d", m), func(tx model.Tx) (any, error) { return tx.RequestCounts(at(m)) })
	}

	// Tokens and throttling.
	// Each party's latest token lives on its row, the ones before it and
	// those of someone who is not a party in the tokens table.
	var tokens []model.TokenRecord
	for i, tk := range []model.TokenRecord{
		{RequestID: 1, Handle: "xx11111-ovh", Hash: hash("AAAA"), State: model.TokenActive},
		{RequestID: 1, Handle: "yy22222-ovh", Hash: hash("BBBB"), State: model.TokenUsed},
		{RequestID: 2, Handle: "ab12345-ovh", Hash: hash("CCCC"), State: model.TokenActive},
		{RequestID: 1, Handle: "xx11111-ovh", Hash: hash("DDDD"), State: model.TokenActive},
		{RequestID: 1, Handle: "cd67890-ovh", Hash: hash("EEEE"), State: model.TokenActive},
	} {
		tk = w.write(fmt.Sprintf("InsertToken %d", i), func(tx model.Tx) (any, error) {
			err := tx.InsertToken(&tk)
			return tk, err
		}).(model.TokenRecord)
		tokens = append(tokens, tk)
	}
	for _, i := range []int{0, 3, 4} {
		w.write(fmt.Sprintf("SetTokenState %d", i), func(tx model.Tx) (any, error) { return one(tx.SetTokenState(tokens[i].ID, model.TokenReplaced)) })
	}
	for _, id := range []int64{99, tokens[0].ID + 9, tokens[0].ID - 1} {
		w.write(fmt.Sprintf("SetTokenState missing %d", id), func(tx model.Tx) (any, error) { return one(tx.SetTokenState(id, model.TokenUsed)) })
	}
	// a party's latest token (one statement), a token the party's
	// latest replaced, another party's token, and one that is none
	w.write("UseToken latest", func(tx model.Tx) (any, error) {
		return one(tx.UseToken(tokens[4].ID, "cd67890-ovh", model.AnswerAccepted, at(18)))
	})
	w.write("UseToken replaced", func(tx model.Tx) (any, error) {
		return one(tx.UseToken(tokens[0].ID, "xx11111-ovh", model.AnswerRefused, at(19)))
	})
	w.write("UseToken of another", func(tx model.Tx) (any, error) {
		return one(tx.UseToken(tokens[1].ID, "xx11111-ovh", model.AnswerAccepted, at(19)))
	})
	w.write("UseToken missing", func(tx model.Tx) (any, error) {
		return one(tx.UseToken(tokens[0].ID+9, "xx11111-ovh", model.AnswerAccepted, at(19)))
	})
	w.read("Request after UseToken", func(tx model.Tx) (any, error) { return tx.Request(1) })
	w.write("InsertToken to no request", func(tx model.Tx) (any, error) {
		return one(tx.InsertToken(&model.TokenRecord{RequestID: 99, Handle: "xx11111-ovh", Hash: hash("FFFF"), State: model.TokenActive}))
	})
	for id := int64(1); id <= 3; id++ {
		w.read(fmt.Sprintf("Tokens %d", id), func(tx model.Tx) (any, error) { return tx.Tokens(id) })
	}
	for _, m := range []int{20, 21, 21, 25} {
		w.write("InsertFailure", func(tx model.Tx) (any, error) { return one(tx.InsertFailure("ab12345-ovh", 2, at(m))) })
	}
	for _, m := range []int{0, 20, 21, 30} {
		w.read(fmt.Sprintf("Failures since %d", m), func(tx model.Tx) (any, error) { return tx.Failures("ab12345-ovh", 2, at(m)) })
	}
	w.read("Failures of another", func(tx model.Tx) (any, error) { return tx.Failures("xx11111-ovh", 2, at(0)) })
	w.read("LockedUntil never", func(tx model.Tx) (any, error) { return tx.LockedUntil("ab12345-ovh", 2) })
	w.write("SetLock", func(tx model.Tx) (any, error) { return one(tx.SetLock("ab12345-ovh", 2, at(40))) })
	w.read("LockedUntil", func(tx model.Tx) (any, error) { return tx.LockedUntil("ab12345-ovh", 2) })
	w.write("SetLock again", func(tx model.Tx) (any, error) { return one(tx.SetLock("ab12345-ovh", 2, at(60))) })
	w.read("LockedUntil moved", func(tx model.Tx) (any, error) { return tx.LockedUntil("ab12345-ovh", 2) })

	// Mails and the outbox.
	for i, m := range []model.Mail{
		{To: "xx11111-ovh", Address: "x@xara.pt", Subject: "Confirm #1", Date: at(10), Body: "Hello\n", RequestID: 1, Token: "AAAA", Link: "contactdesk://request/1?token=AAAA", Kind: model.MailConfirm},
		{To: "yy22222-ovh", Address: "y@example.es", Subject: "Confirm #1", Date: at(10), Body: "Hola", RequestID: 1, Token: "BBBB", Kind: model.MailConfirm},
		{To: "xx11111-ovh", Address: "x@xara.pt", Subject: "Your e-mail changed", Date: at(11), Body: "", Kind: model.MailNotice, Read: true},
		{To: "xx11111-ovh", Address: "x@xara.pt", Subject: "Done", Date: at(12), Body: "ok", RequestID: 3, Kind: model.MailOutcome},
	} {
		w.write(fmt.Sprintf("InsertMail %d", i), func(tx model.Tx) (any, error) {
			err := tx.InsertMail(&m)
			return m, err
		})
	}
	for i, d := range []int{13, 20} {
		m := model.Mail{To: "xx11111-ovh", Address: "x@xara.pt", Subject: "Validate", Date: at(d), Body: "code", Token: "CCCC", Kind: model.MailCredentialCode, CredentialID: int64(i * 7)}
		w.write(fmt.Sprintf("InsertMail code %d", i), func(tx model.Tx) (any, error) {
			err := tx.InsertMail(&m)
			return m, err
		})
	}
	for _, c := range []struct {
		h     model.Handle
		since int
	}{{"xx11111-ovh", 0}, {"xx11111-ovh", 13}, {"xx11111-ovh", 20}, {"yy22222-ovh", 0}} {
		w.read(fmt.Sprintf("CredentialCodeMails %s %d", c.h, c.since), func(tx model.Tx) (any, error) {
			return tx.CredentialCodeMails(c.h, "", at(c.since))
		})
	}
	w.write("QueueMail 1", func(tx model.Tx) (any, error) { return one(tx.QueueMail(1, at(10))) })
	w.write("QueueMail 2", func(tx model.Tx) (any, error) { return one(tx.QueueMail(2, at(11))) })
	w.write("QueueMail 4", func(tx model.Tx) (any, error) { return one(tx.QueueMail(4, at(12))) })
	w.write("QueueMail twice", func(tx model.Tx) (any, error) { return one(tx.QueueMail(4, at(12))) })
	for _, m := range []int{0, 10, 11, 100} {
		for _, limit := range []int{0, 1} {
			w.read(fmt.Sprintf("DueMails %d %d", m, limit), func(tx model.Tx) (any, error) { return tx.DueMails(at(m), limit) })
		}
	}
	w.write("SetDelivery sending", func(tx model.Tx) (any, error) {
		return one(tx.SetDelivery(model.OutboxEntry{Mail: model.Mail{ID: 1}, State: model.DeliverySending, Attempts: 1, NextTry: at(10), Updated: at(10)}))
	})
	w.write("SetDelivery failed", func(tx model.Tx) (any, error) {
		return one(tx.SetDelivery(model.OutboxEntry{Mail: model.Mail{ID: 2}, State: model.DeliveryFailed, Attempts: 5, NextTry: at(30), Updated: at(30), LastError: "550 no such user"}))
	})
	w.write("SetDelivery sent", func(tx model.Tx) (any, error) {
		return one(tx.SetDelivery(model.OutboxEntry{Mail: model.Mail{ID: 4}, State: model.DeliverySent, Attempts: 1, Updated: at(13)}))
	})
	w.write("SetDelivery missing", func(tx model.Tx) (any, error) {
		return one(tx.SetDelivery(model.OutboxEntry{Mail: model.Mail{ID: 3}, State: model.DeliverySent}))
	})
	w.write("QueueMail 3", func(tx model.Tx) (any, error) { return one(tx.QueueMail(3, at(14))) })
	claimed := model.OutboxEntry{Mail: model.Mail{ID: 3}, State: model.DeliveryPending, Attempts: 1, NextTry: at(20), Updated: at(14)}
	w.write("SetDelivery claimed", func(tx model.Tx) (any, error) { return one(tx.SetDelivery(claimed)) })
	// Recorded only over the entry as was has it: the claim of a sender
	// whose lease ran out, since claimed by another, is not.
	for i, was := range []model.OutboxEntry{
		{Mail: claimed.Mail, State: model.DeliveryPending, Attempts: 2, NextTry: at(20)},
		{Mail: claimed.Mail, State: model.DeliveryPending, Attempts: 1, NextTry: at(21)},
		{Mail: claimed.Mail, State: model.DeliverySending, Attempts: 1, NextTry: at(20)},
		{Mail: model.Mail{ID: 5}, State: model.DeliveryPending, Attempts: 1, NextTry: at(20)},
		claimed,
		claimed, // changed by the one before
	} {
		matched := w.write(fmt.Sprintf("SetDeliveryIf %d", i), func(tx model.Tx) (any, error) {
			err := tx.SetDeliveryIf(model.OutboxEntry{Mail: was.Mail, State: model.DeliverySending, Attempts: 1, NextTry: at(25), Updated: at(15)}, was)
			if errors.Is(err, model.ErrNoRow) {
				return false, nil
			}
			return err == nil, err
		})
		if want := i == 4; matched != want {
			t.Errorf("SetDeliveryIf %d over %+v: recorded %v, want %v", i, was, matched, want)
		}
	}
	w.read("DueMails after", func(tx model.Tx) (any, error) { return tx.DueMails(at(100), 0) })
	w.read("OutboxPending", func(tx model.Tx) (any, error) { return tx.OutboxPending() })
	for _, h := range []model.Handle{"xx11111-ovh", "yy22222-ovh", "qq00000-ovh"} {
		w.read("MailsOf "+string(h), func(tx model.Tx) (any, error) { return tx.MailsOf(h) })
		w.read("Unread "+string(h), func(tx model.Tx) (any, error) { return tx.Unread(h) })
	}
	for id := int64(1); id <= 5; id++ {
		w.read(fmt.Sprintf("Mail %d", id), func(tx model.Tx) (any, error) { return tx.Mail(id) })
	}
	w.write("MarkRead", func(tx model.Tx) (any, error) { return one(tx.MarkRead("xx11111-ovh", 1)) })
	w.write("MarkRead someone else's", func(tx model.Tx) (any, error) { return one(tx.MarkRead("xx11111-ovh", 2)) })
	w.read("Unread after", func(tx model.Tx) (any, error) { return tx.Unread("xx11111-ovh") })

	// SSH keys.
	for i, k := range []model.PublicKey{
		{Fingerprint: "SHA256:bbb", Handle: "xx11111-ovh", Type: "ssh-ed25519", Key: "ssh-ed25519 AAAAB", Comment: "laptop", Added: at(3)},
		{Fingerprint: "SHA256:aaa", Handle: "xx11111-ovh", Type: "ssh-rsa", Key: "ssh-rsa AAAAA", Added: at(3)},
		{Fingerprint: "SHA256:ccc", Handle: "ab12345-ovh", Type: "ssh-ed25519", Key: "ssh-ed25519 AAAAC", Added: at(1)},
	} {
		w.write(fmt.Sprintf("InsertKey %d", i), func(tx model.Tx) (any, error) { return one(tx.InsertKey(k)) })
	}
	w.write("InsertKey twice", func(tx model.Tx) (any, error) {
		return one(tx.InsertKey(model.PublicKey{Fingerprint: "SHA256:aaa", Handle: "ab12345-ovh", Type: "t", Key: "k"}))
	})
	w.read("Key", func(tx model.Tx) (any, error) { return tx.Key("SHA256:bbb") })
	w.read("Key missing", func(tx model.Tx) (any, error) { return tx.Key("SHA256:zzz") })
	w.read("Keys all", func(tx model.Tx) (any, error) { return tx.Keys("") })
	w.read("Keys of one", func(tx model.Tx) (any, error) { return tx.Keys("xx11111-ovh") })
	w.read("Keys of none", func(tx model.Tx) (any, error) { return tx.Keys("yy22222-ovh") })
	w.write("DeleteKey", func(tx model.Tx) (any, error) { return one(tx.DeleteKey("SHA256:aaa")) })
	w.write("DeleteKey missing", func(tx model.Tx) (any, error) { return one(tx.DeleteKey("SHA256:aaa")) })
	w.read("Keys after", func(tx model.Tx) (any, error) { return tx.Keys("") })

	// API keys, and their consumer keys.
	for i, k := range []model.APIKeyRecord{
		{APIKey: model.APIKey{AppKey: "bbbb", Handle: "xx11111-ovh", Name: "billing script", Created: at(3)}, Secret: []byte{1, 2}},
		{APIKey: model.APIKey{AppKey: "aaaa", Handle: "xx11111-ovh", Created: at(3)}, Secret: []byte{3}},
		{APIKey: model.APIKey{AppKey: "cccc", Handle: "ab12345-ovh", Created: at(1)}, Secret: []byte{4}},
	} {
		w.write(fmt.Sprintf("InsertAPIKey %d", i), func(tx model.Tx) (any, error) { return one(tx.InsertAPIKey(k)) })
	}
	w.write("InsertAPIKey twice", func(tx model.Tx) (any, error) {
		return one(tx.InsertAPIKey(model.APIKeyRecord{APIKey: model.APIKey{AppKey: "aaaa", Handle: "ab12345-ovh"}, Secret: []byte{5}}))
	})
	for i, c := range []model.APIConsumerRecord{
		{APIConsumer: model.APIConsumer{AppKey: "bbbb", Rules: model.AllRights, State: model.CredentialValidated, Created: at(3), Ended: at(3)}, ConsumerHash: model.HashConsumerKey("cb")},
		{APIConsumer: model.APIConsumer{AppKey: "aaaa", Rules: []model.APIRule{{Method: "GET", Path: "/me/*"}}, State: model.CredentialValidated, Created: at(3)}, ConsumerHash: model.HashConsumerKey("ca")},
		{APIConsumer: model.APIConsumer{AppKey: "cccc", Rules: model.AllRights, State: model.CredentialPending, Redirection: "https://example.net/", Created: at(4), Expires: at(5)},
			ConsumerHash: model.HashConsumerKey("cc"), TokenHash: []byte{7, 7}, CodeHash: []byte{8}, Codes: 1},
		{APIConsumer: model.APIConsumer{AppKey: "aaaa", Rules: model.AllRights, State: model.CredentialValidated, Created: at(6)}, ConsumerHash: model.HashConsumerKey("ca2")},
		{APIConsumer: model.APIConsumer{AppKey: "cccc", Rules: model.AllRights, State: model.CredentialPending, Created: at(7), Expires: at(9), From: "2001:db8:1::/48"},
			ConsumerHash: model.HashConsumerKey("cc2"), TokenHash: []byte{7, 8}},
	} {
		w.write(fmt.Sprintf("InsertAPIConsumer %d", i), func(tx model.Tx) (any, error) { return tx.InsertAPIConsumer(c) })
	}
	w.write("InsertAPIConsumer same consumer", func(tx model.Tx) (any, error) {
		return tx.InsertAPIConsumer(model.APIConsumerRecord{APIConsumer: model.APIConsumer{AppKey: "cccc", State: model.CredentialValidated}, ConsumerHash: model.HashConsumerKey("ca")})
	})
	w.write("InsertAPIConsumer of no key", func(tx model.Tx) (any, error) {
		return tx.InsertAPIConsumer(model.APIConsumerRecord{APIConsumer: model.APIConsumer{AppKey: "zzzz", State: model.CredentialValidated}, ConsumerHash: model.HashConsumerKey("cz")})
	})
	w.read("APIKey", func(tx model.Tx) (any, error) { return tx.APIKey("bbbb") })
	w.read("APIKey missing", func(tx model.Tx) (any, error) { return tx.APIKey("zzzz") })
	w.read("APIConsumerByHash", func(tx model.Tx) (any, error) { return tx.APIConsumerByHash(model.HashConsumerKey("cc")) })
	w.read("APIConsumerByHash missing", func(tx model.Tx) (any, error) { return tx.APIConsumerByHash(model.HashConsumerKey("zz")) })
	w.read("APIKeys all", func(tx model.Tx) (any, error) { return tx.APIKeys("") })
	w.read("APIKeys of one", func(tx model.Tx) (any, error) { return tx.APIKeys("xx11111-ovh") })
	w.read("APIKeys of none", func(tx model.Tx) (any, error) { return tx.APIKeys("yy22222-ovh") })
	// The code mails of the consumer keys: each says whether its key is
	// of the application key asked about.
	for i, c := range []struct {
		d  int
		id int64
	}{{14, 2}, {15, 1}, {16, 4}, {17, 99}} {
		m := model.Mail{To: "xx11111-ovh", Address: "x@xara.pt", Subject: "Validate", Date: at(c.d), Body: "code", Token: "DDDD", Kind: model.MailCredentialCode, CredentialID: c.id}
		w.write(fmt.Sprintf("InsertMail key's code %d", i), func(tx model.Tx) (any, error) {
			err := tx.InsertMail(&m)
			return m, err
		})
	}
	for app, want := range map[string]string{"aaaa": "14* 15 16* 17 20", "bbbb": "14 15* 16 17 20", "cccc": "14 15 16 17 20", "zzzz": "14 15 16 17 20"} {
		got := w.read("CredentialCodeMails of "+app, func(tx model.Tx) (any, error) { return tx.CredentialCodeMails("xx11111-ovh", app, at(13)) })
		if s := codeMailWords(got); s != want {
			t.Errorf("the code mails of %s: %s, want %s", app, s, want)
		}
	}
	w.read("APIConsumers all", func(tx model.Tx) (any, error) { return tx.APIConsumers("") })
	w.read("APIConsumers of one", func(tx model.Tx) (any, error) { return tx.APIConsumers("xx11111-ovh") })
	w.write("TouchAPIConsumer", func(tx model.Tx) (any, error) { return one(tx.TouchAPIConsumer(2, at(20))) })
	w.write("TouchAPIConsumer earlier", func(tx model.Tx) (any, error) { return one(tx.TouchAPIConsumer(2, at(10))) })
	w.read("APIConsumer touched", func(tx model.Tx) (any, error) { return tx.APIConsumerByHash(model.HashConsumerKey("ca")) })
	w.read("APIKeys touched", func(tx model.Tx) (any, error) { return tx.APIKeys("") })
	w.read("APIConsumerByToken", func(tx model.Tx) (any, error) { return tx.APIConsumerByToken([]byte{7, 7}) })
	w.read("APIConsumerByToken missing", func(tx model.Tx) (any, error) { return tx.APIConsumerByToken([]byte{7}) })
	w.write("UpdateAPIConsumer", func(tx model.Tx) (any, error) {
		return one(tx.UpdateAPIConsumer(model.APIConsumerRecord{APIConsumer: model.APIConsumer{ID: 3, State: model.CredentialValidated, Ended: at(4)}, Codes: 2}))
	})
	w.write("UpdateAPIConsumer missing", func(tx model.Tx) (any, error) {
		return one(tx.UpdateAPIConsumer(model.APIConsumerRecord{APIConsumer: model.APIConsumer{ID: 99, State: model.CredentialValidated}}))
	})
	w.read("APIConsumer updated", func(tx model.Tx) (any, error) { return tx.APIConsumerByToken([]byte{7, 7}) })
	// The keys awaiting validation of one application key, with the
	// network each was asked from; one dropped (expired now) is still
	// one of them.
	if got, _ := w.read("PendingAPIConsumers", func(tx model.Tx) (any, error) { return tx.PendingAPIConsumers("cccc", at(0)) }).([]model.APIConsumerRecord); len(got) != 1 || got[0].From != "2001:db8:1::/48" || got[0].Codes != 0 {
		t.Errorf("the pending keys of cccc: %+v", got)
	}
	w.write("UpdateAPIConsumer expires", func(tx model.Tx) (any, error) {
		rec, err := tx.APIConsumerByToken([]byte{7, 8})
		if err != nil {
			return nil, err
		}
		rec.Expires = at(8)
		return one(tx.UpdateAPIConsumer(rec))
	})
	if got, _ := w.read("PendingAPIConsumers dropped", func(tx model.Tx) (any, error) { return tx.PendingAPIConsumers("cccc", at(0)) }).([]model.APIConsumerRecord); len(got) != 1 || !got[0].Expires.Equal(at(8)) {
		t.Errorf("the pending keys of cccc once one is dropped: %+v", got)
	}
	w.read("PendingAPIConsumers none", func(tx model.Tx) (any, error) { return tx.PendingAPIConsumers("aaaa", at(0)) })
	if got, _ := w.read("PendingAPIConsumers since", func(tx model.Tx) (any, error) { return tx.PendingAPIConsumers("cccc", at(7)) }).([]model.APIConsumerRecord); len(got) != 0 {
		t.Errorf("the pending keys of cccc made after minute 7: %+v", got)
	}
	w.write("DeleteStaleAPIConsumers none", func(tx model.Tx) (any, error) { return one(tx.DeleteStaleAPIConsumers("cccc", at(30))) })
	w.write("DeleteAPIConsumer", func(tx model.Tx) (any, error) { return one(tx.DeleteAPIConsumer(1)) })
	w.write("DeleteAPIConsumer missing", func(tx model.Tx) (any, error) { return one(tx.DeleteAPIConsumer(1)) })
	got := w.read("CredentialCodeMails of a deleted key", func(tx model.Tx) (any, error) { return tx.CredentialCodeMails("xx11111-ovh", "bbbb", at(0)) })
	if s := codeMailWords(got); s != "13 14 15 16 17 20" {
		t.Errorf("the code mails once bbbb's key is deleted: %s", s)
	}
	w.write("DeleteAPIKey", func(tx model.Tx) (any, error) { return one(tx.DeleteAPIKey("aaaa")) })
	w.write("DeleteAPIKey missing", func(tx model.Tx) (any, error) { return one(tx.DeleteAPIKey("aaaa")) })
	w.read("APIKeys after", func(tx model.Tx) (any, error) { return tx.APIKeys("") })
	w.read("APIConsumers after", func(tx model.Tx) (any, error) { return tx.APIConsumers("") })

	// History.
	for i, e := range []model.HistoryEntry{
		{At: at(10), Actor: "xx11111-ovh", Action: model.ActRequestCreate, ServiceID: 1, RequestID: 1, Detail: "tech, billing"},
		{At: at(10), Actor: "xx11111-ovh", Action: model.ActEmail, Detail: "x@xara.pt"},
		{At: at(11), Actor: model.SupportActor, Action: model.ActServiceAdd, ServiceID: 3},
		{At: at(12), Actor: "yy22222-ovh", Action: model.ActRequestAccept, ServiceID: 1, RequestID: 1},
		{At: at(9), Actor: model.SystemActor, Action: model.ActRequestExpire, ServiceID: 3, RequestID: 4},
		{At: at(13), Actor: "ab12345-ovh", Action: model.ActOwnerSet, ServiceID: 4},
	} {
		w.write(fmt.Sprintf("InsertHistory %d", i), func(tx model.Tx) (any, error) {
			err := tx.InsertHistory(&e)
			return e, err
		})
	}
	for _, h := range []model.Handle{"xx11111-ovh", "yy22222-ovh", "ab12345-ovh", "zz_3333-ovh", "qq00000-ovh"} {
		for _, limit := range []int{0, 2} {
			w.read(fmt.Sprintf("History of %s %d", h, limit), func(tx model.Tx) (any, error) { return tx.History(h, 0, 0, limit) })
		}
	}
	for _, limit := range []int{0, 1} {
		w.read(fmt.Sprintf("History of service %d", limit), func(tx model.Tx) (any, error) { return tx.History("", 1, 0, limit) })
		w.read(fmt.Sprintf("History of service as a party %d", limit), func(tx model.Tx) (any, error) { return tx.History("xx11111-ovh", 1, 0, limit) })
		w.read(fmt.Sprintf("History of request %d", limit), func(tx model.Tx) (any, error) { return tx.History("", 0, 1, limit) })
		w.read(fmt.Sprintf("History of service 3 %d", limit), func(tx model.Tx) (any, error) { return tx.History("xx11111-ovh", 3, 0, limit) })
	}

	// An Update whose fn fails leaves nothing behind.
	w.write("failed Update", func(tx model.Tx) (any, error) {
		if err := tx.InsertAccount(model.Account{Handle: "rb00000-ovh", Name: "Rolled Back", Email: "r@b"}); err != nil {
			return nil, err
		}
		return nil, errors.New("changed my mind")
	})
	w.read("Account rolled back", func(tx model.Tx) (any, error) { return tx.Account("rb00000-ovh") })
}

// TestBulkMirrorsSQLite: the bulk inserts a loader uses give the same
// desk as on SQLite.
func TestBulkMirrorsSQLite(t *testing.T) {
	w := newTwin(t)
	for _, h := range []model.Handle{"xx11111-ovh", "yy22222-ovh"} {
		w.write("InsertAccount", func(tx model.Tx) (any, error) {
			return nil, tx.InsertAccount(model.Account{Handle: h, Name: string(h), Email: "a@b.c", Created: at(0)})
		})
	}
	w.write("InsertServices", func(tx model.Tx) (any, error) {
		var ss []*model.Service
		for i := range 300 {
			s := &model.Service{Name: fmt.Sprintf("s%03d.example", i), Type: model.TypeVPS, Admin: "xx11111-ovh", Tech: "yy22222-ovh", Billing: "xx11111-ovh", Created: at(i)}
			if i%3 == 0 {
				s.Type, s.Owner = model.TypeDomain, &model.Owner{Holder: "H", Address: fmt.Sprint(i)}
			}
			ss = append(ss, s)
		}
		err := tx.(model.BulkTx).InsertServices(ss)
		return ss, err
	})
	w.write("InsertServices none", func(tx model.Tx) (any, error) { return nil, tx.(model.BulkTx).InsertServices(nil) })
	w.write("InsertService after", func(tx model.Tx) (any, error) {
		s := model.Service{Name: "after.example", Type: model.TypeVPS, Admin: "xx11111-ovh", Tech: "xx11111-ovh", Billing: "xx11111-ovh"}
		err := tx.InsertService(&s)
		return s, err
	})
	w.write("InsertHistories", func(tx model.Tx) (any, error) {
		var es []model.HistoryEntry
		for i := range 500 {
			es = append(es, model.HistoryEntry{At: at(i % 7), Actor: model.SupportActor, Action: model.ActServiceAdd, ServiceID: int64(i%300 + 1), Detail: fmt.Sprint(i)})
		}
		es = append(es, model.HistoryEntry{At: at(1), Actor: "yy22222-ovh", Action: model.ActEmail})
		return nil, tx.(model.BulkTx).InsertHistories(es)
	})
	w.write("InsertHistories none", func(tx model.Tx) (any, error) { return nil, tx.(model.BulkTx).InsertHistories(nil) })
	w.read("ServicesOf", func(tx model.Tx) (any, error) { return tx.ServicesOf("yy22222-ovh", at(0)) })
	w.write("InsertAccounts", func(tx model.Tx) (any, error) {
		var as []model.Account
		for i := range 450 {
			as = append(as, model.Account{Handle: model.Handle(fmt.Sprintf("im%d-ovh", 10000+i)), Name: fmt.Sprint("Imported ", i), Email: "i@b.c",
				Owes: model.Cents(i % 3), Created: at(i), Lang: model.Langs[i%3]})
		}
		return nil, tx.(model.BulkTx).InsertAccounts(as)
	})
	w.write("InsertAccounts none", func(tx model.Tx) (any, error) { return nil, tx.(model.BulkTx).InsertAccounts(nil) })
	w.read("AccountsIn", func(tx model.Tx) (any, error) {
		// More than a chunk of the lookup, some missing, some twice.
		var hs []model.Handle
		for i := 460; i >= 0; i -= 2 {
			hs = append(hs, model.Handle(fmt.Sprintf("im%d-ovh", 10000+i)))
		}
		return tx.AccountsIn(append(hs, "xx11111-ovh", "xx11111-ovh", "qq00000-ovh"))
	})
	w.read("AccountsIn none", func(tx model.Tx) (any, error) { return tx.AccountsIn(nil) })
	w.read("ServicesNamed", func(tx model.Tx) (any, error) {
		var names []string
		for i := 310; i >= 0; i-- {
			names = append(names, fmt.Sprintf("s%03d.example", i))
		}
		return tx.ServicesNamed(append(names, "after.example", "nope.example"))
	})
	for _, after := range []string{"", "s100.example", "s299.example", "zzz"} {
		w.read("ServicesAfter "+after, func(tx model.Tx) (any, error) { return tx.ServicesAfter(after, 120) })
	}
	w.read("History", func(tx model.Tx) (any, error) { return tx.History("yy22222-ovh", 0, 0, 0) })
	w.read("History of a service", func(tx model.Tx) (any, error) { return tx.History("", 7, 0, 0) })
}
