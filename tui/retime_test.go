package tui_test

import (
	"strings"
	"testing"
	"time"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/model/modeltest"
	"contactdesk/tui"
)

// TestRelativeTimesKeepUp: the relative times on screen follow the
// clock with no key pressed and nothing changed on the desk: the
// Mailbox's newest mail goes from "1m ago" to "2m ago", the Requests
// list's newest request as well, and the Profile's recent activity from
// "just now" to "1m ago". (At 120 columns: the Requests list shows its
// Date column from 100.)
func TestRelativeTimesKeepUp(t *testing.T) {
	d := newDesk(t)
	// a mail, a request and an activity of now, on the desk's clock
	if _, err := d.CreateRequest(ctx, demo.Persona, model.NewRequest{Service: "xara-shop.com", Roles: []model.Role{model.Tech}, To: "zz33333-ovh"}); err != nil {
		t.Fatal(err)
	}
	clock := modeltest.NewClock(now.Add(90 * time.Second))
	a := start(t, d, demo.Persona, 120, 30, tui.Options{Clock: clock, Retime: 20 * time.Millisecond})
	a.waitFor("the frame", a.loaded)
	newest := func(s string) string { return lineOf(s, "(request #9)") } // the mail asking to confirm #9
	a.press("3")
	a.waitFor("the newest mail of 1m ago", func(s string) bool { return strings.Contains(newest(s), "1m ago") })
	clock.Advance(time.Minute) // now + 150 s
	a.waitFor("the newest mail of 2m ago", func(s string) bool { return strings.Contains(newest(s), "2m ago") })

	a.press("2")
	a.waitFor("the newest request of 2m ago", func(s string) bool { return strings.Contains(s, "#9") && strings.Contains(lineOf(s, "#9"), "2m ago") })
	clock.Advance(time.Minute) // now + 210 s
	a.waitFor("the newest request of 3m ago", func(s string) bool { return strings.Contains(lineOf(s, "#9"), "3m ago") })

	clock.Advance(-3 * time.Minute) // now + 30 s
	a.press("4")
	a.waitText(a.T("tui.profile.recent"), a.T("fmt.ago.now"))
	clock.Advance(time.Minute) // now + 90 s
	a.waitFor("the activity of 1m ago", func(s string) bool {
		_, recent, _ := strings.Cut(s, a.T("tui.profile.recent"))
		return strings.Contains(recent, "1m ago") && !strings.Contains(recent, a.T("fmt.ago.now"))
	})
}

// TestBriefTimesKeepUpAt80Columns: at 80 columns the Requests list
// writes its dates briefly ("2m"), and they follow the clock too.
func TestBriefTimesKeepUpAt80Columns(t *testing.T) {
	d := newDesk(t)
	if _, err := d.CreateRequest(ctx, demo.Persona, model.NewRequest{Service: "xara-shop.com", Roles: []model.Role{model.Tech}, To: "zz33333-ovh"}); err != nil {
		t.Fatal(err)
	}
	clock := modeltest.NewClock(now.Add(150 * time.Second))
	a := start(t, d, demo.Persona, 80, 24, tui.Options{Clock: clock, Retime: 20 * time.Millisecond})
	a.waitFor("the frame", a.loaded)
	a.press("2")
	a.waitFor("the newest request of 2m", func(s string) bool { return strings.Contains(lineOf(s, "#9 "), " 2m ") })
	clock.Advance(time.Minute)
	a.waitFor("the newest request of 3m", func(s string) bool { return strings.Contains(lineOf(s, "#9 "), " 3m ") })
}
