package sqlite_test

import (
	"path/filepath"
	"testing"

	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/storage/sqlite"
)

// openTemp opens a fresh database file in the test's temp dir.
func openTemp(t *testing.T) model.Store {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "desk.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestModel runs the model's whole suite on SQLite.
func TestModel(t *testing.T) { modeltest.Run(t, openTemp) }
