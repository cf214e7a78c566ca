package tui_test

import (
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
)

// TestSetLangSwitchesOpenSession: profile set-lang (here the desk's
// SetLang, as the command line calls it) turns an open session's
// screens to the new language at once, the request open staying open.
func TestSetLangSwitchesOpenSession(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.openRequest8()
	if _, err := d.SetLang(ctx, demo.Persona, "pt"); err != nil {
		t.Fatal(err)
	}
	pt := locale.For(locale.PT)
	s := a.waitText("[2 "+pt.T("tui.tab.requests"), pt.T("tui.request.title", locale.Args{"ID": 8}), pt.T("tui.request.parties"), "a aguardar confirmação", "10 e-mails por ler")
	if !strings.Contains(s, "1 Serviços") {
		t.Fatalf("the frame is not in Portuguese:\n%s", s)
	}
	// and back to English, from another tab
	a.press("esc", "3")
	if _, err := d.SetLang(ctx, demo.Persona, "en"); err != nil {
		t.Fatal(err)
	}
	a.waitText("[3 Mailbox (10)]", "10 mails, 10 unread, newest first")
}

// TestProfileChoosesLanguage: the Profile tab shows the language and
// changes it (l, ←/→, enter); the screens follow, the desk records it,
// and the refusals are then written in that language too.
func TestProfileChoosesLanguage(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, demo.Persona, 80, 24)
	a.waitFor("the frame", a.loaded)
	a.press("4")
	a.waitText("Language   English (en)   (l: change)")
	a.press("l")
	a.waitText("[ English (en) ]", "←/→: choose · enter: speak it from now on · esc: cancel")
	a.press("right", "enter") // Português, English, Français: French
	fr := locale.For(locale.FR)
	s := a.waitText("[4 Profil]", "Langue", "Français (fr)", fr.T("tui.lang_changed", locale.Args{"Name": "français"}))
	if !strings.Contains(s, "1 Services   2 Demandes") {
		t.Fatalf("the tabs are not in French:\n%s", s)
	}
	if acc, err := d.Account(ctx, demo.Persona); err != nil || acc.Lang != model.LangFR {
		t.Fatalf("the account's language: %v, %v", acc.Lang, err)
	}
	// a refusal, in French: a token that is none
	a.press("2")
	a.waitText(fr.T("tui.requests.title"), "#8")
	a.press("enter")
	a.waitText(fr.T("tui.request.title", locale.Args{"ID": 8}))
	a.press("a")
	a.typ("nope")
	a.press("enter")
	a.waitText("ceci n'est pas un code de validation", fr.T("tui.request.not_recorded")[:20])
}
