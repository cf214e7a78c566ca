package modeltest

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"contactdesk/model"
)

// RunOutbox runs the suite of the SMTP outbox's rules (claims, hand-over,
// retries, giving up) on a fresh store from open.
func RunOutbox(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"QueuedWithTheMail", testOutboxQueued},
		{"ClaimIsALease", testOutboxLease},
		{"ClaimsNeverOverlap", testOutboxExclusive},
		{"ExpiredClaimIsNotHandedOver", testOutboxExpiredClaim},
		{"RetryAndGiveUp", testOutboxRetry},
		{"Outcomes", testOutboxOutcomes},
		{"InterruptedHandOver", testOutboxInterrupted},
		{"MessageDeferredAfterHandOver", testOutboxDeferredAfterHandOver},
		{"DeferredWhenDeliveryIsOff", testOutboxDeferredWhenOff},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// outboxDesk is the fixture with the desk of a process that delivers
// mail for real: as a run with --smtp does, it records in the desk that
// mail is delivered for real (mail-delivery smtp) before it writes.
func outboxDesk(t *testing.T, open Opener) (*Fixture, *model.Desk) {
	f := New(t, open)
	d := model.NewDesk(f.Store, model.Options{Clock: f.Clock})
	if _, err := d.UseRealDelivery(f.Ctx); err != nil {
		t.Fatal(err)
	}
	return f, d
}

func (f *Fixture) newestMail(d *model.Desk, h model.Handle) model.Mail {
	f.T.Helper()
	ms, err := d.Mails(f.Ctx, h)
	if err != nil || len(ms) == 0 {
		f.T.Fatalf("mails of %s: %d, %v", h, len(ms), err)
	}
	return ms[0]
}

func (f *Fixture) claim(d *model.Desk, lease time.Duration) []model.OutboxEntry {
	f.T.Helper()
	es, _, err := d.ClaimMails(f.Ctx, 100, lease)
	if err != nil {
		f.T.Fatal(err)
	}
	return es
}

func testOutboxQueued(t *testing.T, open Opener) {
	f, d := outboxDesk(t, open)
	if _, err := d.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N)}); err != nil {
		t.Fatal(err)
	}
	for _, h := range []model.Handle{A, T, N} {
		if m := f.newestMail(d, h); m.Delivery != model.DeliveryPending || m.DeliveryError != "" {
			t.Errorf("%s: delivery %q %q", h, m.Delivery, m.DeliveryError)
		}
	}
	// The desk's setting decides, not the process: one without an SMTP
	// server of its own queues its mails too.
	f.Create(A, Multi, N, model.Tech)
	if m := f.newestMail(f.Desk, N); m.Delivery != model.DeliveryPending {
		t.Errorf("another process's mail: delivery %q", m.Delivery)
	}
	es := f.claim(d, time.Minute)
	if len(es) != 6 {
		t.Fatalf("claimed %d, want the 6 queued", len(es))
	}
	for _, e := range es {
		if e.Mail.Token == "" || e.Mail.Address != string(e.Mail.To)+"@mail.example" || !e.Queued.Equal(Start) || e.Attempts != 1 {
			t.Errorf("entry %+v", e)
		}
	}
}

func testOutboxLease(t *testing.T, open Opener) {
	f, d := outboxDesk(t, open)
	d.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N)})
	if n := len(f.claim(d, time.Minute)); n != 3 {
		t.Fatalf("claimed %d", n)
	}
	if n := len(f.claim(d, time.Minute)); n != 0 {
		t.Fatalf("claimed %d again within the lease", n)
	}
	if m := f.newestMail(d, T); m.Delivery != model.DeliveryPending {
		t.Fatalf("claimed: %q", m.Delivery)
	}
	// The sender died: the lease runs out, and another takes them.
	f.Clock.Advance(time.Minute)
	es := f.claim(d, time.Minute)
	if len(es) != 3 || es[0].Attempts != 2 {
		t.Fatalf("after the lease: %d claimed, %+v", len(es), es)
	}
	// Given back untried: due at once, the attempt not counted.
	if err := d.ReleaseMails(f.Ctx, es); err != nil {
		t.Fatal(err)
	}
	es = f.claim(d, time.Minute)
	if len(es) != 3 || es[0].Attempts != 2 {
		t.Fatalf("after release: %d claimed, %+v", len(es), es)
	}
}

func testOutboxExclusive(t *testing.T, open Opener) {
	f, d := outboxDesk(t, open)
	for _, s := range []string{Example, Multi, Self} {
		if _, err := d.CreateRequest(f.Ctx, A, model.NewRequest{Service: s, Roles: []model.Role{model.Tech}, To: string(N)}); err != nil {
			t.Fatal(err)
		}
	}
	other := model.NewDesk(f.Store, model.Options{Clock: f.Clock}) // another process's sender
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for _, desk := range []*model.Desk{d, other, d, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				es, _, err := desk.ClaimMails(f.Ctx, 2, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if len(es) == 0 {
					return
				}
				mu.Lock()
				for _, e := range es {
					seen[e.Mail.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	total := 0
	for id, n := range seen {
		total += n
		if n != 1 {
			t.Errorf("mail #%d claimed %d times", id, n)
		}
	}
	// example.com: A, T, N; multi.net: A, M, N; self.pt: A (requester
	// and outgoing), N.
	if total != 8 {
		t.Fatalf("claimed %d mails, want the 8 queued", total)
	}
}

// testOutboxExpiredClaim: a sender whose try outlived its lease, the
// mail claimed since by another, can neither hand it over (the two would
// both send it) nor give it back (undoing the other's claim); the latest
// claim can.
func testOutboxExpiredClaim(t *testing.T, open Opener) {
	f, d := outboxDesk(t, open)
	d.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N)})
	first := f.claim(d, time.Minute)
	f.Clock.Advance(time.Minute)
	other := model.NewDesk(f.Store, model.Options{Clock: f.Clock}) // another node's sender
	second := f.claim(other, time.Minute)
	if len(first) != 3 || len(second) != 3 {
		t.Fatalf("claimed %d, then %d once the lease ran out", len(first), len(second))
	}
	late := first[0]
	if err := d.HandOver(f.Ctx, &late, time.Minute); !errors.Is(err, model.ErrClaimLost) {
		t.Fatalf("the hand-over of an expired claim, taken since by another: %v; want %v", err, model.ErrClaimLost)
	}
	if late.State != model.DeliveryPending {
		t.Errorf("the refused hand-over changed the entry to %s", late.State)
	}
	f.Store.View(f.Ctx, func(tx model.Tx) error {
		if m, err := tx.Mail(late.Mail.ID); err != nil || m.Token != late.Mail.Token || m.Body != late.Mail.Body {
			t.Errorf("after the refused hand-over, the stored mail is %+v, %v; want it as written", m, err)
		}
		return nil
	})
	if err := d.ReleaseMails(f.Ctx, first); err != nil {
		t.Fatal(err)
	}
	if n := len(f.claim(d, time.Minute)); n != 0 {
		t.Fatalf("%d mails claimed again: the expired claim's release undid the latest", n)
	}
	claimed := second[0]
	for i := range second {
		if err := other.HandOver(f.Ctx, &second[i], time.Minute); err != nil {
			t.Fatalf("the latest claim's hand-over: %v", err)
		}
	}
	// A claim hands its mail over once.
	if err := other.HandOver(f.Ctx, &claimed, time.Minute); !errors.Is(err, model.ErrClaimLost) {
		t.Errorf("a second hand-over of the same claim: %v; want %v", err, model.ErrClaimLost)
	}
}

func testOutboxRetry(t *testing.T, open Opener) {
	f, d := outboxDesk(t, open)
	d.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N)})
	b := model.Backoff{First: time.Minute, Max: 4 * time.Hour}
	var e model.OutboxEntry
	for _, c := range f.claim(d, time.Minute) {
		if c.Mail.To == T {
			e = c
		} else if _, err := d.Delivered(f.Ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	waits := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, want := range waits {
		r, err := d.Deferred(f.Ctx, e, "421 4.3.2 try later", b)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != model.DeliveryPending || !r.NextTry.Equal(f.Clock.Now().Add(want)) {
			t.Fatalf("try %d: %s due %s, want in %s", i+1, r.State, r.NextTry, want)
		}
		if m := f.newestMail(d, T); m.Delivery != model.DeliveryPending || m.DeliveryError != "421 4.3.2 try later" {
			t.Fatalf("mail: %q %q", m.Delivery, m.DeliveryError)
		}
		if n := len(f.claim(d, time.Minute)); n != 0 {
			t.Fatalf("due before its backoff: %d", n)
		}
		f.Clock.Advance(want)
		es := f.claim(d, time.Minute)
		if len(es) != 1 || es[0].Attempts != i+2 {
			t.Fatalf("after the backoff: %+v", es)
		}
		e = es[0]
	}
	// Near the deadline, the last try is at the deadline itself.
	f.Clock.Advance(Start.Add(model.DeliveryGiveUp - time.Minute).Sub(f.Clock.Now()))
	r, err := d.Deferred(f.Ctx, e, "421 again", b)
	if err != nil || !r.NextTry.Equal(Start.Add(model.DeliveryGiveUp)) {
		t.Fatalf("last try at %s (%v), want the deadline", r.NextTry, err)
	}
	f.Clock.Advance(Start.Add(model.DeliveryGiveUp).Sub(f.Clock.Now()))
	es := f.claim(d, time.Minute)
	if len(es) != 1 {
		t.Fatalf("the last try: %d claimed", len(es))
	}
	r, err = d.Deferred(f.Ctx, es[0], "421 still", b)
	if err != nil || r.State != model.DeliveryFailed {
		t.Fatalf("after 24 h: %s (%v)", r.State, err)
	}
	m := f.newestMail(d, T)
	if m.Delivery != model.DeliveryFailed || !strings.Contains(m.DeliveryError, "24 hours") || !strings.Contains(m.DeliveryError, "421 still") {
		t.Fatalf("given up: %q %q", m.Delivery, m.DeliveryError)
	}
	f.Clock.Advance(48 * time.Hour)
	if n := len(f.claim(d, time.Minute)); n != 0 {
		t.Fatalf("a failed mail claimed: %d", n)
	}
}

func testOutboxOutcomes(t *testing.T, open Opener) {
	f, d := outboxDesk(t, open)
	d.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N)})
	changes, stop := d.Subscribe(T)
	defer stop()
	for _, e := range f.claim(d, time.Minute) {
		var err error
		if e.Mail.To == T {
			_, err = d.Undeliverable(f.Ctx, e, "550 5.1.1 no such user")
		} else {
			_, err = d.Delivered(f.Ctx, e)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-changes:
	default:
		t.Error("the owner's screens were not told")
	}
	if m := f.newestMail(d, T); m.Delivery != model.DeliveryFailed || m.DeliveryError != "550 5.1.1 no such user" {
		t.Errorf("refused: %q %q", m.Delivery, m.DeliveryError)
	}
	for _, h := range []model.Handle{A, N} {
		if m := f.newestMail(d, h); m.Delivery != model.DeliverySent || m.DeliveryError != "" {
			t.Errorf("%s: %q %q", h, m.Delivery, m.DeliveryError)
		}
	}
	f.Clock.Advance(48 * time.Hour)
	if n := len(f.claim(d, time.Minute)); n != 0 {
		t.Fatalf("%d finished mails claimed", n)
	}
}

func testOutboxInterrupted(t *testing.T, open Opener) {
	f, d := outboxDesk(t, open)
	d.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N)})
	es := f.claim(d, time.Hour)
	e := es[0]
	if err := d.HandOver(f.Ctx, &e, 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	if m := f.newestMail(d, e.Mail.To); m.Delivery != model.DeliveryPending {
		t.Fatalf("while handed over the mail reads %q", m.Delivery)
	}
	if err := d.ReleaseMails(f.Ctx, es[1:]); err != nil {
		t.Fatal(err)
	}
	if n := len(f.claim(d, time.Hour)); n != 2 {
		t.Fatalf("claimed %d: the handed-over mail must wait for its answer", n)
	}
	// No answer recorded in time: the sender died after the hand-over.
	// The claim that finds it says so, for its sender to tell (the one
	// that died never can): the mail is given up.
	f.Clock.Advance(10 * time.Minute)
	got, interrupted, err := d.ClaimMails(f.Ctx, 100, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("a mail the server may have was claimed again: %+v", got)
	}
	if len(interrupted) != 1 || interrupted[0].Mail.ID != e.Mail.ID || interrupted[0].State != model.DeliveryFailed ||
		interrupted[0].LastError != model.InterruptedAnswer || interrupted[0].Attempts != 1 || interrupted[0].Mail.Address == "" {
		t.Fatalf("the claim that found the interrupted mail #%d returned %+v as interrupted", e.Mail.ID, interrupted)
	}
	if _, again, err := d.ClaimMails(f.Ctx, 100, time.Hour); err != nil || len(again) != 0 {
		t.Fatalf("the interrupted mail is reported again: %+v, %v", again, err)
	}
	m := f.newestMail(d, e.Mail.To)
	if m.Delivery != model.DeliveryFailed || m.DeliveryError != model.InterruptedAnswer {
		t.Fatalf("interrupted: %q %q", m.Delivery, m.DeliveryError)
	}
}

// testOutboxDeferredAfterHandOver: a 4xx to the final "." comes after the
// hand-over, which made the stored copy forget the token; the server did
// not take the message, so the mail is put back as written, token and
// all, and the next try sends it whole.
func testOutboxDeferredAfterHandOver(t *testing.T, open Opener) {
	f, d := outboxDesk(t, open)
	d.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N)})
	var e model.OutboxEntry
	for _, c := range f.claim(d, time.Minute) {
		if c.Mail.To == N {
			e = c
		}
	}
	written := e.Mail
	if err := d.HandOver(f.Ctx, &e, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Deferred(f.Ctx, e, "451 4.7.1 greylisted", model.DefaultBackoff); err != nil {
		t.Fatal(err)
	}
	f.Store.View(f.Ctx, func(tx model.Tx) error {
		m, err := tx.Mail(written.ID)
		if err != nil || m.Token != written.Token || m.Body != written.Body || m.Link != written.Link {
			t.Errorf("after a 4xx to the message, the stored mail is %+v, %v; want it as written", m, err)
		}
		return nil
	})
	if m := f.newestMail(d, N); m.Delivery != model.DeliveryPending || m.Token != "" || !strings.Contains(m.Body, "(queued for") {
		t.Errorf("the mailbox shows %+v", m)
	}
	f.Clock.Advance(time.Hour)
	found := false
	for _, c := range f.claim(d, time.Minute) {
		if c.Mail.ID == written.ID {
			found = true
			if c.Mail.Body != written.Body || c.Mail.Token != written.Token {
				t.Errorf("the next try sends %+v", c.Mail)
			}
		}
	}
	if !found {
		t.Errorf("the mail is not tried again")
	}
}

// testOutboxDeferredWhenOff: mail-delivery set to none while mails are
// claimed (one handed over, whose server then answers 4xx, one never
// tried, given back by a stopping sender): neither goes back in the
// queue, to be sent when delivery is on again, long after. Each is taken
// out of the outbox, and its recipient reads it in the simulated
// mailbox, token and all, as every unsent mail when the setting changed.
func testOutboxDeferredWhenOff(t *testing.T, open Opener) {
	f, d := outboxDesk(t, open)
	d.CreateRequest(f.Ctx, A, model.NewRequest{Service: Example, Roles: []model.Role{model.Tech}, To: string(N)})
	var tried model.OutboxEntry
	var given []model.OutboxEntry
	for _, c := range f.claim(d, time.Minute) {
		if c.Mail.To == N {
			tried = c
		} else {
			given = append(given, c)
		}
	}
	if tried.Mail.ID == 0 || len(given) == 0 {
		t.Fatalf("claimed %+v and %d more", tried, len(given))
	}
	written := tried.Mail
	if err := d.HandOver(f.Ctx, &tried, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetSetting(f.Ctx, model.SettingMailDelivery, model.DeliveryNone); err != nil {
		t.Fatal(err)
	}
	r, err := d.Deferred(f.Ctx, tried, "451 4.7.1 greylisted", model.DefaultBackoff)
	if err != nil || r.State != model.DeliveryWithdrawn {
		t.Fatalf("a 4xx under mail-delivery none: %s, %v; want %s", r.State, err, model.DeliveryWithdrawn)
	}
	// Claimed but not handed over when the setting changed: taken out
	// then, not to be handed over now.
	unsent := given[0]
	if err := d.HandOver(f.Ctx, &unsent, time.Minute); !errors.Is(err, model.ErrWithdrawn) {
		t.Errorf("a mail withdrawn since its claim is handed over: %v; want %v", err, model.ErrWithdrawn)
	}
	if err := d.ReleaseMails(f.Ctx, given); err != nil {
		t.Fatal(err)
	}
	for _, e := range append(given, tried) {
		ms, err := d.Mails(f.Ctx, e.Mail.To)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.ID == e.Mail.ID && (m.Delivery != "" || m.Token != e.Mail.Token || m.TokenWithheld) {
				t.Errorf("%s reads mail #%d as delivery %q, token %q (withheld %v); want it in the simulated mailbox with its token", m.To, m.ID, m.Delivery, m.Token, m.TokenWithheld)
			}
		}
	}
	if _, err := d.UseRealDelivery(f.Ctx); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(time.Hour)
	for _, c := range f.claim(d, time.Minute) {
		if c.Mail.ID == written.ID || c.Mail.ID == given[0].Mail.ID {
			t.Errorf("mail #%d, withdrawn under none, is sent once delivery is on again", c.Mail.ID)
		}
	}
}
