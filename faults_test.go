package main

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// The faults a database file can have, met through the program: each
// gives one clear line, exit 1, and changes nothing — no file written,
// created, or left with a partial schema.

// The commands tried on each fault: one that reads, two that write, and
// the one that replaces a whole desk.
var (
	readCmd  = []string{"services", "--as", "xx11111-ovh"}
	writeCmd = []string{"account", "add", "zz99999-ovh", "--name", "Zé Zeta", "--email", "ze@example.com"}
	emailCmd = []string{"profile", "set-email", "new@example.com", "--as", "xx11111-ovh"}
	demoCmd  = []string{"demo", "--force"}
)

// dirState lists a folder's files with their contents.
func dirState(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.IsDir() {
			m[e.Name()+"/"] = nil
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = b
	}
	return m
}

// sameDir fails the test when the folder changed, but for the side files
// allowed (a WAL index or an empty WAL that SQLite makes to read).
func sameDir(t *testing.T, what string, before, after map[string][]byte, allowed ...string) {
	t.Helper()
	var changed []string
	for name, b := range after {
		old, ok := before[name]
		switch {
		case ok && bytes.Equal(old, b):
		case !ok && contains(allowed, name) && (strings.HasSuffix(name, "-shm") || len(b) == 0):
		default:
			changed = append(changed, name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			changed = append(changed, name+" (removed)")
		}
	}
	sort.Strings(changed)
	if len(changed) > 0 {
		t.Errorf("%s changed the folder: %v", what, changed)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// failsClearly runs a command that must fail on a fault: exit 1, one
// line on stderr that starts with "contactdesk:" and says says, nothing
// on stdout.
func failsClearly(t *testing.T, r result, args []string, says string) {
	t.Helper()
	if r.code != 1 || !strings.HasPrefix(r.err, "contactdesk: ") || strings.Count(r.err, "\n") != 1 || !strings.Contains(r.err, says) || r.out != "" {
		t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and one line saying %q", args, r.code, r.out, r.err, says)
	}
}

// runAs runs the program bin on the database at path, as the
// unprivileged user when the test runs as root (root ignores file modes).
func runAs(t *testing.T, bin, path string, unprivileged bool, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--db", path}, args...)...)
	cmd.Dir = filepath.Dir(path)
	if _, err := os.Stat(cmd.Dir); err != nil {
		cmd.Dir = filepath.Dir(cmd.Dir)
	}
	cmd.Env = programEnv("HOME=" + filepath.Dir(path))
	if unprivileged && os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// nobody is the user and group the read-only cases run as under root.
const nobody = 65534

// demoFile makes a demo desk once and returns its bytes.
var demoFile = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "contactdesk-faults")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "desk.db")
	cmd := exec.Command(binary, "--db", p, "demo")
	cmd.Env = programEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, &exec.Error{Name: string(out), Err: err}
	}
	return os.ReadFile(p)
})

// faultDir makes a folder the unprivileged user can enter, with a copy
// of the program it can run.
func faultDir(t *testing.T) (dir, bin string) {
	t.Helper()
	root, err := os.MkdirTemp("", "contactdesk-fault")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Chmod(filepath.Join(root, "db"), 0o755) // made read-only by the test
		os.RemoveAll(root)
	})
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(root, "contactdesk")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(root, "db")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, bin
}

func TestFaultsOfTheDatabaseFile(t *testing.T) {
	desk, err := demoFile()
	if err != nil {
		t.Fatal(err)
	}
	newer := func(t *testing.T, p string) {
		os.WriteFile(p, desk, 0o644)
		raw, err := sql.Open("sqlite3", p)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.Exec("PRAGMA user_version = 99"); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name  string
		make  func(t *testing.T, p string)
		cmds  [][]string
		says  string
		files []string // side files a command may leave
	}{
		{"missing", func(*testing.T, string) {}, [][]string{readCmd, writeCmd, emailCmd}, "no database at", nil},
		{"missing folder", func(t *testing.T, p string) {}, [][]string{readCmd, writeCmd}, "no database at", nil},
		{"not an SQLite file", func(t *testing.T, p string) {
			os.WriteFile(p, []byte("Meeting notes, 3 March.\n"+strings.Repeat("Not a database. ", 500)), 0o644)
		}, [][]string{readCmd, writeCmd, emailCmd, demoCmd}, "not a contactdesk database (not an SQLite file)", nil},
		{"another program's SQLite file", func(t *testing.T, p string) {
			raw, _ := sql.Open("sqlite3", p)
			defer raw.Close()
			if _, err := raw.Exec("CREATE TABLE photos (name TEXT); INSERT INTO photos VALUES ('beach.jpg')"); err != nil {
				t.Fatal(err)
			}
		}, [][]string{readCmd, writeCmd, demoCmd}, "an SQLite file of another program", nil},
		// A desk is in WAL mode, and SQLite reading one makes its WAL
		// index and an empty WAL beside it, even to refuse it.
		{"a contactdesk file from a newer version", newer, [][]string{readCmd, writeCmd, emailCmd, demoCmd}, "written by a newer contactdesk (schema 99", []string{"desk.db-shm", "desk.db-wal"}},
		{"a folder", func(t *testing.T, p string) { os.Mkdir(p, 0o755) }, [][]string{readCmd, writeCmd, demoCmd}, "is a directory", nil},
		{"a damaged contactdesk file", func(t *testing.T, p string) {
			b := append([]byte(nil), desk...)
			copy(b[4096:], bytes.Repeat([]byte{0xA5}, 8192)) // the first pages after the header's
			os.WriteFile(p, b, 0o644)
		}, [][]string{readCmd, writeCmd}, "database is damaged", []string{"desk.db-shm", "desk.db-wal"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.name == "missing folder" {
				dir = filepath.Join(dir, "gone")
			}
			p := filepath.Join(dir, "desk.db")
			c.make(t, p)
			var before map[string][]byte
			if c.name != "missing folder" {
				before = dirState(t, dir)
			}
			for _, args := range c.cmds {
				failsClearly(t, runAs(t, binary, p, false, args...), args, c.says)
			}
			if c.name == "missing folder" {
				if _, err := os.Stat(dir); err == nil {
					t.Error("a command made the missing folder")
				}
				return
			}
			sameDir(t, c.name, before, dirState(t, dir), c.files...)
		})
	}
}

// TestReadOnlyDatabase runs as an unprivileged user (tests run as root
// in CI, and root may write whatever the modes say).
func TestReadOnlyDatabase(t *testing.T) {
	desk, err := demoFile()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("file and folder", func(t *testing.T) {
		// A desk the user may read but not write, in a folder where it
		// may not make the WAL: nothing works, and it is said why.
		dir, bin := faultDir(t)
		p := filepath.Join(dir, "desk.db")
		os.WriteFile(p, desk, 0o444)
		os.Chmod(dir, 0o555)
		before := dirState(t, dir)
		for _, args := range [][]string{readCmd, writeCmd, emailCmd} {
			failsClearly(t, runAs(t, bin, p, true, args...), args, "read-only")
		}
		sameDir(t, "a read-only desk", before, dirState(t, dir))
	})
	t.Run("file only", func(t *testing.T) {
		// The folder is writable: SQLite makes its WAL files and the
		// desk can be read; every write is refused, and nothing written.
		dir, bin := faultDir(t)
		p := filepath.Join(dir, "desk.db")
		os.WriteFile(p, desk, 0o444)
		os.Chmod(dir, 0o777)
		before := dirState(t, dir)
		if r := runAs(t, bin, p, true, readCmd...); r.code != 0 || !strings.Contains(r.out, "xara.pt") {
			t.Errorf("reading a read-only desk: exit %d, %q %q", r.code, r.out, r.err)
		}
		for _, args := range [][]string{writeCmd, emailCmd} {
			failsClearly(t, runAs(t, bin, p, true, args...), args, "can't be written")
		}
		sameDir(t, "a read-only desk", before, dirState(t, dir), "desk.db-wal", "desk.db-shm")
	})
}

// TestDatabaseLockedByAnotherProgram holds a lock on the desk from
// another connection longer than the busy timeout (5 s), the two ways a
// program can: a write transaction (which lets others read) and the
// exclusive locking mode (which lets no one in).
func TestDatabaseLockedByAnotherProgram(t *testing.T) {
	desk, err := demoFile()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, params string
		readsWork    bool
	}{
		{"writing", "", true},
		{"exclusively", "&_locking_mode=EXCLUSIVE", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			p := filepath.Join(dir, "desk.db")
			os.WriteFile(p, desk, 0o644)
			// Turn the copy into the WAL-mode desk it is, then lock it.
			if r := runAs(t, binary, p, false, readCmd...); r.code != 0 {
				t.Fatalf("the copy does not open: %s", r.err)
			}
			other, tx := lockDesk(t, p, c.params)
			if c.params != "" {
				// Committed, the exclusive lock stays until the
				// connection closes.
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			cmds := [][]string{writeCmd, emailCmd}
			if !c.readsWork {
				cmds = append(cmds, readCmd)
			}
			var wg sync.WaitGroup
			results := make([]result, len(cmds))
			for i, args := range cmds {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i] = runAs(t, binary, p, false, args...)
				}()
			}
			var read result
			if c.readsWork {
				read = runAs(t, binary, p, false, readCmd...)
			}
			wg.Wait()
			tx.Rollback()
			other.Close()
			for i, args := range cmds {
				failsClearly(t, results[i], args, "database is busy")
				if !strings.Contains(results[i].err, "locked for more than 5s") {
					t.Errorf("%v: %q does not say how long it waited", args, results[i].err)
				}
			}
			if c.readsWork && (read.code != 0 || !strings.Contains(read.out, "xara.pt")) {
				t.Errorf("reading while another program writes: exit %d, %q", read.code, read.err)
			}
			// Nothing the commands asked for was written.
			raw, err := sql.Open("sqlite3", "file:"+p+"?mode=ro")
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			var accounts, emails int
			raw.QueryRow("SELECT count(*) FROM accounts WHERE handle = 'zz99999-ovh'").Scan(&accounts)
			raw.QueryRow("SELECT count(*) FROM accounts WHERE email = 'new@example.com'").Scan(&emails)
			if accounts+emails != 0 {
				t.Errorf("a command that gave up wrote: %d accounts, %d e-mails", accounts, emails)
			}
		})
	}
}

// lockDesk opens the desk at p as another program would (params added
// to its DSN) and begins a write there, which holds the desk's write
// lock until the test commits or rolls it back.
func lockDesk(t *testing.T, p, params string) (*sql.DB, *sql.Tx) {
	t.Helper()
	other, err := sql.Open("sqlite3", "file:"+p+"?_txlock=immediate"+params)
	if err != nil {
		t.Fatal(err)
	}
	other.SetMaxOpenConns(1)
	tx, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO history (at, actor, action, detail) VALUES (1, 'other', 'other.program', 'holds the lock')"); err != nil {
		t.Fatal(err)
	}
	return other, tx
}
