// Package sqlite keeps a contactdesk desk in one SQLite file. It
// implements model.Store and model.Watcher; its transactions are
// sqlstore's, and the rules stay in model.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"

	"contactdesk/model"
	"contactdesk/storage/sqlstore"
)

// ApplicationID marks a SQLite file as a contactdesk database ("CDSK").
const ApplicationID = 0x4344534B

// BusyTimeout is how long a write waits for another writer (another
// process) before giving up.
const BusyTimeout = 5 * time.Second

// StmtCacheSize is how many prepared statements each connection keeps
// for reuse, found by their text: more than the model's distinct
// statements (about 50), so that none is prepared twice.
const StmtCacheSize = 128

// WriterCacheKiB is the page cache of the writer's connection. A user's
// action touches a few pages; an import of 100,000 services touches each
// page of four indexes many times, and with SQLite's default of 2 MiB
// those pages kept leaving the cache for the WAL and coming back (the
// import took twice as long). The cache grows only as pages are used,
// so the writes that touch little pay nothing for it.
const WriterCacheKiB = 64 << 10

// driverName is the database/sql driver the connections use; a test
// swaps in one that watches the statements SQLite compiles.
var driverName = "sqlite3"

// Errors of opening a database, each with a message a person understands.
var (
	ErrMissing      = errors.New("no database")
	ErrNotOurs      = sqlstore.ErrNotOurs
	ErrNewerSchema  = sqlstore.ErrNewerSchema
	ErrReadOnlyFile = errors.New("database is read-only")
	ErrBusy         = errors.New("database is busy")
	ErrDamaged      = errors.New("database is damaged")
	ErrDiskFull     = errors.New("the disk is full")
	ErrInMemory     = errors.New("an in-memory database can't keep a desk")
	ErrReadOnlyOpen = sqlstore.ErrReadOnlyOpen
	// Why a file is not a contactdesk database (each is ErrNotOurs too).
	ErrNotSQLite    = fmt.Errorf("%w (not an SQLite file)", ErrNotOurs)
	ErrOtherProgram = fmt.Errorf("%w (an SQLite file of another program)", ErrNotOurs)
)

// Options say how to open a database.
type Options struct {
	// Create makes a new, empty database when none exists at the path.
	Create bool
	// Bulk is for filling a new file that is thrown away on failure (the
	// demo builder): no journal, no syncs, a large cache. Reopen the file
	// without it to get the durable, WAL-mode database.
	Bulk bool
	// ReadOnly is for a command that only reads: a missing or empty file
	// is refused rather than made a desk, and Update fails. (An existing
	// desk's schema is still brought up to date.)
	ReadOnly bool
}

// DB is a contactdesk database in one SQLite file. Writes go through one
// connection (SQLite has one writer at a time; queuing in Go is cheaper
// than spinning on the file lock); reads through a pool of read-only ones.
type DB struct {
	path     string
	writer   *sql.DB
	reader   *sql.DB
	readOnly bool

	watchMu sync.Mutex
	lastDV  int64 // data_version at the last Changed, -1 before the first

	// The committer (see commit.go): the writes waiting for it, and how
	// to stop it.
	jobs        chan *job
	stopCommits chan struct{}
	commitsDone chan struct{}
	stopOnce    sync.Once

	// The checkpointer (nil in bulk mode): its connection, how to wake
	// it, how to stop it, and the commits counted to wake it.
	ckpt     *sql.DB
	kick     chan struct{}
	stopCkpt context.CancelFunc
	ckptDone chan struct{}
	commits  atomic.Int64
	finish   atomic.Bool // the writer copies the last frames
}

// SchemaVersion is the schema this binary writes.
func SchemaVersion() int { return sqlstore.SchemaVersion }

func dsn(path string, params ...string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path) + "?" + strings.Join(params, "&")
}

// connect opens a pool of n connections to the file with the DSN
// parameters given.
func connect(path string, n int, params ...string) *sql.DB {
	db, _ := sql.Open(driverName, dsn(path, params...)) // fails only for an unknown driver
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	return db
}

// Open opens (or, with o.Create, creates) the database at path, checks
// that it is a contactdesk database this binary can read, and brings its
// schema up to date in one transaction. A file that is not a contactdesk
// database, or one written by a newer schema, is refused untouched.
//
// A database it creates is readable by its owner alone (the mailbox
// holds tokens, the accounts personal data), and so are its -wal and
// -shm: SQLite gives them the database's mode, so that whoever may use
// a database may use them. An existing database keeps its mode.
func Open(path string, o Options) (*DB, error) {
	return OpenContext(context.Background(), path, o)
}

// OpenContext is Open, given up at once, with ctx's error and nothing
// changed, when ctx is done while another program holds the file locked.
func OpenContext(ctx context.Context, path string, o Options) (*DB, error) {
	if inMemory(path) {
		return nil, fmt.Errorf("%s is %w: it would be gone when the command ends; give a file", path, ErrInMemory)
	}
	if o.Create && o.ReadOnly {
		return nil, errors.New("sqlite: a database opened to read only can't be created")
	}
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) && o.Create {
		st, err = create(path)
	}
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("%w at %s: create one with 'contactdesk demo', or say which with --db", ErrMissing, path)
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	case st.IsDir():
		return nil, fmt.Errorf("%s is a directory, %w", path, ErrNotOurs)
	case st.Size() > 0:
		if err := probe(path); err != nil {
			return nil, err
		}
	case o.ReadOnly:
		return nil, fmt.Errorf("%w at %s: the file is empty; create a desk with 'contactdesk init' or 'contactdesk demo'", ErrMissing, path)
	}
	// The writer's wait for a lock is wait's (see wait.go), but for the
	// bulk build's: nobody else uses its file, and its commits need the
	// readers to let go of it (no WAL).
	busy := "_busy_timeout=0"
	if o.Bulk {
		busy = "_busy_timeout=" + strconv.Itoa(int(BusyTimeout/time.Millisecond))
	}
	stmts := "_stmt_cache_size=" + strconv.Itoa(StmtCacheSize)
	durability := []string{"_journal_mode=WAL", "_synchronous=FULL", "_cache_size=-" + strconv.Itoa(WriterCacheKiB)}
	if o.Bulk {
		durability = []string{"_journal_mode=OFF", "_synchronous=OFF", "_cache_size=-524288"}
	}
	db := &DB{path: path, readOnly: o.ReadOnly, lastDV: -1, jobs: make(chan *job), stopCommits: make(chan struct{}), commitsDone: make(chan struct{})}
	db.writer = connect(path, 1, append(durability, "mode=rw", "_foreign_keys=on", busy, "_txlock=immediate", stmts)...)
	db.writer.SetConnMaxLifetime(0)
	// Connecting sets the journal mode, which a program holding the file
	// locked may make wait.
	err = wait(ctx, nil, func() error { return db.writer.PingContext(ctx) })
	if err == nil && !o.Bulk {
		// The checkpointer does it (see CheckpointEvery). The writer's
		// one connection lives as long as the DB, and so does this.
		_, err = db.writer.Exec("PRAGMA wal_autocheckpoint = 0")
	}
	if err != nil {
		db.writer.Close()
		return nil, db.explain(err, true)
	}
	// The readers keep SQLite's own wait (see View).
	db.reader = connect(path, 8, "mode=rw", "_synchronous=FULL", "_foreign_keys=on", "_busy_timeout="+strconv.Itoa(int(BusyTimeout/time.Millisecond)), "_txlock=deferred", "_query_only=on", stmts)
	go db.committer()
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if o.Bulk {
		// The history's indexes are kept up to date row by row, not
		// built at the end, which costs the load little: CREATE INDEX
		// fills every page, and the first entry a desk in use then adds
		// to a page splits it (a request's life on the freshly built
		// desk of 100,000 services wrote 64 pages, 53 with indexes kept
		// up to date; BENCHMARKS.md).
		return db, nil
	}
	// (A PASSIVE checkpoint waits for no lock.)
	db.startCheckpointer(connect(path, 1, "mode=rw", "_synchronous=FULL", "_busy_timeout="+strconv.Itoa(int(BusyTimeout/time.Millisecond))))
	return db, nil
}

// inMemory reports the names SQLite takes for a database in memory.
func inMemory(path string) bool {
	uri, ok := strings.CutPrefix(strings.ToLower(path), "file:")
	return path == ":memory:" || ok && (strings.HasPrefix(uri, ":memory:") || strings.Contains(uri, "mode=memory"))
}

// create makes a new, empty file at path, readable by its owner alone.
// It never opens an existing file: one made meanwhile by another
// program is opened as found, with its own mode.
func create(path string) (os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
		return nil, fmt.Errorf("cannot create %s: check that its folder exists and that you may write there", path)
	} else if err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	if f != nil {
		f.Close()
	}
	// A link to a file that is not there is "there" for O_EXCL and
	// still missing for Stat: ErrNotExist, as if never created.
	return os.Stat(path)
}

// header is what a file's header says: its application id, its schema,
// and how many tables it holds (migrate's look, through SQLite).
const header = "SELECT * FROM pragma_application_id, pragma_user_version, (SELECT count(*) FROM sqlite_master)"

// probe looks at an existing file without writing to it, nor making
// any file beside it: its header says whether it is an SQLite file, a
// contactdesk one, and of which schema. What only a WAL holds yet is
// not seen here; migrate checks again, under the write lock.
func probe(path string) error {
	// The header is read as bytes, not through SQLite: opened immutable,
	// SQLite reads pages that another process (serve, a command) may be
	// writing at that moment and calls the file corrupt; opened
	// otherwise, it makes -wal and -shm files beside a file that may not
	// be ours. The fields read here are written once (the magic, the
	// application id) or by a migration (the schema version).
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	// The database header, then the header of the schema table's root
	// page, which follows it on page 1: sqlite.org/fileformat.html.
	var h [108]byte
	if _, err := io.ReadFull(f, h[:]); err != nil || string(h[:16]) != "SQLite format 3\x00" {
		return fmt.Errorf("%s is %w; refusing to touch it", path, ErrNotSQLite)
	}
	ver := int(int32(binary.BigEndian.Uint32(h[60:64])))
	app := int(int32(binary.BigEndian.Uint32(h[68:72])))
	// Another program's file may not have set an application id: it is
	// told from an empty SQLite file by its schema table, which is not
	// an empty leaf. Both are on page 1, so a file whose page 1 a
	// checkpoint has not copied yet reads as empty, and consistently.
	tables := 0
	if h[100] != 0x0D || binary.BigEndian.Uint16(h[103:105]) > 0 {
		tables = 1
	}
	return ours(path, app, ver, tables)
}

// ours checks what a file's header says: a contactdesk database (or
// an empty SQLite file) of a schema this binary knows.
func ours(path string, app, ver, tables int) error {
	if app != ApplicationID && (app != 0 || tables > 0) {
		return fmt.Errorf("%s is %w; refusing to touch it", path, ErrOtherProgram)
	}
	return sqlstore.Upgrade(sqlstore.SQLite, path, ver, nil)
}

// migrate applies, in one transaction, the migrations the file lacks.
func (db *DB) migrate(ctx context.Context) error {
	// Most opens find the schema up to date: seeing it takes a read,
	// which another program's long write does not block, so commands
	// that only read still work while it lasts.
	var app, ver, tables int
	err := wait(ctx, nil, func() error { return db.writer.QueryRowContext(ctx, header).Scan(&app, &ver, &tables) })
	if err != nil {
		return db.explain(err, true)
	}
	if ver == SchemaVersion() && app == ApplicationID {
		return nil
	}
	var tx *sql.Tx
	err = wait(ctx, nil, func() (err error) { tx, err = db.writer.BeginTx(ctx, nil); return err })
	if err != nil {
		return db.explain(err, true)
	}
	defer tx.Rollback()
	if err := tx.QueryRow(header).Scan(&app, &ver, &tables); err != nil {
		return db.explain(err, true)
	}
	if err := ours(db.path, app, ver, tables); err != nil || ver == SchemaVersion() && app == ApplicationID {
		return err
	}
	err = sqlstore.Upgrade(sqlstore.SQLite, db.path, ver, func(q string) error { _, err := tx.Exec(q); return err })
	if err != nil {
		return err
	}
	if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d; PRAGMA application_id = %d", SchemaVersion(), ApplicationID)); err != nil {
		return err
	}
	return db.explain(tx.Commit(), true)
}

// explain turns SQLite's errors that a user can meet into messages;
// opening says whether it came while the file was being opened, else
// from a read or a write that changed nothing.
func (db *DB) explain(err error, opening bool) error {
	var se sqlite3.Error
	if err == nil || model.IsRefusal(err) || !errors.As(err, &se) {
		return err
	}
	then := "nothing was changed, try again"
	if opening {
		then = "try again when it is done"
	}
	switch se.Code {
	case sqlite3.ErrCantOpen:
		return fmt.Errorf("cannot open %s: check that its folder exists and that you may write there", db.path)
	case sqlite3.ErrReadonly:
		if opening {
			return db.fileError(ErrReadOnlyFile, opening, "", fmt.Errorf("%s: %w; contactdesk needs to write to it and to its folder", db.path, ErrReadOnlyFile))
		}
		return db.fileError(ErrReadOnlyFile, opening, "", fmt.Errorf("%w: %s can't be written (check the permissions of the file and its folder); nothing was changed", ErrReadOnlyFile, db.path))
	case sqlite3.ErrBusy, sqlite3.ErrLocked:
		return db.fileError(ErrBusy, opening, "", fmt.Errorf("%w: another program has held %s locked for more than %s; %s", ErrBusy, db.path, BusyTimeout, then))
	case sqlite3.ErrFull:
		return db.fileError(ErrDiskFull, opening, "", fmt.Errorf("the disk holding %s is full; nothing was changed", db.path))
	case sqlite3.ErrNotADB:
		return fmt.Errorf("%s is %w; refusing to touch it", db.path, ErrNotSQLite)
	case sqlite3.ErrCorrupt:
		return db.fileError(ErrDamaged, opening, err.Error(), fmt.Errorf("%w: %s can't be read (SQLite says: %v); restore it from a backup", ErrDamaged, db.path, err))
	}
	if opening {
		return fmt.Errorf("%s: %w", db.path, err)
	}
	return err
}

// FileError is a refusal of the database file at Path that a user can
// meet: Kind is ErrReadOnlyFile, ErrBusy, ErrDamaged or ErrDiskFull
// (which errors.Is finds), met while the file was being opened (Opening) or by a read or
// a write that changed nothing; Detail is SQLite's own words for a
// damaged file. Error is English, as it always was; a door that speaks
// its reader's language words the refusal from these fields.
type FileError struct {
	Kind    error
	Path    string
	Opening bool
	Detail  string
	msg     string
}

func (e *FileError) Error() string { return e.msg }
func (e *FileError) Unwrap() error { return e.Kind }

// fileError makes a FileError of kind about db's file, saying what
// english says.
func (db *DB) fileError(kind error, opening bool, detail string, english error) *FileError {
	return &FileError{Kind: kind, Path: db.path, Opening: opening, Detail: detail, msg: english.Error()}
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Close closes the database; the last connection checkpoints the WAL.
func (db *DB) Close() error {
	db.stopOnce.Do(func() { close(db.stopCommits) })
	<-db.commitsDone
	if db.ckpt != nil {
		db.stopCkpt()
		<-db.ckptDone
		db.ckpt.Close()
		db.ckpt = nil
	}
	return errors.Join(db.reader.Close(), db.writer.Close())
}

// View runs fn in a read transaction over one snapshot.
//
// A read waits for no lock of wait's (see wait.go): while the desk is
// open, its own connections hold the shared lock that keeps another
// program from the exclusive one a read would wait for, so a read's
// wait is SQLite's own, which a read never meets in practice (a
// program opening the desk waits in Open, where Ctrl-C ends it). A
// statement of its own to take the snapshot first, for wait to retry,
// cost every read about 5 % of a request's life (BENCHMARKS.md).
func (db *DB) View(ctx context.Context, fn func(model.Tx) error) error {
	tx, err := db.reader.BeginTx(ctx, nil)
	if err != nil {
		return db.explain(err, false)
	}
	defer tx.Rollback()
	if err := fn(sqlstore.New(&exec{ctx: ctx, tx: tx})); err != nil {
		return db.explain(err, false)
	}
	return db.explain(tx.Commit(), false)
}

// Changed reports whether another process committed to the file since
// the previous call. It asks the writer connection, whose data_version
// moves only for commits made by other connections, so this process's
// own writes (already announced by the desk's broker) are not reported.
func (db *DB) Changed(ctx context.Context) (bool, error) {
	db.watchMu.Lock()
	defer db.watchMu.Unlock()
	var dv int64
	if err := db.writer.QueryRowContext(ctx, "PRAGMA data_version").Scan(&dv); err != nil {
		return false, db.explain(err, false)
	}
	changed := db.lastDV >= 0 && dv != db.lastDV
	db.lastDV = dv
	return changed, nil
}

var (
	_ model.Store   = (*DB)(nil)
	_ model.Watcher = (*DB)(nil)
)
