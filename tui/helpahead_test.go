package tui_test

import (
	"strings"
	"testing"

	"contactdesk/model/demo"
)

// TestKeysHeldWhileTheHelpIsOpenPlayOnceItCloses: e and an address typed
// on the Profile tab before it is read, then f1 (the help opens at once):
// the tab, read while the help is open, plays the keys once the help
// closes, the field e opens holding the address. Played while the help
// was open, the help took them all, and they were lost.
func TestKeysHeldWhileTheHelpIsOpenPlayOnceItCloses(t *testing.T) {
	d := newHeldDesk(t, newDesk(t), true, "PendingEmailChange")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitText("Services  12 of 12")
	a.press("4")
	a.waitText(a.T("tui.profile.title"), a.T("tui.loading"))
	a.press("e", "ctrl+u")
	a.typ("new1@example.com")
	a.press("f1")
	a.waitText(a.T("tui.help.app"))
	d.release()
	a.waitText(a.T("tui.profile.label.since"))
	if s := a.screen(); !strings.Contains(s, a.T("tui.help.app")) {
		t.Fatalf("the help closed by itself:\n%s", s)
	}
	a.press("f1")
	s := a.waitText(a.T("tui.profile.hint_email"))
	if !strings.Contains(s, "new1@example.com") {
		t.Fatalf("the address typed ahead is not in the field:\n%s", s)
	}
}
