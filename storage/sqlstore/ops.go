package sqlstore

import (
	"slices"
	"strings"
	"time"

	"contactdesk/model"
)

// What an import checks, an export reads and a scrape counts.

// lookupChunk is how many values the IN list of a lookup holds. The last
// chunk is padded with its last value, so that every lookup runs one
// statement, prepared once per connection on either engine, whatever
// the number of values.
const lookupChunk = 200

// smallChunk is the IN list of a lookup of a few values (a request's
// parties, whose accounts its mails need, in every request's life): a
// second statement, prepared once too, that binds 8 values, not 200.
const smallChunk = 8

// inList runs q, whose one IN list is written ?IN, for every chunk of
// vals, and reads each row with scan.
func inList[T, V any](t *Tx, scan func(Row) (T, error), q string, vals []V) ([]T, error) {
	chunk := lookupChunk
	if len(vals) <= smallChunk {
		chunk = smallChunk
	}
	q = strings.Replace(q, "?IN", "("+strings.TrimSuffix(strings.Repeat("?,", chunk), ",")+")", 1)
	var out []T
	args := make([]any, chunk)
	for start := 0; start < len(vals); start += chunk {
		end := min(start+chunk, len(vals))
		for i := range args {
			args[i] = vals[min(start+i, end-1)]
		}
		got, err := list(t, scan, q, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func (t *Tx) AccountsIn(hs []model.Handle) ([]model.Account, error) {
	vals := make([]string, len(hs))
	for i, h := range hs {
		vals[i] = string(h)
	}
	as, err := inList(t, scanAccount, "SELECT "+accountCols+" FROM accounts WHERE handle IN ?IN", vals)
	slices.SortFunc(as, func(a, b model.Account) int { return strings.Compare(string(a.Handle), string(b.Handle)) })
	return as, err
}

func (t *Tx) ServicesNamed(names []string) ([]model.Service, error) {
	ss, err := inList(t, func(r Row) (model.Service, error) { return scanService(r) }, "SELECT "+serviceCols+" FROM services s WHERE s.name IN ?IN", names)
	slices.SortFunc(ss, func(a, b model.Service) int { return strings.Compare(a.Name, b.Name) })
	return ss, err
}

func (t *Tx) ServicesAfter(after string, limit int) ([]model.Service, error) {
	return list(t, func(r Row) (model.Service, error) { return scanService(r) },
		"SELECT "+serviceCols+" FROM services s WHERE s.name > +? ORDER BY s.name LIMIT +?", after, limit)
}

func (t *Tx) RequestCounts(now time.Time) (map[model.State]int, error) {
	type count struct {
		state model.State
		n     int
	}
	cs, err := list(t, func(r Row) (count, error) {
		var c count
		err := r.Scan(&c.state, &c.n)
		return c, err
	}, `SELECT CASE WHEN state = 'validatingByCustomers' AND expires <= ? THEN 'expired' ELSE state END AS st, count(*)
		FROM requests GROUP BY st`, ts(now))
	if err != nil {
		return nil, err
	}
	m := make(map[model.State]int, len(cs))
	for _, c := range cs {
		m[c.state] += c.n
	}
	return m, nil
}

func (t *Tx) OutboxPending() (int, error) {
	var n int
	err := t.row("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')").Scan(&n)
	return n, err
}
