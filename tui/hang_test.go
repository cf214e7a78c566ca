package tui_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/model/modeltest"
	"contactdesk/tui"
)

// TestHungDatabaseInASession: while the database hangs, a session's
// reads and writes end at the session's call limit, and the status line
// says that the desk did not answer in time and that nothing was
// changed, where the screen waited for as long as the database did and
// the keys typed meanwhile were played once it answered (an accept
// recorded half a minute after it was typed). Nothing typed while it
// hung is done once it answers.
func TestHungDatabaseInASession(t *testing.T) {
	base := newDesk(t)
	var hung atomic.Bool
	d := model.NewDesk(modeltest.HangingStore{Store: base.Store(), Hung: &hung}, model.Options{Clock: fixedClock(now), Broker: base.Broker()})
	a := start(t, d, demo.Persona, 120, 30, tui.Options{Locked: true, CallTimeout: 300 * time.Millisecond})
	servicesShown(a)
	said := "the desk did not answer in time; nothing was changed; try again in a moment (ctrl+r reloads)"

	// an answer sent while it hangs
	a.openRequest8()
	hung.Store(true)
	a.press("a")
	a.waitText(a.T("tui.request.prompt.accept", locale.Args{"ID": 8}))
	a.press("enter")
	a.waitText(said)

	// a request opened while it hangs, and accepted at once
	a.press("esc", "esc", "2")
	a.waitText(a.T("tui.requests.title"), "#8")
	a.press("enter", "a", "enter")
	a.waitText(said)
	hung.Store(false)
	time.Sleep(200 * time.Millisecond) // keys kept, if any, would play now
	r, err := base.Request(context.Background(), demo.Persona, 8)
	if err != nil {
		t.Fatal(err)
	}
	if !r.AwaitingMe(demo.Persona) {
		t.Errorf("request #8 was answered while the desk hung: %+v", r.Parties)
	}
	a.press("ctrl+r")
	a.waitGone(said)
}

// TestAnswerMaybeSavedInASession: a customer whose answer's outcome the
// desk could not see is told that it may have been saved, and how to
// look, not that the desk could not answer (which reads as "nothing
// happened").
func TestAnswerMaybeSavedInASession(t *testing.T) {
	base := newDesk(t)
	var unsure atomic.Bool
	d := model.NewDesk(modeltest.UnsureStore{Store: base.Store(), Unsure: &unsure}, model.Options{Clock: fixedClock(now), Broker: base.Broker()})
	a := start(t, d, demo.Persona, 120, 30, tui.Options{Locked: true})
	servicesShown(a)
	a.openRequest8()
	unsure.Store(true)
	a.press("a")
	a.waitText(a.T("tui.request.prompt.accept", locale.Args{"ID": 8}))
	a.press("enter")
	a.waitText("the desk did not confirm that this was saved: it may have been; ctrl+r reloads to see")
}
