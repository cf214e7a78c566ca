// Package request shows one request: its change, its parties and their
// answers, its history, and the actions the user may take on it — accept
// or refuse with a token (pre-filled when it comes from a mail's link,
// else offered from the user's newest mail for the request, when the
// simulated mailbox holds it), send the mail again, cancel it (the
// requester, after confirming).
package request

import (
	"fmt"
	"maps"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/field"
)

// KeyMap is the view's keys.
type KeyMap struct {
	Accept, Refuse, Resend, Cancel, Back key.Binding
	Submit, Fill, Close, Yes, No         key.Binding
}

func newKeyMap(c *common.Common) KeyMap {
	return KeyMap{
		Accept: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", c.T("tui.request.key.accept"))),
		Refuse: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", c.T("tui.request.key.refuse"))),
		Resend: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", c.T("tui.request.key.resend"))),
		Cancel: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", c.T("tui.request.key.cancel"))),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", c.T("tui.key.back"))),
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", c.T("tui.request.key.submit"))),
		Fill:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", c.T("tui.request.key.fill"))),
		Close:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", c.T("tui.request.key.close"))),
		Yes:    c.Yes(c.T("tui.request.key.yes")),
		No:     key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", c.T("tui.request.key.no"))),
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
	settle common.Settling // the prompt closed by itself: keys dropped a moment
	id     int64
	r      model.Request
	hist   []model.HistoryEntry
	mail   *model.Mail // the user's newest mail asking to confirm it
	loaded bool
	first  common.FirstRead // the keys pressed before the request is read, and whether that read failed
	prompt prompt
	token  *field.Model
	// filled is the token the app put in the field (a mail's link, tab),
	// not typed: dropped when a newer mail replaces it
	filled string
	hintN  int // how many lines the token prompt's hint took, last drawn
	busy   bool
	scroll int
	seq    int
	width  int
	height int
	// partiesW is the least width of the parties' rows, as last drawn
	partiesW int
}

// New returns the view of request id; token, when not empty, fills the
// token prompt (the request was opened from a mail's link).
func New(c *common.Common, id int64, token string) *Page {
	p := &Page{c: c, keys: newKeyMap(c), id: id}
	p.token = field.New(c.Styles, c.T("tui.request.token_label"), tokenShape, 256) // a link, typed
	p.token.SetValue(token)
	p.filled = token
	return p
}

// Relang makes the view speak c's language, the prompt open and what
// was typed in it kept (common.Relanger).
func (p *Page) Relang(c *common.Common) tea.Cmd {
	p.c, p.keys = c, newKeyMap(c)
	p.token.Relang(c.T("tui.request.token_label"), p.token.Input.Placeholder, c.ErrText)
	return nil
}

// Draft reports whether the prompt for a token is open with something
// typed in it (common.Drafter).
func (p *Page) Draft() bool {
	return (p.prompt == acceptPrompt || p.prompt == refusePrompt) && strings.TrimSpace(p.token.Value()) != ""
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
		p.filled = t
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
	p.first.Start() // loading again, after a failure
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
		m, ok, err := c.Desk.TokenMail(c.Ctx, c.Me, id)
		msg := loadedMsg{seq: seq, r: r, hist: hist, err: err}
		if ok {
			msg.mail = &m
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

// dropReplaced empties the token field when it holds a token that the
// newest mail for the request (read again: after e, or a resend from
// another session of the account, which the page hears of) replaced:
// the one the app filled in (from a mail's link, or tab), or the token
// of the mail offered before. That token no longer works, and sent it
// would only count as a wrong try; the field empty, the page offers the
// newest mail's token (enter sends it, tab fills it in). A token typed
// that is neither is kept, as is any with real delivery, where no mail
// here holds one to compare.
func (p *Page) dropReplaced(before string) {
	now, ok := model.NormalizeToken(p.offered())
	if !ok {
		return
	}
	v, ok := model.NormalizeToken(p.token.Value())
	if !ok || v == now {
		return
	}
	filled, _ := model.NormalizeToken(p.filled)
	old, _ := model.NormalizeToken(before)
	if v == filled || v == old {
		p.token.SetValue("")
		p.token.Err = ""
		p.filled = ""
	}
}

func (p *Page) awaitingMe() bool { return p.loaded && p.r.AwaitingMe(p.c.Me) }

func (p *Page) mayCancel() bool {
	return p.loaded && p.r.Requester == p.c.Me && !p.r.State.Ended()
}

// Update handles a message.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	cmd := p.update(msg)
	switch msg.(type) {
	case answeredMsg, resentMsg, cancelledMsg:
		// the keys typed while the desk answered are played once its
		// answer is shown, as if typed then
		return tea.Batch(cmd, p.first.Play(p.c))
	}
	return cmd
}

func (p *Page) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != p.seq {
			return nil
		}
		if msg.err != nil {
			return p.first.Fail(p.c, msg.err, p.loaded)
		}
		before := p.offered()
		p.r, p.hist, p.mail, p.loaded = msg.r, msg.hist, msg.mail, true
		p.dropReplaced(before)
		var why tea.Cmd
		if (p.prompt == acceptPrompt || p.prompt == refusePrompt) && !p.awaitingMe() && !p.busy {
			p.closePrompt()
			p.settle.Start(p.c.Settle)
			why = common.Status(p.answeredElsewhere())
		}
		if p.prompt == cancelPrompt && !p.mayCancel() {
			p.closePrompt()
			p.settle.Start(p.c.Settle)
		}
		return tea.Batch(common.Read(), why, p.first.Play(p.c))
	case answeredMsg:
		p.busy = false
		if msg.err != nil {
			if model.FieldOf(msg.err) == "token" {
				p.token.Refuse(msg.err, p.c.ErrText)
				p.first.Forget() // meant for what follows a success: the refusal stays in view
				return tea.Batch(common.Send(common.ChangedMsg{}), common.Status(p.c.T("tui.request.not_recorded")))
			}
			p.closePrompt()
			return tea.Batch(common.Send(common.ChangedMsg{}), common.Fail(msg.err))
		}
		p.closePrompt()
		p.token.SetValue("")
		p.r = msg.r
		r := msg.r
		args := locale.Args{"ID": r.ID, "To": common.H(r.To), "Roles": model.RoleWords(r.Roles), "Service": common.Line(r.Service),
			"Awaited": p.c.Handles(r.Awaited()), "State": r.State}
		done := p.c.T("tui.request.refused_by_you", args)
		if msg.accept {
			done = p.c.T("tui.request.accepted_by_you", args)
		}
		args["Done"] = done
		var text string
		switch r.State {
		case model.StateDone:
			text = p.c.T("tui.request.answered_done", args)
		case model.StateValidating:
			text = p.c.T("tui.request.answered_waiting", args)
		default:
			text = p.c.T("tui.request.answered_ended", args)
		}
		return tea.Batch(common.Send(common.ChangedMsg{}), common.Status(text))
	case resentMsg:
		p.busy = false
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		return tea.Batch(common.Send(common.ChangedMsg{}),
			common.Status(p.c.T("tui.request.resent", locale.Args{"ID": p.id, "Address": common.Line(msg.m.Address)})))
	case cancelledMsg:
		p.busy = false
		p.closePrompt()
		if msg.err != nil {
			return tea.Batch(common.Send(common.ChangedMsg{}), common.Fail(msg.err))
		}
		p.r = msg.r
		return tea.Batch(common.Send(common.ChangedMsg{}), common.Status(p.c.T("tui.request.cancelled", locale.Args{"ID": msg.r.ID})))
	case tea.KeyPressMsg:
		return p.key(msg)
	case common.MouseMsg:
		common.Wheel(msg, &p.scroll)
	}
	return nil
}

// answeredElsewhere says why the prompt for a token closed by itself:
// the request no longer awaits the user's answer, given in another
// session of the account (or the request ended meanwhile), and what was
// typed in the prompt was not sent. Said, it is not a mystery where the
// half-typed token went.
func (p *Page) answeredElsewhere() string {
	args := locale.Args{"ID": p.r.ID, "State": p.r.State}
	if me, ok := p.r.Party(p.c.Me); ok && me.Answer != model.AnswerPending {
		args["Done"] = p.c.T("tui.request.refused_by_you", args)
		if me.Answer == model.AnswerAccepted {
			args["Done"] = p.c.T("tui.request.accepted_by_you", args)
		}
		return p.c.T("tui.request.answered_elsewhere", args)
	}
	return p.c.T("tui.request.ended_meanwhile", args)
}

func (p *Page) closePrompt() {
	p.prompt = noPrompt
	p.token.Blur()
}

func (p *Page) key(msg tea.KeyPressMsg) tea.Cmd {
	if p.busy {
		p.first.Hold(msg) // played once the desk answers
		return nil
	}
	if !p.loaded {
		if key.Matches(msg, p.keys.Back) && !p.first.Held() {
			return p.c.Back()
		}
		p.first.Hold(msg)
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
			p.filled = p.offered()
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
		return p.c.Back()
	case k.Scroll(msg, &p.scroll, p.height):
	case key.Matches(msg, p.keys.Accept), key.Matches(msg, p.keys.Refuse):
		if !p.awaitingMe() {
			return common.Status(p.c.T("tui.request.not_awaiting", locale.Args{"ID": p.id}))
		}
		p.prompt = refusePrompt
		if key.Matches(msg, p.keys.Accept) {
			p.prompt = acceptPrompt
		}
		p.token.Err = ""
		p.token.Focus()
	case key.Matches(msg, p.keys.Resend):
		if !p.awaitingMe() {
			return common.Status(p.c.T("tui.request.nothing_to_resend", locale.Args{"ID": p.id}))
		}
		p.busy = true
		c, id := p.c, p.id
		return common.Do(func() tea.Msg {
			m, err := c.Desk.Resend(c.Ctx, c.Me, id)
			return resentMsg{m: m, err: err}
		})
	case key.Matches(msg, p.keys.Cancel):
		if !p.mayCancel() {
			if p.loaded && p.r.State.Ended() {
				// said of an ended request, "only the requester, while it
				// is waiting" read to its requester as if it were another's
				return common.Status(p.c.T("tui.request.cancel_ended", locale.Args{"ID": p.id, "State": p.c.StateWord(p.r.State)}))
			}
			return common.Status(p.c.T("tui.request.cancel_not_yours", locale.Args{"ID": p.id, "Requester": common.H(p.r.Requester)}))
		}
		p.prompt = cancelPrompt
	}
	return nil
}

// answer sends the token typed, or, the field left empty, the one the
// user's mail offers. What can't be a token (its shape: the model's
// NormalizeToken) is refused here, before the model is asked: the model
// counts every token it refuses as a wrong try, and a typo or a pasted
// word is no try at guessing. A mail's link typed whole gives its token.
func (p *Page) answer(accept bool) tea.Cmd {
	p.token.Err = ""
	c, id, tok := p.c, p.id, p.token.Value()
	if strings.TrimSpace(tok) == "" && p.mail != nil {
		tok = p.mail.Token
	}
	if t, other, ok := linkToken(tok); ok {
		if other != id {
			p.token.Refuse(refusal("tui.request.link_other", locale.Args{"ID": id, "Other": other}), c.ErrText)
			return nil
		}
		tok = t
		p.token.SetValue(t)
	}
	if _, ok := model.NormalizeToken(tok); !ok {
		p.token.Refuse(refusal("tui.request.not_a_token", locale.Args{"ID": id}), c.ErrText)
		return nil
	}
	p.busy = true
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

// linkToken reads a mail's link (contactdesk://request/12?token=…, or
// the web page's https://…/request/12?token=…): its token and request.
func linkToken(s string) (token string, id int64, ok bool) {
	id, token, ok = model.ParseLink(s)
	return token, id, ok && token != ""
}

// refusal is the app's own refusal of what was typed in the token field,
// said beside it like the model's.
func refusal(id string, args locale.Args) error {
	m := locale.M(id, args)
	return &model.Error{Kind: model.ErrWrongToken, Field: "token", Msg: m.In(locale.For(locale.EN)), Text: m}
}

// TakePaste is what the token prompt takes of a paste (common.PasteTaker):
// of a mail's link, its token; the rest as it is.
func (p *Page) TakePaste(s string) string {
	if p.prompt != acceptPrompt && p.prompt != refusePrompt {
		return s
	}
	if t, other, ok := linkToken(s); ok {
		if other != p.id {
			p.token.Refuse(refusal("tui.request.link_other", locale.Args{"ID": p.id, "Other": other}), p.c.ErrText)
			return ""
		}
		p.token.SetValue("")
		return t
	}
	return s
}

// SetSize sets the view's size.
func (p *Page) SetSize(w, h int) { p.width, p.height = w, h }

// Title names the view.
func (p *Page) Title() string { return p.c.T("tui.request.title", locale.Args{"ID": p.id}) }

// MinSize is the room the request needs (common.Sized): its parties'
// columns, the why column at its narrowest; the line of what can be
// done and a few lines of the request scrolled above it, or whichever
// prompt a key can open (with a line of its refusal) above one line of
// the request. It does not change with what is typed: a (the prompt) or
// a wrong token never makes the window too small.
func (p *Page) MinSize() (int, int) {
	if !p.loaded {
		return 0, 3
	}
	h := len(p.idle()) + 3
	if p.awaitingMe() || p.prompt == acceptPrompt || p.prompt == refusePrompt {
		h = max(h, 1+promptLines)
	}
	if p.mayCancel() || p.prompt == cancelPrompt {
		h = max(h, 1+3)
	}
	return p.partiesW, h
}

// promptLines is how many lines the token prompt takes at the least: a
// blank, its label, the field, a line of its refusal, the hint.
const promptLines = 5

// Holding reports whether keys typed before the request was read, or
// while an answer, a resend or a cancel was under way, wait to be played
// once it is read, once the desk answers (common.Holder): the keys typed
// after them wait too, the app's own keys included (a token's digits
// are the prompt's, once a opens it; esc after enter closes the request
// once it is answered).
func (p *Page) Holding() bool { return p.first.Held() }

// ReadHolding reports whether the keys held wait for the first read, not
// for a save (common.Reading).
func (p *Page) ReadHolding() bool { return !p.loaded && p.first.Held() }

// ForgetEarlyKeys drops the keys held (common.Forgetter).
func (p *Page) ForgetEarlyKeys() { p.first.Forget() }

// Capturing reports whether a prompt has the keys.
// The cancel's y/n answered and the cancel under way, the prompt takes
// no key (see key): the app's keys work, q quits, as while a resend
// is under way, rather than wait for the cancel to end.
func (p *Page) Capturing() bool { return p.prompt != noPrompt && !(p.prompt == cancelPrompt && p.busy) }

// Settling reports whether the token prompt just closed by itself
// (common.Settler).
func (p *Page) Settling() bool { return p.settle.On() }

// reason is why r ended, the user marked as every row here marks it
// ("refused by xx11111-ovh (you)"), where it read as someone else.
func (p *Page) reason(r model.Request) locale.Word {
	why := model.ReasonOf(r)
	m, ok := why.(locale.Message)
	if !ok {
		return why
	}
	if h, ok := m.Args["Handle"].(model.Handle); ok && h == p.c.Me {
		args := maps.Clone(m.Args)
		args["Handle"] = p.c.HandleYou(h)
		return locale.M(m.ID, args)
	}
	return why
}

// labels are the labels of the request's rows, by their IDs in the
// catalogues (tui.request.label.<id>).
var labels = []string{"state", "reason", "change", "asked_by", "ended", "expires"}

// labelW is the width of the labels: the longest of the language's, and
// at least the English one's.
func (p *Page) labelW() int {
	w := 9
	for _, id := range labels {
		w = max(w, common.Width(p.c.T("tui.request.label."+id)))
	}
	return w + 1
}

// View draws the request, scrolled, with the prompt pinned at the bottom.
func (p *Page) View() string {
	st := p.c.Styles
	if !p.loaded {
		return st.Title.Render(p.Title()) + "\n\n" + p.first.Waiting(p.c)
	}
	lines := p.body()
	foot := p.footer()
	if over := len(foot) - (p.height - 1); over > 0 && len(foot) > promptLines && (p.prompt == acceptPrompt || p.prompt == refusePrompt) {
		// a refusal of many lines, in little room: its first lines
		// only, the hint kept whole (blank, label, field, refusal…,
		// hint's lines)
		errs := len(foot) - 3 - p.hintN
		keep := max(1, errs-over)
		last := strings.TrimRight(ansi.Strip(foot[2+keep]), " ")
		cut := p.c.Styles.Error.Render(common.Cut(last+" …", p.width))
		foot = append(append(append([]string{}, foot[:2+keep]...), cut), foot[len(foot)-p.hintN:]...)
	}
	room := max(1, p.height-len(foot))
	p.scroll = max(0, min(p.scroll, len(lines)-room))
	end := min(len(lines), p.scroll+room)
	out := append([]string{}, lines[p.scroll:end]...)
	for len(out) < room {
		out = append(out, "")
	}
	if p.scroll > 0 {
		out[0] = st.Subtle.Render(common.Fit(p.c.T("tui.more_above", locale.Args{"N": p.scroll}), p.width))
	}
	if end < len(lines) {
		out[len(out)-1] = st.Subtle.Render(common.Fit(p.c.T("tui.more_below", locale.Args{"N": len(lines) - end}), p.width))
	}
	return strings.Join(append(out, foot...), "\n")
}

// rowLines is how many lines a value beside a label takes at most.
const rowLines = 4

func (p *Page) row(label, value string) []string {
	st := p.c.Styles
	lw := p.labelW()
	v := strings.Split(common.WrapMax(value, lw+1, p.width, rowLines, st.Value), "\n")
	v[0] = st.Label.Render(common.Fit(p.c.T("tui.request.label."+label), lw)) + " " + strings.TrimLeft(v[0], " ")
	return v
}

func (p *Page) body() []string {
	st := p.c.Styles
	r := p.r
	now := p.c.Now()
	var ls []string
	l := p.c.L
	subject := p.c.T("tui.request.subject", locale.Args{"Roles": p.c.Roles(r), "Service": common.Line(r.Service)})
	ls = append(ls, common.Cut(st.Title.Render(p.Title())+"  "+st.Bold.Render(subject)+st.Subtle.Render(" ("+common.Line(model.ServiceType(r.Type).In(l))+")"), p.width), "")
	// the state as the Requests list names it ("waiting"), not the
	// model's name of it (validatingByCustomers, in English)
	state := p.c.StateWord(r.State)
	if aw := r.Awaited(); len(aw) > 0 {
		state = p.c.Waiting(aw, [3]string{"tui.request.state_waiting", "tui.request.state_waiting_you", "tui.request.state_waiting_you_and"}, locale.Args{"State": state})
	}
	ls = append(ls, p.row("state", state)...)
	if r.Reason != "" {
		ls = append(ls, p.row("reason", common.Line(p.reason(r).In(l)))...)
	}
	ls = append(ls, p.row("change", p.c.T("tui.change", locale.Args{"Roles": p.c.RoleNames(r), "From": p.c.HandleYou(r.From), "To": p.c.HandleYou(r.To)}))...)
	asked := fmt.Sprintf("%s, %s", p.c.HandleYou(r.Requester), l.Stamp(r.Created))
	if ago := l.Ago(now, r.Created); ago != l.Date(r.Created) {
		asked += " (" + ago + ")" // how long ago, unless that is the date again
	}
	ls = append(ls, p.row("asked_by", asked)...)
	if r.State.Ended() {
		ended := l.Stamp(r.Ended)
		if ago := l.Ago(now, r.Ended); ago != l.Date(r.Ended) {
			ended += " (" + ago + ")" // as asked_by: not the date again
		}
		ls = append(ls, p.row("ended", ended)...)
	} else {
		ls = append(ls, p.row("expires", fmt.Sprintf("%s (%s)", l.Stamp(r.Expires), l.Until(now, r.Expires)))...)
	}
	ls = append(ls, "", st.Title.Render(p.c.T("tui.request.parties")))
	ls = append(ls, p.parties()...)
	ls = append(ls, "", st.Title.Render(p.c.T("tui.request.history")))
	if len(p.hist) == 0 {
		ls = append(ls, st.Subtle.Render("  "+p.c.T("tui.request.nothing_recorded")))
	}
	// the action column: 16 cells at 80 columns, where the detail needs
	// the room; where there is more, as wide as the widest action shown
	// ("pausa nos códigos" was cut at 120 columns)
	actW := 16
	if p.width >= 100 {
		for _, h := range p.hist {
			actW = max(actW, min(24, common.Width(p.c.Action(h.Action))))
		}
	}
	for _, h := range p.hist {
		ls = append(ls, p.histLine(h, actW)...)
	}
	return ls
}

// histLines is how many lines a history line takes at most: any of the
// model's whole at 80 columns, not a value of a megabyte that another
// tool wrote.
const histLines = 6

// histLine draws a history line: when, who, what and its detail, which
// goes on under them, wrapped from the column of who did it, when too
// long for the line.
func (p *Page) histLine(h model.HistoryEntry, actW int) []string {
	l := p.c.L
	when := "  " + l.DateTime(h.At) + "  "
	head := when + common.Fit(p.c.Handle(h.Actor), 12) + " " + common.Fit(p.c.Action(h.Action), actW) + " "
	return common.Hanging(head, p.c.Detail(h), common.Width(when), p.width, histLines)
}

// party is one party's row: its handle, why it must confirm, its answer,
// and, for the user's own answer awaited, a note.
type party struct {
	handle, why, answer, note string
}

// plain draws text as it is (a Renderer).
type plain struct{}

func (plain) Render(s ...string) string { return strings.Join(s, " ") }

// whyMin is the why column's width when there is room: the answers of
// requests whose labels are short line up at the same column.
const whyMin = 30

// parties draws the parties in three columns two spaces apart — handle,
// why it must confirm, answer (then the note) — the why column taking
// the room the others leave: a label wider than that wraps within its
// column, so that none is cut or runs into its answer (Portuguese and
// French labels are long: "requerente e novo contacto de faturação").
func (p *Page) parties() []string {
	st := p.c.Styles
	r, l, now := p.r, p.c.L, p.c.Now()
	rows := make([]party, len(r.Parties))
	handleW, whyW, right := 11, 0, 0
	for i, pt := range r.Parties {
		answer := common.Line(pt.Answer.In(l))
		if pt.Answer == model.AnswerPending && r.State.Ended() {
			// the request ended before this party answered: nothing is
			// pending any more
			answer = p.c.T("tui.request.no_answer")
		}
		if !pt.Answered.IsZero() {
			answer += " " + l.Ago(now, pt.Answered)
		}
		row := party{handle: common.H(pt.Handle), why: p.c.PartyLabel(r, pt.Handle), answer: answer}
		tail := common.Width(answer)
		if pt.Answer == model.AnswerPending && r.State == model.StateValidating && pt.Handle == p.c.Me {
			row.note = p.c.T("tui.request.your_answer")
			tail += 2 + common.Width(row.note)
		}
		rows[i] = row
		handleW = max(handleW, common.Width(row.handle))
		whyW = max(whyW, common.Width(row.why))
		right = max(right, tail)
	}
	handleW = min(handleW, 16) // a handle of another making, cut
	room := p.width - 2 - handleW - 2 - 2 - right
	p.partiesW = p.width - room + 10
	whyW = max(10, min(max(whyMin, whyW), room))
	var ls []string
	for _, row := range rows {
		why := strings.Split(common.WrapMax(row.why, 0, whyW, 0, plain{}), "\n")
		line := "  " + common.Fit(row.handle, handleW) + "  " + common.Fit(why[0], whyW) + "  " + row.answer
		if row.note != "" {
			line += "  " + row.note
		}
		out := []string{line}
		for _, w := range why[1:] {
			out = append(out, "  "+common.Pad(handleW)+"  "+w)
		}
		for i, o := range out {
			o = common.Cut(o, p.width)
			if row.note != "" {
				o = st.Bold.Render(o)
			}
			out[i] = o
		}
		ls = append(ls, out...)
	}
	return ls
}

// footer is the prompt, or a line saying what can be done.
func (p *Page) footer() []string {
	st := p.c.Styles
	switch p.prompt {
	case acceptPrompt, refusePrompt:
		verb := "accept"
		if p.prompt == refusePrompt {
			verb = "refuse"
		}
		args := locale.Args{"ID": p.id}
		label := p.c.T("tui.request.prompt."+verb, args)
		if p.mail != nil && p.offered() == "" {
			label = p.c.T("tui.request.prompt."+verb+"_mailed", args)
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
		hint := p.c.T("tui.request.hint." + verb)
		switch {
		case p.offered() != "" && p.token.Value() == "":
			hint = p.c.T("tui.request.hint."+verb+"_offered", locale.Args{"Ago": p.c.L.Ago(p.c.Now(), p.mail.Date)})
		case p.mail != nil && p.offered() == "":
			hint = p.c.T("tui.request.hint."+verb+"_mailed", locale.Args{"Address": common.Line(p.mail.Address), "Ago": p.c.L.Ago(p.c.Now(), p.mail.Date)})
		}
		// wrapped, never cut: its last words are a key (esc: close)
		hl := strings.Split(common.WrapHint(hint, 2, p.width, st.Subtle), "\n")
		p.hintN = len(hl)
		return append(out, hl...)
	case cancelPrompt:
		out := append([]string{""}, strings.Split(common.Wrap(p.c.T("tui.request.cancel_ask", locale.Args{"ID": p.id}), 0, p.width, st.Error), "\n")...)
		return append(out, strings.Split(common.WrapHint(p.c.T("tui.request.cancel_keys"), 2, p.width, st.Subtle), "\n")...)
	}
	return p.idle()
}

// idle is the footer while no prompt is open: what the user's mail
// holds for the answer awaited, if it is.
func (p *Page) idle() []string {
	st := p.c.Styles
	if !p.awaitingMe() {
		return nil
	}
	var say string
	switch {
	case p.token.Value() != "" && p.token.Value() == p.filled:
		say = p.c.T("tui.request.filled_in")
	case p.token.Value() != "":
		// typed, not the mail's: the page does not vouch for it
		say = p.c.T("tui.request.typed_in")
	case p.offered() != "":
		say = p.c.T("tui.request.offered", locale.Args{"Ago": p.c.L.Ago(p.c.Now(), p.mail.Date)})
	case p.mail != nil && (p.mail.TokenRemoved || p.mail.Delivery == model.DeliveryFailed):
		say = p.c.T("tui.request.no_token", locale.Args{"Why": p.c.WithheldToken(*p.mail)})
	case p.mail != nil && p.mail.Delivery == model.DeliveryPending:
		say = p.c.T("tui.request.queued", locale.Args{"Address": common.Line(p.mail.Address)})
	case p.mail != nil:
		say = p.c.T("tui.request.mailed", locale.Args{"Address": common.Line(p.mail.Address), "Ago": p.c.L.Ago(p.c.Now(), p.mail.Date)})
	default:
		return nil
	}
	return []string{"", st.Bold.Render(common.Cut(say, p.width))}
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
