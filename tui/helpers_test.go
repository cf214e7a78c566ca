package tui_test

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/storage"
	"contactdesk/tui"
)

// now is the fixed time of every test: dates on screen never move.
var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// newDesk returns the demo desk in a fresh database, at the fixed time.
func newDesk(t testing.TB) *model.Desk { return newDeskIn(t, model.LangEN) }

// newDeskIn is newDesk with a persona speaking lang from the start: its
// screens and its mails in that language.
func newDeskIn(t testing.TB, lang model.Lang) *model.Desk {
	t.Helper()
	d := emptyDesk(t)
	if _, err := demo.Load(context.Background(), d, demo.Options{PersonaLang: lang}); err != nil {
		t.Fatal(err)
	}
	return d
}

// emptyDesk returns a desk with nothing in it, at the fixed time.
func emptyDesk(t testing.TB) *model.Desk {
	t.Helper()
	st, err := storage.Open(filepath.Join(t.TempDir(), "desk.db"), storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return model.NewDesk(st, model.Options{Clock: fixedClock(now)})
}

// probe wraps the app and keeps what it drew last, so a test reads the
// screen as the user sees it instead of the terminal's byte stream.
type probe struct {
	m     tea.Model
	mu    *sync.Mutex
	last  *string
	title *string
}

func (p probe) Init() tea.Cmd { return p.m.Init() }

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := p.m.Update(msg)
	p.m = m
	return p, cmd
}

func (p probe) View() tea.View {
	v := p.m.View()
	p.mu.Lock()
	*p.last, *p.title = v.Content, v.WindowTitle
	p.mu.Unlock()
	return v
}

// app is one running program, as a user at a terminal of a fixed size,
// with an ASCII colour profile and a fixed environment.
type app struct {
	t    testing.TB
	l    *locale.Localizer // the language the test expects of the screens
	tm   *teatest.TestModel
	mu   sync.Mutex
	last string
	win  string // the window title
	keys int    // the keys pressed, each letter typed counted
}

func start(t testing.TB, d *model.Desk, me model.Handle, w, h int, o ...tui.Options) *app {
	t.Helper()
	var opt tui.Options
	if len(o) > 0 {
		opt = o[0]
	}
	if opt.Clock == nil {
		opt.Clock = fixedClock(now)
	}
	lang := opt.Lang
	if me != "" {
		if acc, err := d.Account(context.Background(), me); err == nil {
			lang = acc.Lang
		}
	}
	return startIn(t, d, me, lang, w, h, opt)
}

// startIn is start with the screens expected in lang, which it does not
// read from the desk (a desk that does not answer).
func startIn(t testing.TB, d *model.Desk, me model.Handle, lang locale.Lang, w, h int, opt tui.Options) *app {
	t.Helper()
	if opt.Clock == nil {
		opt.Clock = fixedClock(now)
	}
	a := &app{t: t, l: locale.For(lang)}
	p := probe{m: tui.New(d, me, opt), mu: &a.mu, last: &a.last, title: &a.win}
	a.tm = teatest.NewTestModel(t, p,
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(
			tea.WithColorProfile(colorprofile.Ascii),
			tea.WithEnvironment([]string{"TERM=xterm-256color", "LANG=C.UTF-8"}),
		))
	t.Cleanup(func() { a.quit() })
	return a
}

// raw is the last frame as drawn, escape sequences included.
func (a *app) raw() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}

// title is the window title the last frame asked for.
func (a *app) title() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.win
}

// screen is the last frame as text.
func (a *app) screen() string { return ansi.Strip(a.raw()) }

// waitFor waits until the screen satisfies ok. The limit only keeps a
// broken test from hanging; nothing is measured.
func (a *app) waitFor(what string, ok func(string) bool) string {
	a.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := a.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("waiting for %s; the screen is:\n%s", what, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitText waits until every text is on screen.
func (a *app) waitText(texts ...string) string {
	a.t.Helper()
	return a.waitFor(strings.Join(texts, " and "), func(s string) bool {
		for _, x := range texts {
			if !strings.Contains(s, x) {
				return false
			}
		}
		return true
	})
}

// waitGone waits until text is no longer on screen.
func (a *app) waitGone(text string) string {
	a.t.Helper()
	return a.waitFor("no "+text, func(s string) bool { return !strings.Contains(s, text) })
}

func (a *app) typ(s string) {
	a.keys += len([]rune(s))
	a.tm.Type(s)
}

func (a *app) press(keys ...string) {
	a.keys += len(keys)
	for _, k := range keys {
		a.tm.Send(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+s":
		return tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	case "ctrl+r":
		return tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case "ctrl+a":
		return tea.KeyPressMsg{Code: 'a', Mod: tea.ModCtrl}
	case "f1":
		return tea.KeyPressMsg{Code: tea.KeyF1}
	}
	r := []rune(k)
	if len(r) != 1 {
		panic("no key " + k)
	}
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// quit presses q and waits for the program to end.
func (a *app) quit() {
	a.tm.Send(keyMsg("ctrl+c"))
	a.tm.WaitFinished(a.t, teatest.WithFinalTimeout(10*time.Second))
}

// the frame every screen is drawn in, loaded: the status line names the
// persona, the tabs count its mail and the requests awaiting it.
func loaded(s string) bool {
	return strings.Contains(s, "Xavier Xará") && strings.Contains(s, "Mailbox (") && strings.Contains(s, "Requests (")
}

// loaded is loaded in the app's language.
func (a *app) loaded(s string) bool {
	return strings.Contains(s, "Xavier Xará") && strings.Contains(s, a.T("tui.tab.mailbox")+" (") && strings.Contains(s, a.T("tui.tab.requests")+" (")
}

// T is message id in the language the test expects of the screens.
func (a *app) T(id string, args ...locale.Args) string { return a.l.T(id, args...) }

var tokenRE = regexp.MustCompile(`[0-9A-Z]{4}(-[0-9A-Z]{4}){6}`)

// hideTokens replaces tokens, random by design, with a fixed text of the
// same width, so a golden screen can show a mail.
func hideTokens(s string) string {
	return tokenRE.ReplaceAllString(s, "TOKN-TOKN-TOKN-TOKN-TOKN-TOKN-TOKN")
}

// lineOf returns the first line of the screen holding text.
func lineOf(s, text string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

// editShop opens the Edit contacts form of xara-shop.com, from the
// Services tab, by a filter.
func (a *app) editShop() { a.t.Helper(); a.edit("shop", "xara-shop.com") }

// filterTo filters the Services tab down to the demo's one service that
// filter finds, and waits for the list to show it alone.
func (a *app) filterTo(filter string) {
	a.t.Helper()
	a.typ("/" + filter)
	a.press("enter")
	a.waitText(a.T("tui.services.info", locale.Args{"Shown": 1, "Total": 12, "Role": a.T("tui.services.role_all"), "Sort": a.T("tui.services.sort.name")}))
}

// edit opens the Edit contacts form of the demo's one service that
// filter finds, named name, from the Services tab.
func (a *app) edit(filter, name string) {
	a.t.Helper()
	a.filterTo(filter)
	a.press("enter")
	a.waitText(a.T("tui.contacts.title"), name, a.T("tui.contacts.col.current"))
}

// openRequest8 opens request #8, the one waiting for the persona, from
// the Requests tab.
func (a *app) openRequest8() {
	a.t.Helper()
	a.press("2")
	a.waitText(a.T("tui.requests.title"), "#8")
	a.press("enter")
	a.waitText(a.T("tui.request.title", locale.Args{"ID": 8}), a.T("tui.request.parties"))
}

// heldDesk is base's desk over a database slow to answer: the reads
// named in holds ("Account", "ServicesOf", "FirstServicesOf", "RequestsOf", "Awaiting", "Request", "Service", "Mail", "PendingEmailChange") wait, once
// hold is armed (armed from the start unless later), until release. The
// test's end releases them.
type heldDesk struct {
	*model.Desk
	armed   *atomic.Bool
	gate    chan struct{}
	release func()
}

func newHeldDesk(t testing.TB, base *model.Desk, armed bool, holds ...string) *heldDesk {
	h := &heldDesk{armed: new(atomic.Bool), gate: make(chan struct{})}
	h.armed.Store(armed)
	var once sync.Once
	h.release = func() { once.Do(func() { close(h.gate) }) }
	t.Cleanup(h.release)
	h.Desk = model.NewDesk(heldStore{base.Store(), h, holds}, model.Options{Clock: fixedClock(now), Broker: base.Broker()})
	return h
}

// arm makes the reads named wait from now on.
func (h *heldDesk) arm() { h.armed.Store(true) }

type heldStore struct {
	model.Store
	h     *heldDesk
	holds []string
}

func (s heldStore) View(ctx context.Context, fn func(model.Tx) error) error {
	return s.Store.View(ctx, func(tx model.Tx) error { return fn(heldTx{tx, s}) })
}

// Update holds the writes' reads too, when "writes" is named (a change
// of address asked for reads PendingEmailChange, an answer Request).
func (s heldStore) Update(ctx context.Context, fn func(model.Tx) error) error {
	if !slices.Contains(s.holds, "writes") {
		return s.Store.Update(ctx, fn)
	}
	return s.Store.Update(ctx, func(tx model.Tx) error { return fn(heldTx{tx, s}) })
}

type heldTx struct {
	model.Tx
	s heldStore
}

func (tx heldTx) wait(read string) {
	if tx.s.h.armed.Load() && slices.Contains(tx.s.holds, read) {
		<-tx.s.h.gate
	}
}

func (tx heldTx) ServicesOf(h model.Handle, now time.Time) ([]model.ServiceView, error) {
	tx.wait("ServicesOf")
	return tx.Tx.ServicesOf(h, now)
}

func (tx heldTx) FirstServicesOf(h model.Handle, now time.Time, limit int) ([]model.ServiceView, error) {
	tx.wait("FirstServicesOf")
	return tx.Tx.FirstServicesOf(h, now, limit)
}

func (tx heldTx) MailListOf(h model.Handle, limit int) ([]model.Mail, error) {
	tx.wait("MailListOf")
	return tx.Tx.MailListOf(h, limit)
}

func (tx heldTx) RequestsOf(h model.Handle) ([]model.Request, error) {
	tx.wait("RequestsOf")
	return tx.Tx.RequestsOf(h)
}

func (tx heldTx) Awaiting(h model.Handle, now time.Time) (int, error) {
	tx.wait("Awaiting")
	return tx.Tx.Awaiting(h, now)
}

func (tx heldTx) Request(id int64) (model.Request, error) {
	tx.wait("Request")
	return tx.Tx.Request(id)
}

func (tx heldTx) Service(name string) (model.Service, error) {
	tx.wait("Service")
	return tx.Tx.Service(name)
}

// mailedToken is the token of h's newest mail for request id.
func mailedToken(t testing.TB, d *model.Desk, h model.Handle, id int64) string {
	t.Helper()
	m, ok, err := d.TokenMail(ctx, h, id)
	if err != nil || !ok || m.Token == "" {
		t.Fatalf("%s's token mail for #%d: %+v %v %v", h, id, m, ok, err)
	}
	return m.Token
}

// lastLines returns the screen's last n lines (the key line and the
// status line).
func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(ls[max(0, len(ls)-n):], "\n")
}

func (tx heldTx) PendingEmailChange(h model.Handle) (model.EmailChange, error) {
	tx.wait("PendingEmailChange")
	return tx.Tx.PendingEmailChange(h)
}

func (tx heldTx) RecentEmailChanges(h model.Handle, limit int) ([]time.Time, error) {
	tx.wait("RecentEmailChanges")
	return tx.Tx.RecentEmailChanges(h, limit)
}

func (tx heldTx) Mail(id int64) (model.Mail, error) {
	tx.wait("Mail")
	return tx.Tx.Mail(id)
}

func (tx heldTx) History(h model.Handle, serviceID, requestID int64, limit int) ([]model.HistoryEntry, error) {
	tx.wait("History")
	return tx.Tx.History(h, serviceID, requestID, limit)
}

func (tx heldTx) Account(h model.Handle) (model.Account, error) {
	tx.wait("Account")
	return tx.Tx.Account(h)
}
