package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"contactdesk/locale"
	"contactdesk/storage"
	"contactdesk/storage/postgres"
)

type migrateOptions struct {
	a    *app
	From string // "": --db, else $CONTACTDESK_DB, else contactdesk.db
	To   string
}

func newCmdMigrate(a *app, runF func(*migrateOptions) error) *cobra.Command {
	o := &migrateOptions{a: a}
	cmd := &cobra.Command{
		Use:         "migrate",
		Annotations: map[string]string{usageFlags: "--to URL [--from FILE]"},
		Short:       "Copy a desk from a SQLite file into an empty PostgreSQL database",
		Long: `Copy everything of a SQLite desk — accounts, services, requests, tokens
(their hashes), mails, the SMTP outbox, history, SSH keys, API keys,
changes of e-mail address, the desk's settings — into an empty
PostgreSQL database, keeping every number, in one transaction. A database
that already holds data is refused. The SQLite file is left as it was.`,
		Example: `contactdesk migrate --from contactdesk.db \
  --to postgres://desk@db.internal/contactdesk`,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "to"); err != nil {
				return err
			}
			if !postgres.IsURL(o.To) {
				return misuse(cmd, "migrate_to")
			}
			if postgres.IsURL(o.From) || (o.From == "" && postgres.IsURL(a.dbPath())) {
				return misuse(cmd, "migrate_from")
			}
			if o.From != "" {
				// the source is a SQLite file: not a URL of another
				// scheme, nor a keyword string
				if checkPath(o.From) != nil {
					return misuse(cmd, "migrate_from")
				}
			}
			if runF != nil {
				return runF(o)
			}
			return migrate(o)
		},
	}
	// The source is the database the command reads, as --db is for every
	// other command.
	cmd.Flags().StringVar(&o.From, "from", "", "the SQLite FILE to copy (default: --db, else $CONTACTDESK_DB, else contactdesk.db)")
	cmd.Flags().StringVar(&o.To, "to", "", "the PostgreSQL database's URL: postgres://USER@HOST/DBNAME")
	return cmd
}

// migrate copies every row of a SQLite desk (ids kept) into an empty
// PostgreSQL database, in one transaction.
func migrate(o *migrateOptions) error {
	a := o.a
	from := o.From
	if from == "" {
		from = a.dbPath()
	}
	if _, err := os.Stat(from); errors.Is(err, os.ErrNotExist) {
		return fails("migrate_no_desk", locale.Args{"Path": from})
	}
	if isDir(from) { // said before the server is reached, as a missing file is
		return fails("migrate_directory", locale.Args{"Path": from})
	}
	db, err := postgres.Open(a.ctx, o.To, postgres.Options{Create: true, StatementTimeout: -1})
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := storage.Import(a.ctx, db, from)
	if err != nil {
		return err
	}
	a.changed.Store(true)
	// The counts name the tables, as they are: a word of the database.
	fmt.Fprintln(a.out, a.T("cli.migrate.copied", locale.Args{"From": from, "To": db.Where(), "Counts": n.String()}))
	to, note := runnableDB(o.To)
	fmt.Fprintln(a.out, a.T("cli.migrate.next", locale.Args{"DB": shellQuote(to), "From": from})+note(a))
	return nil
}
