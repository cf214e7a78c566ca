package tui_test

import (
	"strings"
	"testing"
	"time"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/model/modeltest"
	"contactdesk/tui"
)

// TestPendingRoleComesBackAtItsExpiry: Edit contacts is open on a
// service whose tech role waits on another contact's request, which the
// form says ends by its expiry at the latest; the user types in the
// admin field. When that moment comes, with no key pressed and nothing
// written, the form reads the roles again by itself: the tech role has
// its field, the reason is gone, and the admin field keeps what was
// typed and the keys. It went on saying the request was pending until
// something else made it read again. (The session's clock is the
// desk's, a test clock: its alarm rings when it is moved to the
// moment, as the wall clock's timer does at it.)
func TestPendingRoleComesBackAtItsExpiry(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT, model.LangFR} {
		t.Run(string(lang), func(t *testing.T) {
			base := newDeskIn(t, lang)
			rs, err := base.CreateRequest(ctx, "zz33333-ovh", model.NewRequest{Service: "web.xara.pt", Roles: []model.Role{model.Tech}, To: "ab12345-ovh"})
			if err != nil {
				t.Fatal(err)
			}
			clock := modeltest.NewClock(now)
			d := model.NewDesk(base.Store(), model.Options{Clock: clock, Broker: base.Broker()})
			a := start(t, d, demo.Persona, 100, 30, tui.Options{Clock: clock})
			a.waitFor("the frame", a.loaded)
			a.edit("web.xara", "web.xara.pt")
			admin, tech := a.T("tui.role.admin"), a.T("tui.role.tech")
			pending := a.T("err.role.pending_other", locale.Args{"Role": model.Tech, "Service": "web.xara.pt", "Expires": locale.Stamp(rs[0].Expires)})
			a.waitFor(pending, func(s string) bool { return shownWhole(s, pending) })
			a.typ("cd6")
			techField := func(s string) bool { return strings.Contains(lineOf(s, "  "+tech+" "), "[") }
			s := a.waitText("[cd6")
			if techField(s) {
				t.Fatalf("the tech role, pending, has a field:\n%s", s)
			}

			// a second before: still pending
			clock.Advance(rs[0].Expires.Sub(now) - time.Second)
			a.typ("7")
			s = a.waitText("[cd67")
			if techField(s) || !shownWhole(s, pending) {
				t.Fatalf("a second before the request's expiry, the tech role no longer says it is pending:\n%s", s)
			}

			// the moment: the tech field, nothing typed lost
			clock.Advance(time.Second)
			s = a.waitFor("the tech role's field", techField)
			if shownWhole(s, pending) || strings.Contains(s, locale.Stamp(rs[0].Expires).In(a.l)) {
				t.Errorf("the request expired, and the form still says it is pending:\n%s", s)
			}
			if !strings.HasPrefix(lineOf(s, "[cd67"), "> "+admin) {
				t.Errorf("the admin field lost what was typed, or the keys:\n%s", s)
			}
			a.typ("890-ovh")
			a.waitText("[cd67890-ovh")
		})
	}
}
