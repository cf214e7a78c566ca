package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"contactdesk/delivery"
	"contactdesk/delivery/smtptest"
	"contactdesk/internal/syncbuf"
	"contactdesk/model"
	"contactdesk/storage"
)

// smtpCLI runs the command line as a process would, with env as its
// whole environment.
func smtpCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	code = Run(context.Background(), args, strings.NewReader(""), &out, &errs, func(k string) string { return env[k] })
	return code, out.String(), errs.String()
}

func mustSMTPCLI(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	code, out, errs := smtpCLI(t, env, args...)
	if code != 0 {
		t.Fatalf("contactdesk %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

type smtpMailJSON struct {
	ID            int64  `json:"id"`
	Address       string `json:"address"`
	Token         string `json:"token"`
	Request       *int64 `json:"request"`
	Delivery      string `json:"delivery"`
	DeliveryError string `json:"delivery_error"`
	TokenWithheld bool   `json:"token_withheld"`
}

// tokenRE finds a token in a message.
var tokenRE = regexp.MustCompile(`[0-9A-Z]{4}(-[0-9A-Z]{4}){6}`)

func smtpMailsOf(t *testing.T, env map[string]string, h string) []smtpMailJSON {
	t.Helper()
	var ms []smtpMailJSON
	if err := json.Unmarshal([]byte(mustSMTPCLI(t, env, "mail", "list", "--as", h, "--json")), &ms); err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestCommandLineDeliversOverSMTP(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	path := filepath.Join(t.TempDir(), "desk.db")
	db, err := storage.Open(path, storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	env := map[string]string{"CONTACTDESK_DB": path, "CONTACTDESK_NOW": "2025-03-01T09:00:00Z"}
	mustSMTPCLI(t, env, "account", "add", "aa11111-ovh", "--name", "Ada", "--email", "ada@example.com")
	mustSMTPCLI(t, env, "account", "add", "bb22222-ovh", "--name", "Bob", "--email", "bob@example.net")
	mustSMTPCLI(t, env, "account", "add", "cc33333-ovh", "--name", "Cyd", "--email", "cyd@example.org")
	mustSMTPCLI(t, env, "service", "add", "example.com", "--type", "domain", "--admin", "aa11111-ovh", "--tech", "bb22222-ovh", "--billing", "aa11111-ovh")

	// The command returns once its mails are out.
	code, out, errs := smtpCLI(t, env, "request", "create", "--as", "aa11111-ovh", "--service", "example.com", "--role", "tech", "--to", "cc33333-ovh",
		"--smtp", srv.URL(), "--mail-from", "Contact desk <desk@provider.example>")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	got := srv.Messages()
	if len(got) != 3 {
		t.Fatalf("%d messages on the server after the command, want 3", len(got))
	}
	for _, h := range []string{"aa11111-ovh", "bb22222-ovh", "cc33333-ovh"} {
		m := smtpMailsOf(t, env, h)[0]
		if m.Delivery != "sent" {
			t.Fatalf("%s: delivery %q (%s)", h, m.Delivery, m.DeliveryError)
		}
		// The token is in the recipient's inbox, and there only.
		if m.Token != "" || !m.TokenWithheld {
			t.Fatalf("%s's mailbox shows its token: %+v", h, m)
		}
		found := false
		for _, g := range got {
			found = found || (g.To[0] == m.Address && tokenRE.MatchString(g.Body))
		}
		if !found {
			t.Fatalf("no message to %s with a token", m.Address)
		}
	}

	// The server is down: the command still succeeds, says what is left,
	// and the mail waits in the outbox.
	srv.SetDown(true)
	env["CONTACTDESK_SMTP"] = srv.URL()
	env["CONTACTDESK_MAIL_FROM"] = "desk@provider.example"
	id := *smtpMailsOf(t, env, "bb22222-ovh")[0].Request
	code, _, errs = smtpCLI(t, env, "request", "resend", strconv.FormatInt(id, 10), "--as", "bb22222-ovh")
	if code != 0 || !strings.Contains(errs, "1 mail not sent yet") || !strings.Contains(errs, "outbox") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	delete(env, "CONTACTDESK_SMTP")
	if m := smtpMailsOf(t, env, "bb22222-ovh")[0]; m.Delivery != "pending" || m.DeliveryError == "" {
		t.Fatalf("left in the outbox: %+v", m)
	}

	// The next command run with --smtp, once the retry is due, sends it.
	srv.SetDown(false)
	env["CONTACTDESK_NOW"] = "2025-03-01T09:10:00Z"
	mustSMTPCLI(t, env, "services", "--as", "aa11111-ovh", "--smtp", srv.URL())
	if m := smtpMailsOf(t, env, "bb22222-ovh")[0]; m.Delivery != "sent" {
		t.Fatalf("not resumed: %+v", m)
	}
	if n := len(srv.Messages()); n != 4 {
		t.Fatalf("%d messages, want 4", n)
	}
}

func TestCommandLineKeepsPasswordsOut(t *testing.T) {
	const password = "Sup3r-s3cret"
	srv := smtptest.Start(t, smtptest.Options{TLS: true, User: "desk", Password: password})
	path := filepath.Join(t.TempDir(), "desk.db")
	db, err := storage.Open(path, storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	env := map[string]string{"CONTACTDESK_DB": path, "CONTACTDESK_MAIL_FROM": "desk@provider.example", "CONTACTDESK_SMTP": srv.URL()}
	mustSMTPCLI(t, env, "account", "add", "aa11111-ovh", "--name", "Ada", "--email", "ada@example.com")
	mustSMTPCLI(t, env, "account", "add", "bb22222-ovh", "--name", "Bob", "--email", "bob@example.net")
	mustSMTPCLI(t, env, "service", "add", "example.com", "--type", "domain", "--admin", "aa11111-ovh", "--tech", "aa11111-ovh", "--billing", "aa11111-ovh")

	var seen []string
	// The test's certificate is unknown to the system: STARTTLS fails
	// before any password is sent, and the mail waits.
	_, out, errs := smtpCLI(t, env, "request", "create", "--as", "aa11111-ovh", "--service", "example.com", "--role", "tech", "--to", "bb22222-ovh")
	if !strings.Contains(errs, "not sent yet") || !strings.Contains(errs, "smtp://desk@127.0.0.1") {
		t.Fatalf("stderr: %s", errs)
	}
	seen = append(seen, out, errs, mustSMTPCLI(t, env, "mail", "list", "--as", "bb22222-ovh", "--json"))
	for _, args := range [][]string{
		{"services", "--as", "aa11111-ovh", "--smtp", "smtp://desk:" + password + "@host:port"},
		{"services", "--as", "aa11111-ovh", "--smtp", "smtpx://desk:" + password + "@host"},
		{"request", "create", "--help"},
		{"help"},
	} {
		_, out, errs := smtpCLI(t, env, args...)
		seen = append(seen, out, errs)
	}
	for _, s := range seen {
		if strings.Contains(s, password) {
			t.Fatalf("the password shows:\n%s", s)
		}
	}
	if code, _, errs := smtpCLI(t, map[string]string{"CONTACTDESK_DB": path}, "services", "--as", "aa11111-ovh", "--mail-from", "desk@provider.example"); code != 2 || !strings.Contains(errs, "--smtp") {
		t.Fatalf("--mail-from alone: exit %d, %s", code, errs)
	}
	if code, _, errs := smtpCLI(t, map[string]string{"CONTACTDESK_DB": path}, "services", "--as", "aa11111-ovh", "--smtp", "smtp://127.0.0.1:25"); code != 2 || !strings.Contains(errs, "--mail-from") {
		t.Fatalf("--smtp without a sender: exit %d, %s", code, errs)
	}
}

// As a provider runs it: each party confirms with the token of the mail
// that reached its inbox.
func TestBinaryConfirmsWithTokensFromRealMail(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	d := seeded(t)
	d.env["CONTACTDESK_SMTP"] = srv.URL()
	d.env["CONTACTDESK_MAIL_FROM"] = "desk@provider.example"
	d.ok("config", "set", "public-url", "https://desk.example.net")
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	link := regexp.MustCompile(`https://desk\.example\.net/request/(\d+)\?token=(\S+)`)
	inbox := map[string]string{"ada@example.com": "ad11111-ovh", "ted@example.com": "te22222-ovh", "nina@example.com": "ne44444-ovh"}
	got := srv.Messages()
	if len(got) != 3 {
		t.Fatalf("%d messages, want 3", len(got))
	}
	for _, m := range got {
		h, ok := inbox[m.To[0]]
		if !ok {
			t.Fatalf("a message to %s", m.To[0])
		}
		found := link.FindStringSubmatch(m.Body)
		if found == nil {
			t.Fatalf("no link in the message to %s:\n%s", m.To[0], m.Body)
		}
		if strings.Contains(m.Body, "contactdesk request") {
			t.Errorf("the message to %s tells the support staff's commands:\n%s", m.To[0], m.Body)
		}
		// The desk's own mailbox shows where the token went, never it.
		for _, mine := range decode[[]smtpMailJSON](t, d.ok("mail", "list", "--as", h, "--json")) {
			if mine.Token != "" || !mine.TokenWithheld {
				t.Errorf("%s's mailbox: %+v", h, mine)
			}
		}
		if out := d.ok("mail", "list", "--as", h); strings.Contains(out, found[2]) || !strings.Contains(out, "mailed") {
			t.Errorf("mail list shows:\n%s", out)
		}
		d.ok("request", "accept", found[1], "--as", h, "--token", found[2])
	}
	// Done: every party is told, for real too.
	if n := len(srv.Messages()); n != 6 {
		t.Fatalf("%d messages after the outcome, want 6", n)
	}
	for _, m := range srv.Messages()[3:] {
		if !strings.Contains(m.Subject, "done") {
			t.Errorf("outcome subject %q", m.Subject)
		}
	}

	// A new address is proven by a token mailed to it, which only the new
	// inbox holds.
	if out := d.ok("profile", "set-email", "nina@new.example", "--as", "ne44444-ovh"); !strings.Contains(out, "a token was mailed to nina@new.example") {
		t.Fatalf("set-email says %q", out)
	}
	var proof string
	for _, m := range srv.Wait(t, 7) {
		if m.To[0] == "nina@new.example" {
			proof = tokenRE.FindString(m.Body)
		}
	}
	if proof == "" {
		t.Fatal("no token reached the new address")
	}
	d.ok("profile", "confirm-email", "--token", proof, "--as", "ne44444-ovh")

	// Down: the command succeeds and says, on its stderr, what waits.
	srv.SetDown(true)
	r := d.run("request", "resend", "1", "--as", "ne44444-ovh")
	if r.code == 0 {
		t.Fatalf("resend of a finished request: %+v", r)
	}
	r = d.run("account", "set-standing", "ne44444-ovh", "--paid")
	if r.code != 0 || r.err != "" {
		t.Fatalf("a command that mails nobody: %+v", r)
	}
	r = d.run("profile", "set-email", "nina@newer.example", "--as", "ne44444-ovh")
	if r.code != 0 || !strings.Contains(r.out, "queued, not sent yet") || !strings.HasPrefix(r.err, "contactdesk: 1 mail not sent yet") {
		t.Fatalf("a change of address with the server down: %+v", r)
	}
	r = d.run("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "billing", "--to", "ne44444-ovh")
	if r.code != 0 || !strings.HasPrefix(r.err, "contactdesk: 3 mails not sent yet") || strings.Count(r.err, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", r.code, r.err)
	}
	ms := decode[[]smtpMailJSON](t, d.ok("mail", "list", "--as", "ne44444-ovh", "--json"))
	if ms[0].Delivery != "pending" || ms[0].Address != "nina@new.example" || ms[0].DeliveryError == "" {
		t.Fatalf("waiting mail: %+v", ms[0])
	}
}

// TestAPasswordNeedsSTARTTLS: real mail with a password, to a server that
// offers no STARTTLS, is a setup error said at once — before the command
// changes anything — not a day of failing tries.
func TestAPasswordNeedsSTARTTLS(t *testing.T) {
	const password = "Hunter2-Secret"
	srv := smtptest.Start(t, smtptest.Options{}) // no STARTTLS
	d := seeded(t)
	url := "smtp://desk:" + password + "@" + srv.Addr
	for _, env := range []bool{false, true} {
		args := []string{"request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh"}
		if env {
			d.env["CONTACTDESK_SMTP"], d.env["CONTACTDESK_MAIL_FROM"] = url, "desk@provider.example"
		} else {
			args = append(args, "--smtp", url, "--mail-from", "desk@provider.example")
		}
		r := d.run(args...)
		if r.code != 2 || !strings.Contains(r.err, "offers no STARTTLS") || !strings.Contains(r.err, "smtps://") || !strings.Contains(r.err, "usage: contactdesk request create") {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.err)
		}
		if strings.Contains(r.out+r.err, password) {
			t.Errorf("the password shows:\n%s%s", r.out, r.err)
		}
	}
	delete(d.env, "CONTACTDESK_SMTP")
	if out := d.ok("request", "list", "--as", "ad11111-ovh", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("the refused command stored a request: %s", out)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}

// TestQueuedIsNotMailed: a command whose mails the server did not take
// says they are queued, not that they were mailed.
func TestQueuedIsNotMailed(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	d := seeded(t)
	d.env["CONTACTDESK_SMTP"], d.env["CONTACTDESK_MAIL_FROM"] = srv.URL(), "desk@provider.example"
	out := d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	if !strings.Contains(out, "(each has a token by mail)") {
		t.Errorf("sent: %q", out)
	}
	if out = d.ok("request", "resend", "1", "--as", "ne44444-ovh"); !strings.Contains(out, "was mailed to nina@example.com") {
		t.Errorf("sent: %q", out)
	}
	srv.SetDown(true)
	r := d.run("request", "resend", "1", "--as", "ne44444-ovh")
	if r.code != 0 || !strings.Contains(r.out, "is queued for nina@example.com, not sent yet") || strings.Contains(r.out, "mailed") || !strings.Contains(r.err, "1 mail not sent yet") {
		t.Errorf("queued resend: %+v", r)
	}
	r = d.run("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "billing", "--to", "ne44444-ovh")
	if r.code != 0 || !strings.Contains(r.out, "each gets a token by mail: queued, not sent yet") {
		t.Errorf("queued create: %+v", r)
	}
	r = d.run("request", "cancel", "2", "--as", "ad11111-ovh")
	if r.code != 0 || !strings.Contains(r.out, "every party will be told by mail (queued, not sent yet)") {
		t.Errorf("queued cancel: %+v", r)
	}
}

// TestAHungServerHoldsACommandNoLongerThanTheREADMESays: a server that
// takes the connection and never says a word holds a command at most
// delivery.DefaultCloseWait once its work is done, plus, with a password,
// delivery.CheckTimeout at the start (the README says 15 s and 5 s); the
// mails stay in the outbox.
func TestAHungServerHoldsACommandNoLongerThanTheREADMESays(t *testing.T) {
	if delivery.DefaultCloseWait != 15*time.Second || delivery.CheckTimeout != 5*time.Second {
		t.Fatalf("the README states 15 s and 5 s; the code says %s and %s", delivery.DefaultCloseWait, delivery.CheckTimeout)
	}
	for name, user := range map[string]string{"no password": "", "a password": "desk:pw@"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t, smtptest.Options{})
			srv.SetHung(true)
			d := seeded(t)
			bound := delivery.DefaultCloseWait
			if user != "" {
				bound += delivery.CheckTimeout
			}
			began := time.Now()
			r := d.run("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh",
				"--smtp", "smtp://"+user+srv.Addr, "--mail-from", "desk@provider.example")
			took := time.Since(began)
			if took > bound+3*time.Second {
				t.Errorf("the command took %s; the README promises at most %s", took.Round(time.Millisecond), bound)
			}
			if r.code != 0 || !strings.Contains(r.out, "queued, not sent yet") || !strings.Contains(r.err, "3 mails not sent yet") {
				t.Errorf("%+v", r)
			}
			for _, m := range decode[[]smtpMailJSON](t, d.ok("mail", "list", "--as", "ne44444-ovh", "--json")) {
				if m.Delivery != "pending" {
					t.Errorf("mail #%d: delivery %q, want pending (queued)", m.ID, m.Delivery)
				}
			}
		})
	}
}

// TestFailedTokensAreNotMailed: a token mail the server refuses is not
// "mailed". The success line names, party by party, whose token went and
// whose did not (with the server's answer); the command still exits 0,
// the request being created. The mailbox says "not delivered", "queued"
// or "mailed" for each, and mail show the delivery and the answer. A
// process without --smtp, under real delivery, says its mail is queued.
func TestFailedTokensAreNotMailed(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.Refuse(func(rcpt string) *gosmtp.SMTPError {
		if rcpt == "nina@example.com" {
			return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
		}
		return nil
	})
	d := seeded(t)
	d.env["CONTACTDESK_SMTP"], d.env["CONTACTDESK_MAIL_FROM"] = srv.URL(), "desk@provider.example"
	r := d.run("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	if r.code != 0 || strings.Contains(r.out, "each has a token") ||
		!strings.Contains(r.out, "waiting for confirmation by ad11111-ovh (token mailed), te22222-ovh (token mailed) and ne44444-ovh (token not delivered: 550 \"5.1.1 No such user here\")") ||
		!strings.Contains(r.err, "not delivered: 550") {
		t.Fatalf("a create whose token mail failed: %+v", r)
	}

	r = d.run("mail", "list", "--as", "ne44444-ovh")
	if list := r.out; r.code != 0 || !strings.Contains(list, "  not delivered  ") || strings.Contains(list, "  mailed  ") ||
		!strings.Contains(r.err, "1 mail's token was not delivered, and the desk keeps no copy") {
		t.Errorf("mail list of the party whose mail failed:\n%s\nstderr:\n%s", list, r.err)
	}
	if list := d.ok("mail", "list", "--as", "te22222-ovh"); !strings.Contains(list, "  mailed  ") {
		t.Errorf("mail list of a party whose mail went:\n%s", list)
	}
	show := d.ok("mail", "show", "3", "--as", "ne44444-ovh")
	if !strings.Contains(show, "Delivery: failed: 550 \"5.1.1 No such user here\"\n") ||
		!strings.Contains(show, "Token:    not delivered to nina@example.com, and the desk keeps no copy: while request #1 waits for your answer, ask for a fresh one: contactdesk request resend 1 --as ne44444-ovh\n") ||
		!strings.Contains(show, "(not delivered to nina@example.com, and the desk keeps no copy: ask for a fresh token)") || strings.Contains(show, "mailed to") {
		t.Errorf("mail show of the failed mail:\n%s", show)
	}

	// The server down: queued, said so in the line and in the mailbox.
	srv.SetDown(true)
	r = d.run("request", "resend", "1", "--as", "te22222-ovh")
	if r.code != 0 || !strings.Contains(r.out, "is queued for ted@example.com, not sent yet") {
		t.Errorf("a resend with the server down: %+v", r)
	}
	if r := d.run("mail", "list", "--as", "te22222-ovh"); r.code != 0 || !strings.Contains(r.out, "  queued  ") ||
		!strings.Contains(r.err, "1 mail's token is queued for the account's own inbox, not sent yet") {
		t.Errorf("mail list with a mail queued:\n%s\nstderr:\n%s", r.out, r.err)
	}
	if show := d.ok("mail", "show", "4", "--as", "te22222-ovh"); !strings.Contains(show, "Delivery: pending: ") ||
		!strings.Contains(show, "Token:    queued for ted@example.com, not sent yet") || !strings.Contains(show, "(queued for ted@example.com, not sent yet") {
		t.Errorf("mail show of a queued mail:\n%s", show)
	}

	// Without --smtp, under real delivery: another process sends it.
	delete(d.env, "CONTACTDESK_SMTP")
	if out := d.ok("request", "resend", "1", "--as", "ad11111-ovh"); !strings.Contains(out, "is queued for ada@example.com, not sent yet") {
		t.Errorf("a resend without --smtp under real delivery: %q", out)
	}
	// A party refused: a resend to the same address fails again, and
	// says that the old token is gone too.
	srv.SetDown(false)
	d.env["CONTACTDESK_SMTP"] = srv.URL()
	r = d.run("request", "resend", "1", "--as", "ne44444-ovh")
	if r.code != 0 || !strings.Contains(r.out, "a fresh token for request #1 was not delivered to nina@example.com: 550 \"5.1.1 No such user here\"; the one sent before no longer works either") {
		t.Errorf("a resend refused: %+v", r)
	}
	r = d.run("request", "cancel", "1", "--as", "ad11111-ovh")
	if r.code != 0 || !strings.Contains(r.out, "request #1 cancelled; every party is told by mail, but the mail to ne44444-ovh was not delivered") {
		t.Errorf("a cancel whose mail to a party failed: %+v", r)
	}
}

// TestCustomersSeeNoOtherAddress: a command acting as an account names
// another account's undelivered mail by its handle, the server's answer
// masked as serve's log masks it — on stdout and on stderr, for the mails
// it wrote and for those it picks up from the outbox — and shows the
// account's own address; support staff's commands name every address.
// They printed nina@example.com to ad11111-ovh.
func TestCustomersSeeNoOtherAddress(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	var later atomic.Bool
	srv.Refuse(func(rcpt string) *gosmtp.SMTPError {
		switch {
		case rcpt != "nina@example.com":
			return nil
		case later.Load():
			return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 2, 0}, Message: "<" + rcpt + ">: mailbox busy"}
		}
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "<" + rcpt + ">: no such user here"}
	})
	d := seeded(t)
	d.env["CONTACTDESK_SMTP"], d.env["CONTACTDESK_MAIL_FROM"] = srv.URL(), "desk@provider.example"
	r := d.run("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	if r.code != 0 || strings.Contains(r.out+r.err, "nina@") ||
		!strings.Contains(r.out, "ne44444-ovh (token not delivered: 550 \"5.1.1 <…@example.com>: no such user here\")") ||
		!strings.Contains(r.err, "contactdesk: mail #3 to ne44444-ovh at example.com not delivered: 550 \"5.1.1 <…@example.com>: no such user here\"") {
		t.Errorf("a customer's create whose token mail to another account failed: %+v", r)
	}
	// The account's own address shows.
	r = d.run("request", "resend", "1", "--as", "ne44444-ovh")
	if r.code != 0 || !strings.Contains(r.out, "was not delivered to nina@example.com: 550 \"5.1.1 <nina@example.com>: no such user here\"") ||
		!strings.Contains(r.err, "to nina@example.com not delivered: 550 \"5.1.1 <nina@example.com>: no such user here\"") {
		t.Errorf("the account's own resend refused: %+v", r)
	}
	if show := d.ok("mail", "show", "4", "--as", "ne44444-ovh"); !strings.Contains(show, "<nina@example.com>: no such user here") {
		t.Errorf("mail show of the account's own mail:\n%s", show)
	}

	// Mails queued by another process, picked up by a customer's read
	// with --smtp: put off, and said unsent at the end, masked.
	later.Store(true)
	delete(d.env, "CONTACTDESK_SMTP")
	d.ok("request", "resend", "1", "--as", "ne44444-ovh")
	d.env["CONTACTDESK_SMTP"] = srv.URL()
	r = d.run("services", "--as", "te22222-ovh")
	if r.code != 0 || strings.Contains(r.err, "nina@") || !strings.Contains(r.err, "1 mail not sent yet (451 \"4.2.0 <…@example.com>: mailbox busy\")") {
		t.Errorf("a customer's read that picked up another account's mail: %+v", r)
	}
	// Support staff see the addresses.
	later.Store(false)
	delete(d.env, "CONTACTDESK_SMTP")
	d.ok("request", "resend", "1", "--as", "ne44444-ovh")
	d.env["CONTACTDESK_SMTP"] = srv.URL()
	r = d.run("account", "list")
	if r.code != 0 || !strings.Contains(r.err, "to nina@example.com not delivered: 550 \"5.1.1 <nina@example.com>: no such user here\"") {
		t.Errorf("support staff's command that picked up a mail refused: %+v", r)
	}
}

// TestRealDeliveryOffShowsUnsentTokens: mails queued for a server that
// never took them, then mail-delivery none: they are taken out of the
// outbox, and the simulated mailbox shows their tokens again, "as
// before". A later run with --smtp does not mail them: turning real
// delivery on again removes those tokens instead, and says so.
func TestRealDeliveryOffShowsUnsentTokens(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.SetDown(true)
	d := seeded(t)
	smtp := []string{"--smtp", srv.URL(), "--mail-from", "desk@provider.example"}
	r := d.run(append([]string{"request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh"}, smtp...)...)
	if r.code != 0 || !strings.Contains(r.out, "queued, not sent yet") {
		t.Fatalf("create with the server down: %+v", r)
	}
	if list := d.ok("mail", "list", "--as", "ne44444-ovh"); !strings.Contains(list, "  queued  ") {
		t.Fatalf("mail list before:\n%s", list)
	}

	out := d.ok("config", "set", "mail-delivery", "none")
	if !strings.Contains(out, "3 mails not sent yet were taken out of the outbox: they stay in the simulated mailbox, which shows the tokens they carry again") {
		t.Errorf("config set mail-delivery none says:\n%s", out)
	}
	r = d.run("mail", "list", "--as", "ne44444-ovh")
	if list := r.out; r.code != 0 || !strings.Contains(list, "  token  ") || strings.Contains(list+r.err, "queued") || strings.Contains(list+r.err, "mailed") ||
		!strings.Contains(r.err, "1 mail carries a token") {
		t.Errorf("mail list after mail-delivery none:\n%s\nstderr:\n%s", list, r.err)
	}
	tok := d.token("ne44444-ovh", 1)
	if show := d.ok("mail", "show", "3", "--as", "ne44444-ovh"); !strings.Contains(show, tok) || strings.Contains(show, "Delivery:") || strings.Contains(show, "Token:") {
		t.Errorf("mail show after mail-delivery none:\n%s", show)
	}

	// The server is back and a run with --smtp comes: nothing is sent.
	srv.SetDown(false)
	r = d.run(append([]string{"config", "set", "public-ssh", "desk.example.com"}, smtp...)...)
	if r.code != 0 || !strings.Contains(r.err, "the tokens of 3 mails of the simulated mailbox, never mailed, were removed") {
		t.Errorf("a run with --smtp after: %+v", r)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d withdrawn mails were sent", n)
	}
	d.ok("request", "accept", "1", "--as", "ne44444-ovh", "--token", tok)
}

// TestServeLogsEachFailedDelivery: serve --smtp logs, as it happens, a
// warning for each try that failed and an error for each mail given up,
// naming the mail, its account and the address's domain — never the
// address, the token or the body — where it said nothing until shutdown.
func TestServeLogsEachFailedDelivery(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.Refuse(func(rcpt string) *gosmtp.SMTPError {
		if rcpt == "nina@example.com" {
			return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "<" + rcpt + ">: no such user"}
		}
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	})
	d := seeded(t)
	d.ok("config", "set", "mail-delivery", "smtp")
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	tok := decode[[]smtpMailJSON](t, d.ok("mail", "list", "--as", "ne44444-ovh", "--json"))[0]
	var stored string
	db, err := storage.Open(d.env["CONTACTDESK_DB"], storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.View(context.Background(), func(tx model.Tx) error {
		m, err := tx.Mail(tok.ID)
		stored = m.Token
		return err
	})
	db.Close()

	log, stop := serveSMTP(t, d, srv.URL())
	warned := regexp.MustCompile(`level=WARN msg="mail #\d to (ad11111-ovh at example\.com|te22222-ovh at example\.com) deferred: 451 \\"4\.3\.0 try again later\\"; next try at \S+" event=deferred mail=\d account=\S+ domain=example\.com attempt=1 `)
	failed := `level=ERROR msg="mail #3 to ne44444-ovh at example.com not delivered: 550 \"5.1.1 <…@example.com>: no such user\"" event=failed mail=3 account=ne44444-ovh domain=example.com attempt=1`
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		l := log.String()
		if len(warned.FindAllString(l, -1)) == 2 && strings.Contains(l, failed) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve is running, and its log says:\n%s", l)
		}
	}
	stop()
	l := log.String()
	if stored == "" || strings.Contains(l, stored) || strings.Contains(l, "ada@") || strings.Contains(l, "ted@") || strings.Contains(l, "nina@") || strings.Contains(l, "Hello") {
		t.Errorf("the log holds an address, the token or a body:\n%s", l)
	}
}

// TestServeFollowsMailDeliveryOff: support staff run 'config set
// mail-delivery none' while a serve --smtp node runs. The mails the node
// writes from then on (here: the outcome of a request a party accepts on
// its web page) land in the simulated mailbox, nothing is sent, and the
// log says once, as a warning, that this node sends no more mail. Set
// back to smtp, the log says so, and the node's mails are sent again.
// It went on queueing and sending its own mails until it restarted.
func TestServeFollowsMailDeliveryOff(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	d := seeded(t)
	log, stop := serveSMTP(t, d, srv.URL())
	httpRE := regexp.MustCompile(`msg="serving HTTP" addr=(\S+)`)
	var addr string
	for deadline := time.Now().Add(20 * time.Second); addr == ""; time.Sleep(10 * time.Millisecond) {
		if m := httpRE.FindStringSubmatch(log.String()); m != nil {
			addr = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", log.String())
		}
	}
	// A party accepts on the node's page: the node writes the mails.
	acceptOnPage := func(id int64, token string) {
		t.Helper()
		res, err := http.PostForm("http://"+addr+"/request/"+strconv.FormatInt(id, 10), url.Values{"token": {token}, "answer": {"accept"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("accepting #%d on the page: %s", id, res.Status)
		}
	}
	waitLog := func(what, line string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !strings.Contains(log.String(), line); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the log never said that %s:\n%s", what, log.String())
			}
		}
	}
	newest := func(h string) smtpMailJSON {
		t.Helper()
		return decode[[]smtpMailJSON](t, d.ok("mail", "list", "--as", h, "--json"))[0]
	}

	if out := d.ok("config", "get", "mail-delivery"); strings.TrimSpace(out) != "smtp" {
		t.Fatalf("serve --smtp started, and mail-delivery is %q", out)
	}
	d.ok("config", "set", "mail-delivery", "none")
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	d.ok("request", "accept", "1", "--as", "ad11111-ovh", "--token", d.token("ad11111-ovh", 1))
	d.ok("request", "accept", "1", "--as", "te22222-ovh", "--token", d.token("te22222-ovh", 1))
	acceptOnPage(1, d.token("ne44444-ovh", 1))
	waitLog("delivery was turned off", `level=WARN msg="mail delivery was turned off in the desk's settings (mail-delivery is not smtp): `+
		`this node sends no more mail, and the mails written meanwhile land in the desk's simulated mailbox, `+
		`until 'contactdesk config set mail-delivery smtp' (or a restart with --smtp, which sets it again)" mail-delivery=none`)
	for _, h := range []string{"ad11111-ovh", "te22222-ovh", "ne44444-ovh"} {
		if m := newest(h); m.Request == nil || *m.Request != 1 || m.Delivery != "" || m.TokenWithheld {
			t.Errorf("%s's outcome mail, written by the node under mail-delivery none: %+v", h, m)
		}
	}

	// A second request, answered on the page once mail-delivery is smtp
	// again (the token was copied before: it still works).
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "billing", "--to", "ne44444-ovh")
	d.ok("request", "accept", "2", "--as", "ad11111-ovh", "--token", d.token("ad11111-ovh", 2))
	d.ok("request", "accept", "2", "--as", "bi33333-ovh", "--token", d.token("bi33333-ovh", 2))
	copied := d.token("ne44444-ovh", 2)
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("the node sent %d messages under mail-delivery none", n)
	}
	d.ok("config", "set", "mail-delivery", "smtp")
	acceptOnPage(2, copied)
	got := byTo(srv.Wait(t, 3))
	for _, a := range []string{"ada@example.com", "bia@example.com", "nina@example.com"} {
		if m, ok := got[a]; !ok || !strings.Contains(m.Body, "#2") {
			t.Errorf("the outcome of #2 to %s: %+v", a, m)
		}
	}
	waitLog("delivery is back on", `level=INFO msg="mail delivery was turned back on in the desk's settings (mail-delivery is smtp): this node sends the outbox again" mail-delivery=smtp`)
	stop()
	l := log.String()
	if n := strings.Count(l, "mail delivery was turned"); n != 2 {
		t.Errorf("%d lines about mail-delivery, want 2:\n%s", n, l)
	}
	if n := len(srv.Messages()); n != 3 {
		t.Errorf("%d messages sent, want the 3 of #2", n)
	}
	if tokenRE.MatchString(l) || strings.Contains(l, "nina@") {
		t.Errorf("the log holds a token or an address:\n%s", l)
	}
}

// serveSMTP runs serve --smtp on d (HTTP on a free port, no SSH) until
// stop, which returns once it has; its log is the buffer.
func serveSMTP(t *testing.T, d *desk, smtpURL string) (*syncbuf.Buffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := &syncbuf.Buffer{}
	code := make(chan int, 1)
	go func() {
		code <- Run(ctx, []string{"--db", d.env["CONTACTDESK_DB"], "serve", "--listen", "none", "--http", "127.0.0.1:0",
			"--smtp", smtpURL, "--mail-from", "desk@provider.example"}, strings.NewReader(""), io.Discard, log, func(string) string { return "" })
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			<-code
		}
	}
	t.Cleanup(stop)
	return log, stop
}

// byTo indexes messages by their one recipient.
func byTo(ms []smtptest.Message) map[string]smtptest.Message {
	out := map[string]smtptest.Message{}
	for _, m := range ms {
		out[strings.Join(m.To, ",")] = m
	}
	return out
}

// TestServeWithoutSSHSendsOtherProcessesMailAtOnce: a serve --smtp node
// that serves no SSH (--listen none, the page only) still hears of the
// mails another process queues (a command run without --smtp), and
// sends them within a second or so, not at its next poll (30 s): the
// watch that tells it runs without the SSH server too.
func TestServeWithoutSSHSendsOtherProcessesMailAtOnce(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	d := seeded(t)
	log, _ := serveSMTP(t, d, srv.URL())
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(log.String(), "serving HTTP"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", log.String())
		}
	}
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	for deadline := time.Now().Add(20 * time.Second); len(srv.Messages()) < 3; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of the request's 3 mails sent within 20 s; the log:\n%s", len(srv.Messages()), log.String())
		}
	}
}
