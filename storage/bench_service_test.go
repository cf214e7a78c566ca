package storage_test

import (
	"context"
	"database/sql"
	"testing"

	"contactdesk/model"
)

// BenchmarkServiceReads100k reads what a contact reads of one service
// on the 100,000-service desk: its history (a party's lines whole, the
// other requests' without their number) and Permissions (what the Edit
// contacts form opens with, the service's open requests included), of
// the service with the most requests, by its admin, and of a service of
// the account party to the most requests.
func BenchmarkServiceReads100k(b *testing.B) {
	d, db := bigDesk(b)
	_, hr := busiest(b, db.Path())
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	var busy string
	var hadmin model.Handle
	// The service with the most requests, and its admin.
	if err := raw.QueryRow(`SELECT s.name, s.admin FROM requests r JOIN services s ON s.id = r.service_id
		GROUP BY s.id ORDER BY count(*) DESC LIMIT 1`).Scan(&busy, &hadmin); err != nil {
		b.Fatal(err)
	}
	var agencyService string
	if err := raw.QueryRow(`SELECT name FROM services WHERE admin = ? OR tech = ? OR billing = ? ORDER BY id LIMIT 1`, hr, hr, hr).Scan(&agencyService); err != nil {
		b.Fatal(err)
	}
	raw.Close()
	ctx := context.Background()
	for _, c := range []struct {
		name    string
		who     model.Handle
		service string
	}{{"busy-service", hadmin, busy}, {"agency-service", hr, agencyService}} {
		b.Run("history-"+c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := d.History(ctx, c.who, model.HistoryFilter{Service: c.service, Limit: 200}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("permissions-"+c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, _, err := d.Permissions(ctx, c.who, c.service); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
