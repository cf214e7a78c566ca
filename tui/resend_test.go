package tui_test

import (
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model/demo"
)

// openMail8 opens request #8 from the persona's mail asking to confirm
// it: o fills the mail's token in.
func (a *app) openMail8() string {
	a.t.Helper()
	a.waitFor("the frame", a.loaded)
	a.press("3")
	a.waitText(a.confirm8())
	a.press("enter")
	a.waitText(a.T("tui.mail.label.token"))
	a.press("o")
	return a.waitText(a.T("tui.request.title", locale.Args{"ID": 8}), a.T("tui.request.filled_in"))
}

// TestResendDropsTheFilledToken: the request opened from its mail has
// that mail's token filled in; e mails a fresh one, and the old one no
// longer works. The page then offers the new mail's token, not the old
// one: the prompt is empty, its hint names the mail of now, tab fills
// the new token in, and enter accepts with it.
func TestResendDropsTheFilledToken(t *testing.T) {
	d := newDesk(t)
	old := mailedToken(t, d, demo.Persona, 8)
	a := start(t, d, demo.Persona, 80, 24)
	a.openMail8()
	a.press("e")
	fresh := a.T("tui.request.offered", locale.Args{"Ago": a.l.Ago(now, now)})
	a.waitText(fresh)
	tok := mailedToken(t, d, demo.Persona, 8)
	if tok == old {
		t.Fatal("the resend mailed the same token")
	}
	a.press("a")
	s := a.waitText(head(a.T("tui.request.hint.accept_offered", locale.Args{"Ago": a.l.Ago(now, now)})))
	if strings.Contains(s, old[:14]) {
		t.Fatalf("the replaced token is still filled in:\n%s", s)
	}
	a.press("tab")
	a.waitText("[" + tok[:20])
	a.press("enter")
	a.waitText(a.T("tui.request.accepted_by_you", locale.Args{"ID": 8}))
}

// TestResendElsewhereDropsTheFilledToken: a resend from another session
// of the account, which the page hears of, replaces the token filled in
// as well; a token typed by hand that no mail held is kept.
func TestResendElsewhereDropsTheFilledToken(t *testing.T) {
	d := newDesk(t)
	old := mailedToken(t, d, demo.Persona, 8)
	a := start(t, d, demo.Persona, 80, 24)
	a.openMail8()
	if _, err := d.Resend(ctx, demo.Persona, 8); err != nil {
		t.Fatal(err)
	}
	a.waitText(a.T("tui.request.offered", locale.Args{"Ago": a.l.Ago(now, now)}))
	tok := mailedToken(t, d, demo.Persona, 8)
	a.press("a")
	s := a.waitText(head(a.T("tui.request.hint.accept_offered", locale.Args{"Ago": a.l.Ago(now, now)})))
	if strings.Contains(s, old[:14]) {
		t.Fatalf("the replaced token is still filled in:\n%s", s)
	}
	// typed by hand, a token is the user's: a resend keeps it
	typed := "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345"
	a.typ(typed)
	a.waitText("[" + typed[:20])
	a.press("esc", "e")
	a.waitText(a.T("tui.request.resent", locale.Args{"ID": 8, "Address": "xavier@xara.pt"})[:30])
	if newer := mailedToken(t, d, demo.Persona, 8); newer == tok {
		t.Fatal("the second resend mailed the same token")
	}
	a.press("a")
	a.waitText("[" + typed[:20])
}
