package tui_test

import (
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model/demo"
	"contactdesk/tui"
)

// TestPickerShowsAddressesWholeAt80: at 80 columns, in every language,
// the account picker shows every demo account's name and address whole:
// the Name column grew to 24 cells for names of 14 at most, and cut
// "carlos@duarte-consulting…" and "yolanda@padaria-yolanda.…" beside it.
func TestPickerShowsAddressesWholeAt80(t *testing.T) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			as, err := d.Accounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			a := start(t, d, "", 80, 24, tui.Options{Lang: lang})
			s := a.waitText(a.T("tui.picker.title"), a.T("tui.picker.info", locale.Args{"Shown": len(as), "N": len(as)}))
			checkFrame(t, s, 80, 24)
			for _, acc := range as {
				row := lineOf(s, string(acc.Handle)+" ")
				if !strings.Contains(row, acc.Name) || !strings.Contains(row, acc.Email) {
					t.Errorf("%s's row does not show %q and %q whole:\n%s", acc.Handle, acc.Name, acc.Email, s)
				}
			}
		})
	}
}

// TestKeyLinesNameEachKeyApart: in every language, the key line of the
// owner details (read only, and editable), and of Edit contacts, names
// no two keys by the same words: in Portuguese the owner details read
// "esc sair · ? ajuda · q sair" (in French "esc quitter … q quitter"),
// esc going back and q quitting the app, and the editable form "esc
// sair … ctrl+c sair, mesmo num campo". A read-only page's esc says
// "back", as the page itself does.
func TestKeyLinesNameEachKeyApart(t *testing.T) {
	for _, lang := range langs80 {
		t.Run(string(lang), func(t *testing.T) {
			d := newDeskIn(t, lang)
			a := start(t, d, demo.Persona, 200, 30)
			a.waitFor("the frame", a.loaded)
			keys := func(where string, s string) map[string]string {
				t.Helper()
				line := lastLines(s, 2)
				line = strings.TrimSpace(line[:strings.LastIndex(line, "\n")])
				line = strings.TrimSuffix(line, " …")
				byWords := map[string]string{}
				said := map[string]string{}
				for _, item := range strings.Split(line, " · ") {
					k, words, ok := strings.Cut(item, " ")
					if !ok {
						continue
					}
					// "sair, mesmo num campo" is "sair" too
					words, _, _ = strings.Cut(words, ",")
					if other, dup := byWords[words]; dup && other != k {
						t.Errorf("%s: %s and %s are both %q:\n%s", where, other, k, words, line)
					}
					byWords[words] = k
					said[k] = words
				}
				return said
			}

			// the owner details of a domain the persona is not admin of
			a.typ("/padaria")
			a.press("enter", "o")
			s := a.waitText(a.T("tui.owner.title"), a.T("tui.owner.back"))
			if got := keys("owner details, read only", s)["esc"]; got != a.T("tui.key.back") {
				t.Errorf("the read-only owner details say esc %q, not %q as the page does:\n%s", got, a.T("tui.key.back"), s)
			}
			a.press("esc")
			a.waitText(a.T("tui.services.title"))
			a.press("esc") // the filter

			// of one it is admin of: the form
			a.typ("/xara-shop")
			a.press("enter", "o")
			s = a.waitText(a.T("tui.owner.title"), a.T("tui.owner.keys"))
			keys("owner details, editable", s)
			a.press("esc")
			a.waitText(a.T("tui.services.title"))
			a.press("enter")
			s = a.waitText(a.T("tui.contacts.title"), a.T("tui.contacts.col.current"))
			keys("Edit contacts", s)
			a.press("esc")
			a.waitText(a.T("tui.services.title"))

			// a request, its token's prompt, the profile's e-mail field
			a.openRequest8()
			keys("request #8", a.waitText(a.T("tui.request.parties")))
			a.press("a")
			s = a.waitText(a.T("tui.request.key.fill"))
			keys("the token's prompt", s)
			a.press("esc", "4", "e")
			s = a.waitText(a.T("tui.profile.title"), a.T("tui.profile.key.cancel"))
			keys("the profile's e-mail field", s)
			a.press("esc")
			a.waitGone(a.T("tui.profile.key.cancel"))

			// the tabs, a mail, a service's history, the picker (in the
			// command line's language, Options.Lang: English here)
			for _, tab := range []string{"1", "2", "3", "4"} {
				a.press(tab)
				keys("tab "+tab, a.waitText("["+tab+" "))
			}
			a.press("3", "enter")
			keys("a mail", a.waitText(a.T("tui.mail.label.date")))
			a.press("esc", "1", "h")
			keys("a service's history", a.waitText(a.T("tui.history.title")))
			a.press("esc", "@")
			keys("the picker", a.waitText(locale.For(locale.EN).T("tui.picker.title")))
		})
	}
}
