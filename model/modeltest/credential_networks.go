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
// validation: past it, one is dropped (it expires, and its page mails no
// code) and the new one made, never refused. Dropped first: the keys
// without a code mailed, of the networks holding the most, the oldest:
// whoever floods from many networks pushes out its own keys, not the
// owner's, with or without a code. A dropped key still holds its
// network's slot for its hour: whoever floods can't ask again from the
// networks whose keys were dropped.
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
	// The owner asks twice, first of all: a code is mailed for its first
	// key only.
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
	var firsts []model.CredentialAsked // the first key of each network
	for i := range flood {
		got := ask(net(i))
		if i%model.MaxPendingCredentials == 0 {
			firsts = append(firsts, got)
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
	// Two more: the oldest keys of the fullest networks go, the flood's
	// first and second networks' first; the owner's stay, the one
	// without a code too, older as it is.
	ask(net(flood))
	ask(net(flood + 1))
	if n := pending(); n != model.MaxAppPendingCredentials {
		t.Errorf("%d keys await validation past the bound, want %d", n, model.MaxAppPendingCredentials)
	}
	for i, k := range firsts[:2] {
		if s := state(k.Token); s != model.CredentialExpired {
			t.Errorf("the first key of flooding network %d past the bound: %s, want dropped (expired)", i, s)
		}
	}
	if s := state(firsts[2].Token); s != model.CredentialPending {
		t.Errorf("the first key of flooding network 2: %s, want still pending", s)
	}
	// The dropped keys say so, and the account's history tells of each.
	var droppedIDs []string
	for i, k := range firsts[:3] {
		cl, err := f.Desk.FindCredential(f.Ctx, k.Token)
		if err != nil || cl.Consumer.Dropped() != (i < 2) {
			t.Errorf("key %d of the flood: dropped %v, want %v (%v)", i, cl.Consumer.Dropped(), i < 2, err)
		}
		if i < 2 {
			droppedIDs = append(droppedIDs, fmt.Sprintf("consumer key #%d of API key %s dropped before its validation: %d keys of this API key already awaited validation, the most the desk keeps (asked for from many networks)",
				cl.Consumer.ID, app.AppKey, model.MaxAppPendingCredentials))
		}
	}
	hs, err := f.Desk.History(f.Ctx, A, model.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var drops []string
	for _, h := range hs {
		if h.Action == model.ActCredentialDrop {
			drops = append(drops, h.Detail)
			if pt := model.DetailOf(h).In(locale.For(locale.PT)); !strings.Contains(pt, "descartada antes da sua validação: 200 consumer keys desta chave de API") {
				t.Errorf("a dropped key's history line in Portuguese: %q", pt)
			}
		}
	}
	slices.Sort(drops)
	slices.Sort(droppedIDs)
	if !slices.Equal(drops, droppedIDs) {
		t.Errorf("the history's dropped keys: %q, want %q", drops, droppedIDs)
	}
	_, err = f.Desk.MailCredentialCode(f.Ctx, firsts[0].Token)
	IsKind(t, err, model.ErrEnded, "a code for a dropped key")
	for what, k := range map[string]model.CredentialAsked{"with a code": coded, "without": idle} {
		if s := state(k.Token); s != model.CredentialPending {
			t.Errorf("the owner's key %s: %s, want still pending", what, s)
		}
	}
	// The first flooding network's dropped key still holds its slot.
	_, err = f.Desk.AskCredentialFrom(f.Ctx, net(0), app.AppKey, read, "")
	IsKind(t, err, model.ErrMailLimit, "a network whose key was dropped, asking again within its hour")
	// The owner validates its keys after all.
	if _, err := f.Desk.MailCredentialCode(f.Ctx, idle.Token); err != nil {
		t.Fatal(err)
	}
	ms, err := f.Desk.Mails(f.Ctx, A)
	if err != nil || len(ms) != 2 {
		t.Fatalf("the mails: %v %v", ms, err)
	}
	for i, k := range []model.CredentialAsked{idle, coded} {
		if cl, err := f.Desk.AnswerCredential(f.Ctx, k.Token, ms[i].Token, true); err != nil || cl.State != model.CredentialValidated {
			t.Errorf("the owner's key %d validated after the flood: %+v %v", i, cl, err)
		}
	}
}

// testCodeMailsPerNetwork: whoever knows an application key (no secret)
// and asks from its network spends the account's codes of the hour and
// that application key's share, but not the owner's: a key asked for
// from another network still gets one key's worth of codes
// (MaxCredentialCodes), and past that waits.
func testCodeMailsPerNetwork(t *testing.T, open Opener) {
	f := New(t, open)
	app, err := f.Desk.AddAPIKey(f.Ctx, A, "dashboard", TagBox{})
	if err != nil {
		t.Fatal(err)
	}
	read := []model.APIRule{{Method: "GET", Path: "/me"}}
	ask := func(from string) string {
		t.Helper()
		got, err := f.Desk.AskCredentialFrom(f.Ctx, from, app.AppKey, read, "")
		if err != nil {
			t.Fatalf("ask from %s: %v", from, err)
		}
		return got.Token
	}
	// The hostile network: all its keys and all their codes.
	for i := range model.MaxPendingCredentials {
		token := ask("hostile")
		for c := range model.MaxCredentialCodes {
			if _, err := f.Desk.MailCredentialCode(f.Ctx, token); err != nil {
				t.Fatalf("the hostile key %d, code %d: %v", i+1, c+1, err)
			}
		}
		f.Clock.Advance(time.Minute)
	}
	// Another network gets one key's worth, then waits.
	more := ask("hostile2")
	for range model.MaxCredentialCodes {
		if _, err := f.Desk.MailCredentialCode(f.Ctx, more); err != nil {
			t.Fatalf("another network's code: %v", err)
		}
	}
	_, err = f.Desk.MailCredentialCode(f.Ctx, ask("hostile2"))
	IsKind(t, err, model.ErrMailLimit, "a code past the account's bound and its network's share")
	// The owner's key, from its office, gets its codes.
	mine := ask("office")
	for c := range model.MaxCredentialCodes {
		if _, err := f.Desk.MailCredentialCode(f.Ctx, mine); err != nil {
			t.Fatalf("the owner's code %d past the hostile network's %d: %v", c+1, model.MaxCodeMails, err)
		}
	}
}
