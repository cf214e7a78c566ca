package cli

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/storage"
)

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

// TestFilesAreMadePrivate: the desk holds personal data and, in the
// mailbox, tokens: the files the command line makes are its owner's
// alone, and a file it replaces keeps the mode it had.
func TestFilesAreMadePrivate(t *testing.T) {
	d := newDesk(t)
	path := d.env["CONTACTDESK_DB"]
	d.ok("demo")
	if m := mode(t, path); m.Perm() != 0o600 {
		t.Errorf("demo made %s with mode %v", path, m)
	}
	d.ok("--db", filepath.Join(d.dir, "empty.db"), "init")
	if m := mode(t, filepath.Join(d.dir, "empty.db")); m.Perm() != 0o600 {
		t.Errorf("init made a file with mode %v", m)
	}
	for _, perm := range []fs.FileMode{0o600, 0o640, 0o644} {
		if err := os.Chmod(path, perm); err != nil {
			t.Fatal(err)
		}
		d.ok("demo", "--force")
		if m := mode(t, path); m.Perm() != perm {
			t.Errorf("demo --force turned a %v file into %v", perm, m.Perm())
		}
	}
}

// TestDemoThroughASymbolicLink: --force replaces the file the link names,
// and the link stays; a link to nothing is refused.
func TestDemoThroughASymbolicLink(t *testing.T) {
	d := seeded(t) // a desk with example.com, not the demo's
	real := d.env["CONTACTDESK_DB"]
	link := filepath.Join(d.dir, "link.db")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	os.Chmod(real, 0o600)
	d.refused("already exists", "--db", link, "demo")
	d.ok("--db", link, "demo", "--force")
	if m := mode(t, link); m&fs.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a %v file", m)
	}
	if m := mode(t, real); m.Perm() != 0o600 {
		t.Errorf("the file behind the link has mode %v", m.Perm())
	}
	if out := d.ok("--db", real, "services", "--as", "xx11111-ovh"); !strings.Contains(out, "xara.pt") {
		t.Errorf("the file behind the link is not the demo desk:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(d.dir, ".link.db.building")); err == nil {
		t.Error("the demo was left half-built beside the link")
	}

	dangling := filepath.Join(d.dir, "dangling.db")
	gone := filepath.Join(d.dir, "gone", "desk.db")
	if err := os.Symlink(gone, dangling); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--db", dangling, "demo"}, {"--db", dangling, "demo", "--force"}} {
		d.refused("symbolic link to a file that does not exist", args...)
	}
	if m := mode(t, dangling); m&fs.ModeSymlink == 0 {
		t.Errorf("the dangling link became a %v file", m)
	}
	d.refused("already exists", "--db", dangling, "init")
}

func TestMemoryDatabaseIsRefused(t *testing.T) {
	d := newDesk(t)
	for _, args := range [][]string{
		{"--db", ":memory:", "init"},
		{"--db", ":memory:", "demo"},
		{"--db", "file::memory:?cache=shared", "services", "--as", "xx11111-ovh"},
	} {
		d.misused("would vanish when the command ends", args...)
	}
}

// TestOtherDatabasesAreRefused: a PostgreSQL connection string of
// keywords, or a URL of another scheme, is refused as misuse, and no
// file is made of it (one named after the string, its password in the
// name, was made a SQLite desk).
func TestOtherDatabasesAreRefused(t *testing.T) {
	d := newDesk(t)
	t.Chdir(d.dir)
	for _, c := range []struct{ db, says string }{
		{"host=127.0.0.1 port=5432 user=desk password=S3cret dbname=desk", "not as keywords (host=… dbname=…)"},
		{"dbname=desk", "not as keywords"},
		{"mysql://desk:S3cret@db/desk", "the desk opens no mysql:// database"},
		{"file:///tmp/desk.db", "the desk opens no file:// database"},
		// a scheme without its "//" (SQLite's own URI form too) named
		// a file
		{"file:x.db", "looks like a URL but is none"},
		{"mysql:desk", "looks like a URL but is none"},
		{"postgres:/desk:S3cret@db/desk", "looks like a URL but is none"},
	} {
		for _, args := range [][]string{{"--db", c.db, "init"}, {"--db", c.db, "demo"}, {"--db", c.db, "services", "--as", "xx11111-ovh"}} {
			d.misused(c.says, args...)
			if r := d.run(args...); strings.Contains(r.err, "S3cret") {
				t.Errorf("%v prints the password: %q", args, r.err)
			}
		}
	}
	// spaces around a URL, a slip of the paste, are trimmed: it was
	// taken for a file whose cleaned name printed the password
	if r := d.run("--db", " postgres://desk:S3cret@127.0.0.1:1/desk", "demo"); strings.Contains(r.err, "S3cret") || !strings.Contains(r.err, "PostgreSQL server") {
		t.Errorf("--db with a space before a URL: %q", r.err)
	}
	// migrate's source is a SQLite file, nothing else
	for _, from := range []string{"host=db dbname=desk", "mysql://desk:S3cret@db/desk", "file:x.db"} {
		d.misused("--from takes the SQLite file to copy", "migrate", "--from", from, "--to", "postgres://desk@127.0.0.1:1/desk")
	}
	if es, _ := os.ReadDir(d.dir); len(es) > 0 {
		for _, e := range es {
			if strings.Contains(e.Name(), "=") || strings.Contains(e.Name(), ":") {
				t.Errorf("a file was made of --db: %q", e.Name())
			}
		}
	}
}

// TestReadingNeverMakesADesk: a command that only reads leaves an empty
// file (or a missing one) as it is, and says how to make a desk.
func TestReadingNeverMakesADesk(t *testing.T) {
	d := newDesk(t)
	path := d.env["CONTACTDESK_DB"]
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"services", "--as", "xx11111-ovh"},
		{"request", "list", "--as", "xx11111-ovh"},
		{"request", "show", "1", "--as", "xx11111-ovh"},
		{"mail", "list", "--as", "xx11111-ovh"},
		{"owner", "show", "xara.pt", "--as", "xx11111-ovh"},
		{"history", "--as", "xx11111-ovh"},
		{"account", "list"},
		{"key", "list"},
	} {
		d.refused("contactdesk init", args...)
		if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
			t.Fatalf("%v turned the empty file into a desk", args)
		}
	}
	os.Remove(path)
	d.refused("contactdesk demo", "services", "--as", "xx11111-ovh")
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a read made a file")
	}
}

// TestAnEmptyFileTakesADesk: where the refusals above send the user,
// init and demo make the desk in the empty file, keeping its mode.
func TestAnEmptyFileTakesADesk(t *testing.T) {
	for _, cmd := range []string{"init", "demo"} {
		d := newDesk(t)
		path := d.env["CONTACTDESK_DB"]
		if err := os.WriteFile(path, nil, 0o640); err != nil {
			t.Fatal(err)
		}
		d.ok(cmd)
		d.ok("account", "list")
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 || fi.Size() == 0 {
			t.Errorf("%s: the file after it: %v %v", cmd, fi.Mode(), err)
		}
		d.refused("already exists", cmd)
	}
}

// TestReadingWithSMTPNeverMakesADesk: with --smtp a read also sends the
// outbox, so it opens the desk to write, but still never makes one.
func TestReadingWithSMTPNeverMakesADesk(t *testing.T) {
	d := newDesk(t)
	path := d.env["CONTACTDESK_DB"]
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d.refused("contactdesk init", "services", "--as", "xx11111-ovh", "--smtp", "smtp://127.0.0.1:1", "--mail-from", "desk@example.com")
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Fatal("a read with --smtp turned the empty file into a desk")
	}
}

// TestAppNeedsATerminal: the app opens only between two terminals; a
// stdin that is not one (/dev/null, a pipe) gets the same friendly line
// as a stdout that is not one, before anything is made.
func TestAppNeedsATerminal(t *testing.T) {
	d := newDesk(t)
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("a pseudo-terminal is needed (Linux /dev/ptmx): %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	for name, io := range map[string][2]*os.File{"stdin /dev/null": {null, tty}, "stdout /dev/null": {tty, null}} {
		var errb strings.Builder
		code := Run(context.Background(), nil, io[0], io[1], &errb, func(k string) string { return d.env[k] })
		if code != 2 || !strings.HasPrefix(errb.String(), "contactdesk: the terminal app needs a terminal") || strings.Contains(errb.String(), "bubbletea") {
			t.Errorf("%s: exit %d, stderr %q", name, code, errb.String())
		}
		if _, err := os.Stat(d.env["CONTACTDESK_DB"]); err == nil {
			t.Fatalf("%s: a desk was made", name)
		}
	}
}

// TestDemoServicesHelpSaysTheFloor: --services N makes at least the
// curated demo's services, and its help says how many.
func TestDemoServicesHelpSaysTheFloor(t *testing.T) {
	cmd := newCmdDemo(&app{}, nil)
	if u := cmd.Flags().Lookup("services").Usage; !strings.Contains(u, fmt.Sprintf("at least the %d of the curated demo", demo.Curated)) {
		t.Errorf("demo --services says %q; the curated demo has %d services", u, demo.Curated)
	}
}

// TestDemoSaysWhenOthersMayRead: a desk that demo or init fills in an
// empty file keeps the file's mode; when that lets others read it,
// stderr says so, and how to close it. A file they create is private,
// and nothing is said.
func TestDemoSaysWhenOthersMayRead(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	d := newDesk(t)
	dir := t.TempDir()
	for _, cmd := range []string{"demo", "init"} {
		shared := filepath.Join(dir, cmd+"-shared.db")
		if err := os.WriteFile(shared, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		r := d.run("--db", shared, cmd)
		if r.code != 0 || !strings.Contains(r.err, "may be read by others than its owner (mode 0644") || !strings.Contains(r.err, "chmod 600 "+shared) {
			t.Errorf("%s in an empty file of mode 0644: exit %d, stderr %q", cmd, r.code, r.err)
		}
		private := filepath.Join(dir, cmd+"-private.db")
		if r := d.run("--db", private, cmd); r.code != 0 || r.err != "" {
			t.Errorf("%s in a new file: exit %d, stderr %q", cmd, r.code, r.err)
		}
	}
}

// TestDemoForceUnderAServer: demo --force replaces the desk that a
// server (here a desk held open, as serve holds it) is using in place:
// the server goes on with the new desk at once, and what it writes then
// is in the file. Before, the file was moved into the desk's place and
// the server went on writing into the old one, deleted: its writes were
// lost, and keys made after the reset were unknown to it.
func TestDemoForceUnderAServer(t *testing.T) {
	d := seeded(t) // a desk with example.com, not the demo's
	path := d.env["CONTACTDESK_DB"]
	held, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	server := model.NewDesk(held, model.Options{})
	ctx := context.Background()
	d.ok("demo", "--force")
	vs, err := server.Services(ctx, demo.Persona)
	if err != nil || len(vs) == 0 {
		t.Fatalf("the server does not see the new desk: %v services of %s, %v", len(vs), demo.Persona, err)
	}
	if _, err := server.SetLang(ctx, demo.Persona, "fr"); err != nil {
		t.Fatal(err)
	}
	fresh, err := storage.Open(path, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if a, err := model.NewDesk(fresh, model.Options{}).Account(ctx, demo.Persona); err != nil || a.Lang != model.LangFR {
		t.Fatalf("the server's write after the reset is not in the file: %+v %v", a, err)
	}
}
