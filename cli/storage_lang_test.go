package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"contactdesk/locale"
	"contactdesk/storage"
	"contactdesk/storage/postgres"
)

// childArgs is the variable of the environment that makes the test
// binary run the command line once (runChild) instead of the tests: for
// a command that must run as another user than the tests' root.
const childArgs = "CONTACTDESK_TEST_CHILD_ARGS"

// runChild runs the command line with the arguments args (JSON), on the
// process's own stdin, stdout, stderr and environment (the variable
// childArgs left out), and returns its exit code.
func runChild(args string) int {
	var a []string
	if err := json.Unmarshal([]byte(args), &a); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 99
	}
	os.Unsetenv(childArgs)
	return Run(context.Background(), a, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
}

// runAsNobody runs a command of the command line in a process of its
// own as user nobody (65534), with env as its whole environment: root,
// the tests' user in a container, may write to any file whatever its
// mode, and a read-only file is one only for another user. The test
// binary is run from a copy in a folder nobody may read (go test keeps
// it in a folder of root's alone).
func (d *desk) runAsNobody(bin string, env []string, args ...string) result {
	d.t.Helper()
	a, _ := json.Marshal(args)
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(env, childArgs+"="+string(a))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		// (a temporary folder mounted noexec, a user namespace where
		// nobody has no uid: no read-only file can be met here)
		d.t.Skipf("the tests run as root, and can't run a command as user nobody, for whom a file's mode bites: %v", err)
	}
	return result{out.String(), errb.String(), code}
}

// deskForAnotherUser makes a demo desk and returns its file's bytes, to
// copy where a file's mode bites; when the tests run as root (who may
// read and write any file) its folder is opened to all, and bin is the
// test binary copied for user nobody to run (see runAsNobody), else "".
func deskForAnotherUser(t *testing.T) (d *desk, page []byte, bin string) {
	t.Helper()
	d = newDesk(t)
	d.ok("demo")
	page, err := os.ReadFile(d.env["CONTACTDESK_DB"])
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		openToAll(t, d.dir)
		bin = binaryForNobody(t, d.dir)
	}
	return d, page, bin
}

// binaryForNobody copies the test binary into a folder of dir that user
// nobody may read and run it from, and returns the copy's path.
func binaryForNobody(t *testing.T, dir string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	bin := filepath.Join(dir, "cli.test")
	out, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return bin
}

// openToAll opens the folders from dir up to the file system's root to
// every user, as far as they are below the system's temporary folder
// (t.TempDir makes them for its owner alone).
func openToAll(t *testing.T, dir string) {
	t.Helper()
	tmp := filepath.Clean(os.TempDir())
	for d := filepath.Clean(dir); strings.HasPrefix(d, tmp+string(filepath.Separator)); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStorageRefusalsInTheReadersLanguage: --db naming a desk that
// can't be written (a read-only file in a read-only folder), one another
// program holds locked past the wait, a damaged one, or one a newer
// contactdesk wrote is refused in the reader's language (it was the
// storage's English whatever the language), the English unchanged, the
// path named, the file untouched.
func TestStorageRefusalsInTheReadersLanguage(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	real := d.env["CONTACTDESK_DB"]
	page, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}

	// A damaged desk: its first page (the header, the schema's root)
	// kept, the rest garbage.
	damaged := filepath.Join(d.dir, "damaged.db")
	garbage := bytes.Repeat([]byte("garbage!"), (len(page)-4096)/8)
	if err := os.WriteFile(damaged, append(append([]byte{}, page[:4096]...), garbage...), 0o600); err != nil {
		t.Fatal(err)
	}
	// A desk a newer contactdesk wrote.
	newer := filepath.Join(d.dir, "newer.db")
	if err := os.WriteFile(newer, page, 0o600); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", storage.SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	found, known := storage.SchemaVersion()+1, storage.SchemaVersion()

	before := map[string][]byte{}
	for _, p := range []string{damaged, newer} {
		before[p], _ = os.ReadFile(p)
	}
	const detail = "database disk image is malformed"
	for _, c := range []struct {
		path       string
		args       []string
		en, pt, fr string
	}{
		{damaged, []string{"services", "--as", "xx11111-ovh"},
			"database is damaged: " + damaged + " can't be read (SQLite says: " + detail + "); restore it from a backup",
			"a base de dados está danificada: não é possível ler " + damaged + " (o SQLite diz: " + detail + "); reponha-a a partir de uma cópia de segurança",
			"la base de données est endommagée : impossible de lire " + damaged + " (SQLite dit : " + detail + ") ; restaurez-la à partir d'une sauvegarde"},
		{newer, []string{"services", "--as", "xx11111-ovh"},
			fmt.Sprintf("%s was written by a newer contactdesk (schema %d; this one knows up to %d): database written by a newer contactdesk; upgrade contactdesk", newer, found, known),
			fmt.Sprintf("%s foi escrito por um contactdesk mais recente (esquema %d; este só conhece até ao %d): atualize o contactdesk", newer, found, known),
			fmt.Sprintf("%s a été écrit par une version plus récente de contactdesk (schéma %d ; celle-ci ne connaît que jusqu'au %d) : mettez à jour contactdesk", newer, found, known)},
	} {
		for lang, says := range map[string]string{"C": c.en, "pt_PT.UTF-8": c.pt, "fr_FR.UTF-8": c.fr} {
			r := d.withLang([]string{"LANG=" + lang}, append([]string{"--db", c.path}, c.args...)...)
			if r.code != 1 || r.out != "" || r.err != "contactdesk: "+says+"\n" {
				t.Errorf("LANG=%s --db %s: exit %d, stdout %q, stderr %q; want 1 and %q", lang, c.path, r.code, r.out, r.err, says)
			}
		}
	}
	for p, was := range before {
		if now, _ := os.ReadFile(p); !bytes.Equal(now, was) {
			t.Errorf("%s was changed", p)
		}
	}
}

// TestReadOnlyDeskInTheReadersLanguage: --db naming a desk in a file
// and a folder that can't be written is refused in the reader's
// language, the English unchanged, the file untouched. Root may write
// to any file: the tests, when they run as root, run the command as
// user nobody, in a process of its own.
func TestReadOnlyDeskInTheReadersLanguage(t *testing.T) {
	d, page, bin := deskForAnotherUser(t)
	root := bin != ""
	folder := filepath.Join(d.dir, "read-only")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(folder, "desk.db")
	if err := os.WriteFile(path, page, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(folder, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(folder, 0o755) }) // for TempDir's removal
	for lang, says := range map[string]string{
		"C":           path + ": database is read-only; contactdesk needs to write to it and to its folder",
		"pt_PT.UTF-8": path + ": a base de dados só pode ser lida; o contactdesk precisa de escrever no ficheiro e na sua pasta",
		"fr_FR.UTF-8": path + " : la base de données est en lecture seule ; contactdesk doit pouvoir écrire dans le fichier et dans son dossier",
	} {
		args := []string{"--db", path, "services", "--as", "xx11111-ovh"}
		var r result
		if root {
			r = d.runAsNobody(bin, []string{"LANG=" + lang, "HOME=" + folder}, args...)
		} else {
			r = d.withLang([]string{"LANG=" + lang}, args...)
		}
		if r.code != 1 || r.out != "" || r.err != "contactdesk: "+says+"\n" {
			t.Errorf("LANG=%s, a read-only desk (as root: %v): exit %d, stdout %q, stderr %q; want 1 and %q", lang, root, r.code, r.out, r.err, says)
		}
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, page) {
		t.Errorf("%s was changed", path)
	}
	if left, _ := filepath.Glob(path + "-*"); len(left) > 0 {
		t.Errorf("files made beside the read-only desk: %v", left)
	}
}

// TestLockedDeskInTheReadersLanguage: a desk another program holds
// locked past the wait (5 s) is refused in the reader's language, the
// English unchanged: a command that opens it under an exclusive lock,
// and a write under another program's write, which changed nothing.
// The commands wait side by side, once.
func TestLockedDeskInTheReadersLanguage(t *testing.T) {
	d := seeded(t)
	path := d.env["CONTACTDESK_DB"]
	before := d.ok("export", "accounts")
	exclusive := filepath.Join(d.dir, "exclusive.db")
	d.ok("backup", exclusive)
	wait := storage.BusyTimeout.String()
	func() { // its locks held until every command ended
		for _, c := range []struct {
			path, params string
			args         []string
			en, pt, fr   string
		}{
			{exclusive, "&_locking_mode=EXCLUSIVE", []string{"services", "--as", "ad11111-ovh"},
				"database is busy: another program has held " + exclusive + " locked for more than " + wait + "; try again when it is done",
				"a base de dados está ocupada: outro programa mantém " + exclusive + " bloqueado há mais de " + wait + "; tente de novo quando ele terminar",
				"la base de données est occupée : un autre programme verrouille " + exclusive + " depuis plus de " + wait + " ; réessayez quand il aura fini"},
			{path, "", []string{"profile", "set-lang", "pt", "--as", "ad11111-ovh"},
				"database is busy: another program has held " + path + " locked for more than " + wait + "; nothing was changed, try again",
				"a base de dados está ocupada: outro programa mantém " + path + " bloqueado há mais de " + wait + "; nada foi alterado, tente de novo",
				"la base de données est occupée : un autre programme verrouille " + path + " depuis plus de " + wait + " ; rien n'a été modifié, réessayez"},
		} {
			other, err := sql.Open("sqlite3", "file:"+c.path+"?_txlock=immediate"+c.params)
			if err != nil {
				t.Fatal(err)
			}
			tx, err := other.Begin()
			if err == nil {
				_, err = tx.Exec("INSERT INTO history (at, actor, action, detail) VALUES (1, 'other', 'other.program', 'holds the lock')")
			}
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			defer tx.Rollback()
			var wg sync.WaitGroup
			for lang, says := range map[string]string{"C": c.en, "pt_PT.UTF-8": c.pt, "fr_FR.UTF-8": c.fr} {
				env := map[string]string{"LANG": lang, "HOME": d.dir, "CONTACTDESK_DB": c.path}
				wg.Add(1)
				go func() {
					defer wg.Done()
					var out, errb bytes.Buffer
					code := Run(context.Background(), c.args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
					if code != 1 || out.Len() != 0 || errb.String() != "contactdesk: "+says+"\n" {
						t.Errorf("LANG=%s %v, the desk locked: exit %d, stdout %q, stderr %q; want 1 and %q", lang, c.args, code, out.String(), errb.String(), says)
					}
				}()
			}
			defer wg.Wait()
		}
	}()
	if after := d.ok("export", "accounts"); after != before {
		t.Errorf("the desk changed:\n%s\nwas:\n%s", after, before)
	}
}

// TestUnreadableDeskInTheReadersLanguage: --db naming a desk in a
// folder the user may not enter, or a file the user may not read, is
// refused in the reader's language, the system's reason too, as a file
// the command line can't read is (it said "cannot read PATH: stat PATH:
// permission denied" in English, whatever the language).
func TestUnreadableDeskInTheReadersLanguage(t *testing.T) {
	d, page, bin := deskForAnotherUser(t)
	root := bin != ""
	closed := filepath.Join(d.dir, "closed")
	if err := os.Mkdir(closed, 0o755); err != nil {
		t.Fatal(err)
	}
	inClosed := filepath.Join(closed, "desk.db")
	if err := os.WriteFile(inClosed, page, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(closed, 0o000); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(closed, 0o755) }) // for TempDir's removal
	unreadable := filepath.Join(d.dir, "unreadable.db")
	if err := os.WriteFile(unreadable, page, 0o000); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{inClosed, unreadable} {
		for lang, says := range map[string]string{
			"C":           "cannot read " + path + ": permission denied",
			"pt_PT.UTF-8": "não é possível ler " + path + ": permissão negada",
			"fr_FR.UTF-8": "impossible de lire " + path + " : permission refusée",
		} {
			args := []string{"--db", path, "services", "--as", "xx11111-ovh"}
			var r result
			if root {
				r = d.runAsNobody(bin, []string{"LANG=" + lang, "HOME=" + d.dir}, args...)
			} else {
				r = d.withLang([]string{"LANG=" + lang}, args...)
			}
			if r.code != 1 || r.out != "" || r.err != "contactdesk: "+says+"\n" {
				t.Errorf("LANG=%s, a desk that can't be read (as root: %v): exit %d, stdout %q, stderr %q; want 1 and %q", lang, root, r.code, r.out, r.err, says)
			}
		}
	}
}

// TestDiskFullInTheReadersLanguage: a desk whose disk is full, met as
// it is opened or by a write, is refused in the reader's language (it
// was SQLite's English sentence whatever the language), the English
// unchanged.
func TestDiskFullInTheReadersLanguage(t *testing.T) {
	for _, opening := range []bool{true, false} {
		err := &storage.FileError{Kind: storage.ErrDiskFull, Path: "/srv/desk.db", Opening: opening}
		for lang, want := range map[locale.Lang]string{
			locale.EN: "the disk holding /srv/desk.db is full; nothing was changed",
			locale.PT: "o disco que contém /srv/desk.db está cheio; nada foi alterado",
			locale.FR: "le disque où se trouve /srv/desk.db est plein\u00a0; rien n'a été modifié",
		} {
			got, ok := storageSaid(err, err.Error(), locale.For(lang))
			if !ok || got != want {
				t.Errorf("%s, opening %v: %q (%v), want %q", lang, opening, got, ok, want)
			}
		}
	}
}

// TestPostgresRefusalsInTheReadersLanguage: the refusals of a
// PostgreSQL server a user commonly meets (its database missing or
// without a desk, the server out of reach, a refused login, its disk
// full) are said in the reader's language (they were English whatever
// the language), the English unchanged, the server's or the network's
// own words quoted as they are.
func TestPostgresRefusalsInTheReadersLanguage(t *testing.T) {
	for _, c := range []struct {
		kase, detail string
		en, pt, fr   string
	}{
		{postgres.CaseNoDatabase, "",
			"the PostgreSQL server at db:5432, database desk does not exist (no contactdesk data): create it with 'createdb desk', or fix the URL",
			"a base de dados desk não existe no servidor PostgreSQL em db:5432: crie-a com 'createdb desk', ou corrija o URL",
			"la base de données desk n'existe pas sur le serveur PostgreSQL db:5432\u00a0: créez-la avec 'createdb desk', ou corrigez l'URL"},
		{postgres.CaseNoDesk, "",
			"the PostgreSQL server at db:5432, database desk holds no contactdesk data yet: make an empty desk there with 'contactdesk init', a demo with 'contactdesk demo', or copy a desk with 'contactdesk migrate --from FILE --to URL'",
			"a base de dados desk do servidor PostgreSQL em db:5432 ainda não tem dados do contactdesk: crie lá um balcão vazio com 'contactdesk init', uma demonstração com 'contactdesk demo', ou copie um balcão com 'contactdesk migrate --from FILE --to URL'",
			"la base de données desk du serveur PostgreSQL db:5432 ne contient pas encore de données contactdesk\u00a0: créez-y un guichet vide avec 'contactdesk init', une démo avec 'contactdesk demo', ou copiez un guichet avec 'contactdesk migrate --from FILE --to URL'"},
		{postgres.CaseUnreachable, "dial tcp 10.0.0.9:5432: connect: connection refused",
			"cannot reach the PostgreSQL server at db:5432, database desk: database server unreachable (dial tcp 10.0.0.9:5432: connect: connection refused); is it running, and is the URL right?",
			"não é possível contactar o servidor PostgreSQL em db:5432 (base de dados desk): dial tcp 10.0.0.9:5432: connect: connection refused; verifique se está a funcionar e se o URL está certo",
			"impossible de joindre le serveur PostgreSQL db:5432 (base de données desk)\u00a0: dial tcp 10.0.0.9:5432: connect: connection refused\u00a0; vérifiez qu'il fonctionne et que l'URL est juste"},
		{postgres.CaseLogin, `password authentication failed for user "desk"`,
			`the PostgreSQL server at db:5432, database desk refused the login: password authentication failed for user "desk"; check the user in the URL, and its password (in the URL, $PGPASSWORD or ~/.pgpass)`,
			`o servidor PostgreSQL em db:5432 recusou o início de sessão na base de dados desk: password authentication failed for user "desk"; verifique o utilizador no URL e a sua palavra-passe (no URL, em $PGPASSWORD ou em ~/.pgpass)`,
			"le serveur PostgreSQL db:5432 a refusé la connexion à la base de données desk\u00a0: password authentication failed for user \"desk\"\u00a0; vérifiez l'utilisateur dans l'URL, et son mot de passe (dans l'URL, $PGPASSWORD ou ~/.pgpass)"},
		{postgres.CaseDiskFull, "could not extend file (SQLSTATE 53100)",
			"the PostgreSQL server at db:5432, database desk has no disk space left; nothing was changed: could not extend file (SQLSTATE 53100)",
			"o servidor PostgreSQL em db:5432 (base de dados desk) não tem espaço livre em disco; nada foi alterado: could not extend file (SQLSTATE 53100)",
			"le serveur PostgreSQL db:5432 (base de données desk) n'a plus d'espace disque\u00a0; rien n'a été modifié\u00a0: could not extend file (SQLSTATE 53100)"},
	} {
		err := &postgres.ServerError{Case: c.kase, Host: "db:5432", Database: "desk", Detail: c.detail}
		for lang, want := range map[locale.Lang]string{locale.EN: c.en, locale.PT: c.pt, locale.FR: c.fr} {
			got, ok := storageSaid(err, err.Error(), locale.For(lang))
			if !ok || got != want {
				t.Errorf("%s, %s: %q (%v), want %q", c.kase, lang, got, ok, want)
			}
		}
	}
}

// TestPostgresUnreachableInTheReadersLanguage: a PostgreSQL server
// that can't be reached is said so in the reader's language.
func TestPostgresUnreachableInTheReadersLanguage(t *testing.T) {
	d := newDesk(t)
	args := []string{"--db", "postgres://nobody@127.0.0.1:1/desk?connect_timeout=2", "account", "list"}
	for lang, says := range map[string]string{
		"pt_PT.UTF-8": "contactdesk: não é possível contactar o servidor PostgreSQL em 127.0.0.1:1 (base de dados desk): ",
		"fr_FR.UTF-8": "contactdesk: impossible de joindre le serveur PostgreSQL 127.0.0.1:1 (base de données desk) : ",
	} {
		r := d.withLang([]string{"LANG=" + lang}, args...)
		if r.code != 1 || r.out != "" || !strings.HasPrefix(r.err, says) || !strings.Contains(r.err, "connection refused") {
			t.Errorf("LANG=%s: exit %d, stdout %q, stderr %q; want 1 and %q…", lang, r.code, r.out, r.err, says)
		}
	}
}

// TestTheAppSaysTheStoresFailures: the app on the local terminal is
// given the command line's words for the store's failures, so that a
// full disk reads in the session's language there too.
func TestTheAppSaysTheStoresFailures(t *testing.T) {
	o := appOptions(context.Background(), locale.PT)
	if o.StoreSays == nil {
		t.Fatal("the app is given no words for the store's failures")
	}
	err := &storage.FileError{Kind: storage.ErrDiskFull, Path: "/srv/desk.db"}
	if got, ok := o.StoreSays(err, err.Error(), locale.For(locale.PT)); !ok || got != "o disco que contém /srv/desk.db está cheio; nada foi alterado" {
		t.Errorf("a full disk, in the app in Portuguese: %q (%v)", got, ok)
	}
}
