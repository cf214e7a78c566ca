package tui_test

import (
	"strings"
	"testing"

	"contactdesk/locale"
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
