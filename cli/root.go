// Package cli is contactdesk's command line: every command with its
// flags, help, examples, completions and man page, on cobra with Charm's
// fang. Each command is built by a constructor, newCmdX(a, runF), from
// an options struct; a test passes its own runF to check the parsing
// alone (the pattern of github.com/cli/cli).
//
// The command line is a public contract: commands, flags, exit codes,
// the "contactdesk: " prefix of messages and the JSON fields are added,
// never renamed.
package cli

import (
	"context"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
	"contactdesk/storage/postgres"
)

// Run runs the command line with args (the program's name left out) and
// returns its exit code: 0 done, 1 refused, not found or failed (one line
// on stderr saying why, nothing changed), or its output not written (the
// line says so, and whether a change was made), 2 misused (the message
// and the command's usage on stderr). Everything it reads and writes goes
// through its arguments, so that tests run it in-process.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	lang, _ := locale.FromEnv(env)
	sink := &stdoutWriter{w: stdout}
	a := &app{ctx: ctx, stdin: stdin, stdout: sink, sink: sink, tty: stdout, out: inertWriter{sink},
		stderrTerminal: isTerminal(stderr), env: env, l: locale.For(lang)}
	a.stderr = redactWriter{&notesWriter{a: a, w: stderr}} // notes as JSON with --json
	a.stderrErases = a.stderrTerminal && !dumbTerminal(env)
	defer quietStdin(env)()
	root := newRoot(a)
	var help *trimLines
	if f, ok := stdout.(*os.File); ok && isTerminal(f) {
		// fang colours its help pages for what the file is
		root.SetOut(fileSink{f, sink, nil})
	} else {
		// fang's help pages, and cobra's usage and version lines, are
		// written to root's Out (see trimLines).
		help = &trimLines{w: sink}
		root.SetOut(help)
	}
	speakHelp(root, a.l.Lang())
	args = singleDash(root, args)
	a.args = args
	if len(args) == 0 || !strings.HasPrefix(args[0], "__complete") {
		// (the shell shows the first line of a description only)
		fitHelp(root, args, helpWidth(), placeholders(a.l.Lang()))
		// fang's words in the help's language, on their way out
		out := newHelpOut(root, args, a.l.Lang())
		if help != nil {
			help.out = out
		} else if f, ok := root.OutOrStdout().(fileSink); ok {
			f.out = out
			root.SetOut(f)
		}
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	// Help (see newRoot) and errors go to the real files: fang styles
	// them on a terminal, and writes plain text anywhere else.
	root.SetErr(stderr)
	options := []fang.Option{
		// --version is the root's own flag (see newRoot), not cobra's:
		// cobra writes the version before any check, whatever else the
		// command line holds (--version --as X wrote it, --as unread).
		fang.WithoutVersion(),
		fang.WithoutManpage(), // ours writes where it is told (see newCmdMan)
		fang.WithErrorHandler(func(w io.Writer, styles fang.Styles, err error) {
			if sig, ok := a.interrupted(err); ok {
				err = a.interruption(sig)
			}
			if a.jsonAsked() {
				a.reportJSON(w, a.outputFailure(err))
				return
			}
			a.report(w, styles, root, a.outputFailure(err), a.stderrTerminal)
		}),
	}
	err := fang.Execute(ctx, root, options...)
	if help != nil {
		help.flush()
	}
	if err == nil && a.outputErr() != nil {
		// The command ran, and its output was lost: a refusal too, said
		// as any other is, through fang, by a command that only fails.
		err = a.outputFailure(nil)
		fail := &cobra.Command{Use: root.Name(), SilenceUsage: true,
			RunE: func(*cobra.Command, []string) error { return err }}
		fail.SetArgs([]string{})
		fail.SetOut(io.Discard)
		fail.SetErr(stderr)
		fang.Execute(ctx, fail, options...)
	}
	a.close()
	if sig, ok := a.interrupted(err); ok {
		return 128 + int(sig) // as the shell says of a program the signal killed (see Main)
	}
	return exitCode(err)
}

// Command groups of the root's help.
const (
	groupCustomer = "customer"
	groupStaff    = "staff"
	groupDesk     = "desk"
	groupMore     = "more"
)

func newRoot(a *app) *cobra.Command {
	var as string
	var json bool
	root := &cobra.Command{
		Use:         "contactdesk",
		Annotations: map[string]string{usageFlags: "[--as HANDLE]"},
		Short:       "Who looks after each of your services, and changes of contact confirmed by everyone concerned",
		Long: `contactdesk shows who is the admin, tech and billing contact of each service
a customer rents from its hosting provider, and changes them: a change is a
request that every party confirms with a personal, single-use token sent by
mail.

With no command it opens the terminal app, on --as HANDLE (or
$CONTACTDESK_AS), else on a picker of every account; a missing database is
first created with demo data. Every action is also a command, for support
staff and scripts.

The database is --db (a file, or a postgres:// URL), else $CONTACTDESK_DB,
else contactdesk.db here. Mail lands in each account's mailbox; with --smtp
and --mail-from it is also delivered for real. Global flags go before the
command or after it. Exit status: 0 done, 1 refused, not found or output
not written (why, on stderr; nothing changed unless it says so), 2 misused
(with the usage); stopped by a signal, 128 + its number (130 for SIGINT,
143 for SIGTERM, 141 for a closed pipe). With --json, why a command failed
is one line of JSON on stderr: {"error":{"message","kind",…}}; a note for
people there is a line of JSON too: {"note":{"message"}}.

The command line speaks the language of $LC_ALL, else $LC_MESSAGES, else
$LANG (pt_PT.UTF-8: European Portuguese; fr_FR.UTF-8: French; else
English); --json never changes. The app speaks the language of the account
it acts as (profile set-lang).`,
		Example: `# the terminal app, on the demo desk (made at first run)
contactdesk --as xx11111-ovh

# the same desk, from scripts
contactdesk services --as xx11111-ovh
contactdesk request create --as xx11111-ovh --service xara.pt \
  --role tech --to cd67890-ovh
contactdesk mail list --as cd67890-ovh`,
		Args:                  subcommandArgs,
		DisableFlagsInUseLine: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			a.cmd = cmd
			if asked, _ := cmd.Flags().GetBool("version"); asked && !cmd.HasParent() {
				return versionAlone(cmd)
			}
			if err := a.flagTakenAsValue(cmd); err != nil {
				return err
			}
			if err := checkGlobals(cmd, args); err != nil {
				return err
			}
			return a.checkPool(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asked, _ := cmd.Flags().GetBool("version"); asked {
				_, err := io.WriteString(cmd.OutOrStdout(), versionText(a.l, json))
				return err
			}
			return a.runTUI(as)
		},
	}
	root.SuggestionsMinimumDistance = 2
	// Before the completion command is made: it keeps the writer it finds.
	root.SetOut(a.stdout)

	pf := root.PersistentFlags()
	pf.StringVar(&a.global.db, "db", "", "the database: a file PATH, or a postgres:// URL (default: $CONTACTDESK_DB, else contactdesk.db)")
	pf.Var(newInt(&a.global.pool, 0, 0, maxPool, accepts("pool", locale.Args{"Max": maxPool})),
		"pool", "with a PostgreSQL --db only (a SQLite file refuses it): at most N connections to the server (default: the URL's pool_max_conns, else 4 or the number of CPUs)")
	// The defaults stay empty whatever the environment holds, so that a
	// password in $CONTACTDESK_SMTP never shows in a usage.
	pf.StringVar(&a.global.smtp, "smtp", "", "deliver mails for real through the SMTP server at URL: smtp://host:25, smtp://user:password@host:587 (STARTTLS), smtps://user:password@host (default: $CONTACTDESK_SMTP)")
	pf.StringVar(&a.global.mailFrom, "mail-from", "", "the sender ADDRESS of real mails (default: $CONTACTDESK_MAIL_FROM)")
	// --as and --json are taken by the commands that use them (and --as
	// by the terminal app, here). Everywhere else they are parsed, so that
	// they may stand before the command, and then refused (checkGlobals).
	pf.StringVar(&as, "as", "", "the HANDLE the terminal app opens on (default: $CONTACTDESK_AS)")
	// The root's own --as, into the same variable, is the one its help
	// lists (the persistent one, hidden, would show in every command's
	// help, as a flag most of them refuse); on the root, a local flag
	// shadows the persistent one of its name.
	root.Flags().StringVar(&as, "as", "", "the HANDLE the terminal app opens on (default: $CONTACTDESK_AS)")
	pf.BoolVar(&json, "json", false, "print JSON")
	// --version (what cobra's would be, its words the help catalogues';
	// the root's RunE writes the version)
	root.Flags().BoolP("version", "v", false, "version for contactdesk (with --json, as JSON)")
	pf.MarkHidden("as")
	pf.MarkHidden("json")
	root.RegisterFlagCompletionFunc("as", a.completeHandles)

	root.AddGroup(
		&cobra.Group{ID: groupCustomer, Title: "for customers (each acts as an account)"},
		&cobra.Group{ID: groupStaff, Title: "for support staff"},
		&cobra.Group{ID: groupDesk, Title: "running the desk"},
		&cobra.Group{ID: groupMore, Title: "more"},
	)
	inGroup := func(id string, cmds ...*cobra.Command) {
		for _, c := range cmds {
			c.GroupID = id
			root.AddCommand(c)
		}
	}
	inGroup(groupCustomer,
		newCmdServices(a, nil),
		newCmdRequest(a),
		newCmdMail(a),
		newCmdProfile(a),
		newCmdOwner(a),
		newCmdHistory(a, nil),
	)
	inGroup(groupStaff,
		newCmdAccount(a),
		newCmdService(a),
		newCmdKey(a),
		newCmdAPIKey(a),
		newCmdImport(a),
		newCmdExport(a),
	)
	inGroup(groupDesk,
		newCmdDemo(a, nil),
		newCmdInit(a, nil),
		newCmdServe(a, nil),
		newCmdConfig(a),
		newCmdMigrate(a, nil),
		newCmdBackup(a, nil),
	)
	root.AddCommand(newCmdMan(a))
	root.SetHelpCommand(newCmdHelp())
	root.SetHelpCommandGroupID(groupMore)
	root.InitDefaultHelpCmd() // in the tree now, for speakHelp
	root.SetCompletionCommandGroupID(groupMore)
	root.SetFlagErrorFunc(flagError)
	// cobra's completion command, made now rather than when it runs, so
	// that "completion tcsh" is a misuse like any unknown command.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = subcommandArgs
			c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
			for _, shell := range c.Commands() {
				shell.Args = exactArgs()
			}
			c.Example = `source <(contactdesk completion bash)   # in ~/.bashrc
contactdesk completion zsh > "${fpath[1]}/_contactdesk"
contactdesk completion fish \
  > ~/.config/fish/completions/contactdesk.fish`
		}
	}
	onceEach(root)
	noFilesForValues(root)
	a.strayAfterEmptyFlag(root)
	return root
}

// strayAfterEmptyFlag makes every command of root's tree that checks its
// arguments say, when they are wrong because a flag given no value took
// the next flag for it, that flag rather than the word it left over:
// `request create --as --service web1` made --as "--service" and left
// "web1" an argument, refused as "request create takes no arguments:
// "web1" is not understood", which named neither --as nor what was
// missing (cobra checks the arguments before PersistentPreRunE, where
// flagTakenAsValue looks).
func (a *app) strayAfterEmptyFlag(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if check := c.Args; check != nil {
			c.Args = func(cmd *cobra.Command, args []string) error {
				err := check(cmd, args)
				if err == nil {
					return nil
				}
				if taken := a.flagTakenAsValue(cmd, args...); taken != nil {
					return taken
				}
				return err
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// versionAlone refuses, with --version, any flag but --json (which
// writes the version as JSON): --as, --db, --pool, --smtp, --mail-from
// change nothing there, and a script that passes them expects them to
// matter. It names the first, in the flags' order.
func versionAlone(cmd *cobra.Command) error {
	var other string
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if other == "" && f.Name != "version" && f.Name != "json" {
			other = f.Name
		}
	})
	if other != "" {
		return misuse(cmd, "version_alone", locale.Args{"Name": other})
	}
	return nil
}

// checkGlobals refuses --as and --json where the command has no use for
// them. They are global flags, accepted before or after any command's
// name; a command that does not act as an account, or has no JSON
// output, says so rather than quietly ignoring what was asked (a script
// that passes --as to a support-staff command expects it to matter).
// $CONTACTDESK_AS is the environment's, not the command line's: it is
// simply not used there.
func checkGlobals(cmd *cobra.Command, _ []string) error {
	// --db "$UNSET" would act on another desk ($CONTACTDESK_DB, or
	// contactdesk.db here) without a word: init would make a new one.
	if f := cmd.Flags().Lookup("db"); f != nil && f.Changed && strings.TrimSpace(f.Value.String()) == "" {
		return misuse(cmd, "empty_db")
	}
	for _, name := range []string{"as", "json"} {
		f := cmd.Flags().Lookup(name)
		// The commands that use them have flags of their own, which
		// shadow the root's hidden ones.
		if f == nil || !f.Changed || !f.Hidden || (name == "as" && !cmd.HasParent()) {
			continue
		}
		var what any = commandName(cmd)
		if !cmd.HasParent() {
			what = locale.Message{ID: "cli.misuse.the_app"}
		}
		if name == "as" {
			return misuse(cmd, "no_as", locale.Args{"Command": what})
		}
		if cmd.Flags().Lookup("format") != nil {
			return misuse(cmd, "json_format", locale.Args{"Command": what})
		}
		return misuse(cmd, "no_json", locale.Args{"Command": what})
	}
	// --as "$UNSET" would act as $CONTACTDESK_AS, another account,
	// without a word (or say --as was not given, where it was); --smtp
	// "$UNSET" would deliver through $CONTACTDESK_SMTP, turning real
	// delivery on for the desk (which removes the simulated mailbox's
	// tokens), and --mail-from "$UNSET" send as $CONTACTDESK_MAIL_FROM.
	for _, name := range []string{"as", "smtp", "mail-from"} {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed && strings.TrimSpace(f.Value.String()) == "" {
			return misuse(cmd, "empty_"+strings.ReplaceAll(name, "-", "_"))
		}
	}
	return nil
}

// flagTakenAsValue refuses a flag given no value, which took the next
// flag of the command line for it: in `--service $svc --json` with $svc
// empty, --service was "--json", refused (exit 1) as a name no service
// has, in a plain line where the script asked for JSON. It is a misuse
// (a missing value: exit 2), said as JSON when the flag taken was --json.
// Given the command's arguments, it names the one the flag taken left
// over too, when the word after that flag is one of them, unless it may
// be a token: the value of --token, or an argument of a command that
// takes --token.
func (a *app) flagTakenAsValue(cmd *cobra.Command, args ...string) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		v := f.Value.String()
		if err != nil || f.Value.Type() == "bool" || len(v) < 2 || v[0] != '-' {
			return
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(v[1:], "-"), "=")
		var taken *pflag.Flag
		if strings.HasPrefix(v, "--") {
			taken = cmd.Flags().Lookup(name)
		} else if len(name) == 1 {
			taken = cmd.Flags().ShorthandLookup(name)
		}
		if taken == nil || !slices.Contains(a.args, v) {
			return
		}
		if taken.Name == "json" {
			a.jsonTaken = true
		}
		shown := v
		if taken.Name == "token" && strings.Contains(v, "=") {
			// --token=7K3Q-…: the flag is named, its token never
			// written out (it was mailed to its reader)
			shown = v[:strings.Index(v, "=")+1] + "…"
		}
		said := locale.Args{"Name": f.Name, "Value": locale.Quoted(strconv.Quote(shown))}
		// the word left over is the taken flag's value: a token, after
		// --token, is never written out; after a flag that takes no
		// word (--json, --token=…), it is an argument, which on a
		// command that takes --token may be the token typed without
		// its flag (see takesToken)
		secret := taken.Name == "token" || takesToken(cmd) && (taken.NoOptDefVal != "" || strings.Contains(v, "="))
		if i := slices.Index(a.args, v); i >= 0 && i+1 < len(a.args) && slices.Contains(args, a.args[i+1]) && !secret {
			said["Arg"] = locale.Quoted(strconv.Quote(a.args[i+1]))
			err = misuse(cmd, "flag_takes_flag_left", said)
			return
		}
		err = misuse(cmd, "flag_takes_flag", said)
	})
	return err
}

// checkPool refuses --pool with a SQLite desk: it sizes the pool of
// connections to a PostgreSQL server, and a SQLite file has none, so it
// would be ignored, and a script that counts on it never told. The desk
// is the one the command reads: --db (else $CONTACTDESK_DB, else
// contactdesk.db), or migrate's --from.
//
// Only the flag is refused, given on this command line: nothing else sets
// the pool. The desk's settings ('contactdesk config') live in the
// database, read once it is open, too late to size the pool that opens
// it, and a SQLite desk's settings reach no PostgreSQL desk;
// pool_max_conns is written in a PostgreSQL URL, which a SQLite path has
// none of; and no environment variable sets it. Should one ever be added
// (a variable, a config file), it is to be ignored by a SQLite desk, not
// refused: it is shared by every desk of a machine or a user, and one
// SQLite desk among PostgreSQL ones must not stop working for it, as
// $CONTACTDESK_AS is simply not used by commands that act as nobody.
func (a *app) checkPool(cmd *cobra.Command) error {
	f := cmd.Flags().Lookup("pool")
	if f == nil || !f.Changed {
		return nil
	}
	path := a.dbPath()
	if from := cmd.Flags().Lookup("from"); from != nil && from.Changed {
		path = from.Value.String()
	}
	if postgres.IsURL(path) {
		return nil
	}
	return misuse(cmd, "pool_sqlite", locale.Args{"Path": path})
}

// commandName is a command's path without the program's name: "request show".
func commandName(cmd *cobra.Command) string {
	if !cmd.HasParent() {
		return cmd.Name()
	}
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// subcommandArgs refuses a word that is no subcommand of cmd (the root or
// a group), suggesting the nearest one.
func subcommandArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	typed := args[0]
	if cmd.HasParent() {
		typed = commandName(cmd) + " " + typed
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		near := slices.MinFunc(s, func(x, y string) int { return distance(args[0], x) - distance(args[0], y) })
		if cmd.HasParent() {
			near = commandName(cmd) + " " + near
		}
		return misuse(cmd, "unknown_command_near", locale.Args{"Typed": locale.Quoted(strconv.Quote(typed)), "Near": near})
	}
	return misuse(cmd, "unknown_command", locale.Args{"Typed": locale.Quoted(strconv.Quote(typed))})
}

// group makes a command that holds others (request, account…): alone, it
// shows its help.
func group(use, short, long, example string, cmds ...*cobra.Command) *cobra.Command {
	g := &cobra.Command{
		Use:                   use,
		Short:                 short,
		Long:                  long,
		Example:               example,
		Args:                  subcommandArgs,
		DisableFlagsInUseLine: true,
		RunE:                  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	g.SuggestionsMinimumDistance = 2
	g.AddCommand(cmds...)
	return g
}

// exactArgs is the positional arguments a command takes, by name.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == len(names):
			return nil
		case len(names) == 0 && takesToken(cmd):
			return misuse(cmd, "no_args_token", locale.Args{"Command": commandName(cmd)})
		case len(names) == 0:
			return misuse(cmd, "no_args", locale.Args{"Command": commandName(cmd), "Arg": locale.Quoted(strconv.Quote(args[0]))})
		}
		return misuse(cmd, "args", locale.Args{"Command": commandName(cmd), "N": len(names), "Names": strings.Join(names, " "), "Got": len(args)})
	}
}

// atMostOneHandle is the arguments of a list narrowed to one account
// when a handle is given.
func atMostOneHandle(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return misuse(cmd, "at_most_one_handle", locale.Args{"Command": commandName(cmd), "Got": len(args)})
	}
	// key list "$UNSET" would list every account's keys as if they were
	// the one account's (and a script removing them, remove them all).
	if len(args) == 1 && strings.TrimSpace(args[0]) == "" {
		return misuse(cmd, "empty_handle")
	}
	return nil
}

// optionalHandle reads the handle atMostOneHandle let through: "" for
// none.
func optionalHandle(s string) (model.Handle, error) {
	if s == "" {
		return "", nil
	}
	return model.ParseHandle(s)
}

// parseID reads a request number: 12 or #12.
func parseID(cmd *cobra.Command, s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		if takesToken(cmd) {
			return 0, misuse(cmd, "not_request_number_token", nil)
		}
		return 0, misuse(cmd, "not_request_number", locale.Args{"Value": locale.Quoted(text.Quote(s, 200))})
	}
	return id, nil
}

// takesToken reports whether cmd takes --token: a word it was given
// where it takes none, or in place of a request's number, may be the
// token typed without its flag (profile confirm-email 7K3Q-…), and is
// not written out, as no token is, on a terminal or in a CI log.
func takesToken(cmd *cobra.Command) bool { return cmd.Flags().Lookup("token") != nil }
