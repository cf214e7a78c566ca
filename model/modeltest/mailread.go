package modeltest

import (
	"reflect"
	"testing"

	"contactdesk/model"
)

// testOneMail: Mail reads one of the reader's mails, and TokenMail the
// newest mail asking the reader to confirm a request, each as Mails
// shows it (the token withheld once delivery is real); another
// account's mail is not found, and a request the reader was never asked
// about has no such mail.
func testOneMail(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	if _, err := f.Desk.Resend(f.Ctx, N, r.ID); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		ms, err := f.Desk.Mails(f.Ctx, N)
		if err != nil {
			t.Fatal(err)
		}
		var newest *model.Mail // the newest confirmation mail of #r
		for i := range ms {
			if ms[i].RequestID == r.ID && ms[i].Kind == model.MailConfirm {
				newest = &ms[i]
				break
			}
		}
		if newest == nil {
			t.Fatalf("%s: N has no confirmation mail", when)
		}
		got, ok, err := f.Desk.TokenMail(f.Ctx, N, r.ID)
		if err != nil || !ok || !reflect.DeepEqual(got, *newest) {
			t.Errorf("%s: TokenMail = %+v, %v, %v; want the resent mail %+v", when, got, ok, err, *newest)
		}
		for _, m := range ms {
			one, err := f.Desk.Mail(f.Ctx, N, m.ID)
			if err != nil || !reflect.DeepEqual(one, m) {
				t.Errorf("%s: Mail(%d) = %+v, %v; Mails shows %+v", when, m.ID, one, err, m)
			}
		}
		_, err = f.Desk.Mail(f.Ctx, X, newest.ID)
		IsKind(t, err, model.ErrNotFound, when+": another account's mail")
		_, err = f.Desk.Mail(f.Ctx, N, 1<<40)
		IsKind(t, err, model.ErrNotFound, when+": a mail that does not exist")
		if _, ok, err := f.Desk.TokenMail(f.Ctx, X, r.ID); ok || err != nil {
			t.Errorf("%s: TokenMail of an account never asked: %v, %v", when, ok, err)
		}
	}
	check("simulated delivery")
	if m, _, _ := f.Desk.TokenMail(f.Ctx, N, r.ID); m.Token == "" || m.Token == f.tokenOfFirstMail(r.ID) {
		t.Errorf("TokenMail does not offer the resent token: %q", m.Token)
	}
	f.Set(model.SettingMailDelivery, model.DeliverySMTP)
	check("real delivery")
	// Its token was never mailed: removed when real delivery began.
	if m, _, _ := f.Desk.TokenMail(f.Ctx, N, r.ID); m.Token != "" || !m.TokenRemoved || m.TokenWithheld {
		t.Errorf("with real delivery TokenMail shows a token: %+v", m)
	}
}

// tokenOfFirstMail is the token of N's oldest confirmation mail for
// request id.
func (f *Fixture) tokenOfFirstMail(id int64) string {
	f.T.Helper()
	ms, err := f.Desk.Mails(f.Ctx, N)
	if err != nil {
		f.T.Fatal(err)
	}
	tok := ""
	for _, m := range ms { // newest first
		if m.RequestID == id && m.Kind == model.MailConfirm {
			tok = m.Token
		}
	}
	return tok
}

// testProofMail: ProofMail offers the token of the account's own newest
// proof of its new address, the one that works, while a change waits
// for it: none before a change is asked, the newer mail's once another
// address is asked, none to another account, none once the change is
// made, and, delivery real, the mail without its token.
func testProofMail(t *testing.T, open Opener) {
	f := New(t, open)
	none := func(h model.Handle, when string) {
		t.Helper()
		if m, ok, err := f.Desk.ProofMail(f.Ctx, h); ok || err != nil {
			t.Errorf("%s: ProofMail(%s) = %+v, %v, %v; want none", when, h, m, ok, err)
		}
	}
	none(N, "no change asked")
	proof := func(email, when string) model.Mail {
		t.Helper()
		if _, err := f.Desk.AskEmailChange(f.Ctx, N, email); err != nil {
			t.Fatal(err)
		}
		m, ok, err := f.Desk.ProofMail(f.Ctx, N)
		if err != nil || !ok || m.Kind != model.MailEmailConfirm || m.Address != email || m.To != N {
			t.Fatalf("%s: ProofMail = %+v, %v, %v; want N's proof mailed to %s", when, m, ok, err, email)
		}
		return m
	}
	first := proof("first@example.org", "a change asked")
	second := proof("second@example.org", "another address asked")
	if second.Token == "" || second.Token == first.Token || second.TokenGone() {
		t.Fatalf("the newer change's proof offers %q (the older's: %q)", second.Token, first.Token)
	}
	none(X, "another account")
	if _, err := f.Desk.ConfirmEmail(f.Ctx, N, second.Token); err != nil {
		t.Fatalf("the token offered does not work: %v", err)
	}
	none(N, "the change made")
	proof("third@example.org", "a third change asked")
	f.Set(model.SettingMailDelivery, model.DeliverySMTP)
	if m, ok, err := f.Desk.ProofMail(f.Ctx, N); err != nil || !ok || m.Token != "" {
		t.Errorf("real delivery: ProofMail = %+v, %v, %v; want the mail, without its token", m, ok, err)
	}
}
