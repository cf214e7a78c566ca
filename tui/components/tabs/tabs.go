// Package tabs draws the tab bar and tells which tab a click fell on.
package tabs

import (
	"fmt"
	"strings"

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
	// Trail is drawn at the right end of the bar (the screen's title).
	Trail string
	spans [][2]int // each tab's first and last+1 column, from the last View
}

// New returns a tab bar.
func New(st *styles.Styles, names ...string) *Model {
	m := &Model{st: st}
	for _, n := range names {
		m.Tabs = append(m.Tabs, Tab{Name: n})
	}
	return m
}

// View draws the bar in width cells.
func (m *Model) View(width int) string {
	var b strings.Builder
	m.spans = m.spans[:0]
	x := 0
	for i, t := range m.Tabs {
		label := fmt.Sprintf("%d %s", i+1, t.Name)
		if t.Count > 0 {
			label += fmt.Sprintf(" (%d%s)", t.Count, t.Note)
		}
		var cell string
		if i == m.Active {
			cell = m.st.ActiveTab.Render("[" + label + "]")
		} else {
			cell = m.st.Tab.Render(" " + label + " ")
		}
		w := common.Width(label) + 2
		m.spans = append(m.spans, [2]int{x, x + w})
		b.WriteString(cell)
		b.WriteByte(' ')
		x += w + 1
	}
	if m.Trail != "" && x < width-4 {
		trail := common.Cut(m.Trail, width-x-1)
		b.WriteString(common.Pad(width - x - common.Width(trail)))
		b.WriteString(m.st.Title.Render(trail))
	}
	return b.String()
}

// At returns the tab at column x of the bar, or -1.
func (m *Model) At(x int) int {
	for i, s := range m.spans {
		if x >= s[0] && x < s[1] {
			return i
		}
	}
	return -1
}
