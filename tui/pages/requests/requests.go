// Package requests is the Requests tab (My requests): the requests the
// user is a party to, those waiting for the user's own answer first and
// marked, filtered by state and by text.
package requests

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

// KeyMap is the tab's own keys.
type KeyMap struct {
	Open, State key.Binding
}

// states the list can be narrowed to, in the order f cycles through them.
var states = append([]model.State{""}, model.States...)

// Page is the Requests tab.
type Page struct {
	c       *common.Common
	keys    KeyMap
	table   *table.Model
	filter  *filter.Model
	all     []model.Request // awaiting the user first, then newest first
	hay     []string
	state   int
	idW     int
	awaited int
	loaded  bool
	reads   common.Reads
	width   int
	height  int
}

// New returns the Requests tab.
func New(c *common.Common) *Page {
	p := &Page{c: c, keys: KeyMap{
		Open:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open request")),
		State: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "state filter")),
	}}
	p.table = table.New(c.Styles)
	p.columns(4)
	p.table.Empty = "loading…"
	p.filter = filter.New(c.Styles)
	return p
}

type loadedMsg struct {
	seq int
	rs  []model.Request
	err error
}

// columns sets the table's columns, the ID column idW cells wide: a
// request's number is never cut.
func (p *Page) columns(idW int) {
	p.idW = idW
	p.table.SetColumns(
		table.Column{Title: "ID", Width: idW},
		table.Column{Title: "Date", Width: 10, From: 100},
		table.Column{Title: "Service", Min: 12, Flex: 1, Max: 40},
		table.Column{Title: "Roles", Width: 7},
		table.Column{Title: "From → To", Width: 26},
		table.Column{Title: "State", Width: 9},
		table.Column{Title: "Awaiting", Min: 12, Flex: 1, Max: 40},
	)
}

// Load reads the requests again.
func (p *Page) Load() tea.Cmd {
	seq, ok := p.reads.Begin()
	if !ok {
		return nil
	}
	c := p.c
	return common.Do(func() tea.Msg {
		rs, err := c.Desk.Requests(c.Ctx, c.Me)
		return loadedMsg{seq: seq, rs: rs, err: err}
	})
}

// Awaiting counts the requests waiting for the user's answer.
func (p *Page) Awaiting() int { return p.awaited }

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
			p.set(msg.rs)
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

// set keeps the model's order (newest first) but puts the requests
// waiting for the user's own answer first.
func (p *Page) set(rs []model.Request) {
	p.all = p.all[:0]
	p.awaited = 0
	for _, r := range rs {
		if r.AwaitingMe(p.c.Me) {
			p.all = append(p.all, r)
			p.awaited++
		}
	}
	for _, r := range rs {
		if !r.AwaitingMe(p.c.Me) {
			p.all = append(p.all, r)
		}
	}
	idW := 4
	for _, r := range p.all {
		idW = max(idW, len(fmt.Sprintf("#%d", r.ID)))
	}
	if idW != p.idW {
		p.columns(idW)
	}
	p.hay = make([]string, len(p.all))
	for i, r := range p.all {
		p.hay[i] = strings.ToLower(fmt.Sprintf("#%d %s %s %s %s %s %s", r.ID, common.Line(r.Service), common.Roles(r), common.H(r.From), common.H(r.To), common.Line(string(r.State)), common.StateWord(r.State)))
	}
	p.loaded = true
	p.apply()
}

func (p *Page) apply() {
	now := p.c.Now()
	q := p.filter.Query()
	rows := make([]table.Row, 0, len(p.all))
	for i, r := range p.all {
		if p.state > 0 && r.State != states[p.state] {
			continue
		}
		if q != "" && !strings.Contains(p.hay[i], q) {
			continue
		}
		row := table.Row{Key: r.ID, Cells: []string{
			fmt.Sprintf("#%d", r.ID),
			common.Ago(now, r.Created),
			common.Line(r.Service),
			common.Roles(r),
			fmt.Sprintf("%s → %s", p.c.Handle(r.From), p.c.Handle(r.To)),
			common.StateWord(r.State),
			p.c.Handles(r.Awaited()),
		}}
		if r.AwaitingMe(p.c.Me) {
			row.Mark, row.Bold = "!", true
		}
		rows = append(rows, row)
	}
	switch {
	case !p.loaded:
		p.table.Empty = "loading…"
	case len(p.all) == 0:
		p.table.Empty = "you are a party to no request yet"
	default:
		p.table.Empty = "no request matches"
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
	case key.Matches(msg, p.keys.State):
		p.state = (p.state + 1) % len(states)
		p.apply()
	case key.Matches(msg, p.keys.Open):
		return p.open()
	}
	return nil
}

func (p *Page) open() tea.Cmd {
	if r, ok := p.table.Selected(); ok {
		return common.Send(common.OpenRequestMsg{ID: r.Key})
	}
	return nil
}

// SetSize sets the page's size.
func (p *Page) SetSize(w, h int) {
	p.width, p.height = w, h
	p.table.SetSize(w, h-1)
}

// Title names the tab.
func (p *Page) Title() string { return "Requests" }

// Capturing reports whether the filter has the keys.
func (p *Page) Capturing() bool { return p.filter.On() }

// View draws the page.
func (p *Page) View() string {
	st := p.c.Styles
	state := "all"
	if p.state > 0 {
		state = common.StateWord(states[p.state])
	}
	head := st.Title.Render("My requests") + "  "
	if f := p.filter.View(p.width / 3); f != "" {
		head += f + "  "
	}
	head += st.Subtle.Render(fmt.Sprintf("%d of %d · state: %s", p.table.Len(), len(p.all), state))
	legend := "! waits for your answer  * you"
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
	return []key.Binding{p.keys.Open, p.filter.Start, p.keys.State}
}

// FullHelp lists every key of the tab.
func (p *Page) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.keys.Open}, {p.filter.Start, p.filter.Clear, p.keys.State}}
}
