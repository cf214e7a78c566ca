// Package storage is where the rest of contactdesk opens a desk: a
// SQLite file (storage/sqlite) or a PostgreSQL database
// (storage/postgres), both running the one implementation of the
// model's transactions in storage/sqlstore.
package storage

import (
	"context"

	"contactdesk/storage/postgres"
	"contactdesk/storage/sqlite"
	"contactdesk/storage/sqlstore"
)

// DB is a desk in a SQLite file.
type DB = sqlite.DB

// Options say how to open a SQLite file.
type Options = sqlite.Options

// Open opens (or, with o.Create, creates) the desk in the SQLite file at
// path; see sqlite.Open.
func Open(path string, o Options) (*DB, error) { return sqlite.Open(path, o) }

// OpenContext is Open, given up when ctx is done while another program
// holds the file locked; see sqlite.OpenContext.
func OpenContext(ctx context.Context, path string, o Options) (*DB, error) {
	return sqlite.OpenContext(ctx, path, o)
}

// ApplicationID marks a SQLite file as a contactdesk database.
const ApplicationID = sqlite.ApplicationID

// SchemaVersion is the schema this binary writes.
func SchemaVersion() int { return sqlite.SchemaVersion() }

// Errors of opening a SQLite file (the others are sqlite's).
var (
	ErrMissing      = sqlite.ErrMissing
	ErrNotOurs      = sqlite.ErrNotOurs
	ErrNotSQLite    = sqlite.ErrNotSQLite
	ErrOtherProgram = sqlite.ErrOtherProgram
	ErrReadOnlyFile = sqlite.ErrReadOnlyFile
	ErrBusy         = sqlite.ErrBusy
	ErrDamaged      = sqlite.ErrDamaged
	ErrDiskFull     = sqlite.ErrDiskFull
	ErrNewerSchema  = sqlite.ErrNewerSchema
)

// FileError is a refusal of a SQLite file (read-only, locked by another
// program, damaged, on a full disk) with its parts; see sqlite.FileError.
type FileError = sqlite.FileError

// NewerError is the refusal of a desk a newer contactdesk wrote, with
// its schemas; see sqlstore.NewerError.
type NewerError = sqlstore.NewerError

// BusyTimeout is how long a SQLite file locked by another program is
// waited for.
const BusyTimeout = sqlite.BusyTimeout

// Import copies the desk in the SQLite file at path into db, which must
// hold no data (contactdesk migrate). The file is checked, and its
// schema brought up to date, as any open does; it is read in one
// snapshot, and db written in one transaction.
func Import(ctx context.Context, db *postgres.DB, path string) (postgres.Counts, error) {
	src, err := sqlite.OpenContext(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return db.Import(ctx, src, path)
}
