// Package modeltest is the model's test suite, written once and run
// against every storage backend: each backend's tests call Run with a
// function that opens a fresh, empty store.
package modeltest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"contactdesk/model"
)

// Clock is a clock the tests move by hand.
type Clock struct {
	mu     sync.Mutex
	t      time.Time
	alarms []alarm
}

// alarm is a channel At returned, closed once the clock reaches t.
type alarm struct {
	t    time.Time
	ring chan struct{}
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t.UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward (or back, d < 0), and rings the
// alarms of the times it reaches.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	left := c.alarms[:0]
	for _, a := range c.alarms {
		if c.t.Before(a.t) {
			left = append(left, a)
			continue
		}
		close(a.ring)
	}
	c.alarms = left
}

// At returns a channel closed once the clock reaches t, by Advance (at
// once when it has): what a screen timed to a moment waits for, in
// place of a timer of the wall clock (the terminal app's common.Alarm).
func (c *Clock) At(t time.Time) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ring := make(chan struct{})
	if !c.t.Before(t) {
		close(ring)
		return ring
	}
	c.alarms = append(c.alarms, alarm{t: t, ring: ring})
	return ring
}

// Start is the time every fixture starts at.
var Start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// The fixture's accounts.
const (
	A  model.Handle = "ad11111-ovh" // admin of every service
	T  model.Handle = "te22222-ovh" // tech of example.com and owed.org
	B  model.Handle = "bi33333-ovh" // billing of example.com
	N  model.Handle = "ne44444-ovh" // a new contact
	O  model.Handle = "ow55555-ovh" // owes money; billing of owed.org
	X  model.Handle = "ot66666-ovh" // holds no role anywhere
	M  model.Handle = "mu77777-ovh" // tech and billing of multi.net
	N2 model.Handle = "nn88888-ovh" // another new contact
)

// The fixture's services.
const (
	Example = "example.com" // domain: admin A, tech T, billing B
	Multi   = "multi.net"   // hosting: admin A, tech M, billing M
	Owed    = "owed.org"    // domain: admin A, tech T, billing O (who owes)
	Self    = "self.pt"     // vps: A holds every role
)

// Fixture is a desk with a known cast.
type Fixture struct {
	T     *testing.T
	Ctx   context.Context
	Store model.Store
	Desk  *model.Desk
	Clock *Clock
}

// Opener opens a fresh, empty store for one test.
type Opener func(t *testing.T) model.Store

// New builds the fixture over a fresh store.
func New(t *testing.T, open Opener) *Fixture {
	t.Helper()
	st := open(t)
	clock := NewClock(Start)
	f := &Fixture{T: t, Ctx: context.Background(), Store: st, Clock: clock, Desk: model.NewDesk(st, model.Options{Clock: clock})}
	for _, a := range []struct {
		h    model.Handle
		name string
		owes model.Cents
	}{
		{A, "Ada Admin", 0}, {T, "Ted Tech", 0}, {B, "Bia Billing", 0}, {N, "Nina New", 0},
		{O, "Otto Owes", 1000}, {X, "Oscar Other", 0}, {M, "Mia Multi", 0}, {N2, "Nuno Novo", 0},
	} {
		if _, err := f.Desk.AddAccount(f.Ctx, model.NewAccount{Handle: string(a.h), Name: a.name, Email: string(a.h) + "@mail.example", Owes: a.owes}); err != nil {
			t.Fatalf("fixture: add account %s: %v", a.h, err)
		}
	}
	for _, s := range []model.NewService{
		{Name: Example, Type: model.TypeDomain, Admin: string(A), Tech: string(T), Billing: string(B)},
		{Name: Multi, Type: model.TypeHosting, Admin: string(A), Tech: string(M), Billing: string(M)},
		{Name: Owed, Type: model.TypeDomain, Admin: string(A), Tech: string(T), Billing: string(O)},
		{Name: Self, Type: model.TypeVPS, Admin: string(A), Tech: string(A), Billing: string(A)},
	} {
		if _, err := f.Desk.AddService(f.Ctx, s); err != nil {
			t.Fatalf("fixture: add service %s: %v", s.Name, err)
		}
	}
	return f
}

// Create asks for a change and fails the test on a refusal.
func (f *Fixture) Create(actor model.Handle, service string, to model.Handle, roles ...model.Role) []model.Request {
	f.T.Helper()
	rs, err := f.Desk.CreateRequest(f.Ctx, actor, model.NewRequest{Service: service, Roles: roles, To: string(to)})
	if err != nil {
		f.T.Fatalf("%s asks for %v of %s to %s: %v", actor, roles, service, to, err)
	}
	return rs
}

// Token returns the token of h's newest confirmation mail for request id.
func (f *Fixture) Token(h model.Handle, id int64) string {
	f.T.Helper()
	ms, err := f.Desk.Mails(f.Ctx, h)
	if err != nil {
		f.T.Fatalf("mails of %s: %v", h, err)
	}
	for _, m := range ms {
		if m.RequestID == id && m.Kind == model.MailConfirm {
			return m.Token
		}
	}
	f.T.Fatalf("%s has no confirmation mail for request #%d", h, id)
	return ""
}

// Accept accepts request id as h with h's token.
func (f *Fixture) Accept(h model.Handle, id int64) model.Request {
	f.T.Helper()
	r, err := f.Desk.Accept(f.Ctx, h, id, f.Token(h, id))
	if err != nil {
		f.T.Fatalf("%s accepts #%d: %v", h, id, err)
	}
	return r
}

// Service reads a service as its admin sees it.
func (f *Fixture) Service(name string) model.Service {
	f.T.Helper()
	var s model.Service
	err := f.Store.View(f.Ctx, func(tx model.Tx) error {
		var err error
		s, err = tx.Service(name)
		return err
	})
	if err != nil {
		f.T.Fatalf("service %s: %v", name, err)
	}
	return s
}

// Request reads a request as h sees it.
func (f *Fixture) Request(h model.Handle, id int64) model.Request {
	f.T.Helper()
	r, err := f.Desk.Request(f.Ctx, h, id)
	if err != nil {
		f.T.Fatalf("%s reads #%d: %v", h, id, err)
	}
	return r
}

// Snapshot counts what a refused action must leave alone.
type Snapshot struct {
	Requests, Mails, History, Failures int
	Contacts                           map[string][3]model.Handle
}

// Snap takes a snapshot of the whole fixture.
func (f *Fixture) Snap() Snapshot {
	f.T.Helper()
	s := Snapshot{Contacts: map[string][3]model.Handle{}}
	seen := map[int64]bool{}
	for _, h := range []model.Handle{A, T, B, N, O, X, M, N2} {
		rs, err := f.Desk.Requests(f.Ctx, h)
		if err != nil {
			f.T.Fatal(err)
		}
		for _, r := range rs {
			if !seen[r.ID] {
				seen[r.ID] = true
				s.Requests++
			}
		}
		ms, err := f.Desk.Mails(f.Ctx, h)
		if err != nil {
			f.T.Fatal(err)
		}
		s.Mails += len(ms)
		hs, err := f.Desk.History(f.Ctx, h, model.HistoryFilter{})
		if err != nil {
			f.T.Fatal(err)
		}
		s.History += len(hs)
	}
	for _, name := range []string{Example, Multi, Owed, Self} {
		sv := f.Service(name)
		s.Contacts[name] = [3]model.Handle{sv.Admin, sv.Tech, sv.Billing}
	}
	return s
}

// Same fails the test when the fixture changed since s.
func (f *Fixture) Same(s Snapshot, what string) {
	f.T.Helper()
	now := f.Snap()
	if now.Requests != s.Requests || now.Mails != s.Mails || now.History != s.History {
		f.T.Errorf("%s changed the desk: requests %d→%d, mails %d→%d, history %d→%d",
			what, s.Requests, now.Requests, s.Mails, now.Mails, s.History, now.History)
	}
	for k, v := range s.Contacts {
		if now.Contacts[k] != v {
			f.T.Errorf("%s changed the contacts of %s: %v → %v", what, k, v, now.Contacts[k])
		}
	}
}

// IsKind fails the test unless err is a refusal of kind.
func IsKind(t *testing.T, err, kind error, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: accepted, want a refusal (%v)", what, kind)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("%s: refused with %q (%v), want %v", what, err, errors.Unwrap(err), kind)
	}
	if !model.IsRefusal(err) {
		t.Fatalf("%s: %v is not a refusal a person can read", what, err)
	}
}
