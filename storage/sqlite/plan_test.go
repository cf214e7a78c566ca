package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"contactdesk/model"
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
	d := model.NewDesk(db, model.Options{})
	ctx := context.Background()
	const many, few = model.Handle("ma11111-ovh"), model.Handle("fe22222-ovh")
	for _, h := range []model.Handle{many, few} {
		if _, err := d.AddAccount(ctx, model.NewAccount{Handle: string(h), Name: string(h), Email: "x@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	err = d.Batch(ctx, func(b *model.Batch) error {
		for i := range 3000 {
			in := model.NewService{Name: fmt.Sprintf("s%05d.example", i), Type: model.TypeHosting, Admin: string(many), Tech: string(many), Billing: string(many)}
			if i%1000 == 0 {
				in.Tech = string(few)
			}
			if _, err := b.AddService(in); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
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
		for _, h := range []model.Handle{many, few} {
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
