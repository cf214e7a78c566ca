package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"contactdesk/api"
	"contactdesk/model"
)

// TestEveryTypeHasAPath: each service type has its path, and the README
// table says which.
func TestEveryTypeHasAPath(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(api.ServicePaths) != len(model.ServiceTypes) {
		t.Fatalf("%d paths for %d types", len(api.ServicePaths), len(model.ServiceTypes))
	}
	seen := map[string]bool{}
	for i, p := range api.ServicePaths {
		if p.Type != model.ServiceTypes[i] || seen[p.Path] || p.Path == "" || strings.HasPrefix(p.Path, "/") || strings.HasPrefix(p.Path, "me") || p.Path == "auth" {
			t.Errorf("path %d: %+v", i, p)
		}
		seen[p.Path] = true
		if row := "| `" + p.Type + "` | `/1.0/" + p.Path + "` |"; !strings.Contains(string(readme), row) {
			t.Errorf("the README has no row %q", row)
		}
	}
}

// TestBehindAProxy: behind a reverse proxy, the client signs the URL it
// calls (the proxy's); the API checks it when, and only when, told to
// trust the proxy's X-Forwarded-* headers.
func TestBehindAProxy(t *testing.T) {
	for _, trust := range []bool{true, false} {
		w := newWorld(t, api.Options{TrustProxy: trust})
		target, _ := url.Parse(w.srv.URL)
		proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.SetXForwarded()
		}})
		defer proxy.Close()
		c := w.creds[ada]
		cl, err := ovh.NewClient(proxy.URL+"/1.0", c.ApplicationKey, c.ApplicationSecret, c.ConsumerKey)
		if err != nil {
			t.Fatal(err)
		}
		// A call with a query string: the signature covers it too.
		ids := []int64{-1}
		err = cl.Get("/me/task/contactChange?toAccount="+string(ada), &ids)
		if trust && (err != nil || len(ids) != 0) {
			t.Fatalf("a trusted proxy: %v %v", ids, err)
		}
		if !trust {
			apiError(t, err, http.StatusForbidden, "Client::Forbidden", "an untrusted proxy's forwarded host")
		}
	}
}

// TestUncleanPaths: a path with "//", "/./" or "/../" is answered as an
// unknown route, in the API's shape, with its headers and its log line:
// never with ServeMux's redirect, which repeated the query (a token)
// in its Location and sent an HTML body.
func TestUncleanPaths(t *testing.T) {
	w := newWorld(t, api.Options{})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	const secret = "SECRET-7K3Q-9XWM"
	for _, p := range []string{"/1.0/../request/7?token=" + secret, "/1.0//me", "/1.0/./me?x=" + secret, "/1.0/me/task/contactChange/../contactChange",
		"/1.0/domain/" + domain + "//serviceInfos", "/1.0//"} {
		req, _ := http.NewRequest(http.MethodGet, w.srv.URL+p, nil)
		req.Header.Set("Authorization", "Bearer "+w.creds[ada].ConsumerKey)
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var e map[string]any
		jerr := json.Unmarshal(body, &e)
		if res.StatusCode != http.StatusNotFound || res.Header.Get("Location") != "" || jerr != nil || e["class"] != "Client::NotFound" ||
			!strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || !strings.HasPrefix(res.Header.Get("X-Ovh-QueryID"), "CD-") ||
			res.Header.Get("Cache-Control") != "no-store" || strings.Contains(string(body), secret) {
			t.Errorf("GET %s: %d, Location %q, Content-Type %q: %s", p, res.StatusCode, res.Header.Get("Location"), res.Header.Get("Content-Type"), body)
		}
	}
	log := w.log.String()
	if n := strings.Count(log, "route=unclean status=404"); n != 6 || strings.Contains(log, secret) {
		t.Errorf("%d log lines of an unclean path, want 6:\n%s", n, log)
	}
}

// TestNosniff: every answer of the API, whatever its status, tells
// browsers not to read it as anything but the JSON its Content-Type
// says, as the web page's answers do.
func TestNosniff(t *testing.T) {
	w := newWorld(t, api.Options{AddrRate: 7})
	ck := w.creds[ada].ConsumerKey
	for _, c := range []struct {
		method, path, auth string
		status             int
	}{
		{"GET", "/auth/time", "", 200},
		{"GET", "/me", ck, 200},
		{"GET", "/me", "", 401},
		{"GET", "/me", "wrong", 403},
		{"GET", "/nothing/here", ck, 404},
		{"GET", "//me", ck, 404},
		{"BREW", "/me", ck, 404},
		{"GET", "/me", ck, 429}, // the address's 8th call
	} {
		res, body := w.bare(t, c.method, c.path, c.auth, nil)
		if res.StatusCode != c.status {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, res.StatusCode, c.status, body)
		}
		if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s %s (%d): X-Content-Type-Options %q, want nosniff", c.method, c.path, res.StatusCode, got)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s (%d): Content-Type %q", c.method, c.path, res.StatusCode, ct)
		}
	}
}

// TestSignedWithoutThePort: the provider's Node.js client (ovh on npm)
// signs "https://" + its host + the path, without the port it calls
// (and sends the port in Host): such a call is taken on a desk served on
// any port, as the one signed with the port is; a signature over
// another host, or another path, is still refused.
func TestSignedWithoutThePort(t *testing.T) {
	w := newWorld(t, api.Options{})
	c := w.creds[ada]
	u, _ := url.Parse(w.srv.URL)
	call := func(signedURL, path string) int {
		t.Helper()
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodGet, w.srv.URL+path, nil)
		req.Header.Set("X-Ovh-Application", c.ApplicationKey)
		req.Header.Set("X-Ovh-Consumer", c.ConsumerKey)
		req.Header.Set("X-Ovh-Timestamp", ts)
		req.Header.Set("X-Ovh-Signature", api.Signature(c.ApplicationSecret, c.ConsumerKey, http.MethodGet, signedURL, nil, ts))
		return statusOf(t, req)
	}
	const me = "/1.0/me/task/contactChange?toAccount=ad11111-ovh"
	for _, c := range []struct {
		signed string
		want   int
	}{
		{"http://" + u.Host + me, 200},              // as go-ovh and python-ovh sign
		{"http://" + u.Hostname() + me, 200},        // as the Node.js client signs
		{"http://example.net" + me, 403},            // another host
		{"http://" + u.Hostname() + ":1" + me, 403}, // another port
		{"http://" + u.Hostname() + "/1.0/me", 403}, // another path
		{"http://" + u.Hostname() + strings.TrimSuffix(me, "-ovh"), 403},
	} {
		if got := call(c.signed, me); got != c.want {
			t.Errorf("a call signed for %s: %d, want %d", c.signed, got, c.want)
		}
	}
}

// TestEveryRouteIsInTheReadme: each route routes.go serves has its row
// in the README's table of routes (the path after /1.0, as a client
// writes it), where the query parameters it takes are shown: a route
// added to the mux alone was known only to whoever read the code.
func TestEveryRouteIsInTheReadme(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	code, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	pattern := regexp.MustCompile(`"(GET|POST|PUT|DELETE) /1\.0(/[^"]*)"`)
	n := 0
	for _, m := range pattern.FindAllStringSubmatch(string(code), -1) {
		if m[2] == "/" {
			continue // a service type's routes, "GET /1.0/"+p.Path…: the README's /{service path}
		}
		n++
		row := "| `" + m[1] + " " + m[2]
		if !strings.Contains(string(readme), row+"`") && !strings.Contains(string(readme), row+"?") {
			t.Errorf("the README's table of routes has no row for %s %s", m[1], m[2])
		}
	}
	if n < 10 {
		t.Fatalf("routes.go names %d routes: the pattern no longer finds them", n)
	}
}
