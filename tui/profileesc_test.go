package tui_test

import (
	"strings"
	"testing"

	"contactdesk/model/demo"
)

// TestEscOnTheProfileWhileItLoadsActsAtOnce: esc typed on the Profile tab
// while its first read hangs, with or without keys typed before it, acts
// at once, as it does on a screen opened over a tab: the keys typed
// before it are dropped, and esc itself is not kept to act once the tab
// is read. It was kept, and every key typed after it waited behind it:
// a tab's digit typed next did nothing until the read answered. Once the
// tab is read, nothing typed before esc acts (no field open).
func TestEscOnTheProfileWhileItLoadsActsAtOnce(t *testing.T) {
	for _, v := range []struct {
		name   string
		before []string
	}{
		{"alone", nil},
		{"after a key held", []string{"e"}},
	} {
		t.Run(v.name, func(t *testing.T) {
			base := newDesk(t)
			d := newHeldDesk(t, base, true, "PendingEmailChange")
			a := start(t, d.Desk, demo.Persona, 80, 24)
			a.waitText("Services  12 of 12")
			a.press("4")
			a.waitText(a.T("tui.profile.title"), a.T("tui.loading"))
			a.press(append(v.before, "esc", "2")...)
			// the Requests tab, its rows waiting for the tabs' first reads
			a.waitText("[2 "+a.T("tui.tab.requests"), a.T("tui.requests.title"))
			d.release()
			a.waitText("#8")
			a.press("4")
			s := a.waitText(a.T("tui.profile.label.since"))
			if strings.Contains(s, a.T("tui.profile.hint_email")) {
				t.Fatalf("a key typed before esc acted once the tab was read:\n%s", s)
			}
			if keys := lastLines(s, 2); strings.Contains(keys, a.T("tui.loading")) {
				t.Fatalf("the key line says loading once the tab is read:\n%s", keys)
			}
		})
	}
}
