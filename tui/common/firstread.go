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
	// Fields: the screen's fields take the keys typed before it is read
	// (it is Capturing meanwhile), a q or a digit as a letter: none of
	// them is the app's, and a first read that fails drops them all.
	Fields bool
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
// be read; either way the keys typed meanwhile are dropped but the app's
// own typed before the sub-view's (see EarlyKeys.Abandon), played on the
// screen the user is then on. A later read's failure is said, what was
// read staying on screen.
func (f *FirstRead) Fail(c *Common, err error, loaded bool) tea.Cmd {
	if loaded {
		return ReadFailed(err)
	}
	if f.Fields {
		f.Forget()
	}
	if model.IsRefusal(err) {
		if !f.Held() {
			return Unreadable(err)
		}
		// closed, then the keys are played on the screen under it,
		// which then says why
		ks := f.keys
		f.keys = nil
		return c.Open(BackMsg{Status: StatusMsg{Err: err}, Abandoned: ks})
	}
	f.failed = true
	f.Abandon(c)
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
