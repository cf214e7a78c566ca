package clientinfo

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMethod(t *testing.T) {
	for in, want := range map[string]string{
		"GET": "GET", "HEAD": "HEAD", "POST": "POST", "PUT": "PUT", "PATCH": "PATCH", "DELETE": "DELETE",
		"OPTIONS": "OPTIONS", "CONNECT": "CONNECT", "TRACE": "TRACE",
		"get": "OTHER", "BREW": "OTHER", "": "OTHER", strings.Repeat("X", 15000): "OTHER",
	} {
		if got := Method(in); got != want {
			t.Errorf("Method(%.20q) = %q, want %q", in, got, want)
		}
	}
}

func TestFromHeader(t *testing.T) {
	from := FromHeader("X-Real-IP")
	zone := strings.Repeat("z", 10000)
	for in, want := range map[string]string{
		"203.0.113.5":                  "203.0.113.5",
		" 10.0.0.1, 203.0.113.5 ":      "203.0.113.5",
		"203.0.113.5:4444":             "203.0.113.5:4444",
		"::1":                          "::1",
		"2001:db8::7":                  "2001:db8::7",
		"[2001:db8::7]":                "2001:db8::7",
		"[2001:db8::7]:443":            "[2001:db8::7]:443",
		"fe80::1%" + zone:              "fe80::1",
		"[fe80::1%" + zone + "]:443":   "[fe80::1]:443",
		"fe80::1%" + zone + "]:443":    "fe80::1",
		"::ffff:203.0.113.5":           "::ffff:203.0.113.5",
		"":                             "192.0.2.1:1234",
		"not an address":               "192.0.2.1:1234",
		strings.Repeat("1", 10000):     "192.0.2.1:1234",
		"203.0.113.5, " + zone + "!\n": "192.0.2.1:1234",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "192.0.2.1:1234"
		r.Header.Set("X-Real-IP", in)
		if got := from(r); got != want {
			t.Errorf("X-Real-IP: %.40q: %.60q, want %q", in, got, want)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.1:1234"
	r.Header.Add("X-Real-IP", "203.0.113.9")
	r.Header.Add("X-Real-IP", "203.0.113.5")
	if got := from(r); got != "203.0.113.5" {
		t.Errorf("two lines: %q, want the last's", got)
	}
	if got := Remote(r); got != "192.0.2.1:1234" {
		t.Errorf("Remote: %q", got)
	}
}
