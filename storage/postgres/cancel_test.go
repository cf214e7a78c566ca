package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"contactdesk/model"
	"contactdesk/storage/postgres/pgtest"
)

// A write that waits, on the server, for what another program holds
// ends its wait when its context is done (Ctrl-C on a command, a session
// that ends): at once, while the other program still holds it, with the
// context's error (which the command line tells as "interrupted: nothing
// was changed"), with nothing written, and holding nothing after.

// holder is a session of another program, outside any store.
func holder(t *testing.T, u string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// count runs a query of one number on c.
func count(t *testing.T, c *pgx.Conn, q string, args ...any) int {
	t.Helper()
	var n int
	if err := c.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

const (
	// waiters counts the sessions that wait for a lock, of any kind.
	waiters = "SELECT count(*) FROM pg_locks WHERE NOT granted"
	// writers counts the sessions holding the writers' lock, other
	// than the one asking.
	writers = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted AND pid <> pg_backend_pid()"
)

// cancelWhileWaiting runs an Update of account h, cancels it once the
// server says it waits for a lock, and checks what it returned.
func cancelWhileWaiting(t *testing.T, db *DB, h *pgx.Conn, ran *bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- db.Update(ctx, func(tx model.Tx) error {
			*ran = true
			return tx.InsertAccount(model.Account{Handle: "yy22222-ovh", Name: "Y", Email: "y@b.c"})
		})
	}()
	eventually(t, "the write waits for the lock", func() bool { return count(t, h, waiters) == 1 })
	cancel()
	err := <-done
	// The other program's session is still there, holding what it held
	// (the wait ended because it was cancelled, not because it was let
	// go); a statement_timeout would have ended it with another error.
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Update cancelled while it waited for a lock: %v, want context.Canceled", err)
	}
	if err := h.Ping(context.Background()); err != nil {
		t.Fatalf("the program holding the lock lost its session: %v", err)
	}
	eventually(t, "the server stops waiting for the lock", func() bool { return count(t, h, waiters) == 0 })
}

// TestUpdateCancelledWhileWaitingForTheWritersLock: another node, or
// another command, holds the writers' lock (a long import).
func TestUpdateCancelledWhileWaitingForTheWritersLock(t *testing.T) {
	db, u := quickToFail(t)
	h := holder(t, u)
	if _, err := h.Exec(context.Background(), "SELECT pg_advisory_lock($1)", int64(writersLock)); err != nil {
		t.Fatal(err)
	}
	ran := false
	cancelWhileWaiting(t, db, h, &ran)
	if ran {
		t.Error("the write ran although it never had the writers' lock")
	}
	if n := count(t, h, writers, int64(writersLock)); n != 0 {
		t.Errorf("%d other sessions hold the writers' lock after the cancelled write returned, want 0", n)
	}
	if n := count(t, h, "SELECT count(*) FROM accounts"); n != 0 {
		t.Errorf("%d accounts after a cancelled write, want 0", n)
	}
}

// TestUpdateCancelledWhileWaitingForARowLock: a statement of another
// program, outside the writers' queue (a hand-typed one), holds a lock
// that a statement of the write waits for, the writers' lock held. The
// write ends, and lets the writers' lock go: the next write runs.
func TestUpdateCancelledWhileWaitingForARowLock(t *testing.T) {
	db, u := quickToFail(t)
	h := holder(t, u)
	tx, err := h.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(context.Background(), "LOCK TABLE accounts IN EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	ran := false
	cancelWhileWaiting(t, db, h, &ran)
	if !ran {
		t.Error("the write never ran: it waited for the writers' lock, not the table's")
	}
	eventually(t, "the cancelled write lets the writers' lock go", func() bool { return count(t, h, writers, int64(writersLock)) == 0 })
	if err := tx.Rollback(context.Background()); err != nil {
		t.Fatal(err)
	}
	addAccount(t, db, "xx11111-ovh")
	if n := count(t, h, "SELECT count(*) FROM accounts"); n != 1 {
		t.Errorf("%d accounts after a cancelled write and one done, want 1", n)
	}
}

// quickToFail opens a new desk whose statements time out after 5 s: a
// write that ignored its context would end at that timeout, so that
// such a failure is quick to see. u is its URL.
func quickToFail(t *testing.T) (db *DB, u string) {
	t.Helper()
	u = pgtest.URL(t)
	db, err := Open(context.Background(), u, Options{Create: true, StatementTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, u
}
