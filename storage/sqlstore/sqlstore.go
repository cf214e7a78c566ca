// Package sqlstore is contactdesk's one implementation of model.Tx over
// SQL: the queries, written once, the scanners, and the assembly of
// requests with their parties. It runs on any engine that gives it an
// Executor; storage/sqlite and storage/postgres are the two there are.
//
// Statements are written with ? placeholders, ?N where one value is used
// twice; PostgreSQL's executor rewrites them to $N (Rebind). Where the
// two dialects must differ, the statement is written twice, side by side,
// with the reason. The schema is written per dialect, side by side, in
// migrations/.
package sqlstore

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"contactdesk/model"
)

// Dialect names the SQL an engine speaks.
type Dialect string

// The dialects there are; each is also the suffix of its schema files.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Executor runs one transaction's statements on one engine.
type Executor interface {
	Dialect() Dialect
	// Exec runs a statement and returns how many rows it changed.
	Exec(q string, args ...any) (int64, error)
	Query(q string, args ...any) (Rows, error)
	// CopyRows stores n rows of cols into table the engine's fastest
	// way (row(i) gives the i-th row's values).
	CopyRows(table string, cols []string, n int, row func(i int) []any) error
}

// Rows are a query's rows, read one after the other.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Row is a query's one row: model.ErrNoRow from Scan when there is none.
type Row interface{ Scan(dest ...any) error }

type row struct {
	rows Rows
	err  error
}

func (t *Tx) row(q string, args ...any) Row {
	rows, err := t.x.Query(q, args...)
	return row{rows, err}
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		return cmp.Or(r.rows.Err(), model.ErrNoRow)
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	return r.rows.Close()
}

// insert runs an INSERT (or an UPDATE) … RETURNING one number.
func (t *Tx) insert(q string, args ...any) (n int64, err error) {
	err = t.row(q, args...).Scan(&n)
	return n, err
}

// Tx is one transaction of a desk; it implements model.Tx and
// model.BulkTx over an engine's Executor.
type Tx struct {
	x Executor
	// fresh holds the requests this transaction inserted, while none of
	// their parties has had a token yet but the ones it lists: their
	// first tokens are numbered here (see InsertToken).
	fresh map[int64]*freshRequest
}

// freshRequest is a request inserted in this transaction: the number its
// next token takes, and the parties that have one.
type freshRequest struct {
	next   int64
	issued []model.Handle
}

// New returns the transaction that runs on x.
func New(x Executor) *Tx { return &Tx{x: x} }

var (
	_ model.Tx        = (*Tx)(nil)
	_ model.BulkTx    = (*Tx)(nil)
	_ model.Announcer = (*Tx)(nil)
)

// Announce hands what the write changed (model.Announcer) to the
// engine's Executor when it tells other nodes (PostgreSQL); an engine
// with no other nodes (SQLite) has nothing to do with it.
func (t *Tx) Announce(hs []model.Handle) {
	if a, ok := t.x.(model.Announcer); ok {
		a.Announce(hs)
	}
}

// exactlyOne checks that an UPDATE or DELETE hit its row.
func exactlyOne(n int64, err error) error {
	if err == nil && n == 0 {
		return model.ErrNoRow
	}
	return err
}

// list runs q and reads each row with scan; it returns nil when there
// is no row.
func list[T any](t *Tx, scan func(Row) (T, error), q string, args ...any) ([]T, error) {
	rows, err := t.x.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Times are stored as Unix nanoseconds, UTC; 0 is none.
func ts(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func tm(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// nullID stores an optional reference: 0 is NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// noLimit stands for "no limit" in a LIMIT: SQLite takes -1 and
// PostgreSQL NULL, and neither takes the other's.
const noLimit = int64(1<<63 - 1)

// ---- placeholders

var (
	placeholder = regexp.MustCompile(`'[^']*'|\+?\?[0-9]*`)
	rebound     sync.Map // statement → its $N form
)

// Rebind rewrites a statement's placeholders for PostgreSQL: ?N becomes
// $N, each bare ? the next $N, and +? (SQLite's way of hiding a value
// from its planner, see tx.go) loses its +, which PostgreSQL would read
// as an operator on text. Quoted text is left alone. Results are kept:
// a statement is rewritten once per process.
func Rebind(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	n := 0
	out := placeholder.ReplaceAllStringFunc(q, func(m string) string {
		m = strings.TrimPrefix(m, "+")
		switch {
		case m[0] == '\'':
			return m
		case m == "?":
			n++
			return "$" + strconv.Itoa(n)
		}
		return "$" + m[1:]
	})
	rebound.Store(q, out)
	return out
}

// ---- schema

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered schema file of a dialect:
// NNNN_what.DIALECT.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// SchemaVersion is the schema this binary writes, in either dialect.
const SchemaVersion = 14

// Migrations returns a dialect's schema files, in order. They are
// numbered 1, 2, 3… with no gap, up to SchemaVersion: a binary built
// otherwise panics at start, before touching a database.
func Migrations(d Dialect) []Migration {
	names, _ := fs.Glob(migrationFiles, "migrations/*."+string(d)+".sql") // in order: the numbers have four digits
	var ms []Migration
	for i, name := range names {
		b, _ := fs.ReadFile(migrationFiles, name)
		name = path.Base(name)
		if n, _ := strconv.Atoi(name[:4]); n != i+1 {
			panic(fmt.Sprintf("sqlstore: migrations must be numbered 0001, 0002…; found %s at place %d", name, i+1))
		}
		ms = append(ms, Migration{Version: i + 1, Name: name, SQL: string(b)})
	}
	if len(ms) != SchemaVersion {
		panic(fmt.Sprintf("sqlstore: %d %s migrations, and schema %d to reach", len(ms), d, SchemaVersion))
	}
	return ms
}

// Errors of opening a desk that both engines share.
var (
	ErrNotOurs      = errors.New("not a contactdesk database")
	ErrNewerSchema  = model.ErrNewerSchema
	ErrReadOnlyOpen = errors.New("opened to read only")
)

// Newer returns the refusal of a store whose database is at schema ver,
// found while it is open: a *model.NewerSchemaError when ver is newer
// than the schema this binary knows, else nil.
func Newer(ver int) error {
	if ver > SchemaVersion {
		return &model.NewerSchemaError{Found: ver, Known: SchemaVersion}
	}
	return nil
}

// CheckSchema reads the schema the database is at (SQLite's
// user_version, PostgreSQL's contactdesk_schema), and refuses one
// newer than this binary's (see Newer).
func (t *Tx) CheckSchema() error {
	q := "SELECT version FROM contactdesk_schema"
	if t.x.Dialect() == SQLite {
		q = "PRAGMA user_version"
	}
	var ver int
	if err := t.row(q).Scan(&ver); err != nil {
		return err
	}
	return Newer(ver)
}

// NewerError is the refusal of a desk a newer contactdesk wrote, found
// when it is opened: Where names it, Found is its schema, Known the
// newest this binary knows. It is ErrNewerSchema. Its Error is English; a
// door that speaks its reader's language words it from these fields.
type NewerError struct {
	Where        string
	Found, Known int
}

func (e *NewerError) Error() string {
	return fmt.Sprintf("%s was written by a newer contactdesk (schema %d; this one knows up to %d): %v; upgrade contactdesk", e.Where, e.Found, e.Known, ErrNewerSchema)
}

func (e *NewerError) Unwrap() error { return ErrNewerSchema }

// Upgrade brings a desk at schema ver up to date, running with exec, in
// order, the migrations it lacks; where names the desk in messages. A
// desk of a newer schema is refused (exec may be nil to check only).
func Upgrade(d Dialect, where string, ver int, exec func(q string) error) error {
	if ver > SchemaVersion {
		return &NewerError{Where: where, Found: ver, Known: SchemaVersion}
	}
	if exec == nil {
		return nil
	}
	for _, m := range Migrations(d)[ver:] {
		if err := exec(m.SQL); err != nil {
			return fmt.Errorf("%s: migration %s failed: %w", where, m.Name, err)
		}
	}
	return nil
}
