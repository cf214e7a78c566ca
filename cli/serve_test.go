package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"contactdesk/internal/syncbuf"
	"contactdesk/storage"
)

// TestServe runs `contactdesk serve` as an operator would: the host key is
// made at first start and kept, a registered key gets the app, and SIGINT
// (here: the command's context ending) stops it cleanly.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "desk.db")
	st, err := storage.Open(db, storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, args := range [][]string{
		{"account", "add", "aa11111-ovh", "--name", "Alice", "--email", "alice@example.pt"},
		{"service", "add", "alice.pt", "--type", "domain", "--admin", "aa11111-ovh", "--tech", "aa11111-ovh", "--billing", "aa11111-ovh"},
	} {
		if code, _, e := cliRun(t, db, "", args...); code != 0 {
			t.Fatal(e)
		}
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	if code, _, e := cliRun(t, db, string(gossh.MarshalAuthorizedKey(signer.PublicKey())), "key", "add", "aa11111-ovh", "-"); code != 0 {
		t.Fatal(e)
	}

	serve := func() (addr string, hostKey gossh.PublicKey, stop func() (int, string)) {
		ctx, cancel := context.WithCancel(context.Background())
		var out, log syncbuf.Buffer
		code := make(chan int, 1)
		go func() {
			code <- Run(ctx, []string{"--db", db, "serve", "--listen", "127.0.0.1:0", "--idle-timeout", "1h", "--max-sessions", "10"},
				strings.NewReader(""), &out, &log, func(string) string { return "" })
		}()
		re := regexp.MustCompile(`msg=serving addr=(\S+)`)
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if m := re.FindStringSubmatch(log.String()); m != nil {
				addr = m[1]
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("serve did not start: %s", log.String())
			}
		}
		c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "anyone", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
			HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error { hostKey = k; return nil }})
		if err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		sess, _ := c.NewSession()
		var screen syncbuf.Buffer
		sess.Stdout = &screen
		if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		stdin, _ := sess.StdinPipe()
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		waitScreen := func(want string) {
			for deadline := time.Now().Add(20 * time.Second); !strings.Contains(screen.String(), want); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the app did not show %q: %q", want, screen.String())
				}
			}
		}
		waitScreen("alice.pt")
		// Locked to the key's account: "@" (switch account) does nothing,
		// and "2" goes to the Requests tab, not to a picker.
		stdin.Write([]byte("@2"))
		waitScreen("My requests")
		return addr, hostKey, func() (int, string) {
			// Leave first: the warning to open sessions is the server
			// package's to test, and takes seconds.
			c.Close()
			for deadline := time.Now().Add(20 * time.Second); !strings.Contains(log.String(), "session end"); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the session did not end: %s", log.String())
				}
			}
			cancel()
			select {
			case n := <-code:
				return n, log.String()
			case <-time.After(12 * time.Second):
				t.Fatal("serve did not stop within 10 s")
				return 0, ""
			}
		}
	}

	_, first, stop := serve()
	code, log := stop()
	if code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, log)
	}
	for _, want := range []string{"host key created", "auth accepted", "account=aa11111-ovh", "session start", "session end", "msg=stopped",
		"mail is not delivered for real (mail-delivery is not smtp)",
		"public-ssh is not set: the mails do not tell customers how to reach the desk over SSH, and those of the simulated mailbox offer them the command line"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log has no %q:\n%s", want, log)
		}
	}
	if fi, err := os.Stat(db + ".host_key"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key beside the database: %v %v", fi, err)
	}
	// The database was closed cleanly: SQLite removes its WAL then.
	if _, err := os.Stat(db + "-wal"); !os.IsNotExist(err) {
		t.Errorf("desk.db-wal left behind (%v): the database was not closed", err)
	}

	// Told where customers reach it, the desk's mails name no command:
	// serve no longer warns.
	if code, _, e := cliRun(t, db, "", "config", "set", "public-ssh", "desk.example.net:2222"); code != 0 {
		t.Fatal(e)
	}
	_, second, stop := serve()
	if code, log := stop(); code != 0 || strings.Contains(log, "host key created") || strings.Contains(log, "public-ssh is not set") {
		t.Fatalf("second start: exit %d\n%s", code, log)
	}
	if !bytes.Equal(first.Marshal(), second.Marshal()) {
		t.Error("the host key changed between two starts")
	}
}

// TestServeMetrics runs serve --metrics as an operator would and reads
// its metrics and health from their own address: the sessions, a login
// refused, the requests of the desk (whoever made them).
func TestServeMetrics(t *testing.T) {
	s := serveDemo(t, "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--http", "127.0.0.1:0")
	log := s.log
	sshAddr, metricsAddr, httpAddr := s.addr["ssh"], s.addr["metrics"], s.addr["http"]
	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get("http://" + metricsAddr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	// The HTTP doors are counted too: the page's health check, and an
	// API call without credentials.
	for _, path := range []string{"/healthz", "/1.0/me"} {
		res, err := http.Get("http://" + httpAddr + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	// A path that is not clean gets the page's 404, with its headers,
	// not a redirect repeating the token (Go's ServeMux would give one).
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{"//request/1?token=SECRET", "/request//1?token=SECRET", "/1.0"} {
		res, err := noRedirect.Get("http://" + httpAddr + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound || res.Header.Get("Location") != "" || res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: %d, Location %q, CSP %q", path, res.StatusCode, res.Header.Get("Location"), res.Header.Get("Content-Security-Policy"))
		}
	}
	// A key nobody registered is refused.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	if _, err := gossh.Dial("tcp", sshAddr, &gossh.ClientConfig{User: "x", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey()}); err == nil {
		t.Fatal("an unknown key logged in")
	}
	// The server counts the refusal once it has closed the connection,
	// which the client may not wait for.
	var body string
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(body, `reason="auth"} 1`) && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		_, body = get("/metrics")
	}
	for _, want := range []string{
		`contactdesk_sessions_open{door="ssh"} 0`,
		`contactdesk_connections_refused_total{reason="auth"} 1`,
		`contactdesk_requests{state="validatingByCustomers"} 4`,
		`contactdesk_requests{state="done"} 1`,
		`contactdesk_database_up 1`,
		`contactdesk_outbox_pending 0`,
		`contactdesk_mail_sent_total 0`,
		`door="web"`,
		`door="api"`,
	} {
		if !strings.Contains(body, want+"\n") && !(strings.HasPrefix(want, "door=") && strings.Contains(body, want)) {
			t.Errorf("/metrics has no %q", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
	if n := s.stop(); n != 0 {
		t.Errorf("serve exited %d: %s", n, log.String())
	}
	if _, err := http.Get("http://" + metricsAddr + "/healthz"); err == nil {
		t.Error("the metrics are still served after serve stopped")
	}
}

// TestServeNewerSchema: a node whose database a newer contactdesk
// upgraded while it served (a rolling upgrade that reached another node
// first) says so once in its log, at ERROR, fails its health checks
// saying so and what to do, and writes nothing: where it answered ok
// while every write failed on what the newer schema changed.
func TestServeNewerSchema(t *testing.T) {
	s := serveDemo(t, "--listen", "none", "--metrics", "127.0.0.1:0", "--http", "127.0.0.1:0")
	db, log := s.db, s.log
	metricsAddr, httpAddr := s.addr["metrics"], s.addr["http"]
	get := func(url string) (int, string) {
		t.Helper()
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	raw, err := sql.Open("sqlite3", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", storage.SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("the database was upgraded by a newer contactdesk (schema %d; this one knows up to %d): upgrade this contactdesk; until then it changes nothing\n",
		storage.SchemaVersion()+1, storage.SchemaVersion())
	for range 2 {
		for _, url := range []string{"http://" + httpAddr + "/healthz", "http://" + metricsAddr + "/healthz"} {
			if code, body := get(url); code != http.StatusServiceUnavailable || body != want {
				t.Errorf("%s: %d %q, want 503 %q", url, code, body, want)
			}
		}
	}
	line := "level=ERROR msg=\"the database was upgraded by a newer contactdesk: upgrade this node; until then it changes nothing, and its health checks (/healthz) fail\" schema=10 knows=9"
	line = strings.NewReplacer("schema=10", fmt.Sprintf("schema=%d", storage.SchemaVersion()+1), "knows=9", fmt.Sprintf("knows=%d", storage.SchemaVersion())).Replace(line)
	// the quiet desk's look for expiries (every 5 s) finds it too
	time.Sleep(6 * time.Second)
	if n := strings.Count(log.String(), line); n != 1 {
		t.Errorf("the log says %d times %q, want once:\n%s", n, line, log.String())
	}
	if n := s.stop(); n != 0 {
		t.Errorf("serve exited %d: %s", n, log.String())
	}
}

// served is a serve a test runs on a demo desk of its own: the desk, the
// log, the addresses it serves on ("ssh", "metrics", "http": those its
// flags ask for), and stop, which ends it and returns its exit status.
type served struct {
	db   string
	log  *syncbuf.Buffer
	addr map[string]string
	stop func() int
}

// waitServing waits until the serve run with args says in its log that
// it serves on every address they ask for ("ssh", "metrics", "http":
// --listen, --metrics, --http not none), and puts each in addr. ended
// gives serve's exit status if it ends first (nil: not watched).
func waitServing(log *syncbuf.Buffer, args []string, ended <-chan int, addr map[string]string) error {
	lines := map[string]*regexp.Regexp{
		"ssh":     regexp.MustCompile(`msg=serving addr=(\S+)`),
		"metrics": regexp.MustCompile(`msg="serving metrics" addr=(\S+)`),
		"http":    regexp.MustCompile(`msg="serving HTTP" addr=(\S+)`),
	}
	flags := map[string]string{"ssh": "--listen", "metrics": "--metrics", "http": "--http"}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		select {
		case n := <-ended:
			return fmt.Errorf("serve ended, exit %d:\n%s", n, log.String())
		default:
		}
		missing := false
		for what, re := range lines {
			if i := slices.Index(args, flags[what]); i < 0 || args[i+1] == "none" {
				continue
			}
			if m := re.FindStringSubmatch(log.String()); m != nil {
				addr[what] = m[1]
			} else {
				missing = true
			}
		}
		if !missing {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("serve did not start:\n%s", log.String())
		}
	}
}

// serveDemo makes a demo desk, runs serve on it with args (the flags
// after "serve"), and waits until it serves on every address they ask
// for.
func serveDemo(t *testing.T, args ...string) *served {
	t.Helper()
	s := &served{db: filepath.Join(t.TempDir(), "desk.db"), log: &syncbuf.Buffer{}, addr: map[string]string{}}
	if code, _, e := cliRun(t, s.db, "", "demo"); code != 0 {
		t.Fatal(e)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	code := make(chan int, 1)
	go func() {
		code <- Run(ctx, append([]string{"--db", s.db, "serve"}, args...), strings.NewReader(""), io.Discard, s.log, func(string) string { return "" })
	}()
	s.stop = func() int { cancel(); return <-code }
	if err := waitServing(s.log, args, nil, s.addr); err != nil {
		t.Fatal(err)
	}
	return s
}
