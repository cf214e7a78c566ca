package cli

import (
	"context"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/jackc/pgx/v5"

	"contactdesk/internal/syncbuf"
	"contactdesk/storage/postgres/pgtest"
)

// onPostgres points a desk's commands at a fresh PostgreSQL database.
func onPostgres(t *testing.T) (*desk, string) {
	u := pgtest.URL(t)
	d := newDesk(t)
	d.env["CONTACTDESK_DB"] = u
	return d, u
}

func TestPostgresInitDemoAndCommands(t *testing.T) {
	d, u := onPostgres(t)
	d.refused("contactdesk init", "account", "list") // no schema yet
	d.ok("init")
	d.refused("already exists", "init")
	d.ok("account", "add", "ad11111-ovh", "--name", "Ada Admin", "--email", "ada@example.com")
	d.ok("account", "add", "ne44444-ovh", "--name", "Nina New", "--email", "nina@example.com")
	d.ok("service", "add", "example.com", "--type", "domain", "--admin", "ad11111-ovh", "--tech", "ad11111-ovh", "--billing", "ad11111-ovh")
	out := d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	if !strings.Contains(out, "request #1 created") {
		t.Fatalf("request create: %q", out)
	}
	d.ok("request", "accept", "1", "--as", "ad11111-ovh", "--token", d.token("ad11111-ovh", 1))
	out = d.ok("request", "accept", "1", "--as", "ne44444-ovh", "--token", d.token("ne44444-ovh", 1))
	if !strings.Contains(out, "request #1 done") {
		t.Fatalf("the last acceptance: %q", out)
	}

	d.misused("--host-key PATH", "serve") // every node needs the same one: no default beside a URL
	d.ok("--pool", "2", "services", "--as", "ad11111-ovh")
	d.ok("services", "--as", "ad11111-ovh", "--pool", "1")
	d.misused("--pool takes a number", "--pool", "-1", "services", "--as", "ad11111-ovh")
	d.refused("already holds a desk", "demo")
	out = d.ok("demo", "--force", "--services", "40")
	if !strings.Contains(out, "40 services") {
		t.Fatalf("demo --force: %q", out)
	}
	out = d.ok("--db", u, "services", "--as", "xx11111-ovh")
	if !strings.Contains(out, "xara.pt") || strings.Contains(out, "example.com ") {
		t.Fatalf("the demo did not replace the desk:\n%s", out)
	}
}

func TestMigrateFromSQLite(t *testing.T) {
	d := newDesk(t) // $CONTACTDESK_DB is a file here
	d.ok("demo", "--services", "200")
	d.ok("request", "create", "--as", "xx11111-ovh", "--service", "web.xara.pt", "--role", "billing", "--to", "yy22222-ovh")
	u := pgtest.URL(t)
	out := d.ok("migrate", "--to", u)
	if !strings.Contains(out, "services 200") {
		t.Fatalf("migrate: %q", out)
	}
	for _, as := range []string{"xx11111-ovh", "yy22222-ovh", "zz33333-ovh"} {
		for _, cmd := range [][]string{{"services"}, {"request", "list"}, {"mail", "list"}, {"history"}} {
			args := append(cmd, "--as", as, "--json")
			if lite, pg := d.ok(args...), d.ok(append([]string{"--db", u}, args...)...); lite != pg {
				t.Errorf("%v differs after migrate:\n SQLite     %s\n PostgreSQL %s", args, lite, pg)
			}
		}
	}
	// The copy goes on as the desk did: the next request number follows.
	out = d.ok("--db", u, "request", "create", "--as", "xx11111-ovh", "--service", "mx-xara", "--role", "tech", "--to", "zz33333-ovh")
	next := d.ok("request", "create", "--as", "xx11111-ovh", "--service", "mx-xara", "--role", "tech", "--to", "zz33333-ovh")
	if first := strings.Fields(out)[1]; first != strings.Fields(next)[1] {
		t.Errorf("the next request is %s on PostgreSQL, %s on SQLite", first, strings.Fields(next)[1])
	}

	d.refused("not empty", "migrate", "--to", u)
	d.misused("PostgreSQL URL", "migrate", "--to", "other.db")
	d.misused("--to is required", "migrate")
	d.misused("not a URL", "migrate", "--from", u, "--to", u)
	d.refused("no desk at", "migrate", "--from", "nothing-here.db", "--to", u)
}

func TestPostgresServerUnreachable(t *testing.T) {
	d := newDesk(t)
	d.refused("cannot reach the PostgreSQL server at 127.0.0.1:1", "--db", "postgres://nobody@127.0.0.1:1/desk?connect_timeout=2", "account", "list")
	// A server that answers, refusing a parameter of the URL, is not
	// "unreachable".
	u := pgtest.URL(t)
	d.refused(`refused a parameter of the URL: invalid value for parameter "statement_timeout"`, "--db", u+"&statement_timeout=abc", "account", "list")
	d.refused(`refused a parameter of the URL: unrecognized configuration parameter "bogus_param"`, "--db", u+"&bogus_param=1", "account", "list")
}

// TestPostgresPasswordsNeverShow: a password in the --db URL (the test
// server trusts local logins, so any password does) is never printed —
// not by init, demo or migrate, which name the database, nor in an error
// or a usage.
func TestPostgresPasswordsNeverShow(t *testing.T) {
	const password = "S3cret-pw"
	withPassword := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		name := "postgres"
		if u.User != nil && u.User.Username() != "" {
			name = u.User.Username()
		}
		u.User = url.UserPassword(name, password)
		return u.String()
	}
	d := newDesk(t)
	u := withPassword(pgtest.URL(t))
	var seen []string
	see := func(r result) result {
		seen = append(seen, r.out, r.err)
		return r
	}
	if r := see(d.run("--db", u, "init")); r.code != 0 || !strings.Contains(r.out, ":***@") {
		t.Fatalf("init: %+v", r)
	}
	// The command to try next runs as it is pasted: no *** for a
	// password, which would be a wrong one; where it comes from instead.
	tryLine := regexp.MustCompile(`(?m)^try: contactdesk --db 'postgres://[^:@']+@[^']+' --as xx11111-ovh \(the password: from \$PGPASSWORD or ~/\.pgpass, or put it back in the URL\)$`)
	if r := see(d.run("--db", u, "demo", "--force")); r.code != 0 || !strings.Contains(r.out, ":***@") || !tryLine.MatchString(r.out) {
		t.Fatalf("demo: %+v", r)
	}
	see(d.run("--db", u, "demo"))
	see(d.run("--db", u, "init"))
	d.ok("demo") // the SQLite file $CONTACTDESK_DB names
	if r := see(d.run("migrate", "--to", withPassword(pgtest.URL(t)))); r.code != 0 || strings.Contains(r.out, ":***@") || !strings.Contains(r.out, "--db 'postgres://") || !strings.Contains(r.out, "$PGPASSWORD") {
		t.Fatalf("migrate (the URL to use from now on, quoted for a shell): %+v", r)
	}
	see(d.run("migrate", "--to", u)) // not empty
	see(d.run("--db", "postgres://desk:"+password+"@127.0.0.1:1/desk?connect_timeout=2", "services", "--as", "xx11111-ovh"))
	see(d.run("--db", "postgres://desk:"+password+"@127.0.0.1:1/desk%zz", "services", "--as", "xx11111-ovh"))
	// A password left unencoded: the parser's own words quote the URL's
	// tail, where it is; the message says how to write the URL instead.
	for _, bad := range []string{"postgres://qa:" + password + "#%pw@127.0.0.1:1/qadb", "postgres://qa:x#" + password + "@127.0.0.1:1/qadb",
		"postgres://qa:x@" + password + "@127.0.0.1:1/qadb", "postgres://qa@127.0.0.1:1/qadb?password=x&" + password,
		"postgres://qa@127.0.0.1:1/qadb?password=" + password + "%zz"} {
		if r := see(d.run("--db", bad, "services", "--as", "xx11111-ovh")); r.code == 0 {
			t.Errorf("%s: %+v", bad, r)
		}
	}
	d.refused("percent-encoded", "--db", "postgres://qa:"+password+"#%pw@127.0.0.1:1/qadb", "account", "list")
	// A pool parameter's value is said as such, not blamed on the URL's
	// writing.
	for _, v := range []string{"0", "abc"} {
		d.refused("the URL's pool_max_conns is not a value it takes", "--db", "postgres://qa:"+password+"@127.0.0.1:1/qadb?pool_max_conns="+v, "account", "list")
		seen = append(seen, d.run("--db", "postgres://qa:"+password+"@127.0.0.1:1/qadb?pool_max_conns="+v, "account", "list").err)
	}
	d.env["CONTACTDESK_DB"] = u
	see(d.run("serve", "--help"))
	see(d.run("serve")) // needs --host-key with a URL
	see(d.run("--help"))
	for _, s := range seen {
		if strings.Contains(s, password) {
			t.Fatalf("the password shows:\n%s", s)
		}
	}
}

// TestPostgresImportExportBackup: a SQLite desk's export imports into
// PostgreSQL as it was (the same export back), a refused import leaves
// it as it was, and backup says to use pg_dump.
func TestPostgresImportExportBackup(t *testing.T) {
	src := newDesk(t)
	src.ok("demo", "--services", "300")
	accounts, services := src.ok("export", "accounts"), src.ok("export", "services")
	d, _ := onPostgres(t)
	d.ok("init")
	d.ok("import", "accounts", src.write("accounts.csv", accounts))
	d.ok("import", "services", src.write("services.csv", services))
	for _, args := range [][]string{{"export", "accounts"}, {"export", "services"}, {"export", "services", "--format", "json"}} {
		if a, b := src.ok(args...), d.ok(args...); a != b {
			t.Errorf("%v differs on PostgreSQL:\n%s\n---\n%s", args, a, b)
		}
	}
	d.importRefused("name,type,admin,tech,billing\nnew.pt,domain,xx11111-ovh,xx11111-ovh,xx11111-ovh\nbad name,vps,xx11111-ovh,xx11111-ovh,xx11111-ovh\n", "import", "services", "-")
	if d.ok("export", "services") != services {
		t.Error("a refused import changed the desk")
	}
	d.misused("pg_dump", "backup", "copy.db")
}

// TestAppLeavesAnEmptyPostgresAlone: the app on a PostgreSQL database
// that holds no desk refuses as every command does; it fills only a
// SQLite file that is not there with the demo (an empty database made
// with createdb is most likely meant for the real desk).
func TestAppLeavesAnEmptyPostgresAlone(t *testing.T) {
	d, u := onPostgres(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("a pseudo-terminal is needed (Linux /dev/ptmx): %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	var errb strings.Builder
	code := Run(context.Background(), []string{"--as", "xx11111-ovh"}, tty, tty, &errb, func(k string) string { return d.env[k] })
	if code != 1 || !strings.Contains(errb.String(), "contactdesk init") || strings.Contains(errb.String(), "demo data") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	d.refused("contactdesk init", "--db", u, "account", "list") // still no desk
}

// TestServeLogsLiveUpdatesLostAndBack: serve on PostgreSQL says once in
// its log, as a warning, that live updates from other nodes are paused
// when the connection that listens for them is lost, and once that they
// resumed; never the URL or its password.
func TestServeLogsLiveUpdatesLostAndBack(t *testing.T) {
	const password = "S3cret-pw"
	d, u := onPostgres(t)
	d.ok("init")
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	name := "postgres"
	if pu.User != nil && pu.User.Username() != "" {
		name = pu.User.Username()
	}
	pu.User = url.UserPassword(name, password)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := &syncbuf.Buffer{}
	code := make(chan int, 1)
	go func() {
		code <- Run(ctx, []string{"--db", pu.String(), "serve", "--listen", "127.0.0.1:0", "--host-key", filepath.Join(d.dir, "host_key")},
			strings.NewReader(""), io.Discard, log, func(string) string { return "" })
	}()
	waitLog := func(what, line string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !strings.Contains(log.String(), line); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the log never said %s:\n%s", what, log.String())
			}
		}
	}
	waitLog("that it serves", "msg=serving")
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	// The listener connects as the server starts serving: end its
	// session once it is there.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var killed int
		err := c.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'listen%'`).Scan(&killed)
		if err != nil {
			t.Fatal(err)
		}
		if killed == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listening session to end:\n%s", log.String())
		}
	}
	where := "the PostgreSQL server at "
	waitLog("that live updates resumed", `level=INFO msg="live updates from other nodes resumed: listening to `+where)
	cancel()
	<-code
	l := log.String()
	if n := strings.Count(l, `level=WARN msg="live updates from other nodes paused: lost the connection that listens to `+where); n != 1 {
		t.Errorf("%d warnings that live updates paused, want 1:\n%s", n, l)
	}
	if n := strings.Count(l, "live updates"); n != 2 {
		t.Errorf("%d lines about live updates, want 2:\n%s", n, l)
	}
	if strings.Contains(l, password) || strings.Contains(l, "postgres://") {
		t.Errorf("the log names the URL:\n%s", l)
	}
}
