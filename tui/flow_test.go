package tui_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/model/modeltest"
	"contactdesk/storage"
	"contactdesk/tui"
)

var ctx = context.Background()

// servicesShown waits for the Services tab, loaded.
func servicesShown(a *app) string {
	a.t.Helper()
	return a.waitFor("the services", func(s string) bool { return loaded(s) && strings.Contains(s, "xara-shop.com") })
}

// TestChangeOfTechConfirmedByEveryParty drives the whole case through
// key presses: the admin of xara-shop.com names a new tech contact, sees
// who must confirm and sends; each party, in a program of its own, opens
// the mail, follows its link and accepts; the admin's Services tab, open
// all along, then shows the new tech contact by itself.
func TestChangeOfTechConfirmedByEveryParty(t *testing.T) {
	d := newDesk(t)
	admin := start(t, d, demo.Persona, 100, 30)
	servicesShown(admin)

	admin.editShop()
	admin.press("tab")
	admin.typ("zz33")
	admin.waitText("zz33333-ovh  Zélia Zagalo") // suggested as it is typed
	admin.press("enter")                        // takes it
	s := admin.waitText("xx11111-ovh (you, requester), yy22222-ovh (current tech contact), zz33333-ovh")
	if !strings.Contains(s, "tech: yy22222-ovh → zz33333-ovh") {
		t.Fatalf("the form does not say what will change:\n%s", s)
	}
	admin.press("ctrl+s")
	// the request made opens in place of the form
	admin.waitText("request #9 sent; waiting for confirmation by you and yy22222-ovh and zz33333-ovh", "Request #9", "← your answer is awaited")
	admin.press("esc")
	// back on the list, with the pending mark
	s = admin.waitFor("the pending mark", func(s string) bool { return strings.Contains(lineOf(s, "xara-shop.com"), "● xara-shop.com") })
	if !strings.Contains(lineOf(s, "xara-shop.com"), "yy22222-ovh") {
		t.Fatalf("the tech changed before anyone confirmed:\n%s", s)
	}

	subjects := map[model.Handle]string{
		demo.Persona:  "Please confirm: new tech contact for xara-shop.com (request #9)",
		"yy22222-ovh": "Confirme: novo contacto técnico de xara-shop.com (pedido #9)",
		"zz33333-ovh": "Confirme: novo contacto técnico de xara-shop.com (pedido #9)",
	}
	for _, h := range []model.Handle{demo.Persona, "yy22222-ovh", "zz33333-ovh"} {
		t.Run(string(h), func(t *testing.T) {
			mails, err := d.Mails(ctx, h)
			if err != nil {
				t.Fatal(err)
			}
			var tok string
			for _, m := range mails {
				if m.RequestID == 9 && m.Token != "" {
					tok = m.Token
				}
			}
			if tok == "" {
				t.Fatalf("no token mailed to %s for request #9", h)
			}
			// each party in its own language: the persona in English, the
			// two others in Portuguese, their mails too
			p := start(t, d, h, 100, 30)
			p.waitFor("the frame", func(s string) bool {
				return strings.Contains(s, p.T("tui.tab.mailbox")+" (") && strings.Contains(s, string(h))
			})
			p.press("3")
			p.waitText(subjects[h])
			p.press("enter")
			// the token shown plainly, as in the mail
			p.waitText(p.T("tui.mail.label.token"), tok)
			p.press("o")
			p.waitText(p.T("tui.request.title", locale.Args{"ID": 9}), p.T("tui.request.filled_in"))
			p.press("a")
			p.waitText(p.T("tui.request.prompt.accept", locale.Args{"ID": 9}), tok)
			p.press("enter")
			p.waitText(p.T("tui.request.accepted_by_you", locale.Args{"ID": 9}))
			p.quit()
		})
	}

	r, err := d.Request(ctx, demo.Persona, 9)
	if err != nil || r.State != model.StateDone {
		t.Fatalf("request #9: %+v, %v; want done", r, err)
	}
	// The admin's session never touched a key since: the broker's change
	// brought the new tech contact to its screen.
	admin.waitFor("the new tech on Services", func(s string) bool {
		l := lineOf(s, "xara-shop.com")
		return strings.Contains(l, "zz33333-ovh") && !strings.Contains(l, "●")
	})
	admin.waitText("Requests (3!)")
}

// TestRefusalShownInTheForm: the model's refusal appears beside the field
// it is about, what was typed stays, and nothing is sent.
func TestRefusalShownInTheForm(t *testing.T) {
	d := newDesk(t)
	before, _ := d.Requests(ctx, demo.Persona)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.editShop()
	a.press("tab", "tab") // billing
	a.typ("zz33333-ovh")
	want := "! ab12345-ovh has unpaid bills; the billing contact can't move until they are settled"
	s := a.waitText("unpaid bills")
	checkBeside(t, s, "billing", "! ab12345-ovh has unpaid bills")

	a.press("ctrl+s")
	s = a.waitText("nothing was sent: see the form")
	checkBeside(t, s, "billing", "! ab12345-ovh has unpaid bills")
	if !strings.Contains(lineOf(s, "billing  "), "[zz33333-ovh") {
		t.Fatalf("what was typed is lost:\n%s", s)
	}
	if !strings.Contains(strings.Join(strings.Fields(s), " "), strings.Join(strings.Fields(want), " ")) {
		t.Fatalf("the refusal is not shown in full:\n%s", s)
	}
	after, _ := d.Requests(ctx, demo.Persona)
	if len(after) != len(before) {
		t.Fatalf("a refused form made a request: %d requests, %d before", len(after), len(before))
	}

	// A handle that names nobody: refused beside the tech field.
	a.press("shift+tab")
	a.typ("qq99999-ovh")
	s = a.waitText("there is no account qq99999-ovh")
	checkBeside(t, s, "tech", "! there is no account qq99999-ovh")
	// esc leaves without sending, once told that what was typed is lost
	a.press("esc")
	a.waitText(a.T("tui.contacts.leave_ask"))
	a.press("y")
	a.waitGone("Edit contacts")
	after, _ = d.Requests(ctx, demo.Persona)
	if len(after) != len(before) {
		t.Fatal("leaving the form sent something")
	}
}

// checkBeside checks msg is on the line of the field, or right under it.
func checkBeside(t *testing.T, s, field, msg string) {
	t.Helper()
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.Contains(l, " "+field+"  ") {
			if strings.Contains(l, msg) || (i+1 < len(lines) && strings.Contains(lines[i+1], msg)) {
				return
			}
			t.Fatalf("%q is not beside the %s field:\n%s", msg, field, s)
		}
	}
	t.Fatalf("no %s field on screen:\n%s", field, s)
}

// TestWrongTokenChangesNothing: a wrong token is an error, the request
// stays as it was, and the prompt keeps what was typed.
func TestWrongTokenChangesNothing(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.press("2")
	a.waitText("My requests", "#8")
	a.press("enter")
	a.waitText("Request #8", "← your answer is awaited")
	a.press("a")
	a.waitText("Accept request #8 with your token:")
	a.typ("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG")
	a.press("enter")
	s := a.waitText("! wrong token for request #8; 4 tries left before a pause")
	if !strings.Contains(s, "[AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG") {
		t.Fatalf("the token typed is lost:\n%s", s)
	}
	r, err := d.Request(ctx, demo.Persona, 8)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := r.Party(demo.Persona); r.State != model.StateValidating || p.Answer != model.AnswerPending {
		t.Fatalf("a wrong token changed the request: %s, answer %s", r.State, p.Answer)
	}
	if !strings.Contains(lineOf(s, "xx11111-ovh  you"), "pending") {
		t.Fatalf("the screen no longer shows the answer pending:\n%s", s)
	}
	// esc closes the prompt; the token typed is gone from the screen
	a.press("esc")
	a.waitGone("Accept request #8")
}

// TestResize lays the screens out again at every size.
func TestResize(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	servicesShown(a)
	for _, size := range [][2]int{{200, 60}, {120, 40}, {80, 24}, {100, 30}} {
		a.tm.Send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		s := a.waitFor(fmt.Sprintf("%dx%d", size[0], size[1]), func(s string) bool {
			return len(strings.Split(s, "\n")) == size[1] && strings.Contains(s, strings.Repeat("─", size[0]))
		})
		checkFrame(t, s, size[0], size[1])
		// columns are cut with …, never wrapped: one line per service
		if n := strings.Count(s, "xara-shop.com"); n != 1 {
			t.Fatalf("at %dx%d xara-shop.com is on %d lines:\n%s", size[0], size[1], n, s)
		}
	}
	a.press("2")
	a.tm.Send(tea.WindowSizeMsg{Width: 200, Height: 60})
	s := a.waitFor("requests at 200x60", func(s string) bool {
		return strings.Contains(s, "My requests") && strings.Contains(s, strings.Repeat("─", 200))
	})
	checkFrame(t, s, 200, 60)
	if !strings.Contains(s, "Date") {
		t.Fatalf("a wide terminal hides the date:\n%s", s)
	}
}

var countRE = regexp.MustCompile(`(\d+) of (\d+) · role: (\w+)`)

// TestFilterAndRoleFilter: / narrows the list as you type and esc clears
// it; f cycles the roles, each time showing the services where the user
// holds that role, as the model says.
func TestFilterAndRoleFilter(t *testing.T) {
	d := newDesk(t)
	all, err := d.Services(ctx, demo.Persona)
	if err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 120, 40)
	servicesShown(a)

	a.typ("/xa")
	a.waitText("/xa")
	a.typ("ra")
	s := a.waitText("4 of 12")
	for _, n := range []string{"xara.pt", "xara-shop.com", "web.xara.pt", "mx-xara"} {
		if !strings.Contains(s, n) {
			t.Fatalf("the filter hides %s:\n%s", n, s)
		}
	}
	if strings.Contains(s, "zagalo") || strings.Contains(s, "padaria") {
		t.Fatalf("the filter shows services without xara:\n%s", s)
	}
	// q is a letter while typing a filter
	a.typ("q")
	a.waitText("0 of 12", "no service matches")
	a.press("backspace")
	a.waitText("4 of 12")
	a.press("esc")
	a.waitText("12 of 12")

	for _, role := range []model.Role{model.Admin, model.Tech, model.Billing, ""} {
		a.press("f")
		label := string(role)
		if role == "" {
			label = "all"
		}
		var want []string
		for _, sv := range all {
			if role == "" || sv.Contact(role) == demo.Persona {
				want = append(want, sv.Name)
			}
		}
		s := a.waitText(fmt.Sprintf("%d of 12 · role: %s", len(want), label))
		for _, n := range want {
			if !strings.Contains(s, " "+n+" ") {
				t.Fatalf("role %s: %s missing:\n%s", label, n, s)
			}
		}
		rows := 0
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "-ovh") && !strings.Contains(l, "Xavier") {
				rows++
			}
		}
		if rows != len(want) {
			t.Fatalf("role %s: %d rows, want %d:\n%s", label, rows, len(want), s)
		}
	}
	if m := countRE.FindStringSubmatch(a.screen()); m == nil || m[1] != "12" {
		t.Fatalf("the role filter did not come back to all: %v", m)
	}
}

// TestSortCycles: s sorts by the next column.
func TestSortCycles(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 120, 40)
	servicesShown(a)
	a.press("s")
	s := a.waitText("sort: type")
	first := strings.Split(s, "\n")[4] // under the tabs, the rule, the title and the header
	if !strings.Contains(first, "pn-104233") || !strings.Contains(first, "cloud") {
		t.Fatalf("sorted by type, the first row is not the cloud project:\n%s", s)
	}
	a.press("s", "s", "s", "s")
	a.waitText("sort: name")
}

// TestOwnerDetailsSaved edits a domain's phone as its admin; a wrong
// value is refused beside its field.
func TestOwnerDetailsSaved(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.typ("/xara.pt")
	a.press("enter", "G", "o")
	a.waitText("Owner details", "Rua das Flores")
	a.press("tab", "tab", "ctrl+u")
	a.typ("call me maybe")
	a.press("enter")
	s := a.waitText("owner details not saved: see the form")
	if !strings.Contains(s, "! ") || !strings.Contains(lineOf(s, "Phone"), "[call me maybe") {
		t.Fatalf("the refusal or the typed phone is missing:\n%s", s)
	}
	a.press("ctrl+u")
	a.typ("+351 210 999 999")
	a.press("enter")
	a.waitText("owner details of xara.pt saved")
	o, err := d.Owner(ctx, demo.Persona, "xara.pt")
	if err != nil || o.Owner.Phone != "+351 210 999 999" {
		t.Fatalf("phone not saved: %+v, %v", o.Owner, err)
	}
}

// TestEmailEditedInPlace changes the profile's address: an invalid one
// is refused and kept in the field; a valid one is used once the token
// mailed to it is entered; a wrong token is refused and kept.
func TestEmailEditedInPlace(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.press("4")
	a.waitText("Recent activity")
	a.press("e", "ctrl+u")
	a.typ("not an address")
	a.press("enter")
	s := a.waitText("nothing was sent: see the field")
	if !strings.Contains(lineOf(s, "E-mail"), "[not an address") {
		t.Fatalf("what was typed is lost:\n%s", s)
	}
	a.press("ctrl+u")
	a.typ("xavier@example.org")
	a.press("enter")
	s = a.waitText("a token was mailed to xavier@example.org")
	if !strings.Contains(lineOf(s, "New"), "xavier@example.org") || !strings.Contains(lineOf(s, "E-mail"), "xavier@xara.pt") {
		t.Fatalf("the pending address or the one in use is not shown:\n%s", s)
	}
	if acc, _ := d.Account(ctx, demo.Persona); acc.Email != "xavier@xara.pt" {
		t.Fatalf("the address changed before its token came back: %s", acc.Email)
	}
	a.press("c")
	a.typ("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	a.press("enter")
	s = a.waitText("e-mail address not changed: see the field")
	if !strings.Contains(lineOf(s, "Token"), "[AAAA-AAAA") || !strings.Contains(s, "wrong token") {
		t.Fatalf("the wrong token is not kept or not explained:\n%s", s)
	}
	ms, _ := d.Mails(ctx, demo.Persona)
	a.press("ctrl+u")
	a.typ(ms[0].Token)
	a.press("enter")
	a.waitText("e-mail address changed to xavier@example.org")
	if acc, _ := d.Account(ctx, demo.Persona); acc.Email != "xavier@example.org" {
		t.Fatalf("address not saved: %s", acc.Email)
	}
}

// TestMailConfirmsTheNewAddress: o on the mail that proves a new
// address opens the Profile's token field with the mail's token in it;
// enter uses the address.
func TestMailConfirmsTheNewAddress(t *testing.T) {
	d := newDesk(t)
	if _, err := d.AskEmailChange(ctx, demo.Persona, "xavier@example.org"); err != nil {
		t.Fatal(err)
	}
	ms, _ := d.Mails(ctx, demo.Persona)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.press("3")
	a.waitText("Please confirm your new e-mail address")
	a.press("enter")
	a.waitText("If that was you, confirm it", "o confirm the new address (token filled in)", "o: enter the token for the new address in your Profile")
	a.press("o")
	s := a.waitText("[" + ms[0].Token)
	if !strings.Contains(s, "enter: use the new address") {
		t.Fatalf("the Profile's token field is not open:\n%s", s)
	}
	a.press("enter")
	a.waitText("e-mail address changed to xavier@example.org")
	if acc, _ := d.Account(ctx, demo.Persona); acc.Email != "xavier@example.org" {
		t.Fatalf("address not saved: %s", acc.Email)
	}
	// The same mail again: nothing is waiting any more, and it says so.
	a.press("3")
	a.waitText("Your e-mail address was changed")
	a.press("down", "enter")
	a.waitText("If that was you, confirm it")
	a.press("o")
	a.waitText("no change of e-mail address is waiting for a token")
}

// TestResendAndCancel: e mails a fresh token; c asks first, then cancels.
func TestResendAndCancel(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.press("2")
	a.waitText("#8")
	a.press("enter")
	a.waitText("Request #8", "Parties")
	a.press("e")
	a.waitText("a fresh token for request #8 was mailed to xavier@xara.pt")
	a.waitText("Mailbox (11)")
	a.press("c")
	a.waitText("Cancel request #8?")
	a.press("n")
	a.waitGone("Cancel request #8?")
	if r, _ := d.Request(ctx, demo.Persona, 8); r.State != model.StateValidating {
		t.Fatalf("n cancelled the request: %s", r.State)
	}
	a.press("c", "y")
	a.waitText("request #8 cancelled")
	if r, _ := d.Request(ctx, demo.Persona, 8); r.State != model.StateCancelled {
		t.Fatalf("request #8 is %s, want cancelled", r.State)
	}
}

// TestStateFilter narrows the requests to one state.
func TestStateFilter(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 120, 40)
	servicesShown(a)
	a.press("2")
	a.waitText("7 of 7 · state: all")
	a.press("f")
	s := a.waitText("4 of 7 · state: waiting")
	if strings.Contains(s, "#1 ") {
		t.Fatalf("a done request shows among the waiting ones:\n%s", s)
	}
	a.press("f")
	s = a.waitText("1 of 7 · state: done")
	if !strings.Contains(s, "#1 ") {
		t.Fatalf("the done request is missing:\n%s", s)
	}
}

// TestMouse: a click on a tab opens it, a click on a row selects it, a
// second click opens it.
func TestMouse(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 100, 30)
	servicesShown(a)
	a.tm.Send(tea.MouseClickMsg{X: 18, Y: 0, Button: tea.MouseLeft})
	a.waitText("My requests")
	a.tm.Send(tea.MouseClickMsg{X: 2, Y: 0, Button: tea.MouseLeft})
	servicesShown(a)
	// the body starts on line 2; its title and header take two lines
	a.tm.Send(tea.MouseClickMsg{X: 10, Y: 6, Button: tea.MouseLeft})
	a.waitFor("the third row selected", func(s string) bool { return strings.HasPrefix(lineOf(s, "ns3091432"), ">") })
	a.tm.Send(tea.MouseWheelMsg{X: 10, Y: 6, Button: tea.MouseWheelDown})
	a.waitFor("the sixth row selected", func(s string) bool { return strings.HasPrefix(lineOf(s, "pn-104233"), ">") })
	a.tm.Send(tea.MouseClickMsg{X: 10, Y: 9, Button: tea.MouseLeft})
	a.waitText("Edit contacts", "pn-104233")
}

// TestHistoryOfAService lists the service's history, newest first.
func TestHistoryOfAService(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 120, 40)
	servicesShown(a)
	a.typ("/vps-7f")
	a.press("enter", "h")
	s := a.waitText("History", "vps-7f3a21c9.vps.ovh.net", "contact changed")
	if strings.Index(s, "  done  ") > strings.Index(s, "service added") {
		t.Fatalf("history is not newest first:\n%s", s)
	}
	// enter opens a line's request: the key line offers it on a line
	// about one, not on the service's first line, about none
	if !strings.Contains(lastLines(s, 2), a.T("tui.history.key.open")) {
		t.Fatalf("the newest line, about a request, is not offered to open:\n%s", s)
	}
	a.press("G")
	a.waitFor("the oldest line selected", func(s string) bool {
		return strings.HasPrefix(lineOf(s, "service added"), ">") && !strings.Contains(lastLines(s, 2), a.T("tui.history.key.open"))
	})
	a.press("esc")
	a.waitText("filter: vps-7f", "1 of 12")
}

// TestHelpFollowsTheScreen: the help overlay lists the keys of the
// screen shown, generated from its key map.
func TestHelpFollowsTheScreen(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 120, 40)
	servicesShown(a)
	a.press("?")
	s := a.waitText("closes this help")
	for _, k := range []string{"edit contacts", "owner details", "role filter", "sort column", "reload", "next tab"} {
		if !strings.Contains(s, k) {
			t.Fatalf("help on Services lacks %q:\n%s", k, s)
		}
	}
	a.press("?")
	a.waitGone("closes this help")
	a.press("2", "enter")
	a.waitText("Request #8", "Parties")
	a.press("?")
	s = a.waitText("closes this help")
	for _, k := range []string{"accept", "refuse", "resend e-mail", "cancel request"} {
		if !strings.Contains(s, k) {
			t.Fatalf("help on a request awaiting the user lacks %q:\n%s", k, s)
		}
	}
	if strings.Contains(s, "role filter") {
		t.Fatalf("help on a request lists the keys of Services:\n%s", s)
	}
	a.press("esc")
	a.waitGone("closes this help")
}

// TestPickerAndLocked: with no account, the picker filters as you type
// (accents or not) and enter acts as the account; a locked session can't go back to it.
func TestPickerAndLocked(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, "", 100, 30)
	a.waitText("Act as which account", "8 of 8 accounts")
	// typed without the accents of the name: Yolanda Yáñez
	a.typ("yanez")
	a.waitText("1 of 8 accounts", "yy22222-ovh")
	a.press("enter")
	// Yolanda speaks Portuguese: the screens do too
	pt := locale.For(locale.PT)
	a.waitText("yy22222-ovh Yolanda Yáñez", pt.T("tui.tab.services"), pt.T("tui.services.title")+"  4 de 4")
	a.press("@")
	// the accounts shown before a click on one of them (a click on rows
	// still being read has nothing to select)
	a.waitText("Act as which account", "8 of 8 accounts", "ef24680-ovh")
	// the mouse too: the picker's table is under its title and its
	// field (rows 2 and 3 of the screen, under the bar and the rule);
	// its header is row 4, the third account row 7
	a.tm.Send(tea.MouseClickMsg{X: 5, Y: 7, Button: tea.MouseLeft})
	a.waitFor("the third account selected", func(s string) bool { return strings.HasPrefix(lineOf(s, "ef24680-ovh"), ">") })
	a.tm.Send(tea.MouseClickMsg{X: 5, Y: 7, Button: tea.MouseLeft})
	a.waitText("ef24680-ovh Eva Fontes", pt.T("tui.tab.services"))

	l := start(t, d, "yy22222-ovh", 100, 30, tui.Options{Locked: true, Tab: tui.MailboxTab})
	l.waitText("yy22222-ovh Yolanda Yáñez", l.T("tui.tab.mailbox")+" (", "os mais recentes primeiro")
	l.press("@", "?")
	s := l.waitText(l.T("tui.help.closing"))
	if strings.Contains(s, l.T("tui.picker.title")) || strings.Contains(s, l.T("tui.key.switch")) {
		t.Fatalf("a locked session offers to switch accounts:\n%s", s)
	}
}

// TestUserTextIsCleaned: names and subjects are drawn with every escape
// sequence removed, even when the store holds them.
func TestUserTextIsCleaned(t *testing.T) {
	d := newDesk(t)
	evil := "Eve\x1b]0;owned\x07 \x1b[31mRed\x1b[0m\u202eTxet"
	err := d.Store().Update(ctx, func(tx model.Tx) error {
		return tx.InsertAccount(model.Account{Handle: "ev66666-ovh", Name: evil, Email: "eve@example.com", Created: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	a := start(t, d, "ev66666-ovh", 100, 30)
	a.waitText("ev66666-ovh Eve Red")
	raw := a.raw()
	for _, bad := range []string{"\x1b]0;", "\x07", "\u202e", "\x1b[31m"} {
		if strings.Contains(raw, bad) {
			t.Fatalf("the screen draws %q from a user's name", bad)
		}
	}
}

// TestNoColour: with an ASCII profile nothing is coloured, yet the
// selected row and the marks stay visible.
func TestNoColour(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 100, 30)
	s := servicesShown(a)
	a.quit()
	out := readAll(t, a)
	for _, m := range sgrRE.FindAllStringSubmatch(out, -1) {
		for _, p := range strings.Split(m[1], ";") {
			if strings.HasPrefix(p, "3") || strings.HasPrefix(p, "4") || strings.HasPrefix(p, "9") || strings.HasPrefix(p, "10") {
				if p != "4" { // 4 alone is underline
					t.Fatalf("colour %q sent to an ASCII terminal", m[0])
				}
			}
		}
	}
	if !strings.HasPrefix(lineOf(s, "fontes-arquitetura.pt"), ">● ") {
		t.Fatalf("the selection or the pending mark is not visible as text:\n%s", s)
	}
}

var sgrRE = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

func readAll(t *testing.T, a *app) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 4096)
	r := a.tm.Output()
	for {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if err != nil || n == 0 {
			return b.String()
		}
	}
}

// TestQuitUnsubscribes: q ends the program and its subscription.
func TestQuitUnsubscribes(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	servicesShown(a)
	if n := d.Broker().Subscribers(); n != 1 {
		t.Fatalf("%d subscribers while running, want 1", n)
	}
	a.typ("q")
	a.tm.WaitFinished(t)
	if n := d.Broker().Subscribers(); n != 0 {
		t.Fatalf("%d subscribers after quitting, want 0", n)
	}
}

// TestChangeFromElsewhereAppears: a write by another session reaches an
// open screen with no key pressed; ctrl+r reloads too.
func TestChangeFromElsewhereAppears(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.press("4")
	a.waitText("xavier@xara.pt")
	if _, err := d.AskEmailChange(ctx, demo.Persona, "x@elsewhere.example"); err != nil {
		t.Fatal(err)
	}
	a.waitText("x@elsewhere.example")
	a.press("ctrl+r")
	a.waitText("reloaded")
}

// TestDeliveryShown: with real delivery on, the mailbox and the mail say
// where each mail stands, and why a failed one failed.
func TestDeliveryShown(t *testing.T) {
	st, err := storage.Open(filepath.Join(t.TempDir(), "desk.db"), storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := model.NewDesk(st, model.Options{Clock: fixedClock(now)})
	if _, err := d.UseRealDelivery(ctx); err != nil { // as a run with --smtp does
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, d, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	// the newest mail of the persona failed: the server refused the address
	var token string
	err = d.Store().Update(ctx, func(tx model.Tx) error {
		due, err := tx.DueMails(now, 1000)
		if err != nil {
			return err
		}
		for _, e := range due {
			if e.Mail.To == demo.Persona && e.Mail.RequestID == 8 {
				token = e.Mail.Token
				e.State, e.Attempts, e.Updated, e.LastError = model.DeliveryFailed, 3, now, "550 5.1.1 mailbox unavailable"
				return tx.SetDelivery(e)
			}
		}
		return fmt.Errorf("no mail to fail")
	})
	if err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 120, 40)
	servicesShown(a)
	a.press("3")
	s := a.waitText("Delivery", "pending")
	if !strings.Contains(lineOf(s, "padaria-yolanda.pt (request #8)"), "failed") {
		t.Fatalf("the failed mail is not marked failed:\n%s", s)
	}
	a.press("enter")
	a.waitText("Delivery  failed: 550 5.1.1 mailbox unavailable")
	// With real delivery, the token is the recipient's inbox's alone:
	// this one never got there.
	if s := a.waitText("Token     not delivered to", "the desk keeps no copy"); token == "" || strings.Contains(s, token) {
		t.Fatalf("the mail shows its token %q:\n%s", token, s)
	}
}

// TestHelpFromAField: f1 opens help where ? is a letter.
func TestHelpFromAField(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 100, 30)
	servicesShown(a)
	// not the first service, fontes-arquitetura.pt: its one role the
	// persona may change, billing, has a request pending, and no field
	a.editService("web.xara")
	a.typ("?")
	a.waitText("[?")
	a.tm.Send(tea.KeyPressMsg{Code: tea.KeyF1})
	s := a.waitText("closes this help")
	if !strings.Contains(s, "send request") {
		t.Fatalf("help in the form lacks its keys:\n%s", s)
	}
}

// TestSeveralNewContactsAllOrNone: a new tech and a different new
// billing contact are sent together, in one transaction: when the model
// refuses one, nothing is stored, the refusal shows beside its field and
// both fields keep what was typed; once it is allowed, both requests
// are made at once.
func TestSeveralNewContactsAllOrNone(t *testing.T) {
	d := newDesk(t)
	before, _ := d.Requests(ctx, demo.Persona)
	a := start(t, d, demo.Persona, 120, 30)
	servicesShown(a)
	a.typ("/xara.pt")
	a.press("enter", "G")
	a.waitFor("xara.pt selected", func(s string) bool { return strings.Contains(lineOf(s, ">"), " xara.pt") })
	a.press("enter")
	a.waitText("Edit contacts", "Current contact")
	a.press("tab") // tech
	a.typ("zz33333-ovh")
	a.press("tab") // billing
	a.typ("cd67890-ovh")
	a.waitText("zz33333-ovh (new tech contact)", "cd67890-ovh (new billing contact)")

	// Behind the form's back (another tool), the new billing contact
	// falls behind with its payments: the plan shown does not know.
	setOwes := func(c model.Cents) {
		t.Helper()
		if err := d.Store().Update(ctx, func(tx model.Tx) error { return tx.SetOwes("cd67890-ovh", c) }); err != nil {
			t.Fatal(err)
		}
	}
	setOwes(1000)
	a.press("ctrl+s")
	s := a.waitText("nothing was sent: see the form")
	checkBeside(t, s, "billing", "! cd67890-ovh has unpaid bills")
	if !strings.Contains(lineOf(s, " tech  "), "[zz33333-ovh") || !strings.Contains(lineOf(s, " billing  "), "[cd67890-ovh") {
		t.Fatalf("what was typed is lost:\n%s", s)
	}
	if strings.Contains(lineOf(s, " tech  "), "!") {
		t.Fatalf("the tech field shows a refusal that is not its own:\n%s", s)
	}
	after, _ := d.Requests(ctx, demo.Persona)
	if len(after) != len(before) {
		t.Fatalf("a refused form made %d requests", len(after)-len(before))
	}

	setOwes(0)
	a.press("ctrl+s")
	s = a.waitText("requests #", " sent; waiting for confirmation — #")
	a.waitGone("Edit contacts")
	after, _ = d.Requests(ctx, demo.Persona)
	if len(after) != len(before)+2 {
		t.Fatalf("%d requests made, want 2:\n%s", len(after)-len(before), s)
	}
	for _, r := range after[:2] {
		if each := fmt.Sprintf("#%d: you and %s", r.ID, r.To); !strings.Contains(s, each) {
			t.Fatalf("the message does not say %q:\n%s", each, s)
		}
	}
	for _, r := range after[:2] {
		if r.Service != "xara.pt" || !((r.To == "zz33333-ovh" && r.RoleList() == "tech") || (r.To == "cd67890-ovh" && r.RoleList() == "billing")) {
			t.Fatalf("unexpected request %+v", r)
		}
	}
}

// TestLongRequestNumbers: numbers of four digits and more are shown
// whole in the Requests tab, at 80 columns.
func TestLongRequestNumbers(t *testing.T) {
	d := newDesk(t)
	s, err := d.Service(ctx, demo.Persona, "xara.pt")
	if err != nil {
		t.Fatal(err)
	}
	err = d.Store().Update(ctx, func(tx model.Tx) error {
		for range 1000 {
			r := &model.Request{ServiceID: s.ID, Roles: []model.Role{model.Tech}, From: demo.Persona, To: "yy22222-ovh", Requester: demo.Persona,
				State: model.StateCancelled, Reason: "cancelled", Created: now.Add(-time.Hour), Expires: now.Add(time.Hour), Ended: now.Add(-time.Minute),
				Parties: []model.Party{{Handle: demo.Persona, Answer: model.AnswerPending}, {Handle: "yy22222-ovh", Answer: model.AnswerPending}}}
			if err := tx.InsertRequest(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 80, 24)
	servicesShown(a)
	a.press("2")
	sc := a.waitText("My requests", "#1008 ")
	if strings.Contains(sc, "#10…") {
		t.Fatalf("a request's number is cut:\n%s", sc)
	}
}

// TestTypedTokenNotSaidFilledIn: a token typed into the prompt, then the
// prompt closed, is kept, and the page says it is what was typed, not
// "the token from your mail is filled in"; tab's, the mail's, is.
func TestTypedTokenNotSaidFilledIn(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 100, 30)
	servicesShown(a)
	a.openRequest8()
	a.press("a")
	a.waitText("Accept request #8 with your token:")
	a.typ("hello")
	a.press("esc")
	s := a.waitText(a.T("tui.request.typed_in"))
	if strings.Contains(s, a.T("tui.request.filled_in")) {
		t.Fatalf("a typed token is said to be the mail's:\n%s", s)
	}
	a.press("a")
	a.waitText("Accept request #8 with your token:")
	a.press("ctrl+u", "tab") // the field emptied, then the mail's token
	a.press("esc")
	a.waitText(a.T("tui.request.filled_in"))
}

// deskWithCodeMail is a desk whose persona was mailed a code that
// validates a consumer key (reading GET /me) asked for by its application
// key "dashboard", as it was asked for (its number, its page's token).
func deskWithCodeMail(t *testing.T) (d *model.Desk, asked model.CredentialAsked) {
	t.Helper()
	d = newDesk(t)
	if _, err := d.SetSetting(ctx, model.SettingPublicURL, "https://desk.example.net"); err != nil {
		t.Fatal(err)
	}
	k, err := d.AddAPIKey(ctx, demo.Persona, "dashboard", modeltest.TagBox{})
	if err != nil {
		t.Fatal(err)
	}
	asked, err = d.AskCredential(ctx, k.AppKey, []model.APIRule{{Method: "GET", Path: "/me"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.MailCredentialCode(ctx, asked.Token); err != nil {
		t.Fatal(err)
	}
	return d, asked
}

// TestMailOfACredentialCode: the mail with the code that validates a
// consumer key shows its code and its web page's link, and offers to
// open nothing in the app: no request #0.
func TestMailOfACredentialCode(t *testing.T) {
	d, _ := deskWithCodeMail(t)
	ms, _ := d.Mails(ctx, demo.Persona)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.press("3")
	a.waitText("Validate the API access asked for " + string(demo.Persona))
	a.press("enter")
	s := a.waitText(ms[0].Token, "read (GET) the path /me", "https://desk.example.net/auth/")
	if strings.Contains(s, "request #0") || strings.Contains(s, "o open") {
		t.Fatalf("the mail of a code offers to open something:\n%s", s)
	}
}
