// Package help draws what the keys of a screen do: the short line under
// the screen (bubbles' help, from the screen's help.KeyMap), and the box
// of every key, in titled groups, laid over the screen as a layer of a
// lipgloss compositor.
package help

import (
	"strconv"
	"strings"

	bhelp "charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"contactdesk/tui/styles"
)

// Group is a titled group of keys in the box.
type Group struct {
	Title string
	Keys  []key.Binding
}

// Model draws a screen's keys.
type Model struct {
	st   *styles.Styles
	line bhelp.Model
	// Closing is the box's last line: how to close it.
	Closing string
	// The short line is drawn again only when what it shows changes:
	// drawing it styles every key, and it is on every frame, for each
	// key press of a list of 100,000 rows.
	last struct {
		of   string
		line string
	}
}

// New returns the keys' help, drawn with st.
func New(st *styles.Styles) *Model {
	line := bhelp.New()
	line.ShortSeparator = " · "
	line.Styles = bhelp.Styles{
		ShortKey: st.HelpKey, ShortDesc: st.HelpDesc, ShortSeparator: st.Subtle, Ellipsis: st.Subtle,
		FullKey: st.HelpKey, FullDesc: st.HelpDesc, FullSeparator: st.Subtle,
	}
	return &Model{st: st, line: line}
}

// Short draws the line of the main keys, as many as fit in width cells.
// keep is the key that shows every other (help): when the keys are too
// many for the line, the screen's last keys give way to it, never it to
// them, so that a newcomer on a narrow terminal still reads how to see
// what the line leaves out ("? help …"); keys holds it too, where it
// stands when they all fit, and a key of keys with keep's key is left
// out when they do not.
func (m *Model) Short(keys []key.Binding, keep key.Binding, width int) string {
	var of strings.Builder
	of.WriteString(strconv.Itoa(width))
	for _, k := range append(keys, keep) {
		if k.Enabled() {
			h := k.Help()
			of.WriteString(h.Key + "\x00" + h.Desc + "\x00")
		}
	}
	if of.String() != m.last.of {
		m.last.of, m.last.line = of.String(), m.short(keys, keep, width)
	}
	return m.last.line
}

func (m *Model) short(keys []key.Binding, keep key.Binding, width int) string {
	m.line.SetWidth(width) // the box's width too, as it was
	whole := m.line
	whole.SetWidth(0) // measured here, not cut by bubbles' help
	if line := whole.ShortHelpView(keys); lipgloss.Width(line) <= width {
		return line
	}
	rest, shorter := make([]key.Binding, 0, len(keys)), make([]key.Binding, 0, len(keys))
	for _, k := range keys {
		if k.Help().Key != keep.Help().Key {
			rest = append(rest, k)
			shorter = append(shorter, k)
		} else if keep.Enabled() {
			shorter = append(shorter, keep)
		}
	}
	// keep's shorter words may be all the line needed
	if line := whole.ShortHelpView(shorter); lipgloss.Width(line) <= width {
		return line
	}
	tail := " " + m.st.Subtle.Render(m.line.Ellipsis)
	for n := len(rest); keep.Enabled() && n >= 0; n-- {
		if line := whole.ShortHelpView(append(rest[:n:n], keep)) + tail; lipgloss.Width(line) <= width {
			return line
		}
	}
	// not even the help key fits: as many keys as do
	line := m.line.ShortHelpView(keys)
	// bubbles' help adds every key left when the one that does not
	// fit leaves no room for its "…": keys are left out until the
	// line fits.
	for n := len(keys) - 1; n > 0 && lipgloss.Width(line) > width; n-- {
		line = m.line.ShortHelpView(keys[:n]) + tail
	}
	return line
}

// Box draws every group of keys in a box at most width cells wide and
// height lines high: two groups side by side when they fit, else one
// under the other. When they are too many for height, the last lines of
// keys give way to "…", and the box keeps its border and the line that
// says how to close it.
func (m *Model) Box(groups []Group, width, height int) string {
	full := m.line
	var cols []string
	colW := 0
	for _, g := range groups {
		var on []key.Binding
		for _, k := range g.Keys {
			if k.Enabled() {
				on = append(on, k)
			}
		}
		if len(on) == 0 {
			continue
		}
		c := m.st.HelpTitle.Render(g.Title) + "\n" + full.FullHelpView([][]key.Binding{on})
		cols = append(cols, c)
		colW = max(colW, lipgloss.Width(c))
	}
	frame := m.st.HelpBox.GetHorizontalFrameSize()
	perRow := 1
	if 2*colW+3+frame <= width {
		perRow = 2
	}
	cell := lipgloss.NewStyle().Width(colW)
	var rows []string
	for i := 0; i < len(cols); i += perRow {
		var row []string
		for j, c := range cols[i:min(len(cols), i+perRow)] {
			if j > 0 {
				row = append(row, "   ")
			}
			row = append(row, cell.Render(c))
		}
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	keys := strings.Join(rows, "\n\n")
	frameH := m.st.HelpBox.GetVerticalFrameSize()
	if lines := strings.Split(keys, "\n"); len(lines)+1+frameH > height {
		keys = strings.Join(append(lines[:max(0, height-frameH-2)], m.st.Subtle.Render(m.line.Ellipsis)), "\n")
	}
	return m.st.HelpBox.Render(keys + "\n" + m.st.Subtle.Render(m.Closing))
}

// Over lays box over frame, centred on its rows but the top and bottom
// ones: a layer above the frame's, in a lipgloss compositor. A box
// taller than the room loses its last lines; the frame keeps its size.
func Over(frame, box string, top, bottom int) string {
	w, h := lipgloss.Width(frame), lipgloss.Height(frame)
	room := h - top - bottom
	if lines := strings.Split(box, "\n"); len(lines) > room {
		box = strings.Join(lines[:max(0, room)], "\n")
	}
	x := max(0, (w-lipgloss.Width(box))/2)
	y := top + max(0, (room-lipgloss.Height(box))/2)
	c := lipgloss.NewCompositor(lipgloss.NewLayer(frame), lipgloss.NewLayer(box).X(x).Y(y).Z(1))
	canvas := lipgloss.NewCanvas(w, h)
	canvas.Compose(c)
	return canvas.Render()
}
