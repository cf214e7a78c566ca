package tui_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	if pic, _, ok = strings.Cut(pic, "```"); !ok {
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
