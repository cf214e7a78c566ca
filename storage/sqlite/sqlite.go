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

// Checkpoints copy the WAL back into the database file, and the WAL
// starts over once a write finds it wholly copied. SQLite would do it in
// the commit that fills the WAL past 1,000 pages, making that one user's
// action wait for a copy of 4 MB and for a sync of the database file:
// the slowest 1-2% of writes took 8-10 ms instead of under 1 ms on the
// machine of BENCHMARKS.md. Here the copying is done beside the writes
// by a connection of its own (see checkpointer), woken every
// CheckpointEvery commits of this process and every CheckpointInterval
// (for the commits of other processes). While writes keep coming in, a
// copy is never whole at the moment a write begins, so once the WAL holds
// CheckpointFinish frames the writer copies what is left after its next
// commit: a few pages, the rest having been copied and synced already.
// A commit is durable once its WAL frames are synced, before any
// checkpoint, so where checkpoints run changes nothing of what survives a
// crash.
const (
	CheckpointEvery    = 64
	CheckpointInterval = time.Second
	CheckpointFinish   = 1000 // frames (pages) in the WAL
)

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
	ErrNotOurs      = errors.New("not a contactdesk database")
	ErrNewerSchema  = errors.New("database written by a newer contactdesk")
	ErrReadOnlyFile = errors.New("database is read-only")
	ErrBusy         = errors.New("database is busy")
	ErrDamaged      = errors.New("database is damaged")
	ErrInMemory     = errors.New("an in-memory database can't keep a desk")
	ErrReadOnlyOpen = errors.New("opened to read only")
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
	lastDV  int64
	hasDV   bool

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

func migrations() []sqlstore.Migration { return sqlstore.Migrations(sqlstore.SQLite) }

// SchemaVersion is the schema this binary writes.
func SchemaVersion() int { return sqlstore.SchemaVersion }

func dsn(path string, params string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?" + params
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
	busy := strconv.Itoa(int(BusyTimeout / time.Millisecond))
	stmtCache := "&_stmt_cache_size=" + strconv.Itoa(StmtCacheSize)
	durability := "_journal_mode=WAL&_synchronous=FULL"
	writerCache := "&_cache_size=-" + strconv.Itoa(WriterCacheKiB)
	if o.Bulk {
		durability, writerCache = "_journal_mode=OFF&_synchronous=OFF&_cache_size=-524288", ""
	}
	w, err := sql.Open(driverName, dsn(path, "mode=rw&"+durability+"&_foreign_keys=on&_busy_timeout="+busy+"&_txlock=immediate"+stmtCache+writerCache))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, openErr(path, err)
	}
	if !o.Bulk {
		// The checkpointer does it (see CheckpointEvery). The writer's
		// one connection lives as long as the DB, and so does this.
		if _, err := w.Exec("PRAGMA wal_autocheckpoint = 0"); err != nil {
			w.Close()
			return nil, openErr(path, err)
		}
	}
	r, err := sql.Open(driverName, dsn(path, "mode=rw&_synchronous=FULL&_foreign_keys=on&_busy_timeout="+busy+"&_txlock=deferred&_query_only=on"+stmtCache))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db := &DB{path: path, writer: w, reader: r, readOnly: o.ReadOnly, jobs: make(chan *job), stopCommits: make(chan struct{}), commitsDone: make(chan struct{})}
	go db.committer()
	if err := db.migrate(); err != nil {
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
	c, err := sql.Open(driverName, dsn(path, "mode=rw&_synchronous=FULL&_busy_timeout="+busy))
	if err != nil {
		db.Close()
		return nil, err
	}
	c.SetMaxOpenConns(1)
	ctx, stop := context.WithCancel(context.Background())
	db.ckpt, db.kick, db.stopCkpt, db.ckptDone = c, make(chan struct{}, 1), stop, make(chan struct{})
	go db.checkpointer(ctx)
	return db, nil
}

// checkpointer copies the WAL into the database file, without waiting
// for readers or writers (PASSIVE). SQLite syncs the database file only
// after a copy during which no commit came in; such a copy is what makes
// the writer's final one cheap, so the copy is repeated (up to 8 times,
// each copying what came in during the one before) until one finds
// nothing new. Its errors (another process checkpointing, say) are those
// of a chore tried again soon, so they are not reported.
func (db *DB) checkpointer(ctx context.Context) {
	defer close(db.ckptDone)
	t := time.NewTicker(CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-db.kick:
		case <-t.C:
		}
		// log: the frames in the WAL when the copy began; done: the
		// frames copied. A copy that begins where the previous one
		// ended found nothing new: the previous one was whole.
		var busy, log, done int
		var err error
		prev := -1
		for i := 0; i < 8; i++ {
			err = db.ckpt.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done)
			if err != nil || log == prev {
				break
			}
			prev = done
		}
		if err == nil && log >= CheckpointFinish {
			db.finish.Store(true)
		}
	}
}

// committed counts a commit and wakes the checkpointer every
// CheckpointEvery of them.
func (db *DB) committed() {
	if db.kick != nil && db.commits.Add(1)%CheckpointEvery == 0 {
		select {
		case db.kick <- struct{}{}:
		default:
		}
	}
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
	if err != nil && !errors.Is(err, os.ErrExist) {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("cannot create %s: check that its folder exists and that you may write there", path)
		}
		return nil, err
	}
	if f != nil {
		f.Close()
	}
	// A link to a file that is not there is "there" for O_EXCL and
	// still missing for Stat: ErrNotExist, as if never created.
	return os.Stat(path)
}

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
		return openErr(path, err)
	}
	defer f.Close()
	// The database header, then the header of the schema table's root
	// page, which follows it on page 1: sqlite.org/fileformat.html.
	var h [108]byte
	if _, err := io.ReadFull(f, h[:]); err != nil || string(h[:16]) != "SQLite format 3\x00" {
		return fmt.Errorf("%s is %w (not an SQLite file); refusing to touch it", path, ErrNotOurs)
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
		return fmt.Errorf("%s is %w (an SQLite file of another program); refusing to touch it", path, ErrNotOurs)
	}
	if known := SchemaVersion(); ver > known {
		return fmt.Errorf("%s was written by a newer contactdesk (schema %d; this one knows up to %d): %w; upgrade contactdesk", path, ver, known, ErrNewerSchema)
	}
	return nil
}

func openErr(path string, err error) error {
	if err == nil {
		return nil
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrCantOpen:
			return fmt.Errorf("cannot open %s: check that its folder exists and that you may write there", path)
		case sqlite3.ErrReadonly:
			return fmt.Errorf("%s: %w; contactdesk needs to write to it and to its folder", path, ErrReadOnlyFile)
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return fmt.Errorf("%s: %w: another program has held it locked for more than %s; try again when it is done", path, ErrBusy, BusyTimeout)
		case sqlite3.ErrNotADB:
			return fmt.Errorf("%s is %w (not an SQLite file); refusing to touch it", path, ErrNotOurs)
		case sqlite3.ErrCorrupt:
			return fmt.Errorf("%s: %w (SQLite says: %v); restore it from a backup", path, ErrDamaged, err)
		}
	}
	return fmt.Errorf("%s: %w", path, err)
}

// migrate applies, in one transaction, the migrations the file lacks.
func (db *DB) migrate() error {
	ctx := context.Background()
	// Most opens find the schema up to date: seeing it takes a read,
	// which another program's long write does not block, so commands
	// that only read still work while it lasts.
	var ver, app int
	err := db.writer.QueryRowContext(ctx, "SELECT * FROM pragma_user_version, pragma_application_id").Scan(&ver, &app)
	if err != nil {
		return openErr(db.path, err)
	}
	if ver == SchemaVersion() && app == ApplicationID {
		return nil
	}
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return openErr(db.path, err)
	}
	defer tx.Rollback()
	var tables int
	if err := tx.QueryRow("SELECT * FROM pragma_user_version, pragma_application_id, (SELECT count(*) FROM sqlite_master)").Scan(&ver, &app, &tables); err != nil {
		return openErr(db.path, err)
	}
	if err := ours(db.path, app, ver, tables); err != nil {
		return err
	}
	ms := migrations()
	if ver == len(ms) && app == ApplicationID {
		return nil
	}
	for _, m := range ms[ver:] {
		if _, err := tx.Exec(m.SQL); err != nil {
			return fmt.Errorf("%s: migration %s failed: %w", db.path, m.Name, err)
		}
	}
	if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(ms))); err != nil {
		return err
	}
	if _, err := tx.Exec(fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
		return err
	}
	return openErr(db.path, tx.Commit())
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Close closes the database; the last connection checkpoints the WAL.
func (db *DB) Close() error {
	var err error
	db.stopOnce.Do(func() { close(db.stopCommits) })
	<-db.commitsDone
	if db.ckpt != nil {
		db.stopCkpt()
		<-db.ckptDone
		db.ckpt.Close()
		db.ckpt = nil
	}
	if rerr := db.reader.Close(); err == nil {
		err = rerr
	}
	if werr := db.writer.Close(); err == nil {
		err = werr
	}
	return err
}

// View runs fn in a read transaction over one snapshot.
func (db *DB) View(ctx context.Context, fn func(model.Tx) error) error {
	tx, err := db.reader.BeginTx(ctx, nil)
	if err != nil {
		return db.friendly(err)
	}
	defer tx.Rollback()
	if err := fn(sqlstore.New(&exec{ctx: ctx, tx: tx})); err != nil {
		return db.friendly(err)
	}
	return db.friendly(tx.Commit())
}

// friendly turns SQLite's errors that a user can meet into messages.
func (db *DB) friendly(err error) error {
	if err == nil || model.IsRefusal(err) {
		return err
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return fmt.Errorf("%w: another program has held %s locked for more than %s; nothing was changed, try again", ErrBusy, db.path, BusyTimeout)
		case sqlite3.ErrReadonly:
			return fmt.Errorf("%w: %s can't be written (check the permissions of the file and its folder); nothing was changed", ErrReadOnlyFile, db.path)
		case sqlite3.ErrFull:
			return fmt.Errorf("the disk holding %s is full; nothing was changed", db.path)
		case sqlite3.ErrCorrupt:
			return fmt.Errorf("%w: %s can't be read (SQLite says: %v); nothing was changed, restore it from a backup", ErrDamaged, db.path, err)
		}
	}
	return err
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
		return false, db.friendly(err)
	}
	changed := db.hasDV && dv != db.lastDV
	db.lastDV, db.hasDV = dv, true
	return changed, nil
}

var (
	_ model.Store   = (*DB)(nil)
	_ model.Watcher = (*DB)(nil)
)
