package model

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"contactdesk/locale"
)

// The rules of real (SMTP) delivery. The desk decides which mails are due,
// who sends them, when a failed try is tried again and when it is given
// up; the delivery package only talks to the server and reports here.
//
// An outbox entry goes through these steps:
//
//   - pending: queued with its mail, due at once; or waiting for a retry.
//   - claimed (ClaimMails): still pending, but due again only when a lease
//     runs out, one more attempt counted. If the server cannot be reached
//     or answers 4xx, pending again after a backoff (Deferred); 5xx,
//     failed (Undeliverable).
//   - sending (HandOver): the whole message is written and only its final
//     "." is left to send. Then 250 makes it sent (Delivered), 4xx and 5xx
//     as above.
//   - a crash, or an answer lost, while sending: failed, and never sent
//     again (see ClaimMails).
//   - still deferred 24 hours after it was queued: failed.
//
// A claim is a lease rather than a state so that a sender that dies before
// handing the message over loses nothing: the entry is pending, and due
// again when the lease runs out.

// DeliveryGiveUp is how long the outbox keeps trying a mail that the
// server does not take (unreachable, or answering 4xx) before marking it
// failed.
const DeliveryGiveUp = 24 * time.Hour

// Backoff says how long the outbox waits before trying a mail again.
type Backoff struct {
	First time.Duration // after the first failed try
	Max   time.Duration // the wait doubles up to this
}

// DefaultBackoff is 30 s, 1 min, 2 min… up to an hour between tries.
var DefaultBackoff = Backoff{First: 30 * time.Second, Max: time.Hour}

// After returns the wait after the given number of tries (1 or more).
func (b Backoff) After(attempts int) time.Duration {
	if b.First <= 0 {
		b = DefaultBackoff
	}
	if b.Max < b.First {
		b.Max = b.First
	}
	d := b.First
	for i := 1; i < attempts && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// InterruptedAnswer is the delivery error of a mail whose sender stopped
// after handing it to the server and before recording the answer.
const InterruptedAnswer = "interrupted while the server was taking the message: it may have been delivered, so it is not sent again (if it did not arrive, resend it)"

// ClaimMails takes up to limit mails due for delivery at the desk's time,
// for this sender alone: in one write transaction each becomes due again
// only after lease, so no other sender (in this process or another one)
// takes it meanwhile. A sender that dies holding a claim loses nothing:
// the mail is still pending, and due when the lease runs out.
//
// An entry found in state sending was being handed to the server when its
// sender stopped (a crash, a lost connection), after the whole message was
// written and before the server's answer was recorded. The server may have
// accepted it, and a mail is never sent twice, so it is marked failed with
// InterruptedAnswer instead of being sent again: the party sees it in the
// mailbox and can resend, which issues a fresh token. The window is the
// server's answer to the final "." and one small write; a message-ID that
// stays the same for the entry lets receivers drop a copy as well. Those
// entries are returned as interrupted, in their new state, so that the
// sender that found them says so (its log, its count of mails given up)
// as it does for any mail given up: the sender that stopped never can.
func (d *Desk) ClaimMails(ctx context.Context, limit int, lease time.Duration) (claimed, interrupted []OutboxEntry, err error) {
	now := d.clock.Now()
	// Most rounds find nothing; a read does not take the write lock.
	var due bool
	if err := d.store.View(ctx, func(tx Tx) error {
		es, err := tx.DueMails(now, 1)
		due = len(es) > 0
		return err
	}); err != nil || !due {
		return nil, nil, storageErr(err)
	}
	var touched []Handle
	start := time.Now()
	err = d.store.Update(ctx, func(tx Tx) error {
		claimed, interrupted, touched = nil, nil, nil
		for len(claimed) == 0 {
			es, err := tx.DueMails(now, limit)
			if err != nil || len(es) == 0 {
				return err
			}
			for _, e := range es {
				if e.State == DeliverySending {
					e.State, e.Updated, e.LastError = DeliveryFailed, now, InterruptedAnswer
					interrupted = append(interrupted, e)
					touched = append(touched, e.Mail.To)
				} else {
					e.State, e.Attempts, e.NextTry, e.Updated = DeliveryPending, e.Attempts+1, now.Add(lease), now
					claimed = append(claimed, e)
				}
				if err := tx.SetDelivery(e); err != nil {
					return err
				}
			}
		}
		announceTo(tx, touched...)
		return nil
	})
	d.observed(ActOutboxClaim, start, err)
	if err != nil {
		return nil, nil, storageErr(err)
	}
	d.published(touched...)
	return claimed, interrupted, nil
}

// DueMails lists, without claiming them, up to limit mails due for
// delivery now, as a stopping sender leaves them untried.
func (d *Desk) DueMails(ctx context.Context, limit int) ([]OutboxEntry, error) {
	var due []OutboxEntry
	err := d.store.View(ctx, func(tx Tx) error {
		es, err := tx.DueMails(d.clock.Now(), limit)
		due = slices.DeleteFunc(es, func(e OutboxEntry) bool { return e.State != DeliveryPending })
		return err
	})
	return due, storageErr(err)
}

// ReleaseMails gives back claimed mails that were not tried (the sender
// is stopping): due at once, the attempt not counted; or, when the desk
// no longer delivers for real, out of the outbox (see withdrawIfOff). A
// mail whose entry is no longer as its claim left it (the lease ran out
// and another sender took it, or it was taken out of the outbox) is not
// this sender's to give back, and is left as it is.
func (d *Desk) ReleaseMails(ctx context.Context, es []OutboxEntry) error {
	if len(es) == 0 {
		return nil
	}
	now, start := d.clock.Now(), time.Now()
	err := d.store.Update(ctx, func(tx Tx) error {
		var tos []Handle
		for _, e := range es {
			r := e
			r.State, r.Attempts, r.NextTry, r.Updated = DeliveryPending, max(e.Attempts-1, 0), now, now
			if err := tx.SetDeliveryIf(r, e); err != nil && !errors.Is(err, ErrNoRow) {
				return err
			}
			tos = append(tos, e.Mail.To)
		}
		_, hs, err := withdrawIfOff(tx)
		announceTo(tx, append(tos, hs...)...)
		return err
	})
	d.observed(ActOutboxRelease, start, err)
	return storageErr(err)
}

// HandOver records, before the final "." of the message is sent, that the
// server may have the mail from now on: if nothing else is recorded
// within wait, the mail is taken as interrupted (see ClaimMails). The
// sender must not finish the message unless this succeeded. A mail that
// mail-delivery none took out of the outbox since it was claimed is not
// handed over: ErrWithdrawn. Nor is one whose entry is no longer as the
// claim left it, which another sender claimed once the lease ran out:
// ErrClaimLost. That check, in the same write, is what keeps a mail from
// being sent twice when a sender outlives its lease (a slow server, a
// stalled database): of two senders holding claims on one mail, only the
// latest can hand it over.
func (d *Desk) HandOver(ctx context.Context, e *OutboxEntry, wait time.Duration) error {
	now := d.clock.Now()
	next := *e
	next.State, next.NextTry, next.Updated = DeliverySending, now.Add(wait), now
	start := time.Now()
	withdrawn, lost := false, false
	err := d.store.Update(ctx, func(tx Tx) error {
		withdrawn, lost = false, false // a write tried again starts anew
		if err := tx.SetDeliveryIf(next, *e); err != nil {
			withdrawn, err = withdrawnAlready(tx, err)
			if errors.Is(err, ErrNoRow) {
				lost = true
				return nil
			}
			return err
		}
		// From here on the token is the recipient's: the desk forgets
		// it in the same write, so that no moment leaves it both in
		// the recipient's inbox and readable here.
		announceTo(tx, e.Mail.To)
		return redact(tx, e.Mail, DeliverySent)
	})
	d.observed(ActOutboxHandOver, start, err)
	if err != nil {
		return storageErr(err)
	}
	if withdrawn {
		return ErrWithdrawn
	}
	if lost {
		return ErrClaimLost
	}
	*e = next
	return nil
}

// Delivered records that the server accepted the mail.
func (d *Desk) Delivered(ctx context.Context, e OutboxEntry) (OutboxEntry, error) {
	was := e
	e.State, e.Updated, e.LastError = DeliverySent, d.clock.Now(), ""
	return d.recordDelivery(ctx, e, was, false)
}

// Undeliverable records that the server refused the mail for good (5xx),
// with its answer.
func (d *Desk) Undeliverable(ctx context.Context, e OutboxEntry, answer string) (OutboxEntry, error) {
	was := e
	e.State, e.Updated, e.LastError = DeliveryFailed, d.clock.Now(), answer
	return d.recordDelivery(ctx, e, was, false)
}

// Deferred records a try that may work later (the server unreachable, or
// answering 4xx): the mail is due again after the backoff, or marked
// failed once DeliveryGiveUp has passed since it was queued. The last
// try is made at the deadline.
//
// A 4xx to the final "." comes after the hand-over (e in state sending),
// which made the stored copy forget the token: the server did not take
// the message, so the same write puts the mail back as it was written
// (e.Mail, as claimed), for the next try to send it whole.
//
// When the desk no longer delivers for real (mail-delivery none, set
// since the mail was claimed), a mail due again is taken out of the
// outbox instead, token and all, and the state returned is
// DeliveryWithdrawn (see withdrawIfOff).
func (d *Desk) Deferred(ctx context.Context, e OutboxEntry, answer string, b Backoff) (OutboxEntry, error) {
	now := d.clock.Now()
	was := e
	handedOver := e.State == DeliverySending
	deadline := e.Queued.Add(DeliveryGiveUp)
	e.Updated, e.LastError = now, answer
	if !now.Before(deadline) {
		e.State = DeliveryFailed
		e.LastError = fmt.Sprintf("not delivered within %d hours; the last try: %s", int(DeliveryGiveUp.Hours()), answer)
	} else {
		e.State = DeliveryPending
		e.NextTry = now.Add(b.After(e.Attempts))
		if e.NextTry.After(deadline) {
			e.NextTry = deadline
		}
	}
	return d.recordDelivery(ctx, e, was, handedOver && e.State == DeliveryPending && e.Mail.Token != "")
}

// recordDelivery records e, an outcome of the try of entry was (as its
// sender claimed it, or handed it over); restore puts its mail back as
// written. Like HandOver, it writes only while the stored entry is still
// was: a try that outlived its lease, the mail claimed and sent since by
// another sender, must not put it back in the queue (a 4xx), nor mark it
// failed (a 5xx) or sent; it gets ErrClaimLost and records nothing.
func (d *Desk) recordDelivery(ctx context.Context, e, was OutboxEntry, restore bool) (OutboxEntry, error) {
	start := time.Now()
	withdrawn, lost := false, false
	err := d.store.Update(ctx, func(tx Tx) error {
		withdrawn, lost = false, false // a write tried again starts anew
		announceTo(tx, e.Mail.To)
		var err error
		if err = tx.SetDeliveryIf(e, was); err != nil {
			withdrawn, err = withdrawnAlready(tx, err)
			if errors.Is(err, ErrNoRow) {
				lost = true
				return nil
			}
			return err
		}
		if restore {
			if err := tx.RestoreMail(e.Mail); err != nil {
				return err
			}
		}
		if e.State == DeliveryPending {
			var hs []Handle
			withdrawn, hs, err = withdrawIfOff(tx)
			announceTo(tx, append(hs, e.Mail.To)...)
			return err
		}
		if e.State == DeliveryFailed {
			// Nobody will receive this token: the desk need not keep it
			// either (the party resends for a fresh one).
			return redact(tx, e.Mail, DeliveryFailed)
		}
		return nil
	})
	d.observed(ActOutboxRecord, start, err)
	if err != nil {
		return e, storageErr(err)
	}
	if lost {
		return was, ErrClaimLost
	}
	if withdrawn {
		e.State = DeliveryWithdrawn
	}
	d.published(e.Mail.To)
	return e, nil
}

// withdrawIfOff takes the mails just put back in the queue (a try to do
// again, mails a sender gives back) out of the outbox when the desk no
// longer delivers for real: mail-delivery none took the unsent mails out
// when it was set (setSetting), and one that comes back from a try
// meanwhile goes the same way. Its token shows in the simulated mailbox
// again (the stored copy holds it: a 4xx after the hand-over restores
// it), rather than waiting in the queue, hidden, to be sent long after,
// its token replaced or its request ended, when delivery is on again.
// It returns the recipients of the mails it took out.
func withdrawIfOff(tx Tx) (bool, []Handle, error) {
	set, err := tx.Settings()
	if err != nil || set.RealDelivery() {
		return false, nil, err
	}
	hs, err := tx.WithdrawPending()
	return err == nil, hs, err
}

// announceTo tells the store's other nodes, when it has any (Announcer),
// that the write changed only what the screens of hs show (none: nothing
// a screen shows, such as a mail's claim by a sender).
func announceTo(tx Tx, hs ...Handle) {
	if a, ok := tx.(Announcer); ok {
		a.Announce(hs)
	}
}

// withdrawnAlready reads err, a failure to record a mail's delivery:
// when its entry is gone from the outbox and the desk no longer delivers
// for real, mail-delivery none took it out, claimed but not yet handed
// over, with its token (see setSetting): there is nothing left to
// record, and the mail is the simulated mailbox's.
func withdrawnAlready(tx Tx, err error) (bool, error) {
	if !errors.Is(err, ErrNoRow) {
		return false, err
	}
	set, serr := tx.Settings()
	if serr != nil {
		return false, serr
	}
	if set.RealDelivery() {
		return false, err
	}
	return true, nil
}

// redact stores m without its token (see withheld), when it has one:
// where the token was, the body says, in the recipient's language, what
// became of it: mailed to the address (state DeliverySent, at the
// hand-over), or not delivered there (DeliveryFailed). m is the mail as
// it was claimed, token and all: a failure after the hand-over writes
// its note over the original, not over the "mailed to" of the hand-over.
func redact(tx Tx, m Mail, state string) error {
	if m.Token == "" {
		return nil
	}
	l, err := recipientLang(tx, m.To)
	if err != nil {
		return err
	}
	m.Delivery = state
	r := withheld(m, l)
	return tx.RedactMail(m.ID, r.Body, r.Link)
}

// recipientLang is the language h's mails are written in.
func recipientLang(tx Tx, h Handle) (*locale.Localizer, error) {
	a, err := tx.Account(h)
	if errors.Is(err, ErrNoRow) {
		return locale.For(DefaultLang), nil
	}
	if err != nil {
		return nil, err
	}
	return locale.For(a.Lang), nil
}

// published tells the screens of hs that a mail's delivery changed. It
// does not run the OnCommit hooks: they wake the sender, which is the one
// writing here.
func (d *Desk) published(hs ...Handle) {
	if len(hs) > 0 {
		d.broker.Publish(Change{Handles: hs})
	}
}
