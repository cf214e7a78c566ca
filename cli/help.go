package cli

import (
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/muesli/mango"
	mpflag "github.com/muesli/mango-pflag"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"contactdesk/locale"
)

// newCmdHelp is the help command: "help request create" is
// "request create --help", and a command that does not exist is a
// misuse (cobra's own prints the root's help and exits 0).
func newCmdHelp() *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND...]",
		Short: "Help about any command",
		Long:  "Help about any command: what it does, its usage, examples and flags.",
		Example: `contactdesk help request create
contactdesk request create --help`,
		DisableFlagsInUseLine: true,
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			cmd, _, err := c.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []string
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					names = append(names, sub.Name()+"\t"+sub.Short)
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err != nil { // a word that is no command of the root
				return subcommandArgs(c.Root(), args)
			}
			if len(rest) > 0 {
				return subcommandArgs(cmd, rest)
			}
			cmd.InitDefaultHelpFlag()
			cmd.LocalFlags() // brings in the global flags, for the list
			return cmd.Help()
		},
	}
}

// newCmdMan prints the manual page. fang has one, but it writes to the
// process's stdout whatever the command was given, and mango-cobra lists
// hidden flags and makes a paragraph of every line of a description.
func newCmdMan(a *app) *cobra.Command {
	return &cobra.Command{
		Use:                   "man",
		Short:                 "Print the manual page (roff)",
		Long:                  "Print the manual page, in roff: contactdesk man | man -l -",
		Example:               "contactdesk man > /usr/local/share/man/man1/contactdesk.1",
		Hidden:                true,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root := cmd.Root()
			page := mango.NewManPage(1, root.Name(), root.Short).WithLongDescription(paragraphs(root.Long))
			page.Root = *mango.NewCommand(root.Name(), "", "")
			if err := manTree(&page.Root, root); err != nil {
				return err
			}
			l := locale.EN
			if a.l != nil {
				l = a.l.Lang()
			}
			_, err := fmt.Fprint(cmd.OutOrStdout(), page.Build(manHeading{roff.NewDocument(), manWords(l)}))
			return err
		},
	}
}

// manHeading writes the page's heading with the manual's usual title for
// section 1: mango gives the page's description there, which man(1)
// prints in the header line, where a sentence overlaps the page's name.
// It writes mango's words, its section headings (NAME, SYNOPSIS…), the
// subcommands' OPTIONS and COMMANDS and the synopsis's "options...",
// in the command line's language (words: nil in English), as the help
// pages are: a Portuguese page read NAME, SYNOPSIS, DESCRIPTION above
// its Portuguese text.
type manHeading struct {
	*roff.Document
	words map[string]string
}

// manHeadings are the headings mango writes that fang's help pages do
// not (its OPTIONS is the help's "flags", its COMMANDS theirs).
var manHeadings = []string{"name", "synopsis", "description"}

// manWords maps mango's words, as it writes them ("NAME", "options..."),
// to language l's; nil in English.
func manWords(l locale.Lang) map[string]string {
	if l == locale.EN {
		return nil
	}
	m := map[string]string{}
	for _, h := range append(manHeadings, "commands", "flags") {
		if s, ok := locale.Help(l, allCommands, "heading."+h); ok {
			written := strings.ToUpper(h)
			if h == "flags" {
				written = "OPTIONS"
			}
			m[written] = strings.ToUpper(s)
		}
	}
	m["options..."] = placeholder(l, "flags") + "..."
	m["argument..."] = placeholder(l, "args") + "..."
	return m
}

func (m manHeading) word(s string) string {
	if t, ok := m.words[s]; ok {
		return t
	}
	return s
}

func (m manHeading) Section(s string)    { m.Document.Section(m.word(strings.ToUpper(s))) }
func (m manHeading) TextBold(s string)   { m.Document.TextBold(m.word(s)) }
func (m manHeading) TextItalic(s string) { m.Document.TextItalic(m.word(s)) }

func (m manHeading) Heading(section uint, title, _ string, ts time.Time) {
	m.Document.Heading(section, title, "General Commands Manual", ts)
}

// manTree adds the commands and visible flags of c to item.
func manTree(item *mango.Command, c *cobra.Command) error {
	for _, sub := range c.Commands() {
		if !sub.IsAvailableCommand() {
			continue
		}
		use := sub.Use
		if f := sub.Annotations[usageFlags]; f != "" {
			use += " " + f
		}
		child := mango.NewCommand(sub.Name(), sub.Short, use)
		if err := item.AddCommand(child); err != nil {
			return err
		}
		if err := manTree(child, sub); err != nil {
			return err
		}
	}
	visit := mpflag.PFlagCommandVisitor(item)
	visible := func(f *pflag.Flag) {
		if !f.Hidden && f.Name != "help" && f.Name != "version" { // every command has help; version is cobra's (mango writes their -h and -v as --h, --v)
			visit(f)
		}
	}
	c.LocalNonPersistentFlags().VisitAll(visible)
	c.PersistentFlags().VisitAll(visible)
	return nil
}

// paragraphs joins the lines of a text written for a terminal (at most
// 80 columns) into one line per paragraph, for roff to fill.
func paragraphs(s string) string {
	ps := strings.Split(s, "\n\n")
	for i, p := range ps {
		ps[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(ps, "\n") // mango makes a paragraph of each line
}

// versionText is what --version writes: the line "contactdesk version
// v1.4.0 (revision …)", the program's name first and the version (v)
// third in every language ("contactdesk versão v1.4.0 (revisão …)"), for
// scripts that take it with cut -d' ' -f3; and with --json (asJSON), the
// same as JSON, whatever the language (versionJSON).
func versionText(l *locale.Localizer, asJSON bool) string {
	info, _ := debug.ReadBuildInfo()
	if asJSON {
		return versionJSON(info)
	}
	return l.T("cli.version.line", locale.Args{"Name": "contactdesk", "Version": versionOf(info, l)}) + "\n"
}

// build is what the Go toolchain recorded of a build, as --version
// says it: the module's version ("devel" when none), and the VCS
// revision in full, its time and whether the tree had uncommitted
// changes ("" and false when none was recorded).
type build struct {
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified"`
}

// buildOf reads the build info (nil: none).
func buildOf(info *debug.BuildInfo) build {
	b := build{Version: "devel"}
	if info == nil {
		return b
	}
	if info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// versionJSON is what --version --json writes of the build info (nil:
// none): {"version": "v1.4.0", "revision": "164025e4c1f2…", "time":
// "2026-11-30T15:41:00Z", "modified": false}, the revision in full, and
// with neither revision nor time when the build recorded none.
func versionJSON(info *debug.BuildInfo) string {
	b, _ := json.MarshalIndent(buildOf(info), "", "  ") // strings and a bool: no error
	return string(b) + "\n"
}

// versionOf says the version of the build info (nil: none) in l's
// language.
func versionOf(info *debug.BuildInfo, l *locale.Localizer) string {
	b := buildOf(info)
	if b.Revision == "" {
		return b.Version + " (" + l.T("cli.version.no_revision") + ")"
	}
	rev := b.Revision
	if len(rev) > 12 {
		rev = rev[:12]
	}
	parts := []string{l.T("cli.version.revision", locale.Args{"Revision": rev})}
	if b.Time != "" {
		parts = append(parts, b.Time)
	}
	if b.Modified {
		parts = append(parts, l.T("cli.version.modified"))
	}
	return b.Version + " (" + strings.Join(parts, ", ") + ")"
}
