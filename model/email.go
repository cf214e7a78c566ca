package model

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"contactdesk/locale"
)

// A change of e-mail address is used only once its owner proves it: a
// personal token is mailed to the new address, and the change is made
// when that token comes back (the provider's API has the same
// emailChange tasks). Until then mail keeps going to the old address, so
// nobody can point an account's mail at someone else's inbox.

// States of a change of e-mail address.
const (
	EmailPending   = "pending"
	EmailConfirmed = "confirmed"
	EmailReplaced  = "replaced" // a newer change was asked for
	EmailRefused   = "refused"  // the new address's reader said no
	// EmailExpired is a pending change past its expiry, as read (see
	// EmailChange.StateAt); it is never stored.
	EmailExpired = "expired"
)

// Limits on changes of address: each mails a stranger's inbox (the new
// address is the asker's choice), so, as with resends, three an hour.
const MaxEmailChanges = 3

// EmailChange is an account's request to use a new e-mail address.
type EmailChange struct {
	ID      int64
	Handle  Handle
	Email   string    // the new address
	Hash    TokenHash // of the token mailed to it
	State   string
	Created time.Time
	Expires time.Time
	Ended   time.Time
}

// emailScope is the scope of the tokens of h's changes of address for
// throttling: request 0, which no request has.
var emailScope = scope{name: locale.M("word.scope.email")}

// AskEmailChange stores actor's wish to use a new e-mail address and
// mails a personal token to that address; ConfirmEmail with that token
// makes the change. A change asked for before and not yet confirmed is
// replaced (its token stops working).
func (d *Desk) AskEmailChange(ctx context.Context, actor Handle, email string) (EmailChange, error) {
	return write(ctx, d, ActEmailAsk, func(tx Tx, w *work) (EmailChange, error) {
		email, err := CheckEmail("email", email)
		if err != nil {
			return EmailChange{}, err
		}
		a, err := actorAccount(tx, actor)
		if err != nil {
			return EmailChange{}, err
		}
		if strings.EqualFold(email, a.Email) {
			return EmailChange{}, fail(ErrInvalid, "email", "err.email.same", locale.Args{"Email": email})
		}
		recent, err := tx.RecentEmailChanges(actor, MaxEmailChanges)
		if err != nil {
			return EmailChange{}, err
		}
		if next, over := overLimit(recent, MaxEmailChanges, ResendWindow, w.now); over {
			return EmailChange{}, retryAt(fail(ErrMailLimit, "email", "err.limit.email",
				locale.Args{"N": MaxEmailChanges, "Window": locale.Duration(ResendWindow), "At": clockTime(next), "In": roundUp(next.Sub(w.now))}), next)
		}
		if old, err := tx.PendingEmailChange(actor); err == nil {
			if err := tx.EndEmailChange(old.ID, EmailReplaced, w.now); err != nil {
				return EmailChange{}, err
			}
		} else if !errors.Is(err, ErrNoRow) {
			return EmailChange{}, err
		}
		tok, hash := NewToken()
		c := EmailChange{Handle: actor, Email: email, Hash: hash, State: EmailPending, Created: w.now, Expires: w.now.Add(d.validity)}
		if err := tx.InsertEmailChange(&c); err != nil {
			return EmailChange{}, err
		}
		set, err := w.settingsOf(tx)
		if err != nil {
			return EmailChange{}, err
		}
		link := ""
		if u := set.PublicURL(); u != "" {
			link = EmailWebLink(u, c.ID, tok)
		}
		write := func(l *locale.Localizer) (string, string) {
			var b strings.Builder
			b.WriteString(l.T("mail.email.asked", locale.Args{"Handle": actor, "Email": email}) + "\n\n")
			fmt.Fprintf(&b, "%s\n\n    %s\n\n", l.T("mail.email.token"), tok)
			b.WriteString(l.T("mail.email.where") + "\n\n")
			if link != "" {
				fmt.Fprintf(&b, "%s\n\n    %s\n\n", l.T("mail.email.page"), link)
			}
			b.WriteString(l.T("mail.email.unexpected", locale.Args{"Expires": locale.Spelled(c.Expires)}) + "\n")
			return l.T("mail.email.subject"), b.String()
		}
		if _, err := d.sendTo(tx, w, actor, email, Mail{Token: tok, Link: link, Kind: MailEmailConfirm}, write); err != nil {
			return EmailChange{}, err
		}
		w.touch(actor)
		return c, d.record(tx, w, actor, ActEmailAsk, 0, 0, fmt.Sprintf("asked to use %s; a token was mailed to it", email))
	})
}

// ConfirmEmail makes actor's pending change of address with the token
// mailed to the new address. Wrong tokens are counted and throttled as
// a request's are.
func (d *Desk) ConfirmEmail(ctx context.Context, actor Handle, token string) (Account, error) {
	return d.answerEmail(ctx, actor, token, true)
}

// RefuseEmail ends actor's pending change of address with the token
// mailed to the new address: whoever reads that inbox says the change
// is not theirs (or is no longer wanted). The account keeps its address
// and is told there. Wrong tokens are counted as ConfirmEmail's are.
func (d *Desk) RefuseEmail(ctx context.Context, actor Handle, token string) (Account, error) {
	return d.answerEmail(ctx, actor, token, false)
}

// answerEmail confirms (or refuses) actor's pending change of address
// with token.
func (d *Desk) answerEmail(ctx context.Context, actor Handle, token string, confirm bool) (Account, error) {
	action := ActEmail
	if !confirm {
		action = ActEmailRefuse
	}
	return write(ctx, d, action, func(tx Tx, w *work) (Account, error) {
		a, err := actorAccount(tx, actor)
		if err != nil {
			return Account{}, err
		}
		c, err := pendingEmailChange(tx, actor, w.now)
		if errors.Is(err, ErrNotFound) {
			// No change waits for a token: the token of one that has
			// ended (confirmed, refused, replaced, expired) is told what
			// became of it, as its link's page and the API tell it; any
			// other, that nothing waits.
			if norm, ok := NormalizeToken(token); ok {
				if closed, err := earlierChange(tx, actor, HashToken(norm), w.now); closed != nil || err != nil {
					return Account{}, cmp.Or(err, closed)
				}
			}
		}
		if err != nil {
			return Account{}, err
		}
		if err := throttle(tx, actor, emailScope, w.now); err != nil {
			return Account{}, err
		}
		var refusal error
		if norm, ok := NormalizeToken(token); !ok {
			// what can't be a token (a slip: a word, a "-") is no
			// guess, and spends no try, as for a request's token
			return Account{}, fail(ErrWrongToken, "token", "err.email.token_shape", locale.Args{"Email": c.Email})
		} else if h := HashToken(norm); !h.Equal(c.Hash) {
			// The token of an earlier change (confirmed, refused,
			// replaced: a mail kept in the mailbox) is no guess: it is
			// told what became of that change, and costs no try.
			if closed, err := earlierChange(tx, actor, h, w.now); closed != nil || err != nil {
				return Account{}, cmp.Or(err, closed)
			}
			refusal = fail(ErrWrongToken, "token", "err.email.token_wrong", locale.Args{"Email": c.Email})
		}
		if refusal != nil {
			w.onRefusal = func(tx Tx, told *work) error { return countFailure(tx, w, told, actor, emailScope) }
			return Account{}, failureNote(tx, actor, emailScope, w.now, refusal)
		}
		if !confirm {
			return a, d.refuseEmail(tx, w, a, c)
		}
		if err := tx.SetEmail(actor, c.Email); err != nil {
			return Account{}, err
		}
		if err := tx.EndEmailChange(c.ID, EmailConfirmed, w.now); err != nil {
			return Account{}, err
		}
		old := a.Email
		write := func(l *locale.Localizer) (string, string) {
			return l.T("mail.email.changed_subject"), l.T("mail.email.changed", locale.Args{"Handle": actor, "Email": c.Email}) + "\n"
		}
		if _, err := d.sendTo(tx, w, actor, old, Mail{Kind: MailEmailChanged}, write); err != nil {
			return Account{}, err
		}
		a.Email = c.Email
		w.touch(actor)
		return a, d.record(tx, w, actor, ActEmail, 0, 0, fmt.Sprintf("e-mail address changed from %s to %s (confirmed)", old, c.Email))
	})
}

// refuseEmail ends change c of a's address as refused, and tells a at
// the address it keeps.
func (d *Desk) refuseEmail(tx Tx, w *work, a Account, c EmailChange) error {
	if err := tx.EndEmailChange(c.ID, EmailRefused, w.now); err != nil {
		return err
	}
	write := func(l *locale.Localizer) (string, string) {
		return l.T("mail.email.refused_subject"), l.T("mail.email.refused", locale.Args{"Handle": a.Handle, "Email": c.Email, "Old": a.Email}) + "\n"
	}
	if _, err := d.send(tx, w, a.Handle, Mail{Kind: MailEmailChanged}, write); err != nil {
		return err
	}
	w.touch(a.Handle)
	return d.record(tx, w, a.Handle, ActEmailRefuse, 0, 0, fmt.Sprintf("change of e-mail address to %s refused with its token", c.Email))
}

// EmailLink is a change of address as the page of its mail's link
// shows it.
type EmailLink struct {
	Change EmailChange // without its hash
	// Closed says why the token can no longer answer (*Error): the
	// change was confirmed, refused, replaced by a newer one or has
	// expired; nil when it can.
	Closed error
}

// FindEmailChange returns change id of an address when token is the one
// mailed for it, reading only: opening a link changes nothing. As with
// FindTokenHolder, a wrong token is refused with ErrWrongToken whether
// or not the change exists, and is counted nowhere: the caller
// throttles guesses itself, so that nobody can pause an account's tries
// without holding its token.
func (d *Desk) FindEmailChange(ctx context.Context, id int64, token string) (EmailLink, error) {
	var el EmailLink
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		c, err := tx.EmailChange(id)
		if err != nil && !errors.Is(err, ErrNoRow) {
			return err
		}
		norm, ok := NormalizeToken(token)
		if !ok {
			return fail(ErrWrongToken, "token", "err.email.link_shape")
		}
		if !HashToken(norm).Equal(c.Hash) || c.ID == 0 {
			return fail(ErrWrongToken, "token", "err.email.link_wrong")
		}
		el = linkOfChange(c, now)
		return nil
	})
	return el, err
}

// earlierChange returns why the token whose hash is h can no longer
// answer, when it is the token of one of h's changes that has ended;
// nil when it is none of them.
func earlierChange(tx Tx, actor Handle, h TokenHash, now time.Time) (error, error) {
	cs, err := tx.EmailChangesOf(actor)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.StateAt(now) != EmailPending && h.Equal(c.Hash) {
			return linkOfChange(c, now).Closed, nil
		}
	}
	return nil, nil
}

// linkOfChange is change c without its hash, and why its token can no
// longer answer at now, if it can't.
func linkOfChange(c EmailChange, now time.Time) EmailLink {
	c.Hash = TokenHash{}
	el := EmailLink{Change: c}
	args := locale.Args{"Email": c.Email, "Handle": c.Handle}
	switch c.StateAt(now) {
	case EmailConfirmed:
		el.Closed = fail(ErrTokenUsed, "token", "err.email.link_confirmed", args)
	case EmailRefused:
		el.Closed = fail(ErrAlreadyAnswered, "token", "err.email.link_refused", args)
	case EmailReplaced:
		el.Closed = fail(ErrTokenReplaced, "token", "err.email.link_replaced", args)
	case EmailExpired:
		args["Expires"] = locale.Stamp(c.Expires)
		el.Closed = fail(ErrEnded, "token", "err.email.link_expired", args)
	}
	return el
}

// StateAt is the state of c at now: a change still pending past its
// expiry is EmailExpired (stored as pending: nothing writes expiries).
func (c EmailChange) StateAt(now time.Time) string {
	if c.State == EmailPending && !now.Before(c.Expires) {
		return EmailExpired
	}
	return c.State
}

// EmailChanges returns actor's changes of address, newest first,
// without their hashes.
func (d *Desk) EmailChanges(ctx context.Context, actor Handle) ([]EmailChange, error) {
	var cs []EmailChange
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		if _, err := actorAccount(tx, actor); err != nil {
			return err
		}
		var err error
		if cs, err = tx.EmailChangesOf(actor); err != nil {
			return err
		}
		for i := range cs {
			cs[i].Hash = TokenHash{}
		}
		return nil
	})
	return cs, err
}

// EmailChangeOf returns actor's change of address id, with why it can
// no longer be answered (Closed) if it can't. Another account's change
// is not found, as one that does not exist.
func (d *Desk) EmailChangeOf(ctx context.Context, actor Handle, id int64) (EmailLink, error) {
	var el EmailLink
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		if _, err := actorAccount(tx, actor); err != nil {
			return err
		}
		c, err := tx.EmailChange(id)
		if errors.Is(err, ErrNoRow) || (err == nil && c.Handle != actor) {
			return fail(ErrNotFound, "id", "err.email.not_found", locale.Args{"ID": id})
		}
		if err != nil {
			return err
		}
		el = linkOfChange(c, now)
		return nil
	})
	return el, err
}

// PendingEmail returns actor's change of address waiting for its token;
// ok is false when there is none.
func (d *Desk) PendingEmail(ctx context.Context, actor Handle) (c EmailChange, ok bool, err error) {
	err = d.view(ctx, func(tx Tx, now time.Time) error {
		if _, err := actorAccount(tx, actor); err != nil {
			return err
		}
		var err error
		c, err = pendingEmailChange(tx, actor, now)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return EmailChange{}, false, nil
	}
	c.Hash = TokenHash{}
	return c, err == nil, err
}

// ProofMail returns actor's newest mail bringing the token of its change
// of address waiting for one, as Mails shows it (its token withheld with
// real delivery), and false when no change waits for a token, or no
// mail of actor's brought its token: the one token that works, which a
// door may offer to fill in. The mailbox's list is read only while a
// change waits.
func (d *Desk) ProofMail(ctx context.Context, actor Handle) (Mail, bool, error) {
	var m Mail
	found := false
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		a, err := actorAccount(tx, actor)
		if err != nil {
			return err
		}
		c, err := pendingEmailChange(tx, actor, now)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		ms, err := tx.MailListOf(actor, 0)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(ms, func(m Mail) bool { return m.Kind == MailEmailConfirm })
		// the newest proof is the change's own, written with it: one
		// to another address is not (none: no mail of it is left)
		if i < 0 || !strings.EqualFold(ms[i].Address, c.Email) || ms[i].Date.Before(c.Created.Add(-time.Second)) {
			return nil
		}
		show, err := d.shownTo(tx, a)
		m, found = show(ms[i]), true
		return err
	})
	if err != nil {
		return Mail{}, false, err
	}
	return m, found, nil
}

// pendingEmailChange returns h's change of address still waiting for
// its token and not past its expiry.
func pendingEmailChange(tx Tx, h Handle, now time.Time) (EmailChange, error) {
	c, err := tx.PendingEmailChange(h)
	if errors.Is(err, ErrNoRow) || (err == nil && !now.Before(c.Expires)) {
		return EmailChange{}, fail(ErrNotFound, "token", "err.email.none_pending")
	}
	return c, err
}

// overLimit reports whether one more action is over a limit of max per
// window, given the times of the latest ones (newest first), and when
// the next is allowed.
func overLimit(latest []time.Time, max int, window time.Duration, now time.Time) (next time.Time, over bool) {
	if len(latest) < max {
		return time.Time{}, false
	}
	next = latest[max-1].Add(window)
	return next, now.Before(next)
}

// clockTime writes when something will be allowed, rounded up to the
// minute so that the time said is never too early.
func clockTime(t time.Time) string { return t.Add(time.Minute - 1).UTC().Format("15:04") }
