package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
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
	r := d.run("mail", "list", "--as", "gh13579-ovh")
	list := r.out
	lines := strings.Split(list, "\n")
	// the token of request #4, cancelled, no longer works either
	if r.code != 0 || !strings.Contains(lines[1], "  token  ") || !strings.Contains(lines[2], "  replaced  ") || !strings.Contains(lines[4], "  ended  ") ||
		!strings.Contains(r.err, "1 mail carries a token") {
		t.Errorf("mail list after a resend:\n%s\nstderr:\n%s", list, r.err)
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

	r = d.run("mail", "list", "--as", "gh13579-ovh")
	if list := r.out; r.code != 0 || strings.Contains(list, "  mailed  ") || strings.Contains(list+r.err, "inbox") || !strings.Contains(list, "  removed  ") ||
		!strings.Contains(r.err, "1 mail's token, never mailed, was removed when mail began to be delivered for real") {
		t.Errorf("mail list:\n%s\nstderr:\n%s", list, r.err)
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
		// nothing on stderr but mail list's line about the token
		want := ""
		if args[0] == "mail" {
			want = "1 mail carries a token: see it with 'contactdesk mail show ID --as gh13579-ovh' (the newest: mail show 29)\n"
		}
		if r := d.run(args...); r.code != 0 || r.err != want {
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

// TestMailListStdoutIsTheTableAlone: a script that reads mail list's
// table from stdout gets the header and a row a mail, nothing else; the
// lines that count the tokens and say how to see them are on stderr, in
// the output's language. Before, they came under the table on stdout,
// and a script read them as rows.
func TestMailListStdoutIsTheTableAlone(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	ms := decode[[]map[string]any](t, d.ok("mail", "list", "--as", "gh13579-ovh", "--json"))
	for _, env := range []string{"LANG=C", "LANG=pt_PT.UTF-8"} {
		r := d.withLang([]string{env}, "mail", "list", "--as", "gh13579-ovh")
		if r.code != 0 {
			t.Fatalf("%s mail list: exit %d: %s", env, r.code, r.err)
		}
		lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n")
		if len(lines) != len(ms)+1 {
			t.Fatalf("%s mail list: %d lines on stdout for %d mails (a header and a row each):\n%s", env, len(lines), len(ms), r.out)
		}
		for i, m := range ms {
			if f := strings.Fields(lines[i+1]); f[0] != itoa(int64(m["id"].(float64))) {
				t.Errorf("%s mail list: row %d is not mail %v: %q", env, i+1, m["id"], lines[i+1])
			}
		}
		says := map[string]string{"LANG=C": "1 mail carries a token: see it with 'contactdesk mail show ID --as gh13579-ovh' (the newest: mail show ",
			"LANG=pt_PT.UTF-8": "1 e-mail tem um código de validação: veja-o com 'contactdesk mail show ID --as gh13579-ovh'"}[env]
		if !strings.HasPrefix(r.err, says) || strings.Count(r.err, "\n") != 1 {
			t.Errorf("%s mail list: stderr %q, want one line starting %q", env, r.err, says)
		}
	}
	// --json is as it was: the mails, nothing on stderr
	if r := d.run("mail", "list", "--as", "gh13579-ovh", "--json"); r.code != 0 || r.err != "" || !strings.HasPrefix(r.out, "[\n") {
		t.Errorf("mail list --json: %+v", r)
	}
}

// TestMailListSaysUsedCodes: once a consumer key was validated with the
// code mailed for it, its mails say that their codes no longer work, as
// a request's say that its token was answered: in the list, in the mail
// and in the JSON (credential_id, credential_state, token_ended).
func TestMailListSaysUsedCodes(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	var key struct {
		ApplicationKey string `json:"applicationKey"`
	}
	if err := json.Unmarshal([]byte(d.ok("api-key", "add", "gh13579-ovh", "--json")), &key); err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(d.env["CONTACTDESK_DB"], storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	desk, ctx := model.NewDesk(st, model.Options{}), context.Background()
	asked, err := desk.AskCredential(ctx, key.ApplicationKey, []model.APIRule{{Method: "GET", Path: "/me"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := desk.MailCredentialCode(ctx, asked.Token); err != nil {
			t.Fatal(err)
		}
	}
	codes := func() []map[string]any {
		var out []map[string]any
		for _, m := range decode[[]map[string]any](t, d.ok("mail", "list", "--as", "gh13579-ovh", "--json")) {
			if m["kind"] == model.MailCredentialCode {
				out = append(out, m)
			}
		}
		return out
	}
	ms := codes()
	if len(ms) != 2 || ms[0]["credential_id"] != float64(asked.ID) || ms[0]["credential_state"] != "pendingValidation" || ms[0]["token_ended"] != false ||
		ms[1]["token_replaced"] != true {
		t.Fatalf("the code mails awaiting validation: %v", ms)
	}
	if _, err := desk.AnswerCredential(ctx, asked.Token, ms[0]["token"].(string), true); err != nil {
		t.Fatal(err)
	}
	ms = codes()
	for _, m := range ms {
		if m["credential_state"] != "validated" || m["token_ended"] != true {
			t.Errorf("a code mail once its key was validated: %v", m)
		}
	}
	id := strconv.Itoa(int(ms[0]["id"].(float64)))
	list, seen := d.ok("mail", "list", "--as", "gh13579-ovh"), false
	for l := range strings.Lines(list) {
		if strings.Fields(l)[0] == id {
			seen = true
			if !strings.Contains(l, "  validated  ") {
				t.Errorf("mail list's line of the used code: %q", l)
			}
		}
	}
	if !seen {
		t.Errorf("mail list has no mail %s:\n%s", id, list)
	}
	want := fmt.Sprintf("Token:   consumer key #%d was validated: this code no longer works\n", asked.ID)
	if show := d.ok("mail", "show", id, "--as", "gh13579-ovh"); !strings.Contains(show, want) {
		t.Errorf("mail show of the used code, no %q in:\n%s", want, show)
	}
}
