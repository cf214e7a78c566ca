package cli

import (
	"database/sql"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// TestExportKeepsLettersWholeInALargeExport: a CSV export is written in
// 64 KiB pieces, and a letter of two bytes falls on the edge of some.
// Each piece used to be cleaned for the terminal as a text of its own, so
// that both halves of such a letter became U+FFFD: "Ñ" came out "��" in
// the export of a desk of accented names, and came back so through
// import. What the desk holds comes out as it is, however long.
func TestExportKeepsLettersWholeInALargeExport(t *testing.T) {
	d := newDesk(t)
	d.ok("init")
	var b strings.Builder
	b.WriteString("handle,name,email\n")
	name := strings.Repeat("Ñ", 199) + "a"
	for i := range 1000 {
		// addresses of 7 lengths: the pieces' edges fall on every byte
		fmt.Fprintf(&b, "mm%05d-ovh,%s,m%s@example.com\n", i, name, strings.Repeat("x", i%7))
	}
	d.ok("import", "accounts", d.write("accounts.csv", b.String()))
	out := d.ok("export", "accounts")
	if n := strings.Count(out, "\uFFFD"); n > 0 {
		t.Fatalf("the export holds %d U+FFFD: %.200q", n, out[strings.Index(out, "\uFFFD")-20:])
	}
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 1001 {
		t.Fatalf("%d records, want 1001", len(records))
	}
	for _, r := range records[1:] {
		if r[1] != name {
			t.Fatalf("%s: name %q", r[0], r[1])
		}
	}
}

// TestExportOfTextStoredWithEscapesKeepsItsShape: a cell stored by hand
// (or by an older version) with an escape sequence is cleaned for the
// terminal before it is quoted. Cleaned after, out of the CSV written, an
// ESC took the quotes that followed it along, one of them the quote
// closing the cell: the rest of the row, and the next ones, were read as
// that cell (a crafted address could then bring rows of its own to the
// next import).
func TestExportOfTextStoredWithEscapesKeepsItsShape(t *testing.T) {
	d := seeded(t)
	raw, err := sql.Open("sqlite3", filepath.Join(d.dir, "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.Exec(`UPDATE services SET has_owner = 1, owner_holder = ?, owner_address = ?, owner_email = 'ada@example.com'
		WHERE name = 'example.com'`, "Ada\x1b\"", `",evil.example,domain,ne44444-ovh,ne44444-ovh,ne44444-ovh,,,,`)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	d.ok("service", "add", "after.example", "--type", "domain", "--admin", "ad11111-ovh", "--tech", "te22222-ovh", "--billing", "bi33333-ovh")
	out := d.ok("export", "services")
	terminalSafe(t, []string{"export", "services"}, "stdout", out)
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	byName := map[string][]string{}
	for _, r := range records {
		if len(r) != 9 {
			t.Fatalf("a record of %d cells: %q\n%s", len(r), r, out)
		}
		byName[r[0]] = r
	}
	if len(records) != 3 || byName["after.example"] == nil || byName["evil.example"] != nil {
		t.Fatalf("records %q", records)
	}
	if r := byName["example.com"]; r[5] != "Ada" || r[6] != `",evil.example,domain,ne44444-ovh,ne44444-ovh,ne44444-ovh,,,,` {
		t.Errorf("example.com's owner: holder %q, address %q", r[5], r[6])
	}
}
