package tui_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/tui"
)

// Rough edges a QA pass found.

// lastLine is the screen's last line: the status line.
func lastLine(s string) string {
	ls := strings.Split(s, "\n")
	return ls[len(ls)-1]
}

// TestPickerHelpAndWayBack: f1 opens help on the account picker, as its
// key line says; the picker opened with @ names the account in use, and
// esc goes back to it as it was (esc first clears what was typed).
func TestPickerHelpAndWayBack(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, "", 80, 24)
	a.waitText(a.T("tui.picker.title"), a.T("tui.picker.info", locale.Args{"Shown": 8, "N": 8}))
	a.tm.Send(tea.KeyPressMsg{Code: tea.KeyF1})
	a.waitText(a.T("tui.help.closing"), a.T("tui.picker.key.pick"))
	a.tm.Send(tea.KeyPressMsg{Code: tea.KeyF1})
	a.waitGone(a.T("tui.help.closing"))
	// no account in use: esc has nowhere to go back to
	a.press("esc")
	a.waitText(a.T("tui.picker.title"), a.T("tui.status.no_account"))

	b := start(t, d, demo.Persona, 80, 24)
	b.openRequest8()
	b.press("@")
	s := b.waitText(b.T("tui.picker.title"), b.T("tui.picker.info", locale.Args{"Shown": 8, "N": 8}))
	if st := lastLine(s); strings.Contains(st, b.T("tui.status.no_account")) || !strings.Contains(st, string(demo.Persona)) {
		t.Fatalf("the picker opened with @ doesn't name the account in use:\n%s", s)
	}
	if !strings.Contains(s, "esc "+b.T("tui.key.back")) {
		t.Fatalf("the picker opened with @ doesn't show its way back:\n%s", s)
	}
	b.typ("yy")
	b.waitText(b.T("tui.picker.info", locale.Args{"Shown": 1, "N": 8}))
	b.press("esc") // clears what was typed
	b.waitText(b.T("tui.picker.info", locale.Args{"Shown": 8, "N": 8}))
	b.press("esc") // goes back
	s = b.waitText(b.T("tui.request.title", locale.Args{"ID": 8}), b.T("tui.request.parties"))
	if !b.loaded(s) || strings.Contains(s, b.T("tui.picker.title")) {
		t.Fatalf("esc didn't go back to the account in use:\n%s", s)
	}
	// the screens are those of before, alive: esc closes the request,
	// on the tab it was opened from
	b.press("esc")
	b.waitText(b.T("tui.requests.title"), "#8")
}

// TestPickerWayBackWhileReading: a screen whose read was under way when
// @ opened the picker gets its answer all the same, and shows it once
// esc goes back.
func TestPickerWayBackWhileReading(t *testing.T) {
	base := newDesk(t)
	h := newHeldDesk(t, base, true, "ServicesOf", "FirstServicesOf")
	a := start(t, h.Desk, demo.Persona, 80, 24)
	a.waitText(a.T("tui.loading"))
	a.press("@")
	a.waitText(a.T("tui.picker.title"), a.T("tui.picker.info", locale.Args{"Shown": 8, "N": 8}))
	h.release()
	// the answer lands while the picker shows (no sign of it on screen
	// to wait for)
	time.Sleep(200 * time.Millisecond)
	a.press("esc")
	servicesShown(a)
}

// TestMailWithoutTokenSaysNoToken: o on a mail with no token (the outcome
// of a request) opens the request, and its key says nothing of a token
// filled in; on a mail with one, it does.
func TestMailWithoutTokenSaysNoToken(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT} {
		a := start(t, newDeskIn(t, lang), demo.Persona, 80, 24, tui.Options{Tab: tui.MailboxTab})
		a.waitText(a.T("tui.mailbox.title"), "#1 ")
		// the newest mail asks the persona to confirm: it holds a token
		a.press("enter")
		a.waitText("o "+a.T("tui.mail.key.open"), "esc "+a.T("tui.key.back"))
		a.press("esc")
		a.typ("/#1 ")
		a.press("enter", "enter")
		s := a.waitText(a.T("tui.mail.hint_open", locale.Args{"ID": 1}), "o "+a.T("tui.mail.key.open_no_token")+" ·")
		if strings.Contains(s, a.T("tui.mail.key.open")) {
			t.Fatalf("a mail without a token says o fills its token in:\n%s", s)
		}
		a.press("o")
		a.waitText(a.T("tui.request.title", locale.Args{"ID": 1}))
	}
}

// TestHelpFromAFieldListsWhatWorks: help opened with f1 while a field has
// the keys lists no key that is a letter there (? and @ type
// themselves), in a form and on the account picker.
func TestHelpFromAFieldListsWhatWorks(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	servicesShown(a)
	a.editShop()
	a.press("tab") // a field of the form
	a.tm.Send(tea.KeyPressMsg{Code: tea.KeyF1})
	s := a.waitText(a.T("tui.help.closing"), "f1 ")
	letters := regexp.MustCompile(`(^|\s)(\?|@|q)\s{2,}\S`)
	if letters.MatchString(s) || strings.Contains(s, a.T("tui.key.switch")) {
		t.Fatalf("help from a field lists keys that type there:\n%s", s)
	}
	// on a list, they work: listed
	a.tm.Send(tea.KeyPressMsg{Code: tea.KeyF1})
	a.waitGone(a.T("tui.help.closing"))
	a.press("esc", "esc")
	servicesShown(a)
	a.press("?")
	s = a.waitText(a.T("tui.help.closing"))
	if !letters.MatchString(s) || !strings.Contains(s, a.T("tui.key.switch")) {
		t.Fatalf("help on a list lacks ?, q or @:\n%s", s)
	}
	a.press("esc")
	a.waitGone(a.T("tui.help.closing"))

	a.press("@")
	a.waitText(a.T("tui.picker.title"), a.T("tui.picker.info", locale.Args{"Shown": 8, "N": 8}))
	a.tm.Send(tea.KeyPressMsg{Code: tea.KeyF1})
	s = a.waitText(a.T("tui.help.closing"), a.T("tui.picker.key.pick"))
	if letters.MatchString(s) || strings.Contains(s, a.T("tui.key.switch")) {
		t.Fatalf("help on the picker lists keys that type there:\n%s", s)
	}
}

// TestEndedRequestHasNoPendingAnswer: once a request has ended, a party
// that never answered reads as not answered, not as pending.
func TestEndedRequestHasNoPendingAnswer(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT} {
		a := start(t, newDeskIn(t, lang), demo.Persona, 80, 24, tui.Options{Tab: tui.RequestsTab})
		a.waitText(a.T("tui.requests.title"), "#7 ")
		a.typ("/#7")
		a.press("enter", "enter")
		s := a.waitText(a.T("tui.request.title", locale.Args{"ID": 7}), a.T("tui.request.parties"))
		pending := model.AnswerPending.In(a.l)
		if !strings.Contains(lineOf(s, "  yy22222-ovh "), pending) {
			t.Fatalf("a party yet to answer a request under way is not pending:\n%s", s)
		}
		a.press("c", "y")
		s = a.waitText(model.StateCancelled.In(a.l), a.T("tui.request.label.ended"))
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "  ") && strings.HasSuffix(strings.TrimSpace(l), pending) {
				t.Fatalf("a party of a cancelled request is pending:\n%s", s)
			}
		}
		if !strings.Contains(lineOf(s, "  yy22222-ovh "), a.T("tui.request.no_answer")) {
			t.Fatalf("a party of a cancelled request that never answered doesn't read so:\n%s", s)
		}
	}
}

// TestCommandInAMailIsNeverBroken: a shell command in a mail, too long
// for 80 columns, is broken at its spaces only, with shell continuations:
// its lines, copied, are the command, its token whole.
func TestCommandInAMailIsNeverBroken(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 80, 24, tui.Options{Tab: tui.MailboxTab})
	a.waitText(a.T("tui.mailbox.title"), "#1 ")
	a.press("enter") // the newest mail: request #8's, with its token
	a.waitText(a.T("tui.mail.hint_open_token", locale.Args{"ID": 8}))
	a.press("G")
	s := a.waitText("contactdesk request accept 8")
	want := regexp.MustCompile(`^contactdesk request (accept|refuse) 8 --as xx11111-ovh --token ` + tokenRE.String() + `$`)
	ls := strings.Split(s, "\n")
	var cmds []string
	for i := 0; i < len(ls); i++ {
		l := strings.TrimSpace(ls[i])
		if !strings.HasPrefix(l, "contactdesk request") {
			continue
		}
		for strings.HasSuffix(l, " \\") && i+1 < len(ls) {
			i++
			l = strings.TrimSuffix(l, "\\") + strings.TrimSpace(ls[i])
		}
		if !want.MatchString(l) {
			t.Fatalf("a command copied from the mail reads %q:\n%s", l, s)
		}
		cmds = append(cmds, l)
	}
	if len(cmds) != 2 {
		t.Fatalf("the mail's two commands are not whole on screen:\n%s", s)
	}
}

// TestServiceNameGrowsWithTheWidth: on a wide terminal, a long service
// name shows whole instead of cut at the column's usual width, the room
// right of the table left empty.
func TestServiceNameGrowsWithTheWidth(t *testing.T) {
	d := newDesk(t)
	long := "a-very-long-service-name-that-goes-on-and-on-and-on.example.com"
	err := d.Store().Update(ctx, func(tx model.Tx) error {
		return tx.InsertService(&model.Service{Name: long, Type: model.TypeVPS, Admin: demo.Persona, Tech: demo.Persona, Billing: demo.Persona, Created: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 200, 30)
	a.waitText(long + " ")
	// at 80 columns the name is cut, as before
	b := start(t, d, demo.Persona, 80, 24)
	b.waitText("a-very-long-service-name", "…")
}

// TestAskedLongAgoSaysTheDateOnce: a request asked for more than a week
// ago shows its date once, not the date and then the date again as "how
// long ago".
func TestAskedLongAgoSaysTheDateOnce(t *testing.T) {
	a := start(t, newDesk(t), "yy22222-ovh", 120, 40)
	a.waitText("padaria-yolanda.pt")
	a.press("2")
	a.waitText(a.T("tui.requests.title"), "#3")
	a.typ("/#3")
	a.press("enter", "enter")
	s := a.waitText(a.T("tui.request.title", locale.Args{"ID": 3}), a.T("tui.request.label.asked_by"))
	line := lineOf(s, a.T("tui.request.label.asked_by"))
	if strings.Count(line, "/02/2026") != 1 {
		t.Errorf("the request's date, %q", line)
	}
}

// TestLockedSessionSaysWhyNoSwitch: over SSH (a locked session) @ does
// not open the account picker, and says why, in the session's language,
// the status line still naming the account; in a field, @ is typed.
func TestLockedSessionSaysWhyNoSwitch(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, "yy22222-ovh", 80, 24, tui.Options{Locked: true})
	a.waitText("yy22222-ovh Yolanda Yáñez │ ", "padaria-yolanda.pt")
	why := a.T("tui.switch_locked")
	if !strings.HasPrefix(why, "por SSH") {
		t.Fatalf("the account speaks Portuguese; the notice reads %q", why)
	}
	a.press("@")
	s := a.waitText(why[:30])
	if !shownWhole(s, why) || !strings.HasPrefix(lastLine(s), "yy22222-ovh Yolanda Yáñez │ ") {
		t.Fatalf("the notice is not whole, or hides the account:\n%s", s)
	}
	if strings.Contains(s, a.T("tui.picker.title")) {
		t.Fatalf("a locked session opened the picker:\n%s", s)
	}
	// in a field, @ is a letter of an address
	a.press("esc", "4")
	a.waitText(a.T("tui.profile.recent"))
	a.press("e", "ctrl+u")
	a.typ("y@z")
	s = a.waitText("[y@z")
	if strings.Contains(s, why[:30]) {
		t.Fatalf("@ typed in a field brought the notice:\n%s", s)
	}
}

var sizeRE = regexp.MustCompile(`(\d+)×(\d+)`)

// TestTooSmallWindow: a window too small for the screen shows a notice
// naming the size it needs and the window's, in the user's language,
// instead of a broken layout; keys typed meanwhile do nothing blind;
// once the window is large enough again, the screen is exactly as it was
// (the form, what was typed in it, where the cursor was). A screen that
// works in less than 80×24 goes on working there.
func TestTooSmallWindow(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	servicesShown(a)
	resize := func(a *app, w, h int) string {
		a.tm.Send(tea.WindowSizeMsg{Width: w, Height: h})
		// the frame at that size: its rule as wide, or the notice
		return a.waitFor(fmt.Sprintf("%d×%d", w, h), func(s string) bool {
			ls := strings.Split(s, "\n")
			return len(ls) == h && (ls[1] == strings.Repeat("─", w) || strings.Contains(s, fmt.Sprintf("%d×%d", w, h)))
		})
	}
	// small checks s is the notice: the size needed, larger, then the
	// window's
	small := func(a *app, s string, w, h int) {
		t.Helper()
		checkFrame(t, s, w, h)
		sizes := sizeRE.FindAllStringSubmatch(s, -1)
		if !shownWhole(s, a.T("tui.small.title")) || strings.Contains(s, "xara-shop.com") || len(sizes) != 2 ||
			sizes[1][0] != fmt.Sprintf("%d×%d", w, h) || sizes[0][0] == sizes[1][0] {
			t.Fatalf("no notice at %d×%d:\n%s", w, h, s)
		}
	}

	// the Services list works at 70×20, all its columns whole, the
	// cursor on its last row
	a.press("G")
	s := resize(a, 70, 20)
	if strings.Contains(s, a.T("tui.small.title")) || !strings.Contains(lineOf(s, "> "), "xara.pt") || !strings.Contains(lineOf(s, "xara-shop.com"), "ab12345-ovh") {
		t.Fatalf("the list at 70×20:\n%s", s)
	}
	// at 60×20 its billing column would be cut
	before := a.screen()
	small(a, resize(a, 60, 20), 60, 20)
	small(a, resize(a, 20, 6), 20, 6)
	// a window with room for part of the notice keeps the one key that
	// works there before the word that all is kept
	if s := resize(a, 30, 10); !strings.Contains(s, a.T("tui.small.quit")) {
		t.Fatalf("the notice at 30×10 does not say how to quit:\n%s", s)
	}
	if s := resize(a, 70, 20); s != before {
		t.Fatalf("the list is not as it was:\nbefore:\n%s\nafter:\n%s", before, s)
	}

	// a form with a draft, the cursor in it
	resize(a, 80, 24)
	a.press("g")
	a.editShop()
	a.press("tab")
	a.typ("zz33")
	before = a.waitText("[zz33 ", "> zz33333-ovh  Zélia Zagalo")
	small(a, resize(a, 50, 14), 50, 14)
	a.typ("x")
	a.press("enter", "ctrl+s", "esc") // blind: nothing happens
	time.Sleep(50 * time.Millisecond)
	if s := a.screen(); !strings.Contains(s, a.T("tui.small.title")) {
		t.Fatalf("a key typed blind acted:\n%s", s)
	}
	resize(a, 80, 24)
	if s := a.waitText("> zz33333-ovh  Zélia Zagalo"); s != before {
		t.Fatalf("the form is not as it was:\nbefore:\n%s\nafter:\n%s", before, s)
	}
	if rs, _ := d.Requests(ctx, demo.Persona); len(rs) != 7 {
		t.Fatalf("a request was sent while the window was too small: %d requests", len(rs))
	}

	// a session opened in a small window says so in its language, and
	// shows its screen once the window is larger
	b := start(t, d, "yy22222-ovh", 40, 12)
	s = b.waitText(b.T("tui.small.title")[:20])
	if !strings.HasPrefix(b.T("tui.small.title"), "A janela") {
		t.Fatalf("Yolanda speaks Portuguese: %q", b.T("tui.small.title"))
	}
	small(b, s, 40, 12)
	resize(b, 80, 24)
	b.waitText("yy22222-ovh Yolanda Yáñez │ ", "padaria-yolanda.pt")
}

// TestYesInTheLanguage: a question is answered yes with the language's
// own letter (s for sim, o for oui), which its keys show, as well as y.
func TestYesInTheLanguage(t *testing.T) {
	for lang, yes := range map[model.Lang]string{model.LangPT: "s", model.LangFR: "o", model.LangEN: "y"} {
		a := start(t, newDeskIn(t, lang), demo.Persona, 80, 24, tui.Options{Tab: tui.RequestsTab})
		a.waitText(a.T("tui.requests.title"), "#7 ")
		a.typ("/#7")
		a.press("enter", "enter")
		a.waitText(a.T("tui.request.title", locale.Args{"ID": 7}), a.T("tui.request.parties"))
		a.press("c")
		a.waitText(yes + " " + a.T("tui.request.key.yes"))
		a.press(yes)
		a.waitText(model.StateCancelled.In(a.l), a.T("tui.request.label.ended"))
	}
}

// TestEscWithSuggestionsSaysItCloses: with suggestions open under a
// field, esc closes them and does not leave: the line under the form and
// the help say so then ("esc leave" had the user type "esc y" and find
// the y in the field); once they are closed, they say esc leaves.
func TestEscWithSuggestionsSaysItCloses(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	servicesShown(a)
	a.editShop()
	a.press("tab") // tech
	a.typ("cd6")
	send := "[ " + a.T("tui.contacts.send") + " ]"
	s := a.waitText("cd67890-ovh  Carlos")
	if l := lineOf(s, send); !strings.Contains(l, a.T("tui.contacts.keys_suggesting")) {
		t.Fatalf("with suggestions open, the form does not say esc closes them: %q\n%s", l, s)
	}
	a.tm.Send(tea.KeyPressMsg{Code: tea.KeyF1})
	s = a.waitText(a.T("tui.help.closing"))
	if !strings.Contains(s, a.T("tui.contacts.key.close")) || strings.Contains(s, a.T("tui.contacts.key.leave")) {
		t.Fatalf("with suggestions open, the help says esc leaves:\n%s", s)
	}
	a.tm.Send(tea.KeyPressMsg{Code: tea.KeyF1})
	a.waitGone(a.T("tui.help.closing"))

	a.press("esc")
	s = a.waitGone("cd67890-ovh  Carlos")
	if l := lineOf(s, send); !strings.Contains(l, a.T("tui.contacts.keys")) || !strings.Contains(s, "[cd6") {
		t.Fatalf("with the suggestions closed, the form does not say esc leaves, or lost what was typed: %q\n%s", l, s)
	}
	a.tm.Send(tea.KeyPressMsg{Code: tea.KeyF1})
	s = a.waitText(a.T("tui.help.closing"))
	if !strings.Contains(s, a.T("tui.contacts.key.leave")) || strings.Contains(s, a.T("tui.contacts.key.close")) {
		t.Fatalf("with the suggestions closed, the help does not say esc leaves:\n%s", s)
	}
}

// TestHelpFitsASmallWindow: in the smallest window the Services screen
// draws in, the help box keeps its border and its closing line, its last
// keys giving way to "…", instead of losing its bottom rows.
func TestHelpFitsASmallWindow(t *testing.T) {
	for _, size := range [][2]int{{68, 20}, {80, 24}} {
		a := start(t, newDesk(t), demo.Persona, size[0], size[1])
		a.waitText("xara-shop.com")
		a.press("?")
		s := a.waitText(a.T("tui.help.closing"))
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			if strings.Contains(l, a.T("tui.help.closing")) {
				if i+1 >= len(lines) || !strings.Contains(lines[i+1], "└") {
					t.Errorf("%dx%d: the help box has no bottom border under its closing line:\n%s", size[0], size[1], s)
				}
			}
		}
		checkFrame(t, s, size[0], size[1])
	}
}
