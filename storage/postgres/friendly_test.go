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
