package tui_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
)

// TestKeyLineAlwaysNamesTheHelp: a newcomer on a terminal of 80 columns
// (and over SSH, which starts there) reads on the line of the keys how to
// see every key, in each language, on the first screen and in the forms:
// when the screen's keys are too many for the line, its last ones give
// way to the help's key, never it to them ("? help" on the Services tab
// was cut, as "f1 help" was in the Edit contacts form even at 120
// columns, where ? types a "?" in the field).
func TestKeyLineAlwaysNamesTheHelp(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT, model.LangFR} {
		t.Run(string(lang), func(t *testing.T) {
			for _, w := range []int{80, 120} {
				a := start(t, newDeskIn(t, lang), demo.Persona, w, 24)
				help := a.T("tui.key.help")
				keyLine := func(s string) string { return strings.Split(lastLines(s, 2), "\n")[0] }
				has := func(where, k string) {
					t.Helper()
					a.waitFor(fmt.Sprintf("%d columns, %s: %q on the line of the keys", w, where, k+" "+help), func(s string) bool {
						return a.loaded(s) && strings.Contains(keyLine(s), k+" "+help)
					})
				}
				a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
				has("Services", "?")
				a.editShop()
				has("Edit contacts", "f1")
				a.press("tab")
				a.typ("a")
				a.waitText("ab12345-ovh  Alice Brandão")
				has("Edit contacts with suggestions", "f1")
				a.press("esc", "esc", "y")
				a.waitGone(a.T("tui.contacts.col.current"))
				a.openRequest8()
				a.press("a")
				a.waitText("#8")
				has("the token prompt", "f1")
			}
		})
	}
}

// TestREADMEShowsTheServicesTab: the README's picture of the app is the
// Services tab as the demo's persona first sees it at 80×24 (the golden
// screen services_80x24), line for line.
func TestREADMEShowsTheServicesTab(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	_, after, ok := strings.Cut(readme, "## The terminal app")
	if !ok {
		t.Fatal("the README has no section The terminal app")
	}
	_, pic, ok := strings.Cut(after, "```\n")
	if ok {
		pic, _, ok = strings.Cut(pic, "```")
	}
	if !ok {
		t.Fatal("the README's section The terminal app has no picture")
	}
	g, err := os.ReadFile(filepath.Join("testdata", "TestGolden", "services_80x24.golden"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(string(g), "\n") {
		want = append(want, strings.TrimRight(l, " "))
	}
	got := strings.Split(strings.TrimSuffix(pic, "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("the README's picture has %d lines, the screen %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d of the README's picture:\n  %q\nthe screen (tui/testdata/TestGolden/services_80x24.golden):\n  %q", i+1, got[i], want[i])
		}
	}
}

// TestProfileSaysWhereTheTokenIs: asked for a new address, a newcomer
// is told where its token is, in each language: the status line names
// the Mailbox tab and o on the mail (which fills the token in), besides c
// to type it. It said "press c and enter it", and c opened an empty field
// whose token was nowhere said.
func TestProfileSaysWhereTheTokenIs(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT, model.LangFR} {
		t.Run(string(lang), func(t *testing.T) {
			const addr = "xavier.new@xara.pt"
			a := start(t, newDeskIn(t, lang), demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.press("4")
			a.waitText(a.T("tui.profile.title"), "xavier@xara.pt")
			a.press("e", "ctrl+u")
			a.typ(addr)
			a.press("enter")
			said := a.T("tui.profile.token_sent", locale.Args{"Email": addr})
			a.waitFor(said, func(s string) bool { return shownWhole(s, said) })
			for _, want := range []string{"3 " + a.T("tui.tab.mailbox"), "o "} {
				if !strings.Contains(said, want) {
					t.Fatalf("the message does not say %q: %q", want, said)
				}
			}
			// and it is so: the newest mail, o, enter
			a.press("3")
			a.waitFor("its mail, newest", func(s string) bool { return strings.Contains(lineOf(s, ">●"), a.T("mail.email.subject")) })
			a.press("enter")
			a.waitText(addr)
			a.press("o")
			a.waitFor("the token filled in", func(s string) bool { return tokenRE.MatchString(lineOf(s, a.T("tui.profile.label.token"))) })
			a.press("enter")
			a.waitText(a.T("tui.profile.changed", locale.Args{"Email": addr}))
		})
	}
}

// TestEscInAProfileFieldAsks: esc in the Profile's e-mail field, or its
// token field, with something typed there asks before dropping it, as
// the Edit contacts and Owner details forms ask ("What you typed is
// lost"), in the account's language; it dropped it at once. Untouched,
// the field closes at once.
func TestEscInAProfileFieldAsks(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT} {
		t.Run(string(lang), func(t *testing.T) {
			a := start(t, newDeskIn(t, lang), demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.press("4")
			a.waitText(a.T("tui.profile.title"), "xavier@xara.pt")
			ask := a.T("tui.profile.leave_ask")
			editing := a.T("tui.profile.hint_email")

			// untouched: esc closes it
			a.press("e")
			a.waitText(editing)
			a.press("esc")
			a.waitGone(editing)

			a.press("e", "ctrl+u")
			a.typ("xavier.half@")
			a.waitText("[xavier.half@")
			a.press("esc")
			a.waitText(ask, "[xavier.half@")
			a.press("esc") // no: keep editing
			a.waitGone(ask)
			a.typ("xara.pt")
			a.waitText("[xavier.half@xara.pt")
			a.press("esc")
			a.waitText(ask)
			a.press("n")
			a.waitGone(ask)
			a.press("esc", a.T("tui.key.yes_letter")) // yes: drop it
			s := a.waitGone("[xavier.half@")
			if strings.Contains(s, ask) || !strings.Contains(s, "xavier@xara.pt") {
				t.Fatalf("the field did not close, or the address changed:\n%s", s)
			}

			// the token field: what was typed is asked about too
			a.press("e", "ctrl+u")
			a.typ("xavier.new@xara.pt")
			a.press("enter")
			said := a.T("tui.profile.token_sent", locale.Args{"Email": "xavier.new@xara.pt"})
			a.waitFor(said, func(s string) bool { return shownWhole(s, said) })
			a.press("c")
			a.typ("ABCD-")
			a.waitText("[ABCD-")
			a.press("esc")
			a.waitText(ask, "[ABCD-")
			a.press(a.T("tui.key.yes_letter"))
			a.waitGone("[ABCD-")
		})
	}
}

// TestPendingRequestSaysYou: a role the user can't change because a
// request for it waits for the user's own answer says so, and where to
// answer it: it named the user's handle among the parties awaited, which
// read as someone else's ("waiting for confirmation by xx11111-ovh").
func TestPendingRequestSaysYou(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT} {
		t.Run(string(lang), func(t *testing.T) {
			a := start(t, newDeskIn(t, lang), demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.edit("fontes", "fontes-arquitetura.pt") // billing, the persona's; request #6 waits for it
			want := a.T("tui.pending_you", locale.Args{"ID": 6, "Role": model.Billing, "Service": "fontes-arquitetura.pt"})
			s := a.waitFor(want, func(s string) bool { return shownWhole(s, want) })
			if strings.Contains(s, "by xx11111-ovh") || strings.Contains(s, "confirmação: xx11111-ovh") {
				t.Fatalf("the refusal names the user by its handle:\n%s", s)
			}
		})
	}
}

// TestReasonMarksTheUser: a request the user refused says so on its
// page with the user marked "(you)", as its every other row marks it; it
// read "Reason  refused by xx11111-ovh".
func TestReasonMarksTheUser(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT} {
		t.Run(string(lang), func(t *testing.T) {
			a := start(t, newDeskIn(t, lang), demo.Persona, 80, 24)
			a.waitFor("the frame", a.loaded)
			a.openRequest8()
			a.press("x")
			a.waitText(a.T("tui.request.prompt.refuse", locale.Args{"ID": 8}))
			a.press("enter")
			want := a.T("word.reason.refused_by", locale.Args{"Handle": a.T("tui.you_mark", locale.Args{"Handle": "xx11111-ovh"})})
			s := a.waitFor("the reason", func(s string) bool { return strings.Contains(lineOf(s, a.T("tui.request.label.reason")), want) })
			if !strings.Contains(s, want) {
				t.Fatal(s)
			}
		})
	}
}

// TestREADMERunItSteps: what README's "Run it, test it" tells a
// newcomer to do on the picker works as written: f1 lists its keys (?
// is a letter there), xx1 and enter open the persona's desk, q quits.
func TestREADMERunItSteps(t *testing.T) {
	a := start(t, newDesk(t), "", 80, 24)
	a.waitText(a.T("tui.picker.title"), "xx11111-ovh")
	a.press("f1")
	a.waitText(a.T("tui.help.app"))
	a.press("esc")
	a.waitGone(a.T("tui.help.app"))
	a.typ("xx1")
	a.press("enter")
	a.waitFor("the persona's desk", func(s string) bool { return loaded(s) && strings.Contains(s, "xara-shop.com") })
	a.typ("q")
	a.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// TestSentSaysItsPartiesAsTheLanguageLists: the message of a request sent
// lists the other parties as the language lists them ("a sua confirmação
// e as de yy22222-ovh e zz33333-ovh"); a comma between them read, after
// "you and yy22222-ovh", as one more group.
func TestSentSaysItsPartiesAsTheLanguageLists(t *testing.T) {
	for _, c := range []struct {
		lang model.Lang
		want string
	}{
		{model.LangEN, "request #9 sent; waiting for confirmation by you and yy22222-ovh and zz33333-ovh"},
		{model.LangPT, "pedido #9 enviado; a aguardar a sua confirmação e as de yy22222-ovh e zz33333-ovh"},
		{model.LangFR, "demande #9 envoyée ; en attente de votre confirmation et de celles de yy22222-ovh et zz33333-ovh"},
	} {
		t.Run(string(c.lang), func(t *testing.T) {
			a := start(t, newDeskIn(t, c.lang), demo.Persona, 120, 30)
			a.waitFor("the frame", a.loaded)
			a.editShop()
			a.press("tab")
			a.typ("zz33333-ovh")
			a.waitText("zz33333-ovh (")
			a.press("ctrl+s")
			want := strings.ReplaceAll(c.want, " ;", "\u00a0;")
			a.waitFor(want, func(s string) bool { return shownWhole(s, want) || shownWhole(s, c.want) })
		})
	}
}

// TestOwnerDetailsNotGivenSaySo: a contact who may only read a domain's
// owner details reads a detail not given as "-", as the command line
// writes it (owner show): a blank beside its label read as still loading.
func TestOwnerDetailsNotGivenSaySo(t *testing.T) {
	a := start(t, newDesk(t), demo.Persona, 80, 24)
	servicesShown(a)
	a.typ("/padaria")
	a.press("enter", "o")
	s := a.waitText(a.T("tui.owner.title"), "Yolanda Yáñez")
	for _, id := range []string{"address", "phone"} {
		label := a.T("tui.owner.label." + id)
		if got := strings.TrimSpace(lineOf(s, label)); !strings.HasSuffix(got, " -") {
			t.Errorf("the %s not given reads %q:\n%s", id, got, s)
		}
	}
}

// TestEmptyListSaysWhatToPress: a list that its filter or its state
// left empty says, under "no … matches", which key widens it again; it
// said only that nothing matched, and a newcomer who had pressed f on
// the Requests tab until "expired" saw an empty screen.
func TestEmptyListSaysWhatToPress(t *testing.T) {
	for _, lang := range []model.Lang{model.LangEN, model.LangPT} {
		t.Run(string(lang), func(t *testing.T) {
			a := start(t, newDeskIn(t, lang), demo.Persona, 80, 24)
			a.waitFor("the services", func(s string) bool { return a.loaded(s) && strings.Contains(s, "xara-shop.com") })
			a.typ("/nothing-like-it")
			a.waitText(a.T("tui.services.no_match"), a.T("tui.list.no_match_filter"))
			a.press("esc")
			a.waitGone(a.T("tui.services.no_match"))

			a.press("2")
			a.waitText(a.T("tui.requests.title"), "#8")
			a.press("f", "f", "f", "f") // waiting, done, refused, expired: none
			a.waitText(a.T("tui.state.expired"), a.T("tui.requests.no_match"), a.T("tui.requests.no_match_state"))
			a.press("f", "f") // cancelled, then all
			s := a.waitText("#8", "#4")
			if strings.Contains(s, a.T("tui.requests.no_match_state")) {
				t.Fatalf("the hint stays on a list that shows rows:\n%s", s)
			}
		})
	}
}
