package sqlstore

import "strings"

// Column is one column of a table. Bool marks a column SQLite keeps as
// 0 or 1 and PostgreSQL as a boolean; the others carry the same Go
// values (string, int64, []byte, or nil for NULL) in both.
type Column struct {
	Name string
	Bool bool
}

// Table is one table of a desk.
type Table struct {
	Name     string
	Cols     []Column
	Identity bool // its id comes from a sequence (in PostgreSQL)
}

// ColNames lists the table's columns.
func (t Table) ColNames() []string {
	names := make([]string, len(t.Cols))
	for i, c := range t.Cols {
		names[i] = c.Name
	}
	return names
}

// cols reads "name other flag:bool".
func cols(spec string) []Column {
	var cs []Column
	for _, f := range strings.Fields(spec) {
		name, kind, _ := strings.Cut(f, ":")
		cs = append(cs, Column{Name: name, Bool: kind == "bool"})
	}
	return cs
}

// Tables lists every table of a desk, with every column, in an order
// that satisfies the foreign keys. A migration that adds a table or a
// column adds it here too (a test compares this list with the schemas
// of both dialects).
var Tables = []Table{
	{Name: "accounts", Cols: cols("handle name email owes created lang")},
	{Name: "services", Identity: true, Cols: cols("id name type admin tech billing has_owner:bool owner_holder owner_address owner_phone owner_email created")},
	{Name: "requests", Identity: true, Cols: cols("id service_id roles from_handle to_handle requester state reason created expires ended")},
	{Name: "parties", Cols: cols("request_id position handle answer answered token_n token_hash token_state")},
	{Name: "tokens", Cols: cols("request_id n handle hash state")},
	{Name: "token_failures", Cols: cols("handle request_id at")},
	{Name: "token_locks", Cols: cols("handle request_id until")},
	{Name: "mails", Identity: true, Cols: cols("id to_handle address subject date body request_id token link kind read:bool credential_id")},
	{Name: "history", Identity: true, Cols: cols("id at actor action service_id request_id detail")},
	{Name: "settings", Cols: cols("key value updated")},
	{Name: "keys", Cols: cols("fingerprint handle type key comment added")},
	{Name: "outbox", Cols: cols("mail_id state attempts next_try queued updated last_error")},
	{Name: "email_changes", Identity: true, Cols: cols("id handle email hash state created expires ended")},
	{Name: "api_keys", Cols: cols("app_key handle name secret created last_used")},
	{Name: "api_consumers", Identity: true, Cols: cols("id app_key consumer_hash rules state redirection token_hash code_hash codes created expires ended last_used asked_from")},
}

// IDsGiven returns the highest id the table ever gave, deleted rows
// included, when the engine keeps it apart from the rows (SQLite's
// AUTOINCREMENT, as api_consumers has: the number of a consumer key
// deleted is never given again); 0 otherwise. A copy moves its sequence
// past it as well as past the ids it copies.
func (t *Tx) IDsGiven(table string) (int64, error) {
	if t.x.Dialect() != SQLite {
		return 0, nil
	}
	var n int64
	err := t.row("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0)", table).Scan(&n)
	return n, err
}

// ReadTable reads every row of table tb, for a copy into another desk:
// fn is given a function that returns the next row (its values in tb's
// column order, of Go types: string, int64, bool, []byte, or nil for
// NULL) and nil after the last.
func (t *Tx) ReadTable(tb Table, fn func(next func() ([]any, error)) error) error {
	rows, err := t.x.Query("SELECT " + strings.Join(tb.ColNames(), ", ") + " FROM " + tb.Name)
	if err != nil {
		return err
	}
	defer rows.Close()
	err = fn(func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		row := make([]any, len(tb.Cols))
		dest := make([]any, len(row))
		for i := range row {
			dest[i] = &row[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for i, c := range tb.Cols {
			if n, ok := row[i].(int64); ok && c.Bool {
				row[i] = n != 0 // SQLite keeps a flag as 0 or 1
			}
		}
		return row, nil
	})
	if err != nil {
		return err
	}
	return rows.Err()
}

// Count counts the rows of a table.
func (t *Tx) Count(table string) (n int64, err error) {
	err = t.row("SELECT count(*) FROM " + table).Scan(&n)
	return n, err
}
