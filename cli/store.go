package cli

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/storage"
	"contactdesk/storage/postgres"
)

// fileMode is the mode of every file the command line creates: the
// database holds personal data and, in the simulated mailbox, tokens.
// SQLite gives its -wal and -shm files the database's own mode.
const fileMode fs.FileMode = 0o600

// maxPool bounds --pool: far more connections than a PostgreSQL server
// allows by default (100), far fewer than a typo could ask for.
const maxPool = 10000

// checkPath refuses a --db that can't be a desk before anything opens it.
func checkPath(path string) error {
	const flag = "--db"
	if path == ":memory:" || strings.HasPrefix(path, "file::memory:") || strings.Contains(path, "mode=memory") {
		return misuse(nil, "db_memory", locale.Args{"Path": path})
	}
	// Anything else would be taken as the name of a SQLite file: a
	// libpq keyword string meant for PostgreSQL made a desk in a file
	// named after it, its password in the name.
	if libpqKeywords.MatchString(path) {
		return misuse(nil, "db_keywords", locale.Args{"Flag": flag})
	}
	m := otherScheme.FindStringSubmatch(path)
	if m != nil && !postgres.IsURL(path) {
		return misuse(nil, "db_scheme", locale.Args{"Flag": flag, "Path": path, "Scheme": m[1]})
	}
	if m == nil && urlish.MatchString(path) {
		return misuse(nil, "db_not_url", locale.Args{"Flag": flag, "Path": path})
	}
	return nil
}

var (
	// libpqKeywords is a PostgreSQL connection string of keywords
	// ("host=db port=5432 dbname=desk"), by its first one.
	libpqKeywords = regexp.MustCompile(`(?i)^\s*(host|hostaddr|port|dbname|user|password|passfile|sslmode|service|connect_timeout|options|application_name)\s*=`)
	// otherScheme is a URL's scheme (mysql://, file://, POSTGRES://).
	otherScheme = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)
	// urlish is a database's scheme without its "//" (SQLite's own
	// file:x.db, postgres:/x, mysql:x), which would name a file
	urlish = regexp.MustCompile(`(?i)^(file|sqlite3?|mysql|mariadb|postgres|postgresql|https?|jdbc):`)
)

// openStore opens the database named by --db (or $CONTACTDESK_DB): a
// postgres:// or postgresql:// URL names a PostgreSQL database (create
// gives an empty one the schema; pool, when not 0, sizes its pool of
// connections; log, when not nil, is told when its live updates from
// other nodes are lost and back), anything else a SQLite file
// (createDesk makes it, mode 0600, when it is missing; readDesk refuses
// a missing or empty one).
func openStore(ctx context.Context, path string, mode access, pool int, log *slog.Logger) (model.Store, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	create, readOnly := mode == createDesk, mode == readDesk
	if postgres.IsURL(path) {
		db, err := postgres.Open(ctx, path, postgres.Options{Create: create, ReadOnly: readOnly, MaxConns: int32(pool), Log: log})
		if err != nil {
			return nil, err
		}
		return db, nil
	}
	made := false
	if create {
		var err error
		if made, err = createFile(path, fileMode); err != nil {
			return nil, err
		}
	}
	db, err := storage.OpenContext(ctx, path, storage.Options{Create: create, ReadOnly: readOnly})
	if err != nil {
		if made {
			removeDB(path)
		}
		if errors.Is(err, storage.ErrMissing) { // said in the reader's language
			if fi, serr := os.Stat(path); serr == nil && fi.Size() == 0 {
				return nil, fails("empty_database", locale.Args{"Path": path}, err)
			}
			return nil, fails("no_database", locale.Args{"Path": path}, err)
		}
		if why := notOurs(path, err); why != nil {
			return nil, why
		}
		// the file, or its folder, that the user may not read or
		// enter: said in the reader's language, the system's reason too
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) && pe.Path == path {
			return nil, fails("cannot_read", locale.Args{"Path": path}, pe.Err)
		}
		return nil, err
	}
	return db, nil
}

// notOurs says, in the reader's language, why the SQLite file at path
// is no desk when err says it is not one; nil otherwise.
func notOurs(path string, err error) error {
	switch {
	case !errors.Is(err, storage.ErrNotOurs):
		return nil
	case isDir(path):
		return fails("db_directory", locale.Args{"Path": path}, err)
	case errors.Is(err, storage.ErrNotSQLite):
		return fails("db_not_sqlite", locale.Args{"Path": path}, err)
	case errors.Is(err, storage.ErrOtherProgram):
		return fails("db_other_program", locale.Args{"Path": path}, err)
	}
	return nil
}

// storageSaid words, in l's language, a refusal of the storage that
// says msg: a SQLite file that can't be written, locked by another
// program past the wait, damaged, or on a full disk, a desk a newer
// contactdesk wrote, or the refusals of a PostgreSQL server (its
// database missing or without a desk, the server out of reach, a
// refused login, its disk full or memory, a read-only database, no
// connection left, shutting down, a statement or a lock past its
// timeout, TLS refused or untrusted, the connection lost): each
// postgres.ServerError's case has its message, cli.fail.pg_CASE.
// Only such an error said as it is: wrapped in more words (another
// file's, a step's), msg is not what it says, and it stays as it is
// (ok false).
func storageSaid(err error, msg string, l *locale.Localizer) (string, bool) {
	var (
		fe     *storage.FileError
		newer  *storage.NewerError
		server *postgres.ServerError
	)
	switch {
	case errors.As(err, &fe) && fe.Error() == msg:
		args := locale.Args{"Path": fe.Path, "Wait": storage.BusyTimeout.String(), "Detail": fe.Detail}
		id := ""
		switch {
		case errors.Is(fe, storage.ErrReadOnlyFile):
			id = "db_read_only"
		case errors.Is(fe, storage.ErrBusy):
			id = "db_busy"
		case errors.Is(fe, storage.ErrDamaged):
			return l.T("cli.fail.db_damaged", args), true
		case errors.Is(fe, storage.ErrDiskFull):
			return l.T("cli.fail.db_full", args), true
		default:
			return "", false
		}
		if fe.Opening {
			id += "_open"
		}
		return l.T("cli.fail."+id, args), true
	case errors.As(err, &server) && server.Error() == msg:
		return l.T("cli.fail.pg_"+server.Case, locale.Args{"Host": server.Host, "Database": server.Database, "Detail": server.Detail}), true
	case errors.As(err, &newer) && newer.Error() == msg:
		return l.T("cli.fail.db_newer", locale.Args{"Path": newer.Where, "Found": newer.Found, "Known": newer.Known}), true
	}
	return "", false
}

// createFile makes an empty file at path with mode, unless one is there
// already; SQLite then writes its database into it and keeps the mode.
// It reports whether it made the file.
func createFile(path string, mode fs.FileMode) (bool, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	switch {
	case errors.Is(err, fs.ErrExist):
		return false, nil
	case err != nil:
		if errors.Is(err, fs.ErrNotExist) {
			return false, fails("no_folder", locale.Args{"Path": path})
		}
		return false, fails("cannot_create", locale.Args{"Path": path}, errors.Unwrap(err))
	}
	// umask may have taken bits away; it never adds any.
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(path)
		return false, err
	}
	return true, f.Close()
}

// removeDB removes a database file and its side files.
func removeDB(path string) {
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		os.Remove(f)
	}
}

// dbExists reports whether path names a desk already: an existing file
// that is not empty (an empty file is where a desk may be made, as the
// other commands' refusals say), or a PostgreSQL database that has the
// contactdesk schema. Any other answer from the server says no; opening
// it then says why.
func dbExists(ctx context.Context, path string) bool {
	if !postgres.IsURL(path) {
		fi, err := os.Lstat(path)
		return err == nil && !emptyFile(path, fi)
	}
	db, err := postgres.Open(ctx, path, postgres.Options{})
	if err != nil {
		return false
	}
	db.Close()
	return true
}

// dbMissing reports whether path names no desk yet, one that the
// terminal app may create with the demo data: a file that does not
// exist. A PostgreSQL database never is: it was made with createdb for a
// desk of its own, often the production one, which demo data would
// fill (and migrate would then refuse); opening it says to use init,
// demo or migrate, as every command does.
func dbMissing(path string) bool {
	if postgres.IsURL(path) {
		return false
	}
	_, err := os.Lstat(path)
	return errors.Is(err, fs.ErrNotExist)
}

// demoTarget is the file the demo writes for path: path itself, or the
// file a symbolic link at path points to (replacing the link by a file
// would leave the file it names as it was, and the link's owner
// surprised). It also returns the mode to write it with: an existing
// file keeps its own, a new one gets fileMode. A link to nothing is
// refused.
func demoTarget(path string) (target string, mode fs.FileMode, exists bool, err error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return path, fileMode, false, nil
	case err != nil:
		return "", 0, false, fails("cannot_read", locale.Args{"Path": path}, errors.Unwrap(err))
	}
	target = path
	if fi.Mode()&fs.ModeSymlink != 0 {
		if target, err = filepath.EvalSymlinks(path); err != nil {
			return "", 0, false, fails("dangling_link", locale.Args{"Path": path})
		}
		if fi, err = os.Stat(target); err != nil {
			return "", 0, false, fails("cannot_read", locale.Args{"Path": target}, errors.Unwrap(err))
		}
	}
	if emptyFile(target, fi) {
		return target, fi.Mode().Perm(), false, nil
	}
	if !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return "", 0, false, fails("db_directory", locale.Args{"Path": path}, storage.ErrNotOurs)
		}
		return "", 0, false, fails("db_not_regular", locale.Args{"Path": path}, storage.ErrNotOurs)
	}
	return target, fi.Mode().Perm(), true, nil
}

// demoBuilder returns how the demo command fills path: buildDemo for a
// SQLite file (its existence was checked before). A PostgreSQL database
// is filled when empty; one that holds data is refused, or with force
// replaced, in the one transaction that loads the demo (a failure leaves
// what was there).
func demoBuilder(path string, force bool) func(a *app, path string, mode fs.FileMode, services int, progress func(int, int)) (demo.Summary, error) {
	if !postgres.IsURL(path) {
		return buildDemo
	}
	return func(a *app, url string, _ fs.FileMode, services int, progress func(int, int)) (demo.Summary, error) {
		db, err := postgres.Open(a.ctx, url, postgres.Options{Create: true, StatementTimeout: -1})
		if err != nil {
			return demo.Summary{}, err
		}
		defer db.Close()
		have, err := db.Counts(a.ctx)
		if err != nil {
			return demo.Summary{}, err
		}
		var st model.Store = db
		if have.Total() > 0 {
			if !force {
				return demo.Summary{}, fails("demo_holds", locale.Args{"Where": db.Where(), "Have": have.String()})
			}
			st = db.Replacing()
		}
		return demo.Load(a.ctx, model.NewDesk(st, model.Options{Clock: a.clock()}), demo.Options{Services: services, Progress: progress})
	}
}

// buildDemo writes a demo database beside path, with mode, and puts it in
// place only once it is complete, so a failure leaves what was there:
// moved there, or, over an existing desk, copied into it (replaceDesk).
func buildDemo(a *app, path string, mode fs.FileMode, services int, progress func(int, int)) (demo.Summary, error) {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".building")
	removeDB(tmp)
	if _, err := createFile(tmp, mode); err != nil {
		return demo.Summary{}, err
	}
	db, err := storage.Open(tmp, storage.Options{Create: true, Bulk: true})
	if err != nil {
		removeDB(tmp)
		return demo.Summary{}, err
	}
	d := model.NewDesk(db, model.Options{Clock: a.clock()})
	sum, err := demo.Load(a.ctx, d, demo.Options{Services: services, Progress: progress})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// Reopen once in the durable mode (WAL) the desk runs in.
		if db, err = storage.Open(tmp, storage.Options{}); err == nil {
			err = db.Close()
		}
	}
	if err != nil {
		removeDB(tmp)
		return sum, err
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		// demo --force: the desk is replaced in place, so that a server
		// or session that has it open goes on with the new one (a file
		// moved into its place would leave them writing into the old
		// one, deleted).
		err = replaceDesk(a.ctx, path, tmp)
		removeDB(tmp)
		return sum, err
	}
	for _, f := range []string{path + "-wal", path + "-shm"} {
		os.Remove(f)
	}
	if err := os.Rename(tmp, path); err != nil {
		removeDB(tmp)
		return sum, fails("cannot_write", locale.Args{"Path": path}, errors.Unwrap(err))
	}
	return sum, nil
}

// replaceDesk replaces the desk at path with the desk in the file src,
// in one write transaction (sqlite.DB.Replace).
func replaceDesk(ctx context.Context, path, src string) error {
	db, err := storage.OpenContext(ctx, path, storage.Options{})
	if err != nil {
		return err
	}
	err = db.Replace(ctx, src)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// emptyFile reports whether fi, found at path, is an empty regular file
// (a link to one included): no desk yet, where one may be made.
func emptyFile(path string, fi fs.FileInfo) bool {
	if fi.Mode()&fs.ModeSymlink != 0 {
		var err error
		if fi, err = os.Stat(path); err != nil {
			return false
		}
	}
	return fi.Mode().IsRegular() && fi.Size() == 0
}

// mustExist refuses a SQLite path where there is no desk yet (no file,
// or an empty one), as a read-only open would.
func mustExist(path string) error {
	if postgres.IsURL(path) {
		return nil
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		return fails("no_desk", locale.Args{"Path": path}, storage.ErrMissing)
	}
	return nil
}
