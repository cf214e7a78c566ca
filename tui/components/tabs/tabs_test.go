package tabs

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"contactdesk/tui/styles"
)

// TestWidthIsTheBarsWidth: the width the bar is measured at is the width
// it is drawn at, counts and accents included.
func TestWidthIsTheBarsWidth(t *testing.T) {
	m := New(styles.Default(), "Serviços", "Pedidos", "Correio", "Perfil")
	for _, counts := range [][2]int{{0, 0}, {3, 10}, {12345, 7}} {
		m.Tabs[1].Count, m.Tabs[1].Note = counts[0], "!"
		m.Tabs[2].Count = counts[1]
		for active := range m.Tabs {
			m.Active = active
			drawn := strings.TrimRight(ansi.Strip(m.View(200)), " ")
			if got, want := m.Width(), ansi.StringWidth(drawn); got != want {
				t.Errorf("counts %v, tab %d: Width %d, drawn %d: %q", counts, active, got, want, drawn)
			}
		}
	}
}
