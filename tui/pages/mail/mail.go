// Package mail shows one mail: subject, date, address, delivery, the
// token plainly (with real delivery, where it was mailed), the link, and
// the body. Opening it marks it read; o
// follows its link to the request with the token filled in.
package mail

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/tui/common"
)

// Page is one mail.
type Page struct {
	c       *common.Common
	id      int64
	m       model.Mail
	loaded  bool
	first   common.FirstRead // the keys pressed before the mail is read, and whether that read failed
	marked  bool
	scroll  int
	seq     int
	width   int
	height  int
	body    body
	follow  key.Binding
	confirm key.Binding
	back    key.Binding
}

// New returns the view of mail id.
func New(c *common.Common, id int64) *Page {
	p := &Page{id: id}
	p.Relang(c)
	return p
}

// Relang makes the view speak c's language, its scroll kept
// (common.Relanger); the mail itself is in the language it was sent in.
func (p *Page) Relang(c *common.Common) tea.Cmd {
	p.c = c
	p.follow = key.NewBinding(key.WithKeys("o"), key.WithHelp("o", c.T("tui.mail.key.open")))
	// the same key, on the mail that proves a new address
	p.confirm = key.NewBinding(key.WithKeys("o"), key.WithHelp("o", c.T("tui.mail.key.confirm_email")))
	p.back = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", c.T("tui.key.back")))
	return nil
}

// body is the mail's body as drawn, kept while the mail and the width
// stay the same: a body can be long, and cleaning and wrapping it at
// every frame would make each key press wait for it.
type body struct {
	of    string
	width int
	lines []string
}

func (p *Page) bodyLines() []string {
	if p.body.lines == nil || p.body.of != p.m.Body || p.body.width != p.width {
		var ls []string
		for _, l := range strings.Split(strings.TrimRight(common.Lines(p.m.Body), "\n"), "\n") {
			if l == "" {
				ls = append(ls, "")
				continue
			}
			if isLink(l) {
				ls = append(ls, linkLines(strings.TrimLeft(l, " "), len(l)-len(strings.TrimLeft(l, " ")), p.width, p.c.Styles.Value)...)
				continue
			}
			if isCommand(l) {
				ls = append(ls, commandLines(l, p.width, p.c.Styles.Value)...)
				continue
			}
			// an indented line's continuations keep its indentation
			text := strings.TrimLeft(l, " ")
			ls = append(ls, strings.Split(common.Wrap(text, len(l)-len(text), p.width, p.c.Styles.Value), "\n")...)
		}
		p.body = body{of: p.m.Body, width: p.width, lines: ls}
	}
	return p.body.lines
}

// isCommand reports whether a line of a mail's body is a shell command
// to copy: it starts with "contactdesk ", after its indentation.
func isCommand(l string) bool {
	return strings.HasPrefix(strings.TrimLeft(l, " "), "contactdesk ")
}

// commandLines draws a shell command of a mail's body in width cells
// without breaking a word of it (a token broken at a dash, copied, is a
// wrong token): a command too long for the width is broken at its spaces
// only, outside quotes, each line but the last ending with " \", a
// continuation the shell joins, the next ones indented further. A word
// wider than the screen stays whole (the frame cuts it with …).
func commandLines(l string, width int, st common.Renderer) []string {
	l = strings.TrimRight(l, " ")
	if common.Width(l) <= width {
		return []string{st.Render(l)}
	}
	indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
	words := shellWords(l)
	var out []string
	line := indent + words[0]
	for _, w := range words[1:] {
		// room for the word and, should another line follow, " \"
		if common.Width(line)+1+common.Width(w)+2 <= width {
			line += " " + w
			continue
		}
		out = append(out, st.Render(line+" \\"))
		line = indent + "    " + w
	}
	return append(out, st.Render(line))
}

// shellWords splits a command at its spaces, a quoted part ('…' or "…")
// kept whole.
func shellWords(l string) []string {
	var ws []string
	var b strings.Builder
	var quote rune
	for _, r := range strings.TrimLeft(l, " ") {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == ' ':
			if b.Len() > 0 {
				ws = append(ws, b.String())
				b.Reset()
			}
			continue
		}
		b.WriteRune(r)
	}
	if b.Len() > 0 {
		ws = append(ws, b.String())
	}
	return ws
}

type (
	loadedMsg struct {
		seq int
		m   model.Mail
		err error
	}
	markedMsg struct{ err error }
)

// Load reads the mail.
func (p *Page) Load() tea.Cmd {
	p.seq++
	p.first.Start() // loading again, after a failure
	seq, c, id := p.seq, p.c, p.id
	return common.Do(func() tea.Msg {
		m, err := c.Desk.Mail(c.Ctx, c.Me, id)
		if errors.Is(err, model.ErrNotFound) {
			err = errors.New(c.T("tui.mail.gone", locale.Args{"ID": id}))
		}
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		return loadedMsg{seq: seq, m: m}
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
			return p.first.Fail(p.c, msg.err, p.loaded)
		}
		p.m, p.loaded = msg.m, true
		p.sayToken()
		early := p.first.Play(p.c)
		if !p.m.Read && !p.marked {
			p.marked = true
			c, id := p.c, p.id
			return tea.Batch(common.Read(), early, common.Do(func() tea.Msg { return markedMsg{err: c.Desk.MarkRead(c.Ctx, c.Me, id)} }))
		}
		return tea.Batch(common.Read(), early)
	case markedMsg:
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		return common.Send(common.ChangedMsg{})
	case tea.KeyPressMsg:
		return p.key(msg)
	case common.MouseMsg:
		common.Wheel(msg, &p.scroll)
	}
	return nil
}

// Holding reports whether keys typed before the mail was read wait to
// be played (common.Holder): the keys typed after them wait too, the
// app's own included, so that o then a tab's digit opens the request,
// then the tab, as it would had the user waited.
func (p *Page) Holding() bool { return p.first.Held() }

// ReadHolding reports whether the keys held wait for the first read, not
// for a save (common.Reading).
func (p *Page) ReadHolding() bool { return !p.loaded && p.first.Held() }

// ForgetEarlyKeys drops the keys held (common.Forgetter).
func (p *Page) ForgetEarlyKeys() { p.first.Forget() }

func (p *Page) key(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, p.back) && !p.first.Held():
		return p.c.Back()
	case !p.loaded:
		// played once the mail is read, as if typed then, behind the
		// keys typed before it (see common.EarlyKeys.Play)
		p.first.Hold(msg)
	case key.Matches(msg, p.follow):
		return p.open()
	case p.c.Keys.Scroll(msg, &p.scroll, p.height):
	}
	return nil
}

// sayToken makes o's help say the token is filled in only when the mail
// has one to fill in (an outcome mail has none; with real delivery the
// token is in the recipient's own inbox).
func (p *Page) sayToken() {
	follow, confirm := "tui.mail.key.open", "tui.mail.key.confirm_email"
	if _, tok, ok := model.ParseLink(p.m.Link); !ok || tok == "" || p.m.TokenGone() {
		follow = "tui.mail.key.open_no_token"
	}
	if p.m.Token == "" || p.m.TokenGone() {
		confirm = "tui.mail.key.confirm_email_no_token"
	}
	p.follow.SetHelp("o", p.c.T(follow))
	p.confirm.SetHelp("o", p.c.T(confirm))
}

// open follows the mail's link, or opens the request it is about; the
// mail that proves a new address opens the Profile's field for its
// token.
func (p *Page) open() tea.Cmd {
	if !p.loaded || p.m.Kind == model.MailCredentialCode {
		return nil // its page is the web's: the app has nothing to open
	}
	if p.m.Kind == model.MailEmailConfirm {
		tok := p.m.Token
		if p.m.TokenGone() {
			tok = "" // it no longer works: the Profile's field is left for the newest
		}
		return p.c.Open(common.ConfirmEmailMsg{Token: tok})
	}
	if id, tok, ok := model.ParseLink(p.m.Link); ok {
		if p.m.TokenGone() {
			// the request offers the token of the newest mail itself,
			// or, ended, none
			tok = ""
		}
		return p.c.Open(common.OpenRequestMsg{ID: id, Token: tok})
	}
	if p.m.RequestID != 0 {
		return p.c.Open(common.OpenRequestMsg{ID: p.m.RequestID})
	}
	return common.Status(p.c.T("tui.mail.no_request"))
}

// SetSize sets the view's size.
func (p *Page) SetSize(w, h int) { p.width, p.height = w, h }

// Title names the view.
func (p *Page) Title() string { return p.c.T("tui.mail.title", locale.Args{"ID": p.id}) }

// Capturing is false: the view has no field.
func (p *Page) Capturing() bool { return false }

// labelW is the width of the labels: the longest of the language's.
func (p *Page) labelW() int {
	w := 0
	for _, id := range []string{"subject", "date", "to", "delivery", "token", "link"} {
		w = max(w, common.Width(p.c.T("tui.mail.label."+id)))
	}
	return w + 1
}

// rowLines is how many lines a value beside a label takes at most.
const rowLines = 4

func (p *Page) row(label, value string, st common.Renderer) []string {
	lw := p.labelW()
	v := strings.Split(common.WrapMax(value, lw+1, p.width, rowLines, st), "\n")
	v[0] = p.c.Styles.Label.Render(common.Fit(p.c.T("tui.mail.label."+label), lw)) + " " + strings.TrimLeft(v[0], " ")
	return v
}

// linkRows draws the link's row: beside its label when it fits there
// whole; else the label alone and the link under it, from column 0 (see
// linkLines). A link broken over two lines beside a label ("…?token=
// DBBX-…-GG4" then "Y" under it) is copied or clicked without its end:
// a wrong token.
func (p *Page) linkRows(link string, st common.Renderer) []string {
	lw := p.labelW()
	label := p.c.T("tui.mail.label.link")
	if lw+1+common.Width(link) <= p.width {
		return []string{p.c.Styles.Label.Render(common.Fit(label, lw)) + " " + st.Render(link)}
	}
	ls := linkLines(link, 0, p.width, st)
	if len(ls) > rowLines {
		// a link of a kilobyte (hostile) would push the mail out of sight
		ls = append(ls[:rowLines-1], st.Render(common.Cut(ansi.Strip(ls[rowLines-1])+"…", p.width)))
	}
	return append([]string{p.c.Styles.Label.Render(common.Cut(label, p.width))}, ls...)
}

// isLink reports whether a line of a mail's body is a web link alone
// (after its indentation): the link to the request with its token.
func isLink(l string) bool {
	l = strings.TrimLeft(l, " ")
	return (strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")) && !strings.ContainsAny(l, " \t")
}

// linkLines draws a link on lines of its own, never broken where it
// fits whole: at indent when it fits there, else from column 0, where a
// terminal (or tmux) finds it whole on one line to click or copy. Only a
// link wider than the screen is broken, at the width, each piece from
// column 0 with nothing added, so that the pieces selected join into
// the link.
func linkLines(link string, indent, width int, st common.Renderer) []string {
	w := common.Width(link)
	if indent+w <= width {
		return []string{common.Pad(indent) + st.Render(link)}
	}
	if w <= width || width < 1 {
		return []string{st.Render(link)}
	}
	var out []string
	for link != "" {
		piece := ansi.Truncate(link, width, "")
		out = append(out, st.Render(piece))
		link = link[len(piece):]
	}
	return out
}

// View draws the mail, scrolled.
func (p *Page) View() string {
	st := p.c.Styles
	if !p.loaded {
		return st.Title.Render(p.Title()) + "\n\n" + p.first.Waiting(p.c)
	}
	m := p.m
	var ls []string
	ls = append(ls, p.row("subject", common.Line(m.Subject), st.Bold)...)
	ls = append(ls, p.row("date", fmt.Sprintf("%s (%s)", p.c.L.Stamp(m.Date), p.c.L.Ago(p.c.Now(), m.Date)), st.Value)...)
	ls = append(ls, p.row("to", fmt.Sprintf("%s <%s>", common.H(m.To), common.Line(m.Address)), st.Value)...)
	if m.Delivery != "" {
		d := p.c.Delivery(m.Delivery)
		if m.DeliveryError != "" {
			d += ": " + common.Line(m.DeliveryError)
		}
		dst := st.Value
		if m.Delivery == model.DeliveryFailed {
			dst = st.Error
		}
		ls = append(ls, p.row("delivery", d, dst)...)
	}
	switch {
	case p.m.TokenEnded && (m.Token != "" || m.TokenWithheld || m.TokenRemoved),
		p.m.TokenReplaced && (m.Token != "" || m.TokenWithheld):
		ls = append(ls, p.row("token", model.GoneNote(m).In(p.c.L), st.Error)...)
	case m.Token != "":
		ls = append(ls, p.row("token", common.Line(m.Token), st.Token)...)
	case m.TokenRemoved || m.TokenWithheld:
		// Real delivery: the token is in the recipient's own inbox, or
		// on its way there, or never got there.
		ls = append(ls, p.row("token", p.c.WithheldToken(m), st.Subtle)...)
	}
	if m.Link != "" && !p.m.TokenGone() {
		// a gone token's link no longer works: the row above says so
		ls = append(ls, p.linkRows(common.Line(m.Link), st.Value)...)
	}
	ls = append(ls, st.Rule.Render(strings.Repeat("─", max(1, p.width))))
	ls = append(ls, p.bodyLines()...)
	room := max(1, p.height-1)
	p.scroll = max(0, min(p.scroll, len(ls)-room))
	end := min(len(ls), p.scroll+room)
	out := append([]string{}, ls[p.scroll:end]...)
	for len(out) < room {
		out = append(out, "")
	}
	hint := p.c.T("tui.mail.hint_back")
	switch {
	case m.Kind == model.MailCredentialCode:
	case m.Kind == model.MailEmailConfirm:
		hint = p.c.T("tui.mail.hint_confirm_email") + " · " + hint
	case (m.Link != "" || m.RequestID != 0) && m.Token != "" && !p.m.TokenGone():
		hint = p.c.T("tui.mail.hint_open_token", locale.Args{"ID": m.RequestID}) + " · " + hint
	case m.Link != "" || m.RequestID != 0:
		hint = p.c.T("tui.mail.hint_open", locale.Args{"ID": m.RequestID}) + " · " + hint
	}
	if end < len(ls) {
		hint = p.c.T("tui.more_below", locale.Args{"N": len(ls) - end}) + " · " + hint
	}
	// whole parts, not one cut mid-way: at 80 columns in pt and fr, what
	// o does and "more below" leave no room for "esc: back", which the
	// footer says too
	if back := common.HintSep + p.c.T("tui.mail.hint_back"); common.Width(hint) > p.width && strings.HasSuffix(hint, back) {
		hint = strings.TrimSuffix(hint, back)
	}
	return strings.Join(append(out, st.Subtle.Render(common.Cut(hint, p.width))), "\n")
}

// ShortHelp lists the keys.
func (p *Page) ShortHelp() []key.Binding {
	switch {
	case p.loaded && p.m.Kind == model.MailEmailConfirm:
		return []key.Binding{p.confirm, p.back}
	case p.loaded && ((p.m.Link == "" && p.m.RequestID == 0) || p.m.Kind == model.MailCredentialCode):
		return []key.Binding{p.back}
	}
	return []key.Binding{p.follow, p.back}
}

// FullHelp lists the keys.
func (p *Page) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
