package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"contactdesk/internal/syncbuf"
	"contactdesk/storage/postgres/pgtest"
)

// The examples the demo desk alone does not run (a file to read, a key
// made first, a server, a fresh folder) run here as typed, each line of
// them, in a folder of their own that is the working directory, with
// what a user has when typing them and nothing more: the files the help
// names, made as the help describes them; the value of a placeholder
// (a fingerprint, an application key, a token), taken where the user
// takes it, the output of an example before or the desk's mailbox; the
// folders an absolute path names, under the test's own root.
//
// What differs from the user's machine, and why:
//   - serve listens on 127.0.0.1, on a port the system picks: the
//     example's ports (:443, 2222…) may be taken, or need root; each
//     serve runs until the next example, answers (the SSH banner, GET
//     /healthz), and stops cleanly;
//   - migrate's postgres:// URL is a database of the throwaway cluster
//     (storage/postgres/pgtest), made for the test;
//   - demo --services 100000 makes 2000: the same code, without half a
//     minute and 200 MB per run (demo_bench_test.go times the large one);
//   - "ssh-add -L" is an agent holding two keys, made by the test; "ssh
//     -p 2222 desk.example.net" dials the serve started last, which, as
//     typed, must listen where another machine reaches it on that port.
//
// Not run (TestHelpExamplesRunOnTheDemo runs their other lines): a shell
// variable set from a command (config get), and the terminal app
// (contactdesk --as …, terminal_test.go's). A jq program runs as jq
// would (gojq: examples_test.go's jq).

// typedNeeds is what a command's examples need beyond the demo desk.
type typedNeeds struct {
	fresh   bool // a folder with no desk (else: 'contactdesk demo' made one, contactdesk.db)
	alone   bool // each line is another way to do the same: each runs in a folder of its own
	prepare func(sh *shell)
	check   func(sh *shell) // what the examples did, as the user sees it
}

var typedExamples = map[string]typedNeeds{
	"serve": {prepare: func(sh *shell) { selfSignedCert(sh.t, "cert.pem", "key.pem") }},
	"migrate": {
		prepare: func(sh *shell) { sh.subst["postgres://desk@db.internal/contactdesk"] = pgtest.URL(sh.t) },
		check: func(sh *shell) {
			sh.accounts(8, "--db", sh.subst["postgres://desk@db.internal/contactdesk"])
		},
	},
	"backup": {
		prepare: func(sh *shell) { // the server's desk
			if err := os.MkdirAll(sh.path("/srv"), 0o755); err != nil {
				sh.t.Fatal(err)
			}
			sh.ok("--db", sh.path("/srv/desk.db"), "demo")
		},
		check: func(sh *shell) {
			sh.accounts(8, "--db", sh.path("/var/backups/contactdesk-"+sh.date+".db"))
			sh.accounts(8, "--db", sh.path("/mnt/nas/desk.db"))
		},
	},
	"demo": {
		fresh:   true,
		prepare: func(sh *shell) { sh.subst["100000"] = "2000" },
		check: func(sh *shell) {
			sh.accounts(8, "--db", "contactdesk.db")
			if n := len(decode[[]map[string]any](sh.t, sh.ok("--db", "big.db", "export", "services", "--format", "json"))); n != 2000 {
				sh.t.Errorf("big.db: %d services", n)
			}
		},
	},
	"completion": {
		fresh: true,
		// the folders the examples write into: zsh's first $fpath, and
		// fish's own completions, which a user of that shell has
		prepare: func(sh *shell) {
			if err := os.MkdirAll(sh.path("/usr/local/share/zsh/site-functions"), 0o755); err != nil {
				sh.t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(sh.d.dir, ".config/fish/completions"), 0o755); err != nil {
				sh.t.Fatal(err)
			}
		},
		check: func(sh *shell) {
			sh.script(sh.path("/usr/local/share/zsh/site-functions/_contactdesk"), "#compdef contactdesk\n")
			sh.script(filepath.Join(sh.d.dir, ".config/fish/completions/contactdesk.fish"), "\ncomplete -c contactdesk ")
		},
	},
	"man": {
		fresh: true,
		prepare: func(sh *shell) {
			if err := os.MkdirAll(sh.path("/usr/local/share/man/man1"), 0o755); err != nil {
				sh.t.Fatal(err)
			}
		},
		check: func(sh *shell) { sh.script(sh.path("/usr/local/share/man/man1/contactdesk.1"), ".TH CONTACTDESK 1 ") },
	},
	"key add": {
		prepare: func(sh *shell) {
			sh.sshKey(filepath.Join(sh.d.dir, ".ssh/id_ed25519.pub"))
			sh.agent = sshKeyLine(sh.t, "agent@laptop") + sh.sshKey("")
		},
		check: func(sh *shell) { sh.keys("xx11111-ovh", 2) },
	},
	"key remove": {
		prepare: func(sh *shell) {
			sh.okIn(sshKeyLine(sh.t, "you@host"), "key", "add", "xx11111-ovh", "-")
			sh.subst["SHA256:56vgkZlEIbUmTKqsi5QbtBsdbnLVqrcJhvVEg3eGG6c"] = sh.keys("xx11111-ovh", 1)[0]
		},
		check: func(sh *shell) { sh.keys("xx11111-ovh", 0) },
	},
	"key": {
		prepare: func(sh *shell) { sh.sshKey(filepath.Join(sh.d.dir, ".ssh/id_ed25519.pub")) },
		// the fingerprint key add printed, the one to remove
		check: func(sh *shell) { sh.keys("xx11111-ovh", 0) },
	},
	"api-key": {
		check: func(sh *shell) { sh.apiKeys(0) },
	},
	"api-key add": {
		check: func(sh *shell) {
			var c map[string]any
			if b, err := os.ReadFile("credentials.json"); err != nil || json.Unmarshal(b, &c) != nil || c["consumerKey"] == "" {
				sh.t.Errorf("credentials.json: %v %v", err, c)
			}
		},
	},
	"api-key revoke": {
		prepare: func(sh *shell) {
			sh.ok("api-key", "add", "xx11111-ovh")
			k := sh.apiKeys(1)[0]
			sh.subst["7kQ2pX9aLm3vB8nR"] = k.AppKey
			sh.subst["12"] = k.Number
		},
		check: func(sh *shell) { sh.apiKeys(0) }, // the application key stays, without it
	},
	"api-key remove": {
		prepare: func(sh *shell) {
			sh.ok("api-key", "add", "xx11111-ovh")
			sh.subst["7kQ2pX9aLm3vB8nR"] = sh.apiKeys(1)[0].AppKey
		},
		check: func(sh *shell) { sh.apiKeys(0) },
	},
	"import accounts": {
		prepare: func(sh *shell) { sh.write("accounts.csv", newAccountsCSV) },
		check:   func(sh *shell) { sh.accounts(10) },
	},
	"import services": {
		prepare: func(sh *shell) { sh.write("services.csv", newServicesCSV) },
		check: func(sh *shell) {
			if out := sh.ok("services", "--as", "cd67890-ovh"); !strings.Contains(out, "duarte-consulting.fr") {
				sh.t.Errorf("the services imported are not cd67890-ovh's:\n%s", out)
			}
		},
	},
	"import": {
		prepare: func(sh *shell) {
			sh.write("accounts.csv", newAccountsCSV)
			sh.write("services.csv", newServicesCSV)
		},
		check: func(sh *shell) { sh.accounts(10, "--db", "other.db") },
	},
	"init": {
		fresh:   true,
		prepare: func(sh *shell) { sh.subst["postgres://desk@db.internal/contactdesk"] = pgtest.URL(sh.t) },
		check: func(sh *shell) {
			sh.accounts(0, "--db", "desk.db")
			sh.accounts(0, "--db", sh.subst["postgres://desk@db.internal/contactdesk"])
		},
	},
	"request": {
		// the token of the mail mail list shows, once request create
		// has made it
		prepare: func(sh *shell) {
			sh.later["7K3Q-9XWM-…"] = func() string { return sh.requestToken("cd67890-ovh", 9) }
		},
		check: func(sh *shell) { sh.requestState(9, "validatingByCustomers") }, // xx11111-ovh's answer is awaited
	},
	"request accept": {
		alone:   true,
		prepare: func(sh *shell) { sh.subst["7K3Q-9XWM-4HBT-…"] = sh.requestToken("xx11111-ovh", 8) },
		check:   func(sh *shell) { sh.answered(8, "xx11111-ovh") },
	},
	"request refuse": {
		alone:   true,
		prepare: func(sh *shell) { sh.subst["7K3Q-9XWM-4HBT-…"] = sh.requestToken("xx11111-ovh", 6) },
		check:   func(sh *shell) { sh.requestState(6, "refused") },
	},
	"profile confirm-email": {
		prepare: func(sh *shell) { sh.emailToken() },
		check:   func(sh *shell) { sh.email("ab12345-ovh", "ana@new.example") },
	},
	"profile refuse-email": {
		prepare: func(sh *shell) { sh.emailToken() },
		check:   func(sh *shell) { sh.email("ab12345-ovh", "alice.brandao@example.com") },
	},
}

// the CSV files of the imports, as their help describes them: new
// accounts, and services whose contacts are accounts of the demo
const (
	newAccountsCSV = "handle,name,email,owes,lang\nnn10001-ovh,Nuno Nogueira,nuno@nogueira.pt,,pt\noo20002-ovh,Odile Olivier,odile@olivier.fr,12.50,fr\n"
	newServicesCSV = "name,type,admin,tech,billing\nduarte-consulting.fr,domain,cd67890-ovh,cd67890-ovh,cd67890-ovh\nvps-9f8e7d6c.vps.ovh.net,vps,cd67890-ovh,ef24680-ovh,cd67890-ovh\n"
)

// runTyped runs every example of c as typed (see above), then checks
// what they did.
func runTyped(t *testing.T, c *cobra.Command, path string, needs typedNeeds) {
	exs := examples(c.Example)
	if len(exs) == 0 {
		t.Fatalf("%s: no example", path)
	}
	runs := [][]string{exs}
	if needs.alone {
		runs = nil
		for _, ex := range exs {
			runs = append(runs, []string{ex})
		}
	}
	for _, exs := range runs {
		sh := &shell{t: t, d: newDesk(t), subst: map[string]string{}, later: map[string]func() string{}, date: time.Now().Format("2006-01-02")}
		sh.root = filepath.Join(sh.d.dir, "root")
		t.Cleanup(sh.stopServing)          // a serve still running when an example fails
		delete(sh.d.env, "CONTACTDESK_DB") // the desk is contactdesk.db, in the working directory
		t.Chdir(sh.d.dir)
		if !needs.fresh {
			sh.ok("demo")
		}
		if needs.prepare != nil {
			needs.prepare(sh)
		}
		for _, ex := range exs {
			sh.run(ex)
		}
		sh.stopServing()
		if needs.check != nil && !t.Failed() {
			needs.check(sh)
		}
	}
}

// shell runs the examples: enough of sh for them (words, quotes, |, <,
// >, <(…), # comments, ~, $(date +%F), zsh's ${fpath[1]}), and of the
// commands they pipe into contactdesk.
type shell struct {
	t       *testing.T
	d       *desk
	root    string                   // where an absolute path of an example lands
	subst   map[string]string        // a placeholder word of the help → the value the user has
	later   map[string]func() string // … or will have, once the examples before it ran
	agent   string                   // what ssh-add -L prints
	last    string                   // the output of the examples so far
	date    string                   // what date +%F prints
	serving *serving                 // the serve started last, until the next example
}

type serving struct {
	listen string            // the SSH address as typed (or the default)
	addr   map[string]string // "ssh", "http", "metrics": where it serves in the test
	log    *syncbuf.Buffer
	stop   func() int
}

func (sh *shell) ok(args ...string) string { sh.t.Helper(); return sh.okIn("", args...) }

func (sh *shell) okIn(stdin string, args ...string) string {
	sh.t.Helper()
	r := sh.d.runIn(stdin, args...)
	if r.code != 0 {
		sh.t.Fatalf("contactdesk %s: exit %d: %s", strings.Join(args, " "), r.code, r.err)
	}
	return r.out
}

// path is where the absolute path p of an example is, under the test's
// root.
func (sh *shell) path(p string) string { return filepath.Join(sh.root, p) }

func (sh *shell) write(name, content string) {
	if err := os.WriteFile(filepath.Join(sh.d.dir, name), []byte(content), 0o644); err != nil {
		sh.t.Fatal(err)
	}
}

var shownBefore = map[string]*regexp.Regexp{
	// an application key: what api-key add printed before
	"7kQ2pX9aLm3vB8nR": regexp.MustCompile(`application key:\s+(\S+)`),
	// a fingerprint: what key add printed before
	"SHA256:56vgkZlE…": regexp.MustCompile(`(SHA256:[A-Za-z0-9+/]{43})`),
}

// run runs one example line; a failure is the test's, naming the line
// as the help shows it (never a token put in its place).
func (sh *shell) run(ex string) {
	t := sh.t
	t.Helper()
	line := strings.ReplaceAll(ex, "$(date +%F)", sh.date)
	line = strings.ReplaceAll(line, "${fpath[1]}", "/usr/local/share/zsh/site-functions")
	words := shellWords(line)
	for i, w := range words {
		if v, ok := sh.subst[w]; ok {
			words[i] = v
		} else if f, ok := sh.later[w]; ok {
			words[i] = f()
		} else if re, ok := shownBefore[w]; ok {
			m := re.FindAllStringSubmatch(sh.last, -1)
			if m == nil {
				t.Fatalf("the example %q: no example before it printed the value of %s", ex, w)
			}
			words[i] = m[len(m)-1][1]
		}
		switch {
		case strings.HasPrefix(w, "~/"):
			words[i] = filepath.Join(sh.d.dir, w[2:])
		case strings.HasPrefix(w, "/"):
			words[i] = sh.path(w)
			if err := os.MkdirAll(filepath.Dir(words[i]), 0o755); err != nil { // the machine's folders
				t.Fatal(err)
			}
		}
	}
	if len(words) > 3 && words[0] == "source" && words[1] == "<(" && words[len(words)-1] == ")" {
		if script := sh.pipeline(ex, words[2:len(words)-1]); !strings.Contains(script, " -F __start_contactdesk contactdesk\n") {
			t.Errorf("the example %q: source reads no bash completion:\n%.300s", ex, script)
		}
		return
	}

	sh.last += sh.pipeline(ex, words)
}

// pipeline runs words, commands joined by |, and returns what the last
// writes to its standard output (nothing when it is redirected).
func (sh *shell) pipeline(ex string, words []string) string {
	t := sh.t
	t.Helper()
	in := ""
	for seg := range strings.SplitSeq(strings.Join(words, "\x00"), "\x00|\x00") {
		args := strings.Split(seg, "\x00")
		var to string
		for i := 0; i < len(args)-1; i++ {
			switch args[i] {
			case "<":
				b, err := os.ReadFile(args[i+1])
				if err != nil {
					t.Fatalf("the example %q: %v", ex, err)
				}
				in = string(b)
			case ">":
				to = args[i+1]
			default:
				continue
			}
			args = slices.Delete(args, i, i+2)
			i--
		}
		out := ""
		switch {
		case args[0] == "contactdesk" && len(args) > 1 && args[1] == "serve":
			sh.serve(ex, args[1:])
		case args[0] == "contactdesk":
			sh.stopServing()
			r := sh.d.runIn(in, args[1:]...)
			if r.code != 0 {
				t.Fatalf("the example %q: exit %d: %s", ex, r.code, r.err)
			}
			out = r.out
		case slices.Equal(args, []string{"ssh-add", "-L"}):
			out = sh.agent
		case slices.Equal(args, []string{"head", "-1"}):
			out, _, _ = strings.Cut(in, "\n")
			out += "\n"
		case args[0] == "jq" && (len(args) == 2 || len(args) == 3 && args[1] == "-r"):
			var err error
			if out, err = jq(args, in); err != nil {
				t.Fatalf("the example %q: %v", ex, err)
			}
		case len(args) == 4 && args[0] == "ssh" && args[1] == "-p":
			sh.sshReach(ex, args[2], args[3])
			sh.sshBanner(ex)
		default:
			t.Fatalf("the example %q: the test does not know %q", ex, args)
		}
		if to != "" {
			if err := os.WriteFile(to, []byte(out), 0o644); err != nil {
				t.Fatalf("the example %q: %v", ex, err)
			}
			out = ""
		}
		in = out
	}
	return in
}

// shellWords splits a line as sh does: quotes, and the operators |, <,
// > and <( … ) as words of their own; a word that starts with # ends it.
func shellWords(line string) []string {
	var words []string
	var w strings.Builder
	inWord, quote := false, rune(0)
	end := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			end()
		case r == '#' && !inWord:
			return words
		case r == '<' && i+1 < len(rs) && rs[i+1] == '(':
			end()
			words = append(words, "<(")
			i++
		case r == '|' || r == '<' || r == '>' || r == ')':
			end()
			words = append(words, string(r))
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	end()
	return words
}

// serve starts serve as the example asks, on 127.0.0.1 and ports the
// system picks, and waits until it answers on each: the SSH banner, GET
// /healthz on its web page and its metrics' address.
func (sh *shell) serve(ex string, args []string) {
	t := sh.t
	t.Helper()
	sh.stopServing()
	args = slices.Clone(args)
	s := &serving{addr: map[string]string{}, log: &syncbuf.Buffer{}}
	c, _, _ := newRoot(&app{}).Find([]string{"serve"})
	s.listen = c.Flags().Lookup("listen").DefValue
	listens := false
	for i := 1; i < len(args); i++ {
		switch args[i-1] {
		case "--listen", "--http", "--metrics":
			if args[i-1] == "--listen" {
				listens, s.listen = true, args[i]
			}
			if args[i] != "none" {
				args[i] = "127.0.0.1:0"
			}
		}
	}
	if !listens {
		args = append(args, "--listen", "127.0.0.1:0") // its default, 127.0.0.1:2222, may be taken
	}
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- Run(ctx, args, strings.NewReader(""), io.Discard, s.log, func(k string) string { return sh.d.env[k] })
	}()
	s.stop = func() int { cancel(); return <-code }
	sh.serving = s
	if err := waitServing(s.log, args, code, s.addr); err != nil {
		t.Fatalf("the example %q: %v", ex, err)
	}
	if _, ok := s.addr["ssh"]; ok {
		sh.sshBanner(ex)
	}
	client := http.DefaultClient
	scheme := "http"
	if slices.Contains(args, "--tls-cert") {
		pool := x509.NewCertPool()
		b, _ := os.ReadFile(args[slices.Index(args, "--tls-cert")+1])
		pool.AppendCertsFromPEM(b)
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		scheme = "https"
	}
	for what, base := range map[string]string{"http": scheme + "://" + s.addr["http"], "metrics": "http://" + s.addr["metrics"]} {
		if s.addr[what] == "" {
			continue
		}
		res, err := client.Get(base + "/healthz")
		if err != nil {
			t.Fatalf("the example %q: GET %s/healthz: %v", ex, what, err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("the example %q: GET /healthz on its %s address: %s", ex, what, res.Status)
		}
	}
}

// sshReach checks that the serve started last, as typed, listens where
// "ssh -p port host" reaches it: on that port, and, for a host other
// than this machine, on an address other machines reach (not the
// loopback).
func (sh *shell) sshReach(ex, port, host string) {
	t := sh.t
	t.Helper()
	if sh.serving == nil {
		t.Fatalf("the example %q: no serve runs before it", ex)
	}
	h, p, err := net.SplitHostPort(sh.serving.listen)
	if err != nil {
		t.Fatalf("the example %q: serve's --listen %q: %v", ex, sh.serving.listen, err)
	}
	ip := net.ParseIP(h)
	local := h == "localhost" || ip != nil && ip.IsLoopback()
	if p != port || local && host != "localhost" && !net.ParseIP(host).IsLoopback() {
		t.Errorf("the example %q: the serve before it listens on %s, which it does not reach", ex, sh.serving.listen)
	}
}

// sshBanner dials the SSH server of the serve started last and reads its
// banner, what ssh reads first.
func (sh *shell) sshBanner(ex string) {
	t := sh.t
	t.Helper()
	if sh.serving == nil || sh.serving.addr["ssh"] == "" {
		t.Fatalf("the example %q: no serve runs an SSH server before it", ex)
	}
	c, err := net.Dial("tcp", sh.serving.addr["ssh"])
	if err != nil {
		t.Fatalf("the example %q: %v", ex, err)
	}
	defer c.Close()
	b := make([]byte, 8)
	if _, err := io.ReadFull(c, b); err != nil || string(b) != "SSH-2.0-" {
		t.Errorf("the example %q: the SSH server said %q (%v)", ex, b, err)
	}
}

// stopServing stops the serve started last: as on Ctrl-C, exit 0.
func (sh *shell) stopServing() {
	if s := sh.serving; s != nil {
		sh.serving = nil
		if n := s.stop(); n != 0 {
			sh.t.Errorf("serve stopped with exit %d:\n%s", n, s.log.String())
		}
	}
}

// accounts checks that the desk (args: --db …) lists n accounts.
func (sh *shell) accounts(n int, args ...string) {
	sh.t.Helper()
	if got := decode[[]map[string]any](sh.t, sh.ok(append(args, "account", "list", "--json")...)); len(got) != n {
		sh.t.Errorf("%v: %d accounts, want %d", args, len(got), n)
	}
}

// keys checks that handle has n SSH keys and returns their fingerprints.
func (sh *shell) keys(handle string, n int) []string {
	sh.t.Helper()
	var fps []string
	for _, k := range decode[[]struct{ Fingerprint string }](sh.t, sh.ok("key", "list", handle, "--json")) {
		fps = append(fps, k.Fingerprint)
	}
	if len(fps) != n {
		sh.t.Fatalf("%s has %d SSH keys, want %d", handle, len(fps), n)
	}
	return fps
}

type consumerKey struct{ AppKey, Number string }

// apiKeys checks that the desk has n consumer keys and returns them.
func (sh *shell) apiKeys(n int) []consumerKey {
	sh.t.Helper()
	var ks []consumerKey
	for _, k := range decode[[]struct {
		ApplicationKey string
		ConsumerKeys   []struct {
			CredentialID json.Number
		}
	}](sh.t, sh.ok("api-key", "list", "--json")) {
		for _, c := range k.ConsumerKeys {
			ks = append(ks, consumerKey{k.ApplicationKey, c.CredentialID.String()})
		}
	}
	if len(ks) != n {
		sh.t.Fatalf("%d consumer keys, want %d: %v", len(ks), n, ks)
	}
	return ks
}

// emailToken asks for ab12345-ovh's change of address as profile
// set-email's help does, and takes the token from the mail to the new
// address, for the examples' placeholder.
func (sh *shell) emailToken() {
	sh.ok("profile", "set-email", "ana@new.example", "--as", "ab12345-ovh")
	for _, m := range decode[[]struct{ Kind, Address, Token string }](sh.t, sh.ok("mail", "list", "--as", "ab12345-ovh", "--json")) {
		if m.Kind == "email-confirm" && m.Address == "ana@new.example" && m.Token != "" {
			sh.subst["7K3Q-9XWM-…"] = m.Token
			return
		}
	}
	sh.t.Fatal("no token mailed to ana@new.example")
}

// requestToken is the token of handle's mail about request id, as mail
// list shows it (the newest, still to answer with).
func (sh *shell) requestToken(handle string, id int) string {
	sh.t.Helper()
	for _, m := range decode[[]struct {
		Request *int
		Token   string
	}](sh.t, sh.ok("mail", "list", "--as", handle, "--json")) {
		if m.Request != nil && *m.Request == id && m.Token != "" {
			return m.Token
		}
	}
	sh.t.Fatalf("no token of %s for request %d in the mailbox", handle, id)
	return ""
}

func (sh *shell) requestState(id int, want string) {
	sh.t.Helper()
	if r := decode[map[string]any](sh.t, sh.ok("request", "show", strconv.Itoa(id), "--as", "xx11111-ovh", "--json")); r["state"] != want {
		sh.t.Errorf("request #%d is %v, want %s", id, r["state"], want)
	}
}

// answered checks that handle's answer to request id is recorded.
func (sh *shell) answered(id int, handle string) {
	sh.t.Helper()
	r := decode[struct{ Parties []map[string]any }](sh.t, sh.ok("request", "show", strconv.Itoa(id), "--as", handle, "--json"))
	for _, p := range r.Parties {
		if p["handle"] == handle && p["answer"] == "accepted" {
			return
		}
	}
	sh.t.Errorf("request #%d: %s's answer is not recorded: %v", id, handle, r.Parties)
}

func (sh *shell) email(handle, want string) {
	sh.t.Helper()
	for _, a := range decode[[]struct{ Handle, Email string }](sh.t, sh.ok("account", "list", "--json")) {
		if a.Handle == handle && a.Email != want {
			sh.t.Errorf("%s's address is %s, want %s", handle, a.Email, want)
		}
	}
}

// script checks that the file the example wrote starts with (or holds)
// what a shell or man reads.
func (sh *shell) script(path, holds string) {
	sh.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 1000 || !strings.Contains("\n"+string(b), holds) {
		sh.t.Errorf("%s (%v): %d bytes, without %q", path, err, len(b), holds)
	}
}

// sshKey writes a new public key to path (none: not written), as
// ssh-keygen does, and returns its line.
func (sh *shell) sshKey(path string) string {
	line := sshKeyLine(sh.t, "you@host")
	if path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			sh.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(line), 0o644); err != nil {
			sh.t.Fatal(err)
		}
	}
	return line
}

// sshKeyLine is a new key's authorized_keys line, as ssh-add -L writes
// one.
func sshKeyLine(t *testing.T, comment string) string {
	line, _ := pubKey(t, comment)
	return line
}

// selfSignedCert writes a certificate for 127.0.0.1 and its key, PEM.
func selfSignedCert(t *testing.T, certFile, keyFile string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "desk.example.net"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"desk.example.net"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644) != nil ||
		os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600) != nil {
		t.Fatal("cert.pem, key.pem not written")
	}
}
