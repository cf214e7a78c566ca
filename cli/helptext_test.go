package cli

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

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
