// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp)
// on 127.0.0.1 for tests: it keeps what it receives, can require TLS and
// a password, refuse recipients, and play dead.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the server accepted.
type Message struct {
	From    string   // the envelope sender
	To      []string // the envelope recipients
	Data    []byte   // as received
	Header  mail.Header
	Subject string // decoded
	Body    string // decoded, with \n line ends
	TLS     bool   // it came over TLS
	User    string // who authenticated, if anyone
}

// Options set up a Server.
type Options struct {
	// TLS offers STARTTLS (or, with Implicit, speaks TLS from the start)
	// with a certificate for 127.0.0.1 that Server.RootCAs trusts.
	TLS      bool
	Implicit bool
	// User and Password, when set, are required (AUTH PLAIN, over TLS).
	User, Password string
}

// Server is a running SMTP server; Close it (Start does, at the test's end).
type Server struct {
	Addr    string // 127.0.0.1:port
	Host    string
	Port    int
	RootCAs *x509.CertPool // trusts the server's certificate

	opts  Options
	ln    net.Listener
	inner *smtp.Server
	conns chan net.Conn
	done  chan struct{}

	mu         sync.Mutex
	down       bool
	hung       bool
	held       []net.Conn // taken while hung, never answered
	msgs       []Message
	refuse     func(rcpt string) *smtp.SMTPError
	refuseData func(rcpt string) *smtp.SMTPError
	hangUp     func(rcpt string) bool
	hold       func(rcpt string) bool
	held1      chan struct{} // closed by ReleaseData
	refused    int
	wg         sync.WaitGroup

	closeOnce sync.Once
}

// Start runs a server until the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{opts: o, ln: ln, conns: make(chan net.Conn), done: make(chan struct{}), Addr: ln.Addr().String()}
	s.Host = "127.0.0.1"
	s.Port = ln.Addr().(*net.TCPAddr).Port
	s.inner = smtp.NewServer(s)
	s.inner.Domain = "smtptest.local"
	s.inner.ReadTimeout = 10 * time.Second
	s.inner.WriteTimeout = 10 * time.Second
	s.inner.EnableSMTPUTF8 = true
	if o.TLS || o.Implicit || o.User != "" {
		cert, pool := certificate(t)
		s.RootCAs = pool
		s.inner.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	inner := net.Listener(&chanListener{conns: s.conns, addr: ln.Addr(), done: make(chan struct{})})
	if o.Implicit {
		inner = tls.NewListener(inner, s.inner.TLSConfig)
		s.inner.TLSConfig = nil // no STARTTLS inside TLS
	}
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.inner.Serve(inner) }()
	go func() { defer s.wg.Done(); s.accept() }()
	t.Cleanup(s.Close)
	return s
}

// URL is the server's address as contactdesk takes it, with credentials
// when the server requires them.
func (s *Server) URL() string {
	scheme := "smtp"
	if s.opts.Implicit {
		scheme = "smtps"
	}
	auth := ""
	if s.opts.User != "" {
		auth = s.opts.User + ":" + s.opts.Password + "@"
	}
	return scheme + "://" + auth + s.Addr
}

// accept hands connections to the SMTP server, or, while the server is
// down, closes them at once: to a client, the server is unreachable.
func (s *Server) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			close(s.conns)
			return
		}
		s.mu.Lock()
		down, hung := s.down, s.hung
		if hung {
			s.held = append(s.held, c)
		}
		s.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		if hung {
			continue
		}
		select {
		case s.conns <- c:
		case <-s.done:
			c.Close()
		}
	}
}

// SetDown makes the server unreachable (true) or reachable again.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

// SetHung makes the server hang (true): it accepts connections and never
// says a word, not even its greeting, until the test ends.
func (s *Server) SetHung(hung bool) {
	s.mu.Lock()
	s.hung = hung
	s.mu.Unlock()
}

// Refuse sets what RCPT answers for a recipient: nil accepts it.
func (s *Server) Refuse(f func(rcpt string) *smtp.SMTPError) {
	s.mu.Lock()
	s.refuse = f
	s.mu.Unlock()
}

// RefuseData sets what the final "." of a message to a recipient is
// answered with: nil accepts the message; an error refuses it (it is not
// kept).
func (s *Server) RefuseData(f func(rcpt string) *smtp.SMTPError) {
	s.mu.Lock()
	s.refuseData = f
	s.mu.Unlock()
}

// HangUpAfterData makes the server keep a message to a recipient for
// which f is true, then hang up instead of answering the final ".": the
// client cannot know whether it was accepted.
func (s *Server) HangUpAfterData(f func(rcpt string) bool) {
	s.mu.Lock()
	s.hangUp = f
	s.mu.Unlock()
}

// HoldData makes the server keep a message to a recipient for which f
// is true and wait, before answering its final ".", until ReleaseData
// (or Close): a slow server, during which the client may die. The
// message is counted among Messages once answered.
func (s *Server) HoldData(f func(rcpt string) bool) {
	s.mu.Lock()
	s.hold = f
	if s.held1 == nil {
		s.held1 = make(chan struct{})
	}
	s.mu.Unlock()
}

// ReleaseData answers the messages HoldData keeps, and the later ones at
// once.
func (s *Server) ReleaseData() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held1 != nil {
		select {
		case <-s.held1:
		default:
			close(s.held1)
		}
	}
}

// Refused counts the recipients refused so far.
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// Messages returns what the server accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait polls until the server has accepted at least n messages, and
// fails the test if that takes more than 20 s.
func (s *Server) Wait(t testing.TB, n int) []Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ms := s.Messages()
		if len(ms) >= n {
			return ms
		}
		if time.Now().After(deadline) {
			t.Fatalf("the SMTP server got %d messages, want %d", len(ms), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Close stops the server.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.held {
		c.Close()
	}
	s.held = nil
	s.mu.Unlock()
	s.inner.Close()
	s.wg.Wait()
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, c: c}, nil
}

type session struct {
	s      *Server
	c      *smtp.Conn
	user   string
	authed bool
	from   string
	to     []string
}

func (ss *session) needAuth() error {
	if ss.s.opts.User != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != ss.s.opts.User || pass != ss.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.authed, ss.user = true, user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if err := ss.needAuth(); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.needAuth(); err != nil {
		return err
	}
	ss.s.mu.Lock()
	refuse := ss.s.refuse
	ss.s.mu.Unlock()
	if refuse != nil {
		if e := refuse(to); e != nil {
			ss.s.mu.Lock()
			ss.s.refused++
			ss.s.mu.Unlock()
			return e
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Message{From: ss.from, To: ss.to, Data: data, User: ss.user}
	_, m.TLS = ss.c.TLSConnectionState()
	parsed, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "malformed message: " + err.Error()}
	}
	m.Header = parsed.Header
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject")); err != nil {
		return &smtp.SMTPError{Code: 554, Message: "malformed subject: " + err.Error()}
	}
	var body io.Reader = parsed.Body
	if strings.EqualFold(parsed.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "malformed body: " + err.Error()}
	}
	m.Body = strings.ReplaceAll(string(b), "\r\n", "\n")
	ss.s.mu.Lock()
	if f := ss.s.hold; f != nil && len(ss.to) > 0 && f(ss.to[0]) {
		gate := ss.s.held1
		ss.s.mu.Unlock()
		select {
		case <-gate:
		case <-ss.s.done:
			return errors.New("closed")
		}
		ss.s.mu.Lock()
	}
	if f := ss.s.refuseData; f != nil && len(ss.to) > 0 {
		if e := f(ss.to[0]); e != nil {
			ss.s.refused++
			ss.s.mu.Unlock()
			return e
		}
	}
	ss.s.msgs = append(ss.s.msgs, m)
	hangUp := ss.s.hangUp != nil && len(ss.to) > 0 && ss.s.hangUp(ss.to[0])
	ss.s.mu.Unlock()
	if hangUp {
		ss.c.Conn().Close()
		return errors.New("hung up")
	}
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// chanListener is the listener the SMTP server serves: the connections
// accept lets through.
type chanListener struct {
	conns <-chan net.Conn
	addr  net.Addr
	once  sync.Once
	done  chan struct{}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c, ok := <-l.conns:
		if ok {
			return c, nil
		}
	case <-l.done:
	}
	return nil, net.ErrClosed
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return l.addr }

// certificate makes a self-signed certificate for 127.0.0.1.
func certificate(t testing.TB) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
