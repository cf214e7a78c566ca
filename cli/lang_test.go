package cli

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"contactdesk/locale"
)

// withLang runs args with the environment's locale set as a shell would:
// name=value pairs (LANG=pt_PT.UTF-8, LC_ALL=C…), none kept after.
func (d *desk) withLang(vars []string, args ...string) result {
	d.t.Helper()
	saved := map[string]string{}
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		saved[k] = d.env[k]
		d.env[k] = v
	}
	defer func() {
		for k, v := range saved {
			if v == "" {
				delete(d.env, k)
			} else {
				d.env[k] = v
			}
		}
	}()
	return d.run(args...)
}

// TestHumanOutputFollowsTheLocale: the human output is written in the
// language of $LC_ALL, $LC_MESSAGES or $LANG; English without them, or
// with C.
func TestHumanOutputFollowsTheLocale(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	cases := []struct {
		env  []string
		says []string
	}{
		{[]string{"LANG=pt_PT.UTF-8"}, []string{"SERVIÇO", "TIPO", "ADMINISTRADOR", "TÉCNICO", "FATURAÇÃO", "PEDIDO", "domínio", "pendente"}},
		{[]string{"LANG=fr_FR.UTF-8"}, []string{"SERVICE", "ADMINISTRATEUR", "TECHNIQUE", "FACTURATION", "domaine", "en attente"}},
		{[]string{"LC_ALL=fr_CA.UTF-8", "LANG=pt_PT.UTF-8"}, []string{"ADMINISTRATEUR", "domaine"}},
		{[]string{"LC_MESSAGES=pt_PT", "LANG=fr_FR"}, []string{"ADMINISTRADOR", "domínio"}},
		{[]string{"LANG=C"}, []string{"SERVICE", "ADMIN", "BILLING", "domain", "pending"}},
		{nil, []string{"SERVICE", "ADMIN", "BILLING", "domain", "pending"}},
	}
	for _, c := range cases {
		r := d.withLang(c.env, "services", "--as", "xx11111-ovh")
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", c.env, r.code, r.err)
		}
		for _, s := range c.says {
			if !strings.Contains(r.out, s) {
				t.Errorf("%v: the services do not say %q:\n%s", c.env, s, r.out)
			}
		}
	}
	// a request, in Portuguese: its lines, its labels, its words
	r := d.withLang([]string{"LANG=pt_PT.UTF-8"}, "request", "show", "8", "--as", "xx11111-ovh")
	for _, s := range []string{"pedido #8: contacto técnico de padaria-yolanda.pt (domínio), xx11111-ovh -> gh13579-ovh",
		"  estado:     a aguardar confirmação", "  partes:", "pendente", "requerente e atual contacto técnico", "a aguardar a confirmação de xx11111-ovh e gh13579-ovh"} {
		if !strings.Contains(r.out, s) {
			t.Errorf("request show in Portuguese does not say %q:\n%s", s, r.out)
		}
	}
}

// TestHistoryNamesTheDeskInTheLocale: the history's actor "system" (the
// desk itself) and "support" are words of the output's language, as the
// app's history writes them; --json keeps them (TestJSONIgnoresTheLocale).
// The Portuguese history said "system" among Portuguese words.
func TestHistoryNamesTheDeskInTheLocale(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	system := regexp.MustCompile(`(?m)^\S+ \S+  (\S+) +(expirado|expirée|request\.expire) `)
	for env, want := range map[string][2]string{"LANG=pt_PT.UTF-8": {"sistema", "apoio"}, "LANG=fr_FR.UTF-8": {"système", "support"}, "LANG=C": {"system", "support"}} {
		// yy22222-ovh asked for the demo's expired request: its history
		// has the expiry (xx11111-ovh, a contact of that service but no
		// party to the request, sees none of its lines)
		out := d.withLang([]string{env}, "history", "--as", "yy22222-ovh").out
		if m := system.FindStringSubmatch(out); m == nil || m[1] != want[0] {
			t.Errorf("%s: the desk's expiry is by %q, want %q:\n%s", env, m, want[0], out)
		}
		if out := d.withLang([]string{env}, "history", "--support", "--limit", "1").out; !strings.Contains(out, "  "+want[1]+"  ") {
			t.Errorf("%s: support's history does not name it %q:\n%s", env, want[1], out)
		}
	}
	for _, e := range decode[[]map[string]any](t, d.withLang([]string{"LANG=pt_PT.UTF-8"}, "history", "--as", "yy22222-ovh", "--json").out) {
		if a := e["actor"].(string); a == "sistema" || a == "apoio" {
			t.Errorf("--json names an actor %q", a)
		}
	}
}

// TestJSONIgnoresTheLocale: --json is a contract: byte for byte the same
// whatever the locale.
func TestJSONIgnoresTheLocale(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	for _, args := range [][]string{
		{"services", "--as", "xx11111-ovh", "--json"},
		{"request", "list", "--as", "xx11111-ovh", "--json"},
		{"request", "show", "8", "--as", "xx11111-ovh", "--json"},
		{"mail", "list", "--as", "yy22222-ovh", "--json"},
		{"history", "--as", "xx11111-ovh", "--json"},
		{"account", "list", "--json"},
		{"config", "list", "--json"},
	} {
		c := d.withLang([]string{"LANG=C"}, args...)
		for _, env := range [][]string{{"LANG=pt_PT.UTF-8"}, {"LANG=fr_FR.UTF-8"}, {"LC_ALL=fr_CA", "LANG=pt_PT"}} {
			r := d.withLang(env, args...)
			if r.code != 0 || r.out != c.out {
				t.Errorf("%v with %v: the JSON differs from LANG=C's (exit %d)", args, env, r.code)
			}
		}
	}
}

// TestRefusalsFollowTheLocale: a refusal of the rules is one line on
// stderr in the locale's language, after the fixed "contactdesk: ", with
// the same exit code; a misuse keeps its usage, in English.
func TestRefusalsFollowTheLocale(t *testing.T) {
	d := seeded(t)
	for env, want := range map[string]string{
		"LANG=pt_PT.UTF-8": "contactdesk: só o administrador ou o contacto de faturação podem alterar o contacto de faturação de example.com\n",
		"LANG=fr_FR.UTF-8": "contactdesk: seul l'administrateur ou le contact facturation peut modifier le contact facturation d'example.com\n",
		"LANG=C":           "contactdesk: only the admin or the billing contact can change the billing contact of example.com\n",
	} {
		r := d.withLang([]string{env}, "request", "create", "--as", "te22222-ovh", "--service", "example.com", "--role", "billing", "--to", "ne44444-ovh")
		if r.code != 1 || r.err != want || r.out != "" {
			t.Errorf("%s: exit %d, stderr %q; want 1, %q", env, r.code, r.err, want)
		}
	}
	// a value typed, quoted in the reader's quotes: « » in French
	for env, want := range map[string]string{
		"LANG=pt_PT.UTF-8": `contactdesk: o novo contacto tem de ser um ID de cliente como xx11111-ovh, não "nobody"` + "\n",
		"LANG=fr_FR.UTF-8": "contactdesk: le nouveau contact doit être un identifiant client comme xx11111-ovh, pas « nobody »\n",
	} {
		r := d.withLang([]string{env}, "request", "create", "--as", "te22222-ovh", "--service", "example.com", "--role", "tech", "--to", "nobody")
		if r.code != 1 || r.err != want || r.out != "" {
			t.Errorf("%s: exit %d, stderr %q; want 1, %q", env, r.code, r.err, want)
		}
	}
	// an access rule and an application key typed, too (they were in
	// "…" in French); unchanged in English
	for _, c := range []struct {
		args     []string
		fr, en   string
		wantCode int
	}{
		{[]string{"api-key", "add", "te22222-ovh", "--rule", "FOO:/x"},
			"contactdesk: la règle d'accès « FOO:/x » ne nomme aucune méthode que l'API accepte : GET, POST, PUT, DELETE\n",
			"contactdesk: the access rule \"FOO:/x\" names no method the API takes: GET, POST, PUT, DELETE\n", 1},
		{[]string{"api-key", "add", "te22222-ovh", "--rule", "nope"},
			"contactdesk: une règle d'accès s'écrit MÉTHODE:CHEMIN, comme GET:/me/*, pas « nope »\n", "", 1},
		{[]string{"api-key", "remove", "abcdefgh"},
			"contactdesk: aucune clé d'API n'a la clé d'application « abcd… »\n", "", 1},
	} {
		if r := d.withLang([]string{"LANG=fr_FR.UTF-8"}, c.args...); r.code != c.wantCode || r.err != c.fr {
			t.Errorf("%v in French: exit %d, stderr %q; want %d, %q", c.args, r.code, r.err, c.wantCode, c.fr)
		}
		if c.en == "" {
			continue
		}
		if r := d.withLang([]string{"LANG=C"}, c.args...); r.code != c.wantCode || r.err != c.en {
			t.Errorf("%v in English: exit %d, stderr %q; want %d, %q", c.args, r.code, r.err, c.wantCode, c.en)
		}
	}
	r := d.withLang([]string{"LANG=pt_PT.UTF-8"}, "request", "create", "--as", "te22222-ovh", "--service", "example.com", "--role", "nope", "--to", "ne44444-ovh")
	if r.code != 2 || !strings.Contains(r.err, "contactdesk: --role: ") || strings.Contains(r.err, "is not a role") || !strings.Contains(r.err, "utilização: contactdesk request create") {
		t.Errorf("a misuse in Portuguese: exit %d, stderr %q", r.code, r.err)
	}
}

// TestDefaultLang: config set default-lang gives an account opened
// without --lang its language; an unknown language is a misuse that
// names the ones the desk speaks.
func TestDefaultLang(t *testing.T) {
	d := seeded(t)
	if out := d.ok("config", "set", "default-lang", "pt_PT"); out != "default-lang is pt\n" {
		t.Errorf("config set says %q", out)
	}
	d.ok("account", "add", "pp10001-ovh", "--name", "Paula Pinto", "--email", "paula@example.pt")
	d.ok("account", "add", "ff10002-ovh", "--name", "Fanny Faure", "--email", "fanny@example.fr", "--lang", "fr")
	for _, a := range decode[[]struct{ Handle, Lang string }](t, d.ok("account", "list", "--json")) {
		want := map[string]string{"pp10001-ovh": "pt", "ff10002-ovh": "fr", "ad11111-ovh": "en"}[a.Handle]
		if want != "" && a.Lang != want {
			t.Errorf("%s speaks %s, want %s", a.Handle, a.Lang, want)
		}
	}
	d.misused(`"de" is not a language the desk speaks: use pt, en or fr`, "config", "set", "default-lang", "de")
	// said in the locale's language, naming the language in its words
	r := d.withLang([]string{"LANG=fr_FR.UTF-8"}, "profile", "set-lang", "pt", "--as", "ne44444-ovh")
	if r.code != 0 || r.out != "les écrans et les e-mails de ne44444-ovh sont désormais en portugais (pt)\n" {
		t.Errorf("set-lang in French: exit %d, %q %q", r.code, r.out, r.err)
	}
}

// TestSupportCommandsFollowTheLocale: the support staff's commands (SSH
// and API keys, backups) speak the locale's language too; the API's own
// names of the credentials stay as the API spells them.
func TestSupportCommandsFollowTheLocale(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	line, fp := pubKey(t, "ana@portatil")
	file := filepath.Join(d.dir, "id_ed25519.pub")
	if err := os.WriteFile(file, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	pt := []string{"LANG=pt_PT.UTF-8"}
	for _, c := range []struct {
		env  []string
		args []string
		says []string
	}{
		{pt, []string{"key", "add", "xx11111-ovh", file}, []string{"a chave ssh-ed25519 " + fp + " (ana@portatil) passa a dar acesso a xx11111-ovh por SSH"}},
		{[]string{"LANG=fr_FR.UTF-8"}, []string{"key", "list"}, []string{"EMPREINTE", "COMMENTAIRE", "AJOUTÉE", fp}},
		{pt, []string{"key", "list"}, []string{"ssh-ed25519", fp}},
		{pt, []string{"key", "remove", fp}, []string{"removida: já não dá acesso"}},
		{pt, []string{"api-key", "add", "xx11111-ovh"}, []string{"passa a agir como xx11111-ovh", "application secret:", "A consumer key sozinha chama a API"}},
		{[]string{"LANG=fr_FR.UTF-8"}, []string{"api-key", "list"}, []string{"CLÉ D'APPLICATION", "DERNIER USAGE"}},
		{pt, []string{"backup", filepath.Join(d.dir, "copia.db")}, []string{"cópia de segurança do balcão", "integridade verificada"}},
	} {
		r := d.withLang(c.env, c.args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, r.code, r.err)
		}
		for _, s := range c.says {
			if !strings.Contains(r.out, s) {
				t.Errorf("%v with %v does not say %q:\n%s", c.args, c.env, s, r.out)
			}
		}
		// dates as every table of the locale writes them: 30/11/2026 20:35
		if c.args[0] == "key" && c.args[1] == "list" && !regexp.MustCompile(`\d\d/\d\d/\d{4} \d\d:\d\d`).MatchString(r.out) {
			t.Errorf("key list with %v does not write its dates so:\n%s", c.env, r.out)
		}
	}
}

// TestHelpFollowsTheLocale: --help, the help command and the root's list
// are written in the locale's language: descriptions, flags, the groups
// of commands; the examples' commands and the usage line stay as typed.
func TestHelpFollowsTheLocale(t *testing.T) {
	d := newDesk(t)
	for _, c := range []struct {
		lang locale.Lang
		env  string
	}{{locale.PT, "LANG=pt_PT.UTF-8"}, {locale.FR, "LC_ALL=fr_FR.UTF-8"}, {locale.EN, "LANG=C.UTF-8"}} {
		h := func(cmd, field string) string {
			s, ok := locale.Help(c.lang, cmd, field)
			if !ok {
				t.Fatalf("%s: no help text %q %s", c.lang, cmd, field)
			}
			return s
		}
		for _, args := range [][]string{{"account", "add", "--help"}, {"help", "account", "add"}} {
			r := d.withLang([]string{c.env}, args...)
			if r.code != 0 {
				t.Fatalf("%v: exit %d: %s", args, r.code, r.err)
			}
			out := strings.Join(strings.Fields(r.out), " ")
			for _, s := range []string{
				h("account add", "long"),
				h("account add", "flag.email")[1:], // the help capitalises it
				h("contactdesk", "flag.db")[1:],
				h("*", "flag.help")[1:] + " add",
				"contactdesk account add HANDLE",
				`contactdesk account add ab24680-ovh --name "Ana Brito" \ --email ana@example.pt`,
			} {
				if !strings.Contains(out, strings.Join(strings.Fields(s), " ")) {
					t.Errorf("%s %v does not say %q:\n%s", c.env, args, s, r.out)
				}
			}
		}
		r := d.withLang([]string{c.env}, "--help")
		out := strings.ToUpper(strings.Join(strings.Fields(r.out), " ")) // fang writes the groups' titles in capitals
		for _, s := range []string{h("contactdesk", "group.customer"), h("contactdesk", "group.staff"), h("request", "short")} {
			if !strings.Contains(out, strings.ToUpper(strings.Join(strings.Fields(s), " "))) {
				t.Errorf("%s --help does not say %q:\n%s", c.env, s, r.out)
			}
		}
	}
	// and in Portuguese, it is not English
	r := d.withLang([]string{"LANG=pt_PT.UTF-8"}, "account", "add", "--help")
	if strings.Contains(r.out, "Open an account") || strings.Contains(r.out, "its e-mail ADDRESS") {
		t.Errorf("the Portuguese help is English:\n%s", r.out)
	}
}

// TestHelpSaysHowToPickTheLanguage: the root's help says which variables
// choose the command line's language, with the value that gives each
// one, in every language: a Portuguese reader of --help learned it only
// from the README.
func TestHelpSaysHowToPickTheLanguage(t *testing.T) {
	d := newDesk(t)
	for _, env := range []string{"LANG=pt_PT.UTF-8", "LC_ALL=fr_FR.UTF-8", "LANG=C.UTF-8"} {
		r := d.withLang([]string{env}, "--help")
		for _, s := range []string{"$LC_ALL", "$LC_MESSAGES", "$LANG", "pt_PT.UTF-8", "fr_FR.UTF-8", "profile set-lang"} {
			if !strings.Contains(r.out, s) {
				t.Errorf("%s --help does not say %s:\n%s", env, s, r.out)
			}
		}
	}
}

// TestMisusesFollowTheLocale: a command called wrongly is told so in the
// locale's language, with its usage (exit 2, one line that starts with
// "contactdesk: "), what was typed quoted as it was.
func TestMisusesFollowTheLocale(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	for _, c := range []struct {
		env  string
		args []string
		says []string
	}{
		{"LANG=pt_PT.UTF-8", []string{"request", "show", "abc", "--as", "xx11111-ovh"},
			[]string{`contactdesk: "abc" não é um número de pedido`, "utilização: contactdesk request show ID", "Execute 'contactdesk request show --help' para saber mais."}},
		{"LANG=pt_PT.UTF-8", []string{"servces"}, []string{`contactdesk: comando desconhecido "servces": queria dizer services?`}},
		{"LANG=pt_PT.UTF-8", []string{"account", "add", "ab12345-ovh", "--name", "Ana"}, []string{"contactdesk: --email é obrigatório"}},
		{"LC_ALL=fr_FR.UTF-8", []string{"history", "--as", "xx11111-ovh", "--limit", "x"},
			[]string{"contactdesk: --limit prend un nombre d'entrées (0 : toutes), pas « x »", "utilisation\u00a0: contactdesk history"}},
		{"LC_ALL=fr_FR.UTF-8", []string{"request", "create", "--as", "xx11111-ovh", "--service", "xara.pt", "--role", "tech", "--to", "cd67890-ovh", "--validity", "1y"},
			[]string{"--validity prend une durée comme 90s, 15m, 48h ou 15d, de 1 minute à 365 jours, pas « 1y »"}},
		// French quotes a value typed in « », not in "…"
		{"LANG=fr_FR.UTF-8", []string{"servces"}, []string{"contactdesk: commande inconnue « servces » : vouliez-vous dire services ?"}},
		{"LANG=fr_FR.UTF-8", []string{"request", "show", "abc", "--as", "xx11111-ovh"}, []string{"contactdesk: « abc » n'est pas un numéro de demande"}},
		// a mail is an e-mail, as everywhere else in French ("aucun e-mail #9")
		{"LANG=fr_FR.UTF-8", []string{"mail", "show", "abc", "--as", "xx11111-ovh"}, []string{"contactdesk: « abc » n'est pas un numéro d'e-mail"}},
		{"LANG=pt_PT.UTF-8", []string{"--as", "xx11111-ovh"}, []string{"contactdesk: a aplicação de terminal precisa de um terminal; para scripts, indique um comando"}},
		{"LANG=C", []string{"services", "--ass", "xx11111-ovh"}, []string{"contactdesk: unknown flag --ass: did you mean --as?", "usage: contactdesk services"}},
	} {
		r := d.withLang([]string{c.env}, c.args...)
		if r.code != 2 {
			t.Errorf("%s %v: exit %d, want 2: %s", c.env, c.args, r.code, r.err)
		}
		for _, s := range c.says {
			if !strings.Contains(r.err, s) {
				t.Errorf("%s %v does not say %q:\n%s", c.env, c.args, s, r.err)
			}
		}
	}
}

// TestFilesRefusedInTheLocale: what a file, a folder or a CSV header
// does not allow is said in the locale's language too (exit 1, one
// line), the system's own reason as it says it.
func TestFilesRefusedInTheLocale(t *testing.T) {
	d := newDesk(t)
	bad := filepath.Join(d.dir, "bad.csv")
	quote := filepath.Join(d.dir, "quote.csv")
	if err := os.WriteFile(bad, []byte("handle,nom\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(quote, []byte("handle,name,email\nab12345-ovh,\"Ana \"B\" Brito,ana@example.pt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pt, fr := "LANG=pt_PT.UTF-8", "LC_ALL=fr_FR.UTF-8"
	for _, c := range []struct {
		env  string
		args []string
		says string
	}{
		{pt, []string{"services", "--as", "xx11111-ovh"}, "contactdesk: não há base de dados em " + filepath.Join(d.dir, "desk.db") + ": crie uma com 'contactdesk demo'"},
		{fr, []string{"backup", filepath.Join(d.dir, "copie.db")}, "contactdesk: aucune base de données à "},
	} {
		r := d.withLang([]string{c.env}, c.args...)
		if r.code != 1 || !strings.HasPrefix(r.err, c.says) || strings.Count(r.err, "\n") != 1 {
			t.Errorf("%s %v: exit %d, stderr %q; want 1, %q…", c.env, c.args, r.code, r.err, c.says)
		}
	}
	d.ok("demo")
	for _, c := range []struct {
		env  string
		args []string
		says string
	}{
		{fr, []string{"import", "accounts", filepath.Join(d.dir, "nowhere.csv")}, "contactdesk: impossible de lire " + filepath.Join(d.dir, "nowhere.csv") + " : aucun fichier ou dossier de ce nom\n"},
		{pt, []string{"import", "accounts", bad}, "contactdesk: " + bad + `:1: "nom" não é uma coluna deste ficheiro: as colunas são handle,name,email[,owes][,lang]` + "\n"},
		// FILE:LINE: as the refused rows are, in French too (it said "FILE:1 :")
		{fr, []string{"import", "accounts", bad}, "contactdesk: " + bad + ":1: « nom » n'est pas une colonne de ce fichier : les colonnes sont handle,name,email[,owes][,lang]\n"},
		{fr, []string{"backup", filepath.Join(d.dir, "desk.db")}, "contactdesk: " + filepath.Join(d.dir, "desk.db") + " existe déjà ; backup n'y touche pas (--force le remplace)\n"},
	} {
		r := d.withLang([]string{c.env}, c.args...)
		if r.code != 1 || r.err != c.says {
			t.Errorf("%s %v: exit %d, stderr %q; want 1, %q", c.env, c.args, r.code, r.err, c.says)
		}
	}
	r := d.withLang([]string{pt}, "import", "accounts", quote)
	if r.code != 1 || !strings.Contains(r.err, "quote.csv:2: aspas a mais (coluna 18): ponha entre aspas um campo que contenha aspas") {
		t.Errorf("a stray quote in Portuguese: exit %d, stderr %q", r.code, r.err)
	}
}

// A party of an ended request that never answered reads "no answer",
// as in the app and on the web page, not "pending"; the JSON keeps the
// party's answer as it is stored.
func TestEndedRequestNoAnswer(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	for lang, want := range map[string]string{"C": "    gh13579-ovh    no answer  current tech contact\n", "pt_PT.UTF-8": "    gh13579-ovh    sem resposta  atual contacto técnico\n", "fr_FR.UTF-8": "    gh13579-ovh    sans réponse  contact technique actuel\n"} {
		r := d.withLang([]string{"LANG=" + lang}, "request", "show", "4", "--as", "xx11111-ovh")
		if r.code != 0 || !strings.Contains(r.out, "cancel") && !strings.Contains(r.out, "annul") || !strings.Contains(r.out, want) {
			t.Errorf("LANG=%s request show of a cancelled request, want %q:\n%s%s", lang, want, r.out, r.err)
		}
	}
	if out := d.ok("request", "show", "8", "--as", "xx11111-ovh"); !strings.Contains(out, "    gh13579-ovh    pending    new tech contact\n") {
		t.Errorf("a party of an open request is pending:\n%s", out)
	}
	if js := d.ok("request", "show", "4", "--as", "xx11111-ovh", "--json"); !strings.Contains(js, `"answer": "pending"`) {
		t.Errorf("the JSON changed:\n%s", js)
	}
	// The JSON's "as" keeps its words, a contract, whatever the text
	// says in any language ("current tech contact" in English since).
	for _, lang := range []string{"C", "pt_PT.UTF-8"} {
		r := d.withLang([]string{"LANG=" + lang}, "request", "show", "8", "--as", "xx11111-ovh", "--json")
		var got struct {
			Parties []struct{ As string } `json:"parties"`
		}
		if err := json.Unmarshal([]byte(r.out), &got); err != nil || len(got.Parties) != 2 ||
			got.Parties[0].As != "requester and current tech" || got.Parties[1].As != "new tech" {
			t.Errorf("LANG=%s: the parties' \"as\" in the JSON: %+v %v\n%s", lang, got.Parties, err, r.out)
		}
	}
	// A column names a role as a label does: "faturação", not the
	// sentence's "de faturação".
	if r := d.withLang([]string{"LANG=pt_PT.UTF-8"}, "request", "list", "--as", "xx11111-ovh"); !strings.Contains(r.out, "fontes-arquitetura.pt     faturação  ") {
		t.Errorf("pt request list, the roles column:\n%s", r.out)
	}
}

// TestSupportHistory: what support staff did as nobody's account (a
// desk setting, an API key) is read with history --support; no account's
// history shows it.
func TestSupportHistory(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	d.ok("config", "set", "public-url", "https://desk.example.net")
	out := d.ok("history", "--support", "--limit", "3")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 4 || !strings.Contains(lines[1], "support  desk.setting") || !strings.Contains(lines[1], "setting public-url set to https://desk.example.net") {
		t.Errorf("history --support --limit 3:\n%s", out)
	}
	js := decode[[]map[string]any](t, d.ok("history", "--support", "--json"))
	if len(js) == 0 || js[0]["actor"] != "support" || js[0]["action"] != "desk.setting" {
		t.Errorf("history --support --json: %v", js[:min(len(js), 2)])
	}
	if mine := d.ok("history", "--as", "xx11111-ovh"); strings.Contains(mine, "public-url") {
		t.Errorf("an account's history shows a desk setting:\n%s", mine)
	}
	d.misused("history --support shows what support staff did, for no account: leave out --as and --service", "history", "--support", "--as", "xx11111-ovh")
}

// TestTableTimesSayUTC: every table column of times says, in its header,
// that they are UTC, in each language the desk speaks ("DATE (UTC)",
// "DATA (UTC)"), and the header stays over its column. Before, the
// headers said CREATED, DATE, AT, ADDED and LAST USED, and a reader
// took the times for local ones.
func TestTableTimesSayUTC(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	line, _ := pubKey(t, "ana@portatil")
	file := filepath.Join(d.dir, "id_ed25519.pub")
	if err := os.WriteFile(file, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	d.ok("key", "add", "xx11111-ovh", file)
	d.ok("api-key", "add", "xx11111-ovh")
	type listing struct {
		args []string
		says map[string][]string // the headers of its columns of times, by $LANG
	}
	en, pt, fr := "LANG=C", "LANG=pt_PT.UTF-8", "LANG=fr_FR.UTF-8"
	created := map[string][]string{en: {"CREATED (UTC)"}, pt: {"CRIAÇÃO (UTC)"}, fr: {"CRÉÉE (UTC)"}}
	at := map[string][]string{en: {"AT (UTC)"}, pt: {"QUANDO (UTC)"}, fr: {"QUAND (UTC)"}}
	for _, c := range []listing{
		{[]string{"request", "list", "--as", "xx11111-ovh"}, created},
		{[]string{"mail", "list", "--as", "gh13579-ovh"}, map[string][]string{en: {"DATE (UTC)"}, pt: {"DATA (UTC)"}, fr: {"DATE (UTC)"}}},
		{[]string{"history", "--as", "xx11111-ovh"}, at},
		{[]string{"history", "--support"}, at},
		{[]string{"key", "list"}, map[string][]string{en: {"ADDED (UTC)"}, pt: {"ADICIONADA (UTC)"}, fr: {"AJOUTÉE (UTC)"}}},
		{[]string{"api-key", "list"}, map[string][]string{en: {"CREATED (UTC)", "LAST USED (UTC)"}, pt: {"CRIAÇÃO (UTC)", "ÚLTIMO USO (UTC)"},
			fr: {"CRÉÉE (UTC)", "DERNIER USAGE (UTC)"}}},
	} {
		for _, env := range []string{en, pt, fr} {
			r := d.withLang([]string{env}, c.args...)
			lines := strings.Split(r.out, "\n")
			if r.code != 0 || len(lines) < 3 {
				t.Fatalf("%v with %s: exit %d, %q (stderr %q)", c.args, env, r.code, r.out, r.err)
			}
			head := lines[0]
			if n := strings.Count(head, "(UTC)"); n != len(c.says[env]) {
				t.Errorf("%v with %s: %d columns say UTC, want %d: %q", c.args, env, n, len(c.says[env]), head)
			}
			for _, h := range c.says[env] {
				if !strings.Contains(head, h) {
					t.Errorf("%v with %s: no column %q: %q", c.args, env, h, head)
				}
			}
			// each time of the first row stands under a header that
			// says UTC, starting where it starts
			dates := regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d|\d\d/\d\d/\d{4} \d\d:\d\d`).FindAllStringIndex(lines[1], -1)
			if len(dates) == 0 {
				t.Errorf("%v with %s: no time in the first row: %q", c.args, env, lines[1])
			}
			for _, m := range dates {
				col := ansi.StringWidth(lines[1][:m[0]])
				if at := ansiCut(head, col); !regexp.MustCompile(`^[^ ]+( [^ ]+)* \(UTC\)`).MatchString(at) || (col > 0 && ansiCut(head, col-1)[0] != ' ') {
					t.Errorf("%v with %s: the time at column %d is under %q:\n%s\n%s", c.args, env, col, at, head, lines[1])
				}
			}
		}
	}
}

// ansiCut is what s shows from its display column col on.
func ansiCut(s string, col int) string {
	w := 0
	for i, r := range s {
		if w >= col {
			return s[i:]
		}
		w += ansi.StringWidth(string(r))
	}
	return ""
}

// TestShownTimesSayUTC: request show and mail show write a time alone on
// its line with UTC after it, in every language, as the app's request
// page and the mails do; their --json is as it was (RFC 3339, Z).
func TestShownTimesSayUTC(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	en, pt := `\d{4}-\d\d-\d\d \d\d:\d\d UTC\n`, `\d\d/\d\d/\d{4} \d\d:\d\d UTC\n`
	for _, c := range []struct {
		env  string
		args []string
		says []string // patterns of lines
	}{
		{"LANG=C", []string{"request", "show", "8", "--as", "xx11111-ovh"}, []string{`\n  created:   ` + en, `\n  expires:   ` + en}},
		{"LANG=pt_PT.UTF-8", []string{"request", "show", "8", "--as", "xx11111-ovh"}, []string{`\n  criado:\s+` + pt, `\n  expira:\s+` + pt}},
		{"LANG=C", []string{"request", "show", "4", "--as", "gh13579-ovh"}, []string{`\n  ended:     ` + en}},
		{"LANG=fr_FR.UTF-8", []string{"request", "show", "4", "--as", "gh13579-ovh"}, []string{`\n  \S+ ?:\s+` + pt}},
		{"LANG=C", []string{"mail", "show", "29", "--as", "gh13579-ovh"}, []string{`\nDate:    ` + en}},
		{"LANG=pt_PT.UTF-8", []string{"mail", "show", "29", "--as", "gh13579-ovh"}, []string{`\nData:    ` + pt}},
	} {
		r := d.withLang([]string{c.env}, c.args...)
		if r.code != 0 {
			t.Fatalf("%v with %s: exit %d: %s", c.args, c.env, r.code, r.err)
		}
		for _, s := range c.says {
			if !regexp.MustCompile(s).MatchString(r.out) {
				t.Errorf("%v with %s has no line %q:\n%s", c.args, c.env, s, r.out)
			}
		}
	}
	for _, c := range [][]string{{"created", "request", "show", "8", "--as", "xx11111-ovh", "--json"}, {"date", "mail", "show", "29", "--as", "gh13579-ovh", "--json"}} {
		if out := d.ok(c[1:]...); !regexp.MustCompile(`\n  "` + c[0] + `": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",\n`).MatchString(out) {
			t.Errorf("%v:\n%s", c[1:], out)
		}
	}
}

// TestHelpHeadingsFollowTheLocale: a help page's headings are written
// in the language of the rest of it ("UTILIZAÇÃO", "OPÇÕES"), not in
// fang's English, piped as on a terminal (where fang styles them).
func TestHelpHeadingsFollowTheLocale(t *testing.T) {
	d := newDesk(t)
	for env, want := range map[string][]string{
		"LANG=pt_PT.UTF-8": {"UTILIZAÇÃO", "EXEMPLOS", "COMANDOS", "OPÇÕES"},
		"LANG=fr_FR.UTF-8": {"UTILISATION", "EXEMPLES", "COMMANDES", "OPTIONS"},
		"LANG=C":           {"USAGE", "EXAMPLES", "COMMANDS", "FLAGS"},
	} {
		r := d.withLang([]string{env}, "request", "--help")
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", env, r.code, r.err)
		}
		var heads []string
		for _, l := range strings.Split(r.out, "\n") {
			if l == "  "+strings.ToUpper(strings.TrimSpace(l)) && strings.TrimSpace(l) != "" && !strings.ContainsAny(l, "-[") {
				heads = append(heads, strings.TrimSpace(l))
			}
		}
		if strings.Join(heads, " ") != strings.Join(want, " ") {
			t.Errorf("%s: the help's headings are %q, not %q:\n%s", env, heads, want, r.out)
		}
	}
	// on a terminal fang writes a heading styled, in one write
	styled := []byte("\n  \x1b[1;38;5;99mUSAGE\x1b[m\n")
	got := string(translateHeading(styled, headings(locale.PT)))
	if ansi.Strip(got) != "\n  UTILIZAÇÃO\n" || !strings.Contains(got, "\x1b[1;38;5;99mUTILIZAÇÃO\x1b[m") {
		t.Errorf("a styled heading, in Portuguese, is %q", got)
	}
	if got := string(translateHeading([]byte("  USAGE is a word\n"), headings(locale.PT))); got != "  USAGE is a word\n" {
		t.Errorf("a line that is no heading was changed: %q", got)
	}
}

// uncomparable is an error that can't be a map's key (it holds a map).
type uncomparable struct{ m map[string]int }

func (uncomparable) Error() string { return "an odd error" }

// TestAnyErrorIsSaid: said takes any error, one that can't be compared
// too (a map lookup by it panicked), and the system's reason in the
// reader's language.
func TestAnyErrorIsSaid(t *testing.T) {
	pt := locale.For(locale.PT)
	if got := said(uncomparable{m: map[string]int{}}, pt); got != "an odd error" {
		t.Errorf("said %q", got)
	}
	if got := said(syscall.ENOENT, pt); got != "ficheiro ou pasta inexistente" {
		t.Errorf("ENOENT said %q in Portuguese", got)
	}
}

// TestNotADeskInTheReadersLanguage: --db naming a folder, a file that
// is no SQLite database, or another program's SQLite file is refused in
// the reader's language (it was the storage's English), untouched.
func TestNotADeskInTheReadersLanguage(t *testing.T) {
	d := newDesk(t)
	text := filepath.Join(d.dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a desk, but long enough to hold a header of a hundred bytes or so: "+strings.Repeat("x", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(d.dir, "other.db")
	raw, err := sql.Open("sqlite3", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before := map[string][]byte{}
	for _, p := range []string{text, other} {
		before[p], _ = os.ReadFile(p)
	}
	for _, c := range []struct {
		path       string
		en, pt, fr string
	}{
		{d.dir, d.dir + " is a directory, not a contactdesk database",
			d.dir + " é uma pasta, não uma base de dados do contactdesk", d.dir + " est un dossier, pas une base de données de contactdesk"},
		{text, text + " is not a contactdesk database (not an SQLite file); refusing to touch it",
			text + " não é uma base de dados do contactdesk (não é um ficheiro SQLite); o contactdesk não lhe toca",
			text + " n'est pas une base de données de contactdesk (ce n'est pas un fichier SQLite) ; contactdesk n'y touche pas"},
		{other, other + " is not a contactdesk database (an SQLite file of another program); refusing to touch it",
			other + " não é uma base de dados do contactdesk (é um ficheiro SQLite de outro programa); o contactdesk não lhe toca",
			other + " n'est pas une base de données de contactdesk (c'est un fichier SQLite d'un autre programme) ; contactdesk n'y touche pas"},
	} {
		for lang, says := range map[string]string{"C": c.en, "pt_PT.UTF-8": c.pt, "fr_FR.UTF-8": c.fr} {
			r := d.withLang([]string{"LANG=" + lang}, "--db", c.path, "services", "--as", "xx11111-ovh")
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

// TestMailTokensLineAgrees: the line under the mailbox that counts the
// mails carrying a token names them in the plural when there are
// several: "affichez-les", "veja-os" (the French said "affichez-le", as
// of one).
func TestMailTokensLineAgrees(t *testing.T) {
	d := newDesk(t)
	d.ok("demo")
	for env, want := range map[string]string{
		"LANG=fr_FR.UTF-8": "e-mails contiennent un code\u00a0: affichez-les avec 'contactdesk mail show ID --as xx11111-ovh'",
		"LANG=pt_PT.UTF-8": "e-mails têm um código de validação: veja-os com 'contactdesk mail show ID --as xx11111-ovh'",
	} {
		r := d.withLang([]string{env}, "mail", "list", "--as", "xx11111-ovh")
		if r.code != 0 || !strings.Contains(r.err+r.out, want) {
			t.Errorf("%s: exit %d, does not say %q:\n%s%s", env, r.code, want, r.out, r.err)
		}
	}
}

// TestManHelpFollowsTheLocale: the help of the hidden man command is in
// the locale's language too (it was English in every language).
func TestManHelpFollowsTheLocale(t *testing.T) {
	d := newDesk(t)
	for env, want := range map[string]string{
		"LANG=pt_PT.UTF-8": "Escreve a página do manual, em roff",
		"LANG=fr_FR.UTF-8": "Écrire la page de manuel, en roff",
		"LANG=C":           "Print the manual page, in roff",
	} {
		r := d.withLang([]string{env}, "man", "--help")
		if r.code != 0 || !strings.Contains(r.out, want) {
			t.Errorf("%s man --help: exit %d, does not say %q:\n%s%s", env, r.code, want, r.out, r.err)
		}
	}
}

// TestManPageFollowsTheLocale: the manual page's headings, and the
// words its synopsis and its lists of subcommands add, are in the
// locale's language, as its text is: a Portuguese page read NAME,
// SYNOPSIS, DESCRIPTION, OPTIONS and COMMANDS above its Portuguese text.
func TestManPageFollowsTheLocale(t *testing.T) {
	d := newDesk(t)
	for _, c := range []struct {
		env       string
		want, not []string
	}{
		{"LANG=pt_PT.UTF-8", []string{".SH NOME\n", ".SH SINOPSE\n", ".SH DESCRIÇÃO\n", ".SH OPÇÕES\n", ".SH COMANDOS\n", `\fBCOMANDOS\fP`, `\fBOPÇÕES\fP`, `[\fIopções\&.\&.\&.\fP] [\fIargumentos\&.\&.\&.\fP]`},
			[]string{".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS", ".SH COMMANDS", `\fBCOMMANDS\fP`, `\fBOPTIONS\fP`, `\fIoptions`}},
		{"LANG=fr_FR.UTF-8", []string{".SH NOM\n", ".SH SYNOPSIS\n", ".SH DESCRIPTION\n", ".SH OPTIONS\n", ".SH COMMANDES\n", `\fBCOMMANDES\fP`, `\fIoptions\&.\&.\&.\fP] [\fIarguments\&.\&.\&.\fP]`},
			[]string{".SH NAME", ".SH COMMANDS", `\fBCOMMANDS\fP`}},
		{"LANG=C", []string{".SH NAME\n", ".SH SYNOPSIS\n", ".SH OPTIONS\n", ".SH COMMANDS\n", `\fBCOMMANDS\fP`, `\fIoptions\&.\&.\&.\fP`}, nil},
	} {
		r := d.withLang([]string{c.env}, "man")
		if r.code != 0 {
			t.Fatalf("%s man: exit %d: %s", c.env, r.code, r.err)
		}
		for _, w := range c.want {
			if !strings.Contains(r.out, w) {
				t.Errorf("%s: the man page lacks %q", c.env, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(r.out, w) {
				t.Errorf("%s: the man page says %q", c.env, w)
			}
		}
	}
}
