package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"contactdesk/model"
	"contactdesk/storage/postgres/pgtest"
	"contactdesk/storage/sqlstore"
)

// open opens a fresh database with the schema, closed when the test ends.
func open(t testing.TB) *DB {
	t.Helper()
	return openURL(t, pgtest.URL(t))
}

func openURL(t testing.TB, u string) *DB {
	t.Helper()
	db, err := Open(context.Background(), u, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// run runs statements on the database outside any store.
func run(t testing.TB, u string, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestOpenEmptyNeedsCreate(t *testing.T) {
	u := pgtest.URL(t)
	_, err := Open(context.Background(), u, Options{})
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "contactdesk init") {
		t.Fatalf("open of an empty database without Create: %v, want ErrMissing saying how to fill it", err)
	}
	db := openURL(t, u)
	db.Close()
	// Once it has the schema, it opens without Create.
	db, err = Open(context.Background(), u, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	u := pgtest.URL(t)
	openURL(t, u).Close()
	run(t, u, "UPDATE contactdesk_schema SET version = $1", SchemaVersion()+1)
	_, err := Open(context.Background(), u, Options{Create: true})
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "upgrade contactdesk") {
		t.Fatalf("open of a newer schema: %v, want ErrNewerSchema", err)
	}
}

func TestOpenRefusesAnotherProgramsDatabase(t *testing.T) {
	u := pgtest.URL(t)
	run(t, u, "CREATE TABLE invoices (id int)")
	_, err := Open(context.Background(), u, Options{Create: true})
	if !errors.Is(err, ErrNotOurs) {
		t.Fatalf("open of a database with other tables: %v, want ErrNotOurs", err)
	}
}

func TestOpenUpgradesAnOlderSchema(t *testing.T) {
	u := pgtest.URL(t)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	// A database left at schema 1.
	_, err = c.Exec(ctx, "CREATE TABLE contactdesk_schema (version integer NOT NULL); INSERT INTO contactdesk_schema VALUES (1); "+sqlstore.Migrations(sqlstore.Postgres)[0].SQL)
	c.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, u, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(ctx, func(tx model.Tx) error {
		_, err := tx.Keys("")
		return err
	})
	if err != nil {
		t.Fatalf("the keys of schema 2 after an upgrade: %v", err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	// Port 1 on loopback: nothing listens there.
	_, err := Open(context.Background(), "postgres://nobody@127.0.0.1:1/desk?connect_timeout=2", Options{})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("open of a server that isn't there: %v, want ErrUnreachable naming it", err)
	}
}

func TestOpenMissingDatabase(t *testing.T) {
	u, _ := url.Parse(pgtest.Server(t))
	u.Path = "/contactdesk_no_such_database"
	_, err := Open(context.Background(), u.String(), Options{})
	if err == nil || !strings.Contains(err.Error(), "createdb contactdesk_no_such_database") {
		t.Fatalf("open of a database that doesn't exist: %v", err)
	}
}

func TestOpenBadURL(t *testing.T) {
	_, err := Open(context.Background(), "postgres://x@host:notaport/db", Options{})
	if err == nil || !strings.Contains(err.Error(), "URL") {
		t.Fatalf("open of a bad URL: %v", err)
	}
}

func TestIsURL(t *testing.T) {
	for s, want := range map[string]bool{
		"postgres://u@h/db": true, "postgresql://h/db": true, "contactdesk.db": false, "/var/lib/desk.db": false, "postgres.db": false,
	} {
		if IsURL(s) != want {
			t.Errorf("IsURL(%q) = %v", s, !want)
		}
	}
}

func TestPoolSize(t *testing.T) {
	u := pgtest.URL(t)
	for _, c := range []struct {
		url  string
		opt  int32
		want int32
	}{
		{u, 3, 3},
		{u + "&pool_max_conns=7", 0, 7},
		{u + "&pool_max_conns=7", 2, 2}, // the flag wins over the URL
	} {
		db, err := Open(context.Background(), c.url, Options{Create: true, MaxConns: c.opt})
		if err != nil {
			t.Fatal(err)
		}
		if got := db.MaxConns(); got != c.want {
			t.Errorf("Options.MaxConns %d on %s: pool of %d, want %d", c.opt, c.url, got, c.want)
		}
		db.Close()
	}
}

// TestReadOnlyOpen: a command that only reads gets no schema made for
// it, reads, and can't write.
func TestReadOnlyOpen(t *testing.T) {
	u := pgtest.URL(t)
	ctx := context.Background()
	if _, err := Open(ctx, u, Options{ReadOnly: true}); !errors.Is(err, ErrMissing) {
		t.Fatalf("an empty database opened read-only: %v", err)
	}
	db := openURL(t, u)
	addAccount(t, db, "ab12345-ovh")
	ro, err := Open(ctx, u, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	d := model.NewDesk(ro, model.Options{})
	if _, err := d.Account(ctx, "ab12345-ovh"); err != nil {
		t.Fatalf("reading: %v", err)
	}
	if _, err := d.AddAccount(ctx, model.NewAccount{Handle: "cd12345-ovh", Name: "C", Email: "c@d.example"}); !errors.Is(err, ErrReadOnlyOpen) {
		t.Fatalf("writing through a read-only open: %v", err)
	}
}

// TestOpenSetupErrors: the mistakes of setting a database up are told in
// words that say what to do, not as SQL states: a search_path naming no
// schema, a user without the right to make tables, an unknown host.
func TestOpenSetupErrors(t *testing.T) {
	u := pgtest.URL(t)
	q, _ := url.Parse(u)
	v := q.Query()
	v.Set("search_path", "no_such_schema")
	q.RawQuery = v.Encode()
	if _, err := Open(context.Background(), q.String(), Options{Create: true}); err == nil || !strings.Contains(err.Error(), "has no schema to make the desk's tables in") || strings.Contains(err.Error(), "SQLSTATE") {
		t.Errorf("a search_path naming no schema: %v", err)
	}
	visitor := fmt.Sprintf("visitor_%d", time.Now().UnixNano()) // roles are the cluster's
	run(t, u, "CREATE ROLE "+visitor+" LOGIN PASSWORD 'v'; REVOKE CREATE ON SCHEMA public FROM PUBLIC")
	q, _ = url.Parse(u)
	q.User = url.UserPassword(visitor, "v")
	if _, err := Open(context.Background(), q.String(), Options{Create: true}); err == nil || !strings.Contains(err.Error(), "does not let this user make the desk's tables") || !strings.Contains(err.Error(), "createdb -O USER") {
		t.Errorf("a user without CREATE on the schema: %v", err)
	}
	// A server without TLS answers a client's SSLRequest with 'N'.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			var req [8]byte
			io.ReadFull(c, req[:])
			c.Write([]byte("N"))
			c.Close()
		}
	}()
	if _, err := Open(context.Background(), "postgres://x@"+ln.Addr().String()+"/db?sslmode=require&connect_timeout=2", Options{}); err == nil || !strings.Contains(err.Error(), "does not speak TLS, which the URL's sslmode") {
		t.Errorf("sslmode=require against a server without TLS: %v", err)
	}
	_, err = Open(context.Background(), "postgres://x@nosuchhost.invalid:5432/db?connect_timeout=2", Options{})
	if err == nil || strings.Count(err.Error(), "no such host") != 1 {
		t.Errorf("an unknown host: %v, want the resolver's words once", err)
	}
}
