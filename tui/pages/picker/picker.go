// Package picker is the account picker a session starts on when no
// account was named (support staff open the app for a customer): every
// account, narrowed as you type.
package picker

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/filter"
	"contactdesk/tui/components/listpage"
	"contactdesk/tui/components/table"
)

// Page is the account picker.
type Page struct {
	// the list's table, filter and reads (SetSize, View, Capturing, Layers)
	*listpage.List[model.Account]
	c    *common.Common
	pick key.Binding
	// back: the picker was opened with @, and esc goes back to the
	// account in use (the root model does it)
	back bool
}

// New returns the picker.
func New(c *common.Common) *Page {
	p := &Page{c: c, pick: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", c.T("tui.picker.key.pick")))}
	p.List = listpage.New(c, listpage.Spec[model.Account]{
		Title: c.T("tui.picker.title"),
		Info: func(shown, total int) string {
			return c.T("tui.picker.info", locale.Args{"Shown": locale.Number(shown), "N": locale.Number(total)})
		},
		// accounts are opened from the command line, by support staff
		None:    c.T("tui.picker.none"),
		NoMatch: c.T("tui.picker.no_match"),
		Open:    p.pick,
		OnOpen: func(e *listpage.Entry[model.Account]) tea.Cmd {
			return p.c.Open(common.ActAsMsg{Handle: e.Item.Handle, Lang: e.Item.Lang})
		},
		// everything typed filters, j and k too
		Filter: filter.NewAlways(c.Styles, c.L, c.T("tui.picker.prompt"), c.T("tui.picker.placeholder")),
	}, p.Load,
		table.Column{Title: c.T("tui.picker.col.handle"), Width: 11, Fit: true},
		// the name and the address no wider than their widest cells
		// while the other is cut (Fit): at 80 columns the Name column
		// had 11 cells of blanks beside "carlos@duarte-consulting…"
		table.Column{Title: c.T("tui.picker.col.name"), Min: 12, Flex: 1, Max: 40, Fit: true},
		table.Column{Title: c.T("tui.picker.col.email"), Min: 12, Flex: 1, Max: 48, Fit: true},
		table.Column{Title: c.T("tui.picker.col.standing"), Width: 14, Fit: true},
	)
	return p
}

// Load reads the accounts.
func (p *Page) Load() tea.Cmd {
	c := p.c
	return p.List.Load(nil, func() listpage.Got[model.Account] {
		as, err := c.Desk.Accounts(c.Ctx)
		if err != nil {
			return listpage.Got[model.Account]{Err: err}
		}
		es := make([]listpage.Entry[model.Account], len(as))
		for i, a := range as {
			standing := c.T("tui.picker.up_to_date")
			if !a.UpToDate() {
				standing = c.T("tui.picker.owes", locale.Args{"Amount": locale.Amount(a.Owes)})
			}
			h, name, email := common.H(a.Handle), common.Line(a.Name), common.Line(a.Email)
			es[i] = listpage.Entry[model.Account]{Item: a,
				Row: table.Row{Key: int64(i), Cells: []string{h, name, email, standing}},
				Hay: strings.ToLower(h + "\x00" + name + "\x00" + email)}
		}
		return listpage.Got[model.Account]{Entries: es}
	})
}

// Update handles a message.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	cmd, _ := p.List.Update(msg)
	return cmd
}

// Title names the page.
func (p *Page) Title() string { return p.c.T("tui.picker.choose") }

// CanGoBack tells the picker that an account is in use, which esc goes
// back to once nothing is typed.
func (p *Page) CanGoBack() { p.back = true }

// Typed reports whether something typed narrows the list: esc clears it
// before it goes back.
func (p *Page) Typed() bool { return p.List.Filter.Active() }

// ShortHelp lists the keys.
func (p *Page) ShortHelp() []key.Binding {
	if p.back && !p.Typed() {
		return []key.Binding{p.pick, p.c.Keys.Back}
	}
	return p.List.ShortHelp(p.pick)
}

// FullHelp lists the keys.
func (p *Page) FullHelp() [][]key.Binding {
	keys := []key.Binding{p.pick, p.List.Filter.Clear}
	if p.back {
		keys = append(keys, p.c.Keys.Back)
	}
	return [][]key.Binding{keys}
}
