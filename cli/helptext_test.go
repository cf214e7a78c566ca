package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"contactdesk/locale"
)

var updateHelp = flag.Bool("update-help", false, "write locale/help.en.toml from the commands")

// TestHelpCataloguesMatchTheCommands: help.en.toml holds exactly the
// English the commands say (go test ./cli -run HelpCatalogues
// -update-help writes it), and the other languages translate every text
// of it, no more, keeping its flags, $VARIABLES and CAPITAL words (the
// names the usage lines use) as they are.
func TestHelpCataloguesMatchTheCommands(t *testing.T) {
	root := newRoot(&app{})
	en := englishHelp(root)
	names := usageNames(root)
	if *updateHelp {
		if err := os.WriteFile("../locale/help.en.toml", []byte(helpTOML(en)), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("wrote ../locale/help.en.toml: translate what changed in help.pt.toml and help.fr.toml")
	}
	if got := locale.HelpCatalogue(locale.EN); !equalHelp(got, en) {
		t.Errorf("locale/help.en.toml is not what the commands say: run go test ./cli -run HelpCatalogues -update-help, then translate what changed")
	}
	for _, l := range []locale.Lang{locale.PT, locale.FR} {
		tr := locale.HelpCatalogue(l)
		for _, cmd := range sortedKeys(en) {
			for _, field := range sortedKeys(en[cmd]) {
				s, ok := tr[cmd][field]
				if !ok || strings.TrimSpace(s) == "" {
					t.Errorf("help.%s.toml: [%q] %s is missing", l, cmd, field)
					continue
				}
				for _, w := range kept(en[cmd][field], names) {
					if !slices.Contains(kept(s, names), w) {
						t.Errorf("help.%s.toml: [%q] %s leaves out %s", l, cmd, field, w)
					}
				}
			}
		}
		for cmd, fields := range tr {
			for field := range fields {
				if _, ok := en[cmd][field]; !ok {
					t.Errorf("help.%s.toml: [%q] %s is no text of the commands", l, cmd, field)
				}
			}
		}
	}
}

// keptWords are the words a translation keeps: flags, environment
// variables, and the capital names of the usage lines (HANDLE, URL…);
// other capitals (a table's column, YOU) are words to translate.
var keptWords = regexp.MustCompile(`--[a-z][a-z0-9-]*|\$[A-Z_]+|\b[A-Z][A-Z0-9_]{2,}\b`)

func kept(s string, names map[string]bool) []string {
	var ws []string
	for _, w := range keptWords.FindAllString(s, -1) {
		if w[0] == '-' || w[0] == '$' || names[w] {
			ws = append(ws, w)
		}
	}
	slices.Sort(ws)
	return slices.Compact(ws)
}

// usageNames are the capital names the usage lines of root's tree use.
func usageNames(root *cobra.Command) map[string]bool {
	names := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, w := range keptWords.FindAllString(c.Use+" "+c.Annotations[usageFlags], -1) {
			names[w] = true
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	// also a column of mail list, which the help names as the table
	// shows it: CÓDIGO, JETON
	delete(names, "TOKEN")
	return names
}

func equalHelp(a, b map[string]map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, fa := range a {
		fb, ok := b[k]
		if !ok || len(fa) != len(fb) {
			return false
		}
		for f, s := range fa {
			if fb[f] != s {
				return false
			}
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// helpTOML writes a help catalogue as TOML, a text on several lines as
// a multi-line string, for translators to read as the help shows it.
func helpTOML(h map[string]map[string]string) string {
	var b strings.Builder
	b.WriteString("# The command line's help in English, as the commands say it (written by\n# go test ./cli -run HelpCatalogues -update-help; see help.go).\n")
	for _, cmd := range sortedKeys(h) {
		fmt.Fprintf(&b, "\n[%q]\n", cmd)
		for _, field := range sortedKeys(h[cmd]) {
			fmt.Fprintf(&b, "%q = %s\n", field, tomlString(h[cmd][field]))
		}
	}
	return b.String()
}

func tomlString(s string) string {
	if !strings.Contains(s, "\n") {
		return fmt.Sprintf("%q", s)
	}
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"""`, `\"""`)
	return "\"\"\"\n" + s + "\"\"\""
}

// TestHelpExamplesFit: fang cuts an example line wider than its block
// with …; at 80 columns the block holds 72. Every example of every
// command, in every language, is at most 72 columns (a longer one goes
// on with a shell continuation).
func TestHelpExamplesFit(t *testing.T) {
	for _, l := range []locale.Lang{locale.EN, locale.PT, locale.FR} {
		root := newRoot(&app{})
		speakHelp(root, l)
		var walk func(c *cobra.Command)
		walk = func(c *cobra.Command) {
			for _, line := range strings.Split(c.Example, "\n") {
				if n := len([]rune(line)); n > 72 {
					t.Errorf("%s: %q's example line is %d columns: %s", l, c.CommandPath(), n, line)
				}
			}
			for _, sub := range c.Commands() {
				walk(sub)
			}
		}
		walk(root)
	}
}

// TestHelpFitsEightyColumns: at 80 columns, no line of any help page is
// wider, in any language, so the terminal breaks nothing mid-word (nor a
// command to copy: "$(brew --" / "prefix)"). fang reads its width once
// per process, so the pages are drawn by a child process (this test
// binary) told the width as fang's tests tell it, one per language, each
// page after a line naming it.
var brokenHyphen = regexp.MustCompile(`[\p{L}\p{N}-]-$`)

const helpPageMark = "=== help page: "

func TestHelpFitsEightyColumns(t *testing.T) {
	if pages := os.Getenv("CONTACTDESK_HELP_PAGES"); pages != "" {
		for _, args := range strings.Split(pages, ",") {
			fmt.Println(helpPageMark + args)
			if code := Run(context.Background(), strings.Fields(args), strings.NewReader(""), os.Stdout, os.Stderr, os.Getenv); code != 0 {
				fmt.Printf("exit %d\n", code)
			}
		}
		os.Exit(0)
	}
	// every page: each command's --help, and help COMMAND for a few
	pages := []string{"--help", "help request", "help completion zsh"}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				pages = append(pages, commandName(sub)+" --help")
				walk(sub)
			}
		}
	}
	walk(newRoot(&app{}))
	if len(pages) < 60 || !slices.Contains(pages, "completion bash --help") || !slices.Contains(pages, "import services --help") {
		t.Fatalf("the pages to draw: %q", pages)
	}
	for _, lang := range []string{"C", "pt_PT.UTF-8", "fr_FR.UTF-8"} {
		drawn := drawHelp(t, pages, "80", lang)
		for _, out := range drawn {
			page, out, _ := strings.Cut(out, "\n")
			if !strings.Contains(out, "--db") || strings.Contains(out, "\nexit ") {
				t.Fatalf("LANG=%s contactdesk %s:\n%s", lang, page, out)
			}
			// the root lists --as among its flags (a support-staff
			// command, which refuses it, does not), and no heading
			// writes a flag in capitals (--AS)
			asFlag := regexp.MustCompile(`(?m)^\s+--as\s`).MatchString(out)
			if page == "--help" && !asFlag || page == "account --help" && asFlag || strings.Contains(out, "--AS") {
				t.Errorf("LANG=%s contactdesk %s: --as listed %v:\n%s", lang, page, asFlag, out)
			}
			for _, line := range strings.Split(out, "\n") {
				if w := ansi.StringWidth(line); w > 80 {
					t.Errorf("LANG=%s contactdesk %s: a line of %d columns:\n%s", lang, page, w, line)
				}
				// nor is a word broken at its hyphen: "e-" / "mail",
				// "--mail-" / "from", "$(brew --" / "prefix)"
				if brokenHyphen.MatchString(line) {
					t.Errorf("LANG=%s contactdesk %s: a word broken at its hyphen:\n%s", lang, page, line)
				}
			}
		}
	}
}

// TestCompletionHelpKeepsItsCommandsWhole: cobra's help of a shell's
// completion shows commands to copy; one too wide for 80 columns goes on
// with a shell continuation, broken before its redirection, never inside
// $(…) or a word.
func TestCompletionHelpKeepsItsCommandsWhole(t *testing.T) {
	for _, c := range []struct {
		line string
		room int
		want string
	}{
		{"\tcontactdesk completion bash > $(brew --prefix)/etc/bash_completion.d/contactdesk", 78,
			"\tcontactdesk completion bash \\\n\t  > $(brew --prefix)/etc/bash_completion.d/contactdesk"},
		{"\tcontactdesk completion zsh > $(brew --prefix)/share/zsh/site-functions/_contactdesk", 78,
			"\tcontactdesk completion zsh \\\n\t  > $(brew --prefix)/share/zsh/site-functions/_contactdesk"},
		{"\tcontactdesk completion zsh > \"${fpath[1]}/_contactdesk\"", 78, "\tcontactdesk completion zsh > \"${fpath[1]}/_contactdesk\""},
		// never after a redirection, nor inside quotes; what can't be
		// broken stays whole
		{"    echo 'a b c d e f g h i j k l m n o p q r s t u v w x y z' > /tmp/a", 62,
			"    echo \\\n      'a b c d e f g h i j k l m n o p q r s t u v w x y z' \\\n      > /tmp/a"},
		{"\tcontactdesk completion zsh > $(brew --prefix)/share/zsh/site-functions/_contactdesk", 40,
			"\tcontactdesk completion zsh \\\n\t  > $(brew --prefix)/share/zsh/site-functions/_contactdesk"},
		{"\t" + strings.Repeat("x", 90), 78, "\t" + strings.Repeat("x", 90)},
		// PowerShell reads a backslash as a command: after a pipe, a
		// line goes on in every shell; elsewhere, with its backtick
		{"\tcontactdesk completion powershell | Out-String | Invoke-Expression", 62,
			"\tcontactdesk completion powershell | Out-String |\n\t  Invoke-Expression"},
		{"\tcontactdesk completion powershell | Out-String | Invoke-Expression", 40,
			"\tcontactdesk completion powershell |\n\t  Out-String | Invoke-Expression"},
		{"\tcontactdesk completion powershell > contactdesk.ps1", 40,
			"\tcontactdesk completion powershell `\n\t  > contactdesk.ps1"},
	} {
		if got := continueCommand(c.line, c.room); got != c.want {
			t.Errorf("continueCommand(%q, %d):\n%s\nwant\n%s", c.line, c.room, got, c.want)
		}
	}
}

// drawHelp draws pages (each the words after contactdesk, such as
// "services --help") at width columns under LANG=lang, in a process of
// their own (TestHelpFitsEightyColumns run with CONTACTDESK_HELP_PAGES),
// and returns each page as drawn, in order.
func drawHelp(t *testing.T, pages []string, width, lang string) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelpFitsEightyColumns$")
	cmd.Env = append(os.Environ(), "CONTACTDESK_HELP_PAGES="+strings.Join(pages, ","), "__FANG_TEST_WIDTH="+width, "LANG="+lang, "LC_ALL=", "LC_MESSAGES=",
		"CONTACTDESK_DB="+filepath.Join(t.TempDir(), "none.db"))
	all, err := cmd.Output()
	if err != nil {
		t.Fatalf("LANG=%s: %v\n%s", lang, err, all)
	}
	drawn := strings.Split(string(all), helpPageMark)[1:]
	if len(drawn) != len(pages) {
		t.Fatalf("LANG=%s: %d pages drawn of %d:\n%s", lang, len(drawn), len(pages), all)
	}
	return drawn
}

// TestHelpOfHelpWrapsAsTheOthers: help --help (and help -h, help
// request --help) wraps the descriptions of its flags at the width every
// other page does, in every language, at 80 columns and at 120 (standard
// output no terminal): it wrapped them as the root's page would, whose
// column of names is wider, a dozen columns early ("…connections to the"
// / "server (default: …"). help has the same column of names as
// services: their shared flags are to read alike.
func TestHelpOfHelpWrapsAsTheOthers(t *testing.T) {
	pages := []string{"services --help", "help --help", "help -h", "help request --help"}
	for _, width := range []string{"80", "120"} {
		for _, lang := range []string{"C", "pt_PT.UTF-8", "fr_FR.UTF-8"} {
			drawn := drawHelp(t, pages, width, lang)
			want := flagLines(drawn[0], "--db", "--pool", "--smtp")
			if !strings.Contains(want, "--smtp") || !strings.Contains(want, "\n") {
				t.Fatalf("LANG=%s, %s columns: services --help's flags: %q\n%s", lang, width, want, drawn[0])
			}
			for i, out := range drawn[1:] {
				if got := flagLines(out, "--db", "--pool", "--smtp"); got != want {
					t.Errorf("LANG=%s, %s columns: contactdesk %s's flags wrap otherwise than services --help's:\n%s\nwant:\n%s", lang, width, pages[i+1], got, want)
				}
			}
		}
	}
}

// flagLines is what page says of each of flags, its lines as drawn,
// one after the other.
func flagLines(page string, flags ...string) string {
	var b strings.Builder
	lines := strings.Split(page, "\n")
	for _, f := range flags {
		for i, l := range lines {
			if !strings.HasPrefix(strings.TrimSpace(l), f+" ") {
				continue
			}
			b.WriteString(l + "\n")
			for _, next := range lines[i+1:] {
				if t := strings.TrimSpace(next); t == "" || strings.HasPrefix(t, "-") {
					break
				}
				b.WriteString(next + "\n")
			}
			break
		}
	}
	return b.String()
}

// TestHelpParagraphsAreFilled: the long help of every command, in every
// language, is filled as a paragraph is: no line ends far short of the
// others while the next one's first word would have fit on it ("…the new
// desk. A new file is" / "readable by its owner only…"). The rule, in a
// paragraph (lines between blank ones; an indented line, a command to
// copy, ends it): a line followed by another is ragged when it ends
// farShort columns or more before the paragraph's longest line (at most
// 80), and the next line's first word fits before that; except a line
// that ends a sentence (. : ? !), a break the writer chose (cobra's
// completion texts, a sentence a line), and a first word that opens a
// quotation ('contactdesk config set …'), kept whole: the quotation is
// the word.
func TestHelpParagraphsAreFilled(t *testing.T) {
	for _, l := range []locale.Lang{locale.EN, locale.PT, locale.FR} {
		h := locale.HelpCatalogue(l)
		for _, cmd := range sortedKeys(h) {
			text, ok := h[cmd]["long"]
			if !ok {
				continue
			}
			for _, p := range strings.Split(text, "\n\n") {
				for _, short := range raggedLines(p) {
					t.Errorf("help.%s.toml [%q] long: the line %q ends short: the next line's first word fits on it", l, cmd, short)
				}
			}
		}
	}
	// the rule catches what it is for, and lets a quotation be
	if got := raggedLines("the new desk. A new file is\nreadable by its owner only (0600): the mailbox holds tokens."); len(got) != 1 {
		t.Errorf("raggedLines missed the demo's ragged line: %q", got)
	}
	if got := raggedLines("fr; sem ela, a default-lang do balcão\n('contactdesk config set default-lang pt'), senão en, e mais."); len(got) != 0 {
		t.Errorf("raggedLines broke a quotation: %q", got)
	}
}

// farShort: how many columns short of its paragraph's width a line ends
// to be ragged.
const farShort = 12

// raggedLines returns the lines of paragraph p that end short (see
// TestHelpParagraphsAreFilled).
func raggedLines(p string) []string {
	var lines []string
	for _, line := range strings.Split(p, "\n") {
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			break // a block of its own, after the paragraph
		}
		lines = append(lines, line)
	}
	width := 0
	for _, line := range lines {
		width = max(width, min(len([]rune(line)), 80))
	}
	var short []string
	for i := 0; i+1 < len(lines); i++ {
		n := len([]rune(lines[i]))
		if n == 0 || n > width-farShort || strings.ContainsAny(lines[i][len(lines[i])-1:], ".:?!") {
			continue
		}
		if next := firstWord(lines[i+1]); next != "" && n+1+len([]rune(next)) <= width {
			short = append(short, lines[i])
		}
	}
	return short
}

// firstWord is line's first word, or its first quotation, whole.
func firstWord(line string) string {
	words := strings.Fields(line)
	if len(words) == 0 {
		return ""
	}
	open := strings.TrimLeft(words[0], "(")
	for q, end := range map[string]string{"'": "'", "\"": "\"", "«": "»"} {
		if strings.HasPrefix(open, q) && !strings.Contains(open[len(q):], end) {
			for i := 1; i < len(words); i++ {
				if strings.Contains(words[i], end) {
					return strings.Join(words[:i+1], " ")
				}
			}
		}
	}
	return words[0]
}
