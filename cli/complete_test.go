package cli

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// complete asks what the shell would: the suggestions for the last word.
func (d *desk) complete(args ...string) []string {
	d.t.Helper()
	out := d.ok(append([]string{"__complete"}, args...)...)
	var words []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, ":") { // the directive's line
			words = append(words, strings.SplitN(l, "\t", 2)[0])
		}
	}
	return words
}

func TestDynamicCompletion(t *testing.T) {
	d := seeded(t)
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "billing", "--to", "ne44444-ovh")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"services", "--as", ""}, []string{"ad11111-ovh", "bi33333-ovh", "ne44444-ovh", "ow55555-ovh", "te22222-ovh"}},
		{[]string{"services", "--as", "t"}, []string{"te22222-ovh"}},
		{[]string{"--as", "n"}, []string{"ne44444-ovh"}},
		{[]string{"request", "create", "--as", "ad11111-ovh", "--to", "b"}, []string{"bi33333-ovh"}},
		{[]string{"service", "add", "x.pt", "--admin", "o"}, []string{"ow55555-ovh"}},
		{[]string{"account", "set-standing", "ow"}, []string{"ow55555-ovh"}},
		{[]string{"key", "add", "te"}, []string{"te22222-ovh"}},
		{[]string{"request", "create", "--as", "te22222-ovh", "--service", ""}, []string{"example.com"}},
		{[]string{"owner", "show", "--as", "ad11111-ovh", ""}, []string{"example.com"}},
		{[]string{"history", "--as", "ad11111-ovh", "--service", "ex"}, []string{"example.com"}},
		{[]string{"request", "show", "--as", "ne44444-ovh", ""}, []string{"2", "1"}},
		{[]string{"request", "accept", "--as", "te22222-ovh", ""}, []string{"1"}},
		{[]string{"--as", "ow55555-ovh", "request", "show", ""}, nil},
		{[]string{"request", "show", ""}, nil}, // no --as: nothing to offer
		{[]string{"mail", "show", "--as", "bi33333-ovh", ""}, []string{"5"}},
		{[]string{"service", "add", "x.pt", "--type", ""}, []string{"domain", "hosting", "vps", "dedicated", "email", "cloud", "database", "ssl", "cdn"}},
		{[]string{"request", "create", "--role", ""}, []string{"admin", "tech", "billing", "tech,billing"}},
	} {
		got := d.complete(c.args...)
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%q: %q, want %q", c.args, got, c.want)
		}
	}
	// A desk that does not exist is not made by completing.
	missing := filepath.Join(d.dir, "nothing.db")
	if got := d.complete("--db", missing, "services", "--as", ""); len(got) != 0 {
		t.Errorf("completion on a missing desk: %q", got)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("completion created a database")
	}
}

// A command that only an open request allows offers no ended request:
// accept, refuse and resend the requests awaiting the account's answer,
// cancel those it asked for; show offers every one.
func TestCompletionOffersOnlyRequestsTheCommandTakes(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	for _, c := range []struct {
		cmd  string
		want string
	}{
		{"show", "8 7 6 5 4 2 1"},
		{"accept", "8 6 5"},
		{"refuse", "8 6 5"},
		{"resend", "8 6 5"},
		{"cancel", "8 7"},
	} {
		if got := strings.Join(d.complete("request", c.cmd, "--as", "xx11111-ovh", ""), " "); got != c.want {
			t.Errorf("request %s completes %q, want %q", c.cmd, got, c.want)
		}
	}
}

// TestCompletingValues: export's --format, account add's --lang and
// config set's values of the settings that take a few are completed, not
// file names.
func TestCompletingValues(t *testing.T) {
	d := newDesk(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "accounts", "--format", ""}, "csv json"},
		{[]string{"config", "set", "mail-delivery", ""}, "smtp none"},
		{[]string{"config", "set", "default-lang", ""}, "pt en fr"},
		{[]string{"account", "add", "qq12345-ovh", "--lang", ""}, "pt en fr"},
	} {
		if got := strings.Join(d.complete(c.args...), " "); got != c.want {
			t.Errorf("%v: %q, want %q", c.args, got, c.want)
		}
	}
}

// TestSmallSlips: a mail's number may be written #31, as a request's;
// an empty FILE for backup or import, or FINGERPRINT for key remove, is
// a misuse, not "cannot write : …".
func TestSmallSlips(t *testing.T) {
	d := seeded(t)
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	id := decode[[]mailJ](t, d.ok("mail", "list", "--as", "ne44444-ovh", "--json"))[0].ID
	if out := d.ok("mail", "show", fmt.Sprintf("#%d", id), "--as", "ne44444-ovh"); !strings.Contains(out, "Subject:") {
		t.Errorf("mail show #%d: %s", id, out)
	}
	d.misused("FILE is empty: give the path of the copy to write", "backup", "")
	// so is import's FILE ("can't read : no such file"), and key
	// remove's FINGERPRINT ("no key with fingerprint  is registered")
	d.misused("FILE is empty: give the path of a CSV file, or - for standard input", "import", "accounts", "")
	d.misused("FILE is empty", "import", "services", " ", "--dry-run")
	d.misused("FINGERPRINT is empty: give the fingerprint of a registered key", "key", "remove", "")
	// and api-key remove's and revoke's APPLICATION_KEY ("no API key
	// has the application key """, exit 1)
	d.misused("APPLICATION_KEY is empty: give an API key's application key", "api-key", "remove", "")
	d.misused("APPLICATION_KEY is empty", "api-key", "revoke", " ", "1")
	if out := d.ok("export", "accounts", "--format", "JSON"); !strings.HasPrefix(out, "[") {
		t.Errorf("export --format JSON: %q", out)
	}
}

// TestCompletionWritesNothingATerminalActsOn: the shell writes what a
// completion offers on the command line, and its descriptions in a menu
// (zsh, fish), as they are. A service's name and type stored with escape
// sequences (by hand, by an older version: the rules refuse them today)
// were offered raw, retitling support staff's terminal or writing to its
// clipboard at a tab; handles' descriptions were already clean.
func TestCompletionWritesNothingATerminalActsOn(t *testing.T) {
	d := seeded(t)
	d.ok("service", "add", "clean.example", "--type", "domain", "--admin", "ad11111-ovh", "--tech", "te22222-ovh", "--billing", "bi33333-ovh")
	const hostile = "\x1b]0;pwned\x07\x1b]52;c;cHduZWQ=\x07\u009b2J\u202e"
	raw, err := sql.Open("sqlite3", filepath.Join(d.dir, "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.Exec("UPDATE services SET name = name || ?1, type = type || ?1 WHERE name = 'example.com'", hostile)
	if err == nil {
		_, err = raw.Exec("UPDATE services SET type = type || ?1 WHERE name = 'clean.example'", hostile)
	}
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"request", "create", "--as", "ad11111-ovh", "--service", ""}, "clean.example\tdomain"},
		{[]string{"owner", "show", "--as", "ad11111-ovh", ""}, "clean.example\tdomain"},
		{[]string{"history", "--as", "ad11111-ovh", "--service", "ex"}, ""},
	} {
		out := d.ok(append([]string{"__complete"}, c.args...)...)
		terminalSafe(t, c.args, "completion", out)
		got := strings.TrimSuffix(out, ":4\n") // the directive's line: no files
		if got = strings.TrimSuffix(got, "\n"); got != c.want {
			t.Errorf("%q: %q, want %q", c.args, got, c.want)
		}
	}
}

// TestCompletingRevoke: api-key revoke completes its application key,
// then the numbers of that key's consumer keys (those 'api-key list'
// shows), not file names; a key it does not know offers none.
func TestCompletingRevoke(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	type made struct {
		ApplicationKey string `json:"applicationKey"`
	}
	one := decode[made](t, d.ok("api-key", "add", "xx11111-ovh", "--json"))
	other := decode[made](t, d.ok("api-key", "add", "cd67890-ovh", "--json"))
	if got := d.complete("api-key", "revoke", one.ApplicationKey[:4]); len(got) != 1 || got[0] != one.ApplicationKey {
		t.Errorf("revoke %s…: %q, want %q", one.ApplicationKey[:4], got, one.ApplicationKey)
	}
	for _, c := range []struct {
		key  string
		want string
	}{
		{one.ApplicationKey, "1"},
		{other.ApplicationKey, "2"},
		{"nosuchkey", ""},
	} {
		if got := strings.Join(d.complete("api-key", "revoke", c.key, ""), " "); got != c.want {
			t.Errorf("revoke %s: %q, want %q", c.key, got, c.want)
		}
	}
	d.ok("api-key", "revoke", other.ApplicationKey, "2")
	if got := d.complete("api-key", "revoke", other.ApplicationKey, ""); len(got) != 0 {
		t.Errorf("a revoked consumer key is offered: %q", got)
	}
}

// TestCompletingAValueOffersNoFiles: a flag whose value is not a file
// (a duration, a name, a number, an address) completes nothing, where
// the shell listed the folder's files as if one were the value; a flag
// that takes a file (and an argument that is one) still offers them.
func TestCompletingAValueOffersNoFiles(t *testing.T) {
	d := newDesk(t)
	directive := func(args ...string) string {
		out := strings.TrimSpace(d.ok(append([]string{"__complete"}, args...)...))
		return out[strings.LastIndex(out, "\n")+1:]
	}
	for _, args := range [][]string{
		{"request", "create", "--validity", ""},
		{"account", "add", "qq12345-ovh", "--name", ""},
		{"account", "add", "qq12345-ovh", "--owes", ""},
		{"history", "--limit", ""},
		{"owner", "set", "xara.pt", "--phone", ""},
		{"api-key", "add", "xx11111-ovh", "--name", ""},
		{"serve", "--listen", ""},
		{"migrate", "--to", ""},
		{"demo", "--services", ""},
		{"services", "--smtp", ""},
		{"--mail-from", ""},
	} {
		if got := directive(args...); got != ":4" { // ShellCompDirectiveNoFileComp
			t.Errorf("%q: directive %s, want :4 (no files)", args, got)
		}
	}
	for _, args := range [][]string{
		{"--db", ""},
		{"services", "--db", ""},
		{"migrate", "--from", ""},
		{"serve", "--tls-cert", ""},
		{"serve", "--host-key", ""},
		{"api-key", "add", "xx11111-ovh", "--api-secret-key", ""},
		{"import", "accounts", ""},
		{"backup", ""},
	} {
		if got := directive(args...); got != ":0" { // ShellCompDirectiveDefault: files
			t.Errorf("%q: directive %s, want :0 (files)", args, got)
		}
	}
}
