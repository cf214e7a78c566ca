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

// TestHelpFitsEightyColumns: at 80 columns, no line of a help page is
// wider, in any language, so the terminal breaks nothing mid-word. fang
// reads its width once per process, so each page is drawn by a child
// process (this test binary) told the width as fang's tests tell it.
var brokenHyphen = regexp.MustCompile(`[\p{L}\p{N}-]-$`)

func TestHelpFitsEightyColumns(t *testing.T) {
	if args := os.Getenv("CONTACTDESK_HELP_PAGE"); args != "" {
		os.Exit(Run(context.Background(), strings.Fields(args), strings.NewReader(""), os.Stdout, os.Stderr, os.Getenv))
	}
	pages := []string{"--help", "owner --help", "api-key --help", "profile --help", "mail --help", "profile set-email --help", "key add --help", "request create --help", "help request", "export services --help", "serve --help",
		"api-key remove --help", "account --help", "import accounts --help"}
	for _, lang := range []string{"C", "pt_PT.UTF-8", "fr_FR.UTF-8"} {
		for _, page := range pages {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelpFitsEightyColumns$")
			cmd.Env = append(os.Environ(), "CONTACTDESK_HELP_PAGE="+page, "__FANG_TEST_WIDTH=80", "LANG="+lang, "LC_ALL=", "LC_MESSAGES=",
				"CONTACTDESK_DB="+filepath.Join(t.TempDir(), "none.db"))
			out, err := cmd.Output()
			if err != nil || !strings.Contains(string(out), "--db") {
				t.Fatalf("LANG=%s contactdesk %s: %v\n%s", lang, page, err, out)
			}
			// the root lists --as among its flags (a support-staff
			// command, which refuses it, does not), and no heading
			// writes a flag in capitals (--AS)
			asFlag := regexp.MustCompile(`(?m)^\s+--as\s`).Match(out)
			if page == "--help" && !asFlag || page == "account --help" && asFlag || strings.Contains(string(out), "--AS") {
				t.Errorf("LANG=%s contactdesk %s: --as listed %v:\n%s", lang, page, asFlag, out)
			}
			for _, line := range strings.Split(string(out), "\n") {
				if w := ansi.StringWidth(line); w > 80 {
					t.Errorf("LANG=%s contactdesk %s: a line of %d columns:\n%s", lang, page, w, line)
				}
				// nor is a word broken at its hyphen: "e-" / "mail",
				// "--mail-" / "from"
				if brokenHyphen.MatchString(line) {
					t.Errorf("LANG=%s contactdesk %s: a word broken at its hyphen:\n%s", lang, page, line)
				}
			}
		}
	}
}
