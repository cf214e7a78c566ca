package cli

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// fang draws a help page's lists — commands with their summaries, flags
// with their descriptions — as a column of names and, beside it, the
// text on one line whatever its length: at 80 columns the terminal broke
// those texts wherever the line ended ("phon" / "e, e-mail", "(1" /
// "5d)"). fang lines up the lines of a text that holds line breaks, so
// fitHelp puts the breaks in, at spaces, for the width fang draws at.
// (fang has no option for it; the long description it wraps itself.)
const (
	helpIndent   = 4  // fang's indent of a list's names
	helpMinSpace = 10 // fang's narrowest column of names
	helpMinRoom  = 30 // narrower, a text is left as it is
	helpLongPad  = 2  // fang's indent of the description
)

// helpWidth is the width fang draws help at: the terminal's (at most
// 120), else 120; __FANG_TEST_WIDTH, fang's own, sets it in tests.
func helpWidth() int {
	if s := os.Getenv("__FANG_TEST_WIDTH"); s != "" {
		if w, err := strconv.Atoi(s); err == nil {
			return w
		}
	}
	w, _, err := term.GetSize(os.Stdout.Fd())
	if err != nil || w <= 0 {
		return 120
	}
	return min(w, 120)
}

// fitHelp wraps, for the help page args ask for (if any), the summaries
// of its commands and the descriptions of its flags to what is left of
// width beside its column of names.
func fitHelp(root *cobra.Command, args []string, width int, words map[string]string) {
	page, _, err := root.Find(args)
	if err != nil {
		return
	}
	// help COMMAND draws COMMAND's page; help --help (or -h, wherever it
	// stands among the words after help) draws help's own. Fitted to
	// COMMAND's page (the root's, for help --help), the flags help shares
	// with it were wrapped to that page's column of names, wider than
	// help's, and so earlier than any other page's.
	if page.Name() == "help" && page.Parent() == root && !asksHelp(args[1:]) {
		if page, _, err = root.Find(args[1:]); err != nil {
			return
		}
	}
	page.InheritedFlags() // merges the persistent flags of its parents into Flags
	space := helpMinSpace
	// what fang writes of a word of its own, in the help's language
	// (see placeholders)
	word := func(w string) int {
		if t, ok := words[w]; ok {
			w = t
		}
		return 1 + ansi.StringWidth(w)
	}
	for _, sub := range page.Commands() {
		// what fang writes: the use line, [command] when it has
		// commands, [--flags]; a little wider is safe
		w := ansi.StringWidth(sub.Use) + word("[--flags]")
		if sub.HasAvailableSubCommands() {
			w += word("[command]")
		}
		space = max(space, w+2)
	}
	page.Flags().VisitAll(func(f *pflag.Flag) { space = max(space, len(flagKey(f))+2) })
	room := width - helpIndent - space
	if room < helpMinRoom {
		return
	}
	page.Long = reflow(page.Long, width-helpLongPad)
	for _, sub := range page.Commands() {
		sub.Short = wrapText(sub.Short, "", room)
	}
	page.Flags().VisitAll(func(f *pflag.Flag) { f.Usage = wrapText(f.Usage, shownDefault(f), room) })
}

// asksHelp reports whether args, before any "--", hold --help (or
// --help=true) or -h: what makes cobra draw the help page of the command
// they follow.
func asksHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--help"); ok && (v == "" || v[0] == '=') {
			on, err := strconv.ParseBool(strings.TrimPrefix(v, "="))
			if v == "" || err == nil && on {
				return true
			}
		}
		if a == "-h" {
			return true
		}
	}
	return false
}

// reflow wraps again, to room columns, each paragraph of s that has a
// line wider: fang would break only that line, leaving a short piece of
// it among full ones. A paragraph of indented lines or of list items is
// left as it is.
func reflow(s string, room int) string {
	paras := strings.Split(s, "\n\n")
	for i, p := range paras {
		lines := strings.Split(p, "\n")
		wide, laid := false, false
		for _, l := range lines {
			wide = wide || ansi.StringWidth(l) > room
			laid = laid || strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "#")
		}
		if wide && !laid {
			paras[i] = wordwrap(strings.Join(lines, " "), room, ",") // a column list breaks after a comma
			continue
		}
		for j, l := range lines {
			if strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "    ") {
				lines[j] = continueCommand(l, room)
			}
		}
		paras[i] = strings.Join(lines, "\n")
	}
	return strings.Join(paras, "\n\n")
}

// continueCommand breaks line, an indented command (cobra's completion
// help: "\tcontactdesk completion zsh > $(brew --prefix)/share/…"), into
// lines of room columns at most (a tab counts as fang draws it, 4), each
// but the last ending with a shell continuation and the next indented 2
// more: fang would break it anywhere ("$(brew --" / "prefix)…", "site-" /
// "functions"), leaving a command that no longer runs when copied. It
// breaks at a space outside quotes and parentheses, before a redirection
// rather than after it; a line it cannot break is left as it is. A line
// broken after a pipe needs no continuation in any shell; PowerShell's
// ("| Out-String | Invoke-Expression"), which reads a backslash as a
// command, continues with a backtick elsewhere.
func continueCommand(line string, room int) string {
	body := strings.TrimLeft(line, " \t")
	indent := line[:len(line)-len(body)]
	width := func(s string) int { return ansi.StringWidth(strings.ReplaceAll(s, "\t", "    ")) }
	mark := ` \`
	if strings.Contains(strings.ToLower(body), "powershell") || strings.Contains(body, "Invoke-Expression") {
		mark = " `"
	}
	var out []string
	for width(indent+body) > room {
		cut, cutMark := -1, "" // the last space where the command may break, outside quotes and $(…)
		depth, quote := 0, rune(0)
		for k, r := range body {
			switch {
			case quote != 0:
				if r == quote {
					quote = 0
				}
			case r == '\'' || r == '"':
				quote = r
			case r == '(':
				depth++
			case r == ')':
				depth--
			case r == ' ' && depth == 0:
				// not after a redirection: "\" then "> FILE", not
				// "> \" then "FILE"
				word := body[strings.LastIndexByte(body[:k], ' ')+1 : k]
				m := mark
				if word == "|" {
					m = ""
				}
				if word != ">" && word != ">>" && word != "<" && width(indent+body[:k]+m) <= room {
					cut, cutMark = k, m
				}
			}
		}
		if cut <= 0 {
			break
		}
		out = append(out, indent+body[:cut]+cutMark)
		body = strings.TrimLeft(body[cut:], " ")
		if len(out) == 1 {
			indent += "  "
		}
	}
	return strings.Join(append(out, indent+body), "\n")
}

// flagKey is how fang names a flag: --name, or -s --name.
func flagKey(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return "-" + f.Shorthand + " --" + f.Name
	}
	return "--" + f.Name
}

// shownDefault is what fang writes after a flag's description: its
// default, in brackets, when it has one worth saying.
func shownDefault(f *pflag.Flag) string {
	switch f.DefValue {
	case "", "false", "0", "[]":
		return ""
	}
	return " (" + f.DefValue + ")"
}

// wrapText breaks s at spaces into lines of room columns at most, room
// kept on the last one for after (which fang adds to it): after is held
// to the last word with a no-break space while wrapping. A word wider
// than room (a list of CSV columns, "name,type,…[,owner_email]") is
// broken too, before its optional parts ("[,owner_phone]") if that is
// enough, else after a comma: the terminal would break it anywhere.
func wrapText(s, after string, room int) string {
	if ansi.StringWidth(s+after) <= room || strings.Contains(s, "\n") {
		return s
	}
	glued := strings.Replace(after, " ", "\u00a0", 1)
	var w string
	for _, breakpoints := range []string{"", "]", "],"} {
		if w = wordwrap(s+glued, room, breakpoints); fits(w, room) {
			break
		}
	}
	return strings.TrimSuffix(w, glued)
}

// fits reports whether every line of s is room columns at most.
func fits(s string, room int) bool {
	for _, l := range strings.Split(s, "\n") {
		if ansi.StringWidth(l) > room {
			return false
		}
	}
	return true
}

// wordwrap is ansi.Wordwrap, which breaks a line at spaces and
// breakpoints, and also after any hyphen: "e-" / "mail", "--mail-" /
// "from", "xx11111-" / "ovh", a word or a name to copy cut in two
// (Portuguese and French write e-mail in nearly every line). Its hyphens
// are held to their words while it wraps (a non-breaking hyphen, as wide).
func wordwrap(s string, room int, breakpoints string) string {
	const held = "\u2011"
	return strings.ReplaceAll(ansi.Wordwrap(strings.ReplaceAll(s, "-", held), room, breakpoints), held, "-")
}

// trimLines passes on what is written to it a line at a time, without
// the spaces that end a line. fang pads every line of a help page with
// spaces to the width it draws at — 120 columns when standard output is
// no terminal — and a page saved to a file, piped to grep or less, or
// compared with diff carried them (a terminal shows nothing of them, so
// on one help is written as it is). fang has no option for it, and
// lipgloss pads whatever is rendered at a width. What ends without a
// newline is passed on by flush.
type trimLines struct {
	w       io.Writer
	pending []byte
	// fang's words, translated (see helpOut)
	out *helpOut
}

func (t *trimLines) Write(p []byte) (int, error) {
	t.pending = append(t.pending, t.out.translate(p)...)
	for {
		i := bytes.IndexByte(t.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := append(bytes.TrimRight(t.pending[:i], " "), '\n')
		t.pending = t.pending[i+1:]
		if _, err := t.w.Write(line); err != nil {
			return len(p), err
		}
	}
}

func (t *trimLines) flush() {
	if len(t.pending) > 0 {
		t.w.Write(t.pending) //nolint:errcheck // as fang's own writes: nothing to tell
		t.pending = nil
	}
}
