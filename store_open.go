package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/storage"
	"contactdesk/storage/postgres"
)

// poolFlag registers --pool, the size of the PostgreSQL connection pool.
func poolFlag(fs *flag.FlagSet, o *opts) {
	fs.IntVar(&o.pool, "pool", o.pool, "with a PostgreSQL --db: at most `N` connections to the server (default: the URL's pool_max_conns, else 4 or the number of CPUs)")
}

// openStore opens the database named by --db (or $CONTACTDESK_DB): a
// postgres:// or postgresql:// URL names a PostgreSQL database (create
// gives an empty one the schema; pool, when not 0, sizes its pool of
// connections), anything else a SQLite file (create makes it when it is
// missing).
func openStore(ctx context.Context, path string, create bool, pool int) (model.Store, error) {
	if pool < 0 || pool > 10000 {
		return nil, &usageError{msg: "--pool takes a number of connections from 1 to 10000"}
	}
	if postgres.IsURL(path) {
		db, err := postgres.Open(ctx, path, postgres.Options{Create: create, MaxConns: int32(pool)})
		if err != nil {
			return nil, err
		}
		return db, nil
	}
	db, err := storage.Open(path, storage.Options{Create: create})
	if err != nil {
		return nil, err
	}
	return db, nil
}

// dbExists reports whether path names a desk already: an existing file,
// or a PostgreSQL database that has the contactdesk schema. Any other
// answer from the server says no; opening it then says why.
func dbExists(ctx context.Context, path string) bool {
	if !postgres.IsURL(path) {
		_, err := os.Stat(path)
		return err == nil
	}
	db, err := postgres.Open(ctx, path, postgres.Options{})
	if err != nil {
		return false
	}
	db.Close()
	return true
}

// dbMissing reports whether path names no desk yet, one that the
// terminal app may create with the demo data: a file that does not
// exist, or a PostgreSQL database without the contactdesk schema.
func dbMissing(ctx context.Context, path string) bool {
	if !postgres.IsURL(path) {
		_, err := os.Stat(path)
		return errors.Is(err, os.ErrNotExist)
	}
	db, err := postgres.Open(ctx, path, postgres.Options{})
	if err != nil {
		return errors.Is(err, postgres.ErrMissing)
	}
	db.Close()
	return false
}

// demoBuilder returns how the demo command fills path: buildDemo for a
// SQLite file (its existence was checked before). A PostgreSQL database
// is filled when empty; one that holds data is refused, or with force
// replaced, in the one transaction that loads the demo (a failure leaves
// what was there).
func demoBuilder(path string, force bool) func(c *cli, path string, services int, progress func(int, int)) (demo.Summary, error) {
	if !postgres.IsURL(path) {
		return buildDemo
	}
	return func(c *cli, url string, services int, progress func(int, int)) (demo.Summary, error) {
		db, err := postgres.Open(c.ctx, url, postgres.Options{Create: true, StatementTimeout: -1})
		if err != nil {
			return demo.Summary{}, err
		}
		defer db.Close()
		have, err := db.Counts(c.ctx)
		if err != nil {
			return demo.Summary{}, err
		}
		var st model.Store = db
		if have.Total() > 0 {
			if !force {
				return demo.Summary{}, fmt.Errorf("%s already holds a desk (%s); demo won't touch it (--force replaces it)", db.Where(), have)
			}
			st = db.Replacing()
		}
		return demo.Load(c.ctx, model.NewDesk(st, model.Options{Clock: c.clock()}), demo.Options{Services: services, Progress: progress})
	}
}
