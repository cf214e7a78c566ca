// Package storage is where the rest of contactdesk opens a desk: a
// SQLite file (storage/sqlite) or a PostgreSQL database
// (storage/postgres), both running the one implementation of the
// model's transactions in storage/sqlstore.
package storage

import (
	"context"
	"time"

	"contactdesk/model"
	"contactdesk/storage/postgres"
	"contactdesk/storage/sqlite"
)

// DB is a desk in a SQLite file.
type DB = sqlite.DB

// Options say how to open a SQLite file.
type Options = sqlite.Options

// Open opens (or, with o.Create, creates) the desk in the SQLite file at
// path; see sqlite.Open.
func Open(path string, o Options) (*DB, error) { return sqlite.Open(path, o) }

// ApplicationID marks a SQLite file as a contactdesk database.
const ApplicationID = sqlite.ApplicationID

// SchemaVersion is the schema this binary writes.
func SchemaVersion() int { return sqlite.SchemaVersion() }

// Errors of opening a SQLite file.
var (
	ErrMissing      = sqlite.ErrMissing
	ErrNotOurs      = sqlite.ErrNotOurs
	ErrNewerSchema  = sqlite.ErrNewerSchema
	ErrReadOnlyFile = sqlite.ErrReadOnlyFile
	ErrBusy         = sqlite.ErrBusy
	ErrDamaged      = sqlite.ErrDamaged
	ErrInMemory     = sqlite.ErrInMemory
	ErrReadOnlyOpen = sqlite.ErrReadOnlyOpen
)

// StoreOptions say how OpenStore opens a desk of either engine.
type StoreOptions struct {
	// Create makes an empty desk where there is none: a new SQLite
	// file, or the schema in an empty PostgreSQL database.
	Create bool
	// ReadOnly is for a command that only reads: no desk is made (a
	// missing or empty SQLite file is refused), and Update fails.
	ReadOnly bool
	// MaxConns sizes the pool of connections to a PostgreSQL server
	// (0: the URL's pool_max_conns, else pgxpool's default).
	MaxConns int32
	// StatementTimeout bounds each PostgreSQL statement (0: the URL's,
	// else postgres.DefaultStatementTimeout; negative: none).
	StatementTimeout time.Duration
}

// OpenStore opens the desk dsn names: a postgres:// or postgresql://
// URL names a PostgreSQL database, anything else a SQLite file.
func OpenStore(ctx context.Context, dsn string, o StoreOptions) (model.Store, error) {
	if postgres.IsURL(dsn) {
		db, err := postgres.Open(ctx, dsn, postgres.Options{Create: o.Create, ReadOnly: o.ReadOnly, MaxConns: o.MaxConns, StatementTimeout: o.StatementTimeout})
		if err != nil {
			return nil, err
		}
		return db, nil
	}
	db, err := sqlite.Open(dsn, sqlite.Options{Create: o.Create, ReadOnly: o.ReadOnly})
	if err != nil {
		return nil, err
	}
	return db, nil
}

// Import copies the desk in the SQLite file at path into db, which must
// hold no data (contactdesk migrate). The file is checked, and its
// schema brought up to date, as any open does; it is read in one
// snapshot, and db written in one transaction.
func Import(ctx context.Context, db *postgres.DB, path string) (postgres.Counts, error) {
	src, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return db.Import(ctx, src)
}
