package modeltest

import (
	"strings"
	"testing"
	"time"

	"contactdesk/model"
)

// testEmailLink: the mail that proves a new address links to its web
// page (with a public URL); the link's token opens the change without
// changing anything, and the change can be refused as well as confirmed.
func testEmailLink(t *testing.T, open Opener) {
	f := New(t, open)
	old := string(T) + "@mail.example"
	f.Set(model.SettingPublicURL, "https://desk.example.net")
	c, err := f.Desk.AskEmailChange(f.Ctx, T, "ted@new.example")
	if err != nil {
		t.Fatal(err)
	}
	token := EmailToken(f, T)
	m := f.newestMail(f.Desk, T)
	want := "https://desk.example.net/email/" + itoa(c.ID) + "?token=" + token
	if m.Kind != model.MailEmailConfirm || m.Link != want || !strings.Contains(m.Body, want) {
		t.Fatalf("link %q, want %q; body:\n%s", m.Link, want, m.Body)
	}

	// Opening the link reads only; a wrong token, or one of no change,
	// is the same refusal, and is counted nowhere.
	before := f.Snap()
	el, err := f.Desk.FindEmailChange(f.Ctx, c.ID, token)
	if err != nil || el.Closed != nil || el.Change.Handle != T || el.Change.Email != "ted@new.example" || el.Change.State != model.EmailPending {
		t.Fatalf("FindEmailChange: %+v %v", el, err)
	}
	if el.Change.Hash != (model.TokenHash{}) {
		t.Error("FindEmailChange returns the token's hash")
	}
	_, err = f.Desk.FindEmailChange(f.Ctx, c.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	IsKind(t, err, model.ErrWrongToken, "another token")
	_, err = f.Desk.FindEmailChange(f.Ctx, c.ID+1000, token)
	IsKind(t, err, model.ErrWrongToken, "a change that does not exist")
	_, err = f.Desk.FindEmailChange(f.Ctx, c.ID, "not a token")
	IsKind(t, err, model.ErrWrongToken, "not a token")
	f.Same(before, "opening the link")

	// A wrong token refuses nothing; the right one refuses the change.
	before = f.Snap()
	_, err = f.Desk.RefuseEmail(f.Ctx, T, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	IsKind(t, err, model.ErrWrongToken, "refusing with a wrong token")
	f.Same(before, "refusing with a wrong token")
	a, err := f.Desk.RefuseEmail(f.Ctx, T, token)
	if err != nil || a.Email != old {
		t.Fatalf("refuse: %+v %v", a, err)
	}
	if got, _ := f.Desk.Account(f.Ctx, T); got.Email != old {
		t.Errorf("a refused change moved the address to %q", got.Email)
	}
	if _, ok, _ := f.Desk.PendingEmail(f.Ctx, T); ok {
		t.Error("the change is still pending after its refusal")
	}
	if told := f.newestMail(f.Desk, T); told.Kind != model.MailEmailChanged || told.Address != old || !strings.Contains(told.Body, "refused") || told.Token != "" {
		t.Errorf("the account was not told at its address: %+v", told)
	}
	el, err = f.Desk.FindEmailChange(f.Ctx, c.ID, token)
	if err != nil || el.Change.State != model.EmailRefused {
		t.Fatalf("after the refusal: %+v %v", el, err)
	}
	IsKind(t, el.Closed, model.ErrAlreadyAnswered, "the link of a refused change")
	// With no change waiting, the token still says what became of its
	// own, as its link does, and costs no try.
	before = f.Snap()
	_, err = f.Desk.ConfirmEmail(f.Ctx, T, token)
	IsKind(t, err, model.ErrAlreadyAnswered, "confirming a refused change")
	if err == nil || err.Error() != el.Closed.Error() {
		t.Errorf("confirming a refused change: %v, where its link says %v", err, el.Closed)
	}
	_, err = f.Desk.ConfirmEmail(f.Ctx, T, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	IsKind(t, err, model.ErrNotFound, "a token of no change, with none waiting")
	f.Same(before, "tokens with no change waiting")
	hs, _ := f.Desk.History(f.Ctx, T, model.HistoryFilter{})
	if hs[0].Action != model.ActEmailRefuse || hs[0].Actor != T {
		t.Errorf("history %+v", hs[0])
	}

	// A change asked for again replaces the first: its link says so.
	first, err := f.Desk.AskEmailChange(f.Ctx, T, "ted@first.example")
	if err != nil {
		t.Fatal(err)
	}
	firstToken := EmailToken(f, T)
	second, err := f.Desk.AskEmailChange(f.Ctx, T, "ted@second.example")
	if err != nil {
		t.Fatal(err)
	}
	secondToken := EmailToken(f, T)
	el, err = f.Desk.FindEmailChange(f.Ctx, first.ID, firstToken)
	if err != nil {
		t.Fatal(err)
	}
	IsKind(t, el.Closed, model.ErrTokenReplaced, "the link of a replaced change")
	// Confirmed: the link says it is done.
	if _, err := f.Desk.ConfirmEmail(f.Ctx, T, secondToken); err != nil {
		t.Fatal(err)
	}
	el, _ = f.Desk.FindEmailChange(f.Ctx, second.ID, secondToken)
	IsKind(t, el.Closed, model.ErrTokenUsed, "the link of a confirmed change")
	_, err = f.Desk.RefuseEmail(f.Ctx, T, secondToken)
	IsKind(t, err, model.ErrTokenUsed, "refusing a confirmed change")
	_, err = f.Desk.ConfirmEmail(f.Ctx, T, firstToken)
	IsKind(t, err, model.ErrTokenReplaced, "confirming a replaced change, with none waiting")
	if err == nil || !strings.Contains(err.Error(), "a newer change of address has been asked for") {
		t.Errorf("confirming a replaced change, with none waiting: %v", err)
	}

	// Expired: the link says when, and nothing changes. (Three changes
	// an hour: this one is asked for an hour later.)
	f.Clock.Advance(time.Hour)
	third, err := f.Desk.AskEmailChange(f.Ctx, T, "ted@third.example")
	if err != nil {
		t.Fatal(err)
	}
	thirdToken := EmailToken(f, T)
	f.Clock.Advance(third.Expires.Sub(f.Clock.Now()) + time.Minute)
	el, _ = f.Desk.FindEmailChange(f.Ctx, third.ID, thirdToken)
	IsKind(t, el.Closed, model.ErrEnded, "the link of an expired change")
	_, err = f.Desk.RefuseEmail(f.Ctx, T, thirdToken)
	IsKind(t, err, model.ErrEnded, "refusing an expired change")
	if err == nil || !strings.Contains(err.Error(), "expired on") {
		t.Errorf("refusing an expired change: %v", err)
	}

	// The account's own list, newest first, as each reads now; nobody
	// else's.
	cs, err := f.Desk.EmailChanges(f.Ctx, T)
	if err != nil || len(cs) != 4 {
		t.Fatalf("EmailChanges: %d %v", len(cs), err)
	}
	var states []string
	for _, c := range cs {
		states = append(states, c.StateAt(f.Clock.Now()))
		if c.Hash != (model.TokenHash{}) {
			t.Error("EmailChanges returns the hashes")
		}
	}
	if strings.Join(states, " ") != "expired confirmed replaced refused" || cs[0].ID != third.ID {
		t.Errorf("states %v", states)
	}
	if el, err := f.Desk.EmailChangeOf(f.Ctx, T, second.ID); err != nil || el.Change.Email != "ted@second.example" {
		t.Errorf("EmailChangeOf: %+v %v", el, err)
	} else {
		IsKind(t, el.Closed, model.ErrTokenUsed, "EmailChangeOf a confirmed change")
	}
	_, err = f.Desk.EmailChangeOf(f.Ctx, N, second.ID)
	IsKind(t, err, model.ErrNotFound, "another account's change")
	if cs, _ := f.Desk.EmailChanges(f.Ctx, N); len(cs) != 0 {
		t.Errorf("N sees %d changes of address", len(cs))
	}
}
