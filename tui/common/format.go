package common

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"contactdesk/model"
	"contactdesk/model/text"
)

// MaxLine is how much of a one-line text Line keeps (bytes, before
// cleaning): more than a line of any terminal shows, and a bound on what a
// frame cleans and measures of a value that could be a megabyte long.
const MaxLine = 4096

// Line makes user text safe to draw on one line: every control and escape
// sequence removed, newlines turned to spaces; past MaxLine bytes it is
// cut, with "…".
func Line(s string) string {
	if len(s) > MaxLine {
		cut := MaxLine
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return text.Line(s)
}

// Lines makes user text safe to draw over several lines.
func Lines(s string) string { return text.Clean(s, true) }

// Fit truncates s to w cells, ending with … when cut, and pads it to
// exactly w cells. s must hold no escape sequences.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ascii(s) {
		switch {
		case len(s) <= w:
			return s + spaces(w-len(s))
		case w == 1:
			return "…"
		}
		return s[:w-1] + "…"
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	return s + spaces(w-sw)
}

// Cut truncates s to at most w cells, ending with … when cut, without padding.
func Cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ascii(s) {
		if len(s) <= w {
			return s
		}
		if w == 1 {
			return "…"
		}
		return s[:w-1] + "…"
	}
	return ansi.Truncate(s, w, "…")
}

// Width returns how many cells s takes, escape sequences excluded. Text
// that is ASCII but for SGR sequences (most of a frame) is counted
// without decoding graphemes.
func Width(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			i += 2
			for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
				i++
			}
		case c < 0x20 || c >= 0x7f:
			return ansi.StringWidth(s)
		default:
			n++
		}
	}
	return n
}

const blanks = "                                                                                                                                "

func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	if n <= len(blanks) {
		return blanks[:n]
	}
	return strings.Repeat(" ", n)
}

// Pad returns n spaces.
func Pad(n int) string { return spaces(n) }

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7F {
			return false
		}
	}
	return true
}

// Ago writes t relative to now as people read a list: "just now",
// "5m ago", "3h ago", "2d ago", then the date.
func Ago(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return t.UTC().Format("2006-01-02")
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	case d < 7*24*time.Hour:
		return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
	}
	return t.UTC().Format("2006-01-02")
}

// In writes a time to come relative to now: "in 14d", "in 3h".
func In(now, t time.Time) string {
	d := t.Sub(now)
	switch {
	case d <= 0:
		return "past"
	case d < time.Hour:
		return fmt.Sprintf("in %dm", max(1, int(d/time.Minute)))
	case d < 48*time.Hour:
		return fmt.Sprintf("in %dh", int(d/time.Hour))
	}
	return fmt.Sprintf("in %dd", int(d/(24*time.Hour)))
}

// Stamp writes a time in full, as in mails: "2026-11-25 10:13 UTC".
func Stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// StateWord names a request state in a list.
func StateWord(s model.State) string {
	if s == model.StateValidating {
		return "waiting"
	}
	return Line(string(s))
}

// H writes a handle. Handles are checked on input, but one written by
// another tool is drawn as any user text: cleaned.
func H(h model.Handle) string { return Line(string(h)) }

// Roles writes the roles of a request ("tech, billing"), cleaned.
func Roles(r model.Request) string { return Line(r.RoleList()) }

// Handle writes h, marked when it is the user's own.
func (c *Common) Handle(h model.Handle) string {
	if h == c.Me && h != "" {
		return H(h) + "*"
	}
	return H(h)
}

// HandleYou writes h, followed by "(you)" when it is the user's own.
func (c *Common) HandleYou(h model.Handle) string {
	if h == c.Me {
		return H(h) + " (you)"
	}
	return H(h)
}

// Handles joins handles with ", ", writing "you" for the user's own.
func (c *Common) Handles(hs []model.Handle) string {
	ws := make([]string, len(hs))
	for i, h := range hs {
		if h == c.Me {
			ws[i] = "you"
		} else {
			ws[i] = H(h)
		}
	}
	return strings.Join(ws, ", ")
}

// ErrText is what the user reads of an error.
func ErrText(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	if !model.IsRefusal(err) {
		msg = strings.TrimPrefix(msg, model.ErrStorage.Error()+": ")
	}
	return Line(msg)
}

// Wrap breaks s into lines of at most width-indent cells, each indented
// by indent spaces and drawn with st. It is for messages and bodies,
// never for table cells.
func Wrap(s string, indent, width int, st Renderer) string {
	return WrapMax(s, indent, width, 0, st)
}

// MsgLines is how many lines a message beside a field or under a form
// takes at most: enough for any of the model's, not for a value of a
// megabyte it quotes.
const MsgLines = 4

// WrapMax is Wrap keeping at most maxLines lines (0: all), the last one
// ending with … when some were left out: for a value beside a label,
// which should not push the rest of a screen out of sight.
func WrapMax(s string, indent, width, maxLines int, st Renderer) string {
	room := max(10, width-indent)
	lines := strings.Split(ansi.Wrap(s, room, " ,;-"), "\n")
	if maxLines > 0 && len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = Cut(strings.TrimRight(lines[maxLines-1], " ")+"…", room)
	}
	for i, l := range lines {
		lines[i] = Pad(indent) + st.Render(Cut(strings.TrimRight(l, " "), room))
	}
	return strings.Join(lines, "\n")
}

// Parties writes who must confirm r, as "xx11111-ovh (you), yy22222-ovh
// (current tech), zz33333-ovh (new tech)".
func (c *Common) Parties(r model.Request) string {
	ws := make([]string, len(r.Parties))
	for i, p := range r.Parties {
		ws[i] = H(p.Handle) + " (" + c.PartyLabel(r, p.Handle) + ")"
	}
	return strings.Join(ws, ", ")
}

// PartyLabel says why h must confirm r, with "you" for the user.
func (c *Common) PartyLabel(r model.Request, h model.Handle) string {
	l := Line(r.PartyLabel(h))
	if h == c.Me {
		if strings.HasPrefix(l, "requester") {
			return "you" + strings.TrimPrefix(l, "requester")
		}
		return "you, " + l
	}
	return l
}
