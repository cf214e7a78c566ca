package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"contactdesk/model/text"
)

// The command line, fuzzed: go test -fuzz=FuzzRun ./cli/.
// An input is the arguments joined by NUL, which no argument can hold.

// fuzzDesk is a demo desk the fuzzed commands run on, one per process.
var fuzzDesk = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "contactdesk-fuzz")
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "desk.db")
	var out, errb bytes.Buffer
	if code := Run(context.Background(), []string{"--db", p, "demo"}, strings.NewReader(""), &out, &errb, func(string) string { return "" }); code != 0 {
		return "", errors.New(errb.String())
	}
	return p, nil
})

// outOfBounds says which inputs the fuzzer may not run: what would serve
// forever (serve), reach out (real mail, PostgreSQL), write outside the fuzz desk
// (--db, --host-key), build a huge desk (--services), or read a device
// or another absolute path (key add).
func outOfBounds(args []string) bool {
	for _, a := range args {
		if a == "serve" || a == "migrate" || strings.HasPrefix(a, "/") || strings.Contains(a, "postgres") {
			return true
		}
		if strings.HasPrefix(a, "-") {
			for _, f := range []string{"db", "smtp", "mail-from", "listen", "host-key", "services"} {
				if strings.Contains(a, f) {
					return true
				}
			}
		}
	}
	return false
}

// terminalSafe fails the test when output could act on a terminal: an
// escape sequence, a control character other than newline and tab, a
// text-direction override, or invalid UTF-8.
func terminalSafe(t *testing.T, args []string, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%q: %s is not valid UTF-8: %q", args, what, s)
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && (text.IsControl(r) || text.IsBidiControl(r)) {
			t.Fatalf("%q: %s holds %U: %q", args, what, r, s)
		}
	}
}

func FuzzRun(f *testing.F) {
	for _, seed := range []string{
		"services\x00--as\x00xx11111-ovh",
		"request\x00create\x00--as\x00xx11111-ovh\x00--service\x00xara.pt\x00--role\x00tech\x00--to\x00yy22222-ovh\x00--json",
		"account\x00add\x00ab99999-ovh\x00--name\x00\x1b]0;pwned\x07Eve\x00--email\x00eve@example.com",
		// failures with --json: their line is JSON
		"services\x00--as\x00zz99999-ovh\x00--json",
		"--json\x00services\x00--as\x00\x1b]0;pwned\x07\x00--bogus",
	} {
		f.Add(seed)
	}
	f.Cleanup(func() {
		if p, err := fuzzDesk(); err == nil {
			os.RemoveAll(filepath.Dir(p))
		}
	})
	f.Fuzz(func(t *testing.T, in string) {
		args := strings.Split(in, "\x00")
		if in == "" {
			args = nil
		}
		if outOfBounds(args) {
			return
		}
		p, err := fuzzDesk()
		if err != nil {
			t.Fatal(err)
		}
		env := func(k string) string {
			if k == "CONTACTDESK_DB" {
				return p
			}
			return ""
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var out, errb bytes.Buffer
		code := Run(ctx, args, strings.NewReader(""), &out, &errb, env)
		// a failure says why in one line that starts with
		// "contactdesk: ", or with --json, one line of JSON
		// (errjson_test.go)
		asJSON := strings.HasPrefix(errb.String(), `{"error":`)
		switch {
		case code < 0 || code > 2:
			t.Fatalf("%q: exit code %d", args, code)
		case code != 0 && !asJSON && !strings.HasPrefix(errb.String(), "contactdesk: "):
			t.Fatalf("%q: exit %d with stderr %q", args, code, errb.String())
		case code == 1 && strings.Count(errb.String(), "\n") != 1:
			t.Fatalf("%q: exit 1 with more than one line: %q", args, errb.String())
		case code != 0 && asJSON:
			var e struct {
				Error struct{ Message, Kind string }
			}
			if err := json.Unmarshal(errb.Bytes(), &e); err != nil || strings.Count(errb.String(), "\n") != 1 || e.Error.Message == "" || e.Error.Kind == "" {
				t.Fatalf("%q: exit %d with stderr %q: not one line of JSON with a message and a kind (%v)", args, code, errb.String(), err)
			}
		}
		terminalSafe(t, args, "stdout", out.String())
		terminalSafe(t, args, "stderr", errb.String())
	})
}
