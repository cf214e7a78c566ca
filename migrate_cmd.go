package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"contactdesk/storage"
	"contactdesk/storage/postgres"
)

func init() {
	extraCommands = append(extraCommands, command{
		name: "migrate", about: "copy a desk from a SQLite file into an empty PostgreSQL database", nargs: 0,
		flags: func(fs *flag.FlagSet, o *opts) {
			// The source is the database the command reads, as --db is
			// for every other command.
			fs.Func("from", "the SQLite `FILE` to copy (default: --db, else $CONTACTDESK_DB, else contactdesk.db)", func(v string) error {
				o.db = v
				return nil
			})
			fs.StringVar(&o.to, "to", "", "the PostgreSQL database's `URL`: postgres://USER@HOST/DBNAME")
		}, run: cmdMigrate})
}

// cmdMigrate copies every row of a SQLite desk (ids kept) into an empty
// PostgreSQL database, in one transaction.
func cmdMigrate(c *cli, o *opts, _ []string) error {
	if err := need(o.to, "to"); err != nil {
		return err
	}
	if !postgres.IsURL(o.to) {
		return &usageError{msg: "--to takes a PostgreSQL URL, postgres://USER@HOST/DBNAME"}
	}
	from := c.dbPath(o)
	if postgres.IsURL(from) {
		return &usageError{msg: "--from takes the SQLite file to copy, not a URL"}
	}
	if _, err := os.Stat(from); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no desk at %s to copy; say which file with --from", from)
	}
	db, err := postgres.Open(c.ctx, o.to, postgres.Options{Create: true, StatementTimeout: -1})
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := storage.Import(c.ctx, db, from)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "copied %s into %s: %s\n", from, db.Where(), n)
	fmt.Fprintf(c.stdout, "run contactdesk with --db %s (or $CONTACTDESK_DB) from now on; %s is left as it was\n", o.to, from)
	return nil
}
