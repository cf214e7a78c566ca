package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"contactdesk/internal/syncbuf"
	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/server"
	"contactdesk/tui"
)

// What a newcomer tries first: the version, help, completions, the manual.

func TestVersion(t *testing.T) {
	d := newDesk(t)
	for _, args := range [][]string{{"--version"}, {"-v"}} {
		out := d.ok(args...)
		if !strings.HasPrefix(out, "contactdesk version ") || strings.Count(out, "\n") != 1 {
			t.Errorf("%v: %q", args, out)
		}
		// Tests are built without VCS stamping here (-buildvcs=false);
		// with it the revision is named.
		if !strings.Contains(out, "revision") {
			t.Errorf("%v does not speak of the VCS revision: %q", args, out)
		}
	}
}

// TestVersionSpeaksTheLanguage: --version reads in the command line's
// language, the version itself the third word in every one of them.
func TestVersionSpeaksTheLanguage(t *testing.T) {
	d := newDesk(t)
	for lang, want := range map[string]string{
		"C":           "contactdesk version devel (no VCS revision recorded: built outside a git checkout, or with -buildvcs=false)\n",
		"pt_PT.UTF-8": "contactdesk versão devel (nenhuma revisão VCS registada: compilado fora de um checkout git, ou com -buildvcs=false)\n",
		"fr_FR.UTF-8": "contactdesk version devel (aucune révision VCS enregistrée\u00a0: compilé hors d'un dépôt git, ou avec -buildvcs=false)\n",
	} {
		for _, flag := range []string{"--version", "-v"} {
			r := d.withLang([]string{"LANG=" + lang}, flag)
			if r.code != 0 || r.out != want || r.err != "" {
				t.Errorf("LANG=%s contactdesk %s: exit %d, stdout %q, stderr %q; want %q", lang, flag, r.code, r.out, r.err, want)
			}
			if f := strings.Fields(r.out); len(f) < 3 || f[2] != "devel" {
				t.Errorf("LANG=%s contactdesk %s: the version is not the third word: %q", lang, flag, r.out)
			}
		}
	}
}

// TestVersionTakesNoOtherFlag: --version with a flag that means nothing
// there (--as, --db, --pool, --smtp, --mail-from) is a misuse that
// names it, in the reader's language, and writes no version (it was
// accepted silently: --version --as X wrote the version); --json still
// writes it as JSON, and $CONTACTDESK_AS, the environment's, is no
// flag.
func TestVersionTakesNoOtherFlag(t *testing.T) {
	d := newDesk(t)
	for _, c := range []struct {
		args []string
		name string
	}{
		{[]string{"--version", "--as", "xx11111-ovh"}, "as"},
		{[]string{"--as", "xx11111-ovh", "-v"}, "as"},
		{[]string{"--version", "--db", "other.db"}, "db"},
		{[]string{"-v", "--pool", "3"}, "pool"},
		{[]string{"--version", "--smtp", "smtp://u:secret@mail.example.com:587"}, "smtp"},
		{[]string{"--mail-from", "desk@example.com", "--version"}, "mail-from"},
	} {
		for lang, says := range map[string]string{
			"C":           "contactdesk: --version writes the version and does nothing else: --" + c.name + " means nothing with it (only --json does: the version as JSON)\n",
			"pt_PT.UTF-8": "contactdesk: --version só mostra a versão: --" + c.name + " não tem efeito com ela (só --json tem: a versão em JSON)\n",
			"fr_FR.UTF-8": "contactdesk: --version affiche la version, rien d'autre : --" + c.name + " n'a aucun effet avec elle (seul --json en a un : la version en JSON)\n",
		} {
			r := d.withLang([]string{"LANG=" + lang}, c.args...)
			if r.code != 2 || r.out != "" || !strings.HasPrefix(r.err, says) || strings.Contains(r.err, "secret") {
				t.Errorf("LANG=%s %v: exit %d, stdout %q, stderr %q; want 2 and %q", lang, c.args, r.code, r.out, r.err, says)
			}
		}
	}
	// with --json, the refusal too is JSON (errjson_test.go)
	r := d.run("-v", "--json", "--pool", "3")
	if e := errorLine(t, nil, r.err); r.code != 2 || e.Kind != "usage" || !strings.Contains(e.Message, "--pool means nothing") {
		t.Errorf("-v --json --pool 3: exit %d, stderr %q", r.code, r.err)
	}
	r = d.withLang([]string{"CONTACTDESK_AS=xx11111-ovh"}, "--version")
	if r.code != 0 || !strings.HasPrefix(r.out, "contactdesk version ") {
		t.Errorf("--version with $CONTACTDESK_AS: exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
	}
	if _, err := os.Stat(filepath.Join(d.dir, "other.db")); err == nil {
		t.Errorf("--version --db other.db made other.db")
	}
}

// TestVersionAsJSON: --version --json writes the version as JSON, the
// same in every language, for a script (it used to write the line,
// --json quietly ignored).
func TestVersionAsJSON(t *testing.T) {
	d := newDesk(t)
	for _, lang := range []string{"C", "pt_PT.UTF-8", "fr_FR.UTF-8"} {
		for _, args := range [][]string{{"--version", "--json"}, {"--json", "-v"}} {
			r := d.withLang([]string{"LANG=" + lang}, args...)
			var v map[string]any
			if err := json.Unmarshal([]byte(r.out), &v); r.code != 0 || err != nil || r.err != "" {
				t.Fatalf("LANG=%s %v: exit %d, stdout %q, stderr %q: %v", lang, args, r.code, r.out, r.err, err)
			}
			// tests are built without VCS stamping (-buildvcs=false)
			if want := map[string]any{"version": "devel", "modified": false}; !reflect.DeepEqual(v, want) {
				t.Errorf("LANG=%s %v: %v, want %v", lang, args, v, want)
			}
		}
	}
	// --json=false, as everywhere else, asks for no JSON: the line
	for _, args := range [][]string{{"--version", "--json=false"}, {"--json=false", "-v"}} {
		if r := d.run(args...); r.code != 0 || !strings.HasPrefix(r.out, "contactdesk version ") || r.err != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want the version's line", args, r.code, r.out, r.err)
		}
	}
	built := &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "164025e4c1f2a9b3d5e6f708192a3b4c5d6e7f80"},
		{Key: "vcs.time", Value: "2026-11-30T15:41:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	want := `{
  "version": "v1.4.0",
  "revision": "164025e4c1f2a9b3d5e6f708192a3b4c5d6e7f80",
  "time": "2026-11-30T15:41:00Z",
  "modified": true
}
`
	if got := versionJSON(built); got != want {
		t.Errorf("versionJSON = %s, want %s", got, want)
	}
}

func TestVersionOfABuild(t *testing.T) {
	built := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "164025e4c1f2a9b3d5e6f708192a3b4c5d6e7f80"},
		{Key: "vcs.time", Value: "2026-11-30T15:41:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	for _, c := range []struct {
		info *debug.BuildInfo
		lang locale.Lang
		want string
	}{
		{nil, locale.EN, "devel (no VCS revision recorded"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, locale.EN, "devel (no VCS revision recorded"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, locale.EN, "v1.4.0 (no VCS revision recorded"},
		{built, locale.EN, "devel (revision 164025e4c1f2, 2026-11-30T15:41:00Z, with uncommitted changes)"},
		{built, locale.PT, "devel (revisão 164025e4c1f2, 2026-11-30T15:41:00Z, com alterações por registar no git)"},
		{built, locale.FR, "devel (révision 164025e4c1f2, 2026-11-30T15:41:00Z, avec des modifications non enregistrées dans git)"},
	} {
		if got := versionOf(c.info, locale.For(c.lang)); !strings.HasPrefix(got, c.want) {
			t.Errorf("versionOf(%+v) in %s = %q, want %q…", c.info, c.lang, got, c.want)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	d := newDesk(t)
	for shell, marks := range map[string][]string{
		"bash":       {"__start_contactdesk", "complete -o default -F __start_contactdesk contactdesk"},
		"zsh":        {"#compdef contactdesk", "_contactdesk"},
		"fish":       {"complete -c contactdesk"},
		"powershell": {"Register-ArgumentCompleter", "contactdesk"},
	} {
		out := d.ok("completion", shell)
		for _, m := range marks {
			if !strings.Contains(out, m) {
				t.Errorf("completion %s lacks %q", shell, m)
			}
		}
	}
	d.misused(`unknown command "completion tcsh"`, "completion", "tcsh")
	d.misused(`completion bash takes no arguments`, "completion", "bash", "extra")
}

func TestManPage(t *testing.T) {
	d := newDesk(t)
	out := d.ok("man")
	for _, want := range []string{".TH CONTACTDESK 1", `\fBrequest\fP`, `\fBcreate\fP`, "--validity", "--db"} {
		if !strings.Contains(out, want) {
			t.Errorf("the man page lacks %q", want)
		}
	}
	// the header line's title: a sentence there overlapped the page's name
	if head, _, _ := strings.Cut(out, "\n"); !strings.HasSuffix(head, `"contactdesk" "General Commands Manual"`) {
		t.Errorf("the man page's heading: %s", head)
	}
	if strings.Contains(out, "print JSON\n") {
		t.Error("the man page lists the root's hidden --json")
	}
	if help := d.ok("--help"); strings.Contains(help, "man ") {
		t.Errorf("man is listed in the help:\n%s", help)
	}
}

func TestHelpOfEveryCommand(t *testing.T) {
	d := newDesk(t)
	root := newRoot(&app{})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			path := strings.Fields(commandName(sub))
			if sub.Short == "" || sub.Long == "" || sub.Example == "" {
				t.Errorf("%s: Short %q, Long %d bytes, Example %d bytes: each needs all three", commandName(sub), sub.Short, len(sub.Long), len(sub.Example))
			}
			viaFlag := d.ok(append(path, "--help")...)
			viaHelp := d.ok(append([]string{"help"}, path...)...)
			if viaFlag != viaHelp {
				t.Errorf("help %s and %s --help differ:\n%s\n----\n%s", commandName(sub), commandName(sub), viaHelp, viaFlag)
			}
			if !strings.Contains(viaFlag, "USAGE") || !strings.Contains(viaFlag, "EXAMPLES") || !strings.Contains(viaFlag, "--db") {
				t.Errorf("%s --help:\n%s", commandName(sub), viaFlag)
			}
			noPadding(t, commandName(sub)+" --help", viaFlag)
			walk(sub)
		}
	}
	walk(root)
	noPadding(t, "--help", d.ok("--help"))
	if out := d.ok("request", "create", "--help"); !strings.Contains(out, "--validity") || !strings.Contains(out, "--role") {
		t.Errorf("request create --help:\n%s", out)
	}
	// A group alone shows its help, and lists its commands.
	if out := d.ok("request"); !strings.Contains(out, "create") || !strings.Contains(out, "resend") {
		t.Errorf("request:\n%s", out)
	}
	d.misused(`unknown command "frob"`, "help", "frob")
	d.misused(`unknown command "request frob"`, "help", "request", "frob")
}

// noPadding: a help page written to a file or a pipe ends no line with
// spaces (fang pads each line to 120 columns there), so grep, diff and
// a saved page see the text alone.
func noPadding(t *testing.T, what, out string) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("%s: line %d ends with %d spaces: %q", what, i+1, len(line)-len(strings.TrimRight(line, " ")), line)
			return
		}
	}
}

func TestTypoSuggestsTheNearestCommand(t *testing.T) {
	d := newDesk(t)
	d.misused(`unknown command "servces": did you mean services?`, "servces", "--as", "xx11111-ovh")
	d.misused(`unknown command "reqest": did you mean request?`, "reqest", "list")
	d.misused(`unknown command "request craete": did you mean request create?`, "request", "craete")
	d.misused("unknown flag --jsn: did you mean --json?", "services", "--as", "xx11111-ovh", "--jsn")
	r := d.run("servces")
	if !strings.Contains(r.err, "usage: contactdesk") || strings.Count(r.err, "\n") > 4 {
		t.Errorf("a typo's usage should be short:\n%s", r.err)
	}
}

func TestGlobalFlagsBeforeOrAfterTheCommand(t *testing.T) {
	d := seeded(t)
	other := d.env["CONTACTDESK_DB"]
	d.env["CONTACTDESK_DB"] = "elsewhere.db" // --db must win
	after := d.ok("services", "--as", "te22222-ovh", "--json", "--db", other)
	for _, args := range [][]string{
		{"--as", "te22222-ovh", "--json", "--db", other, "services"},
		{"--db", other, "services", "--as", "te22222-ovh", "--json"},
		{"--json", "services", "--db=" + other, "--as=te22222-ovh"},
		{"--db", other, "--as", "te22222-ovh", "request", "--json", "list"},
	} {
		out := d.ok(args...)
		if args[len(args)-1] == "list" {
			if !strings.HasPrefix(out, "[") {
				t.Errorf("%v: %q", args, out)
			}
			continue
		}
		if out != after {
			t.Errorf("%v:\n%s\nwant\n%s", args, out, after)
		}
	}
	if _, err := decodeErr[[]map[string]any](after); err != nil || !strings.Contains(after, "example.com") {
		t.Errorf("services --json: %v\n%s", err, after)
	}
}

func TestAFlagACommandDoesNotTakeIsRefused(t *testing.T) {
	d := seeded(t)
	for _, args := range [][]string{
		{"account", "list", "--as", "ad11111-ovh"},
		{"--as", "ad11111-ovh", "account", "list"},
		{"key", "list", "--as", "ad11111-ovh"},
		{"--as=ad11111-ovh", "service", "add", "x.pt", "--type", "domain", "--admin", "ad11111-ovh", "--tech", "ad11111-ovh", "--billing", "ad11111-ovh"},
	} {
		d.misused("does not act as an account: leave out --as", args...)
	}
	d.misused("account add has no JSON output", "account", "add", "zz12345-ovh", "--name", "Zed", "--email", "z@b.pt", "--json")
	d.misused("init has no JSON output", "--json", "init")
	d.misused("unknown flag --limit", "services", "--as", "ad11111-ovh", "--limit", "3")
	d.misused("unknown flag --force", "init", "--force")
	// Nothing was done.
	if out := d.ok("account", "list"); strings.Contains(out, "zz12345-ovh") {
		t.Error("a refused account add added the account")
	}
	// $CONTACTDESK_AS is the environment's: commands that don't act as an
	// account just don't use it.
	d.env["CONTACTDESK_AS"] = "ad11111-ovh"
	d.ok("account", "list")
}

func TestBadFlagValuesNameTheFlagAndTheForm(t *testing.T) {
	d := seeded(t)
	create := []string{"request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh"}
	add := []string{"account", "add", "zz12345-ovh", "--name", "Zed", "--email", "z@b.pt"}
	for _, c := range []struct {
		says string
		args []string
	}{
		{`--limit takes a number of entries (0: all), not "x"`, []string{"history", "--as", "ad11111-ovh", "--limit", "x"}},
		{`--limit takes a number of entries (0: all), not "-1"`, []string{"history", "--as", "ad11111-ovh", "--limit", "-1"}},
		{`--owes takes an amount such as 42.50`, append(add, "--owes", "abc")},
		{`--owes takes an amount such as 42.50`, append(add, "--owes", "-3")},
		{`--owes takes an amount such as 42.50`, []string{"account", "set-standing", "ad11111-ovh", "--owes", "1.234"}},
		{`--validity takes a duration such as 90s, 15m, 48h or 15d, from 1 minute to 365 days, not "400d"`, append(create, "--validity", "400d")},
		{`from 1 minute to 365 days, not "30s"`, append(create, "--validity", "30s")},
		{`--validity takes a duration`, append(create, "--validity", "soon")},
		{`--idle-timeout takes a duration such as 90s, 15m, 48h or 15d, from 1 minute to 30 days, not "0"`, []string{"serve", "--idle-timeout", "0"}},
		{`--call-timeout takes a duration such as 5s, 20s or 1m, from 1 second to 10 minutes, not "500ms"`, []string{"serve", "--call-timeout", "500ms"}},
		{`from 1 second to 10 minutes, not "1h"`, []string{"serve", "--call-timeout", "1h"}},
		{`--max-sessions takes a number of sessions, 1 or more, not "0"`, []string{"serve", "--max-sessions", "0"}},
		{`--max-sessions-per-account takes a number of sessions, 1 or more, not "0"`, []string{"serve", "--max-sessions-per-account", "0"}},
		{`--conn-rate takes a number of connections from 0 (no limit) to 1000, not "-1"`, []string{"serve", "--conn-rate", "-1"}},
		{`--pool takes a number of connections`, []string{"--pool", "x", "services", "--as", "ad11111-ovh"}},
		{`--services takes a number of services from 0 to 5000000`, []string{"demo", "--services", "many"}},
		{`--type takes one of domain, hosting`, []string{"service", "add", "n.pt", "--type", "castle", "--admin", "ad11111-ovh", "--tech", "ad11111-ovh", "--billing", "ad11111-ovh"}},
	} {
		d.misused(c.says, c.args...)
	}
	// One syntax for every duration flag.
	for _, v := range []string{"90s", "15m", "48h", "15d"} {
		rs := decode[[]requestJ](t, d.ok(append(create, "--validity", v, "--json")...))
		d.ok("request", "cancel", "#"+itoa(rs[0].ID), "--as", "ad11111-ovh")
	}
	// Nothing was changed by the refused ones.
	if out := d.ok("account", "list"); strings.Contains(out, "zz12345-ovh") || strings.Contains(out, "n.pt") {
		t.Errorf("a misuse changed the desk:\n%s", out)
	}
}

// TestPoolWithASQLiteDeskIsAMisuse: --pool sizes a PostgreSQL desk's pool
// of connections; given with a SQLite desk it is refused (exit 2, with
// the usage), not ignored, and nothing is done. serve, which would have
// served without a word, refuses before it listens.
func TestPoolWithASQLiteDeskIsAMisuse(t *testing.T) {
	d := seeded(t)
	db := d.env["CONTACTDESK_DB"]
	says := "--pool applies to a PostgreSQL desk only (--db postgres://…); " + db + " is a SQLite file: leave out --pool"
	d.misused(says, "--pool", "4", "services", "--as", "ad11111-ovh")
	d.misused(says, "account", "add", "zz12345-ovh", "--name", "Zed", "--email", "z@b.pt", "--pool", "2")
	d.misused(says, "--pool", "0", "account", "list")
	other := filepath.Join(d.dir, "other.db")
	d.misused("; "+other+" is a SQLite file", "--db", other, "--pool", "4", "init")
	if _, err := os.Stat(other); err == nil {
		t.Errorf("a refused init made %s", other)
	}
	d.misused("; "+other+" is a SQLite file", "migrate", "--from", other, "--to", "postgres://nobody@127.0.0.1:1/none", "--pool", "4")
	if out := d.ok("account", "list"); strings.Contains(out, "zz12345-ovh") {
		t.Error("a refused account add added the account")
	}

	// serve, stopped (as by SIGINT) once it serves: one that took --pool
	// would serve, and exit 0. (Stopped half a second after its start,
	// as it was, a busy machine could stop it before it served.)
	serve := func(args ...string) (int, string) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var out, errb syncbuf.Buffer
		ran := make(chan int, 1)
		go func() {
			ran <- Run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), strings.NewReader(""), &out, &errb, func(k string) string { return d.env[k] })
		}()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			select {
			case code := <-ran:
				return code, errb.String()
			default:
			}
			if strings.Contains(errb.String(), "msg=serving") || time.Now().After(deadline) {
				cancel()
			}
		}
	}
	if code, stderr := serve("--pool", "8"); code != 2 || !strings.Contains(stderr, says) || strings.Contains(stderr, "serving") {
		t.Errorf("serve --pool 8 on a SQLite desk: exit %d, stderr:\n%s", code, stderr)
	}
	// without --pool, the same desk serves
	if code, stderr := serve(); code != 0 || !strings.Contains(stderr, "msg=serving") {
		t.Errorf("serve: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestPasswordsAreRedacted(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:s3cret@host/db":                           "postgres://u:***@host/db",
		"at postgresql://desk:p@ss@db.internal:5432/x?ssl=1 ok": "at postgresql://desk:***@db.internal:5432/x?ssl=1 ok",
		"smtp://me:hunter2@mail.example.com:587":                "smtp://me:***@mail.example.com:587",
		"host=db user=desk password=s3cret dbname=x":            "host=db user=desk password=*** dbname=x",
		"postgres://db.internal/x?password=s3cret&sslmode=on":   "postgres://db.internal/x?password=***&sslmode=on",
		"postgres://u@host/db, smtp://host:25":                  "postgres://u@host/db, smtp://host:25",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGroupsListTheirCommands(t *testing.T) {
	root := newRoot(&app{})
	var names []string
	for _, c := range root.Commands() {
		names = append(names, c.Name())
	}
	for _, want := range []string{"services", "request", "mail", "profile", "owner", "history", "account", "service", "key", "demo", "init", "serve", "config", "migrate", "man"} {
		if !slices.Contains(names, want) {
			t.Errorf("no command %s", want)
		}
	}
}

func decodeErr[T any](s string) (T, error) {
	var v T
	err := json.Unmarshal([]byte(s), &v)
	return v, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// parse runs cmd's parsing alone on args: its runF records the options.
func parse(t *testing.T, cmd *cobra.Command, args ...string) error {
	t.Helper()
	root := &cobra.Command{Use: "contactdesk", SilenceErrors: true, SilenceUsage: true}
	root.AddCommand(cmd)
	root.SetFlagErrorFunc(flagError)
	root.SetArgs(append([]string{cmd.Name()}, args...))
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	return root.Execute()
}

// The parsing of a few commands alone, with runF in place of the work
// (no database): the options each flag fills in.
func TestParsingAlone(t *testing.T) {
	a := &app{}
	var created *requestCreateOptions
	cmd := newCmdRequestCreate(a, func(o *requestCreateOptions) error { created = o; return nil })
	if err := parse(t, cmd, "--service", "xara.pt", "--role", "billing,tech", "--to", "cd67890-ovh", "--validity", "2d", "--as", "xx11111-ovh"); err != nil {
		t.Fatal(err)
	}
	if created.Service != "xara.pt" || !slices.Equal(created.Roles, []model.Role{model.Tech, model.Billing}) || created.To != "cd67890-ovh" ||
		created.Validity != 48*time.Hour || created.As != "xx11111-ovh" || created.JSON {
		t.Errorf("request create: %+v", created)
	}
	cmd = newCmdRequestCreate(a, func(o *requestCreateOptions) error { created = o; return nil })
	if err := parse(t, cmd, "--service", "xara.pt", "--role", "tech", "--to", "cd67890-ovh"); err != nil || created.Validity != model.DefaultValidity {
		t.Errorf("request create without --validity: %v, %s", err, created.Validity)
	}

	var owner *ownerSetOptions
	if err := parse(t, newCmdOwnerSet(a, func(o *ownerSetOptions) error { owner = o; return nil }), "xara.pt", "--phone", "", "--holder", "X"); err != nil {
		t.Fatal(err)
	}
	if owner.Change.Phone == nil || *owner.Change.Phone != "" || owner.Change.Holder == nil || *owner.Change.Holder != "X" || owner.Change.Address != nil || owner.Change.Email != nil {
		t.Errorf("owner set: %+v", owner.Change)
	}

	var hist *historyOptions
	if err := parse(t, newCmdHistory(a, func(o *historyOptions) error { hist = o; return nil }), "--limit", "20", "--service", "xara.pt"); err != nil || hist.Limit != 20 || hist.Service != "xara.pt" {
		t.Errorf("history: %v %+v", err, hist)
	}

	var standing *accountSetStandingOptions
	if err := parse(t, newCmdAccountSetStanding(a, func(o *accountSetStandingOptions) error { standing = o; return nil }), "ab12345-ovh", "--owes", "42.5"); err != nil || standing.Owes != 4250 {
		t.Errorf("set-standing: %v %+v", err, standing)
	}
	err := parse(t, newCmdAccountSetStanding(a, nil), "ab12345-ovh", "--owes", "1", "--paid")
	var ue *usageError
	if !errors.As(err, &ue) || !strings.Contains(ue.Error(), "either --paid or --owes") {
		t.Errorf("set-standing --owes --paid: %v", err)
	}

	var serve *serveOptions
	if err := parse(t, newCmdServe(a, func(o *serveOptions) error { serve = o; return nil }), "--idle-timeout", "1d", "--max-sessions", "5"); err != nil ||
		serve.IdleTimeout != 24*time.Hour || serve.MaxSessions != 5 || serve.Listen != "127.0.0.1:2222" || serve.CallTimeout != tui.DefaultCallTimeout ||
		serve.SessionsPerAccount != server.DefaultSessionsPerAccount || serve.ConnRate != server.DefaultConnRate {
		t.Errorf("serve: %v %+v", err, serve)
	}
	if err := parse(t, newCmdServe(a, func(o *serveOptions) error { serve = o; return nil }), "--call-timeout", "1m"); err != nil || serve.CallTimeout != time.Minute {
		t.Errorf("serve --call-timeout 1m: %v %+v", err, serve)
	}
	if err := parse(t, newCmdServe(a, func(o *serveOptions) error { serve = o; return nil }), "--conn-rate", "0", "--max-sessions-per-account", "2"); err != nil ||
		serve.ConnRate != 0 || serve.SessionsPerAccount != 2 {
		t.Errorf("serve --conn-rate 0 --max-sessions-per-account 2: %v %+v", err, serve)
	}
}

// TestSingleDashFlags: the command line took Go's flag syntax before, in
// which -as is --as; scripts written then go on working.
func TestSingleDashFlags(t *testing.T) {
	d := seeded(t)
	want := d.ok("services", "--as", "te22222-ovh", "--json")
	if got := d.ok("services", "-as", "te22222-ovh", "-json"); got != want {
		t.Errorf("-as -json:\n%s\nwant\n%s", got, want)
	}
	if got := d.ok("-db="+d.env["CONTACTDESK_DB"], "services", "-as=te22222-ovh", "-json"); got != want {
		t.Errorf("-db= -as=:\n%s", got)
	}
	// A value that looks like a flag stays a value.
	d.ok("account", "add", "zz12345-ovh", "--name", "-json", "--email", "z@b.pt")
	if out := d.ok("account", "list"); !strings.Contains(out, "-json") {
		t.Errorf("the name -json was taken for a flag:\n%s", out)
	}
	d.misused(`--limit takes a number of entries (0: all), not "-1"`, "history", "-as", "te22222-ovh", "-limit", "-1")
	if out := d.ok("-help"); !strings.Contains(out, "USAGE") {
		t.Errorf("-help: %q", out)
	}
}

// TestDurationDefaultsInHelp: a duration flag's default reads in the
// flags' own syntax, in its largest whole unit ("30m", not "3", which
// trimming Go's "30m0s" gave).
func TestDurationDefaultsInHelp(t *testing.T) {
	for d, want := range map[time.Duration]string{30 * time.Minute: "30m", 10 * time.Minute: "10m", 90 * time.Second: "90s",
		48 * time.Hour: "2d", 36 * time.Hour: "36h", 15 * 24 * time.Hour: "15d", 5 * time.Second: "5s", 1500 * time.Millisecond: "1.5s"} {
		if got := formatDuration(d); got != want {
			t.Errorf("%v reads %q, want %q", d, got, want)
		}
	}
	d := newDesk(t)
	if out := d.ok("serve", "--help"); !strings.Contains(out, "15d (30m)") {
		t.Errorf("serve --help does not give --idle-timeout's default as 30m:\n%s", out)
	}
}

// An address flag of another form is a misuse, said before serve starts
// anything; --db given empty ("$UNSET") is one too, rather than acting on
// another desk.
func TestAddressAndEmptyDBAreMisuses(t *testing.T) {
	d := newDesk(t)
	d.ok("init")
	d.misused(`--http takes an address HOST:PORT, such as 127.0.0.1:8080 (:8080: every address of the machine), not "nonsense"`, "serve", "--listen", "none", "--http", "nonsense")
	d.misused(`--http takes an address HOST:PORT`, "serve", "--listen", "none", "--http", "127.0.0.1:99999")
	d.misused(`--listen takes an address HOST:PORT, such as 127.0.0.1:2222 (:2222: every address of the machine), or none, not "foo"`, "serve", "--listen", "foo")
	d.misused(`--metrics takes an address HOST:PORT`, "serve", "--metrics", "localhost")
	for _, args := range [][]string{{"init"}, {"services", "--as", "xx11111-ovh"}, {}} {
		r := d.run(append([]string{"--db", " "}, args...)...)
		if r.code != 2 || !strings.Contains(r.err, "--db is empty: give a file PATH or a postgres:// URL") {
			t.Errorf("--db ' ' %v: %d %q", args, r.code, r.err)
		}
	}
	if _, err := os.Stat("contactdesk.db"); err == nil {
		t.Error("--db '' init made contactdesk.db here")
	}
}

// TestEmptyAsIsAMisuse: --as given empty ("$UNSET" in a script) is a
// misuse that changes nothing, where it acted as $CONTACTDESK_AS, another
// account, without a word (or, without it, said to give --as).
func TestEmptyAsIsAMisuse(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	d.env["CONTACTDESK_AS"] = "xx11111-ovh"
	d.misused("--as is empty: give the HANDLE you act as", "request", "cancel", "7", "--as", "")
	d.misused("--as is empty", "services", "--as", " ")
	d.misused("--as is empty", "services", "--as=", "--json")
	d.misused("--as is empty", "--as", "", "request", "list")
	d.misused("--as is empty", "--as", "")
	if st := decode[struct{ State string }](t, d.ok("request", "show", "7", "--json")).State; st != "validatingByCustomers" {
		t.Errorf("request #7 is %s after a cancel with an empty --as", st)
	}
	// A command that acts as no account still says to leave --as out;
	// $CONTACTDESK_AS alone is used as before.
	d.misused("account list does not act as an account: leave out --as", "account", "list", "--as", "")
	d.ok("services")
	delete(d.env, "CONTACTDESK_AS")
	d.misused("--as is empty", "services", "--as", "")
}

// TestEmptyHandleOfAListIsAMisuse: key list "$UNSET" (and api-key
// list's) is a misuse, where it listed every account's keys as if they
// were the one account's.
func TestEmptyHandleOfAListIsAMisuse(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	for _, cmd := range []string{"key", "api-key"} {
		d.misused("HANDLE is empty: give an account's handle", cmd, "list", "")
		d.misused("HANDLE is empty", cmd, "list", " ", "--json")
		if out := d.ok(cmd, "list", "xx11111-ovh", "--json"); out != "[]\n" {
			t.Errorf("%s list xx11111-ovh --json: %q", cmd, out)
		}
	}
}

// TestEmptySMTPIsAMisuse: --smtp or --mail-from given empty is a misuse
// that changes nothing, where --smtp "" delivered through
// $CONTACTDESK_SMTP, turning real delivery on for the desk and removing
// the simulated mailbox's tokens.
func TestEmptySMTPIsAMisuse(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	d.env["CONTACTDESK_SMTP"] = "smtp://127.0.0.1:1"
	d.env["CONTACTDESK_MAIL_FROM"] = "desk@example.com"
	create := []string{"request", "create", "--as", "xx11111-ovh", "--service", "xara.pt", "--role", "tech", "--to", "cd67890-ovh"}
	d.misused("--smtp is empty: give the URL of an SMTP server", append(create, "--smtp", "")...)
	d.misused("--smtp is empty", append([]string{"--smtp", " "}, create...)...)
	d.misused("--mail-from is empty: give the sender ADDRESS of real mails", append(create, "--mail-from", "", "--json")...)
	if got := strings.TrimSpace(d.ok("config", "get", "mail-delivery")); got != "" {
		t.Errorf("mail-delivery is %q after commands refused", got)
	}
	if rs := decode[[]struct{ ID int64 }](t, d.ok("request", "list", "--as", "xx11111-ovh", "--json")); len(rs) != 7 {
		t.Errorf("%d requests of xx11111-ovh, want the demo's 7", len(rs))
	}
}

// TestFlagGivenTwice: a flag given twice with two values is a misuse
// that changes nothing, where the last value won without a word (--as
// twice acted as the second account; --service twice, on the second
// service). The same value twice is taken once. --role, which takes
// several roles, gathers them when repeated.
func TestFlagGivenTwice(t *testing.T) {
	d := seeded(t)
	d.misused(`--as is given twice ("ad11111-ovh", then "te22222-ovh"): give it once`,
		"request", "create", "--as", "ad11111-ovh", "--as", "te22222-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	d.misused(`--service is given twice`,
		"request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--service", "other.com", "--role", "tech", "--to", "ne44444-ovh")
	d.misused(`--owes is given twice ("5", then "7")`, "account", "set-standing", "ne44444-ovh", "--owes", "5", "--owes", "7")
	// --token twice: named, its values, tokens mailed to their
	// readers, not written out (on a terminal, in a CI log), as JSON
	// neither
	for _, args := range [][]string{
		{"request", "accept", "1", "--as", "te22222-ovh", "--token", "7K3Q-SECRET-ONE", "--token", "7K3Q-SECRET-TWO"},
		{"profile", "confirm-email", "--as", "te22222-ovh", "--token=7K3Q-SECRET-ONE", "--token=7K3Q-SECRET-TWO", "--json"},
	} {
		if r := d.run(args...); r.code != 2 || strings.Contains(r.out+r.err, "SECRET") || !strings.Contains(r.err, "--token is given twice") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, --token named, and no token", args, r.code, r.out, r.err)
		}
	}
	if out := d.ok("request", "list", "--as", "ad11111-ovh", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("a misuse created a request: %s", out)
	}
	if out := d.ok("account", "list", "--json"); strings.Contains(out, `"owes": "7`) || strings.Contains(out, `"owes": "5`) {
		t.Fatalf("a misuse recorded a debt: %s", out)
	}
	d.ok("services", "--as", "ad11111-ovh", "--json", "--json")

	out := d.ok("request", "create", "--as", "ad11111-ovh", "--as", "ad11111-ovh", "--service", "example.com",
		"--role", "tech", "--role", "billing", "--to", "ne44444-ovh", "--validity", "1d12h", "--json")
	rs := decode[[]struct {
		Roles   []string `json:"roles"`
		Created string   `json:"created"`
		Expires string   `json:"expires"`
	}](t, out)
	// (one request per outgoing contact: te22222-ovh's, bi33333-ovh's)
	var roles []string
	for _, r := range rs {
		roles = append(roles, r.Roles...)
	}
	if strings.Join(roles, ",") != "tech,billing" {
		t.Fatalf("--role tech --role billing made %s", out)
	}
	created, _ := time.Parse(time.RFC3339, rs[0].Created)
	expires, _ := time.Parse(time.RFC3339, rs[0].Expires)
	if expires.Sub(created) != 36*time.Hour {
		t.Errorf("--validity 1d12h: created %s, expires %s", rs[0].Created, rs[0].Expires)
	}
	d.misused(`--json takes true or false, or no value (--json alone is true), not "maybe"`, "services", "--as", "ad11111-ovh", "--json=maybe")
}

// TestRequestCreateExamplesRun: the examples of request create's help,
// run one after the other on the demo desk as given, each make their
// request (the second made a change its new contact already held).
func TestRequestCreateExamplesRun(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	cmd, _, err := newRoot(&app{}).Find([]string{"request", "create"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ex := range strings.Split(strings.ReplaceAll(cmd.Example, "\\\n", " "), "\n") {
		args := strings.Fields(ex)
		if len(args) == 0 || args[0] != "contactdesk" {
			continue
		}
		if out := d.ok(args[1:]...); !strings.Contains(out, "created") {
			t.Errorf("%s: %s", ex, out)
		}
		n++
	}
	if n < 2 {
		t.Fatalf("%d examples run", n)
	}
}

// TestTokenFromStdin: --token - reads the token from stdin, out of ps
// and the shell's history; an empty stdin is a misuse that spends no try.
func TestTokenFromStdin(t *testing.T) {
	d := seeded(t)
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	r := d.runIn("", "request", "accept", "1", "--as", "ne44444-ovh", "--token", "-")
	if r.code != 2 || !strings.Contains(r.err, "--token takes a token, or - to read it from stdin (which gave none)") {
		t.Fatalf("--token - with nothing on stdin: %d %q", r.code, r.err)
	}
	r = d.runIn(d.token("ne44444-ovh", 1)+"\n", "request", "accept", "1", "--as", "ne44444-ovh", "--token", "-")
	if r.code != 0 || !strings.Contains(r.out, "accepted by ne44444-ovh") {
		t.Fatalf("--token - with the token on stdin: %d %q %q", r.code, r.out, r.err)
	}
}

// TestTablesAlignWideAndCombining: a table's columns line up on the
// terminal whatever the names hold: an emoji or a CJK character takes two
// columns, a combining accent none (text/tabwriter counted each one).
func TestTablesAlignWideAndCombining(t *testing.T) {
	d := seeded(t)
	d.ok("account", "add", "em12345-ovh", "--name", "Emoji 😀 名前", "--email", "e@x.example")
	d.ok("account", "add", "co12345-ovh", "--name", "Combining e\u0301", "--email", "c@x.example")
	out := d.ok("account", "list")
	col := -1
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		i := strings.Index(line, "@")
		if strings.HasPrefix(line, "HANDLE") {
			i = strings.Index(line, "EMAIL")
		} else {
			i = strings.LastIndex(line[:i], "  ") + 2
		}
		at := ansi.StringWidth(line[:i])
		if col == -1 {
			col = at
		} else if at != col {
			t.Errorf("the e-mail column starts at %d, not %d: %q", at, col, line)
		}
	}
}

// TestADirectoryWhereAFileIsExpected: a folder given where a command reads
// or keeps a file (a CSV to import, a public key, the SSH host key, the
// API secret key) is refused saying so, in the reader's language, with
// nothing made; not with the system's "read /tmp: is a directory", in
// English whatever the language.
func TestADirectoryWhereAFileIsExpected(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	dir := t.TempDir()
	for _, c := range []struct {
		args       []string
		en, pt, fr string
	}{
		{[]string{"import", "accounts", dir}, dir + " is a directory: give a CSV file, or - for standard input",
			dir + " é uma pasta: indique um ficheiro CSV", dir + " est un dossier"},
		{[]string{"key", "add", "xx11111-ovh", dir}, dir + " is a directory: give the public key's file",
			dir + " é uma pasta: indique o ficheiro da chave pública", dir + " est un dossier"},
		{[]string{"api-key", "add", "xx11111-ovh", "--api-secret-key", dir}, "the API secret key " + dir + " is a directory: give the path of a file with --api-secret-key",
			"a chave secreta da API " + dir + " é uma pasta", "la clé secrète d'API " + dir + " est un dossier"},
		{[]string{"serve", "--listen", "127.0.0.1:0", "--host-key", dir}, "the host key " + dir + " is a directory: give the path of a file with --host-key",
			"a chave do servidor " + dir + " é uma pasta", "la clé d'hôte " + dir + " est un dossier"},
		{[]string{"serve", "--listen", "none", "--http", "127.0.0.1:0", "--tls-cert", dir, "--tls-key", dir}, "--tls-cert " + dir + " is a directory: give the certificate's file",
			"--tls-cert " + dir + " é uma pasta: indique o ficheiro do certificado", "--tls-cert " + dir + " est un dossier : donnez le fichier du certificat"},
		{[]string{"serve", "--listen", "none", "--http", "127.0.0.1:0", "--tls-cert", filepath.Join(d.dir, "cert.pem"), "--tls-key", dir}, "--tls-key " + dir + " is a directory: give the private key's file",
			"--tls-key " + dir + " é uma pasta: indique o ficheiro da chave privada", "--tls-key " + dir + " est un dossier : donnez le fichier de la clé privée"},
		{[]string{"migrate", "--from", dir, "--to", "postgres://nobody@/none?host=" + dir}, dir + " is a directory: give the desk's SQLite file with --from",
			dir + " é uma pasta: indique o ficheiro SQLite do balcão", dir + " est un dossier : donnez le fichier SQLite du guichet"},
	} {
		for lang, says := range map[string]string{"C": c.en, "pt_PT.UTF-8": c.pt, "fr_FR.UTF-8": c.fr} {
			r := d.withLang([]string{"LANG=" + lang}, c.args...)
			if r.code != 1 || r.out != "" || !strings.HasPrefix(r.err, "contactdesk: "+says) || strings.Count(r.err, "\n") != 1 {
				t.Errorf("LANG=%s %v: exit %d, stdout %q, stderr %q; want 1 and %q", lang, c.args, r.code, r.out, r.err, says)
			}
		}
	}
	if out := d.ok("api-key", "list"); strings.Contains(out, "xx11111-ovh") {
		t.Errorf("an API key was made:\n%s", out)
	}
	if out := d.ok("key", "list"); strings.Contains(out, "xx11111-ovh") {
		t.Errorf("an SSH key was added:\n%s", out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the folder was written in: %v", entries)
	}
}

// TestAKeyFileInAFolderThatIsNotThere: a host key or API secret key to
// be made at first need, at a path whose folder does not exist, is
// refused saying which folder, in the reader's language, and no folder
// is made for it (a typo would leave them behind).
func TestAKeyFileInAFolderThatIsNotThere(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	missing := filepath.Join(d.dir, "no", "such")
	for _, c := range []struct {
		args       []string
		en, pt, fr string
	}{
		{[]string{"serve", "--listen", "127.0.0.1:0", "--host-key", filepath.Join(missing, "k")},
			"the host key " + filepath.Join(missing, "k") + " can't be made: its folder " + missing + " does not exist (make it first, or give another path with --host-key)",
			"a chave do servidor " + filepath.Join(missing, "k") + " não pode ser criada: a pasta " + missing + " não existe",
			"la clé d'hôte " + filepath.Join(missing, "k") + " ne peut pas être créée : son dossier " + missing + " n'existe pas"},
		{[]string{"api-key", "add", "xx11111-ovh", "--api-secret-key", filepath.Join(missing, "s")},
			"the API secret key " + filepath.Join(missing, "s") + " can't be made: its folder " + missing + " does not exist (make it first, or give another path with --api-secret-key)",
			"a chave secreta da API " + filepath.Join(missing, "s") + " não pode ser criada: a pasta " + missing + " não existe",
			"la clé secrète d'API " + filepath.Join(missing, "s") + " ne peut pas être créée : son dossier " + missing + " n'existe pas"},
		// said before the host key beside the database is made
		{[]string{"serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--api-secret-key", filepath.Join(missing, "s")},
			"the API secret key " + filepath.Join(missing, "s") + " can't be made: its folder " + missing + " does not exist",
			"a chave secreta da API " + filepath.Join(missing, "s") + " não pode ser criada: a pasta " + missing + " não existe",
			"la clé secrète d'API " + filepath.Join(missing, "s") + " ne peut pas être créée : son dossier " + missing + " n'existe pas"},
	} {
		for lang, says := range map[string]string{"C": c.en, "pt_PT.UTF-8": c.pt, "fr_FR.UTF-8": c.fr} {
			r := d.withLang([]string{"LANG=" + lang}, c.args...)
			if r.code != 1 || r.out != "" || !strings.HasPrefix(r.err, "contactdesk: "+says) || strings.Count(r.err, "\n") != 1 {
				t.Errorf("LANG=%s %v: exit %d, stdout %q, stderr %q; want 1 and %q", lang, c.args, r.code, r.out, r.err, says)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(d.dir, "no")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a folder was made for the key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(d.dir, "desk.db.host_key")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a host key was made beside the database: %v", err)
	}
	if out := d.ok("api-key", "list"); strings.Contains(out, "xx11111-ovh") {
		t.Errorf("an API key was made:\n%s", out)
	}
}

// TestTheSystemsReasonInTheReadersLanguage: a file the command line
// can't read or write is refused with the system's reason in the
// reader's language ("ficheiro ou pasta inexistente"), the system's own
// words in English; the path said once ("can't read the public key: open
// FILE: no such file or directory" said it in English twice over).
func TestTheSystemsReasonInTheReadersLanguage(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	missing := filepath.Join(d.dir, "none", "x.csv")
	// a backup's folder that is not there is said with what to do
	// (TestBackupFolderMissing); one that is a file, by the system
	inFile := filepath.Join(d.write("plain.txt", "x"), "x.db")
	for lang, want := range map[string][]string{
		"C": {"can't read " + missing + ": no such file or directory", "cannot write " + inFile + ": not a directory",
			"can't read the public key " + missing + ": no such file or directory"},
		"pt_PT.UTF-8": {"não é possível ler " + missing + ": ficheiro ou pasta inexistente", "não é possível escrever " + inFile + ": não é uma pasta",
			"não é possível ler a chave pública " + missing + ": ficheiro ou pasta inexistente"},
		"fr_FR.UTF-8": {"impossible de lire " + missing + " : aucun fichier ou dossier de ce nom", "impossible d'écrire " + inFile + " : n'est pas un dossier",
			"impossible de lire la clé publique " + missing + " : aucun fichier ou dossier de ce nom"},
	} {
		for i, args := range [][]string{{"import", "accounts", missing}, {"backup", inFile}, {"key", "add", "xx11111-ovh", missing}} {
			r := d.withLang([]string{"LANG=" + lang}, args...)
			if r.code != 1 || r.err != "contactdesk: "+want[i]+"\n" {
				t.Errorf("LANG=%s %v: exit %d, stderr %q; want 1 and %q", lang, args, r.code, r.err, want[i])
			}
		}
	}
}
