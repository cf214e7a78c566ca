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
func (c Counts) Total() int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

// Counts counts the rows of every table.
func (db *DB) Counts(ctx context.Context) (Counts, error) {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, db.friendly(err, false)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	return db.counts(ctx, tx)
}

func (db *DB) counts(ctx context.Context, tx pgx.Tx) (Counts, error) {
	c := Counts{}
	for _, t := range sqlstore.Tables {
		var n int64
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+t.Name).Scan(&n); err != nil {
			return nil, db.friendly(err, false)
		}
		c[t.Name] = n
	}
	return c, nil
}

// Import copies the desk src into db, which must hold no data: every
// row of every table, ids kept, the sequences moved past them. It reads
// one snapshot of src and writes in one transaction, so a failure leaves
// db as empty as it was.
func (db *DB) Import(ctx context.Context, src sqlstore.Source) (Counts, error) {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable})
	if err != nil {
		return nil, db.friendly(err, false)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
		return nil, db.friendly(err, false)
	}
	have, err := db.counts(ctx, tx)
	if err != nil {
		return nil, err
	}
	if have.Total() > 0 {
		return nil, fmt.Errorf("%s is %w: it holds %s; migrate copies a desk only into an empty database", db.where, ErrNotEmpty, have)
	}
	copied := Counts{}
	err = src.ReadTables(ctx, func(t sqlstore.Table, next func() ([]any, error)) error {
		// COPY asks for rows until it is given none.
		n, err := tx.CopyFrom(ctx, pgx.Identifier{t.Name}, t.ColNames(), pgx.CopyFromFunc(next))
		if err != nil {
			return fmt.Errorf("copying %s from %s: %w", t.Name, src.Where(), db.friendly(err, false))
		}
		copied[t.Name] = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range sqlstore.Tables {
		if !t.Identity {
			continue
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), coalesce((SELECT max(id) FROM %[1]s), 0) + 1, false)", t.Name)); err != nil {
			return nil, db.friendly(err, false)
		}
	}
	// Statistics for the planner at once (see update).
	if _, err := tx.Exec(ctx, "ANALYZE"); err != nil {
		return nil, db.friendly(err, false)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", Channel, db.node); err != nil {
		return nil, db.friendly(err, false)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, db.friendly(err, true)
	}
	return copied, nil
}

// Empty reports whether the database holds no data at all.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	c, err := db.Counts(ctx)
	return err == nil && c.Total() == 0, err
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
	err := r.DB.updateX(ctx, func(x *exec) error {
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
