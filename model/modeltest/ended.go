package modeltest

import (
	"context"
	"strings"
	"testing"
	"time"

	"contactdesk/locale"
	"contactdesk/model"
)

// testTokenEnded: a token mail whose request has ended (its outcome mail
// is in the mailbox), or whose change of e-mail address was confirmed
// or refused, is marked ended, in the mailbox and read alone; a mail of
// a request still open, or of a newer change, is not. Before, such
// tokens read as any other in the mailbox and mail list, and a script
// picking the tokens out of `mail list --json` picked dead ones.
func testTokenEnded(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	live := f.Create(A, Owed, N2, model.Tech)[0]
	ended := func(h model.Handle, kind string, id int64) map[int64]bool {
		t.Helper()
		ms, err := f.Desk.Mails(f.Ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]bool{}
		for _, m := range ms {
			if m.Kind != kind || m.RequestID != id {
				continue
			}
			got[m.ID] = m.TokenEnded
			if one, err := f.Desk.Mail(f.Ctx, h, m.ID); err != nil || one.TokenEnded != m.TokenEnded {
				t.Errorf("mail #%d of %s read alone: ended %v, %v; in the mailbox %v", m.ID, h, one.TokenEnded, err, m.TokenEnded)
			}
		}
		if len(got) == 0 {
			t.Fatalf("%s has no %s mail about #%d", h, kind, id)
		}
		return got
	}
	check := func(when string, h model.Handle, kind string, id int64, want bool) {
		t.Helper()
		for mid, e := range ended(h, kind, id) {
			if e != want {
				t.Errorf("%s: %s's mail #%d about #%d: token ended %v, want %v", when, h, mid, id, e, want)
			}
		}
	}
	for _, h := range []model.Handle{A, T, N} {
		check("open", h, model.MailConfirm, r.ID, false)
	}
	if _, err := f.Desk.Resend(f.Ctx, T, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Desk.Cancel(f.Ctx, A, r.ID); err != nil {
		t.Fatal(err)
	}
	for _, h := range []model.Handle{A, T, N} {
		check("cancelled", h, model.MailConfirm, r.ID, true)
	}
	// a token both replaced and ended: what is said of it is that the
	// request ended (the newest mail's token works no better)
	ms, _ := f.Desk.Mails(f.Ctx, T)
	for _, m := range ms {
		if m.RequestID == r.ID && m.TokenReplaced {
			if say := model.GoneNote(m).In(locale.For(locale.EN)); !strings.Contains(say, "no longer waits for your answer") {
				t.Errorf("a replaced token of an ended request: %q", say)
			}
		}
	}
	check("another request, open", A, model.MailConfirm, live.ID, false)
	check("another request, open", N2, model.MailConfirm, live.ID, false)

	// e-mail proofs: ended once the change is confirmed; a newer one is not
	if _, err := f.Desk.AskEmailChange(f.Ctx, T, "ted@new.example"); err != nil {
		t.Fatal(err)
	}
	check("proof, pending", T, model.MailEmailConfirm, 0, false)
	if _, err := f.Desk.ConfirmEmail(f.Ctx, T, EmailToken(f, T)); err != nil {
		t.Fatal(err)
	}
	check("proof, confirmed", T, model.MailEmailConfirm, 0, true)
	if _, err := f.Desk.AskEmailChange(f.Ctx, T, "ted@newer.example"); err != nil {
		t.Fatal(err)
	}
	ms, _ = f.Desk.Mails(f.Ctx, T)
	newest := int64(0)
	for _, m := range ms {
		if m.Kind == model.MailEmailConfirm {
			if m.TokenEnded || m.TokenReplaced {
				t.Errorf("the newest proof #%d: ended %v, replaced %v", m.ID, m.TokenEnded, m.TokenReplaced)
			}
			newest = m.ID
			break
		}
	}
	for id, e := range ended(T, model.MailEmailConfirm, 0) {
		if id != newest && !e {
			t.Errorf("the confirmed change's proof #%d, a newer one asked since: not ended", id)
		}
	}

	// a proof whose change expired is ended, though no mail says so
	f.Clock.Advance(31 * 24 * time.Hour)
	check("proof, expired", T, model.MailEmailConfirm, 0, true)
	// and what is said of its token does not call it confirmed or
	// refused (it said "was confirmed or refused since" of every ended
	// proof): it may have expired, in every language
	ms, _ = f.Desk.Mails(f.Ctx, T)
	for _, m := range ms {
		if m.Kind != model.MailEmailConfirm || m.ID != newest {
			continue
		}
		for l, expired := range map[locale.Lang]string{locale.EN: "expired", locale.PT: "expirou", locale.FR: "expiré"} {
			if say := model.GoneNote(m).In(locale.For(l)); !strings.Contains(say, expired) {
				t.Errorf("%s: the token of a change that expired: %q, not %q", l, say, expired)
			}
		}
	}
}

// testSettleExpiries: with nothing written meanwhile, SettleExpiries
// records a request whose validity ran out, and its parties are told by
// mail, once; before, a quiet desk told no one until some write came
// (the app showed the request waiting; its tokens read as live).
func testSettleExpiries(t *testing.T, open Opener) {
	f := New(t, open)
	rs, err := f.Desk.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N), Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	outcomes := func() int { return outcomeMails(f, r.ID, A, T, N) }
	ctx, stop := context.WithCancel(f.Ctx)
	done := make(chan struct{})
	go func() { defer close(done); f.Desk.SettleExpiries(ctx, 5*time.Millisecond) }()
	defer func() { stop(); <-done }()
	time.Sleep(50 * time.Millisecond)
	if n := outcomes(); n != 0 {
		t.Fatalf("%d outcome mails before the request expired", n)
	}
	changes, unsubscribe := f.Desk.Subscribe(N)
	defer unsubscribe()
	f.Clock.Advance(time.Hour)
	select {
	case <-changes:
	case <-time.After(10 * time.Second):
		t.Fatal("the expiry was not recorded")
	}
	if n := outcomes(); n != 3 {
		t.Fatalf("%d outcome mails, want 3", n)
	}
	time.Sleep(50 * time.Millisecond)
	if n := outcomes(); n != 3 {
		t.Fatalf("%d outcome mails after more looks, want 3: once only", n)
	}
}

// outcomeMails counts the mails telling hs how request id ended.
func outcomeMails(f *Fixture, id int64, hs ...model.Handle) int {
	n := 0
	for _, h := range hs {
		ms, _ := f.Desk.Mails(f.Ctx, h)
		for _, m := range ms {
			if m.RequestID == id && m.Kind == model.MailOutcome {
				n++
			}
		}
	}
	return n
}

// testTokenUsedOrExpired: a request's token reads as ended once its
// party has answered (used) though the request waits for others, and
// once the request is past its validity though no write has recorded
// it (no outcome mail yet), in the mailbox and read alone, as the
// request's own state says at once; before, both read as live tokens,
// which mail list counted and its help's jq example picked.
func testTokenUsedOrExpired(t *testing.T, open Opener) {
	f := New(t, open)
	rs, err := f.Desk.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N), Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	live := f.Create(A, Owed, N2, model.Tech)[0]
	tokenEnded := func(h model.Handle, id int64) bool {
		t.Helper()
		_, ended := tokenMarks(f, h, id)
		return ended
	}
	f.Accept(N, r.ID)
	if !tokenEnded(N, r.ID) {
		t.Error("the token of a party that answered reads live")
	}
	if tokenEnded(T, r.ID) || tokenEnded(A, r.ID) {
		t.Error("the token of a party still to answer reads ended")
	}
	f.Clock.Advance(time.Hour) // expired, not recorded: nothing was written
	if outcomeMails(f, r.ID, A, T, N) != 0 {
		t.Fatal("the expiry was recorded by a read")
	}
	if !tokenEnded(T, r.ID) || !tokenEnded(A, r.ID) {
		t.Error("the token of an expired request reads live")
	}
	if tokenEnded(N2, live.ID) {
		t.Error("the token of another request, open, reads ended")
	}
}

// testTokenAnswered: the token of a party that answered a request still
// waiting for others reads answered (and ended, as before), in the
// mailbox and read alone; once the request ends (done, or past its
// validity though no write has recorded it) it reads ended alone, as
// do the tokens of the parties that never answered. Before, the mailbox
// said "ended" of both, and a newcomer who had just accepted read that
// the request was over while it still waited for the other parties.
func testTokenAnswered(t *testing.T, open Opener) {
	f := New(t, open)
	mark := func(h model.Handle, id int64) (answered, ended bool) {
		t.Helper()
		return tokenMarks(f, h, id)
	}
	check := func(when string, h model.Handle, id int64, answered, ended bool) {
		t.Helper()
		if a, e := mark(h, id); a != answered || e != ended {
			t.Errorf("%s: %s's token for #%d: answered %v, ended %v; want answered %v, ended %v", when, h, id, a, e, answered, ended)
		}
	}

	r := f.Create(A, Example, N, model.Tech)[0]
	for _, h := range []model.Handle{A, T, N} {
		check("open", h, r.ID, false, false)
	}
	f.Accept(N, r.ID)
	check("N accepted", N, r.ID, true, true)
	check("N accepted", T, r.ID, false, false)
	check("N accepted", A, r.ID, false, false)
	f.Accept(T, r.ID)
	check("T accepted", N, r.ID, true, true)
	check("T accepted", T, r.ID, true, true)
	check("T accepted", A, r.ID, false, false)
	f.Accept(A, r.ID)
	for _, h := range []model.Handle{A, T, N} {
		check("done", h, r.ID, false, true)
	}
	ms, _ := f.Desk.Mails(f.Ctx, N)
	for _, m := range ms {
		if m.Kind == model.MailConfirm && m.RequestID == r.ID {
			if say := model.GoneNote(m).In(locale.For(locale.EN)); !strings.Contains(say, "no longer waits for your answer") {
				t.Errorf("the token of a request done: %q", say)
			}
		}
	}

	// answered, then past its validity with nothing written: ended
	rs, err := f.Desk.CreateRequest(f.Ctx, A, model.NewRequest{Service: Owed, Roles: []model.Role{model.Tech}, To: string(N2), Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	x := rs[0]
	f.Accept(N2, x.ID)
	check("N2 accepted", N2, x.ID, true, true)
	ms, _ = f.Desk.Mails(f.Ctx, N2)
	for _, m := range ms {
		if m.Kind == model.MailConfirm && m.RequestID == x.ID {
			say := model.GoneNote(m).In(locale.For(locale.EN))
			if !strings.Contains(say, "you answered") || !strings.Contains(say, "other parties") {
				t.Errorf("the token of a party that answered: %q", say)
			}
		}
	}
	f.Clock.Advance(time.Hour)
	if outcomeMails(f, x.ID, A, N2) != 0 {
		t.Fatal("the expiry was recorded by a read")
	}
	check("expired", N2, x.ID, false, true)
	check("expired", A, x.ID, false, true)
}

// tokenMarks reads the marks of h's token mail for request id, in the
// mailbox, and checks that the mail read alone says the same.
func tokenMarks(f *Fixture, h model.Handle, id int64) (answered, ended bool) {
	t := f.T
	t.Helper()
	ms, err := f.Desk.Mails(f.Ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Kind == model.MailConfirm && m.RequestID == id {
			one, err := f.Desk.Mail(f.Ctx, h, m.ID)
			if err != nil || one.TokenAnswered != m.TokenAnswered || one.TokenEnded != m.TokenEnded {
				t.Errorf("mail #%d of %s read alone: answered %v, ended %v, %v; in the mailbox answered %v, ended %v",
					m.ID, h, one.TokenAnswered, one.TokenEnded, err, m.TokenAnswered, m.TokenEnded)
			}
			return m.TokenAnswered, m.TokenEnded
		}
	}
	t.Fatalf("%s has no token mail for #%d", h, id)
	return false, false
}
