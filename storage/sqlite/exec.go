package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"contactdesk/model"
	"contactdesk/storage/sqlstore"
)

// exec runs a transaction's statements for sqlstore.
//
// Statements are run as text: the driver keeps each connection's
// prepared statements in a cache (StmtCacheSize, set in the DSN) and
// finds them there by their text, so a statement is prepared once per
// connection rather than once per transaction. (A statement prepared
// through database/sql in a transaction dies with it; one prepared on
// the pool can't be prepared while the writer's one connection is in a
// transaction.)
type exec struct {
	ctx context.Context
	tx  *sql.Tx
}

func (x *exec) Dialect() sqlstore.Dialect { return sqlstore.SQLite }

func (x *exec) Exec(q string, args ...any) (int64, error) {
	res, err := x.tx.ExecContext(x.ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (x *exec) Insert(q string, args ...any) (int64, error) {
	var id int64
	err := x.QueryRow(q, args...).Scan(&id)
	return id, err
}

func (x *exec) Query(q string, args ...any) (sqlstore.Rows, error) {
	return x.tx.QueryContext(x.ctx, q, args...)
}

func (x *exec) QueryRow(q string, args ...any) sqlstore.Row {
	return row{x.tx.QueryRowContext(x.ctx, q, args...)}
}

type row struct{ r *sql.Row }

func (r row) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return model.ErrNoRow
	}
	return err
}

// CopyRows inserts with multi-row INSERTs of 960 values at most (80
// services, 160 history lines), well under SQLite's limit of bound
// values; larger statements gain nothing.
func (x *exec) CopyRows(table string, cols []string, n int, row func(i int) []any) error {
	return sqlstore.InsertMany(x, table, cols, n, 960, row)
}

// ReserveIDs takes the ids after the largest: the writer is alone.
func (x *exec) ReserveIDs(table string, n int) ([]int64, error) {
	var last int64
	if err := x.tx.QueryRowContext(x.ctx, "SELECT coalesce(max(id), 0) FROM "+table).Scan(&last); err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = last + int64(i) + 1
	}
	return ids, nil
}
