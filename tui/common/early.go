package common

import tea "charm.land/bubbletea/v2"

// EarlyKeys keeps the keys a user presses while a page is still being
// read, to play them once it is: whoever types at once (enter, then a
// at once to accept) loses nothing, and is not told that the page has
// nothing to accept because its request had not arrived yet.
type EarlyKeys struct{ keys []tea.KeyPressMsg }

// MaxEarlyKeys bounds the keys kept: a paste's worth; the keys beyond it
// are dropped (a page that slow to read shows that it is loading).
const MaxEarlyKeys = 256

// Hold keeps k for Replay.
func (e *EarlyKeys) Hold(k tea.KeyPressMsg) {
	if len(e.keys) < MaxEarlyKeys {
		e.keys = append(e.keys, k)
	}
}

// Forget drops the keys kept: the user left the page before it was read,
// and what they typed there is no longer meant for it.
func (e *EarlyKeys) Forget() { e.keys = nil }

// Forgetter is a page that keeps early keys, for the root model to tell
// when the user leaves it.
type Forgetter interface{ ForgetEarlyKeys() }

// Replay plays the keys kept through key, in the order pressed, and
// forgets them.
func (e *EarlyKeys) Replay(key func(tea.KeyPressMsg) tea.Cmd) tea.Cmd {
	ks := e.keys
	e.keys = nil
	cmds := make([]tea.Cmd, 0, len(ks))
	for _, k := range ks {
		cmds = append(cmds, key(k))
	}
	return tea.Batch(cmds...)
}
