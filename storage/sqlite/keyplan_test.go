package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"contactdesk/storage/sqlstore"
)

// TestKeyOwnerPlan: the key lookup of an SSH login searches the keys
// and the accounts by their keys, whether or not the key is there, and
// reads no table whole.
func TestKeyOwnerPlan(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "desk.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plan := queryPlan(t, db, sqlstore.KeyOwnerQuery, "SHA256:nobody")
	for _, want := range []string{"SEARCH k USING PRIMARY KEY (fingerprint=?)", "SEARCH a USING PRIMARY KEY (handle=?)"} {
		if !strings.Contains(plan, want) {
			t.Errorf("the plan lacks %q:\n%s", want, plan)
		}
	}
	if strings.Contains(plan, "SCAN k") || strings.Contains(plan, "SCAN a") {
		t.Errorf("the plan reads a whole table:\n%s", plan)
	}
}
