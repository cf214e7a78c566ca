// Package field is a one-line text field with a label and, beside it, the
// model's refusal for what was typed, and the screen's note on it. The
// cursor does not blink, so a screen renders the same way every time.
package field

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"contactdesk/tui/common"
	"contactdesk/tui/styles"
)

// Model is a labelled text field.
type Model struct {
	st    *styles.Styles
	Label string
	Input textinput.Model
	// Err is the refusal shown beside the field; it stays until the
	// value changes or the field is checked again.
	Err string
	// err is the refusal Err says, when set with Refuse: Relang writes
	// it again in another language.
	err error
	// Note is what the screen says of the field, after its refusal if
	// any (the value stored under what was typed changed meanwhile);
	// the screen sets it and clears it.
	Note string
}

// Refuse shows err beside the field, as text says it (the session's
// ErrText); Relang writes it again in another language.
func (f *Model) Refuse(err error, text func(error) string) {
	f.err, f.Err = err, text(err)
}

// Relang gives the field another label and placeholder, and writes its
// refusal again with text, the value, the cursor and the focus kept.
func (f *Model) Relang(label, placeholder string, text func(error) string) {
	f.Label, f.Input.Placeholder = label, placeholder
	if f.Err != "" && f.err != nil {
		f.Err = text(f.err)
	}
}

// New returns an empty field.
func New(st *styles.Styles, label, placeholder string, limit int) *Model {
	in := textinput.New()
	// no ctrl+v: the input would read the clipboard of the machine it
	// runs on (the server's, over SSH, running xclip or wl-paste there);
	// a paste is the terminal's, bracketed, which the app takes
	in.KeyMap.Paste.SetEnabled(false)
	in.Prompt = ""
	in.Placeholder = placeholder
	in.CharLimit = limit
	s := textinput.DefaultDarkStyles()
	s.Cursor.Blink = false
	s.Focused.Text = st.Value
	s.Blurred.Text = st.Value
	s.Focused.Placeholder = st.Subtle
	s.Blurred.Placeholder = st.Subtle
	s.Focused.Prompt = st.Value
	s.Blurred.Prompt = st.Value
	in.SetStyles(s)
	return &Model{st: st, Label: label, Input: in}
}

// Value returns what was typed.
func (f *Model) Value() string { return f.Input.Value() }

// PasteKeeps reports whether a paste keeps its surrounding spaces
// (common.PasteKeeper): it lands between words.
func (f *Model) PasteKeeps() (lead, trail bool) {
	return common.SpacesKept(f.Input.Value(), f.Input.Position())
}

// SetValue replaces what was typed. A value from the desk is user text:
// cleaned, it can't act on the terminal (the text input itself drops
// control characters, but not what follows an ESC, nor direction
// overrides).
func (f *Model) SetValue(v string) {
	f.Input.SetValue(common.Line(v))
	f.Input.CursorEnd()
}

// Focus gives the field the keys.
func (f *Model) Focus() { f.Input.Focus() }

// Blur takes the keys away.
func (f *Model) Blur() { f.Input.Blur() }

// Focused reports whether the field has the keys.
func (f *Model) Focused() bool { return f.Input.Focused() }

// Update passes a key to the field; it reports whether the value changed.
func (f *Model) Update(msg tea.Msg) (bool, tea.Cmd) {
	before := f.Input.Value()
	var cmd tea.Cmd
	f.Input, cmd = f.Input.Update(msg)
	changed := f.Input.Value() != before
	if changed {
		f.Err, f.err = "", nil
	}
	return changed, cmd
}

// View draws the field in fieldWidth cells. The refusal, if any,
// follows on the same line when it fits in room cells (counted from the
// field's start), else on the lines below, indented by indent cells; the
// note, if any, as well, on the lines below when there is a refusal.
func (f *Model) View(fieldWidth, room, indent int) string {
	f.Input.SetWidth(max(1, fieldWidth-3))
	frame := f.st.Field
	inner := common.Fit(common.Line(f.Input.Value()), fieldWidth-2)
	switch {
	case f.Focused():
		frame = f.st.FocusField
		inner = common.Fit(f.Input.View(), fieldWidth-2)
	case f.Input.Value() == "":
		inner = f.st.Subtle.Render(common.Fit(f.Input.Placeholder, fieldWidth-2))
	}
	out := frame.Render("[") + inner + frame.Render("]")
	type said struct {
		text string
		st   styles.Style
	}
	var says []said
	if f.Err != "" {
		says = append(says, said{"! " + f.Err, f.st.Error})
	}
	if f.Note != "" {
		says = append(says, said{f.Note, f.st.Mark})
	}
	for i, s := range says {
		if i == 0 && fieldWidth+1+common.Width(s.text) <= room {
			out += " " + s.st.Render(s.text)
			continue
		}
		out += "\n" + common.WrapMax(s.text, indent, indent+room, common.MsgLines, s.st)
	}
	return out
}
