package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"testing"

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
		var me map[string]any
		err = cl.Get("/me?with=query", &me)
		if trust && (err != nil || me["nichandle"] != string(ada)) {
			t.Fatalf("a trusted proxy: %v %v", me, err)
		}
		if !trust {
			apiError(t, err, http.StatusForbidden, "Client::Forbidden", "an untrusted proxy's forwarded host")
		}
	}
}
