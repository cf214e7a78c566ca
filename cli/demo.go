package cli

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"contactdesk/locale"
	"contactdesk/model/demo"
	"contactdesk/storage"
	"contactdesk/storage/postgres"
)

// maxDemoServices bounds demo --services: 5 million services take about
// 20 minutes and 6 GB; more is a typo.
const maxDemoServices = 5_000_000

type demoOptions struct {
	a        *app
	Services int
	Force    bool
}

func newCmdDemo(a *app, runF func(*demoOptions) error) *cobra.Command {
	o := &demoOptions{a: a}
	cmd := &cobra.Command{
		Use:         "demo",
		Annotations: map[string]string{usageFlags: "[--services N] [--force]"},
		Short:       "Create a database filled with demo data",
		Long: `Create a desk filled with demo data: accounts, services of every type, and
requests in every state around the main persona, xx11111-ovh (Xavier
Xará). --services N makes a large one (100000 takes about half a minute).

It is written beside the database and put in its place only once whole. An
existing desk is left alone unless --force, which replaces a contactdesk
database (never another file): the new desk is copied into it in one
transaction, keeping the file's mode, and a server using it goes on with
the new desk. A new file is readable by its owner only (0600): the mailbox
holds tokens.`,
		Example: `contactdesk demo
contactdesk --db big.db demo --services 100000
contactdesk demo --force   # start the demo over`,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return runDemo(o)
		},
	}
	cmd.Flags().Var(newInt(&o.Services, 0, 0, maxDemoServices, accepts("services", locale.Args{"Max": maxDemoServices})), "services", "make N services in all (at least the 15 of the curated demo)")
	cmd.Flags().BoolVar(&o.Force, "force", false, "replace an existing contactdesk database")
	return cmd
}

func runDemo(o *demoOptions) error {
	a := o.a
	path := a.dbPath()
	if err := checkPath(path); err != nil {
		return err
	}
	target, mode := path, fileMode
	if !postgres.IsURL(path) {
		var exists bool
		var err error
		if target, mode, exists, err = demoTarget(path); err != nil {
			return err
		}
		if exists {
			if !o.Force {
				return fails("demo_exists", locale.Args{"Path": path})
			}
			// --force replaces a contactdesk database, never another file.
			db, err := storage.OpenContext(a.ctx, target, storage.Options{})
			if err != nil {
				return err
			}
			db.Close()
		}
	}
	progress, cleared := func(int, int) {}, func() {}
	if a.stderrErases && o.Services > demo.Curated {
		progress = func(done, total int) {
			fmt.Fprint(a.stderr, "\r"+a.T("cli.demo.progress", progressArgs(done, total)))
			if done == total {
				// What is left: the indexes put off during the load.
				fmt.Fprint(a.stderr, a.T("cli.demo.indexing"))
			}
		}
		// The progress line goes before the summary is printed.
		cleared = func() { fmt.Fprint(a.stderr, "\r\033[K") }
	}
	sum, err := demoBuilder(path, o.Force)(a, target, mode, o.Services, progress)
	cleared()
	if err != nil {
		return err
	}
	a.changed.Store(true) // (through a desk of its own)
	shown := redact(path)
	fmt.Fprintln(a.out, a.T("cli.demo.written", locale.Args{"Path": shown, "Accounts": locale.Number(sum.Accounts), "Services": locale.Number(sum.Services), "Requests": locale.Number(sum.Requests)}))
	db, note := runnableDB(path)
	fmt.Fprintln(a.out, a.T("cli.demo.try", locale.Args{"DB": shellQuote(db), "Handle": demo.Persona})+note(a))
	a.noteSharedFile(path)
	return nil
}

// noteSharedFile says, on stderr, when the SQLite desk just written at
// path may be read by others than its owner: a file demo or init
// creates is its owner's alone, but one they fill (an empty file, or one
// demo --force replaces) keeps the mode it had, which may be meant (a
// group sharing a desk) or not (touch under a wide umask) — and the
// mailbox holds tokens.
func (a *app) noteSharedFile(path string) {
	if postgres.IsURL(path) {
		return
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm()&0o077 == 0 {
		return
	}
	fmt.Fprintln(a.stderr, a.T("cli.shared_file", locale.Args{"Path": redact(path), "Mode": fmt.Sprintf("%04o", st.Mode().Perm()), "Quoted": shellQuote(path)}))
}

// runnableDB is --db as a command to copy may give it: a URL's password
// left out rather than shown as *** (which, pasted, is a wrong password),
// and a note (said in a's language) on where the password then comes
// from. Another value is redacted as every message redacts it.
func runnableDB(db string) (string, func(a *app) string) {
	none := func(*app) string { return "" }
	u, err := url.Parse(db)
	if err != nil || !postgres.IsURL(db) || u.User == nil {
		return redact(db), none
	}
	if _, has := u.User.Password(); !has {
		return redact(db), none
	}
	u.User = url.User(u.User.Username())
	return u.String(), func(a *app) string { return " " + a.T("cli.db_password_note") }
}

type initOptions struct{ a *app }

func newCmdInit(a *app, runF func(*initOptions) error) *cobra.Command {
	o := &initOptions{a: a}
	return &cobra.Command{
		Use:   "init",
		Short: "Create an empty database",
		Long: `Create an empty desk, to fill with 'contactdesk account add' and 'contactdesk
service add'. An existing one is refused. A new file is readable by its
owner only (0600); a PostgreSQL database must exist (createdb), and gets
the tables.`,
		Example: `contactdesk --db desk.db init
contactdesk --db postgres://desk@db.internal/contactdesk init`,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return runInit(o)
		},
	}
}

func runInit(o *initOptions) error {
	a := o.a
	path := a.dbPath()
	if err := checkPath(path); err != nil {
		return err
	}
	if dbExists(a.ctx, path) {
		return fails("init_exists", locale.Args{"Path": path})
	}
	if _, err := a.open(true); err != nil {
		return err
	}
	a.changed.Store(true)
	fmt.Fprintln(a.out, a.T("cli.init.created", locale.Args{"Path": redact(path)}))
	a.noteSharedFile(path)
	return nil
}

// shellQuote quotes s for a shell when it needs it, for a line to copy.
func shellQuote(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r == '@') {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}
