package tui_test

import (
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
)

// TestAddressTypedBeforeTheProfileIsReadIsSent: e, ctrl+u, a new
// address and enter, typed in one go on the Profile tab before it has
// been read, ask for that address once it has, as they would had the
// user waited: the address's @ and digits are the field's, not the
// app's keys (@ opened the account picker, which took the rest, and
// the change was never asked for).
func TestAddressTypedBeforeTheProfileIsReadIsSent(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, true, "PendingEmailChange")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitText("Services  12 of 12")
	a.press("4")
	a.waitText(a.T("tui.profile.title"), a.T("tui.loading"))
	a.press("e", "ctrl+u")
	a.typ("new1@example.com")
	a.press("enter")
	a.waitText(a.T("tui.profile.title"), a.T("tui.loading"))
	d.release()
	a.waitText(strings.SplitN(a.T("tui.profile.token_sent", locale.Args{"Email": "new1@example.com"}), ":", 2)[0])
	c, ok, err := base.PendingEmail(ctx, demo.Persona)
	if err != nil || !ok || c.Email != "new1@example.com" {
		t.Fatalf("the address typed ahead was not asked for: %+v %v %v", c, ok, err)
	}
	s := a.screen()
	if strings.Contains(s, a.T("tui.picker.title")) {
		t.Fatalf("the picker opened:\n%s", s)
	}
}

// TestKeyTypedWhileTheAddressIsSentCounts: l typed while the new
// address is being sent opens the choice of language once the desk has
// answered, as it would had the user waited, instead of being dropped.
func TestKeyTypedWhileTheAddressIsSentCounts(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, false, "PendingEmailChange", "writes")
	a := sendAddressThenL(t, d)
	a.waitText(strings.SplitN(a.T("tui.profile.token_sent", locale.Args{"Email": "new1@example.com"}), ":", 2)[0])
	a.waitText(a.T("tui.profile.hint_lang"))
}

// TestTokenFilledInBeforeTheRequestIsReadAccepts: enter on a request,
// then a, tab and enter, typed in one go before the request has been
// read, accept it once it has, tab filling in the token of its mail, as
// it would had the user waited: tab is the prompt's, not the app's key
// to the next tab (which closed the request, the rest lost; a token's
// digits 1 to 4 did the same).
func TestTokenFilledInBeforeTheRequestIsReadAccepts(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, false, "Request")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.press("2")
	a.waitText("My requests", "#8")
	d.arm()
	a.press("enter")
	a.waitText("Request #8", a.T("tui.loading"))
	a.press("a", "tab", "enter")
	a.waitText("Request #8", a.T("tui.loading"))
	d.release()
	a.waitText("you accepted request #8; still waiting for gh13579-ovh")
	wantAccepted8(t, base, "the keys typed ahead were lost")
}

// TestProfileKeyLineFitsWithAChangeWaiting: at 80 columns, with a
// change of address waiting for its token, the Profile's key line names
// c, l and the keys that scroll the recent activity in each language:
// c's words ("enter the token for the new address") pushed the others
// off the line.
func TestProfileKeyLineFitsWithAChangeWaiting(t *testing.T) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			if _, err := d.AskEmailChange(ctx, demo.Persona, "new1@example.com"); err != nil {
				t.Fatal(err)
			}
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.press("4")
			// the activity read: its entries name the persona, starred
			s := a.waitText(a.T("tui.profile.title"), "new1@example.com", a.T("tui.profile.recent"), "xx11111-ovh*")
			line := strings.Split(lastLines(s, 2), "\n")[0]
			for _, want := range []string{"c " + a.T("tui.profile.key.confirm"), "l " + a.T("tui.profile.key.lang"), "↑/↓ " + a.T("tui.profile.key.scroll")} {
				if !strings.Contains(line, want) {
					t.Errorf("the key line does not name %q:\n%s", want, line)
				}
			}
		})
	}
}

// openRequest8Held opens request #8 at 80×24 from the Requests tab, on
// a desk (over base) whose request reads and writes can be held (arm).
func openRequest8Held(t *testing.T) (base *model.Desk, d *heldDesk, a *app) {
	t.Helper()
	base = newDesk(t)
	d = newHeldDesk(t, base, false, "Request", "writes")
	a = start(t, d.Desk, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.press("2")
	a.waitText("My requests", "#8")
	a.press("enter")
	a.waitText("Request #8", a.T("tui.request.parties"))
	return base, d, a
}

// TestEscTypedWhileTheAnswerIsSentCounts: a, tab, enter and esc typed
// in one go on a request accept it, then go back to the list once the
// desk has answered, as they would had the user waited: the esc typed
// while the answer was on its way was dropped.
func TestEscTypedWhileTheAnswerIsSentCounts(t *testing.T) {
	base, d, a := openRequest8Held(t)
	d.arm()
	a.press("a", "tab", "enter", "esc")
	d.release()
	a.waitFor("the list, #8 accepted", func(s string) bool {
		return strings.Contains(s, "My requests") && !strings.Contains(s, "Request #8")
	})
	wantAccepted8(t, base, "#8 was not accepted")
}

// TestRefusalStaysInViewOfKeysTypedAhead: a wrong token, enter and x
// typed in one go on a request: the desk refuses the token, and the
// refusal stays beside it, the x (meant for what follows a success) not
// typed into the field, which would have wiped the refusal away, the
// status line saying to see the field where no refusal was.
func TestRefusalStaysInViewOfKeysTypedAhead(t *testing.T) {
	_, d, a := openRequest8Held(t)
	a.press("a")
	a.typ("0000-0000-0000-0000-0000-0000-0000")
	d.arm()
	a.press("enter", "x")
	d.release()
	s := a.waitText(a.T("tui.request.not_recorded"))
	if !strings.Contains(s, "! ") || strings.Contains(s, "0000x") {
		t.Fatalf("the refusal is not in view, or the x went into the field:\n%s", s)
	}
}

// TestAddressRefusalStaysInView: e, a new address, enter and l typed in
// one go when the desk refuses the address (asked too often): the field
// stays open with its refusal, the l not typed after the address.
func TestAddressRefusalStaysInView(t *testing.T) {
	base := newDesk(t)
	for _, e := range []string{"a1@example.com", "a2@example.com", "a3@example.com"} {
		if _, err := base.AskEmailChange(ctx, demo.Persona, e); err != nil {
			t.Fatal(err)
		}
	}
	// The limit's refusal comes from the write's first read: held
	// there, it can't answer before the l is typed (which, typed after
	// the refusal is shown, rightly goes into the field).
	d := newHeldDesk(t, base, false, "PendingEmailChange", "RecentEmailChanges", "writes")
	a := sendAddressThenL(t, d)
	s := a.waitText(a.T("tui.profile.not_sent"))
	if !strings.Contains(s, "! ") || !strings.Contains(s, "[new1@example.com ") {
		t.Fatalf("the refusal is not in view, or the l went into the field:\n%s", s)
	}
}

// wantAccepted8 fails the test, saying what went wrong, unless the
// persona has accepted request #8 in base.
func wantAccepted8(t *testing.T, base *model.Desk, wrong string) {
	t.Helper()
	r, err := base.Request(ctx, demo.Persona, 8)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := r.Party(demo.Persona); p.Answer != model.AnswerAccepted {
		t.Fatalf("%s: the answer is %s", wrong, p.Answer)
	}
}

// sendAddressThenL opens the persona's Profile on d, then, d holding
// its reads, asks for new1@example.com and types l while it is sent,
// and lets d answer.
func sendAddressThenL(t *testing.T, d *heldDesk) *app {
	t.Helper()
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.press("4")
	a.waitText(a.T("tui.profile.title"), a.T("tui.profile.email_key"))
	d.arm()
	a.press("e", "ctrl+u")
	a.typ("new1@example.com")
	a.press("enter", "l")
	d.release()
	return a
}
