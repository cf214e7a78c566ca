package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"contactdesk/storage"
)

// cliRun runs the command line on db and returns its exit code and output.
func cliRun(t *testing.T, db, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append([]string{"--db", db}, args...), strings.NewReader(stdin), &out, &errb, func(string) string { return "" })
	return code, out.String(), errb.String()
}

func pubKey(t *testing.T, comment string) (line, fingerprint string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pk))) + " " + comment + "\n", gossh.FingerprintSHA256(pk)
}

func TestKeyCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "desk.db")
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
	line, fp := pubKey(t, "alice@laptop")
	file := filepath.Join(dir, "id_ed25519.pub")
	os.WriteFile(file, []byte(line), 0o644)

	code, out, errOut := cliRun(t, db, "", "key", "add", "aa11111-ovh", file)
	if code != 0 || out != "ssh-ed25519 key "+fp+" (alice@laptop) now logs aa11111-ovh in over SSH\n" {
		t.Fatalf("key add: %d %q %q", code, out, errOut)
	}
	// The same key again, for anyone: refused, naming its account.
	code, _, errOut = cliRun(t, db, line, "key", "add", "bb22222-ovh", "-")
	if code != 1 || errOut != "contactdesk: key "+fp+" is already registered, for aa11111-ovh\n" {
		t.Errorf("key add of a registered key: %d %q", code, errOut)
	}
	// From stdin.
	line2, fp2 := pubKey(t, "")
	if code, out, errOut = cliRun(t, db, line2, "key", "add", "bb22222-ovh", "-"); code != 0 || !strings.Contains(out, fp2) {
		t.Errorf("key add from stdin: %d %q %q", code, out, errOut)
	}

	for _, bad := range []struct{ name, data, want string }{
		{"empty", "", "no public key found"},
		{"garbage", "hello world\n", "not an SSH public key"},
		{"private", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n", "that is a private key"},
		{"two keys", line + line2, "one public key at a time"},
		{"huge", strings.Repeat("A", maxKeyFile+10), "too big"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			code, out, errOut := cliRun(t, db, bad.data, "key", "add", "aa11111-ovh", "-")
			if code != 1 || !strings.Contains(errOut, bad.want) || strings.Count(errOut, "\n") != 1 || out != "" {
				t.Errorf("%d %q %q, want one line saying %q", code, out, errOut, bad.want)
			}
		})
	}
	if code, _, errOut = cliRun(t, db, "", "key", "add", "aa11111-ovh", filepath.Join(dir, "missing.pub")); code != 1 || !strings.Contains(errOut, "can't read the public key") {
		t.Errorf("missing file: %d %q", code, errOut)
	}
	if code, _, errOut = cliRun(t, db, line, "key", "add", "zz99999-ovh", "-"); code != 1 {
		t.Errorf("unknown account: %d %q", code, errOut)
	}

	code, out, _ = cliRun(t, db, "", "key", "list")
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.HasPrefix(out, "HANDLE") || !strings.Contains(out, "alice@laptop") {
		t.Errorf("key list (nothing bad stored):\n%s", out)
	}
	code, out, _ = cliRun(t, db, "", "key", "list", "aa11111-ovh", "--json")
	var ks []keyJSON
	if err := json.Unmarshal([]byte(out), &ks); code != 0 || err != nil || len(ks) != 1 {
		t.Fatalf("key list --json: %d %v %q", code, err, out)
	}
	if k := ks[0]; k.Handle != "aa11111-ovh" || k.Type != "ssh-ed25519" || k.Fingerprint != fp || k.Comment != "alice@laptop" || k.Added == "" {
		t.Errorf("key list --json: %+v", k)
	}
	if code, _, _ = cliRun(t, db, "", "key", "list", "a", "b"); code != 2 {
		t.Errorf("key list with two handles: exit %d", code)
	}

	if code, out, _ = cliRun(t, db, "", "key", "remove", fp); code != 0 || !strings.Contains(out, "no longer logs in") {
		t.Errorf("key remove: %d %q", code, out)
	}
	if code, _, errOut = cliRun(t, db, "", "key", "remove", fp); code != 1 || !strings.Contains(errOut, "no key with fingerprint") {
		t.Errorf("key remove again: %d %q", code, errOut)
	}
	if _, out, _ = cliRun(t, db, "", "key", "list", "aa11111-ovh"); strings.Contains(out, fp) {
		t.Errorf("removed key still listed:\n%s", out)
	}
}
