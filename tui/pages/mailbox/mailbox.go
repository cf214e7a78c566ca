// Package mailbox is the Mailbox tab: the user's mails, newest first,
// unread ones in bold and marked.
package mailbox

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/filter"
	"contactdesk/tui/components/table"
)

// Page is the Mailbox tab.
type Page struct {
	c      *common.Common
	read   key.Binding
	table  *table.Model
	filter *filter.Model
	all    []model.Mail
	hay    []string
	unread int
	loaded bool
	reads  common.Reads
	width  int
	height int
}

// New returns the Mailbox tab.
func New(c *common.Common) *Page {
	p := &Page{c: c, read: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "read mail"))}
	p.table = table.New(c.Styles)
	p.filter = filter.New(c.Styles)
	p.columns(false)
	return p
}

func (p *Page) columns(delivery bool) {
	cols := []table.Column{
		{Title: "Date", Width: 10},
		{Title: "Subject", Min: 20, Max: 110},
	}
	if delivery {
		cols = append(cols, table.Column{Title: "Delivery", Width: 8})
	}
	p.table.SetColumns(cols...)
}

type loadedMsg struct {
	seq int
	ms  []model.Mail
	err error
}

// Load reads the mailbox again.
func (p *Page) Load() tea.Cmd {
	seq, ok := p.reads.Begin()
	if !ok {
		return nil
	}
	c := p.c
	return common.Do(func() tea.Msg {
		ms, err := c.Desk.Mails(c.Ctx, c.Me)
		return loadedMsg{seq: seq, ms: ms, err: err}
	})
}

// Unread counts the unread mails.
func (p *Page) Unread() int { return p.unread }

// Update handles a message.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if !p.reads.Current(msg.seq) {
			return nil
		}
		again := p.reads.End()
		cmd := common.Read()
		if msg.err != nil {
			cmd = common.ReadFailed(msg.err)
		} else {
			p.set(msg.ms)
		}
		if again {
			return tea.Batch(cmd, p.Load())
		}
		return cmd
	case tea.KeyPressMsg:
		return p.key(msg)
	case tea.MouseMsg:
		if p.table.HandleMouse(msg, msg.Mouse().Y-1) {
			return p.open()
		}
	}
	return nil
}

func (p *Page) set(ms []model.Mail) {
	p.all = ms
	p.unread = 0
	p.hay = make([]string, len(ms))
	delivery := false
	for i, m := range ms {
		if !m.Read {
			p.unread++
		}
		if m.Delivery != "" {
			delivery = true
		}
		p.hay[i] = strings.ToLower(common.Line(m.Subject) + "\x00" + common.Line(m.Address) + "\x00" + m.Kind)
	}
	p.columns(delivery)
	p.loaded = true
	p.apply()
}

func (p *Page) apply() {
	now := p.c.Now()
	q := p.filter.Query()
	rows := make([]table.Row, 0, len(p.all))
	for i, m := range p.all {
		if q != "" && !strings.Contains(p.hay[i], q) {
			continue
		}
		row := table.Row{Key: m.ID, Cells: []string{common.Ago(now, m.Date), common.Line(m.Subject), common.Line(m.Delivery)}}
		if !m.Read {
			row.Mark, row.Bold = "●", true
		}
		rows = append(rows, row)
	}
	switch {
	case !p.loaded:
		p.table.Empty = "loading…"
	case len(p.all) == 0:
		p.table.Empty = "no mail yet"
	default:
		p.table.Empty = "no mail matches"
	}
	p.table.SetRows(rows)
}

func (p *Page) key(msg tea.KeyPressMsg) tea.Cmd {
	if cmd, used := p.filter.Key(msg, p.apply); used {
		return cmd
	}
	if p.table.HandleKey(msg, p.c.Keys) {
		return nil
	}
	switch {
	case key.Matches(msg, p.read):
		return p.open()
	}
	return nil
}

func (p *Page) open() tea.Cmd {
	if r, ok := p.table.Selected(); ok {
		return common.Send(common.ReadMailMsg{ID: r.Key})
	}
	return nil
}

// SetSize sets the page's size.
func (p *Page) SetSize(w, h int) {
	p.width, p.height = w, h
	p.table.SetSize(w, h-1)
}

// Title names the tab.
func (p *Page) Title() string { return "Mailbox" }

// Capturing reports whether the filter has the keys.
func (p *Page) Capturing() bool { return p.filter.On() }

// View draws the page.
func (p *Page) View() string {
	st := p.c.Styles
	head := st.Title.Render("Mailbox") + "  "
	if f := p.filter.View(p.width / 3); f != "" {
		head += f + "  "
	}
	head += st.Subtle.Render(fmt.Sprintf("%d mails, %d unread, newest first", len(p.all), p.unread))
	legend := "● unread"
	if w := common.Width(head); w+2+common.Width(legend) <= p.width {
		head += common.Pad(p.width-w-common.Width(legend)) + st.Subtle.Render(legend)
	} else {
		head = common.Cut(head, p.width)
	}
	return head + "\n" + p.table.View()
}

// ShortHelp lists the main keys.
func (p *Page) ShortHelp() []key.Binding {
	if p.filter.On() {
		return []key.Binding{p.filter.Keep, p.filter.Clear}
	}
	return []key.Binding{p.read, p.filter.Start}
}

// FullHelp lists every key of the tab.
func (p *Page) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.read}, {p.filter.Start, p.filter.Clear}}
}
