package cli

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// TestTextFromTheDatabaseIsInert: names stored by anything but this
// version (an older one, a hand edit) may hold escape sequences and C1
// controls, which the rules refuse today. Whatever a command prints of
// them, for people or as JSON, can't act on a terminal; JSON keeps them,
// escaped, so that a script reads what is stored.
func TestTextFromTheDatabaseIsInert(t *testing.T) {
	d := seeded(t)
	const (
		service = "ex\u009b2Jample\x1b]0;owned\x07.com" // 8-bit CSI, then an OSC retitling the terminal
		name    = "Ada \x1b[31mAdmin\u009b0m\u202e"
	)
	raw, err := sql.Open("sqlite3", filepath.Join(d.dir, "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE services SET name = ?1 WHERE name = 'example.com'",
		"UPDATE accounts SET name = ?2 WHERE handle = 'ad11111-ovh'",
	} {
		if _, err := raw.Exec(q, service, name); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	// The service is reached by the name it is listed with, exactly.
	create := d.ok("request", "create", "--as", "ad11111-ovh", "--service", service, "--role", "tech", "--to", "ne44444-ovh")
	if !strings.Contains(create, "request #1 created: tech contact of ex") {
		t.Fatalf("request create: %q", create)
	}
	outputs := map[string]string{"request create": create}
	for _, args := range [][]string{
		{"request", "show", "1", "--as", "ad11111-ovh"},
		{"request", "list", "--as", "ad11111-ovh"},
		{"services", "--as", "ad11111-ovh"},
		{"account", "list"},
		{"history", "--as", "ad11111-ovh"},
		{"mail", "list", "--as", "te22222-ovh"},
		{"owner", "show", service, "--as", "ad11111-ovh"},
	} {
		outputs[strings.Join(args[:2], " ")] = d.ok(args...)
	}
	jsons := map[string][]string{
		"request show --json":   {"request", "show", "1", "--as", "ad11111-ovh", "--json"},
		"request list --json":   {"request", "list", "--as", "ad11111-ovh", "--json"},
		"services --json":       {"services", "--as", "ad11111-ovh", "--json"},
		"account list --json":   {"account", "list", "--json"},
		"history --json":        {"history", "--as", "ad11111-ovh", "--json"},
		"mail list --json":      {"mail", "list", "--as", "te22222-ovh", "--json"},
		"owner show --json":     {"owner", "show", service, "--as", "ad11111-ovh", "--json"},
		"request create --json": {"request", "create", "--as", "ad11111-ovh", "--service", service, "--role", "billing", "--to", "ne44444-ovh", "--json"},
	}
	for what, args := range jsons {
		outputs[what] = d.ok(args...)
	}
	for what, out := range outputs {
		terminalSafe(t, []string{what}, "stdout", out)
	}
	// JSON escapes what it can't print, and keeps it.
	show := decode[map[string]any](t, outputs["request show --json"])
	if show["service"] != service {
		t.Errorf("request show --json: service %q, want %q", show["service"], service)
	}
	if !strings.Contains(outputs["request show --json"], `\u009b`) {
		t.Errorf("U+009B not escaped:\n%s", outputs["request show --json"])
	}
	accounts := decode[[]map[string]any](t, outputs["account list --json"])
	found := false
	for _, a := range accounts {
		found = found || a["name"] == name
	}
	if !found {
		t.Errorf("account list --json lost the stored name:\n%s", outputs["account list --json"])
	}
	// People see the text without what would act on their terminal.
	for _, what := range []string{"request create", "request show", "services --as"} {
		if !strings.Contains(outputs[what], "example.com") {
			t.Errorf("%s does not show the service's name cleaned:\n%s", what, outputs[what])
		}
	}
	if !strings.Contains(outputs["account list"], "Ada Admin") {
		t.Errorf("account list does not show the name cleaned:\n%s", outputs["account list"])
	}
}

func TestEscapeUnsafeKeepsJSONValid(t *testing.T) {
	for _, s := range []string{"plain", "caf\u00e9", "\u009b\u0085\u007f\u202e\ufeff\u2028", "a\"\\\u0080b"} {
		var b strings.Builder
		if err := writeJSON(&b, map[string]string{"s": s}); err != nil {
			t.Fatal(err)
		}
		if got := decode[map[string]string](t, b.String())["s"]; got != s {
			t.Errorf("%q came back as %q from %s", s, got, b.String())
		}
		terminalSafe(t, []string{s}, "JSON", b.String())
	}
}
