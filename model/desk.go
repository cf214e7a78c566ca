package model

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"contactdesk/internal/ratelimit"
	"contactdesk/locale"
)

// Throttling of wrong tokens: after MaxTokenFailures wrong tokens from one
// account on one request within TokenFailureWindow, that account's tries
// on it are refused for TokenLockout.
const (
	MaxTokenFailures   = 5
	TokenFailureWindow = 15 * time.Minute
	TokenLockout       = 15 * time.Minute
	DefaultValidity    = 15 * 24 * time.Hour
)

// MaxNamedAmiss is how many requests (or plans of one) naming a new
// contact that does not exist, or that owes money, an account may make
// in an hour (refilled one every two minutes), in one process: each
// refusal says so, as the rules require, and with no bound a customer
// could check, silently, whether handle after handle is a customer and
// pays its bills. Past it, the desk names no new contact for the
// account until one is refilled.
const MaxNamedAmiss = 30

// Desk is the domain's entry point: every action a user can take, with its
// rules, each run in one transaction of the store. Every door calls it:
// the command line, the terminal app (locally and over SSH), the web
// page of a mail's link and the HTTP API.
type Desk struct {
	store       Store
	clock       Clock
	validity    time.Duration
	broker      *Broker
	requestRate int              // requests an account may ask for in an hour; < 0: no limit
	amiss       *ratelimit.Keyed // by account: refusals naming a new contact amiss
	onCommit    []func()
	observe     func(action string, o Outcome, took time.Duration)
	// newer is the refusal of the store once it found the database
	// upgraded by a newer contactdesk (see failure); onNewer is told of
	// it, once.
	newer     atomic.Pointer[NewerSchemaError]
	newerOnce sync.Once
	newerMu   sync.Mutex // guards onNewer
	onNewer   []func(*NewerSchemaError)
}

// Options configure a Desk; zero values take the defaults.
type Options struct {
	Clock    Clock         // default: SystemClock
	Validity time.Duration // default: DefaultValidity
	Broker   *Broker       // default: a new broker
	// RequestsPerHour is how many requests an account may ask for in an
	// hour (default MaxRequestsPerHour; NoLimit for none — benchmarks and
	// tests that make requests at machine speed).
	RequestsPerHour int
	// Observe, when set, is told of every write transaction the desk
	// runs, after it ends: the action (a fixed word such as
	// ActRequestCreate, never a handle or an address), how it ended, and
	// how long it took, waiting for the store included. It runs on the
	// caller's goroutine: it must return at once (metrics count with it).
	Observe func(action string, o Outcome, took time.Duration)
}

// Outcome is how a write ended, for Options.Observe.
type Outcome string

// The outcomes of a write.
const (
	OutcomeDone    Outcome = "done"    // committed
	OutcomeRefused Outcome = "refused" // a rule refused it: nothing changed
	OutcomeFailed  Outcome = "failed"  // the store failed, or the caller gave up
)

// outcomeOf says how a write that returned err ended.
func outcomeOf(err error) Outcome {
	switch {
	case err == nil:
		return OutcomeDone
	case IsRefusal(err):
		return OutcomeRefused
	}
	return OutcomeFailed
}

// Actions of Options.Observe that write no history line of their own
// name.
const (
	ActMailRead       = "mailbox.read"
	ActBatch          = "batch"          // a loader's batch (the demo)
	ActImport         = "import"         // Desk.Import
	ActOutboxClaim    = "outbox.claim"   // the SMTP sender takes mails to send
	ActOutboxRelease  = "outbox.release" // … gives back mails it did not try
	ActOutboxHandOver = "outbox.handover"
	ActOutboxRecord   = "outbox.record" // … records the server's answer
)

// observed tells Options.Observe how the write begun at start ended.
func (d *Desk) observed(action string, start time.Time, err error) {
	if d.observe != nil {
		d.observe(action, outcomeOf(err), time.Since(start))
	}
}

// NoLimit turns a limit of Options off.
const NoLimit = -1

// NewDesk returns a desk over store.
func NewDesk(store Store, o Options) *Desk {
	d := &Desk{store: store, clock: o.Clock, validity: o.Validity, broker: o.Broker, requestRate: o.RequestsPerHour, observe: o.Observe,
		amiss: ratelimit.New(MaxNamedAmiss, time.Hour/MaxNamedAmiss, 0)}
	if d.requestRate == 0 {
		d.requestRate = MaxRequestsPerHour
	}
	if d.clock == nil {
		d.clock = SystemClock{}
	}
	if d.validity == 0 {
		d.validity = DefaultValidity
	}
	if d.broker == nil {
		d.broker = NewBroker()
	}
	return d
}

// Store returns the store the desk works on.
func (d *Desk) Store() Store { return d.store }

// Broker returns the broker the desk publishes its changes on.
func (d *Desk) Broker() *Broker { return d.broker }

// Now returns the desk's time.
func (d *Desk) Now() time.Time { return d.clock.Now() }

// OnCommit registers f to run after every committed write (the SMTP
// outbox uses it to send what was just queued).
func (d *Desk) OnCommit(f func()) { d.onCommit = append(d.onCommit, f) }

// OnNewerSchema registers f to be told, once, that the database was
// found upgraded by a newer contactdesk while this one had it open (by
// a write, Ping or SettleExpiries): from then on this desk changes
// nothing (serve logs it, and its health checks fail). f runs on the
// goroutine of the call that found it, and must return at once.
func (d *Desk) OnNewerSchema(f func(*NewerSchemaError)) {
	d.newerMu.Lock()
	defer d.newerMu.Unlock()
	d.onNewer = append(d.onNewer, f)
}

// failure is what a call of the desk that failed with err returns. A
// database found upgraded by a newer contactdesk is told once (see
// OnNewerSchema); from then on, any other failure of the store says
// that first: it is its likely cause (a column the newer schema
// dropped), and the remedy.
func (d *Desk) failure(err error) error {
	if err == nil || IsRefusal(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var ns *NewerSchemaError
	if errors.As(err, &ns) {
		d.newerOnce.Do(func() {
			d.newer.Store(ns)
			d.newerMu.Lock()
			fs := d.onNewer
			d.newerMu.Unlock()
			for _, f := range fs {
				f(ns)
			}
		})
		return err
	}
	if ns := d.newer.Load(); ns != nil {
		return fmt.Errorf("%w (%w)", ns, err)
	}
	return err
}

// Subscribe returns the changes concerning h as they are committed.
func (d *Desk) Subscribe(h Handle) (<-chan Change, func()) { return d.broker.Subscribe(h) }

// work is what one write collects besides its data: who must be told, and
// what to record even when the action itself is refused.
type work struct {
	now     time.Time
	touched []Handle
	// onRefusal is written, in a transaction of its own whose work is
	// told, when the action is refused (a wrong token is counted although
	// nothing else changes).
	onRefusal func(tx Tx, told *work) error
	// tokens keeps the tokens issued, by request and party, for a Batch
	// to answer with; nil outside a batch (which announces everything
	// as changed, so it keeps no list of who was touched).
	tokens map[int64]map[Handle]string
	// settings are the desk's settings, read once by the write that
	// needs them (settingsOf).
	settings Settings
	// all says that the write changed what every screen may show (a
	// setting): the other nodes are told so, whoever it touched.
	all bool
}

// inBatch reports whether the work is a Batch's, which loads past events
// at times it sets: the limits on mail per hour do not apply to it.
func (w *work) inBatch() bool { return w.tokens != nil }

func (w *work) touch(hs ...Handle) {
	if w.tokens != nil {
		return
	}
	for _, h := range hs {
		if h != "" && !slices.Contains(w.touched, h) {
			w.touched = append(w.touched, h)
		}
	}
}

// touchContacts touches the contacts of service id: a request made on
// it, or ended, changes what each of their screens shows of it (the
// services' pending mark, the Edit contacts form's roles), parties to
// it or not.
func (w *work) touchContacts(tx Tx, id int64) error {
	if w.inBatch() {
		return nil
	}
	s, err := tx.ServiceByID(id)
	if err != nil {
		return err
	}
	w.touch(s.Admin, s.Tech, s.Billing)
	return nil
}

// update runs fn, the action named, in one write transaction, after
// settling the requests that expired. When fn refuses, the expiries it
// saw and what fn asked to keep (onRefusal) are still recorded, in a
// second transaction.
func (d *Desk) update(ctx context.Context, action string, fn func(tx Tx, w *work) error) error {
	start := time.Now()
	ctx, cancel := limited(ctx)
	defer cancel()
	err := d.failure(d.transact(ctx, fn))
	d.observed(action, start, err)
	return err
}

func (d *Desk) transact(ctx context.Context, fn func(tx Tx, w *work) error) error {
	var w *work
	var expired bool
	err := d.store.Update(ctx, func(tx Tx) error {
		w = &work{now: d.clock.Now()}
		n, err := d.expireDue(tx, w)
		if err != nil {
			return err
		}
		expired = n > 0
		if err := fn(tx, w); err != nil {
			return err
		}
		announce(tx, w)
		return nil
	})
	if err == nil {
		d.committed(w)
		return nil
	}
	if !IsRefusal(err) || (!expired && w.onRefusal == nil) {
		return storageErr(err)
	}
	keep := w.onRefusal
	var w2 *work
	if err2 := d.store.Update(ctx, func(tx Tx) error {
		w2 = &work{now: d.clock.Now()}
		if _, err := d.expireDue(tx, w2); err != nil {
			return err
		}
		if keep != nil {
			if err := keep(tx, w2); err != nil {
				return err
			}
		}
		announce(tx, w2)
		return nil
	}); err2 != nil {
		return storageErr(err2)
	}
	d.committed(w2)
	return err
}

// announce tells the store's other nodes, when it has any (Announcer),
// whose screens show what w changed: the accounts it touched, as this
// node's broker is told in committed. A write that touched no one, or
// changed what everyone's screens show (w.all), is not announced, so is
// "anything may have changed": the other nodes reload every screen.
func announce(tx Tx, w *work) {
	if !w.all && len(w.touched) > 0 {
		announceTo(tx, w.touched...)
	}
}

func (d *Desk) committed(w *work) {
	if len(w.touched) > 0 {
		d.broker.Publish(Change{Handles: w.touched})
	}
	for _, f := range d.onCommit {
		f()
	}
}

// view runs fn in a read-only transaction.
func (d *Desk) view(ctx context.Context, fn func(tx Tx, now time.Time) error) error {
	ctx, cancel := limited(ctx)
	defer cancel()
	return d.failure(storageErr(d.store.View(ctx, func(tx Tx) error { return fn(tx, d.clock.Now()) })))
}

type callLimitKey struct{}

// WithCallLimit returns a copy of ctx with which each read and each
// write of the desk, waiting for the store included, is given at most
// limit (each, not all together); a context derived from it keeps the
// limit. A door that makes its calls with one context for a long while
// (a session of the terminal app) bounds them so, as the HTTP doors
// bound theirs with a deadline per request: a database that hangs (a
// network partition) fails the call with context.DeadlineExceeded once
// the limit passes, rather than holding it until the database answers.
// A write that fails so changed nothing, unless the error is also
// ErrMaybeSaved (its COMMIT went unanswered).
func WithCallLimit(ctx context.Context, limit time.Duration) context.Context {
	return context.WithValue(ctx, callLimitKey{}, limit)
}

// limited gives a call its limit, when ctx carries one (WithCallLimit).
func limited(ctx context.Context) (context.Context, context.CancelFunc) {
	if limit, ok := ctx.Value(callLimitKey{}).(time.Duration); ok && limit > 0 {
		return context.WithTimeout(ctx, limit)
	}
	return ctx, func() {}
}

// storageErr marks an error that is not a rule's refusal as a storage
// failure, keeping its text.
func storageErr(err error) error {
	if err == nil || IsRefusal(err) || errors.Is(err, ErrStorage) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrStorage, err)
}

// account loads an account, or refuses with a message naming it.
func account(tx Tx, h Handle, field string, kind error) (Account, error) {
	a, err := tx.Account(h)
	if errors.Is(err, ErrNoRow) {
		return Account{}, fail(kind, field, "err.account.none", locale.Args{"Handle": h})
	}
	return a, err
}

// actorAccount loads the acting account.
func actorAccount(tx Tx, h Handle) (Account, error) {
	if h == "" {
		return Account{}, fail(ErrUnknownAccount, "as", "err.account.say_which")
	}
	return account(tx, h, "as", ErrUnknownAccount)
}

// heldService loads a service the actor holds a role on. Services the
// actor has nothing to do with are "not found", as they are not even
// listed for it.
func heldService(tx Tx, actor Handle, name string) (Service, error) {
	n, err := CheckServiceName(name)
	if err != nil {
		// A name this desk refuses may still be the name of a service
		// stored by an older version or another tool: the actor reaches
		// it by the name it is listed with, exactly.
		if s, err2 := tx.Service(name); err2 == nil && len(s.RolesOf(actor)) > 0 {
			return s, nil
		}
		return Service{}, err
	}
	s, err := tx.Service(n)
	if errors.Is(err, ErrNoRow) || (err == nil && len(s.RolesOf(actor)) == 0) {
		return Service{}, fail(ErrNotFound, "service", "err.service.not_found", locale.Args{"Service": n, "Handle": actor})
	}
	return s, err
}

// partyRequest loads a request the actor is a party to; others are "not found".
func (d *Desk) partyRequest(tx Tx, actor Handle, id int64, now time.Time) (Request, error) {
	r, err := tx.Request(id)
	if errors.Is(err, ErrNoRow) {
		return Request{}, noRequest(id, actor)
	}
	if err != nil {
		return Request{}, err
	}
	if _, ok := r.Party(actor); !ok {
		return Request{}, noRequest(id, actor)
	}
	return effective(r, now), nil
}

// effective shows a request as it stands at now: one past its expiry is
// expired, whether or not a write has recorded it yet.
func effective(r Request, now time.Time) Request {
	if r.State == StateValidating && !now.Before(r.Expires) {
		r.State = StateExpired
		r.Reason = expiryReason(r).In(english)
		r.Ended = r.Expires
	}
	return r
}

func noRequest(id int64, actor Handle) error {
	return fail(ErrNotFound, "request", "err.request.not_found", locale.Args{"ID": id, "Handle": actor})
}

// FormatDuration writes a validity as people say it, in English: "15
// days", "48 hours", "90 seconds" (locale's Duration in any language).
func FormatDuration(d time.Duration) string { return english.Duration(d) }

// expireDue records the expiry of every request past its validity, with
// its outcome mails. It returns how many it ended.
func (d *Desk) expireDue(tx Tx, w *work) (int, error) {
	due, err := tx.DueRequests(w.now)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	for _, r := range due {
		// It ended when its validity ran out, whenever a write notices.
		if err := d.end(tx, w, &r, StateExpired, expiryReason(r), SystemActor, ActRequestExpire); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// end closes a request: its state, the history line, every party's
// outcome mail, and the retirement of its unused tokens.
// r is updated to its new state. The reason is stored in English, and
// written in each party's language in its mail.
func (d *Desk) end(tx Tx, w *work, r *Request, s State, why locale.Message, actor Handle, action string) error {
	reason := ""
	if !why.IsZero() {
		reason = why.In(english)
	}
	at := w.now
	if s == StateExpired {
		at = r.Expires
	}
	if err := tx.EndRequest(r.ID, s, reason, at); err != nil {
		return err
	}
	toks, err := tx.Tokens(r.ID)
	if err != nil {
		return err
	}
	for _, t := range toks {
		if t.State == TokenActive {
			if err := tx.SetTokenState(t.ID, TokenReplaced); err != nil {
				return err
			}
		}
	}
	r.State, r.Reason, r.Ended = s, reason, at
	if err := tx.InsertHistory(&HistoryEntry{At: at, Actor: actor, Action: action, ServiceID: r.ServiceID, RequestID: r.ID, Detail: outcomeDetail(*r)}); err != nil {
		return err
	}
	as, err := partyAccounts(tx, *r)
	if err != nil {
		return err
	}
	for _, p := range r.Parties {
		a, err := partyAccount(tx, as, p.Handle)
		if err != nil {
			return err
		}
		if err := d.sendOutcome(tx, w, *r, why, a); err != nil {
			return err
		}
		w.touch(p.Handle)
	}
	return w.touchContacts(tx, r.ServiceID)
}

func outcomeDetail(r Request) string {
	if r.State == StateDone {
		return fmt.Sprintf("%s of %s moved from %s to %s", r.RoleList(), r.Service, r.From, r.To)
	}
	return fmt.Sprintf("%s: %s", r.State, r.Reason)
}

// record writes a history line.
func (d *Desk) record(tx Tx, w *work, actor Handle, action string, serviceID, requestID int64, detail string) error {
	return tx.InsertHistory(&HistoryEntry{At: w.now, Actor: actor, Action: action, ServiceID: serviceID, RequestID: requestID, Detail: detail})
}

// SettleExpiries records, every interval until ctx ends, the expiry of
// the requests whose validity ran out meanwhile, with their outcome mails
// and history, as any write records them first: on a quiet desk no write
// came to, and the parties were told nothing, their screens showing the
// request still waiting. It looks with one read (the index of open
// requests, and the schema's version: a database that a newer
// contactdesk upgraded is found so), and writes only when one is due. Several processes may do
// it at once: the write finds what is due again, in its transaction.
func (d *Desk) SettleExpiries(ctx context.Context, every time.Duration) {
	each(ctx, every, func() { d.settleExpiries(ctx) })
}

// each calls f every interval until ctx ends.
func each(ctx context.Context, every time.Duration, f func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

// settleExpiries records what expired, if anything did.
func (d *Desk) settleExpiries(ctx context.Context) error {
	var due []Request
	err := d.view(ctx, func(tx Tx, now time.Time) (err error) {
		// a database that a newer contactdesk upgraded is found here,
		// on a quiet desk too (and told once: OnNewerSchema)
		if err := tx.CheckSchema(); err != nil {
			return err
		}
		due, err = tx.DueRequests(now)
		return err
	})
	if err != nil || len(due) == 0 {
		return err
	}
	// the write settles them before its (empty) work, as every write does
	return d.update(ctx, ActRequestExpire, func(Tx, *work) error { return nil })
}

// Watch notices writes made by other processes (the CLI, another node)
// when the store can tell, and publishes them: as the change of the
// accounts they touched when the store knows them (ChangeWatcher:
// PostgreSQL's other nodes announce it), else as Change{All: true}. It
// polls one cheap question every interval until ctx ends; it returns at
// once when the store cannot tell.
func (d *Desk) Watch(ctx context.Context, every time.Duration) {
	if cw, ok := d.store.(ChangeWatcher); ok {
		cw.Changes(ctx) // set the baseline
		each(ctx, every, func() {
			if c, changed, err := cw.Changes(ctx); err == nil && changed {
				d.broker.Publish(c)
			}
		})
		return
	}
	w, ok := d.store.(Watcher)
	if !ok {
		return
	}
	w.Changed(ctx) // set the baseline
	each(ctx, every, func() {
		if changed, err := w.Changed(ctx); err == nil && changed {
			d.broker.Publish(Change{All: true})
		}
	})
}
