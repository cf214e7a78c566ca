package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"contactdesk/model"
	"contactdesk/storage/postgres/pgtest"
)

// TestFriendlyResources: a server out of disk space or memory is named,
// with what it means for the change, not only its SQLSTATE: "could not
// extend file …: No space left on device (SQLSTATE 53100)" named
// neither the server nor the outcome.
func TestFriendlyResources(t *testing.T) {
	db := &DB{where: "the PostgreSQL server at db:5432, database desk"}
	for code, says := range map[string]string{
		"53100": "the PostgreSQL server at db:5432, database desk has no disk space left; nothing was changed",
		"53200": "the PostgreSQL server at db:5432, database desk ran out of memory; nothing was changed",
	} {
		err := db.friendly(&pgconn.PgError{Code: code, Message: "could not extend file"}, false)
		if err == nil || !strings.HasPrefix(err.Error(), says) {
			t.Errorf("SQLSTATE %s: %v, want it to start %q", code, err, says)
		}
	}
}

// TestLoginRefused: a refused login says where the password may be
// besides the URL ($PGPASSWORD, ~/.pgpass), which pgx reads too: a URL
// without one was told to check "the password in the URL".
func TestLoginRefused(t *testing.T) {
	db := &DB{where: "the PostgreSQL server at db:5432, database desk"}
	err := db.openErr(&pgconn.PgError{Code: "28P01", Message: `password authentication failed for user "desk"`}, "desk")
	if err == nil || !strings.Contains(err.Error(), "$PGPASSWORD or ~/.pgpass") {
		t.Errorf("%v", err)
	}
}

// TestReadCommitNeverMaybeSaved: a read whose COMMIT went unanswered
// (here: its caller stopped waiting then) is a failed read, not "the
// change may or may not have been saved", which the web page, the API
// and the app said of a page view or a screen's refresh.
func TestReadCommitNeverMaybeSaved(t *testing.T) {
	db := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := db.View(ctx, func(tx model.Tx) error {
		_, err := tx.Settings()
		cancel() // as the COMMIT is about to be sent
		return err
	})
	if err == nil || errors.Is(err, model.ErrMaybeSaved) {
		t.Fatalf("a read cut at its COMMIT: %v", err)
	}
}

// TestCommonRefusalsAreServerErrors: the refusals a user commonly meets
// (the URL's database missing, a refused login, the server's disk full)
// are ServerErrors that say which, with the server and the database in
// parts, so that the command line words them in its reader's language
// (they were English sentences whatever the language); their English
// and what errors.Is and errors.As find in them are unchanged.
func TestCommonRefusalsAreServerErrors(t *testing.T) {
	db := &DB{where: "the PostgreSQL server at db:5432, database desk", host: "db:5432", name: "desk"}
	full := &pgconn.PgError{Code: "53100", Message: "could not extend file"}
	for _, c := range []struct {
		err          error
		kase, detail string
		is           error
		english      string
	}{
		{db.openErr(&pgconn.PgError{Code: "3D000", Message: `database "desk" does not exist`}, "desk"), CaseNoDatabase, "", ErrMissing,
			"the PostgreSQL server at db:5432, database desk does not exist (no contactdesk data): create it with 'createdb desk', or fix the URL"},
		{db.openErr(&pgconn.PgError{Code: "28P01", Message: `password authentication failed for user "desk"`}, "desk"), CaseLogin, `password authentication failed for user "desk"`, nil,
			`the PostgreSQL server at db:5432, database desk refused the login: password authentication failed for user "desk"; check the user in the URL, and its password (in the URL, $PGPASSWORD or ~/.pgpass)`},
		{db.friendly(full, false), CaseDiskFull, full.Error(), full,
			"the PostgreSQL server at db:5432, database desk has no disk space left; nothing was changed: " + full.Error()},
	} {
		var se *ServerError
		if !errors.As(c.err, &se) || se.Case != c.kase || se.Host != "db:5432" || se.Database != "desk" || se.Detail != c.detail {
			t.Errorf("%v: %#v, want the case %s, db:5432, desk, detail %q", c.err, se, c.kase, c.detail)
			continue
		}
		if c.err.Error() != c.english {
			t.Errorf("%s: %q, want %q", c.kase, c.err, c.english)
		}
		if c.is != nil && !errors.Is(c.err, c.is) {
			t.Errorf("%s: %v is not %v", c.kase, c.err, c.is)
		}
	}
	var pe *pgconn.PgError
	if !errors.As(db.friendly(full, false), &pe) || pe.Code != "53100" {
		t.Errorf("the server's error is no longer found in a full disk's refusal")
	}
}

// TestUnreachableIsAServerError: a server that can't be reached is a
// ServerError of case CaseUnreachable, the network's reason its
// Detail, still ErrUnreachable.
func TestUnreachableIsAServerError(t *testing.T) {
	_, err := Open(context.Background(), "postgres://nobody@127.0.0.1:1/desk?connect_timeout=2", Options{})
	var se *ServerError
	if !errors.As(err, &se) || se.Case != CaseUnreachable || se.Host != "127.0.0.1:1" || se.Database != "desk" ||
		!strings.Contains(se.Detail, "connection refused") || !errors.Is(err, ErrUnreachable) {
		t.Fatalf("%v: %#v", err, se)
	}
	if want := "cannot reach the PostgreSQL server at 127.0.0.1:1, database desk: database server unreachable (" + se.Detail + "); is it running, and is the URL right?"; err.Error() != want {
		t.Errorf("%q, want %q", err, want)
	}
}

// TestRarerRefusalsAreServerErrors: the rarer refusals of a server (out
// of memory, read-only, no connection left, shutting down, a statement
// or a lock that waited too long, TLS refused or untrusted, the
// connection lost) are ServerErrors too, which say which with the
// server's words as their Detail, so that the command line and the
// local app word them in their reader's language (they were English
// sentences whatever the language, a lock's timeout the server's bare
// words); each still is what errors.Is and errors.As found in it (the
// server's error, ErrUnreachable when opening, ErrLost), on which the
// command line's --json kinds rest.
func TestRarerRefusalsAreServerErrors(t *testing.T) {
	db := &DB{where: "the PostgreSQL server at db:5432, database desk", host: "db:5432", name: "desk"}
	pg := func(code, msg string) *pgconn.PgError {
		return &pgconn.PgError{Severity: "ERROR", Code: code, Message: msg}
	}
	oom, ro, slots := pg("53200", "out of memory"), pg("25006", "cannot execute INSERT in a read-only transaction"), pg("53300", `too many connections for role "desk"`)
	down, starting := pg("57P01", "terminating connection due to administrator command"), pg("57P03", "the database system is shutting down")
	slow, lock := pg("57014", "canceling statement due to statement timeout"), pg("55P03", "canceling statement due to lock timeout")
	for _, c := range []struct {
		err          error
		kase, detail string
		is           []error
		starts       string
	}{
		{db.friendly(oom, false), CaseOutOfMemory, oom.Error(), []error{oom},
			"the PostgreSQL server at db:5432, database desk ran out of memory; nothing was changed: try again in a moment"},
		{db.friendly(ro, false), CaseReadOnly, ro.Error(), []error{ro},
			"the PostgreSQL server at db:5432, database desk is read-only (a standby?); nothing was changed: point the URL at the server that takes writes"},
		{db.openErr(ro, ""), CaseReadOnly, ro.Error(), []error{ro}, "the PostgreSQL server at db:5432, database desk is read-only"},
		{db.friendly(slots, false), CaseNoConnection, slots.Error(), []error{slots},
			"the PostgreSQL server at db:5432, database desk has no connection left; nothing was changed: try again in a moment"},
		{db.openErr(slots, ""), CaseNoConnection, slots.Error(), []error{slots, ErrUnreachable}, "the PostgreSQL server at db:5432, database desk has no connection left"},
		{db.friendly(down, false), CaseShuttingDown, down.Error(), []error{down, ErrLost},
			"the PostgreSQL server at db:5432, database desk is starting up, shutting down or restarting; nothing was changed: try again in a moment"},
		{db.openErr(starting, ""), CaseShuttingDown, starting.Error(), []error{starting, ErrUnreachable}, "the PostgreSQL server at db:5432, database desk is starting up"},
		{db.friendly(slow, false), CaseTimeout, slow.Error(), []error{slow},
			"the PostgreSQL server at db:5432, database desk took too long to answer (statement_timeout); nothing was changed"},
		{db.friendly(lock, false), CaseLockTimeout, lock.Error(), []error{lock},
			"the PostgreSQL server at db:5432, database desk waited too long for a lock another session holds (lock_timeout); nothing was changed"},
	} {
		var se *ServerError
		if !errors.As(c.err, &se) || se.Case != c.kase || se.Host != "db:5432" || se.Database != "desk" || se.Detail != c.detail {
			t.Errorf("%v: %#v, want the case %s, db:5432, desk, detail %q", c.err, se, c.kase, c.detail)
			continue
		}
		if !strings.HasPrefix(c.err.Error(), c.starts) || !strings.HasSuffix(c.err.Error(), "("+c.detail+")") {
			t.Errorf("%s: %q, want it to start %q and end with the server's words", c.kase, c.err, c.starts)
		}
		if c.kase == CaseTimeout && !strings.Contains(c.err.Error(), fmt.Sprintf(", %d s by default", int(DefaultStatementTimeout.Seconds()))) {
			t.Errorf("the timeout does not say DefaultStatementTimeout, %s: %q (and locale's cli.fail.pg_timeout)", DefaultStatementTimeout, c.err)
		}
		for _, is := range c.is {
			if !errors.Is(c.err, is) {
				t.Errorf("%s: %v is not %v", c.kase, c.err, is)
			}
		}
	}
	// pg_hba.conf lets no connection without TLS in, and the URL asks
	// for none (sslmode=disable): not a wrong user or password; with
	// TLS tried, or another refusal of the same SQLSTATE, a login's
	hba := &pgconn.PgError{Severity: "FATAL", Code: "28000", Message: `no pg_hba.conf entry for host "10.0.0.7", user "desk", database "desk", no encryption`}
	role := &pgconn.PgError{Severity: "FATAL", Code: "28000", Message: `role "desk" does not exist`}
	for _, c := range []struct {
		plain bool
		pe    *pgconn.PgError
		kase  string
	}{{true, hba, CaseTLSRequired}, {false, hba, CaseLogin}, {true, role, CaseLogin}} {
		db.plain = c.plain
		var se *ServerError
		if err := db.openErr(c.pe, "desk"); !errors.As(err, &se) || se.Case != c.kase || se.Detail != c.pe.Message {
			t.Errorf("%q, sslmode=disable %v: %v (%#v), want the case %s", c.pe.Message, c.plain, err, se, c.kase)
		}
	}
	db.plain = false
	if err := db.openErr(hba, "desk"); err.Error() != `the PostgreSQL server at db:5432, database desk refused the login: no pg_hba.conf entry for host "10.0.0.7", user "desk", database "desk", no encryption; check the user in the URL, and its password (in the URL, $PGPASSWORD or ~/.pgpass)` {
		t.Errorf("a login refused with TLS tried: %q", err)
	}
	db.plain = true
	if err := db.openErr(hba, "desk"); err.Error() != `the PostgreSQL server at db:5432, database desk does not take this connection without TLS (no pg_hba.conf entry for host "10.0.0.7", user "desk", database "desk", no encryption), and the URL's sslmode=disable asks for none: if the server takes TLS connections, set sslmode=require (or verify-full) in the URL; else have an entry added to its pg_hba.conf` {
		t.Errorf("TLS required: %q", err)
	}
	db.plain = false

	// the connection lost, before anything was sent or while saving (a
	// pool that never connects, which friendly resets)
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/desk")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db.pool = pool
	broken := errors.New("unexpected EOF")
	for _, c := range []struct {
		err     error
		kase    string
		maybe   bool
		english string
	}{
		{db.friendly(broken, false), CaseLost, false, "cannot reach the PostgreSQL server at db:5432, database desk (unexpected EOF): nothing was changed; try again when it is back"},
		{db.friendly(broken, true), CaseLostSaving, true, "the connection to the PostgreSQL server at db:5432, database desk broke while saving (unexpected EOF): the change may or may not have been saved; look before trying again"},
		{db.friendly(context.DeadlineExceeded, true), CaseSilentSaving, true, "the PostgreSQL server at db:5432, database desk did not answer in time while saving: the change may or may not have been saved; look before trying again"},
	} {
		var se *ServerError
		if !errors.As(c.err, &se) || se.Case != c.kase || c.err.Error() != c.english || !errors.Is(c.err, ErrLost) || errors.Is(c.err, model.ErrMaybeSaved) != c.maybe {
			t.Errorf("%q (%#v): want the case %s, %q, ErrLost, maybe saved %v", c.err, se, c.kase, c.english, c.maybe)
		}
	}
}

// TestCommitEndedByTheServerMayHaveSaved: a write whose COMMIT the server
// ends as it runs (its session terminated: a shutdown, a crash of
// another server process, an operator's pg_terminate_backend) is told
// "may or may not have been saved", as a connection broken at COMMIT
// is: a session ended while its COMMIT waits for a synchronous standby
// has committed all the same. It was told "nothing was changed". Here a
// deferred trigger holds the COMMIT while the session is terminated.
func TestCommitEndedByTheServerMayHaveSaved(t *testing.T) {
	u := pgtest.URL(t)
	db := openURL(t, u)
	run(t, u, `CREATE FUNCTION held_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$`)
	run(t, u, `CREATE CONSTRAINT TRIGGER held_commit AFTER INSERT OR UPDATE ON settings DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION held_commit()`)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	// The terminator uses admin until it returns: the test waits for it
	// before admin is closed (the race detector saw the two meet).
	stop, done := make(chan struct{}), make(chan struct{})
	defer func() { close(stop); <-done }()
	go func() {
		defer close(done)
		// the write's session, once its COMMIT sleeps in the trigger
		for range 600 {
			select {
			case <-stop:
				return
			default:
			}
			var ended bool
			err := admin.QueryRow(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event = 'PgSleep'`).Scan(&ended)
			if err == nil && ended {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	err = db.Update(ctx, func(tx model.Tx) error {
		return tx.SetSetting("public-url", "https://desk.example", time.Now())
	})
	var se *ServerError
	if !errors.Is(err, model.ErrMaybeSaved) || !errors.As(err, &se) || se.Case != CaseLostSaving ||
		!strings.Contains(err.Error(), "may or may not have been saved") || strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("a COMMIT ended by the server: %v, want the change may or may not have been saved", err)
	}
	// The store goes on: the next write is on a fresh session.
	run(t, u, `DROP TRIGGER held_commit ON settings`)
	if err := db.Update(ctx, func(tx model.Tx) error {
		return tx.SetSetting("public-url", "https://desk.example", time.Now())
	}); err != nil {
		t.Fatalf("the write after: %v", err)
	}
}
