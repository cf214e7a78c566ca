package modeltest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"contactdesk/locale"
	"contactdesk/model"
)

// testCredentials: a consumer key asked for with an application key
// awaits validation, then works within its rules once validated with
// the code mailed to its account; refused or expired, it never does.
func testCredentials(t *testing.T, open Opener) {
	f := New(t, open)
	box := TagBox{}
	app, err := f.Desk.AddAPIKey(f.Ctx, A, "dashboard", box)
	if err != nil {
		t.Fatal(err)
	}
	read := []model.APIRule{{Method: "GET", Path: "/me"}, {Method: "GET", Path: "/me/*"}}

	_, err = f.Desk.AskCredential(f.Ctx, "NoSuchKey", read, "")
	IsKind(t, err, model.ErrCredentials, "an unknown application key")
	_, err = f.Desk.AskCredential(f.Ctx, app.AppKey, nil, "")
	IsKind(t, err, model.ErrInvalid, "no rules")
	_, err = f.Desk.AskCredential(f.Ctx, app.AppKey, read, "ftp://x.example/")
	IsKind(t, err, model.ErrInvalid, "a redirection that is no web address")

	got, err := f.Desk.AskCredential(f.Ctx, app.AppKey, read, "https://app.example/back")
	if err != nil || got.State != model.CredentialPending || got.Handle != A || len(got.ConsumerKey) != 32 || got.Token == "" ||
		!got.Expires.Equal(Start.Add(model.CredentialValidity)) || got.ValidationURL != "" {
		t.Fatalf("asked: %+v %v", got, err)
	}
	_, err = f.Desk.APIBearer(f.Ctx, got.ConsumerKey)
	IsKind(t, err, model.ErrCredentials, "a key awaiting validation")
	if ms, _ := f.Desk.Mails(f.Ctx, A); len(ms) != 0 {
		t.Fatalf("asking mailed: %+v", ms)
	}

	cl, err := f.Desk.FindCredential(f.Ctx, got.Token)
	if err != nil || cl.Account.Handle != A || cl.AppName != "dashboard" || cl.State != model.CredentialPending || cl.CodeSent || cl.CodesLeft != model.MaxCredentialCodes {
		t.Fatalf("the page's key: %+v %v", cl, err)
	}
	_, err = f.Desk.FindCredential(f.Ctx, got.Token+"x")
	IsKind(t, err, model.ErrWrongToken, "a page token of nobody")
	_, err = f.Desk.AnswerCredential(f.Ctx, got.Token, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", true)
	IsKind(t, err, model.ErrInvalid, "an answer before any code")

	var code string
	for i := range model.MaxCredentialCodes {
		if _, err := f.Desk.MailCredentialCode(f.Ctx, got.Token); err != nil {
			t.Fatalf("code %d: %v", i, err)
		}
		ms, _ := f.Desk.Mails(f.Ctx, A)
		if len(ms) != i+1 || ms[0].Kind != model.MailCredentialCode || ms[0].Token == "" || ms[0].Token == code {
			t.Fatalf("the mails after code %d: %+v", i, ms)
		}
		code = ms[0].Token
	}
	_, err = f.Desk.MailCredentialCode(f.Ctx, got.Token)
	IsKind(t, err, model.ErrMailLimit, "a code past the limit")
	// The mailbox says which code works: the newest of its key, while
	// the key awaits validation.
	wantMarks(t, f, got.ID, "pendingValidation", "pendingValidation replaced", "pendingValidation replaced")
	ms, _ := f.Desk.Mails(f.Ctx, A)
	_, err = f.Desk.AnswerCredential(f.Ctx, got.Token, ms[1].Token, true)
	IsKind(t, err, model.ErrWrongToken, "a code replaced by a newer one")

	cl, err = f.Desk.AnswerCredential(f.Ctx, got.Token, strings.ToLower(code), true)
	if err != nil || cl.State != model.CredentialValidated || cl.Consumer.Redirection != "https://app.example/back" {
		t.Fatalf("validated: %+v %v", cl, err)
	}
	// It calls signed with its application's secret, never alone: whoever
	// knew the application key (no secret) and got the account to
	// validate a key asked for in its name could call as the account.
	_, err = f.Desk.APIBearer(f.Ctx, got.ConsumerKey)
	IsKind(t, err, model.ErrCredentials, "a validated key asked for, given alone as a bearer")
	signed := func(secret string) bool { return secret == app.AppSecret }
	who, err := f.Desk.APISigned(f.Ctx, box, app.AppKey, got.ConsumerKey, signed)
	if err != nil || who.Handle != A || !who.Granted("GET", "/me/task/contactChange") || who.Granted("POST", "/domain/x/changeContact") {
		t.Fatalf("the validated key: %+v %v", who, err)
	}
	_, err = f.Desk.AnswerCredential(f.Ctx, got.Token, code, false)
	IsKind(t, err, model.ErrEnded, "the code again")
	// Its mails say that the code was used, as a request's say that it
	// was answered: the key was validated, and no code of it works.
	wantMarks(t, f, got.ID, "validated ended", "validated replaced ended", "validated replaced ended")
	if ms, _ := f.Desk.Mails(f.Ctx, A); model.GoneNote(ms[0]).In(locale.For("en")) != fmt.Sprintf("consumer key #%d was validated: this code no longer works", got.ID) ||
		model.GoneNote(ms[1]).In(locale.For("pt")) != fmt.Sprintf("a consumer key #%d foi validada: este código já não funciona", got.ID) {
		t.Errorf("what the mails of a validated key's codes say: %q, %q", model.GoneNote(ms[0]).In(locale.For("en")), model.GoneNote(ms[1]).In(locale.For("pt")))
	}

	// Refused, and expired: never work.
	no, _ := f.Desk.AskCredential(f.Ctx, app.AppKey, read, "")
	f.Desk.MailCredentialCode(f.Ctx, no.Token)
	ms, _ = f.Desk.Mails(f.Ctx, A)
	if cl, err := f.Desk.AnswerCredential(f.Ctx, no.Token, ms[0].Token, false); err != nil || cl.State != model.CredentialRefused {
		t.Fatalf("refused: %+v %v", cl, err)
	}
	_, err = f.Desk.APIBearer(f.Ctx, no.ConsumerKey)
	IsKind(t, err, model.ErrCredentials, "a refused key")
	wantMarks(t, f, no.ID, "refused ended")
	late, _ := f.Desk.AskCredential(f.Ctx, app.AppKey, read, "")
	if _, err := f.Desk.MailCredentialCode(f.Ctx, late.Token); err != nil {
		t.Fatal(err)
	}
	wantMarks(t, f, late.ID, "pendingValidation")
	f.Clock.Advance(model.CredentialValidity)
	wantMarks(t, f, late.ID, "expired ended")
	_, err = f.Desk.APIBearer(f.Ctx, late.ConsumerKey)
	IsKind(t, err, model.ErrCredentials, "an expired key")
	_, err = f.Desk.MailCredentialCode(f.Ctx, late.Token)
	IsKind(t, err, model.ErrEnded, "a code for an expired key")
	if cl, _ := f.Desk.FindCredential(f.Ctx, late.Token); cl.State != model.CredentialExpired {
		t.Errorf("an expired key's page: %+v", cl)
	}
	// A day later, an ask clears the keys that expired unvalidated.
	f.Clock.Advance(25 * time.Hour)
	if _, err := f.Desk.AskCredential(f.Ctx, app.AppKey, read, ""); err != nil {
		t.Fatal(err)
	}
	_, err = f.Desk.FindCredential(f.Ctx, late.Token)
	IsKind(t, err, model.ErrWrongToken, "a key expired a day ago")
	wantMarks(t, f, late.ID, " ended") // no more: its mail still says its code is of no use
	ks, _ := f.Desk.APIKeys(f.Ctx, A)
	states := []string{}
	for _, c := range ks[0].Consumers {
		states = append(states, c.StateAt(f.Clock.Now()))
	}
	if strings.Join(states, " ") != "validated validated refused pendingValidation" {
		t.Errorf("the consumer keys listed: %v", states)
	}

	// A code of the simulated mailbox, when real delivery begins: taken
	// out, and the mail says how to get another.
	if _, err := f.Desk.ChangeSetting(f.Ctx, model.SettingMailDelivery, "smtp"); err != nil {
		t.Fatal(err)
	}
	ms, _ = f.Desk.Mails(f.Ctx, A)
	for _, m := range ms {
		if m.Kind == model.MailCredentialCode && (m.Token != "" || !m.TokenRemoved || strings.Contains(m.Body, code) || !strings.Contains(m.Body, "ask for another on the validation page")) {
			t.Fatalf("a code mail once real delivery began: %+v", m)
		}
	}

	// Support revokes one, the only one used; removing the application
	// ends the others. The application's last use is still that key's.
	who, err = f.Desk.APIBearer(f.Ctx, app.ConsumerKey)
	if err != nil {
		t.Fatal(err)
	}
	f.Desk.APIUsed(f.Ctx, who)
	usedAt := f.Clock.Now()
	f.Clock.Advance(time.Hour)
	_, err = f.Desk.RevokeConsumerKey(f.Ctx, app.AppKey, ks[0].Consumers[0].ID+1000, model.SupportActor)
	IsKind(t, err, model.ErrNotFound, "revoking a number that is none")
	if c, err := f.Desk.RevokeConsumerKey(f.Ctx, app.AppKey, ks[0].Consumers[0].ID, model.SupportActor); err != nil || c.ID != ks[0].Consumers[0].ID {
		t.Fatalf("revoke: %+v %v", c, err)
	}
	if ks, err := f.Desk.APIKeys(f.Ctx, A); err != nil || len(ks) != 1 || !ks[0].LastUsed.Equal(usedAt) {
		t.Errorf("the application's last use once its used consumer key was revoked: %+v %v, want %v", ks, err, usedAt)
	}
	_, err = f.Desk.APIBearer(f.Ctx, app.ConsumerKey)
	IsKind(t, err, model.ErrCredentials, "a revoked key")
	if _, err := f.Desk.APISigned(f.Ctx, box, app.AppKey, got.ConsumerKey, signed); err != nil {
		t.Fatalf("the other consumer key after a revoke: %v", err)
	}
	if _, err := f.Desk.RemoveAPIKey(f.Ctx, app.AppKey); err != nil {
		t.Fatal(err)
	}
	_, err = f.Desk.APISigned(f.Ctx, box, app.AppKey, got.ConsumerKey, signed)
	IsKind(t, err, model.ErrCredentials, "a consumer key of a removed application")

	// The history of it all reads in the reader's language: the
	// account's lines (asked, code mailed, validated, refused), support
	// staff's (key made, revoked, removed, the setting), English as
	// stored.
	mine, err := f.Desk.History(f.Ctx, A, model.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	support, err := f.Desk.SupportHistory(f.Ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range append(mine, support...) {
		if !strings.HasPrefix(e.Action, "apikey.") && e.Action != model.ActSetting {
			continue
		}
		seen[e.Action] = true
		if got := model.DetailOf(e).In(locale.For(locale.EN)); got != e.Detail {
			t.Errorf("%s in English: %q, stored %q", e.Action, got, e.Detail)
		}
		for _, l := range []locale.Lang{locale.PT, locale.FR} {
			if got := model.DetailOf(e).In(locale.For(l)); got == e.Detail {
				t.Errorf("%s in %s: %q, as stored", e.Action, l, got)
			}
		}
	}
	for _, a := range []string{model.ActAPIKeyAdd, model.ActAPIKeyRemove, model.ActCredentialAsk, model.ActCredentialCode,
		model.ActCredentialValidate, model.ActCredentialRefuse, model.ActCredentialRevoke, model.ActSetting} {
		if !seen[a] {
			t.Errorf("no %s line in the history", a)
		}
	}
	for i := len(mine) - 1; i >= 0; i-- { // the first ask
		if e := mine[i]; e.Action == model.ActCredentialAsk {
			want := "consumer key #2 da chave de API " + app.AppKey + " (dashboard) pedida, com acesso a GET /me, GET /me/*; aguarda validação até 02/03/2026 10:00 UTC"
			if got := model.DetailOf(e).In(locale.For(locale.PT)); got != want {
				t.Errorf("the first ask in Portuguese:\n%s\nwant\n%s", got, want)
			}
			break
		}
	}
}

// wantMarks checks what A's mailbox says of the mails of the codes of
// consumer key id, newest first, as its list shows them and as each
// shows opened: its key's state, then whether the code was replaced by
// a newer one, and whether it no longer works ("validated replaced
// ended").
func wantMarks(t *testing.T, f *Fixture, id int64, want ...string) {
	t.Helper()
	ms, err := f.Desk.Mails(f.Ctx, A)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		if m.Kind != model.MailCredentialCode || m.CredentialID != id {
			continue
		}
		one, err := f.Desk.Mail(f.Ctx, A, m.ID)
		if err != nil || one.TokenEnded != m.TokenEnded || one.TokenReplaced != m.TokenReplaced || one.CredentialState != m.CredentialState {
			t.Errorf("mail %d opened: %+v %v; in the list: %+v", m.ID, one, err, m)
		}
		mark := m.CredentialState
		if m.TokenReplaced {
			mark += " replaced"
		}
		if m.TokenEnded {
			mark += " ended"
		}
		got = append(got, mark)
	}
	if !slices.Equal(got, want) {
		t.Errorf("the mails of consumer key #%d's codes: %q, want %q", id, got, want)
	}
}

// testCredentialsPending: whoever knows an application key (no secret)
// can't pile up consumer keys awaiting validation, each of whose pages
// mails the account codes: past MaxPendingCredentials the desk refuses
// another, saying when the first expires, and writes nothing; kept in
// the database, the bound holds on every node and after a restart.
// Another application key of the account is not held back.
func testCredentialsPending(t *testing.T, open Opener) {
	f := New(t, open)
	box := TagBox{}
	app, err := f.Desk.AddAPIKey(f.Ctx, A, "dashboard", box)
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.Desk.AddAPIKey(f.Ctx, A, "backup script", box)
	if err != nil {
		t.Fatal(err)
	}
	read := []model.APIRule{{Method: "GET", Path: "/me"}}
	for i := range model.MaxPendingCredentials {
		if _, err := f.Desk.AskCredential(f.Ctx, app.AppKey, read, ""); err != nil {
			t.Fatalf("ask %d: %v", i+1, err)
		}
		f.Clock.Advance(time.Minute)
	}
	pending := func() int {
		ks, err := f.Desk.APIKeys(f.Ctx, A)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, k := range ks {
			n += len(k.Consumers)
		}
		return n
	}
	before := pending()
	_, err = f.Desk.AskCredential(f.Ctx, app.AppKey, read, "")
	IsKind(t, err, model.ErrMailLimit, "one more key awaiting validation")
	if at := model.RetryAt(err); !at.Equal(Start.Add(model.CredentialValidity)) {
		t.Errorf("the refusal says to retry at %v, want when the first expires, %v", at, Start.Add(model.CredentialValidity))
	}
	if n := pending(); n != before {
		t.Errorf("the refused ask left %d consumer keys, want %d", n, before)
	}
	if _, err := f.Desk.AskCredential(f.Ctx, other.AppKey, read, ""); err != nil {
		t.Errorf("another application key of the account: %v", err)
	}
	f.Clock.Advance(model.CredentialValidity - time.Duration(model.MaxPendingCredentials)*time.Minute)
	if _, err := f.Desk.AskCredential(f.Ctx, app.AppKey, read, ""); err != nil {
		t.Errorf("once the first expired: %v", err)
	}
}

// testCredentialCodeMails: the codes mailed to one account are bounded
// per account, whichever of its application keys they validate a key
// of: the validation pages of an account with several application keys
// can't mail it MaxCodeMails codes each. Past the bound the desk
// refuses the code, saying when the first of the hour's codes is an
// hour old, and mails nothing; then it mails again. Kept in the
// database, the bound holds on every node and after a restart; another
// account is not held back.
func testCredentialCodeMails(t *testing.T, open Opener) {
	f := New(t, open)
	box := TagBox{}
	read := []model.APIRule{{Method: "GET", Path: "/me"}}
	var apps []model.APICredentials
	for _, name := range []string{"dashboard", "backup script"} {
		app, err := f.Desk.AddAPIKey(f.Ctx, A, name, box)
		if err != nil {
			t.Fatal(err)
		}
		apps = append(apps, app)
	}
	// Each key gets its codes, up to the account's bound, spread over the
	// two application keys.
	var tokens []string
	for n := 0; n < model.MaxCodeMails; {
		got, err := f.Desk.AskCredential(f.Ctx, apps[len(tokens)%2].AppKey, read, "")
		if err != nil {
			t.Fatalf("ask %d: %v", len(tokens)+1, err)
		}
		tokens = append(tokens, got.Token)
		for range model.MaxCredentialCodes {
			if n == model.MaxCodeMails {
				break
			}
			if _, err := f.Desk.MailCredentialCode(f.Ctx, got.Token); err != nil {
				t.Fatalf("code %d: %v", n+1, err)
			}
			n++
		}
		f.Clock.Advance(time.Minute)
	}
	mails := func(h model.Handle) int {
		ms, err := f.Desk.Mails(f.Ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	before := mails(A)
	fresh, err := f.Desk.AskCredential(f.Ctx, apps[1].AppKey, read, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Desk.MailCredentialCode(f.Ctx, fresh.Token)
	IsKind(t, err, model.ErrMailLimit, "a code past the account's bound, for a key that has none yet")
	if at := model.RetryAt(err); !at.Equal(Start.Add(model.CredentialValidity)) {
		t.Errorf("the refusal says to retry at %v, want when the first code is an hour old, %v", at, Start.Add(model.CredentialValidity))
	}
	if msg := model.Localize(err, locale.For("en")); !strings.Contains(msg, string(A)) || !strings.Contains(msg, "10:00 UTC") {
		t.Errorf("the refusal: %q", msg)
	}
	if n := mails(A); n != before {
		t.Errorf("the refused code mailed: %d mails, then %d", before, n)
	}
	if cl, err := f.Desk.FindCredential(f.Ctx, fresh.Token); err != nil || cl.CodeSent || cl.CodesLeft != model.MaxCredentialCodes {
		t.Errorf("the key after its refused code: %+v %v", cl, err)
	}
	// Another account's codes are its own.
	other, err := f.Desk.AddAPIKey(f.Ctx, T, "", box)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := f.Desk.AskCredential(f.Ctx, other.AppKey, read, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Desk.MailCredentialCode(f.Ctx, theirs.Token); err != nil {
		t.Errorf("another account's code: %v", err)
	}
	// An hour after the first, a code goes again.
	f.Clock.Advance(Start.Add(model.CredentialValidity).Sub(f.Clock.Now()))
	if _, err := f.Desk.MailCredentialCode(f.Ctx, fresh.Token); err != nil {
		t.Errorf("an hour after the first code: %v", err)
	}
}

// testCodeMailsOfOtherApplications: whoever knows one of an account's
// application keys (no secret) can spend the account's codes of the
// hour, but not keep the owner from validating a key of another of its
// application keys: one key's worth of codes (MaxCredentialCodes) still
// goes to each application key that had fewer within the hour. Past
// that, the refusal says when a code goes again, whichever of the
// account's or the application's hour ends first.
func testCodeMailsOfOtherApplications(t *testing.T, open Opener) {
	f := New(t, open)
	box := TagBox{}
	read := []model.APIRule{{Method: "GET", Path: "/me"}}
	apps := map[string]string{}
	for _, name := range []string{"exposed", "dashboard", "backup script"} {
		app, err := f.Desk.AddAPIKey(f.Ctx, A, name, box)
		if err != nil {
			t.Fatal(err)
		}
		apps[name] = app.AppKey
	}
	ask := func(app string) string {
		t.Helper()
		got, err := f.Desk.AskCredential(f.Ctx, apps[app], read, "")
		if err != nil {
			t.Fatalf("ask with %s: %v", app, err)
		}
		return got.Token
	}
	mails := func() int {
		t.Helper()
		ms, err := f.Desk.Mails(f.Ctx, A)
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	// A stranger with the exposed key: all its keys and all their codes,
	// a minute apart, the account's whole hour.
	for i := range model.MaxPendingCredentials {
		token := ask("exposed")
		for c := range model.MaxCredentialCodes {
			if _, err := f.Desk.MailCredentialCode(f.Ctx, token); err != nil {
				t.Fatalf("the exposed key's key %d, code %d: %v", i+1, c+1, err)
			}
		}
		f.Clock.Advance(time.Minute)
	}
	// The owner's dashboard still gets a key's codes.
	first := ask("dashboard")
	for c := range model.MaxCredentialCodes {
		if _, err := f.Desk.MailCredentialCode(f.Ctx, first); err != nil {
			t.Fatalf("the dashboard's code %d after the exposed key's %d: %v", c+1, model.MaxCodeMails, err)
		}
	}
	// Its next key's first code (the dashboard's 4th) waits: the
	// account's hour is full, and so is the dashboard's share.
	before := mails()
	second := ask("dashboard")
	_, err := f.Desk.MailCredentialCode(f.Ctx, second)
	IsKind(t, err, model.ErrMailLimit, "the dashboard's code past its share of a full hour")
	// The account falls below its bound when the codes of minute 1 are
	// an hour old, before the dashboard's first is.
	again := Start.Add(model.CredentialValidity + time.Minute)
	if at := model.RetryAt(err); !at.Equal(again) {
		t.Errorf("the refusal says to retry at %v, want %v", at, again)
	}
	want := fmt.Sprintf("%d codes were mailed to %s within the last hour, for this application or others: ask for another at 10:01 UTC", model.MaxCodeMails+model.MaxCredentialCodes, A)
	if msg := model.Localize(err, locale.For("en")); !strings.Contains(msg, want) {
		t.Errorf("the refusal: %q, want %q", msg, want)
	}
	if n := mails(); n != before {
		t.Errorf("the refused code mailed: %d mails, then %d", before, n)
	}
	// Nor is the backup script held back by the others.
	if _, err := f.Desk.MailCredentialCode(f.Ctx, ask("backup script")); err != nil {
		t.Errorf("the backup script's first code: %v", err)
	}
	// An hour after the first codes, minute 1's still hold the account
	// at its bound; a minute later the dashboard's code goes.
	f.Clock.Advance(Start.Add(model.CredentialValidity).Sub(f.Clock.Now()))
	_, err = f.Desk.MailCredentialCode(f.Ctx, second)
	IsKind(t, err, model.ErrMailLimit, "the dashboard's code while the account is still at its bound")
	f.Clock.Advance(time.Minute)
	if _, err := f.Desk.MailCredentialCode(f.Ctx, second); err != nil {
		t.Errorf("the dashboard's code once the account fell below its bound: %v", err)
	}
}
