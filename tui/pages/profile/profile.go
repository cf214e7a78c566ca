// Package profile is the Profile tab: name, handle, billing standing, and
// the e-mail address, edited in place and checked by the model; below,
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
	Edit, Save, Cancel key.Binding
}

// recent is how many history lines the tab reads.
const recent = 50

// Page is the Profile tab.
type Page struct {
	c       *common.Common
	keys    KeyMap
	a       model.Account
	hist    []model.HistoryEntry
	loaded  bool
	histOK  bool // hist has been read
	editing bool
	saving  bool
	email   *field.Model
	seq     int
	width   int
	height  int
}

// New returns the Profile tab.
func New(c *common.Common) *Page {
	return &Page{c: c,
		keys: KeyMap{
			Edit:   key.NewBinding(key.WithKeys("e", "enter"), key.WithHelp("e/enter", "edit e-mail")),
			Save:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save e-mail")),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel editing")),
		},
		email: field.New(c.Styles, "E-mail", "name@example.com", model.MaxEmailLen),
	}
}

type (
	loadedMsg struct {
		seq int
		a   model.Account
		err error
	}
	historyMsg struct {
		seq  int
		hist []model.HistoryEntry
		err  error
	}
	savedMsg struct {
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
			return loadedMsg{seq: seq, a: a, err: err}
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
		p.a, p.loaded = msg.a, true
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
	case savedMsg:
		p.saving = false
		if msg.err != nil {
			p.email.Err = common.ErrText(msg.err)
			return common.Status("e-mail address not changed: see the field")
		}
		p.a = msg.a
		p.editing = false
		p.email.Blur()
		return tea.Batch(common.Send(common.ChangedMsg{}), common.Status("e-mail address changed to %s", common.Line(msg.a.Email)))
	case tea.KeyPressMsg:
		if p.saving || !p.loaded {
			return nil
		}
		if p.editing {
			switch {
			case key.Matches(msg, p.keys.Cancel):
				p.editing = false
				p.email.Blur()
				p.email.Err = ""
				return nil
			case key.Matches(msg, p.keys.Save):
				p.saving = true
				c, v := p.c, p.email.Value()
				return common.Do(func() tea.Msg {
					a, err := c.Desk.SetEmail(c.Ctx, c.Me, v)
					return savedMsg{a: a, err: err}
				})
			}
			_, cmd := p.email.Update(msg)
			return cmd
		}
		if key.Matches(msg, p.keys.Edit) {
			p.editing = true
			p.email.SetValue(p.a.Email)
			p.email.Err = ""
			p.email.Focus()
		}
	}
	return nil
}

// SetSize sets the page's size.
func (p *Page) SetSize(w, h int) { p.width, p.height = w, h }

// Title names the tab.
func (p *Page) Title() string { return "Profile" }

// Capturing reports whether the e-mail field has the keys.
func (p *Page) Capturing() bool { return p.editing }

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
	if p.editing {
		f := p.email.View(min(50, p.width-labelW-3), p.width-labelW-1, labelW+1)
		ls = append(ls, strings.Split(st.Label.Render(common.Fit("E-mail", labelW))+" "+f, "\n")...)
		ls = append(ls, st.Subtle.Render(common.Cut(common.Pad(labelW+1)+"enter: save · esc: cancel", p.width)))
	} else {
		ls = append(ls, row("E-mail", common.Line(a.Email)+st.Subtle.Render("   (e: edit)")))
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
	if p.editing {
		return []key.Binding{p.keys.Save, p.keys.Cancel}
	}
	return []key.Binding{p.keys.Edit}
}

// FullHelp lists the keys that work now.
func (p *Page) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
