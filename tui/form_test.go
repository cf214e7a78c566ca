package tui_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
)

// editWebXara opens the Edit contacts form of web.xara.pt, where the
// persona may change all three roles, from the Services tab, by a filter.
func (a *app) editWebXara() { a.t.Helper(); a.edit("web.xara", "web.xara.pt") }

// whoBlock is the preview under "Who will have to confirm", its lines
// joined with single spaces, up to the Send button.
func whoBlock(a *app, s string) string {
	_, after, ok := strings.Cut(s, a.T("tui.contacts.who"))
	if !ok {
		return ""
	}
	before, _, _ := strings.Cut(after, "[ "+a.T("tui.contacts.send")+" ]")
	return flat(before)
}

// flat is s with its lines joined and its runs of spaces made one: a
// message wrapped over several lines, as a sentence.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestEveryFieldCheckedAtOnce: a field holding what is not a handle yet
// does not keep the others from being checked as they are typed — a
// refused handle says so beside its field at once, an accepted one shows
// in the preview — and Send shows the refusal of every refused field,
// not only the first one's, nothing sent.
func TestEveryFieldCheckedAtOnce(t *testing.T) {
	d := newDesk(t)
	before, _ := d.Requests(ctx, demo.Persona)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.editWebXara()
	a.press("tab") // tech
	a.typ("bad2")
	a.press("tab") // billing
	a.typ("ab12345-ovh")
	s := a.waitText("ab12345-ovh has unpaid bills")
	checkBeside(t, s, "billing", "! ab12345-ovh has unpaid bills")
	if who := whoBlock(a, s); strings.Contains(who, a.T("tui.contacts.who_incomplete")) || !strings.Contains(who, a.T("tui.contacts.who_refused")) {
		t.Fatalf("the preview does not say the change is refused:\n%s", s)
	}

	// an accepted handle beside the half-typed one: its change shows
	a.press("ctrl+u")
	a.typ("zz33333-ovh")
	s = a.waitText("billing: xx11111-ovh → zz33333-ovh")
	if strings.Contains(s, "unpaid bills") {
		t.Fatalf("the refusal of what the field no longer holds stays:\n%s", s)
	}
	if who := whoBlock(a, s); !strings.Contains(who, a.T("tui.contacts.who_incomplete")) {
		t.Fatalf("the preview does not say a field is not a handle yet:\n%s", s)
	}

	// three fields that are not handles: each is refused on Send
	a.press("tab", "tab") // admin
	a.typ("bad1")
	a.press("tab", "tab") // billing
	a.press("ctrl+u")
	a.typ("bad3")
	a.press("ctrl+s")
	a.waitText(a.T("tui.contacts.not_sent"))
	s = a.waitFor("three refusals", func(s string) bool { return strings.Count(s, "must be a NIC handle") == 3 })
	for _, f := range []string{"admin", "tech", "billing"} {
		checkBeside(t, s, f, "! the new contact must be a NIC handle")
	}
	after, _ := d.Requests(ctx, demo.Persona)
	if len(after) != len(before) {
		t.Fatalf("a refused form made a request: %d requests, %d before", len(after), len(before))
	}
}

// TestPreviewSaysNothingIsSentWhileRefused: the form is sent whole or
// not at all, so while one change is refused the preview says, before
// the accepted ones, that nothing will be sent — as Send then does —
// rather than promising the accepted change and its confirmers.
func TestPreviewSaysNothingIsSentWhileRefused(t *testing.T) {
	d := newDesk(t)
	before, _ := d.Requests(ctx, demo.Persona)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.editShop()
	a.press("tab") // tech
	a.typ("zz33333-ovh")
	a.waitText("tech: yy22222-ovh → zz33333-ovh")
	a.press("tab") // billing, whose contact ab12345-ovh owes money
	a.typ("cd67890-ovh")
	s := a.waitText("unpaid bills")
	checkBeside(t, s, "billing", "! ab12345-ovh has unpaid bills")
	refused := a.T("tui.contacts.who_refused")
	who := whoBlock(a, s)
	at := strings.Index(who, refused)
	if at < 0 || strings.Index(who, "tech: yy22222-ovh → zz33333-ovh") < at {
		t.Fatalf("the preview promises the accepted change before saying nothing will be sent:\n%s", s)
	}
	if strings.Index(who, a.T("tui.contacts.who_refused_rest")) < at {
		t.Fatalf("the accepted change is not said to wait for the refused one:\n%s", s)
	}

	a.press("ctrl+s")
	s = a.waitText(a.T("tui.contacts.not_sent"))
	if who := whoBlock(a, s); !strings.HasPrefix(who, refused) {
		t.Fatalf("after Send, the preview does not say what it said before:\n%s", s)
	}
	after, _ := d.Requests(ctx, demo.Persona)
	if len(after) != len(before) {
		t.Fatalf("a refused form made a request: %d requests, %d before", len(after), len(before))
	}

	// the refused field cleared: the accepted change is what Send sends
	a.press("ctrl+u")
	s = a.waitGone("unpaid bills")
	if who := whoBlock(a, s); strings.Contains(who, refused) || !strings.HasPrefix(who, "tech: yy22222-ovh → zz33333-ovh") {
		t.Fatalf("with nothing refused, the preview does not show the change:\n%s", s)
	}
}

// TestEmptyFormSaysNothingToSend: Send on a form with nothing typed, by
// enter on its button or ctrl+s, says there is nothing to send, in the
// form and on the status line, and sends nothing.
func TestEmptyFormSaysNothingToSend(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT, model.LangFR} {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			before, _ := d.Requests(ctx, demo.Persona)
			a := start(t, d, demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.editShop()
			a.press("tab", "tab", "tab") // the Send button
			a.waitText("> [ " + a.T("tui.contacts.send") + " ]")
			said := func(s string) bool {
				return strings.Contains(flat(s), flat("! "+a.T("tui.contacts.nothing_typed"))) && strings.Contains(s, a.T("tui.contacts.not_sent"))
			}
			a.press("enter")
			s := a.waitFor("nothing to send", said)
			if lang == model.LangEN && !strings.Contains(s, "! nothing to send:") {
				t.Fatalf("the form does not say there is nothing to send:\n%s", s)
			}
			a.press("tab") // admin: a key ends the status line's message
			a.waitGone(a.T("tui.contacts.not_sent"))
			a.press("ctrl+s")
			a.waitFor("nothing to send", said)
			after, _ := d.Requests(ctx, demo.Persona)
			if len(after) != len(before) {
				t.Fatalf("an empty form made a request: %d requests, %d before", len(after), len(before))
			}
		})
	}
}

// TestDirectionControlsNeverDrawn: a direction control typed or pasted
// into a text field (a list's filter, Edit contacts, the owner details)
// is left out, never drawn as it is, where a terminal that applies it
// showed the field's text turned around. What is typed around it is
// kept.
func TestDirectionControlsNeverDrawn(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	servicesShown(a)
	a.typ("/")
	a.press("\u202e")
	a.typ("sh")
	a.tm.Send(tea.PasteMsg{Content: "\u2067op\u200f"})
	a.waitText("/shop")
	checkInert(t, a.raw())
	a.press("enter")
	a.waitText(a.T("tui.services.info", locale.Args{"Shown": 1, "Total": 12, "Role": a.T("tui.services.role_all"), "Sort": a.T("tui.services.sort.name")}))
	a.press("enter")
	a.waitText(a.T("tui.contacts.title"), a.T("tui.contacts.col.current"))
	a.typ("zz")
	for _, r := range "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c" {
		a.press(string(r))
	}
	a.tm.Send(tea.PasteMsg{Content: "333\u202e33-ovh\u200e"})
	a.waitText("[zz33333-ovh ", "admin: xx11111-ovh → zz33333-ovh")
	checkInert(t, a.raw())

	b := start(t, newDesk(t), demo.Persona, 80, 24)
	b.openOwner()
	b.press("\u202e")
	b.typ("QQ")
	b.tm.Send(tea.PasteMsg{Content: "\u2066RR\u2069"})
	b.waitText("QQRR")
	checkInert(t, b.raw())
}

// TestFormCutSaysSo: in a window too short for every refusal and the
// whole preview, the lines the form leaves out are marked: the last line
// kept of a refusal or of the preview ends with "…", where a sentence
// stopped mid-way without a word.
func TestFormCutSaysSo(t *testing.T) {
	d := newDeskIn(t, model.LangFR)
	a := start(t, d, demo.Persona, 80, 20)
	a.waitText("xara-shop.com")
	a.editShop()
	a.typ("zz!!")
	a.press("tab")
	a.typ("abc")
	a.press("tab")
	a.typ("cd67890-ovh")
	a.press("ctrl+s")
	s := a.waitText("! ab12345-ovh", a.T("tui.contacts.not_sent"))
	_, err := d.Plan(ctx, demo.Persona, model.NewRequest{Service: "xara-shop.com", Roles: []model.Role{model.Billing}, To: "cd67890-ovh"})
	if err == nil {
		t.Fatal("the billing change is accepted: the test proves nothing")
	}
	unpaid := "! " + flat(model.Localize(err, a.l))
	whole := flat(s)
	i := strings.Index(whole, "! ab12345-ovh")
	if rest := whole[i:]; !strings.HasPrefix(rest, unpaid) {
		kept, _, cut := strings.Cut(rest, "…")
		if !cut || !strings.HasPrefix(unpaid, strings.TrimSpace(kept)) {
			t.Errorf("the billing refusal is cut without a \"…\" (want %q):\n%s", unpaid, s)
		}
	}
	if who := whoBlock(a, s); who != flat(a.T("tui.contacts.who_refused")) && !strings.HasSuffix(who, "…") {
		t.Errorf("the preview %q is cut without a \"…\":\n%s", who, s)
	}
}

// TestRefusalBesideItsOwnRole: tech and billing to one account make one
// request; when only billing's part is refused (its contact owes), the
// refusal shows beside billing alone, not beside tech as well, which is
// fine on its own.
func TestRefusalBesideItsOwnRole(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.edit("pn-104233", "pn-104233")
	a.press("tab") // tech
	a.typ("ab12345-ovh")
	a.press("tab") // billing
	a.typ("ab12345-ovh")
	techRefused := func(s string) bool {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			if strings.Contains(l, " tech  ") && i+1 < len(lines) && strings.Contains(lines[i+1], "!") {
				return true
			}
		}
		return false
	}
	s := a.waitText("ab12345-ovh has unpaid bills")
	checkBeside(t, s, "billing", "! ab12345-ovh has unpaid bills")
	if techRefused(s) {
		t.Fatalf("the tech field, fine on its own, shows a refusal:\n%s", s)
	}
	a.press("ctrl+s")
	if s = a.waitText(a.T("tui.contacts.not_sent")); techRefused(s) {
		t.Fatalf("after Send, the tech field shows billing's refusal:\n%s", s)
	}
}
