// Package storetest holds what the tests of both engines share: the
// request lives that must compile no statement once warm, the desk on
// which the first page of services must be read from the indexes, and
// the key lookups that must run the same statements whoever holds the
// key.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"contactdesk/model"
	"contactdesk/model/modeltest"
)

// CompilesNothingWarm checks that, once warm, a whole request life
// (create, every acceptance, the lists a user looks at) has the engine
// compile or prepare no statement: compiled says how many times it did
// since the last reset, and the last statement it did. Two lives warm
// the desk, and two more are counted.
func CompilesNothingWarm(t *testing.T, open modeltest.Opener, reset func(), compiled func() (int, string)) {
	f := modeltest.New(t, open)
	registered, stranger := lookupKeys(t, f)
	life := func(service string, to model.Handle) {
		// an SSH login: the key's owner looked up, a customer's and a
		// stranger's
		if _, err := f.Desk.KeyOwner(f.Ctx, registered); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Desk.KeyOwner(f.Ctx, stranger); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a key of no account: %v", err)
		}
		r := f.Create(modeltest.A, service, to, model.Tech)[0]
		for _, p := range r.Parties {
			// the Mailbox tab's first page while the token is live (its
			// request asked about), and the token's mail, opened
			ms, _, err := f.Desk.Mailbox(f.Ctx, p.Handle, model.MailboxPage)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Desk.Mail(f.Ctx, p.Handle, ms[0].ID); err != nil {
				t.Fatal(err)
			}
			f.Accept(p.Handle, r.ID)
		}
		for _, h := range []model.Handle{modeltest.A, to, modeltest.T} {
			if _, err := f.Desk.Services(f.Ctx, h); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Desk.Requests(f.Ctx, h); err != nil {
				t.Fatal(err)
			}
			ms, err := f.Desk.Mails(f.Ctx, h)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.Desk.Mailbox(f.Ctx, h, 0); err != nil {
				t.Fatal(err)
			}
			// a request's page reads its token mail, a mail's page the mail
			if _, _, err := f.Desk.TokenMail(f.Ctx, h, r.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Desk.Mail(f.Ctx, h, ms[0].ID); err != nil {
				t.Fatal(err)
			}
			for _, hf := range []model.HistoryFilter{{Limit: 50}, {Service: service}, {RequestID: r.ID}} {
				// T, the tech contact a life replaces, has no line of some
				if _, err := f.Desk.History(f.Ctx, h, hf); err != nil && !errors.Is(err, model.ErrNotFound) {
					t.Fatal(err)
				}
			}
		}
	}
	life(modeltest.Example, modeltest.N)
	life(modeltest.Multi, modeltest.N)
	reset()
	life(modeltest.Self, modeltest.N2)
	life(modeltest.Example, modeltest.N2)
	if n, last := compiled(); n != 0 {
		t.Errorf("a warm request life compiled statements %d times (the last: %s)", n, last)
	}
}

// Many holds every service of PlanDesk, Few one in a thousand.
const (
	Many model.Handle = "ma11111-ovh"
	Few  model.Handle = "fe22222-ovh"
)

// PlanDesk fills st with n services, all held by Many, one in a
// thousand with Few as its tech contact, with the engine's bulk load.
func PlanDesk(t *testing.T, st model.Store, n int) {
	d := model.NewDesk(st, model.Options{})
	ctx := context.Background()
	for _, h := range []model.Handle{Many, Few} {
		if _, err := d.AddAccount(ctx, model.NewAccount{Handle: string(h), Name: string(h), Email: "x@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	ss := make([]*model.Service, n)
	for i := range ss {
		ss[i] = &model.Service{Name: fmt.Sprintf("s%05d.example", i), Type: model.TypeHosting, Admin: Many, Tech: Many, Billing: Many}
		if i%1000 == 0 {
			ss[i].Tech = Few
		}
	}
	err := d.Batch(ctx, func(b *model.Batch) error { return b.ImportServices(ss, nil) })
	if err != nil {
		t.Fatal(err)
	}
}

// Two keys: the first is registered for modeltest.A, the second nobody's.
const (
	registeredKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ada@laptop"
	strangerKey   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPd3+DHU15lph1+g0u9ljA8RJqJ+DjzFmerBkctnW5yk other"
)

// lookupKeys registers registeredKey for modeltest.A on f's desk and
// returns it and strangerKey.
func lookupKeys(t *testing.T, f *modeltest.Fixture) (registered, stranger gossh.PublicKey) {
	t.Helper()
	if _, err := f.Desk.AddKey(f.Ctx, modeltest.A, []byte(registeredKey)); err != nil {
		t.Fatal(err)
	}
	registered, _, err := model.ParsePublicKey([]byte(registeredKey))
	if err != nil {
		t.Fatal(err)
	}
	stranger, _, err = model.ParsePublicKey([]byte(strangerKey))
	if err != nil {
		t.Fatal(err)
	}
	return registered, stranger
}

// SameStatementsForAnyKey checks that looking up the owner of a
// registered key runs the very statements that looking up a key of no
// account does, and a key removed since: anyone may offer the server
// anyone's public key (GitHub publishes them), and one more statement
// for a customer's key made its lookup measurably slower, which told a
// stranger who is a customer. took returns the statements the engine ran
// since it was last called, as their text.
func SameStatementsForAnyKey(t *testing.T, open modeltest.Opener, took func() []string) {
	f := modeltest.New(t, open)
	registered, stranger := lookupKeys(t, f)
	lookup := func(pk gossh.PublicKey, want error) []string {
		t.Helper()
		took()
		a, err := f.Desk.KeyOwner(f.Ctx, pk)
		ran := took()
		if want == nil && (err != nil || a.Handle != modeltest.A) {
			t.Fatalf("the registered key's owner: %+v, %v", a, err)
		}
		if want != nil && !errors.Is(err, want) {
			t.Fatalf("a key of no account: %v, want %v", err, want)
		}
		if len(ran) == 0 {
			t.Fatal("no statement was seen")
		}
		return ran
	}
	// each once first: a first use may prepare what the next reuses
	lookup(registered, nil)
	lookup(stranger, model.ErrNotFound)
	customer := lookup(registered, nil)
	nobody := lookup(stranger, model.ErrNotFound)
	if !slices.Equal(customer, nobody) {
		t.Errorf("a registered key's lookup ran %d statements:\n%s\na key of no account's %d:\n%s",
			len(customer), strings.Join(customer, "\n"), len(nobody), strings.Join(nobody, "\n"))
	}
	fp := gossh.FingerprintSHA256(registered)
	if _, err := f.Desk.RemoveKey(f.Ctx, fp); err != nil {
		t.Fatal(err)
	}
	if removed := lookup(registered, model.ErrNotFound); !slices.Equal(removed, nobody) {
		t.Errorf("a removed key's lookup ran %d statements:\n%s\na key of no account's %d:\n%s",
			len(removed), strings.Join(removed, "\n"), len(nobody), strings.Join(nobody, "\n"))
	}
}
