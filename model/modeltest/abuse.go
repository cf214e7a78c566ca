package modeltest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
)

// What one account can learn of another, or cause to be sent, through
// the rules: debts stay private, mails are bounded, history names people
// and not their addresses.

func testDebtPrivacy(t *testing.T, open Opener) {
	f := New(t, open)
	// O owes 10.00. Asking to move billing to or from O names O, never the amount.
	_, err := f.Desk.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Billing}, To: string(O)})
	IsKind(t, err, model.ErrNotUpToDate, "billing to an account that owes")
	if !strings.Contains(err.Error(), string(O)) || strings.Contains(err.Error(), "10.00") || strings.Contains(err.Error(), "owed") {
		t.Errorf("the refusal %q must name %s and not what it owes", err, O)
	}
	// N falls behind while a billing change to N waits: the apply-time
	// refusal, its outcome mails and the history keep the amount private.
	r := f.Create(A, Example, N, model.Billing)[0]
	f.Accept(A, r.ID)
	f.Accept(B, r.ID)
	if _, err := f.Desk.SetStanding(f.Ctx, N, 4250); err != nil {
		t.Fatal(err)
	}
	got := f.Accept(N, r.ID)
	if got.State != model.StateRefused || !strings.Contains(got.Reason, string(N)) || strings.Contains(got.Reason, "42.50") {
		t.Fatalf("ended %s: %q", got.State, got.Reason)
	}
	for _, h := range []model.Handle{A, B, N} {
		ms, err := f.Desk.Mails(f.Ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if strings.Contains(m.Subject+m.Body, "42.50") || strings.Contains(m.Subject+m.Body, "4250") {
				t.Errorf("%s's mail %q tells what %s owes:\n%s", h, m.Subject, N, m.Body)
			}
		}
		hs, err := f.Desk.History(f.Ctx, h, model.HistoryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range hs {
			if strings.Contains(e.Detail, "42.50") || strings.Contains(e.Detail, "10.00") {
				t.Errorf("%s's history tells an amount: %+v", h, e)
			}
		}
	}
	// The account itself still knows what it owes.
	a, err := f.Desk.Account(f.Ctx, N)
	if err != nil || a.Owes != 4250 {
		t.Fatalf("N's own account: %+v, %v", a, err)
	}
}

func testResendLimit(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	for i := range model.MaxResends {
		if _, err := f.Desk.Resend(f.Ctx, N, r.ID); err != nil {
			t.Fatalf("resend %d: %v", i+1, err)
		}
		f.Clock.Advance(time.Minute)
	}
	token := f.Token(N, r.ID)
	before := f.Snap()
	_, err := f.Desk.Resend(f.Ctx, N, r.ID)
	IsKind(t, err, model.ErrMailLimit, "one resend too many")
	// The first resend was at 09:00, so the next is allowed at 10:00.
	if !strings.Contains(err.Error(), "10:00 UTC") || model.FieldOf(err) != "request" {
		t.Errorf("the refusal %q (field %q) should say when the next resend is allowed", err, model.FieldOf(err))
	}
	f.Same(before, "a refused resend")
	// N's resends do not limit the other parties.
	if _, err := f.Desk.Resend(f.Ctx, T, r.ID); err != nil {
		t.Fatalf("another party's resend: %v", err)
	}
	// The first resend was at Start: an hour later it leaves the window.
	f.Clock.Advance(Start.Add(model.ResendWindow).Sub(f.Clock.Now()))
	if _, err := f.Desk.Resend(f.Ctx, N, r.ID); err != nil {
		t.Fatalf("a resend an hour after the first: %v", err)
	}
	if f.Token(N, r.ID) == token {
		t.Fatal("the resend an hour later issued no fresh token")
	}
	f.Accept(N, r.ID)
}

func testHistoryAddresses(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	if _, err := f.Desk.Resend(f.Ctx, N, r.ID); err != nil {
		t.Fatal(err)
	}
	// B holds a role on example.com and reads its history, but is no
	// party to the request: it learns who did what, not N's address.
	for _, filter := range []model.HistoryFilter{{}, {Service: Example}} {
		hs, err := f.Desk.History(f.Ctx, B, filter)
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) == 0 {
			t.Fatal("B sees no history of example.com")
		}
		for _, e := range hs {
			if strings.Contains(e.Detail, "@") {
				t.Errorf("B reads an address in the history: %+v", e)
			}
		}
	}
}

func testEmailAbuse(t *testing.T, open Opener) {
	t.Run("a newer change retires the older token", func(t *testing.T) {
		f := New(t, open)
		if _, err := f.Desk.AskEmailChange(f.Ctx, T, "first@new.example"); err != nil {
			t.Fatal(err)
		}
		first := EmailToken(f, T)
		if _, err := f.Desk.AskEmailChange(f.Ctx, T, "second@new.example"); err != nil {
			t.Fatal(err)
		}
		_, err := f.Desk.ConfirmEmail(f.Ctx, T, first)
		IsKind(t, err, model.ErrTokenReplaced, "the first change's token")
		if a, err := f.Desk.ConfirmEmail(f.Ctx, T, EmailToken(f, T)); err != nil || a.Email != "second@new.example" {
			t.Fatalf("%+v %v", a, err)
		}
	})
	t.Run("wrong tokens are throttled", func(t *testing.T) {
		f := New(t, open)
		if _, err := f.Desk.AskEmailChange(f.Ctx, T, "ted@new.example"); err != nil {
			t.Fatal(err)
		}
		for i := range model.MaxTokenFailures {
			_, err := f.Desk.ConfirmEmail(f.Ctx, T, fmt.Sprintf("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAA%d", i))
			IsKind(t, err, model.ErrWrongToken, "a wrong token")
		}
		_, err := f.Desk.ConfirmEmail(f.Ctx, T, EmailToken(f, T))
		IsKind(t, err, model.ErrThrottled, "the right token during the pause")
		if a, _ := f.Desk.Account(f.Ctx, T); a.Email == "ted@new.example" {
			t.Fatal("the address changed during the pause")
		}
		f.Clock.Advance(model.TokenLockout)
		if _, err := f.Desk.ConfirmEmail(f.Ctx, T, EmailToken(f, T)); err != nil {
			t.Fatalf("after the pause: %v", err)
		}
	})
	t.Run("three changes an hour", func(t *testing.T) {
		f := New(t, open)
		for i := range model.MaxEmailChanges {
			if _, err := f.Desk.AskEmailChange(f.Ctx, T, fmt.Sprintf("ted%d@new.example", i)); err != nil {
				t.Fatal(err)
			}
		}
		before := f.Snap()
		_, err := f.Desk.AskEmailChange(f.Ctx, T, "victim@elsewhere.example")
		IsKind(t, err, model.ErrMailLimit, "a fourth change in the hour")
		if !strings.Contains(err.Error(), "10:00 UTC") {
			t.Errorf("the refusal %q should say when", err)
		}
		f.Same(before, "a fourth change in the hour")
		f.Clock.Advance(model.ResendWindow)
		if _, err := f.Desk.AskEmailChange(f.Ctx, T, "ted@new.example"); err != nil {
			t.Fatalf("an hour later: %v", err)
		}
	})
	t.Run("an expired change can't be confirmed", func(t *testing.T) {
		f := New(t, open)
		c, err := f.Desk.AskEmailChange(f.Ctx, T, "ted@new.example")
		if err != nil {
			t.Fatal(err)
		}
		f.Clock.Advance(c.Expires.Sub(f.Clock.Now()))
		_, err = f.Desk.ConfirmEmail(f.Ctx, T, EmailToken(f, T))
		// refused, saying that it expired, as its link does
		IsKind(t, err, model.ErrEnded, "an expired change")
		if _, ok, _ := f.Desk.PendingEmail(f.Ctx, T); ok {
			t.Error("an expired change still shows as pending")
		}
	})
}

func testRequestLimit(t *testing.T, open Opener) {
	f := New(t, open)
	// A loop of requests and cancellations aimed at N's inbox.
	for i := range model.MaxRequestsPerHour {
		r := f.Create(A, Example, N, model.Tech)[0]
		if _, err := f.Desk.Cancel(f.Ctx, A, r.ID); err != nil {
			t.Fatalf("cancel %d: %v", i, err)
		}
	}
	before := f.Snap()
	_, err := f.Desk.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N)})
	IsKind(t, err, model.ErrMailLimit, "one request too many in the hour")
	if !strings.Contains(err.Error(), "10:00 UTC") {
		t.Errorf("the refusal %q should say when", err)
	}
	f.Same(before, "one request too many in the hour")
	// Others are not limited by A's requests.
	f.Create(T, Example, N2, model.Tech)
	f.Clock.Advance(time.Hour)
	f.Create(A, Multi, N, model.Tech)
}

// testNamedAmiss: an account that keeps naming new contacts that don't
// exist or owe money (each refusal says so, as the rules require) is,
// past MaxNamedAmiss in the hour, told nothing more of any handle until
// one is refilled, and nothing is stored; the others are not limited.
func testNamedAmiss(t *testing.T, open Opener) {
	f := New(t, open)
	for i := range model.MaxNamedAmiss {
		to, kind := "zz99999-ovh", model.ErrUnknownAccount
		if i%2 == 1 {
			to, kind = string(O), model.ErrNotUpToDate // exists, and owes
		}
		_, err := f.Desk.Plan(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Billing}, To: to})
		IsKind(t, err, kind, "naming "+to)
	}
	before := f.Snap()
	for _, to := range []model.Handle{"zz99999-ovh", N} {
		_, err := f.Desk.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(to)})
		IsKind(t, err, model.ErrMailLimit, "naming one more")
		if !strings.Contains(err.Error(), "checks no more for you until 09:02 UTC") {
			t.Errorf("the refusal %q should say until when", err)
		}
		if strings.Contains(err.Error(), string(to)) {
			t.Errorf("the refusal %q tells of %s", err, to)
		}
	}
	f.Same(before, "naming one more")
	// Others are not limited by A's tries.
	f.Create(T, Example, N2, model.Tech)
	// Two minutes give one more.
	f.Clock.Advance(2 * time.Minute)
	f.Create(A, Multi, N, model.Tech)
}

// testAwaiting: the count of requests waiting for an account's answer
// matches the requests it lists as such.
func testAwaiting(t *testing.T, open Opener) {
	f := New(t, open)
	count := func(h model.Handle) int {
		n, err := f.Desk.Awaiting(f.Ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		rs, _ := f.Desk.Requests(f.Ctx, h)
		listed := 0
		for _, r := range rs {
			if r.AwaitingMe(h) {
				listed++
			}
		}
		if n != listed {
			t.Fatalf("%s: Awaiting says %d, the list shows %d", h, n, listed)
		}
		return n
	}
	r := f.Create(A, Example, N, model.Tech)[0]
	f.Create(A, Multi, N, model.Tech)
	if count(N) != 2 || count(A) != 2 || count(X) != 0 {
		t.Fatal("after two requests")
	}
	f.Accept(N, r.ID)
	if count(N) != 1 || count(T) != 1 {
		t.Fatal("after an answer")
	}
	f.Clock.Advance(model.DefaultValidity)
	if count(N) != 0 || count(A) != 0 {
		t.Fatal("after the expiry")
	}
}
