package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/storage/internal/storetest"
	"contactdesk/storage/sqlstore"
)

// TestFirstServicesPlan: the first page of a contact's services is read
// through the (role, name) indexes, each stopping after the page, for an
// account holding nearly every service and for one holding a few — with
// and without the statistics ANALYZE gathers — and never by scanning the
// table or sorting the account's whole list.
func TestFirstServicesPlan(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "desk.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.PlanDesk(t, db, 3000)
	plan := func(h model.Handle) string { return queryPlan(t, db, sqlstore.FirstServicesQuery, h, 0, 50) }
	check := func(when string) {
		for _, h := range []model.Handle{storetest.Many, storetest.Few} {
			p := plan(h)
			for _, idx := range []string{"services_admin_name (admin=?)", "services_tech_name (tech=?)", "services_billing_name (billing=?)"} {
				if !strings.Contains(p, "SEARCH services USING COVERING INDEX "+idx) {
					t.Errorf("%s, %s: the plan does not read %s:\n%s", when, h, idx, p)
				}
			}
			if strings.Contains(p, "SCAN s") || strings.Contains(p, "MULTI-INDEX OR") || strings.Contains(p, "SCAN services") {
				t.Errorf("%s, %s: the plan reads more than the page:\n%s", when, h, p)
			}
		}
	}
	check("no statistics")
	if _, err := db.writer.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	db.reader.SetMaxIdleConns(0) // new connections load the statistics
	db.reader.SetMaxIdleConns(8)
	check("after ANALYZE")
}

// TestUnreadPlan: unread mails are counted in the recipient's entries of
// mails_to, without reading the mails themselves.
func TestUnreadPlan(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "desk.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id, parent, unused int
	var detail string
	if err := db.reader.QueryRow("EXPLAIN QUERY PLAN "+sqlstore.UnreadQuery, "ab12345-ovh").Scan(&id, &parent, &unused, &detail); err != nil {
		t.Fatal(err)
	}
	if detail != "SEARCH mails USING COVERING INDEX mails_to (to_handle=?)" {
		t.Errorf("the plan: %s", detail)
	}
}

// TestCodeMailsPlan: the codes mailed to an account within the hour
// are read in mails_codes, which holds the code mails alone, in their
// order, without reading the account's other mails; each one's row for
// the number of its key, and the key by that number (no index more).
func TestCodeMailsPlan(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "desk.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.reader.Query("EXPLAIN QUERY PLAN "+sqlstore.CodeMailsQuery, "ab12345-ovh", 0, "4f2a9c1e8b7d6a05")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(plan, "\n"); got != "SEARCH m USING INDEX mails_codes (to_handle=? AND date>?)\nSEARCH c USING INTEGER PRIMARY KEY (rowid=?) LEFT-JOIN" {
		t.Errorf("the plan:\n%s", got)
	}
}

// recorded holds the statements run through the "sqlite3-recording"
// driver, with the values of their last run.
var recorded struct {
	sync.Mutex
	args map[string][]driver.NamedValue
}

func record(q string, args []driver.NamedValue) {
	recorded.Lock()
	defer recorded.Unlock()
	if recorded.args != nil {
		recorded.args[q] = args
	}
}

// watchedConn tells seen of every statement it runs.
type watchedConn struct {
	*sqlite3.SQLiteConn
	seen func(q string, args []driver.NamedValue)
}

func (c watchedConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.seen(q, args)
	return c.SQLiteConn.QueryContext(ctx, q, args)
}

func (c watchedConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.seen(q, args)
	return c.SQLiteConn.ExecContext(ctx, q, args)
}

// watchingDriver opens connections that tell seen of their statements:
// the writer's alone (the one opened with _txlock=immediate) when
// writerOnly.
type watchingDriver struct {
	sqlite3.SQLiteDriver
	writerOnly bool
	seen       func(q string, args []driver.NamedValue)
}

func (d *watchingDriver) Open(dsn string) (driver.Conn, error) {
	c, err := d.SQLiteDriver.Open(dsn)
	if err != nil || d.writerOnly && !strings.Contains(dsn, "_txlock=immediate") {
		return c, err
	}
	return watchedConn{c.(*sqlite3.SQLiteConn), d.seen}, nil
}

func init() { sql.Register("sqlite3-recording", &watchingDriver{seen: record}) }

// TestEveryStatementUsesAnIndex runs request lives to each of their
// ends, with the lists a user looks at, and has SQLite explain every
// statement they ran: each finds its rows through an index (or the
// table's key), and none reads a whole table but the settings'.
func TestEveryStatementUsesAnIndex(t *testing.T) {
	driverName = "sqlite3-recording"
	defer func() { driverName = "sqlite3" }()
	recorded.Lock()
	recorded.args = map[string][]driver.NamedValue{}
	recorded.Unlock()
	var db *DB
	f := modeltest.New(t, func(t *testing.T) model.Store {
		var err error
		if db, err = Open(filepath.Join(t.TempDir(), "desk.db"), Options{Create: true}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
	A, N := modeltest.A, modeltest.N
	done := f.Create(A, modeltest.Example, N, model.Tech)[0]
	f.Desk.Resend(f.Ctx, N, done.ID)
	f.Desk.Accept(f.Ctx, N, done.ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA") // well formed: a wrong try, counted
	for _, p := range done.Parties {
		f.Accept(p.Handle, done.ID)
	}
	refused := f.Create(A, modeltest.Multi, N, model.Tech)[0]
	f.Desk.Refuse(f.Ctx, N, refused.ID, f.Token(N, refused.ID))
	cancelled := f.Create(A, modeltest.Self, N, model.Billing)[0]
	f.Desk.Cancel(f.Ctx, A, cancelled.ID)
	f.Create(A, modeltest.Example, modeltest.N2, model.Billing)
	for _, h := range []model.Handle{A, N, modeltest.T} {
		f.Desk.Services(f.Ctx, h)
		f.Desk.FirstServices(f.Ctx, h, 50)
		f.Desk.Requests(f.Ctx, h)
		f.Desk.Awaiting(f.Ctx, h)
		f.Desk.Mails(f.Ctx, h)
		f.Desk.Mailbox(f.Ctx, h, model.MailboxPage)
		f.Desk.TokenMail(f.Ctx, h, refused.ID)
		f.Desk.Mail(f.Ctx, h, 1)
		f.Desk.Unread(f.Ctx, h)
		for _, hf := range []model.HistoryFilter{{Limit: 50}, {Service: modeltest.Example}, {RequestID: done.ID}} {
			f.Desk.History(f.Ctx, h, hf)
		}
	}
	f.Clock.Advance(30 * 24 * time.Hour)
	f.Desk.Services(f.Ctx, A) // expires the last request

	recorded.Lock()
	stmts := recorded.args
	recorded.args = nil
	recorded.Unlock()
	explained := 0
	for q, args := range stmts {
		if !strings.HasPrefix(q, "SELECT") && !strings.HasPrefix(q, "INSERT") && !strings.HasPrefix(q, "UPDATE") && !strings.HasPrefix(q, "DELETE") {
			continue
		}
		vals := make([]any, len(args))
		for i, a := range args {
			vals[i] = a.Value
		}
		plan := queryPlan(t, db, q, vals...)
		explained++
		// A subquery's rows (a CO-ROUTINE, MATERIALIZEd) are scanned
		// as they come: that is no table. An INSERT into a table others
		// refer to lists a scan of those for orphans that its row would
		// adopt, which SQLite runs only while a deferred foreign key is
		// broken: never here. Opening reads the header and the schema.
		lines := strings.Split(plan, "\n")
		if strings.HasPrefix(q, "INSERT") || strings.Contains(q, "pragma_") {
			lines = nil
		}
		// json_each is the list of numbers a statement is given (see
		// sqlstore's OpenAnswers), not a table
		sub := map[string]bool{"CONSTANT": true, "settings": true, "json_each": true}
		for _, l := range lines {
			if f := strings.Fields(l); len(f) == 2 && (f[0] == "CO-ROUTINE" || f[0] == "MATERIALIZE") {
				sub[f[1]] = true
			}
		}
		for _, l := range lines {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "SCAN" && !sub[f[1]] {
				t.Errorf("%s\nreads a whole table:\n%s", q, plan)
			}
		}
	}
	if explained < 30 {
		t.Errorf("only %d statements explained", explained)
	}
}

// queryPlan is SQLite's plan of q with args, a line per step.
func queryPlan(t *testing.T, db *DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.reader.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return b.String()
}
