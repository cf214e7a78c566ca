package sqlite

import (
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mattn/go-sqlite3"

	"contactdesk/model"
	"contactdesk/storage/internal/storetest"
)

// compiles counts the statements SQLite compiles (prepares or
// re-prepares): the authorizer is asked about every table and column a
// statement touches while it is compiled, and never while it runs.
var compiles struct {
	sync.Mutex
	n    int
	last string
}

func init() {
	sql.Register("sqlite3-counting", &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		c.RegisterAuthorizer(func(op int, a, b, _ string) int {
			// BEGIN, COMMIT and each write's savepoint are compiled by
			// sqlite3_exec every time, and so are the checkpointer's
			// pragmas; they cost next to nothing.
			if op != sqlite3.SQLITE_TRANSACTION && op != sqlite3.SQLITE_SAVEPOINT && op != sqlite3.SQLITE_PRAGMA {
				compiles.Lock()
				compiles.n++
				compiles.last = a + " " + b
				compiles.Unlock()
			}
			return sqlite3.SQLITE_OK
		})
		return nil
	}})
}

// TestStatementsArePreparedOnce checks that, once warm, a whole request
// life compiles no statement: each is prepared once per connection and
// kept, and none is re-prepared because its plan depended on the value
// bound to it (the driver clears the bindings after each run, and SQLite
// re-prepares a statement whose plan looked at a bound value; writing
// such a value as +? keeps the planner from looking).
func TestStatementsArePreparedOnce(t *testing.T) {
	driverName = "sqlite3-counting"
	defer func() { driverName = "sqlite3" }()
	storetest.CompilesNothingWarm(t, func(t *testing.T) model.Store {
		db, err := Open(filepath.Join(t.TempDir(), "desk.db"), Options{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}, func() {
		compiles.Lock()
		compiles.n = 0
		compiles.Unlock()
	}, func() (int, string) {
		compiles.Lock()
		defer compiles.Unlock()
		return compiles.n, compiles.last
	})
}
