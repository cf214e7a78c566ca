package postgres

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"contactdesk/model"
	"contactdesk/storage/internal/storetest"
	"contactdesk/storage/postgres/pgtest"
)

// prepares counts the statements the connections prepare (pgx keeps each
// connection's prepared statements, found by their text).
type prepares struct {
	sync.Mutex
	n    int
	last string
}

func (p *prepares) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (p *prepares) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (p *prepares) TracePrepareStart(ctx context.Context, _ *pgx.Conn, d pgx.TracePrepareStartData) context.Context {
	p.Lock()
	p.n++
	p.last = d.SQL
	p.Unlock()
	return ctx
}
func (p *prepares) TracePrepareEnd(context.Context, *pgx.Conn, pgx.TracePrepareEndData) {}

// TestStatementsArePreparedOnce: once warm, a whole request life
// prepares no statement; with one connection, every statement it runs
// was prepared during the warm-up. A statement whose text changed with
// its values would be prepared on every use.
func TestStatementsArePreparedOnce(t *testing.T) {
	p := &prepares{}
	testTracer = p
	defer func() { testTracer = nil }()
	storetest.CompilesNothingWarm(t, func(t *testing.T) model.Store {
		db, err := Open(context.Background(), pgtest.URL(t), Options{Create: true, MaxConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}, func() {
		p.Lock()
		p.n = 0
		p.Unlock()
	}, func() (int, string) {
		p.Lock()
		defer p.Unlock()
		return p.n, p.last
	})
}

// ran keeps the text of each statement run.
type ran struct {
	sync.Mutex
	stmts []string
}

func (r *ran) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.Lock()
	r.stmts = append(r.stmts, strings.Join(strings.Fields(d.SQL), " "))
	r.Unlock()
	return ctx
}
func (r *ran) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestKeyLookupsRunTheSameStatements: the owner of a customer's key is
// looked up with the statements a stranger's key is (see
// storetest.SameStatementsForAnyKey); the account was read by a second
// statement for a registered key alone.
func TestKeyLookupsRunTheSameStatements(t *testing.T) {
	r := &ran{}
	testTracer = r
	defer func() { testTracer = nil }()
	storetest.SameStatementsForAnyKey(t, func(t *testing.T) model.Store { return open(t) }, func() []string {
		r.Lock()
		defer r.Unlock()
		s := r.stmts
		r.stmts = nil
		return s
	})
}
