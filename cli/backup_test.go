package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"contactdesk/storage"
)

func TestBackup(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	d.ok("request", "create", "--as", "xx11111-ovh", "--service", "xara.pt", "--role", "tech", "--to", "cd67890-ovh")
	copyPath := filepath.Join(d.dir, "copy.db")
	out := d.ok("backup", copyPath)
	if !strings.Contains(out, "backed up to "+copyPath) || !strings.Contains(out, "integrity checked") {
		t.Errorf("backup says %q", out)
	}
	// its size as the reader writes numbers: 192.0 KB, 192,0 KB
	if !regexp.MustCompile(`\(\d+\.\d (KB|MB), integrity checked\)`).MatchString(out) {
		t.Errorf("backup says %q: no size in KB or MB", out)
	}
	pt := d.withLang([]string{"LANG=pt_PT.UTF-8"}, "backup", "--force", copyPath)
	if pt.code != 0 || !regexp.MustCompile(`\(\d+,\d\x{00a0}(KB|MB), integridade verificada\)`).MatchString(pt.out) {
		t.Errorf("in Portuguese, backup says %q (exit %d): want its size with a decimal comma", pt.out, pt.code)
	}
	fi, err := os.Stat(copyPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the copy: %v %v, want mode 0600", fi, err)
	}
	// It opens as a desk with every command, and holds what was there.
	c := &desk{t: t, dir: d.dir, env: map[string]string{"CONTACTDESK_DB": copyPath, "HOME": d.dir}}
	for _, args := range [][]string{{"services", "--as", "xx11111-ovh"}, {"request", "list", "--as", "xx11111-ovh"}, {"export", "accounts"}, {"history", "--as", "xx11111-ovh"}} {
		if a, b := d.ok(args...), c.ok(args...); a != b {
			t.Errorf("%v on the copy:\n%s\nwant\n%s", args, b, a)
		}
	}
	c.ok("request", "create", "--as", "xx11111-ovh", "--service", "web.xara.pt", "--role", "tech", "--to", "cd67890-ovh")
	if db, err := storage.Open(copyPath, storage.Options{}); err != nil {
		t.Fatal(err)
	} else {
		db.Close()
	}
	// No leftover beside it.
	entries, _ := os.ReadDir(d.dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".backup-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}

	// An existing file is refused, and left as it was, unless --force.
	before, _ := os.ReadFile(copyPath)
	d.refused("already exists", "backup", copyPath)
	if after, _ := os.ReadFile(copyPath); string(after) != string(before) {
		t.Fatal("a refused backup changed the file")
	}
	notes := d.write("notes.txt", "precious")
	d.refused("already exists", "backup", notes)
	d.ok("backup", notes, "--force")
	if fi, _ := os.Stat(notes); fi.Mode().Perm() != 0o600 {
		t.Errorf("--force left mode %v", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(notes); strings.Contains(string(b), "precious") || !strings.HasPrefix(string(b), "SQLite format 3") {
		t.Error("--force did not replace the file with the copy")
	}
	d.refused("desk's own file", "backup", filepath.Join(d.dir, "desk.db"), "--force")
	d.refused("desk's own file", "backup", filepath.Join(d.dir, "desk.db-wal"), "--force")
	d.refused("is a directory", "backup", d.dir, "--force")
	d.misused("takes 1 argument", "backup")
	// "-" is no file to write a desk to.
	d.misused("standard output", "backup", "-")
	if _, err := os.Stat("-"); err == nil {
		t.Error(`backup - wrote a file named "-"`)
	}
	// What a process that had the old copy open left beside it goes with
	// it: it would be read as part of the new copy.
	for _, f := range []string{copyPath + "-wal", copyPath + "-shm"} {
		d.write(filepath.Base(f), "left by a process that had the old copy open")
	}
	d.ok("backup", copyPath, "--force")
	for _, f := range []string{copyPath + "-wal", copyPath + "-shm"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s stayed beside the new copy", f)
		}
	}

	// PostgreSQL has its own tools: a misuse, before anything is opened.
	d.misused("pg_dump", "--db", "postgres://desk@db.invalid/contactdesk", "backup", copyPath)
	none := newDesk(t)
	none.refused("no database", "backup", filepath.Join(none.dir, "b.db"))
	if _, err := os.Stat(filepath.Join(none.dir, "desk.db")); err == nil {
		t.Error("backup made a desk")
	}
}

// TestBackupFolderMissing: a backup into a folder that is not there (a
// typo, or /var/backups on a machine without one) names the folder and
// says what to do, in the reader's language; it said "cannot write
// beside FILE: no such file or directory". No folder is made.
func TestBackupFolderMissing(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	target := filepath.Join(d.dir, "no", "such", "desk.db")
	folder := filepath.Join(d.dir, "no", "such")
	for lang, want := range map[string]string{
		"C":           "contactdesk: the backup " + target + " can't be written: its folder " + folder + " does not exist (make it first, or name a file in a folder that does)\n",
		"pt_PT.UTF-8": "contactdesk: a cópia " + target + " não pode ser escrita: a pasta " + folder + " não existe (crie-a primeiro ou indique um ficheiro numa pasta que exista)\n",
		"fr_FR.UTF-8": "contactdesk: la copie " + target + " ne peut pas être écrite : son dossier " + folder + " n'existe pas (créez-le d'abord ou nommez un fichier dans un dossier qui existe)\n",
	} {
		r := d.withLang([]string{"LANG=" + lang}, "backup", target)
		if r.code != 1 || r.err != want || r.out != "" {
			t.Errorf("LANG=%s: exit %d, stdout %q, stderr %q; want 1 and %q", lang, r.code, r.out, r.err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(d.dir, "no")); err == nil {
		t.Error("a folder was made for the backup")
	}
	// made, the same command writes the copy
	if err := os.MkdirAll(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	d.ok("backup", target)
}
