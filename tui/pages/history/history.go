// Package history shows what was done to one service: who did what, when.
package history

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/table"
)

// Limit is how many entries, newest first, the view reads.
const Limit = 1000

// Page is the history of a service.
type Page struct {
	c       *common.Common
	name    string
	table   *table.Model
	n       int
	loaded  bool
	seq     int
	width   int
	height  int
	back    key.Binding
	request key.Binding
	entries []model.HistoryEntry
}

// New returns the history of a service.
func New(c *common.Common, service string) *Page {
	p := &Page{c: c, name: service,
		back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		request: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open its request")),
	}
	p.table = table.New(c.Styles,
		table.Column{Title: "When", Width: 16},
		table.Column{Title: "Who", Width: 12},
		table.Column{Title: "Action", Width: 16},
		table.Column{Title: "Detail", Min: 10},
	)
	p.table.Empty = "loading…"
	return p
}

type loadedMsg struct {
	seq int
	hs  []model.HistoryEntry
	err error
}

// Load reads the history.
func (p *Page) Load() tea.Cmd {
	p.seq++
	seq, c, name := p.seq, p.c, p.name
	return common.Do(func() tea.Msg {
		hs, err := c.Desk.History(c.Ctx, c.Me, model.HistoryFilter{Service: name, Limit: Limit})
		return loadedMsg{seq: seq, hs: hs, err: err}
	})
}

// Update handles a message.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != p.seq {
			return nil
		}
		if msg.err != nil {
			if !p.loaded {
				return tea.Batch(common.Fail(msg.err), common.Send(common.BackMsg{}))
			}
			return common.ReadFailed(msg.err)
		}
		p.loaded = true
		p.entries = msg.hs
		rows := make([]table.Row, len(msg.hs))
		for i, h := range msg.hs {
			rows[i] = table.Row{Key: h.ID, Cells: []string{
				h.At.UTC().Format("2006-01-02 15:04"), p.c.Handle(h.Actor), common.Line(h.Action), common.Line(h.Detail),
			}}
		}
		p.table.Empty = "nothing recorded yet"
		p.table.SetRows(rows)
		return common.Read()
	case tea.KeyPressMsg:
		if p.table.HandleKey(msg, p.c.Keys) {
			return nil
		}
		switch {
		case key.Matches(msg, p.back):
			return common.Send(common.BackMsg{})
		case key.Matches(msg, p.request):
			return p.open()
		}
	case tea.MouseMsg:
		if p.table.HandleMouse(msg, msg.Mouse().Y-1) {
			return p.open()
		}
	}
	return nil
}

// open opens the request an entry is about, if the user is a party to it.
func (p *Page) open() tea.Cmd {
	i := p.table.Cursor()
	if i >= len(p.entries) || p.entries[i].RequestID == 0 {
		return nil
	}
	return common.Send(common.OpenRequestMsg{ID: p.entries[i].RequestID})
}

// SetSize sets the view's size.
func (p *Page) SetSize(w, h int) {
	p.width, p.height = w, h
	p.table.SetSize(w, h-1)
}

// Title names the view.
func (p *Page) Title() string { return "History · " + common.Line(p.name) }

// Capturing is false: the view has no field.
func (p *Page) Capturing() bool { return false }

// View draws the view.
func (p *Page) View() string {
	st := p.c.Styles
	head := st.Title.Render("History") + "  " + st.Bold.Render(common.Line(p.name)) + "  " + st.Subtle.Render(fmt.Sprintf("%d entries, newest first", p.table.Len()))
	return common.Cut(head, p.width) + "\n" + p.table.View()
}

// ShortHelp lists the main keys.
func (p *Page) ShortHelp() []key.Binding { return []key.Binding{p.request, p.back} }

// FullHelp lists every key of the view.
func (p *Page) FullHelp() [][]key.Binding { return [][]key.Binding{{p.request, p.back}} }
