package sqlstore

import (
	"context"
	"strings"
)

// Kind is how a column's values are carried from one engine to another.
type Kind int

// The kinds of column a desk has.
const (
	Text   Kind = iota
	Int         // a number
	Bool        // SQLite's 0/1, PostgreSQL's boolean
	Bytes       // BLOB, bytea
	NullID      // a reference that may be NULL
)

// Column is one column of a table.
type Column struct {
	Name string
	Kind Kind
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

func cols(spec string) []Column {
	kinds := map[string]Kind{"": Text, "int": Int, "bool": Bool, "bytes": Bytes, "null": NullID}
	var cs []Column
	for _, f := range strings.Fields(spec) {
		name, k, _ := strings.Cut(f, ":")
		cs = append(cs, Column{Name: name, Kind: kinds[k]})
	}
	return cs
}

// Tables lists every table of a desk, with every column, in an order
// that satisfies the foreign keys. A migration that adds a table or a
// column adds it here too (a test compares this list with the schemas
// of both dialects).
var Tables = []Table{
	{Name: "accounts", Cols: cols("handle name email owes:int created:int lang")},
	{Name: "services", Identity: true, Cols: cols("id:int name type admin tech billing has_owner:bool owner_holder owner_address owner_phone owner_email created:int")},
	{Name: "requests", Identity: true, Cols: cols("id:int service_id:int roles from_handle to_handle requester state reason created:int expires:int ended:int")},
	{Name: "parties", Cols: cols("request_id:int position:int handle answer answered:int")},
	{Name: "tokens", Identity: true, Cols: cols("id:int request_id:int handle hash:bytes state")},
	{Name: "token_failures", Cols: cols("handle request_id:int at:int")},
	{Name: "token_locks", Cols: cols("handle request_id:int until:int")},
	{Name: "mails", Identity: true, Cols: cols("id:int to_handle address subject date:int body request_id:null token link kind read:bool")},
	{Name: "history", Identity: true, Cols: cols("id:int at:int actor action service_id:null request_id:null detail")},
	{Name: "settings", Cols: cols("key value updated:int")},
	{Name: "keys", Cols: cols("fingerprint handle type key comment added:int")},
	{Name: "outbox", Cols: cols("mail_id:int state attempts:int next_try:int queued:int updated:int last_error")},
	{Name: "email_changes", Identity: true, Cols: cols("id:int handle email hash:bytes state created:int expires:int ended:int")},
	{Name: "api_keys", Cols: cols("app_key handle name consumer_hash:bytes secret:bytes created:int last_used:int")},
}

// Source is a desk to copy from (contactdesk migrate), read in one
// snapshot at SchemaVersion.
type Source interface {
	// ReadTables calls fn for each of Tables, in order, with a function
	// that returns the table's next row (its values in the table's
	// column order, of Go types: string, int64, bool, []byte, or nil
	// for NULL) and nil after the last.
	ReadTables(ctx context.Context, fn func(t Table, next func() ([]any, error)) error) error
	// Where names the source, for messages.
	Where() string
}
