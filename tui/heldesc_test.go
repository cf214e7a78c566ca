package tui_test

import (
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model/demo"
)

// TestEscLeavesAScreenWhoseReadHangs: a screen opened while the desk
// hangs (a service's history, a request, a service's owner), a key typed
// for it (held until it is read), then esc: esc goes back at once, as it
// does with nothing held, instead of waiting behind the held key for the
// whole hang. Meanwhile the key line says that the screen is loading,
// and names esc, not q (a q typed then waits its turn: it may be a
// letter of a field the held keys open). Once the desk answers, the keys
// held are not played on the screen esc went back to.
func TestEscLeavesAScreenWhoseReadHangs(t *testing.T) {
	for _, v := range []struct {
		name  string
		read  string              // the read that hangs
		list  func(a *app) string // shows the list the screen opens from; returns a text of it
		keys  []string            // the key that opens the screen, then the keys typed ahead
		title func(a *app) string
	}{
		{"history", "History", func(a *app) string {
			a.waitText(a.T("tui.services.title"), "xara-shop.com")
			return a.T("tui.services.title")
		}, []string{"h", "j"}, func(a *app) string { return a.T("tui.history.title") }},
		{"request", "Request", func(a *app) string {
			a.press("2")
			a.waitText(a.T("tui.requests.title"), "#8")
			return a.T("tui.requests.title")
		}, []string{"enter", "a"}, func(a *app) string { return a.T("tui.request.title", locale.Args{"ID": 8}) }},
		{"owner", "Service", func(a *app) string {
			a.waitText(a.T("tui.services.title"), "xara-shop.com")
			return a.T("tui.services.title")
		}, []string{"o", "x"}, func(a *app) string { return a.T("tui.owner.title") }},
	} {
		t.Run(v.name, func(t *testing.T) {
			base := newDesk(t)
			d := newHeldDesk(t, base, false, v.read)
			a := start(t, d.Desk, demo.Persona, 100, 30)
			a.waitFor("the frame", a.loaded)
			list := v.list(a)
			d.arm()
			a.press(v.keys...)
			title, loading := v.title(a), a.T("tui.loading")
			back := a.T("tui.key.back")
			s := a.waitFor("the key line saying the screen is loading", func(s string) bool {
				keys := lastLines(s, 2)
				return strings.Contains(s, title) && strings.Contains(keys, loading) && strings.Contains(keys, "esc "+back)
			})
			if keys := lastLines(s, 2); strings.Contains(keys, "q "+a.T("tui.key.quit")) {
				t.Errorf("the key line names q, which waits for the read:\n%s", keys)
			}
			a.press("esc")
			a.waitFor("back on the list at once, the read still hanging", func(s string) bool {
				return strings.Contains(s, list) && !strings.Contains(s, title) && !strings.Contains(lastLines(s, 2), loading)
			})
			d.release()
			// the held keys, were they played now, would open or type:
			// a key of the list's shows the list is still the screen
			a.press("?")
			s = a.waitText(a.T("tui.help.app"))
			if strings.Contains(s, title) {
				t.Fatalf("the keys held for the screen left were played:\n%s", s)
			}
		})
	}
}

// TestKeyLineOfATabWhoseReadHangs: keys typed on the Services tab before
// its list is read wait for it; meanwhile the key line says that it is
// loading and names ctrl+c, not q (which waits its turn) nor esc (a tab
// has nothing to go back to).
func TestKeyLineOfATabWhoseReadHangs(t *testing.T) {
	base := newDesk(t)
	d := newHeldDesk(t, base, true, "FirstServicesOf")
	a := start(t, d.Desk, demo.Persona, 100, 30)
	a.waitText(a.T("tui.services.title"), a.T("tui.loading"))
	a.press("down", "enter")
	s := a.waitFor("the key line saying the tab is loading", func(s string) bool {
		return strings.Contains(lastLines(s, 2), a.T("tui.loading")+" · ctrl+c")
	})
	keys := lastLines(s, 2)
	for _, not := range []string{"q " + a.T("tui.key.quit"), "esc " + a.T("tui.key.back")} {
		if strings.Contains(keys, not) {
			t.Errorf("the key line names %q while the keys wait:\n%s", not, keys)
		}
	}
	d.release()
	a.waitText(a.T("tui.contacts.title"))
	if keys := lastLines(a.screen(), 2); strings.Contains(keys, a.T("tui.loading")) {
		t.Errorf("the key line still says loading once read:\n%s", keys)
	}
}
