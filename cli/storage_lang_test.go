package cli

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/storage"
	"contactdesk/storage/postgres"
	"contactdesk/storage/postgres/pgtest"
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

// TestRarerPostgresRefusalsInTheReadersLanguage: the rarer refusals of
// a PostgreSQL server (out of memory, read-only, no connection left,
// shutting down, a statement or a lock that waited too long, TLS refused
// or untrusted, the connection lost, before anything was sent or while
// saving) are said in the reader's language with what to do (they were
// English whatever the language), the server's own words quoted as they
// are; the local app is given the same words.
func TestRarerPostgresRefusalsInTheReadersLanguage(t *testing.T) {
	const w, wpt, wfr = "the PostgreSQL server at db:5432, database desk", "o servidor PostgreSQL em db:5432 (base de dados desk)", "le serveur PostgreSQL db:5432 (base de données desk)"
	for _, c := range []struct {
		kase, detail string
		en, pt, fr   string
	}{
		{postgres.CaseOutOfMemory, "ERROR: out of memory (SQLSTATE 53200)",
			w + " ran out of memory; nothing was changed: try again in a moment, and if it goes on, tell the server's administrator (ERROR: out of memory (SQLSTATE 53200))",
			wpt + " ficou sem memória; nada foi alterado: tente de novo daqui a pouco e, se continuar, avise o administrador do servidor (ERROR: out of memory (SQLSTATE 53200))",
			wfr + " manque de mémoire\u00a0; rien n'a été modifié\u00a0: réessayez dans un instant et, si cela continue, prévenez l'administrateur du serveur (ERROR: out of memory (SQLSTATE 53200))"},
		{postgres.CaseReadOnly, "ERROR: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)",
			w + " is read-only (a standby?); nothing was changed: point the URL at the server that takes writes (the primary), or have the database made writable (ERROR: cannot execute INSERT in a read-only transaction (SQLSTATE 25006))",
			wpt + " só aceita leituras (um servidor de reserva?); nada foi alterado: aponte o URL para o servidor que aceita escritas (o primário), ou peça que a base de dados volte a aceitar escritas (ERROR: cannot execute INSERT in a read-only transaction (SQLSTATE 25006))",
			wfr + " est en lecture seule (peut-être un serveur de secours)\u00a0; rien n'a été modifié\u00a0: faites pointer l'URL vers le serveur qui accepte les écritures (le primaire), ou demandez que la base de données soit rendue accessible en écriture (ERROR: cannot execute INSERT in a read-only transaction (SQLSTATE 25006))"},
		{postgres.CaseNoConnection, "FATAL: sorry, too many clients already (SQLSTATE 53300)",
			w + " has no connection left; nothing was changed: try again in a moment, and if it goes on, lower --pool (pool_max_conns in the URL) on the nodes, or raise the server's max_connections or the user's CONNECTION LIMIT (FATAL: sorry, too many clients already (SQLSTATE 53300))",
			wpt + " não tem mais ligações disponíveis; nada foi alterado: tente de novo daqui a pouco e, se continuar, reduza --pool (pool_max_conns no URL) nos nós, ou aumente o max_connections do servidor ou o CONNECTION LIMIT do utilizador (FATAL: sorry, too many clients already (SQLSTATE 53300))",
			wfr + " n'a plus de connexion disponible\u00a0; rien n'a été modifié\u00a0: réessayez dans un instant et, si cela continue, baissez --pool (pool_max_conns dans l'URL) sur les nœuds, ou augmentez le max_connections du serveur ou le CONNECTION LIMIT de l'utilisateur (FATAL: sorry, too many clients already (SQLSTATE 53300))"},
		{postgres.CaseShuttingDown, "FATAL: the database system is shutting down (SQLSTATE 57P03)",
			w + " is starting up, shutting down or restarting; nothing was changed: try again in a moment (FATAL: the database system is shutting down (SQLSTATE 57P03))",
			wpt + " está a arrancar, a parar ou a reiniciar; nada foi alterado: tente de novo daqui a pouco (FATAL: the database system is shutting down (SQLSTATE 57P03))",
			wfr + " démarre, s'arrête ou redémarre\u00a0; rien n'a été modifié\u00a0: réessayez dans un instant (FATAL: the database system is shutting down (SQLSTATE 57P03))"},
		{postgres.CaseTimeout, "ERROR: canceling statement due to statement timeout (SQLSTATE 57014)",
			w + " took too long to answer (statement_timeout); nothing was changed: try again, and if it goes on, raise statement_timeout in the URL, 15 s by default (ERROR: canceling statement due to statement timeout (SQLSTATE 57014))",
			wpt + " demorou demasiado a responder (statement_timeout); nada foi alterado: tente de novo e, se continuar, aumente statement_timeout no URL, 15 s por omissão (ERROR: canceling statement due to statement timeout (SQLSTATE 57014))",
			wfr + " a mis trop de temps à répondre (statement_timeout)\u00a0; rien n'a été modifié\u00a0: réessayez et, si cela continue, augmentez statement_timeout dans l'URL, 15 s par défaut (ERROR: canceling statement due to statement timeout (SQLSTATE 57014))"},
		{postgres.CaseLockTimeout, "ERROR: canceling statement due to lock timeout (SQLSTATE 55P03)",
			w + " waited too long for a lock another session holds (lock_timeout); nothing was changed: try again in a moment, and if it goes on, look for a long transaction in pg_stat_activity, or raise lock_timeout in the URL (ERROR: canceling statement due to lock timeout (SQLSTATE 55P03))",
			wpt + " esperou demasiado por um bloqueio que outra sessão detém (lock_timeout); nada foi alterado: tente de novo daqui a pouco e, se continuar, procure uma transação longa em pg_stat_activity, ou aumente lock_timeout no URL (ERROR: canceling statement due to lock timeout (SQLSTATE 55P03))",
			wfr + " a trop attendu un verrou que détient une autre session (lock_timeout)\u00a0; rien n'a été modifié\u00a0: réessayez dans un instant et, si cela continue, cherchez une longue transaction dans pg_stat_activity, ou augmentez lock_timeout dans l'URL (ERROR: canceling statement due to lock timeout (SQLSTATE 55P03))"},
		{postgres.CaseNoTLS, "",
			w + " does not speak TLS, which the URL's sslmode (require, verify-ca or verify-full) asks for: turn TLS on in the server, or change sslmode in the URL",
			wpt + " não usa TLS, que o sslmode do URL (require, verify-ca ou verify-full) exige: ative o TLS no servidor, ou altere o sslmode no URL",
			wfr + " ne parle pas TLS, ce que demande le sslmode de l'URL (require, verify-ca ou verify-full)\u00a0: activez TLS sur le serveur, ou changez le sslmode dans l'URL"},
		{postgres.CaseTLSCertificate, "x509: certificate signed by unknown authority",
			w + " showed a TLS certificate that can't be trusted (x509: certificate signed by unknown authority): give the certificate of the authority that signed it with sslrootcert=FILE in the URL, and write there the host name the certificate names",
			wpt + " apresentou um certificado TLS em que não se pode confiar (x509: certificate signed by unknown authority): indique o certificado da autoridade que o assinou com sslrootcert=FILE no URL, e escreva aí o nome de anfitrião que o certificado indica",
			wfr + " a présenté un certificat TLS auquel on ne peut pas se fier (x509: certificate signed by unknown authority)\u00a0: donnez le certificat de l'autorité qui l'a signé avec sslrootcert=FILE dans l'URL, et écrivez-y le nom d'hôte que le certificat indique"},
		{postgres.CaseTLSRequired, `no pg_hba.conf entry for host "10.0.0.7", user "desk", database "desk", no encryption`,
			w + ` does not take this connection without TLS (no pg_hba.conf entry for host "10.0.0.7", user "desk", database "desk", no encryption), and the URL's sslmode=disable asks for none: if the server takes TLS connections, set sslmode=require (or verify-full) in the URL; else have an entry added to its pg_hba.conf`,
			wpt + ` não aceita esta ligação sem TLS (no pg_hba.conf entry for host "10.0.0.7", user "desk", database "desk", no encryption), e o sslmode=disable do URL não pede TLS: se o servidor aceita ligações TLS, defina sslmode=require (ou verify-full) no URL; se não, peça que seja acrescentada uma entrada ao seu pg_hba.conf`,
			wfr + " n'accepte pas cette connexion sans TLS (no pg_hba.conf entry for host \"10.0.0.7\", user \"desk\", database \"desk\", no encryption), et le sslmode=disable de l'URL ne demande pas TLS\u00a0: si le serveur accepte les connexions TLS, mettez sslmode=require (ou verify-full) dans l'URL\u00a0; sinon, faites ajouter une entrée à son pg_hba.conf"},
		{postgres.CaseLost, "connection refused",
			"cannot reach " + w + " (connection refused): nothing was changed; try again when it is back",
			"não é possível contactar o servidor PostgreSQL em db:5432 (base de dados desk): connection refused; nada foi alterado, tente de novo quando estiver de volta",
			"impossible de joindre le serveur PostgreSQL db:5432 (base de données desk)\u00a0: connection refused\u00a0; rien n'a été modifié, réessayez quand il sera de retour"},
		{postgres.CaseLostSaving, "unexpected EOF",
			"the connection to " + w + " broke while saving (unexpected EOF): the change may or may not have been saved; look before trying again",
			"a ligação ao servidor PostgreSQL em db:5432 (base de dados desk) foi interrompida durante a gravação (unexpected EOF): a alteração pode ou não ter ficado guardada; verifique antes de tentar de novo",
			"la connexion au serveur PostgreSQL db:5432 (base de données desk) a été coupée pendant l'enregistrement (unexpected EOF)\u00a0: la modification a peut-être été enregistrée, peut-être pas\u00a0; vérifiez avant de réessayer"},
		{postgres.CaseSilentSaving, "",
			w + " did not answer in time while saving: the change may or may not have been saved; look before trying again",
			wpt + " não respondeu a tempo durante a gravação: a alteração pode ou não ter ficado guardada; verifique antes de tentar de novo",
			wfr + " n'a pas répondu à temps pendant l'enregistrement\u00a0: la modification a peut-être été enregistrée, peut-être pas\u00a0; vérifiez avant de réessayer"},
	} {
		err := &postgres.ServerError{Case: c.kase, Host: "db:5432", Database: "desk", Detail: c.detail}
		for lang, want := range map[locale.Lang]string{locale.EN: c.en, locale.PT: c.pt, locale.FR: c.fr} {
			got, ok := storageSaid(err, err.Error(), locale.For(lang))
			if !ok || got != want {
				t.Errorf("%s, %s: %q (%v), want %q", c.kase, lang, got, ok, want)
			}
			// the app on the local terminal says the same
			if got, ok := appOptions(context.Background(), lang).StoreSays(err, err.Error(), locale.For(lang)); !ok || got != want {
				t.Errorf("%s, %s, in the app: %q (%v), want %q", c.kase, lang, got, ok, want)
			}
		}
	}
}

// TestRarerPostgresRefusalsMetOnTheServer: the rarer refusals met on a
// real server — its database made read-only, a user with no connection
// left, a lock held past lock_timeout, a statement past
// statement_timeout, the session ended by the server while it waits (as
// a shutdown ends it: 57P01) — are said in the reader's language, exit
// 1, the --json kind storage, as it was, and nothing is changed.
func TestRarerPostgresRefusalsMetOnTheServer(t *testing.T) {
	d, u := onPostgres(t)
	d.ok("demo")
	admin := pgtest.Server(t)
	q, _ := url.Parse(u)
	name := strings.TrimPrefix(q.Path, "/")
	with := func(params ...string) string {
		v := q.Query()
		for i := 0; i+1 < len(params); i += 2 {
			v.Set(params[i], params[i+1])
		}
		r := *q
		r.RawQuery = v.Encode()
		return r.String()
	}
	create := []string{"request", "create", "--as", "xx11111-ovh", "--service", "xara.pt", "--role", "admin", "--to", "yy22222-ovh"}
	list := []string{"services", "--as", "xx11111-ovh"}
	before := d.ok("export", "accounts")
	pending := d.ok("request", "list", "--as", "xx11111-ovh", "--json")
	type says struct{ en, pt, fr, sqlstate string }
	check := func(what, db string, args []string, want says, during func(run func() result) result) {
		t.Helper()
		for lang, w := range map[string]string{"C": want.en, "pt_PT.UTF-8": want.pt, "fr_FR.UTF-8": want.fr} {
			for _, asJSON := range []bool{false, true} {
				a := append([]string{"--db", db}, args...)
				if asJSON {
					a = append(a, "--json")
				}
				r := during(func() result { return d.withLang([]string{"LANG=" + lang}, a...) })
				msg := strings.TrimSuffix(strings.TrimPrefix(r.err, "contactdesk: "), "\n")
				if asJSON {
					e := errorLine(t, a, r.err)
					if e.Kind != "storage" {
						t.Errorf("%s, LANG=%s --json: the kind %q, want storage", what, lang, e.Kind)
					}
					msg = e.Message
				}
				// (the command line writes French's no-break spaces as
				// spaces, as every line of it)
				if r.code != 1 || r.out != "" || !strings.HasPrefix(msg, strings.ReplaceAll(w, "\u00a0", " ")) || !strings.Contains(msg, "(SQLSTATE "+want.sqlstate+"))") {
					t.Errorf("%s, LANG=%s, --json %v: exit %d, stdout %q, stderr %q; want 1 and %q… (SQLSTATE %s)", what, lang, asJSON, r.code, r.out, r.err, w, want.sqlstate)
				}
			}
		}
	}
	now := func(run func() result) result { return run() }
	// what each language says, after the server and the database
	host := "socket " + q.Query().Get("host")
	in := func(en, pt, fr, sqlstate string) says {
		return says{"the PostgreSQL server at " + host + ", database " + name + " " + en,
			"o servidor PostgreSQL em " + host + " (base de dados " + name + ") " + pt,
			"le serveur PostgreSQL " + host + " (base de données " + name + ") " + fr, sqlstate}
	}

	// a database that takes no writes (as a standby's)
	pgExec(t, admin, "ALTER DATABASE "+name+" SET default_transaction_read_only = on")
	check("read-only", u, create, in(
		"is read-only (a standby?); nothing was changed: point the URL at the server that takes writes (the primary)",
		"só aceita leituras (um servidor de reserva?); nada foi alterado: aponte o URL para o servidor que aceita escritas (o primário)",
		"est en lecture seule (peut-être un serveur de secours)\u00a0; rien n'a été modifié\u00a0: faites pointer l'URL vers le serveur qui accepte les écritures (le primaire)",
		"25006"), now)
	pgExec(t, admin, "ALTER DATABASE "+name+" RESET default_transaction_read_only")

	// a user with no connection left
	role := "cd_noconn_" + strings.TrimPrefix(name, "contactdesk_test_")
	pgExec(t, admin, "CREATE ROLE "+role+" LOGIN CONNECTION LIMIT 0")
	t.Cleanup(func() { pgExec(t, admin, "DROP ROLE IF EXISTS "+role) })
	noconn := *q
	noconn.User = url.User(role)
	check("no connection left", noconn.String(), list, in(
		"has no connection left; nothing was changed: try again in a moment, and if it goes on, lower --pool",
		"não tem mais ligações disponíveis; nada foi alterado: tente de novo daqui a pouco e, se continuar, reduza --pool",
		"n'a plus de connexion disponible\u00a0; rien n'a été modifié\u00a0: réessayez dans un instant et, si cela continue, baissez --pool",
		"53300"), now)

	// another session holds a lock the command waits for
	locked := func(run func() result) result {
		ctx := context.Background()
		c, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		tx, err := c.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, "LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
		return run()
	}
	check("lock_timeout", with("lock_timeout", "200"), list, in(
		"waited too long for a lock another session holds (lock_timeout); nothing was changed: try again in a moment",
		"esperou demasiado por um bloqueio que outra sessão detém (lock_timeout); nada foi alterado: tente de novo daqui a pouco",
		"a trop attendu un verrou que détient une autre session (lock_timeout)\u00a0; rien n'a été modifié\u00a0: réessayez dans un instant",
		"55P03"), locked)
	check("statement_timeout", with("statement_timeout", "200"), create, in(
		"took too long to answer (statement_timeout); nothing was changed: try again, and if it goes on, raise statement_timeout in the URL",
		"demorou demasiado a responder (statement_timeout); nada foi alterado: tente de novo e, se continuar, aumente statement_timeout no URL",
		"a mis trop de temps à répondre (statement_timeout)\u00a0; rien n'a été modifié\u00a0: réessayez et, si cela continue, augmentez statement_timeout dans l'URL",
		"57014"), locked)

	// the server ends the session while the command waits, as a
	// shutdown ends every session (57P01)
	ended := func(run func() result) result {
		return locked(func() result {
			done := make(chan result, 1)
			go func() { done <- run() }()
			c, err := pgx.Connect(context.Background(), admin)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(context.Background())
			for {
				var n int
				if err := c.QueryRow(context.Background(), "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", name).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n > 0 {
					return <-done
				}
				select {
				case r := <-done:
					return r // (done without waiting: said below)
				case <-time.After(20 * time.Millisecond):
				}
			}
		})
	}
	check("the session ended", u, create, in(
		"is starting up, shutting down or restarting; nothing was changed: try again in a moment",
		"está a arrancar, a parar ou a reiniciar; nada foi alterado: tente de novo daqui a pouco",
		"démarre, s'arrête ou redémarre\u00a0; rien n'a été modifié\u00a0: réessayez dans un instant",
		"57P01"), ended)

	if after := d.ok("export", "accounts"); after != before {
		t.Errorf("the desk changed:\n%s\nwas:\n%s", after, before)
	}
	if after := d.ok("request", "list", "--as", "xx11111-ovh", "--json"); after != pending {
		t.Errorf("a request was made:\n%s\nwas:\n%s", after, pending)
	}
}

// pgExec runs one statement on the server at u.
func pgExec(t *testing.T, u, sql string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestPostgresTLSRefusalsInTheReadersLanguage: a server that does not
// speak TLS, which the URL's sslmode asks for, and one whose certificate
// can't be trusted (sslmode=verify-full) are said in the reader's
// language with what to do (they were English whatever the language;
// an untrusted certificate was "cannot reach …; is it running?"), exit
// 1, the --json kind storage, as it was.
func TestPostgresTLSRefusalsInTheReadersLanguage(t *testing.T) {
	d := newDesk(t)
	// A server without TLS answers a client's SSLRequest with 'N'; one
	// with TLS, 'S', then its certificate: here one signed by no
	// authority the system knows.
	certFile, keyFile, _ := selfSigned(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	serve := func(tlsOn bool) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					var req [8]byte
					io.ReadFull(c, req[:])
					if !tlsOn {
						c.Write([]byte("N"))
						return
					}
					c.Write([]byte("S"))
					s := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
					s.Handshake()
					s.Close()
				}()
			}
		}()
		return ln.Addr().String()
	}
	plain, withTLS := serve(false), serve(true)
	for _, c := range []struct {
		url        string
		en, pt, fr string
	}{
		{"postgres://x@" + plain + "/desk?sslmode=require&connect_timeout=5",
			"the PostgreSQL server at " + plain + ", database desk does not speak TLS, which the URL's sslmode (require, verify-ca or verify-full) asks for: turn TLS on in the server, or change sslmode in the URL",
			"o servidor PostgreSQL em " + plain + " (base de dados desk) não usa TLS, que o sslmode do URL (require, verify-ca ou verify-full) exige: ative o TLS no servidor, ou altere o sslmode no URL",
			"le serveur PostgreSQL " + plain + " (base de données desk) ne parle pas TLS, ce que demande le sslmode de l'URL (require, verify-ca ou verify-full) : activez TLS sur le serveur, ou changez le sslmode dans l'URL"},
		{"postgres://x@" + withTLS + "/desk?sslmode=verify-full&connect_timeout=5",
			"the PostgreSQL server at " + withTLS + ", database desk showed a TLS certificate that can't be trusted (x509: certificate signed by unknown authority): give the certificate of the authority that signed it with sslrootcert=FILE in the URL, and write there the host name the certificate names",
			"o servidor PostgreSQL em " + withTLS + " (base de dados desk) apresentou um certificado TLS em que não se pode confiar (x509: certificate signed by unknown authority): indique o certificado da autoridade que o assinou com sslrootcert=FILE no URL, e escreva aí o nome de anfitrião que o certificado indica",
			"le serveur PostgreSQL " + withTLS + " (base de données desk) a présenté un certificat TLS auquel on ne peut pas se fier (x509: certificate signed by unknown authority) : donnez le certificat de l'autorité qui l'a signé avec sslrootcert=FILE dans l'URL, et écrivez-y le nom d'hôte que le certificat indique"},
	} {
		for lang, says := range map[string]string{"C": c.en, "pt_PT.UTF-8": c.pt, "fr_FR.UTF-8": c.fr} {
			args := []string{"--db", c.url, "services", "--as", "xx11111-ovh"}
			r := d.withLang([]string{"LANG=" + lang}, args...)
			if r.code != 1 || r.out != "" || r.err != "contactdesk: "+says+"\n" {
				t.Errorf("LANG=%s %s: exit %d, stdout %q, stderr %q; want 1 and %q", lang, c.url, r.code, r.out, r.err, says)
			}
			args = append(args, "--json")
			r = d.withLang([]string{"LANG=" + lang}, args...)
			if e := errorLine(t, args, r.err); r.code != 1 || e.Kind != "storage" || e.Message != says {
				t.Errorf("LANG=%s %s --json: exit %d, %+v; want 1, the kind storage, %q", lang, c.url, r.code, e, says)
			}
		}
	}
	// Without sslmode (prefer: TLS if the server speaks it), pgx tries
	// TLS, then without: a server that refuses TLS and then fails is
	// said to be out of reach, with why, not to lack the TLS the URL did
	// not ask for.
	r := d.withLang([]string{"LANG=pt_PT.UTF-8"}, "--db", "postgres://x@"+plain+"/desk?connect_timeout=5", "services", "--as", "xx11111-ovh")
	if says := "contactdesk: não é possível contactar o servidor PostgreSQL em " + plain + " (base de dados desk): "; r.code != 1 || !strings.HasPrefix(r.err, says) || strings.Contains(r.err, "TLS") {
		t.Errorf("sslmode=prefer against a server that refuses TLS, then fails: exit %d, stderr %q; want 1 and %q…", r.code, r.err, says)
	}
}

// TestPostgresLostInTheReadersLanguage: a server that goes away while a
// desk is open (stopped, its network cut: here the connection's proxy
// closed) is said in the reader's language, in the command line and in
// the local app (it was "cannot reach … : nothing was changed; try
// again when it is back" in English whatever the language), and is
// still ErrLost, which the --json kind storage rests on.
func TestPostgresLostInTheReadersLanguage(t *testing.T) {
	u := pgtest.URL(t)
	q, _ := url.Parse(u)
	socket := filepath.Join(q.Query().Get("host"), ".s.PGSQL."+cmp.Or(q.Port(), "5432"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("unix", socket)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, s)
			mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	addr := ln.Addr().String()
	via := "postgres://" + q.User.String() + "@" + addr + q.Path + "?sslmode=disable&connect_timeout=5"
	ctx := context.Background()
	db, err := postgres.Open(ctx, via, postgres.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	read := func() error { return db.View(ctx, func(tx model.Tx) error { _, err := tx.Settings(); return err }) }
	if err := read(); err != nil {
		t.Fatal(err)
	}
	// the server goes away: its address refuses, its connections end
	ln.Close()
	mu.Lock()
	for _, c := range conns {
		c.Close()
	}
	mu.Unlock()
	err = read()
	if !errors.Is(err, postgres.ErrLost) {
		t.Fatalf("%v: not ErrLost", err)
	}
	msg := strings.TrimPrefix(err.Error(), model.ErrStorage.Error()+": ")
	var se *postgres.ServerError
	if !errors.As(err, &se) || se.Detail == "" {
		t.Fatalf("%v: %#v", err, se)
	}
	for lang, says := range map[locale.Lang]string{
		locale.EN: "cannot reach the PostgreSQL server at " + addr + ", database " + se.Database + " (" + se.Detail + "): nothing was changed; try again when it is back",
		locale.PT: "não é possível contactar o servidor PostgreSQL em " + addr + " (base de dados " + se.Database + "): " + se.Detail + "; nada foi alterado, tente de novo quando estiver de volta",
		locale.FR: "impossible de joindre le serveur PostgreSQL " + addr + " (base de données " + se.Database + ")\u00a0: " + se.Detail + "\u00a0; rien n'a été modifié, réessayez quand il sera de retour",
	} {
		if got, ok := storageSaid(err, msg, locale.For(lang)); !ok || got != says {
			t.Errorf("%s: %q (%v), want %q", lang, got, ok, says)
		}
		if got, ok := appOptions(ctx, lang).StoreSays(err, msg, locale.For(lang)); !ok || got != says {
			t.Errorf("%s, in the app: %q (%v), want %q", lang, got, ok, says)
		}
	}
	if lang := locale.EN; msg != "cannot reach the PostgreSQL server at "+addr+", database "+se.Database+" ("+se.Detail+"): nothing was changed; try again when it is back" {
		t.Errorf("%s: the store's own English changed: %q", lang, msg)
	}
}
