// Command contactdesk manages who is the administrator, technical and
// billing contact of a hosting customer's services: a terminal app, a
// scriptable command line, and an SSH server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"contactdesk/model"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// cli is one run of the command line.
type cli struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	env            func(string) string
	store          model.Store
	desk           *model.Desk
	mail           mailer // real delivery, when --smtp is given (see mail_cmd.go)
}

const topUsage = `contactdesk: who looks after each of your services, and changes of contact confirmed by everyone concerned.

usage: contactdesk [--db PATH|URL] [--pool N] [--as HANDLE] [--smtp URL --mail-from ADDRESS] [COMMAND ...]

With no command, opens the terminal app (creating a demo database first
when there is none). The database is --db, else $CONTACTDESK_DB, else
contactdesk.db here; the acting account is --as, else $CONTACTDESK_AS.
Mail lands in each account's mailbox; with --smtp (or $CONTACTDESK_SMTP)
and --mail-from it is also delivered for real. With a PostgreSQL --db
(postgres://…), --pool N sizes the pool of connections. These flags go
before the command or after it.

commands:
`

func usageAll() string {
	var b strings.Builder
	b.WriteString(topUsage)
	for _, c := range allCommands() {
		fmt.Fprintf(&b, "  %-28s %s\n", c.name+argsHint(c), c.about)
	}
	return b.String()
}

func argsHint(c command) string {
	if c.args == "" {
		return ""
	}
	return " " + c.args
}

// run is the whole command line; it returns the exit code: 0 done, 1
// refused or failed (one line on stderr saying why), 2 misused.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	c := &cli{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, env: env}
	defer c.close()

	// Global flags, before the command.
	var g opts
	gfs := flag.NewFlagSet("contactdesk", flag.ContinueOnError)
	gfs.SetOutput(io.Discard)
	gfs.StringVar(&g.db, "db", "", "")
	gfs.StringVar(&g.as, "as", "", "")
	mailFlags(gfs, &g)
	poolFlag(gfs, &g)
	global := func(name string) bool { return name == "db" || name == "as" || name == "pool" || isMailFlag(name) }
	i := 0
	var globals []string
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "-" {
		a := args[i]
		switch name := strings.TrimLeft(a, "-"); {
		case name == "h" || name == "help":
			fmt.Fprint(stdout, usageAll())
			return 0
		case strings.Contains(name, "=") && global(strings.SplitN(name, "=", 2)[0]):
			globals = append(globals, a)
			i++
		case global(name):
			if i+1 >= len(args) {
				return c.usageErr(&usageError{msg: "flag " + a + " needs a value", usage: usageAll()})
			}
			globals = append(globals, a, args[i+1])
			i += 2
		default:
			return c.usageErr(&usageError{msg: "unknown flag " + a, usage: usageAll()})
		}
	}
	if err := gfs.Parse(globals); err != nil {
		return c.usageErr(&usageError{msg: err.Error(), usage: usageAll()})
	}
	rest := args[i:]
	if len(rest) == 0 {
		return c.exit(c.runTUI(g))
	}
	if rest[0] == "help" {
		fmt.Fprint(stdout, usageAll())
		return 0
	}
	cmd, n := findCommand(rest)
	if cmd == nil {
		return c.usageErr(&usageError{msg: fmt.Sprintf("unknown command %q", strings.Join(rest[:min(2, len(rest))], " ")), usage: usageAll()})
	}
	o := g
	fs := cmd.flagSet(&o)
	pos, err := parseArgs(fs, rest[n:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, cmd.usage())
		return 0
	}
	if err != nil {
		return c.usageErr(&usageError{msg: err.Error(), usage: cmd.usage()})
	}
	if cmd.nargs >= 0 && len(pos) != cmd.nargs {
		msg := fmt.Sprintf("%s takes %d argument(s) (%s), not %d", cmd.name, cmd.nargs, cmd.args, len(pos))
		if cmd.nargs == 0 {
			msg = fmt.Sprintf("%s takes no arguments: %q is not understood", cmd.name, pos[0])
		}
		return c.usageErr(&usageError{msg: msg, usage: cmd.usage()})
	}
	err = cmd.run(c, &o, pos)
	var ue *usageError
	if errors.As(err, &ue) {
		if ue.usage == "" {
			ue.usage = cmd.usage()
		}
		return c.usageErr(ue)
	}
	return c.exit(err)
}

// findCommand matches the longest command name ("request create" before
// "request") at the head of args, and says how many words it used.
func findCommand(args []string) (*command, int) {
	all := allCommands()
	for i := range all {
		words := strings.Fields(all[i].name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == all[i].name {
			return &all[i], len(words)
		}
	}
	return nil, 0
}

func (c *cli) usageErr(e *usageError) int {
	fmt.Fprintf(c.stderr, "contactdesk: %s\n%s", message(e.msg), e.usage)
	return 2
}

func (c *cli) exit(err error) int {
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return c.usageErr(ue)
	}
	msg := err.Error()
	if !model.IsRefusal(err) {
		msg = strings.TrimPrefix(msg, model.ErrStorage.Error()+": ")
	}
	fmt.Fprintf(c.stderr, "contactdesk: %s\n", message(msg))
	return 1
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (c *cli) close() {
	if c.mail != nil {
		c.mail.Close()
	}
	if c.store != nil {
		c.store.Close()
	}
}

// dbPath is --db, else $CONTACTDESK_DB, else contactdesk.db.
func (c *cli) dbPath(o *opts) string {
	if o.db != "" {
		return o.db
	}
	if p := c.env("CONTACTDESK_DB"); p != "" {
		return p
	}
	return "contactdesk.db"
}

// open opens the database and the desk over it, with real mail delivery
// when it is asked for.
func (c *cli) open(o *opts, create bool) (*model.Desk, error) {
	if c.desk != nil {
		return c.desk, nil
	}
	st, err := openStore(c.ctx, c.dbPath(o), create, o.pool)
	if err != nil {
		return nil, err
	}
	c.store = st
	mo := model.Options{Clock: c.clock()}
	if err := c.setupMail(o, &mo); err != nil {
		return nil, err
	}
	c.desk = model.NewDesk(st, mo)
	if c.mail != nil {
		c.mail.Attach(c.desk)
	}
	return c.desk, nil
}

// clock is the system clock, unless $CONTACTDESK_NOW fixes the time
// (RFC 3339) for scripted tests of expiry and throttling.
func (c *cli) clock() model.Clock {
	if v := c.env("CONTACTDESK_NOW"); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return fixedClock(t.UTC())
		}
	}
	return model.SystemClock{}
}

type fixedClock time.Time

func (f fixedClock) Now() time.Time { return time.Time(f) }

// actor is --as, else $CONTACTDESK_AS.
func (c *cli) actor(o *opts) (model.Handle, error) {
	v := o.as
	if v == "" {
		v = c.env("CONTACTDESK_AS")
	}
	if v == "" {
		return "", &usageError{msg: "say which account you act as: --as HANDLE (or $CONTACTDESK_AS)"}
	}
	return model.ParseHandle(v)
}
