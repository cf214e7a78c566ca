// Package styles holds every style of the terminal app in one place.
//
// Colours are the terminal's 16 ANSI colours, so they follow the user's
// theme; the program downsamples them to the terminal's profile, and with
// no colour at all (NO_COLOR, an ASCII profile) what matters stays
// visible through attributes (reverse, bold, underline) and marks.
package styles

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// Styles are the styles of one session.
type Styles struct {
	TabBar      lipgloss.Style
	Tab         lipgloss.Style
	ActiveTab   lipgloss.Style
	TabCount    lipgloss.Style
	Rule        lipgloss.Style
	Title       lipgloss.Style
	Subtle      lipgloss.Style
	Header      lipgloss.Style // table header
	Selected    lipgloss.Style // the row under the cursor
	Bold        lipgloss.Style // unread mail, requests awaiting the user
	Mark        lipgloss.Style // pending / unread marks in the gutter
	Label       lipgloss.Style // form and detail labels
	Value       lipgloss.Style
	Field       lipgloss.Style // a text field's frame, unfocused
	FocusField  lipgloss.Style // a text field's frame, focused
	Error       lipgloss.Style // a refusal next to a field
	OK          lipgloss.Style
	Button      lipgloss.Style
	FocusButton lipgloss.Style
	Token       lipgloss.Style
	Status      lipgloss.Style
	StatusUser  lipgloss.Style
	StatusMail  lipgloss.Style
	StatusErr   lipgloss.Style
	StatusOK    lipgloss.Style
	HelpKey     lipgloss.Style
	HelpDesc    lipgloss.Style
	HelpTitle   lipgloss.Style
	HelpBox     lipgloss.Style
	Suggestion  lipgloss.Style
	SuggestSel  lipgloss.Style
}

// Default returns the house styles.
func Default() *Styles {
	var (
		accent = lipgloss.Color("6") // cyan
		warn   = lipgloss.Color("3") // yellow
		bad    = lipgloss.Color("1") // red
		good   = lipgloss.Color("2") // green
		faint  = lipgloss.Color("8") // bright black
	)
	s := &Styles{}
	s.TabBar = lipgloss.NewStyle()
	s.Tab = lipgloss.NewStyle()
	s.ActiveTab = lipgloss.NewStyle().Bold(true).Reverse(true)
	s.TabCount = lipgloss.NewStyle().Foreground(warn)
	s.Rule = lipgloss.NewStyle().Foreground(faint)
	s.Title = lipgloss.NewStyle().Bold(true)
	s.Subtle = lipgloss.NewStyle().Foreground(faint)
	s.Header = lipgloss.NewStyle().Bold(true).Underline(true)
	s.Selected = lipgloss.NewStyle().Reverse(true)
	s.Bold = lipgloss.NewStyle().Bold(true)
	s.Mark = lipgloss.NewStyle().Foreground(warn).Bold(true)
	s.Label = lipgloss.NewStyle().Foreground(accent)
	s.Value = lipgloss.NewStyle()
	s.Field = lipgloss.NewStyle()
	s.FocusField = lipgloss.NewStyle().Bold(true)
	s.Error = lipgloss.NewStyle().Foreground(bad)
	s.OK = lipgloss.NewStyle().Foreground(good)
	s.Button = lipgloss.NewStyle()
	s.FocusButton = lipgloss.NewStyle().Reverse(true).Bold(true)
	s.Token = lipgloss.NewStyle().Bold(true).Foreground(warn)
	s.Status = lipgloss.NewStyle()
	s.StatusUser = lipgloss.NewStyle().Bold(true)
	s.StatusMail = lipgloss.NewStyle().Foreground(warn)
	s.StatusErr = lipgloss.NewStyle().Foreground(bad).Bold(true)
	s.StatusOK = lipgloss.NewStyle().Foreground(good)
	s.HelpKey = lipgloss.NewStyle().Bold(true)
	s.HelpDesc = lipgloss.NewStyle()
	s.HelpTitle = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.HelpBox = lipgloss.NewStyle().Border(lipgloss.NormalBorder()).Padding(0, 1)
	s.Suggestion = lipgloss.NewStyle()
	s.SuggestSel = lipgloss.NewStyle().Reverse(true)
	return s
}

// Style is a lipgloss style, named here so that screens need not import lipgloss.
type Style = lipgloss.Style

// Paint is a style reduced to what it writes before and after one line of
// text, so that drawing the rows of a long list costs a concatenation
// instead of a style's Render. Only for styles with no size, padding,
// margin or border.
type Paint struct{ pre, post string }

// PaintOf reduces a style to a Paint.
func PaintOf(s lipgloss.Style) Paint {
	pre, post, _ := strings.Cut(s.Render("\uE000"), "\uE000")
	return Paint{pre: pre, post: post}
}

// Render draws one line of text.
func (p Paint) Render(s ...string) string { return p.pre + strings.Join(s, " ") + p.post }
