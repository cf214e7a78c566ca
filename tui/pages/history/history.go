// Package history shows what was done to one service: who did what, when,
// and, below the list, the whole detail of the line selected, which the
// list's Detail column cuts.
package history

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/listpage"
	"contactdesk/tui/components/table"
	"contactdesk/tui/styles"
)

// Limit is how many entries, newest first, the view reads.
const Limit = 1000

// detailCol is the index of the Detail column among a row's cells.
const detailCol = 3

// detailLines is how many lines the detail below the list takes at
// most: more than any of the model's lines needs at 80 columns.
const detailLines = 6

// Page is the history of a service.
type Page struct {
	// the list's table, filter and reads (Capturing, Layers, MinSize);
	// SetSize and View are the page's own, for the detail below the list
	*listpage.List[model.HistoryEntry]
	c       *common.Common
	name    string
	back    key.Binding
	request key.Binding
	width   int
	height  int
	// below is how many lines the detail below the list takes: a blank
	// and as many as the longest detail read needs at this width, so
	// that the list does not grow and shrink as the cursor moves
	below int
	read  bool // a read landed: below is to be measured again
}

// New returns the history of a service.
func New(c *common.Common, service string) *Page {
	p := &Page{c: c, name: service}
	p.keys(c)
	p.List = listpage.New(c, p.spec(c), p.Load, columns(c)...)
	return p
}

func (p *Page) keys(c *common.Common) {
	p.back = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", c.T("tui.key.back")))
	p.request = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", c.T("tui.history.key.open")))
}

// Relang makes the view speak c's language, its list, filter and cursor
// kept (common.Relanger).
func (p *Page) Relang(c *common.Common) tea.Cmd {
	p.c = c
	p.keys(c)
	p.List.Relang(c, p.spec(c), columns(c)...)
	return nil
}

func (p *Page) spec(c *common.Common) listpage.Spec[model.HistoryEntry] {
	service := p.name
	return listpage.Spec[model.HistoryEntry]{
		Title:   c.T("tui.history.title"),
		Subject: service,
		Info: func(shown, total int) string {
			args := locale.Args{"N": locale.Number(total), "Shown": locale.Number(shown)}
			if p.List.Filter.Active() {
				return c.T("tui.history.info_filtered", args)
			}
			return c.T("tui.history.info", args)
		},
		None:    c.T("tui.history.none"),
		NoMatch: c.T("tui.history.no_match"),
		// the room below the list is measured again once the list holds
		// the entries read (see Update)
		Landed: func(*listpage.Got[model.HistoryEntry]) { p.read = true },
		Open:   p.request,
		// an entry opens the request it is about, if there is one
		OnOpen: func(e *listpage.Entry[model.HistoryEntry]) tea.Cmd {
			if e.Item.RequestID == 0 {
				return nil
			}
			return p.c.Open(common.OpenRequestMsg{ID: e.Item.RequestID})
		},
	}
}

func columns(c *common.Common) []table.Column {
	return []table.Column{
		{Title: c.T("tui.history.col.when"), Width: 16},
		{Title: c.T("tui.history.col.who"), Width: 12, Fit: true},
		// whole where there is room ("pausa nos códigos"), 16 at the least
		{Title: c.T("tui.history.col.action"), Min: 16, Max: 24, Fit: true},
		{Title: c.T("tui.history.col.detail"), Min: 10, Flex: 3},
	}
}

// Load reads the history. A service the user no longer holds a role on
// (the first read refused) closes the view.
func (p *Page) Load() tea.Cmd {
	c, name := p.c, p.name
	return p.List.Load(nil, func() listpage.Got[model.HistoryEntry] {
		hs, err := c.Desk.History(c.Ctx, c.Me, model.HistoryFilter{Service: name, Limit: Limit})
		if err != nil {
			return listpage.Got[model.HistoryEntry]{Err: err}
		}
		es := make([]listpage.Entry[model.HistoryEntry], len(hs))
		for i, h := range hs {
			cells := []string{c.L.DateTime(h.At), c.Handle(h.Actor), c.Action(h.Action), detail(c, h)}
			es[i] = listpage.Entry[model.HistoryEntry]{Item: h, Row: table.Row{Key: h.ID, Cells: cells},
				Hay: strings.ToLower(strings.Join(cells, "\x00"))}
		}
		return listpage.Got[model.HistoryEntry]{Entries: es}
	})
}

// detail is what the Detail column says of h: a line about a request
// names it first ("#9", "#9 cancelled by xx11111-ovh"): an answer's line
// says nothing else, and a service's requests are many.
func detail(c *common.Common, h model.HistoryEntry) string {
	d := c.Detail(h)
	if h.RequestID == 0 {
		return d
	}
	return strings.TrimSpace(fmt.Sprintf("#%d %s", h.RequestID, d))
}

// SetSize sets the view's size: the list's, and the detail's below it.
func (p *Page) SetSize(w, h int) {
	p.width, p.height = w, h
	p.layout()
}

// detailIndent is where the detail's text starts: after the Detail
// label, itself under the list's first column.
func (p *Page) detailIndent() int {
	return table.Gutter + common.Width(p.c.T("tui.history.col.detail")) + 2
}

// layout shares the view's height between the list and the detail below
// it. When the list's Detail column cuts a detail read, the detail below
// takes a blank line and the lines the longest detail needs (at most
// detailLines), as long as the list keeps the room it needs (in a
// window too low for a line of it, none); when it cuts none, the list
// has the whole height.
func (p *Page) layout() {
	// the columns' widths, at this width (the height left as it was)
	p.List.SetSize(p.width, p.height-p.below)
	es := p.List.Entries()
	shown := p.List.Table.ColumnWidth(detailCol)
	room := max(10, p.width-p.detailIndent())
	n, cut := 0, false
	for i := range es {
		d := cell(&es[i])
		w := common.Width(d)
		cut = cut || w > shown
		if n >= detailLines {
			if cut {
				break
			}
			continue
		}
		lines := 1
		if w > room {
			lines = strings.Count(common.WrapMax(d, p.detailIndent(), p.width, 0, styles.Paint{}), "\n") + 1
		}
		n = max(n, lines)
	}
	below := 0
	if _, least := p.List.MinSize(); cut && p.height-least >= 2 {
		below = min(1+min(n, detailLines), p.height-least)
	}
	if below != p.below {
		p.below = below
		p.List.SetSize(p.width, p.height-p.below)
	}
}

// cell is e's detail as the list holds it.
func cell(e *listpage.Entry[model.HistoryEntry]) string {
	if detailCol < len(e.Row.Cells) {
		return e.Row.Cells[detailCol]
	}
	return ""
}

// View draws the list and, below it, the whole detail of the line
// selected: its label, then its text wrapped under it.
func (p *Page) View() string {
	v := p.List.View()
	if p.below == 0 {
		return v
	}
	ls := []string{""}
	if e, ok := p.List.Selected(); ok {
		st := p.c.Styles
		label := p.c.T("tui.history.col.detail")
		d := strings.Split(common.WrapMax(cell(e), p.detailIndent(), p.width, p.below-1, st.Value), "\n")
		d[0] = common.Pad(table.Gutter) + st.Label.Render(label) + "  " + strings.TrimLeft(d[0], " ")
		ls = append(ls, d...)
	}
	for len(ls) < p.below {
		ls = append(ls, "")
	}
	return v + "\n" + strings.Join(ls[:p.below], "\n")
}

// Update handles a message.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	cmd, used := p.List.Update(msg)
	if p.read {
		p.read = false
		p.layout()
	}
	if used {
		if !p.List.Loaded() && model.IsRefusal(p.List.Err()) {
			// the first read was refused (no such service for the user,
			// say): the view closes, saying why; one that did not answer
			// leaves it saying it could not be read, as a list does
			return common.Unreadable(p.List.Err())
		}
		return cmd
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, p.back) {
		return p.c.Back()
	}
	return nil
}

// Title names the view.
func (p *Page) Title() string { return p.c.T("tui.history.title") + " · " + common.Line(p.name) }

// ShortHelp lists the main keys.
func (p *Page) ShortHelp() []key.Binding {
	// enter opens the line's request: a line about none (a service
	// added, an owner's details changed) offers nothing
	var own []key.Binding
	if e, ok := p.List.Selected(); ok && e.Item.RequestID != 0 {
		own = append(own, p.request)
	}
	sh := p.List.ShortHelp(own...)
	if p.List.Capturing() {
		return sh
	}
	return append(sh, p.back)
}

// FullHelp lists every key of the view.
func (p *Page) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.request, p.back}, p.List.FilterKeys()}
}
