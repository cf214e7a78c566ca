package field

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"contactdesk/tui/styles"
)

// TestCtrlVReadsNoClipboard: ctrl+v in a field asks for nothing: the
// text input's own paste would read the clipboard of the machine the app
// runs on — the server's, over SSH. A paste is the terminal's.
func TestCtrlVReadsNoClipboard(t *testing.T) {
	f := New(styles.Default(), "new tech", "", 40)
	f.Input.Focus()
	changed, cmd := f.Update(tea.KeyPressMsg{Code: 'v', Mod: tea.ModCtrl})
	if changed || cmd != nil {
		t.Fatalf("ctrl+v: changed %v, a command %v (the clipboard read)", changed, cmd != nil)
	}
	f.Update(tea.KeyPressMsg{Code: 'a', Text: "a"})
	if f.Value() != "a" {
		t.Fatalf("typing after ctrl+v: %q", f.Value())
	}
}
