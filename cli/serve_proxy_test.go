package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"
)

// TestServeBehindAProxyCountsEachClient: behind a reverse proxy, with
// --http-client-header as with --trust-proxy, the API counts each
// client the proxy names on its own, as the page does: one client past
// its address's rate does not shut out the others, all of whom come
// from the proxy's one address; and the log lines of both doors name
// the client, not the proxy. With --http-client-header the API took
// every client for the proxy: one of them past 1,200 calls a minute got
// all the others 429.
func TestServeBehindAProxyCountsEachClient(t *testing.T) {
	for _, c := range []struct{ flag, header string }{
		{"--http-client-header=X-Real-IP", "X-Real-IP"},
		{"--trust-proxy", "X-Forwarded-For"},
	} {
		s := serveDemo(t, "--listen", "none", "--http", "127.0.0.1:0", c.flag, "--api-addr-rate", "3")
		call := func(path, client string) int {
			t.Helper()
			req, _ := http.NewRequest("GET", "http://"+s.addr["http"]+path, nil)
			req.Header.Set(c.header, client)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res.StatusCode
		}
		for i := range 3 {
			if code := call("/1.0/auth/time", "203.0.113.5"); code != 200 {
				t.Fatalf("%s: call %d of 3 of a client: %d", c.flag, i+1, code)
			}
		}
		if code := call("/1.0/auth/time", "203.0.113.5"); code != http.StatusTooManyRequests {
			t.Errorf("%s: a client's 4th call a minute, allowed 3: %d", c.flag, code)
		}
		if code := call("/1.0/auth/time", "203.0.113.6"); code != 200 {
			t.Errorf("%s: another client behind the same proxy, after the first was limited: %d", c.flag, code)
		}
		if code := call("/healthz", "2001:db8::7"); code != 200 {
			t.Errorf("%s: the page's /healthz: %d", c.flag, code)
		}
		if n := s.stop(); n != 0 {
			t.Errorf("%s: serve exited %d", c.flag, n)
		}
		log := s.log.String()
		for line, n := range map[string]int{
			`msg="api call" method=GET route="GET /1.0/auth/time" status=200`: 4,
			"remote=203.0.113.5 ":                   4,
			"remote=203.0.113.6 ":                   1,
			"route=/healthz status=200":             1,
			"client=2001:db8::7\n":                  1,
			"remote=127.0.0.1":                      0,
			"client=127.0.0.1":                      0,
			`route="GET /1.0/auth/time" status=429`: 1,
		} {
			if got := strings.Count(log, line); got != n {
				t.Errorf("%s: %d log lines with %q, want %d:\n%s", c.flag, got, line, n, log)
			}
		}
	}
}

// TestServeSignedThroughATLSProxy: a client signs the URL it calls,
// https://desk.example.net/1.0/…, and a reverse proxy that terminates
// TLS passes the call on in plain HTTP with a Host of its own. serve
// told it is behind a proxy checks the signature against the URL the
// client called: with --trust-proxy as X-Forwarded-Proto and -Host say
// it, with --http-client-header as the desk's public-url says it (below
// a path of the proxy's too). A server not told so checks the URL it
// was reached at, and refuses the call, whatever the forwarded headers
// claim; nor does --http-client-header believe them.
func TestServeSignedThroughATLSProxy(t *testing.T) {
	for _, c := range []struct {
		name      string
		flags     []string
		publicURL string // "": none set
		prefix    string // the path the proxy serves the desk below, and strips
		forwarded bool   // the proxy sets X-Forwarded-For, -Proto and -Host
		ok        bool
	}{
		{"--trust-proxy", []string{"--trust-proxy"}, "", "", true, true},
		{"--trust-proxy, public-url", []string{"--trust-proxy"}, "https://desk.example.net", "", false, true},
		{"--http-client-header, public-url", []string{"--http-client-header", "X-Real-IP"}, "https://desk.example.net", "", false, true},
		{"--http-client-header, public-url below a path", []string{"--http-client-header", "X-Real-IP"}, "https://desk.example.net/desk", "/desk", false, true},
		{"--http-client-header, another public-url", []string{"--http-client-header", "X-Real-IP"}, "https://other.example.net", "", true, false},
		{"--http-client-header, no public-url", []string{"--http-client-header", "X-Real-IP"}, "", "", true, false},
		{"not behind a proxy", nil, "https://desk.example.net", "", true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := serveDemo(t, append([]string{"--listen", "none", "--http", "127.0.0.1:0"}, c.flags...)...)
			defer s.stop()
			if c.publicURL != "" {
				if code, _, e := cliRun(t, s.db, "", "config", "set", "public-url", c.publicURL); code != 0 {
					t.Fatal(e)
				}
			}
			code, out, errOut := cliRun(t, s.db, "", "api-key", "add", "xx11111-ovh", "--json")
			if code != 0 {
				t.Fatal(errOut)
			}
			var creds map[string]string
			json.Unmarshal([]byte(out), &creds)
			target, _ := url.Parse("http://" + s.addr["http"])
			proxy := httptest.NewTLSServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
				r.SetURL(target) // the Host becomes the server's address
				r.Out.URL.Path = strings.TrimPrefix(r.Out.URL.Path, c.prefix)
				r.Out.URL.RawPath = ""
				if c.forwarded {
					r.SetXForwarded()
				}
				host, _, _ := net.SplitHostPort(r.In.RemoteAddr)
				r.Out.Header.Set("X-Real-IP", host)
			}})
			defer proxy.Close()
			// The client calls https://desk.example.net: the proxy.
			tr := proxy.Client().Transport.(*http.Transport).Clone()
			tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, proxy.Listener.Addr().String())
			}
			tr.TLSClientConfig.ServerName = "example.com" // httptest's certificate
			cl, err := ovh.NewClient("https://desk.example.net"+c.prefix+"/1.0", creds["applicationKey"], creds["applicationSecret"], creds["consumerKey"])
			if err != nil {
				t.Fatal(err)
			}
			cl.Client = &http.Client{Transport: tr, Timeout: 10 * time.Second}
			var ids []int64 // a query string: the signature covers it too
			err = cl.Get("/me/task/contactChange?state=done", &ids)
			var e *ovh.APIError
			switch {
			case c.ok && err != nil:
				t.Errorf("a call signed for the URL the client called: %v\n%s", err, s.log.String())
			case !c.ok && (!errors.As(err, &e) || e.Code != http.StatusForbidden || !strings.Contains(e.Message, "signature")):
				t.Errorf("a call signed for a URL the server can't tell the client called: %v, want 403 Invalid signature", err)
			}
		})
	}
}
