// Package filter is the "/" text filter of the lists: typing narrows the
// list at once, enter keeps the filter and gives the keys back to the
// list, esc clears it. A filter can also always have the keys (the
// account picker, where everything typed filters).
package filter

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"contactdesk/locale"
	"contactdesk/tui/common"
	"contactdesk/tui/styles"
)

// Model is a list's filter.
type Model struct {
	st    *styles.Styles
	input textinput.Model
	on    bool
	// always: the filter has the keys for good; enter is the list's
	always bool
	query  string
	// label comes before a filter kept, not being typed ("filter: ").
	label string

	Start, Keep, Clear key.Binding
}

// MaxLen is the most a filter takes, in characters.
const MaxLen = 256

// New returns an empty filter, its words in l's language.
func New(st *styles.Styles, l *locale.Localizer) *Model {
	in := textinput.New()
	in.KeyMap.Paste.SetEnabled(false) // the server's clipboard: see field.New
	// longer than any name a list holds (a domain's is at most 253):
	// more would be no filter, and each key costs the list a pass
	in.CharLimit = MaxLen
	in.Prompt = "/"
	in.Placeholder = l.T("tui.filter.placeholder")
	s := textinput.DefaultDarkStyles()
	s.Cursor.Blink = false
	in.SetStyles(s)
	return &Model{st: st, input: in, label: l.T("tui.filter.label"),
		Start: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", l.T("tui.key.filter"))),
		Keep:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", l.T("tui.filter.keep"))),
		Clear: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", l.T("tui.filter.clear"))),
	}
}

// Relang writes the filter's words in l's language, what it holds kept.
func (m *Model) Relang(l *locale.Localizer) {
	n := New(m.st, l)
	if !m.always {
		m.input.Placeholder = n.input.Placeholder
	}
	m.label = n.label
	m.Start, m.Keep = n.Start, n.Keep
	cl := n.Clear
	if m.always {
		cl.SetHelp("esc", l.T("tui.filter.clear_short"))
	}
	m.Clear = cl
}

// NewAlways returns a filter that always has the keys, with its own
// prompt and placeholder; esc clears it, enter is left to the list.
func NewAlways(st *styles.Styles, l *locale.Localizer, prompt, placeholder string) *Model {
	m := New(st, l)
	m.input.Prompt, m.input.Placeholder = prompt, placeholder
	m.always = true
	m.Clear.SetHelp("esc", l.T("tui.filter.clear_short"))
	m.Focus()
	return m
}

// Always reports whether the filter always has the keys.
func (m *Model) Always() bool { return m.always }

// On reports whether the filter has the keys.
func (m *Model) On() bool { return m.on }

// PasteKeeps reports whether a paste keeps its surrounding spaces
// (common.PasteKeeper): the filter is being typed, and the paste lands
// between words.
func (m *Model) PasteKeeps() (lead, trail bool) {
	if !m.on && !m.always {
		return false, false
	}
	return common.SpacesKept(m.input.Value(), m.input.Position())
}

// Query returns the lowercase text to look for ("" for everything).
func (m *Model) Query() string { return m.query }

// Active reports whether a filter narrows the list.
func (m *Model) Active() bool { return m.query != "" }

// Focus gives the filter the keys.
func (m *Model) Focus() tea.Cmd {
	m.on = true
	m.input.CursorEnd()
	return m.input.Focus()
}

// Reset clears the filter; it reports whether the query changed.
func (m *Model) Reset() bool {
	if !m.always {
		m.on = false
		m.input.Blur()
	}
	m.input.SetValue("")
	changed := m.query != ""
	m.query = ""
	return changed
}

// Update takes a key while the filter has the keys. It reports whether
// it used the key and whether the query changed; movement keys are left
// to the list, so the cursor moves while typing.
func (m *Model) Update(msg tea.KeyPressMsg) (used, changed bool) {
	switch msg.String() {
	case "esc":
		return true, m.Reset()
	case "enter":
		if m.always {
			return false, false
		}
		m.on = false
		m.input.Blur()
		return true, false
	case "up", "down", "pgup", "pgdown":
		return false, false
	}
	m.input, _ = m.input.Update(msg)
	q := common.Fold(m.input.Value())
	changed = q != m.query
	m.query = q
	return true, changed
}

// View draws the filter (while typing) or what it holds, or "" when
// there is no filter.
func (m *Model) View(width int) string {
	if m.always {
		m.input.SetWidth(max(8, width-common.Width(m.input.Prompt)-1))
		return m.input.View()
	}
	m.input.SetWidth(max(8, min(40, width)))
	if m.on {
		return m.input.View()
	}
	if m.query == "" {
		return ""
	}
	return m.label + m.st.Bold.Render(common.Cut(common.Line(m.input.Value()), width))
}

// Key gives a list's key press to the filter first: while the filter is
// being typed, the keys it takes; otherwise its own keys (start, and
// esc while a filter narrows the list: else esc is the screen's). apply
// is called when the query changed; used says the key was taken.
func (m *Model) Key(msg tea.KeyPressMsg, apply func()) (cmd tea.Cmd, used bool) {
	if m.on {
		used, changed := m.Update(msg)
		if changed {
			apply()
		}
		if used {
			return nil, true
		}
	}
	switch {
	case key.Matches(msg, m.Start):
		return m.Focus(), true
	case key.Matches(msg, m.Clear) && m.Active():
		m.Reset()
		apply()
		return nil, true
	}
	return nil, false
}
