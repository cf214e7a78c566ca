package sqlite_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/storage/sqlite"
)

// TestNoPlaintextTokenOutsideTheMails runs requests through every end
// (done with a resend, refused, cancelled, wrong tokens counted), then
// reads every column of every table of the file: a token's text, in any
// spelling, may appear in the mails and nowhere else.
func TestNoPlaintextTokenOutsideTheMails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	var db *sqlite.DB
	f := modeltest.New(t, func(t *testing.T) model.Store {
		var err error
		if db, err = sqlite.Open(path, sqlite.Options{Create: true}); err != nil {
			t.Fatal(err)
		}
		return db
	})
	A, T, N, X := modeltest.A, modeltest.T, modeltest.N, modeltest.X
	done := f.Create(A, modeltest.Example, N, model.Tech)[0]
	old := f.Token(T, done.ID)
	if _, err := f.Desk.Resend(f.Ctx, T, done.ID); err != nil {
		t.Fatal(err)
	}
	// Wrong tries: the old token, another party's, a stranger's.
	f.Desk.Accept(f.Ctx, T, done.ID, old)
	f.Desk.Accept(f.Ctx, T, done.ID, f.Token(N, done.ID))
	f.Desk.Accept(f.Ctx, X, done.ID, f.Token(A, done.ID))
	for _, h := range []model.Handle{A, T, N} {
		f.Accept(h, done.ID)
	}
	refused := f.Create(A, modeltest.Multi, N, model.Tech)[0]
	if _, err := f.Desk.Refuse(f.Ctx, N, refused.ID, f.Token(N, refused.ID)); err != nil {
		t.Fatal(err)
	}
	cancelled := f.Create(A, modeltest.Self, N, model.Billing)[0]
	if _, err := f.Desk.Cancel(f.Ctx, A, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	open := f.Create(A, modeltest.Example, modeltest.N2, model.Billing)[0]
	f.Accept(A, open.ID)
	f.Store.Close()

	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Every token's normal form; values are read in the same form (upper
	// case, no separators, O read as 0, I and L as 1), so that no
	// spelling escapes, and a third of a token (16 symbols, 80 bits) is
	// enough to be found.
	var norms [][]byte
	rows, err := raw.Query("SELECT token FROM mails WHERE token != ''")
	if err != nil {
		t.Fatal(err)
	}
	tokens := 0
	for rows.Next() {
		var tok string
		rows.Scan(&tok)
		tokens++
		norm, ok := model.NormalizeToken(tok)
		if !ok {
			t.Fatalf("a mail's token %q is not a token", tok)
		}
		for i := 0; i+16 <= len(norm); i += 6 {
			norms = append(norms, []byte(norm[i:i+16]))
		}
	}
	rows.Close()
	if tokens < 12 {
		t.Fatalf("only %d tokens were mailed", tokens)
	}
	var tables []string
	rows, err = raw.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	scanned := 0
	for _, table := range tables {
		var cols []string
		rows, err := raw.Query(fmt.Sprintf("SELECT name FROM pragma_table_info('%s')", table))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c string
			rows.Scan(&c)
			cols = append(cols, c)
		}
		rows.Close()
		for _, col := range cols {
			if table == "mails" && (col == "token" || col == "link" || col == "body") {
				continue // where a token belongs: the mail that carries it
			}
			rows, err := raw.Query(fmt.Sprintf(`SELECT CAST("%s" AS BLOB) FROM "%s"`, col, table))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var v []byte
				rows.Scan(&v)
				scanned++
				v = normalForm(v)
				for _, s := range norms {
					if bytes.Contains(v, s) {
						t.Errorf("%s.%s holds a token (%s…)", table, col, s)
					}
				}
			}
			rows.Close()
		}
	}
	if scanned < 200 {
		t.Fatalf("only %d values scanned", scanned)
	}
	// Hashes of 32 bytes, one per mail: each party's latest on its row,
	// the ones a resend replaced in tokens.
	var hashes, wrong int
	raw.QueryRow(`SELECT count(*), sum(length(hash) != 32) FROM
		(SELECT token_hash AS hash FROM parties WHERE token_n > 0 UNION ALL SELECT hash FROM tokens)`).Scan(&hashes, &wrong)
	if hashes != tokens || wrong != 0 {
		t.Errorf("%d hashes (%d not of 32 bytes) for %d tokens mailed", hashes, wrong, tokens)
	}
	// And in the mails, only confirmation mails carry one.
	var strays int
	raw.QueryRow("SELECT count(*) FROM mails WHERE kind != 'confirm' AND (token != '' OR link != '')").Scan(&strays)
	if strays != 0 {
		t.Errorf("%d mails that are not confirmations carry a token", strays)
	}
}

// normalForm reads bytes as a token would be read: upper case, without
// separators, O as 0, I and L as 1.
func normalForm(v []byte) []byte {
	out := make([]byte, 0, len(v))
	for _, c := range bytes.ToUpper(v) {
		switch c {
		case ' ', '-', '.', '_', '\t', '\n':
			continue
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		out = append(out, c)
	}
	return out
}
