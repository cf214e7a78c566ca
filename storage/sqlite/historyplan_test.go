package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"contactdesk/storage/sqlstore"
)

// TestServiceHistoryPlan: a service's history is read through its index,
// and whether the reader is a party to a line's request is asked of
// that line by the parties' key, not by listing every request the
// reader is a party to (a LIST SUBQUERY, read whole at each opening of
// a service's history: an agency is a party to thousands of requests).
func TestServiceHistoryPlan(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "desk.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := queryPlan(t, db, sqlstore.ServiceHistoryQuery, 1, 50, "ag12345-ovh")
	if !strings.Contains(p, "SEARCH h USING INDEX history_service (service_id=?)") {
		t.Errorf("the service's lines are not read by its index:\n%s", p)
	}
	if strings.Contains(p, "LIST SUBQUERY") || strings.Contains(p, "(handle=?)\n") {
		t.Errorf("the plan lists every request the reader is a party to:\n%s", p)
	}
	if !strings.Contains(p, "request_id=? AND handle=?") && !strings.Contains(p, "handle=? AND request_id=?") {
		t.Errorf("the plan does not ask the parties' key of each line:\n%s", p)
	}
}
