package common

import (
	tea "charm.land/bubbletea/v2"

	"contactdesk/model"
)

// FirstRead is what a sub-view (a request, a mail, a service's contacts
// or owner) keeps until it has been read: the keys pressed meanwhile
// (EarlyKeys), and whether its last read failed — then it says that it
// could not be read, not that it is loading, as a list whose first read
// failed does, the status line saying why, until ctrl+r reads it again.
type FirstRead struct {
	EarlyKeys
	failed bool
}

// Start marks a read under way: a sub-view not read yet says that it is
// loading again.
func (f *FirstRead) Start() { f.failed = false }

// Hold keeps k for Replay, unless the read failed: keys typed under
// "could not be read" are not played once a later read answers.
func (f *FirstRead) Hold(k tea.KeyPressMsg) {
	if !f.failed {
		f.EarlyKeys.Hold(k)
	}
}

// Failed reports whether the last read failed before the sub-view was
// ever read: it says that it could not be read.
func (f *FirstRead) Failed() bool { return f.failed }

// Fail is what a sub-view does when its read fails, read before when
// loaded. A first read refused closes it, saying why (what it shows is
// gone, or no longer the user's); a first read that failed otherwise
// (the desk did not answer in time) leaves it saying that it could not
// be read, the keys typed meanwhile dropped; a later read's failure is
// said, what was read staying on screen.
func (f *FirstRead) Fail(err error, loaded bool) tea.Cmd {
	switch {
	case loaded:
		return ReadFailed(err)
	case model.IsRefusal(err):
		return Unreadable(err)
	}
	f.failed = true
	f.Forget()
	return ReadFailed(err)
}

// Waiting is what a sub-view not read yet shows where its content will
// be: that it is loading, or that it could not be read.
func (f *FirstRead) Waiting(c *Common) string {
	if f.failed {
		return c.Styles.Subtle.Render(c.T("tui.not_read"))
	}
	return c.Styles.Subtle.Render(c.T("tui.loading"))
}
