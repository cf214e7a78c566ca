package tui_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
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

// TestAnsweredElsewhereSaysSo: the prompt for a token closes by itself
// when the request stops waiting for the user's answer meanwhile (given
// in another session, on the web page or from the command line; or the
// request ended), and the status line says why, and that nothing typed
// in it was sent: the half-typed token does not just vanish.
func TestAnsweredElsewhereSaysSo(t *testing.T) {
	for _, tc := range []struct {
		name string
		act  func(d *model.Desk) error
		want func(a *app) string
	}{
		{"accepted", func(d *model.Desk) error {
			_, err := d.Accept(ctx, demo.Persona, 8, mailedToken(t, d, demo.Persona, 8))
			return err
		}, func(a *app) string {
			return a.T("tui.request.answered_elsewhere", locale.Args{"Done": a.T("tui.request.accepted_by_you", locale.Args{"ID": 8})})
		}},
		{"cancelled", func(d *model.Desk) error {
			_, err := d.Cancel(ctx, demo.Persona, 8)
			return err
		}, func(a *app) string {
			return a.T("tui.request.ended_meanwhile", locale.Args{"ID": 8, "State": model.StateCancelled})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDesk(t)
			a := start(t, d, demo.Persona, 80, 24)
			a.openRequest8()
			a.press("a")
			a.typ("ABCD-12")
			a.waitText("[ABCD-12")
			if err := tc.act(d); err != nil {
				t.Fatal(err)
			}
			s := a.waitText(tc.want(a))
			if strings.Contains(s, "ABCD-12") {
				t.Fatalf("the prompt is still open:\n%s", s)
			}
		})
	}
}

// TestEndedLineSaysItOnce: the history line of a request that ended
// gives the reason beside its action, without the state again ("cancelled
// cancelled: cancelled by xx11111-ovh" before; "cancelado  cancelado:
// cancelado por" in Portuguese, cut across two lines at 80 columns).
func TestEndedLineSaysItOnce(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT, model.LangFR} {
		t.Run(string(lang), func(t *testing.T) {
			d := newDesk(t)
			if _, err := d.SetLang(ctx, demo.Persona, string(lang)); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Cancel(ctx, demo.Persona, 8); err != nil {
				t.Fatal(err)
			}
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.openRequest(8)
			by := a.T("word.reason.cancelled_by", locale.Args{"Handle": demo.Persona})
			s := a.waitText(string(demo.Persona) + "* " + a.T("tui.action.request.cancel"))
			line := lineOf(s, string(demo.Persona)+"* "+a.T("tui.action.request.cancel"))
			if !strings.Contains(line, by) || strings.Count(strings.ToLower(line), strings.ToLower(a.T("tui.action.request.cancel"))) != 2 {
				t.Fatalf("the history line says the state more than once, or not the reason:\n%s", s)
			}
		})
	}
}

// TestHugePasteIsCut: a paste of 50,000 characters into a list's filter
// types only its first part, which the filter takes up to its limit, and
// the session answers the next keys at once. Typed whole, a key at a
// time, each key filtering the list, such a paste kept a core busy for
// minutes, the customer gone or not.
func TestHugePasteIsCut(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.press("/")
	a.tm.Send(tea.PasteMsg{Content: strings.Repeat("q", 50000)})
	none := a.T("tui.services.info", locale.Args{"Shown": 0, "Total": 12, "Role": a.T("tui.services.role_all"), "Sort": a.T("tui.services.sort.name")})
	a.waitText(none, "/qqqq")
	a.press("esc", "/")
	a.typ("xara-shop")
	a.waitText(a.T("tui.services.info", locale.Args{"Shown": 1, "Total": 12, "Role": a.T("tui.services.role_all"), "Sort": a.T("tui.services.sort.name")}), "xara-shop.com")
}
