// Package statusbar draws the bottom line: who you are, your unread mail,
// and the last message or error.
package statusbar

import (
	"strings"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/tui/common"
	"contactdesk/tui/styles"
)

// Model is the status line.
type Model struct {
	st     *styles.Styles
	c      *common.Common
	User   string // "xx11111-ovh Xavier Xará"
	Unread int    // < 0: no mailbox to count (no account chosen yet)
	Msg    string
	IsErr  bool
	// refusal: the error is a rule's refusal, marked as the fields mark
	// theirs ("! …"), not a failure ("error: …")
	refusal bool
	// the line is drawn at every frame, for each key press
	paint struct{ user, mail styles.Paint }
}

// New returns an empty status line, for a session's c (its styles,
// its language).
func New(c *common.Common) *Model {
	st := c.Styles
	m := &Model{st: st, c: c}
	m.paint.user, m.paint.mail = styles.PaintOf(st.StatusUser), styles.PaintOf(st.StatusMail)
	return m
}

// Set shows a message; err, when not nil, is shown instead, as an error.
func (m *Model) Set(msg string, err error) {
	if err != nil {
		m.Msg, m.IsErr, m.refusal = m.c.ErrText(err), true, model.IsRefusal(err)
		return
	}
	m.Msg, m.IsErr, m.refusal = common.Line(msg), false, false
}

func (m *Model) left(width int) (string, int) {
	user := common.Cut(m.User, max(12, width/3))
	mail := m.c.T("tui.status.no_unread")
	if m.Unread > 0 {
		mail = m.c.T("tui.status.unread", locale.Args{"N": m.Unread})
	}
	if m.Unread < 0 {
		return m.paint.user.Render(user), common.Width(user)
	}
	return m.paint.user.Render(user) + " │ " + m.paint.mail.Render(mail), common.Width(user) + 3 + common.Width(mail)
}

func (m *Model) msg() (string, styles.Style) {
	switch {
	case m.IsErr && m.refusal:
		return "! " + m.Msg, m.st.StatusErr
	case m.IsErr:
		return m.c.T("tui.status.error", locale.Args{"Msg": m.Msg}), m.st.StatusErr
	}
	return m.Msg, m.st.StatusOK
}

// Fits reports whether the message fits on the status line itself; when
// it does not, MsgLine draws it on a line of its own.
func (m *Model) Fits(width int) bool {
	if m.Msg == "" {
		return true
	}
	_, used := m.left(width)
	msg, _ := m.msg()
	return used+3+common.Width(msg) <= width
}

// MsgLines draws the message alone, in width cells, on as many lines as
// it needs, n at most, the last one then ending with …; a line breaks
// at a space, a comma or a semicolon, never inside a handle.
func (m *Model) MsgLines(width, n int) []string {
	msg, st := m.msg()
	return strings.Split(common.WrapMax(msg, 0, width, n, st), "\n")
}

// View draws the line in width cells. A message that does not fit is
// left out (MsgLine draws it), or, with cut, cut to the room left.
func (m *Model) View(width int, cut bool) string {
	left, used := m.left(width)
	if m.Msg == "" || (!m.Fits(width) && !cut) || used+4 >= width {
		return left
	}
	msg, st := m.msg()
	return left + " │ " + st.Render(common.Cut(msg, width-used-3))
}
