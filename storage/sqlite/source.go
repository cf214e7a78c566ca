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

func readTable(ctx context.Context, tx *sql.Tx, t sqlstore.Table, fn func(t sqlstore.Table, next func() ([]any, error)) error) error {
	rows, err := tx.QueryContext(ctx, "SELECT "+strings.Join(t.ColNames(), ", ")+" FROM "+t.Name)
	if err != nil {
		return err
	}
	defer rows.Close()
	dest := make([]any, len(t.Cols))
	for i, c := range t.Cols {
		switch c.Kind {
		case sqlstore.Text:
			dest[i] = new(string)
		case sqlstore.Int:
			dest[i] = new(int64)
		case sqlstore.Bool:
			dest[i] = new(bool)
		case sqlstore.Bytes:
			dest[i] = new([]byte)
		case sqlstore.NullID:
			dest[i] = new(sql.NullInt64)
		}
	}
	if err := fn(t, func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		row := make([]any, len(dest))
		for i, d := range dest {
			switch v := d.(type) {
			case *string:
				row[i] = *v
			case *int64:
				row[i] = *v
			case *bool:
				row[i] = *v
			case *[]byte:
				row[i] = append([]byte(nil), *v...)
			case *sql.NullInt64:
				if v.Valid {
					row[i] = v.Int64
				}
			}
		}
		return row, nil
	}); err != nil {
		return err
	}
	return rows.Err()
}
