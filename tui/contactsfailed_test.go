package tui_test

import (
	"strings"
	"testing"

	"contactdesk/model/demo"
)

// TestContactsFormThatCouldNotBeReadLetsTheAppKeysAct: the contacts form
// whose first read failed has no field: the app's keys act there, as on
// the owner's form in the same case (a tab's digit, q), and its key line
// names them, not the form's keys that do nothing there (tab, send). Its
// keys were the fields' all the same: a digit, q did nothing.
func TestContactsFormThatCouldNotBeReadLetsTheAppKeysAct(t *testing.T) {
	d := newFailDesk(t, newDesk(t), errGone, "Service")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitText("Services  12 of 12")
	d.armed.Store(true)
	a.press("enter")
	a.waitText(a.T("tui.contacts.title"), a.T("tui.loading"))
	d.release()
	s := a.waitText(a.T("tui.contacts.title"), a.T("tui.not_read"))
	keys := strings.Split(lastLines(s, 2), "\n")[0]
	if !strings.Contains(keys, "esc "+a.T("tui.key.back")) || !strings.Contains(keys, "q "+a.T("tui.key.quit")) || strings.Contains(keys, a.T("tui.contacts.key.send")) {
		t.Errorf("the key line of the form not read:\n%s", keys)
	}
	a.press("2")
	a.waitText("[2 "+a.T("tui.tab.requests"), a.T("tui.requests.title"))
}
