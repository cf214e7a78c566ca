package sqlite

import (
	"errors"
	"testing"

	"github.com/mattn/go-sqlite3"
)

// TestDiskFullIsAFileError: SQLite's "database or disk is full", met
// while a desk is opened or by a write, is a FileError of kind
// ErrDiskFull naming the file, as a read-only, locked or damaged file
// is, so that the command line says it in its reader's language (it was
// a bare English sentence, whatever the language); the English is
// unchanged.
func TestDiskFullIsAFileError(t *testing.T) {
	db := &DB{path: "/srv/desk.db"}
	for _, opening := range []bool{true, false} {
		err := db.explain(sqlite3.Error{Code: sqlite3.ErrFull}, opening)
		var fe *FileError
		if !errors.As(err, &fe) || !errors.Is(err, ErrDiskFull) || fe.Path != db.path || fe.Opening != opening {
			t.Fatalf("opening %v: %#v, want a FileError of kind ErrDiskFull for %s", opening, err, db.path)
		}
		if want := "the disk holding /srv/desk.db is full; nothing was changed"; err.Error() != want {
			t.Errorf("opening %v: %q, want %q", opening, err, want)
		}
	}
}
