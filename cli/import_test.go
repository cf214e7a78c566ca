package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// write puts a file in the desk's directory and returns its path.
func (d *desk) write(name, content string) string {
	d.t.Helper()
	p := filepath.Join(d.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		d.t.Fatal(err)
	}
	return p
}

// importRefused runs an import that must be refused: exit 1, nothing on
// stdout, the lines listed on stderr; it returns stderr's lines.
func (d *desk) importRefused(stdin string, args ...string) []string {
	d.t.Helper()
	r := d.runIn(stdin, args...)
	if r.code != 1 || r.out != "" {
		d.t.Fatalf("%v: exit %d, stdout %q, stderr %q; want a refusal", args, r.code, r.out, r.err)
	}
	lines := strings.Split(strings.TrimSuffix(r.err, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "contactdesk: ") || !strings.Contains(last, "nothing was imported") {
		d.t.Fatalf("%v: the last line %q does not say nothing was imported", args, last)
	}
	return lines
}

func TestImportRefusesEveryBadLineAndStoresNothing(t *testing.T) {
	d := seeded(t)
	accountsBefore, servicesBefore := d.ok("account", "list"), d.ok("export", "services")
	path := d.write("accounts.csv", strings.Join([]string{
		"handle,name,email,owes,lang",
		"nw10001-ovh,Nova,nova@example.pt,12.50,pt", // good
		"nw-ovh,Bad Handle,x@example.pt,,",
		"nw10002-ovh,Bad Mail,nowhere,,",
		"nw10003-ovh,Hid\u200bden,h@example.pt,,",
		"nw10004-ovh,Owes,o@example.pt,-3,",
		"nw10005-ovh,Lang,l@example.pt,,de",
		"ad11111-ovh,Someone Else,ada@example.com,,", // differs from the desk
		"te22222-ovh,Ted Tech,ted@example.com,,",     // identical: skipped
		"nw10001-ovh,Nova Other,nova@example.pt,,",   // differs from line 2
		"nw10006-ovh,,e@example.pt,,",
		"nw10007-ovh,Too,many,cells,en,x",
		`nw10008-ovh,"Quote "here",q@example.pt,,`,
		`"nw10010"-ovh,Quote,q@example.pt,,`,
		"nw10009-ovh,Esc\x1b[31m,e@example.pt,,",
	}, "\n")+"\n")
	lines := d.importRefused("", "import", "accounts", path)
	want := map[int]string{3: "NIC handle", 4: "e-mail address", 5: "refused", 6: "amount", 7: "language", 8: "name",
		10: "line 2 already", 11: "empty", 12: "cells", 13: "quote", 14: "quote", 15: "refused"}
	if len(lines) != len(want)+1 {
		t.Errorf("%d lines on stderr, want %d:\n%s", len(lines), len(want)+1, strings.Join(lines, "\n"))
	}
	lineRE := regexp.MustCompile(`^` + regexp.QuoteMeta(path) + `:(\d+): (.*)$`)
	for _, l := range lines[:len(lines)-1] {
		m := lineRE.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("%q is not FILE:LINE: why", l)
			continue
		}
		var n int
		fmt.Sscan(m[1], &n)
		if says, ok := want[n]; !ok || !strings.Contains(m[2], says) {
			t.Errorf("line %d: %q, want it refused saying %q", n, m[2], says)
		}
		delete(want, n)
		if strings.ContainsAny(l, "\x1b\u200b") {
			t.Errorf("a refusal echoes what can act on a terminal: %q", l)
		}
	}
	if len(want) > 0 {
		t.Errorf("lines not reported: %v", want)
	}
	if !strings.Contains(lines[len(lines)-1], "12 lines of "+path+" refused") {
		t.Errorf("summary %q", lines[len(lines)-1])
	}
	// --dry-run says the same.
	if dry := d.importRefused("", "import", "accounts", path, "--dry-run"); strings.Join(dry, "\n") != strings.Join(lines, "\n") {
		t.Errorf("--dry-run said\n%s\nthe import\n%s", strings.Join(dry, "\n"), strings.Join(lines, "\n"))
	}

	svc := d.write("services.csv", strings.Join([]string{
		"name,type,admin,tech,billing,owner_holder,owner_address,owner_phone,owner_email",
		"nova.pt,domain,ad11111-ovh,te22222-ovh,bi33333-ovh,,,,", // good
		"bad name.pt,domain,ad11111-ovh,ad11111-ovh,ad11111-ovh,,,,",
		"ship.pt,spaceship,ad11111-ovh,ad11111-ovh,ad11111-ovh,,,,",
		"ghost.pt,domain,ad11111-ovh,gh99999-ovh,ad11111-ovh,,,,",
		"admin.pt,domain,admin,ad11111-ovh,ad11111-ovh,,,,",
		"example.com,domain,ad11111-ovh,ne44444-ovh,bi33333-ovh,,,,", // differs: tech
		"vps.example,vps,ad11111-ovh,ad11111-ovh,ad11111-ovh,Holder,,,",
		"phone.pt,domain,ad11111-ovh,ad11111-ovh,ad11111-ovh,,,call me,",
		"nova.pt,domain,te22222-ovh,te22222-ovh,bi33333-ovh,,,,", // differs from line 2
	}, "\r\n")+"\r\n")
	lines = d.importRefused("", "import", "services", svc)
	for i, says := range []string{"service name", "service type", "no account gh99999-ovh", "admin contact must be a NIC handle", "tech contact", "not a domain", "phone number", "line 2 already"} {
		if i >= len(lines) || !strings.HasPrefix(lines[i], fmt.Sprintf("%s:%d: ", svc, i+3)) || !strings.Contains(lines[i], says) {
			t.Errorf("line %d: want it refused saying %q; stderr:\n%s", i+3, says, strings.Join(lines, "\n"))
		}
	}
	if d.ok("account", "list") != accountsBefore || d.ok("export", "services") != servicesBefore {
		t.Fatal("a refused import changed the desk")
	}
}

func TestImportListsTwentyLinesThenCounts(t *testing.T) {
	d := seeded(t)
	var b strings.Builder
	b.WriteString("handle,name,email\n")
	for i := range 45 {
		fmt.Fprintf(&b, "bad%d,Name,n@example.pt\n", i)
	}
	lines := d.importRefused(b.String(), "import", "accounts", "-")
	if len(lines) != 22 || lines[20] != "standard input: and 25 more refused lines" || !strings.Contains(lines[21], "45 lines of standard input refused") {
		t.Errorf("stderr:\n%s", strings.Join(lines, "\n"))
	}
	if !strings.HasPrefix(lines[0], "standard input:2: ") || !strings.HasPrefix(lines[19], "standard input:21: ") {
		t.Errorf("lines %q … %q", lines[0], lines[19])
	}
}

func TestImportAFileAsSpreadsheetsWriteIt(t *testing.T) {
	d := seeded(t)
	// A byte-order mark, CRLF, quoted fields (a comma and a quote in a
	// name), columns in another order and case, an empty last row.
	path := d.write("accounts.csv", "\ufeffEmail,Handle,NAME,Lang\r\n"+
		"nova@example.pt,NW10001-OVH,\"Nova, Lda\",pt-PT\r\n"+
		"ze@example.fr,nw10002-ovh,\"Zé \"\"o Grande\"\"\",\r\n"+
		"ted@example.com,te22222-ovh,Ted Tech,\r\n"+
		",,,\r\n")
	dry := d.ok("import", "accounts", path, "--dry-run")
	if !strings.Contains(dry, "2 accounts to add, 1 already there") || !strings.Contains(dry, "nothing was stored") {
		t.Errorf("--dry-run says %q", dry)
	}
	if strings.Contains(d.ok("account", "list"), "nw10001-ovh") {
		t.Fatal("--dry-run stored an account")
	}
	out := d.ok("import", "accounts", path)
	if !strings.Contains(out, "2 accounts added, 1 skipped") {
		t.Errorf("import says %q", out)
	}
	type acc struct{ Handle, Name, Email, Lang string }
	got := map[string]acc{}
	for _, a := range decode[[]acc](t, d.ok("account", "list", "--json")) {
		got[a.Handle] = a
	}
	if got["nw10001-ovh"] != (acc{"nw10001-ovh", "Nova, Lda", "nova@example.pt", "pt"}) || got["nw10002-ovh"] != (acc{"nw10002-ovh", `Zé "o Grande"`, "ze@example.fr", "en"}) {
		t.Errorf("imported %+v %+v", got["nw10001-ovh"], got["nw10002-ovh"])
	}
	// Standard input, and the same lines again: all skipped.
	b, _ := os.ReadFile(path)
	if out := d.runIn(string(b), "import", "accounts", "-"); out.code != 0 || !strings.Contains(out.out, "0 accounts added, 3 skipped") {
		t.Errorf("the same file again, from stdin: %+v", out)
	}
	// Services with their history line.
	svc := d.write("services.csv", "name,type,admin,tech,billing,owner_phone\nnova.pt,domain,nw10001-ovh,te22222-ovh,nw10002-ovh,+351 210 000 000\n")
	if out := d.ok("import", "services", svc); !strings.Contains(out, "1 service added") {
		t.Errorf("import services says %q", out)
	}
	if h := d.ok("history", "--as", "nw10001-ovh", "--service", "nova.pt"); !strings.Contains(h, "service.import") || !strings.Contains(h, "imported") {
		t.Errorf("history of nova.pt:\n%s", h)
	}
	if o := d.ok("owner", "show", "nova.pt", "--as", "nw10001-ovh"); !strings.Contains(o, "Nova, Lda") || !strings.Contains(o, "+351 210 000 000") {
		t.Errorf("owner of nova.pt:\n%s", o)
	}
}

// TestImportSemicolons: a spreadsheet set to Portuguese or French saves
// CSV with semicolons (the comma is its decimal sign); such a file is
// read as it is, a comma inside a cell kept.
func TestImportSemicolons(t *testing.T) {
	d := seeded(t)
	path := d.write("contas.csv", "handle;name;email;owes;lang\r\n"+
		"nw10001-ovh;Nova, Lda;nova@example.pt;12,50;pt\r\n"+
		"nw10002-ovh;\"Zé; o Grande\";ze@example.fr;0;fr\r\n")
	if out := d.ok("import", "accounts", path); !strings.Contains(out, "2 accounts added") {
		t.Fatalf("import says %q", out)
	}
	out := d.ok("account", "list")
	if !strings.Contains(out, "Nova, Lda") || !strings.Contains(out, "Zé; o Grande") {
		t.Errorf("imported:\n%s", out)
	}
}

func TestImportRefusesAFileItCannotRead(t *testing.T) {
	d := seeded(t)
	d.refused("is empty", "import", "accounts", d.write("empty.csv", ""))
	d.refused(`"phone" is not a column`, "import", "accounts", d.write("a.csv", "handle,name,email,phone\n"))
	d.refused(`no column "email"`, "import", "accounts", d.write("b.csv", "handle,name\n"))
	d.refused(`named twice`, "import", "accounts", d.write("c.csv", "handle,name,email,name\n"))
	d.refused(`no column "billing"`, "import", "services", d.write("d.csv", "name,type,admin,tech\n"))
	d.refused("can't read", "import", "accounts", filepath.Join(d.dir, "missing.csv"))
	d.misused("takes 1 argument", "import", "accounts")
	d.misused("--as", "import", "accounts", "x.csv", "--as", "ad11111-ovh")
}

// TestExportImportRoundTrip: what a desk exports, an empty desk imports
// as it was: the same export, CSV and JSON, every column.
func TestExportImportRoundTrip(t *testing.T) {
	src := newDesk(t)
	src.ok("demo")
	src.ok("account", "set-standing", "ab12345-ovh", "--owes", "42.50")
	src.ok("profile", "set-lang", "fr", "--as", "yy22222-ovh")
	accounts, services := src.ok("export", "accounts"), src.ok("export", "services")
	if !strings.HasPrefix(accounts, "handle,name,email,owes,lang\n") || !strings.Contains(accounts, "ab12345-ovh,Alice Brandão,alice.brandao@example.com,42.50,pt\n") {
		t.Errorf("accounts:\n%s", accounts)
	}
	if !strings.Contains(services, "xara.pt,domain,xx11111-ovh,xx11111-ovh,xx11111-ovh,Xavier Xará,\"Rua das Flores 12, 1200-195 Lisboa, Portugal\",+351 210 000 123,xavier@xara.pt\n") {
		t.Errorf("services:\n%s", services)
	}
	dst := newDesk(t)
	dst.ok("init")
	dst.ok("import", "accounts", src.write("accounts.csv", accounts))
	dst.ok("import", "services", src.write("services.csv", services))
	for _, args := range [][]string{{"export", "accounts"}, {"export", "services"}, {"export", "accounts", "--format", "json"}, {"export", "services", "--format", "json"}} {
		if a, b := src.ok(args...), dst.ok(args...); a != b {
			t.Errorf("%v differs after the round trip:\n%s\n---\n%s", args, a, b)
		}
	}
	js := decode[[]map[string]any](t, src.ok("export", "services", "--format", "json"))
	if len(js) != 15 || js[0]["name"] != "duarte-consulting.com" || js[0]["owner_holder"] != "Carlos Duarte" || len(js[0]) != 9 {
		t.Errorf("services as JSON: %d, %v", len(js), js[0])
	}
	ja := decode[[]map[string]any](t, src.ok("export", "accounts", "--format", "json"))
	if ja[0]["handle"] != "ab12345-ovh" || ja[0]["owes"] != 42.5 {
		t.Errorf("accounts as JSON: %v", ja[0])
	}
	empty := newDesk(t)
	empty.ok("init")
	if out := empty.ok("export", "services", "--format", "json"); out != "[]\n" {
		t.Errorf("an empty desk's services as JSON: %q", out)
	}
	empty.misused("--format takes csv or json", "export", "accounts", "--format", "xml")
	empty.misused("export accounts writes JSON with --format json, not --json", "export", "accounts", "--json")
}

// A CSV export is opened in spreadsheets: a customer's text that begins
// like a formula must reach them as text, and still come back whole
// through import.
func TestExportDefusesFormulas(t *testing.T) {
	src := newDesk(t)
	src.ok("demo")
	src.ok("owner", "set", "xara.pt", "--as", "xx11111-ovh", "--holder", `=HYPERLINK("http://evil.example","Click")`, "--address", "@SUM(1+1)*cmd|' /C calc'!A0")
	src.ok("account", "add", "zz12345-ovh", "--name", "'=already quoted", "--email", "z@b.pt")
	src.ok("account", "add", "zz12346-ovh", "--name", "'s-Hertogenbosch Lda", "--email", "y@b.pt")
	services, accounts := src.ok("export", "services"), src.ok("export", "accounts")
	for _, want := range []string{`"'=HYPERLINK(""http://evil.example"",""Click"")"`, `'@SUM(1+1)*cmd|' /C calc'!A0`, "+351 210 000 123"} {
		if !strings.Contains(services, want) {
			t.Errorf("services export lacks %s:\n%s", want, services)
		}
	}
	for _, want := range []string{"zz12345-ovh,''=already quoted,", "zz12346-ovh,'s-Hertogenbosch Lda,"} {
		if !strings.Contains(accounts, want) {
			t.Errorf("accounts export lacks %s:\n%s", want, accounts)
		}
	}
	for _, line := range strings.Split(services+accounts, "\n") {
		for _, cell := range strings.Split(line, ",") {
			if c := strings.TrimPrefix(cell, `"`); c != "" && strings.ContainsRune("=@", rune(c[0])) {
				t.Errorf("a cell a spreadsheet runs: %s", line)
			}
		}
	}
	if js := src.ok("export", "services", "--format", "json"); !strings.Contains(js, `"owner_holder": "=HYPERLINK(`) {
		t.Errorf("JSON is not for spreadsheets and keeps the value as it is:\n%s", js)
	}
	dst := newDesk(t)
	dst.ok("init")
	dst.ok("import", "accounts", src.write("accounts.csv", accounts))
	dst.ok("import", "services", src.write("services.csv", services))
	if a, b := src.ok("owner", "show", "xara.pt", "--as", "xx11111-ovh", "--json"), dst.ok("owner", "show", "xara.pt", "--as", "xx11111-ovh", "--json"); a != b || !strings.Contains(b, `"holder": "=HYPERLINK(`) {
		t.Errorf("the owner after the round trip:\n%s\n---\n%s", a, b)
	}
	for _, args := range [][]string{{"export", "accounts"}, {"export", "services"}} {
		if a, b := src.ok(args...), dst.ok(args...); a != b {
			t.Errorf("%v differs after the round trip:\n%s\n---\n%s", args, a, b)
		}
	}
}

// TestImportSaysAQuoteIsNeverClosed: a field opened with a double quote
// and never closed runs to the end of the file; the line that opens it
// is said to be the one, and why, where it read "a stray double quote
// (column 24)" of a line of 22 characters. A stray quote is still one,
// on the last line too.
func TestImportSaysAQuoteIsNeverClosed(t *testing.T) {
	d := seeded(t)
	const head = "handle,name,email\n"
	for _, c := range []struct{ name, body, says string }{
		{"middle.csv", head + "qq12349-ovh,\"Q,q@x.com\nqq12350-ovh,R,r@x.com\n", "middle.csv:2: a field opened with a double quote is never closed"},
		{"last.csv", head + "qq12349-ovh,\"Q,q@x.com\n", "last.csv:2: a field opened with a double quote is never closed"},
		{"lastcrlf.csv", head + "qq12349-ovh,\"Q,q@x.com\r\n", "lastcrlf.csv:2: a field opened with a double quote is never closed"},
		{"nonl.csv", head + "qq12349-ovh,\"Q,q@x.com", "nonl.csv:2: a field opened with a double quote is never closed"},
		{"stray.csv", head + "qq12349-ovh,\"Q\"x,q@x.com\nqq12350-ovh,R,r@x.com\n", "stray.csv:2: a stray double quote (column 15)"},
		{"straylast.csv", head + "qq12349-ovh,\"Q\"x,q@x.com", "straylast.csv:2: a stray double quote (column 15)"},
	} {
		r := d.run("import", "accounts", d.write(c.name, c.body))
		if r.code != 1 || !strings.Contains(r.err, c.says) {
			t.Errorf("%s: exit %d, %q; want %q", c.name, r.code, r.err, c.says)
		}
	}
}

// TestImportCountsAsTheReaderWritesNumbers: 10,000 accounts checked are
// "10 000 contas" in Portuguese (pt-PT groups from five digits), as the
// desk writes every other count, not "10000 contas".
func TestImportCountsAsTheReaderWritesNumbers(t *testing.T) {
	d := seeded(t)
	var b strings.Builder
	b.WriteString("handle,name,email\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "im%05d-ovh,Name %d,n%d@example.pt\n", i, i, i)
	}
	csv := filepath.Join(d.dir, "many.csv")
	if err := os.WriteFile(csv, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r := d.withLang([]string{"LANG=pt_PT.UTF-8"}, "import", "accounts", csv, "--dry-run")
	if r.code != 0 || !strings.Contains(r.out, "10\u00a0000 contas a acrescentar, 0 já existentes") {
		t.Errorf("exit %d: %q", r.code, r.out)
	}
}

// TestImportCountsAgree: what import says of the entries already there
// agrees with their count, in every language: "1 já existente", "3 já
// existiam e ficaram de fora", "1 déjà présent", not "1 já existente(s)"
// nor "3 ignoré(s)".
func TestImportCountsAgree(t *testing.T) {
	for _, c := range []struct{ lang, dry, done, again string }{
		{"LANG=pt_PT.UTF-8", "2 contas a acrescentar, 1 já existente (sem diferenças,", "mais 2 contas no balcão, 1 já existia e ficou de fora (", "mais 0 contas no balcão, 3 já existiam e ficaram de fora ("},
		{"LANG=fr_FR.UTF-8", "2 comptes à ajouter, 1 déjà présent (à l'identique,", "2 comptes de plus dans le guichet, 1 ignoré, déjà présent (", "0 compte de plus dans le guichet, 3 ignorés, déjà présents ("},
		{"LANG=C", "2 accounts to add, 1 already there (identical,", "2 accounts added, 1 skipped (already there,", "0 accounts added, 3 skipped (already there,"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			d := seeded(t)
			path := d.write("accounts.csv", "handle,name,email\n"+
				"nw10001-ovh,Nova,nova@example.pt\n"+
				"nw10002-ovh,Zé,ze@example.fr\n"+
				"te22222-ovh,Ted Tech,ted@example.com\n")
			for _, step := range []struct {
				args []string
				want string
			}{
				{[]string{"import", "accounts", path, "--dry-run"}, c.dry},
				{[]string{"import", "accounts", path}, c.done},
				{[]string{"import", "accounts", path}, c.again},
			} {
				if r := d.withLang([]string{c.lang}, step.args...); r.code != 0 || !strings.Contains(r.out, step.want) {
					t.Errorf("%v: exit %d, %q, want %q (stderr %q)", step.args, r.code, r.out, step.want, r.err)
				}
			}
		})
	}
}
