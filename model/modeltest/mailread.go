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
