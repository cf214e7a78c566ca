package tui_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
)

// Rough edges a second QA pass found.

// TestSuggestionsShowOnlyAcquaintances: over SSH many customers share
// one desk, so the Edit contacts form suggests only the accounts the user
// already has to do with (the contacts of its services, the parties of
// its requests), by handle or name: an address typed whole suggests
// nobody (it would confirm whose address it is), an account the user has
// nothing to do with is never named, and "@" lists nobody. Such an
// account is still taken when its whole handle is typed.
func TestSuggestionsShowOnlyAcquaintances(t *testing.T) {
	d := newDesk(t)
	if _, err := d.AddAccount(ctx, model.NewAccount{Handle: "st99999-ovh", Name: "Stella Strand", Email: "stella@strand.example"}); err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.editShop()
	a.press("tab") // tech
	field := func(typed string) string {
		a.t.Helper()
		end := typed[max(0, len(typed)-20):] // a long value scrolls
		return a.waitFor(typed+" in the field", func(s string) bool { return strings.Contains(lineOf(s, " tech  "), end+" ") })
	}
	for _, typed := range []string{"@", "carlos@duarte-consulting.com", "duarte-consulting", "stella", "st9", "strand.example"} {
		a.press("ctrl+u")
		a.typ(typed)
		s := field(typed)
		for _, name := range []string{"Carlos Duarte", "Stella Strand", "st99999-ovh", "Alice Brandão", "Yolanda Yáñez"} {
			if strings.Contains(s, name) {
				t.Fatalf("%q suggests %s:\n%s", typed, name, s)
			}
		}
	}
	// the accounts the user has to do with, by handle or by name
	a.press("ctrl+u")
	a.typ("carlos")
	a.waitText("> cd67890-ovh  Carlos Duarte")
	// another account, its whole handle typed: the form takes it
	a.press("ctrl+u")
	a.typ("st99999-ovh")
	s := a.waitText("→ st99999-ovh", a.T("tui.contacts.who"))
	if strings.Contains(s, "Stella") {
		t.Fatalf("the account's name is shown:\n%s", s)
	}
}

// TestLangChangeKeepsWhatWasTyped: a language chosen elsewhere (profile
// set-lang from the command line: the desk's SetLang) turns the open
// screens to it in place: the Edit contacts form keeps its field, what
// was typed in it and its focus; the accept prompt keeps its half-typed
// token; the Profile's e-mail field, being edited, keeps its draft. The
// session jumped back to the Services list, the form gone.
func TestLangChangeKeepsWhatWasTyped(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	servicesShown(a)
	a.editShop()
	a.press("tab") // tech
	a.typ("zz333")
	a.waitText("[zz333")
	setLang := func(lang model.Lang) *locale.Localizer {
		t.Helper()
		if _, err := d.SetLang(ctx, demo.Persona, string(lang)); err != nil {
			t.Fatal(err)
		}
		return locale.For(lang)
	}
	a.waitText("> zz33333-ovh  Zélia Zagalo")
	pt := setLang(model.LangPT)
	s := a.waitText(pt.T("tui.contacts.title"), pt.T("tui.contacts.col.current"), "[zz333", "> zz33333-ovh  Zélia Zagalo")
	if !strings.HasPrefix(lineOf(s, "[zz333"), "> "+pt.T("tui.role.tech")) {
		t.Fatalf("the tech field lost the keys:\n%s", s)
	}
	a.typ("33-ovh") // the cursor where it was: the handle whole
	a.waitText("→ zz33333-ovh", pt.T("tui.contacts.who"))
	a.press("esc", "y")
	a.waitGone(pt.T("tui.contacts.title"))

	// the accept prompt, a token half typed
	a.l = pt
	a.openRequest8()
	a.press("a")
	a.typ("ABCD-12")
	a.waitText("ABCD-12")
	fr := setLang(model.LangFR)
	s = a.waitText(fr.T("tui.request.title", locale.Args{"ID": 8}), "ABCD-12")
	if !strings.Contains(s, fr.T("tui.request.prompt.accept", locale.Args{"ID": 8})) {
		t.Fatalf("the prompt is gone:\n%s", s)
	}
	a.typ("34")
	a.waitText("ABCD-1234")
	a.press("esc", "esc")

	// the Profile's e-mail field, being edited
	a.waitGone("ABCD-1234")
	a.press("4", "e", "ctrl+u")
	a.typ("new@xara")
	a.waitText("[new@xara")
	en := setLang(model.LangEN)
	a.waitText(en.T("tui.tab.profile"), en.T("tui.profile.label.email"), "[new@xara")
	a.typ(".pt")
	a.waitText("[new@xara.pt")
}

// TestEscClosesSuggestionsThenAsks: esc with the suggestions open closes
// them, the form and what was typed staying; esc again, with something
// typed, asks before leaving (as cancelling a request asks): n or esc
// keeps the form, y leaves it. A form with nothing typed leaves at once.
func TestEscClosesSuggestionsThenAsks(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 80, 24)
	servicesShown(a)
	a.editShop()
	a.press("tab") // tech
	a.typ("zz3")
	a.waitText("> zz33333-ovh  Zélia Zagalo")
	a.press("esc")
	s := a.waitGone("Zélia Zagalo")
	if !strings.Contains(s, a.T("tui.contacts.col.current")) || !strings.Contains(lineOf(s, "> tech"), "[zz3 ") {
		t.Fatalf("esc left the form, or lost what was typed:\n%s", s)
	}
	a.press("esc")
	a.waitText(a.T("tui.contacts.leave_ask"), a.T("tui.contacts.leave_keys"))
	a.press("n")
	s = a.waitGone(a.T("tui.contacts.leave_ask"))
	if !strings.Contains(lineOf(s, "> tech"), "[zz3 ") {
		t.Fatalf("n lost what was typed:\n%s", s)
	}
	a.typ("3") // the field has the keys again, and suggests again
	a.waitText("[zz33 ", "> zz33333-ovh  Zélia Zagalo")
	a.press("esc", "esc")
	a.waitText(a.T("tui.contacts.leave_ask"))
	a.press("esc") // esc: no, keep editing
	a.waitGone(a.T("tui.contacts.leave_ask"))
	a.press("esc", "y")
	a.waitGone(a.T("tui.contacts.col.current"))
	a.waitText(a.T("tui.services.title"))
	// nothing typed: esc leaves at once
	a.press("enter")
	a.waitText(a.T("tui.contacts.col.current"))
	a.press("esc")
	a.waitGone(a.T("tui.contacts.col.current"))
}

// TestTabClickKeepsTheForm: a click on a tab, from the Edit contacts form
// holding what was typed, keeps the form: back on its tab (by key or by
// click) it shows again, what was typed and the field with the keys as
// they were — as the Profile's e-mail field being edited stays. A form
// with nothing typed closes, as before.
func TestTabClickKeepsTheForm(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 100, 30)
	servicesShown(a)
	a.editShop()
	a.press("tab") // tech
	a.typ("zz33333-ovh")
	a.waitText("→ zz33333-ovh")
	a.tm.Send(tea.MouseClickMsg{X: 20, Y: 0, Button: tea.MouseLeft}) // "2 Requests"
	s := a.waitText("My requests")
	if strings.Contains(s, a.T("tui.contacts.title")) {
		t.Fatalf("the form still shows:\n%s", s)
	}
	a.press("1")
	s = a.waitText(a.T("tui.contacts.title"), "→ zz33333-ovh")
	if !strings.HasPrefix(lineOf(s, "[zz33333-ovh"), "> tech") {
		t.Fatalf("the tech field lost what was typed, or the keys:\n%s", s)
	}
	// a click on the form's own tab keeps it too
	a.tm.Send(tea.MouseClickMsg{X: 3, Y: 0, Button: tea.MouseLeft})
	a.typ("x")
	a.waitText("[zz33333-ovhx")
	a.press("backspace")
	// by click too, and the form still has the keys
	a.tm.Send(tea.MouseClickMsg{X: 20, Y: 0, Button: tea.MouseLeft})
	a.waitText("My requests")
	a.tm.Send(tea.MouseClickMsg{X: 3, Y: 0, Button: tea.MouseLeft}) // "1 Services"
	a.waitText(a.T("tui.contacts.title"), "→ zz33333-ovh")
	a.press("esc", "y")
	a.waitGone(a.T("tui.contacts.title"))
	// nothing typed: the click closes the form
	a.press("enter")
	a.waitText(a.T("tui.contacts.col.current"))
	a.tm.Send(tea.MouseClickMsg{X: 20, Y: 0, Button: tea.MouseLeft})
	a.waitText("My requests")
	a.press("1")
	s = a.waitText(a.T("tui.services.title"))
	if strings.Contains(s, a.T("tui.contacts.col.current")) {
		t.Fatalf("an empty form was kept:\n%s", s)
	}
}

// TestTypingNeverMakesTheWindowTooSmall: the Edit contacts form at the
// least size the app announces for it (in Portuguese, at its widest):
// what is typed (suggestions, the plan of who must confirm, a refusal)
// never brings the too-small notice, which dropped every key typed
// after the first; what does not fit is left out, the field and the
// button staying in view.
func TestTypingNeverMakesTheWindowTooSmall(t *testing.T) {
	d := newDeskIn(t, model.LangPT)
	a := start(t, d, demo.Persona, 80, 24)
	a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
	a.editShop()
	w, h := a.leastSize(40, 10)
	a.waitText(a.T("tui.contacts.col.current"), "[ "+a.T("tui.contacts.send")+" ]")
	notice := a.T("tui.small.title")
	a.press("tab")
	for _, c := range []struct{ typed, want string }{
		{"c", "> cd67890-ovh"},          // suggestions
		{"d67890-ovh", "→ cd67890-ovh"}, // the plan
	} {
		a.typ(c.typed)
		s := a.waitFor(c.want, func(s string) bool { return strings.Contains(s, c.want) || strings.Contains(s, notice) })
		if strings.Contains(s, notice) {
			t.Fatalf("typing %q made the window too small:\n%s", c.typed, s)
		}
		checkFrame(t, s, w, h)
		if !strings.Contains(s, "[ "+a.T("tui.contacts.send")+" ]") {
			t.Fatalf("the button is out of view:\n%s", s)
		}
	}
	// a refusal beside the billing field, and all three suggestions of
	// "a" in the tech field: still no notice
	a.press("tab")
	a.typ("zz33333-ovh")
	a.press("shift+tab", "ctrl+u")
	a.typ("a")
	s := a.waitFor("the suggestions of a", func(s string) bool { return strings.Contains(s, "> ab12345-ovh") || strings.Contains(s, notice) })
	if strings.Contains(s, notice) || !strings.Contains(s, "[ "+a.T("tui.contacts.send")+" ]") {
		t.Fatalf("the form doesn't fit:\n%s", s)
	}
	checkFrame(t, s, w, h)
}

// TestMalformedTokenCostsNoTry: what can't be a token (abc) is refused in
// the prompt, saying it was not sent and cost no try: a wrong token
// after it still leaves four tries of five, not three. A mail's link pasted into
// the prompt (the app's, or the web page's) gives its token; a link of
// another request is refused, nothing sent.
func TestMalformedTokenCostsNoTry(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.openRequest8()
	a.press("a")
	a.typ("abc")
	a.press("enter")
	s := a.waitText("nothing was sent, and it did not count as a try")
	if strings.Contains(s, "left before a pause") {
		t.Fatalf("abc was counted:\n%s", s)
	}
	a.press("ctrl+u")
	a.typ("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	a.press("enter")
	a.waitText("wrong token for request #8", "4 tries left before a pause") // of 5

	tok := mailedToken(t, d, demo.Persona, 8)
	a.press("ctrl+u")
	a.tm.Send(tea.PasteMsg{Content: model.Link(9, tok)})
	a.waitText("that link is for request #9, not #8")
	a.tm.Send(tea.PasteMsg{Content: model.WebLink("https://desk.example.com", 8, tok)})
	a.waitText("[" + tok[:20])
	a.press("ctrl+u")
	a.tm.Send(tea.PasteMsg{Content: model.Link(8, tok)})
	a.waitText("[" + tok[:20])
	a.press("enter")
	a.waitText(a.T("tui.request.accepted_by_you", locale.Args{"ID": 8}))
}

// TestReplacedTokenMarked: after a resend, the older mail's token no
// longer works. The Mailbox marks that mail "(token replaced)", as mail
// list says "replaced" (the newest confirm mail for the request wins);
// the mail says its token was replaced instead of showing it, and o
// opens the request without filling it in: the prompt offers the newest
// token, and enter accepts with it.
func TestReplacedTokenMarked(t *testing.T) {
	d := newDesk(t)
	old := mailedToken(t, d, demo.Persona, 8)
	if _, err := d.Resend(ctx, demo.Persona, 8); err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.press("3")
	s := a.waitText("(token replaced)")
	if n := strings.Count(s, "(token replaced)"); n != 1 {
		t.Fatalf("%d mails marked replaced, not 1:\n%s", n, s)
	}
	a.typ("/replaced")
	a.press("enter", "enter")
	s = a.waitText("that token was replaced by a newer one; use the token of your latest mail for request #8")
	head, _, _ := strings.Cut(s, "Hello") // the mail as sent below
	if strings.Contains(head, old) || strings.Contains(s, "with this token") || strings.Contains(s, a.T("tui.mail.key.open")) {
		t.Fatalf("the replaced token is offered:\n%s", s)
	}
	a.press("o")
	a.waitText(a.T("tui.request.title", locale.Args{"ID": 8}), a.T("tui.request.parties"))
	a.press("a")
	s = a.waitText(a.T("tui.request.key.submit"))
	if strings.Contains(s, old) {
		t.Fatalf("the replaced token is filled in:\n%s", s)
	}
	a.press("enter")
	a.waitText(a.T("tui.request.accepted_by_you", locale.Args{"ID": 8}))
}

// TestRequestScreenWording: the English request screen names the state
// as the Requests list does ("waiting for confirmation by you…", never
// validatingByCustomers); an ended request's date is not repeated as
// its relative part; the French key line says e mails a fresh code
// ("renvoyer le code par e-mail", as pt says "reenviar o código por
// e-mail"); a refusal wrapped at 80 columns in Portuguese never breaks
// inside a handle or a service's name (xara- / shop.com).
func TestRequestScreenWording(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.openRequest8()
	s := a.waitText("State      waiting for confirmation by you and gh13579-ovh")
	if strings.Contains(s, "validatingByCustomers") {
		t.Fatalf("the raw state shows:\n%s", s)
	}
	a.press("esc")
	a.typ("/7f3a21c9") // request #1, done 30 days ago
	a.press("enter", "enter")
	s = a.waitText(a.T("tui.request.title", locale.Args{"ID": 1}), "Ended      2026-01-31 ")
	if l := lineOf(s, "Ended "); strings.Contains(l, "(2026-01-31)") {
		t.Fatalf("the date is said twice: %q", l)
	}

	fr := newDeskIn(t, model.LangFR)
	b := start(t, fr, demo.Persona, 120, 30)
	b.waitFor("the frame", b.loaded)
	b.openRequest8()
	b.waitText("e renvoyer le code par e-mail")

	pt := newDeskIn(t, model.LangPT)
	if _, err := pt.CreateRequest(ctx, demo.Persona, model.NewRequest{Service: "xara-shop.com", Roles: []model.Role{model.Tech}, To: "zz33333-ovh"}); err != nil {
		t.Fatal(err)
	}
	c := start(t, pt, demo.Persona, 80, 24)
	c.waitFor("the services", func(s string) bool { return c.loaded(s) && strings.Contains(s, "xara-shop.com") })
	c.editShop()
	c.press("tab")
	c.typ("cd67890-ovh")
	s = c.waitText("já está em curso")
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, " "); strings.HasSuffix(l, "-") {
			t.Fatalf("a name is broken at its hyphen: %q\n%s", l, s)
		}
	}
	c.press("ctrl+s")
	s = c.waitText(c.T("tui.contacts.not_sent"))
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, " "); strings.HasSuffix(l, "-") {
			t.Fatalf("a name is broken at its hyphen: %q\n%s", l, s)
		}
	}
}

// TestPromptNeverMakesTheWindowTooSmall: a request at the least size the
// app announces for it: a (the prompt) and a refused token never bring
// the too-small notice, which dropped the keys typed after them.
func TestPromptNeverMakesTheWindowTooSmall(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.openRequest8()
	w, h := a.leastSize(30, 6)
	a.waitText(a.T("tui.request.title", locale.Args{"ID": 8}))
	notice := a.T("tui.small.title")
	a.press("a")
	a.typ("abc")
	s := a.waitFor("abc in the prompt", func(s string) bool { return strings.Contains(s, "[abc") || strings.Contains(s, notice) })
	if strings.Contains(s, notice) {
		t.Fatalf("the prompt made the window too small:\n%s", s)
	}
	a.press("enter")
	s = a.waitFor("the refusal", func(s string) bool {
		return strings.Contains(s, "! that is not a token") || strings.Contains(s, notice)
	})
	if strings.Contains(s, notice) {
		t.Fatalf("the refusal made the window too small:\n%s", s)
	}
	checkFrame(t, s, w, h)
	a.typ("d") // the keys still reach the field
	a.waitText("[abcd")
}

// TestEditingNeverMakesTheWindowTooSmall: the Profile at the least size
// the app announces for it: e (the e-mail field and its hint) never
// brings the too-small notice, and the keys reach the field.
func TestEditingNeverMakesTheWindowTooSmall(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.press("4")
	a.waitText(a.T("tui.profile.recent"))
	w, h := a.leastSize(30, 6)
	a.waitText("xavier@xara.pt")
	notice := a.T("tui.small.title")
	a.press("e")
	a.typ("x")
	s := a.waitFor("the field", func(s string) bool { return strings.Contains(s, "[xavier@xara.ptx") || strings.Contains(s, notice) })
	if strings.Contains(s, notice) {
		t.Fatalf("editing made the window too small:\n%s", s)
	}
	checkFrame(t, s, w, h)
}

// TestRefusedSaveNeverMakesTheWindowTooSmall: the owner details at the
// least size the app announces for them: a save refused (its refusal
// under the field) never brings the too-small notice.
func TestRefusedSaveNeverMakesTheWindowTooSmall(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 80, 24)
	servicesShown(a)
	a.typ("/xara.pt")
	a.press("enter", "G")
	a.waitFor("xara.pt selected", func(s string) bool { return strings.Contains(lineOf(s, ">"), " xara.pt") })
	a.press("o")
	a.waitText(a.T("tui.owner.title"), "Rua das Flores")
	w, h := a.leastSize(30, 6)
	a.waitText("Rua das Flores")
	notice := a.T("tui.small.title")
	a.press("tab", "tab", "ctrl+u") // the phone
	a.typ("abc")
	a.press("enter")
	s := a.waitFor("the refusal", func(s string) bool { return strings.Contains(s, "! ") || strings.Contains(s, notice) })
	if strings.Contains(s, notice) {
		t.Fatalf("the refusal made the window too small:\n%s", s)
	}
	checkFrame(t, s, w, h)
}

// TestMalformedEmailTokenCostsNoTry: in the Profile's field for the
// token of a new address, what can't be a token is refused there, and
// costs no try: a wrong token after it still leaves four tries of five.
func TestMalformedEmailTokenCostsNoTry(t *testing.T) {
	d := newDesk(t)
	if _, err := d.AskEmailChange(ctx, demo.Persona, "xavier@new.example"); err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 100, 30)
	a.waitFor("the frame", a.loaded)
	a.press("4")
	a.waitText("xavier@new.example")
	a.press("c")
	a.typ("abc")
	a.press("enter")
	s := a.waitText("nothing was sent, and it did not count as a try")
	if strings.Contains(s, "left before a pause") {
		t.Fatalf("abc was counted:\n%s", s)
	}
	a.press("ctrl+u")
	a.typ("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	a.press("enter")
	a.waitText("4 tries left before a pause")
}

// TestRemovedAndQueuedTokensSaid: with real delivery, the mail screen
// and the request say where a token they don't show is: removed when
// real delivery began (a mail only ever simulated), or queued, not sent
// yet — not "mailed" for either.
func TestRemovedAndQueuedTokensSaid(t *testing.T) {
	d := newDesk(t)
	now := d.Now()
	err := d.Store().Update(ctx, func(tx model.Tx) error {
		// a confirm mail whose token was removed: no token, no outbox
		return tx.InsertMail(&model.Mail{To: demo.Persona, Address: "xavier@xara.pt", Subject: "Please confirm (request #5)", Date: now.Add(-time.Minute),
			Body: "the token was removed", RequestID: 5, Kind: model.MailConfirm})
	})
	if err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 120, 40)
	servicesShown(a)
	a.press("3")
	a.waitText("Please confirm (request #5)")
	a.press("enter")
	a.waitText("Token", "removed from this mailbox when mail began to be delivered for real")
	a.press("o")
	a.waitText("Request #5", "no token of yours can be read here: removed from this mailbox")
}

// leastSize shrinks the window to w×h, too small for the screen, reads
// the least size the notice announces for it, and sets the window to
// that; it returns it.
func (a *app) leastSize(w, h int) (int, int) {
	a.t.Helper()
	a.tm.Send(tea.WindowSizeMsg{Width: w, Height: h})
	s := a.waitText(fmt.Sprintf("%d×%d", w, h))
	sizes := sizeRE.FindAllStringSubmatch(s, -1)
	if len(sizes) != 2 {
		a.t.Fatalf("no notice:\n%s", s)
	}
	w, _ = strconv.Atoi(sizes[0][1])
	h, _ = strconv.Atoi(sizes[0][2])
	a.tm.Send(tea.WindowSizeMsg{Width: w, Height: h})
	return w, h
}

// TestSuggestionsIgnoreAccents: a name is found without its accents, as
// typed on a keyboard that has none ("brandao" finds Alice Brandão), and
// with them or in capitals.
func TestSuggestionsIgnoreAccents(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.editShop()
	a.press("tab") // tech
	for _, typed := range []string{"brandao", "Brandão", "BRANDAO"} {
		a.press("ctrl+u")
		a.typ(typed)
		a.waitText("> ab12345-ovh  Alice Brandão")
	}
}

// TestRefusalQuotesWhatWasTyped: a value the form refuses is quoted as
// typed, capitals and all ("abRED cd"), not in the lower case the form
// compares handles in.
func TestRefusalQuotesWhatWasTyped(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.editShop()
	a.press("tab") // tech
	a.typ("abRED cd")
	a.press("ctrl+s")
	a.waitFor(`the refusal quoting "abRED cd"`, func(s string) bool { return shownWhole(s, `not "abRED cd"`) })
}

// TestCancelAnEndedRequest: c on a request that has ended says so, to
// its requester too; it said "only the requester (you) can cancel it,
// while it is waiting", as if the request were another's.
func TestCancelAnEndedRequest(t *testing.T) {
	d := newDesk(t)
	if _, err := d.Cancel(context.Background(), demo.Persona, 8); err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 100, 30)
	a.press("2")
	a.waitText(a.T("tui.requests.title"), "#8")
	a.press("/")
	a.typ("padaria")
	a.press("enter", "enter")
	a.waitText(a.T("tui.request.title", locale.Args{"ID": 8}), a.T("tui.request.parties"))
	a.press("c")
	a.waitText(a.T("tui.request.cancel_ended", locale.Args{"ID": 8, "State": a.T("tui.state.cancelled")}))
}

// TestIndentedMailLineWraps: a line of a mail's body that is indented
// (the change a request made) keeps its indentation when it wraps; its
// continuation started at the screen's edge.
func TestIndentedMailLineWraps(t *testing.T) {
	ctx := context.Background()
	d := newDeskIn(t, model.LangPT)
	rs, err := d.CreateRequest(ctx, demo.Persona, model.NewRequest{Service: "xara.pt", Roles: []model.Role{model.Admin, model.Tech, model.Billing}, To: "cd67890-ovh"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rs[0].Parties {
		if _, err := d.Accept(ctx, p.Handle, rs[0].ID, mailedToken(t, d, p.Handle, rs[0].ID)); err != nil {
			t.Fatal(err)
		}
	}
	a := start(t, d, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.press("3")
	a.waitText(fmt.Sprintf("#%d", rs[0].ID))
	a.press("enter")
	s := a.waitText("    Contacto administrador, técnico e de faturação de xara.pt:")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "    Contacto administrador, técnico") {
			if next := lines[i+1]; !strings.HasPrefix(next, "    ") || strings.TrimSpace(next) == "" {
				t.Errorf("the wrapped line's continuation is %q", next)
			}
			return
		}
	}
}

// TestServiceHistoryNamesTheRequest: a service's history names the
// request each of its lines is about: an answer's line said "accepted"
// and nothing more, which request only enter told.
func TestServiceHistoryNamesTheRequest(t *testing.T) {
	d := newDesk(t)
	if _, err := d.Accept(context.Background(), demo.Persona, 8, mailedToken(t, d, demo.Persona, 8)); err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 100, 30)
	a.waitFor("the frame", a.loaded)
	a.press("/")
	a.typ("padaria")
	a.waitText("padaria-yolanda.pt")
	a.press("esc", "h")
	a.waitFor("the answer's line naming #8", func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "xx11111-ovh*") && strings.Contains(l, " accepted ") && strings.Contains(l, "#8") {
				return true
			}
		}
		return false
	})
}
