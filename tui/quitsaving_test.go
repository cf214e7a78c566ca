package tui_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/model/modeltest"
	"contactdesk/tui"
)

// q quits while a write chosen from a chooser with no field (the
// language, the cancel's y/n) is under way, as it does while any other
// write of a screen with no field open is (a resend): it waited for the
// write to end, up to the call limit (a desk that waits for another
// program's lock). The write, cancelled, changes nothing.

// quitsWhileHung starts the persona's session on a desk that answers
// until hung is set, and then never; the call limit is longer than
// WaitFinished waits, so only q can end the program in time.
func quitsWhileHung(t *testing.T, base *model.Desk) (*app, *atomic.Bool) {
	hung := new(atomic.Bool)
	d := model.NewDesk(modeltest.HangingStore{Store: base.Store(), Hung: hung}, model.Options{Clock: fixedClock(now), Broker: base.Broker()})
	a := start(t, d, demo.Persona, 80, 24, tui.Options{Locked: true, CallTimeout: 10 * time.Minute})
	a.waitFor("the frame", a.loaded)
	return a, hung
}

func TestQuitWhileTheLanguageSaves(t *testing.T) {
	base := newDesk(t)
	a, hung := quitsWhileHung(t, base)
	a.press("4")
	a.waitText("Language   English (en)   (l: change)")
	a.press("l")
	a.waitText("[ English (en) ]")
	hung.Store(true)
	a.press("right", "enter") // Français
	a.typ("q")
	a.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	hung.Store(false)
	if acc, err := base.Account(context.Background(), demo.Persona); err != nil || acc.Lang != model.LangEN {
		t.Fatalf("the account's language after quitting while it saved: %v, %v; want en", acc.Lang, err)
	}
}

func TestQuitWhileACancelSaves(t *testing.T) {
	base := newDesk(t)
	mine := makeRequest(t, base, "xara.pt", model.Tech)
	a, hung := quitsWhileHung(t, base)
	a.openRequest(mine.ID)
	a.press("c")
	a.waitText(a.T("tui.request.cancel_ask", locale.Args{"ID": mine.ID})[:20])
	hung.Store(true)
	a.press("y")
	a.typ("q")
	a.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	hung.Store(false)
	if r, err := base.Request(context.Background(), demo.Persona, mine.ID); err != nil || r.State.Ended() {
		t.Fatalf("request #%d after quitting while its cancel saved: %v, %v; want still waiting", mine.ID, r.State, err)
	}
}
