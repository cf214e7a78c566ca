package storage

import (
	"strings"

	"contactdesk/model"
)

var _ model.BulkTx = (*sqlTx)(nil)

// insertMany inserts rows with multi-row INSERTs of up to chunk rows,
// which costs one statement per chunk instead of one per row.
func (t *sqlTx) insertMany(head string, cols, n, chunk int, row func(i int) []any) error {
	ph := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		q := head + strings.TrimSuffix(strings.Repeat(ph+",", end-start), ",")
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		if _, err := t.exec(q, args...); err != nil {
			return err
		}
	}
	return nil
}

func (t *sqlTx) InsertServices(ss []*model.Service) error {
	var last int64
	if err := t.queryRow("SELECT coalesce(max(id), 0) FROM services").Scan(&last); err != nil {
		return err
	}
	for i, s := range ss {
		s.ID = last + int64(i) + 1
	}
	return t.insertMany(`INSERT INTO services (id, name, type, admin, tech, billing, has_owner, owner_holder, owner_address, owner_phone, owner_email, created) VALUES `,
		12, len(ss), 80, func(i int) []any {
			s := ss[i]
			var o model.Owner
			if s.Owner != nil {
				o = *s.Owner
			}
			return []any{s.ID, s.Name, s.Type, s.Admin, s.Tech, s.Billing, s.Owner != nil, o.Holder, o.Address, o.Phone, o.Email, ts(s.Created)}
		})
}

func (t *sqlTx) InsertHistories(es []model.HistoryEntry) error {
	return t.insertMany("INSERT INTO history (at, actor, action, service_id, request_id, detail) VALUES ", 6, len(es), 160, func(i int) []any {
		e := es[i]
		return []any{ts(e.At), e.Actor, e.Action, nullID(e.ServiceID), nullID(e.RequestID), e.Detail}
	})
}
