package modeltest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"contactdesk/model"
)

// Slot is one change of contact that contenders fight over: whoever
// finds no request open for it asks for one, and everyone answers the
// one open.
type Slot struct {
	Requester model.Handle
	Service   string
	Role      model.Role
	To        []model.Handle // the incoming contact is drawn from these
}

// Event is something a contender was told it did, which the store must
// then show: an answer recorded, a request applied.
type Event struct {
	Kind    string // EventAccepted, EventRefused, EventApplied
	Request int64
	Party   model.Handle
}

// Event kinds.
const (
	EventAccepted = "accepted"
	EventRefused  = "refused"
	EventApplied  = "applied"
)

// Contend makes actions random actions on the requests of slots, as one
// user among many at once: ask for the slot's change when none is open;
// else, as one of the open request's parties, accept with the token of
// its newest mail (most often), have the mail sent again, refuse, cancel
// (as its requester) or just look. A refusal by a rule is what a user
// racing others must expect; any other error is returned, as a user
// would see it. record is told every answer and application that
// succeeded; it must be safe for concurrent use.
func Contend(ctx context.Context, d *model.Desk, slots []Slot, rng *rand.Rand, actions int, record func(Event)) error {
	for i := 0; i < actions; i++ {
		s := slots[rng.IntN(len(slots))]
		if err := contendOnce(ctx, d, s, rng, record); err != nil {
			return fmt.Errorf("action %d on %s %s: %w", i, s.Service, s.Role, err)
		}
	}
	return nil
}

func contendOnce(ctx context.Context, d *model.Desk, s Slot, rng *rand.Rand, record func(Event)) error {
	rs, err := d.Requests(ctx, s.Requester)
	if err != nil {
		return err
	}
	var r model.Request
	for _, x := range rs {
		if x.Service == s.Service && x.HasRole(s.Role) && x.State == model.StateValidating {
			r = x
			break
		}
	}
	if r.ID == 0 {
		_, err := d.CreateRequest(ctx, s.Requester, model.NewRequest{Service: s.Service, Roles: []model.Role{s.Role}, To: string(s.To[rng.IntN(len(s.To))])})
		return refusalOK(err)
	}
	p := r.Parties[rng.IntN(len(r.Parties))].Handle
	token := func() (string, error) {
		ms, err := d.Mails(ctx, p)
		if err != nil {
			return "", err
		}
		for _, m := range ms {
			if m.RequestID == r.ID && m.Kind == model.MailConfirm {
				return m.Token, nil
			}
		}
		return "", nil
	}
	switch dice := rng.IntN(100); {
	case dice < 70:
		tok, err := token()
		if err != nil {
			return err
		}
		got, err := d.Accept(ctx, p, r.ID, tok)
		if err == nil {
			record(Event{Kind: EventAccepted, Request: r.ID, Party: p})
			if got.State == model.StateDone {
				record(Event{Kind: EventApplied, Request: r.ID})
			}
		}
		return refusalOK(err)
	case dice < 85:
		_, err := d.Resend(ctx, p, r.ID)
		return refusalOK(err)
	case dice < 90:
		tok, err := token()
		if err != nil {
			return err
		}
		_, err = d.Refuse(ctx, p, r.ID, tok)
		if err == nil {
			record(Event{Kind: EventRefused, Request: r.ID, Party: p})
		}
		return refusalOK(err)
	case dice < 93:
		_, err := d.Cancel(ctx, r.Requester, r.ID)
		return refusalOK(err)
	default:
		_, err := d.Request(ctx, p, r.ID)
		return refusalOK(err)
	}
}

func refusalOK(err error) error {
	if err == nil || model.IsRefusal(err) {
		return nil
	}
	return err
}

// CheckContention checks, after contenders stopped, that the store shows
// exactly what they were told: every answer they were told was recorded
// is recorded (and no other), and every request applied was applied
// once, by the acceptance that was told so, with one move per role.
// viewer must be a party to every request (the slots' requester).
func CheckContention(t *testing.T, d *model.Desk, viewer model.Handle, events []Event) {
	t.Helper()
	ctx := context.Background()
	type key struct {
		id int64
		h  model.Handle
	}
	answers := map[key][]string{}
	applied := map[int64]int{}
	for _, e := range events {
		switch e.Kind {
		case EventApplied:
			applied[e.Request]++
		default:
			answers[key{e.Request, e.Party}] = append(answers[key{e.Request, e.Party}], e.Kind)
		}
	}
	rs, err := d.Requests(ctx, viewer)
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	for _, r := range rs {
		for _, p := range r.Parties {
			told := answers[key{r.ID, p.Handle}]
			delete(answers, key{r.ID, p.Handle})
			switch {
			case len(told) > 1:
				t.Errorf("request #%d: %s was told %v: one token, one answer", r.ID, p.Handle, told)
			case len(told) == 0 && p.Answer != model.AnswerPending:
				t.Errorf("request #%d: %s %s, but no one was told so", r.ID, p.Handle, p.Answer)
			case len(told) == 1 && string(p.Answer) != told[0]:
				t.Errorf("request #%d: %s was told %s, the desk says %s: an answer was lost", r.ID, p.Handle, told[0], p.Answer)
			}
		}
		n := applied[r.ID]
		delete(applied, r.ID)
		if (r.State == model.StateDone) != (n == 1) || n > 1 {
			t.Errorf("request #%d is %s and was told applied %d times", r.ID, r.State, n)
		}
		if r.State != model.StateDone {
			continue
		}
		done++
		hs, err := d.History(ctx, viewer, model.HistoryFilter{RequestID: r.ID})
		if err != nil {
			t.Fatal(err)
		}
		dones, moves := 0, 0
		for _, h := range hs {
			switch h.Action {
			case model.ActRequestDone:
				dones++
			case model.ActContactChange:
				moves++
			}
		}
		if dones != 1 || moves != len(r.Roles) {
			t.Errorf("request #%d applied with %d done lines and %d moves for %d roles", r.ID, dones, moves, len(r.Roles))
		}
	}
	for k, told := range answers {
		t.Errorf("%s was told %v on request #%d, which the desk does not show", k.h, told, k.id)
	}
	for id := range applied {
		t.Errorf("request #%d was told applied but is not among the requests", id)
	}
	if done == 0 {
		t.Error("no request was applied: the contenders hardly contended")
	}
}

// testContention runs 16 users, 50 actions each, on the same four
// requests at once: no storage error (such as "database is locked")
// reaches any of them, no request is applied twice, no acceptance is
// lost.
func testContention(t *testing.T, open Opener) {
	f := New(t, open)
	slots := []Slot{
		{Requester: A, Service: Example, Role: model.Tech, To: []model.Handle{N, N2, M}},
		{Requester: A, Service: Multi, Role: model.Tech, To: []model.Handle{N, N2, X}},
		{Requester: A, Service: Self, Role: model.Billing, To: []model.Handle{N, B}},
		{Requester: A, Service: Owed, Role: model.Admin, To: []model.Handle{N2, M}},
	}
	const users, actions = 16, 50
	var mu sync.Mutex
	var events []Event
	record := func(e Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}
	errs := make(chan error, users)
	var wg sync.WaitGroup
	for u := 0; u < users; u++ {
		wg.Add(1)
		go func(u int) {
			defer wg.Done()
			if err := Contend(f.Ctx, f.Desk, slots, rand.New(rand.NewPCG(uint64(u), 16)), actions, record); err != nil {
				errs <- fmt.Errorf("user %d: %w", u, err)
			}
		}(u)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	kinds := map[string]int{}
	for _, e := range events {
		kinds[e.Kind]++
	}
	t.Logf("%d users × %d actions: %d acceptances, %d refusals, %d requests applied", users, actions, kinds[EventAccepted], kinds[EventRefused], kinds[EventApplied])
	CheckContention(t, f.Desk, A, events)
}
