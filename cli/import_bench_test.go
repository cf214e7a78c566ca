package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// importFiles writes the CSV of nAcc accounts and nSvc services, their
// contacts drawn among the accounts, as a provider's export would give
// them.
func importFiles(nAcc, nSvc int) (accounts, services string) {
	var a, s strings.Builder
	a.WriteString("handle,name,email,owes,lang\r\n")
	for i := range nAcc {
		owes := "0.00"
		if i%37 == 0 {
			owes = fmt.Sprintf("%d.%02d", i%500, i%100)
		}
		fmt.Fprintf(&a, "cu%d-ovh,\"Cliente %d, Lda\",cliente%d@example.pt,%s,%s\r\n", 100000+i, i, i, owes, []string{"pt", "en", "fr"}[i%3])
	}
	s.WriteString("name,type,admin,tech,billing,owner_holder,owner_address,owner_phone,owner_email\r\n")
	types := []string{"domain", "hosting", "vps", "dedicated", "email", "domain"}
	for i := range nSvc {
		typ := types[i%len(types)]
		h := func(k int) string { return fmt.Sprintf("cu%d-ovh", 100000+(i*7+k*13)%nAcc) }
		owner := ",,,"
		if typ == "domain" && i%4 == 0 {
			owner = fmt.Sprintf("Titular %d,\"Rua %d, Lisboa\",+351 210 %03d %03d,legal%d@example.pt", i, i, i%1000, i%997, i)
		}
		fmt.Fprintf(&s, "svc-%d.example.pt,%s,%s,%s,%s,%s\r\n", i, typ, h(0), h(1), h(2), owner)
	}
	return a.String(), s.String()
}

// BenchmarkImport10kAccounts100kServices imports 10,000 accounts, then
// 100,000 services naming them, into a new desk, through the command
// line from standard input: reading the CSV, every line's checks, the
// bulk inserts with a history line each, one durable transaction each.
func BenchmarkImport10kAccounts100kServices(b *testing.B) {
	accounts, services := importFiles(10_000, 100_000)
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average: %s", strings.TrimSpace(string(load)))
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "desk.db")
		env := func(k string) string {
			if k == "CONTACTDESK_DB" {
				return path
			}
			return ""
		}
		if code := Run(context.Background(), []string{"init"}, strings.NewReader(""), io.Discard, io.Discard, env); code != 0 {
			b.Fatal("init failed")
		}
		b.StartTimer()
		for _, f := range []struct{ what, csv string }{{"accounts", accounts}, {"services", services}} {
			var errb strings.Builder
			if code := Run(context.Background(), []string{"import", f.what, "-"}, strings.NewReader(f.csv), io.Discard, &errb, env); code != 0 {
				b.Fatalf("import %s: exit %d: %s", f.what, code, errb.String())
			}
		}
	}
}
