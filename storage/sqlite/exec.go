package sqlite

import (
	"context"
	"database/sql"

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

func (x *exec) Query(q string, args ...any) (sqlstore.Rows, error) {
	return x.tx.QueryContext(x.ctx, q, args...)
}

// CopyRows inserts with multi-row INSERTs of 960 values at most (80
// services, 160 history lines), well under SQLite's limit of bound
// values; larger statements gain nothing.
func (x *exec) CopyRows(table string, cols []string, n int, row func(i int) []any) error {
	return sqlstore.InsertMany(x, table, cols, n, 960, row)
}
