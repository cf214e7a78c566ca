package delivery_test

import (
	"path/filepath"
	"testing"

	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/storage"
)

// TestOutboxRules runs the model's outbox suite on SQLite, the store the
// sender is tested with here.
func TestOutboxRules(t *testing.T) {
	modeltest.RunOutbox(t, func(t *testing.T) model.Store {
		db, err := storage.Open(filepath.Join(t.TempDir(), "desk.db"), storage.Options{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
