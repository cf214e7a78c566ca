package model

import (
	"context"
	"errors"
	"time"

	"contactdesk/locale"
)

// TokenHolder is the party of a request whose token was given, as the
// web page of a mail's link finds it: that page knows no account, only
// the token in its link.
type TokenHolder struct {
	Request Request // as its parties see it, at the desk's time
	Party   Handle  // whose token it is
	// Closed says why the token can't answer now — it was used, or
	// replaced by a newer one, or the request has ended — as a refusal
	// (*Error); nil when it can.
	Closed error
	// Paused is the refusal of the party's tries while they are paused
	// after wrong tokens (ErrThrottled, with when they end), made
	// through any door; nil when they are not. The right token is
	// refused meanwhile, so a page need not offer its form.
	Paused error
	// LastReplaced: the token was replaced, and by the party's live
	// token itself (the one before it, not older). A page may offer its
	// holder a fresh token (Resend) for it, once: that resend makes it
	// older still. An older token's holder — a mail forwarded, an
	// address the account has left since — can't go on replacing the
	// party's live token from it.
	LastReplaced bool
	// ResendRefused, for a LastReplaced token, is the refusal a resend
	// would get now: the limit of resends (ErrMailLimit, with when the
	// next may be asked for); nil when one may be asked for. A page
	// then says so rather than offer a button the limit would refuse.
	ResendRefused error
}

// FindTokenHolder returns the party of request id that holds token,
// reading only: opening a link changes nothing (mail scanners and link
// previews open every link they see).
//
// A token that belongs to no party of the request is refused with
// ErrWrongToken, the same refusal whether or not the request exists, so
// that guesses learn nothing; and it is counted nowhere. The model's
// throttle counts the wrong tokens of an account, and here there is no
// account to count them against: the caller throttles such guesses
// itself (per request and per client), so that nobody can spend a
// party's tries without holding its token.
func (d *Desk) FindTokenHolder(ctx context.Context, id int64, token string) (TokenHolder, error) {
	var th TokenHolder
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		r, err := tx.Request(id)
		if errors.Is(err, ErrNoRow) {
			_, _, wellFormed := matchToken(nil, token)
			return wrongToken(id, wellFormed)
		}
		if err != nil {
			return err
		}
		toks, err := tx.Tokens(id)
		if err != nil {
			return err
		}
		t, found, wellFormed := matchToken(toks, token)
		if !found {
			return wrongToken(id, wellFormed)
		}
		r = effective(r, now)
		th = TokenHolder{Request: r, Party: t.Handle}
		p, _ := r.Party(t.Handle)
		switch {
		case r.State.Ended():
			th.Closed = endedErr(r)
		case p.Answer != AnswerPending:
			th.Closed = fail(ErrAlreadyAnswered, "token", "err.request.answered_"+string(p.Answer), locale.Args{"ID": r.ID})
		case t.State == TokenUsed:
			th.Closed = fail(ErrTokenUsed, "token", "err.token.used", locale.Args{"ID": r.ID})
		case t.State == TokenReplaced:
			th.Closed = fail(ErrTokenReplaced, "token", "err.token.replaced_link", locale.Args{"ID": r.ID})
			th.LastReplaced = lastReplaced(toks, t)
			if th.LastReplaced {
				if err := resendAllowed(tx, t.Handle, r, now); IsRefusal(err) {
					th.ResendRefused = err
				} else if err != nil {
					return err
				}
			}
		}
		if th.Closed == nil {
			if err := throttle(tx, t.Handle, requestScope(r), now); IsRefusal(err) {
				th.Paused = err
			} else if err != nil {
				return err
			}
		}
		return nil
	})
	return th, err
}

// lastReplaced reports whether t is the token its party's live token
// replaced: the newest but one of the party's tokens, the newest live.
func lastReplaced(toks []TokenRecord, t TokenRecord) bool {
	var newest, before TokenRecord
	for _, k := range toks {
		if k.Handle != t.Handle {
			continue
		}
		switch {
		case k.ID > newest.ID:
			newest, before = k, newest
		case k.ID > before.ID:
			before = k
		}
	}
	return newest.State == TokenActive && before.ID == t.ID
}

func wrongToken(id int64, wellFormed bool) error {
	if !wellFormed {
		return fail(ErrWrongToken, "token", "err.token.shape", locale.Args{"ID": id})
	}
	return fail(ErrWrongToken, "token", "err.token.not_of_request", locale.Args{"ID": id})
}

// matchToken finds what a person typed among a request's tokens,
// comparing every hash in constant time. wellFormed is false when what
// was typed can't be a token at all.
func matchToken(toks []TokenRecord, typed string) (match TokenRecord, found, wellFormed bool) {
	norm, ok := NormalizeToken(typed)
	if !ok {
		return TokenRecord{}, false, false
	}
	h := HashToken(norm)
	for _, t := range toks {
		if t.Hash.Equal(h) {
			match, found = t, true
		}
	}
	return match, found, true
}
