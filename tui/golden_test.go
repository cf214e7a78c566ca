package tui_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/tui"
)

// screens reach every screen of the app from a fresh start, and wait
// until everything on it has loaded. They wait for texts in the
// language the persona speaks (a.T), so that each language's screens
// are reached the same way.
var screens = []struct {
	name  string
	me    model.Handle
	reach func(a *app) string
	empty bool // an empty desk, not the demo
}{
	{"services", demo.Persona, func(a *app) string {
		return a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
	}, false},
	{"requests", demo.Persona, func(a *app) string {
		a.waitFor("the frame", a.loaded)
		a.press("2")
		return a.waitText(a.T("tui.requests.title"), "#8", "#1")
	}, false},
	{"request", demo.Persona, func(a *app) string {
		a.waitFor("the frame", a.loaded)
		a.openRequest8()
		return a.waitText(a.T("tui.request.title", locale.Args{"ID": 8}), a.T("tui.request.parties"), a.T("tui.action.request.create"), a.offered())
	}, false},
	{"request_prompt", demo.Persona, func(a *app) string {
		a.waitFor("the frame", a.loaded)
		a.openRequest8()
		a.waitText(a.offered())
		a.press("a")
		return a.waitText(a.T("tui.request.prompt.accept", locale.Args{"ID": 8}), head(a.T("tui.request.hint.accept_offered", locale.Args{"Ago": a.l.Ago(now, now.Add(-6*time.Hour))})))
	}, false},
	{"mailbox", demo.Persona, func(a *app) string {
		a.waitFor("the frame", a.loaded)
		a.press("3")
		return a.waitText(a.T("tui.mailbox.title"), a.confirm8())
	}, false},
	{"mailbox_filtered", demo.Persona, func(a *app) string {
		a.waitFor("the frame", a.loaded)
		a.press("3")
		a.waitText(a.T("tui.mailbox.title"), a.confirm8())
		a.typ("/zagalo")
		a.press("enter")
		count := a.T("tui.mailbox.count_of", locale.Args{"Shown": 1, "Count": a.T("tui.mailbox.count", locale.Args{"N": 10})})
		return a.waitText(a.T("tui.filter.label")+"zagalo", count+", "+a.T("tui.mailbox.unread", locale.Args{"N": 10}))
	}, false},
	{"mail", demo.Persona, func(a *app) string {
		a.waitFor("the frame", a.loaded)
		a.press("3")
		a.waitText(a.confirm8())
		a.press("enter")
		return a.waitText(a.T("tui.mail.label.token"), a.T("tui.mail.label.link"), a.T("tui.tab.mailbox")+" (9)")
	}, false},
	{"profile", demo.Persona, func(a *app) string {
		a.waitFor("the frame", a.loaded)
		a.press("4")
		// the activity read: its fourth line, the last whole at 80×24
		return a.waitText(a.T("tui.profile.recent"), "xavier@xara.pt", "fontes-arquitet")
	}, false},
	{"edit_contacts", demo.Persona, func(a *app) string {
		a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
		a.editShop()
		a.press("tab")
		a.typ("zz33333-ovh")
		// the suggestions of a part typed go once the whole handle is
		// there, whichever of the plan and the suggestions comes first
		return a.waitFor("the plan", func(s string) bool {
			return strings.Contains(s, "→ zz33333-ovh") && strings.Contains(s, a.T("tui.contacts.who")) && !strings.Contains(s, "Zélia Zagalo")
		})
	}, false},
	{"edit_contacts_suggestions", demo.Persona, func(a *app) string {
		a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
		a.editShop()
		a.press("tab")
		a.typ("a")
		return a.waitText("> ab12345-ovh  Alice Brandão")
	}, false},
	// a role with a request pending: said beside it as the form opens,
	// with no field (#8, the persona's, for the tech contact)
	{"edit_contacts_pending", demo.Persona, func(a *app) string {
		a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
		a.edit("padaria", "padaria-yolanda.pt")
		return a.waitText("#8", a.T("tui.contacts.who"), a.T("tui.contacts.send"))
	}, false},
	{"owner", demo.Persona, func(a *app) string {
		a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
		a.typ("/xara.pt")
		a.press("enter", "G")
		a.waitFor("xara.pt selected", func(s string) bool {
			return strings.HasPrefix(strings.TrimSpace(lineOf(s, "> ")), "> ") && strings.Contains(lineOf(s, "> "), " xara.pt")
		})
		a.press("o")
		return a.waitText(a.T("tui.owner.title"), "Rua das Flores")
	}, false},
	{"history", demo.Persona, func(a *app) string {
		a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
		a.typ("/xara.pt")
		a.press("enter", "G")
		a.waitFor("xara.pt selected", func(s string) bool { return strings.Contains(lineOf(s, ">"), " xara.pt") })
		a.press("h")
		return a.waitText(a.T("tui.history.title"), a.T("tui.history.info", locale.Args{"N": 2}), a.T("tui.action.owner.set"))
	}, false},
	{"help", demo.Persona, func(a *app) string {
		a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
		a.press("?")
		return a.waitText(a.T("tui.help.closing"))
	}, false},
	{"picker", "", func(a *app) string {
		return a.waitText(a.T("tui.picker.title"), "xx11111-ovh", "ij11223-ovh")
	}, false},
	{"picker_empty", "", func(a *app) string {
		return a.waitText(a.T("tui.picker.title"), a.T("tui.picker.info", locale.Args{"Shown": 0, "N": 0}), strings.SplitN(a.T("tui.picker.none"), ":", 2)[0])
	}, true},
}

// offered is what request #8 says of the persona's mail of six hours ago.
func (a *app) offered() string {
	return a.T("tui.request.offered", locale.Args{"Ago": a.l.Ago(now, now.Add(-6*time.Hour))})
}

// confirm8 is the subject of the persona's mail asking to confirm #8,
// as far as a list shows it.
func (a *app) confirm8() string {
	change := locale.M("word.change", locale.Args{"Roles": model.RoleWords{model.Tech}, "Service": "padaria-yolanda.pt"})
	return head(a.T("mail.confirm.subject", locale.Args{"Change": change, "ID": 8}))
}

// head is the start of a text, as much as any screen shows of it.
func head(s string) string {
	r := []rune(s)
	return string(r[:min(len(r), 40)])
}

// TestGolden compares every screen with its file under testdata (go test
// ./tui -run Golden -update rewrites them): in English at 80×24 and
// 120×40, in Portuguese and in French at 80×24, where their longer words
// must still fit.
func TestGolden(t *testing.T) {
	runs := []struct {
		lang   model.Lang
		suffix string
		sizes  [][2]int
	}{
		{model.LangEN, "", [][2]int{{80, 24}, {120, 40}}},
		{model.LangPT, "_pt", [][2]int{{80, 24}}},
		{model.LangFR, "_fr", [][2]int{{80, 24}}},
	}
	for _, run := range runs {
		for _, size := range run.sizes {
			for _, sc := range screens {
				t.Run(fmt.Sprintf("%s%s_%dx%d", sc.name, run.suffix, size[0], size[1]), func(t *testing.T) {
					var d *model.Desk
					if sc.empty {
						d = emptyDesk(t)
					} else {
						d = newDeskIn(t, run.lang)
					}
					a := start(t, d, sc.me, size[0], size[1], tui.Options{Lang: run.lang})
					s := sc.reach(a)
					checkFrame(t, s, size[0], size[1])
					golden.RequireEqual(t, hideTokens(s))
				})
			}
		}
	}
}

// checkFrame checks a screen fills the terminal and never overflows it.
func checkFrame(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Errorf("the screen has %d lines, the terminal %d", len(lines), h)
	}
	for i, l := range lines {
		if n := len([]rune(l)); n > w {
			t.Errorf("line %d is %d cells wide, the terminal %d: %q", i+1, n, w, l)
		}
	}
}
