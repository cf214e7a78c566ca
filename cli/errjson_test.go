package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	gosmtp "github.com/emersion/go-smtp"

	"contactdesk/delivery/smtptest"
	"contactdesk/storage/postgres/pgtest"
)

// errorLine reads what a command given --json wrote on stderr when it
// failed: one line, one JSON object, {"error": {…}} and nothing else.
func errorLine(t *testing.T, args []string, stderr string) (e struct {
	Message, Kind, Reason, Field string
}) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Fatalf("%v: stderr is not one line: %q", args, stderr)
	}
	var j map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stderr), &j); err != nil || len(j) != 1 || j["error"] == nil {
		t.Fatalf("%v: stderr is not {\"error\": …}: %q (%v)", args, stderr, err)
	}
	if err := json.Unmarshal(j["error"], &e); err != nil || e.Message == "" || e.Kind == "" {
		t.Fatalf("%v: the error has no message or no kind: %q (%v)", args, stderr, err)
	}
	return e
}

// TestErrorsAsJSON: a command given --json that fails writes its error
// on stderr as one JSON object, {"error": {"message", "kind", "reason",
// "field"}}: the message the same words as without --json, in the
// reader's language; the kind, the reason and the field the same in
// every language; nothing on stdout; the exit code as without --json.
func TestErrorsAsJSON(t *testing.T) {
	d := seeded(t)
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	missing := filepath.Join(d.dir, "nowhere", "desk.db")
	for _, c := range []struct {
		args                              []string
		code                              int
		kind, reason, field, containsText string
	}{
		{[]string{"services", "--as", "zz99999-ovh"}, 1, "not_found", "unknown_account", "as", "zz99999-ovh"},
		{[]string{"request", "show", "999", "--as", "ad11111-ovh"}, 1, "not_found", "not_found", "request", "999"},
		{[]string{"request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "billing", "--to", "bi33333-ovh"}, 1, "conflict", "already_contact", "to", "bi33333-ovh"},
		{[]string{"request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "bi33333-ovh"}, 1, "conflict", "pending", "role", "#1"},
		{[]string{"request", "accept", "1", "--as", "ne44444-ovh", "--token", "AAAA-BBBB-CCCC-DDDD"}, 1, "forbidden", "wrong_token", "token", "#1"},
		{[]string{"--db", missing, "services", "--as", "ad11111-ovh"}, 1, "storage", "", "", missing},
		{[]string{"services", "--as", "ad11111-ovh", "--bogus"}, 2, "usage", "", "", "--bogus"},
		{[]string{"--bogus", "services", "--as", "ad11111-ovh"}, 2, "usage", "", "", "--bogus"},
		{[]string{"services", "--as", "ad11111-ovh", "--serivce", "x"}, 2, "usage", "", "", "--serivce"},
	} {
		for _, lang := range []string{"C", "pt_PT.UTF-8"} {
			plain := d.withLang([]string{"LANG=" + lang}, c.args...)
			args := append(append([]string{}, c.args...), "--json")
			if c.kind == "usage" {
				args = append([]string{"--json"}, c.args...) // before the bad flag, and cobra's reading
			}
			r := d.withLang([]string{"LANG=" + lang}, args...)
			if r.code != c.code || plain.code != c.code || r.out != "" {
				t.Errorf("LANG=%s %v: exit %d (without --json %d), stdout %q; want %d and nothing", lang, args, r.code, plain.code, r.out, c.code)
				continue
			}
			e := errorLine(t, args, r.err)
			said, _, _ := strings.Cut(strings.TrimPrefix(plain.err, "contactdesk: "), "\n")
			if e.Message != said || !strings.Contains(e.Message, c.containsText) {
				t.Errorf("LANG=%s %v: message %q; want %q, as without --json", lang, args, e.Message, said)
			}
			if e.Kind != c.kind || e.Reason != c.reason || e.Field != c.field {
				t.Errorf("LANG=%s %v: kind %q, reason %q, field %q; want %q, %q, %q", lang, args, e.Kind, e.Reason, e.Field, c.kind, c.reason, c.field)
			}
		}
	}
	// (said in each language, the kind the same)
	en := d.withLang([]string{"LANG=C"}, "request", "show", "999", "--as", "ad11111-ovh", "--json")
	pt := d.withLang([]string{"LANG=pt_PT.UTF-8"}, "request", "show", "999", "--as", "ad11111-ovh", "--json")
	if a, b := errorLine(t, nil, en.err), errorLine(t, nil, pt.err); a.Message == b.Message || a.Kind != b.Kind {
		t.Errorf("English %+v and Portuguese %+v", a, b)
	}
	// A command with no JSON output refuses --json: said as JSON too.
	r := d.run("init", "--json")
	if e := errorLine(t, []string{"init", "--json"}, r.err); r.code != 2 || e.Kind != "usage" || !strings.Contains(e.Message, "--json") {
		t.Errorf("init --json: exit %d, %+v", r.code, e)
	}
	// Without --json, or with --json=false, the line as ever.
	for _, args := range [][]string{
		{"request", "show", "999", "--as", "ad11111-ovh"},
		{"request", "show", "999", "--as", "ad11111-ovh", "--json=false"},
		{"--json=false", "services", "--bogus"},
	} {
		if r := d.run(args...); !strings.HasPrefix(r.err, "contactdesk: ") {
			t.Errorf("%v: stderr %q; want the plain line", args, r.err)
		}
	}
	// Output that could not be written: kind output.
	if r := d.runFull(0, "services", "--as", "ad11111-ovh", "--json"); r.code != 1 || errorLine(t, nil, r.err).Kind != "output" {
		t.Errorf("services --json with a full disk: exit %d, stderr %q", r.code, r.err)
	}
	if r := d.run("--json=true", "services", "--bogus"); !strings.HasPrefix(r.err, `{"error":`) {
		t.Errorf("--json=true services --bogus: stderr %q; want JSON", r.err)
	}
}

// TestErrorsAsJSONOfAPostgresDesk: the desk's database on a PostgreSQL
// server that can't be reached, or that holds no desk yet, is a failure
// of kind storage (the desk's database: missing, …, failed), as the
// same of a SQLite desk is, not failed (a file, a folder, an address).
func TestErrorsAsJSONOfAPostgresDesk(t *testing.T) {
	d := newDesk(t)
	for _, c := range []struct {
		db, says string
	}{
		{"postgres://nobody@127.0.0.1:1/desk?connect_timeout=2", "cannot reach the PostgreSQL server"},
		{pgtest.URL(t), "no contactdesk data"},
	} {
		args := []string{"--db", c.db, "account", "list", "--json"}
		r := d.run(args...)
		if e := errorLine(t, args, r.err); r.code != 1 || e.Kind != "storage" || !strings.Contains(e.Message, c.says) {
			t.Errorf("%v: exit %d, %+v; want 1, the kind storage, saying %q", args, r.code, e, c.says)
		}
	}
}

// TestNotesAsJSONBesideAnError: with --json, a note a command writes for
// people on stderr (here that a mail it took from the outbox was not
// delivered, in a command refused for its wrong token) is a line of JSON
// too, {"note": {"message"}}, so that a script reading stderr as JSON
// reaches the error: the note was a plain line, on which jq stopped. The
// note may come before the error or after it (the sender's). Without
// --json it stays a plain line.
func TestNotesAsJSONBesideAnError(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	d := seeded(t)
	d.env["CONTACTDESK_SMTP"], d.env["CONTACTDESK_MAIL_FROM"] = srv.URL(), "desk@provider.example"
	d.env["CONTACTDESK_NOW"] = "2026-03-01T08:00:00Z"
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	srv.Refuse(func(string) *gosmtp.SMTPError {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	})
	for i, asJSON := range []bool{true, false} {
		// a fresh token queued while the server is down, tried again by
		// the next command, once its next try is due
		srv.SetDown(true)
		d.env["CONTACTDESK_NOW"] = fmt.Sprintf("2026-03-01T%02d:00:00Z", 9+i)
		d.ok("request", "resend", "1", "--as", "ne44444-ovh")
		srv.SetDown(false)
		d.env["CONTACTDESK_NOW"] = fmt.Sprintf("2026-03-01T%02d:10:00Z", 9+i)
		args := []string{"request", "accept", "1", "--as", "ne44444-ovh", "--token", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"}
		if asJSON {
			args = append(args, "--json")
		}
		r := d.run(args...)
		lines := strings.Split(strings.TrimSuffix(r.err, "\n"), "\n")
		if r.code != 1 || r.out != "" || len(lines) < 2 {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q; want 1, a note and the error", args, r.code, r.out, r.err)
		}
		notes, errs := 0, 0
		for _, l := range lines {
			if !asJSON {
				if strings.HasPrefix(l, "{") {
					t.Errorf("%v: a line of JSON without --json: %q", args, l)
				}
				continue
			}
			var j struct {
				Note  *struct{ Message string }      `json:"note"`
				Error *struct{ Kind, Reason string } `json:"error"`
			}
			switch err := json.Unmarshal([]byte(l), &j); {
			case err != nil:
				t.Errorf("%v: a line of stderr is not JSON: %q", args, l)
			case j.Note != nil && strings.Contains(j.Note.Message, "not delivered") && !strings.HasPrefix(j.Note.Message, "contactdesk:"):
				notes++
			case j.Error != nil && j.Error.Reason == "wrong_token":
				errs++
			default:
				t.Errorf("%v: a line of stderr is neither a note nor the error: %q", args, l)
			}
		}
		if asJSON && (notes == 0 || errs != 1) {
			t.Errorf("%v: %d notes, %d errors on stderr: %q", args, notes, errs, r.err)
		}
	}
	// and contactdesk --help says so, where it says what the error is
	for _, lang := range []string{"en_GB.UTF-8", "pt_PT.UTF-8", "fr_FR.UTF-8"} {
		d.env["LANG"] = lang
		if help := strings.Join(strings.Fields(d.ok("--help")), ""); !strings.Contains(help, `{"note":{"message"}}`) {
			t.Errorf("%s: contactdesk --help does not say a note is JSON with --json", lang)
		}
	}
}

// TestAFlagTakenForTheValueBeforeIt: a flag given no value takes the next
// flag for it: `--service $svc --json` with $svc empty made --service
// "--json", refused (exit 1) in a plain line as a name no service has,
// where the script asked for JSON. It is a misuse (exit 2), as JSON when
// the flag taken was --json; an empty value given as such ("") is not.
func TestAFlagTakenForTheValueBeforeIt(t *testing.T) {
	d := seeded(t)
	d.misused(`--service is given no value: "--json", after it, is a flag`, "history", "--as", "ad11111-ovh", "--service", "--json")
	d.misused(`--as is given no value: "--json", after it, is a flag`, "request", "show", "1", "--as", "--json")
	d.misused(`--service is given no value: "-h", after it, is a flag`, "history", "--as", "ad11111-ovh", "--service", "-h")
	d.env["LANG"] = "pt_PT.UTF-8"
	d.misused(`--service não tem valor: "--json", a seguir, é uma opção`, "history", "--as", "ad11111-ovh", "--service", "--json")
	// French quotes the flag taken as it quotes a value typed
	d.env["LANG"] = "fr_FR.UTF-8"
	d.misused("--service n'a pas de valeur : « --json », juste après", "history", "--as", "ad11111-ovh", "--service", "--json")
	delete(d.env, "LANG")
	if out := strings.TrimSpace(d.ok("history", "--as", "ad11111-ovh", "--service", "", "--json")); !strings.HasPrefix(out, "[") {
		t.Errorf(`--service "" --json: %q`, out)
	}
	// a value that only looks like a flag, given with =, is a value
	if r := d.run("history", "--as", "ad11111-ovh", "--service=--json"); r.code != 1 {
		t.Errorf("--service=--json: exit %d %q", r.code, r.err)
	}
}

// TestAFlagTakenForTheValueBeforeItLeavesAWordOver: a flag given no
// value that took the next flag for it, whose own value is then left
// over as an argument (`request create --as --service web1`), is said
// as that flag given no value, and the word left over named, in the
// reader's language, as JSON with --json (exit 2): it was "request
// create takes no arguments: "web1" is not understood", which named
// neither --as nor what was missing. A word left over with no flag
// before it is refused as it was.
func TestAFlagTakenForTheValueBeforeItLeavesAWordOver(t *testing.T) {
	d := seeded(t)
	create := []string{"request", "create", "--role", "tech", "--to", "ne44444-ovh"}
	for _, c := range []struct {
		args []string
		says map[string]string
	}{
		{[]string{"--as", "--service", "example.com"}, map[string]string{
			"C":           `--as is given no value: "--service", after it, is a flag, and so "example.com" is left over as an argument (an empty value is written --as "")`,
			"pt_PT.UTF-8": `--as não tem valor: "--service", a seguir, é uma opção, e por isso "example.com" fica a mais como argumento (um valor vazio escreve-se --as "")`,
			"fr_FR.UTF-8": `--as n'a pas de valeur : « --service », juste après, est une option, et « example.com » reste donc en trop comme argument (une valeur vide s'écrit --as "")`,
		}},
		{[]string{"--service", "--as", "ad11111-ovh"}, map[string]string{
			"C":           `--service is given no value: "--as", after it, is a flag, and so "ad11111-ovh" is left over as an argument`,
			"pt_PT.UTF-8": `--service não tem valor: "--as", a seguir, é uma opção, e por isso "ad11111-ovh" fica a mais como argumento`,
			"fr_FR.UTF-8": `--service n'a pas de valeur : « --as », juste après, est une option, et « ad11111-ovh » reste donc en trop comme argument`,
		}},
	} {
		for lang, says := range c.says {
			d.env["LANG"] = lang
			args := append(slices.Clone(create), c.args...)
			if r := d.run(args...); r.code != 2 || !strings.HasPrefix(r.err, "contactdesk: "+says) || !strings.Contains(r.err, "contactdesk request create --as HANDLE") {
				t.Errorf("LANG=%s %v: exit %d, stderr %q; want 2 and %q, with the usage", lang, args, r.code, r.err, says)
			}
			args = append(args, "--json")
			if r := d.run(args...); r.code != 2 || !strings.Contains(errorLine(t, args, r.err).Message, says) || errorLine(t, args, r.err).Kind != "usage" {
				t.Errorf("LANG=%s %v: exit %d, stderr %q; want 2, the kind usage, saying %q", lang, args, r.code, r.err, says)
			}
		}
	}
	// an argument of a command that takes some, left over the same way
	d.env["LANG"] = "C"
	d.misused(`--as is given no value: "--db", after it, is a flag, and so "abc" is left over as an argument`, "request", "accept", "--as", "--db", "abc", "1")
	// the word --token leaves over is the token: never written out
	// (the mail's reader's secret, on a shared terminal, in a CI log),
	// with --json neither
	for _, args := range [][]string{
		{"request", "accept", "1", "--as", "--token", "7K3Q-9XWM-4HBT-SECRET"},
		{"request", "refuse", "--as", "--token", "7K3Q-9XWM-4HBT-SECRET", "1", "--json"},
		{"profile", "confirm-email", "--as", "--token", "7K3Q-9XWM-4HBT-SECRET"},
		// --token=… taken as --as's value: the flag named, not its token
		{"request", "accept", "1", "--as", "--token=7K3Q-9XWM-4HBT-SECRET"},
		{"profile", "confirm-email", "--as", "--token=7K3Q-9XWM-4HBT-SECRET", "--json"},
	} {
		r := d.run(args...)
		if r.code != 2 || strings.Contains(r.err+r.out, "SECRET") || !strings.Contains(r.err, "--as is given no value: ") || !strings.Contains(r.err, "--token") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, --as named, and no token", args, r.code, r.out, r.err)
		}
	}
	// a flag that takes no word (--json) taken as --as's value, on a
	// command that takes --token: the word after it is an argument, the
	// token typed without its flag, and is not written out either
	for _, args := range [][]string{
		{"profile", "confirm-email", "--as", "--json", "7K3Q-9XWM-4HBT-SECRET"},
		{"request", "accept", "1", "--as", "--json", "7K3Q-9XWM-4HBT-SECRET"},
	} {
		r := d.run(args...)
		if r.code != 2 || strings.Contains(r.err+r.out, "SECRET") || !strings.Contains(r.err, "--as is given no value: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, --as named, and no token", args, r.code, r.out, r.err)
		}
	}
	// the flag taken is --json: said as JSON
	r := d.run("request", "create", "--as", "ad11111-ovh", "--service", "--json", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	if e := errorLine(t, nil, r.err); r.code != 2 || e.Kind != "usage" || !strings.Contains(e.Message, `--service is given no value: "--json"`) {
		t.Errorf("--service --json example.com: exit %d, stderr %q", r.code, r.err)
	}
	// a word left over with no flag given no value before it
	d.misused(`request create takes no arguments: "example.com" is not understood`, "request", "create", "--as", "ad11111-ovh", "example.com", "--service", "example.com")
	if out := d.ok("request", "list", "--as", "ad11111-ovh"); strings.Contains(out, "example.com") {
		t.Errorf("a request was made:\n%s", out)
	}
}

// TestATokenTypedWithoutItsFlagIsNotWrittenOut: the token given as an
// argument, its --token forgotten (profile confirm-email 7K3Q-…,
// request accept 7K3Q-… in place of the request's number), is refused
// without writing it out, in the reader's language, as JSON with --json
// (exit 2): the refusal quoted it ("profile confirm-email takes no
// arguments: "7K3Q-…" is not understood"), on a terminal anyone behind
// the user reads, or in a CI log. A command without --token names the
// word as before.
func TestATokenTypedWithoutItsFlagIsNotWrittenOut(t *testing.T) {
	d := seeded(t)
	for _, c := range []struct {
		args []string
		says map[string]string
	}{
		{[]string{"profile", "confirm-email", "7K3Q-9XWM-SECRET", "--as", "ad11111-ovh"}, map[string]string{
			"C":           "profile confirm-email takes no arguments (what was given is not written out here: it may be a token); give the token with --token TOKEN",
			"pt_PT.UTF-8": "profile confirm-email não aceita argumentos (o que foi dado não é mostrado aqui: pode ser um código); indique o código com --token TOKEN",
			"fr_FR.UTF-8": "profile confirm-email ne prend pas d'argument (ce qui a été donné n'est pas affiché ici : ce peut être un code) ; donnez le code avec --token TOKEN",
		}},
		{[]string{"request", "accept", "7K3Q-9XWM-SECRET", "--as", "ad11111-ovh"}, map[string]string{
			"C":           "the first argument is not a request number (it is not written out here: it may be a token); give the request's number, and the token with --token TOKEN",
			"pt_PT.UTF-8": "o primeiro argumento não é um número de pedido (não é mostrado aqui: pode ser um código); indique o número do pedido, e o código com --token TOKEN",
			"fr_FR.UTF-8": "le premier argument n'est pas un numéro de demande (il n'est pas affiché ici : ce peut être un code) ; donnez le numéro de la demande, et le code avec --token TOKEN",
		}},
	} {
		for lang, says := range c.says {
			d.env["LANG"] = lang
			if r := d.run(c.args...); r.code != 2 || strings.Contains(r.out+r.err, "SECRET") || !strings.HasPrefix(r.err, "contactdesk: "+says) {
				t.Errorf("LANG=%s %v: exit %d, stdout %q, stderr %q; want 2 and %q, without the token", lang, c.args, r.code, r.out, r.err, says)
			}
			args := append(slices.Clone(c.args), "--json")
			if r := d.run(args...); r.code != 2 || strings.Contains(r.out+r.err, "SECRET") || !strings.Contains(errorLine(t, args, r.err).Message, says) || errorLine(t, args, r.err).Kind != "usage" {
				t.Errorf("LANG=%s %v: exit %d, stdout %q, stderr %q; want 2, the kind usage, saying %q", lang, args, r.code, r.out, r.err, says)
			}
		}
	}
	d.env["LANG"] = "C"
	d.misused(`"7K3Q" is not a request number`, "request", "show", "7K3Q", "--as", "ad11111-ovh")
}
