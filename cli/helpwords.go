package cli

import (
	"bytes"
	"regexp"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"contactdesk/locale"
)

// fang writes the usage lines of a help page with words of its own, in
// English, and no option to name them otherwise: "[command]" after a
// command that has commands, "[--flags]", "[args]" when its use says so
// ("contactdesk request [command] [--flags]", and in the list of
// commands "mail [command] [--flags]"). In Portuguese and French they
// are written in the help's language on their way out, as its headings
// are (see translateHeading): "[comando]", "[--opções]".
//
// A translation is wider than fang's word ("[--options]" is 2 columns
// more than "[--flags]"), and fang lines things up by its own: so the
// page's box round the usage line is widened, and the column of texts
// beside its lists of commands and of flags moved, by what they grew.

// fangPlaceholders are fang's words, as the help catalogues name them
// ("placeholder.command") and as fang writes them.
var fangPlaceholders = []struct{ key, written string }{
	{"command", "[command]"},
	{"flags", "[--flags]"},
	{"args", "[args]"},
}

// placeholder returns language l's word for fang's placeholder key
// ("command": "comando"), English's if the catalogue has none.
func placeholder(l locale.Lang, key string) string {
	if s, ok := locale.Help(l, allCommands, "placeholder."+key); ok {
		return s
	}
	return key
}

// placeholders maps fang's words, as it writes them, to language l's
// ("[--flags]": "[--opções]"); nil in English.
func placeholders(l locale.Lang) map[string]string {
	if l == locale.EN {
		return nil
	}
	m := map[string]string{}
	for _, p := range fangPlaceholders {
		w := placeholder(l, p.key)
		if strings.HasPrefix(p.written, "[--") {
			w = "--" + w
		}
		m[p.written] = "[" + w + "]"
	}
	return m
}

// fangCodePad is the padding of fang's box round the usage line and the
// examples, right and left.
const fangCodePad = 2

// helpOut is what a help page of fang's needs on its way out, in a
// language other than English: its headings (see headings), its
// placeholders (see placeholders), and where fang put the column of
// texts of its lists, for the page asked for.
type helpOut struct {
	headings map[string]string
	words    map[string]string
	// column is where fang writes the texts of its lists (counted
	// from the line's start), shift how far they move when its
	// placeholders are translated.
	column, shift int

	state   int // where in the page fang is (see the constants below)
	growBox int // how much wider the box of the usage line became
}

// Where in a help page fang writes.
const (
	beforeUsage   = iota // the description
	usageBlock           // the usage line, in its box
	afterUsage           // its examples, or its lists
	examplesBlock        // the examples, in a box as wide as the usage's
	lists                // the lists of commands and flags
)

// newHelpOut returns the translation of the help page args ask for, in
// language l; nil in English (fang's page is written as it is).
func newHelpOut(root *cobra.Command, args []string, l locale.Lang) *helpOut {
	if l == locale.EN {
		return nil
	}
	h := &helpOut{headings: headings(l), words: placeholders(l)}
	if page := helpPage(root, args); page != nil {
		h.column = helpIndent + listColumn(page, nil)
		h.shift = helpIndent + listColumn(page, h.words) - h.column
	}
	return h
}

// helpPage is the command whose help args ask for ("help request", and
// "request --help", ask for request's; "help --help" for help's), nil if
// none.
func helpPage(root *cobra.Command, args []string) *cobra.Command {
	page, _, err := root.Find(args)
	if err != nil {
		return nil
	}
	if page.Name() == "help" && page.Parent() == root && !slices.Contains(args, "--help") && !slices.Contains(args, "-h") {
		if page, _, err = root.Find(args[1:]); err != nil {
			return nil
		}
	}
	return page
}

// listColumn is the width fang gives the names of page's lists of
// commands and of flags, spaces after them included, with its
// placeholders written as words says (fang's own when words is nil).
func listColumn(page *cobra.Command, words map[string]string) int {
	page.InitDefaultHelpFlag()
	page.InheritedFlags() // merges the persistent flags of its parents into Flags
	space := helpMinSpace
	for _, sub := range page.Commands() {
		if !sub.Hidden {
			space = max(space, ansi.StringWidth(listUse(sub, words))+2)
		}
	}
	page.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			space = max(space, ansi.StringWidth(flagKey(f))+2)
		}
	})
	return space
}

// otherArgs are what fang takes out of a use line and writes after its
// own words: "[HANDLE]".
var otherArgs = regexp.MustCompile(`(\[.*\])`)

// listUse is how fang names sub in a list of commands ("mail [command]
// [--flags]"), with its placeholders written as words says.
func listUse(sub *cobra.Command, words map[string]string) string {
	word := func(w string) string {
		if t, ok := words[w]; ok {
			return t
		}
		return w
	}
	u := sub.Use
	hasArgs := strings.Contains(u, "[args]")
	hasFlags := strings.Contains(u, "[flags]") || strings.Contains(u, "[--flags]") || sub.HasFlags() || sub.HasPersistentFlags() || sub.HasAvailableFlags()
	hasCommands := strings.Contains(u, "[command]") || sub.HasAvailableSubCommands()
	for _, k := range []string{"[args]", "[flags]", "[--flags]", "[command]"} {
		u = strings.ReplaceAll(u, k, "")
	}
	others := otherArgs.FindAllString(u, -1)
	for _, o := range others {
		u = strings.ReplaceAll(u, o, "")
	}
	parts := []string{strings.TrimSpace(u)}
	if hasCommands {
		parts = append(parts, word("[command]"))
	}
	if hasArgs {
		parts = append(parts, word("[args]"))
	}
	parts = append(parts, others...)
	if hasFlags {
		parts = append(parts, word("[--flags]"))
	}
	return strings.Join(parts, " ")
}

// translate returns p, a write of fang's help page, in h's language.
func (h *helpOut) translate(p []byte) []byte {
	if h == nil {
		return p
	}
	word := strings.TrimSpace(ansi.Strip(string(p)))
	if _, ok := h.headings[word]; ok {
		switch {
		case word == "USAGE":
			h.state = usageBlock
		case word == "EXAMPLES" && h.state == afterUsage:
			h.state = examplesBlock
		case h.state >= afterUsage:
			h.state = lists
		}
		return translateHeading(p, h.headings)
	}
	switch h.state {
	case usageBlock:
		h.state = afterUsage
		return h.usage(p)
	case examplesBlock:
		h.state = lists
		return h.widen(p)
	case afterUsage:
		h.state = lists // a heading of a group of commands, then its list
	case lists:
		return h.listItem(p)
	}
	return p
}

// usage translates the placeholders of fang's usage line, written in its
// box: the box is made wider by what the line grew (if the space left in
// it is not enough), the box of the examples too.
func (h *helpOut) usage(p []byte) []byte {
	rows := bytes.Split(p, []byte("\n"))
	changed := make([]bool, len(rows))
	for i, row := range rows {
		before := ansi.StringWidth(string(row))
		t := h.replace(row)
		if bytes.Equal(t, row) {
			continue
		}
		changed[i] = true
		grew := ansi.StringWidth(string(t)) - before
		// the spaces at its end, beyond the box's padding, take it
		// first
		cut := min(grew, max(0, trailingSpaces(t)-fangCodePad))
		t = cutTrailing(t, cut)
		h.growBox = max(h.growBox, grew-cut)
		rows[i] = t
	}
	for i, row := range rows {
		if !changed[i] && h.growBox > 0 && trailingSpaces(row) > 0 {
			rows[i] = padTrailing(row, h.growBox)
		}
	}
	return bytes.Join(rows, []byte("\n"))
}

// widen makes the rows of the box of examples as wide as the usage's.
func (h *helpOut) widen(p []byte) []byte {
	if h.growBox == 0 {
		return p
	}
	rows := bytes.Split(p, []byte("\n"))
	for i, row := range rows {
		if trailingSpaces(row) > 0 {
			rows[i] = padTrailing(row, h.growBox)
		}
	}
	return bytes.Join(rows, []byte("\n"))
}

// listItem translates the placeholders of an item of a list of commands
// ("    mail [command] [--flags]  Read your mailbox…"), and moves its text,
// as that of every item of the page's lists, its flags', by h.shift.
func (h *helpOut) listItem(p []byte) []byte {
	rows := bytes.Split(p, []byte("\n"))
	first := ansi.Strip(string(rows[0]))
	if len(first) <= helpIndent || strings.TrimLeft(first, " ") != first[helpIndent:] {
		return p // no item: a blank line, a heading
	}
	for i, row := range rows {
		grew := 0
		if i == 0 {
			grew = ansi.StringWidth(string(h.replace(row))) - ansi.StringWidth(string(row))
		}
		row = moveColumn(row, h.column, h.shift-grew)
		if i == 0 {
			row = h.replace(row)
		}
		rows[i] = row
	}
	return bytes.Join(rows, []byte("\n"))
}

// replace writes fang's placeholders in row in h's language.
func (h *helpOut) replace(row []byte) []byte {
	for _, p := range fangPlaceholders {
		if t, ok := h.words[p.written]; ok {
			row = bytes.ReplaceAll(row, []byte(p.written), []byte(t))
		}
	}
	return row
}

// cells are the characters row shows, each with where it starts in row:
// its escape sequences and its carriage return, which show nothing, left
// out.
type cell struct {
	at    int
	space bool
}

func cells(row []byte) []cell {
	var cs []cell
	var state byte
	for at := 0; at < len(row); {
		seq, width, n, newState := ansi.DecodeSequence(row[at:], state, nil)
		for range width {
			cs = append(cs, cell{at, len(seq) == 1 && seq[0] == ' '})
		}
		at += n
		state = newState
	}
	return cs
}

// trailingSpaces is how many spaces end what row shows.
func trailingSpaces(row []byte) int {
	cs := cells(row)
	n := 0
	for n < len(cs) && cs[len(cs)-1-n].space {
		n++
	}
	return n
}

// cutTrailing removes up to n of the spaces that end what row shows.
func cutTrailing(row []byte, n int) []byte {
	cs := cells(row)
	for ; n > 0 && len(cs) > 0 && cs[len(cs)-1].space; n-- {
		at := cs[len(cs)-1].at
		row = append(row[:at:at], row[at+1:]...)
		cs = cs[:len(cs)-1]
	}
	return row
}

// padTrailing adds n spaces to those that end what row shows, in their
// style (a box's background).
func padTrailing(row []byte, n int) []byte {
	cs := cells(row)
	at := cs[len(cs)-1].at
	return append(row[:at:at], append(bytes.Repeat([]byte(" "), n), row[at:]...)...)
}

// moveColumn moves what row shows from column col on (spaces before it)
// by n columns: spaces added before it, or taken from those before it.
func moveColumn(row []byte, col, n int) []byte {
	cs := cells(row)
	// (two spaces at least are before a list's text, one between words)
	if n == 0 || col < 2 || len(cs) <= col || !cs[col-1].space || !cs[col-2].space || cs[col].space {
		return row
	}
	if n > 0 {
		at := cs[col-1].at
		return append(row[:at:at], append(bytes.Repeat([]byte(" "), n), row[at:]...)...)
	}
	// taken from the spaces before col, two of them left at least
	run := 0
	for run < col && cs[col-1-run].space {
		run++
	}
	for i := col - 1; i > col-1-min(-n, run-2); i-- {
		at := cs[i].at
		row = append(row[:at:at], row[at+1:]...)
	}
	return row
}
