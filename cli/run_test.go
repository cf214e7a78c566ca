package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"contactdesk/storage/postgres/pgtest"
)

// The command line's tests run it in-process, through Run, as the
// program does: arguments, stdin, stdout, stderr and environment given,
// the exit code returned.

func TestMain(m *testing.M) {
	if args := os.Getenv(childArgs); args != "" {
		os.Exit(runChild(args))
	}
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// desk is a directory with a database the commands run against.
type desk struct {
	t   *testing.T
	dir string
	env map[string]string // the whole environment the commands see
}

func newDesk(t *testing.T) *desk {
	d := &desk{t: t, dir: t.TempDir()}
	d.env = map[string]string{"CONTACTDESK_DB": filepath.Join(d.dir, "desk.db"), "HOME": d.dir}
	return d
}

type result struct {
	out, err string
	code     int
}

func (d *desk) run(args ...string) result {
	d.t.Helper()
	return d.runIn("", args...)
}

func (d *desk) runIn(stdin string, args ...string) result {
	d.t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &out, &errb, func(k string) string { return d.env[k] })
	return result{out.String(), errb.String(), code}
}

// ok runs a command that must succeed.
func (d *desk) ok(args ...string) string {
	d.t.Helper()
	r := d.run(args...)
	if r.code != 0 {
		d.t.Fatalf("%v: exit %d: %s", args, r.code, r.err)
	}
	return r.out
}

// refused runs a command that a rule must refuse: exit 1, one line that
// starts with "contactdesk:" and says why.
func (d *desk) refused(says string, args ...string) {
	d.t.Helper()
	r := d.run(args...)
	if r.code != 1 {
		d.t.Fatalf("%v: exit %d, want 1 (stdout %q, stderr %q)", args, r.code, r.out, r.err)
	}
	if !strings.HasPrefix(r.err, "contactdesk: ") || strings.Count(r.err, "\n") != 1 || !strings.Contains(r.err, says) {
		d.t.Fatalf("%v: stderr %q, want one 'contactdesk:' line saying %q", args, r.err, says)
	}
	if r.out != "" {
		d.t.Errorf("%v: a refusal printed %q on stdout", args, r.out)
	}
}

// misused runs a command called wrongly: exit 2 with the usage.
func (d *desk) misused(says string, args ...string) {
	d.t.Helper()
	r := d.run(args...)
	if slices.Contains(args, "--json") {
		// said as JSON, without the usage (errjson_test.go)
		if e := errorLine(d.t, args, r.err); r.code != 2 || e.Kind != "usage" || !strings.Contains(e.Message, says) {
			d.t.Fatalf("%v: exit %d, stderr %q; want 2, the kind usage, saying %q", args, r.code, r.err, says)
		}
		return
	}
	if r.code != 2 || !strings.HasPrefix(r.err, "contactdesk: ") || !strings.Contains(r.err, says) || !strings.Contains(r.err, "usage: contactdesk") {
		d.t.Fatalf("%v: exit %d, stderr %q; want 2 with the usage, saying %q", args, r.code, r.err, says)
	}
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

// seeded makes a desk with a small cast: ad (admin of example.com), te
// (its tech), bi (its billing), ne (no role), ow (owes 12.50).
func seeded(t *testing.T) *desk {
	d := newDesk(t)
	d.ok("init")
	d.refused("already exists", "init")
	for _, a := range [][]string{
		{"ad11111-ovh", "Ada Admin", "ada@example.com"},
		{"te22222-ovh", "Ted Tech", "ted@example.com"},
		{"bi33333-ovh", "Bia Billing", "bia@example.com"},
		{"ne44444-ovh", "Nina New", "nina@example.com"},
	} {
		d.ok("account", "add", a[0], "--name", a[1], "--email", a[2])
	}
	d.ok("account", "add", "OW55555-OVH", "--name", "Otto Owes", "--email", "otto@example.com", "--owes", "12.50")
	d.ok("service", "add", "Example.com", "--type", "domain", "--admin", "ad11111-ovh", "--tech", "te22222-ovh", "--billing", "bi33333-ovh")
	return d
}

type mailJ struct {
	ID      int64  `json:"id"`
	To      string `json:"to"`
	Address string `json:"address"`
	Subject string `json:"subject"`
	Date    string `json:"date"`
	Body    string `json:"body"`
	Request *int64 `json:"request"`
	Token   string `json:"token"`
	Link    string `json:"link"`
}

func (d *desk) token(h string, id int64) string {
	d.t.Helper()
	for _, m := range decode[[]mailJ](d.t, d.ok("mail", "list", "--as", h, "--json")) {
		if m.Request != nil && *m.Request == id && m.Token != "" {
			return m.Token
		}
	}
	d.t.Fatalf("%s has no token for #%d", h, id)
	return ""
}

func TestUsageAndHelp(t *testing.T) {
	d := newDesk(t)
	r := d.run("help")
	if r.code != 0 || !strings.Contains(r.out, "request create") {
		t.Fatalf("help: %d %q", r.code, r.out)
	}
	r = d.run("request", "create", "--help")
	if r.code != 0 || !strings.Contains(r.out, "--validity") {
		t.Fatalf("request create --help: %d %q", r.code, r.out)
	}
	d.misused("unknown command", "frobnicate")
	d.misused("unknown flag --colour", "services", "--as", "xx11111-ovh", "--colour")
	d.misused("--as", "services")
	d.misused("takes 1 argument", "request", "show", "--as", "xx11111-ovh")
	d.misused("not a request number", "request", "show", "abc", "--as", "xx11111-ovh")
	d.misused("needs a value", "request", "show", "1", "--as")
	d.misused("--service is required", "request", "create", "--as", "xx11111-ovh", "--role", "tech", "--to", "yy22222-ovh")
	d.misused("not a role", "request", "create", "--as", "xx11111-ovh", "--service", "a.pt", "--role", "owner", "--to", "yy22222-ovh")
	d.misused("validity", "request", "create", "--as", "xx11111-ovh", "--service", "a.pt", "--role", "tech", "--to", "yy22222-ovh", "--validity", "soon")
	d.misused("either --paid or --owes", "account", "set-standing", "xx11111-ovh")
	d.misused("at least one of", "owner", "set", "xara.pt", "--as", "xx11111-ovh")
}

func TestMissingDatabase(t *testing.T) {
	d := newDesk(t)
	d.refused("no database", "services", "--as", "xx11111-ovh")
	if _, err := os.Stat(filepath.Join(d.dir, "desk.db")); err == nil {
		t.Fatal("a command created the database")
	}
}

func TestDemo(t *testing.T) {
	d := newDesk(t)
	out := d.ok("demo")
	if !strings.Contains(out, "15 services") {
		t.Errorf("demo says %q", out)
	}
	d.refused("already exists", "demo")
	// --force replaces a contactdesk database, never another file.
	d.ok("demo", "--force")
	notes := filepath.Join(d.dir, "notes.txt")
	os.WriteFile(notes, []byte("precious"), 0o644)
	d.refused("not a contactdesk database", "--db", notes, "demo", "--force")
	if b, _ := os.ReadFile(notes); string(b) != "precious" {
		t.Fatal("demo --force overwrote a file that is not a desk")
	}

	// The persona's desk shows every case.
	type svc struct {
		Name, Type, Admin, Tech, Billing string
		Pending                          bool
	}
	ss := decode[[]svc](t, d.ok("services", "--as", "xx11111-ovh", "--json"))
	var admin, techOnly, billingOnly, pending int
	for _, s := range ss {
		switch {
		case s.Admin == "xx11111-ovh":
			admin++
		case s.Tech == "xx11111-ovh" && s.Billing != "xx11111-ovh":
			techOnly++
		case s.Billing == "xx11111-ovh" && s.Tech != "xx11111-ovh":
			billingOnly++
		}
		if s.Pending {
			pending++
		}
	}
	if admin < 3 || techOnly < 1 || billingOnly < 1 || pending < 1 {
		t.Errorf("persona: admin %d, tech only %d, billing only %d, pending %d", admin, techOnly, billingOnly, pending)
	}
	type req struct {
		ID      int64
		State   string
		Service string
		Parties []struct{ Handle, Answer string }
	}
	states := map[string]bool{}
	waitingForMe := 0
	for _, r := range decode[[]req](t, d.ok("request", "list", "--as", "xx11111-ovh", "--json")) {
		states[r.State] = true
		for _, p := range r.Parties {
			if p.Handle == "xx11111-ovh" && p.Answer == "pending" && r.State == "validatingByCustomers" {
				waitingForMe++
				d.token("xx11111-ovh", r.ID) // its mail is in the mailbox
			}
		}
	}
	for _, s := range []string{"validatingByCustomers", "done", "refused", "cancelled"} {
		if !states[s] {
			t.Errorf("the persona has no %s request", s)
		}
	}
	if waitingForMe == 0 {
		t.Error("no request waits for the persona's confirmation")
	}
	accounts := decode[[]struct {
		Handle string
		Owes   float64
	}](t, d.ok("account", "list", "--json"))
	owing := 0
	for _, a := range accounts {
		if a.Owes > 0 {
			owing++
		}
	}
	if owing == 0 {
		t.Error("no account owes money")
	}
}

func TestAccountsAndServices(t *testing.T) {
	d := seeded(t)
	accounts := decode[[]map[string]any](t, d.ok("account", "list", "--json"))
	var otto map[string]any
	for _, a := range accounts {
		for _, k := range []string{"handle", "name", "email", "owes"} {
			if _, ok := a[k]; !ok {
				t.Fatalf("account JSON lacks %q: %v", k, a)
			}
		}
		if a["handle"] == "ow55555-ovh" {
			otto = a
		}
	}
	if otto == nil || otto["owes"] != 12.5 {
		t.Fatalf("otto: %v", otto)
	}
	d.refused("already an account", "account", "add", "ad11111-ovh", "--name", "Again", "--email", "a@b.pt")
	d.refused("not a NIC handle", "account", "add", "adm-ovh", "--name", "X", "--email", "a@b.pt")
	d.refused("escape sequence", "account", "add", "zz12345-ovh", "--name", "\x1b]0;owned\x07Zed", "--email", "a@b.pt")
	d.refused("not an e-mail address", "account", "add", "zz12345-ovh", "--name", "Zed", "--email", "zed")
	d.misused("--owes takes an amount", "account", "add", "zz12345-ovh", "--name", "Zed", "--email", "z@b.pt", "--owes", "-3")
	d.refused("there is no account zz99999-ovh", "service", "add", "new.pt", "--type", "domain", "--admin", "zz99999-ovh", "--tech", "ad11111-ovh", "--billing", "ad11111-ovh")
	d.misused("--type takes one of domain", "service", "add", "new.pt", "--type", "castle", "--admin", "ad11111-ovh", "--tech", "ad11111-ovh", "--billing", "ad11111-ovh")
	d.refused("already a service", "service", "add", "EXAMPLE.COM", "--type", "domain", "--admin", "ad11111-ovh", "--tech", "ad11111-ovh", "--billing", "ad11111-ovh")
	if out := d.ok("account", "set-standing", "ow55555-ovh", "--paid"); !strings.Contains(out, "up to date") {
		t.Errorf("set-standing says %q", out)
	}

	// Services: exact fields, handles matched whatever their case.
	ss := decode[[]map[string]any](t, d.ok("services", "--as", "TE22222-OVH", "--json"))
	if len(ss) != 1 {
		t.Fatalf("%v", ss)
	}
	for k, want := range map[string]any{"name": "example.com", "type": "domain", "admin": "ad11111-ovh", "tech": "te22222-ovh", "billing": "bi33333-ovh", "pending": false} {
		if ss[0][k] != want {
			t.Errorf("services[0].%s = %v, want %v", k, ss[0][k], want)
		}
	}
	if out := d.ok("services", "--as", "ne44444-ovh", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("an account with no role lists %q", out)
	}
	d.refused("there is no account zz99999-ovh", "services", "--as", "zz99999-ovh")
	// $CONTACTDESK_AS and the table form.
	d.env["CONTACTDESK_AS"] = "te22222-ovh"
	if out := d.ok("services"); !strings.Contains(out, "example.com") || !strings.Contains(out, "SERVICE") {
		t.Errorf("services as $CONTACTDESK_AS: %q", out)
	}
}

type requestJ struct {
	ID        int64    `json:"id"`
	Service   string   `json:"service"`
	Roles     []string `json:"roles"`
	From      string   `json:"from"`
	To        string   `json:"to"`
	Requester string   `json:"requester"`
	State     string   `json:"state"`
	Created   string   `json:"created"`
	Expires   string   `json:"expires"`
	Reason    string   `json:"reason"`
	Parties   []struct {
		Handle string `json:"handle"`
		Answer string `json:"answer"`
	} `json:"parties"`
}

func TestRequestLife(t *testing.T) {
	d := seeded(t)
	out := d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech,billing", "--to", "NE44444-OVH", "--json")
	rs := decode[[]requestJ](t, out)
	if len(rs) != 2 {
		t.Fatalf("tech and billing with two outgoing contacts made %d requests", len(rs))
	}
	raw := decode[[]map[string]any](t, out)
	for _, k := range []string{"id", "service", "roles", "from", "to", "requester", "state", "created", "expires", "reason", "parties"} {
		if _, ok := raw[0][k]; !ok {
			t.Errorf("request JSON lacks %q", k)
		}
	}
	r := rs[0]
	if r.Service != "example.com" || r.From != "te22222-ovh" || r.To != "ne44444-ovh" || r.Requester != "ad11111-ovh" || r.State != "validatingByCustomers" || r.Reason != "" || len(r.Parties) != 3 {
		t.Fatalf("%+v", r)
	}
	if !strings.HasSuffix(r.Created, "Z") || !strings.HasSuffix(r.Expires, "Z") {
		t.Errorf("times %q %q are not RFC 3339 UTC", r.Created, r.Expires)
	}
	// Refusals: exit 1, one line, nothing stored.
	d.refused("request #1 for the tech contact of example.com is already pending", "request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ow55555-ovh")
	d.refused("only the admin", "request", "create", "--as", "te22222-ovh", "--service", "example.com", "--role", "admin", "--to", "ne44444-ovh")
	d.refused("no service named example.com", "request", "create", "--as", "ne44444-ovh", "--service", "example.com", "--role", "tech", "--to", "ow55555-ovh")
	d.refused("there is no account zz99999-ovh", "request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "admin", "--to", "zz99999-ovh")
	d.refused("already the admin contact", "request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "admin", "--to", "ad11111-ovh")
	d.refused("wrong token", "request", "accept", "1", "--as", "te22222-ovh", "--token", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	d.refused("sent to another party", "request", "accept", "1", "--as", "te22222-ovh", "--token", d.token("ad11111-ovh", 1))
	list := decode[[]requestJ](t, d.ok("request", "list", "--as", "ad11111-ovh", "--json"))
	if len(list) != 2 {
		t.Fatalf("refusals stored requests: %d", len(list))
	}
	// Every party accepts with its token from its mail.
	for _, h := range []string{"ad11111-ovh", "te22222-ovh"} {
		out := d.ok("request", "accept", "1", "--as", h, "--token", d.token(h, 1))
		if !strings.Contains(out, "waiting for confirmation by") {
			t.Errorf("accept says %q", out)
		}
	}
	show := decode[requestJ](t, d.ok("request", "show", "1", "--as", "ne44444-ovh", "--json"))
	if show.State != "validatingByCustomers" || show.Parties[2].Answer != "pending" || show.Parties[0].Answer != "accepted" {
		t.Fatalf("%+v", show)
	}
	out = d.ok("request", "accept", "1", "--as", "ne44444-ovh", "--token", strings.ToLower(d.token("ne44444-ovh", 1)))
	if !strings.Contains(out, "done") {
		t.Errorf("the last acceptance says %q", out)
	}
	ss := decode[[]map[string]any](t, d.ok("services", "--as", "ne44444-ovh", "--json"))
	if len(ss) != 1 || ss[0]["tech"] != "ne44444-ovh" || ss[0]["pending"] != true {
		t.Fatalf("after done: %v", ss)
	}
	// Outcome mails, and the mail JSON shape.
	mails := decode[[]map[string]any](t, d.ok("mail", "list", "--as", "te22222-ovh", "--json"))
	for _, k := range []string{"id", "to", "address", "subject", "date", "body", "request", "token", "link"} {
		if _, ok := mails[0][k]; !ok {
			t.Errorf("mail JSON lacks %q", k)
		}
	}
	if !strings.Contains(mails[0]["subject"].(string), "done") || mails[0]["token"] != "" || mails[0]["link"] != "" {
		t.Errorf("te's newest mail %v", mails[0])
	}
	// Resend, refuse, cancel on the billing request.
	m := decode[mailJ](t, d.ok("request", "resend", "2", "--as", "bi33333-ovh", "--json"))
	if m.Token == "" || m.Address != "bia@example.com" {
		t.Fatalf("resent %+v", m)
	}
	d.refused("only the requester", "request", "cancel", "2", "--as", "bi33333-ovh")
	out = d.ok("request", "refuse", "2", "--as", "bi33333-ovh", "--token", m.Token)
	if !strings.Contains(out, "refused") {
		t.Errorf("refuse says %q", out)
	}
	d.refused("already refused", "request", "cancel", "2", "--as", "ad11111-ovh")
	d.refused("no request #2 among those of ow55555-ovh", "request", "show", "2", "--as", "ow55555-ovh")
	// A cancelled one.
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "billing", "--to", "ad11111-ovh", "--validity", "2d", "--json")
	c := decode[requestJ](t, d.ok("request", "cancel", "3", "--as", "ad11111-ovh", "--json"))
	if c.State != "cancelled" || c.Reason != "cancelled by ad11111-ovh" {
		t.Fatalf("%+v", c)
	}
	// Billing with a party that owes money.
	d.refused("ow55555-ovh has unpaid bills", "request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "billing", "--to", "ow55555-ovh")
	d.ok("account", "set-standing", "ow55555-ovh", "--owes", "3")
	// The history.
	hist := decode[[]map[string]any](t, d.ok("history", "--as", "ad11111-ovh", "--service", "example.com", "--json"))
	actions := map[string]bool{}
	for _, h := range hist {
		for _, k := range []string{"at", "actor", "action", "service", "request", "detail"} {
			if _, ok := h[k]; !ok {
				t.Fatalf("history JSON lacks %q", k)
			}
		}
		actions[h["action"].(string)] = true
	}
	for _, a := range []string{"service.add", "request.create", "request.accept", "request.done", "contact.change", "request.refuse", "request.cancel", "request.resend"} {
		if !actions[a] {
			t.Errorf("history lacks %s", a)
		}
	}
	d.refused("no service named example.com", "history", "--as", "ow55555-ovh", "--service", "example.com")
}

func TestExpiryThroughTheCLI(t *testing.T) {
	d := seeded(t)
	d.env["CONTACTDESK_NOW"] = "2026-01-10T10:00:00Z"
	rs := decode[[]requestJ](t, d.ok("request", "create", "--as", "te22222-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh", "--validity", "90s", "--json"))
	if rs[0].Expires != "2026-01-10T10:01:30Z" {
		t.Fatalf("expires %s", rs[0].Expires)
	}
	d.env["CONTACTDESK_NOW"] = "2026-01-10T10:02:00Z"
	show := decode[requestJ](t, d.ok("request", "show", "1", "--as", "te22222-ovh", "--json"))
	if show.State != "expired" || !strings.Contains(show.Reason, "90 seconds") {
		t.Fatalf("%+v", show)
	}
	d.refused("already expired", "request", "accept", "1", "--as", "ne44444-ovh", "--token", d.token("ne44444-ovh", 1))
	mails := decode[[]mailJ](t, d.ok("mail", "list", "--as", "ne44444-ovh", "--json"))
	if !strings.Contains(mails[0].Subject, "expired") {
		t.Errorf("no expiry mail: %q", mails[0].Subject)
	}
}

func TestOwnerAndProfile(t *testing.T) {
	d := seeded(t)
	o := decode[map[string]string](t, d.ok("owner", "show", "example.com", "--as", "te22222-ovh", "--json"))
	if o["holder"] != "Ada Admin" || o["email"] != "ada@example.com" {
		t.Fatalf("%v", o)
	}
	d.ok("owner", "set", "example.com", "--as", "ad11111-ovh", "--address", "Rua A 1, Lisboa", "--phone", "+351 210 000 000")
	o = decode[map[string]string](t, d.ok("owner", "show", "example.com", "--as", "ad11111-ovh", "--json"))
	if o["address"] != "Rua A 1, Lisboa" || o["phone"] != "+351 210 000 000" || o["holder"] != "Ada Admin" {
		t.Fatalf("%v", o)
	}
	d.refused("only the admin of example.com", "owner", "set", "example.com", "--as", "te22222-ovh", "--phone", "+351 1")
	d.refused("control character", "owner", "set", "example.com", "--as", "ad11111-ovh", "--address", "line\nbreak")
	o = decode[map[string]string](t, d.ok("owner", "show", "example.com", "--as", "ad11111-ovh", "--json"))
	if o["address"] != "Rua A 1, Lisboa" {
		t.Fatalf("a refusal changed the owner: %v", o)
	}
	out := d.ok("profile", "set-email", "ted@new.example", "--as", "te22222-ovh")
	if !strings.Contains(out, "a token was mailed to ted@new.example") || !strings.Contains(out, "confirm-email") {
		t.Fatalf("set-email says %q", out)
	}
	d.refused("not an e-mail address", "profile", "set-email", "ted@", "--as", "te22222-ovh")
	email := func() any {
		for _, a := range decode[[]map[string]any](t, d.ok("account", "list", "--json")) {
			if a["handle"] == "te22222-ovh" {
				return a["email"]
			}
		}
		return nil
	}
	if e := email(); e == "ted@new.example" {
		t.Fatal("the address changed before the token mailed to it came back")
	}
	d.refused("wrong token", "profile", "confirm-email", "--token", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "--as", "te22222-ovh")
	mails := decode[[]map[string]any](t, d.ok("mail", "list", "--as", "te22222-ovh", "--json"))
	if mails[0]["address"] != "ted@new.example" || mails[0]["token"] == "" {
		t.Fatalf("the token did not go to the new address: %v", mails[0])
	}
	d.misused("--token is required", "profile", "confirm-email", "--as", "te22222-ovh")
	if out := d.ok("profile", "confirm-email", "--token", mails[0]["token"].(string), "--as", "te22222-ovh"); !strings.Contains(out, "is now ted@new.example") {
		t.Fatalf("confirm-email says %q", out)
	}
	if e := email(); e != "ted@new.example" {
		t.Fatalf("e-mail %v after the confirmation", e)
	}
	// The token of a change that has ended says what became of it, as
	// the API and the web page say; a token of no change, that nothing
	// waits.
	d.refused("this change of address was already confirmed: te22222-ovh now receives its mail at ted@new.example", "profile", "confirm-email", "--token", mails[0]["token"].(string), "--as", "te22222-ovh")
	d.refused("this change of address was already confirmed", "profile", "refuse-email", "--token", mails[0]["token"].(string), "--as", "te22222-ovh")
	d.refused("no change of e-mail address waiting", "profile", "confirm-email", "--token", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "--as", "te22222-ovh")
	// refuse-email ends a change with its token; the address stays.
	d.ok("profile", "set-email", "not-ted@elsewhere.example", "--as", "te22222-ovh")
	d.refused("wrong token", "profile", "refuse-email", "--token", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "--as", "te22222-ovh")
	mails = decode[[]map[string]any](t, d.ok("mail", "list", "--as", "te22222-ovh", "--json"))
	out = d.ok("profile", "refuse-email", "--token", mails[0]["token"].(string), "--as", "te22222-ovh")
	if !strings.Contains(out, "to not-ted@elsewhere.example was refused; it keeps ted@new.example") {
		t.Fatalf("refuse-email says %q", out)
	}
	if e := email(); e != "ted@new.example" {
		t.Fatalf("e-mail %v after a refusal", e)
	}
	d.refused("this change of address was refused: te22222-ovh does not receive its mail at not-ted@elsewhere.example", "profile", "refuse-email", "--token", mails[0]["token"].(string), "--as", "te22222-ovh")
	d.refused("this change of address was refused", "profile", "confirm-email", "--token", mails[0]["token"].(string), "--as", "te22222-ovh")
	// One not confirmed in time: it says so.
	d.ok("profile", "set-email", "late@elsewhere.example", "--as", "te22222-ovh")
	mails = decode[[]map[string]any](t, d.ok("mail", "list", "--as", "te22222-ovh", "--json"))
	d.env["CONTACTDESK_NOW"] = time.Now().Add(16 * 24 * time.Hour).UTC().Format(time.RFC3339)
	d.refused("without being confirmed; nothing was changed", "profile", "confirm-email", "--token", mails[0]["token"].(string), "--as", "te22222-ovh")
	delete(d.env, "CONTACTDESK_NOW")

	// Languages.
	if out := d.ok("profile", "set-lang", "pt-PT", "--as", "te22222-ovh"); !strings.Contains(out, "Portuguese") {
		t.Fatalf("set-lang says %q", out)
	}
	d.misused("not a language the desk speaks: use one of pt, en, fr", "profile", "set-lang", "de", "--as", "te22222-ovh")
	d.misused("--lang takes one of pt, en, fr", "account", "add", "zz12345-ovh", "--name", "Z", "--email", "z@example.com", "--lang", "klingon")
	d.ok("account", "add", "fr12345-ovh", "--name", "François", "--email", "f@example.fr", "--lang", "fr")
	for _, a := range decode[[]map[string]any](t, d.ok("account", "list", "--json")) {
		want := map[any]string{"te22222-ovh": "pt", "fr12345-ovh": "fr", "ad11111-ovh": "en"}[a["handle"]]
		if want != "" && a["lang"] != want {
			t.Errorf("%v: lang %v, want %s", a["handle"], a["lang"], want)
		}
	}
}

func TestThrottlingThroughTheCLI(t *testing.T) {
	d := seeded(t)
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	for i := 0; i < 5; i++ {
		d.refused("wrong token", "request", "accept", "1", "--as", "ne44444-ovh", "--token", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	}
	d.refused("too many wrong tokens", "request", "accept", "1", "--as", "ne44444-ovh", "--token", d.token("ne44444-ovh", 1))
	// Someone else is not paused.
	d.ok("request", "accept", "1", "--as", "te22222-ovh", "--token", d.token("te22222-ovh", 1))
}

func TestMailListSaysWhichMailsCarryAToken(t *testing.T) {
	d := seeded(t)
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	r := d.run("mail", "list", "--as", "ne44444-ovh")
	out := r.out
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if r.code != 0 || len(lines) != 2 || !strings.Contains(lines[0], "TOKEN") || !strings.Contains(lines[1], " token ") {
		t.Fatalf("mail list:\n%s", out)
	}
	// the line that says so is on stderr: stdout is the table alone
	if r.err != "1 mail carries a token: see it with 'contactdesk mail show ID --as ne44444-ovh' (the newest: mail show 3)\n" {
		t.Errorf("mail list does not say how to see the token: stderr %q", r.err)
	}
	if show := d.ok("mail", "show", strings.Fields(lines[1])[0], "--as", "ne44444-ovh"); !strings.Contains(show, d.token("ne44444-ovh", 1)) {
		t.Errorf("mail show has no token:\n%s", show)
	}
	// An outcome mail carries none.
	d.ok("request", "cancel", "1", "--as", "ad11111-ovh")
	r = d.run("mail", "list", "--as", "ne44444-ovh")
	out = r.out
	// nor, the request ended, does its token any more
	if lines := strings.Split(out, "\n"); r.code != 0 || strings.Contains(lines[1], " token ") || !strings.Contains(lines[2], " ended ") || r.err != "" {
		t.Errorf("mail list after the outcome:\n%s\nstderr: %q", out, r.err)
	}
	ms := decode[[]map[string]any](t, d.ok("mail", "list", "--as", "ne44444-ovh", "--json"))
	if ms[1]["token_ended"] != true || ms[0]["token_ended"] != false {
		t.Errorf("mail list --json after the outcome: %v", ms)
	}
}

// TestMailListSaysWhichTokensWereAnswered: the token of a party that
// answered a request still waiting for others is "answered" in mail
// list (token_answered, and token_ended as before, in --json), and mail
// show says the request still waits for the others; once the request
// is done it is "ended". Before, mail list said "ended" at once, and a
// newcomer who had just accepted read that the request was over.
func TestMailListSaysWhichTokensWereAnswered(t *testing.T) {
	d := seeded(t)
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	d.ok("request", "accept", "1", "--as", "ne44444-ovh", "--token", d.token("ne44444-ovh", 1))
	out := d.ok("mail", "list", "--as", "ne44444-ovh")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.Contains(lines[1], " answered ") || strings.Contains(out, " ended ") {
		t.Fatalf("mail list after answering:\n%s", out)
	}
	ms := decode[[]map[string]any](t, d.ok("mail", "list", "--as", "ne44444-ovh", "--json"))
	if ms[0]["token_answered"] != true || ms[0]["token_ended"] != true {
		t.Errorf("mail list --json after answering: %v", ms[0])
	}
	show := d.ok("mail", "show", strings.Fields(lines[1])[0], "--as", "ne44444-ovh")
	if !strings.Contains(show, "you answered request #1 already; it still waits for the other parties' answers") {
		t.Errorf("mail show after answering:\n%s", show)
	}
	// the others' tokens still work
	if out := d.ok("mail", "list", "--as", "te22222-ovh"); !strings.Contains(out, " token ") || strings.Contains(out, " answered ") {
		t.Errorf("mail list of a party still to answer:\n%s", out)
	}
	d.ok("request", "accept", "1", "--as", "te22222-ovh", "--token", d.token("te22222-ovh", 1))
	d.ok("request", "accept", "1", "--as", "ad11111-ovh", "--token", d.token("ad11111-ovh", 1))
	out = d.ok("mail", "list", "--as", "ne44444-ovh")
	if strings.Contains(out, " answered ") || !strings.Contains(out, " ended ") {
		t.Errorf("mail list after the request was done:\n%s", out)
	}
	ms = decode[[]map[string]any](t, d.ok("mail", "list", "--as", "ne44444-ovh", "--json"))
	for _, m := range ms {
		if m["kind"] == "confirm" && (m["token_answered"] != false || m["token_ended"] != true) {
			t.Errorf("mail list --json after the request was done: %v", m)
		}
	}
}

// TestTablesEndLinesWithoutSpaces: a table whose last cell is empty
// (a service with no request pending) ends its line there, not with the
// spaces of the column before.
func TestTablesEndLinesWithoutSpaces(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	out := d.ok("services", "--as", "xx11111-ovh")
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.HasSuffix(l, " ") {
			t.Errorf("a line ends with spaces: %q", l)
		}
	}
	if !strings.Contains(out, "ns3091432.ip-51-91-12.eu") {
		t.Errorf("services:\n%s", out)
	}
}
