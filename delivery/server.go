// Package delivery sends the mails the desk queues in its outbox to a
// real SMTP server, beside the simulated mailbox that keeps them all.
//
// The desk (model) decides what is due, retries and gives up; this package
// builds the messages, talks SMTP (with github.com/wneessen/go-mail) and
// reports each server's answer back to the desk.
package delivery

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Security is how a connection to the server is protected.
type Security int

const (
	// StartTLS upgrades the connection with STARTTLS and refuses to go on
	// without it.
	StartTLS Security = iota
	// StartTLSIfOffered upgrades with STARTTLS when the server offers it
	// and goes on in plain text otherwise: a relay that needs no password.
	// As with Postfix's "may" level (RFC 7435), the certificate is not
	// verified: an unverified TLS is still better than the plain text the
	// sender would accept anyway.
	StartTLSIfOffered
	// ImplicitTLS speaks TLS from the first byte (smtps://, port 465).
	ImplicitTLS
)

func (s Security) String() string {
	switch s {
	case StartTLS:
		return "STARTTLS"
	case StartTLSIfOffered:
		return "STARTTLS when offered"
	default:
		return "TLS"
	}
}

// Server is where mail goes, read from a URL by ParseURL.
type Server struct {
	Host     string
	Port     int
	Security Security
	User     string
	Password string
}

// ErrURL is the kind of every error ParseURL returns.
var ErrURL = errors.New("bad SMTP server URL")

// ParseURL reads the SMTP server's URL:
//
//	smtp://host[:port]                      STARTTLS when offered, else plain (a local relay); port 25
//	smtp://user:password@host[:port]        STARTTLS required, then AUTH; port 587
//	smtps://[user:password@]host[:port]     TLS from the first byte; port 465
//
// A password is only ever sent over TLS whose certificate verifies. A
// password with special characters is percent-encoded (p%40ss for p@ss).
// Errors never quote the password.
func ParseURL(raw string) (Server, error) {
	bad := func(why string) (Server, error) {
		return Server{}, fmt.Errorf("%w %s: %s", ErrURL, RedactURL(raw), why)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url's own message quotes the whole URL, password included.
		return bad("not a URL such as smtp://user:password@mail.example.com:587 (percent-encode special characters in the password)")
	}
	var s Server
	switch u.Scheme {
	case "smtp":
		s.Port, s.Security = 25, StartTLSIfOffered
	case "smtps":
		s.Port, s.Security = 465, ImplicitTLS
	default:
		return bad("the scheme must be smtp:// (STARTTLS) or smtps:// (TLS)")
	}
	if u.Opaque != "" || u.Host == "" {
		return bad("no server: write smtp://host or smtp://host:port")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return bad("only the user, password, host and port may be given")
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return bad("no server: write smtp://host or smtp://host:port")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("the port must be a number from 1 to 65535")
		}
		s.Port = n
	}
	if u.User != nil {
		s.User = u.User.Username()
		s.Password, _ = u.User.Password()
		if s.User == "" {
			return bad("a password without a user name")
		}
		if s.Security == StartTLSIfOffered {
			s.Security = StartTLS
			if u.Port() == "" {
				s.Port = 587
			}
		}
	}
	return s, nil
}

// Addr is host:port.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// String is the server's URL without the password.
func (s Server) String() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr()}
	if s.Security == ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.User != "" {
		u.User = url.User(s.User)
	}
	return u.String()
}

// RedactURL writes a URL as it may be shown: the password, if any, is
// replaced by ***, even when the URL does not parse.
func RedactURL(raw string) string {
	raw = strings.TrimSpace(raw)
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 {
		start = i + 3
	}
	// The user information ends at the last "@": a password may hold a
	// raw "@", "/" or "#" that a parser would take for something else.
	at := strings.LastIndex(raw[start:], "@")
	if at < 0 {
		return raw
	}
	info := raw[start : start+at]
	if user, _, ok := strings.Cut(info, ":"); ok {
		info = user + ":***"
	}
	return raw[:start] + info + raw[start+at:]
}

// redactor removes a password from text that a server or a library
// wrote, in every form it could take there.
type redactor []string

func newRedactor(password string) redactor {
	if password == "" {
		return nil
	}
	forms := []string{password, url.QueryEscape(password), url.PathEscape(password), url.UserPassword("u", password).String()[2:]}
	var r redactor
	for _, f := range forms {
		if f != "" && !slices.Contains(r, f) {
			r = append(r, f)
		}
	}
	return r
}

func (r redactor) redact(s string) string {
	for _, f := range r {
		s = strings.ReplaceAll(s, f, "***")
	}
	return s
}
