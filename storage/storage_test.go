package storage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"contactdesk/storage"
	"contactdesk/storage/postgres"
	"contactdesk/storage/postgres/pgtest"
)

// TestOpenStorePicksTheEngine: a postgres:// URL opens PostgreSQL,
// anything else a SQLite file; each engine's refusals come through.
func TestOpenStorePicksTheEngine(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "desk.db")
	if _, err := storage.OpenStore(ctx, p, storage.StoreOptions{}); !errors.Is(err, storage.ErrMissing) {
		t.Fatalf("a missing file: %v", err)
	}
	os.WriteFile(p, nil, 0o600)
	if _, err := storage.OpenStore(ctx, p, storage.StoreOptions{ReadOnly: true}); !errors.Is(err, storage.ErrMissing) {
		t.Fatalf("an empty file, to read: %v", err)
	}
	st, err := storage.OpenStore(ctx, p, storage.StoreOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, ok := st.(*storage.DB); !ok {
		t.Errorf("a file opened as %T", st)
	}
	u := pgtest.URL(t)
	if _, err := storage.OpenStore(ctx, u, storage.StoreOptions{}); !errors.Is(err, postgres.ErrMissing) {
		t.Fatalf("an empty PostgreSQL database: %v", err)
	}
	st, err = storage.OpenStore(ctx, u, storage.StoreOptions{Create: true, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if db, ok := st.(*postgres.DB); !ok || db.MaxConns() != 2 {
		t.Errorf("a URL opened as %T", st)
	}
}
