package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"contactdesk/model"
	"contactdesk/storage"
)

// kind is how a column is read from SQLite and written to PostgreSQL.
type kind int

const (
	kText   kind = iota
	kInt         // INTEGER -> bigint or integer
	kBool        // INTEGER 0/1 -> boolean
	kBytes       // BLOB -> bytea
	kNullID      // INTEGER or NULL -> bigint or NULL
)

type column struct {
	name string
	kind kind
}

type table struct {
	name     string
	cols     []column
	identity bool // its id comes from a sequence to set past the copied ids
}

func cols(spec string) []column {
	var cs []column
	for _, f := range strings.Fields(spec) {
		name, k, _ := strings.Cut(f, ":")
		kinds := map[string]kind{"": kText, "int": kInt, "bool": kBool, "bytes": kBytes, "null": kNullID}
		cs = append(cs, column{name: name, kind: kinds[k]})
	}
	return cs
}

// sqliteSchema is the SQLite schema version the tables below describe.
// A new SQLite migration must be added here (and to the PostgreSQL
// migrations) before migrate copies its data: Import refuses otherwise,
// and a test compares the two schemas column by column.
const sqliteSchema = 4

// tables lists every table of a desk in an order that satisfies the
// foreign keys, with its columns.
var tables = []table{
	{name: "accounts", cols: cols("handle name email owes:int created:int")},
	{name: "services", identity: true, cols: cols("id:int name type admin tech billing has_owner:bool owner_holder owner_address owner_phone owner_email created:int")},
	{name: "requests", identity: true, cols: cols("id:int service_id:int roles from_handle to_handle requester state reason created:int expires:int ended:int")},
	{name: "parties", cols: cols("request_id:int position:int handle answer answered:int")},
	{name: "tokens", identity: true, cols: cols("id:int request_id:int handle hash:bytes state")},
	{name: "token_failures", cols: cols("handle request_id:int at:int")},
	{name: "token_locks", cols: cols("handle request_id:int until:int")},
	{name: "mails", identity: true, cols: cols("id:int to_handle address subject date:int body request_id:null token link kind read:bool")},
	{name: "history", identity: true, cols: cols("id:int at:int actor action service_id:null request_id:null detail")},
	{name: "keys", cols: cols("fingerprint handle type key comment added:int")},
	{name: "outbox", cols: cols("mail_id:int state attempts:int next_try:int queued:int updated:int last_error")},
}

// Counts says how many rows each table holds, by table name.
type Counts map[string]int64

// String lists the counts in the tables' order: "accounts 8, services 15…".
func (c Counts) String() string {
	var parts []string
	for _, t := range tables {
		parts = append(parts, fmt.Sprintf("%s %d", strings.ReplaceAll(t.name, "_", " "), c[t.name]))
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
	for _, t := range tables {
		var n int64
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+t.name).Scan(&n); err != nil {
			return nil, db.friendly(err, false)
		}
		c[t.name] = n
	}
	return c, nil
}

// Import copies the desk in the SQLite file at path into db, which must
// hold no data: every row of every table, ids kept, the sequences moved
// past them. It reads one snapshot of the file and writes in one
// transaction, so a failure leaves db as empty as it was. The file is
// checked (and its schema brought up to date) as any open does.
func (db *DB) Import(ctx context.Context, path string) (Counts, error) {
	if storage.SchemaVersion() != sqliteSchema {
		return nil, fmt.Errorf("this contactdesk's migrate knows SQLite schema %d, not %d: it can't copy the data safely", sqliteSchema, storage.SchemaVersion())
	}
	src, err := storage.Open(path, storage.Options{})
	if err != nil {
		return nil, err
	}
	src.Close()
	lite, err := sql.Open("sqlite3", "file:"+strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)+"?mode=ro&_query_only=on&_busy_timeout=5000")
	if err != nil {
		return nil, err
	}
	defer lite.Close()
	ltx, err := lite.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer ltx.Rollback()

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
	for _, t := range tables {
		n, err := copyTable(ctx, ltx, tx, t)
		if err != nil {
			return nil, fmt.Errorf("copying %s: %w", t.name, db.friendly(err, false))
		}
		copied[t.name] = n
	}
	for _, t := range tables {
		if !t.identity {
			continue
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), coalesce((SELECT max(id) FROM %[1]s), 0) + 1, false)", t.name)); err != nil {
			return nil, db.friendly(err, false)
		}
	}
	if _, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", Channel, db.node); err != nil {
		return nil, db.friendly(err, false)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, db.friendly(err, true)
	}
	return copied, nil
}

// copyTable streams one table from SQLite into PostgreSQL with COPY.
func copyTable(ctx context.Context, from *sql.Tx, to pgx.Tx, t table) (int64, error) {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.name
	}
	rows, err := from.QueryContext(ctx, "SELECT "+strings.Join(names, ", ")+" FROM "+t.name)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	dest := make([]any, len(t.cols))
	for i, c := range t.cols {
		switch c.kind {
		case kText:
			dest[i] = new(string)
		case kInt:
			dest[i] = new(int64)
		case kBool:
			dest[i] = new(bool)
		case kBytes:
			dest[i] = new([]byte)
		case kNullID:
			dest[i] = new(sql.NullInt64)
		}
	}
	// COPY asks for rows until it is given none.
	return to.CopyFrom(ctx, pgx.Identifier{t.name}, names, pgx.CopyFromFunc(func() ([]any, error) {
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
	}))
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
	err := r.DB.Update(ctx, func(tx model.Tx) error {
		names := make([]string, len(tables))
		for i, t := range tables {
			names[i] = t.name
		}
		if _, err := tx.(*pgTx).exec("TRUNCATE " + strings.Join(names, ", ") + " RESTART IDENTITY"); err != nil {
			return err
		}
		return fn(tx)
	})
	r.done = err == nil
	return err
}
