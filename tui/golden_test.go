package tui_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"contactdesk/model"
	"contactdesk/model/demo"
)

// screens reach every screen of the app from a fresh start, and wait
// until everything on it has loaded.
var screens = []struct {
	name  string
	me    model.Handle
	reach func(a *app) string
	desk  func(t testing.TB) *model.Desk // nil: newDesk
}{
	{"services", demo.Persona, func(a *app) string {
		return a.waitFor("the services", func(s string) bool { return loaded(s) && strings.Contains(s, "xara-shop.com") })
	}, nil},
	{"requests", demo.Persona, func(a *app) string {
		a.waitFor("the frame", loaded)
		a.press("2")
		return a.waitText("My requests", "#8", "#1")
	}, nil},
	{"request", demo.Persona, func(a *app) string {
		a.waitFor("the frame", loaded)
		a.openRequest8()
		return a.waitText("Request #8", "Parties", "request.create", "your mail of 6h ago holds your token")
	}, nil},
	{"request_prompt", demo.Persona, func(a *app) string {
		a.waitFor("the frame", loaded)
		a.openRequest8()
		a.waitText("your mail of 6h ago holds your token")
		a.press("a")
		return a.waitText("Accept request #8 with your token:", "enter accepts with the token of your mail")
	}, nil},
	{"mailbox", demo.Persona, func(a *app) string {
		a.waitFor("the frame", loaded)
		a.press("3")
		return a.waitText("Mailbox", "Please confirm: new tech contact for padaria-yolanda.pt")
	}, nil},
	{"mailbox_filtered", demo.Persona, func(a *app) string {
		a.waitFor("the frame", loaded)
		a.press("3")
		a.waitText("Mailbox", "Please confirm: new tech contact for padaria-yolanda.pt")
		a.typ("/zagalo")
		a.press("enter")
		return a.waitText("filter: zagalo", "1 of 10 mails, 10 unread")
	}, nil},
	{"mail", demo.Persona, func(a *app) string {
		a.waitFor("the frame", loaded)
		a.press("3")
		a.waitText("Please confirm: new tech contact for padaria-yolanda.pt")
		a.press("enter")
		return a.waitText("Token", "Link", "Mailbox (9)")
	}, nil},
	{"profile", demo.Persona, func(a *app) string {
		a.waitFor("the frame", loaded)
		a.press("4")
		return a.waitText("Recent activity", "xavier@xara.pt", "cancelled: cancelled by xx11111-ovh")
	}, nil},
	{"edit_contacts", demo.Persona, func(a *app) string {
		a.waitFor("the services", func(s string) bool { return loaded(s) && strings.Contains(s, "xara-shop.com") })
		a.editShop()
		a.press("tab")
		a.typ("zz33333-ovh")
		// the suggestions of a part typed go once the whole handle is
		// there, whichever of the plan and the suggestions comes first
		return a.waitFor("the plan", func(s string) bool {
			return strings.Contains(s, "zz33333-ovh (new tech)") && !strings.Contains(s, "Zélia Zagalo")
		})
	}, nil},
	{"edit_contacts_suggestions", demo.Persona, func(a *app) string {
		a.waitFor("the services", func(s string) bool { return loaded(s) && strings.Contains(s, "xara-shop.com") })
		a.editShop()
		a.press("tab")
		a.typ("a")
		return a.waitText("> ab12345-ovh  Alice Brandão")
	}, nil},
	{"owner", demo.Persona, func(a *app) string {
		a.waitFor("the services", func(s string) bool { return loaded(s) && strings.Contains(s, "xara-shop.com") })
		a.typ("/xara.pt")
		a.press("enter", "G")
		a.waitFor("xara.pt selected", func(s string) bool {
			return strings.HasPrefix(strings.TrimSpace(lineOf(s, "> ")), "> ") && strings.Contains(lineOf(s, "> "), " xara.pt")
		})
		a.press("o")
		return a.waitText("Owner details", "Rua das Flores")
	}, nil},
	{"history", demo.Persona, func(a *app) string {
		a.waitFor("the services", func(s string) bool { return loaded(s) && strings.Contains(s, "xara-shop.com") })
		a.typ("/xara.pt")
		a.press("enter", "G")
		a.waitFor("xara.pt selected", func(s string) bool { return strings.Contains(lineOf(s, ">"), " xara.pt") })
		a.press("h")
		return a.waitText("History", "entries, newest first", "owner.set")
	}, nil},
	{"help", demo.Persona, func(a *app) string {
		a.waitFor("the services", func(s string) bool { return loaded(s) && strings.Contains(s, "xara-shop.com") })
		a.press("?")
		return a.waitText("closes this help")
	}, nil},
	{"picker", "", func(a *app) string {
		return a.waitText("Act as which account", "xx11111-ovh", "ij11223-ovh")
	}, nil},
	{"picker_empty", "", func(a *app) string {
		return a.waitText("Act as which account", "0 of 0 accounts", "no account yet")
	}, emptyDesk},
}

// TestGolden compares every screen, at 80×24 and 120×40, with its file
// under testdata (go test ./tui -run Golden -update rewrites them).
func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, sc := range screens {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				desk := newDesk
				if sc.desk != nil {
					desk = sc.desk
				}
				a := start(t, desk(t), sc.me, size[0], size[1])
				s := sc.reach(a)
				checkFrame(t, s, size[0], size[1])
				golden.RequireEqual(t, hideTokens(s))
			})
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
