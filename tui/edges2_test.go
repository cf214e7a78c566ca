package tui_test

import (
	"strings"
	"testing"

	"contactdesk/model"
	"contactdesk/model/demo"
)

// Rough edges a second QA pass found.

// TestSuggestionsShowOnlyAcquaintances: over SSH many customers share
// one desk, so the Edit contacts form suggests only the accounts the user
// already has to do with (the contacts of its services, the parties of
// its requests), by handle or name: an address typed whole suggests
// nobody (it would confirm whose address it is), an account the user has
// nothing to do with is never named, and "@" lists nobody. Such an
// account is still taken when its whole handle is typed.
func TestSuggestionsShowOnlyAcquaintances(t *testing.T) {
	d := newDesk(t)
	if _, err := d.AddAccount(ctx, model.NewAccount{Handle: "st99999-ovh", Name: "Stella Strand", Email: "stella@strand.example"}); err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.editShop()
	a.press("tab") // tech
	field := func(typed string) string {
		a.t.Helper()
		end := typed[max(0, len(typed)-20):] // a long value scrolls
		return a.waitFor(typed+" in the field", func(s string) bool { return strings.Contains(lineOf(s, " tech  "), end+" ") })
	}
	for _, typed := range []string{"@", "carlos@duarte-consulting.com", "duarte-consulting", "stella", "st9", "strand.example"} {
		a.press("ctrl+u")
		a.typ(typed)
		s := field(typed)
		for _, name := range []string{"Carlos Duarte", "Stella Strand", "st99999-ovh", "Alice Brandão", "Yolanda Yáñez"} {
			if strings.Contains(s, name) {
				t.Fatalf("%q suggests %s:\n%s", typed, name, s)
			}
		}
	}
	// the accounts the user has to do with, by handle or by name
	a.press("ctrl+u")
	a.typ("carlos")
	a.waitText("> cd67890-ovh  Carlos Duarte")
	// another account, its whole handle typed: the form takes it
	a.press("ctrl+u")
	a.typ("st99999-ovh")
	s := a.waitText("→ st99999-ovh", a.T("tui.contacts.who"))
	if strings.Contains(s, "Stella") {
		t.Fatalf("the account's name is shown:\n%s", s)
	}
}
