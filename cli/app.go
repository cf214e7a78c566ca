package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"contactdesk/delivery"
	"contactdesk/locale"
	"contactdesk/model"
)

// app is one run of the command line: where it reads and writes, its
// environment, and the desk once a command has opened it.
type app struct {
	ctx context.Context
	// jsonTaken: --json was on the command line, taken for the value
	// of the flag before it (flagTakenAsValue), a misuse said as JSON.
	jsonTaken bool
	stdin     io.Reader
	// stdout is the standard output: JSON (made inert by writeJSON), a
	// completion script, a manual page. In Run it is sink, which
	// remembers the first write that failed (outputErr).
	stdout io.Writer
	sink   *stdoutWriter
	// tty is the real standard output, the terminal app's.
	tty io.Writer
	// out is what commands write for people: every byte goes through
	// text.Clean (inertWriter), so nothing read from the database can act
	// on a terminal.
	out    io.Writer
	stderr io.Writer // passwords redacted (redactWriter)
	// stderrTerminal: the real stderr is a terminal (the error box).
	stderrTerminal bool
	// stderrErases: the real stderr is a terminal that erases a line
	// ("\r\x1b[K"), which progress lines need: not TERM=dumb, which
	// would show the escape as it is.
	stderrErases bool
	env          func(string) string

	// l writes the human output, in the environment's language (lang.go).
	l *locale.Localizer

	global globalOptions
	// args are the command line's arguments, as cobra reads them: what
	// says whether --json was asked for when the flags could not be
	// read (jsonAsked).
	args []string
	cmd  *cobra.Command // the command that runs, once its flags are read
	// changed: the command changed the desk, or wrote a desk or a copy
	// of one; what a failed output then says (outputFailure).
	changed atomic.Bool
	// acting is the account the command acts as (--as, or
	// $CONTACTDESK_AS), once read; none for support staff's commands.
	// Real delivery's lines on stderr name no other account's address
	// then (mailer.go). The sender's goroutine reads it.
	acting atomic.Pointer[model.Handle]

	store model.Store
	desk  *model.Desk
	mail  *mailer // real delivery, when --smtp is given (see mailer.go)

	// What serve --metrics counts with, set before the desk is opened
	// (nil otherwise): every write of the desk, every mail sent or
	// given up.
	observe              func(action string, o model.Outcome, took time.Duration)
	mailSent, mailFailed func()
	// serveLog is serve's log, set before the desk is opened: its sender
	// logs there, rather than on stderr as a command's does, and so does
	// a PostgreSQL store when its live updates are lost and back.
	serveLog *slog.Logger
}

// globalOptions are the flags every command takes, before or after its
// name.
type globalOptions struct {
	db       string
	pool     int
	smtp     string
	mailFrom string
}

// closeWait bounds how long a command, once done, waits for the
// database (and the mail server) to close. pgx gives each connection
// whose query a paused or unreachable PostgreSQL never answered up to
// 15 s to send its cancel request and drain, and its pool's Close waits
// for them all: the app, quit while the server was paused, took 75 s to
// end after its screen was gone. A SQLite desk closes in milliseconds,
// unless its disk hangs. Leaving loses nothing the app or a command said
// was done: that is committed; PostgreSQL rolls back what the dropped
// connections held.
var closeWait = 3 * time.Second

func (a *app) close() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if a.mail != nil {
			a.mail.Close()
		}
		if a.store != nil {
			a.store.Close()
		}
	}()
	t := time.NewTimer(closeWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		fmt.Fprintln(a.stderr, "contactdesk: "+a.T("cli.closing.gave_up", locale.Args{"S": int(closeWait / time.Second)}))
	}
}

// dbPath is --db, else $CONTACTDESK_DB, else contactdesk.db.
// Spaces around it are a slip of the paste, trimmed: " postgres://…"
// was taken for a file, whose cleaned name ("postgres:/…") no longer
// looked like a URL, and printed its password unmasked.
func (a *app) dbPath() string {
	if p := strings.TrimSpace(a.global.db); p != "" {
		return p
	}
	if p := strings.TrimSpace(a.env("CONTACTDESK_DB")); p != "" {
		return p
	}
	return "contactdesk.db"
}

// access says what a command does with the desk: only reads it, writes
// to it, or may create it.
type access int

const (
	readDesk access = iota
	writeDesk
	createDesk
)

// open opens the database and the desk over it, with real mail delivery
// when it is asked for. create makes a missing database (init).
func (a *app) open(create bool) (*model.Desk, error) {
	if create {
		return a.openFor(createDesk)
	}
	return a.openFor(writeDesk)
}

// openRead opens the desk for a command that only reads it: a missing or
// empty file is refused, never made a desk.
func (a *app) openRead() (*model.Desk, error) { return a.openFor(readDesk) }

func (a *app) openFor(mode access) (*model.Desk, error) {
	if a.desk != nil {
		return a.desk, nil
	}
	// The mail setup first: a setup error (a password for a server that
	// can't take it safely) is found before anything is touched.
	mo := model.Options{Clock: a.clock(), Observe: a.observed}
	if err := a.setupMail(); err != nil {
		return nil, err
	}
	read := mode == readDesk
	if read && a.mail != nil {
		// With --smtp even a read sends what waits in the outbox, and
		// records it: the desk must be written to (but never made).
		if err := mustExist(a.dbPath()); err != nil {
			return nil, err
		}
		mode = writeDesk
	}
	st, err := openStore(a.ctx, a.dbPath(), mode, a.global.pool, a.serveLog)
	if err != nil {
		return nil, err
	}
	a.store = st
	a.desk = model.NewDesk(st, mo)
	if read && a.mail != nil {
		// A read never turns real delivery on: that removes every token
		// of the simulated mailbox, for good, which a listing run with
		// $CONTACTDESK_SMTP set must not do. On a desk still without
		// real delivery the outbox holds nothing to send, so the sender
		// goes unused; a command that writes, or serve, turns it on.
		s, err := a.desk.Settings(a.ctx)
		if err != nil {
			return nil, err
		}
		if !s.RealDelivery() {
			a.mail.Close()
			a.mail = nil
		}
	}
	if a.mail != nil {
		// Every process must know that mail goes out for real: those
		// without an SMTP server of their own queue theirs too, and
		// none shows a token. The desk's setting is what each write
		// reads, this run's included, so it is set before anything is
		// written. The first such run removes the tokens of the
		// simulated mailbox: it says so, as a line of its own on
		// stderr, whatever the command.
		removed, err := a.desk.UseRealDelivery(a.ctx)
		if err != nil {
			return nil, err
		}
		if removed > 0 {
			fmt.Fprintln(a.stderr, a.T("cli.config.tokens_removed", locale.Args{"N": removed}))
		}
		a.mail.Attach(a.desk)
	}
	return a.desk, nil
}

// observed is told of every write of the desk, as it ends: one that was
// committed is a change the command made (the SMTP sender's records of
// its mails, which even a read makes with --smtp, are not); then serve's
// metrics count it.
func (a *app) observed(action string, o model.Outcome, took time.Duration) {
	switch action {
	case model.ActOutboxClaim, model.ActOutboxRelease, model.ActOutboxHandOver, model.ActOutboxRecord:
	default:
		if o == model.OutcomeDone {
			a.changed.Store(true)
		}
	}
	if a.observe != nil {
		a.observe(action, o, took)
	}
}

// actor is --as (as), else $CONTACTDESK_AS.
func (a *app) actor(as string) (model.Handle, error) {
	if as == "" {
		as = a.env("CONTACTDESK_AS")
	}
	if as == "" {
		return "", misuse(nil, "no_actor")
	}
	h, err := model.ParseHandle(as)
	if err == nil {
		a.acting.Store(&h)
	}
	return h, err
}

// mayShowAddress says whether what the command prints may name the
// address of to's mail: always for support staff's commands; for one
// acting as an account, only that account's own. Another account's mail
// is named by its handle, and its address masked in a server's answer
// (see answerFor).
func (a *app) mayShowAddress(to model.Handle) bool {
	me := a.acting.Load()
	return me == nil || *me == to
}

// answerFor is a server's answer about m, as the command may print it: with
// m's address masked, as serve's log does, when m is another account's
// than the one the command acts as.
func (a *app) answerFor(m model.Mail) string {
	if a.mayShowAddress(m.To) {
		return m.DeliveryError
	}
	return delivery.MaskAddress(m.DeliveryError, m.Address)
}

// deskAs opens the database and returns the desk and the acting account.
func (a *app) deskAs(as string) (*model.Desk, model.Handle, error) {
	h, err := a.actor(as)
	if err != nil {
		return nil, "", err
	}
	d, err := a.open(false)
	return d, h, err
}

// deskFor opens the desk to write about the account handle names (a
// command's argument, not its actor): a handle that is none is refused
// before the desk is opened.
func (a *app) deskFor(handle string) (*model.Desk, model.Handle, error) {
	h, err := model.ParseHandle(handle)
	if err != nil {
		return nil, "", err
	}
	d, err := a.open(false)
	return d, h, err
}

// readDeskAs is deskAs for a command that only reads.
func (a *app) readDeskAs(as string) (*model.Desk, model.Handle, error) {
	h, err := a.actor(as)
	if err != nil {
		return nil, "", err
	}
	d, err := a.openRead()
	return d, h, err
}

// testClock is set by this package's tests only (clock_test.go): it lets
// $CONTACTDESK_NOW fix the desk's time, for scripted tests of expiry and
// throttling. A contactdesk binary never honours it, so nobody can move
// the desk's clock from a shell.
var testClock = false

// clock is the system clock, unless a test fixes the time.
func (a *app) clock() model.Clock {
	if testClock {
		if v := a.env("CONTACTDESK_NOW"); v != "" {
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				return fixedClock(t.UTC())
			}
		}
	}
	return model.SystemClock{}
}

type fixedClock time.Time

func (f fixedClock) Now() time.Time { return time.Time(f) }

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// dumbTerminal: $TERM says the terminal understands no escape sequence.
func dumbTerminal(env func(string) string) bool { return env("TERM") == "dumb" }

// quietStdin keeps fang from asking the terminal for its background
// colour, where the answer can only be lost, until the function it returns
// is called: fang asks, before each help page and each error it draws on a
// terminal, through os.Stdin and os.Stdout (an OSC 11 query, then a
// device-attributes one), and waits up to 2 s for an answer, twice. A
// terminal that says it understands no escape sequence (TERM=dumb:
// Emacs' shell, a serial console) showed the queries as they are
// ("^[]11;?^G^[[c" twice before the message) and kept support staff
// waiting 4 s for each error and each --help; with NO_COLOR no colour is
// drawn, which is all the answer chooses. Without a terminal as os.Stdin,
// fang asks nothing. (os.Stdin is read by nothing else: each command reads
// Run's stdin, and the terminal app is given its files.)
func quietStdin(env func(string) string) (restore func()) {
	in := os.Stdin
	if !dumbTerminal(env) && env("NO_COLOR") == "" || in == nil || !term.IsTerminal(in.Fd()) {
		return func() {}
	}
	os.Stdin = nil
	return func() { os.Stdin = in }
}
