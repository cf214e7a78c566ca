// Package tui is contactdesk's terminal app: tabs for Services, Requests,
// Mailbox and Profile, sub-views opened from them (Edit contacts, owner
// details, history, a request, a mail), a status line and a help overlay
// generated from each screen's keys.
//
// The root model here owns the layout and routes messages; each screen
// lives in its own package under pages/ and never reaches into another:
// it asks for another screen with a message from package common (every
// such message is a common.RootMsg). The frame is a stack of layers —
// tabs, rule, screen, keys, status — and the mouse is routed to the layer
// under the pointer. Every call to the desk runs in a tea.Cmd, and the
// session listens to the desk's broker for changes, so one root model
// per SSH session is safe.
package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
	"contactdesk/tui/common"
	"contactdesk/tui/components/help"
	"contactdesk/tui/components/statusbar"
	"contactdesk/tui/components/tabs"
	"contactdesk/tui/keymap"
	"contactdesk/tui/pages/contacts"
	"contactdesk/tui/pages/history"
	"contactdesk/tui/pages/mail"
	"contactdesk/tui/pages/mailbox"
	"contactdesk/tui/pages/owner"
	"contactdesk/tui/pages/picker"
	"contactdesk/tui/pages/profile"
	"contactdesk/tui/pages/request"
	"contactdesk/tui/pages/requests"
	"contactdesk/tui/pages/services"
	"contactdesk/tui/styles"
)

// Tab names a tab.
type Tab int

// The tabs, in order.
const (
	ServicesTab Tab = iota
	RequestsTab
	MailboxTab
	ProfileTab
)

// Options configure one TUI session.
type Options struct {
	// Clock tells the time of "2h ago"-style dates; nil: the desk's clock.
	Clock model.Clock
	// Context is the session's life: when it ends, the session stops
	// listening to the desk and its pending calls are abandoned. nil: the
	// session lives until the user quits.
	Context context.Context
	// Locked keeps the session on its account: no account picker (an SSH
	// session, where the key says who you are).
	Locked bool
	// Tab is the tab the session opens on.
	Tab Tab
	// NoMouse leaves the mouse to the terminal (for selecting text).
	NoMouse bool
	// StatusFade is how long a message stays in the status line when no
	// key is pressed; 0: DefaultStatusFade.
	StatusFade time.Duration
	// Retime is how often the relative times on screen ("2 min ago")
	// are written again, with no read; 0: DefaultRetime.
	Retime time.Duration
	// Lang is the language of the account picker (the command line's
	// $LANG, else the desk's default) and of a session whose account's
	// language can't be read (an SSH session's: the account's, as read
	// at login), in which it says it is loading until it is read; a
	// session on an account speaks the account's language, and follows
	// it when it changes.
	Lang locale.Lang
	// CallTimeout bounds each read and each write of the session
	// (model.WithCallLimit): a database that does not answer fails the
	// call once it passes, and the status line says so, where the
	// screen waited for as long as the database did. 0:
	// DefaultCallTimeout.
	CallTimeout time.Duration
	// Settle is how long the keys typed after a field closed by itself
	// (the request answered elsewhere, the change of address confirmed
	// elsewhere) are dropped rather than taken as commands; 0:
	// DefaultSettle.
	Settle time.Duration
	// StoreSays writes a failure of the store (a busy or full file, a
	// server out of reach: msg, as the store said it) in l's language,
	// or reports false; the door that opened the store knows its
	// failures (the command line's). nil: as the store says it. A
	// customer's session (Locked) is told none of them.
	StoreSays func(err error, msg string, l *locale.Localizer) (string, bool)
}

// DefaultSettle is Options.Settle's default: about how long typing goes
// on before the one typing sees the field has gone.
const DefaultSettle = 500 * time.Millisecond

// DefaultCallTimeout is how long one read or write of a session may
// take: as long as one call of the HTTP API, a little past PostgreSQL's
// default statement timeout (15 s), so that a busy server says so first.
const DefaultCallTimeout = 20 * time.Second

// langLookupTimeout bounds the reading of the account's language before
// the screens are read: better Options.Lang soon than the right one late.
const langLookupTimeout = 2 * time.Second

// startGrace is how long a session starting on an account shows only
// the frame's outline, its language not yet read: the account's
// language is nearly always read sooner, and the screens then speak it
// from their first frame; past it, they say that they are loading in
// Options.Lang, rather than leave the window blank while the desk
// does not answer.
const startGrace = 300 * time.Millisecond

// DefaultStatusFade is how long a status message stays, unless a key is
// pressed first.
const DefaultStatusFade = 5 * time.Second

// DefaultRetime is how often the relative times on screen are written
// again: one timer per session, which draws the frame again (the
// terminal gets the lines that changed) and reads nothing.
const DefaultRetime = 30 * time.Second

// The parts of the frame, from the top: the tab bar, a rule, the
// screen, the line of its keys and the status line.
const (
	partTabs = iota
	partRule
	partBody
	partKeys
	partStatus
	parts
)

// bodyID is the id of the screen's layer.
const bodyID = "body"

// chrome is how many rows the frame takes besides the screen.
const chrome = 4

// slot is a screen with the id that routes its messages back to it.
type slot struct {
	id     int
	page   common.Page
	tab    Tab // the tab it belongs to
	origin Tab // the tab that was active when it opened
}

// note is a message in the status line, for one screen. A read's error
// (the database went away) stays until that screen reads again; when it
// has faded it is only cut into the status line, and never takes the
// line of the keys.
type note struct {
	msg   common.StatusMsg
	seq   int
	faded bool
}

// Model is the root model of one session.
type Model struct {
	o      Options
	ctx    context.Context
	cancel context.CancelFunc

	// the account in use, with what it has on screen
	screens
	pick *slot
	// was is the session as it was when @ opened the picker: esc there
	// goes back to it (nil: no account was in use).
	was *screens

	showHelp bool
	nextID   int
	noteSeq  int // the last message's: each message's own, whatever the account
	rule     styles.Paint

	// afterHelp are the keys screens played (common.ReplayMsg) while
	// the help was open: played once it closes (see replay)
	afterHelp []replayed
	// afterSmall are the keys screens played (common.ReplayMsg) while
	// the window was too small for the screen shown: played once it
	// is large enough (see replay and resume)
	afterSmall []common.ReplayMsg

	// msgRows are the rows the screen lends the status line's message
	// while it is fresh and needs more than the line of the keys (see
	// lend); the screen is laid out without them meanwhile.
	msgRows int
	// small is set while the window is too small for the screen: the
	// last frame was the notice saying so, and keys but ctrl+c do
	// nothing until the window is larger (see tooSmall).
	small bool

	// frame is the last frame's parts, placed: the mouse is routed from it.
	frame struct {
		y    [parts]int // each part's first row
		body string
		page common.Page
	}

	// starting is set while the account's language is being read, before
	// the screens read anything (see New): the keys typed meanwhile wait
	// in held, and the frame shows its outline only until graced.
	starting bool
	graced   bool
	held     []tea.KeyPressMsg

	subGen    int
	subCancel context.CancelFunc
	subCtx    context.Context
	subCh     <-chan model.Change
	unsub     func()
	quitting  bool
}

// screens are what the account in use has on screen: its Common, its
// frame's parts, its tabs and the screens opened over them, and the
// status line's messages; kept whole while the picker opened with @
// shows, for the way back.
type screens struct {
	c *common.Common

	tabs   *tabs.Model
	status *statusbar.Model
	help   *help.Model

	svc    *services.Page
	reqs   *requests.Page
	mbox   *mailbox.Page
	prof   *profile.Page
	pages  [4]slot
	stack  []slot
	active Tab
	// parked are the screens opened over a tab that the user left
	// (a click on another tab) while one of them held a draft
	// (common.Drafter): they show again when the user comes back to
	// that tab, what was typed as it was.
	parked map[Tab][]slot

	// notes are the status line's messages, by the id of the screen
	// that made them: each shows while its screen is on.
	notes map[int]note

	// waiting holds the ids of the tabs whose first read has not
	// answered yet; until none is left, the commands of common.Later
	// wait in later.
	waiting map[int]bool
	later   []tea.Cmd
}

// replayed is a common.ReplayMsg from screen from, waiting for the help
// to close.
type replayed struct {
	from int
	msg  common.ReplayMsg
}

// keep is the session as it is, for a way back from the picker.
func (m *Model) keep() *screens {
	s := m.screens
	return &s
}

// back closes the picker opened with @ and goes back to the account that
// was in use, as it was: its tab, its open screens; they read again and
// the session listens for its changes again.
func (m *Model) back() tea.Cmd {
	// its screens stayed open under the picker (their reads landed);
	// the tabs still waiting for a first answer get one from reloadAll
	m.screens, m.was, m.pick = *m.was, nil, nil
	// the messages shown before the picker were read: they don't come
	// back, but a read's error stays, faded
	for id := range m.notes {
		m.fade(id)
	}
	m.showHelp, m.afterHelp = false, nil
	m.resize()
	return tea.Batch(m.subscribe(), m.reloadAll())
}

// New returns the root model of one session acting as me ("" = start on
// the account picker).
func New(d *model.Desk, me model.Handle, o Options) tea.Model {
	parent := o.Context
	if parent == nil {
		parent = context.Background()
	}
	if o.StatusFade <= 0 {
		o.StatusFade = DefaultStatusFade
	}
	if o.Retime <= 0 {
		o.Retime = DefaultRetime
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	if o.Settle <= 0 {
		o.Settle = DefaultSettle
	}
	ctx, cancel := context.WithCancel(model.WithCallLimit(parent, o.CallTimeout))
	st := styles.Default()
	c := &common.Common{Ctx: ctx, Desk: d, Me: me, Clock: o.Clock, Styles: st, Nav: &common.Nav{}, Shared: o.Locked, Settle: o.Settle, StoreSays: o.StoreSays}
	if c.Clock == nil {
		c.Clock = d
	}
	m := &Model{screens: screens{c: c, notes: map[int]note{}}, o: o, ctx: ctx, cancel: cancel}
	m.speak(o.Lang)
	m.rule = styles.PaintOf(st.Rule)
	if o.Tab >= ServicesTab && o.Tab <= ProfileTab {
		m.active = o.Tab
	}
	if me == "" {
		m.openPicker()
	} else {
		// the screens, in Options.Lang until the account's language is
		// read (Init): made again then if it is another
		m.build()
		m.starting = true
	}
	return m
}

// speak makes the frame's own parts — keys, tabs, status line, help —
// speak lang, in m.c, a Common no screen holds yet.
func (m *Model) speak(lang locale.Lang) {
	l := locale.For(lang)
	st := m.c.Styles
	m.c.L = l
	m.c.Keys = keymap.Default(l)
	if m.o.Locked {
		m.c.Keys.Switch.SetEnabled(false)
	}
	m.tabs = tabs.New(st, l.T("tui.tab.services"), l.T("tui.tab.requests"), l.T("tui.tab.mailbox"), l.T("tui.tab.profile"))
	m.status = statusbar.New(m.c)
	m.help = help.New(st)
	m.help.Closing = l.T("tui.help.closing")
}

func (m *Model) slot(p common.Page, tab Tab) slot {
	m.nextID++
	return slot{id: m.nextID, page: p, tab: tab, origin: m.active}
}

// build makes the tabs' screens for the account acting.
func (m *Model) build() {
	m.svc, m.reqs, m.mbox, m.prof = services.New(m.c), requests.New(m.c), mailbox.New(m.c), profile.New(m.c)
	m.pages = [4]slot{m.slot(m.svc, ServicesTab), m.slot(m.reqs, RequestsTab), m.slot(m.mbox, MailboxTab), m.slot(m.prof, ProfileTab)}
	m.waiting = map[int]bool{}
	for _, s := range m.pages {
		m.waiting[s.id] = true
	}
	m.later = nil
	m.stack, m.parked = nil, nil
	m.pick, m.was = nil, nil
	m.notes = map[int]note{}
	m.status.User = common.H(m.c.Me)
	m.resize()
}

func (m *Model) openPicker() {
	m.status.User, m.status.Unread = m.c.T("tui.status.no_account"), -1
	if m.was != nil {
		// the account in use stays in use until another is picked
		m.status.User = m.c.T("tui.status.in_use", locale.Args{"Handle": common.H(m.was.c.Me)})
	}
	m.waiting, m.later = nil, nil
	m.notes = map[int]note{}
	s := m.slot(picker.New(m.c), ServicesTab)
	m.pick = &s
	m.resize()
}

// Init starts the session: it reads every screen and listens for
// changes; its relative times keep up with the clock. A session on an
// account first reads the account's language, for its screens to speak
// it from the first frame they draw (see started); the program draws
// meanwhile, the window never blank while the desk does not answer.
func (m *Model) Init() tea.Cmd {
	if m.pick != nil {
		return tea.Batch(m.load(*m.pick), m.retime())
	}
	return tea.Batch(m.readLang(), after(m.ctx, startGrace, gracedMsg{}), m.retime())
}

// readLang reads the language of the account, for at most
// langLookupTimeout.
func (m *Model) readLang() tea.Cmd {
	ctx, d, me := m.ctx, m.c.Desk, m.c.Me
	return func() tea.Msg {
		actx, cancel := context.WithTimeout(ctx, langLookupTimeout)
		defer cancel()
		a, err := d.Account(actx, me)
		if err != nil || !a.Lang.Known() {
			return startMsg{}
		}
		return startMsg{lang: a.Lang}
	}
}

// started makes the screens speak lang, the account's language ("":
// it could not be read, Options.Lang stays), then reads them, listens
// for changes and plays the keys typed meanwhile.
func (m *Model) started(lang locale.Lang) tea.Cmd {
	m.starting = false
	if lang != "" && lang != m.c.L.Lang() {
		// nothing read yet: the screens are made again in lang
		c := *m.c
		m.c = &c
		m.speak(lang)
		m.build()
	}
	m.resize()
	held := m.held
	m.held = nil
	// as a screen's keys held are played (common.ReplayMsg): those
	// played while the window is too small wait until it is not
	return tea.Batch(m.subscribe(), m.reloadAll(), m.replay(m.current().id, common.ReplayMsg{Keys: held}))
}

// retime waits for the next writing of the relative times.
func (m *Model) retime() tea.Cmd {
	return after(m.ctx, m.o.Retime, retimeMsg{})
}

// after is common.After.
func after(ctx context.Context, d time.Duration, msg tea.Msg) tea.Cmd {
	return common.After(ctx, d, msg)
}

type (
	subscribedMsg struct {
		gen    int
		ch     <-chan model.Change
		unsub  func()
		ctx    context.Context
		cancel context.CancelFunc
	}
	changeMsg struct{ gen int }
	// routed carries a screen's own message back to that screen only;
	// with pass, a message for the root model (a common.RootMsg), from
	// that screen.
	routed struct {
		id   int
		msg  tea.Msg
		pass bool
	}
	// retimeMsg writes the relative times on screen again ("1 min ago"
	// becomes "2 min ago" with no key pressed): the screens that write
	// them when they read write them again, and the frame is drawn
	// again for those that write them as they draw.
	retimeMsg struct{}
	// fadeMsg ends a status message, unless a newer one took its place.
	fadeMsg struct{ id, seq int }
	// startMsg brings the account's language, read as the session
	// starts ("": not read).
	startMsg struct{ lang locale.Lang }
	// gracedMsg ends startGrace.
	gracedMsg struct{}
	// partyMsg reopens, for the account just chosen, the request the
	// account before was on: it is a party to it too.
	partyMsg struct {
		gen int
		id  int64
	}
)

// subscribe listens to the desk's broker for changes concerning the
// account; the wait ends with the session's context or a switch of
// account.
func (m *Model) subscribe() tea.Cmd {
	m.stopListening()
	m.subGen++
	gen, d, me, parent := m.subGen, m.c.Desk, m.c.Me, m.ctx
	return func() tea.Msg {
		ch, unsub := d.Subscribe(me)
		ctx, cancel := context.WithCancel(parent)
		return subscribedMsg{gen: gen, ch: ch, unsub: unsub, ctx: ctx, cancel: cancel}
	}
}

func wait(gen int, ctx context.Context, ch <-chan model.Change) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-ch:
			return changeMsg{gen: gen}
		case <-ctx.Done():
			return nil
		}
	}
}

func (m *Model) stopListening() {
	if m.subCancel != nil {
		m.subCancel()
		m.subCancel = nil
	}
	if m.unsub != nil {
		m.unsub()
		m.unsub = nil
	}
}

// load runs a screen's Load, its messages routed back to it.
func (m *Model) load(s slot) tea.Cmd { return route(s.id, s.page.Load()) }

// update passes a message to a screen, its answer routed back to it,
// and does at once what the screen asked of the root model (common.Nav).
func (m *Model) update(s slot, msg tea.Msg) tea.Cmd {
	cmd := route(s.id, s.page.Update(msg))
	for _, msg := range m.c.Nav.Take() {
		from := s.id
		if _, ok := msg.(common.ReplayMsg); ok {
			if _, open := m.find(s.id); !open {
				// the screen closed itself first (a form gone back, or
				// replaced by the request it made): the keys typed
				// while it saved follow the user where it went, as
				// they would had the user waited
				from = m.current().id
			}
		}
		cmd = tea.Batch(cmd, m.root(from, msg))
	}
	return cmd
}

// route tags what a screen's command returns with the screen's id, so
// that only that screen receives it; the messages for the root model
// (common.RootMsg) go to the root model, which learns from the id which
// screen sent them.
func route(id int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		msg := cmd()
		switch msg := msg.(type) {
		case nil:
			return nil
		case tea.BatchMsg:
			out := make(tea.BatchMsg, len(msg))
			for i, c := range msg {
				out[i] = route(id, c)
			}
			return out
		case common.LaterMsg:
			return common.LaterMsg{Cmd: route(id, msg.Cmd)}
		case common.RootMsg:
			return routed{id: id, msg: msg, pass: true}
		}
		return routed{id: id, msg: msg}
	}
}

// reloadAll reads every open screen again.
func (m *Model) reloadAll() tea.Cmd {
	var cmds []tea.Cmd
	if m.pick != nil {
		return m.load(*m.pick)
	}
	for _, s := range m.open() {
		cmds = append(cmds, m.load(s))
	}
	return tea.Batch(cmds...)
}

// current is the screen shown.
func (m *Model) current() slot {
	switch {
	case m.pick != nil:
		return *m.pick
	case len(m.stack) > 0:
		return m.stack[len(m.stack)-1]
	}
	return m.pages[m.active]
}

func (m *Model) find(id int) (slot, bool) {
	if m.pick != nil && m.pick.id == id {
		return *m.pick, true
	}
	for _, s := range m.open() {
		if s.id == id {
			return s, true
		}
	}
	return slot{}, false
}

func (m *Model) bodyHeight() int { return max(1, m.c.Height-chrome-m.msgRows) }

// need is the least size of the window for the screen shown: the tab
// bar whole, the frame's rows, and the room the screen needs
// (common.Sized).
func (m *Model) need() (w, h int) {
	h = 1
	if s, ok := m.current().page.(common.Sized); ok {
		w, h = s.MinSize()
	}
	if m.pick == nil {
		w = max(w, m.tabs.Width())
	}
	return w, chrome + max(1, h)
}

// tooSmall reports whether the window is smaller than the screen needs.
func (m *Model) tooSmall() bool {
	w, h := m.need()
	return m.c.Width < w || m.c.Height < h
}

// fits reports whether the window is large enough for the screen shown;
// when the last frame was the notice that it is not (small), the screens
// get the window's size first, as the next frame would give them.
func (m *Model) fits() bool {
	if m.tooSmall() {
		return false
	}
	if m.small {
		m.small = false
		m.resize()
	}
	return true
}

// resize lays every screen out again at the window's size; in a window
// too small, they keep the size they had, and all they hold (a list's
// scroll, a form), until it is large enough again.
func (m *Model) resize() {
	if m.tooSmall() {
		return
	}
	w, h := m.c.Width, m.bodyHeight()
	if m.pick != nil {
		m.pick.page.SetSize(w, h)
	}
	for _, s := range m.open() {
		if s.page != nil {
			s.page.SetSize(w, h)
		}
	}
}

// push opens a sub-view on tab.
func (m *Model) push(p common.Page, tab Tab) tea.Cmd {
	s := m.slot(p, tab)
	if !m.tooSmall() {
		p.SetSize(m.c.Width, m.bodyHeight())
	}
	m.stack = append(m.stack, s)
	m.active = tab
	m.showHelp, m.afterHelp = false, nil
	return m.load(s)
}

// pop closes the sub-view on top; from, when not 0, is the screen that
// asked, and nothing closes unless it is that one (it may have been
// closed already).
func (m *Model) pop(from int) bool {
	if len(m.stack) == 0 {
		return false
	}
	top := m.stack[len(m.stack)-1]
	if from != 0 && top.id != from {
		return false
	}
	m.stack = m.stack[:len(m.stack)-1]
	delete(m.notes, top.id)
	m.active = top.origin
	return true
}

// unpark closes screen from when it is the last of the screens parked
// on a tab the user left (switchTab), as pop closes the one on top: a
// form whose save answered after a click on another tab, done while it
// was under way with no key typed after it, closes as it does on top.
// It stayed parked, saved or its request made, and showed again on its
// tab as if neither, ready to save the same again.
func (m *Model) unpark(from int) bool {
	for t, ss := range m.parked {
		if n := len(ss); n > 0 && ss[n-1].id == from {
			delete(m.notes, from)
			if m.parked[t] = ss[:n-1]; n == 1 {
				delete(m.parked, t)
			}
			return true
		}
	}
	return false
}

// switchTab shows tab t. The screens opened over the tab left close,
// unless one of them holds a draft (a form being typed, a prompt holding
// part of a token): then they are parked, and show again, as they were,
// when the user comes back to that tab — as a tab's own field being
// edited (the Profile's e-mail address) stays. The keys can't leave such
// a screen for another tab (its field takes the digits); a click on a
// tab can.
func (m *Model) switchTab(t Tab) {
	t = (t + 4) % 4
	if t == m.active && len(m.stack) > 0 {
		// the tab's own list, from a screen opened over it: not over
		// a draft (a click on the tab the form is on)
		if !m.drafting() {
			m.closeStack()
		}
		return
	}
	if t == m.active {
		return
	}
	// keys typed on a tab still being read were not meant for it once
	// the user has left it
	if f, ok := m.pages[m.active].page.(common.Forgetter); ok {
		f.ForgetEarlyKeys()
	}
	if m.drafting() {
		if m.parked == nil {
			m.parked = map[Tab][]slot{}
		}
		m.parked[m.active] = m.stack
		m.stack = nil
	} else {
		m.closeStack()
	}
	m.active = t
	if p, ok := m.parked[t]; ok {
		m.stack = p
		delete(m.parked, t)
	}
}

// closeStack closes the screens opened over the tab, their messages with them.
func (m *Model) closeStack() {
	for _, s := range m.stack {
		delete(m.notes, s.id)
	}
	m.stack = nil
}

// drafting reports whether a screen opened over the tab holds a draft.
func (m *Model) drafting() bool {
	for _, s := range m.stack {
		if d, ok := s.page.(common.Drafter); ok && d.Draft() {
			return true
		}
	}
	return false
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	m.stopListening()
	m.cancel()
	return tea.Quit
}

// Update handles a message. A panic in a screen is shown as an error in
// the status line; the session goes on.
func (m *Model) Update(msg tea.Msg) (_ tea.Model, cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			cmd = m.say(m.current().id, common.StatusMsg{Err: fmt.Errorf("internal error: %v", r)})
		}
	}()
	cmd = m.handle(msg)
	if more := m.resume(); more != nil {
		cmd = tea.Batch(cmd, more)
	}
	m.lend()
	return m, cmd
}

// resume plays the keys that waited for the window to be large enough
// (afterSmall), once it is: enlarged, or the screen shown needing less.
// They are played on the screen shown, where the user is.
func (m *Model) resume() tea.Cmd {
	if len(m.afterSmall) == 0 || m.quitting || !m.fits() {
		return nil
	}
	waited := m.afterSmall
	m.afterSmall = nil
	cmds := make([]tea.Cmd, 0, len(waited))
	for _, r := range waited {
		// a key that opens a screen too large for the window sends
		// the rest back to afterSmall, in order
		cmds = append(cmds, m.replay(m.current().id, r))
	}
	return tea.Batch(cmds...)
}

func (m *Model) handle(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = msg.Width, msg.Height
		m.resize()
		return nil
	case subscribedMsg:
		if msg.gen != m.subGen || m.quitting {
			msg.unsub()
			msg.cancel()
			return nil
		}
		m.unsub, m.subCancel, m.subCtx, m.subCh = msg.unsub, msg.cancel, msg.ctx, msg.ch
		return m.waitAgain()
	case changeMsg:
		if msg.gen != m.subGen || m.subCancel == nil {
			return nil
		}
		return tea.Batch(m.reloadAll(), m.waitAgain())
	case retimeMsg:
		if m.quitting {
			return nil
		}
		for _, s := range m.open() {
			if r, ok := s.page.(common.Retimer); ok {
				r.Retime()
			}
		}
		return m.retime()
	case startMsg:
		if !m.starting || m.quitting {
			return nil
		}
		return m.started(msg.lang)
	case gracedMsg:
		m.graced = true
		return nil
	case fadeMsg:
		if n, ok := m.notes[msg.id]; ok && n.seq == msg.seq {
			m.fade(msg.id)
		}
		return nil
	case partyMsg:
		if msg.gen != m.subGen || m.pick != nil || len(m.stack) > 0 {
			return nil
		}
		m.reqs.Opened(msg.id)
		return m.push(request.New(m.c, msg.id, ""), RequestsTab)
	case routed:
		return m.routed(msg)
	case common.RootMsg:
		return m.root(0, msg)
	case tea.KeyPressMsg:
		msg = lineFeed(msg)
		if m.starting && !key.Matches(msg, m.c.Keys.ForceQuit) {
			m.hold(msg)
			return nil
		}
		return m.key(msg)
	case tea.PasteMsg:
		if m.starting {
			m.hold(common.PasteKey(msg.Content))
			return nil
		}
		return m.paste(msg.Content)
	case tea.MouseMsg:
		if m.starting {
			return nil // a click on what is not there yet
		}
		return m.mouse(msg)
	}
	return nil
}

// lineFeed returns enter for ctrl+j, the key a line feed (LF) reads as,
// and msg for any other key. Enter typed as the app starts, before the
// program has put the terminal in raw mode, is turned into an LF by the
// terminal (its ICRNL), and the app read it as ctrl+j: "2" and enter
// typed at once after starting it opened the Requests tab and lost the
// enter. What reaches the program can't tell such an enter from a ctrl+j
// typed later (the terminal has made both LF, and the program's first
// read comes after raw mode, mixing both), so ctrl+j is enter anywhere,
// as in readline and most shells: nothing in the app binds ctrl+j, and
// no field takes more than one line.
func lineFeed(msg tea.KeyPressMsg) tea.KeyPressMsg {
	if msg.Keystroke() == "ctrl+j" {
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	}
	return msg
}

// hold keeps a key or a paste typed while the session starts, for
// started to play (as many as a page keeps, common.MaxEarlyKeys).
func (m *Model) hold(msg tea.KeyPressMsg) {
	if len(m.held) < common.MaxEarlyKeys {
		m.held = append(m.held, msg)
	}
}

// routed handles what a screen's command brought back: its own messages
// go to it, if it is still open; those for the root model are handled as
// coming from it.
func (m *Model) routed(msg routed) tea.Cmd {
	s, open := m.find(msg.id)
	var cmd tea.Cmd
	switch {
	case msg.pass && open:
		cmd = m.root(msg.id, msg.msg.(common.RootMsg))
	case open:
		cmd = m.update(s, msg.msg)
	default:
		return nil
	}
	if m.waiting[msg.id] {
		// a tab's first answer: its first read came back
		delete(m.waiting, msg.id)
		if len(m.waiting) == 0 {
			cmd = tea.Batch(append([]tea.Cmd{cmd}, m.later...)...)
			m.later = nil
		}
	}
	return cmd
}

// root handles a message for the root model from screen from (0: from
// the root model itself).
func (m *Model) root(from int, msg common.RootMsg) tea.Cmd {
	if from == 0 {
		from = m.current().id
	}
	switch msg := msg.(type) {
	case common.StatusMsg:
		return m.say(from, msg)
	case common.ReadMsg:
		if n, ok := m.notes[from]; ok && n.msg.Read {
			delete(m.notes, from)
		}
	case common.LaterMsg:
		if len(m.waiting) == 0 {
			return msg.Cmd
		}
		m.later = append(m.later, msg.Cmd)
	case common.ChangedMsg:
		return m.reloadAll()
	case common.ReplayMsg:
		return m.replay(from, msg)
	case common.BackMsg:
		if m.pop(from) {
			// keys typed ahead for the screen closed, then why it closed
			cmd := m.replay(m.current().id, common.ReplayMsg{Keys: msg.Abandoned, Failed: true})
			return tea.Batch(cmd, m.say(m.current().id, msg.Status))
		}
		if m.unpark(from) && (msg.Status.Text != "" || msg.Status.Err != nil) {
			// closed on a tab the user left (no key reached it
			// there): what it says (saved, or why it closed) is
			// said where the user is
			return m.say(m.current().id, msg.Status)
		}
	case common.EditContactsMsg:
		return m.push(contacts.New(m.c, msg.Service), ServicesTab)
	case common.OwnerMsg:
		return m.push(owner.New(m.c, msg.Service), ServicesTab)
	case common.HistoryMsg:
		return m.push(history.New(m.c, msg.Service), ServicesTab)
	case common.ReadMailMsg:
		return m.push(mail.New(m.c, msg.ID), MailboxTab)
	case common.OpenRequestMsg:
		return m.openRequest(from, msg)
	case common.ConfirmEmailMsg:
		m.switchTab(ProfileTab)
		return m.prof.ConfirmWith(msg.Token)
	case common.ActAsMsg:
		return m.actAs(msg.Handle, msg.Lang)
	case common.LangMsg:
		return m.relang(msg.Lang)
	}
	return nil
}

// say shows a message in the status line for screen id, until the next
// key, or until it fades; an empty one clears the screen's message.
func (m *Model) say(id int, msg common.StatusMsg) tea.Cmd {
	if msg.Text == "" && msg.Err == nil {
		delete(m.notes, id)
		return nil
	}
	m.noteSeq++
	seq := m.noteSeq
	m.notes[id] = note{msg: msg, seq: seq}
	return after(m.ctx, m.o.StatusFade, fadeMsg{id: id, seq: seq})
}

// fade ends the message of screen id; a read's error stays, faded.
func (m *Model) fade(id int) {
	n, ok := m.notes[id]
	switch {
	case !ok:
	case n.msg.Read:
		n.faded = true
		m.notes[id] = n
	default:
		delete(m.notes, id)
	}
}

// actAs makes the session act as h, in its language lang, with a Common
// of its own for the screens made next: the screens of the account
// before keep theirs, so that their commands still running read the
// account they were made for (and no field of a Common changes under a
// command that reads it). The tab stays; a request that was open opens
// again when h is a party to it.
func (m *Model) actAs(h model.Handle, lang locale.Lang) tea.Cmd {
	again := m.requestOpen()
	c := *m.c
	c.Me = h
	m.c = &c
	if lang == "" {
		lang = m.c.L.Lang()
	}
	m.speak(lang)
	m.build()
	cmds := []tea.Cmd{m.subscribe(), m.reloadAll(), m.say(m.current().id, common.Say(m.c.T("tui.acting_as", locale.Args{"Handle": h})))}
	return tea.Batch(append(cmds, m.reopen(again, h))...)
}

// relang makes the session speak lang, the account's choice: a Common of
// its own (as actAs makes), which every open screen takes in place
// (common.Relanger), so that what the user typed — a form, a prompt, a
// field being edited — stays as it was, cursor and all, and so do the
// tab, the screens opened over it and their cursors; then they read
// again, to write what they show in lang.
func (m *Model) relang(lang locale.Lang) tea.Cmd {
	if m.pick != nil || lang == m.c.L.Lang() || !lang.Known() {
		return nil
	}
	c := *m.c
	m.c = &c
	m.speak(lang)
	m.status.User = common.H(m.c.Me)
	var cmds []tea.Cmd
	for _, s := range m.open() {
		if r, ok := s.page.(common.Relanger); ok {
			cmds = append(cmds, route(s.id, r.Relang(m.c)))
		}
	}
	m.resize()
	cmds = append(cmds, m.reloadAll(), m.say(m.current().id, common.Say(m.c.T("tui.lang_changed", locale.Args{"Name": lang.InSentence()}))))
	return tea.Batch(cmds...)
}

// open lists the account's screens: its tabs, and those opened over
// them, parked ones included.
func (m *Model) open() []slot {
	out := append(m.pages[:len(m.pages):len(m.pages)], m.stack...)
	for t := ServicesTab; t <= ProfileTab; t++ {
		out = append(out, m.parked[t]...)
	}
	return out
}

// requestOpen is the request open on the stack, or 0.
func (m *Model) requestOpen() int64 {
	var id int64
	for _, s := range m.stack {
		if r, ok := s.page.(*request.Page); ok {
			id = r.ID()
		}
	}
	return id
}

// reopen opens request again once the session's new screens are made,
// when h is a party to it.
func (m *Model) reopen(again int64, h model.Handle) tea.Cmd {
	if again == 0 {
		return nil
	}
	gen, d, ctx := m.subGen, m.c.Desk, m.c.Ctx
	return func() tea.Msg {
		if _, err := d.Request(ctx, h, again); err != nil {
			return nil // not a party: the tab is enough
		}
		return partyMsg{gen: gen, id: again}
	}
}

// waitAgain listens for the next change on the current subscription.
func (m *Model) waitAgain() tea.Cmd { return wait(m.subGen, m.subCtx, m.subCh) }

func (m *Model) openRequest(from int, msg common.OpenRequestMsg) tea.Cmd {
	if msg.Replace && !m.pop(from) {
		if m.unpark(from) {
			// the form that asked was parked on a tab the user
			// left while it was sent: the user stays where they
			// went, told what was made, the Requests tab's cursor
			// on it
			m.reqs.Opened(msg.ID)
			return m.say(m.current().id, msg.Status)
		}
		return nil // the form that asked is closed already
	}
	// whatever screen it opens from, the request is the one last
	// opened: the Requests tab's cursor goes to it
	m.reqs.Opened(msg.ID)
	// the same request already open: fill its token in, no second view
	if len(m.stack) > 0 {
		top := m.stack[len(m.stack)-1]
		if r, ok := top.page.(*request.Page); ok && r.ID() == msg.ID {
			r.SetToken(msg.Token)
			return m.say(top.id, msg.Status)
		}
	}
	cmd := m.push(request.New(m.c, msg.ID, msg.Token), RequestsTab)
	return tea.Batch(cmd, m.say(m.current().id, msg.Status))
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	if key.Matches(msg, k.ForceQuit) {
		return m.quit()
	}
	if msg.Text != "" {
		if msg.Text = typable(msg.Text); msg.Text == "" {
			return nil // a direction override alone: nothing to type
		}
		if text.IsBidiControl(msg.Code) {
			msg.Code = []rune(msg.Text)[0]
		}
	}
	if m.small {
		// the notice shows instead of the screen: a key typed blind
		// would act on what the user can't see
		return nil
	}
	if s, ok := m.current().page.(common.Settler); ok && m.pick == nil && s.Settling() {
		return nil // meant for a field that just closed (common.Settling)
	}
	// the screen's message was read: a key ends it
	m.fade(m.current().id)
	if m.showHelp {
		switch {
		case key.Matches(msg, k.Help), key.Matches(msg, k.Back), key.Matches(msg, k.HelpAnywhere):
			m.showHelp = false
			// the keys a screen played meanwhile, typed before
			// the help was opened
			var cmds []tea.Cmd
			for _, r := range m.afterHelp {
				cmds = append(cmds, m.replay(r.from, r.msg))
			}
			m.afterHelp = nil
			return tea.Batch(cmds...)
		case msg.String() == "q":
			return m.quit()
		}
		return nil
	}
	if key.Matches(msg, k.Reload) {
		return tea.Batch(m.say(m.current().id, common.Say(m.c.T("tui.reloaded"))), m.reloadAll())
	}
	if key.Matches(msg, k.HelpAnywhere) {
		m.showHelp = true
		return nil
	}
	cur := m.current()
	if m.holding(cur) {
		if r := m.reading(cur); r != nil && key.Matches(msg, k.Back) {
			// the user no longer waits for the screen (its read may
			// hang for seconds): the keys typed for it are dropped,
			// and esc acts as on the screen with nothing held. q
			// stays in turn: typed ahead, it may be a letter of a
			// field that the keys held open (ctrl+c quits at once)
			r.ForgetEarlyKeys()
		} else {
			// keys typed before it wait behind them: played once the
			// screen is read, each reaches what the one before opened
			return m.update(cur, msg)
		}
	}
	if p, ok := cur.page.(*picker.Page); ok && m.was != nil && key.Matches(msg, k.Back) && !p.Typed() {
		return m.back()
	}
	if m.pick == nil && !cur.page.Capturing() {
		switch {
		case key.Matches(msg, k.Quit):
			return m.quit()
		case key.Matches(msg, k.Help):
			m.showHelp = true
			return nil
		case key.Matches(msg, k.Services):
			m.switchTab(ServicesTab)
			return nil
		case key.Matches(msg, k.Requests):
			m.switchTab(RequestsTab)
			return nil
		case key.Matches(msg, k.Mailbox):
			m.switchTab(MailboxTab)
			return nil
		case key.Matches(msg, k.Profile):
			m.switchTab(ProfileTab)
			return nil
		case key.Matches(msg, k.NextTab):
			m.switchTab(m.active + 1)
			return nil
		case key.Matches(msg, k.PrevTab):
			m.switchTab(m.active - 1)
			return nil
		case m.o.Locked && slices.Contains(k.Switch.Keys(), msg.String()):
			// over SSH the key says who the user is: say so, rather
			// than nothing
			return m.say(cur.id, common.Say(m.c.T("tui.switch_locked")))
		case key.Matches(msg, k.Switch):
			was := m.keep()
			m.stopListening()
			m.subGen++
			// the picker speaks the session's language, not the last
			// account's (see actAs for the Common of its own)
			c := *m.c
			m.c = &c
			m.speak(m.o.Lang)
			m.was = was
			m.openPicker()
			m.pick.page.(*picker.Page).CanGoBack()
			return m.load(*m.pick)
		}
	}
	return m.update(cur, msg)
}

// holding reports whether s keeps keys typed before it was read, or
// while its save was under way (common.Holder): the keys typed after
// them are its too, to be played in the order typed.
func (m *Model) holding(s slot) bool {
	h, ok := s.page.(common.Holder)
	return ok && m.pick == nil && h.Holding()
}

// reading returns s when the keys it holds wait for its first read
// (common.Reading), not for a save: esc then drops them, and the key
// line says that the screen is loading.
func (m *Model) reading(s slot) common.Reading {
	r, ok := s.page.(common.Reading)
	if !ok || !m.holding(s) || !r.ReadHolding() {
		return nil
	}
	return r
}

// replay plays keys a screen kept (common.ReplayMsg) as if typed now,
// when that screen is still the one shown (the account picker's too).
// Keys kept for a read that failed (msg.Failed) are played up to the
// first that is not the app's own where it is played (see
// common.EarlyKeys.Abandon), the move keys skipped. A paste kept
// (common.PasteKey) is pasted, into the field the keys before it opened,
// or nowhere; a click on a tab kept (common.TabClick) shows that tab.
// Keys played while the help is open wait until it closes;
// while the window is too small for the screen, until it is large
// enough (resume).
func (m *Model) replay(from int, msg common.ReplayMsg) tea.Cmd {
	if m.current().id != from {
		return nil
	}
	if m.showHelp && len(msg.Keys) > 0 {
		// typed before the help was opened (f1 opens it while keys
		// wait): played once it closes, not taken by it
		m.afterHelp = append(m.afterHelp, replayed{from, msg})
		return nil
	}
	cmds := make([]tea.Cmd, 0, len(msg.Keys))
	for i, k := range msg.Keys {
		if !m.fits() {
			// the notice that the window is too small shows instead
			// of the screen, where a key does nothing: this one and
			// those after it wait until the window is large enough
			// (resume), as the notice says ("with all you typed")
			m.afterSmall = append(m.afterSmall, common.ReplayMsg{Keys: msg.Keys[i:], Failed: msg.Failed})
			break
		}
		if s, ok := common.Pasted(k); ok {
			// typed where the keys before it led, or dropped when no
			// field has the keys there
			cmds = append(cmds, m.paste(s))
			continue
		}
		if t, ok := common.TabClicked(k); ok {
			// a click on a tab, done after the keys before it: as if
			// done now (the app's own, whatever a read brought)
			cmds = append(cmds, m.clickTab(Tab(t)))
			continue
		}
		if msg.Failed {
			if m.move(k) {
				continue
			}
			if !m.appKey(k) {
				break
			}
		}
		cmds = append(cmds, m.key(k))
	}
	return tea.Batch(cmds...)
}

// move reports whether k is a move key (up, down, a page, home, end).
func (m *Model) move(k tea.KeyPressMsg) bool {
	return key.Matches(k, m.c.Keys.Moves()...)
}

// appKey reports whether k is one of the app's own keys on the screen
// shown, one that means the same whatever a screen's read brought: q, a
// tab's digit, tab, ?, @ (none while a field or the account picker takes
// the keys).
func (m *Model) appKey(k tea.KeyPressMsg) bool {
	ks := m.c.Keys
	if m.pick != nil || !m.showHelp && m.current().page.Capturing() {
		return false
	}
	return key.Matches(k, ks.Quit, ks.Help, ks.Services, ks.Requests, ks.Mailbox, ks.Profile, ks.NextTab, ks.PrevTab, ks.Switch)
}

// paste types what the terminal pasted (a bracketed paste: a token
// copied from a mail, a handle) into the field that has the keys, a
// character at a time, as if typed: the field takes it as it takes
// typing, its limit and its checks included. Its lines are joined with
// spaces, and what surrounds it trimmed, unless it lands between words
// (common.PasteKeeper): then a space it had stays. With no field taking
// the keys it does nothing: its letters would be taken as commands.
// Behind keys a screen holds (common.Holder), it is held too, and pasted
// once they are played. Only its first maxPaste characters are typed:
// each key costs the screen a filter or a check, and a paste of 200,000
// characters, typed whole, kept a core busy for many minutes, the
// session gone or not.
func (m *Model) paste(s string) tea.Cmd {
	cur := m.current()
	if !m.small && !m.showHelp && m.holding(cur) {
		// behind keys held for the screen (common.Holder): held too,
		// pasted where they lead once played (a field they open)
		m.fade(cur.id)
		return m.update(cur, common.PasteKey(s))
	}
	if m.small || m.showHelp || m.pick == nil && !cur.page.Capturing() {
		return nil
	}
	if st, ok := cur.page.(common.Settler); ok && m.pick == nil && st.Settling() {
		return nil
	}
	m.fade(cur.id)
	s, lead, trail := pasted(s)
	if k, ok := cur.page.(common.PasteKeeper); ok && m.pick == nil && s != "" {
		// between words: the paste's own spaces keep it apart from them
		keepLead, keepTrail := k.PasteKeeps()
		if keepLead && lead {
			s = " " + s
		}
		if keepTrail && trail {
			s += " "
		}
	}
	if t, ok := cur.page.(common.PasteTaker); ok && m.pick == nil {
		s = t.TakePaste(s)
	}
	var cmds []tea.Cmd
	for _, r := range s {
		if cur = m.current(); m.pick == nil && !cur.page.Capturing() {
			break // the field gave the keys up
		}
		cmds = append(cmds, m.update(cur, tea.KeyPressMsg{Code: r, Text: string(r)}))
	}
	return tea.Batch(cmds...)
}

// maxPaste is how many characters of a paste are typed: more than any
// field takes (a mail's link, an owner's address, a filter).
const maxPaste = 1024

// pasted is what is typed of a paste: its first maxPaste characters
// that can be typed (see typable), its lines joined with spaces, what
// surrounds it trimmed; lead and trail say whether there was space to
// trim before it and after it (see common.PasteKeeper).
func pasted(s string) (typed string, lead, trail bool) {
	s = typable(s)
	if n := 0; len(s) > maxPaste {
		for i := range s {
			if n++; n > maxPaste {
				s = s[:i]
				break
			}
		}
	}
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
	typed = strings.TrimSpace(s)
	if typed == "" {
		return "", false, false
	}
	return typed, strings.TrimLeftFunc(s, unicode.IsSpace) != s, strings.TrimRightFunc(s, unicode.IsSpace) != s
}

// typable is s without its direction controls (U+202A–U+202E,
// U+2066–U+2069, U+200E, U+200F, U+061C), dropped from every key typed
// and every paste before any field takes them: a text field draws what
// it holds as it is, and one such character, drawn, turns the text
// around it in a terminal that applies them ("zz\u202e33333-ovh"
// showed as "zzhvo-33333"). The model refuses them in what is saved,
// and nobody means to type one; a field's limit counts only what it
// takes.
func typable(s string) string {
	if !strings.ContainsFunc(s, text.IsBidiControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if text.IsBidiControl(r) {
			return -1
		}
		return r
	}, s)
}

// mouse finds the part of the last frame under the pointer, from the
// positions of its layers: a tab opens; on the screen, the part hit gets
// the event, counted from its own corner.
func (m *Model) mouse(msg tea.MouseMsg) tea.Cmd {
	if m.small || m.showHelp || m.frame.page == nil {
		return nil
	}
	ms := msg.Mouse()
	hit := m.layers().Hit(ms.X, ms.Y)
	if hit.Empty() {
		return nil
	}
	if t := tabs.Index(hit.ID()); t >= 0 {
		if click, ok := msg.(tea.MouseClickMsg); ok && click.Button == tea.MouseLeft {
			return m.clickTab(Tab(t))
		}
		return nil
	}
	part := hit.ID()
	if part == bodyID {
		part = ""
	}
	ms.X -= hit.Bounds().Min.X
	ms.Y -= hit.Bounds().Min.Y
	var local tea.MouseMsg
	switch msg.(type) {
	case tea.MouseClickMsg:
		m.fade(m.current().id)
		local = tea.MouseClickMsg(ms)
	case tea.MouseWheelMsg:
		local = tea.MouseWheelMsg(ms)
	default:
		return nil
	}
	return m.update(m.current(), common.MouseMsg{Part: part, Mouse: local})
}

// clickTab is a click on tab t: it shows t, unless the screen shown
// holds keys typed while its save is under way (common.Holder, not
// common.Reading): they are meant for where the save leads, and the
// click, done after them, is held behind them (common.TabClick) and
// played once they are, in the order done. It showed t at once, and the
// keys were lost with the screen left (the form saving, parked while
// its draft was being sent, or closed). A click while a screen's first
// read is under way shows t at once, as esc goes back at once: the
// user no longer waits for it.
func (m *Model) clickTab(t Tab) tea.Cmd {
	if m.pick != nil {
		return nil
	}
	if cur := m.current(); m.holding(cur) && m.reading(cur) == nil {
		return m.update(cur, common.TabClick(int(t)))
	}
	m.switchTab(t)
	return nil
}

// layers places the last frame's parts for a hit test: the tabs, and the
// screen with its own parts above it. They are placed only when the
// mouse needs them: measuring the screen's layers takes time a frame
// drawn for a key press should not spend.
func (m *Model) layers() *lipgloss.Compositor {
	body := lipgloss.NewLayer(m.frame.body).ID(bodyID).Y(m.frame.y[partBody])
	if l, ok := m.frame.page.(common.Layered); ok {
		for _, part := range l.Layers() {
			body.AddLayers(part.Z(1))
		}
	}
	bar := lipgloss.NewLayer("").Y(m.frame.y[partTabs])
	if m.pick == nil {
		bar.AddLayers(m.tabs.Layers()...)
	}
	return lipgloss.NewCompositor(bar, body)
}

// View draws the frame: tabs, the screen, its keys, the status line.
func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	if !m.o.NoMouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "contactdesk"
	if m.c.Me != "" {
		v.WindowTitle = "contactdesk — " + common.H(m.c.Me)
	}
	if m.quitting || m.c.Width <= 0 || m.c.Height <= 0 {
		return v
	}
	v.SetContent(m.render())
	return v
}

// render stacks the frame's parts, each cut to the width; the help box,
// when open, is a layer over the screen and its keys.
func (m *Model) render() string {
	w, h := m.c.Width, m.c.Height
	st := m.c.Styles
	cur := m.current()
	if !m.fits() {
		m.small = true
		return m.smallNotice(m.need())
	}
	if m.starting && !m.graced {
		return m.outline()
	}
	var top string
	if m.pick != nil {
		top = st.Title.Render(common.Cut("contactdesk", w))
	} else {
		m.tabs.Active = int(m.active)
		m.tabs.Tabs[RequestsTab].Count, m.tabs.Tabs[RequestsTab].Note = m.reqs.Awaiting(), "!"
		m.tabs.Tabs[MailboxTab].Count = m.mbox.Unread()
		m.tabs.Trail, m.tabs.Shorter = "", nil
		if len(m.stack) > 0 {
			m.tabs.Trail = cur.page.Title()
			if st, ok := cur.page.(common.ShortTitled); ok {
				m.tabs.Shorter = st.ShortTitles()
			}
		}
		top = m.tabs.View(w)
	}
	body := m.body(cur)

	ls := m.msgLines(cur)
	shown, keep := m.keys(cur)
	keys, status := m.help.Short(shown, keep, w), m.status.View(w, !m.fresh(cur))
	if m.reading(cur) != nil {
		// the keys typed wait for the screen's read: the line says so,
		// and names the keys that act meanwhile (esc goes back from a
		// screen opened over a tab; q waits its turn)
		bs := []key.Binding{m.c.Keys.ForceQuit}
		if len(m.stack) > 0 {
			bs = append([]key.Binding{m.c.Keys.Back}, bs...)
		}
		lead := st.Subtle.Render(m.c.T("tui.loading") + " · ")
		keys = lead + m.help.Short(bs, bs[0], max(w-common.Width(lead), 0))
	}
	if len(ls) > 0 {
		// a long message takes the line of the keys while it is fresh,
		// and the rows the screen lent it above (lend); the status
		// line keeps naming the account
		keys = strings.Join(ls[:min(len(ls), m.msgRows+1)], "\n")
	}
	texts := [parts]string{partTabs: top, partRule: m.rule.Render(strings.Repeat("─", w)), partBody: body, partKeys: keys, partStatus: status}
	m.frame.body, m.frame.page = body, cur.page
	var b strings.Builder
	y := 0
	for i, text := range texts {
		if i > 0 {
			b.WriteByte('\n')
		}
		m.frame.y[i] = y
		y += strings.Count(text, "\n") + 1
		b.WriteString(text)
	}
	frame := b.String()
	if m.showHelp {
		top, bottom := m.frame.y[partBody], h-m.frame.y[partStatus]
		box := m.help.Box(m.helpGroups(cur), w, h-top-bottom)
		frame = help.Over(frame, box, top, bottom)
	}
	return frame
}

// outline is the frame of a session starting, before startGrace has
// passed: the app's name and the account's handle, in no language yet,
// the rest blank (a frame replaced at once, when the desk answers).
func (m *Model) outline() string {
	w, h := m.c.Width, m.c.Height
	ls := make([]string, h)
	ls[0] = m.c.Styles.Title.Render(common.Cut("contactdesk", w))
	ls[1] = m.rule.Render(strings.Repeat("─", w))
	ls[h-1] = m.c.Styles.StatusUser.Render(common.Cut(common.H(m.c.Me), w))
	m.frame.page = nil // nothing under the pointer
	return strings.Join(ls, "\n")
}

// smallNotice says the window is too small for the screen, and how
// large it must be: in the middle of the window, each line wrapped to
// its width. A window too small for all of it shows the sizes first,
// then why, then that nothing is lost, then how to quit.
func (m *Model) smallNotice(nw, nh int) string {
	w, h := m.c.Width, m.c.Height
	st := m.c.Styles
	size := func(w, h int) string { return fmt.Sprintf("%d×%d", w, h) }
	// the notice's parts, in the order they are drawn, each with its
	// rank: the lower, the sooner it is kept
	parts := []struct {
		text string
		st   common.Renderer
		rank int
	}{
		{m.c.T("tui.small.title"), st.Title, 1},
		{m.c.T("tui.small.size", locale.Args{"Need": size(max(nw, w), max(nh, h)), "Have": size(w, h)}), st.Value, 0},
		// the one key that works, before the word that all is kept
		{m.c.T("tui.small.kept"), st.Subtle, 3},
		{m.c.T("tui.small.quit"), st.Subtle, 2},
	}
	lines := make([][]string, len(parts))
	for i, p := range parts {
		for _, l := range strings.Split(common.WrapMax(p.text, 0, w, 0, styles.Paint{}), "\n") {
			l = common.Cut(l, w)
			lines[i] = append(lines[i], common.Pad(max(0, (w-common.Width(l))/2))+p.st.Render(l))
		}
	}
	// the parts kept, by rank, while they fit with a blank line between
	keep := make([]bool, len(parts))
	used := -1
	for rank := range parts {
		for i, p := range parts {
			if p.rank == rank && used+1+len(lines[i]) <= h {
				keep[i], used = true, used+1+len(lines[i])
			}
		}
	}
	var ls []string
	for i := range parts {
		if !keep[i] {
			continue
		}
		if len(ls) > 0 {
			ls = append(ls, "") // counted in used
		}
		ls = append(ls, lines[i]...)
	}
	if len(ls) == 0 {
		ls = lines[1] // the sizes, as far as they go
	}
	ls = ls[:min(len(ls), h)]
	out := make([]string, h)
	copy(out[(h-len(ls))/2:], ls)
	m.frame.page = nil // nothing of a screen under the pointer
	return strings.Join(out, "\n")
}

// fresh reports whether screen cur's message is fresh: shown whole,
// not yet read.
func (m *Model) fresh(cur slot) bool {
	n, ok := m.notes[cur.id]
	return ok && !n.faded
}

// setStatus sets the status line for screen cur: the account in use, its
// unread mail, and cur's message.
func (m *Model) setStatus(cur slot) {
	if m.pick == nil {
		if acc, ok := m.prof.Account(); ok {
			m.status.User = common.H(acc.Handle) + " " + common.Line(acc.Name)
		}
		m.status.Unread = m.mbox.Unread()
		if m.mbox.Unknown() {
			m.status.Unread = -1 // not counted yet: not "no unread mail"
		}
	}
	n := m.notes[cur.id]
	m.status.Set(n.msg.Text, n.msg.Err)
}

// msgLines are the lines of screen cur's message while it is fresh and
// does not fit beside the account on the status line: they are drawn
// from the line of the keys up (nil: it fits, or there is none). A
// message longer than a third of the screen (the bytes of a value of a
// megabyte that it quotes) is cut, with "…".
func (m *Model) msgLines(cur slot) []string {
	m.setStatus(cur)
	w := m.c.Width
	if !m.fresh(cur) || m.status.Fits(w) {
		return nil
	}
	return m.status.MsgLines(w, max(2, (m.c.Height-chrome)/3))
}

// lend takes from the screen the rows the status line's message needs
// above the line of the keys, and gives them back once it has faded; the
// screen is laid out again each time (a list keeps its cursor in view),
// so that the message neither hides the line naming the account nor
// leaves part of itself out.
func (m *Model) lend() {
	rows := 0
	if cur := m.current(); !m.quitting && m.c.Width > 0 && m.c.Height > 0 && m.fresh(cur) {
		rows = max(0, len(m.msgLines(cur))-1)
	}
	if rows != m.msgRows {
		m.msgRows = rows
		m.resize()
	}
}

// body is the screen, exactly as many lines as it has room for; a line
// of it wider than the terminal is cut, so that none can wrap.
func (m *Model) body(cur slot) string {
	w, bh := m.c.Width, m.bodyHeight()
	lines := strings.SplitN(cur.page.View(), "\n", bh+1)
	if len(lines) > bh {
		lines = lines[:bh]
	}
	for i, l := range lines {
		if len(l) > w && common.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < bh {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// keys are the screen's main keys and the app's, for the short line,
// and the key of the help, which the line keeps when it cuts the others:
// ? on a screen of keys, f1 where a field takes the letters (its longer
// words, "even from a field", only when the whole line fits).
func (m *Model) keys(cur slot) ([]key.Binding, key.Binding) {
	k := m.c.Keys
	bs := cur.page.ShortHelp()
	if m.pick == nil && !cur.page.Capturing() {
		return append(bs, k.Help, k.Quit), k.Help
	}
	return append(bs, k.HelpAnywhere, k.ForceQuit), key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", k.Help.Help().Desc))
}

// helpGroups are every key that works on the current screen, from the
// screen's key map and the app's.
func (m *Model) helpGroups(cur slot) []help.Group {
	k := m.c.Keys
	var own []key.Binding
	for _, col := range cur.page.FullHelp() {
		own = append(own, col...)
	}
	gs := []help.Group{{Title: cur.page.Title(), Keys: own}}
	// while a field has the keys, the keys that are letters there (?,
	// q, @, the tabs' digits) type instead: only those that work are listed
	field := m.pick != nil || cur.page.Capturing()
	if !field {
		gs = append(gs, help.Group{Title: m.c.T("tui.help.move"), Keys: k.Moves()})
		gs = append(gs, help.Group{Title: m.c.T("tui.help.tabs"), Keys: append(k.Tabs(), k.NextTab, k.PrevTab)})
		return append(gs, help.Group{Title: m.c.T("tui.help.app"), Keys: []key.Binding{k.Reload, k.Help, k.HelpAnywhere, k.Back, k.Quit, k.ForceQuit, k.Switch}})
	}
	app := []key.Binding{k.Reload, k.HelpAnywhere}
	if m.pick == nil && !slices.ContainsFunc(own, func(b key.Binding) bool { return slices.Contains(b.Keys(), "esc") }) {
		// esc goes back unless the screen's own esc (cancel editing;
		// the picker's) comes first: the help names it once
		app = append(app, k.Back)
	}
	app = append(app, k.ForceQuit)
	return append(gs, help.Group{Title: m.c.T("tui.help.app"), Keys: app})
}
