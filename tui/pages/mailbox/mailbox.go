// Package mailbox is the Mailbox tab: the user's mails, newest first,
// unread ones in bold and marked.
package mailbox

import (
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/listpage"
	"contactdesk/tui/components/table"
)

// Page is the Mailbox tab.
type Page struct {
	// the list's table, filter and reads (SetSize, View, Capturing, Layers)
	*listpage.List[model.Mail]
	c        *common.Common
	read     key.Binding
	unread   int
	delivery bool // a column says where each mail stands (real delivery)
	limit    int  // the newest mails read (0: all), more as the reader goes down
}

// New returns the Mailbox tab.
func New(c *common.Common) *Page {
	p := &Page{c: c, read: readKey(c), limit: model.MailboxPage}
	p.List = listpage.New(c, p.spec(c), p.Load)
	p.columns(false)
	return p
}

func readKey(c *common.Common) key.Binding {
	return key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", c.T("tui.mailbox.key.read")))
}

// Relang makes the tab speak c's language, its list, filter and cursor
// kept (common.Relanger).
func (p *Page) Relang(c *common.Common) tea.Cmd {
	p.c, p.read = c, readKey(c)
	p.List.Relang(c, p.spec(c))
	p.columns(p.delivery)
	return nil
}

func (p *Page) spec(c *common.Common) listpage.Spec[model.Mail] {
	return listpage.Spec[model.Mail]{
		Title:   c.T("tui.mailbox.title"),
		Legend:  c.T("tui.mailbox.legend"),
		Info:    p.info,
		None:    c.T("tui.mailbox.none"),
		NoMatch: c.T("tui.mailbox.no_match"),
		Landed:  p.landed,
		Retime: func(now time.Time, e *listpage.Entry[model.Mail]) {
			e.Row.Cells[0] = p.c.L.Ago(now, e.Item.Date)
		},
		Open: p.read,
		OnOpen: func(e *listpage.Entry[model.Mail]) tea.Cmd {
			return p.c.Open(common.ReadMailMsg{ID: e.Item.ID})
		},
		// mail comes on top: who has not moved the cursor reads the newest
		FollowTop: true,
		Older:     p.older,
	}
}

func (p *Page) columns(delivery bool) {
	p.delivery = delivery
	cols := []table.Column{
		{Title: p.c.T("tui.mailbox.col.date"), Width: 10, Fit: true},
		{Title: p.c.T("tui.mailbox.col.subject"), Min: 20, Max: 110},
	}
	if delivery {
		cols = append(cols, table.Column{Title: p.c.T("tui.mailbox.col.delivery"), Width: 8, Fit: true})
	}
	p.List.Table.Retitle(cols...)
}

// older reads a page of older mails more, or the whole mailbox (all).
func (p *Page) older(all bool) tea.Cmd {
	if all {
		p.limit = 0
	} else if p.limit > 0 {
		p.limit += model.MailboxPage
	}
	return p.Load()
}

// Load reads the mailbox again. The first time, it counts the unread
// mails first, for the tab and the status line, and reads the mails
// once the session's first frame is complete: the mailbox of a busy
// account holds hundreds of mails, which the first frame does not show.
// It reads the newest mails only, as many as the reader went down to
// (an agency's mailbox holds a thousand and more), with the count of
// the unread ones among them all; and down to the mail under the cursor
// at least, which mail come since may have pushed past that many.
func (p *Page) Load() tea.Cmd {
	c, limit := p.c, p.limit
	keep, _ := p.List.Table.SelectedKey()
	first := func() listpage.Got[model.Mail] {
		n, err := c.Desk.Unread(c.Ctx, c.Me)
		return listpage.Got[model.Mail]{More: true, Tag: n, Err: err}
	}
	return p.List.Load(first, func() listpage.Got[model.Mail] {
		ms, older, err := c.Desk.Mailbox(c.Ctx, c.Me, limit)
		for err == nil && older && keep != 0 && !slices.ContainsFunc(ms, func(m model.Mail) bool { return m.ID == keep }) {
			limit += model.MailboxPage
			ms, older, err = c.Desk.Mailbox(c.Ctx, c.Me, limit)
		}
		unread := 0
		if err == nil && older {
			unread, err = c.Desk.Unread(c.Ctx, c.Me)
		}
		if err != nil {
			return listpage.Got[model.Mail]{Err: err}
		}
		now := c.Now()
		es := make([]listpage.Entry[model.Mail], len(ms))
		for i, m := range ms {
			subject := common.Line(m.Subject)
			switch {
			case m.TokenAnswered && (m.Token != "" || m.TokenWithheld || m.TokenRemoved):
				// answered, the request waiting for others: not over
				subject = c.T("tui.mailbox.answered") + " " + subject
			case m.TokenEnded && (m.Token != "" || m.TokenWithheld || m.TokenRemoved):
				subject = c.T(endedLabel(m)) + " " + subject
			case m.TokenReplaced && (m.Token != "" || m.TokenWithheld):
				subject = c.T("tui.mailbox.replaced") + " " + subject
			}
			row := table.Row{Key: m.ID, Cells: []string{c.L.Ago(now, m.Date), subject, c.Delivery(m.Delivery)}}
			if !m.Read {
				row.Mark, row.Bold = "●", true
			}
			es[i] = listpage.Entry[model.Mail]{Item: m, Row: row,
				Hay: strings.ToLower(subject + "\x00" + common.Line(m.Address) + "\x00" + m.Kind)}
		}
		return listpage.Got[model.Mail]{Entries: es, Older: older, Tag: unread}
	})
}

// landed counts the unread mails, and shows where each mail stands when
// mail really leaves.
func (p *Page) landed(g *listpage.Got[model.Mail]) {
	if g.More {
		p.unread = g.Tag // the count alone, the mails to come
		return
	}
	p.unread = 0
	if g.Older {
		p.unread = g.Tag // among them all
		// read down to the cursor's mail: as many from now on (unless
		// a filter asked for the whole mailbox meanwhile)
		if p.limit > 0 {
			p.limit = max(p.limit, len(g.Entries))
		}
	}
	delivery := false
	for _, e := range g.Entries {
		if !e.Item.Read && !g.Older {
			p.unread++
		}
		if e.Item.Delivery != "" {
			delivery = true
		}
	}
	if delivery != p.delivery {
		p.columns(delivery)
	}
}

// Unread counts the unread mails.
func (p *Page) Unread() int { return p.unread }

// info counts the mails; with a filter on, those shown of them all.
func (p *Page) info(shown, total int) string {
	unread := locale.M("tui.mailbox.unread", locale.Args{"N": locale.Number(p.unread)})
	switch {
	case !p.List.Loaded() && p.List.Failed():
		// the unread mails counted, the list's read gave up: the list
		// says it could not be read, the status line why
		return p.c.T("tui.mailbox.unread", locale.Args{"N": locale.Number(p.unread)})
	case !p.List.Loaded():
		return p.c.T("tui.mailbox.info_loading", locale.Args{"Unread": unread})
	}
	n := p.c.T("tui.mailbox.count", locale.Args{"N": locale.Number(total)})
	if p.List.Filter.Active() {
		n = p.c.T("tui.mailbox.count_of", locale.Args{"Shown": locale.Number(shown), "Count": n})
	}
	if p.List.Older() {
		return p.c.T("tui.mailbox.info_older", locale.Args{"Count": n, "Unread": unread})
	}
	return p.c.T("tui.mailbox.info", locale.Args{"Count": n, "Unread": unread})
}

// Update handles a message. Once a filter that read the whole mailbox
// is cleared, the next reads read the newest mails again, down to the
// cursor's page: the whole mailbox of an agency is read only while it
// is searched.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	cmd, _ := p.List.Update(msg)
	if p.limit == 0 && p.List.Filter.Query() == "" {
		pages := p.List.Table.Cursor()/model.MailboxPage + 1
		p.limit = pages * model.MailboxPage
	}
	return cmd
}

// Title names the tab.
func (p *Page) Title() string { return p.c.T("tui.tab.mailbox") }

// ShortHelp lists the main keys.
func (p *Page) ShortHelp() []key.Binding { return p.List.ShortHelp(p.read) }

// FullHelp lists every key of the tab.
func (p *Page) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.read}, p.List.FilterKeys()}
}

// endedLabel is what the list says of a mail whose token ended: of a
// code, what became of its consumer key, when it is still there to say.
func endedLabel(m model.Mail) string {
	switch m.CredentialState {
	case model.CredentialValidated:
		return "tui.mailbox.code_validated"
	case model.CredentialRefused:
		return "tui.mailbox.code_refused"
	case model.CredentialExpired:
		return "tui.mailbox.code_expired"
	}
	return "tui.mailbox.ended"
}
