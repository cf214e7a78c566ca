package tui_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
)

// TestProfileActivityScrolls: the Profile's recent activity, more than
// fits, says which entries it shows of how many, the key line names the
// keys that scroll it, and they do: end (G) shows the oldest entry, home (g) the
// newest again, ↓ the next, as does the mouse's wheel; at 80×24 in every language and at 120×40,
// every line whole (the key line too: "q quit" is not crowded out).
func TestProfileActivityScrolls(t *testing.T) {
	type size struct{ w, h int }
	for _, lang := range langs80 {
		for _, sz := range []size{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s/%dx%d", lang, sz.w, sz.h), func(t *testing.T) {
				d := newDeskIn(t, lang)
				hs, err := d.History(ctx, demo.Persona, model.HistoryFilter{Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				n := len(hs)
				a := start(t, d, demo.Persona, sz.w, sz.h)
				a.waitFor("the frame", a.loaded)
				a.press("4")
				shown := func(first, last int) string {
					id := "tui.profile.recent_shown"
					if n >= 50 {
						id = "tui.profile.recent_shown_latest"
					}
					return a.T("tui.profile.recent") + "   " + a.T(id, locale.Args{"First": first, "Last": last, "N": n})
				}
				scroll := "↑/↓ " + a.T("tui.profile.key.scroll")
				quit := "q " + a.T("tui.key.quit")
				heading := a.T("tui.profile.recent")
				top := a.waitFor("the activity's first entries, and how many there are", func(s string) bool { return firstShown(s, heading) == 1 })
				checkFrame(t, top, sz.w, sz.h)
				if !strings.Contains(top, scroll) || !strings.Contains(top, quit) {
					t.Fatalf("the key line does not name %q and %q whole:\n%s", scroll, quit, top)
				}
				oldest := a.l.Ago(now, hs[n-1].At)
				a.press("G")
				s := a.waitFor("the oldest entry", func(s string) bool {
					return firstShown(s, heading) > 1 && strings.Contains(s, "–"+strconv.Itoa(n)+" ") && strings.Contains(s, "  "+oldest)
				})
				checkFrame(t, s, sz.w, sz.h)
				if !strings.Contains(s, shown(firstShown(s, heading), n)) {
					t.Fatalf("scrolled to the end, the heading does not say the last %d of %d are shown:\n%s", n, n, s)
				}
				a.press("g")
				back := a.waitFor("the newest entries again", func(s string) bool { return firstShown(s, heading) == 1 })
				if back != top {
					t.Fatalf("home does not show the page as it opened:\n%s\nwant:\n%s", back, top)
				}
				a.press("down")
				a.waitFor("the activity from its second entry", func(s string) bool { return firstShown(s, heading) == 2 })
				// the wheel, over the activity, an entry a notch
				a.tm.Send(tea.MouseWheelMsg{X: 10, Y: sz.h - 5, Button: tea.MouseWheelDown})
				a.waitFor("the activity from its third entry", func(s string) bool { return firstShown(s, heading) == 3 })
				a.tm.Send(tea.MouseWheelMsg{X: 10, Y: sz.h - 5, Button: tea.MouseWheelUp})
				a.waitFor("the activity from its second entry again", func(s string) bool { return firstShown(s, heading) == 2 })
			})
		}
	}
}

// firstShown is the first entry of the recent activity shown, as its
// heading says ("Recent activity   3–7 of 34"), or 0.
func firstShown(s, heading string) int {
	for _, l := range strings.Split(s, "\n") {
		if rest, ok := strings.CutPrefix(l, heading+"   "); ok {
			n := 0
			for _, r := range rest {
				if r < '0' || r > '9' {
					break
				}
				n = n*10 + int(r-'0')
			}
			return n
		}
	}
	return 0
}
