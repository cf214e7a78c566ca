package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/storage"
)

// The output of a command that could not be written (a full disk, a
// file over its quota) is a refusal: exit 1 and one line on stderr,
// never exit 0 with the output lost.

var errFull = errors.New("no space left on device")

// fullStdout is a standard output that takes bytes bytes, then fails
// every write, as a disk that fills up.
type fullStdout struct {
	bytes int
	got   bytes.Buffer
}

func (f *fullStdout) Write(p []byte) (int, error) {
	if room := f.bytes - f.got.Len(); room < len(p) {
		f.got.Write(p[:max(room, 0)])
		return max(room, 0), errFull
	}
	return f.got.Write(p)
}

// runFull runs a command whose standard output takes room bytes only.
func (d *desk) runFull(room int, args ...string) result {
	d.t.Helper()
	out := &fullStdout{bytes: room}
	var errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(""), out, &errb, func(k string) string { return d.env[k] })
	return result{out.got.String(), errb.String(), code}
}

// lostOutput checks that a command whose output could not be written
// said so: exit 1, and the one line says.
func (d *desk) lostOutput(says string, args ...string) {
	d.t.Helper()
	r := d.runFull(0, args...)
	if slices.Contains(args, "--json") {
		// said as JSON (errjson_test.go)
		if e := errorLine(d.t, args, r.err); r.code != 1 || e.Kind != "output" || "contactdesk: "+e.Message != says {
			d.t.Errorf("%v with a full disk: exit %d, stderr %q; want 1, the kind output, and %q", args, r.code, r.err, says)
		}
		return
	}
	if r.code != 1 || r.err != says+"\n" {
		d.t.Errorf("%v with a full disk: exit %d, stderr %q; want 1 and %q", args, r.code, r.err, says)
	}
}

func TestLostOutputIsARefusal(t *testing.T) {
	d := seeded(t)
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	d.ok("config", "set", "public-url", "https://desk.example.com")
	const lost = "contactdesk: writing the output: no space left on device"
	for _, args := range [][]string{
		{"services", "--as", "ad11111-ovh"},
		{"request", "list", "--as", "ad11111-ovh"},
		{"request", "show", "1", "--as", "ad11111-ovh"},
		{"mail", "list", "--as", "ad11111-ovh"},
		{"owner", "show", "example.com", "--as", "ad11111-ovh"},
		{"history", "--as", "ad11111-ovh"},
		{"history", "--support"},
		{"account", "list"},
		{"key", "list"},
		{"api-key", "list"},
		{"config", "list"},
		{"config", "get", "public-url"},
		// as they already were
		{"services", "--as", "ad11111-ovh", "--json"},
		{"export", "accounts"},
		{"man"},
		// what cobra and fang write: help, the version, a script
		{"--help"},
		{"help", "request", "create"},
		{"request"},
		{"--version"},
		{"completion", "bash"},
	} {
		d.lostOutput(lost, args...)
	}
	// What nothing was left to write is no loss.
	d.ok("config", "unset", "public-url")
	if r := d.runFull(0, "config", "get", "public-url"); r.code != 0 || r.err != "" {
		t.Errorf("config get of a key unset, with a full disk: exit %d, %q", r.code, r.err)
	}
	// Nor is a misuse, or a refusal, anything but what it is.
	if r := d.runFull(0, "request", "show", "x", "--as", "ad11111-ovh"); r.code != 2 {
		t.Errorf("a misuse with a full disk: exit %d, %q", r.code, r.err)
	}
	if r := d.runFull(0, "request", "show", "99", "--as", "ad11111-ovh"); r.code != 1 || !strings.Contains(r.err, "no request #99") {
		t.Errorf("a refusal with a full disk: exit %d, %q", r.code, r.err)
	}
	// Said in the reader's language.
	d.env["LANG"] = "pt_PT.UTF-8"
	d.lostOutput("contactdesk: não foi possível escrever a saída: no space left on device", "account", "list")
	d.env["LANG"] = "fr_FR.UTF-8"
	d.lostOutput("contactdesk: impossible d'écrire la sortie : no space left on device", "account", "list")
}

// TestLostOutputOfAChange: a command that changed the desk, whose
// output was lost, says that the change was made (exit 1 all the same:
// what it had to say was not delivered).
func TestLostOutputOfAChange(t *testing.T) {
	d := seeded(t)
	const made = "contactdesk: writing the output: no space left on device; the change was made all the same"
	d.lostOutput(made, "request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	if out := d.ok("request", "list", "--as", "ad11111-ovh"); !strings.Contains(out, "ne44444-ovh") {
		t.Errorf("the request whose output was lost was not made: %q", out)
	}
	d.lostOutput(made, "request", "cancel", "1", "--as", "ad11111-ovh", "--json")
	if out := d.ok("request", "show", "1", "--as", "ad11111-ovh"); !strings.Contains(out, "cancelled") {
		t.Errorf("the request cancelled, its output lost, was not: %q", out)
	}
	d.lostOutput(made, "account", "add", "zy99999-ovh", "--name", "Zoe", "--email", "zoe@example.com")
	if out := d.ok("account", "list"); !strings.Contains(out, "zy99999-ovh") {
		t.Errorf("the account added, its output lost, was not: %q", out)
	}
	d.lostOutput(made, "config", "set", "public-url", "https://desk.example.com")
	d.lostOutput(made, "backup", filepath.Join(d.dir, "copy.db"))

	// A dry run changes nothing.
	csv := filepath.Join(d.dir, "accounts.csv")
	if err := os.WriteFile(csv, []byte("handle,name,email\nxx12345-ovh,Xavier,x@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.lostOutput("contactdesk: writing the output: no space left on device", "import", "accounts", csv, "--dry-run")
	d.lostOutput(made, "import", "accounts", csv)
}

// TestMailShownIsReadOnlyWhenShown: mail show marks the mail read when it
// was shown, not when its output was lost.
func TestMailShownIsReadOnlyWhenShown(t *testing.T) {
	d := seeded(t)
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	type mail struct {
		ID   int64 `json:"id"`
		Read bool  `json:"read"`
	}
	var id string
	unread := func() (n int) {
		for _, m := range decode[[]mail](t, d.ok("mail", "list", "--as", "ne44444-ovh", "--json")) {
			if !m.Read {
				n++
			}
			id = itoa(m.ID)
		}
		return n
	}
	if unread() != 1 {
		t.Fatalf("ne44444-ovh has %d unread mails, want 1", unread())
	}
	d.lostOutput("contactdesk: writing the output: no space left on device", "mail", "show", id, "--as", "ne44444-ovh")
	d.lostOutput("contactdesk: writing the output: no space left on device", "mail", "show", id, "--as", "ne44444-ovh", "--json")
	if unread() != 1 {
		t.Fatal("a mail whose output was lost is marked read")
	}
	d.ok("mail", "show", id, "--as", "ne44444-ovh")
	if unread() != 0 {
		t.Fatal("a mail shown is not marked read")
	}
}

// TestAPIKeyAddKeepsNoKeyItCouldNotShow: the credentials of an API key
// are shown once, by api-key add: when they could not be written, in
// full, the key is removed, and exit 1 means that nothing is left of it.
func TestAPIKeyAddKeepsNoKeyItCouldNotShow(t *testing.T) {
	db := apiDesk(t)
	d := &desk{t: t, dir: filepath.Dir(db), env: map[string]string{"CONTACTDESK_DB": db}}
	const notKept = "contactdesk: writing the output: no space left on device; the key was not kept (its credentials could not be shown): run the command again\n"
	// full at once, or after the first line, or before the consumer key
	// (human output); before the end of the JSON
	for _, c := range []struct {
		room int
		args []string
	}{
		{0, nil},
		{20, nil},
		{150, nil},
		{0, []string{"--json"}},
		{100, []string{"--json"}},
	} {
		r := d.runFull(c.room, append([]string{"api-key", "add", "aa11111-ovh", "--name", "lost"}, c.args...)...)
		if c.args != nil {
			// said as JSON (errjson_test.go)
			if e := errorLine(t, c.args, r.err); r.code != 1 || e.Kind != "output" || "contactdesk: "+e.Message+"\n" != notKept {
				t.Errorf("api-key add %v with %d bytes of room: exit %d, %q", c.args, c.room, r.code, r.err)
			}
			continue
		}
		if r.code != 1 || !strings.HasSuffix(r.err, notKept) {
			t.Errorf("api-key add %v with %d bytes of room: exit %d, %q", c.args, c.room, r.code, r.err)
		}
	}
	if out := d.ok("api-key", "list", "--json"); out != "[]\n" {
		t.Fatalf("keys whose credentials were never shown are kept: %s", out)
	}
	// The history says what happened: each made, and removed.
	if out := d.ok("history", "--support"); strings.Count(out, "added for aa11111-ovh") != 5 || strings.Count(out, "removed") != 5 {
		t.Errorf("history --support: %q", out)
	}
	// A key whose credentials were written is kept.
	d.ok("api-key", "add", "aa11111-ovh", "--name", "shown")
	if out := d.ok("api-key", "list"); !strings.Contains(out, "shown") {
		t.Fatalf("api-key list: %q", out)
	}
}

// TestAPIKeyNotTakenBack: should the key whose credentials were lost not
// be removed, the message says it is still there, and how to remove it.
func TestAPIKeyNotTakenBack(t *testing.T) {
	st, err := storage.Open(filepath.Join(t.TempDir(), "desk.db"), storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	st.Close() // every write fails
	a := &app{ctx: context.Background(), l: locale.For(locale.EN)}
	err = a.takeBackAPIKey(model.NewDesk(st, model.Options{}), model.APIKey{AppKey: "7kQ2pX9aLm3vB8nR", Handle: "aa11111-ovh"}, errFull)
	msg := a.refusal(err)
	if exitCode(err) != exitRefused || !errors.Is(err, errFull) ||
		!strings.HasPrefix(msg, "writing the output: no space left on device; and the key made could not be removed (") ||
		!strings.HasSuffix(msg, "): API key 7kQ2pX9aLm3vB8nR acts as aa11111-ovh, its credentials shown nowhere; remove it with 'contactdesk api-key remove 7kQ2pX9aLm3vB8nR'") {
		t.Fatalf("%d %q", exitCode(err), msg)
	}
}
