// Package profile is the Profile tab: name, handle, billing standing, the
// e-mail address, edited in place and checked by the model — a new
// address is used once the token mailed to it is entered here — and the
// language the account is addressed in, chosen here; below, the latest
// actions that concern the user.
package profile

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/components/field"
	"contactdesk/tui/styles"
)

// KeyMap is the tab's keys.
type KeyMap struct {
	Edit, Confirm, Lang, Save, Cancel, Left, Right key.Binding
	// Use is the language chooser's enter (Save elsewhere), named as
	// its hint names it; Apply is the token field's, which makes the
	// new address the account's, as its hint says
	Use, Apply key.Binding
	// Fill fills in the token field the token of the proof mail
	Fill key.Binding
	// Discard and Stay answer the question esc asks when something was
	// typed in the e-mail or the token field
	Discard, Stay key.Binding
	// Scroll names the app's move keys (↑/↓, pgup/pgdown, home/end),
	// which scroll the recent activity when it does not all fit
	Scroll key.Binding
}

// editing says which field has the keys.
type editing int

const (
	notEditing editing = iota
	editingEmail
	editingToken
	editingLang
)

// recent is how many history lines the tab reads.
const recent = 50

// Page is the Profile tab.
type Page struct {
	c       *common.Common
	keys    KeyMap
	settle  common.Settling // the token field closed by itself: keys dropped a moment
	a       model.Account
	pending model.EmailChange // a new address waiting for its token
	hasPend bool
	// proof is the account's newest mail bringing the token of the
	// change waiting (nil: none read); its token, when the mailbox
	// shows it, is offered in the token field (tab)
	proof  *model.Mail
	hist   []model.HistoryEntry
	loaded bool
	// early are the keys pressed before the account was read, or while
	// a save is under way: played once it has been read, once the save
	// has answered (see common.Holder)
	early   common.EarlyKeys
	histOK  bool // hist has been read
	editing editing
	saving  bool
	email   *field.Model
	token   *field.Model
	langSel int // the language chosen, in locale.Langs, while editingLang
	// prefill is the token a mail's link brought before the tab was
	// read: the token field opens with it once it is.
	prefill *string
	// filled is the token the app put in the token field (a mail's),
	// not typed
	filled string
	// asking: esc was pressed with something typed in the e-mail or the
	// token field, and the page asks before dropping it, as the forms do
	asking bool
	seq    int
	width  int
	height int
	// top is how many lines the page's rows took, as last drawn: the
	// recent activity under them may be left out, not they; the lines a
	// field being edited adds (its hint, its refusal) are not counted,
	// so that a key never makes the window too small
	top int
	// failed, histFailed: the last read of the account, of its recent
	// activity, failed before either was ever read (the status line
	// says why): the page says it could not be read, not "loading…"
	failed, histFailed bool
	// scroll is the first entry of the recent activity shown (its
	// newest: 0): the move keys and the wheel scroll it, an entry at a
	// time, when it does not all fit; shown and more are how many entries were drawn
	// from there, and whether some were left out (as last drawn)
	scroll int
	shown  int
	more   bool
}

// New returns the Profile tab.
func New(c *common.Common) *Page {
	p := &Page{c: c, keys: newKeyMap(c),
		email: field.New(c.Styles, c.T("tui.profile.label.email"), "name@example.com", model.MaxEmailLen),
		token: field.New(c.Styles, c.T("tui.profile.label.token"), c.T("tui.profile.token_placeholder"), 64),
	}
	return p
}

// Relang makes the tab speak c's language, the field being edited, what
// was typed in it and the language being chosen kept (common.Relanger).
func (p *Page) Relang(c *common.Common) tea.Cmd {
	p.c, p.keys = c, newKeyMap(c)
	p.email.Relang(c.T("tui.profile.label.email"), "name@example.com", c.ErrText)
	p.token.Relang(c.T("tui.profile.label.token"), c.T("tui.profile.token_placeholder"), c.ErrText)
	return nil
}

func newKeyMap(c *common.Common) KeyMap {
	return KeyMap{
		Edit:    key.NewBinding(key.WithKeys("e", "enter"), key.WithHelp("e/enter", c.T("tui.profile.key.edit"))),
		Confirm: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", c.T("tui.profile.key.confirm"))),
		Lang:    key.NewBinding(key.WithKeys("l"), key.WithHelp("l", c.T("tui.profile.key.lang"))),
		Save:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", c.T("tui.profile.key.save"))),
		Use:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", c.T("tui.profile.key.use"))),
		Apply:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", c.T("tui.profile.key.use_address"))),
		Fill:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", c.T("tui.profile.key.fill"))),
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", c.T("tui.profile.key.cancel"))),
		Left:    key.NewBinding(key.WithKeys("left", "up", "shift+tab"), key.WithHelp("←/→", c.T("tui.profile.key.choose"))),
		Right:   key.NewBinding(key.WithKeys("right", "down", "tab", "l")),
		Discard: c.Yes(c.T("tui.profile.key.discard")),
		Stay:    key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", c.T("tui.profile.key.stay"))),
		Scroll:  key.NewBinding(key.WithKeys("up", "k", "down", "j", "pgup", "pgdown", "home", "g", "end", "G"), key.WithHelp("↑/↓", c.T("tui.profile.key.scroll"))),
	}
}

type (
	loadedMsg struct {
		seq     int
		a       model.Account
		pending model.EmailChange
		hasPend bool
		// was is the ID of the change waiting for its token as the page
		// knew it when the read began (0: none); ended is that change
		// read again when it no longer waits (confirmed, refused,
		// replaced or expired meanwhile), its ID 0 else
		was   int64
		ended model.EmailChange
		proof *model.Mail
		err   error
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
	// langMsg answers the language chosen.
	langMsg struct {
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
	p.failed, p.histFailed = false, false // loading again
	seq, c := p.seq, p.c
	var was int64 // the change waiting for its token, as last read
	if p.hasPend {
		was = p.pending.ID
	}
	return tea.Batch(
		common.Do(func() tea.Msg {
			a, err := c.Desk.Account(c.Ctx, c.Me)
			if err != nil {
				return loadedMsg{seq: seq, err: err}
			}
			pend, ok, err := c.Desk.PendingEmail(c.Ctx, c.Me)
			msg := loadedMsg{seq: seq, a: a, pending: pend, hasPend: ok, was: was, err: err}
			if err == nil && ok {
				// the mail bringing its token, offered in the token field
				var m model.Mail
				var found bool
				if m, found, msg.err = c.Desk.ProofMail(c.Ctx, c.Me); found {
					msg.proof = &m
				}
			}
			if msg.err != nil || was == 0 || (ok && pend.ID == was) {
				return msg
			}
			// what became of it, for the token field open for it
			el, err := c.Desk.EmailChangeOf(c.Ctx, c.Me, was)
			msg.ended, msg.err = el.Change, err
			return msg
		}),
		common.Later(common.Do(func() tea.Msg {
			hist, err := c.Desk.History(c.Ctx, c.Me, model.HistoryFilter{Limit: recent})
			return historyMsg{seq: seq, hist: hist, err: err}
		})))
}

// Account returns the account as last read.
func (p *Page) Account() (model.Account, bool) { return p.a, p.loaded }

// speak asks the session to speak a's language, when it does not yet:
// the account chose another (here, from the command line, from another
// session), and the screens change at once.
func (p *Page) speak(a model.Account) tea.Cmd {
	if a.Lang == "" || a.Lang == p.c.L.Lang() {
		return nil
	}
	return p.c.Open(common.LangMsg{Lang: a.Lang})
}

// Update handles a message.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != p.seq {
			return nil
		}
		if msg.err != nil {
			p.failed = !p.loaded
			if p.failed {
				// said in the status line: "could not be read"; the
				// keys typed for it are not played on a later read,
				// but the app's typed before the tab's own are now
				// (common.EarlyKeys.Abandon): a q typed ahead quits
				p.early.Abandon(p.c)
			}
			return common.ReadFailed(msg.err)
		}
		before, had := p.pending, p.hasPend
		p.a, p.pending, p.hasPend, p.proof, p.loaded = msg.a, msg.pending, msg.hasPend, msg.proof, true
		cmds := []tea.Cmd{common.Read(), p.speak(msg.a)}
		if p.editing == editingToken && !p.saving && had && msg.was == before.ID && !p.awaits(before) {
			// the change the token field is open for no longer waits
			// for a token: the field closes, and gives up the keys (a
			// read begun before the page knew of that change says
			// nothing of it: was differs)
			p.stopEditing()
			p.settle.Start(p.c.Settle)
			cmds = append(cmds, common.Status(p.endedMeanwhile(msg.ended)))
		}
		if p.prefill != nil {
			token := *p.prefill
			p.prefill = nil
			cmds = append(cmds, p.ConfirmWith(token))
		}
		return tea.Batch(append(cmds, p.early.Play(p.c))...)
	case historyMsg:
		if msg.seq != p.seq {
			return nil
		}
		if msg.err != nil {
			p.histFailed = !p.histOK
			return common.ReadFailed(msg.err)
		}
		p.hist, p.histOK = msg.hist, true
		return common.Read()
	case askedMsg, confirmedMsg, langMsg:
		// the keys typed while the save was under way are played once
		// its answer is shown: on the field refusing, or on the page
		p.saving = false
		cmd := p.answered(msg)
		return tea.Batch(cmd, p.early.Play(p.c))
	case tea.KeyPressMsg:
		return p.key(msg)
	case common.MouseMsg:
		// the wheel scrolls the recent activity an entry a notch: its
		// entries are up to histLines lines each
		if to := p.scroll; p.more && common.Wheel(msg, &to) {
			p.scroll = max(0, p.scroll+min(1, max(-1, to-p.scroll)))
		}
	}
	return nil
}

// answered shows the answer to a save (askedMsg, confirmedMsg,
// langMsg).
func (p *Page) answered(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case askedMsg:
		if msg.err != nil {
			p.email.Refuse(msg.err, p.c.ErrText)
			p.early.Forget() // meant for what follows a success: the refusal stays in view
			return common.Status(p.c.T("tui.profile.not_sent"))
		}
		p.pending, p.hasPend = msg.c, true
		p.stopEditing()
		return tea.Batch(common.Send(common.ChangedMsg{}),
			common.Status(p.c.T("tui.profile.token_sent", locale.Args{"Email": common.Line(msg.c.Email)})))
	case confirmedMsg:
		if msg.err != nil {
			if p.editing == editingToken && !p.hasPend {
				// a read while the token was on its way found the
				// change no longer waiting: no field to show the
				// refusal beside
				p.stopEditing()
				return common.Fail(msg.err)
			}
			p.token.Refuse(msg.err, p.c.ErrText)
			p.early.Forget() // meant for what follows a success: the refusal stays in view
			return common.Status(p.c.T("tui.profile.not_changed"))
		}
		p.a, p.hasPend = msg.a, false
		p.stopEditing()
		return tea.Batch(common.Send(common.ChangedMsg{}), common.Status(p.c.T("tui.profile.changed", locale.Args{"Email": common.Line(msg.a.Email)})))
	case langMsg:
		p.stopEditing()
		if msg.err != nil {
			return common.Fail(msg.err)
		}
		p.a = msg.a
		// said in the new language, by the screens made for it
		return tea.Batch(common.Send(common.ChangedMsg{}), p.speak(msg.a))
	}
	return nil
}

// Holding reports whether keys typed before the account was read, or
// while a save was under way, wait to be played (common.Holder): the
// keys typed after them wait too, the app's own keys included.
func (p *Page) Holding() bool { return p.early.Held() }

// ReadHolding reports whether the keys held wait for the account's first
// read, not for a save (common.Reading).
func (p *Page) ReadHolding() bool { return !p.loaded && p.early.Held() }

func (p *Page) key(msg tea.KeyPressMsg) tea.Cmd {
	if !p.loaded && p.failed {
		return nil // the page says it could not be read, the status line why
	}
	if !p.loaded && !p.early.Held() && key.Matches(msg, p.keys.Cancel) {
		// esc, with no key held before it (the root model drops those
		// on esc, see common.Reading), acts at once, as it does on a
		// screen opened over a tab: there is no field to close yet,
		// only the token field a mail's link asked for (prefill),
		// which esc would close once open. Held, it acted once the
		// account was read, and every key typed after it waited too.
		p.prefill = nil
		return nil
	}
	if !p.loaded || p.saving || p.early.Held() {
		// played once the account is read, or once the save answers,
		// as if typed then (see common.EarlyKeys.Play)
		p.early.Hold(msg)
		return nil
	}
	switch p.editing {
	case editingLang:
		return p.chooseLang(msg)
	case editingEmail, editingToken:
		return p.edit(msg)
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
	case key.Matches(msg, p.keys.Lang):
		p.editing = editingLang
		p.langSel = max(0, slices.Index(locale.Langs, p.a.Lang))
	case p.more && p.c.Keys.Scroll(msg, &p.scroll, 2*max(1, p.shown)):
		// an entry at a time, a page at a time (View keeps it in range)
	}
	return nil
}

// awaits reports whether change c is still the one waiting for its
// token, as last read.
func (p *Page) awaits(c model.EmailChange) bool { return p.hasPend && p.pending.ID == c.ID }

// endedMeanwhile says why the token field closed by itself: the change
// it was open for, read again (ended), was confirmed, refused or
// replaced elsewhere (another session, the command line, the mail's web
// page), or expired. What was typed in the field was not sent: said,
// the half-typed token does not just vanish.
func (p *Page) endedMeanwhile(ended model.EmailChange) string {
	args := locale.Args{"Email": common.Line(ended.Email)}
	state := model.EmailExpired // one that ended, stored as pending, expired
	if ended.State != model.EmailPending {
		state = ended.State
	}
	switch state {
	case model.EmailConfirmed:
		return p.c.T("tui.profile.confirmed_elsewhere", args)
	case model.EmailRefused:
		return p.c.T("tui.profile.refused_elsewhere", args)
	case model.EmailReplaced:
		return p.c.T("tui.profile.replaced_elsewhere", args)
	}
	return p.c.T("tui.profile.expired_meanwhile", args)
}

// ForgetEarlyKeys drops the keys typed before the account was read: the
// user left the tab (see common.Forgetter).
func (p *Page) ForgetEarlyKeys() { p.early.Forget() }

// ConfirmWith opens the field for the token of the new address, filled
// with token (a mail's; empty when the mailbox withholds it). With no
// change waiting for a token, it says so.
func (p *Page) ConfirmWith(token string) tea.Cmd {
	if !p.loaded {
		p.prefill = &token
		return nil
	}
	if p.saving {
		return nil
	}
	if !p.hasPend {
		return common.Status(p.c.T("tui.profile.none_pending"))
	}
	p.stopEditing()
	p.editing = editingToken
	p.token.SetValue(token)
	p.filled = token
	p.token.Focus()
	return nil
}

// edit takes a key while the e-mail or the token field has the keys.
func (p *Page) edit(msg tea.KeyPressMsg) tea.Cmd {
	f := p.field()
	if p.asking {
		switch {
		case key.Matches(msg, p.keys.Discard):
			p.stopEditing()
		case key.Matches(msg, p.keys.Stay):
			p.asking = false
		}
		return nil // any other key waits for the answer
	}
	switch {
	case p.editing == editingToken && key.Matches(msg, p.keys.Fill):
		return p.fill()
	case key.Matches(msg, p.keys.Cancel):
		if p.typed() {
			p.asking = true
			return nil
		}
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
		// what can't be a token (its shape) is refused here: the model
		// counts every token it refuses as a wrong try
		if _, ok := model.NormalizeToken(v); !ok {
			p.saving = false
			m := locale.M("tui.profile.not_a_token", locale.Args{"Email": common.Line(p.pending.Email)})
			f.Refuse(&model.Error{Kind: model.ErrWrongToken, Field: "token", Msg: m.In(locale.For(locale.EN)), Text: m}, p.c.ErrText)
			return nil
		}
		return common.Do(func() tea.Msg {
			a, err := c.Desk.ConfirmEmail(c.Ctx, c.Me, v)
			return confirmedMsg{a: a, err: err}
		})
	}
	_, cmd := f.Update(msg)
	return cmd
}

// offered is the token of the account's newest mail proving the new
// address, or "" (no such mail here, or its token withheld: delivered
// for real, it is in the inbox of the address only).
func (p *Page) offered() string {
	if p.proof == nil || p.proof.TokenGone() {
		return ""
	}
	return common.Line(p.proof.Token)
}

// fill puts in the token field the token of the mail proving the new
// address, as a request's prompt does with its mail's; when no mail here
// holds it, the status line says why, the field as it was.
func (p *Page) fill() tea.Cmd {
	if tok := p.offered(); tok != "" {
		p.token.SetValue(tok)
		p.token.Err = ""
		p.filled = tok
		return nil
	}
	if p.proof != nil {
		return common.Status(p.c.T("tui.profile.no_code", locale.Args{"Why": p.c.WithheldToken(*p.proof)}))
	}
	return common.Status(p.c.T("tui.profile.no_code_mail", locale.Args{"Email": common.Line(p.pending.Email)}))
}

// chooseLang takes a key while the languages are offered.
func (p *Page) chooseLang(msg tea.KeyPressMsg) tea.Cmd {
	n := len(locale.Langs)
	switch {
	case key.Matches(msg, p.keys.Cancel):
		p.stopEditing()
	case key.Matches(msg, p.keys.Left):
		p.langSel = (p.langSel + n - 1) % n
	case key.Matches(msg, p.keys.Right):
		p.langSel = (p.langSel + 1) % n
	case key.Matches(msg, p.keys.Save):
		lang := locale.Langs[p.langSel]
		if lang == p.a.Lang {
			p.stopEditing()
			return nil
		}
		p.saving = true
		c := p.c
		return common.Do(func() tea.Msg {
			a, err := c.Desk.SetLang(c.Ctx, c.Me, string(lang))
			return langMsg{a: a, err: err}
		})
	}
	return nil
}

// typed reports whether the field being edited holds something the user
// typed, which esc would drop: an address other than the account's, a
// token other than the one the app filled in.
func (p *Page) typed() bool {
	v := strings.TrimSpace(p.field().Value())
	if p.editing == editingEmail {
		return v != strings.TrimSpace(p.a.Email)
	}
	return v != "" && v != strings.TrimSpace(p.filled)
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
	p.asking, p.filled = false, ""
	for _, f := range []*field.Model{p.email, p.token} {
		f.Blur()
		f.Err = ""
	}
}

// SetSize sets the page's size.
func (p *Page) SetSize(w, h int) { p.width, p.height = w, h }

// Title names the tab.
func (p *Page) Title() string { return p.c.T("tui.tab.profile") }

// MinSize is the room the page needs (common.Sized): its rows, whole;
// the recent activity under them shows as far as there is room.
func (p *Page) MinSize() (int, int) { return 0, max(3, p.top) }

// Capturing reports whether a field, or the choice of language, has the
// keys. The language chosen and being saved, the chooser takes none
// (see key): the app's keys work, q quits, as they do while any other
// write of a screen with no field open is under way, rather than wait
// for the save to end.
func (p *Page) Capturing() bool {
	return p.editing != notEditing && !(p.editing == editingLang && p.saving)
}

// Settling reports whether the token field just closed by itself
// (common.Settler).
func (p *Page) Settling() bool { return p.settle.On() }

// labels are the page's labels, by their IDs (tui.profile.label.<id>).
var labels = []string{"name", "handle", "standing", "email", "new", "token", "lang", "since"}

// labelW is the width of the labels: the longest of the language's, and
// at least the English one's.
func (p *Page) labelW() int {
	w := 9
	for _, id := range labels {
		w = max(w, common.Width(p.c.T("tui.profile.label."+id)))
	}
	return w + 1
}

// View draws the page.
func (p *Page) View() string {
	st := p.c.Styles
	l := p.c.L
	title := p.c.T("tui.profile.title")
	switch {
	case !p.loaded && p.failed:
		return st.Title.Render(title) + "\n\n" + st.Subtle.Render(p.c.T("tui.not_read"))
	case !p.loaded:
		return st.Title.Render(title) + "\n\n" + st.Subtle.Render(p.c.T("tui.loading"))
	}
	a := p.a
	labelW := p.labelW()
	label := func(id string) string { return st.Label.Render(common.Fit(p.c.T("tui.profile.label."+id), labelW)) }
	valueW := p.width - labelW - 1
	row := func(id, value string) string {
		return label(id) + " " + common.Cut(value, valueW)
	}
	// under is what is said of a value, wrapped under it, never cut
	under := func(text string, st common.Renderer) []string {
		return strings.Split(common.WrapMax(text, labelW+1, p.width, 0, st), "\n")
	}
	// aside is a value and what is said of it (the key that changes it,
	// until when a token is awaited): on the value's line when both fit,
	// else under it, whole
	aside := func(id, value, gap, note string, noteSt common.Renderer) []string {
		if common.Width(value)+len(gap)+common.Width(note) <= valueW {
			return []string{row(id, value+noteSt.Render(gap+note))}
		}
		return append([]string{row(id, value)}, under(note, noteSt)...)
	}
	ls := []string{st.Title.Render(title), ""}
	ls = append(ls, row("name", common.Line(a.Name)))
	ls = append(ls, row("handle", common.H(a.Handle)))
	if a.UpToDate() {
		ls = append(ls, row("standing", p.c.T("tui.profile.up_to_date")))
	} else {
		ls = append(ls, aside("standing", st.Error.Render(p.c.T("tui.profile.overdue", locale.Args{"Amount": locale.Amount(a.Owes)})), " ", p.c.T("tui.profile.overdue_why"), styles.Paint{})...)
	}
	// extra are the lines a field being edited adds (its hint, its
	// refusal): they come and go with what is typed, and the least
	// height leaves them out
	extra := 0
	editRow := func(id string, f *field.Model, hint string) {
		v := f.View(min(50, p.width-labelW-3), p.width-labelW-1, labelW+1)
		ls = append(ls, strings.Split(label(id)+" "+v, "\n")...)
		h := under(hint, st.Subtle)
		if p.asking {
			h = append(under(p.c.T("tui.profile.leave_ask"), st.Error), under(p.c.T("tui.profile.leave_keys"), st.Subtle)...)
		}
		ls = append(ls, h...)
		extra += strings.Count(v, "\n") + len(h)
	}
	if p.editing == editingEmail {
		editRow("email", p.email, p.c.T("tui.profile.hint_email"))
	} else {
		ls = append(ls, aside("email", common.Line(a.Email), "   ", p.c.T("tui.profile.email_key"), st.Subtle)...)
	}
	if p.hasPend {
		ls = append(ls, aside("new", common.Line(p.pending.Email), "   ", p.c.T("tui.profile.pending", locale.Args{"Until": l.Date(p.pending.Expires)}), st.Subtle)...)
		if p.editing == editingToken {
			hint := p.c.T("tui.profile.hint_token")
			if p.offered() != "" && p.token.Value() == "" {
				// as a request's prompt: said while there is room for it
				hint = p.c.T("tui.profile.hint_token_offered", locale.Args{"Ago": l.Ago(p.c.Now(), p.proof.Date)})
			}
			editRow("token", p.token, hint)
		}
	}
	if p.editing == editingLang {
		var b strings.Builder
		for i, lang := range locale.Langs {
			name := fmt.Sprintf(" %s (%s) ", lang.Name(), lang)
			if i == p.langSel {
				b.WriteString(st.SuggestSel.Render("[" + name + "]"))
			} else {
				b.WriteString(st.Suggestion.Render(" " + name + " "))
			}
		}
		ls = append(ls, row("lang", b.String()))
		h := under(p.c.T("tui.profile.hint_lang"), st.Subtle)
		ls = append(ls, h...)
		extra += len(h)
	} else {
		lang := a.Lang
		if !lang.Known() {
			lang = locale.Default // what the desk writes to it
		}
		ls = append(ls, aside("lang", fmt.Sprintf("%s (%s)", lang.Name(), lang), "   ", p.c.T("tui.profile.lang_key"), st.Subtle)...)
	}
	ls = append(ls, row("since", l.Date(a.Created)))
	p.top = len(ls) - extra
	ls = append(ls, "", st.Title.Render(p.c.T("tui.profile.recent")))
	head := len(ls) - 1
	room := p.height - len(ls)
	switch {
	case !p.histOK && p.histFailed:
		ls = append(ls, st.Subtle.Render("  "+p.c.T("tui.not_read")))
	case !p.histOK:
		ls = append(ls, st.Subtle.Render("  "+p.c.T("tui.loading")))
	case len(p.hist) == 0:
		ls = append(ls, st.Subtle.Render("  "+p.c.T("tui.history.none")))
	}
	entries := p.activity()
	// as many entries as there is room for, whole, from the one scrolled
	// to; scrolled no further than the last ones fill the room
	last := len(entries)
	for used := 0; last > 0 && used+len(entries[last-1]) <= room; last-- {
		used += len(entries[last-1])
	}
	p.scroll = max(0, min(p.scroll, last))
	shown := 0
	for _, e := range entries[p.scroll:] {
		if len(e) > room {
			break
		}
		ls = append(ls, e...)
		room -= len(e)
		shown++
	}
	p.shown, p.more = shown, shown < len(entries)
	if p.more && shown > 0 {
		// which entries are shown, of how many: that there are more,
		// and where the ones shown stand among them
		args := locale.Args{"First": p.scroll + 1, "Last": p.scroll + shown, "N": len(entries)}
		id := "tui.profile.recent_shown"
		if len(entries) >= recent {
			id = "tui.profile.recent_shown_latest" // the history holds older ones
		}
		ls[head] += st.Subtle.Render(common.Cut("   "+p.c.T(id, args), p.width-common.Width(p.c.T("tui.profile.recent"))))
	}
	return strings.Join(ls, "\n")
}

// activity is the recent activity's entries, each as the lines it
// takes: when, who, which service and the detail, which goes on under
// them, wrapped from the column of who did it, when too long for the
// line.
func (p *Page) activity() [][]string {
	l := p.c.L
	now := p.c.Now()
	svcW := min(26, max(12, p.width/5))
	agoW := 10
	for _, h := range p.hist {
		agoW = max(agoW, min(14, common.Width(l.Ago(now, h.At))))
	}
	out := make([][]string, 0, len(p.hist))
	for _, h := range p.hist {
		when := "  " + common.Fit(l.Ago(now, h.At), agoW) + " "
		head := when + common.Fit(p.c.Handle(h.Actor), 12) + " " + common.Fit(common.Line(h.Service), svcW) + " "
		detail := common.Line(model.DetailOf(h).In(l))
		if h.RequestID != 0 {
			// which request, and what befell it: a party's answer and
			// the request's end say "refused" alike, and its end is two
			// lines (done, then the contact changed)
			detail = fmt.Sprintf("#%d %s", h.RequestID, p.c.Action(h.Action))
			if d := p.c.Detail(h); d != "" {
				detail = p.c.T("tui.profile.activity_request", locale.Args{"ID": h.RequestID, "Action": p.c.Action(h.Action), "Detail": d})
			}
		}
		out = append(out, common.Hanging(head, detail, common.Width(when), p.width, histLines))
	}
	return out
}

// histLines is how many lines a line of the recent activity takes at
// most: any of the model's whole at 80 columns, not a value of a
// megabyte that another tool wrote.
const histLines = 6

// ShortHelp lists the keys that work now.
func (p *Page) ShortHelp() []key.Binding {
	switch p.editing {
	case editingLang:
		return []key.Binding{p.keys.Left, p.keys.Use, p.keys.Cancel}
	case editingEmail, editingToken:
		if p.asking {
			return []key.Binding{p.keys.Discard, p.keys.Stay}
		}
		if p.editing == editingToken {
			// enter named as the field's hint names it
			if p.offered() != "" {
				return []key.Binding{p.keys.Apply, p.keys.Fill, p.keys.Cancel}
			}
			return []key.Binding{p.keys.Apply, p.keys.Cancel}
		}
		return []key.Binding{p.keys.Save, p.keys.Cancel}
	}
	bs := []key.Binding{p.keys.Edit}
	if p.hasPend {
		bs = append(bs, p.keys.Confirm)
	}
	bs = append(bs, p.keys.Lang)
	if p.more {
		bs = append(bs, p.keys.Scroll)
	}
	return bs
}

// FullHelp lists the keys that work now (the move keys that scroll the
// recent activity are the help's own group).
func (p *Page) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
