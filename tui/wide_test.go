package tui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"contactdesk/model"
)

// wideNames are names as customers type them: East Asian wide
// characters, emoji with a skin tone, flags, an accent typed after its
// letter, right-to-left scripts; some longer than any column.
var wideNames = map[model.Handle]string{
	"ya10001-ovh": "山田太郎",
	"kb10002-ovh": "株式会社山田商事 代表取締役 山田花子",
	"lw10008-ovh": "株式会社山田商事ホールディングス国際事業部門東京本社営業第一課長山田太郎様",
	"fl10004-ovh": "🇵🇹 Jose\u0301 Ferreira 🇫🇷",
	"th10007-ovh": "Ana 👍🏽 Smile 👍🏽 🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵",
	"ar10005-ovh": "محمد عبد الله",
	"he10006-ovh": "דוד כהן",
}

// wideDesk is the demo desk plus accounts with wideNames, and xara.pt's
// owner details in such text.
func wideDesk(t *testing.T) *model.Desk {
	d := newDesk(t)
	err := d.Store().Update(ctx, func(tx model.Tx) error {
		for h, n := range wideNames {
			if err := tx.InsertAccount(model.Account{Handle: h, Name: n, Email: string(h) + "@example.jp", Created: now.Add(-time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// checkAligned checks that, on every line holding one of wideNames'
// handles, the text after it (at) starts at the same cell as on the
// first such line: a wide or combined character counted as one cell
// would pull or push the rest of its row.
func checkAligned(t *testing.T, s string, at func(h model.Handle) string) {
	t.Helper()
	col := -1
	for h := range wideNames {
		l := lineOf(s, string(h)+" ")
		i := strings.Index(l, at(h))
		if l == "" || i < 0 {
			t.Fatalf("no line with %s and %q:\n%s", h, at(h), s)
		}
		c := ansi.StringWidth(l[:i])
		if col < 0 {
			col = c
		}
		if c != col {
			t.Errorf("%q starts at cell %d, another row's at %d:\n%s", at(h), c, col, s)
		}
	}
}

// TestWideNamesKeepTheirCells: at 80 columns, names in wide characters,
// emoji and flags, combining accents and right-to-left scripts, on the
// account picker, the status bar and the Profile, leave every
// line within the terminal, the columns after them aligned, and a name
// cut is cut between characters (no lone half of a flag, no letter
// without its accent).
func TestWideNamesKeepTheirCells(t *testing.T) {
	const w, h = 80, 24
	check := func(a *app) string {
		t.Helper()
		s := a.screen()
		checkCells(t, s, w, h)
		for _, l := range strings.Split(s, "\n") {
			n := 0 // regional indicators in a row: a flag is two
			for _, r := range l + " " {
				if r >= 0x1F1E6 && r <= 0x1F1FF {
					n++
					continue
				}
				if n%2 == 1 {
					t.Errorf("a flag cut in two: %q", l)
				}
				n = 0
			}
			if strings.Contains(l, "fl10004-ovh") && strings.Contains(l, "Jose…") {
				t.Errorf("a letter cut from its accent: %q", l)
			}
		}
		return s
	}
	d := wideDesk(t)

	a := start(t, d, "", w, h)
	s := a.waitText("lw10008-ovh", "株式会社")
	check(a)
	checkAligned(t, s, func(h model.Handle) string { return string(h) + "@example.jp" })
	a.quit()

	for _, me := range []model.Handle{"lw10008-ovh", "th10007-ovh", "fl10004-ovh"} {
		a = start(t, d, me, w, h)
		a.waitText(string(me))
		check(a)
		a.press("4")
		a.waitText(a.T("tui.tab.profile"), "@example.jp")
		check(a)
		a.quit()
	}
}
