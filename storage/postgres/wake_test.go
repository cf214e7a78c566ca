package postgres

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"slices"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"contactdesk/model"
	"contactdesk/storage/postgres/pgtest"
)

// next waits for the next change on ch; it fails the test only when none
// ever comes (the bound is generous: this is not a speed test).
func next(t *testing.T, who string, ch <-chan model.Change) model.Change {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(30 * time.Second):
		t.Fatalf("%s's screens were never told of the change", who)
		return model.Change{}
	}
}

// TestOtherNodesWakeOnlyTheAccountsTouched: two desks on one database,
// as two `serve` nodes. A request made by alice on node 1 wakes, on node
// 2, the screens of the accounts it concerns (alice, the contacts, the
// incoming one) and not those of an unrelated account, as node 1's own
// broker does; a key removed wakes its account (whose connections the
// SSH server then ends); a change of setting wakes every screen.
func TestOtherNodesWakeOnlyTheAccountsTouched(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	db1, db2 := openURL(t, u), openURL(t, u)
	d1, d2 := model.NewDesk(db1, model.Options{}), model.NewDesk(db2, model.Options{})
	const alice, bruno, carla, ulla = model.Handle("aa11111-ovh"), model.Handle("bb22222-ovh"), model.Handle("cc33333-ovh"), model.Handle("uu44444-ovh")
	for _, h := range []model.Handle{alice, bruno, carla, ulla} {
		if _, err := d1.AddAccount(ctx, model.NewAccount{Handle: string(h), Name: "Person " + string(h), Email: string(h) + "@example.pt"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d1.AddService(ctx, model.NewService{Name: "shared.eu", Type: model.TypeDomain, Admin: string(alice), Tech: string(bruno), Billing: string(alice)}); err != nil {
		t.Fatal(err)
	}
	if _, err := d1.AddService(ctx, model.NewService{Name: "ulla.eu", Type: model.TypeDomain, Admin: string(ulla), Tech: string(ulla), Billing: string(ulla)}); err != nil {
		t.Fatal(err)
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	key, err := d1.AddKey(ctx, alice, gossh.MarshalAuthorizedKey(sshPub))
	if err != nil {
		t.Fatal(err)
	}

	// Node 2 watches; connecting counts as "anything may have
	// changed", which every screen gets once.
	watching, stop := context.WithCancel(ctx)
	defer stop()
	any, unsub := d2.Subscribe("")
	defer unsub()
	go d2.Watch(watching, 5*time.Millisecond)
	eventually(t, "node 2 listens", db2.listening)
	if c := next(t, "anyone", any); !c.All {
		t.Fatalf("connecting reported as %+v; want All", c)
	}

	sub := map[model.Handle]<-chan model.Change{}
	for _, h := range []model.Handle{alice, bruno, carla, ulla} {
		ch, unsub := d2.Subscribe(h)
		defer unsub()
		sub[h] = ch
	}

	// Alice, on node 1, asks for carla as tech contact of shared.eu.
	rs, err := d1.CreateRequest(ctx, alice, model.NewRequest{Service: "shared.eu", Roles: []model.Role{model.Tech}, To: string(carla)})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []model.Handle{alice, bruno, carla} {
		if c := next(t, string(h), sub[h]); c.All || !slices.Contains(c.Handles, h) {
			t.Errorf("%s's screens on node 2 were told %+v; want a change naming %s", h, c, h)
		}
	}
	// A wrong token, which anyone holding a mail's link can send, is
	// counted: that concerns bruno's screens, not everyone's. (A fresh
	// token is as well formed as his and, drawn at random, not his.)
	wrongToken, _ := model.NewToken()
	if _, err := d1.Accept(ctx, bruno, rs[0].ID, wrongToken); !model.IsRefusal(err) {
		t.Fatalf("a wrong token: %v", err)
	}
	if c := next(t, string(bruno), sub[bruno]); c.All || !slices.Contains(c.Handles, bruno) {
		t.Errorf("bruno's screens on node 2 were told %+v of his wrong token; want a change naming %s", c, bruno)
	}
	// Then a change of ulla's own: the first thing her screens hear of.
	// (Each subscription holds one change until it is taken: had the
	// request or the wrong token woken ulla, her slot would hold that
	// one, All. Node 2 may
	// tell several writes as one change, naming all their accounts.)
	if _, err := d1.SetStanding(ctx, ulla, 1000); err != nil {
		t.Fatal(err)
	}
	if c := next(t, string(ulla), sub[ulla]); c.All || !slices.Contains(c.Handles, ulla) {
		t.Errorf("ulla's screens on node 2, unrelated to alice's request, were woken by it: they were first told %+v, want a change naming %s", c, ulla)
	}

	// A key removed on node 1 reaches its account's subscribers on node
	// 2 (the SSH server's key guard is one: it ends the sessions).
	if _, err := d1.RemoveKey(ctx, key.Fingerprint); err != nil {
		t.Fatal(err)
	}
	if c := next(t, string(alice), sub[alice]); !c.Concerns(alice) {
		t.Errorf("alice's subscribers on node 2 were told %+v of her key's removal", c)
	}

	// A change of setting concerns every screen.
	drain := func() {
		for _, ch := range sub {
			select {
			case <-ch:
			default:
			}
		}
	}
	drain()
	if _, err := d1.SetSetting(ctx, model.SettingPublicSSH, "desk.example.net"); err != nil {
		t.Fatal(err)
	}
	for _, h := range []model.Handle{alice, bruno, carla, ulla} {
		if c := next(t, string(h), sub[h]); !c.All {
			t.Errorf("%s's screens on node 2 were told %+v of a change of setting; want All", h, c)
		}
	}

	// Real delivery: a request's mails go through the outbox, and a
	// sender on node 1 claims, hands over and records each. That wakes
	// the recipients' screens on node 2, not ulla's.
	if _, err := d1.SetSetting(ctx, model.SettingMailDelivery, model.DeliverySMTP); err != nil {
		t.Fatal(err)
	}
	if c := next(t, string(ulla), sub[ulla]); !c.All {
		t.Errorf("ulla's screens on node 2 were told %+v of a change of setting; want All", c)
	}
	if _, err := d1.Cancel(ctx, alice, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := d1.CreateRequest(ctx, alice, model.NewRequest{Service: "shared.eu", Roles: []model.Role{model.Tech}, To: string(carla)}); err != nil {
		t.Fatal(err)
	}
	claimed, _, err := d1.ClaimMails(ctx, 10, time.Minute)
	if err != nil || len(claimed) == 0 {
		t.Fatalf("claimed %d mails, %v", len(claimed), err)
	}
	for _, e := range claimed {
		if err := d1.HandOver(ctx, &e, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := d1.Delivered(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d1.SetStanding(ctx, ulla, 0); err != nil {
		t.Fatal(err)
	}
	if c := next(t, string(ulla), sub[ulla]); c.All || !slices.Contains(c.Handles, ulla) {
		t.Errorf("ulla's screens on node 2 were woken by the delivery of others' mails: they were first told %+v, want a change naming %s", c, ulla)
	}
}

// TestNotifyPayload: what a write's NOTIFY says, and how a node reads
// what it hears, an older node's payload and a newer one's included.
func TestNotifyPayload(t *testing.T) {
	hs := []model.Handle{"aa11111-ovh", "bb22222-ovh"}
	if got := payload("ab12", true, hs); got != "ab12 touched aa11111-ovh bb22222-ovh" {
		t.Errorf("payload = %q", got)
	}
	if got := payload("ab12", false, hs); got != "ab12" {
		t.Errorf("a write that says nothing: payload %q, want the node's name alone (what an older node sends)", got)
	}
	many := make([]model.Handle, 700)
	for i := range many {
		many[i] = model.Handle(fmt.Sprintf("xx%07d-ovh", i))
	}
	if got := payload("ab12", true, many); got != "ab12" {
		t.Errorf("700 handles: payload of %d bytes, want the node's name alone (anything)", len(got))
	}
	if got := payload("ab12", true, []model.Handle{"aa11111-ovh", "x'); DROP TABLE accounts; --"}); got != "ab12" {
		t.Errorf("a handle that is not one: payload %q, want the node's name alone", got)
	}
	for _, c := range []struct {
		in   string
		node string
		hs   []model.Handle
		all  bool
	}{
		{"ab12", "ab12", nil, true}, // an older node, or a write that says nothing
		{"ab12 touched aa11111-ovh", "ab12", []model.Handle{"aa11111-ovh"}, false},
		{"ab12 touched", "ab12", nil, false},                         // nothing any screen shows
		{"ab12 v2 aa11111-ovh", "ab12", nil, true},                   // a newer format
		{"ab12 touched aa11111-ovh NOT-A-HANDLE", "ab12", nil, true}, // unreadable
		{"", "", nil, true},
	} {
		node, hs, all := readPayload(c.in)
		if node != c.node || !slices.Equal(hs, c.hs) || all != c.all {
			t.Errorf("readPayload(%q) = %q, %v, %v; want %q, %v, %v", c.in, node, hs, all, c.node, c.hs, c.all)
		}
	}
}

// TestChangesSayWhoWasTouched: what another node's writes changed, as
// Changes reports it: the accounts they announced, together; All for a
// write that announced nothing, for one that touched too many accounts
// for a NOTIFY, and for an older node's (or a newer one's) NOTIFY.
func TestChangesSayWhoWasTouched(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	a, b := openURL(t, u), openURL(t, u)
	a.Changes(ctx)
	eventually(t, "a listens", a.listening)
	changedSoon(t, a, "the change of connecting")

	write := func(h model.Handle, touched ...model.Handle) {
		t.Helper()
		err := b.Update(ctx, func(tx model.Tx) error {
			if touched != nil {
				tx.(model.Announcer).Announce(touched)
			}
			return tx.InsertAccount(model.Account{Handle: h, Name: string(h), Email: "a@b.c"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	changes := func(what string) model.Change {
		t.Helper()
		var c model.Change
		eventually(t, what, func() bool {
			var changed bool
			var err error
			c, changed, err = a.Changes(ctx)
			return err == nil && changed
		})
		return c
	}

	// Two writes heard before a looks: their accounts, together.
	n := a.heard()
	write("aa11111-ovh", "aa11111-ovh", "bb22222-ovh")
	write("cc33333-ovh", "cc33333-ovh", "aa11111-ovh")
	eventually(t, "a hears both", func() bool { return a.heard() >= n+2 })
	if c := changes("a hears b's writes"); c.All || !slices.Equal(c.Handles, []model.Handle{"aa11111-ovh", "bb22222-ovh", "cc33333-ovh"}) {
		t.Errorf("two writes touching aa, bb and cc: %+v", c)
	}

	write("dd44444-ovh") // announced nothing
	if c := changes("a hears a write that says nothing"); !c.All {
		t.Errorf("a write that said nothing: %+v, want All", c)
	}

	many := make([]model.Handle, 700)
	for i := range many {
		many[i] = model.Handle(fmt.Sprintf("xx%07d-ovh", i))
	}
	write("ee55555-ovh", many...)
	if c := changes("a hears a write that touched 700 accounts"); !c.All {
		t.Errorf("a write that touched 700 accounts: %d handles, want All", len(c.Handles))
	}

	// An older node's NOTIFY, and a newer one's.
	for _, p := range []string{"0123abcd", "0123abcd v2 aa11111-ovh"} {
		run(t, u, "SELECT pg_notify($1, $2)", Channel, p)
		if c := changes("a hears " + p); !c.All {
			t.Errorf("NOTIFY %q: %+v, want All", p, c)
		}
	}
	// And a's own writes are still not reported.
	n = a.heard()
	err := a.Update(ctx, func(tx model.Tx) error {
		tx.(model.Announcer).Announce([]model.Handle{"ff66666-ovh"})
		return tx.InsertAccount(model.Account{Handle: "ff66666-ovh", Name: "f", Email: "f@b.c"})
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "a hears its own NOTIFY", func() bool { return a.heard() > n })
	if c, changed, err := a.Changes(ctx); changed || err != nil {
		t.Errorf("a's own write reported: %+v, %v", c, err)
	}
}
