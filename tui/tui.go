// Package tui is contactdesk's terminal app: tabs for Services, Requests,
// Mailbox and Profile, sub-views opened from them (Edit contacts, owner
// details, history, a request, a mail), a status line and a help overlay
// generated from each screen's keys.
//
// The root model here owns the layout and routes messages; each screen
// lives in its own package under pages/ and never reaches into another:
// it asks for another screen with a message from package common. Every
// call to the desk runs in a tea.Cmd, and the session listens to the
// desk's broker for changes, so one root model per SSH session is safe.
package tui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"contactdesk/model"
	"contactdesk/tui/common"
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
}

// rows the frame takes besides the body: tabs, rule, help, status.
const chrome = 4

// slot is a screen with the id that routes its messages back to it.
type slot struct {
	id     int
	page   common.Page
	tab    Tab // the tab it belongs to
	origin Tab // the tab that was active when it opened
}

// Model is the root model of one session.
type Model struct {
	c      *common.Common
	o      Options
	ctx    context.Context
	cancel context.CancelFunc

	tabs   *tabs.Model
	status *statusbar.Model

	svc   *services.Page
	reqs  *requests.Page
	mbox  *mailbox.Page
	prof  *profile.Page
	pages [4]slot
	stack []slot
	pick  *slot

	active Tab
	help   bool
	nextID int
	paint  struct{ key, desc, subtle, rule styles.Paint }

	// waiting holds the ids of the tabs whose first read has not
	// answered yet; until none is left, the commands of common.Later
	// wait in later.
	waiting map[int]bool
	later   []tea.Cmd
	// readErr is the screen whose read failed with the error the status
	// line shows (0: the status line shows something else).
	readErr int

	subGen    int
	subCancel context.CancelFunc
	subCtx    context.Context
	subCh     <-chan model.Change
	unsub     func()
	quitting  bool
}

// New returns the root model of one session acting as me ("" = start on
// the account picker).
func New(d *model.Desk, me model.Handle, o Options) tea.Model {
	parent := o.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	st := styles.Default()
	c := &common.Common{Ctx: ctx, Desk: d, Me: me, Clock: o.Clock, Styles: st, Keys: keymap.Default()}
	if c.Clock == nil {
		c.Clock = d
	}
	if o.Locked {
		c.Keys.Switch.SetEnabled(false)
	}
	m := &Model{c: c, o: o, ctx: ctx, cancel: cancel, status: statusbar.New(st),
		tabs: tabs.New(st, "Services", "Requests", "Mailbox", "Profile")}
	m.paint.key, m.paint.desc = styles.PaintOf(st.HelpKey), styles.PaintOf(st.HelpDesc)
	m.paint.subtle, m.paint.rule = styles.PaintOf(st.Subtle), styles.PaintOf(st.Rule)
	if o.Tab >= ServicesTab && o.Tab <= ProfileTab {
		m.active = o.Tab
	}
	if me == "" {
		m.openPicker()
	} else {
		m.build()
	}
	return m
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
	m.stack = nil
	m.pick = nil
	m.status.User = common.H(m.c.Me)
	m.resize()
}

func (m *Model) openPicker() {
	m.status.User, m.status.Unread = "no account chosen yet", -1
	m.waiting, m.later = nil, nil
	s := m.slot(picker.New(m.c), ServicesTab)
	m.pick = &s
	m.resize()
}

// Init starts the session: it reads every screen and listens for changes.
func (m *Model) Init() tea.Cmd {
	if m.pick != nil {
		return m.load(*m.pick)
	}
	return tea.Batch(m.subscribe(), m.reloadAll())
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
	// with pass, a message of package common for the root model, from
	// that screen.
	routed struct {
		id   int
		msg  tea.Msg
		pass bool
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

// update passes a message to a screen, its answer routed back to it.
func (m *Model) update(s slot, msg tea.Msg) tea.Cmd { return route(s.id, s.page.Update(msg)) }

// route tags what a screen's command returns with the screen's id, so
// that only that screen receives it; the messages of package common are
// for the root model, which learns from the id which screen answered.
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
		case common.BackMsg, common.ChangedMsg, common.StatusMsg, common.ReadMsg, common.EditContactsMsg, common.OwnerMsg,
			common.HistoryMsg, common.OpenRequestMsg, common.ReadMailMsg, common.ActAsMsg:
			return routed{id: id, msg: msg, pass: true}
		case common.LaterMsg:
			return common.LaterMsg{Cmd: route(id, msg.Cmd)}
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
	for _, s := range m.pages {
		cmds = append(cmds, m.load(s))
	}
	for _, s := range m.stack {
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
	for _, s := range m.pages {
		if s.id == id {
			return s, true
		}
	}
	for _, s := range m.stack {
		if s.id == id {
			return s, true
		}
	}
	return slot{}, false
}

func (m *Model) bodyHeight() int { return max(1, m.c.Height-chrome) }

func (m *Model) resize() {
	w, h := m.c.Width, m.bodyHeight()
	if m.pick != nil {
		m.pick.page.SetSize(w, h)
	}
	for _, s := range m.pages {
		if s.page != nil {
			s.page.SetSize(w, h)
		}
	}
	for _, s := range m.stack {
		s.page.SetSize(w, h)
	}
}

// push opens a sub-view on tab.
func (m *Model) push(p common.Page, tab Tab) tea.Cmd {
	s := m.slot(p, tab)
	p.SetSize(m.c.Width, m.bodyHeight())
	m.stack = append(m.stack, s)
	m.active = tab
	m.help = false
	return m.load(s)
}

func (m *Model) pop() {
	if len(m.stack) == 0 {
		return
	}
	top := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	m.active = top.origin
}

func (m *Model) switchTab(t Tab) {
	m.stack = nil
	m.active = (t + 4) % 4
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
			m.setStatus(common.StatusMsg{Err: fmt.Errorf("internal error: %v", r)})
			cmd = nil
		}
	}()
	return m, m.handle(msg)
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
	case routed:
		var cmd tea.Cmd
		switch inner := msg.msg.(type) {
		case common.StatusMsg:
			m.setStatus(inner)
			if inner.Read && inner.Err != nil {
				m.readErr = msg.id
			}
		case common.ReadMsg:
			if m.readErr == msg.id {
				m.setStatus(common.StatusMsg{})
			}
		default:
			if msg.pass {
				cmd = m.handle(msg.msg)
			} else if s, ok := m.find(msg.id); ok {
				cmd = m.update(s, msg.msg)
			} else {
				return nil
			}
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
	case common.LaterMsg:
		if len(m.waiting) == 0 {
			return msg.Cmd
		}
		m.later = append(m.later, msg.Cmd)
		return nil
	case common.StatusMsg:
		m.setStatus(msg)
		return nil
	case common.ChangedMsg:
		return m.reloadAll()
	case common.BackMsg:
		m.pop()
		return nil
	case common.EditContactsMsg:
		return m.push(contacts.New(m.c, msg.Service), ServicesTab)
	case common.OwnerMsg:
		return m.push(owner.New(m.c, msg.Service), ServicesTab)
	case common.HistoryMsg:
		return m.push(history.New(m.c, msg.Service), ServicesTab)
	case common.ReadMailMsg:
		return m.push(mail.New(m.c, msg.ID), MailboxTab)
	case common.OpenRequestMsg:
		return m.openRequest(msg)
	case common.ActAsMsg:
		m.actAs(msg.Handle)
		m.build()
		m.setStatus(common.StatusMsg{Text: fmt.Sprintf("acting as %s", msg.Handle)})
		return tea.Batch(m.subscribe(), m.reloadAll())
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseMsg:
		return m.mouse(msg)
	}
	return nil
}

// setStatus shows a message in the status line; it is no longer the
// error of a screen's read.
func (m *Model) setStatus(msg common.StatusMsg) {
	m.status.Set(msg.Text, msg.Err)
	m.readErr = 0
}

// actAs makes the session act as h, with a Common of its own for the
// screens made next: the screens of the account before keep theirs, so
// that their commands still running read the account they were made for
// (and no field of a Common changes under a command that reads it).
func (m *Model) actAs(h model.Handle) {
	c := *m.c
	c.Me = h
	m.c = &c
}

// waitAgain listens for the next change on the current subscription.
func (m *Model) waitAgain() tea.Cmd { return wait(m.subGen, m.subCtx, m.subCh) }

func (m *Model) openRequest(msg common.OpenRequestMsg) tea.Cmd {
	// the same request already open: fill its token in, no second view
	if len(m.stack) > 0 {
		if r, ok := m.stack[len(m.stack)-1].page.(*request.Page); ok && r.ID() == msg.ID {
			r.SetToken(msg.Token)
			return nil
		}
	}
	return m.push(request.New(m.c, msg.ID, msg.Token), RequestsTab)
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	if key.Matches(msg, k.ForceQuit) {
		return m.quit()
	}
	if m.help {
		switch {
		case key.Matches(msg, k.Help), key.Matches(msg, k.Back), key.Matches(msg, k.HelpAnywhere):
			m.help = false
		case msg.String() == "q":
			return m.quit()
		}
		return nil
	}
	if key.Matches(msg, k.Reload) {
		m.setStatus(common.StatusMsg{Text: "reloaded"})
		return m.reloadAll()
	}
	if key.Matches(msg, k.HelpAnywhere) && m.pick == nil {
		m.help = true
		return nil
	}
	cur := m.current()
	if m.pick == nil && !cur.page.Capturing() {
		switch {
		case key.Matches(msg, k.Quit):
			return m.quit()
		case key.Matches(msg, k.Help):
			m.help = true
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
		case key.Matches(msg, k.Switch):
			m.stopListening()
			m.subGen++
			m.actAs("")
			m.openPicker()
			return m.load(*m.pick)
		}
	}
	return m.update(cur, msg)
}

// mouse selects a tab on the bar, and passes the rest to the screen
// with its line counted from the body's top.
func (m *Model) mouse(msg tea.MouseMsg) tea.Cmd {
	ms := msg.Mouse()
	if m.help {
		return nil
	}
	if ms.Y == 0 && m.pick == nil {
		if click, ok := msg.(tea.MouseClickMsg); ok && click.Button == tea.MouseLeft {
			if t := m.tabs.At(ms.X); t >= 0 {
				m.switchTab(Tab(t))
			}
		}
		return nil
	}
	top := 2
	ms.Y -= top
	var local tea.Msg
	switch msg.(type) {
	case tea.MouseClickMsg:
		local = tea.MouseClickMsg(ms)
	case tea.MouseWheelMsg:
		local = tea.MouseWheelMsg(ms)
	default:
		return nil
	}
	return m.update(m.current(), local)
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

func (m *Model) render() string {
	w, h := m.c.Width, m.c.Height
	st := m.c.Styles
	cur := m.current()
	var top string
	if m.pick != nil {
		top = st.Title.Render(common.Cut("contactdesk", w))
	} else {
		if acc, ok := m.prof.Account(); ok {
			m.status.User = common.H(acc.Handle) + " " + common.Line(acc.Name)
		}
		m.status.Unread = m.mbox.Unread()
		m.tabs.Active = int(m.active)
		m.tabs.Tabs[RequestsTab].Count, m.tabs.Tabs[RequestsTab].Note = m.reqs.Awaiting(), "!"
		m.tabs.Tabs[MailboxTab].Count = m.mbox.Unread()
		m.tabs.Trail = ""
		if len(m.stack) > 0 {
			m.tabs.Trail = cur.page.Title()
		}
		top = m.tabs.View(w)
	}
	body := cur.page.View()
	lines := make([]string, 0, h)
	lines = append(lines, top, m.paint.rule.Render(strings.Repeat("─", w)))
	bh := m.bodyHeight()
	bl := strings.Split(body, "\n")
	for i := 0; i < bh; i++ {
		if i < len(bl) {
			lines = append(lines, bl[i])
		} else {
			lines = append(lines, "")
		}
	}
	if m.status.Fits(w) {
		lines = append(lines, m.shortHelp(cur))
	} else {
		lines = append(lines, m.status.MsgLine(w))
	}
	if m.help {
		// over the body and the keys line; the status line stays
		lines = overlay(lines, m.helpBox(cur), w)
	}
	lines = append(lines, m.status.View(w))
	// the chrome is cut to the width as it is drawn; a screen's lines
	// are checked, so that none can wrap
	for i, l := range lines[2 : 2+bh] {
		if len(l) > w && common.Width(l) > w {
			i += 2
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(lines[:min(len(lines), h)], "\n")
}

// shortHelp is the line of the screen's main keys, cut to the width.
func (m *Model) shortHelp(cur slot) string {
	k := m.c.Keys
	bs := cur.page.ShortHelp()
	if m.pick == nil && !cur.page.Capturing() {
		bs = append(bs, k.Help, k.Quit)
	} else {
		bs = append(bs, k.HelpAnywhere, k.ForceQuit)
	}
	var b strings.Builder
	used := 0
	for _, bind := range bs {
		if !bind.Enabled() {
			continue
		}
		h := bind.Help()
		sep := 0
		if used > 0 {
			sep = 3
		}
		w := common.Width(h.Key) + 1 + common.Width(h.Desc)
		if used+sep+w > m.c.Width {
			if room := m.c.Width - used - sep; room > 0 && used > 0 {
				b.WriteString(m.paint.subtle.Render(" · "))
				b.WriteString(m.paint.key.Render(common.Cut(h.Key+" "+h.Desc, room)))
			}
			break
		}
		if sep > 0 {
			b.WriteString(m.paint.subtle.Render(" · "))
		}
		b.WriteString(m.paint.key.Render(h.Key) + " " + m.paint.desc.Render(h.Desc))
		used += sep + w
	}
	return b.String()
}

// helpBox draws every key that works on the current screen, from the
// screen's key map and the app's.
func (m *Model) helpBox(cur slot) string {
	k := m.c.Keys
	type group struct {
		title string
		keys  []key.Binding
	}
	var gs []group
	var own []key.Binding
	for _, col := range cur.page.FullHelp() {
		own = append(own, col...)
	}
	gs = append(gs, group{cur.page.Title(), own})
	if !cur.page.Capturing() {
		gs = append(gs, group{"Move", k.Moves()})
		gs = append(gs, group{"Tabs", append(k.Tabs(), k.NextTab, k.PrevTab)})
	}
	app := []key.Binding{k.Reload, k.Help, k.HelpAnywhere, k.Back}
	if !cur.page.Capturing() {
		app = append(app, k.Quit)
	}
	app = append(app, k.ForceQuit, k.Switch)
	gs = append(gs, group{"App", app})

	st := m.c.Styles
	keyW := 0
	for _, g := range gs {
		for _, b := range g.keys {
			keyW = max(keyW, common.Width(b.Help().Key))
		}
	}
	var cols []string
	for _, g := range gs {
		ls := []string{st.HelpTitle.Render(g.title)}
		for _, b := range g.keys {
			if !b.Enabled() {
				continue
			}
			ls = append(ls, st.HelpKey.Render(common.Fit(b.Help().Key, keyW))+"  "+st.HelpDesc.Render(b.Help().Desc))
		}
		cols = append(cols, strings.Join(ls, "\n"))
	}
	// two columns of groups side by side when the terminal is wide enough
	colW := 0
	for _, c := range cols {
		for _, l := range strings.Split(c, "\n") {
			colW = max(colW, common.Width(l))
		}
	}
	var out []string
	perRow := 1
	if (colW+3)*2+4 <= m.c.Width {
		perRow = 2
	}
	for i := 0; i < len(cols); i += perRow {
		row := cols[i:min(len(cols), i+perRow)]
		split := make([][]string, len(row))
		n := 0
		for j, c := range row {
			split[j] = strings.Split(c, "\n")
			n = max(n, len(split[j]))
		}
		for l := 0; l < n; l++ {
			var b strings.Builder
			for j := range row {
				cell := ""
				if l < len(split[j]) {
					cell = split[j][l]
				}
				if j > 0 {
					b.WriteString("   ")
				}
				b.WriteString(cell + common.Pad(colW-common.Width(cell)))
			}
			out = append(out, b.String())
		}
		if i+perRow < len(cols) {
			out = append(out, "")
		}
	}
	out = append(out, st.Subtle.Render("?, f1 or esc closes this help"))
	return st.HelpBox.Render(strings.Join(out, "\n"))
}

// overlay draws box centred over lines, below the tabs; a box taller
// than the room loses its last lines.
func overlay(lines []string, box string, width int) []string {
	bl := strings.Split(box, "\n")
	if room := len(lines) - 2; len(bl) > room {
		bl = bl[:max(0, room)]
	}
	bw := 0
	for _, l := range bl {
		bw = max(bw, common.Width(l))
	}
	x := max(0, (width-bw)/2)
	y := 2 + max(0, (len(lines)-2-len(bl))/2)
	for i, l := range bl {
		row := y + i
		if row >= len(lines) {
			break
		}
		base := lines[row]
		left := ansi.Truncate(base, x, "")
		left += common.Pad(x - common.Width(left))
		right := ansi.TruncateLeft(base, x+bw, "")
		lines[row] = left + l + common.Pad(bw-common.Width(l)) + right
	}
	return lines
}
