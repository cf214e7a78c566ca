package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"
)

// TestHelpExamplesRunOnTheDemo: the examples of every command's help,
// typed as they are on the demo desk 'go run .' makes, in their order,
// work (exit 0). A newcomer tries them there first: 'request show 9'
// was refused (the demo's requests go up to #8), and so were
// 'account add' of a handle the demo has and an import into a desk that
// was not there. Those that need more than the demo desk (a file, a
// key made first, a server, a fresh folder: typedExamples) run each
// line as typed, with what a user has (examples_typed_test.go); of the
// others, a line with something to fill in (…) is not run, and every
// command has one that is. A jq program after a command runs as jq
// would (gojq), and must find something on the demo desk: a field it
// reads that the JSON does not have finds nothing.
func TestHelpExamplesRunOnTheDemo(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.Example == "" {
			return
		}
		path := strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), "contactdesk"), " ")
		if needs, ok := typedExamples[path]; ok {
			t.Run(strings.ReplaceAll(path, " ", "_"), func(t *testing.T) { runTyped(t, c, path, needs) })
			return
		}
		t.Run(strings.ReplaceAll(path, " ", "_"), func(t *testing.T) {
			d := newDesk(t)
			d.ok("demo")
			if path == "config list" {
				// the demo sets no setting: one set gives the list's jq
				// program (select(.set)) a line to write
				d.ok("config", "set", "public-url", "https://desk.example.net")
			}
			if err := os.Mkdir(filepath.Join(d.dir, "other"), 0o700); err != nil {
				t.Fatal(err)
			}
			ran := 0
			for _, ex := range examples(c.Example) {
				pipe, ok := runnable(ex)
				if !ok {
					continue
				}
				in := ""
				for i, seg := range pipe {
					if seg[0] == "jq" {
						out, err := jq(seg, in)
						if err != nil {
							t.Fatalf("the example %q: %s: %v", ex, strings.Join(pipe[i-1], " "), err)
						}
						if strings.TrimSpace(out) == "" {
							t.Errorf("the example %q finds nothing on the demo desk: a field its jq program reads may not be in the JSON", ex)
						}
						in = out
						continue
					}
					args := slices.Clone(seg[1:])
					for j := range args {
						if j > 0 && args[j-1] == "--db" && !filepath.IsAbs(args[j]) {
							args[j] = filepath.Join(d.dir, "other", args[j]) // another desk, beside the demo's
						}
					}
					r := d.runIn(in, args...)
					if r.code != 0 {
						t.Errorf("the example %q: exit %d: %s", ex, r.code, r.err)
					}
					in = r.out
				}
				ran++
			}
			if ran == 0 {
				t.Errorf("%s: no example of its help runs on the demo desk:\n%s", path, c.Example)
			}
		})
	}
	walk(newRoot(&app{}))
}

// jq runs an example's jq program (jq [-r] PROGRAM) on in as jq does:
// on each JSON value in it, every result on a line of its own, a string
// without its quotes with -r. gojq is jq written in Go, so the tests
// read the examples' programs as jq would without jq on the machine; a
// field the JSON does not have reads null there too.
func jq(args []string, in string) (string, error) {
	raw := len(args) == 3
	q, err := gojq.Parse(args[len(args)-1])
	if err != nil {
		return "", err
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	dec := json.NewDecoder(strings.NewReader(in))
	for {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			return out.String(), nil
		} else if err != nil {
			return "", fmt.Errorf("no JSON for jq: %w", err)
		}
		iter := code.Run(v)
		for {
			r, ok := iter.Next()
			if !ok {
				break
			}
			if err, ok := r.(error); ok {
				return "", err
			}
			if s, ok := r.(string); ok && raw {
				out.WriteString(s + "\n")
				continue
			}
			b, err := gojq.Marshal(r)
			if err != nil {
				return "", err
			}
			out.Write(append(b, '\n'))
		}
	}
}

// examples splits a help's examples into command lines: a line ending in
// "\" or "|", or followed by one starting with "|", goes on.
func examples(text string) []string {
	var out []string
	cur := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "|") && len(out) > 0 && cur == "":
			out[len(out)-1] += " " + line
			continue
		}
		cur += line
		if strings.HasSuffix(cur, "\\") {
			cur = strings.TrimSuffix(cur, "\\")
			continue
		}
		if strings.HasSuffix(cur, "|") {
			cur += " "
			continue
		}
		out = append(out, cur)
		cur = ""
	}
	return out
}

// notRun are the commands an example is not run for: they serve (and
// never end), write where the reader says, or remake the desk.
var notRun = []string{"serve", "migrate", "backup", "completion bash", "completion zsh", "completion fish",
	"completion powershell", "man", "demo",
	// a key's fingerprint, an API key's: made by the reader first
	"key remove", "api-key revoke", "api-key remove"}

// runnable splits an example into the commands of its pipeline, each
// into its words as the shell would ('…' and "…" quoted); ok only for
// contactdesk commands, and jq programs (jq [-r] PROGRAM) after them,
// with nothing for the reader to fill in (…), no shell variable, and no
// file to read or write.
func runnable(ex string) (pipe [][]string, ok bool) {
	var words []string
	var word strings.Builder
	inWord := false
	quote := rune(0)
	for _, r := range ex {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			word.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '|':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
			if r == '|' {
				pipe = append(pipe, words)
				words = nil
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	pipe = append(pipe, words)
	for i, seg := range pipe {
		switch {
		case len(seg) > 1 && seg[0] == "contactdesk":
			c, _, err := newRoot(&app{}).Find(seg[1:])
			if err != nil || !c.HasParent() || slices.Contains(notRun, strings.TrimPrefix(c.CommandPath(), "contactdesk ")) {
				return nil, false // the app, or one not run
			}
		case i > 0 && (len(seg) == 2 || len(seg) == 3 && seg[1] == "-r") && seg[0] == "jq":
			continue // its program may hold anything the shell would not read, quoted
		default:
			return nil, false
		}
		for _, w := range seg {
			if strings.ContainsAny(w, "…<>$&;`") || strings.Contains(w, "postgres://") ||
				strings.HasSuffix(w, ".csv") || strings.HasSuffix(w, ".pub") || strings.HasSuffix(w, ".pem") {
				return nil, false
			}
		}
	}
	return pipe, true
}

// TestRequestCreateSaysItsJSONIsAList: request create --json writes a
// list (one request per outgoing contact), where request show writes an
// object; a script that read .id got nothing. Its help says so, in
// every language, with the jq path to the number.
func TestRequestCreateSaysItsJSONIsAList(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	out := d.ok("request", "create", "--as", "xx11111-ovh", "--service", "xara.pt", "--role", "tech", "--to", "cd67890-ovh", "--json")
	if rs := decode[[]struct{ ID int64 }](t, out); len(rs) != 1 || rs[0].ID != 9 {
		t.Fatalf("request create --json: %s", out)
	}
	for _, lang := range []string{"en_GB.UTF-8", "pt_PT.UTF-8", "fr_FR.UTF-8"} {
		d.env["LANG"] = lang
		help := strings.Join(strings.Fields(d.ok("request", "create", "--help")), " ")
		if !strings.Contains(help, "'request show --json'") || !strings.Contains(help, ".[0].id") {
			t.Errorf("%s: request create --help does not say its JSON is a list (.[0].id):\n%s", lang, help)
		}
	}
}

// TestListingsAreWholeAndNeverNull: what the README and the help promise
// a script of a listing with --json: an empty one is [], never null; none
// pages; history without --limit lists every entry, as --limit 0 does,
// and its help says so in every language (it said "0: all", leaving the
// default to guess).
func TestListingsAreWholeAndNeverNull(t *testing.T) {
	d := newDesk(t)
	d.ok("init")
	for _, args := range [][]string{
		{"account", "list"}, {"key", "list"}, {"api-key", "list"}, {"history", "--support"},
		{"export", "accounts", "--format", "json"}, {"export", "services", "--format", "json"},
	} {
		if !slices.Contains(args, "export") {
			args = append(args, "--json")
		}
		if out := strings.Join(strings.Fields(d.ok(args...)), ""); out != "[]" {
			t.Errorf("%v on an empty desk: %q, want []", args, out)
		}
	}
	d.ok("account", "add", "nn00000-ovh", "--name", "Nuno Novo", "--email", "nuno@example.com")
	for _, args := range [][]string{{"services"}, {"request", "list"}, {"mail", "list"}, {"history"}} {
		if out := strings.TrimSpace(d.ok(append(args, "--as", "nn00000-ovh", "--json")...)); out != "[]" {
			t.Errorf("%v of an account with none: %q, want []", args, out)
		}
	}

	d = newDesk(t)
	d.ok("demo")
	all := decode[[]map[string]any](t, d.ok("history", "--as", "xx11111-ovh", "--json"))
	zero := decode[[]map[string]any](t, d.ok("history", "--as", "xx11111-ovh", "--limit", "0", "--json"))
	if len(all) != len(zero) || len(all) < 20 {
		t.Errorf("history: %d entries without --limit, %d with --limit 0", len(all), len(zero))
	}
	for lang, says := range map[string]string{"en_GB.UTF-8": "or no --limit: all", "pt_PT.UTF-8": "ou sem --limit: todas", "fr_FR.UTF-8": "ou sans --limit : toutes"} {
		d.env["LANG"] = lang
		if help := strings.Join(strings.Fields(d.ok("history", "--help")), " "); !strings.Contains(help, says) {
			t.Errorf("%s: history --help does not say what no --limit lists:\n%s", lang, help)
		}
	}
}

// TestJSONSaysNothingAsTheREADMEDoes: what the README tells a script of
// --json's absent values, held: a time not come is "" (a pending
// request's ended, an unanswered party's answered), a number not there
// null (a history line about no request), numbers are JSON numbers, and
// a request is found by its number with or without '#'. (Documents what
// the commands did already: it passes on the code before it.)
func TestJSONSaysNothingAsTheREADMEDoes(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	r := decode[map[string]any](t, d.ok("request", "show", "#8", "--as", "xx11111-ovh", "--json"))
	if r["id"] != float64(8) || r["ended"] != "" {
		t.Errorf("request show '#8': id %v, ended %q", r["id"], r["ended"])
	}
	answered := map[any]bool{}
	for _, p := range r["parties"].([]any) {
		answered[p.(map[string]any)["answered"]] = true
	}
	if !answered[""] {
		t.Errorf("no party of the pending #8 has answered \"\": %v", r["parties"])
	}
	nulls := 0
	for _, h := range decode[[]map[string]any](t, d.ok("history", "--as", "xx11111-ovh", "--json")) {
		switch v := h["request"].(type) {
		case nil:
			nulls++
		case float64:
		default:
			t.Errorf("a history line's request is %T %v", v, v)
		}
	}
	if nulls == 0 {
		t.Error("no history line about no request has request null")
	}
	for _, m := range decode[[]map[string]any](t, d.ok("mail", "list", "--as", "xx11111-ovh", "--json")) {
		if _, ok := m["id"].(float64); !ok {
			t.Errorf("a mail's id is %T", m["id"])
		}
	}
}
