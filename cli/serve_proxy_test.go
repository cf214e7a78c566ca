package cli

import (
	"io"
	"net/http"
	"strings"
	"testing"
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
