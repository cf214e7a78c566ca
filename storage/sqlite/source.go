package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"contactdesk/storage/sqlstore"
)

var _ sqlstore.Source = (*DB)(nil)

// Where names the file, for messages.
func (db *DB) Where() string { return db.path }

// ReadTables reads every table of the desk in one snapshot, for a copy
// into another engine (sqlstore.Source).
func (db *DB) ReadTables(ctx context.Context, fn func(t sqlstore.Table, next func() ([]any, error)) error) error {
	tx, err := db.reader.BeginTx(ctx, nil)
	if err != nil {
		return db.friendly(err)
	}
	defer tx.Rollback()
	for _, t := range sqlstore.Tables {
		if err := readTable(ctx, tx, t, fn); err != nil {
			return db.friendly(err)
		}
	}
	return nil
}

// readTable reads one table; the driver gives each value its Go type
// (TEXT string, INTEGER int64, BLOB []byte, NULL nil), and a flag kept
// as 0 or 1 is made a bool.
func readTable(ctx context.Context, tx *sql.Tx, t sqlstore.Table, fn func(t sqlstore.Table, next func() ([]any, error)) error) error {
	rows, err := tx.QueryContext(ctx, "SELECT "+strings.Join(t.ColNames(), ", ")+" FROM "+t.Name)
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := fn(t, func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		row := make([]any, len(t.Cols))
		dest := make([]any, len(row))
		for i := range row {
			dest[i] = &row[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for i, c := range t.Cols {
			if n, ok := row[i].(int64); ok && c.Bool {
				row[i] = n != 0
			}
		}
		return row, nil
	}); err != nil {
		return err
	}
	return rows.Err()
}
