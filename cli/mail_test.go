package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"contactdesk/model"
	"contactdesk/storage"
)

// After a resend, the mail with the old token says that its token was
// replaced, in the list, in the mail and in the JSON; the newest keeps
// its token.
func TestMailListMarksReplacedTokens(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	before := decode[[]map[string]any](t, d.ok("mail", "list", "--as", "gh13579-ovh", "--json"))
	d.ok("request", "resend", "8", "--as", "gh13579-ovh")
	ms := decode[[]map[string]any](t, d.ok("mail", "list", "--as", "gh13579-ovh", "--json"))
	if len(ms) != len(before)+1 {
		t.Fatalf("%d mails after a resend, %d before", len(ms), len(before))
	}
	newest, old := ms[0], ms[1]
	if newest["request"] != 8.0 || old["request"] != 8.0 || newest["token_replaced"] != false || old["token_replaced"] != true || old["token"] == "" {
		t.Errorf("mail list --json after a resend: newest %v, old %v", newest, old)
	}
	for _, m := range ms[2:] {
		if m["token_replaced"] != false {
			t.Errorf("mail %v is not replaced", m)
		}
	}
	list := d.ok("mail", "list", "--as", "gh13579-ovh")
	lines := strings.Split(list, "\n")
	// the token of request #4, cancelled, no longer works either
	if !strings.Contains(lines[1], "  token  ") || !strings.Contains(lines[2], "  replaced  ") || !strings.Contains(lines[4], "  ended  ") ||
		!strings.Contains(list, "1 mail carries a token") {
		t.Errorf("mail list after a resend:\n%s", list)
	}
	id := strings.Fields(lines[2])[0]
	show := d.ok("mail", "show", id, "--as", "gh13579-ovh")
	if !strings.Contains(show, "Token:   that token was replaced by a newer one; use the token of your latest mail for request #8\n") {
		t.Errorf("mail show of the old mail:\n%s", show)
	}
	if js := d.ok("mail", "show", id, "--as", "gh13579-ovh", "--json"); !strings.Contains(js, `"token_replaced": true`) {
		t.Errorf("mail show --json of the old mail:\n%s", js)
	}
	if js := d.ok("mail", "show", strings.Fields(lines[1])[0], "--as", "gh13579-ovh", "--json"); !strings.Contains(js, `"token_replaced": false`) {
		t.Errorf("mail show --json of the newest mail:\n%s", js)
	}
}

// TestRealDeliveryRemovesSimulatedTokens: any run with --smtp that
// writes, even one that mails nothing, turns real delivery on. The tokens
// the simulated mailbox held were never mailed: they are removed from the
// desk (a copy someone made still works), and the mailbox says so — never
// that they were mailed.
func TestRealDeliveryRemovesSimulatedTokens(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	copied := d.token("gh13579-ovh", 8)
	r := d.run("config", "set", "public-ssh", "desk.example.com", "--smtp", "smtp://127.0.0.1:1", "--mail-from", "desk@example.com")
	if r.code != 0 || !strings.Contains(r.err, "mail is now delivered for real: the tokens of 20 mails of the simulated mailbox, never mailed, were removed") {
		t.Fatalf("the switch: %+v", r)
	}

	list := d.ok("mail", "list", "--as", "gh13579-ovh")
	if strings.Contains(list, "  mailed  ") || strings.Contains(list, "inbox") || !strings.Contains(list, "  removed  ") ||
		!strings.Contains(list, "1 mail's token, never mailed, was removed when mail began to be delivered for real") {
		t.Errorf("mail list:\n%s", list)
	}
	var id int64
	for _, m := range decode[[]map[string]any](t, d.ok("mail", "list", "--as", "gh13579-ovh", "--json")) {
		if m["kind"] == "confirm" && m["request"] == 8.0 {
			id = int64(m["id"].(float64))
			if m["token"] != "" || m["token_removed"] != true || m["token_withheld"] != false || strings.Contains(m["link"].(string), "token") {
				t.Errorf("mail list --json: %v", m)
			}
		}
	}
	show := d.ok("mail", "show", itoa(id), "--as", "gh13579-ovh")
	if !strings.Contains(show, "Token:   removed from this mailbox when mail began to be delivered for real: it was never mailed") ||
		strings.Contains(show, "mailed to") || !strings.Contains(show, "contactdesk request resend 8 --as gh13579-ovh") {
		t.Errorf("mail show:\n%s", show)
	}

	db, err := storage.Open(d.env["CONTACTDESK_DB"], storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.View(context.Background(), func(tx model.Tx) error {
		accounts, err := tx.Accounts()
		for _, a := range accounts {
			ms, _ := tx.MailsOf(a.Handle)
			for _, m := range ms {
				if m.Token != "" || tokenRE.MatchString(m.Body) {
					t.Errorf("mail #%d of %s still holds a token", m.ID, a.Handle)
				}
			}
		}
		return err
	})
	db.Close()

	d.ok("request", "accept", "8", "--as", "gh13579-ovh", "--token", copied)
}

// TestReadWithSMTPLeavesTheSimulatedMailbox: a command that only reads
// never turns real delivery on, --smtp given or $CONTACTDESK_SMTP left in
// the environment: a listing or a backup removed every token of the
// simulated mailbox, for good, even with no SMTP server listening. The
// tokens stay and work, the setting stays unset; the first command that
// writes turns it on, as before.
func TestReadWithSMTPLeavesTheSimulatedMailbox(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	tok := d.token("gh13579-ovh", 8)
	d.env["CONTACTDESK_SMTP"] = "smtp://127.0.0.1:1"
	d.env["CONTACTDESK_MAIL_FROM"] = "desk@example.com"
	for _, args := range [][]string{
		{"services", "--as", "xx11111-ovh"},
		{"mail", "list", "--as", "gh13579-ovh"},
		{"request", "list", "--as", "gh13579-ovh", "--json"},
		{"backup", filepath.Join(d.dir, "copy.db")},
		{"config", "list"},
	} {
		if r := d.run(args...); r.code != 0 || r.err != "" {
			t.Errorf("%v with --smtp: %+v", args, r)
		}
	}
	if got := d.token("gh13579-ovh", 8); got != tok {
		t.Fatalf("the token of request #8 is now %q", got)
	}
	if out := d.ok("config", "get", "mail-delivery"); strings.Contains(out, "smtp") {
		t.Errorf("mail-delivery after reads: %q", out)
	}
	r := d.run("request", "accept", "8", "--as", "gh13579-ovh", "--token", tok)
	if r.code != 0 || !strings.Contains(r.err, "mail is now delivered for real") {
		t.Errorf("the first write with --smtp: %+v", r)
	}
}
