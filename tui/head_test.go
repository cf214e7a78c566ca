package tui_test

import (
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/tui"
)

// TestListHeadsSayTheirFilterBeforeTheRead: while the desk has not
// answered, the Requests tab's head says the state it shows ("state:
// all"), and the one chosen with f before the list is read, and the
// Services tab's its role and order, in every language; no count ("0 of
// 0") before there is one. Then, the list read, the counts and the
// state chosen. The Requests head said nothing until its list was read,
// past the count of requests awaiting the user.
func TestListHeadsSayTheirFilterBeforeTheRead(t *testing.T) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			base := newDeskIn(t, lang)
			h := newHeldDesk(t, base, true, "ServicesOf", "FirstServicesOf", "RequestsOf", "Awaiting")
			a := startIn(t, h.Desk, demo.Persona, lang, 80, 24, tui.Options{Lang: lang})
			head := func(s string) string { return lineOf(s, a.T("tui.services.title")+"  ") }
			s := a.waitText(a.T("tui.services.title"), a.T("tui.loading"))
			services := a.T("tui.services.info_ahead", locale.Args{"Role": a.T("tui.services.role_all"), "Sort": a.T("tui.services.sort.name")})
			if !strings.Contains(head(s), services) {
				t.Errorf("the Services head, nothing read, does not say %q:\n%s", services, s)
			}
			a.press("2")
			state := func(w string) string { return a.T("tui.requests.info_ahead", locale.Args{"State": w}) }
			s = a.waitText(a.T("tui.requests.title"), a.T("tui.loading"))
			requests := func(s string) string { return lineOf(s, a.T("tui.requests.title")+"  ") }
			if got := requests(s); !strings.Contains(got, state(a.T("tui.requests.state_all"))) {
				t.Errorf("the Requests head, nothing read, reads %q, not %q:\n%s", got, state(a.T("tui.requests.state_all")), s)
			}
			a.press("f") // the first state, before the list is read
			waiting := a.T("tui.state." + string(model.States[0]))
			a.waitFor("the head saying the state chosen", func(s string) bool {
				return strings.Contains(requests(s), state(waiting)) && strings.Contains(s, a.T("tui.loading"))
			})
			h.release()
			s = a.waitText("#8", a.T("tui.requests.info", locale.Args{"Shown": 4, "Total": 7, "State": waiting}))
			if strings.Contains(s, "#1 ") {
				t.Errorf("the list read, a request of another state shows:\n%s", s)
			}
		})
	}
}
