package cli

import (
	"bytes"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"contactdesk/locale"
)

// The command line's help follows the locale's language, as its output
// does: each command's description, example comments and flags, and the
// groups of the root's list, from the help catalogues of package locale
// (English is what the commands say; help.en.toml is kept equal to it by
// TestHelpCataloguesMatchTheCommands). fang's headings (USAGE, FLAGS…)
// are written in the language too (see headings), and the words of its
// usage lines ("[command] [--flags]", see placeholders); cobra's own
// messages are English in every language.

// allCommands is the help catalogue's entry for what every command has:
// its --help flag, "help for" and the command's name.
const allCommands = "*"

// helpKey names cmd in the help catalogues: its path without the
// program's name, the root by its own.
func helpKey(cmd *cobra.Command) string {
	if !cmd.HasParent() {
		return cmd.Name()
	}
	return commandName(cmd)
}

// helpFields calls fn with every text of the help of root's tree that a
// catalogue may translate (hidden flags have none, nor cobra's own
// hidden commands, __complete…; a hidden command of ours, man, has a
// help page in the reader's language, its --help, as any other), and a
// place to write its translation.
func helpFields(root *cobra.Command, fn func(cmd, field string, text *string)) {
	fn(allCommands, "flag.help", new(string))
	for _, h := range append(fangHeadings, manHeadings...) {
		fn(allCommands, "heading."+h, new(string))
	}
	for _, p := range fangPlaceholders {
		fn(allCommands, "placeholder."+p.key, new(string))
	}
	for _, g := range root.Groups() {
		fn(helpKey(root), "group."+g.ID, &g.Title)
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden && strings.HasPrefix(c.Name(), "__") {
			return
		}
		k := helpKey(c)
		fn(k, "short", &c.Short)
		if c.Long != "" {
			fn(k, "long", &c.Long)
		}
		// examples are commands, in every language; only their
		// comments are words
		if strings.Contains(c.Example, "# ") {
			fn(k, "example", &c.Example)
		}
		// its own flags, persistent or not (the root's --as, which
		// shadows a persistent one of its name, included)
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden && f.Name != "help" {
				fn(k, "flag."+f.Name, &f.Usage)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// englishHelp returns the English texts of root's help, as the help
// catalogues hold them.
func englishHelp(root *cobra.Command) map[string]map[string]string {
	out := map[string]map[string]string{}
	helpFields(root, func(cmd, field string, text *string) {
		if out[cmd] == nil {
			out[cmd] = map[string]string{}
		}
		if cmd == allCommands && field == "flag.help" {
			*text = "help for"
		}
		if h, ok := strings.CutPrefix(field, "heading."); ok && cmd == allCommands {
			*text = h
		}
		if p, ok := strings.CutPrefix(field, "placeholder."); ok && cmd == allCommands {
			*text = p
		}
		out[cmd][field] = *text
	})
	return out
}

// speakHelp writes root's help in language l. A text the catalogue lacks
// stays English (the tests make sure none does).
func speakHelp(root *cobra.Command, l locale.Lang) {
	if l == locale.EN {
		return
	}
	helpFields(root, func(cmd, field string, text *string) {
		if s, ok := locale.Help(l, cmd, field); ok {
			*text = s
		}
	})
	helpFor, ok := locale.Help(l, allCommands, "flag.help")
	if !ok {
		return
	}
	// COMMAND, in a usage line ("help [COMMAND...]"), is the word of
	// fang's "[command]" (see placeholders)
	command := strings.ToUpper(placeholder(l, "command"))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		if f := c.Flags().Lookup("help"); f != nil {
			f.Usage = helpFor + " " + c.Name()
		}
		c.Use = strings.ReplaceAll(c.Use, "COMMAND", command)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// fangHeadings are the headings of fang's help pages, as fang names
// them before it writes them in capitals.
var fangHeadings = []string{"usage", "examples", "commands", "flags"}

// headings maps each heading of fang's help pages, as it writes them
// ("USAGE"), to language l's ("UTILIZAÇÃO"); nil in English.
func headings(l locale.Lang) map[string]string {
	if l == locale.EN {
		return nil
	}
	m := map[string]string{}
	for _, h := range fangHeadings {
		if s, ok := locale.Help(l, allCommands, "heading."+h); ok {
			m[strings.ToUpper(h)] = strings.ToUpper(s)
		}
	}
	return m
}

// translateHeading returns p, a write of fang's help page, with its
// heading in the language of hs when p is one (its text, without its
// styling and spaces, is a heading: fang writes each on its own), else
// p as it is. fang writes its headings itself, in English, with no
// option to name them otherwise: its help page is translated here, on
// its way out, as the rest of it is before (speakHelp).
func translateHeading(p []byte, hs map[string]string) []byte {
	if len(hs) == 0 || len(p) > 200 {
		return p
	}
	word := strings.TrimSpace(ansi.Strip(string(p)))
	if t, ok := hs[word]; ok {
		return bytes.Replace(p, []byte(word), []byte(t), 1)
	}
	return p
}
