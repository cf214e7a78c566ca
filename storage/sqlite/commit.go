package sqlite

import (
	"context"
	"errors"
	"fmt"

	"contactdesk/model"
	"contactdesk/storage/sqlstore"
)

// Group commit. Every write transaction ends with a sync of the WAL
// (synchronous=FULL), which takes about 0.3 ms on the machine of
// BENCHMARKS.md and is most of a write's cost; SQLite has one writer at a
// time, so while one commit waits for the disk, the writes of other users
// can only wait too. Here they are gathered instead: the writes that
// arrive while a commit is under way run, each in a savepoint of its own,
// in the next transaction, and one sync commits them all. A write that
// fails is rolled back to its savepoint, alone; each caller learns its own
// outcome only once the commit that holds its write is durable.
// A write alone runs as it did before, in a transaction of its own.

// maxGroup bounds how many writes share a transaction.
const maxGroup = 64

// errClosed is what a write gets once the database is closed.
var errClosed = errors.New("sqlite: the database is closed")

// job is one caller's write transaction, waiting for the committer.
type job struct {
	ctx     context.Context
	fn      func(model.Tx) error
	done    chan error
	panicky any // what fn panicked with, to panic again in the caller
}

// Update runs fn in a write transaction, alone or with writes that
// arrived at the same time (see maxGroup): everything fn wrote is
// committed when it returns nil, nothing when it returns an error.
func (db *DB) Update(ctx context.Context, fn func(model.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if db.readOnly {
		return fmt.Errorf("%s: %w; nothing was changed", db.path, ErrReadOnlyOpen)
	}
	j := &job{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.jobs <- j:
	case <-db.stopCommits:
		return errClosed
	}
	err := <-j.done
	if j.panicky != nil {
		panic(j.panicky)
	}
	return err
}

// committer runs the writes, a group at a time, until the database is
// closed.
func (db *DB) committer() {
	defer close(db.commitsDone)
	for {
		var group []*job
		select {
		case j := <-db.jobs:
			group = append(group, j)
		case <-db.stopCommits:
			return
		}
	gather:
		for len(group) < maxGroup {
			select {
			case j := <-db.jobs:
				group = append(group, j)
			default:
				break gather
			}
		}
		db.commit(group)
	}
}

// commit runs a group of writes in one transaction and tells each its
// outcome once the transaction is committed (or not).
func (db *DB) commit(group []*job) {
	errs := make([]error, len(group))
	tell := func() {
		for i, j := range group {
			j.done <- errs[i]
		}
	}
	tx, err := db.writer.BeginTx(context.Background(), nil)
	if err != nil {
		for i := range errs {
			errs[i] = db.friendly(err)
		}
		tell()
		return
	}
	alone := len(group) == 1
	var broken error // the transaction itself failed: nothing of it can commit
	for i, j := range group {
		if err := j.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if !alone {
			if _, err := tx.Exec("SAVEPOINT write"); err != nil {
				broken = err
				break
			}
		}
		// One caller giving up must not interrupt the statements of
		// a transaction that holds others' writes: fn runs to its end.
		err := run(j, sqlstore.New(&exec{ctx: context.WithoutCancel(j.ctx), tx: tx}))
		if err != nil {
			errs[i] = err
			if alone {
				break
			}
			// If SQLite rolled the whole transaction back (it may, on a
			// full disk or an I/O error), the savepoint is gone too.
			if _, err := tx.Exec("ROLLBACK TO write"); err != nil {
				broken = err
				break
			}
		}
		if !alone {
			if _, err := tx.Exec("RELEASE write"); err != nil {
				broken = err
				break
			}
		}
	}
	switch {
	case broken != nil:
		tx.Rollback()
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("the transaction holding this write failed: %w", broken)
			}
		}
	case alone && errs[0] != nil:
		tx.Rollback()
	default:
		if err := tx.Commit(); err != nil {
			for i := range errs {
				if errs[i] == nil {
					errs[i] = err
				}
			}
			break
		}
		db.committed()
	}
	for i := range errs {
		errs[i] = db.friendly(errs[i])
	}
	tell()
	if db.finish.CompareAndSwap(true, false) {
		// Done, not failed, whatever this says: the next run retries.
		db.writer.Exec("PRAGMA wal_checkpoint(PASSIVE)")
	}
}

// run calls the job's fn, turning a panic into an error here (so that
// the group's transaction is rolled back to the job's savepoint) and
// keeping it to panic again in the caller.
func run(j *job, tx model.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			j.panicky = p
			err = fmt.Errorf("sqlite: a write panicked: %v", p)
		}
	}()
	return j.fn(tx)
}
