package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"contactdesk/locale"
	"contactdesk/storage"
	"contactdesk/storage/postgres"
)

type backupOptions struct {
	a     *app
	File  string
	Force bool
}

func newCmdBackup(a *app, runF func(*backupOptions) error) *cobra.Command {
	o := &backupOptions{a: a}
	cmd := &cobra.Command{
		Use:         "backup FILE",
		Annotations: map[string]string{usageFlags: "[--force]"},
		Short:       "Copy a SQLite desk to FILE while it is in use",
		Long: `Write a consistent copy of the SQLite desk to FILE, while 'serve' runs and
commands write: the copy holds the desk as it stood at one instant, every
request whole. It is checked (SQLite's integrity check) before it takes
the name FILE, readable by its owner only (0600), and opens as a desk with
every command (--db FILE). An existing FILE is refused unless --force,
which replaces it whole once the copy is done.

To restore: stop serve, put the copy in the desk's place (its -wal and
-shm files removed), start serve. A PostgreSQL desk is backed up with
PostgreSQL's own tools (pg_dump).`,
		Example: `contactdesk backup /var/backups/contactdesk-$(date +%F).db
contactdesk --db /srv/desk.db backup /mnt/nas/desk.db --force`,
		Args:                  exactArgs("FILE"),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			if strings.TrimSpace(o.File) == "" {
				return misuse(cmd, "empty_file")
			}
			if postgres.IsURL(a.dbPath()) {
				return misuse(cmd, "backup_postgres")
			}
			if postgres.IsURL(o.File) {
				return misuse(cmd, "backup_to_url")
			}
			if o.File == "-" {
				return misuse(cmd, "backup_to_stdout")
			}
			if runF != nil {
				return runF(o)
			}
			return runBackup(o)
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "replace FILE if it exists")
	return cmd
}

func runBackup(o *backupOptions) error {
	a := o.a
	target := o.File
	fi, err := os.Lstat(target)
	switch {
	case err == nil && fi.IsDir():
		return fails("target_directory", locale.Args{"Path": target})
	case err == nil && !o.Force:
		return fails("backup_exists", locale.Args{"Path": target})
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		// its folder a file ("not a directory"), or not searchable
		return fails("cannot_write", locale.Args{"Path": target}, errors.Unwrap(err))
	}
	// A folder that is not there is said so, with what to do: the
	// system's "no such file or directory", said of a temporary file
	// beside FILE, named neither. It is not made: a mistyped path would
	// leave its folders behind, and the copy where nobody looks for it.
	if dir := filepath.Dir(target); !exists(dir) {
		return fails("backup_no_folder", locale.Args{"Path": target, "Folder": dir})
	}
	if _, err := a.openRead(); err != nil {
		return err
	}
	db, ok := a.store.(*storage.DB)
	if !ok {
		return fails("backup_not_sqlite", nil)
	}
	for _, f := range []string{"", "-wal", "-shm", "-journal"} {
		if same(target, db.Path()+f) {
			return fails("backup_own_file", locale.Args{"Path": target})
		}
	}
	// The copy is written beside FILE, under a name of its own made
	// 0600 from the start, and takes FILE's name only once whole and
	// checked: a failure leaves what was there.
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".backup-*")
	if err != nil {
		return fails("cannot_write_beside", locale.Args{"Path": target}, errors.Unwrap(err))
	}
	tmp.Close()
	defer os.Remove(tmp.Name()) // gone once renamed; else the failed copy
	if err := db.Backup(a.ctx, tmp.Name()); err != nil {
		return err
	}
	if o.Force {
		// What a process that had the old copy open left beside it
		// would be read as part of the new one.
		for _, f := range []string{target + "-wal", target + "-shm"} {
			os.Remove(f)
		}
		err = os.Rename(tmp.Name(), target)
	} else if err = os.Link(tmp.Name(), target); errors.Is(err, fs.ErrExist) {
		// Made meanwhile by someone else: theirs stays.
		return fails("backup_exists", locale.Args{"Path": target})
	}
	if err != nil {
		return fails("cannot_write", locale.Args{"Path": target}, errors.Unwrap(err))
	}
	syncDir(filepath.Dir(target))
	a.changed.Store(true)
	st, _ := os.Stat(target)
	fmt.Fprintln(a.out, a.T("cli.backup.done", locale.Args{"From": db.Path(), "To": target, "Size": size(st)}))
	return nil
}

// exists reports whether path names something (a file that is no folder
// is said by the system when written into: "not a directory").
func exists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// same reports whether a and b name one file.
func same(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// syncDir makes a rename in dir durable; where it can't, the rename is
// still done, only not yet synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// size is the copy's size, in the reader's language (192,0 KB).
func size(fi os.FileInfo) any {
	if fi == nil {
		return "?"
	}
	return locale.Size(fi.Size())
}
