package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

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
	err = dc.Raw(func(d any) error {
		return sc.Raw(func(s any) error {
			dconn, ok1 := d.(*sqlite3.SQLiteConn)
			sconn, ok2 := s.(*sqlite3.SQLiteConn)
			if !ok1 || !ok2 {
				return errors.New("sqlite: a backup needs connections of the sqlite3 driver")
			}
			return copyAll(ctx, dconn, sconn)
		})
	})
	if err != nil {
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

// copyAll copies every page of src into dst in one step, that is from
// one snapshot; a lock held elsewhere (BUSY, LOCKED) is waited out up to
// BusyTimeout.
func copyAll(ctx context.Context, dst, src *sqlite3.SQLiteConn) error {
	b, err := dst.Backup("main", src, "main")
	if err != nil {
		return err
	}
	deadline := time.Now().Add(BusyTimeout)
	for {
		done, err := b.Step(-1)
		if err != nil || done {
			if ferr := b.Finish(); err == nil {
				err = ferr
			}
			return err
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			b.Finish()
			return sqlite3.Error{Code: sqlite3.ErrBusy}
		}
		time.Sleep(10 * time.Millisecond)
	}
}
