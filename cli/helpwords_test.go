package cli

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"contactdesk/locale"
)

// helpPlaceholders are fang's words in each language, as a help page's
// usage line writes them, and the word a misuse's usage line says.
var helpPlaceholders = []struct {
	env, command, flags, misuse string
}{
	{"LANG=pt_PT.UTF-8", "[comando]", "[--opções]", "COMANDO"},
	{"LANG=fr_FR.UTF-8", "[commande]", "[--options]", "COMMANDE"},
	{"LANG=C", "[command]", "[--flags]", "COMMAND"},
}

// TestHelpPlaceholdersFollowTheLocale: fang writes its usage lines with
// English words, whatever the help's language: "contactdesk request
// [command] [--flags]" under UTILIZAÇÃO, "mail [command] [--flags]" in
// its lists. They are in the help's language ("[comando] [--opções]",
// "[commande] [--options]"), with the texts of the lists still in one
// column beside them, however wider the words are; English is as fang
// writes it. A misuse's usage line says the same word.
func TestHelpPlaceholdersFollowTheLocale(t *testing.T) {
	d := newDesk(t)
	for _, p := range helpPlaceholders {
		for _, args := range [][]string{{"--help"}, {"request", "--help"}, {"help", "request"}, {"key", "list", "--help"}, {"help", "--help"}} {
			r := d.withLang([]string{p.env}, args...)
			if r.code != 0 {
				t.Fatalf("%s %v: exit %d: %s", p.env, args, r.code, r.err)
			}
			use := "contactdesk " + strings.Join(args[:len(args)-1], " ")
			if args[0] == "help" {
				use = "contactdesk request"
			}
			if args[0] == "--help" {
				use = "contactdesk"
			}
			want := use + " " + p.command + " " + p.flags
			switch {
			case args[0] == "key":
				want = use + " [HANDLE] " + p.flags
			case args[0] == "help" && args[1] == "--help":
				want = "contactdesk help [" + p.misuse + "...] " + p.flags
			}
			if !strings.Contains(r.out, "\n    "+want+"\n") {
				t.Errorf("%s %v: no usage line %q:\n%s", p.env, args, want, r.out)
			}
			if p.command != "[command]" && (strings.Contains(r.out, "[command]") || strings.Contains(r.out, "[--flags]") || regexp.MustCompile(`\bCOMMAND\b`).MatchString(r.out)) {
				t.Errorf("%s %v: fang's English words are left:\n%s", p.env, args, r.out)
			}
			checkListColumn(t, p.env, args, r.out, 120)
		}
		if r := d.withLang([]string{p.env}, "--help"); !strings.Contains(r.out, "\n    mail "+p.command+" "+p.flags+" ") ||
			!strings.Contains(r.out, "\n    help ["+p.misuse+"...] "+p.flags+" ") {
			t.Errorf("%s: the root's list of commands:\n%s", p.env, r.out)
		}
		r := d.withLang([]string{p.env}, "request", "bogus")
		if r.code != exitMisused || !strings.Contains(r.err, "contactdesk request "+p.misuse+"\n") {
			t.Errorf("%s request bogus: exit %d:\n%s", p.env, r.code, r.err)
		}
		r = d.withLang([]string{p.env}, "help", "--bogus")
		if help := "contactdesk help [" + p.misuse + "...]\n"; r.code != exitMisused || !strings.Contains(r.err, help) {
			t.Errorf("%s help --bogus: exit %d, want %q:\n%s", p.env, r.code, help, r.err)
		}
	}
}

// checkListColumn checks that the texts of the lists of a help page
// (commands, flags), and of their lines that go on, start in one column,
// and that no line of the page shows more than width columns.
func checkListColumn(t *testing.T, env string, args []string, page string, width int) {
	t.Helper()
	lines := strings.Split(page, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ") // a terminal shows none of them
	}
	heading := func(l string) bool {
		return strings.TrimSpace(l) != "" && l == "  "+strings.ToUpper(strings.TrimSpace(l)) && !strings.ContainsAny(l, "-[")
	}
	// the lists follow the examples
	start := 0
	for i, l := range lines {
		if heading(l) && start == 0 && i > 0 {
			if w := strings.TrimSpace(l); w == "EXEMPLOS" || w == "EXEMPLES" || w == "EXAMPLES" {
				start = -1 // the next heading
			}
			continue
		}
		if heading(l) && start == -1 {
			start = i
		}
	}
	item := regexp.MustCompile(`^    \S.*?  +\S`)
	goesOn := regexp.MustCompile(`^ {5,}\S`)
	columns := map[int][]string{}
	for _, l := range lines[max(start, 0):] {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("%s %v: %d columns wide: %q", env, args, w, l)
		}
		m := item.FindString(l)
		if m != "" {
			columns[ansi.StringWidth(m)-1] = append(columns[ansi.StringWidth(m)-1], l)
		} else if m = goesOn.FindString(l); m != "" {
			columns[len(m)-1] = append(columns[len(m)-1], l)
		}
		if m != "" && strings.Contains(l[len(m):], "  ") {
			t.Errorf("%s %v: spaces in the text of a list: %q", env, args, l)
		}
	}
	if len(columns) != 1 {
		t.Errorf("%s %v: the texts of the lists start in %d columns: %v", env, args, len(columns), columns)
	}
}

// TestHelpPlaceholdersOnATerminal: on a terminal fang styles its words
// (and draws the usage line in a box, in colour): they are in the help's
// language there too, in colour as without it.
func TestHelpPlaceholdersOnATerminal(t *testing.T) {
	d := newDesk(t)
	for _, p := range helpPlaceholders {
		lang := strings.TrimPrefix(p.env, "LANG=")
		for _, noColor := range []string{"", "1"} {
			shown, code, _ := d.onTerminal(map[string]string{"TERM": "xterm-256color", "NO_COLOR": noColor, "LANG": lang, "LC_ALL": "", "LC_MESSAGES": ""}, "request", "--help")
			plain := strings.ReplaceAll(ansi.Strip(shown), "\r\n", "\n")
			if want := "contactdesk request " + p.command + " " + p.flags; code != 0 || !strings.Contains(plain, want) {
				t.Errorf("LANG=%s NO_COLOR=%q: exit %d, no %q:\n%s", lang, noColor, code, want, plain)
			}
			if noColor == "" && !strings.Contains(shown, "\x1b[") {
				t.Errorf("LANG=%s: no colour:\n%q", lang, shown)
			}
			checkListColumn(t, p.env, []string{"request", "--help", "NO_COLOR=" + noColor}, plain, 100)
		}
	}
}

// TestTheUsageBoxGrowsWithItsWords: fang draws the usage line, and the
// examples, in boxes of one width, with a background; a translated word
// wider than fang's widens both, the padding of every line of them too.
func TestTheUsageBoxGrowsWithItsWords(t *testing.T) {
	const bg, off = "\x1b[44m", "\x1b[m"
	pad := "  " + bg + strings.Repeat(" ", 27) + off
	usage := "\n" + pad + "\n  " + bg + "  " + off + "\x1b[94;44mcontactdesk x" + off + "\x1b[90;44m [--flags]" + off + bg + "  " + off + "\n" + pad + "\n"
	example := pad + "\n  " + bg + "  " + off + "\x1b[97;44mcontactdesk x y" + off + bg + "          " + off + "\n" + pad + "\n"
	h := &helpOut{headings: headings(locale.FR), words: placeholders(locale.FR)}
	var rows []string
	for _, w := range []string{"\n  \x1b[1mUSAGE" + off + "\n", usage, "\n  \x1b[1mEXAMPLES" + off + "\n", example} {
		rows = append(rows, strings.Split(string(h.translate([]byte(w))), "\n")...)
	}
	plain := ansi.Strip(strings.Join(rows, "\n"))
	if !strings.Contains(plain, "contactdesk x [--options]  \n") || !strings.Contains(plain, "UTILISATION") || !strings.Contains(plain, "EXEMPLES") {
		t.Errorf("the usage line, in French:\n%s", plain)
	}
	for _, r := range rows {
		if strings.Contains(r, bg) && ansi.StringWidth(r) != 2+29 {
			t.Errorf("a row of a box is %d columns wide, not %d: %q", ansi.StringWidth(r), 2+29, r)
		}
	}
}
