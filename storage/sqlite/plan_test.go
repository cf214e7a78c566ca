package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"contactdesk/model"
	"contactdesk/storage/internal/storetest"
	"contactdesk/storage/sqlstore"
)

// TestFirstServicesPlan: the first page of a contact's services is read
// through the (role, name) indexes, each stopping after the page, for an
// account holding nearly every service and for one holding a few — with
// and without the statistics ANALYZE gathers — and never by scanning the
// table or sorting the account's whole list.
func TestFirstServicesPlan(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "desk.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.PlanDesk(t, db, 3000)
	plan := func(h model.Handle) string {
		rows, err := db.reader.Query("EXPLAIN QUERY PLAN "+sqlstore.FirstServicesQuery, h, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			b.WriteString(detail + "\n")
		}
		return b.String()
	}
	check := func(when string) {
		for _, h := range []model.Handle{storetest.Many, storetest.Few} {
			p := plan(h)
			for _, idx := range []string{"services_admin_name (admin=?)", "services_tech_name (tech=?)", "services_billing_name (billing=?)"} {
				if !strings.Contains(p, "SEARCH services USING COVERING INDEX "+idx) {
					t.Errorf("%s, %s: the plan does not read %s:\n%s", when, h, idx, p)
				}
			}
			if strings.Contains(p, "SCAN s") || strings.Contains(p, "MULTI-INDEX OR") || strings.Contains(p, "SCAN services") {
				t.Errorf("%s, %s: the plan reads more than the page:\n%s", when, h, p)
			}
		}
	}
	check("no statistics")
	if _, err := db.writer.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	db.reader.SetMaxIdleConns(0) // new connections load the statistics
	db.reader.SetMaxIdleConns(8)
	check("after ANALYZE")
}

// TestUnreadPlan: unread mails are counted in the recipient's entries of
// mails_to, without reading the mails themselves.
func TestUnreadPlan(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "desk.db"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id, parent, unused int
	var detail string
	if err := db.reader.QueryRow("EXPLAIN QUERY PLAN "+sqlstore.UnreadQuery, "ab12345-ovh").Scan(&id, &parent, &unused, &detail); err != nil {
		t.Fatal(err)
	}
	if detail != "SEARCH mails USING COVERING INDEX mails_to (to_handle=?)" {
		t.Errorf("the plan: %s", detail)
	}
}
