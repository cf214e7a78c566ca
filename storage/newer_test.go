package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"contactdesk/model"
	"contactdesk/storage/postgres"
	"contactdesk/storage/postgres/pgtest"
	"contactdesk/storage/sqlstore"
)

// setVersion sets the schema version an engine's desk says it is at, as
// a newer contactdesk's upgrade would.
func (d desk) setVersion(t *testing.T, engine string, ver int) {
	t.Helper()
	if engine == "SQLite" {
		raw, err := sql.Open("sqlite3", "file:"+d.path+"?_busy_timeout=5000")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", ver)); err != nil {
			t.Fatal(err)
		}
		return
	}
	ctx := context.Background()
	pg, err := pgx.Connect(ctx, d.url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close(ctx)
	if _, err := pg.Exec(ctx, "UPDATE contactdesk_schema SET version = $1", ver); err != nil {
		t.Fatal(err)
	}
}

// TestNewerSchemaWhileOpen: a desk whose database a newer contactdesk
// upgraded while this one had it open (a rolling upgrade) refuses every
// write, changing nothing, with a message that says so and what to do,
// where it went on writing (and failed on what the newer schema changed,
// a column dropped: "storage failure: column "id" does not exist"); its
// health check (Ping) fails saying so, and its owner is told once.
// Reads go on while they can.
func TestNewerSchemaWhileOpen(t *testing.T) {
	d := desk{filepath.Join(t.TempDir(), "desk.db"), pgtest.URL(t)}
	for engine, st := range d.open(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			var told atomic.Int32
			var dropped atomic.Bool
			dk := model.NewDesk(droppingStore{st, &dropped}, model.Options{})
			dk.OnNewerSchema(func(e *model.NewerSchemaError) { told.Add(1) })
			add := func(h string) error {
				_, err := dk.AddAccount(ctx, model.NewAccount{Handle: h, Name: h, Email: "x@example.com"})
				return err
			}
			if err := add("aa11111-ovh"); err != nil {
				t.Fatal(err)
			}
			if err := dk.Ping(ctx); err != nil {
				t.Fatal(err)
			}
			d.setVersion(t, engine, sqlstore.SchemaVersion+1)
			want := fmt.Sprintf("the database was upgraded by a newer contactdesk (schema %d; this one knows up to %d): upgrade this contactdesk; until then it changes nothing", sqlstore.SchemaVersion+1, sqlstore.SchemaVersion)
			for range 2 {
				err := add("bb22222-ovh")
				if !errors.Is(err, model.ErrNewerSchema) || !strings.Contains(err.Error(), want) {
					t.Fatalf("a write once the schema is newer: %v", err)
				}
			}
			if err := dk.Ping(ctx); !errors.Is(err, model.ErrNewerSchema) || !strings.Contains(err.Error(), want) {
				t.Errorf("Ping once the schema is newer: %v", err)
			}
			if as, err := dk.Accounts(ctx); err != nil || len(as) != 1 {
				t.Errorf("a read once the schema is newer: %v, %v", as, err)
			}
			if n := told.Load(); n != 1 {
				t.Errorf("told %d times that the schema is newer, want once", n)
			}
			// a read that fails on what the newer schema changed says
			// why first
			dropped.Store(true)
			if _, err := dk.Accounts(ctx); !errors.Is(err, model.ErrNewerSchema) || !errors.Is(err, model.ErrStorage) ||
				!strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), `column "id" does not exist`) {
				t.Errorf("a read that failed once the schema is newer: %v", err)
			}
			dropped.Store(false)
			d.setVersion(t, engine, sqlstore.SchemaVersion)
			if as, err := dk.Accounts(ctx); err != nil || len(as) != 1 {
				t.Errorf("a write refused for a newer schema left something: %v, %v", as, err)
			}
			if err := add("bb22222-ovh"); err != nil {
				t.Errorf("a write once the schema is this binary's again: %v", err)
			}
		})
	}
}

// TestUpgradeWaitsForWrites: an upgrade of a PostgreSQL desk waits for
// the writes under way on the nodes still running (they hold the
// writers' lock), and the writes that come after it wait for the
// upgrade: none writes under a schema it does not know. Here a node's
// write holds the lock while a newer binary opens the desk.
func TestUpgradeWaitsForWrites(t *testing.T) {
	d := oldDesk(t, sqlstore.SchemaVersion-1)
	// a statement_timeout shorter than the wait does not cut it: it
	// failed with the server's "canceling statement due to statement
	// timeout"
	if strings.Contains(d.url, "?") {
		d.url += "&statement_timeout=200"
	} else {
		d.url += "?statement_timeout=200"
	}
	ctx := context.Background()
	node, err := pgx.Connect(ctx, d.url)
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close(ctx)
	const writersLock = 0x43445357 // storage/postgres's
	if _, err := node.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(writersLock)); err != nil {
		t.Fatal(err)
	}
	opened := make(chan error, 1)
	go func() {
		db, err := postgres.Open(ctx, d.url, postgres.Options{})
		if err == nil {
			db.Close()
		}
		opened <- err
	}()
	select {
	case err := <-opened:
		t.Fatalf("the upgrade did not wait for the write under way (%v)", err)
	case <-time.After(500 * time.Millisecond):
	}
	if _, err := node.Exec(ctx, "SELECT pg_advisory_unlock($1)", int64(writersLock)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-opened:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the upgrade never ended")
	}
}

// droppingStore fails every read while dropped is set, as a read fails
// on a column that a newer schema dropped.
type droppingStore struct {
	model.Store
	dropped *atomic.Bool
}

func (s droppingStore) View(ctx context.Context, fn func(model.Tx) error) error {
	if s.dropped.Load() {
		return errors.New(`ERROR: column "id" does not exist (SQLSTATE 42703)`)
	}
	return s.Store.View(ctx, fn)
}
