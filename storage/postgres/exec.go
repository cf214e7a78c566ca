package postgres

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"contactdesk/model"
	"contactdesk/storage/sqlstore"
)

// exec runs a transaction's statements for sqlstore, rebinding their
// placeholders. It remembers whether anything was written (to announce
// it) and the first serialization failure (to run the transaction again
// even if the caller swallowed it).
type exec struct {
	ctx   context.Context
	tx    querier // a pgx.Tx, or a connection in a transaction begun by hand
	wrote bool
	// announced says that the write told whose screens show what it
	// changed (touched; see model.Announcer): the NOTIFY says so.
	announced bool
	touched   []model.Handle
	copied    bool // a bulk load: ANALYZE after the commit
	conflict  error
}

// querier is what exec needs of a pgx.Tx or a *pgxpool.Conn.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error)
}

func (x *exec) Dialect() sqlstore.Dialect { return sqlstore.Postgres }

// Announce keeps what the write changed for its NOTIFY (model.Announcer).
func (x *exec) Announce(hs []model.Handle) {
	x.announced, x.touched = true, slices.Clone(hs)
}

func (x *exec) note(err error) error {
	if x.conflict == nil && isConflict(err) {
		x.conflict = err
	}
	return err
}

// isConflict reports a serialization failure or a deadlock, after which
// the transaction is run again.
func isConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func (x *exec) Exec(q string, args ...any) (int64, error) {
	x.wrote = true
	tag, err := x.tx.Exec(x.ctx, sqlstore.Rebind(q), utf8Args(args)...)
	return tag.RowsAffected(), x.note(err)
}

func (x *exec) Query(q string, args ...any) (sqlstore.Rows, error) {
	x.wrote = x.wrote || !strings.HasPrefix(q, "SELECT") // … RETURNING
	rs, err := x.tx.Query(x.ctx, sqlstore.Rebind(q), utf8Args(args)...)
	if err != nil {
		return nil, x.note(err)
	}
	return rows{x: x, r: rs}, nil
}

// utf8Args returns args with every text that is not valid UTF-8 made
// valid, each stray byte a U+FFFD: PostgreSQL refuses such a parameter
// (SQLSTATE 22021), where SQLite compares it byte by byte and finds
// nothing. A Go string may hold any bytes, and the model stores only
// valid text (model.CheckText), so such text only ever looks up: a
// handle, a service's name, an application key, a fingerprint that is
// not UTF-8 is answered as one that does not exist (none can hold a
// U+FFFD), not with a storage failure and an ERROR line in the server's
// log. (A search of free text, an account's name, may find a name that
// holds a U+FFFD, as typing one would.) Done here, where every statement's parameters pass,
// so that no read needs to remember it; args is returned as it is (no
// allocation) when all is valid, as it nearly always is.
func utf8Args(args []any) []any {
	var out []any
	for i, a := range args {
		v := reflect.ValueOf(a)
		var fixed any
		switch {
		case v.Kind() == reflect.String && !utf8.ValidString(v.String()):
			fixed = strings.ToValidUTF8(v.String(), "\uFFFD")
		case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
			for j := range v.Len() {
				if !utf8.ValidString(v.Index(j).String()) {
					ss := make([]string, v.Len())
					for k := range ss {
						ss[k] = strings.ToValidUTF8(v.Index(k).String(), "\uFFFD")
					}
					fixed = ss
					break
				}
			}
		}
		if fixed == nil {
			continue
		}
		if out == nil {
			out = slices.Clone(args)
		}
		out[i] = fixed
	}
	if out == nil {
		return args
	}
	return out
}

// rows pass their errors through note.
type rows struct {
	x *exec
	r pgx.Rows
}

func (r rows) Next() bool             { return r.r.Next() }
func (r rows) Scan(dest ...any) error { return r.x.note(r.r.Scan(dest...)) }
func (r rows) Err() error             { return r.x.note(r.r.Err()) }
func (r rows) Close() error           { r.r.Close(); return r.Err() }

// CopyRows loads the rows with one COPY.
func (x *exec) CopyRows(table string, cols []string, n int, row func(i int) []any) error {
	x.wrote, x.copied = true, true
	i := 0
	_, err := x.tx.CopyFrom(x.ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		i++
		return row(i - 1), nil
	}))
	return x.note(err)
}
