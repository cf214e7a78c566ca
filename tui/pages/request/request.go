// Package request shows one request: its change, its parties and their
// answers, its history, and the actions the user may take on it — accept
// or refuse with a token (pre-filled when it comes from a mail's link,
// else offered from the user's newest mail for the request, when the
// simulated mailbox holds it), send the mail again, cancel it (the
// requester, after confirming).
package request

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/field"
)

// KeyMap is the view's keys.
type KeyMap struct {
	Accept, Refuse, Resend, Cancel, Back key.Binding
	Submit, Fill, Close, Yes, No         key.Binding
}

func newKeyMap() KeyMap {
	return KeyMap{
		Accept: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "accept")),
		Refuse: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "refuse")),
		Resend: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "resend e-mail")),
		Cancel: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cancel request")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send answer")),
		Fill:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "fill in the token of your mail")),
		Close:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close prompt")),
		Yes:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes, cancel it")),
		No:     key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "no, keep it")),
	}
}

type prompt int

const (
	noPrompt prompt = iota
	acceptPrompt
	refusePrompt
	cancelPrompt
)

// Page is one request.
type Page struct {
	c      *common.Common
	keys   KeyMap
	id     int64
	r      model.Request
	hist   []model.HistoryEntry
	mail   *model.Mail // the user's newest mail asking to confirm it
	loaded bool
	prompt prompt
	token  *field.Model
	busy   bool
	scroll int
	seq    int
	width  int
	height int
}

// New returns the view of request id; token, when not empty, fills the
// token prompt (the request was opened from a mail's link).
func New(c *common.Common, id int64, token string) *Page {
	p := &Page{c: c, keys: newKeyMap(), id: id}
	p.token = field.New(c.Styles, "Token", tokenShape, 64)
	p.token.SetValue(token)
	return p
}

// tokenShape is the token field's placeholder when no mail offers one.
const tokenShape = "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"

// ID returns the request's number.
func (p *Page) ID() int64 { return p.id }

// SetToken fills the token prompt.
func (p *Page) SetToken(t string) {
	if t != "" {
		p.token.SetValue(t)
		p.token.Err = ""
	}
}

type (
	loadedMsg struct {
		seq  int
		r    model.Request
		hist []model.HistoryEntry
		mail *model.Mail
		err  error
	}
	answeredMsg struct {
		accept bool
		r      model.Request
		err    error
	}
	resentMsg struct {
		m   model.Mail
		err error
	}
	cancelledMsg struct {
		r   model.Request
		err error
	}
)

// Load reads the request and its history and, while the user's answer
// is awaited, the user's newest mail asking for it: its token is offered
// in the prompt. With real delivery the mail holds no token (it is in
// the user's own inbox only), and the prompt asks for the one mailed.
func (p *Page) Load() tea.Cmd {
	p.seq++
	seq, c, id := p.seq, p.c, p.id
	return common.Do(func() tea.Msg {
		r, err := c.Desk.Request(c.Ctx, c.Me, id)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		hist, err := c.Desk.History(c.Ctx, c.Me, model.HistoryFilter{RequestID: id})
		if err != nil || !r.AwaitingMe(c.Me) {
			return loadedMsg{seq: seq, r: r, hist: hist, err: err}
		}
		ms, err := c.Desk.Mails(c.Ctx, c.Me)
		msg := loadedMsg{seq: seq, r: r, hist: hist, err: err}
		for i := range ms { // newest first
			if ms[i].RequestID == id && ms[i].Kind == model.MailConfirm {
				msg.mail = &ms[i]
				break
			}
		}
		return msg
	})
}

// offered is the token of the user's newest mail for the request, or "".
func (p *Page) offered() string {
	if p.mail == nil {
		return ""
	}
	return common.Line(p.mail.Token)
}

func (p *Page) awaitingMe() bool { return p.loaded && p.r.AwaitingMe(p.c.Me) }

func (p *Page) mayCancel() bool {
	return p.loaded && p.r.Requester == p.c.Me && !p.r.State.Ended()
}

// Update handles a message.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != p.seq {
			return nil
		}
		if msg.err != nil {
			return common.SubViewReadFailed(msg.err, !p.loaded)
		}
		p.r, p.hist, p.mail, p.loaded = msg.r, msg.hist, msg.mail, true
		if (p.prompt == acceptPrompt || p.prompt == refusePrompt) && !p.awaitingMe() {
			p.closePrompt()
		}
		if p.prompt == cancelPrompt && !p.mayCancel() {
			p.closePrompt()
		}
		return common.Read()
	case answeredMsg:
		p.busy = false
		if msg.err != nil {
			if model.FieldOf(msg.err) == "token" {
				p.token.Err = common.ErrText(msg.err)
				return tea.Batch(common.Send(common.ChangedMsg{}), common.Status("the answer was not recorded: see the token"))
			}
			p.closePrompt()
			return tea.Batch(common.Send(common.ChangedMsg{}), common.Fail(msg.err))
		}
		p.closePrompt()
		p.token.SetValue("")
		p.r = msg.r
		verb := "refused"
		if msg.accept {
			verb = "accepted"
		}
		text := fmt.Sprintf("you %s request #%d", verb, msg.r.ID)
		switch msg.r.State {
		case model.StateDone:
			text += fmt.Sprintf("; everyone confirmed: %s is now the %s contact of %s", common.H(msg.r.To), common.Roles(msg.r), common.Line(msg.r.Service))
		case model.StateValidating:
			text += "; still waiting for " + p.c.Handles(msg.r.Awaited())
		default:
			text += "; it is now " + string(msg.r.State)
		}
		return tea.Batch(common.Send(common.ChangedMsg{}), common.Status("%s", text))
	case resentMsg:
		p.busy = false
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		return tea.Batch(common.Send(common.ChangedMsg{}),
			common.Status("a fresh token for request #%d was mailed to %s; the old one no longer works", p.id, common.Line(msg.m.Address)))
	case cancelledMsg:
		p.busy = false
		p.closePrompt()
		if msg.err != nil {
			return tea.Batch(common.Send(common.ChangedMsg{}), common.Fail(msg.err))
		}
		p.r = msg.r
		return tea.Batch(common.Send(common.ChangedMsg{}), common.Status("request #%d cancelled", msg.r.ID))
	case tea.KeyPressMsg:
		return p.key(msg)
	case common.MouseMsg:
		common.Wheel(msg, &p.scroll)
	}
	return nil
}

func (p *Page) closePrompt() {
	p.prompt = noPrompt
	p.token.Blur()
}

func (p *Page) key(msg tea.KeyPressMsg) tea.Cmd {
	if p.busy {
		return nil
	}
	switch p.prompt {
	case acceptPrompt, refusePrompt:
		switch {
		case key.Matches(msg, p.keys.Close):
			p.closePrompt()
			return nil
		case key.Matches(msg, p.keys.Submit):
			return p.answer(p.prompt == acceptPrompt)
		case key.Matches(msg, p.keys.Fill) && p.offered() != "":
			p.token.SetValue(p.offered())
			p.token.Err = ""
			return nil
		}
		_, cmd := p.token.Update(msg)
		return cmd
	case cancelPrompt:
		switch {
		case key.Matches(msg, p.keys.Yes):
			p.busy = true
			c, id := p.c, p.id
			return common.Do(func() tea.Msg {
				r, err := c.Desk.Cancel(c.Ctx, c.Me, id)
				return cancelledMsg{r: r, err: err}
			})
		case key.Matches(msg, p.keys.No):
			p.closePrompt()
		}
		return nil
	}
	k := p.c.Keys
	switch {
	case key.Matches(msg, p.keys.Back):
		return common.Back()
	case k.Scroll(msg, &p.scroll, p.height):
	case key.Matches(msg, p.keys.Accept), key.Matches(msg, p.keys.Refuse):
		if !p.awaitingMe() {
			return common.Status("request #%d is not waiting for your answer", p.id)
		}
		p.prompt = refusePrompt
		if key.Matches(msg, p.keys.Accept) {
			p.prompt = acceptPrompt
		}
		p.token.Err = ""
		p.token.Focus()
	case key.Matches(msg, p.keys.Resend):
		if !p.awaitingMe() {
			return common.Status("request #%d is not waiting for your answer: there is nothing to resend", p.id)
		}
		p.busy = true
		c, id := p.c, p.id
		return common.Do(func() tea.Msg {
			m, err := c.Desk.Resend(c.Ctx, c.Me, id)
			return resentMsg{m: m, err: err}
		})
	case key.Matches(msg, p.keys.Cancel):
		if !p.mayCancel() {
			return common.Status("only the requester (%s) can cancel request #%d, while it is waiting", common.H(p.r.Requester), p.id)
		}
		p.prompt = cancelPrompt
	}
	return nil
}

// answer sends the token typed, or, the field left empty, the one the
// user's mail offers.
func (p *Page) answer(accept bool) tea.Cmd {
	p.busy = true
	p.token.Err = ""
	c, id, tok := p.c, p.id, p.token.Value()
	if strings.TrimSpace(tok) == "" && p.mail != nil {
		tok = p.mail.Token
	}
	return common.Do(func() tea.Msg {
		var r model.Request
		var err error
		if accept {
			r, err = c.Desk.Accept(c.Ctx, c.Me, id, tok)
		} else {
			r, err = c.Desk.Refuse(c.Ctx, c.Me, id, tok)
		}
		return answeredMsg{accept: accept, r: r, err: err}
	})
}

// SetSize sets the view's size.
func (p *Page) SetSize(w, h int) { p.width, p.height = w, h }

// Title names the view.
func (p *Page) Title() string { return fmt.Sprintf("Request #%d", p.id) }

// Capturing reports whether a prompt has the keys.
func (p *Page) Capturing() bool { return p.prompt != noPrompt }

const labelW = 10

// View draws the request, scrolled, with the prompt pinned at the bottom.
func (p *Page) View() string {
	st := p.c.Styles
	if !p.loaded {
		return st.Title.Render(p.Title()) + "\n\n" + st.Subtle.Render("loading…")
	}
	lines := p.body()
	foot := p.footer()
	room := max(1, p.height-len(foot))
	p.scroll = max(0, min(p.scroll, len(lines)-room))
	end := min(len(lines), p.scroll+room)
	out := append([]string{}, lines[p.scroll:end]...)
	for len(out) < room {
		out = append(out, "")
	}
	if p.scroll > 0 {
		out[0] = st.Subtle.Render(common.Fit(fmt.Sprintf("↑ %d more lines", p.scroll), p.width))
	}
	if end < len(lines) {
		out[len(out)-1] = st.Subtle.Render(common.Fit(fmt.Sprintf("↓ %d more lines", len(lines)-end), p.width))
	}
	return strings.Join(append(out, foot...), "\n")
}

// rowLines is how many lines a value beside a label takes at most.
const rowLines = 4

func (p *Page) row(label, value string) []string {
	st := p.c.Styles
	v := strings.Split(common.WrapMax(value, labelW+1, p.width, rowLines, st.Value), "\n")
	v[0] = st.Label.Render(common.Fit(label, labelW)) + " " + strings.TrimLeft(v[0], " ")
	return v
}

func (p *Page) body() []string {
	st := p.c.Styles
	r := p.r
	now := p.c.Now()
	var ls []string
	ls = append(ls, common.Cut(st.Title.Render(fmt.Sprintf("Request #%d", r.ID))+"  "+st.Bold.Render(common.Roles(r)+" of "+common.Line(r.Service))+st.Subtle.Render(" ("+common.Line(r.Type)+")"), p.width), "")
	state := common.Line(string(r.State))
	if aw := r.Awaited(); len(aw) > 0 {
		state += " — waiting for confirmation by " + p.c.Handles(aw)
	}
	ls = append(ls, p.row("State", state)...)
	if r.Reason != "" {
		ls = append(ls, p.row("Reason", common.Line(r.Reason))...)
	}
	ls = append(ls, p.row("Change", fmt.Sprintf("%s: %s → %s", common.Roles(r), p.c.HandleYou(r.From), p.c.HandleYou(r.To)))...)
	ls = append(ls, p.row("Asked by", fmt.Sprintf("%s, %s (%s)", p.c.HandleYou(r.Requester), common.Stamp(r.Created), common.Ago(now, r.Created)))...)
	if r.State.Ended() {
		ls = append(ls, p.row("Ended", fmt.Sprintf("%s (%s)", common.Stamp(r.Ended), common.Ago(now, r.Ended)))...)
	} else {
		ls = append(ls, p.row("Expires", fmt.Sprintf("%s (%s)", common.Stamp(r.Expires), common.In(now, r.Expires)))...)
	}
	ls = append(ls, "", st.Title.Render("Parties"))
	for _, pt := range r.Parties {
		answer := common.Line(string(pt.Answer))
		if !pt.Answered.IsZero() {
			answer += " " + common.Ago(now, pt.Answered)
		}
		line := fmt.Sprintf("  %s %s %s", common.Fit(common.H(pt.Handle), 12), common.Fit(p.c.PartyLabel(r, pt.Handle), 30), answer)
		if pt.Answer == model.AnswerPending && r.State == model.StateValidating && pt.Handle == p.c.Me {
			line = st.Bold.Render(common.Cut(line+"  ← your answer is awaited", p.width))
		} else {
			line = common.Cut(line, p.width)
		}
		ls = append(ls, line)
	}
	ls = append(ls, "", st.Title.Render("History"))
	if len(p.hist) == 0 {
		ls = append(ls, st.Subtle.Render("  nothing recorded"))
	}
	for _, h := range p.hist {
		ls = append(ls, common.Cut(fmt.Sprintf("  %s  %s %s %s", h.At.UTC().Format("2006-01-02 15:04"), common.Fit(p.c.Handle(h.Actor), 12), common.Fit(common.Line(h.Action), 16), common.Line(h.Detail)), p.width))
	}
	return ls
}

// footer is the prompt, or a line saying what can be done.
func (p *Page) footer() []string {
	st := p.c.Styles
	switch p.prompt {
	case acceptPrompt, refusePrompt:
		verb := "Accept"
		if p.prompt == refusePrompt {
			verb = "Refuse"
		}
		label := fmt.Sprintf("%s request #%d with your token:", verb, p.id)
		if p.mail != nil && p.offered() == "" {
			label = fmt.Sprintf("%s request #%d with the token of your e-mail:", verb, p.id)
		}
		head := st.Title.Render(common.Cut(label, p.width))
		fw := min(40, p.width-2)
		f := p.token.View(fw, p.width-2, 2)
		out := []string{"", head}
		for _, l := range strings.Split(f, "\n") {
			if !strings.HasPrefix(l, "  ") {
				l = "  " + l
			}
			out = append(out, l)
		}
		hint := "  enter: " + strings.ToLower(verb) + " · esc: close"
		switch {
		case p.offered() != "" && p.token.Value() == "":
			hint = fmt.Sprintf("  enter %ss with the token of your mail of %s (tab fills it in) · esc: close", strings.ToLower(verb), common.Ago(p.c.Now(), p.mail.Date))
		case p.mail != nil && p.offered() == "":
			hint = fmt.Sprintf("  mailed to %s %s · enter: %s · esc: close", common.Line(p.mail.Address), common.Ago(p.c.Now(), p.mail.Date), strings.ToLower(verb))
		}
		return append(out, st.Subtle.Render(common.Cut(hint, p.width)))
	case cancelPrompt:
		return []string{"", st.Error.Render(common.Cut(fmt.Sprintf("Cancel request #%d? Every party is told, and it can't be undone.", p.id), p.width)),
			st.Subtle.Render("  y: yes, cancel it · n/esc: no, keep it")}
	}
	if !p.awaitingMe() {
		return nil
	}
	switch {
	case p.token.Value() != "":
		return []string{"", st.Bold.Render(common.Cut("the token from your mail is filled in: a accepts, x refuses", p.width))}
	case p.offered() != "":
		return []string{"", st.Bold.Render(common.Cut(fmt.Sprintf("your mail of %s holds your token: a accepts, x refuses", common.Ago(p.c.Now(), p.mail.Date)), p.width))}
	case p.mail != nil:
		return []string{"", st.Bold.Render(common.Cut(fmt.Sprintf("your token was mailed to %s %s: a accepts, x refuses, e mails a fresh one", common.Line(p.mail.Address), common.Ago(p.c.Now(), p.mail.Date)), p.width))}
	}
	return nil
}

// ShortHelp lists the keys that work now.
func (p *Page) ShortHelp() []key.Binding {
	switch p.prompt {
	case acceptPrompt, refusePrompt:
		if p.offered() != "" {
			return []key.Binding{p.keys.Submit, p.keys.Fill, p.keys.Close}
		}
		return []key.Binding{p.keys.Submit, p.keys.Close}
	case cancelPrompt:
		return []key.Binding{p.keys.Yes, p.keys.No}
	}
	return p.actions()
}

func (p *Page) actions() []key.Binding {
	var bs []key.Binding
	if p.awaitingMe() {
		bs = append(bs, p.keys.Accept, p.keys.Refuse, p.keys.Resend)
	}
	if p.mayCancel() {
		bs = append(bs, p.keys.Cancel)
	}
	return append(bs, p.keys.Back)
}

// FullHelp lists the keys that work now.
func (p *Page) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
