// Package picker is the account picker a session starts on when no
// account was named (support staff open the app for a customer): every
// account, narrowed as you type.
package picker

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

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
}

// none is what the picker of an empty desk says: accounts are opened
// from the command line, by support staff.
const none = `no account yet: support staff open one from the command line,
    contactdesk account add HANDLE --name NAME --email ADDRESS
then start the app again.`

// New returns the picker.
func New(c *common.Common) *Page {
	p := &Page{c: c, pick: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "act as this account"))}
	p.List = listpage.New(c, listpage.Spec[model.Account]{
		Title:   "Act as which account?",
		Info:    func(shown, total int) string { return fmt.Sprintf("%d of %d accounts", shown, total) },
		None:    none,
		NoMatch: "no account matches",
		Open:    p.pick,
		OnOpen: func(e *listpage.Entry[model.Account]) tea.Cmd {
			return common.Send(common.ActAsMsg{Handle: e.Item.Handle})
		},
		// everything typed filters, j and k too
		Filter: filter.NewAlways(c.Styles, "Account: ", "type a handle, a name or an address"),
	}, p.Load,
		table.Column{Title: "Handle", Width: 11, Fit: true},
		table.Column{Title: "Name", Min: 12, Flex: 1, Max: 40},
		table.Column{Title: "E-mail", Min: 12, Flex: 1, Max: 48},
		table.Column{Title: "Standing", Width: 14},
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
			standing := "up to date"
			if !a.UpToDate() {
				standing = "owes " + a.Owes.String()
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
func (p *Page) Title() string { return "Choose an account" }

// ShortHelp lists the keys.
func (p *Page) ShortHelp() []key.Binding { return p.List.ShortHelp(p.pick) }

// FullHelp lists the keys.
func (p *Page) FullHelp() [][]key.Binding { return [][]key.Binding{p.List.ShortHelp(p.pick)} }
