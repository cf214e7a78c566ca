// Package pgtest gives each test a fresh PostgreSQL database of its own,
// on the server that $CONTACTDESK_TEST_PG names or, when it names none,
// on a throwaway cluster that the test binary starts for itself from the
// PostgreSQL server binaries installed on the machine.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	neturl "net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvVar names the server the tests may create databases on.
const EnvVar = "CONTACTDESK_TEST_PG"

// Missing is what a test says when it has no server.
const Missing = "the PostgreSQL tests need a server where they may create databases, and none could be started.\n" +
	"Install the PostgreSQL server binaries (Debian/Ubuntu: apt-get install postgresql; Fedora: dnf install postgresql-server;\n" +
	"macOS: brew install postgresql) and the tests start a throwaway cluster themselves (PG_BIN may name the folder of initdb),\n" +
	"or set " + EnvVar + "=postgres://USER@HOST/postgres to a server of yours."

// Server returns the URL of the test server: $CONTACTDESK_TEST_PG, else a
// throwaway cluster started once for this test binary. The test fails,
// saying how to get a server, when there is none.
func Server(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(EnvVar); u != "" {
		return u
	}
	u, err := throwaway()
	if err != nil {
		t.Fatalf("%v\n%s", err, Missing)
	}
	return u
}

// URL creates an empty database for this test, drops it when the test
// ends, and returns its URL.
func URL(t testing.TB) string {
	t.Helper()
	u, drop, err := NewDatabase(Server(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	return u
}

// NewDatabase creates an empty database on the server admin names and
// returns its URL and how to drop it, for a database that outlives one
// test (a benchmark's desk, built once per run).
func NewDatabase(admin string) (url string, drop func() error, err error) {
	u, err := neturl.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, fmt.Errorf("%s must be a postgres:// URL, not %q", EnvVar, admin)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "contactdesk_test_" + hex.EncodeToString(b)
	if err := exec(admin, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() error { return exec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") }, nil
}

func exec(admin, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("the test server %s=%s: %w", EnvVar, admin, err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}
