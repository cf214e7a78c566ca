// Package history shows what was done to one service: who did what, when.
package history

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/listpage"
	"contactdesk/tui/components/table"
)

// Limit is how many entries, newest first, the view reads.
const Limit = 1000

// Page is the history of a service.
type Page struct {
	// the list's table, filter and reads (SetSize, View, Capturing, Layers)
	*listpage.List[model.HistoryEntry]
	c       *common.Common
	name    string
	back    key.Binding
	request key.Binding
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
		Open:    p.request,
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
		{Title: c.T("tui.history.col.action"), Width: 16},
		{Title: c.T("tui.history.col.detail"), Min: 10},
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
			cells := []string{c.L.DateTime(h.At), c.Handle(h.Actor), c.Action(h.Action), common.Line(model.DetailOf(h).In(c.L))}
			es[i] = listpage.Entry[model.HistoryEntry]{Item: h, Row: table.Row{Key: h.ID, Cells: cells},
				Hay: strings.ToLower(strings.Join(cells, "\x00"))}
		}
		return listpage.Got[model.HistoryEntry]{Entries: es}
	})
}

// Update handles a message.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	cmd, used := p.List.Update(msg)
	if used {
		if !p.List.Loaded() && p.List.Err() != nil {
			// the first read failed (no such service for the user, say):
			// the view closes, saying why
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
	sh := p.List.ShortHelp(p.request)
	if p.List.Capturing() {
		return sh
	}
	return append(sh, p.back)
}

// FullHelp lists every key of the view.
func (p *Page) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.request, p.back}, p.List.FilterKeys()}
}
