package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"contactdesk/model"
)

// holdLock locks the desk at path from a second connection, as another
// program may, until release is called: with a write under way, which
// keeps out the other writers; exclusively (the exclusive locking mode),
// which keeps out everyone, and which a program can only do while no
// other has the file open.
func holdLock(t *testing.T, path string, exclusively bool) (release func()) {
	t.Helper()
	params := []string{"_txlock=immediate", "_busy_timeout=0"}
	if exclusively {
		params = append(params, "_locking_mode=EXCLUSIVE")
	}
	other, err := sql.Open("sqlite3", dsn(path, params...))
	if err != nil {
		t.Fatal(err)
	}
	other.SetMaxOpenConns(1)
	tx, err := other.Begin()
	if err == nil {
		_, err = tx.Exec("INSERT INTO history (at, actor, action, detail) VALUES (1, 'other', 'other.program', 'holds the lock')")
	}
	if err != nil {
		other.Close()
		t.Fatal(err)
	}
	// Rolled back, the lock stays until the connection closes.
	release = sync.OnceFunc(func() { tx.Rollback(); other.Close() })
	t.Cleanup(release)
	return release
}

// history is the lines of the desk's history by actor.
func history(t *testing.T, db *DB, actor string) int {
	t.Helper()
	var n int
	err := db.View(context.Background(), func(tx model.Tx) error {
		hs, err := tx.History(model.Handle(actor), 0, 0, 0)
		n = len(hs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func note(actor string) func(model.Tx) error {
	return func(tx model.Tx) error {
		return tx.InsertHistory(&model.HistoryEntry{At: time.Unix(1, 0), Actor: model.Handle(actor), Action: "test", Detail: actor})
	}
}

// TestCancelEndsTheWaitForALock: while another program writes to the
// desk, a write whose context is cancelled (Ctrl-C on the command line)
// ends with the context's error, not the busy timeout's, while the lock
// is still held; it never ran, and nothing of it is there once the lock
// is released. A read is not kept waiting by a write at all.
func TestCancelEndsTheWaitForALock(t *testing.T) {
	db, release := lockedDesk(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	var ran, read atomic.Bool
	var writeErr, readErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		writeErr = db.Update(ctx, func(tx model.Tx) error { ran.Store(true); return note("gave-up")(tx) })
	}()
	go func() {
		defer wg.Done()
		// not cancelled: on a busy machine it could start past the
		// 50 ms, and a read kept waiting would still fail, with the busy
		// timeout (the lock is released once both returned)
		readErr = db.View(context.Background(), func(tx model.Tx) error { read.Store(true); return nil })
	}()
	wg.Wait()
	release() // only now: both returned while the lock was held
	if !errors.Is(writeErr, context.Canceled) || errors.Is(writeErr, ErrBusy) {
		t.Errorf("the write, cancelled while the desk was locked, returned %v; want the context's error", writeErr)
	}
	if ran.Load() {
		t.Error("the write given up while waiting for the lock ran")
	}
	if readErr != nil || !read.Load() {
		t.Errorf("a read while another program writes: %v", readErr)
	}
	if n := history(t, db, "gave-up"); n != 0 {
		t.Errorf("the write given up left %d lines", n)
	}
	if err := db.Update(context.Background(), note("after")); err != nil || history(t, db, "after") != 1 {
		t.Errorf("a write once the lock is released: %v", err)
	}
}

// TestCancelledOpenEndsTheWaitForALock: opening a desk that another
// program holds exclusively waits for it, to read or to write, and a
// cancelled context ends that wait with its error, while the lock is
// still held.
func TestCancelledOpenEndsTheWaitForALock(t *testing.T) {
	p := filepath.Join(t.TempDir(), "desk.db")
	db, err := Open(p, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, o := range []Options{{ReadOnly: true}, {}} {
		release := holdLock(t, p, true)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		other, err := OpenContext(ctx, p, o)
		release()
		if err == nil {
			other.Close()
		}
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrBusy) {
			t.Errorf("opening (%+v), cancelled while the desk was locked: %v; want the context's error", o, err)
		}
	}
}

// TestOneCallerGivingUpLeavesTheGroup: of two writes in one group
// waiting for another program's lock, the one whose caller gives up
// returns at once and never runs; the other goes on waiting, and is
// committed once the lock is released.
func TestOneCallerGivingUpLeavesTheGroup(t *testing.T) {
	db, release := lockedDesk(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	var ran atomic.Bool
	a := &job{ctx: ctx, fn: func(tx model.Tx) error { ran.Store(true); return note("gave-up")(tx) }, done: make(chan error, 1)}
	b := &job{ctx: context.Background(), fn: note("stayed"), done: make(chan error, 1)}
	// The committer is idle (no Update): the test is the committer.
	committed := make(chan struct{})
	go func() { db.commit([]*job{a, b}); close(committed) }()
	if err := a.await(); !errors.Is(err, context.Canceled) || errors.Is(err, ErrBusy) {
		t.Errorf("the write given up returned %v; want the context's error", err)
	}
	select {
	case <-committed:
		t.Fatal("the group stopped waiting for the lock while one of its writes still waited")
	default:
	}
	release()
	if err := b.await(); err != nil {
		t.Errorf("the write that stayed: %v", err)
	}
	<-committed
	if ran.Load() {
		t.Error("the write given up ran")
	}
	if g, s := history(t, db, "gave-up"), history(t, db, "stayed"); g != 0 || s != 1 {
		t.Errorf("%d lines of the write given up, %d of the one that stayed; want 0 and 1", g, s)
	}
}

// TestCancelledReplaceEndsTheWaitForALock: replacing a desk (demo
// --force) while another program writes to it waits for its lock, and a
// cancelled context ends that wait, while the lock is still held, with
// nothing changed. SQLite's own wait ended only at the busy timeout,
// with the same error then (Replace says the context's), so here the
// bound is that timeout.
func TestCancelledReplaceEndsTheWaitForALock(t *testing.T) {
	dir := t.TempDir()
	p, src := filepath.Join(dir, "desk.db"), filepath.Join(dir, "new.db")
	fresh, err := Open(src, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	fresh.Close()
	db, err := Open(p, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(context.Background(), note("kept")); err != nil {
		t.Fatal(err)
	}
	release := holdLock(t, p, false)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	replaced := make(chan error, 1)
	go func() { replaced <- db.Replace(ctx, src) }()
	select {
	case err = <-replaced:
	case <-time.After(BusyTimeout):
		t.Error("Replace, cancelled, still waited for the lock when the busy timeout was over")
		err = <-replaced
	}
	release()
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrBusy) {
		t.Errorf("Replace, cancelled while the desk was locked: %v; want the context's error", err)
	}
	if n := history(t, db, "kept"); n != 1 {
		t.Errorf("the desk changed: %d lines of its history left, want 1", n)
	}
}

// lockedDesk is a new desk, open, whose file another program holds
// locked for writing until release is called.
func lockedDesk(t *testing.T) (db *DB, release func()) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "desk.db")
	db, err := Open(p, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, holdLock(t, p, false)
}
