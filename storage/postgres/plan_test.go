package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"contactdesk/model"
	"contactdesk/storage/internal/storetest"
	"contactdesk/storage/sqlstore"
)

// TestFirstServicesPlan: the first page of a contact's services is read
// through indexes in name order, each role's part under a Limit, and
// only the page's services are read from the table: for an account
// holding every one of 30,000 services and for one holding a few.
func TestFirstServicesPlan(t *testing.T) {
	db := open(t)
	storetest.PlanDesk(t, db, 30000)
	ctx := context.Background()
	d := model.NewDesk(db, model.Options{})
	plan := func(h model.Handle) string {
		rows, err := db.pool.Query(ctx, "EXPLAIN "+sqlstore.Rebind(sqlstore.FirstServicesQuery), h, int64(0), 50)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			b.WriteString(line + "\n")
		}
		return b.String()
	}
	check := func(when string) {
		for _, h := range []model.Handle{storetest.Many, storetest.Few} {
			p := plan(h)
			// Few's first names are found through its roles' indexes;
			// Many holds every service, and the names' own index in
			// order gives its first ones as well.
			for _, idx := range []string{"services_admin_name", "services_tech_name", "services_billing_name"} {
				if h == storetest.Few && !strings.Contains(p, "Scan using "+idx+" on services") {
					t.Errorf("%s, %s: the plan does not read %s:\n%s", when, h, idx, p)
				}
			}
			if strings.Contains(p, "Seq Scan on services") || strings.Contains(p, "Bitmap Heap Scan on services") || strings.Count(p, "Limit") < 4 {
				t.Errorf("%s, %s: the plan reads more than the page:\n%s", when, h, p)
			}
		}
	}
	// Without statistics PostgreSQL guesses, and reads Many's whole
	// list: a bulk load (PlanDesk's) gathers them at once, rather than
	// at autovacuum's next round.
	check("after the bulk load")
	for i := range 40 {
		if _, err := d.AddService(ctx, model.NewService{Name: fmt.Sprintf("late%02d.example", i), Type: model.TypeVPS, Admin: string(storetest.Few), Tech: string(storetest.Few), Billing: string(storetest.Few)}); err != nil {
			t.Fatal(err)
		}
	}
	check("after more services one by one")
}

// statements records each statement run, with the values of its last
// run.
type statements struct {
	sync.Mutex
	args map[string][]any
}

func (s *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	s.Lock()
	s.args[d.SQL] = d.Args
	s.Unlock()
	return ctx
}
func (s *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestEveryStatementUsesAnIndex: every statement of request lives and
// of the lists a user looks at can find its rows through an index. The
// test desk is small, where reading a whole table is cheaper, so the
// planner is told to avoid that (enable_seqscan off): a Seq Scan left
// is one no index can spare.
func TestEveryStatementUsesAnIndex(t *testing.T) {
	s := &statements{args: map[string][]any{}}
	testTracer = s
	var db *DB
	storetest.CompilesNothingWarm(t, func(t *testing.T) model.Store {
		db = open(t)
		return db
	}, func() {}, func() (int, string) { return 0, "" })
	testTracer = nil
	ctx := context.Background()
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	explained := 0
	for q, args := range s.args {
		if !strings.HasPrefix(q, "SELECT") && !strings.HasPrefix(q, "UPDATE") && !strings.HasPrefix(q, "INSERT") && !strings.HasPrefix(q, "WITH") ||
			strings.Contains(q, "pg_") || strings.Contains(q, "contactdesk_schema") {
			continue
		}
		rows, err := conn.Query(ctx, "EXPLAIN "+q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var plan strings.Builder
		for rows.Next() {
			var line string
			rows.Scan(&line)
			plan.WriteString(line + "\n")
		}
		rows.Close()
		explained++
		if strings.Contains(plan.String(), "Seq Scan on") && !strings.Contains(plan.String(), "Seq Scan on settings") {
			t.Errorf("%s\nreads a whole table:\n%s", q, plan.String())
		}
	}
	if explained < 25 {
		t.Errorf("only %d statements explained", explained)
	}
}
