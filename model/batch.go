package model

import (
	"context"
	"fmt"
	"time"
)

// Batch runs many actions in one transaction, each at a time the caller
// sets, with every rule applied as usual. The demo loader builds large
// desks with it; a refusal aborts the whole batch.
type Batch struct {
	d  *Desk
	tx Tx
	w  *work
}

// Batch runs fn in one write transaction. Everything fn did is committed
// when it returns nil, nothing otherwise.
func (d *Desk) Batch(ctx context.Context, fn func(*Batch) error) error {
	start := time.Now()
	err := d.store.Update(ctx, func(tx Tx) error {
		b := &Batch{d: d, tx: tx, w: &work{now: d.clock.Now(), tokens: map[int64]map[Handle]string{}}}
		return fn(b)
	})
	d.observed(ActBatch, start, err)
	if err != nil {
		return storageErr(err)
	}
	d.broker.Publish(Change{All: true})
	return nil
}

// SetTime sets the time of the actions that follow.
func (b *Batch) SetTime(t time.Time) { b.w.now = t.UTC() }

// Time returns the time actions are recorded at.
func (b *Batch) Time() time.Time { return b.w.now }

// AddAccount is Desk.AddAccount within the batch.
func (b *Batch) AddAccount(in NewAccount) (Account, error) { return b.d.addAccount(b.tx, b.w, in) }

// AddService is Desk.AddService within the batch.
func (b *Batch) AddService(in NewService) (Service, error) { return b.d.addService(b.tx, b.w, in) }

// SetEmail changes actor's e-mail address at once, as a loader of past
// events records a change that was proven then; a live change of address
// goes through AskEmailChange and ConfirmEmail.
func (b *Batch) SetEmail(actor Handle, email string) (Account, error) {
	email, err := CheckEmail("email", email)
	if err != nil {
		return Account{}, err
	}
	a, err := actorAccount(b.tx, actor)
	if err != nil {
		return Account{}, err
	}
	if err := b.tx.SetEmail(actor, email); err != nil {
		return Account{}, err
	}
	old := a.Email
	a.Email = email
	return a, b.d.record(b.tx, b.w, actor, ActEmail, 0, 0, fmt.Sprintf("e-mail address changed from %s to %s", old, email))
}

// SetOwner is Desk.SetOwner within the batch.
func (b *Batch) SetOwner(actor Handle, service string, c OwnerChange) (Service, error) {
	return b.d.setOwner(b.tx, b.w, actor, service, c)
}

// CreateRequest is Desk.CreateRequest within the batch.
func (b *Batch) CreateRequest(actor Handle, in NewRequest) ([]Request, error) {
	return b.d.createRequest(b.tx, b.w, actor, in)
}

// Accept answers for actor with the token the batch issued it.
func (b *Batch) Accept(actor Handle, id int64) (Request, error) {
	return b.d.answerIn(b.tx, b.w, actor, id, b.token(actor, id), AnswerAccepted)
}

// Refuse refuses for actor with the token the batch issued it.
func (b *Batch) Refuse(actor Handle, id int64) (Request, error) {
	return b.d.answerIn(b.tx, b.w, actor, id, b.token(actor, id), AnswerRefused)
}

// Cancel is Desk.Cancel within the batch.
func (b *Batch) Cancel(actor Handle, id int64) (Request, error) {
	return b.d.cancel(b.tx, b.w, actor, id)
}

// ExpireDue records the expiry of the requests past their validity at
// the batch's time.
func (b *Batch) ExpireDue() (int, error) { return b.d.expireDue(b.tx, b.w) }

// Record writes a history line as it is (for past events a loader imports).
func (b *Batch) Record(e HistoryEntry) error {
	if e.At.IsZero() {
		e.At = b.w.now
	}
	return b.tx.InsertHistory(&e)
}

// token returns the token the batch issued actor for request id, or ""
// (which the token check refuses) when it issued none.
func (b *Batch) token(actor Handle, id int64) string { return b.w.tokens[id][actor] }

// Service reads a service as it stands in the batch.
func (b *Batch) Service(name string) (Service, error) { return b.tx.Service(name) }

// BulkTx is a Tx that can insert many rows at once; a loader uses it when
// the backend has it, and one row at a time otherwise.
type BulkTx interface {
	// InsertAccounts stores the accounts.
	InsertAccounts(as []Account) error
	// InsertServices stores the services and sets their IDs.
	InsertServices(ss []*Service) error
	// InsertHistories stores the entries.
	InsertHistories(es []HistoryEntry) error
}

// ImportServices stores services made elsewhere (a loader's), checking
// their names and types here and their contacts by the store's foreign
// keys, and records each one's creation with the given history lines. A
// domain without owner details gets its admin's name as holder.
func (b *Batch) ImportServices(ss []*Service, history []HistoryEntry) error {
	for _, s := range ss {
		name, err := CheckServiceName(s.Name)
		if err != nil {
			return err
		}
		typ, err := CheckServiceType(s.Type)
		if err != nil {
			return err
		}
		s.Name, s.Type = name, typ
		if s.Created.IsZero() {
			s.Created = b.w.now
		}
		if typ == TypeDomain && s.Owner == nil {
			s.Owner = &Owner{Holder: string(s.Admin)}
		}
	}
	bulk, ok := b.tx.(BulkTx)
	if !ok {
		for _, s := range ss {
			if err := b.tx.InsertService(s); err != nil {
				return err
			}
		}
		for i := range history {
			if err := b.tx.InsertHistory(&history[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := bulk.InsertServices(ss); err != nil {
		return err
	}
	return bulk.InsertHistories(history)
}
