package storage_test

import (
	"context"
	"database/sql"
	"testing"

	"contactdesk/model"
)

// busiest finds, on the 100,000-service desk, the account holding the
// most services and the one party to the most requests (the persona of
// the other list benchmarks holds a dozen of each).
func busiest(b *testing.B, path string) (services, requests model.Handle) {
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	err = raw.QueryRow(`SELECT h FROM (SELECT admin AS h FROM services UNION ALL SELECT tech FROM services WHERE tech != admin
		UNION ALL SELECT billing FROM services WHERE billing != admin AND billing != tech) GROUP BY h ORDER BY count(*) DESC LIMIT 1`).Scan(&services)
	if err == nil {
		err = raw.QueryRow("SELECT handle FROM parties GROUP BY handle ORDER BY count(*) DESC LIMIT 1").Scan(&requests)
	}
	if err != nil {
		b.Fatal(err)
	}
	return services, requests
}

// BenchmarkListsOfTheBusiest100k lists the services, requests and
// history of the busiest accounts of the 100,000-service desk.
func BenchmarkListsOfTheBusiest100k(b *testing.B) {
	d, db := bigDesk(b)
	hs, hr := busiest(b, db.Path())
	ctx := context.Background()
	ss, _ := d.Services(ctx, hs)
	rs, _ := d.Requests(ctx, hr)
	b.Run("services", func(b *testing.B) {
		b.ReportMetric(float64(len(ss)), "rows")
		for i := 0; i < b.N; i++ {
			if _, err := d.Services(ctx, hs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("requests", func(b *testing.B) {
		b.ReportMetric(float64(len(rs)), "rows")
		for i := 0; i < b.N; i++ {
			if _, err := d.Requests(ctx, hr); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("history", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := d.History(ctx, hs, model.HistoryFilter{Limit: 200}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
