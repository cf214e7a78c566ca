package delivery

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		url  string
		want Server
	}{
		{"smtp://localhost", Server{Host: "localhost", Port: 25, Security: StartTLSIfOffered}},
		{"smtp://relay.internal:2525", Server{Host: "relay.internal", Port: 2525, Security: StartTLSIfOffered}},
		{"smtp://user:pass@mail.example.com:587", Server{Host: "mail.example.com", Port: 587, Security: StartTLS, User: "user", Password: "pass"}},
		{"smtp://user:pass@mail.example.com", Server{Host: "mail.example.com", Port: 587, Security: StartTLS, User: "user", Password: "pass"}},
		{"smtp://user:pass@mail.example.com:25", Server{Host: "mail.example.com", Port: 25, Security: StartTLS, User: "user", Password: "pass"}},
		{"smtps://user%40example.com:p%40ss%2Fw@mail.example.com", Server{Host: "mail.example.com", Port: 465, Security: ImplicitTLS, User: "user@example.com", Password: "p@ss/w"}},
		{"smtps://mail.example.com:1465/", Server{Host: "mail.example.com", Port: 1465, Security: ImplicitTLS}},
		{"smtp://[::1]:25", Server{Host: "::1", Port: 25, Security: StartTLSIfOffered}},
	} {
		got, err := ParseURL(c.url)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
	for _, bad := range []string{
		"", "mail.example.com", "http://mail.example.com", "smtp://", "smtp:///x", "smtp://host:0", "smtp://host:70000",
		"smtp://host/path", "smtp://host?tls=no", "smtp://:pass@host", "smtp:mail.example.com",
	} {
		if s, err := ParseURL(bad); err == nil {
			t.Errorf("%q parsed as %+v", bad, s)
		}
	}
}

func TestServerStringHasNoPassword(t *testing.T) {
	s, err := ParseURL("smtps://me:hunter2@mail.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); got != "smtps://me@mail.example.com:465" {
		t.Fatalf("String: %q", got)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"smtp://me:hunter2@host:587":   "smtp://me:***@host:587",
		"smtp://me:hu@nt/er#2@host":    "smtp://me:***@host",
		"smtp://me@host":               "smtp://me@host",
		"smtp://host:25":               "smtp://host:25",
		"me:hunter2@host":              "me:***@host",
		" smtps://me:p%40ss@host:465 ": "smtps://me:***@host:465",
	} {
		if got := RedactURL(in); got != want || strings.Contains(got, "hunter2") {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactorCoversEncodings(t *testing.T) {
	r := newRedactor("p@ss w/rd")
	for _, s := range []string{"p@ss w/rd", "p%40ss+w%2Frd", "p@ss%20w%2Frd", "p%40ss%20w%2Frd"} {
		if got := r.redact("x " + s + " y"); got != "x *** y" {
			t.Errorf("%q: %q", s, got)
		}
	}
}
