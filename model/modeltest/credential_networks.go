package modeltest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"contactdesk/locale"
	"contactdesk/model"
)

// testCredentialsNetworks: whoever knows an application key (no secret)
// and asks for consumer keys from one network fills that network's
// MaxPendingCredentials slots, not the application key's: the owner,
// asking from another network, still gets a key, and validates it. The
// hostile network is refused, in the reader's language, saying when its
// first slot frees, and the refusal writes nothing.
func testCredentialsNetworks(t *testing.T, open Opener) {
	f := New(t, open)
	app, err := f.Desk.AddAPIKey(f.Ctx, A, "dashboard", TagBox{})
	if err != nil {
		t.Fatal(err)
	}
	read := []model.APIRule{{Method: "GET", Path: "/me"}}
	const hostile, office = "203.0.113.7", "2001:db8:1::/48"
	for i := range model.MaxPendingCredentials {
		if _, err := f.Desk.AskCredentialFrom(f.Ctx, hostile, app.AppKey, read, ""); err != nil {
			t.Fatalf("the hostile network's ask %d: %v", i+1, err)
		}
		f.Clock.Advance(time.Minute)
	}
	count := func() int {
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
	before := count()
	_, err = f.Desk.AskCredentialFrom(f.Ctx, hostile, app.AppKey, read, "")
	IsKind(t, err, model.ErrMailLimit, "one more key from the hostile network")
	if at := model.RetryAt(err); !at.Equal(Start.Add(model.CredentialValidity)) {
		t.Errorf("the refusal says to retry at %v, want when the network's first expires, %v", at, Start.Add(model.CredentialValidity))
	}
	for lang, want := range map[string]string{
		"en": fmt.Sprintf("%d consumer keys of this application key asked for from your network already await validation; ask again at 10:00 UTC", model.MaxPendingCredentials),
		"fr": "demandées depuis votre réseau attendent déjà leur validation",
		"pt": "pedidas a partir da sua rede a aguardar validação; pode voltar a pedir às 10:00 UTC",
	} {
		if msg := model.Localize(err, locale.For(locale.Lang(lang))); !strings.Contains(msg, want) {
			t.Errorf("the refusal in %s: %q, want %q", lang, msg, want)
		}
	}
	if n := count(); n != before {
		t.Errorf("the refused ask left %d consumer keys, want %d", n, before)
	}

	// The owner, from its office, asks and validates its key.
	mine, err := f.Desk.AskCredentialFrom(f.Ctx, office, app.AppKey, read, "")
	if err != nil {
		t.Fatalf("the owner's ask from another network, while the hostile one's slots are full: %v", err)
	}
	if _, err := f.Desk.MailCredentialCode(f.Ctx, mine.Token); err != nil {
		t.Fatal(err)
	}
	ms, err := f.Desk.Mails(f.Ctx, A)
	if err != nil || len(ms) == 0 {
		t.Fatalf("the owner's code: %v %v", ms, err)
	}
	if cl, err := f.Desk.AnswerCredential(f.Ctx, mine.Token, ms[0].Token, true); err != nil || cl.State != model.CredentialValidated {
		t.Fatalf("the owner's key validated: %+v %v", cl, err)
	}
	// The keys of no known network (AskCredential) are one more network.
	if _, err := f.Desk.AskCredential(f.Ctx, app.AppKey, read, ""); err != nil {
		t.Errorf("an ask of no known network: %v", err)
	}
	// The hostile network asks again once its first key's hour is over.
	f.Clock.Advance(Start.Add(model.CredentialValidity).Sub(f.Clock.Now()))
	if _, err := f.Desk.AskCredentialFrom(f.Ctx, hostile, app.AppKey, read, ""); err != nil {
		t.Errorf("the hostile network once its first key expired: %v", err)
	}
}

// testCredentialsAppBound: asked for from many networks, at most
// MaxAppPendingCredentials consumer keys of one application key await
// validation: past it, the oldest for which no code was mailed is
// dropped (it expires, and its page mails no code) and the new one
// made. A key whose page mailed a code is never dropped: the owner's key
// survives a flood from many networks once its code went. A dropped key
// still holds its network's slot for its hour: whoever floods can't ask
// again from the networks whose keys were dropped.
func testCredentialsAppBound(t *testing.T, open Opener) {
	f := New(t, open)
	app, err := f.Desk.AddAPIKey(f.Ctx, A, "dashboard", TagBox{})
	if err != nil {
		t.Fatal(err)
	}
	read := []model.APIRule{{Method: "GET", Path: "/me"}}
	ask := func(from string) model.CredentialAsked {
		t.Helper()
		got, err := f.Desk.AskCredentialFrom(f.Ctx, from, app.AppKey, read, "")
		if err != nil {
			t.Fatalf("ask from %s: %v", from, err)
		}
		return got
	}
	// The owner asks twice: a code is mailed for its first key only.
	coded, idle := ask("office"), ask("office")
	if _, err := f.Desk.MailCredentialCode(f.Ctx, coded.Token); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(time.Second)
	pending := func() (n int) {
		t.Helper()
		ks, err := f.Desk.APIKeys(f.Ctx, A)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range ks {
			for _, c := range k.Consumers {
				if c.StateAt(f.Clock.Now()) == model.CredentialPending {
					n++
				}
			}
		}
		return n
	}
	// A flood from many networks, up to the bound.
	net := func(i int) string { return fmt.Sprintf("198.51.100.%d", i/model.MaxPendingCredentials) }
	flood := model.MaxAppPendingCredentials - 2
	var first model.CredentialAsked
	for i := range flood {
		got := ask(net(i))
		if i == 0 {
			first = got
		}
	}
	if n := pending(); n != model.MaxAppPendingCredentials {
		t.Fatalf("%d keys await validation, want %d", n, model.MaxAppPendingCredentials)
	}
	state := func(token string) string {
		t.Helper()
		cl, err := f.Desk.FindCredential(f.Ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		return cl.State
	}
	// One more: the owner's idle key, the oldest without a code, goes;
	// the one with a code stays.
	ask(net(flood))
	if n := pending(); n != model.MaxAppPendingCredentials {
		t.Errorf("%d keys await validation past the bound, want %d", n, model.MaxAppPendingCredentials)
	}
	if s := state(idle.Token); s != model.CredentialExpired {
		t.Errorf("the oldest key without a code: %s, want dropped (expired)", s)
	}
	_, err = f.Desk.MailCredentialCode(f.Ctx, idle.Token)
	IsKind(t, err, model.ErrEnded, "a code for a dropped key")
	if s := state(coded.Token); s != model.CredentialPending {
		t.Errorf("the key with a code: %s, want still pending", s)
	}
	// And another: the flood's oldest goes.
	ask(net(flood + 1))
	if s := state(first.Token); s != model.CredentialExpired {
		t.Errorf("the flood's oldest key past the bound: %s, want dropped (expired)", s)
	}
	if s := state(coded.Token); s != model.CredentialPending {
		t.Errorf("the key with a code after the flood's next: %s, want still pending", s)
	}
	// The first flooding network's dropped key still holds its slot.
	_, err = f.Desk.AskCredentialFrom(f.Ctx, net(0), app.AppKey, read, "")
	IsKind(t, err, model.ErrMailLimit, "a network whose key was dropped, asking again within its hour")
	// The owner's key with a code is validated after all.
	ms, err := f.Desk.Mails(f.Ctx, A)
	if err != nil || len(ms) != 1 {
		t.Fatalf("the mails: %v %v", ms, err)
	}
	if cl, err := f.Desk.AnswerCredential(f.Ctx, coded.Token, ms[0].Token, true); err != nil || cl.State != model.CredentialValidated {
		t.Errorf("the owner's key validated after the flood: %+v %v", cl, err)
	}
}
