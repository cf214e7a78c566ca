package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"contactdesk/internal/syncbuf"
	"contactdesk/storage"
)

// apiDesk makes a desk with two accounts.
func apiDesk(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "desk.db")
	st, err := storage.Open(db, storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, h := range []string{"aa11111-ovh", "bb22222-ovh"} {
		if code, _, e := cliRun(t, db, "", "account", "add", h, "--name", "N "+h, "--email", h+"@example.pt"); code != 0 {
			t.Fatal(e)
		}
	}
	return db
}

func TestAPIKeyCommands(t *testing.T) {
	db := apiDesk(t)
	code, out, errOut := cliRun(t, db, "", "api-key", "add", "AA11111-ovh", "--name", "billing sync")
	re := regexp.MustCompile(`(?s)^API key (\w{16}) now acts as aa11111-ovh\. Its credentials, shown this once:\n\n` +
		`  application key:    (\w{16})\n  application secret: (\w{32})\n  consumer key:       (\w{32})\n\n.*Bearer.*password\.\n$`)
	m := re.FindStringSubmatch(out)
	if code != 0 || m == nil || m[1] != m[2] {
		t.Fatalf("api-key add: %d %q %q", code, out, errOut)
	}
	keyFile := db + ".api_key"
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 || !strings.Contains(errOut, "made the API secret key "+keyFile) {
		t.Fatalf("the API secret key beside the database: %v %v; stderr %q", fi, err, errOut)
	}
	secret, consumer := m[3], m[4]

	code, out, errOut = cliRun(t, db, "", "api-key", "add", "bb22222-ovh", "--json")
	var credsJSON map[string]any
	creds := map[string]string{}
	if code != 0 || errOut != "" || json.Unmarshal([]byte(out), &credsJSON) != nil {
		t.Fatalf("api-key add --json: %d %q %q", code, out, errOut)
	}
	for _, f := range []string{"applicationKey", "applicationSecret", "consumerKey", "handle", "name", "created", "rules"} {
		if s, ok := credsJSON[f].(string); ok {
			creds[f] = s
		}
		if _, ok := credsJSON[f]; !ok {
			t.Errorf("api-key add --json has no %q: %s", f, out)
		}
	}
	if len(creds["applicationSecret"]) != 32 || len(creds["consumerKey"]) != 32 || creds["handle"] != "bb22222-ovh" {
		t.Errorf("api-key add --json: %s", out)
	}

	for _, bad := range [][]string{{"zz99999-ovh"}, {"not-a-handle"}, {"aa11111-ovh", "--name", "x\x1b[2J"}} {
		if code, _, errOut := cliRun(t, db, "", append([]string{"api-key", "add"}, bad...)...); code != 1 || !strings.HasPrefix(errOut, "contactdesk: ") {
			t.Errorf("api-key add %q: %d %q", bad, code, errOut)
		}
	}

	// Listed, never with a secret.
	code, out, _ = cliRun(t, db, "", "api-key", "list")
	if code != 0 || !strings.HasPrefix(out, "APPLICATION KEY") || !strings.Contains(out, m[1]+"  aa11111-ovh  billing sync") || !strings.Contains(out, creds["applicationKey"]) {
		t.Fatalf("api-key list: %q", out)
	}
	code, out, _ = cliRun(t, db, "", "api-key", "list", "aa11111-ovh", "--json")
	var list []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || list[0]["applicationKey"] != m[1] || list[0]["lastUsed"] != "" {
		t.Fatalf("api-key list --json: %q", out)
	}
	for _, s := range []string{secret, consumer, creds["applicationSecret"], creds["consumerKey"]} {
		_, all, _ := cliRun(t, db, "", "api-key", "list", "--json")
		if strings.Contains(all, s) {
			t.Fatal("api-key list shows a secret")
		}
	}

	if code, _, errOut := cliRun(t, db, "", "api-key", "list", "aa11111-ovh", "bb22222-ovh"); code != 2 || !strings.Contains(errOut, "api-key list takes at most one handle, not 2 arguments") {
		t.Errorf("api-key list with two handles: %d %q", code, errOut)
	}
	// A secret pasted where the application key goes is refused without
	// being printed back: its first characters only.
	for _, s := range []string{creds["consumerKey"], creds["applicationSecret"]} {
		code, _, errOut := cliRun(t, db, "", "api-key", "remove", s)
		if code != 1 || strings.Contains(errOut, s) || !strings.Contains(errOut, `no API key has the application key "`+s[:4]+`…"`) {
			t.Errorf("api-key remove with a secret: %d %q", code, errOut)
		}
	}
	// Removed: gone from the list, and a second time is refused.
	if code, out, errOut = cliRun(t, db, "", "api-key", "remove", m[1]); code != 0 || out != "API key "+m[1]+" of aa11111-ovh removed: it no longer works\n" {
		t.Fatalf("api-key remove: %d %q %q", code, out, errOut)
	}
	if code, _, errOut = cliRun(t, db, "", "api-key", "remove", m[1]); code != 1 || !strings.Contains(errOut, "no API key has the application key") {
		t.Fatalf("api-key remove twice: %d %q", code, errOut)
	}
	if _, out, _ = cliRun(t, db, "", "api-key", "list", "aa11111-ovh"); strings.Contains(out, m[1]) {
		t.Fatalf("a removed key is listed: %q", out)
	}

	// A key file others may read is refused, as an SSH host key is.
	os.Chmod(keyFile, 0o644)
	if code, _, errOut = cliRun(t, db, "", "api-key", "add", "aa11111-ovh"); code != 1 || !strings.Contains(errOut, "chmod 600") {
		t.Fatalf("a key file others may read: %d %q", code, errOut)
	}
	os.Chmod(keyFile, 0o600)
	// A key file that opens none of the desk's keys (a mistyped path, or
	// the file lost) is refused for a new key, and not left behind: the
	// new key would fail on the server that has the right file. A file
	// that is not there is said to be missing (a desk copied or restored
	// elsewhere, its file left behind), not to be the wrong key.
	right, _ := os.ReadFile(keyFile)
	os.Remove(keyFile)
	typo := filepath.Join(t.TempDir(), "other.key")
	before := listKeys(t, db)
	for _, file := range []string{keyFile, typo} {
		code, out, errOut = cliRun(t, db, "", "api-key", "add", "aa11111-ovh", "--api-secret-key", file)
		if code != 1 || out != "" || !strings.Contains(errOut, "there is no API secret key at "+file+", and a new one would not open the desk's API key, sealed under another file") || !strings.Contains(errOut, "copy it beside the desk") || !strings.Contains(errOut, "Nothing was changed") {
			t.Errorf("api-key add under %s, which is not there: %d %q %q", file, code, out, errOut)
		}
		if _, err := os.Stat(file); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the refused key file %s was left behind: %v", file, err)
		}
	}
	// A key file that is there, of another desk, is the wrong one; it
	// is left as it was.
	wrong := filepath.Join(t.TempDir(), "wrong.key")
	os.WriteFile(wrong, []byte(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))+"\n"), 0o600)
	code, out, errOut = cliRun(t, db, "", "api-key", "add", "aa11111-ovh", "--api-secret-key", wrong)
	if code != 1 || out != "" || !strings.Contains(errOut, wrong+" is not the API secret key of the desk's API key (it does not open with it)") || !strings.Contains(errOut, "Nothing was changed") {
		t.Errorf("api-key add under %s, of another desk: %d %q %q", wrong, code, out, errOut)
	}
	if _, err := os.Stat(wrong); err != nil {
		t.Errorf("the other desk's key file was removed: %v", err)
	}
	if after := listKeys(t, db); after != before {
		t.Errorf("a refused api-key add changed the keys:\n%s\n---\n%s", before, after)
	}
	// Given the right file back, a key is added, without a warning.
	os.WriteFile(keyFile, right, 0o600)
	if code, _, errOut = cliRun(t, db, "", "api-key", "add", "aa11111-ovh"); code != 0 || errOut != "" {
		t.Fatalf("api-key add with the right file: %d %q", code, errOut)
	}
	// serve refuses such a file too: behind a load balancer, the node
	// would refuse every signed call while the others take them.
	os.Remove(keyFile)
	for _, file := range []string{keyFile, typo} {
		code, _, errOut = cliRun(t, db, "", "serve", "--listen", "none", "--http", "127.0.0.1:0", "--api-secret-key", file)
		if code != 1 || !strings.Contains(errOut, "there is no API secret key at "+file+", and a new one would open none of the desk's 2 API keys") {
			t.Errorf("serve --http under %s, which opens no key of the desk: %d %q", file, code, errOut)
		}
		if _, err := os.Stat(file); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("serve left the refused key file %s behind: %v", file, err)
		}
	}
	// The file lost for good: once the old keys are removed, a new file
	// is made for the new ones.
	os.Remove(keyFile)
	var left []map[string]string
	json.Unmarshal([]byte(listKeys(t, db)), &left)
	for _, k := range left {
		cliRun(t, db, "", "api-key", "remove", k["applicationKey"])
	}
	if code, _, errOut = cliRun(t, db, "", "api-key", "add", "aa11111-ovh"); code != 0 || !strings.Contains(errOut, "made the API secret key") || strings.Contains(errOut, "warning") {
		t.Fatalf("api-key add once the old keys are removed: %d %q", code, errOut)
	}
	// With PostgreSQL, the key file must be named: every node needs the same.
	code, _, errOut = cliRun(t, "postgres://nobody@127.0.0.1:1/none", "", "api-key", "add", "aa11111-ovh")
	if code != 2 || !strings.Contains(errOut, "--api-secret-key PATH") {
		t.Fatalf("api-key add on PostgreSQL without --api-secret-key: %d %q", code, errOut)
	}
	code, _, errOut = cliRun(t, db, "", "api-key", "add", "aa11111-ovh", "--api-secret-key", filepath.Join(t.TempDir(), "k"), "--as", "aa11111-ovh")
	if code != 2 || !strings.Contains(errOut, "does not act as an account") {
		t.Fatalf("api-key add --as: %d %q", code, errOut)
	}
}

// TestServeHTTP runs `contactdesk serve --http` as an operator would,
// alone and beside SSH, and calls it with the official client and a
// bearer.
func TestServeHTTP(t *testing.T) {
	db := apiDesk(t)
	if code, _, e := cliRun(t, db, "", "service", "add", "alice.pt", "--type", "domain", "--admin", "aa11111-ovh", "--tech", "aa11111-ovh", "--billing", "aa11111-ovh"); code != 0 {
		t.Fatal(e)
	}
	_, out, _ := cliRun(t, db, "", "api-key", "add", "aa11111-ovh", "--json")
	var creds map[string]string
	json.Unmarshal([]byte(out), &creds)

	if code, _, errOut := cliRun(t, db, "", "serve", "--listen", "none"); code != 2 || !strings.Contains(errOut, "nothing to serve") {
		t.Fatalf("serve --listen none without --http: %d %q", code, errOut)
	}
	for _, args := range [][]string{
		{"--http", "127.0.0.1:0", "--listen", "none"},
		{"--http", "127.0.0.1:0", "--listen", "127.0.0.1:0"},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		var stdout, log syncbuf.Buffer
		code := make(chan int, 1)
		go func() {
			code <- Run(ctx, append([]string{"--db", db, "serve"}, args...), strings.NewReader(""), &stdout, &log, func(string) string { return "" })
		}()
		re := regexp.MustCompile(`msg="serving HTTP" addr=(\S+)`)
		var addr string
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if m := re.FindStringSubmatch(log.String()); m != nil {
				addr = m[1]
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("serve %q did not start: %s", args, log.String())
			}
		}
		cl, err := ovh.NewClient("http://"+addr+"/1.0", creds["applicationKey"], creds["applicationSecret"], creds["consumerKey"])
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		if err := cl.Get("/domain", &names); err != nil || !slices.Equal(names, []string{"alice.pt"}) {
			t.Fatalf("serve %q: GET /domain: %v %v\n%s", args, names, err, log.String())
		}
		req, _ := http.NewRequest("GET", "http://"+addr+"/1.0/me", nil)
		req.Header.Set("Authorization", "Bearer "+creds["consumerKey"])
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("serve %q: bearer: %v %v", args, res, err)
		}
		res.Body.Close()
		sshOn := strings.Contains(log.String(), "msg=serving addr=")
		if sshOn != (args[3] != "none") {
			t.Errorf("serve %q: SSH served %v:\n%s", args, sshOn, log.String())
		}
		start := time.Now()
		cancel()
		select {
		case n := <-code:
			if n != 0 {
				t.Fatalf("serve %q exited %d:\n%s", args, n, log.String())
			}
		case <-time.After(12 * time.Second):
			t.Fatalf("serve %q did not stop within 10 s", args)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("serve %q took %v to stop", args, d)
		}
		l := log.String()
		for _, want := range []string{`route="GET /1.0/domain" status=200`, `route="GET /1.0/me" status=200`, "app_key=" + creds["applicationKey"]} {
			if !strings.Contains(l, want) {
				t.Errorf("serve %q: the log has no %q:\n%s", args, want, l)
			}
		}
		if strings.Contains(l, creds["consumerKey"]) || strings.Contains(l, creds["applicationSecret"]) {
			t.Errorf("serve %q: the log shows a credential", args)
		}
	}
}

// listKeys is every API key of db, as api-key list --json says them.
func listKeys(t *testing.T, db string) string {
	t.Helper()
	code, out, errOut := cliRun(t, db, "", "api-key", "list", "--json")
	if code != 0 {
		t.Fatalf("api-key list: %d %q", code, errOut)
	}
	return out
}

// TestAPIKeyAddToDevNull: api-key add whose output goes to /dev/null, or
// whose stdout is closed (Go's runtime then opens it on /dev/null), makes
// no key: every write there succeeds, and the key was kept with its
// credentials, shown only once, read by nobody. Nor does it make the API
// secret key file beside the desk: the command changed nothing.
func TestAPIKeyAddToDevNull(t *testing.T) {
	db := apiDesk(t)
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	var errb bytes.Buffer
	code := Run(context.Background(), []string{"--db", db, "api-key", "add", "aa11111-ovh"}, strings.NewReader(""), null, &errb, func(string) string { return "" })
	if code != 1 || !strings.Contains(errb.String(), "no key was made") {
		t.Errorf("api-key add > /dev/null: %d %q", code, errb.String())
	}
	if keys := listKeys(t, db); keys != "[]\n" && keys != "[]" {
		t.Errorf("a key was kept: %s", keys)
	}
	if _, err := os.Stat(db + ".api_key"); !os.IsNotExist(err) {
		t.Errorf("api-key add > /dev/null made the API secret key file %s.api_key (%v), and said so: it was to change nothing", db, err)
	}
	if strings.Contains(errb.String(), "made the API secret key") {
		t.Errorf("api-key add > /dev/null says it made the API secret key: %q", errb.String())
	}
}

// TestAPIKeyRules: api-key add --rule gives the key's consumer key the
// provider's access rules, shown when it is made and in the lists; a
// bad rule is refused, saying why, and makes nothing (not even the API
// secret key file).
func TestAPIKeyRules(t *testing.T) {
	db := apiDesk(t)
	for _, c := range []struct{ rule, want string }{
		{"GET /me", "an access rule is written METHOD:PATH, such as GET:/me/*, not \"GET /me\""},
		{"FETCH:/me", "the access rule \"FETCH:/me\" names no method the API takes: GET, POST, PUT, DELETE"},
		{"GET:me/*", "the path of the access rule \"GET:me/*\" must start with /"},
		{"GET:/me?x=1", "the path of the access rule \"GET:/me?x=1\" must start with /"},
	} {
		code, out, errOut := cliRun(t, db, "", "api-key", "add", "aa11111-ovh", "--rule", "GET:/me", "--rule", c.rule)
		if code != 1 || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("--rule %q: %d %q %q, want %q", c.rule, code, out, errOut, c.want)
		}
	}
	// nor does an account the desk has not: the key was refused, and the
	// API secret key file made (and said so on stderr) before it
	if code, out, errOut := cliRun(t, db, "", "api-key", "add", "zz99999-ovh"); code != 1 || out != "" ||
		errOut != "contactdesk: there is no account zz99999-ovh\n" {
		t.Errorf("api-key add of an account the desk has not: %d %q %q", code, out, errOut)
	}
	if _, err := os.Stat(db + ".api_key"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused key made the API secret key file: %v", err)
	}
	if _, out, _ := cliRun(t, db, "", "api-key", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("a refused key was made: %s", out)
	}

	code, out, errOut := cliRun(t, db, "", "api-key", "add", "aa11111-ovh", "--name", "dashboard", "--rule", "get:/me", "--rule", "GET:/me/*", "--rule", "GET:/me")
	if code != 0 || !strings.Contains(out, "Its consumer key may make only the calls of its access rules: GET /me, GET /me/*.\n") {
		t.Fatalf("api-key add --rule: %d %q %q", code, out, errOut)
	}
	code, out, _ = cliRun(t, db, "", "api-key", "add", "bb22222-ovh", "--json")
	var all struct {
		Rules []map[string]string `json:"rules"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &all) != nil || len(all.Rules) != 4 || all.Rules[0]["method"] != "GET" || all.Rules[0]["path"] != "/*" {
		t.Fatalf("a key without --rule: %d %s", code, out)
	}
	code, out, _ = cliRun(t, db, "", "api-key", "list")
	if code != 0 || !strings.Contains(out, "ACCESS RULES") || !regexp.MustCompile(`aa11111-ovh  dashboard .* 1 +validated +GET /me, GET /me/\*\n`).MatchString(out) ||
		!regexp.MustCompile(`bb22222-ovh .* 2 +validated +GET POST PUT DELETE /\*\n`).MatchString(out) {
		t.Fatalf("api-key list:\n%s", out)
	}
	code, out, _ = cliRun(t, db, "", "api-key", "list", "aa11111-ovh", "--json")
	var listed []struct {
		ConsumerKeys []struct {
			CredentialID int64               `json:"credentialId"`
			Status       string              `json:"status"`
			Rules        []map[string]string `json:"rules"`
		} `json:"consumerKeys"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &listed) != nil || len(listed) != 1 || len(listed[0].ConsumerKeys) != 1 ||
		listed[0].ConsumerKeys[0].Status != "validated" || len(listed[0].ConsumerKeys[0].Rules) != 2 || listed[0].ConsumerKeys[0].Rules[1]["path"] != "/me/*" {
		t.Fatalf("api-key list --json: %s", out)
	}
}

// TestAPIKeyRevoke: support revokes one consumer key of an application,
// by its number: it stops working, the application's other consumer
// keys do not; a number of another application's, or a number that is
// none, revokes nothing.
func TestAPIKeyRevoke(t *testing.T) {
	db := apiDesk(t)
	var a, b struct {
		ApplicationKey string `json:"applicationKey"`
		CredentialID   *int64 `json:"credentialId"`
	}
	_, out, _ := cliRun(t, db, "", "api-key", "add", "aa11111-ovh", "--json")
	json.Unmarshal([]byte(out), &a)
	_, out, _ = cliRun(t, db, "", "api-key", "add", "bb22222-ovh", "--json")
	json.Unmarshal([]byte(out), &b)
	// api-key add --json names its consumer key's number, the one
	// api-key list shows and revoke takes: a script that made a key
	// revokes it without reading the list.
	if a.CredentialID == nil || *a.CredentialID != 1 || b.CredentialID == nil || *b.CredentialID != 2 {
		t.Fatalf("api-key add --json: credentialId %v and %v, want 1 and 2", a.CredentialID, b.CredentialID)
	}
	if code, _, errOut := cliRun(t, db, "", "api-key", "revoke", a.ApplicationKey, "2"); code != 1 || !strings.Contains(errOut, "API key "+a.ApplicationKey+" has no consumer key numbered 2") {
		t.Fatalf("another application's number: %d %q", code, errOut)
	}
	if code, _, errOut := cliRun(t, db, "", "api-key", "revoke", a.ApplicationKey, "x1"); code != 2 || !strings.Contains(errOut, `whole number above 0`) {
		t.Fatalf("a number that is none: %d %q", code, errOut)
	}
	if code, _, errOut := cliRun(t, db, "", "api-key", "revoke", "NoSuchKey0000000", "1"); code != 1 || !strings.Contains(errOut, `no API key has the application key "NoSu…"`) {
		t.Fatalf("an unknown application key: %d %q", code, errOut)
	}
	code, out, errOut := cliRun(t, db, "", "api-key", "revoke", a.ApplicationKey, "1")
	if code != 0 || out != "consumer key #1 of API key "+a.ApplicationKey+" (aa11111-ovh) revoked: it no longer works\n" {
		t.Fatalf("revoke: %d %q %q", code, out, errOut)
	}
	_, out, _ = cliRun(t, db, "", "api-key", "list", "--json")
	var ks []struct {
		ApplicationKey string            `json:"applicationKey"`
		ConsumerKeys   []json.RawMessage `json:"consumerKeys"`
	}
	if json.Unmarshal([]byte(out), &ks) != nil || len(ks) != 2 || len(ks[0].ConsumerKeys) != 0 || len(ks[1].ConsumerKeys) != 1 {
		t.Fatalf("the keys after a revoke: %s", out)
	}
	// The table shows the application without consumer keys.
	if _, out, _ = cliRun(t, db, "", "api-key", "list", "aa11111-ovh"); !regexp.MustCompile(a.ApplicationKey + `  aa11111-ovh .* -  +-  +-\n`).MatchString(out) {
		t.Fatalf("api-key list of an application without consumer keys:\n%s", out)
	}
}
