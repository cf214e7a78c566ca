package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// modes returns the permission bits of the database and its companions,
// "-" for a file that is not there.
func modes(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	for _, side := range []string{"", "-wal", "-shm"} {
		st, err := os.Stat(path + side)
		if err != nil {
			out = append(out, "-")
			continue
		}
		out = append(out, fmt.Sprintf("%#o", st.Mode().Perm()))
	}
	return out
}

// TestFilesArePrivate: a new desk's files (the database, its -wal and
// -shm) are for their owner alone, whatever the umask lets through; an
// existing database keeps its mode, wider or narrower, and its -wal and
// -shm take it (SQLite's rule, which lets a group share a database).
func TestFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	for _, c := range []struct {
		what   string
		before os.FileMode // 0: no file
		empty  bool
		want   []string
	}{
		{"a new desk", 0, false, []string{"0600", "0600", "0600"}},
		{"an empty file of mode 0644", 0o644, true, []string{"0644", "0644", "0644"}},
		{"a desk of mode 0644", 0o644, false, []string{"0644", "0644", "0644"}},
		{"a desk of mode 0660", 0o660, false, []string{"0660", "0660", "0660"}},
	} {
		t.Run(c.what, func(t *testing.T) {
			p := newFile(t)
			if c.before != 0 {
				if !c.empty {
					db, err := sqlite.Open(p, sqlite.Options{Create: true})
					if err != nil {
						t.Fatal(err)
					}
					db.Close()
				} else if err := os.WriteFile(p, nil, c.before); err != nil {
					t.Fatal(err)
				}
				os.Remove(p + "-wal")
				os.Remove(p + "-shm")
				if err := os.Chmod(p, c.before); err != nil {
					t.Fatal(err)
				}
			}
			db, err := sqlite.Open(p, sqlite.Options{Create: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := model.NewDesk(db, model.Options{}).AddAccount(context.Background(), model.NewAccount{Handle: "ab12345-ovh", Name: "A", Email: "a@b.example"}); err != nil {
				t.Fatal(err)
			}
			if got := modes(t, p); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("database, -wal, -shm: %v, want %v", got, c.want)
			}
		})
	}
}

// TestBulkBuildIsPrivate: the demo builder's file (made in bulk, then
// reopened durable) is the owner's alone too.
func TestBulkBuildIsPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	p := newFile(t)
	for _, o := range []sqlite.Options{{Create: true, Bulk: true}, {}} {
		db, err := sqlite.Open(p, o)
		if err != nil {
			t.Fatal(err)
		}
		if got := modes(t, p)[0]; got != "0600" {
			t.Errorf("%+v: database of mode %s", o, got)
		}
		db.Close()
	}
}

// TestReadOnlyOpenMakesNoDesk: a command that only reads never turns a
// missing or empty file into a desk, and can't write to one it opened.
func TestReadOnlyOpenMakesNoDesk(t *testing.T) {
	p := newFile(t)
	if _, err := sqlite.Open(p, sqlite.Options{ReadOnly: true}); !errors.Is(err, sqlite.ErrMissing) {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a read-only open created the file")
	}
	os.WriteFile(p, nil, 0o600)
	_, err := sqlite.Open(p, sqlite.Options{ReadOnly: true})
	if !errors.Is(err, sqlite.ErrMissing) || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty file: %v", err)
	}
	if got := modes(t, p); fmt.Sprint(got) != "[0600 - -]" {
		t.Errorf("after a read-only open of an empty file: %v", got)
	}
	if st, _ := os.Stat(p); st.Size() != 0 {
		t.Errorf("the empty file now holds %d bytes", st.Size())
	}

	db, err := sqlite.Open(p, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := model.NewDesk(db, model.Options{})
	ctx := context.Background()
	if _, err := d.AddAccount(ctx, model.NewAccount{Handle: "ab12345-ovh", Name: "A", Email: "a@b.example"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := sqlite.Open(p, sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	d = model.NewDesk(ro, model.Options{})
	if _, err := d.Account(ctx, "ab12345-ovh"); err != nil {
		t.Fatalf("reading: %v", err)
	}
	if _, err := d.AddAccount(ctx, model.NewAccount{Handle: "cd12345-ovh", Name: "C", Email: "c@d.example"}); !errors.Is(err, sqlite.ErrReadOnlyOpen) {
		t.Fatalf("writing through a read-only open: %v", err)
	}
	if _, err := sqlite.Open(p, sqlite.Options{ReadOnly: true, Create: true}); err == nil {
		t.Error("Create and ReadOnly together were taken")
	}
}

// TestInMemoryIsRefused: a desk in memory would be gone when the
// command ends; it is refused, and no file is made for it.
func TestInMemoryIsRefused(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, name := range []string{":memory:", "file::memory:", "file::memory:?cache=shared", "FILE::MEMORY:", "file:desk?mode=memory&cache=shared"} {
		_, err := sqlite.Open(name, sqlite.Options{Create: true})
		if !errors.Is(err, sqlite.ErrInMemory) || !strings.Contains(err.Error(), "give a file") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if es, _ := os.ReadDir("."); len(es) > 0 {
		t.Errorf("files were made: %v", es)
	}
}

// TestOpenWhileAnotherWrites: a command opens the desk while another
// process writes to it (serve, the crash tests' writers); the check of
// the file must never take a page being written for a damaged file.
func TestOpenWhileAnotherWrites(t *testing.T) {
	p := newFile(t)
	db, err := sqlite.Open(p, sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := model.NewDesk(db, model.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil; i++ {
			// Accounts grow the file and make checkpoints rewrite its pages.
			d.AddAccount(ctx, model.NewAccount{Handle: fmt.Sprintf("ab%d-ovh", i), Name: strings.Repeat("n", 150), Email: "a@b.example"})
		}
	}()
	for i := range 300 {
		other, err := sqlite.Open(p, sqlite.Options{})
		if err != nil {
			t.Fatalf("open %d while another writes: %v", i, err)
		}
		other.Close()
	}
	cancel()
	<-done
}
