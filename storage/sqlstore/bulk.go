package sqlstore

import (
	"strings"

	"contactdesk/model"
)

// InsertServices stores the services with the engine's bulk load and
// sets their IDs, reserved beforehand.
func (t *Tx) InsertServices(ss []*model.Service) error {
	if len(ss) == 0 {
		return nil
	}
	// Ids no other transaction will be given: PostgreSQL's sequence
	// gives them; on SQLite the writer is alone, and takes those after
	// the largest.
	var ids []int64
	var err error
	if t.x.Dialect() == Postgres {
		ids, err = list(t, scanInt, "SELECT nextval(pg_get_serial_sequence('services', 'id')) FROM generate_series(1, ?)", len(ss))
	} else {
		var last int64
		err = t.row("SELECT coalesce(max(id), 0) FROM services").Scan(&last)
		for i := range ss {
			ids = append(ids, last+int64(i)+1)
		}
	}
	if err != nil {
		return err
	}
	for i, s := range ss {
		s.ID = ids[i]
	}
	return t.x.CopyRows("services", strings.Split("id, "+serviceInsertCols, ", "), len(ss), func(i int) []any {
		return append([]any{ss[i].ID}, serviceValues(ss[i])...)
	})
}

// InsertAccounts stores the accounts with the engine's bulk load.
func (t *Tx) InsertAccounts(as []model.Account) error {
	if len(as) == 0 {
		return nil
	}
	return t.x.CopyRows("accounts", strings.Split(accountCols, ", "), len(as), func(i int) []any {
		a := &as[i]
		return []any{string(a.Handle), a.Name, a.Email, int64(a.Owes), ts(a.Created), string(a.Lang)}
	})
}

// InsertHistories stores the entries with the engine's bulk load.
func (t *Tx) InsertHistories(es []model.HistoryEntry) error {
	if len(es) == 0 {
		return nil
	}
	return t.x.CopyRows("history", strings.Split(historyInsertCols, ", "), len(es), func(i int) []any {
		return historyValues(&es[i])
	})
}

// InsertMany is CopyRows for an engine without a bulk load of its own:
// multi-row INSERTs of up to maxParams values each, one statement for
// many rows.
func InsertMany(x Executor, table string, cols []string, n, maxParams int, row func(i int) []any) error {
	chunk := max(1, maxParams/len(cols))
	ph := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		args := make([]any, 0, (end-start)*len(cols))
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		if _, err := x.Exec(head+strings.TrimSuffix(strings.Repeat(ph+",", end-start), ","), args...); err != nil {
			return err
		}
	}
	return nil
}

func scanInt(sc Row) (n int64, err error) {
	err = sc.Scan(&n)
	return n, err
}
