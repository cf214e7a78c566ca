package tui_test

import (
	"testing"

	"contactdesk/model/demo"
)

// TestKeysTypedBeforeTheRequestsAreReadAccept: enter, a, tab and enter
// typed in one go on the Requests tab before its list has been read
// open its first request once it has, and accept it, tab filling in the
// mail's token, as they would had the user waited: tab was the app's
// key to the next tab, which left the list, the enter kept for it lost.
func TestKeysTypedBeforeTheRequestsAreReadAccept(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, true, "Awaiting", "RequestsOf")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitText(a.T("tui.services.title"), "12 of 12")
	a.press("2")
	a.waitText(a.T("tui.requests.title"), a.T("tui.loading"))
	a.press("enter", "a", "tab", "enter")
	a.waitText(a.T("tui.requests.title"), a.T("tui.loading"))
	d.release()
	a.waitText("you accepted request #8; still waiting for gh13579-ovh")
	wantAccepted8(t, base, "the keys typed before the list was read were lost")
}
