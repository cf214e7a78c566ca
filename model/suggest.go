package model

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Acquaintances lists, by handle, the accounts actor already has to do
// with: the contacts of the services where actor holds a role and the
// parties of actor's requests (their requester, outgoing and incoming
// contacts), actor included. They are what a handle field may suggest to
// actor: on a desk shared by many customers, an account actor has
// nothing to do with is never shown to it. Only their handles and names
// are given: an address, a standing, a language are the account's own.
func (d *Desk) Acquaintances(ctx context.Context, actor Handle) ([]Account, error) {
	var as []Account
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		if _, err := actorAccount(tx, actor); err != nil {
			return err
		}
		seen := map[Handle]bool{actor: true}
		ss, err := tx.ServicesOf(actor, now)
		if err != nil {
			return err
		}
		for _, s := range ss {
			seen[s.Admin], seen[s.Tech], seen[s.Billing] = true, true, true
		}
		rs, err := tx.RequestsOf(actor)
		if err != nil {
			return err
		}
		for _, r := range rs {
			seen[r.Requester], seen[r.From], seen[r.To] = true, true, true
			for _, p := range r.Parties {
				seen[p.Handle] = true
			}
		}
		delete(seen, "")
		hs := make([]Handle, 0, len(seen))
		for h := range seen {
			hs = append(hs, h)
		}
		slices.Sort(hs)
		as = make([]Account, 0, len(hs))
		for _, h := range hs {
			a, err := tx.Account(h)
			if errors.Is(err, ErrNoRow) {
				continue
			}
			if err != nil {
				return err
			}
			as = append(as, Account{Handle: a.Handle, Name: a.Name})
		}
		return nil
	})
	return as, err
}
