package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/storage/sqlite"
)

func newFile(t *testing.T) string { return filepath.Join(t.TempDir(), "desk.db") }

func TestMissingFileIsNotCreated(t *testing.T) {
	p := newFile(t)
	_, err := sqlite.Open(p, sqlite.Options{})
	if !errors.Is(err, sqlite.ErrMissing) || !strings.Contains(err.Error(), "contactdesk demo") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("opening a missing database created a file")
	}
}

func TestEmptyFileGetsTheSchema(t *testing.T) {
	p := newFile(t)
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(p, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, _ := sql.Open("sqlite3", p)
	defer raw.Close()
	var ver, app int
	raw.QueryRow("PRAGMA user_version").Scan(&ver)
	raw.QueryRow("PRAGMA application_id").Scan(&app)
	if ver != sqlite.SchemaVersion() || app != sqlite.ApplicationID {
		t.Fatalf("user_version %d, application_id %x", ver, app)
	}
	var mode string
	raw.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal mode %s", mode)
	}
}

// untouched checks that opening path fails with want and leaves every byte.
func untouched(t *testing.T, path string, want error) {
	t.Helper()
	before, _ := os.ReadFile(path)
	_, err := sqlite.Open(path, sqlite.Options{Create: true})
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("the file was changed")
	}
	// (A -shm file may appear: it is SQLite's shared-memory index of a
	// WAL file, not data.)
	for _, side := range []string{"-wal", "-journal"} {
		if st, err := os.Stat(path + side); err == nil && st.Size() > 0 {
			t.Errorf("left a %s file of %d bytes", side, st.Size())
		}
	}
}

func TestNotADatabaseIsNeverOverwritten(t *testing.T) {
	p := newFile(t)
	os.WriteFile(p, []byte("my notes, not a database\n"+strings.Repeat("x", 5000)), 0o644)
	untouched(t, p, sqlite.ErrNotOurs)
}

func TestAnotherProgramsSQLiteIsNeverTouched(t *testing.T) {
	p := newFile(t)
	raw, _ := sql.Open("sqlite3", p)
	raw.Exec("CREATE TABLE notes (body TEXT)")
	raw.Exec("INSERT INTO notes VALUES ('hello')")
	raw.Close()
	untouched(t, p, sqlite.ErrNotOurs)
}

func TestNewerSchemaIsRefused(t *testing.T) {
	p := newFile(t)
	db, err := sqlite.Open(p, sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, _ := sql.Open("sqlite3", p)
	raw.Exec("PRAGMA user_version = 99")
	raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	raw.Close()
	os.Remove(p + "-wal")
	os.Remove(p + "-shm")
	untouched(t, p, sqlite.ErrNewerSchema)
	_, err = sqlite.Open(p, sqlite.Options{})
	if err == nil || !strings.Contains(err.Error(), "newer contactdesk") || !strings.Contains(err.Error(), "99") {
		t.Fatalf("message %v", err)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	p := newFile(t)
	open := func(t *testing.T) model.Store {
		db, err := sqlite.Open(p, sqlite.Options{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	f := modeltest.New(t, open)
	r := f.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	f.Accept(modeltest.A, r.ID)
	before := f.Snap()
	f.Store.Close()
	f.Store = open(t)
	defer f.Store.Close()
	f.Desk = model.NewDesk(f.Store, model.Options{Clock: f.Clock})
	f.Same(before, "closing and reopening")
	f.Accept(modeltest.T, r.ID)
	if got := f.Accept(modeltest.N, r.ID); got.State != model.StateDone {
		t.Fatalf("after reopening, the request could not finish: %s", got.State)
	}
}

// failingTx fails the n-th mail it is asked to store, as a disk or a
// crash would in the middle of an action.
type failingTx struct {
	model.Tx
	left *int
}

var errInjected = errors.New("injected failure")

func (f failingTx) InsertMail(m *model.Mail) error {
	*f.left--
	if *f.left == 0 {
		return errInjected
	}
	return f.Tx.InsertMail(m)
}

type failingStore struct {
	model.Store
	failAt int
}

func (s *failingStore) Update(ctx context.Context, fn func(model.Tx) error) error {
	left := s.failAt
	return s.Store.Update(ctx, func(tx model.Tx) error { return fn(failingTx{Tx: tx, left: &left}) })
}

func TestFailureHalfwayLeavesTheDatabaseAsItWas(t *testing.T) {
	fs := &failingStore{}
	f := modeltest.New(t, func(t *testing.T) model.Store {
		fs.Store = openTemp(t)
		return fs
	})
	// Creating: the third party's mail fails after the request, its
	// parties, two tokens and two mails were written.
	before := f.Snap()
	fs.failAt = 3
	_, err := f.Desk.CreateRequest(f.Ctx, modeltest.A, model.NewRequest{Service: modeltest.Example, Roles: []model.Role{model.Tech}, To: string(modeltest.N)})
	if !errors.Is(err, errInjected) || !errors.Is(err, model.ErrStorage) {
		t.Fatalf("err = %v", err)
	}
	fs.failAt = 0
	f.Same(before, "a create that failed half-way")

	// Accepting: the last acceptance fails while sending outcome mails,
	// after the contact moved in the transaction.
	r := f.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	f.Accept(modeltest.A, r.ID)
	f.Accept(modeltest.T, r.ID)
	before = f.Snap()
	tok := f.Token(modeltest.N, r.ID)
	fs.failAt = 2
	_, err = f.Desk.Accept(f.Ctx, modeltest.N, r.ID, tok)
	fs.failAt = 0
	if !errors.Is(err, errInjected) {
		t.Fatalf("err = %v", err)
	}
	f.Same(before, "an acceptance that failed half-way")
	if got := f.Request(modeltest.N, r.ID); got.State != model.StateValidating || len(got.Awaited()) != 1 {
		t.Fatalf("after the failure: %s awaiting %v", got.State, got.Awaited())
	}
	if got := f.Accept(modeltest.N, r.ID); got.State != model.StateDone {
		t.Fatalf("the same token after the failure: %s", got.State)
	}
}

func TestChangedSeesOtherProcessesOnly(t *testing.T) {
	p := newFile(t)
	db, err := sqlite.Open(p, sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	d := model.NewDesk(db, model.Options{})
	if changed, _ := db.Changed(ctx); changed {
		t.Fatal("the first call reports a change")
	}
	if _, err := d.AddAccount(ctx, model.NewAccount{Handle: "ab12345-ovh", Name: "A", Email: "a@b.example"}); err != nil {
		t.Fatal(err)
	}
	if changed, _ := db.Changed(ctx); changed {
		t.Fatal("its own write is reported as another's")
	}
	other, err := sqlite.Open(p, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	model.NewDesk(other, model.Options{}).AddAccount(ctx, model.NewAccount{Handle: "cd12345-ovh", Name: "C", Email: "c@d.example"})
	other.Close()
	if changed, _ := db.Changed(ctx); !changed {
		t.Fatal("another connection's write is not seen")
	}
	if changed, _ := db.Changed(ctx); changed {
		t.Fatal("one write is reported twice")
	}
}
