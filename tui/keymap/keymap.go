// Package keymap holds the keys that work on every screen. They are fixed
// (users and scripts rely on them); each screen adds its own map, and the
// help overlay is generated from both, so what help shows is what works.
package keymap

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
)

// KeyMap is the app-wide key map.
type KeyMap struct {
	Services, Requests, Mailbox, Profile key.Binding
	NextTab, PrevTab                     key.Binding

	Up, Down, PageUp, PageDown, Home, End key.Binding

	Filter key.Binding
	Help   key.Binding
	// HelpAnywhere opens help even from a text field, where ? is a letter.
	HelpAnywhere key.Binding
	Reload       key.Binding
	Back         key.Binding
	Quit         key.Binding
	// ForceQuit quits even from a text field.
	ForceQuit key.Binding
	// Switch goes back to the account picker (not in a locked session).
	Switch key.Binding
}

// Default returns the fixed keys, their help in l's language.
func Default(l *locale.Localizer) *KeyMap {
	return &KeyMap{
		Services: key.NewBinding(key.WithKeys("1"), key.WithHelp("1", l.T("tui.key.services"))),
		Requests: key.NewBinding(key.WithKeys("2"), key.WithHelp("2", l.T("tui.key.requests"))),
		Mailbox:  key.NewBinding(key.WithKeys("3"), key.WithHelp("3", l.T("tui.key.mailbox"))),
		Profile:  key.NewBinding(key.WithKeys("4"), key.WithHelp("4", l.T("tui.key.profile"))),
		NextTab:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", l.T("tui.key.next_tab"))),
		PrevTab:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", l.T("tui.key.prev_tab"))),

		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", l.T("tui.key.up"))),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", l.T("tui.key.down"))),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", l.T("tui.key.page_up"))),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdown", l.T("tui.key.page_down"))),
		Home:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/g", l.T("tui.key.first"))),
		End:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", l.T("tui.key.last"))),

		Filter:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", l.T("tui.key.filter"))),
		Help:         key.NewBinding(key.WithKeys("?", "f1"), key.WithHelp("?", l.T("tui.key.help"))),
		HelpAnywhere: key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", l.T("tui.key.help_anywhere"))),
		Reload:       key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", l.T("tui.key.reload"))),
		Back:         key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", l.T("tui.key.back"))),
		Quit:         key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", l.T("tui.key.quit"))),
		ForceQuit:    key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", l.T("tui.key.force_quit"))),
		Switch:       key.NewBinding(key.WithKeys("@"), key.WithHelp("@", l.T("tui.key.switch"))),
	}
}

// Tabs lists the tab keys in tab order.
func (k *KeyMap) Tabs() []key.Binding {
	return []key.Binding{k.Services, k.Requests, k.Mailbox, k.Profile}
}

// Moves lists the movement keys, for help.
func (k *KeyMap) Moves() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}
}

// Scroll moves a scrolled text by a move key (height is the visible
// lines, for paging) and reports whether msg was one; the text's view
// keeps scroll within its length.
func (k *KeyMap) Scroll(msg tea.KeyPressMsg, scroll *int, height int) bool {
	switch {
	case key.Matches(msg, k.Up):
		*scroll = max(0, *scroll-1)
	case key.Matches(msg, k.Down):
		*scroll++
	case key.Matches(msg, k.PageUp):
		*scroll = max(0, *scroll-height/2)
	case key.Matches(msg, k.PageDown):
		*scroll += height / 2
	case key.Matches(msg, k.Home):
		*scroll = 0
	case key.Matches(msg, k.End):
		*scroll = 1 << 20
	default:
		return false
	}
	return true
}
