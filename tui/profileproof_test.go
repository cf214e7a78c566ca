package tui_test

import (
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model/demo"
)

// TestProfileTokenFill: in the Profile's field for the token of a new
// address, tab fills in the token of the account's newest mail proving
// it (the second address asked: not the first's, replaced), as a
// request's token prompt does with its mail's; the hint and the key line
// say so, and name enter alike ("use the new address", not "send"), and
// the token filled in makes the change. At 80×24, in every language.
func TestProfileTokenFill(t *testing.T) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			if _, err := d.AskEmailChange(ctx, demo.Persona, "xavier.old@padaria-yolanda.pt"); err != nil {
				t.Fatal(err)
			}
			first, _, _ := d.ProofMail(ctx, demo.Persona)
			ch, err := d.AskEmailChange(ctx, demo.Persona, "xavier.xara@padaria-yolanda.pt")
			if err != nil {
				t.Fatal(err)
			}
			proof, ok, err := d.ProofMail(ctx, demo.Persona)
			if err != nil || !ok || proof.Token == "" || proof.Token == first.Token {
				t.Fatalf("the proof mail: %+v %v %v", proof, ok, err)
			}
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.press("4")
			a.waitText(a.T("tui.profile.recent"), ch.Email)
			a.press("c")
			enter := "enter " + a.T("tui.profile.key.use_address")
			tab := "tab " + a.T("tui.profile.key.fill")
			// the key line names the field's three keys, the app's f1 kept
			esc := "esc " + a.T("tui.profile.key.cancel")
			s := a.waitText(a.T("tui.profile.token_placeholder"), enter+" · "+tab+" · "+esc+" · f1 ")
			checkFrame(t, s, 80, 24)
			hint := a.T("tui.profile.hint_token_offered", locale.Args{"Ago": a.l.Ago(now, proof.Date)})
			if !shownWhole(s, hint) {
				t.Fatalf("the field's hint does not say %q:\n%s", hint, s)
			}
			if strings.Contains(lastLines(s, 2), "enter "+a.T("tui.profile.key.save")+" ") {
				t.Fatalf("the key line names enter %q, the hint %q:\n%s", a.T("tui.profile.key.save"), a.T("tui.profile.key.use_address"), s)
			}
			a.press("tab")
			s = a.waitText(proof.Token)
			if strings.Contains(s, first.Token) {
				t.Fatalf("the replaced token is filled in:\n%s", s)
			}
			if !shownWhole(s, a.T("tui.profile.hint_token")) {
				t.Fatalf("the token filled in, the hint still offers it:\n%s", s)
			}
			a.press("enter")
			a.waitText(a.T("tui.profile.changed", locale.Args{"Email": ch.Email}))
			if acc, err := d.Account(ctx, demo.Persona); err != nil || acc.Email != ch.Email {
				t.Fatalf("the address is %q (%v), want %q", acc.Email, err, ch.Email)
			}
		})
	}
}

// TestProfileTokenFillNone: with delivery real, no mail here holds the
// token of the new address: the field offers none (the key line names no
// tab, enter is named as the hint names it), and tab says why in the
// status line, the field left empty and nothing sent. At 80×24, in
// every language.
func TestProfileTokenFillNone(t *testing.T) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			ch, err := d.AskEmailChange(ctx, demo.Persona, "xavier.xara@padaria-yolanda.pt")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.UseRealDelivery(ctx); err != nil {
				t.Fatal(err)
			}
			proof, ok, err := d.ProofMail(ctx, demo.Persona)
			if err != nil || !ok || proof.Token != "" {
				t.Fatalf("the proof mail, delivery real: %+v %v %v", proof, ok, err)
			}
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.press("4")
			a.waitText(a.T("tui.profile.recent"), ch.Email)
			a.press("c")
			enter := "enter " + a.T("tui.profile.key.use_address")
			esc := "esc " + a.T("tui.profile.key.cancel")
			s := a.waitText(a.T("tui.profile.token_placeholder"), enter+" · "+esc+" · f1 ")
			if strings.Contains(s, "tab "+a.T("tui.profile.key.fill")) || !shownWhole(s, a.T("tui.profile.hint_token")) {
				t.Fatalf("no token to fill in, yet the key line or the hint offers one:\n%s", s)
			}
			a.press("tab")
			why := a.T("tui.profile.no_code", locale.Args{"Why": a.T("tui.mail.token_removed")})
			s = a.waitFor("why no token is filled in", func(s string) bool { return shownWhole(s, why) })
			if !strings.Contains(s, a.T("tui.profile.token_placeholder")) {
				t.Fatalf("tab left the field, or filled it:\n%s", s)
			}
			if acc, _ := d.Account(ctx, demo.Persona); acc.Email == ch.Email {
				t.Fatal("tab changed the address")
			}
		})
	}
}
