package cli

import (
	"contactdesk/internal/syncbuf"

	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

type settingJ struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Set         bool   `json:"set"`
	Description string `json:"description"`
}

// TestConfig: the settings as support staff set and scripts read them.
func TestConfig(t *testing.T) {
	d := seeded(t)
	// get prints nothing, and exits 0, for a setting that is not set.
	if r := d.run("config", "get", "public-url"); r.code != 0 || r.out != "" || r.err != "" {
		t.Errorf("get of an unset setting: %+v", r)
	}
	if out := d.ok("config", "set", "public-url", "https://Desk.Example.net/"); out != "public-url is https://desk.example.net\n" {
		t.Errorf("set says %q", out)
	}
	if out := d.ok("config", "get", "public-url"); out != "https://desk.example.net\n" {
		t.Errorf("get prints %q, want the value alone", out)
	}
	d.ok("config", "set", "public-ssh", "desk.example.net:2222")
	list := decode[[]settingJ](t, d.ok("config", "list", "--json"))
	if len(list) != 4 || list[0].Key != "public-url" || list[0].Value != "https://desk.example.net" || !list[0].Set ||
		list[2].Key != "mail-delivery" || list[2].Set || list[2].Value != "" || list[2].Description == "" {
		t.Errorf("config list --json: %+v", list)
	}
	if out := d.ok("config", "list"); !strings.Contains(out, "public-ssh     desk.example.net:2222") || !strings.Contains(out, "(not set)") {
		t.Errorf("config list:\n%s", out)
	}
	// Unknown keys and bad values are misuses that change nothing.
	d.misused(`"public_url" is not a setting; the settings are public-url, public-ssh, mail-delivery, default-lang`, "config", "set", "public_url", "x")
	d.misused(`is not a setting`, "config", "get", "nope")
	d.misused(`public-url takes the absolute address of the web page`, "config", "set", "public-url", "desk.example.net")
	d.misused(`has a query`, "config", "set", "public-url", "https://desk.example.net/?a=1")
	d.misused(`mail-delivery takes smtp`, "config", "set", "mail-delivery", "yes")
	d.misused(`give public-ssh a value, or remove it with 'contactdesk config unset public-ssh'`, "config", "set", "public-ssh", "")
	d.misused(`config set takes 2 arguments (KEY VALUE), not 1`, "config", "set", "public-url")
	d.misused(`does not act as an account`, "config", "get", "public-url", "--as", "ad11111-ovh")
	if out := d.ok("config", "get", "public-url"); out != "https://desk.example.net\n" {
		t.Errorf("a misuse changed the setting: %q", out)
	}
	d.ok("config", "unset", "public-ssh")
	if out := d.ok("config", "get", "public-ssh"); out != "" {
		t.Errorf("after unset: %q", out)
	}
	// Every process writes the links of the desk's public URL.
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	ms := decode[[]mailJ](t, d.ok("mail", "list", "--as", "ne44444-ovh", "--json"))
	if !strings.HasPrefix(ms[0].Link, "https://desk.example.net/request/1?token=") || !strings.HasSuffix(ms[0].Link, ms[0].Token) {
		t.Errorf("the mail's link: %q", ms[0].Link)
	}
	// With mail-delivery smtp, even a process without an SMTP server
	// queues its mails and shows no token.
	d.ok("config", "set", "mail-delivery", "smtp")
	d.ok("request", "resend", "1", "--as", "ne44444-ovh")
	ms = decode[[]mailJ](t, d.ok("mail", "list", "--as", "ne44444-ovh", "--json"))
	for _, m := range ms {
		if m.Token != "" || strings.Contains(m.Link, "token=") {
			t.Errorf("mail-delivery smtp: the mailbox shows %+v", m)
		}
	}
	// Nobody sent it yet: it is queued, not mailed.
	if out := d.ok("mail", "show", itoa(ms[0].ID), "--as", "ne44444-ovh"); !strings.Contains(out, "Delivery: pending\n") ||
		!strings.Contains(out, "Token:    queued for nina@example.com, not sent yet") || strings.Contains(out, "mailed to") {
		t.Errorf("mail show:\n%s", out)
	}
}

// TestServeHTTPPage runs serve as an operator would for the web page alone:
// --listen none --http ADDR, then with TLS.
func TestServeHTTPPage(t *testing.T) {
	d := seeded(t)
	d.ok("request", "create", "--as", "ad11111-ovh", "--service", "example.com", "--role", "tech", "--to", "ne44444-ovh")
	serve := func(args ...string) (url string, log *syncbuf.Buffer, stop func() int) {
		ctx, cancel := context.WithCancel(context.Background())
		log = &syncbuf.Buffer{}
		code := make(chan int, 1)
		go func() {
			code <- Run(ctx, append([]string{"--db", d.env["CONTACTDESK_DB"], "serve"}, args...), strings.NewReader(""), io.Discard, log, func(string) string { return "" })
		}()
		re := regexp.MustCompile(`msg="serving HTTP" addr=\S+ url=(\S+)`)
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if m := re.FindStringSubmatch(log.String()); m != nil {
				url = m[1]
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("serve did not start: %s", log.String())
			}
		}
		return url, log, func() int { cancel(); return <-code }
	}
	url, log, stop := serve("--listen", "none", "--http", "127.0.0.1:0")
	res, err := http.Get(url + "/healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", res, err)
	}
	res.Body.Close()
	tok := decode[[]mailJ](t, d.ok("mail", "list", "--as", "ne44444-ovh", "--json"))[0].Token
	res, err = http.Get(url + "/request/1?token=" + tok)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("the page: %v %v", res, err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(string(body), ""); !strings.Contains(text, "You answer as ne44444-ovh") || res.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("the page:\n%s", body)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve ended with %d: %s", code, log.String())
	}
	l := log.String()
	if strings.Count(l, "no public URL is set") != 1 || !strings.Contains(l, "contactdesk config set public-url") {
		t.Errorf("the warning about the public URL, once:\n%s", l)
	}
	if strings.Contains(l, tok) || !strings.Contains(l, "route=/request/1 status=200") {
		t.Errorf("the access log:\n%s", l)
	}
	if _, err := os.Stat(d.env["CONTACTDESK_DB"] + ".host_key"); err == nil {
		t.Errorf("--listen none made an SSH host key")
	}

	// HTTPS on the same address, with the operator's certificate; no
	// warning once the public URL is set.
	d.ok("config", "set", "public-url", "https://desk.example.net")
	cert, key, pool := selfSigned(t)
	url, log, stop = serve("--listen", "none", "--http", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key)
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("serving %s", url)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err = client.Get(url + "/healthz")
	if err != nil || res.StatusCode != http.StatusOK || res.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("healthz over TLS: %v %v", res, err)
	}
	res.Body.Close()
	if code := stop(); code != 0 || strings.Contains(log.String(), "no public URL") {
		t.Errorf("serve ended with %d: %s", code, log.String())
	}

	// What serve refuses to start with.
	d.misused("nothing to serve", "serve", "--listen", "none")
	d.misused("HTTPS needs both --tls-cert FILE and --tls-key FILE", "serve", "--http", ":0", "--tls-cert", cert)
	d.misused("give --http ADDR too", "serve", "--tls-cert", cert, "--tls-key", key)
	d.misused("give --http ADDR too", "serve", "--http-client-header", "X-Real-IP")
	r := d.run("serve", "--listen", "none", "--http", "127.0.0.1:0", "--tls-cert", key, "--tls-key", cert)
	if r.code != 1 || !strings.Contains(r.err, "can't use --tls-cert") {
		t.Errorf("a certificate that is not one: %+v", r)
	}
	// ... and it makes nothing first: no host key, no API secret key.
	fresh := newDesk(t)
	fresh.ok("init")
	if r := fresh.run("serve", "--http", "127.0.0.1:0", "--tls-cert", key, "--tls-key", cert); r.code != 1 {
		t.Errorf("a certificate that is not one, on a new desk: %+v", r)
	}
	for _, f := range []string{"desk.db.host_key", "desk.db.api_key"} {
		if _, err := os.Stat(filepath.Join(fresh.dir, f)); err == nil {
			t.Errorf("serve refused its certificate after making %s", f)
		}
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts it.
func selfSigned(t *testing.T) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(k)
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return cert, key, pool
}
