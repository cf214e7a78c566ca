// Package tabs draws the tab bar and places each tab as a layer, so that
// a click is found on the tab under it.
package tabs

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"contactdesk/tui/common"
	"contactdesk/tui/styles"
)

// Tab is one tab: its name and a count shown after it (0: none).
type Tab struct {
	Name  string
	Count int
	// Note follows the count, e.g. "!" for "needs you".
	Note string
}

// Model is a tab bar.
type Model struct {
	st     *styles.Styles
	Tabs   []Tab
	Active int
	// Trail is drawn at the right end of the bar (the screen's title);
	// when it does not fit there whole, the first of Shorter that does
	// (else the last of them, cut).
	Trail   string
	Shorter []string
	cells   []cell // each tab as last drawn
	// the bar is drawn at every frame, for each key press
	paint struct{ tab, active, title styles.Paint }
}

type cell struct {
	x    int
	text string
}

// New returns a tab bar.
func New(st *styles.Styles, names ...string) *Model {
	m := &Model{st: st}
	m.paint.tab, m.paint.active, m.paint.title = styles.PaintOf(st.Tab), styles.PaintOf(st.ActiveTab), styles.PaintOf(st.Title)
	for _, n := range names {
		m.Tabs = append(m.Tabs, Tab{Name: n})
	}
	return m
}

// View draws the bar in width cells.
func (m *Model) View(width int) string {
	var b strings.Builder
	m.cells = m.cells[:0]
	x := 0
	for i, t := range m.Tabs {
		label := fmt.Sprintf("%d %s", i+1, t.Name)
		if t.Count > 0 {
			label += fmt.Sprintf(" (%d%s)", t.Count, t.Note)
		}
		var drawn string
		if i == m.Active {
			drawn = m.paint.active.Render("[" + label + "]")
		} else {
			// the plain style: its blank after the label is a blank
			drawn = m.paint.tab.Render(" "+label) + " "
		}
		w := common.Width(label) + 2
		m.cells = append(m.cells, cell{x: x, text: drawn})
		b.WriteString(drawn)
		b.WriteByte(' ')
		x += w + 1
	}
	if m.Trail != "" && x < width-4 {
		trail := m.Trail
		for _, t := range m.Shorter {
			if common.Width(trail) <= width-x-1 {
				break
			}
			trail = t
		}
		trail = common.Cut(trail, width-x-1)
		b.WriteString(common.Pad(width - x - common.Width(trail)))
		b.WriteString(m.paint.title.Render(trail))
		return b.String()
	}
	// in a window as wide as the bar (Width), the blanks after its last
	// tab are left out: the line would be wider than the window
	out := b.String()
	if x > width {
		out = strings.TrimSuffix(out, strings.Repeat(" ", min(x-width, x-m.Width())))
	}
	return out
}

// Width is how wide the bar is, every tab whole, to its last cell that
// is not blank (the trail left out). It is measured at every frame:
// counted, not drawn.
func (m *Model) Width() int {
	w := 0
	for i, t := range m.Tabs {
		// "n Name", then " (count note)"; a space or a bracket each side
		// and a space after
		w += len(strconv.Itoa(i+1)) + 1 + common.Width(t.Name) + 3
		if t.Count > 0 {
			w += 3 + len(strconv.Itoa(t.Count)) + common.Width(t.Note)
		}
	}
	w-- // the space after the last tab
	if m.Active != len(m.Tabs)-1 {
		w-- // the last tab's own, not a bracket
	}
	return max(0, w)
}

// Layers places each tab as last drawn, with the id ID(i).
func (m *Model) Layers() []*lipgloss.Layer {
	ls := make([]*lipgloss.Layer, len(m.cells))
	for i, c := range m.cells {
		ls[i] = lipgloss.NewLayer(c.text).ID(ID(i)).X(c.x)
	}
	return ls
}

// ID is the id of the layer of tab i.
func ID(i int) string { return "tab:" + strconv.Itoa(i) }

// Index returns the tab of a layer's id, or -1.
func Index(id string) int {
	if n, ok := strings.CutPrefix(id, "tab:"); ok {
		if i, err := strconv.Atoi(n); err == nil {
			return i
		}
	}
	return -1
}
