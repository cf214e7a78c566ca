package common

import (
	"unicode"

	tea "charm.land/bubbletea/v2"
)

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

// pasteCode is the code of a key held that stands for a paste (PasteKey):
// no key has it.
const pasteCode = unicode.MaxRune + 0x100

// PasteKey is a paste among the keys typed ahead: the root model hands
// it to a screen holding keys (Holder) as one more key, and plays it as
// a paste (Pasted) where the keys before it led, a field or nothing.
func PasteKey(s string) tea.KeyPressMsg { return tea.KeyPressMsg{Code: pasteCode, Text: s} }

// Pasted returns the text of a paste held (PasteKey); ok is false for
// any other key.
func Pasted(k tea.KeyPressMsg) (text string, ok bool) {
	if k.Code != pasteCode {
		return "", false
	}
	return k.Text, true
}

// clickCode is the code of a key held that stands for a click on a tab
// (TabClick), the tab's index added: no key has them.
const clickCode = pasteCode + 0x100

// TabClick is a click on tab t among the keys typed ahead: the root
// model hands it to a screen holding keys typed while its save is under
// way (Holder) as one more key, and plays it as a click on that tab
// (TabClicked) once the keys before it are played.
func TabClick(t int) tea.KeyPressMsg { return tea.KeyPressMsg{Code: clickCode + rune(t)} }

// TabClicked returns the tab of a click held (TabClick); ok is false
// for any other key.
func TabClicked(k tea.KeyPressMsg) (tab int, ok bool) {
	if k.Code < clickCode || k.Code >= clickCode+0x100 {
		return 0, false
	}
	return int(k.Code - clickCode), true
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

// Held reports whether keys are kept: the keys typed after them wait
// behind them, lest they act before them (see Holder).
func (e *EarlyKeys) Held() bool { return len(e.keys) > 0 }

// Play asks the root model to play the keys kept as if typed now, in the
// order pressed, and forgets them: each key then reaches what the one
// before it opened, the app's own keys included (a tab's digit, @, q),
// as it would have had the user waited for the screen. It returns no
// command (see Common.Open).
func (e *EarlyKeys) Play(c *Common) tea.Cmd {
	if len(e.keys) == 0 {
		return nil
	}
	ks := e.keys
	e.keys = nil
	return c.Open(ReplayMsg{Keys: ks})
}

// Abandon is what a screen does with the keys it held once its first
// read failed, and forgets them: its own keys would act on nothing, and
// what the first of them would have opened (a field, a prompt, another
// screen) decided what the keys typed after it meant, so they are
// dropped, every key after the first of them with them; the app's own
// keys typed before it (q, a tab's digit, ?, @) meant the same whatever
// the read brought, and the root model plays them as if typed now (see
// ReplayMsg.Failed): a q typed ahead of a read that fails quits. A
// list whose first read fails plays its keys instead (Play): with no
// row, its own keys open nothing, and the keys after them mean what
// they mean on the list saying so. It returns no command (see
// Common.Open).
func (e *EarlyKeys) Abandon(c *Common) tea.Cmd {
	if len(e.keys) == 0 {
		return nil
	}
	ks := e.keys
	e.keys = nil
	return c.Open(ReplayMsg{Keys: ks, Failed: true})
}

// Holder is a screen that keeps the keys typed while it is read or while
// its save is under way, for the root model to hand it every key typed
// after them (Holding) rather than act on the app's own keys at once:
// typed in one go, "e", an address holding an @ or a digit, and enter
// would otherwise open the account picker or another tab before the
// field that "e" opens takes the address.
type Holder interface{ Holding() bool }

// Reading is a Holder that tells whether the keys it holds wait for its
// first read (ReadHolding), not for a save under way: only then does
// esc drop them (ForgetEarlyKeys) and act at once, and the key line say
// that the screen is loading. Keys typed after a save are meant for
// where it leads, and keep waiting.
type Reading interface {
	Holder
	Forgetter
	ReadHolding() bool
}

// ReplayMsg asks the root model to play Keys, as if typed now.
type ReplayMsg struct {
	root
	Keys []tea.KeyPressMsg
	// Failed: the keys waited for a read that failed (see
	// EarlyKeys.Abandon); only the app's own keys typed before the
	// screen's own are played, the move keys among them skipped.
	Failed bool
}
