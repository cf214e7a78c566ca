package model

import (
	"errors"
	"fmt"
	"time"

	"contactdesk/locale"
)

// MayChange says whether actor may ask to change role r on s: the admin
// may change any role, every other contact only its own. It returns nil,
// or the refusal with its reason.
func MayChange(s Service, actor Handle, r Role) error {
	if s.Admin == actor || s.Contact(r) == actor {
		return nil
	}
	// Each role has its own refusal: a role added to Roles needs its case
	// here and its err.role.…_only, or it is refused with billing's
	// (TestEveryRoleIsKnownEverywhere says so).
	switch r {
	case Admin:
		return fail(ErrNotYourRole, "role", "err.role.admin_only", locale.Args{"Service": s.Name})
	case Tech:
		return fail(ErrNotYourRole, "role", "err.role.tech_only", locale.Args{"Service": s.Name})
	default:
		return fail(ErrNotYourRole, "role", "err.role.billing_only", locale.Args{"Service": s.Name})
	}
}

// PartiesOf lists who must confirm a change: the requester, the outgoing
// contact and the incoming contact, without duplicates, in that order.
func PartiesOf(requester, from, to Handle) []Handle {
	hs := []Handle{requester}
	for _, h := range []Handle{from, to} {
		if h != hs[0] && (len(hs) < 2 || h != hs[1]) {
			hs = append(hs, h)
		}
	}
	return hs
}

// PartyLabel says, in English, why h must confirm r, in the words of
// the command line's JSON ("as"), a contract: "requester", "current
// tech" (once the change is made, "former tech"), "new tech+billing", or
// several of these joined ("requester and current tech"). The app, the
// mails and the page say it in the account's language (Why), where
// English has since added "contact"; the JSON keeps its words.
func (r Request) PartyLabel(h Handle) string {
	p := r.Why(h)
	roles := RolesJoined(p.Roles).In(english)
	var ws []string
	if p.Requester {
		ws = append(ws, "requester")
	}
	if p.From && p.Done {
		ws = append(ws, "former "+roles)
	} else if p.From {
		ws = append(ws, "current "+roles)
	}
	if p.To {
		ws = append(ws, "new "+roles)
	}
	return joinWords(ws)
}

func joinWords(ws []string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	out := ws[0]
	for i, w := range ws[1:] {
		if i == len(ws)-2 {
			out += " and " + w
		} else {
			out += ", " + w
		}
	}
	return out
}

// NewRequest is what a user asks for: on one service, these roles to
// this account.
type NewRequest struct {
	Service  string
	Roles    []Role
	To       string        // the incoming contact's handle, as typed
	Validity time.Duration // 0: the desk's default
}

// plan checks a change against every rule and returns the requests it
// would make, one per outgoing contact, not yet stored.
func (d *Desk) plan(tx Tx, actor Handle, in NewRequest, now time.Time, bounded bool) ([]Request, error) {
	if _, err := actorAccount(tx, actor); err != nil {
		return nil, err
	}
	s, err := heldService(tx, actor, in.Service)
	if err != nil {
		return nil, err
	}
	if len(in.Roles) == 0 {
		return nil, fail(ErrInvalid, "role", "err.role.none_to_change")
	}
	validity := in.Validity
	if validity == 0 {
		validity = d.validity
	}
	if validity < MinValidity || validity > MaxValidity {
		return nil, fail(ErrInvalid, "validity", "err.validity.range")
	}
	toH, err := ParseHandle(in.To)
	if err != nil {
		return nil, fail(ErrUnknownAccount, "to", "err.to.not_handle", locale.Args{"Value": quoteTyped(in.To)})
	}
	// The rules make a refusal say that the new contact does not exist,
	// or owes money: past MaxNamedAmiss such refusals the desk names
	// none, so that no account checks handle after handle.
	amiss := d.amiss
	if !bounded {
		amiss = nil // a loader's batch (the demo) draws until a draw passes
	}
	if n, wait := amiss.Left(string(actor), now); n == 0 {
		next := now.Add(wait)
		return nil, retryAt(fail(ErrMailLimit, "to", "err.limit.named_amiss",
			locale.Args{"N": MaxNamedAmiss, "At": clockTime(next), "In": roundUp(wait)}), next)
	}
	to, err := account(tx, toH, "to", ErrUnknownAccount)
	if errors.Is(err, ErrUnknownAccount) {
		amiss.Spend(string(actor), now)
	}
	if err != nil {
		return nil, err
	}
	for _, r := range in.Roles {
		if err := MayChange(s, actor, r); err != nil {
			return nil, err
		}
	}
	for _, r := range in.Roles {
		if s.Contact(r) == to.Handle {
			return nil, fail(ErrAlreadyContact, "to", "err.to.already", locale.Args{"Handle": to.Handle, "Role": r, "Service": s.Name})
		}
	}
	open, err := tx.OpenRequests(s.ID)
	if err != nil {
		return nil, err
	}
	if err := pending(open, s, actor, in.Roles, now); err != nil {
		return nil, err
	}
	if in.hasRole(Billing) {
		from, err := account(tx, s.Billing, "role", ErrUnknownAccount)
		if err != nil {
			return nil, err
		}
		for _, a := range []Account{from, to} {
			if !a.UpToDate() {
				if a.Handle != from.Handle {
					amiss.Spend(string(actor), now) // the outgoing one is on the service
				}
				return nil, newRefusal(ErrNotUpToDate, "to", unpaidReason(a.Handle))
			}
		}
	}
	// One request per outgoing contact, as the provider's API makes one
	// task per nichandle.
	var reqs []Request
	for _, r := range Roles {
		if !in.hasRole(r) {
			continue
		}
		from := s.Contact(r)
		i := -1
		for k := range reqs {
			if reqs[k].From == from {
				i = k
			}
		}
		if i >= 0 {
			reqs[i].Roles = append(reqs[i].Roles, r)
			continue
		}
		req := Request{
			ServiceID: s.ID, Service: s.Name, Type: s.Type,
			Roles: []Role{r}, From: from, To: to.Handle, Requester: actor,
			State: StateValidating, Created: now, Expires: now.Add(validity),
		}
		for _, h := range PartiesOf(actor, from, to.Handle) {
			req.Parties = append(req.Parties, Party{Handle: h, Answer: AnswerPending})
		}
		reqs = append(reqs, req)
	}
	return reqs, nil
}

// pending is the refusal of a request for roles of s while a request
// for one of them waits (open: s's open requests), nil when none does.
// It depends on no new contact: Permissions says it before one is typed.
// It passes when that request ends, at its expiry at the latest: the
// refusal's RetryAt, when a form that shows it reads the roles again.
func pending(open []Request, s Service, actor Handle, roles []Role, now time.Time) error {
	for _, o := range open {
		o = effective(o, now)
		if o.State != StateValidating {
			continue
		}
		for _, r := range roles {
			if !o.HasRole(r) {
				continue
			}
			if _, party := o.Party(actor); !party {
				// A request the actor is no party to is none of its
				// business (it can't open it): neither its number nor
				// its parties are told, only when it ends at the latest.
				return retryAt(fail(ErrPending, "role", "err.role.pending_other",
					locale.Args{"Role": r, "Service": s.Name, "Expires": locale.Stamp(o.Expires)}), o.Expires)
			}
			return retryAt(fail(ErrPending, "role", "err.role.pending",
				locale.Args{"ID": o.ID, "Role": r, "Service": s.Name, "Awaited": Handles(o.Awaited())}), o.Expires)
		}
	}
	return nil
}

func (in NewRequest) hasRole(r Role) bool {
	for _, x := range in.Roles {
		if x == r {
			return true
		}
	}
	return false
}

func handleList(hs []Handle) string {
	ws := make([]string, len(hs))
	for i, h := range hs {
		ws[i] = string(h)
	}
	return joinWords(ws)
}

// tokenCheck compares what a party typed with the request's tokens, in
// constant time, and says what is wrong with it.
func tokenCheck(toks []TokenRecord, actor Handle, typed string, r Request) (TokenRecord, error) {
	match, found, wellFormed := matchToken(toks, typed)
	switch {
	case !wellFormed:
		return TokenRecord{}, fail(ErrWrongToken, "token", "err.token.shape", locale.Args{"ID": r.ID})
	case !found:
		return TokenRecord{}, fail(ErrWrongToken, "token", "err.token.wrong", locale.Args{"ID": r.ID})
	case match.Handle != actor:
		return TokenRecord{}, fail(ErrTokenNotYours, "token", "err.token.not_yours", locale.Args{"ID": r.ID, "Handle": actor})
	case match.State == TokenUsed:
		return TokenRecord{}, fail(ErrTokenUsed, "token", "err.token.used", locale.Args{"ID": r.ID})
	case match.State == TokenReplaced:
		return TokenRecord{}, fail(ErrTokenReplaced, "token", "err.token.replaced", locale.Args{"ID": r.ID})
	}
	return match, nil
}

// scope is what a token answers: a request, or an account's change of
// e-mail address (request 0, which no request has). Wrong tries are
// counted and paused per actor and scope.
type scope struct {
	requestID, serviceID int64
	name                 locale.Message // "request #8", "your change of e-mail address"
}

func requestScope(r Request) scope {
	return scope{requestID: r.ID, serviceID: r.ServiceID, name: locale.M("word.scope.request", locale.Args{"ID": r.ID})}
}

// throttle refuses a token try while the actor is locked out of the scope.
func throttle(tx Tx, actor Handle, sc scope, now time.Time) error {
	until, err := tx.LockedUntil(actor, sc.requestID)
	if err != nil {
		return err
	}
	if now.Before(until) {
		// until is kept to the second above the lockout's end (see
		// countFailure): less that second, a pause asked about as it
		// begins is said "15 minutes", as the refusal that began it said,
		// not 16
		return retryAt(fail(ErrThrottled, "token", "err.token.throttled",
			locale.Args{"Scope": sc.name, "At": clockTime(until), "In": roundUp(until.Sub(now) - time.Second)}), until)
	}
	return nil
}

// roundUp is a wait in whole minutes, rounded up: never too short.
func roundUp(d time.Duration) locale.Duration {
	m := max(1, (d+time.Minute-1)/time.Minute)
	return locale.Duration(m * time.Minute)
}

// countFailure records a wrong token, given in the refused write w, and
// locks the actor out of the scope when it is the MaxTokenFailures-th
// within the window. told is the write that records it: only the
// actor's own screens can show it (tries left, a pause), and saying so
// keeps the other nodes from taking a wrong token, which a stranger can
// send, for a change of every screen.
func countFailure(tx Tx, w, told *work, actor Handle, sc scope) error {
	told.touch(actor)
	if err := tx.InsertFailure(actor, sc.requestID, w.now); err != nil {
		return err
	}
	n, err := tx.Failures(actor, sc.requestID, w.now.Add(-TokenFailureWindow))
	if err != nil {
		return err
	}
	if n >= MaxTokenFailures {
		// whole seconds, rounded up: the history line keeps seconds
		// (RFC 3339), and says the minute the refusal says (clockTime
		// rounds up), not the one before it
		until := w.now.Add(TokenLockout + time.Second - 1).Truncate(time.Second)
		if err := tx.SetLock(actor, sc.requestID, until); err != nil {
			return err
		}
		return tx.InsertHistory(&HistoryEntry{At: w.now, Actor: actor, Action: ActTokenThrottled, ServiceID: sc.serviceID, RequestID: sc.requestID,
			Detail: fmt.Sprintf("%d wrong tokens in %s; tries paused until %s", n, FormatDuration(TokenFailureWindow), until.Format(time.RFC3339))})
	}
	return nil
}

// failureNote completes a token refusal with how many tries are left,
// counting the one being refused.
func failureNote(tx Tx, actor Handle, sc scope, now time.Time, refused error) error {
	var e *Error
	if !errors.As(refused, &e) {
		return refused
	}
	n, err := tx.Failures(actor, sc.requestID, now.Add(-TokenFailureWindow))
	if err != nil {
		return err
	}
	left := MaxTokenFailures - n - 1
	var note locale.Message
	if left <= 0 {
		note = locale.M("err.token.paused_now", locale.Args{"Nth": locale.Ordinal(MaxTokenFailures),
			"Window": locale.Duration(TokenFailureWindow), "Scope": sc.name, "Lockout": locale.Duration(TokenLockout)})
	} else {
		note = locale.M("err.token.tries_left", locale.Args{"N": left})
	}
	return newRefusal(e.Kind, e.Field, locale.M("err.token.with_note", locale.Args{"Refusal": e.Text, "Note": note}))
}

// unpaidReason is the refusal of a billing change that involves an
// account behind with payments. It names the account, never the amount:
// what an account owes is its own business and its provider's, and this
// text reaches the other parties, their mails and the history.
func unpaidReason(h Handle) locale.Message {
	return locale.M("err.unpaid", locale.Args{"Handle": h})
}

// Resends are limited so that nobody can turn the desk into a mail
// cannon: each sends a real mail when SMTP is on, and the address it goes
// to is one the asker chose. A party that lost its mail needs one resend,
// perhaps a second after fixing its address; three an hour leaves room
// for that and stops a loop after three mails.
const (
	MaxResends   = 3
	ResendWindow = time.Hour
)

// resendAllowed refuses a resend of request r to actor when actor already
// had MaxResends of them within ResendWindow, saying when the next one
// may be asked for.
func resendAllowed(tx Tx, actor Handle, r Request, now time.Time) error {
	hs, err := tx.History("", 0, r.ID, 0)
	if err != nil {
		return err
	}
	var latest []time.Time // newest first, as History lists them
	for _, e := range hs {
		if e.Actor == actor && e.Action == ActRequestResend {
			latest = append(latest, e.At)
		}
	}
	if next, over := overLimit(latest, MaxResends, ResendWindow, now); over {
		return retryAt(fail(ErrMailLimit, "request", "err.limit.resends",
			locale.Args{"ID": r.ID, "N": MaxResends, "Window": locale.Duration(ResendWindow), "At": clockTime(next), "In": roundUp(next.Sub(now))}), next)
	}
	return nil
}

// Every request mails each of its parties, whom the requester chooses:
// an account may ask for at most MaxRequestsPerHour an hour (unless the
// desk's Options say otherwise), so that a loop of requests and
// cancellations can't flood another account's inbox. Thirty leaves room
// for a customer reorganising a few dozen services by hand; more than
// that in an hour is a job for support.
const MaxRequestsPerHour = 30

// createAllowed refuses n more requests by actor when they would pass
// max within the hour.
func createAllowed(tx Tx, actor Handle, n, max int, now time.Time) error {
	latest, err := tx.RecentRequestsBy(actor, max)
	if err != nil {
		return err
	}
	if n > max {
		n = max
	}
	if next, over := overLimit(latest, max-n+1, time.Hour, now); over {
		return retryAt(fail(ErrMailLimit, "request", "err.limit.requests",
			locale.Args{"N": len(latest), "At": clockTime(next), "In": roundUp(next.Sub(now))}), next)
	}
	return nil
}
