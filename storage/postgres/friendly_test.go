package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"contactdesk/model"
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
