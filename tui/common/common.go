// Package common is the context every screen of the terminal app shares:
// the desk and the account acting, the clock, styles and keys, and the
// messages screens use to ask the root model for something (open another
// screen, go back, say something in the status line, reload).
package common

import (
	"context"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

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
	// Width and Height are the terminal's size.
	Width, Height int
}

// Now returns the session's time.
func (c *Common) Now() time.Time { return c.Clock.Now() }

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

// Messages screens send to the root model.
type (
	// BackMsg closes the current sub-view.
	BackMsg struct{}
	// ChangedMsg says an action changed data: every screen reloads.
	ChangedMsg struct{}
	// StatusMsg puts a message (or an error) in the status line.
	StatusMsg struct {
		Text string
		Err  error
		// Read marks an error of reading a screen (the database went
		// away, say), which the next good read of that screen clears;
		// the outcome of an action, or a refusal, stays until the next
		// message.
		Read bool
	}
	// ReadMsg says a screen read its data without error.
	ReadMsg struct{}
	// EditContactsMsg opens the Edit contacts form of a service.
	EditContactsMsg struct{ Service string }
	// OwnerMsg opens the owner details of a domain.
	OwnerMsg struct{ Service string }
	// HistoryMsg opens the history of a service.
	HistoryMsg struct{ Service string }
	// OpenRequestMsg opens a request; Token, when set, fills the token
	// prompt (a mail's link).
	OpenRequestMsg struct {
		ID    int64
		Token string
	}
	// ReadMailMsg opens a mail.
	ReadMailMsg struct{ ID int64 }
	// ActAsMsg starts acting as an account (from the account picker).
	ActAsMsg struct{ Handle model.Handle }
	// LaterMsg asks the root model to run Cmd once the session's first
	// frame is complete (see Later).
	LaterMsg struct{ Cmd tea.Cmd }
)

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
func Status(format string, args ...any) tea.Cmd {
	return Send(StatusMsg{Text: fmt.Sprintf(format, args...)})
}

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

// Renderer is anything that styles text (a lipgloss style).
type Renderer interface{ Render(...string) string }
