package modeltest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"contactdesk/locale"
	"contactdesk/model"
)

// MailedToken returns the token of h's newest confirmation mail for
// request id as it is stored, before the mail is handed to an SMTP
// server: what the recipient will find in the real mail. (Desk.Mails
// withholds it while real delivery is on.)
func (f *Fixture) MailedToken(h model.Handle, id int64) string {
	f.T.Helper()
	var tok string
	err := f.Store.View(f.Ctx, func(tx model.Tx) error {
		ms, err := tx.MailsOf(h)
		for _, m := range ms {
			if m.RequestID == id && m.Kind == model.MailConfirm {
				tok = m.Token
				break
			}
		}
		return err
	})
	if err != nil || tok == "" {
		f.T.Fatalf("%s has no stored token for request #%d (%v)", h, id, err)
	}
	return tok
}

// Set sets a desk setting and fails the test on a refusal.
func (f *Fixture) Set(key, value string) {
	f.T.Helper()
	if _, err := f.Desk.SetSetting(f.Ctx, key, value); err != nil {
		f.T.Fatalf("set %s %q: %v", key, value, err)
	}
}

func testSettings(t *testing.T, open Opener) {
	f := New(t, open)
	s, err := f.Desk.Settings(f.Ctx)
	if err != nil || len(s) != 0 || s.RealDelivery() || s.PublicURL() != "" || s.SSHCommand() != "" {
		t.Fatalf("a new desk's settings: %v, %v", s, err)
	}
	cases := []struct{ key, in, want string }{
		{model.SettingPublicURL, "https://Desk.Example.NET/", "https://desk.example.net"},
		// 200 characters as stored, more bytes: characters are counted
		{model.SettingPublicURL, "https://" + strings.Repeat("é", 180) + ".example", "https://" + strings.Repeat("é", 180) + ".example"},
		{model.SettingPublicURL, "  http://127.0.0.1:8080/desk/ ", "http://127.0.0.1:8080/desk"},
		{model.SettingPublicSSH, "Desk.example.net:2222", "desk.example.net:2222"},
		{model.SettingPublicSSH, "[2001:db8::1]:22", "[2001:db8::1]:22"},
		{model.SettingPublicSSH, "2001:db8::1", "2001:db8::1"},
		{model.SettingMailDelivery, "SMTP", model.DeliverySMTP},
	}
	for _, c := range cases {
		got, err := f.Desk.SetSetting(f.Ctx, c.key, c.in)
		if err != nil || got != c.want {
			t.Errorf("set %s %q: %q, %v; want %q", c.key, c.in, got, err, c.want)
		}
		s, _ := f.Desk.Settings(f.Ctx)
		if s[c.key] != c.want {
			t.Errorf("%s reads back %q, want %q", c.key, s[c.key], c.want)
		}
	}
	before := f.Snap()
	for _, c := range []struct{ key, in string }{
		{"public_url", "https://x.example"},
		{"", "x"},
		{model.SettingPublicURL, "desk.example.net"},
		{model.SettingPublicURL, "ftp://desk.example.net"},
		{model.SettingPublicURL, "https://desk.example.net/?a=b"},
		{model.SettingPublicURL, "https://desk.example.net/#top"},
		{model.SettingPublicURL, "https://user:pw@desk.example.net"},
		{model.SettingPublicURL, "https://desk.example.net:99999"},
		{model.SettingPublicURL, "https:///path"},
		{model.SettingPublicURL, "https://desk.example.net/a b"},
		{model.SettingPublicURL, "https://desk.example.net/\x1b[31m"},
		{model.SettingPublicURL, "https://desk.example.net/" + strings.Repeat("a", 200)},
		{model.SettingPublicURL, "http://a.example/" + strings.Repeat("^", 180)}, // 557 once escaped
		{model.SettingPublicSSH, strings.Repeat("a", 200) + ".example.net"},
		{model.SettingPublicSSH, "desk.example.net:ssh"},
		{model.SettingPublicSSH, "desk example"},
		{model.SettingPublicSSH, "-oProxyCommand=x"},
		{model.SettingPublicSSH, "a:b:c"},
		{model.SettingMailDelivery, "sendmail"},
	} {
		_, err := f.Desk.SetSetting(f.Ctx, c.key, c.in)
		IsKind(t, err, model.ErrInvalid, "set "+c.key+" "+c.in)
		if c.key != "" && !strings.Contains(err.Error(), c.key) && !strings.Contains(err.Error(), "setting") {
			t.Errorf("the refusal of %s %q does not name it: %q", c.key, c.in, err)
		}
	}
	f.Same(before, "refused settings")
	if s, _ := f.Desk.Settings(f.Ctx); s.PublicURL() != "http://127.0.0.1:8080/desk" {
		t.Errorf("a refused value replaced the public URL: %q", s.PublicURL())
	}
	if s, _ := f.Desk.Settings(f.Ctx); s.SSHCommand() != "ssh 2001:db8::1" {
		t.Errorf("ssh command %q", s.SSHCommand())
	}
	f.Set(model.SettingPublicSSH, "desk.example.net:22")
	if s, _ := f.Desk.Settings(f.Ctx); s.SSHCommand() != "ssh desk.example.net" {
		t.Errorf("ssh command on port 22: %q", s.SSHCommand())
	}
	f.Set(model.SettingPublicSSH, "desk.example.net:2222")
	if s, _ := f.Desk.Settings(f.Ctx); s.SSHCommand() != "ssh -p 2222 desk.example.net" {
		t.Errorf("ssh command: %q", s.SSHCommand())
	}
	// An empty value unsets; unsetting what is not set changes nothing.
	f.Set(model.SettingPublicSSH, "")
	if s, _ := f.Desk.Settings(f.Ctx); s[model.SettingPublicSSH] != "" || len(s) != 2 {
		t.Errorf("after unset: %v", s)
	}
	before = f.Snap()
	f.Set(model.SettingPublicSSH, "")
	f.Set(model.SettingMailDelivery, "smtp")
	f.Same(before, "settings set to what they are")
	// Support staff's changes are recorded, out of the customers' sight.
	var hist []model.HistoryEntry
	f.Store.View(f.Ctx, func(tx model.Tx) error {
		var err error
		hist, err = tx.History(model.SupportActor, 0, 0, 0)
		return err
	})
	n := 0
	for _, e := range hist {
		if e.Action == model.ActSetting {
			n++
			if e.Actor != model.SupportActor {
				t.Errorf("a setting recorded as done by %s", e.Actor)
			}
		}
	}
	if n != 10 {
		t.Errorf("%d settings changes recorded, want 10", n)
	}
	for _, h := range []model.Handle{A, T} {
		hs, _ := f.Desk.History(f.Ctx, h, model.HistoryFilter{})
		for _, e := range hs {
			if e.Action == model.ActSetting {
				t.Errorf("%s sees a change of setting in its history", h)
			}
		}
	}
	// Real delivery, once asked for, is recorded once.
	f2 := New(t, open)
	for range 2 {
		if _, err := f2.Desk.UseRealDelivery(f2.Ctx); err != nil {
			t.Fatal(err)
		}
	}
	if s, _ := f2.Desk.Settings(f2.Ctx); !s.RealDelivery() {
		t.Errorf("UseRealDelivery: %v", s)
	}
	if err := f2.Desk.Ping(f2.Ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
	for _, k := range model.SettingKeys() {
		if _, err := model.LookupSetting(k.Name); err != nil || k.About == "" {
			t.Errorf("setting %q: %v, about %q", k.Name, err, k.About)
		}
	}
}

func testLinks(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	m := f.newestMail(f.Desk, N)
	if !strings.HasPrefix(m.Link, "contactdesk://request/") || !strings.Contains(m.Body, "contactdesk request accept") {
		t.Errorf("without settings, the mail of today: %q\n%s", m.Link, m.Body)
	}
	f.Set(model.SettingPublicURL, "https://desk.example.net/")
	f.Set(model.SettingPublicSSH, "desk.example.net:2222")
	m, err := f.Desk.Resend(f.Ctx, N, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := "https://desk.example.net/request/" + itoa(r.ID) + "?token=" + m.Token
	if m.Link != want || !strings.Contains(m.Body, want) {
		t.Errorf("link %q, want %q; body:\n%s", m.Link, want, m.Body)
	}
	// Served over SSH, the simulated mailbox tells the app's way, not the
	// commands (testMailCommands); every mail tells the SSH way.
	if strings.Contains(m.Body, "contactdesk request accept") || !strings.Contains(m.Body, "press o on this mail") || !strings.Contains(m.Body, "ssh -p 2222 desk.example.net") {
		t.Errorf("simulated mail:\n%s", m.Body)
	}
	id, tok, ok := model.ParseLink(m.Link)
	if !ok || id != r.ID || tok != m.Token {
		t.Errorf("ParseLink(%q) = %d %q %v", m.Link, id, tok, ok)
	}
	if _, err := f.Desk.Accept(f.Ctx, N, r.ID, tok); err != nil {
		t.Errorf("the token of the web link: %v", err)
	}
	f.Accept(A, r.ID)
	f.Accept(T, r.ID)
	if o := f.newestMail(f.Desk, T); o.Kind != model.MailOutcome || !strings.Contains(o.Body, "ssh -p 2222 desk.example.net") {
		t.Errorf("an outcome mail does not tell the SSH way:\n%s", o.Body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// tokenRE finds a token in a text.
var tokenRE = regexp.MustCompile(`[0-9A-Z]{4}(-[0-9A-Z]{4}){6}`)

// testRealDelivery: with mail-delivery smtp, every process queues its
// mails, the real mail says how to answer without the shell commands,
// and the desk's mailbox shows no token, before and after the hand-over.
func testRealDelivery(t *testing.T, open Opener) {
	for _, withURL := range []bool{true, false} {
		f := New(t, open)
		f.Set(model.SettingMailDelivery, model.DeliverySMTP)
		if withURL {
			f.Set(model.SettingPublicURL, "https://desk.example.net")
		}
		r := f.Create(A, Example, N, model.Tech)[0]
		tok := f.MailedToken(N, r.ID)
		ms, err := f.Desk.Mails(f.Ctx, N)
		if err != nil || len(ms) != 1 {
			t.Fatalf("mails: %d, %v", len(ms), err)
		}
		m := ms[0]
		if m.Delivery != model.DeliveryPending {
			t.Errorf("a desk with mail-delivery smtp did not queue the mail: %q", m.Delivery)
		}
		if m.Token != "" || !m.TokenWithheld || strings.Contains(m.Body, tok) || strings.Contains(m.Link, tok) || strings.Contains(m.Link, "token") {
			t.Errorf("the mailbox shows the token: %+v", m)
		}
		if !strings.Contains(m.Body, "(queued for "+string(N)+"@mail.example, not sent yet") || strings.Contains(m.Body, "mailed to") {
			t.Errorf("the mailbox does not say where the token goes:\n%s", m.Body)
		}
		if id, _, ok := model.ParseLink(m.Link); !ok || id != r.ID {
			t.Errorf("the withheld link %q does not open the request", m.Link)
		}
		var raw model.OutboxEntry
		for _, e := range f.claim(f.Desk, time.Minute) {
			if e.Mail.To == N {
				raw = e
			}
		}
		body := raw.Mail.Body
		if !strings.Contains(body, tok) || strings.Contains(body, "contactdesk request") || strings.Contains(body, "--token") {
			t.Errorf("the real mail:\n%s", body)
		}
		web := "https://desk.example.net/request/" + itoa(r.ID) + "?token=" + tok
		if withURL != strings.Contains(body, web) {
			t.Errorf("with a public URL %v, the real mail has the web link %v:\n%s", withURL, !withURL, body)
		}
		// Handed to the server: the stored copy forgets the token.
		if err := f.Desk.HandOver(f.Ctx, &raw, time.Minute); err != nil {
			t.Fatal(err)
		}
		f.Store.View(f.Ctx, func(tx model.Tx) error {
			got, err := tx.Mail(raw.Mail.ID)
			if err != nil || got.Token != "" || strings.Contains(got.Body, tok) || strings.Contains(got.Link, tok) {
				t.Errorf("after the hand-over the store holds %+v, %v", got, err)
			}
			return nil
		})
		if _, err := f.Desk.Delivered(f.Ctx, raw); err != nil {
			t.Fatal(err)
		}
		m = f.newestMail(f.Desk, N)
		if m.Token != "" || !m.TokenWithheld || m.Delivery != model.DeliverySent || !strings.Contains(m.Body, "(mailed to "+string(N)+"@mail.example; the desk keeps no copy)") {
			t.Errorf("after delivery: %+v", m)
		}
		// The mailed token works, from the mail alone.
		if _, err := f.Desk.Accept(f.Ctx, N, r.ID, tok); err != nil {
			t.Errorf("the mailed token: %v", err)
		}
		// A resend returns no token either.
		rm, err := f.Desk.Resend(f.Ctx, T, r.ID)
		if err != nil || rm.Token != "" || !rm.TokenWithheld || strings.Contains(rm.Body, f.MailedToken(T, r.ID)) {
			t.Errorf("resend: %+v, %v", rm, err)
		}
		// A mail the server refused keeps no token.
		refused := f.claim(f.Desk, time.Minute)
		if len(refused) != 1 || refused[0].Mail.To != T {
			t.Fatalf("claimed %+v, want the resent mail", refused)
		}
		if _, err := f.Desk.Undeliverable(f.Ctx, refused[0], "550 no such user"); err != nil {
			t.Fatal(err)
		}
		f.Store.View(f.Ctx, func(tx model.Tx) error {
			m, err := tx.Mail(refused[0].Mail.ID)
			if err != nil || m.Token != "" || strings.Contains(m.Body, refused[0].Mail.Token) {
				t.Errorf("a refused mail keeps its token: %+v, %v", m, err)
			}
			// It says it was not delivered, never that it was mailed.
			if !strings.Contains(m.Body, "(not delivered to "+string(T)+"@mail.example, and the desk keeps no copy: ask for a fresh token)") || strings.Contains(m.Body, "mailed to") {
				t.Errorf("a refused mail says:\n%s", m.Body)
			}
			return nil
		})
	}
	// A mail written before real delivery was on shows no token either
	// (testRemovedTokens says what it shows). Back to the simulated
	// mailbox, a fresh token shows again.
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	f.Set(model.SettingMailDelivery, model.DeliverySMTP)
	if m := f.newestMail(f.Desk, N); m.Token != "" || !m.TokenRemoved {
		t.Errorf("an older simulated mail under real delivery: %+v", m)
	}
	f.Set(model.SettingMailDelivery, model.DeliveryNone)
	if m, err := f.Desk.Resend(f.Ctx, N, r.ID); err != nil || m.Token == "" || f.Token(N, r.ID) != m.Token {
		t.Errorf("mail-delivery none: the simulated mailbox shows no fresh token: %+v, %v", m, err)
	}
}

// testRemovedTokens: turning real delivery on removes the tokens the
// simulated mailbox holds — nobody was ever mailed them, and the desk
// then keeps no token — in the same write as the setting, which the
// history records with their number. Each such mail says so in its
// recipient's language, never that it was mailed, and how to ask for a
// fresh token; a token someone copied before still works.
func testRemovedTokens(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	copied := f.Token(N, r.ID)
	if _, err := f.Desk.SetLang(f.Ctx, T, "pt"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Desk.AskEmailChange(f.Ctx, N2, "nuno@new.example"); err != nil {
		t.Fatal(err)
	}
	// A request cancelled: its token mails (to A and N) and the
	// outcomes, which carry no token.
	self := f.Create(A, Self, N, model.Billing)[0]
	if _, err := f.Desk.Cancel(f.Ctx, A, self.ID); err != nil {
		t.Fatal(err)
	}

	c, err := f.Desk.ChangeSetting(f.Ctx, model.SettingMailDelivery, "smtp")
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	f.Store.View(f.Ctx, func(tx model.Tx) error {
		for _, h := range []model.Handle{A, T, B, N, N2} {
			ms, err := tx.MailsOf(h)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if m.CarriesToken() {
					stored++
				}
				if m.Token != "" || tokenRE.MatchString(m.Body) || strings.Contains(m.Link, "token=") {
					t.Errorf("mail #%d of %s still holds a token:\n%s", m.ID, h, m.Body)
				}
			}
		}
		return nil
	})
	if c.Value != model.DeliverySMTP || c.TokensRemoved != stored || stored != 6 {
		t.Errorf("the switch says %+v; %d token mails stored, want 6", c, stored)
	}

	// Each says what became of its token, in its reader's language.
	for _, want := range []struct {
		h    model.Handle
		kind string
		says []string
	}{
		{N, model.MailConfirm, []string{"its token was removed from it when real delivery began", "contactdesk request resend " + itoa(r.ID) + " --as " + string(N), "If you copied the token, it works as before"}},
		{T, model.MailConfirm, []string{"o seu código foi removido dele quando a entrega real começou", "contactdesk request resend " + itoa(r.ID) + " --as " + string(T)}},
		{N2, model.MailEmailConfirm, []string{"contactdesk profile set-email nuno@new.example --as " + string(N2)}},
	} {
		var m model.Mail
		ms, err := f.Desk.Mails(f.Ctx, want.h)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ms {
			if x.Kind == want.kind && (x.RequestID == r.ID || want.kind == model.MailEmailConfirm) {
				m = x
				break
			}
		}
		if !m.TokenRemoved || m.TokenWithheld || m.Token != "" || m.Delivery != "" {
			t.Errorf("%s's mail: %+v", want.h, m)
		}
		for _, s := range want.says {
			if !strings.Contains(m.Body, s) {
				t.Errorf("%s's mail does not say %q:\n%s", want.h, s, m.Body)
			}
		}
		if strings.Contains(m.Body, "(mailed to") || strings.Contains(m.Body, "(enviado para") {
			t.Errorf("%s's mail says its token was mailed:\n%s", want.h, m.Body)
		}
		// The commands that answered with the token go, and their
		// heading: "--token (removed: …)" could not be run.
		if strings.Contains(m.Body, "request accept") || strings.Contains(m.Body, "--token") {
			t.Errorf("%s's mail still offers to answer with its removed token:\n%s", want.h, m.Body)
		}
		for _, lang := range locale.Langs {
			if h := locale.For(lang).T("mail.confirm.shell"); strings.Contains(m.Body, h) {
				t.Errorf("%s's mail keeps the heading %q of commands it no longer has:\n%s", want.h, h, m.Body)
			}
		}
	}

	if m := f.newestMail(f.Desk, A); m.Kind != model.MailOutcome || m.TokenRemoved || m.TokenWithheld {
		t.Errorf("an outcome mail after the switch: %+v", m)
	}

	if m := f.newestMail(f.Desk, A); m.Kind != model.MailOutcome || m.TokenRemoved || m.TokenWithheld {
		t.Errorf("an outcome mail after the switch: %+v", m)
	}

	var hist []model.HistoryEntry
	f.Store.View(f.Ctx, func(tx model.Tx) error {
		hist, err = tx.History(model.SupportActor, 0, 0, 0)
		return err
	})
	if len(hist) == 0 || hist[0].Action != model.ActSetting ||
		hist[0].Detail != "setting mail-delivery set to smtp; the tokens of 6 mails of the simulated mailbox removed (never mailed; the desk keeps no copy)" {
		t.Errorf("the history: %+v", hist)
	}

	// The token copied before works; a resend is mailed for real.
	if _, err := f.Desk.Accept(f.Ctx, N, r.ID, copied); err != nil {
		t.Errorf("the token copied before the switch: %v", err)
	}
	m, err := f.Desk.Resend(f.Ctx, T, r.ID)
	if err != nil || m.Delivery != model.DeliveryPending || !m.TokenWithheld || m.TokenRemoved {
		t.Errorf("a resend after the switch: %+v, %v", m, err)
	}

	// Turning it on again, once off, removes only what the simulated
	// mailbox got meanwhile: A's resend, and T's, which was taken out of
	// the outbox, unsent, when real delivery was turned off. The mails
	// of the first switch still say their tokens were removed.
	f.Set(model.SettingMailDelivery, model.DeliveryNone)
	if m := f.newestMail(f.Desk, N2); !m.TokenRemoved {
		t.Errorf("back to the simulated mailbox, a removed token: %+v", m)
	}
	if _, err := f.Desk.Resend(f.Ctx, A, r.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := f.Desk.UseRealDelivery(f.Ctx); err != nil || n != 2 {
		t.Errorf("UseRealDelivery: %d tokens removed, %v; want 2", n, err)
	}
	if n, err := f.Desk.UseRealDelivery(f.Ctx); err != nil || n != 0 {
		t.Errorf("UseRealDelivery again: %d tokens removed, %v", n, err)
	}
}

// testTokenHolder: the read the web page makes from a link finds the
// party by its token, changes nothing, and counts no wrong token
// against any party.
func testTokenHolder(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	r2 := f.Create(A, Multi, N, model.Tech)[0]
	before := f.Snap()
	for _, h := range []model.Handle{A, T, N} {
		th, err := f.Desk.FindTokenHolder(f.Ctx, r.ID, f.Token(h, r.ID))
		if err != nil || th.Party != h || th.Closed != nil || th.Request.ID != r.ID || len(th.Request.Parties) != 3 {
			t.Errorf("%s's token: %+v, %v", h, th, err)
		}
	}
	wrong := "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"
	for i := 0; i < 3*model.MaxTokenFailures; i++ {
		for _, c := range []struct {
			id  int64
			tok string
		}{{r.ID, wrong}, {r.ID, "nope"}, {r.ID, f.Token(N, r2.ID)}, {9999, f.Token(N, r.ID)}, {9999, wrong}} {
			_, err := f.Desk.FindTokenHolder(f.Ctx, c.id, c.tok)
			IsKind(t, err, model.ErrWrongToken, "a wrong token")
		}
	}
	// (A request that does not exist reads as a wrong token.)
	_, e1 := f.Desk.FindTokenHolder(f.Ctx, 9999, wrong)
	_, e2 := f.Desk.FindTokenHolder(f.Ctx, r.ID, wrong)
	if strings.ReplaceAll(e1.Error(), "9999", "N") != strings.ReplaceAll(e2.Error(), itoa(r.ID), "N") {
		t.Errorf("a missing request reads otherwise than a wrong token: %q, %q", e1, e2)
	}
	f.Same(before, "finding token holders")
	// The guesses cost the parties nothing.
	f.Accept(T, r.ID)
	th, _ := f.Desk.FindTokenHolder(f.Ctx, r.ID, f.Token(T, r.ID))
	IsKind(t, th.Closed, model.ErrAlreadyAnswered, "a used token")
	if th.Party != T {
		t.Errorf("a used token's party: %q", th.Party)
	}
	old := f.Token(N, r.ID)
	if _, err := f.Desk.Resend(f.Ctx, N, r.ID); err != nil {
		t.Fatal(err)
	}
	th, _ = f.Desk.FindTokenHolder(f.Ctx, r.ID, old)
	IsKind(t, th.Closed, model.ErrTokenReplaced, "a replaced token")
	if _, err := f.Desk.Refuse(f.Ctx, N, r.ID, f.Token(N, r.ID)); err != nil {
		t.Fatal(err)
	}
	th, _ = f.Desk.FindTokenHolder(f.Ctx, r.ID, f.Token(A, r.ID))
	IsKind(t, th.Closed, model.ErrEnded, "a token of a refused request")
	if th.Request.State != model.StateRefused || th.Party != A {
		t.Errorf("refused request: %+v", th)
	}
	// Past its expiry, before any write records it.
	f.Clock.Advance(16 * 24 * time.Hour)
	th, err := f.Desk.FindTokenHolder(f.Ctx, r2.ID, f.Token(A, r2.ID))
	if err != nil || th.Request.State != model.StateExpired {
		t.Errorf("an expired request: %+v, %v", th, err)
	}
	IsKind(t, th.Closed, model.ErrEnded, "a token of an expired request")
}

// testRealDeliveryOff: turning real delivery off takes out of the outbox
// the mails never handed to a server, in the same write as the setting:
// their tokens show in the simulated mailbox again, as before, and no
// sender mails them later (one holding a claim on one can't hand it
// over). A mail handed over, sent or failed keeps no token, and stays
// withheld.
func testRealDeliveryOff(t *testing.T, open Opener) {
	f := New(t, open)
	f.Set(model.SettingMailDelivery, model.DeliverySMTP)
	sender := model.NewDesk(f.Store, model.Options{Clock: f.Clock}) // the process that sends
	r := f.Create(A, Example, N, model.Tech)[0]
	byTo := map[model.Handle]model.OutboxEntry{}
	for _, e := range f.claim(sender, time.Minute) {
		byTo[e.Mail.To] = e
	}
	sent, refused, claimed := byTo[A], byTo[T], byTo[N]
	if err := sender.HandOver(f.Ctx, &sent, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := sender.Delivered(f.Ctx, sent); err != nil {
		t.Fatal(err)
	}
	if _, err := sender.Undeliverable(f.Ctx, refused, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	// A second request: M's mail is being handed over; the others wait.
	r2 := f.Create(A, Multi, N2, model.Tech)[0]
	for _, e := range f.claim(sender, time.Minute) {
		if e.Mail.To == M {
			if err := sender.HandOver(f.Ctx, &e, time.Minute); err != nil {
				t.Fatal(err)
			}
		} else if err := sender.ReleaseMails(f.Ctx, []model.OutboxEntry{e}); err != nil {
			t.Fatal(err)
		}
	}
	tokN, tokN2 := f.MailedToken(N, r.ID), f.MailedToken(N2, r2.ID)

	c, err := f.Desk.ChangeSetting(f.Ctx, model.SettingMailDelivery, model.DeliveryNone)
	if err != nil || c.Withdrawn != 3 {
		t.Fatalf("mail-delivery none: %+v, %v; want 3 mails withdrawn (N's, and A's and N2's of the second request)", c, err)
	}
	if got := f.Token(N, r.ID); got != tokN {
		t.Errorf("N's token mail, never sent, shows %q, want its token", got)
	}
	if got := f.Token(N2, r2.ID); got != tokN2 {
		t.Errorf("N2's token mail, never sent, shows %q, want its token", got)
	}
	m := f.newestMail(f.Desk, N)
	if m.TokenWithheld || m.TokenRemoved || m.Delivery != "" || !strings.Contains(m.Body, tokN) || strings.Contains(m.Body, "queued for") {
		t.Errorf("a withdrawn mail: %+v", m)
	}
	if m := mailAbout(f, A, r.ID); m.Token != "" || !m.TokenWithheld || m.Delivery != model.DeliverySent {
		t.Errorf("a mail sent, after the switch: %+v", m)
	}
	if m := mailAbout(f, T, r.ID); m.Token != "" || !m.TokenWithheld || m.Delivery != model.DeliveryFailed {
		t.Errorf("a mail refused, after the switch: %+v", m)
	}
	if m := mailAbout(f, M, r2.ID); m.Token != "" || !m.TokenWithheld || m.Delivery != model.DeliveryPending {
		t.Errorf("a mail being handed over, after the switch: %+v", m)
	}

	// Nothing withdrawn is sent: the claim held on N's mail can't be
	// handed over, and later rounds find only M's interrupted hand-over.
	if err := sender.HandOver(f.Ctx, &claimed, time.Minute); err == nil {
		t.Errorf("a claim on a withdrawn mail was handed over")
	}
	if got := f.Token(N, r.ID); got != tokN {
		t.Errorf("after a refused hand-over, N's mail shows %q", got)
	}
	f.Clock.Advance(time.Hour)
	if es := f.claim(sender, time.Minute); len(es) != 0 {
		t.Errorf("claimed after the switch: %+v", es)
	}

	var hist []model.HistoryEntry
	f.Store.View(f.Ctx, func(tx model.Tx) error {
		hist, err = tx.History(model.SupportActor, 0, 0, 1)
		return err
	})
	if len(hist) != 1 || hist[0].Detail != "setting mail-delivery set to none; 3 mails not sent yet taken out of the outbox (the mailbox shows their tokens again)" {
		t.Errorf("the history: %+v", hist)
	}
	// The token shown again works.
	if _, err := f.Desk.Accept(f.Ctx, N, r.ID, tokN); err != nil {
		t.Errorf("the token shown again: %v", err)
	}
}

// mailAbout is h's newest confirmation mail for request id, as its
// mailbox shows it.
func mailAbout(f *Fixture, h model.Handle, id int64) model.Mail {
	f.T.Helper()
	m, ok, err := f.Desk.TokenMail(f.Ctx, h, id)
	if err != nil || !ok {
		f.T.Fatalf("%s's mail about request #%d: %v, %v", h, id, ok, err)
	}
	return m
}

// testRealDeliveryOffForEveryProcess: mail-delivery is the truth every
// process follows, one with an SMTP server of its own included (serve
// --smtp, which turned real delivery on as it started). Turned to none
// by another process (support staff's config set), the mails that
// process writes land in the simulated mailbox — not queued, their
// tokens and the commands readable in the desk, as for none everywhere —
// and its sender finds nothing to send. Turned to smtp again, its mails
// are queued again, and the tokens shown meanwhile are removed.
func testRealDeliveryOffForEveryProcess(t *testing.T, open Opener) {
	f := New(t, open)
	node := model.NewDesk(f.Store, model.Options{Clock: f.Clock})
	if _, err := node.UseRealDelivery(f.Ctx); err != nil {
		t.Fatal(err)
	}
	r := f.Create(A, Example, N, model.Tech)[0]
	if c, err := f.Desk.ChangeSetting(f.Ctx, model.SettingMailDelivery, model.DeliveryNone); err != nil || c.Withdrawn != 3 {
		t.Fatalf("mail-delivery none: %+v, %v; want the 3 queued mails withdrawn", c, err)
	}

	// The node writes a token mail, and a request whose three mails
	// carry tokens: all in the simulated mailbox, tokens shown.
	m, err := node.Resend(f.Ctx, N, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Delivery != "" || m.Token == "" || m.TokenWithheld || m.TokenRemoved ||
		!strings.Contains(m.Body, m.Token) || !strings.Contains(m.Body, "contactdesk request accept") {
		t.Errorf("a mail the node wrote under mail-delivery none: %+v", m)
	}
	r2, err := node.CreateRequest(f.Ctx, A, model.NewRequest{Service: Multi, Roles: []model.Role{model.Tech}, To: string(N2)})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*model.Desk{node, f.Desk} {
		if got := f.newestMail(d, N); got.Token != m.Token || got.Delivery != "" || got.TokenWithheld || got.TokenRemoved {
			t.Errorf("N's mailbox shows %+v; want the token %q", got, m.Token)
		}
		for _, h := range []model.Handle{A, M, N2} {
			got := f.newestMail(d, h)
			if got.RequestID != r2[0].ID || got.Token == "" || got.Delivery != "" || got.TokenWithheld || !strings.Contains(got.Body, got.Token) {
				t.Errorf("%s's mail of the node's request: %+v", h, got)
			}
		}
	}
	if es := f.claim(node, time.Minute); len(es) != 0 {
		t.Errorf("the node's sender finds %d mails to send under mail-delivery none", len(es))
	}
	if g, err := node.Gauges(f.Ctx); err != nil || g.OutboxPending != 0 {
		t.Errorf("outbox pending %d, %v; want 0", g.OutboxPending, err)
	}
	// The token read in the desk works.
	if _, err := node.Accept(f.Ctx, N, r.ID, m.Token); err != nil {
		t.Errorf("the token the mailbox showed: %v", err)
	}

	// Back to smtp: the tokens the simulated mailbox showed meanwhile
	// are removed (the 3 withdrawn, N's resend, the 3 of the node's
	// request), and the node queues again.
	c, err := f.Desk.ChangeSetting(f.Ctx, model.SettingMailDelivery, model.DeliverySMTP)
	if err != nil || c.TokensRemoved != 7 {
		t.Errorf("mail-delivery smtp again: %+v, %v; want the 7 tokens shown meanwhile removed", c, err)
	}
	m, err = node.Resend(f.Ctx, T, r.ID)
	if err != nil || m.Delivery != model.DeliveryPending || m.Token != "" || !m.TokenWithheld {
		t.Errorf("a mail the node wrote under mail-delivery smtp again: %+v, %v", m, err)
	}
	if es := f.claim(node, time.Minute); len(es) != 1 || es[0].Mail.To != T {
		t.Errorf("the node's sender finds %+v; want T's mail", es)
	}
}
