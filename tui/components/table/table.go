// Package table is the list widget of every screen: a header and rows of
// cells that never wrap (they are cut with …), a cursor kept visible by
// scrolling, and only the rows on screen rendered, so a list of 100,000
// rows moves as fast as a list of ten.
package table

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/tui/common"
	"contactdesk/tui/keymap"
	"contactdesk/tui/styles"
)

// Column describes one column.
type Column struct {
	Title string
	// Width fixes the column's width; 0 makes it flexible.
	Width int
	// Min is a flexible column's smallest width.
	Min int
	// Flex is a flexible column's share of the room left (default 1).
	Flex int
	// From hides the column while the table is narrower than this.
	From int
	// Until hides the column once the table is this wide: with From, a
	// screen gives a narrow table other columns than a wide one (the
	// same text in fewer cells).
	Until int
	// Max stops a flexible column growing (0: no limit), so that on a
	// wide terminal the columns stay together and the eye can follow a row.
	// On a fixed Fit column, it is the widest its cells widen it to: a
	// cell wider is cut (a word of another making in a column of the
	// language's words).
	Max int
	// Fit widens a fixed column to its widest cell, as last measured
	// (see Widest and SetFit): a handle or a number is never cut, and
	// the flexible columns shrink first. On a flexible column, Fit keeps
	// it, while the others grow to their Max, no wider than its widest
	// cell (the room goes where it shows something), then lets it grow
	// past its Max up to its widest cell, when there is room left: a
	// long name is not cut while the columns right of it leave the
	// screen's right half empty.
	Fit bool
	// List marks a column of lists, their items joined by ", " (the
	// handles a request waits for): a cell wider than the column keeps
	// its first items whole and counts the others ("you +2"), instead
	// of cutting an item.
	List bool
}

// Row is one row: its cells as plain, already cleaned text.
type Row struct {
	// Key identifies the row across reloads, so the cursor stays on it.
	Key   int64
	Cells []string
	// Mark is drawn in the gutter (one cell): pending, unread, awaiting you.
	Mark string
	Bold bool
}

// gutter is the cursor cell, the mark cell and a space before the first column.
const gutter = 3

// Gutter is where a table's first column starts: what a screen lines up
// with the table's columns starts there too.
const Gutter = gutter

// Model is a table.
type Model struct {
	st     *styles.Styles
	paint  struct{ header, selected, bold, mark, subtle styles.Paint }
	cols   []Column
	fitted []int // the widest cell of each Fit column, by column
	widths []int
	rows   []Row
	cursor int
	offset int
	width  int
	height int
	// Empty is shown when there are no rows (one line or several).
	Empty string
}

// New returns a table with these columns.
func New(st *styles.Styles, cols ...Column) *Model {
	m := &Model{st: st, cols: cols, Empty: "nothing to show"}
	m.paint.header = styles.PaintOf(st.Header)
	m.paint.selected = styles.PaintOf(st.Selected)
	m.paint.bold = styles.PaintOf(st.Bold)
	m.paint.mark = styles.PaintOf(st.Mark)
	m.paint.subtle = styles.PaintOf(st.Subtle)
	return m
}

// SetColumns replaces the columns.
func (m *Model) SetColumns(cols ...Column) {
	m.cols = cols
	m.fitted = nil
	m.layout()
}

// Retitle replaces the columns with the same columns in another
// language: the widths measured of their cells are kept, the cursor and
// the rows too.
func (m *Model) Retitle(cols ...Column) {
	if len(cols) != len(m.cols) {
		m.SetColumns(cols...)
		return
	}
	m.cols = cols
	m.layout()
}

// Fitting returns the indexes of the columns that fit their cells.
func (m *Model) Fitting() []int {
	var fit []int
	for i, c := range m.cols {
		if c.Fit {
			fit = append(fit, i)
		}
	}
	return fit
}

// Widest measures the widest cell of each column of cols, in the order
// of cols. It reads only rows, so that a list's read can measure its
// rows away from the program's loop.
func Widest(rows []Row, cols []int) []int {
	w := make([]int, len(cols))
	for i := range rows {
		cells := rows[i].Cells
		for k, c := range cols {
			if c < len(cells) {
				w[k] = max(w[k], common.Width(cells[c]))
			}
		}
	}
	return w
}

// SetFit sets the widths Widest measured for the columns of cols.
func (m *Model) SetFit(cols, widths []int) {
	m.fitted = make([]int, len(m.cols))
	for k, c := range cols {
		if c < len(m.fitted) && k < len(widths) {
			m.fitted[c] = widths[k]
		}
	}
	m.layout()
}

// SetSize sets the table's size, header included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.layout()
	m.scroll()
}

// ColumnWidth returns how wide column i is drawn (0: hidden).
func (m *Model) ColumnWidth(i int) int {
	if i < len(m.widths) {
		return m.widths[i]
	}
	return 0
}

// Height returns the table's height, header included.
func (m *Model) Height() int { return m.height }

// SetRows replaces the rows, keeping the cursor on the row with the same
// key when it is still there.
func (m *Model) SetRows(rows []Row) {
	key, had := m.SelectedKey()
	m.SetRowsAt(rows, key, had)
}

// SelectedKey returns the key of the selected row.
func (m *Model) SelectedKey() (int64, bool) {
	if m.cursor < len(m.rows) {
		return m.rows[m.cursor].Key, true
	}
	return 0, false
}

// SetRowsAt replaces the rows and, when had, puts the cursor on the row
// with key if it is there. It lets a caller reuse the old rows' memory.
func (m *Model) SetRowsAt(rows []Row, key int64, had bool) {
	m.rows = rows
	if had {
		if m.rows != nil && m.cursor < len(m.rows) && m.rows[m.cursor].Key == key {
			m.scroll()
			return
		}
		for i := range m.rows {
			if m.rows[i].Key == key {
				m.cursor = i
				m.scroll()
				return
			}
		}
	}
	m.cursor = min(m.cursor, max(0, len(m.rows)-1))
	m.scroll()
}

// Rows returns the rows.
func (m *Model) Rows() []Row { return m.rows }

// Len returns how many rows there are.
func (m *Model) Len() int { return len(m.rows) }

// Cursor returns the index of the selected row.
func (m *Model) Cursor() int { return m.cursor }

// Selected returns the selected row.
func (m *Model) Selected() (Row, bool) {
	if m.cursor < len(m.rows) {
		return m.rows[m.cursor], true
	}
	return Row{}, false
}

// SetCursor selects row i (clamped).
func (m *Model) SetCursor(i int) {
	m.cursor = max(0, min(i, len(m.rows)-1))
	m.scroll()
}

// SelectKey selects the row with key k, if there is one.
func (m *Model) SelectKey(k int64) bool {
	for i := range m.rows {
		if m.rows[i].Key == k {
			m.SetCursor(i)
			return true
		}
	}
	return false
}

// Move moves the cursor by n rows.
func (m *Model) Move(n int) { m.SetCursor(m.cursor + n) }

func (m *Model) visible() int { return max(1, m.height-1) }

// scroll keeps the cursor on screen.
func (m *Model) scroll() {
	v := m.visible()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+v {
		m.offset = m.cursor - v + 1
	}
	m.offset = max(0, min(m.offset, len(m.rows)-v))
}

// HandleKey moves the cursor for the movement keys and reports whether
// the key was one of them.
func (m *Model) HandleKey(msg tea.KeyPressMsg, k *keymap.KeyMap) bool {
	switch {
	case key.Matches(msg, k.Up):
		m.Move(-1)
	case key.Matches(msg, k.Down):
		m.Move(1)
	case key.Matches(msg, k.PageUp):
		m.Move(-m.visible())
	case key.Matches(msg, k.PageDown):
		m.Move(m.visible())
	case key.Matches(msg, k.Home):
		m.SetCursor(0)
	case key.Matches(msg, k.End):
		m.SetCursor(len(m.rows) - 1)
	default:
		return false
	}
	return true
}

// HandleMouse scrolls on the wheel and selects the clicked row; the
// pointer's line is counted from the table's top (its header). It
// reports whether an already selected row was clicked (to open it).
func (m *Model) HandleMouse(msg tea.MouseMsg) (activate bool) {
	y := msg.Mouse().Y
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.Move(-3)
		case tea.MouseWheelDown:
			m.Move(3)
		}
	case tea.MouseClickMsg:
		if msg.Button != tea.MouseLeft || y < 1 || y > m.visible() {
			return false
		}
		i := m.offset + y - 1
		if i >= len(m.rows) {
			return false
		}
		if i == m.cursor {
			return true
		}
		m.SetCursor(i)
	}
	return false
}

func (m *Model) shown(i int) bool {
	c := m.cols[i]
	return m.width >= c.From && (c.Until <= 0 || m.width < c.Until)
}

// top is how wide flexible column i grows at most (0: no limit): its
// Max, or, for a Fit column, its widest cell when wider.
func (m *Model) top(i int) int {
	c := m.cols[i]
	if c.Max <= 0 {
		return 0
	}
	if c.Fit && i < len(m.fitted) {
		return max(c.Max, m.fitted[i])
	}
	return c.Max
}

// first is how wide flexible column i grows while the others grow to
// their Max (0: no limit): its Max, a Fit one no wider than its widest
// cell, once measured (nor narrower than its Min).
func (m *Model) first(i int) int {
	c := m.cols[i]
	if c.Fit && i < len(m.fitted) && m.fitted[i] > 0 && (c.Max <= 0 || m.fitted[i] < c.Max) {
		return max(c.Min, m.fitted[i])
	}
	return c.Max
}

// MinWidth is the least width the table can be drawn in without cutting
// a column below its size: the columns hidden while the table is narrow
// (From) left out, those shown only then (Until) counted, each fixed one at its width (a Fit one as wide as its title
// and its widest cell, as last measured), each flexible one at its Min.
func (m *Model) MinWidth() int {
	w, n := gutter, 0
	for i, c := range m.cols {
		if c.From > 0 {
			continue // hidden when narrow
		}
		n++
		switch {
		case c.Width > 0:
			w += m.fixed(i)
		default:
			w += c.Min
		}
	}
	return w + max(0, n-1)
}

// fixed is how wide fixed column i is drawn: its Width; a Fit one as
// wide as its title too (a title in another language may be longer
// than the cells: "Administrador") and as its widest cell, as last
// measured, up to its Max when it has one.
func (m *Model) fixed(i int) int {
	c := m.cols[i]
	if !c.Fit {
		return c.Width
	}
	w := max(c.Width, common.Width(c.Title))
	if i < len(m.fitted) {
		w = max(w, m.fitted[i])
	}
	if c.Max > 0 {
		w = min(w, max(c.Max, c.Width, common.Width(c.Title)))
	}
	return w
}

// layout gives each column its width (0 for a hidden one).
func (m *Model) layout() {
	m.widths = make([]int, len(m.cols))
	n := 0
	for i := range m.cols {
		if m.shown(i) {
			n++
		}
	}
	room := m.width - gutter - max(0, n-1)
	flex := 0
	for i, c := range m.cols {
		if !m.shown(i) {
			continue
		}
		if c.Width > 0 {
			m.widths[i] = m.fixed(i)
			room -= m.widths[i]
		} else {
			m.widths[i] = c.Min
			room -= c.Min
			flex += weight(c)
		}
	}
	if room <= 0 || flex == 0 {
		return
	}
	// share the room by weight, each column up to its Max (a Fit one to
	// its widest cell when narrower); then what is left to the Fit
	// columns whose cells are cut, past their Max up to their widest
	// cells; then to the Fit columns still short of their Max: a column
	// of blanks grows only once no cell is cut for want of its room
	// (at 120 columns, "tech +1" beside a Service column 16 cells wider
	// than its names)
	growing := map[int]bool{}
	for i, c := range m.cols {
		if c.Width == 0 && m.shown(i) {
			growing[i] = true
		}
	}
	room = m.share(room, growing, m.first)
	for i, c := range m.cols {
		if c.Width == 0 && c.Fit && m.shown(i) && m.widest(i) > m.widths[i] {
			growing[i] = true
		}
	}
	room = m.share(room, growing, m.widest)
	for i, c := range m.cols {
		if top := m.top(i); c.Width == 0 && c.Fit && m.shown(i) && (top == 0 || top > m.widths[i]) {
			growing[i] = true
		}
	}
	m.share(room, growing, m.top)
}

// widest is flexible Fit column i's widest cell, as last measured (0:
// not measured).
func (m *Model) widest(i int) int {
	if i < len(m.fitted) {
		return m.fitted[i]
	}
	return 0
}

// share shares room by weight among the growing columns, each up to its
// top (0: no limit); a column reaching it leaves the rest to the others.
// It returns the room left when every column reached its top.
func (m *Model) share(room int, growing map[int]bool, top func(int) int) int {
	for room > 0 && len(growing) > 0 {
		total := 0
		for i := range growing {
			total += weight(m.cols[i])
		}
		given := 0
		capped := false
		for i, c := range m.cols {
			if !growing[i] {
				continue
			}
			add := max(1, room*weight(c)/total)
			if top := top(i); top > 0 && m.widths[i]+add >= top {
				add = max(0, top-m.widths[i])
				delete(growing, i)
				capped = true
			}
			add = min(add, room-given)
			m.widths[i] += add
			given += add
		}
		room -= given
		if !capped {
			// the division's remainder goes to the last growing column
			last := -1
			for i := range m.cols {
				if growing[i] {
					last = i
				}
			}
			if last >= 0 {
				m.widths[last] += room
			}
			return 0
		}
	}
	return room
}

func weight(c Column) int {
	if c.Flex <= 0 {
		return 1
	}
	return c.Flex
}

// View draws the header and the visible rows, exactly the table's height.
func (m *Model) View() string {
	var b strings.Builder
	b.Grow((m.width + 16) * m.height)
	b.WriteString(m.paint.header.Render(common.Fit(m.header(), m.width)))
	n := 1
	if len(m.rows) == 0 {
		for _, l := range strings.Split(m.Empty, "\n") {
			if n >= m.height {
				break
			}
			b.WriteByte('\n')
			b.WriteString(m.paint.subtle.Render(common.Fit("  "+l, m.width)))
			n++
		}
	}
	end := min(len(m.rows), m.offset+m.visible())
	for i := m.offset; i < end && n < m.height; i++ {
		b.WriteByte('\n')
		b.WriteString(m.row(i))
		n++
	}
	for ; n < m.height; n++ {
		b.WriteByte('\n')
	}
	return b.String()
}

func (m *Model) header() string {
	var b strings.Builder
	b.WriteString(common.Pad(gutter))
	first := true
	for i, c := range m.cols {
		if !m.shown(i) {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(common.Fit(c.Title, m.widths[i]))
	}
	return b.String()
}

func (m *Model) row(i int) string {
	r := &m.rows[i]
	var b strings.Builder
	b.Grow(m.width + 8)
	first := true
	for c := range m.cols {
		if !m.shown(c) {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		cell := ""
		if c < len(r.Cells) {
			cell = r.Cells[c]
		}
		if m.cols[c].List {
			cell = fewer(cell, m.widths[c])
		}
		b.WriteString(common.Fit(cell, m.widths[c]))
	}
	mark := "  "
	if r.Mark != "" {
		mark = common.Fit(r.Mark, 1) + " "
	}
	cells := common.Cut(b.String(), m.width-gutter)
	cells += common.Pad(m.width - gutter - common.Width(cells))
	switch {
	case i == m.cursor:
		return m.paint.selected.Render(">" + mark + cells)
	case r.Bold:
		return m.paint.bold.Render(" " + mark + cells)
	case r.Mark != "":
		// the mark alone is coloured, so the row keeps the terminal's colours
		return " " + m.paint.mark.Render(mark[:len(mark)-1]) + " " + cells
	}
	return " " + mark + cells
}

// fewer fits a list's cell to w cells: its first items whole, and how
// many it leaves out ("you, yy22222-ovh +1"). When not even the first
// item fits with the count, it is the first item that is cut, and the
// count stays ("adm… +1" for "admin., fatur." in 7 cells, where "admin.…"
// hid that there was a second role); a cell that fits, or too narrow a
// column for 2 letters of the first item, "…" and the count, is left as
// it is (Fit cuts it).
func fewer(cell string, w int) string {
	if len(cell) <= w || common.Width(cell) <= w {
		return cell
	}
	items := strings.Split(cell, ", ")
	for k := len(items) - 1; k >= 1; k-- {
		s := strings.Join(items[:k], ", ") + " +" + strconv.Itoa(len(items)-k)
		if common.Width(s) <= w {
			return s
		}
	}
	if len(items) > 1 {
		count := " +" + strconv.Itoa(len(items)-1)
		if room := w - common.Width(count); room >= 3 {
			return common.Cut(items[0], room) + count
		}
	}
	return cell
}
