package model

import (
	"context"
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
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		if _, err := actorAccount(tx, actor); err != nil {
			return err
		}
		var err error
		as, err = tx.Acquaintances(actor)
		return err
	})
	return as, err
}
