package tui_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
)

// openOwner opens the owner details of xara.pt, which the persona
// administers, from the Services tab, in the app's language.
func (a *app) openOwner() string {
	a.t.Helper()
	a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
	a.typ("/xara.pt")
	a.press("enter", "G")
	a.waitFor("xara.pt selected", func(s string) bool { return strings.Contains(lineOf(s, ">"), " xara.pt") })
	a.press("o")
	return a.waitText(a.T("tui.owner.title"), "Rua das Flores")
}

// saveOwner saves the owner details form (ctrl+s), waits for it to say
// they were saved, and returns xara.pt's owner details as then stored.
func (a *app) saveOwner(d *model.Desk) model.Owner {
	a.t.Helper()
	a.press("ctrl+s")
	a.waitText(a.T("tui.owner.saved", locale.Args{"Service": "xara.pt"}))
	s, err := d.Owner(ctx, demo.Persona, "xara.pt")
	if err != nil {
		a.t.Fatal(err)
	}
	return *s.Owner
}

// TestOwnerFormAsksBeforeDroppingEdits: esc on the owner details with
// something changed asks first, as Edit contacts does; n (or esc) keeps
// the form and what was typed, y leaves without saving. Nothing
// changed, esc leaves at once.
func TestOwnerFormAsksBeforeDroppingEdits(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	a.openOwner()
	a.press("esc") // nothing changed: gone at once
	a.waitGone(a.T("tui.owner.title"))
	a.press("o")
	a.waitText(a.T("tui.owner.title"), "Rua das Flores")
	a.press("tab", "tab", "ctrl+u") // the phone
	a.typ("+351 999")
	a.waitText("+351 999")
	a.press("esc")
	s := a.waitText(a.T("tui.contacts.leave_ask"), a.T("tui.contacts.leave_keys"))
	checkFrame(t, s, 80, 24)
	a.press("n")
	a.waitGone(a.T("tui.contacts.leave_ask"))
	a.press("esc")
	a.waitText(a.T("tui.contacts.leave_ask"))
	a.press("esc") // esc answers no as well
	s = a.waitGone(a.T("tui.contacts.leave_ask"))
	if !strings.Contains(s, "+351 999") || !strings.Contains(s, a.T("tui.owner.title")) {
		t.Fatalf("what was typed is gone:\n%s", s)
	}
	a.press("esc")
	a.waitText(a.T("tui.contacts.leave_ask"))
	a.press("y")
	a.waitGone(a.T("tui.owner.title"))
	s2, err := d.Owner(ctx, demo.Persona, "xara.pt")
	if err != nil || strings.Contains(s2.Owner.Phone, "999") {
		t.Fatalf("the phone was saved: %+v %v", s2.Owner, err)
	}
}

// TestOwnerFormRefusesEveryBadField: a save with a bad phone and a bad
// e-mail shows both refusals, each beside its field, and saves nothing.
func TestOwnerFormRefusesEveryBadField(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	a.openOwner()
	a.press("tab", "tab", "ctrl+u") // the phone
	a.typ("abc")
	a.press("tab", "ctrl+u") // the e-mail
	a.typ("nobody")
	a.press("enter")
	s := a.waitText(a.T("tui.owner.not_saved"))
	// under each field, before the next one
	_, rest, _ := strings.Cut(s, a.T("tui.owner.label.phone"))
	phone, email, _ := strings.Cut(rest, a.T("tui.owner.label.email"))
	email, _, _ = strings.Cut(email, a.T("tui.owner.keys"))
	if !strings.Contains(phone, `! "abc"`) || !strings.Contains(email, `! "nobody"`) {
		t.Fatalf("each field's refusal is not beside it:\n%s", s)
	}
	o, err := d.Owner(ctx, demo.Persona, "xara.pt")
	if err != nil || o.Owner.Phone == "abc" || o.Owner.Email == "nobody" {
		t.Fatalf("saved: %+v %v", o.Owner, err)
	}
}

// TestPasteBetweenWordsKeepsItsSpaces: text pasted after a word, or
// before one, keeps the space it was copied with, so that it does not
// stick to the word (a tester pasted " das Flores" after "Rua" and got
// "Ruadas Flores"); at either end of a field, or into an empty one, a
// paste is trimmed as before (a token or an address copied with the
// space or the line end around it).
func TestPasteBetweenWordsKeepsItsSpaces(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30)
	a.openOwner()
	a.press("tab", "ctrl+u") // the address
	a.typ("Rua")
	a.tm.Send(tea.PasteMsg{Content: " das Flores 12 "})
	a.waitText("Rua das Flores 12")
	a.press("ctrl+a") // to the start of the field
	a.tm.Send(tea.PasteMsg{Content: "  \n"})
	a.tm.Send(tea.PasteMsg{Content: "Casa\n"})
	a.waitText("Casa Rua das Flores 12")
	if o := a.saveOwner(d); o.Address != "Casa Rua das Flores 12" {
		t.Fatalf("saved %q", o.Address)
	}
	// a filter: into an empty one, trimmed; after a word, apart from it
	a.waitText("filter: xara.pt")
	a.press("/", "ctrl+u")
	a.waitText(a.T("tui.filter.placeholder"))
	a.tm.Send(tea.PasteMsg{Content: " web\n"})
	a.waitText("/web")
	a.tm.Send(tea.PasteMsg{Content: " xara"})
	a.waitText("/web xara")
}
