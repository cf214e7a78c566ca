package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/mattn/go-sqlite3"
)

// Backup writes a consistent copy of the desk, as one snapshot holds it,
// into the file at path, which must exist and be empty: the caller makes
// it, with the mode it wants, and SQLite writes into it keeping that
// mode. Writers go on meanwhile: the copy is read in one read
// transaction, which in WAL mode neither waits for them nor holds them
// up. The copy is checked (PRAGMA integrity_check) and synced to disk
// before Backup returns; on any failure path may hold anything.
//
// It uses SQLite's online backup API, which copies the pages as they
// are, in one step: VACUUM INTO would rebuild every table and index, many
// times slower on a large desk.
func (db *DB) Backup(ctx context.Context, path string) error {
	if st, err := os.Stat(path); err != nil {
		return err
	} else if st.Size() != 0 {
		return fmt.Errorf("%s is not empty: a backup is written into an empty file", path)
	}
	// No journal: the file is thrown away whole if anything fails.
	dst, err := sql.Open("sqlite3", dsn(path, "mode=rw", "_journal_mode=OFF", "_synchronous=OFF"))
	if err != nil {
		return err
	}
	defer dst.Close()
	dc, err := dst.Conn(ctx)
	if err != nil {
		return err
	}
	defer dc.Close()
	sc, err := db.reader.Conn(ctx)
	if err != nil {
		return db.explain(err, false)
	}
	defer sc.Close()
	if err := copyConns(ctx, dc, sc); err != nil {
		return db.explain(err, false)
	}
	var res string
	if err := dc.QueryRowContext(ctx, "SELECT group_concat(integrity_check, '; ') FROM (SELECT * FROM pragma_integrity_check LIMIT 3)").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("%w: the copy fails SQLite's integrity check (%s); the desk itself may be damaged: run 'sqlite3 %s \"PRAGMA integrity_check\"'",
			ErrDamaged, res, db.path)
	}
	dc.Close()
	if err := dst.Close(); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// copyConns copies every page of the database of sc into that of dc
// (copyAll), through the driver's connections under them.
func copyConns(ctx context.Context, dc, sc *sql.Conn) error {
	return dc.Raw(func(d any) error {
		return sc.Raw(func(s any) error {
			dconn, ok1 := d.(*sqlite3.SQLiteConn)
			sconn, ok2 := s.(*sqlite3.SQLiteConn)
			if !ok1 || !ok2 {
				return errors.New("sqlite: copying a desk needs connections of the sqlite3 driver")
			}
			return copyAll(ctx, dconn, sconn)
		})
	})
}

// copyAll copies every page of src into dst in one step, that is from
// one snapshot; a lock held elsewhere (BUSY, LOCKED) is waited out up to
// BusyTimeout, or until ctx is done (see wait: the connections ask
// SQLite not to wait).
func copyAll(ctx context.Context, dst, src *sqlite3.SQLiteConn) error {
	b, err := dst.Backup("main", src, "main")
	if err != nil {
		return err
	}
	err = wait(ctx, nil, func() error {
		// All the pages, or none for a lock held elsewhere.
		if done, err := b.Step(-1); err != nil || done {
			return err
		}
		return sqlite3.Error{Code: sqlite3.ErrBusy}
	})
	if ferr := b.Finish(); err == nil {
		err = ferr
	}
	return err
}

// Replace replaces the desk with the desk in the SQLite file src, in
// place: every page of src is copied into the desk's file in one write
// transaction (SQLite's online backup API, as Backup uses it). A server
// or session that has the desk open sees the new desk as it sees any
// write, where moving src into the desk's place would leave them on the
// old file, deleted, their later writes lost with it. A failure leaves
// the desk as it was. src is read in one snapshot and left as it is.
func (db *DB) Replace(ctx context.Context, src string) error {
	if db.readOnly {
		return fmt.Errorf("%s is open read-only: it can't be replaced", db.path)
	}
	// The copy waits for the locks in copyAll, which a cancelled ctx
	// stops at once; SQLite's own wait would not see it.
	dst := connect(db.path, 1, "mode=rw", "_journal_mode=WAL", "_synchronous=FULL", "_busy_timeout=0")
	defer dst.Close()
	from := connect(src, 1, "mode=ro", "_busy_timeout=0")
	defer from.Close()
	var dc *sql.Conn
	err := wait(ctx, nil, func() (err error) { dc, err = dst.Conn(ctx); return err })
	if err != nil {
		return db.explain(err, false)
	}
	defer dc.Close()
	sc, err := from.Conn(ctx)
	if err != nil {
		return fmt.Errorf("reading the new desk %s: %w", src, err)
	}
	defer sc.Close()
	// SQLite copies into a desk in WAL mode only pages of its own size:
	// say so, rather than the "read-only" SQLite answers with
	var have, want int
	if err := dc.QueryRowContext(ctx, "PRAGMA page_size").Scan(&have); err != nil {
		return db.explain(err, false)
	}
	if err := sc.QueryRowContext(ctx, "PRAGMA page_size").Scan(&want); err != nil {
		return fmt.Errorf("reading the new desk %s: %w", src, err)
	}
	if have != want {
		return fmt.Errorf("%s has pages of %d bytes, the new desk of %d: it can't be replaced in place; nothing was changed (stop what uses it, remove it with its -wal and -shm, and write the new desk again)", db.path, have, want)
	}
	if err := copyConns(ctx, dc, sc); err != nil {
		if ctx.Err() != nil {
			return ctx.Err() // stopped while waiting for a lock: no one held it too long
		}
		return db.explain(err, false)
	}
	return nil
}
