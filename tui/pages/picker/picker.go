// Package picker is the account picker a session starts on when no
// account was named (support staff open the app for a customer): every
// account, narrowed as you type.
package picker

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/table"
)

// Page is the account picker.
type Page struct {
	c      *common.Common
	pick   key.Binding
	clear  key.Binding
	table  *table.Model
	input  textinput.Model
	all    []model.Account
	hay    []string
	loaded bool
	seq    int
	width  int
	height int
}

// New returns the picker.
func New(c *common.Common) *Page {
	p := &Page{c: c,
		pick:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "act as this account")),
		clear: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
	}
	p.table = table.New(c.Styles,
		table.Column{Title: "Handle", Width: 11},
		table.Column{Title: "Name", Min: 12, Flex: 1, Max: 40},
		table.Column{Title: "E-mail", Min: 12, Flex: 1, Max: 48},
		table.Column{Title: "Standing", Width: 14},
	)
	p.table.Empty = "loading…"
	p.input = textinput.New()
	p.input.Prompt = "Account: "
	p.input.Placeholder = "type a handle, a name or an address"
	s := textinput.DefaultDarkStyles()
	s.Cursor.Blink = false
	p.input.SetStyles(s)
	p.input.Focus()
	return p
}

type loadedMsg struct {
	seq int
	as  []model.Account
	err error
}

// Load reads the accounts.
func (p *Page) Load() tea.Cmd {
	p.seq++
	seq, c := p.seq, p.c
	return common.Do(func() tea.Msg {
		as, err := c.Desk.Accounts(c.Ctx)
		return loadedMsg{seq: seq, as: as, err: err}
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
			return common.ReadFailed(msg.err)
		}
		p.all, p.loaded = msg.as, true
		p.hay = make([]string, len(p.all))
		for i, a := range p.all {
			p.hay[i] = strings.ToLower(common.H(a.Handle) + "\x00" + common.Line(a.Name) + "\x00" + common.Line(a.Email))
		}
		p.apply()
		return common.Read()
	case tea.KeyPressMsg:
		if !isLetter(msg) && p.table.HandleKey(msg, p.c.Keys) {
			return nil
		}
		switch {
		case key.Matches(msg, p.pick):
			return p.choose()
		case key.Matches(msg, p.clear):
			p.input.SetValue("")
			p.apply()
			return nil
		}
		before := p.input.Value()
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		if p.input.Value() != before {
			p.apply()
		}
		return cmd
	case tea.MouseMsg:
		if p.table.HandleMouse(msg, msg.Mouse().Y-2) {
			return p.choose()
		}
	}
	return nil
}

// isLetter reports keys that move in other lists (j, k, g, G) but are
// letters here, where everything typed filters.
func isLetter(msg tea.KeyPressMsg) bool { return msg.Text != "" }

func (p *Page) choose() tea.Cmd {
	if r, ok := p.table.Selected(); ok {
		return common.Send(common.ActAsMsg{Handle: p.all[r.Key].Handle})
	}
	return nil
}

func (p *Page) apply() {
	q := strings.ToLower(strings.TrimSpace(p.input.Value()))
	var rows []table.Row
	for i, a := range p.all {
		if q != "" && !strings.Contains(p.hay[i], q) {
			continue
		}
		standing := "up to date"
		if !a.UpToDate() {
			standing = "owes " + a.Owes.String()
		}
		rows = append(rows, table.Row{Key: int64(i), Cells: []string{common.H(a.Handle), common.Line(a.Name), common.Line(a.Email), standing}})
	}
	p.table.Empty = "no account matches"
	p.table.SetRows(rows)
}

// SetSize sets the page's size.
func (p *Page) SetSize(w, h int) {
	p.width, p.height = w, h
	p.table.SetSize(w, h-2)
	p.input.SetWidth(max(10, w-12))
}

// Title names the page.
func (p *Page) Title() string { return "Choose an account" }

// Capturing is always true: everything typed filters.
func (p *Page) Capturing() bool { return true }

// View draws the page.
func (p *Page) View() string {
	st := p.c.Styles
	head := st.Title.Render("Act as which account?") + "  " + st.Subtle.Render(fmt.Sprintf("%d of %d accounts", p.table.Len(), len(p.all)))
	return common.Cut(head, p.width) + "\n" + p.input.View() + "\n" + p.table.View()
}

// ShortHelp lists the keys.
func (p *Page) ShortHelp() []key.Binding { return []key.Binding{p.pick, p.clear} }

// FullHelp lists the keys.
func (p *Page) FullHelp() [][]key.Binding { return [][]key.Binding{{p.pick, p.clear}} }
