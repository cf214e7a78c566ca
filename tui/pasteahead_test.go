package tui_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"contactdesk/locale"
	"contactdesk/model/demo"
)

// TestAddressPastedBeforeTheProfileIsReadIsSent: e, ctrl+u, a new
// address pasted and enter, in one go on the Profile tab before it has
// been read, ask for that address once it has, as the address typed
// does: the paste waits behind the keys held, and lands in the field e
// opens. It was dropped (no field had the keys yet), and enter sent an
// empty address.
func TestAddressPastedBeforeTheProfileIsReadIsSent(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, true, "PendingEmailChange")
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitText("Services  12 of 12")
	a.press("4")
	a.waitText(a.T("tui.profile.title"), a.T("tui.loading"))
	a.press("e", "ctrl+u")
	a.tm.Send(tea.PasteMsg{Content: "new1@example.com"})
	a.press("enter")
	a.waitText(a.T("tui.profile.title"), a.T("tui.loading"))
	d.release()
	a.waitText(strings.SplitN(a.T("tui.profile.token_sent", locale.Args{"Email": "new1@example.com"}), ":", 2)[0])
	c, ok, err := base.PendingEmail(ctx, demo.Persona)
	if err != nil || !ok || c.Email != "new1@example.com" {
		t.Fatalf("the address pasted ahead was not asked for: %+v %v %v", c, ok, err)
	}
}

// TestPasteAheadOfAReadThatFailsIsDropped: a paste held behind a move
// key for the Profile being read, which then fails, is dropped, as a
// paste with no field to take it is: its letters do not act as the
// app's keys (@ opened the account picker, which took the q typed
// next); the q typed after it quits.
func TestPasteAheadOfAReadThatFailsIsDropped(t *testing.T) {
	d := newFailDesk(t, newDesk(t), errGone, "PendingEmailChange")
	d.armed.Store(true)
	a := start(t, d.Desk, demo.Persona, 80, 24)
	a.waitText("Services  12 of 12")
	a.press("4")
	a.waitText(a.T("tui.profile.title"), a.T("tui.loading"))
	a.press("j")
	a.tm.Send(tea.PasteMsg{Content: "@"})
	a.press("q")
	d.release()
	a.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}
