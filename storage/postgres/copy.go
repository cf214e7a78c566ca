package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"contactdesk/model"
	"contactdesk/storage/sqlstore"
)

// Counts says how many rows each table holds, by table name.
type Counts map[string]int64

// String lists the counts in the tables' order: "accounts 8, services 15…".
func (c Counts) String() string {
	var parts []string
	for _, t := range sqlstore.Tables {
		parts = append(parts, fmt.Sprintf("%s %d", strings.ReplaceAll(t.Name, "_", " "), c[t.Name]))
	}
	return strings.Join(parts, ", ")
}

// Total is the number of rows in all.
func (c Counts) Total() (n int64) {
	for _, v := range c {
		n += v
	}
	return n
}

// Counts counts the rows of every table.
func (db *DB) Counts(ctx context.Context) (c Counts, err error) {
	err = db.view(ctx, func(x *exec) error { c, err = counts(x); return err })
	return c, err
}

func counts(x *exec) (Counts, error) {
	c := Counts{}
	for _, t := range sqlstore.Tables {
		n, err := sqlstore.New(x).Count(t.Name)
		if err != nil {
			return nil, err
		}
		c[t.Name] = n
	}
	return c, nil
}

// Import copies the desk src (named from, in messages) into db, which
// must hold no data: every row of every table, ids kept, the sequences
// moved past them. It reads one snapshot of src and writes in one
// transaction, so a failure leaves db as empty as it was.
func (db *DB) Import(ctx context.Context, src model.Store, from string) (copied Counts, err error) {
	err = db.update(ctx, func(x *exec) error {
		copied = Counts{}
		if _, err := x.Exec("SET LOCAL statement_timeout = 0"); err != nil {
			return err
		}
		have, err := counts(x)
		if err != nil {
			return err
		}
		if have.Total() > 0 {
			return fmt.Errorf("%s is %w: it holds %s; migrate copies a desk only into an empty database", db.where, ErrNotEmpty, have)
		}
		given := map[string]int64{}
		err = src.View(ctx, func(tx model.Tx) error {
			for _, t := range sqlstore.Tables {
				if t.Identity {
					n, err := tx.(*sqlstore.Tx).IDsGiven(t.Name)
					if err != nil {
						return fmt.Errorf("reading %s's ids from %s: %w", t.Name, from, err)
					}
					given[t.Name] = n
				}
				err := tx.(*sqlstore.Tx).ReadTable(t, func(next func() ([]any, error)) error {
					// COPY asks for rows until it is given none.
					n, err := x.tx.CopyFrom(ctx, pgx.Identifier{t.Name}, t.ColNames(), pgx.CopyFromFunc(next))
					copied[t.Name] = n
					return err
				})
				if err != nil {
					return fmt.Errorf("copying %s from %s: %w", t.Name, from, x.note(err))
				}
			}
			return nil
		})
		for _, t := range sqlstore.Tables {
			if err == nil && t.Identity {
				_, err = x.Exec(fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), greatest(coalesce((SELECT max(id) FROM %[1]s), 0), %[2]d) + 1, false)", t.Name, given[t.Name]))
			}
		}
		x.copied = true // statistics for the planner at once (see attempt)
		return err
	})
	return copied, err
}

// Replacing returns a store over db whose first committed Update begins
// by deleting every row, in the same transaction: what it writes
// replaces the desk, and if it fails the old desk is still there.
func (db *DB) Replacing() model.Store { return &replacing{DB: db} }

type replacing struct {
	*DB
	done bool
}

func (r *replacing) Update(ctx context.Context, fn func(model.Tx) error) error {
	if r.done {
		return r.DB.Update(ctx, fn)
	}
	err := r.DB.update(ctx, func(x *exec) error {
		names := make([]string, len(sqlstore.Tables))
		for i, t := range sqlstore.Tables {
			names[i] = t.Name
		}
		if _, err := x.Exec("TRUNCATE " + strings.Join(names, ", ") + " RESTART IDENTITY"); err != nil {
			return err
		}
		return fn(sqlstore.New(x))
	})
	r.done = err == nil
	return err
}
