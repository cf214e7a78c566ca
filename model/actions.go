package model

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"contactdesk/locale"
)

// write runs f as one write action, named for Options.Observe, and
// returns its result.
func write[T any](ctx context.Context, d *Desk, action string, f func(Tx, *work) (T, error)) (T, error) {
	var out T
	err := d.update(ctx, action, func(tx Tx, w *work) error {
		var err error
		out, err = f(tx, w)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// Plan checks a change as CreateRequest would and returns the requests it
// would make, with who will have to confirm each, storing nothing.
func (d *Desk) Plan(ctx context.Context, actor Handle, in NewRequest) ([]Request, error) {
	var reqs []Request
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		var err error
		reqs, err = d.plan(tx, actor, in, now, true)
		return err
	})
	return reqs, err
}

// CreateRequest checks a change against every rule, stores one request per
// outgoing contact, and mails every party its own token. Nothing is
// stored when any rule refuses.
func (d *Desk) CreateRequest(ctx context.Context, actor Handle, in NewRequest) ([]Request, error) {
	return write(ctx, d, ActRequestCreate, func(tx Tx, w *work) ([]Request, error) { return d.createRequest(tx, w, actor, in) })
}

// CreateRequests makes several changes on one service at once — say a new
// tech contact and a different new billing contact — in one transaction:
// all of them are stored, or, when any rule refuses one, none. A refusal
// says which change it is about (ChangeOf), so that a form can show it
// beside the fields of that change.
func (d *Desk) CreateRequests(ctx context.Context, actor Handle, ins []NewRequest) ([]Request, error) {
	return write(ctx, d, ActRequestCreate, func(tx Tx, w *work) ([]Request, error) {
		var all []Request
		for i, in := range ins {
			rs, err := d.createRequest(tx, w, actor, in)
			if err != nil {
				if IsRefusal(err) {
					return nil, &ChangeError{Index: i, Err: err}
				}
				return nil, err
			}
			all = append(all, rs...)
		}
		return all, nil
	})
}

func (d *Desk) createRequest(tx Tx, w *work, actor Handle, in NewRequest) ([]Request, error) {
	reqs, err := d.plan(tx, actor, in, w.now, !w.inBatch())
	if err != nil {
		return nil, err
	}
	if !w.inBatch() && d.requestRate > 0 {
		if err := createAllowed(tx, actor, len(reqs), d.requestRate, w.now); err != nil {
			return nil, err
		}
	}
	for i := range reqs {
		r := &reqs[i]
		if err := tx.InsertRequest(r); err != nil {
			return nil, err
		}
		if err := d.record(tx, w, actor, ActRequestCreate, r.ServiceID, r.ID,
			fmt.Sprintf("%s of %s: %s -> %s; to confirm: %s", r.RoleList(), r.Service, r.From, r.To, handleList(partyHandles(*r)))); err != nil {
			return nil, err
		}
		as, err := partyAccounts(tx, *r)
		if err != nil {
			return nil, err
		}
		for _, p := range r.Parties {
			a, err := partyAccount(tx, as, p.Handle)
			if err != nil {
				return nil, err
			}
			if _, err := d.sendConfirm(tx, w, *r, a, false); err != nil {
				return nil, err
			}
			w.touch(p.Handle)
		}
	}
	if len(reqs) > 0 {
		// one service for them all (one per outgoing contact)
		if err := w.touchContacts(tx, reqs[0].ServiceID); err != nil {
			return nil, err
		}
	}
	return reqs, nil
}

func partyHandles(r Request) []Handle {
	hs := make([]Handle, len(r.Parties))
	for i, p := range r.Parties {
		hs[i] = p.Handle
	}
	return hs
}

// Permissions says, for each role of the service, nil when actor may ask
// to change it, else the refusal a request for it would meet whatever
// the new contact: the role not actor's to change (MayChange), or a
// request for it already waiting — told as a request is refused then,
// its number and whom it awaits to its parties only. A form shows it
// before a handle is typed, rather than refuse the handle once typed.
func (d *Desk) Permissions(ctx context.Context, actor Handle, service string) (Service, map[Role]error, error) {
	var s Service
	perms := map[Role]error{}
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		var err error
		s, err = heldService(tx, actor, service)
		if err != nil {
			return err
		}
		open, err := tx.OpenRequests(s.ID)
		if err != nil {
			return err
		}
		for _, r := range Roles {
			perms[r] = MayChange(s, actor, r)
			if perms[r] == nil {
				perms[r] = pending(open, s, actor, []Role{r}, now)
			}
		}
		return nil
	})
	return s, perms, err
}

// Accept records actor's acceptance of request id with its token. When it
// is the last awaited acceptance, the change is checked again and applied
// in the same transaction.
func (d *Desk) Accept(ctx context.Context, actor Handle, id int64, token string) (Request, error) {
	return d.answer(ctx, actor, id, token, AnswerAccepted)
}

// Refuse records actor's refusal of request id with its token; the request
// ends refused.
func (d *Desk) Refuse(ctx context.Context, actor Handle, id int64, token string) (Request, error) {
	return d.answer(ctx, actor, id, token, AnswerRefused)
}

func (d *Desk) answer(ctx context.Context, actor Handle, id int64, token string, a Answer) (Request, error) {
	return write(ctx, d, answerAction(a), func(tx Tx, w *work) (Request, error) { return d.answerIn(tx, w, actor, id, token, a) })
}

// answerAction names an answer for Options.Observe.
func answerAction(a Answer) string {
	if a == AnswerRefused {
		return ActRequestRefuse
	}
	return ActRequestAccept
}

func (d *Desk) answerIn(tx Tx, w *work, actor Handle, id int64, token string, a Answer) (Request, error) {
	r, err := d.openPartyRequest(tx, actor, id, w.now)
	if err != nil {
		return Request{}, err
	}
	sc := requestScope(r)
	if err := throttle(tx, actor, sc, w.now); err != nil {
		return Request{}, err
	}
	toks, err := tx.Tokens(r.ID)
	if err != nil {
		return Request{}, err
	}
	tok, refusal := tokenCheck(toks, actor, token, r)
	if _, wellFormed := NormalizeToken(token); !wellFormed || errors.Is(refusal, ErrTokenReplaced) || errors.Is(refusal, ErrTokenUsed) {
		// What can't be a token (a slip: a request number, a "-"), or
		// the party's own token, of an earlier mail or already used: not
		// a guess, and no try spent (the app may have offered it from a
		// mail a resend has since replaced).
		return Request{}, refusal
	}
	if refusal != nil {
		w.onRefusal = func(tx Tx, told *work) error { return countFailure(tx, w, told, actor, sc) }
		return Request{}, failureNote(tx, actor, sc, w.now, refusal)
	}
	if err := tx.UseToken(tok.ID, actor, a, w.now); err != nil {
		return Request{}, err
	}
	for i := range r.Parties {
		if r.Parties[i].Handle == actor {
			r.Parties[i].Answer, r.Parties[i].Answered = a, w.now
		}
	}
	w.touch(partyHandles(r)...)
	if a == AnswerRefused {
		if err := d.record(tx, w, actor, ActRequestRefuse, r.ServiceID, r.ID, "refused"); err != nil {
			return Request{}, err
		}
		if err := d.end(tx, w, &r, StateRefused, refusedBy(actor), actor, ActRequestFailed); err != nil {
			return Request{}, err
		}
	} else {
		if err := d.record(tx, w, actor, ActRequestAccept, r.ServiceID, r.ID, "accepted"); err != nil {
			return Request{}, err
		}
		if len(r.Awaited()) == 0 {
			if err := d.apply(tx, w, &r); err != nil {
				return Request{}, err
			}
		}
	}
	return r, nil
}

// openPartyRequest loads a request the actor is a party to, still
// waiting for the actor's answer.
func (d *Desk) openPartyRequest(tx Tx, actor Handle, id int64, now time.Time) (Request, error) {
	r, err := d.partyRequest(tx, actor, id, now)
	if err != nil {
		return Request{}, err
	}
	if r.State.Ended() {
		return Request{}, endedErr(r)
	}
	if p, _ := r.Party(actor); p.Answer != AnswerPending {
		return Request{}, fail(ErrAlreadyAnswered, "request", "err.request.answered_"+string(p.Answer), locale.Args{"ID": r.ID})
	}
	return r, nil
}

func endedErr(r Request) error {
	if r.Reason != "" {
		return fail(ErrEnded, "request", "err.request.ended_because", locale.Args{"ID": r.ID, "State": r.State, "Reason": ReasonOf(r)})
	}
	return fail(ErrEnded, "request", "err.request.ended", locale.Args{"ID": r.ID, "State": r.State})
}

// apply moves the contacts once every party has accepted, after checking
// again that the outgoing contact still holds the roles and (billing)
// that both accounts are up to date. If not, the request ends refused
// with the reason, and no contact moves.
func (d *Desk) apply(tx Tx, w *work, r *Request) error {
	s, err := tx.ServiceByID(r.ServiceID)
	if err != nil {
		return err
	}
	var reason locale.Message
	for _, role := range r.Roles {
		if cur := s.Contact(role); cur != r.From {
			reason = movedReason(role, s.Name, r.From, cur)
			break
		}
	}
	if reason.IsZero() && r.HasRole(Billing) {
		for _, h := range []Handle{r.From, r.To} {
			a, err := account(tx, h, "to", ErrUnknownAccount)
			if err != nil {
				return err
			}
			if !a.UpToDate() {
				reason = unpaidReason(h)
				break
			}
		}
	}
	if !reason.IsZero() {
		return d.end(tx, w, r, StateRefused, reason, SystemActor, ActRequestFailed)
	}
	for _, role := range r.Roles {
		if err := tx.SetContact(s.ID, role, r.To); err != nil {
			return err
		}
		if err := d.record(tx, w, SystemActor, ActContactChange, s.ID, r.ID,
			fmt.Sprintf("%s contact of %s: %s -> %s", role, s.Name, r.From, r.To)); err != nil {
			return err
		}
	}
	return d.end(tx, w, r, StateDone, locale.Message{}, SystemActor, ActRequestDone)
}

// Resend mails actor a fresh token for request id; the token it had before
// stops working. The mail goes to the account's current address.
// With real delivery, the mail returned holds no token: it is on its
// way to the account's own inbox.
func (d *Desk) Resend(ctx context.Context, actor Handle, id int64) (Mail, error) {
	return write(ctx, d, ActRequestResend, func(tx Tx, w *work) (Mail, error) { return d.resend(tx, w, actor, id) })
}

func (d *Desk) resend(tx Tx, w *work, actor Handle, id int64) (Mail, error) {
	r, err := d.openPartyRequest(tx, actor, id, w.now)
	if err != nil {
		return Mail{}, err
	}
	if err := resendAllowed(tx, actor, r, w.now); err != nil {
		return Mail{}, err
	}
	toks, err := tx.Tokens(r.ID)
	if err != nil {
		return Mail{}, err
	}
	for _, t := range toks {
		if t.Handle == actor && t.State == TokenActive {
			if err := tx.SetTokenState(t.ID, TokenReplaced); err != nil {
				return Mail{}, err
			}
		}
	}
	a, err := tx.Account(actor)
	if err != nil {
		return Mail{}, err
	}
	m, err := d.sendConfirm(tx, w, r, a, true)
	if err != nil {
		return Mail{}, err
	}
	set, err := w.settingsOf(tx)
	if err != nil {
		return Mail{}, err
	}
	w.touch(actor)
	// Other parties read this line: it says to whom, not to which address.
	return shown(m, false, set, locale.For(a.Lang)), d.record(tx, w, actor, ActRequestResend, r.ServiceID, r.ID, "confirmation mail sent again to "+string(actor))
}

// Cancel withdraws request id; only its requester may, while it is pending.
func (d *Desk) Cancel(ctx context.Context, actor Handle, id int64) (Request, error) {
	return write(ctx, d, ActRequestCancel, func(tx Tx, w *work) (Request, error) { return d.cancel(tx, w, actor, id) })
}

func (d *Desk) cancel(tx Tx, w *work, actor Handle, id int64) (Request, error) {
	r, err := d.partyRequest(tx, actor, id, w.now)
	if err != nil {
		return Request{}, err
	}
	if r.State.Ended() {
		return Request{}, endedErr(r)
	}
	if r.Requester != actor {
		return Request{}, fail(ErrNotRequester, "request", "err.request.cancel_not_requester", locale.Args{"ID": r.ID, "Requester": r.Requester})
	}
	if err := d.end(tx, w, &r, StateCancelled, cancelledBy(actor), actor, ActRequestCancel); err != nil {
		return Request{}, err
	}
	return r, nil
}

// Request returns request id as actor, a party to it, sees it.
func (d *Desk) Request(ctx context.Context, actor Handle, id int64) (Request, error) {
	var r Request
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		if _, err := actorAccount(tx, actor); err != nil {
			return err
		}
		var err error
		r, err = d.partyRequest(tx, actor, id, now)
		return err
	})
	return r, err
}

// Requests lists the requests actor is a party to, newest first.
func (d *Desk) Requests(ctx context.Context, actor Handle) ([]Request, error) {
	var rs []Request
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		if _, err := actorAccount(tx, actor); err != nil {
			return err
		}
		var err error
		rs, err = tx.RequestsOf(actor)
		for i := range rs {
			rs[i] = effective(rs[i], now)
		}
		return err
	})
	return rs, err
}

// Services lists the services where actor holds any role.
func (d *Desk) Services(ctx context.Context, actor Handle) ([]ServiceView, error) {
	var ss []ServiceView
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		if _, err := actorAccount(tx, actor); err != nil {
			return err
		}
		var err error
		ss, err = tx.ServicesOf(actor, now)
		return err
	})
	return ss, err
}

// FirstServices lists the first limit services where actor holds any
// role, in the order of Services, and reports whether actor holds more:
// a long list's first screenful, read in a fraction of the time the
// whole list takes.
func (d *Desk) FirstServices(ctx context.Context, actor Handle, limit int) ([]ServiceView, bool, error) {
	limit = max(1, limit)
	var ss []ServiceView
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		if _, err := actorAccount(tx, actor); err != nil {
			return err
		}
		var err error
		ss, err = tx.FirstServicesOf(actor, now, limit+1)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	if len(ss) > limit {
		return ss[:limit], true, nil
	}
	return ss, false, nil
}

// Service returns one of actor's services.
func (d *Desk) Service(ctx context.Context, actor Handle, name string) (Service, error) {
	var s Service
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		var err error
		s, err = heldService(tx, actor, name)
		return err
	})
	return s, err
}

// Account returns one account.
func (d *Desk) Account(ctx context.Context, h Handle) (Account, error) {
	var a Account
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		var err error
		a, err = account(tx, h, "handle", ErrUnknownAccount)
		return err
	})
	return a, err
}

// Accounts lists every account, by handle.
func (d *Desk) Accounts(ctx context.Context) ([]Account, error) {
	var as []Account
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		var err error
		as, err = tx.Accounts()
		return err
	})
	return as, err
}

// SuggestAccounts lists up to limit accounts whose handle or name starts
// with what was typed, for a handle field's suggestions.
func (d *Desk) SuggestAccounts(ctx context.Context, typed string, limit int) ([]Account, error) {
	typed = strings.ToLower(strings.TrimSpace(typed))
	var as []Account
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		var err error
		as, err = tx.FindAccounts(typed, limit)
		return err
	})
	return as, err
}

// NewAccount is what support staff give to open an account.
type NewAccount struct {
	Handle string
	Name   string
	Email  string
	Owes   Cents
	Lang   string // pt, en or fr; empty: the desk's default-lang (Settings.DefaultLang)
}

// AddAccount opens an account (support staff).
func (d *Desk) AddAccount(ctx context.Context, in NewAccount) (Account, error) {
	return write(ctx, d, ActAccountAdd, func(tx Tx, w *work) (Account, error) { return d.addAccount(tx, w, in) })
}

// newAccount checks what opens an account (AddAccount, Import) and
// returns the account it makes, opened at now.
func newAccount(in NewAccount, now time.Time, defaultLang Lang) (Account, error) {
	h, err := ParseHandle(in.Handle)
	if err != nil {
		return Account{}, err
	}
	name, err := CheckText("name", "name", in.Name, MaxNameLen, true)
	if err != nil {
		return Account{}, err
	}
	email, err := CheckEmail("email", in.Email)
	if err != nil {
		return Account{}, err
	}
	if in.Owes < 0 {
		return Account{}, fail(ErrInvalid, "owes", "err.owes.negative")
	}
	lang := defaultLang
	if in.Lang != "" {
		if lang, err = ParseLang(in.Lang); err != nil {
			return Account{}, err
		}
	}
	return Account{Handle: h, Name: name, Email: email, Owes: in.Owes, Created: now, Lang: lang}, nil
}

func (d *Desk) addAccount(tx Tx, w *work, in NewAccount) (Account, error) {
	set, err := w.settingsOf(tx)
	if err != nil {
		return Account{}, err
	}
	a, err := newAccount(in, w.now, set.DefaultLang())
	if err != nil {
		return Account{}, err
	}
	h, name := a.Handle, a.Name
	if _, err := tx.Account(h); err == nil {
		return Account{}, fail(ErrExists, "handle", "err.account.exists", locale.Args{"Handle": h})
	} else if !errors.Is(err, ErrNoRow) {
		return Account{}, err
	}
	if err := tx.InsertAccount(a); err != nil {
		return Account{}, err
	}
	w.touch(h)
	return a, d.record(tx, w, SupportActor, ActAccountAdd, 0, 0, fmt.Sprintf("account %s (%s) opened", h, name))
}

// SetStanding records an account's billing standing: 0 when its payments
// are up to date, else the amount it owes (support staff).
func (d *Desk) SetStanding(ctx context.Context, h Handle, owes Cents) (Account, error) {
	return write(ctx, d, ActStanding, func(tx Tx, w *work) (Account, error) {
		if owes < 0 {
			return Account{}, fail(ErrInvalid, "owes", "err.owes.negative")
		}
		a, err := account(tx, h, "handle", ErrUnknownAccount)
		if err != nil {
			return Account{}, err
		}
		if err := tx.SetOwes(h, owes); err != nil {
			return Account{}, err
		}
		a.Owes = owes
		w.touch(h)
		// The amount stays out of the history, which other accounts read:
		// support staff see it in the account list.
		detail := h.String() + ": payments up to date"
		if owes > 0 {
			detail = h.String() + ": payments overdue"
		}
		return a, d.record(tx, w, SupportActor, ActStanding, 0, 0, detail)
	})
}

// NewService is what support staff give to add a service.
type NewService struct {
	Name    string
	Type    string
	Admin   string
	Tech    string
	Billing string
}

// AddService adds a service with its three contacts (support staff). A
// domain's owner details start as its admin's name and e-mail.
func (d *Desk) AddService(ctx context.Context, in NewService) (Service, error) {
	return write(ctx, d, ActServiceAdd, func(tx Tx, w *work) (Service, error) { return d.addService(tx, w, in) })
}

// newService checks what adds a service (AddService, Import) and returns
// the service it makes, added at now, its contacts not yet looked up.
func newService(in NewService, now time.Time) (Service, error) {
	name, err := CheckServiceName(in.Name)
	if err != nil {
		return Service{}, err
	}
	typ, err := CheckServiceType(in.Type)
	if err != nil {
		return Service{}, err
	}
	var hs [3]Handle
	for i, c := range []struct{ field, v string }{{"admin", in.Admin}, {"tech", in.Tech}, {"billing", in.Billing}} {
		h, err := ParseHandle(c.v)
		if err != nil {
			return Service{}, fail(ErrInvalid, c.field, "err.service.contact_not_handle", locale.Args{"Role": Role(c.field), "Value": quoteTyped(c.v)})
		}
		hs[i] = h
	}
	return Service{Name: name, Type: typ, Admin: hs[0], Tech: hs[1], Billing: hs[2], Created: now}, nil
}

func (d *Desk) addService(tx Tx, w *work, in NewService) (Service, error) {
	s, err := newService(in, w.now)
	if err != nil {
		return Service{}, err
	}
	name, typ, hs := s.Name, s.Type, [3]Handle{s.Admin, s.Tech, s.Billing}
	if _, err := tx.Service(name); err == nil {
		return Service{}, fail(ErrExists, "service", "err.service.exists", locale.Args{"Service": name})
	} else if !errors.Is(err, ErrNoRow) {
		return Service{}, err
	}
	var admin Account
	for i, r := range Roles {
		a, err := account(tx, hs[i], string(r), ErrUnknownAccount)
		if err != nil {
			return Service{}, err
		}
		if r == Admin {
			admin = a
		}
	}
	if typ == TypeDomain {
		s.Owner = &Owner{Holder: admin.Name, Email: admin.Email}
	}
	if err := tx.InsertService(&s); err != nil {
		return Service{}, err
	}
	w.touch(hs[:]...)
	return s, d.record(tx, w, SupportActor, ActServiceAdd, s.ID, 0,
		fmt.Sprintf("%s %s added: admin %s, tech %s, billing %s", typ, name, hs[0], hs[1], hs[2]))
}

// Owner returns the owner details of a domain actor holds a role on.
func (d *Desk) Owner(ctx context.Context, actor Handle, service string) (Service, error) {
	var s Service
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		var err error
		if s, err = heldService(tx, actor, service); err != nil {
			return err
		}
		if !s.IsDomain() || s.Owner == nil {
			return notDomain(s)
		}
		return nil
	})
	return s, err
}

// The checks of a domain's owner details (SetOwner, Import).
func checkHolder(s string) (string, error) {
	return CheckText("holder", "holder name", s, MaxNameLen, true)
}
func checkAddress(s string) (string, error) {
	return CheckText("address", "postal address", s, MaxAddressLen, false)
}
func checkOwnerPhone(s string) (string, error) { return CheckPhone("phone", s) }
func checkOwnerEmail(s string) (string, error) { return CheckEmail("email", s) }

// OwnerChecks are the checks of a domain's owner details, in their order
// (holder, postal address, phone, e-mail), as SetOwner makes them: a
// form can make them all at once and show each refusal beside its
// field, where SetOwner tells of the first.
var OwnerChecks = []func(string) (string, error){checkHolder, checkAddress, checkOwnerPhone, checkOwnerEmail}

// OwnerChange lists the owner details to change; nil fields stay as they are.
type OwnerChange struct {
	Holder, Address, Phone, Email *string
	// Was, when given, is the details as the one changing them last
	// read them: a field to change whose stored value is no longer
	// Was's, nor the new value, is refused (ErrChanged, its Field the
	// field's name) and nothing is saved, so that a save never
	// overwrites unawares what someone else saved since it was read.
	Was *Owner
}

// SetOwner changes a domain's owner details; only its admin may.
func (d *Desk) SetOwner(ctx context.Context, actor Handle, service string, c OwnerChange) (Service, error) {
	return write(ctx, d, ActOwnerSet, func(tx Tx, w *work) (Service, error) { return d.setOwner(tx, w, actor, service, c) })
}

func (d *Desk) setOwner(tx Tx, w *work, actor Handle, service string, c OwnerChange) (Service, error) {
	var err error
	check := func(p **string, f func(string) (string, error)) {
		if *p != nil && err == nil {
			var v string
			v, err = f(**p)
			*p = &v
		}
	}
	if c.Holder == nil && c.Address == nil && c.Phone == nil && c.Email == nil {
		return Service{}, fail(ErrInvalid, "", "err.owner.nothing")
	}
	// Who may comes first: whoever may not is told so, whatever values
	// were given.
	s, err := heldService(tx, actor, service)
	if err != nil {
		return Service{}, err
	}
	if !s.IsDomain() || s.Owner == nil {
		return Service{}, notDomain(s)
	}
	if s.Admin != actor {
		return Service{}, fail(ErrNotAdmin, "service", "err.owner.admin_only", locale.Args{"Service": s.Name, "Admin": s.Admin})
	}
	check(&c.Holder, checkHolder)
	check(&c.Address, checkAddress)
	check(&c.Phone, checkOwnerPhone)
	check(&c.Email, checkOwnerEmail)
	if err != nil {
		return Service{}, err
	}
	o, was := *s.Owner, c.Was
	if was == nil {
		was = s.Owner
	}
	var changed []string
	for _, f := range []struct {
		name, field   string
		src, dst, was *string
	}{{"holder", "holder", c.Holder, &o.Holder, &was.Holder}, {"address", "address", c.Address, &o.Address, &was.Address},
		{"phone", "phone", c.Phone, &o.Phone, &was.Phone}, {"e-mail", "email", c.Email, &o.Email, &was.Email}} {
		if f.src == nil || *f.src == *f.dst {
			continue
		}
		if *f.was != *f.dst {
			return Service{}, fail(ErrChanged, f.field, "err.owner.changed", locale.Args{"Service": s.Name})
		}
		*f.dst = *f.src
		changed = append(changed, f.name)
	}
	if len(changed) == 0 {
		return s, nil
	}
	if err := tx.SetOwner(s.ID, o); err != nil {
		return Service{}, err
	}
	s.Owner = &o
	w.touch(s.Admin, s.Tech, s.Billing)
	return s, d.record(tx, w, actor, ActOwnerSet, s.ID, 0, "owner details changed: "+joinWords(changed))
}

// Mails lists actor's mails, newest first. While the desk delivers mail
// for real, a mail's token is withheld (see Mail.TokenWithheld).
func (d *Desk) Mails(ctx context.Context, actor Handle) ([]Mail, error) {
	return d.mails(ctx, actor, Tx.MailsOf, false)
}

// MailboxPage is how many mails a mailbox's list reads at a time (the
// app's Mailbox tab): the newest first, more as the reader goes down.
const MailboxPage = 100

// Mailbox lists actor's newest limit mails (all when limit is 0) as
// Mails does, without their bodies (Body is empty): a mailbox's list,
// each mail to be opened with Mail. more says whether older mails are
// left out. An agency's mailbox holds a thousand mails and more: its
// list reads the newest, and what became of their tokens, only.
func (d *Desk) Mailbox(ctx context.Context, actor Handle, limit int) (ms []Mail, more bool, err error) {
	if limit > 0 {
		limit++ // one more: whether there are more
	}
	ms, err = d.mails(ctx, actor, func(tx Tx, h Handle) ([]Mail, error) { return tx.MailListOf(h, limit) }, true)
	if limit > 0 && len(ms) == limit {
		ms, more = ms[:limit-1], true
	}
	return ms, more, err
}

// mails lists actor's mails as Mails says, read with read; bare leaves
// their bodies empty, as read leaves them. The marks of a mail's token
// depend on the mails newer than it alone, which read includes.
func (d *Desk) mails(ctx context.Context, actor Handle, read func(Tx, Handle) ([]Mail, error), bare bool) ([]Mail, error) {
	var ms []Mail
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		a, err := actorAccount(tx, actor)
		if err != nil {
			return err
		}
		if ms, err = read(tx, actor); err != nil {
			return err
		}
		show, err := d.shownTo(tx, a)
		if err != nil {
			return err
		}
		// newest first: a token mail of a series whose newer token mail
		// was already seen had its token replaced; one whose series'
		// end was already seen (a request's outcome, the mail saying
		// that a change of address was made or refused) is ended
		newer, ended, newerCode := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
		for i := range ms {
			ms[i] = show(ms[i])
			if bare {
				ms[i].Body = "" // the notes show writes in it
			}
			if series, ok := tokenSeries(ms[i]); ok {
				ms[i].TokenReplaced = newer[series]
				ms[i].TokenEnded = ended[series]
				newer[series] = true
			} else if series, ok := endsSeries(ms[i]); ok {
				ended[series] = true
			} else if c := ms[i].CredentialID; c != 0 {
				// a code: one newer of the same key replaced it
				ms[i].TokenReplaced = newerCode[c]
				newerCode[c] = true
			}
		}
		if err := noLongerAwaited(tx, actor, now, ms); err != nil {
			return err
		}
		if err := codesClosed(tx, actor, now, ms); err != nil {
			return err
		}
		for i := range ms {
			if ms[i].Kind == MailEmailConfirm {
				return proofExpired(tx, actor, now, &ms[i])
			}
		}
		return nil
	})
	return ms, err
}

// confirmsRequest reports whether m brought a token to confirm a request.
func confirmsRequest(m Mail) bool { return m.Kind == MailConfirm && m.RequestID != 0 }

// ReplacedNote is what a door says of the token of m, a mail whose
// TokenReplaced is set: which newer mail to use instead.
func ReplacedNote(m Mail) locale.Message {
	if m.CredentialID != 0 {
		return locale.M("err.credential.code_replaced", locale.Args{"ID": m.CredentialID})
	}
	if m.Kind == MailEmailConfirm {
		return locale.M("err.email.link_replaced", locale.Args{"Handle": m.To})
	}
	return locale.M("err.token.replaced", locale.Args{"ID": m.RequestID})
}

// TokenGone reports whether m's token no longer works, as far as the
// mailbox tells: replaced by a newer mail's, or what it answers ended.
func (m Mail) TokenGone() bool { return m.TokenReplaced || m.TokenEnded }

// GoneNote is what a door says of the token of m, a mail whose token is
// gone (TokenGone): which newer mail to use instead, that the recipient
// answered already, or that what it answers has ended.
func GoneNote(m Mail) locale.Message {
	// ended first: the newest token of what ended works no better
	switch {
	case m.TokenAnswered:
		return locale.M("err.token.answered", locale.Args{"ID": m.RequestID})
	case m.TokenEnded && m.Kind == MailEmailConfirm:
		return locale.M("err.email.link_ended", nil)
	case m.TokenEnded && m.CredentialID != 0:
		state := m.CredentialState
		if state == "" {
			state = "gone"
		}
		return locale.M("err.credential.code_"+state, locale.Args{"ID": m.CredentialID})
	case m.TokenEnded:
		return locale.M("err.token.ended", locale.Args{"ID": m.RequestID})
	}
	return ReplacedNote(m)
}

// tokenSeries says which series of token mails m belongs to, of which
// the newest alone brings a token that works: those confirming one
// request (a resend replaces the token), by the request's number, or
// the proofs of the account's new e-mail addresses (a newer change
// asked replaces the one before), 0.
func tokenSeries(m Mail) (int64, bool) {
	switch {
	case confirmsRequest(m):
		return m.RequestID, true
	case m.Kind == MailEmailConfirm:
		return 0, true
	}
	return 0, false
}

// liveToken reports whether m shows a token that, as far as the mailbox
// tells, still works.
func liveToken(m Mail) bool { return !m.TokenGone() && (m.Token != "" || m.TokenWithheld) }

// noLongerAwaited marks ended the live-looking tokens of ms asking actor
// to confirm a request that no longer waits for actor's answer: actor
// answered already (the token is used; answered too while the request
// waits for others), or the request ended with no outcome mail yet (it
// expired, and no write recorded it). One read, and only when such a
// token is in the mailbox.
func noLongerAwaited(tx Tx, actor Handle, now time.Time, ms []Mail) error {
	var ids []int64
	for _, m := range ms {
		if confirmsRequest(m) && liveToken(m) && !slices.Contains(ids, m.RequestID) {
			ids = append(ids, m.RequestID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	open, err := tx.OpenAnswers(actor, now, ids)
	if err != nil {
		return err
	}
	for i := range ms {
		if !confirmsRequest(ms[i]) || !liveToken(ms[i]) {
			continue
		}
		switch a, ok := open[ms[i].RequestID]; {
		case !ok: // ended (or actor is no party)
			ms[i].TokenEnded = true
		case a != AnswerPending:
			ms[i].TokenEnded, ms[i].TokenAnswered = true, true
		}
	}
	return nil
}

// codesClosed marks ended the mails of ms carrying a code that validates
// a consumer key of actor's that no longer awaits validation: validated
// or refused (with that code, which works once, or a newer one), expired,
// or no more; and says its key's state. One read, and only when the
// mailbox holds a code.
func codesClosed(tx Tx, actor Handle, now time.Time, ms []Mail) error {
	if !slices.ContainsFunc(ms, func(m Mail) bool { return m.CredentialID != 0 }) {
		return nil
	}
	cs, err := tx.APIConsumers(actor)
	if err != nil {
		return err
	}
	state := make(map[int64]string, len(cs))
	for _, c := range cs {
		state[c.ID] = c.StateAt(now)
	}
	for i := range ms {
		if ms[i].CredentialID == 0 {
			continue
		}
		ms[i].CredentialState = state[ms[i].CredentialID]
		ms[i].TokenEnded = ms[i].CredentialState != CredentialPending
	}
	return nil
}

// proofExpired marks ended the newest proof m of actor's new address
// when no change is waiting for it any more, though no mail said how it
// ended: it expired (nothing writes an expiry).
func proofExpired(tx Tx, actor Handle, now time.Time, m *Mail) error {
	if !liveToken(*m) {
		return nil
	}
	_, err := pendingEmailChange(tx, actor, now)
	if errors.Is(err, ErrNotFound) {
		m.TokenEnded = true
		return nil
	}
	return err
}

// endsSeries says which series of token mails (tokenSeries) m ends,
// when it says how it ended: a request's outcome, by the request's
// number; the mail saying that a change of address was made or refused,
// 0. The tokens of the series' older mails no longer work.
func endsSeries(m Mail) (int64, bool) {
	switch {
	case m.Kind == MailOutcome && m.RequestID != 0:
		return m.RequestID, true
	case m.Kind == MailEmailChanged:
		return 0, true
	}
	return 0, false
}

// Mail returns one of actor's mails, as Mails shows it: one mail read,
// not the whole mailbox.
func (d *Desk) Mail(ctx context.Context, actor Handle, id int64) (Mail, error) {
	var m Mail
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		a, err := actorAccount(tx, actor)
		if err != nil {
			return err
		}
		m, err = tx.Mail(id)
		if errors.Is(err, ErrNoRow) || (err == nil && m.To != actor) {
			return fail(ErrNotFound, "mail", "err.mail.not_found", locale.Args{"ID": id, "Handle": actor})
		}
		if err != nil {
			return err
		}
		show, err := d.shownTo(tx, a)
		if err != nil {
			return err
		}
		m = show(m)
		switch {
		case confirmsRequest(m):
			newest, err := tx.LastMailAbout(actor, m.RequestID, MailConfirm)
			if err != nil {
				return err
			}
			m.TokenReplaced = newest.ID != m.ID
			if liveToken(m) {
				// whether the request still awaits actor tells it all: an
				// ended one awaits no one
				ms := []Mail{m}
				if err := noLongerAwaited(tx, actor, now, ms); err != nil {
					return err
				}
				m = ms[0]
				break
			}
			// replaced or removed: ended when its outcome mail came since
			outcome, err := tx.LastMailAbout(actor, m.RequestID, MailOutcome)
			if err != nil && !errors.Is(err, ErrNoRow) {
				return err
			}
			m.TokenEnded = err == nil && outcome.ID > m.ID
		case m.CredentialID != 0:
			// rare: read the mailbox's list for a newer code of its key
			ms, err := tx.MailListOf(actor, 0)
			if err != nil {
				return err
			}
			for _, x := range ms {
				if x.ID > m.ID && x.CredentialID == m.CredentialID {
					m.TokenReplaced = true
				}
			}
			ms = []Mail{m}
			if err := codesClosed(tx, actor, now, ms); err != nil {
				return err
			}
			m = ms[0]
		case m.Kind == MailEmailConfirm:
			// rare: read the mailbox's list for the account's newest
			// proof, and whether a change was made or refused since
			ms, err := tx.MailListOf(actor, 0)
			if err != nil {
				return err
			}
			newest := true
			for _, x := range ms {
				if x.ID <= m.ID {
					break
				}
				switch x.Kind {
				case MailEmailConfirm:
					newest = false
				case MailEmailChanged:
					m.TokenEnded = true
				}
			}
			m.TokenReplaced = !newest
			if newest {
				return proofExpired(tx, actor, now, &m)
			}
		}
		return nil
	})
	return m, err
}

// TokenMail returns actor's newest mail asking it to confirm request id,
// as Mails shows it (its token withheld with real delivery), and false
// when actor has none. Newest, its token is replaced by none; whether
// the request ended is the caller's to know (TokenEnded is not set).
func (d *Desk) TokenMail(ctx context.Context, actor Handle, id int64) (Mail, bool, error) {
	return d.MailAbout(ctx, actor, id, MailConfirm)
}

// MailAbout returns actor's newest mail of kind about request id, as
// Mails shows it (TokenEnded aside, as TokenMail says), and false when
// actor has none: what became of the mail an action just wrote it (its
// delivery), for the command line.
func (d *Desk) MailAbout(ctx context.Context, actor Handle, id int64, kind string) (Mail, bool, error) {
	var m Mail
	found := false
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		a, err := actorAccount(tx, actor)
		if err != nil {
			return err
		}
		m, err = tx.LastMailAbout(actor, id, kind)
		if errors.Is(err, ErrNoRow) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		show, err := d.shownTo(tx, a)
		m = show(m)
		return err
	})
	return m, found, err
}

// shownTo returns how a's mails show to a (see shown): with real
// delivery, without their tokens.
func (d *Desk) shownTo(tx Tx, a Account) (func(Mail) Mail, error) {
	set, err := tx.Settings()
	real, l := set.RealDelivery(), locale.For(a.Lang)
	return func(m Mail) Mail { return shown(m, real, set, l) }, err
}

// Unread counts actor's unread mails.
func (d *Desk) Unread(ctx context.Context, actor Handle) (int, error) {
	var n int
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		var err error
		n, err = tx.Unread(actor)
		return err
	})
	return n, err
}

// Awaiting counts the requests waiting for actor's own answer, without
// reading them: a screen can show the count at once, and the requests
// when they come.
func (d *Desk) Awaiting(ctx context.Context, actor Handle) (int, error) {
	var n int
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		var err error
		n, err = tx.Awaiting(actor, now)
		return err
	})
	return n, err
}

// MarkRead marks one of actor's mails read.
func (d *Desk) MarkRead(ctx context.Context, actor Handle, id int64) error {
	return d.update(ctx, ActMailRead, func(tx Tx, w *work) error {
		m, err := tx.Mail(id)
		if errors.Is(err, ErrNoRow) || (err == nil && m.To != actor) {
			return fail(ErrNotFound, "mail", "err.mail.not_found", locale.Args{"ID": id, "Handle": actor})
		}
		if err != nil || m.Read {
			return err
		}
		w.touch(actor)
		return tx.MarkRead(actor, id)
	})
}

// History lists what was done that concerns actor, newest first: by
// default its own actions, its services' and its requests'; narrowed by
// the filter to one service or one request.
func (d *Desk) History(ctx context.Context, actor Handle, f HistoryFilter) ([]HistoryEntry, error) {
	var hs []HistoryEntry
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		if _, err := actorAccount(tx, actor); err != nil {
			return err
		}
		var sid int64
		// formerly: actor holds no role of the service (any more, or
		// yet): it sees the lines of it that it sees without the filter
		// (the requests it is a party to); a service it sees no line of
		// is "not found", as one that does not exist, so that the filter
		// tells nothing of others' services.
		var formerly error
		if f.Service != "" {
			s, err := heldService(tx, actor, f.Service)
			if errors.Is(err, ErrNotFound) {
				formerly = err
				n, _ := CheckServiceName(f.Service)
				s, err = tx.Service(n)
				if errors.Is(err, ErrNoRow) {
					return formerly
				}
			}
			if err != nil {
				return err
			}
			sid = s.ID
		}
		if f.RequestID != 0 {
			r, err := d.partyRequest(tx, actor, f.RequestID, now)
			if errors.Is(err, ErrNotFound) && formerly != nil {
				// under a service actor holds no role of, "not found"
				// says so of the service, whether it exists or not: the
				// request's refusal would tell that it does
				return formerly
			}
			if err != nil {
				return err
			}
			// both filters: the request's lines are of its service alone;
			// on another, none (a service actor holds no role of is "not
			// found", whether it exists or not)
			if sid != 0 && r.ServiceID != sid {
				hs = nil
				return formerly
			}
		}
		var err error
		if formerly != nil && f.RequestID == 0 {
			hs, err = tx.PartyHistory(actor, sid, f.Limit)
		} else {
			hs, err = tx.History(actor, sid, f.RequestID, f.Limit)
		}
		if err == nil && formerly != nil && len(hs) == 0 {
			return formerly
		}
		return err
	})
	return hs, err
}

// SupportHistory lists what support staff did, as nobody's account (the
// desk's settings, API keys, accounts and services added), newest first,
// at most limit lines (0: all). It is support's own view: no account's
// History shows those about no service (settings, API keys).
func (d *Desk) SupportHistory(ctx context.Context, limit int) ([]HistoryEntry, error) {
	var hs []HistoryEntry
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		var err error
		hs, err = tx.History(SupportActor, 0, 0, limit)
		return err
	})
	return hs, err
}

// notDomain refuses what only a domain has: owner details.
func notDomain(s Service) error {
	return fail(ErrNotDomain, "service", "err.service.not_domain", locale.Args{"Service": s.Name, "Type": ServiceType(s.Type)})
}
