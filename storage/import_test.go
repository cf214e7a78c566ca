package storage_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/ssh"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/storage"
	"contactdesk/storage/postgres"
	"contactdesk/storage/postgres/pgtest"
	"contactdesk/storage/sqlstore"
)

// sqliteDesk makes a SQLite desk with something in every table: the
// demo, keys, mails queued for SMTP, settings, a token replaced by a
// resend, wrong tokens and a lock-out.
func sqliteDesk(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "desk.db")
	db, err := storage.Open(path, storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	d := model.NewDesk(db, model.Options{})
	if _, err := d.UseRealDelivery(ctx); err != nil { // mails queued for SMTP, as a run with --smtp makes them
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, d, demo.Options{Services: 300}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		pub, _, _ := ed25519.GenerateKey(rand.Reader)
		pk, _ := ssh.NewPublicKey(pub)
		line := fmt.Sprintf("%s key-%d", ssh.MarshalAuthorizedKey(pk)[:len(ssh.MarshalAuthorizedKey(pk))-1], i)
		if _, err := d.AddKey(ctx, []model.Handle{demo.Persona, "yy22222-ovh"}[i%2], []byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range map[string]string{model.SettingPublicURL: "https://desk.example.net", model.SettingMailDelivery: model.DeliverySMTP} {
		if _, err := d.SetSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	// A change of e-mail address that ended long ago, written as it is
	// stored.
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO email_changes (handle, email, hash, state, created, expires, ended)
		VALUES ('yy22222-ovh', 'yolanda@old.example', x'00', 'confirmed', 1, 2, 2)`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddAPIKey(ctx, demo.Persona, "nightly sync", plainBox{}); err != nil {
		t.Fatal(err)
	}
	rs, err := d.CreateRequest(ctx, demo.Persona, model.NewRequest{Service: "xara.pt", Roles: []model.Role{model.Tech}, To: "zz33333-ovh"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Resend(ctx, demo.Persona, rs[0].ID); err != nil {
		t.Fatal(err)
	}
	for range model.MaxTokenFailures {
		if _, err := d.Accept(ctx, "zz33333-ovh", rs[0].ID, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"); err == nil { // well formed: a wrong try
			t.Fatal("a wrong token was accepted")
		}
	}
	if _, err := d.AskEmailChange(ctx, demo.Persona, "xavier@new-address.example"); err != nil {
		t.Fatal(err)
	}
	return path
}

// plainBox seals nothing: the import copies what it is given.
type plainBox struct{}

func (plainBox) Seal(secret, _ []byte) ([]byte, error) { return secret, nil }
func (plainBox) Open(sealed, _ []byte) ([]byte, error) { return sealed, nil }

func TestImportCopiesEverything(t *testing.T) {
	path := sqliteDesk(t)
	u := pgtest.URL(t)
	db := pgOpenURL(t, u)
	ctx := context.Background()
	n, err := storage.Import(ctx, db, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range sqlstore.Tables {
		if n[tb.Name] == 0 {
			t.Errorf("no rows copied into %s: the test desk should fill every table", tb.Name)
		}
	}
	lite, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	w := &twin{t: t, lite: lite, pg: db}

	accounts := w.read("Accounts", func(tx model.Tx) (any, error) { return tx.Accounts() }).([]model.Account)
	far := time.Now().Add(365 * 24 * time.Hour)
	for _, a := range accounts {
		h := a.Handle
		w.read("ServicesOf "+string(h), func(tx model.Tx) (any, error) { return tx.ServicesOf(h, time.Now()) })
		w.read("RequestsOf "+string(h), func(tx model.Tx) (any, error) { return tx.RequestsOf(h) })
		w.read("MailsOf "+string(h), func(tx model.Tx) (any, error) { return tx.MailsOf(h) })
		w.read("Unread "+string(h), func(tx model.Tx) (any, error) { return tx.Unread(h) })
		w.read("History "+string(h), func(tx model.Tx) (any, error) { return tx.History(h, 0, 0, 0) })
	}
	w.read("Keys", func(tx model.Tx) (any, error) { return tx.Keys("") })
	keys := w.read("APIKeys", func(tx model.Tx) (any, error) { return tx.APIKeys("") }).([]model.APIKey)
	for _, k := range keys {
		w.read("APIKey "+k.AppKey, func(tx model.Tx) (any, error) { return tx.APIKey(k.AppKey) })
	}
	w.read("DueMails", func(tx model.Tx) (any, error) { return tx.DueMails(far, 1_000_000) })
	w.read("DueRequests", func(tx model.Tx) (any, error) { return tx.DueRequests(far) })
	for id := int64(1); id <= n["requests"]; id++ {
		w.read(fmt.Sprintf("Request %d", id), func(tx model.Tx) (any, error) { return tx.Request(id) })
		w.read(fmt.Sprintf("Tokens %d", id), func(tx model.Tx) (any, error) { return tx.Tokens(id) })
		w.read(fmt.Sprintf("History of %d", id), func(tx model.Tx) (any, error) { return tx.History("", 0, id, 0) })
		w.read(fmt.Sprintf("Failures %d", id), func(tx model.Tx) (any, error) { return tx.Failures("zz33333-ovh", id, time.Time{}) })
		w.read(fmt.Sprintf("LockedUntil %d", id), func(tx model.Tx) (any, error) { return tx.LockedUntil("zz33333-ovh", id) })
	}
	for id := int64(1); id <= n["services"]; id++ {
		w.read(fmt.Sprintf("Service %d", id), func(tx model.Tx) (any, error) { return tx.ServiceByID(id) })
	}

	// The sequences went past the copied ids: new rows get the ids they
	// would have had in the file.
	w.write("InsertService", func(tx model.Tx) (any, error) {
		s := model.Service{Name: "new.example", Type: model.TypeVPS, Admin: demo.Persona, Tech: demo.Persona, Billing: demo.Persona}
		err := tx.InsertService(&s)
		return s.ID, err
	})
	w.write("InsertRequest, InsertToken, InsertMail, InsertHistory", func(tx model.Tx) (any, error) {
		r := model.Request{ServiceID: 1, Roles: []model.Role{model.Tech}, From: demo.Persona, To: "yy22222-ovh", Requester: demo.Persona, State: model.StateValidating}
		tk := model.TokenRecord{Handle: demo.Persona, State: model.TokenActive}
		m := model.Mail{To: demo.Persona, Kind: model.MailNotice}
		e := model.HistoryEntry{Actor: demo.Persona, Action: model.ActEmail}
		err := errors.Join(tx.InsertRequest(&r), func() error { tk.RequestID = r.ID; return tx.InsertToken(&tk) }(), tx.InsertMail(&m), tx.InsertHistory(&e))
		return []int64{r.ID, tk.ID, m.ID, e.ID}, err
	})

	// A second copy into the same database is refused, and changes nothing.
	before, _ := db.Counts(ctx)
	if _, err := storage.Import(ctx, db, path); !errors.Is(err, postgres.ErrNotEmpty) {
		t.Fatalf("a second import: %v, want ErrNotEmpty", err)
	}
	after, _ := db.Counts(ctx)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("a refused import changed the counts: %v, then %v", before, after)
	}
}

func TestImportRefusesWhatIsNotADesk(t *testing.T) {
	db := pgOpen(t)
	_, err := storage.Import(context.Background(), db, filepath.Join(t.TempDir(), "missing.db"))
	if !errors.Is(err, storage.ErrMissing) {
		t.Fatalf("import of a missing file: %v", err)
	}
	if n, err := db.Counts(context.Background()); n.Total() != 0 || err != nil {
		t.Fatalf("after a failed import: %v, %v", n, err)
	}
}

// TestSchemasMatch: every table and column of the SQLite schema exists
// in the PostgreSQL one and in the copy's list, and the other way round,
// so a migration added on one side only is caught here.
func TestSchemasMatch(t *testing.T) {
	if storage.SchemaVersion() != sqlstore.SchemaVersion || postgres.SchemaVersion() != sqlstore.SchemaVersion {
		t.Fatalf("SQLite schema %d, PostgreSQL schema %d, sqlstore knows %d", storage.SchemaVersion(), postgres.SchemaVersion(), sqlstore.SchemaVersion)
	}
	path := filepath.Join(t.TempDir(), "desk.db")
	lite, err := storage.Open(path, storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	lite.Close()
	liteCols := sqliteColumns(t, path)
	u := pgtest.URL(t)
	pgOpenURL(t, u)
	conn, err := pgx.Connect(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	pgCols := map[string][]string{}
	rows, err := conn.Query(context.Background(), `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'contactdesk_schema' ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tb, c string
		rows.Scan(&tb, &c)
		pgCols[tb] = append(pgCols[tb], c)
	}
	rows.Close()
	copyCols := map[string][]string{}
	for _, tb := range sqlstore.Tables {
		copyCols[tb.Name] = tb.ColNames()
	}
	if fmt.Sprint(liteCols) != fmt.Sprint(pgCols) {
		t.Errorf("the schemas differ:\n SQLite     %v\n PostgreSQL %v", liteCols, pgCols)
	}
	if fmt.Sprint(liteCols) != fmt.Sprint(copyCols) {
		t.Errorf("migrate's list of columns differs from the schema:\n schema %v\n copy   %v", liteCols, copyCols)
	}
}

// sqliteColumns lists each table's columns in the SQLite file, in order.
func sqliteColumns(t *testing.T, path string) map[string][]string {
	t.Helper()
	lite, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	out := map[string][]string{}
	rows, err := lite.Query("SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name <> 'sqlite_sequence' ORDER BY m.name, p.cid") // (sqlite_sequence: SQLite's own, of AUTOINCREMENT)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var tb, c string
		if err := rows.Scan(&tb, &c); err != nil {
			t.Fatal(err)
		}
		out[tb] = append(out[tb], c)
	}
	return out
}

// TestImportGivesNoDeletedConsumerKeyNumberAgain: the newest consumer
// key of a SQLite desk revoked (deleted), the desk copied into
// PostgreSQL gives its number to no other key: the mails of its codes
// name it, and so may a program (credentialId).
func TestImportGivesNoDeletedConsumerKeyNumberAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	lite, err := storage.Open(path, storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d := model.NewDesk(lite, model.Options{})
	if _, err := demo.Load(ctx, d, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	var last model.APICredentials
	for range 2 {
		if last, err = d.AddAPIKey(ctx, demo.Persona, "", plainBox{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.RevokeConsumerKey(ctx, last.AppKey, last.Consumers[0].ID, model.SupportActor); err != nil {
		t.Fatal(err)
	}
	lite.Close()
	db := pgOpenURL(t, pgtest.URL(t))
	if _, err := storage.Import(ctx, db, path); err != nil {
		t.Fatal(err)
	}
	c, err := model.NewDesk(db, model.Options{}).AddAPIKey(ctx, demo.Persona, "", plainBox{})
	if err != nil {
		t.Fatal(err)
	}
	if got, revoked := c.Consumers[0].ID, last.Consumers[0].ID; got <= revoked {
		t.Errorf("a consumer key made after the copy is #%d, the number of one revoked before it (#%d)", got, revoked)
	}
}
