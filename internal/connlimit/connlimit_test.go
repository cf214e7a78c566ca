package connlimit_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"contactdesk/internal/connlimit"
	"contactdesk/internal/ratelimit"
	"contactdesk/internal/syncbuf"
)

// hangAfter is how long a test waits for what must come at once before
// saying that it hung: generous, never a measure.
const hangAfter = 10 * time.Second

// limited serves a LimitConns listener on 127.0.0.1 as a server would:
// each connection it accepts is greeted with "ok" and held until the
// test closes it (from conns).
type limited struct {
	ln    *connlimit.Listener
	conns chan net.Conn
	log   *syncbuf.Buffer
}

func newLimited(t *testing.T, l connlimit.Limits) *limited {
	t.Helper()
	return newLimitedAt(t, l, time.Now)
}

// newLimitedAt is newLimited on the clock now.
func newLimitedAt(t *testing.T, l connlimit.Limits, now func() time.Time) *limited {
	t.Helper()
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &limited{conns: make(chan net.Conn, 100), log: &syncbuf.Buffer{}}
	l.Log = slog.New(slog.NewTextHandler(s.log, nil))
	s.ln = connlimit.WrapAt(tcp, l, now)
	t.Cleanup(func() { s.ln.Close() })
	go func() {
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("ok"))
			s.conns <- c
		}
	}()
	return s
}

// dial connects from the address from (127.0.0.1, 127.0.0.2…), and says
// whether the server took the connection (it read the greeting) or
// closed it at once (end of file, or reset); the connection stays open.
func (s *limited) dial(t *testing.T, from string) (net.Conn, bool) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: hangAfter}
	c, err := d.Dial("tcp", s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(hangAfter))
	b := make([]byte, 2)
	_, err = io.ReadFull(c, b)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a connection from %s was neither taken nor closed: it waits", from)
	}
	return c, err == nil
}

// taken is the server's side of the connection it took last.
func (s *limited) taken(t *testing.T) net.Conn {
	t.Helper()
	select {
	case c := <-s.conns:
		return c
	case <-time.After(hangAfter):
		t.Fatal("the server took no connection")
		return nil
	}
}

// TestLimitConnsPerAddr: an address holding its bound of connections has
// its next one closed at once, while another address is still served;
// closing one frees its place, once however many times it is closed.
func TestLimitConnsPerAddr(t *testing.T) {
	s := newLimited(t, connlimit.Limits{PerAddr: 2, Total: 10})
	var held []net.Conn
	for range 2 {
		if _, ok := s.dial(t, "127.0.0.1"); !ok {
			t.Fatal("a connection within the bound was closed")
		}
		held = append(held, s.taken(t))
	}
	for range 3 {
		if _, ok := s.dial(t, "127.0.0.1"); ok {
			t.Fatal("a third connection from one address was taken")
		}
	}
	if _, ok := s.dial(t, "127.0.0.2"); !ok {
		t.Fatal("another address was shut out")
	}
	s.taken(t)
	if n := s.ln.Open(); n != 3 {
		t.Errorf("%d connections counted open, want 3", n)
	}
	// Once in the log, however many were closed; not the other address.
	if n := strings.Count(s.log.String(), "too many connections from one address"); n != 1 {
		t.Errorf("%d warnings in the log, want 1:\n%s", n, s.log.String())
	}
	if !strings.Contains(s.log.String(), "level=WARN") || !strings.Contains(s.log.String(), "client=127.0.0.1 ") || strings.Contains(s.log.String(), "127.0.0.2") {
		t.Errorf("the log:\n%s", s.log.String())
	}

	// Closed twice, a connection frees one place, not two.
	held[0].Close()
	held[0].Close()
	if _, ok := s.dial(t, "127.0.0.1"); !ok {
		t.Fatal("the place of a closed connection was not freed")
	}
	s.taken(t)
	if _, ok := s.dial(t, "127.0.0.1"); ok {
		t.Fatal("a connection closed twice freed two places")
	}
	if n := s.ln.Open(); n != 3 {
		t.Errorf("%d connections counted open, want 3", n)
	}
}

// TestLimitConnsTotal: past the total, every address has its new
// connections closed at once, until one ends.
func TestLimitConnsTotal(t *testing.T) {
	s := newLimited(t, connlimit.Limits{PerAddr: 2, Total: 3})
	var held []net.Conn
	for _, from := range []string{"127.0.0.1", "127.0.0.1", "127.0.0.2"} {
		if _, ok := s.dial(t, from); !ok {
			t.Fatalf("a connection from %s within the bounds was closed", from)
		}
		held = append(held, s.taken(t))
	}
	for _, from := range []string{"127.0.0.2", "127.0.0.3", "127.0.0.3"} {
		if _, ok := s.dial(t, from); ok {
			t.Fatalf("a connection from %s past the total was taken", from)
		}
	}
	if n := strings.Count(s.log.String(), "too many connections open"); n != 1 {
		t.Errorf("%d warnings in the log, want 1:\n%s", n, s.log.String())
	}
	held[0].Close()
	if _, ok := s.dial(t, "127.0.0.3"); !ok {
		t.Fatal("the place of a closed connection was not freed")
	}
}

// TestLimitConnsExempt: a trusted proxy's address is not held to the
// bound of one address, through which every client comes; the total
// still holds it, and every other address is held.
func TestLimitConnsExempt(t *testing.T) {
	proxy := netip.MustParseAddr("127.0.0.3")
	s := newLimited(t, connlimit.Limits{PerAddr: 1, Total: 4, Exempt: func(a netip.Addr) bool { return a == proxy }})
	for range 3 {
		if _, ok := s.dial(t, "127.0.0.3"); !ok {
			t.Fatal("the proxy was held to the bound of one address")
		}
		s.taken(t)
	}
	if _, ok := s.dial(t, "127.0.0.1"); !ok {
		t.Fatal("a first connection from another address was closed")
	}
	s.taken(t)
	if _, ok := s.dial(t, "127.0.0.3"); ok {
		t.Fatal("the proxy went past the total")
	}
	if n := s.ln.Open(); n != 4 {
		t.Errorf("%d connections counted open, want 4", n)
	}

	s = newLimited(t, connlimit.Limits{PerAddr: 1, Total: 4, Exempt: func(a netip.Addr) bool { return a == proxy }})
	if _, ok := s.dial(t, "127.0.0.1"); !ok {
		t.Fatal("a first connection was closed")
	}
	s.taken(t)
	if _, ok := s.dial(t, "127.0.0.1"); ok {
		t.Fatal("an address that is not the proxy's went past its bound")
	}
}

// TestLimitConnsRate: an address past its rate of new connections has
// the next closed at once, though it holds none open any more; another
// address, and a trusted proxy's, are not held; a token comes back with
// time.
func TestLimitConnsRate(t *testing.T) {
	proxy := netip.MustParseAddr("127.0.0.3")
	// The listener's clock moves only when told: on a busy machine, the
	// four connections "at once" could otherwise be 200 ms apart, and
	// the 4th taken with a token come back meanwhile.
	var mu sync.Mutex
	at := time.Now()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	s := newLimitedAt(t, connlimit.Limits{PerAddr: 10, Total: 100, Rate: ratelimit.New(3, 200*time.Millisecond, 0),
		Exempt: func(a netip.Addr) bool { return a == proxy }}, now)
	for i := range 3 {
		c, ok := s.dial(t, "127.0.0.1")
		if !ok {
			t.Fatalf("connection %d of the rate's 3 was closed", i+1)
		}
		c.Close()
		s.taken(t).Close()
	}
	if _, ok := s.dial(t, "127.0.0.1"); ok {
		t.Fatal("a 4th new connection at once from one address was taken")
	}
	for range 5 {
		if _, ok := s.dial(t, "127.0.0.3"); !ok {
			t.Fatal("the proxy was held to the rate of one address")
		}
		s.taken(t)
	}
	if _, ok := s.dial(t, "127.0.0.2"); !ok {
		t.Fatal("another address was shut out")
	}
	s.taken(t)
	if n := strings.Count(s.log.String(), "too many new connections from one address"); n != 1 || !strings.Contains(s.log.String(), "client=127.0.0.1 ") {
		t.Errorf("the log:\n%s", s.log.String())
	}
	mu.Lock()
	at = at.Add(300 * time.Millisecond)
	mu.Unlock()
	if _, ok := s.dial(t, "127.0.0.1"); !ok {
		t.Fatal("the address was still shut out once its rate let a connection in")
	}
	s.taken(t)
}

// TestLimitConnsServer: under an http.Server, a place is freed when the
// server closes an idle keep-alive connection, and every one when it
// shuts down.
func TestLimitConnsServer(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := connlimit.Wrap(tcp, connlimit.Limits{PerAddr: 1, Total: 10})
	release, waiting := make(chan struct{}), make(chan struct{}, 3)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/wait" {
			waiting <- struct{}{}
			<-release
		}
		io.WriteString(w, "ok")
	}), IdleTimeout: 200 * time.Millisecond}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	get := func(c net.Conn, path string) error {
		c.SetDeadline(time.Now().Add(hangAfter))
		if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return err
		}
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return err
		}
		res.Body.Close()
		return nil
	}
	dial := func() net.Conn {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), hangAfter)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	if err := get(dial(), "/"); err != nil {
		t.Fatal(err)
	}
	// The keep-alive connection holds the address's one place: the
	// server closes it once idle, which frees it.
	for deadline := time.Now().Add(hangAfter); get(dial(), "/") != nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the place of an idle connection the server closed was not freed")
		}
	}
	// Three more connections, from three more addresses, whose calls
	// are under way when the server shuts down.
	for _, from := range []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"} {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: hangAfter}
		c, err := d.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		go get(c, "/wait")
	}
	for deadline := time.Now().Add(hangAfter); len(waiting) < 3; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the calls did not reach the server")
		}
	}
	if n := ln.Open(); n < 3 {
		t.Fatalf("%d connections counted open, want at least 3", n)
	}
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	close(release)
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	<-done
	for deadline := time.Now().Add(hangAfter); ln.Open() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still counted open after the server shut down", ln.Open())
		}
	}
}

// TestMaxConns: the total is within its bounds, whatever the limit of
// open files.
func TestMaxConns(t *testing.T) {
	if n := connlimit.MaxTotal(); n < 256 || n > 16384 {
		t.Errorf("MaxTotal() = %d", n)
	}
}

// TestConnLimitsAsTheREADMESays: the README states the bounds.
func TestConnLimitsAsTheREADMESays(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ")
	for _, want := range []string{
		fmt.Sprintf("one address holds at most %d open at once", connlimit.DefaultPerAddr),
		fmt.Sprintf("the addresses of one IPv6 /48 at most %d together", connlimit.NetFactor*connlimit.DefaultPerAddr),
		"from 256 to 16,384",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("the README has no %q", want)
		}
	}
}

// fakeConn is a connection from addr that notes its closing; nothing is
// read or written on it.
type fakeConn struct {
	net.Conn
	addr   *net.TCPAddr
	closed chan struct{}
	once   sync.Once
}

func (c *fakeConn) RemoteAddr() net.Addr { return c.addr }
func (c *fakeConn) Close() error         { c.once.Do(func() { close(c.closed) }); return nil }

// fakeListener hands Accept the connections pushed into it.
type fakeListener struct{ conns chan net.Conn }

func (l fakeListener) Accept() (net.Conn, error) {
	c, ok := <-l.conns
	if !ok {
		return nil, net.ErrClosed
	}
	return c, nil
}
func (l fakeListener) Close() error   { return nil }
func (l fakeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv6loopback, Port: 22} }

// fakeServer is a Listener over fakeListener, and what its Accept took.
type fakeServer struct {
	ln    *connlimit.Listener
	in    chan net.Conn
	taken chan net.Conn
	log   *syncbuf.Buffer
}

func newFakeServer(t *testing.T, l connlimit.Limits) *fakeServer {
	return newFakeServerAt(t, l, nil)
}

// newFakeServerAt is newFakeServer on the clock now (nil: the real one).
func newFakeServerAt(t *testing.T, l connlimit.Limits, now func() time.Time) *fakeServer {
	s := &fakeServer{in: make(chan net.Conn), taken: make(chan net.Conn, 1), log: &syncbuf.Buffer{}}
	l.Log = slog.New(slog.NewTextHandler(s.log, nil))
	if now == nil {
		s.ln = connlimit.Wrap(fakeListener{s.in}, l)
	} else {
		s.ln = connlimit.WrapAt(fakeListener{s.in}, l, now)
	}
	go func() {
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			s.taken <- c
		}
	}()
	t.Cleanup(func() { close(s.in) })
	return s
}

// connect hands the server a connection from ip, and says whether it
// was taken (it is returned) or closed at once (nil).
func (s *fakeServer) connect(t *testing.T, ip string) net.Conn {
	t.Helper()
	c := &fakeConn{addr: &net.TCPAddr{IP: net.ParseIP(ip), Port: 40000}, closed: make(chan struct{})}
	s.in <- c
	select {
	case got := <-s.taken:
		return got
	case <-c.closed:
		return nil
	case <-time.After(hangAfter):
		t.Fatalf("a connection from %s was neither taken nor closed", ip)
		return nil
	}
}

// TestLimitConnsPerNet: the IPv6 addresses of one /48, each in a /64 of
// its own, hold NetFactor × PerAddr connections open together, no more:
// bound by the /64 only, a site with a /48 (65,536 /64s) could fill the
// total with handshakes held for their timeout. Another /48, and IPv4
// addresses, are not held by it; closing one frees its place.
func TestLimitConnsPerNet(t *testing.T) {
	const perAddr = 2
	perNet := connlimit.NetFactor * perAddr
	s := newFakeServer(t, connlimit.Limits{PerAddr: perAddr, Total: 1000})
	var held []net.Conn
	for i := range perNet {
		c := s.connect(t, fmt.Sprintf("2001:db8:1:%x::1", i))
		if c == nil {
			t.Fatalf("connection %d of one /48, each from a /64 of its own, was closed; the /48 holds %d", i+1, perNet)
		}
		held = append(held, c)
	}
	for i := range 5 {
		if s.connect(t, fmt.Sprintf("2001:db8:1:%x::1", 0x100+i)) != nil {
			t.Fatalf("a /48 holding %d connections was given one more, from another /64 of it", perNet)
		}
	}
	if s.connect(t, "2001:db8:2::1") == nil {
		t.Error("another /48 was shut out")
	}
	for i := range perNet + 2 {
		if s.connect(t, fmt.Sprintf("192.0.2.%d", i+1)) == nil {
			t.Errorf("IPv4 address %d of one /24 was shut out", i+1)
		}
	}
	if n := strings.Count(s.log.String(), "too many connections from one network"); n != 1 ||
		!strings.Contains(s.log.String(), "client=2001:db8:1::/48 ") || !strings.Contains(s.log.String(), fmt.Sprintf("max=%d", perNet)) {
		t.Errorf("the log, want one warning naming the /48:\n%s", s.log.String())
	}
	held[3].Close()
	if s.connect(t, "2001:db8:1:ffff::1") == nil {
		t.Error("the place of a closed connection was not freed")
	}
	if s.connect(t, "2001:db8:1:fffe::1") != nil {
		t.Error("a closed connection freed two places")
	}

	// Limits.PerNet, given, is the bound; a /64 still holds PerAddr.
	s = newFakeServer(t, connlimit.Limits{PerAddr: perAddr, PerNet: 3, Total: 1000})
	for i, ip := range []string{"2001:db8:1:1::1", "2001:db8:1:1::2", "2001:db8:1:1::3", "2001:db8:1:2::1", "2001:db8:1:3::1"} {
		want := i != 2 && i != 4
		if got := s.connect(t, ip) != nil; got != want {
			t.Errorf("a connection from %s taken: %v, want %v", ip, got, want)
		}
	}
}

// TestLimitConnsRatePerNet: the IPv6 addresses of one /48, each in a
// /64 of its own, open at most NetRate's new connections together,
// though they keep none open: past it, the next is closed at once, from
// whichever /64 of the /48, and the log warns once, naming the /48.
// Another /48, IPv4 addresses and an exempt one are not held by it, and
// one /64 is still held to Rate. Before, the /48 was not counted: each
// of its 65,536 /64s could open Rate's connections, each a TLS
// handshake.
func TestLimitConnsRatePerNet(t *testing.T) {
	const rate = 3
	exempt := netip.MustParseAddr("2001:db8:1:eeee::1")
	s := newFakeServer(t, connlimit.Limits{PerAddr: 10, Total: 1000,
		Rate:    ratelimit.New(rate, time.Hour, 0),
		NetRate: ratelimit.New(connlimit.NetFactor*rate, time.Hour, 0),
		Exempt:  func(a netip.Addr) bool { return a == exempt }})
	for i := range connlimit.NetFactor * rate {
		c := s.connect(t, fmt.Sprintf("2001:db8:1:%x::1", i))
		if c == nil {
			t.Fatalf("new connection %d of one /48, each from a /64 of its own, was closed; the /48 opens %d", i+1, connlimit.NetFactor*rate)
		}
		c.Close() // none kept open: the rate holds, not PerNet
	}
	for i := range 5 {
		if c := s.connect(t, fmt.Sprintf("2001:db8:1:%x::1", 0x100+i)); c != nil {
			t.Fatalf("a /48 past its rate opened one more, from a new /64 of it")
		}
	}
	if s.connect(t, "2001:db8:1:eeee::1") == nil {
		t.Error("an exempt address (a proxy's) of the /48 was held to its rate")
	}
	if s.connect(t, "2001:db8:2::1") == nil {
		t.Error("another /48 was shut out")
	}
	for i := range connlimit.NetFactor*rate + 2 {
		if s.connect(t, fmt.Sprintf("192.0.2.%d", i+1)) == nil {
			t.Errorf("IPv4 address %d of one /24 was shut out", i+1)
		}
	}
	for i := range rate + 1 {
		got := s.connect(t, fmt.Sprintf("2001:db8:3:1::%x", i+1)) != nil
		if want := i < rate; got != want {
			t.Errorf("new connection %d of one /64 of another /48 taken: %v, want %v", i+1, got, want)
		}
	}
	log := s.log.String()
	if n := strings.Count(log, "too many new connections from one network (an IPv6 /48)"); n != 1 || !strings.Contains(log, "client=2001:db8:1::/48 ") {
		t.Errorf("the log, want one warning naming the /48:\n%s", log)
	}
}

// TestLimitConnsRatePerNetSparesTheAddress: someone whose /48 is at its
// NetRate (another /64 of it flooding) and who keeps trying has each
// try closed, and spends nothing of their own address's Rate: once the
// /48 has room again, their next connection is taken. Before, each
// closed try took one of their Rate, and they were still shut out after
// the /48 had room.
func TestLimitConnsRatePerNetSparesTheAddress(t *testing.T) {
	const rate = 3
	var mu sync.Mutex
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	s := newFakeServerAt(t, connlimit.Limits{PerAddr: 10, Total: 1000,
		Rate:    ratelimit.PerMinute(rate, 0),
		NetRate: ratelimit.PerMinute(connlimit.NetFactor*rate, 0)}, now)

	for i := range connlimit.NetFactor * rate {
		c := s.connect(t, fmt.Sprintf("2001:db8:1:%x::1", i))
		if c == nil {
			t.Fatalf("connection %d of the flood closed", i+1)
		}
		c.Close()
	}
	const user = "2001:db8:1:beef::7"
	for i := range 10 {
		if s.connect(t, user) != nil {
			t.Fatalf("try %d of a user of a /48 past its rate taken", i+1)
		}
	}
	mu.Lock()
	clock = clock.Add(time.Minute / (connlimit.NetFactor * rate)) // one /48 token back
	mu.Unlock()
	if s.connect(t, user) == nil {
		t.Errorf("the user, once the /48 has room again, was shut out: its closed tries spent its address's rate\n%s", s.log.String())
	}
}
