package cli

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"contactdesk/model/modeltest"
	"contactdesk/model/text"
)

// TestHostileInputThroughTheCLI sends hostile text (modeltest.Hostile)
// through every flag and argument of the command line that takes text,
// then reads everything back. Each command refuses with one safe line
// or stores clean text; nothing the binary prints, and nothing in the
// file, can act on a terminal.
//
// An argument can't hold NUL, and Linux caps one at 128 KB, so those
// two cases become 100 KB of text here; the megabyte goes through
// stdin (key add -), and through the model in modeltest's HostileInput.
func TestHostileInputThroughTheCLI(t *testing.T) {
	d := seeded(t)
	hostile := map[string]string{}
	for name, h := range modeltest.Hostile {
		switch {
		case strings.Contains(h, "\x00"):
			h = strings.ReplaceAll(h, "\x00", "\x01")
		case len(h) > 100<<10:
			h = h[:100<<10]
		}
		hostile[name] = h
	}
	check := func(name string, args []string, r result) {
		t.Helper()
		what := fmt.Sprintf("%s: %s", name, strings.Join(args[:min(2, len(args))], " "))
		switch {
		case r.code == 0:
		case r.code == 1 && strings.HasPrefix(r.err, "contactdesk: ") && strings.Count(r.err, "\n") == 1:
		case r.code == 2 && strings.HasPrefix(r.err, "contactdesk: ") && strings.Contains(r.err, "usage:"):
		default:
			t.Errorf("%s: exit %d, stderr %.300q", what, r.code, r.err)
		}
		terminalSafe(t, args[:min(2, len(args))], what+" stdout", r.out)
		terminalSafe(t, args[:min(2, len(args))], what+" stderr", r.err)
		if n := len(r.err); n > 4000 {
			t.Errorf("%s: %d bytes on stderr: a refusal quotes a little, not everything", what, n)
		}
	}
	n := 0
	for name, h := range hostile {
		n++
		handle := fmt.Sprintf("ho%05d-ovh", n)
		for _, args := range [][]string{
			{"account", "add", handle, "--name", h, "--email", "eve@example.com"},
			{"account", "add", h, "--name", "Eve", "--email", "eve@example.com"},
			{"account", "add", handle + "x", "--name", "Eve", "--email", "eve" + h + "@example.com"},
			{"account", "add", handle + "y", "--name", "Eve", "--email", "eve@example.com", "--owes", h},
			{"account", "set-standing", h, "--paid"},
			{"profile", "set-email", "ted" + h + "@example.com", "--as", "te22222-ovh"},
			{"owner", "set", "example.com", "--as", "ad11111-ovh", "--holder", h},
			{"owner", "set", "example.com", "--as", "ad11111-ovh", "--address", "Rua " + h},
			{"owner", "set", "example.com", "--as", "ad11111-ovh", "--phone", "+351 " + h},
			{"owner", "set", "example.com", "--as", "ad11111-ovh", "--email", h + "@example.com"},
			{"owner", "show", h, "--as", "ad11111-ovh"},
			{"service", "add", "s" + h, "--type", "domain", "--admin", "ad11111-ovh", "--tech", "te22222-ovh", "--billing", "bi33333-ovh"},
			{"service", "add", fmt.Sprintf("s%d.pt", n), "--type", h, "--admin", "ad11111-ovh", "--tech", "te22222-ovh", "--billing", "bi33333-ovh"},
			{"request", "create", "--as", "ad11111-ovh", "--service", "example.com" + h, "--role", "tech", "--to", "ne44444-ovh"},
			{"request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", h, "--to", "ne44444-ovh"},
			{"request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", h},
			{"request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh", "--validity", h},
			{"request", "show", h, "--as", "ad11111-ovh"},
			{"mail", "show", h, "--as", "ad11111-ovh"},
			{"history", "--as", "ad11111-ovh", "--service", h},
			{"services", "--as", h},
			{"key", "remove", h},
		} {
			check(name, args, d.run(args...))
		}
		args := []string{"key", "add", "te22222-ovh", "-"}
		check(name+" (key comment)", args, d.runIn(hostileKeyLine+" "+h+"\n", args...))
	}
	// A megabyte on stdin.
	args := []string{"key", "add", "te22222-ovh", "-"}
	check("a megabyte key", args, d.runIn(hostileKeyLine+" "+strings.Repeat("x", 1<<20), args...))

	// A request to answer with hostile tokens, then the lists people read.
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	for name, h := range hostile {
		args := []string{"request", "accept", "1", "--as", "ne44444-ovh", "--token", h}
		r := d.run(args...)
		if r.code == 0 {
			t.Fatalf("%s: a hostile token was accepted", name)
		}
		check(name+" (token)", args, r)
	}
	for _, h := range []string{"ad11111-ovh", "te22222-ovh", "bi33333-ovh", "ne44444-ovh"} {
		for _, args := range [][]string{
			{"services", "--as", h}, {"services", "--as", h, "--json"}, {"request", "list", "--as", h}, {"request", "show", "1", "--as", h},
			{"mail", "list", "--as", h}, {"mail", "list", "--as", h, "--json"}, {"mail", "show", "1", "--as", h}, {"history", "--as", h},
			{"owner", "show", "example.com", "--as", h}, {"account", "list"}, {"key", "list"},
		} {
			check("reading", args, d.run(args...))
		}
	}
	// Whatever was stored is clean, in every text column of every table.
	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(d.dir, "desk.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.type = 'TEXT'`)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var c [2]string
		rows.Scan(&c[0], &c[1])
		cols = append(cols, c)
	}
	rows.Close()
	values := 0
	for _, c := range cols {
		rows, err := raw.Query(fmt.Sprintf(`SELECT CAST("%s" AS BLOB) FROM "%s"`, c[1], c[0]))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v []byte
			rows.Scan(&v)
			values++
			s := string(v)
			if c == [2]string{"mails", "body"} {
				s = strings.ReplaceAll(s, "\n", " ")
			}
			if why := text.Unsafe(s); why != "" {
				t.Errorf("%s.%s holds %.200q: %s", c[0], c[1], s, why)
			}
		}
		rows.Close()
	}
	if len(cols) < 20 || values < 50 {
		t.Fatalf("only %d columns and %d values read", len(cols), values)
	}
}

// hostileKeyLine is a valid public key, to which hostile comments are added.
const hostileKeyLine = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGrxDA4+1Or3MZJCCTF6HdsmEfL9zaDqjgFwQ9YIFOJg"
