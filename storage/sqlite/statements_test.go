package sqlite

import (
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/storage/internal/storetest"
)

// ran counts the statements the writer's connection runs (each is a
// crossing into SQLite, and through database/sql, before any work).
var ran struct {
	sync.Mutex
	n     int
	stmts []string
}

func countRun(q string, _ []driver.NamedValue) {
	// the watcher's and the checkpointer's pragmas are no write's
	if strings.HasPrefix(q, "PRAGMA data_version") || strings.HasPrefix(q, "PRAGMA wal_checkpoint") {
		return
	}
	ran.Lock()
	defer ran.Unlock()
	ran.n++
	ran.stmts = append(ran.stmts, strings.Join(strings.Fields(q), " "))
}

// the writer's connection only: the readers' statements are no write's
func init() {
	sql.Register("sqlite3-run-counting", &watchingDriver{writerOnly: true, seen: countRun})
}

// TestStatementsOfALifesWrites counts the statements each write of a
// request's life runs (its transaction's own included): the CPU of a
// life is mostly its statements, each one a crossing into SQLite
// through database/sql (BENCHMARKS.md, issue 16). A request made has
// its parties' accounts read at once for their mails, and their first
// tokens numbered without asking; an answer writes its token used and
// itself on the party's row at once; the outcome mails read the
// accounts at once too; a write alone in its transaction runs no
// savepoint.
func TestStatementsOfALifesWrites(t *testing.T) {
	driverName = "sqlite3-run-counting"
	defer func() { driverName = "sqlite3" }()
	f := modeltest.New(t, func(t *testing.T) model.Store {
		db, err := Open(filepath.Join(t.TempDir(), "desk.db"), Options{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
	take := func() (int, []string) {
		ran.Lock()
		defer ran.Unlock()
		n, s := ran.n, ran.stmts
		ran.n, ran.stmts = 0, nil
		return n, s
	}
	take()
	r := f.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	got := map[string]int{}
	var stmts []string
	got["create"], stmts = take()
	if len(r.Parties) != 3 {
		t.Fatalf("request #%d has %d parties, want 3 (admin, tech, new tech)", r.ID, len(r.Parties))
	}
	for i, p := range r.Parties {
		tok := f.Token(p.Handle, r.ID)
		take()
		if _, err := f.Desk.Accept(f.Ctx, p.Handle, r.ID, tok); err != nil {
			t.Fatal(err)
		}
		name := "accept"
		if i == len(r.Parties)-1 {
			name = "last accept"
		}
		n, s := take()
		if name == "accept" && got[name] != 0 && got[name] != n {
			t.Errorf("the accepts ran %d and %d statements", got[name], n)
		}
		got[name] = n
		stmts = append(stmts, s...)
	}
	// Each write: PRAGMA user_version, the expiries' look (one
	// statement, none due), then its own. The create: the actor's
	// account, the service, the new contact's account, the service's
	// open requests, the request, its 3 parties, a history line, the 3
	// parties' accounts (one statement), then for each party its token
	// and its mail (and the settings once), and the service's contacts
	// to tell. An accept: the request and its parties, the lock, the
	// tokens, the token used and the answer (one statement), a history
	// line. The last
	// also the service, its contact, a history line, the request's
	// end, its tokens, a history line, the parties' accounts (one
	// statement), the settings and 3 mails.
	want := map[string]int{"create": 21, "accept": 8, "last accept": 20}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %d statements, want %d", k, got[k], w)
		}
	}
	if t.Failed() {
		t.Logf("statements:\n%s", strings.Join(stmts, "\n"))
	}
}

// seenAll keeps the statements every connection runs, the readers' too.
var seenAll struct {
	sync.Mutex
	stmts []string
}

func init() {
	sql.Register("sqlite3-all-counting", &watchingDriver{seen: func(q string, _ []driver.NamedValue) {
		// the watcher's and the checkpointer's pragmas are no lookup's
		if strings.HasPrefix(q, "PRAGMA data_version") || strings.HasPrefix(q, "PRAGMA wal_checkpoint") {
			return
		}
		seenAll.Lock()
		defer seenAll.Unlock()
		seenAll.stmts = append(seenAll.stmts, strings.Join(strings.Fields(q), " "))
	}})
}

// TestKeyLookupsRunTheSameStatements: the owner of a customer's key is
// looked up with the statements a stranger's key is (see
// storetest.SameStatementsForAnyKey); the account was read by a second
// statement for a registered key alone.
func TestKeyLookupsRunTheSameStatements(t *testing.T) {
	driverName = "sqlite3-all-counting"
	defer func() { driverName = "sqlite3" }()
	open := func(t *testing.T) model.Store {
		db, err := Open(filepath.Join(t.TempDir(), "desk.db"), Options{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	storetest.SameStatementsForAnyKey(t, open, func() []string {
		seenAll.Lock()
		defer seenAll.Unlock()
		s := seenAll.stmts
		seenAll.stmts = nil
		return s
	})
}
