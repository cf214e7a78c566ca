package locale

import (
	"embed"
	"fmt"
	"sync"

	"github.com/BurntSushi/toml"
)

// The command line's help (its commands' descriptions, their flags', the
// groups of the root's list) in each language. English is written in the
// commands themselves; help.en.toml is a copy of it, kept equal to them
// by a test of the command line, so that a change of the English shows
// beside what the other languages say (as a gettext template does).
//
// A file holds a table per command, named by its path without the
// program's name ("request create"; the root is "contactdesk"), with
// short, long and example, "flag.NAME" for a flag and "group.ID" for a
// group of commands.
//
//go:embed help.*.toml
var helpFiles embed.FS

// helpTexts reads the help catalogues the first time help is asked for
// in a language other than English: most runs never need them.
var helpTexts = sync.OnceValue(loadHelp)

func loadHelp() map[Lang]map[string]map[string]string {
	out := map[Lang]map[string]map[string]string{}
	for _, l := range Langs {
		name := "help." + string(l) + ".toml"
		buf, err := helpFiles.ReadFile(name)
		if err != nil {
			panic(fmt.Sprintf("locale: %s: %v", name, err))
		}
		var t map[string]map[string]string
		if err := toml.Unmarshal(buf, &t); err != nil {
			panic(fmt.Sprintf("locale: %s: %v", name, err))
		}
		if l == FR {
			for _, fields := range t {
				for k, v := range fields {
					if k != "example" { // commands, whatever the language
						fields[k] = frenchPunctuation(v)
					}
				}
			}
		}
		out[l] = t
	}
	return out
}

// Help returns the help text field of command cmd in language l, and
// whether the catalogue has it.
func Help(l Lang, cmd, field string) (string, bool) {
	s, ok := helpTexts()[l][cmd][field]
	return s, ok && s != ""
}

// HelpCatalogue returns the whole help catalogue of language l (for the
// tests that keep the catalogues equal to the commands).
func HelpCatalogue(l Lang) map[string]map[string]string { return helpTexts()[l] }
