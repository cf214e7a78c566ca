package common

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"contactdesk/locale"
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

// StateWord names a request state in a list: "waiting" for a request
// waiting for answers, else the state's word.
func (c *Common) StateWord(s model.State) string {
	if id := "tui.state." + string(s); c.L.Has(id) {
		return c.T(id)
	}
	return Line(string(s))
}

// Delivery names where a mail stands with real delivery: pending, sent,
// failed… ("" for the simulated mailbox alone).
func (c *Common) Delivery(d string) string {
	if id := "tui.delivery." + d; d != "" && c.L.Has(id) {
		return c.T(id)
	}
	return Line(d)
}

// Change writes what r changes: "tech: xx11111-ovh → yy22222-ovh".
func (c *Common) Change(r model.Request) string {
	return c.T("tui.change", locale.Args{"Roles": c.RoleNames(r), "From": H(r.From), "To": H(r.To)})
}

// Action names what a history line records, in words ("request made"
// for request.create, the name stored); an action of another making as
// it is stored.
func (c *Common) Action(a string) string {
	if id := "tui.action." + a; c.L.Has(id) {
		return c.T(id)
	}
	return Line(a)
}

// Detail writes what history line h says beside its action, without
// what the action already says: nothing for an answer's line, stored as
// "accepted", which Action already writes ("accepted accepted",
// "aceitou aceitou" side by side, where a list shows both); the reason
// alone for a line stored as the state it led to and why ("cancelled:
// cancelled by xx11111-ovh" beside the action "cancelled" is "cancelled
// by xx11111-ovh").
func (c *Common) Detail(h model.HistoryEntry) string {
	d, a := Line(model.DetailOf(h).In(c.L)), strings.ToLower(c.Action(h.Action))
	if strings.EqualFold(d, a) {
		return ""
	}
	// "cancelled: …" beside "cancelled", "recusado: …" beside "pedido
	// recusado", "annulée : …" beside "annulée"
	if head, rest, ok := strings.Cut(d, ":"); ok && strings.TrimSpace(rest) != "" {
		if head = strings.ToLower(strings.TrimSpace(head)); head != "" && strings.HasSuffix(a, head) {
			return strings.TrimSpace(rest)
		}
	}
	return d
}

// H writes a handle. Handles are checked on input, but one written by
// another tool is drawn as any user text: cleaned.
func H(h model.Handle) string { return Line(string(h)) }

// Roles writes the roles of a request as a sentence says them ("the
// contacto de faturação"), cleaned.
func (c *Common) Roles(r model.Request) string { return Line(model.RoleWords(r.Roles).In(c.L)) }

// RoleNames names the roles of a request as a label or a column does
// ("faturação", where a sentence says "contacto de faturação").
func (c *Common) RoleNames(r model.Request) string {
	return Line(model.RoleList(c.L, r.Roles, func(role model.Role) string { return c.T("tui.role." + string(role)) }))
}

// Handle writes h, marked when it is the user's own.
func (c *Common) Handle(h model.Handle) string {
	switch {
	case h == c.Me && h != "":
		return H(h) + "*"
	case h == model.SystemActor, h == model.SupportActor:
		return c.T("tui.actor." + string(h)) // the desk, its staff: words
	}
	return H(h)
}

// HandleYou writes h, followed by "(you)" when it is the user's own.
func (c *Common) HandleYou(h model.Handle) string {
	if h == c.Me {
		return c.T("tui.you_mark", locale.Args{"Handle": H(h)})
	}
	return H(h)
}

// Handles joins handles with ", ", writing "you" for the user's own.
func (c *Common) Handles(hs []model.Handle) string {
	ws := make([]string, len(hs))
	for i, h := range hs {
		ws[i] = c.handleWord(h)
	}
	return strings.Join(ws, ", ")
}

// handleWord is h as a list of handles says it: "you" for the user's.
func (c *Common) handleWord(h model.Handle) string {
	if h == c.Me {
		return c.T("tui.you")
	}
	return H(h)
}

// HandleList lists handles as a sentence of the user's language does,
// writing "you" for the user's own: "you and gh13579-ovh", "gh13579-ovh
// e zz33333-ovh". A comma alone read as an apposition ("by
// you, gh13579-ovh": you, who are gh13579-ovh). Handles, which a table's
// cell counts, keeps its commas. A sentence about whom a request waits
// for, the user among them, is Waiting's: Portuguese says it otherwise
// ("a sua confirmação e a de gh13579-ovh").
func (c *Common) HandleList(hs []model.Handle) string {
	ws := make([]any, len(hs))
	for i, h := range hs {
		ws[i] = c.handleWord(h)
	}
	return c.L.List(ws...)
}

// Waiting writes whom a sentence says a request waits for, the
// handles aw, with args: ids[0] names them all as Awaited; when the user
// is among them, ids[1] says the user alone, ids[2] the user first and
// then the N others as Rest. Each language builds that sentence its own
// way ("you and gh13579-ovh", "a sua confirmação e a de gh13579-ovh"),
// where a list with a word for the user in it said, in Portuguese,
// "você e gh13579-ovh".
func (c *Common) Waiting(aw []model.Handle, ids [3]string, args locale.Args) string {
	args = maps.Clone(args)
	i := slices.Index(aw, c.Me)
	switch {
	case c.Me == "" || i < 0:
		args["Awaited"] = c.HandleList(aw)
		return c.T(ids[0], args)
	case len(aw) == 1:
		return c.T(ids[1], args)
	}
	rest := slices.Delete(slices.Clone(aw), i, i+1)
	args["Rest"], args["N"] = c.HandleList(rest), len(rest)
	return c.T(ids[2], args)
}

// youIn returns refusal err said to the user when it is about the user's
// own answer: a role whose pending request waits for the user says so
// ("… is already pending and waits for your answer (2 Requests)"), where
// the model's words name the parties awaited by their handles, the
// user's own among them, which read as someone else's. Any other error
// is returned as it is.
func (c *Common) youIn(err error) error {
	var e *model.Error
	if c.Me == "" || !errors.As(err, &e) || err.Error() != e.Msg || e.Text.ID != "err.role.pending" {
		return err
	}
	if hs, ok := e.Text.Args["Awaited"].(model.Handles); !ok || !slices.Contains(hs, c.Me) {
		return err
	}
	args := maps.Clone(e.Text.Args)
	delete(args, "Awaited")
	ours := *e
	ours.Text = locale.M("tui.pending_you", args)
	return &ours
}

// ErrText is what the user reads of an error: a refusal in the
// session's language, a failure as it says (to a customer, over SSH,
// only that the desk could not answer); a call that passed its limit
// (the database did not answer in time), that nothing was changed; a
// write whose outcome the store could not see, that it may have been
// saved (a customer is told so in its language, and how to look).
func (c *Common) ErrText(err error) string {
	if err == nil {
		return ""
	}
	switch {
	case model.IsRefusal(err):
	case errors.Is(err, model.ErrMaybeSaved):
		if c.Shared {
			return c.T("tui.maybe_saved")
		}
	case errors.Is(err, context.DeadlineExceeded):
		// the call's limit passed (Options.CallTimeout): it changed
		// nothing, as the words of the store would not say
		return c.T("tui.timeout")
	case c.Shared:
		return c.T("tui.failed_shared")
	}
	msg := model.Localize(c.youIn(err), c.L)
	if !model.IsRefusal(err) {
		msg = strings.TrimPrefix(msg, model.ErrStorage.Error()+": ")
		if c.StoreSays != nil {
			if said, ok := c.StoreSays(err, msg, c.L); ok {
				msg = said
			}
		}
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

// nbHyphen stands for a hyphen while a text is wrapped (see WrapMax).
const nbHyphen = "\u2011"

// WrapMax is Wrap keeping at most maxLines lines (0: all), the last one
// ending with … when some were left out: for a value beside a label,
// which should not push the rest of a screen out of sight.
func WrapMax(s string, indent, width, maxLines int, st Renderer) string {
	room := max(10, width-indent)
	var lines []string
	// ansi.Wrap breaks a line at any hyphen: a hyphen is kept from it,
	// so that a handle (zz33333- and ovh) or a service's name (xara- and
	// shop.com) is never split over two lines
	s = strings.ReplaceAll(s, "-", nbHyphen)
	wrapped := strings.Split(ansi.Wrap(s, room, " ,;"), "\n")
	if room > 1 && slices.ContainsFunc(wrapped, func(l string) bool { return ansi.StringWidth(l) > room }) {
		// a breakpoint hangs past room (see below): the whole text
		// wrapped a cell narrower, so that the line it overhangs does
		// not leave the rest of its sentence alone on a short line
		wrapped = strings.Split(ansi.Wrap(s, room-1, " ,;"), "\n")
	}
	for _, l := range wrapped {
		if ansi.StringWidth(l) > room {
			// ansi.Wrap lets a breakpoint (the comma of "técnico),")
			// hang one cell past room, which Cut below would take
			// with the text before it: that line is wrapped again,
			// a cell narrower.
			lines = append(lines, strings.Split(ansi.Wrap(l, room-1, " ,;"), "\n")...)
			continue
		}
		lines = append(lines, l)
	}
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(l, nbHyphen, "-")
	}
	if maxLines > 0 && len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = Cut(strings.TrimRight(lines[maxLines-1], " ")+"…", room)
	}
	for i, l := range lines {
		lines[i] = Pad(indent) + st.Render(Cut(strings.TrimRight(l, " "), room))
	}
	return strings.Join(lines, "\n")
}

// HintSep parts the keys of a hint ("enter: accept · esc: close").
const HintSep = " · "

// WrapHint wraps a hint of keys as Wrap does, never cut, but between its
// parts (HintSep) where it can: a key stays on the line of what it does
// ("esc: close", not "esc:" then "close"), and a line starts with a part
// rather than with a dot. A part too long for a line is wrapped between
// its words.
func WrapHint(s string, indent, width int, st Renderer) string {
	room := max(10, width-indent)
	var lines []string
	line := ""
	for _, part := range strings.Split(s, HintSep) {
		switch {
		case line == "":
			line = part
		case Width(line)+Width(HintSep)+Width(part) <= room:
			line += HintSep + part
		default:
			lines = append(lines, line)
			line = part
		}
		if Width(line) > room {
			ls := strings.Split(WrapMax(line, 0, room, 0, asIs{}), "\n")
			lines = append(lines, ls[:len(ls)-1]...)
			line = ls[len(ls)-1]
		}
	}
	lines = append(lines, line)
	for i, l := range lines {
		lines[i] = Pad(indent) + st.Render(l)
	}
	return strings.Join(lines, "\n")
}

// Hanging draws a line of columns (head) and a text after it, on width
// cells: on one line when both fit; else the text starts after head as
// far as it fits there and goes on under it, wrapped from column indent,
// whole (at most maxLines lines in all, 0: all, as WrapMax). It is for a
// history line: when, who and what, then its detail, never cut.
func Hanging(head, text string, indent, width, maxLines int) []string {
	hw := Width(head)
	if hw+Width(text) <= width {
		return []string{head + text}
	}
	first := ""
	if room := width - hw; room >= 10 {
		f := strings.TrimRight(strings.SplitN(WrapMax(text, 0, room, 0, asIs{}), "\n", 2)[0], " ")
		if strings.HasPrefix(text, f) {
			first = f
		}
	}
	out := []string{Cut(strings.TrimRight(head+first, " "), width)}
	rest := strings.TrimLeft(text[len(first):], " ")
	if rest == "" {
		return out
	}
	more := 0
	if maxLines > 0 {
		more = max(1, maxLines-1)
	}
	return append(out, strings.Split(WrapMax(rest, indent, width, more, asIs{}), "\n")...)
}

// asIs draws text as it is (a Renderer).
type asIs struct{}

func (asIs) Render(s ...string) string { return strings.Join(s, " ") }

// Parties writes who must confirm r, as "xx11111-ovh (you), yy22222-ovh
// (current tech contact), zz33333-ovh (new tech contact)".
func (c *Common) Parties(r model.Request) string {
	ws := make([]string, len(r.Parties))
	for i, p := range r.Parties {
		ws[i] = H(p.Handle) + " (" + c.PartyLabel(r, p.Handle) + ")"
	}
	return strings.Join(ws, ", ")
}

// PartyLabel says why h must confirm r, with "you" for the user.
func (c *Common) PartyLabel(r model.Request, h model.Handle) string {
	why := r.Why(h)
	if h != c.Me {
		return Line(why.In(c.L))
	}
	// the user: "you", and why besides being the requester
	asker := why.Requester
	why.Requester = false
	rest := Line(why.In(c.L))
	switch {
	case rest == "":
		return c.T("tui.you_as", locale.Args{"Rest": Line(r.Why(h).In(c.L))}) // "you, requester"
	case asker:
		return c.T("tui.you_and", locale.Args{"Rest": rest})
	}
	return c.T("tui.you_as", locale.Args{"Rest": rest})
}

// WithheldToken says where a token the mailbox does not show went: to
// the recipient's inbox, on its way there, nowhere (not delivered), or
// removed when real delivery began (the mail was only ever simulated).
func (c *Common) WithheldToken(m model.Mail) string {
	args := locale.Args{"Address": Line(m.Address)}
	switch {
	case m.TokenRemoved:
		return c.T("tui.mail.token_removed")
	case m.Delivery == model.DeliveryFailed:
		return c.T("tui.mail.token_failed", args)
	case m.Delivery == model.DeliveryPending:
		return c.T("tui.mail.token_queued", args)
	}
	return c.T("tui.mail.withheld", args)
}
