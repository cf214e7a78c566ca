package tui_test

import (
	"fmt"
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model/demo"
)

// selectedRow is the row under the cursor: the line marked ">".
func selectedRow(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, ">") {
			return l
		}
	}
	return ""
}

// requestsTab shows the Requests tab, once it lists request id, and
// returns its row under the cursor.
func (a *app) requestsTab(id int) string {
	a.t.Helper()
	a.press("2")
	s := a.waitFor(fmt.Sprintf("the requests, #%d among them", id), func(s string) bool {
		return strings.Contains(s, a.T("tui.requests.title")) && strings.Contains(s, fmt.Sprintf(" #%d ", id)) && selectedRow(s) != ""
	})
	return selectedRow(s)
}

// TestRequestOpenedAnywhereIsUnderTheCursor: a request opened from a
// mail (o), from the Edit contacts form (the request made opens) or
// from a service's history is, back on the Requests tab, the one under
// the cursor, as one opened from the tab is: "2 enter a enter" answers
// the request last opened, not the one the cursor was on before.
func TestRequestOpenedAnywhereIsUnderTheCursor(t *testing.T) {
	for _, tc := range []struct {
		name string
		id   int
		open func(a *app) // opens request id, from the Services tab
	}{
		{"mail", 5, func(a *app) {
			a.press("3")
			a.waitText(a.T("tui.tab.mailbox"), "(request #5)")
			a.typ("/zagalo")
			a.press("enter", "enter")
			a.waitText("(request #5)", a.T("tui.mail.label.token"))
			a.press("o")
		}},
		{"form", 9, func(a *app) {
			a.editShop()
			a.press("tab") // tech
			a.typ("zz33333-ovh")
			a.waitText("zz33333-ovh (new tech contact)")
			a.press("ctrl+s") // request #9 made, and opened
		}},
		{"history", 6, func(a *app) {
			a.typ("/fontes")
			a.press("enter", "h")
			a.waitText(a.T("tui.history.title"), "fontes-arquitetura.pt", "ef24680-ovh")
			a.press("enter") // its newest line: request #6 accepted
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDesk(t)
			a := start(t, d, demo.Persona, 120, 30)
			servicesShown(a)
			if row := a.requestsTab(8); !strings.Contains(row, "#8 ") {
				t.Fatalf("the cursor is not on the first request the first time: %q", row)
			}
			a.press("1")
			servicesShown(a)
			tc.open(a)
			title := a.T("tui.request.title", locale.Args{"ID": tc.id})
			a.waitText(title)
			a.press("esc")
			a.waitGone(title)
			if row := a.requestsTab(tc.id); !strings.Contains(row, fmt.Sprintf("#%d ", tc.id)) {
				t.Fatalf("the request opened is not under the cursor: %q", row)
			}
			a.press("enter", "a", "enter")
			a.waitText(a.T("tui.request.accepted_by_you", locale.Args{"ID": tc.id}))
		})
	}
}
