// Package profile is the Profile tab: name, handle, billing standing, and
// the e-mail address, edited in place and checked by the model — a new
// address is used once the token mailed to it is entered here; below,
// the latest actions that concern the user.
package profile

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/field"
)

// KeyMap is the tab's keys.
type KeyMap struct {
	Edit, Confirm, Save, Cancel key.Binding
}

// editing says which field has the keys.
type editing int

const (
	notEditing editing = iota
	editingEmail
	editingToken
)

// recent is how many history lines the tab reads.
const recent = 50

// Page is the Profile tab.
type Page struct {
	c       *common.Common
	keys    KeyMap
	a       model.Account
	pending model.EmailChange // a new address waiting for its token
	hasPend bool
	hist    []model.HistoryEntry
	loaded  bool
	histOK  bool // hist has been read
	editing editing
	saving  bool
	email   *field.Model
	token   *field.Model
	seq     int
	width   int
	height  int
}

// New returns the Profile tab.
func New(c *common.Common) *Page {
	return &Page{c: c,
		keys: KeyMap{
			Edit:    key.NewBinding(key.WithKeys("e", "enter"), key.WithHelp("e/enter", "change e-mail")),
			Confirm: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "enter the token for the new address")),
			Save:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send")),
			Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel editing")),
		},
		email: field.New(c.Styles, "E-mail", "name@example.com", model.MaxEmailLen),
		token: field.New(c.Styles, "Token", "the token mailed to the new address", 64),
	}
}

type (
	loadedMsg struct {
		seq     int
		a       model.Account
		pending model.EmailChange
		hasPend bool
		err     error
	}
	historyMsg struct {
		seq  int
		hist []model.HistoryEntry
		err  error
	}
	// askedMsg answers the change of address asked for.
	askedMsg struct {
		c   model.EmailChange
		err error
	}
	// confirmedMsg answers the token entered for it.
	confirmedMsg struct {
		a   model.Account
		err error
	}
)

// Load reads the account and, apart, its recent activity: the account
// is quick to read and the status line shows it on every screen, while
// the activity of an account holding many services takes longer (a
// tenth of a second for 100,000 services) and is on this tab only, so it
// waits for the first frame (common.Later).
func (p *Page) Load() tea.Cmd {
	p.seq++
	seq, c := p.seq, p.c
	return tea.Batch(
		common.Do(func() tea.Msg {
			a, err := c.Desk.Account(c.Ctx, c.Me)
			if err != nil {
				return loadedMsg{seq: seq, err: err}
			}
			pend, ok, err := c.Desk.PendingEmail(c.Ctx, c.Me)
			return loadedMsg{seq: seq, a: a, pending: pend, hasPend: ok, err: err}
		}),
		common.Later(common.Do(func() tea.Msg {
			hist, err := c.Desk.History(c.Ctx, c.Me, model.HistoryFilter{Limit: recent})
			return historyMsg{seq: seq, hist: hist, err: err}
		})))
}

// Account returns the account as last read.
func (p *Page) Account() (model.Account, bool) { return p.a, p.loaded }

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
		p.a, p.pending, p.hasPend, p.loaded = msg.a, msg.pending, msg.hasPend, true
		return common.Read()
	case historyMsg:
		if msg.seq != p.seq {
			return nil
		}
		if msg.err != nil {
			return common.ReadFailed(msg.err)
		}
		p.hist, p.histOK = msg.hist, true
		return common.Read()
	case askedMsg:
		p.saving = false
		if msg.err != nil {
			p.email.Err = common.ErrText(msg.err)
			return common.Status("nothing was sent: see the field")
		}
		p.pending, p.hasPend = msg.c, true
		p.stopEditing()
		return tea.Batch(common.Send(common.ChangedMsg{}),
			common.Status("a token was mailed to %s: press c and enter it to use that address", common.Line(msg.c.Email)))
	case confirmedMsg:
		p.saving = false
		if msg.err != nil {
			p.token.Err = common.ErrText(msg.err)
			return common.Status("e-mail address not changed: see the field")
		}
		p.a, p.hasPend = msg.a, false
		p.stopEditing()
		return tea.Batch(common.Send(common.ChangedMsg{}), common.Status("e-mail address changed to %s", common.Line(msg.a.Email)))
	case tea.KeyPressMsg:
		if p.saving || !p.loaded {
			return nil
		}
		if p.editing != notEditing {
			f := p.field()
			switch {
			case key.Matches(msg, p.keys.Cancel):
				p.stopEditing()
				return nil
			case key.Matches(msg, p.keys.Save):
				p.saving = true
				c, v := p.c, f.Value()
				if p.editing == editingEmail {
					return common.Do(func() tea.Msg {
						ch, err := c.Desk.AskEmailChange(c.Ctx, c.Me, v)
						return askedMsg{c: ch, err: err}
					})
				}
				return common.Do(func() tea.Msg {
					a, err := c.Desk.ConfirmEmail(c.Ctx, c.Me, v)
					return confirmedMsg{a: a, err: err}
				})
			}
			_, cmd := f.Update(msg)
			return cmd
		}
		switch {
		case key.Matches(msg, p.keys.Edit):
			p.editing = editingEmail
			p.email.SetValue(p.a.Email)
			p.email.Err = ""
			p.email.Focus()
		case p.hasPend && key.Matches(msg, p.keys.Confirm):
			p.editing = editingToken
			p.token.SetValue("")
			p.token.Err = ""
			p.token.Focus()
		}
	}
	return nil
}

// field is the field being edited.
func (p *Page) field() *field.Model {
	if p.editing == editingToken {
		return p.token
	}
	return p.email
}

func (p *Page) stopEditing() {
	p.editing = notEditing
	for _, f := range []*field.Model{p.email, p.token} {
		f.Blur()
		f.Err = ""
	}
}

// SetSize sets the page's size.
func (p *Page) SetSize(w, h int) { p.width, p.height = w, h }

// Title names the tab.
func (p *Page) Title() string { return "Profile" }

// Capturing reports whether the e-mail field has the keys.
func (p *Page) Capturing() bool { return p.editing != notEditing }

const labelW = 10

// View draws the page.
func (p *Page) View() string {
	st := p.c.Styles
	if !p.loaded {
		return st.Title.Render("Profile") + "\n\n" + st.Subtle.Render("loading…")
	}
	a := p.a
	row := func(label, value string) string {
		return st.Label.Render(common.Fit(label, labelW)) + " " + common.Cut(value, p.width-labelW-1)
	}
	ls := []string{st.Title.Render("Profile"), ""}
	ls = append(ls, row("Name", common.Line(a.Name)))
	ls = append(ls, row("Handle", common.H(a.Handle)))
	standing := "payments up to date"
	if !a.UpToDate() {
		standing = st.Error.Render(fmt.Sprintf("overdue: %s owed", a.Owes)) + " (billing contacts can't move until it is settled)"
	}
	ls = append(ls, row("Standing", standing))
	editRow := func(label string, f *field.Model, hint string) {
		v := f.View(min(50, p.width-labelW-3), p.width-labelW-1, labelW+1)
		ls = append(ls, strings.Split(st.Label.Render(common.Fit(label, labelW))+" "+v, "\n")...)
		ls = append(ls, st.Subtle.Render(common.Cut(common.Pad(labelW+1)+hint, p.width)))
	}
	if p.editing == editingEmail {
		editRow("E-mail", p.email, "enter: mail a token to this address · esc: cancel")
	} else {
		ls = append(ls, row("E-mail", common.Line(a.Email)+st.Subtle.Render("   (e: change)")))
	}
	if p.hasPend {
		ls = append(ls, row("New", common.Line(p.pending.Email)+st.Subtle.Render(
			fmt.Sprintf("   waiting for the token mailed there, until %s (c: enter it)", p.pending.Expires.UTC().Format("2006-01-02 15:04")))))
		if p.editing == editingToken {
			editRow("Token", p.token, "enter: use the new address · esc: cancel")
		}
	}
	ls = append(ls, row("Since", a.Created.UTC().Format("2006-01-02")))
	ls = append(ls, "", st.Title.Render("Recent activity"))
	room := p.height - len(ls)
	switch {
	case !p.histOK:
		ls = append(ls, st.Subtle.Render("  loading…"))
	case len(p.hist) == 0:
		ls = append(ls, st.Subtle.Render("  nothing recorded yet"))
	}
	now := p.c.Now()
	svcW := min(26, max(12, p.width/5))
	for i, h := range p.hist {
		if i >= room {
			break
		}
		ls = append(ls, common.Cut(fmt.Sprintf("  %s %s %s %s", common.Fit(common.Ago(now, h.At), 10), common.Fit(p.c.Handle(h.Actor), 12),
			common.Fit(common.Line(h.Service), svcW), common.Line(h.Detail)), p.width))
	}
	return strings.Join(ls, "\n")
}

// ShortHelp lists the keys that work now.
func (p *Page) ShortHelp() []key.Binding {
	if p.editing != notEditing {
		return []key.Binding{p.keys.Save, p.keys.Cancel}
	}
	if p.hasPend {
		return []key.Binding{p.keys.Edit, p.keys.Confirm}
	}
	return []key.Binding{p.keys.Edit}
}

// FullHelp lists the keys that work now.
func (p *Page) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
