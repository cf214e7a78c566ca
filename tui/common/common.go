// Package common is the context every screen of the terminal app shares:
// the desk and the account acting, the clock, styles and keys, and the
// messages screens use to ask the root model for something (open another
// screen, go back, say something in the status line, reload).
package common

import (
	"context"
	"fmt"
	"time"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/tui/keymap"
	"contactdesk/tui/styles"
)

// Common is shared by the root model and every screen of one session.
type Common struct {
	Ctx    context.Context
	Desk   *model.Desk
	Me     model.Handle
	Clock  model.Clock
	Styles *styles.Styles
	Keys   *keymap.KeyMap
	// L writes the screens in the language of the account acting (of
	// the picker, before one is chosen). A session that changes language
	// makes a new Common, which its screens take in place (Relanger, and
	// tui's relang): L never changes under a command that reads it.
	L *locale.Localizer
	// Width and Height are the terminal's size.
	Width, Height int
	// Shared: the session is served to a customer (over SSH), who is
	// not told a failure's own words: they can name the database's
	// server (host, port, database), which is the provider's business.
	Shared bool
	// StoreSays writes a failure of the store in a language (see
	// tui.Options.StoreSays); nil: as the store says it.
	StoreSays func(err error, msg string, l *locale.Localizer) (string, bool)
	// Settle is how long the keys typed after a field closed by itself
	// are dropped (see Settling).
	Settle time.Duration
	// Nav holds the screens' Open and Back, for the root model to do
	// before the next message (shared by every copy of a session's
	// Common).
	Nav *Nav
}

// Nav is what the screens asked the root model to do (open a screen, go
// back) while handling a message. The root model does it as soon as that
// Update returns, not when a command delivers it: keys typed together
// ("enter a enter": open a request, accept it) each reach the screen the
// one before opened, instead of the one being left. Send would deliver
// the same message after every key already typed.
type Nav struct{ msgs []RootMsg }

// Take returns what was asked, and forgets it.
func (n *Nav) Take() []RootMsg {
	msgs := n.msgs
	n.msgs = nil
	return msgs
}

// Open asks the root model to act on msg (open a screen, go back) as soon
// as the screen's Update returns; it returns no command.
func (c *Common) Open(msg RootMsg) tea.Cmd {
	c.Nav.msgs = append(c.Nav.msgs, msg)
	return nil
}

// Back closes the current sub-view, before the next key is read.
func (c *Common) Back() tea.Cmd { return c.Open(BackMsg{}) }

// Yes is the key that answers yes to a question, described by help: y,
// and the language's own letter (s for sim, o for oui), which its help
// shows.
func (c *Common) Yes(help string) key.Binding {
	local := c.T("tui.key.yes_letter")
	keys := []string{"y"}
	if local != "y" {
		keys = append(keys, local)
	}
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(local, help))
}

// AnswerLeave answers a form's question before esc drops what was typed
// (*asking while it is asked): discard goes back, stay keeps editing,
// any other key waits for an answer. It reports whether msg was the
// question's.
func (c *Common) AnswerLeave(asking *bool, msg tea.KeyPressMsg, discard, stay key.Binding) (tea.Cmd, bool) {
	if !*asking {
		return nil, false
	}
	switch {
	case key.Matches(msg, discard):
		return c.Back(), true
	case key.Matches(msg, stay):
		*asking = false
	}
	return nil, true
}

// BackSaying closes the current sub-view and says s on the screen the
// user comes back to.
func (c *Common) BackSaying(s StatusMsg) tea.Cmd { return c.Open(BackMsg{Status: s}) }

// Now returns the session's time.
func (c *Common) Now() time.Time { return c.Clock.Now() }

// T writes message id of the catalogues in the session's language.
func (c *Common) T(id string, args ...locale.Args) string { return c.L.T(id, args...) }

// Page is one screen: a tab's list or a sub-view opened from it.
type Page interface {
	// Load (re)reads what the screen shows; the result comes back as a
	// message to Update.
	Load() tea.Cmd
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	// Title names the screen (for sub-views, shown after the tab).
	Title() string
	// Capturing reports whether a text field has the keys, so that q,
	// digits and ? are letters.
	Capturing() bool
	// ShortHelp and FullHelp list the screen's keys (help.KeyMap).
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// Relanger is a screen that speaks another language in place: when the
// account's language changes (from the Profile tab, the command line,
// another session), the session makes a new Common in that language
// (the old one stays with the commands still running) and every open
// screen takes it with Relang, keeping all it holds — what was typed in
// a field or a prompt, a cursor, a scroll, a filter. The command it
// returns, if any, writes again what the model said (a form's plan).
type Relanger interface {
	Relang(c *Common) tea.Cmd
}

// Drafter is a screen opened over a tab that may hold a draft: what the
// user typed and has not sent (a form, a prompt). A click on another tab
// keeps such a screen, to show it again when the user comes back.
type Drafter interface {
	Draft() bool
}

// Retimer is a screen that writes relative times ("2 min ago") when it
// reads, not when it draws (a list's rows): Retime writes them again for
// the clock's now, without reading. Screens that write them as they
// draw need nothing: the root model's tick draws the frame again.
type Retimer interface {
	Retime()
}

// PasteTaker is a screen that takes a paste its own way: TakePaste
// returns what of s its field is to be typed (a mail's link pasted into
// a token prompt gives its token).
type PasteTaker interface {
	TakePaste(s string) string
}

// Settling drops the keys typed in the instant after a field closed by
// itself under them (the request answered elsewhere, the change of
// address confirmed elsewhere): they were meant for the field, and
// taken as commands they acted on the screen behind it (enter opened
// another field; q, typed in a token, would quit). While On, the screen
// says it is Settling (Settler), and the root model drops them. It is
// on the wall clock, not the
// desk's: it is about the user's typing.
type Settling struct{ until time.Time }

// Settler is a screen whose field may have just closed by itself:
// while Settling, the root model drops the keys typed (and pasted)
// before anything sees them, so the status message saying why the field
// closed stays too.
type Settler interface {
	Settling() bool
}

// Start drops the keys for d from now.
func (s *Settling) Start(d time.Duration) { s.until = time.Now().Add(d) }

// On reports whether keys are being dropped.
func (s *Settling) On() bool { return time.Now().Before(s.until) }

// PasteKeeper is a screen whose field taking the keys may hold text
// around its cursor: PasteKeeps reports whether a paste's surrounding
// spaces are kept, before it (lead: a word ends at the cursor) and
// after it (trail: a word begins there), so that text pasted between
// words stays apart from them. Elsewhere a paste is trimmed: a token, an
// address or a handle copied with the space or the line end around it.
type PasteKeeper interface {
	PasteKeeps() (lead, trail bool)
}

// SpacesKept is PasteKeeps for a text input holding value with its
// cursor at pos (in characters).
func SpacesKept(value string, pos int) (lead, trail bool) {
	v := []rune(value)
	if pos < 0 || pos > len(v) {
		return false, false
	}
	return pos > 0 && !unicode.IsSpace(v[pos-1]), pos < len(v) && !unicode.IsSpace(v[pos])
}

// ShortTitled is a screen whose title may not fit at the right of the
// tab bar (a form's title with the service's name): ShortTitles are
// shorter ones, longest first, the bar drawing the first that fits
// whole, rather than the title cut ("Modifier les conta…").
type ShortTitled interface {
	ShortTitles() []string
}

// Sized is a screen that knows the least room it can be used in, within
// the frame: below it, its layout breaks (a column cut, a form's button
// out of sight), and the app says the window is too small instead of
// drawing it. A screen that is not Sized works in any room the frame
// leaves it (it scrolls, or wraps).
type Sized interface {
	// MinSize is the least width and height, as the screen was last
	// laid out (a form's lines depend on what it holds).
	MinSize() (width, height int)
}

// RootMsg is a message a screen sends to the root model: the root
// routes every message that has this mark to itself, whatever its type,
// and every other message back to the screen that asked for it.
type RootMsg interface{ rootMsg() }

// root marks the messages for the root model (see RootMsg).
type root struct{}

func (root) rootMsg() {}

// Messages screens send to the root model.
type (
	// BackMsg closes the current sub-view. Status, when set, is said on
	// the screen the user comes back to (a form's outcome). Abandoned are
	// the keys typed ahead for a sub-view whose first read was refused:
	// played there first, as EarlyKeys.Abandon plays them.
	BackMsg struct {
		root
		Status    StatusMsg
		Abandoned []tea.KeyPressMsg
	}
	// ChangedMsg says an action changed data: every screen reloads.
	ChangedMsg struct{ root }
	// StatusMsg puts a message (or an error) in the status line, for the
	// screen that sent it: it shows while that screen is on, until the
	// next key or for a few seconds.
	StatusMsg struct {
		root
		Text string
		Err  error
		// Read marks an error of reading a screen (the database went
		// away, say), which the next good read of that screen clears.
		Read bool
	}
	// ReadMsg says a screen read its data without error.
	ReadMsg struct{ root }
	// EditContactsMsg opens the Edit contacts form of a service.
	EditContactsMsg struct {
		root
		Service string
	}
	// OwnerMsg opens the owner details of a domain.
	OwnerMsg struct {
		root
		Service string
	}
	// HistoryMsg opens the history of a service.
	HistoryMsg struct {
		root
		Service string
	}
	// OpenRequestMsg opens a request; Token, when set, fills the token
	// prompt (a mail's link). Replace closes the current sub-view first
	// (the form that made the request), and Status is then said on the
	// request.
	OpenRequestMsg struct {
		root
		ID      int64
		Token   string
		Replace bool
		Status  StatusMsg
	}
	// ConfirmEmailMsg opens the Profile's field for the token of the
	// new e-mail address, filled with Token (a mail's).
	ConfirmEmailMsg struct {
		root
		Token string
	}
	// ReadMailMsg opens a mail.
	ReadMailMsg struct {
		root
		ID int64
	}
	// ActAsMsg starts acting as an account (from the account picker),
	// in its language.
	ActAsMsg struct {
		root
		Handle model.Handle
		Lang   locale.Lang
	}
	// LangMsg makes the session speak Lang: the account chose it.
	LangMsg struct {
		root
		Lang locale.Lang
	}
	// LaterMsg asks the root model to run Cmd once the session's first
	// frame is complete (see Later).
	LaterMsg struct {
		root
		Cmd tea.Cmd
	}
)

// MouseMsg is a click or a turn of the wheel on one part of a screen:
// Part is the id of the layer under the pointer (see Layered; "" for a
// screen drawn as one piece), and Mouse's X and Y are counted from that
// layer's top-left corner.
type MouseMsg struct {
	Part  string
	Mouse tea.MouseMsg
}

// Wheel scrolls a text three lines a notch of the mouse wheel, and
// reports whether msg was one; the text's view keeps scroll within its
// length.
func Wheel(msg tea.Msg, scroll *int) bool {
	m, ok := msg.(MouseMsg)
	if !ok {
		return false
	}
	w, ok := m.Mouse.(tea.MouseWheelMsg)
	if !ok {
		return false
	}
	switch w.Button {
	case tea.MouseWheelUp:
		*scroll = max(0, *scroll-3)
	case tea.MouseWheelDown:
		*scroll += 3
	default:
		return false
	}
	return true
}

// Layered is a screen whose parts take the mouse: it places them, as
// layers with ids, from the top-left corner of the screen as last drawn.
// The root model finds the part under the pointer from these positions.
type Layered interface {
	Layers() []*lipgloss.Layer
}

// Later runs cmd once every tab has answered its first read: for reads
// that complete what a screen already shows (the rest of a long list,
// what is on a tab not shown yet), so that they don't take the machine
// from the reads the first frame waits for. Once the first frame is
// complete, cmd runs at once.
func Later(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return Send(LaterMsg{Cmd: cmd})
}

// Send returns a command that delivers msg.
func Send(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// Status returns a command that shows text in the status line.
func Status(text string) tea.Cmd { return Send(Say(text)) }

// Say returns a status message.
func Say(text string) StatusMsg { return StatusMsg{Text: text} }

// Unreadable closes a sub-view whose first read failed (what it shows
// is gone, or no longer the user's), saying why.
func Unreadable(err error) tea.Cmd { return Send(BackMsg{Status: StatusMsg{Err: err}}) }

// Fail returns a command that shows err in the status line.
func Fail(err error) tea.Cmd { return Send(StatusMsg{Err: err}) }

// ReadFailed returns a command that shows an error of reading a screen in
// the status line, until the screen reads again without error (Read). A
// refusal (no such request, say) is for the user to read: it stays.
func ReadFailed(err error) tea.Cmd {
	return Send(StatusMsg{Err: err, Read: !model.IsRefusal(err)})
}

// Read returns a command that tells the root model a screen read its
// data without error, which clears the error of its last read, if it is
// what the status line shows.
func Read() tea.Cmd { return Send(ReadMsg{}) }

// Do runs fn as a command. A panic in fn (a bug, a failing driver) comes
// back as an error in the status line instead of ending the session.
func Do(fn func() tea.Msg) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = StatusMsg{Err: fmt.Errorf("internal error: %v", r)}
			}
		}()
		return fn()
	}
}

// After is msg once d has passed, or nothing once the session has ended
// (ctx): a tea.Tick's goroutine outlives its program until it fires,
// holding the program, its screens and its model alive, and a client
// opening and closing sessions one after another on one connection kept
// thousands of them, gigabytes, for the 30 s of the retime's tick.
func After(ctx context.Context, d time.Duration, msg tea.Msg) tea.Cmd {
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return msg
		case <-ctx.Done():
			return nil
		}
	}
}

// Alarm is a clock that says when a time has come: At's channel is
// closed once the clock reaches t. A test's clock, moved by hand, is
// one (modeltest.Clock); the wall clock is not, and a timer waits for
// it (Common.At).
type Alarm interface {
	At(t time.Time) <-chan struct{}
}

// maxWait is the longest Common.At waits on the wall clock before it
// answers: the screen that asked looks at the clock again and asks
// again, and a screen closed meanwhile leaves no timer waiting for days.
const maxWait = time.Minute

// At is msg once the session's clock reaches t, or earlier (maxWait at
// most, on the wall clock): the screen compares t with Now and asks
// again while t is to come. Nothing once the session has ended.
func (c *Common) At(t time.Time, msg tea.Msg) tea.Cmd {
	if a, ok := c.Clock.(Alarm); ok {
		ctx, ring := c.Ctx, a.At(t)
		return func() tea.Msg {
			select {
			case <-ring:
				return msg
			case <-ctx.Done():
				return nil
			}
		}
	}
	return After(c.Ctx, min(max(t.Sub(c.Now()), 0), maxWait), msg)
}

// Renderer is anything that styles text (a lipgloss style).
type Renderer interface{ Render(...string) string }
