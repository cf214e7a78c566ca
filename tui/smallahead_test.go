package tui_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/tui"
)

// Keys held for a screen (typed ahead of its read) that come to be
// played while the window is too small for it wait until it is large
// enough again, and are then played in order, as the notice promises
// ("enlarge it to go on where you left off, with all you typed"): they
// were dropped, the notice showing instead of the screen they were
// meant for.

// heldThenSmall types keys on the Services tab before its first rows
// are read (armed: d holds FirstServicesOf), or as the session starts
// (d holds Account), then makes the window too small; once d answers,
// the list is read behind the notice (it names the size the list's
// columns need), and the window is made large again.
func heldThenSmall(t *testing.T, d *heldDesk, atStart bool, keys ...string) *app {
	t.Helper()
	var a *app
	if atStart {
		// the persona's language, as start would read it from d
		a = startIn(t, d.Desk, demo.Persona, model.LangEN, 80, 24, tui.Options{})
	} else {
		a = start(t, d.Desk, demo.Persona, 80, 24)
		a.waitText(a.T("tui.services.title"), a.T("tui.loading"))
	}
	a.press(keys...)
	if !atStart {
		a.waitFor("the keys held", func(s string) bool {
			return strings.Contains(lastLines(s, 2), a.T("tui.loading")+" · ctrl+c")
		})
	}
	a.tm.Send(tea.WindowSizeMsg{Width: 30, Height: 8})
	notice := a.waitText(a.T("tui.small.title")[:10], "30×8")
	d.release()
	a.waitFor("the list read behind the notice", func(s string) bool {
		return s != notice && strings.Contains(s, "30×8")
	})
	a.tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return a
}

func TestKeysHeldForAListPlayOnceTheWindowIsLargeEnough(t *testing.T) {
	d := newHeldDesk(t, newDesk(t), true, "FirstServicesOf")
	a := heldThenSmall(t, d, false, "down", "2")
	a.waitText("[2 "+a.T("tui.tab.requests"), a.T("tui.requests.title"))
	// the cursor went down on the list before the 2 left it
	a.press("1")
	s := a.waitText(a.T("tui.services.title") + "  12 of 12")
	if !strings.HasPrefix(lineOf(s, "mx-xara"), ">") {
		t.Fatalf("the down typed ahead was not played:\n%s", s)
	}
}

func TestKeysTypedAsTheSessionStartsPlayOnceTheWindowIsLargeEnough(t *testing.T) {
	d := newHeldDesk(t, newDesk(t), true, "Account")
	a := heldThenSmall(t, d, true, "3")
	a.waitText("[3 "+a.T("tui.tab.mailbox"), a.T("tui.mailbox.title"))
}
