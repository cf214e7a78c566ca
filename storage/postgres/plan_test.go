package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"contactdesk/model"
	"contactdesk/storage/internal/storetest"
	"contactdesk/storage/sqlstore"
)

// TestFirstServicesPlan: the first page of a contact's services is read
// through indexes in name order, each role's part under a Limit, and
// only the page's services are read from the table: for an account
// holding every one of 30,000 services and for one holding a few.
func TestFirstServicesPlan(t *testing.T) {
	db := open(t)
	storetest.PlanDesk(t, db, 30000)
	ctx := context.Background()
	d := model.NewDesk(db, model.Options{})
	plan := func(h model.Handle) string {
		rows, err := db.pool.Query(ctx, "EXPLAIN "+sqlstore.Rebind(sqlstore.FirstServicesQuery), h, int64(0), 50)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			b.WriteString(line + "\n")
		}
		return b.String()
	}
	check := func(when string) {
		for _, h := range []model.Handle{storetest.Many, storetest.Few} {
			p := plan(h)
			// Few's first names are found through its roles' indexes;
			// Many holds every service, and the names' own index in
			// order gives its first ones as well.
			for _, idx := range []string{"services_admin_name", "services_tech_name", "services_billing_name"} {
				if h == storetest.Few && !strings.Contains(p, "Scan using "+idx+" on services") {
					t.Errorf("%s, %s: the plan does not read %s:\n%s", when, h, idx, p)
				}
			}
			if strings.Contains(p, "Seq Scan on services") || strings.Contains(p, "Bitmap Heap Scan on services") || strings.Count(p, "Limit") < 4 {
				t.Errorf("%s, %s: the plan reads more than the page:\n%s", when, h, p)
			}
		}
	}
	// Without statistics PostgreSQL guesses, and reads Many's whole
	// list: a bulk load (PlanDesk's) gathers them at once, rather than
	// at autovacuum's next round.
	check("after the bulk load")
	for i := range 40 {
		if _, err := d.AddService(ctx, model.NewService{Name: fmt.Sprintf("late%02d.example", i), Type: model.TypeVPS, Admin: string(storetest.Few), Tech: string(storetest.Few), Billing: string(storetest.Few)}); err != nil {
			t.Fatal(err)
		}
	}
	check("after more services one by one")
}
