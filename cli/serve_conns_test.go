package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"contactdesk/internal/connlimit"
)

// TestServeHTTPConns: one address that holds its bound of idle
// keep-alive connections to serve --http (a client that sends a request
// on each before the idle timeout holds them for ever) has its next one
// closed at once, while another address is still answered; once one of
// its own ends, it is answered again. Before, such a client took every
// descriptor of the process, and then no server could accept anything.
func TestServeHTTPConns(t *testing.T) {
	const hangAfter = 10 * time.Second // never a measure: "it did not hang"
	s := serveDemo(t, "--listen", "none", "--http", "127.0.0.1:0")
	addr := s.addr["http"]
	dial := func(from string) net.Conn {
		t.Helper()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: hangAfter}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// healthz asks c for /healthz, keeping it open.
	healthz := func(c net.Conn) (int, error) {
		t.Helper()
		c.SetDeadline(time.Now().Add(hangAfter))
		defer c.SetDeadline(time.Time{})
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: desk\r\n\r\n"); err != nil {
			return 0, err
		}
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatal("/healthz neither answered nor closed: it hangs")
		}
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, nil
	}
	var held []net.Conn
	for range connlimit.DefaultPerAddr {
		c := dial("127.0.0.1")
		if code, err := healthz(c); code != 200 {
			t.Fatalf("/healthz within the bound: %d %v", code, err)
		}
		held = append(held, c)
	}
	if code, err := healthz(dial("127.0.0.1")); err == nil {
		t.Fatalf("a connection past the bound of one address was answered %d", code)
	}
	other := &http.Client{Timeout: hangAfter, Transport: &http.Transport{
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext}}
	defer other.CloseIdleConnections()
	res, err := other.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("another address was shut out: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("/healthz from another address: %d", res.StatusCode)
	}
	// Said once in the log, at WARN, with the address; never a path.
	var warned []string
	for _, l := range strings.Split(s.log.String(), "\n") {
		if strings.Contains(l, "too many connections") {
			warned = append(warned, l)
		}
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "level=WARN") || !strings.Contains(warned[0], "client=127.0.0.1 ") || strings.Contains(warned[0], "healthz") {
		t.Errorf("the log's warnings: %q", warned)
	}
	// One of its connections ends: the server hears it (at once, but
	// not before the client's Close returns), and the address is
	// answered again.
	held[0].Close()
	for deadline := time.Now().Add(hangAfter); ; time.Sleep(20 * time.Millisecond) {
		if code, _ := healthz(dial("127.0.0.1")); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the place of a connection that ended was not freed")
		}
	}
	if n := s.stop(); n != 0 {
		t.Errorf("serve exited %d: %s", n, s.log.String())
	}
}

// TestServeHTTPConnsProxy: behind a reverse proxy (--trust-proxy), every
// connection comes from the proxy's address, which is not held to the
// bound of one address.
func TestServeHTTPConnsProxy(t *testing.T) {
	s := serveDemo(t, "--listen", "none", "--http", "127.0.0.1:0", "--trust-proxy")
	tr := &http.Transport{MaxIdleConnsPerHost: 2 * connlimit.DefaultPerAddr}
	defer tr.CloseIdleConnections()
	var held []*http.Response
	defer func() {
		for _, res := range held {
			res.Body.Close()
		}
	}()
	// Each answer's body left unread keeps its connection busy: the
	// next request opens another.
	for i := range connlimit.DefaultPerAddr + 1 {
		req, _ := http.NewRequest("GET", "http://"+s.addr["http"]+"/healthz", nil)
		res, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatalf("connection %d from the proxy: %v", i+1, err)
		}
		held = append(held, res)
	}
	if strings.Contains(s.log.String(), "too many connections") {
		t.Errorf("the proxy was held to the bound of one address:\n%s", s.log.String())
	}
	if n := s.stop(); n != 0 {
		t.Errorf("serve exited %d: %s", n, s.log.String())
	}
}

// TestServeHTTPConnRate: one address opening new HTTP connections past
// --http-conn-rate has the next closed at once, before any answer (or
// TLS handshake), though it keeps none open; another address is still
// answered, and behind a reverse proxy (--trust-proxy) its connections
// are not held to the rate of one address. Before, nothing bounded how
// fast one address opened connections: a flood of TLS handshakes from
// one address took most of a core.
func TestServeHTTPConnRate(t *testing.T) {
	get := func(addr, from string) (int, error) {
		tr := &http.Transport{DisableKeepAlives: true,
			DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}).DialContext}
		res, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("http://" + addr + "/healthz")
		if err != nil {
			return 0, err
		}
		res.Body.Close()
		return res.StatusCode, nil
	}
	s := serveDemo(t, "--listen", "none", "--http", "127.0.0.1:0", "--http-conn-rate", "5")
	for i := range 5 {
		if code, err := get(s.addr["http"], "127.0.0.1"); code != 200 {
			t.Fatalf("connection %d of the rate's 5: %d %v", i+1, code, err)
		}
	}
	if code, err := get(s.addr["http"], "127.0.0.1"); err == nil {
		t.Fatalf("a 6th new connection within the minute was answered %d", code)
	}
	if code, err := get(s.addr["http"], "127.0.0.2"); code != 200 {
		t.Fatalf("another address was shut out: %d %v", code, err)
	}
	if !strings.Contains(s.log.String(), "too many new connections from one address") {
		t.Errorf("the log does not say why:\n%s", s.log.String())
	}
	if n := s.stop(); n != 0 {
		t.Errorf("serve exited %d: %s", n, s.log.String())
	}

	s = serveDemo(t, "--listen", "none", "--http", "127.0.0.1:0", "--http-conn-rate", "2", "--trust-proxy")
	for i := range 5 {
		if code, err := get(s.addr["http"], "127.0.0.1"); code != 200 {
			t.Fatalf("connection %d from the proxy: %d %v", i+1, code, err)
		}
	}
	if n := s.stop(); n != 0 {
		t.Errorf("serve exited %d: %s", n, s.log.String())
	}
}

// TestServePageRate: serve --http --page-rate N refuses a client's
// pages past N a minute with a 429, on one keep-alive connection as on
// many; behind a reverse proxy, each client it names has a rate of its
// own.
func TestServePageRate(t *testing.T) {
	s := serveDemo(t, "--listen", "none", "--http", "127.0.0.1:0", "--page-rate", "2", "--http-client-header", "X-Real-IP")
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	get := func(who string) int {
		req, _ := http.NewRequest("GET", "http://"+s.addr["http"]+"/", nil)
		req.Header.Set("X-Real-IP", who)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	for i, want := range []int{200, 200, 429, 429} {
		if code := get("203.0.113.5"); code != want {
			t.Fatalf("page %d of a client: %d, want %d", i+1, code, want)
		}
	}
	if code := get("203.0.113.6"); code != 200 {
		t.Fatalf("another client behind the proxy: %d", code)
	}
	if n := s.stop(); n != 0 {
		t.Errorf("serve exited %d: %s", n, s.log.String())
	}
}

// TestServeHTTPConnRatePerNet: serve --http holds the IPv6 addresses of
// one /48 together to connlimit.NetFactor times --http-conn-rate new
// connections a minute, as the SSH server holds them to its
// --conn-rate's (the connections themselves: connlimit's tests; here,
// the bound serve gives, for no IPv6 socket is needed). Behind a proxy,
// none.
func TestServeHTTPConnRatePerNet(t *testing.T) {
	l := httpLimits(&serveOptions{HTTPConnRate: 5}, nil)
	now := time.Now()
	for i := range connlimit.NetFactor * 5 {
		if ok, _ := l.NetRate.Allow("2001:db8:1::/48", now); !ok {
			t.Fatalf("new connection %d of a /48 refused, want %d a minute", i+1, connlimit.NetFactor*5)
		}
	}
	if ok, _ := l.NetRate.Allow("2001:db8:1::/48", now); ok {
		t.Errorf("a /48 opened more than %d new connections at once", connlimit.NetFactor*5)
	}
	if l := httpLimits(&serveOptions{HTTPConnRate: 0}, nil); l.NetRate != nil || l.Rate != nil {
		t.Error("--http-conn-rate 0 left a rate")
	}
	if l := httpLimits(&serveOptions{HTTPConnRate: 5, TrustProxy: true}, nil); l.Exempt == nil || !l.Exempt(netip.MustParseAddr("2001:db8:1::1")) {
		t.Error("behind a proxy, its address is held")
	}
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("the addresses of one IPv6 /48 %d together (%d × N", connlimit.NetFactor*defaultHTTPConnRate, connlimit.NetFactor)
	if !strings.Contains(strings.Join(strings.Fields(string(b)), " "), want) {
		t.Errorf("the README has no %q", want)
	}
}
