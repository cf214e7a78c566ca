package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"contactdesk/model"
	"contactdesk/storage/sqlite"
)

// TestReplaceWithOtherPages: a desk whose pages are not the new desk's
// size can't be copied into in place (SQLite refuses it in WAL mode):
// Replace says so, and the desk is left as it was. It said the file was
// read-only and its permissions wrong.
func TestReplaceWithOtherPages(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, src := filepath.Join(dir, "desk.db"), filepath.Join(dir, "new.db")
	for _, p := range []string{path, src} {
		db, err := sqlite.Open(p, sqlite.Options{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	for _, q := range []string{"PRAGMA journal_mode=DELETE", "PRAGMA page_size=8192", "VACUUM", "PRAGMA journal_mode=WAL"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	raw.Close()
	db, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := model.NewDesk(db, model.Options{})
	if _, err := d.AddAccount(ctx, model.NewAccount{Handle: "ke12345-ovh", Name: "Kept", Email: "kept@example.com"}); err != nil {
		t.Fatal(err)
	}
	err = db.Replace(ctx, src)
	if err == nil || !strings.Contains(err.Error(), "pages of 8192 bytes, the new desk of 4096") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("Replace: %v", err)
	}
	if _, err := d.Account(ctx, "ke12345-ovh"); err != nil {
		t.Fatalf("the desk changed: %v", err)
	}
}
