package cli

import (
	"strings"
	"testing"
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
	if !strings.Contains(lines[1], "  token  ") || !strings.Contains(lines[2], "  replaced  ") || !strings.Contains(list, "2 mails carry a token") {
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
