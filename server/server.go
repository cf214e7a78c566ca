// Package server serves the desk's terminal app over SSH with wish: each
// session is one Bubble Tea program, logged in by a registered public key.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"contactdesk/internal/connlimit"
	"contactdesk/internal/ratelimit"
	"contactdesk/locale"
	"contactdesk/model"
)

// ModelFunc builds the program of one session, for the account whose key
// the handshake verified; ctx ends with the session.
type ModelFunc func(ctx context.Context, sess ssh.Session, who model.Account) tea.Model

// Options configure a Server; zero values take the defaults.
type Options struct {
	HostKey  gossh.Signer // required: see HostKey
	NewModel ModelFunc    // required

	IdleTimeout time.Duration // a session with no keystroke for this long ends: default 30m
	// MaxSessions is how many session channels may be open at once, over
	// every connection and account: default 1000.
	MaxSessions int
	// SessionsPerAccount is how many of them one account may have open:
	// default DefaultSessionsPerAccount; NoLimit for none.
	SessionsPerAccount int
	// SessionsPerConn is how many one connection may have open: default
	// DefaultSessionsPerConn.
	SessionsPerConn int
	// SessionRate is how many sessions one account may start per minute:
	// default DefaultSessionRate; NoLimit for none.
	SessionRate int
	// KeyRate is how many keys (input events) one session hands its
	// program a second, after DefaultKeyBurst at once: default
	// DefaultKeyRate; NoLimit for none.
	KeyRate int
	// ConnRate is how many new connections one remote address (an IPv6
	// one by its /64) may open per minute, and connlimit.NetFactor times
	// as many the addresses of one IPv6 /48 together: default
	// DefaultConnRate; NoLimit for none (serve's --conn-rate 0).
	ConnRate int
	// NoSessionTimeout closes a connection on which no session has run
	// for that long, keepalives or not: default DefaultNoSessionTimeout.
	NoSessionTimeout time.Duration
	// MaxWidth and MaxHeight bound the terminal a session draws, in cells:
	// default DefaultMaxWidth × DefaultMaxHeight.
	MaxWidth, MaxHeight int
	HandshakeTimeout    time.Duration // to connect and log in: default 20s
	// ShutdownNotice is how long open sessions are warned before a
	// shutdown ends them: default 5s.
	ShutdownNotice time.Duration
	// WatchEvery is how often the one watcher looks for writes made by
	// other processes (the CLI): default 300ms.
	WatchEvery time.Duration
	Logger     *slog.Logger // default slog.Default()
	// OnRefuse, when set, is called each time a connection or a session
	// is turned away, with why (for metrics). It runs on the server's
	// goroutines: it must return at once.
	OnRefuse func(Refusal)

	// requestBytes paces the bytes of a connection's requests: default
	// requestBytesRate; a test of what the server keeps of requests
	// sends more than the pace lets through in its time.
	requestBytes rate.Limit
	// wireBytes paces the bytes a connection sends: default wireRate;
	// rate.Inf for a test that sends more than the pace lets through.
	wireBytes rate.Limit
}

// Defaults of Options.
const (
	DefaultIdleTimeout = 30 * time.Minute
	// DefaultWatchEvery is how often the server looks for writes made by
	// other processes (Options.WatchEvery).
	DefaultWatchEvery  = 300 * time.Millisecond
	DefaultMaxSessions = 1000
)

// maxQuiet bounds the addresses whose last refused connection's line is
// remembered (about 100 bytes each): past it, the least recent is
// forgotten, and logged again at its next refusal.
const maxQuiet = 10_000

// Server is the desk served over SSH.
type Server struct {
	desk   *model.Desk
	o      Options
	log    *slog.Logger
	ssh    *ssh.Server
	conns  *ratelimit.Keyed // new connections per address; nil: no limit
	nets   *ratelimit.Keyed // new connections per IPv6 /48; nil: no limit
	quiet  *ratelimit.Keyed // lines of the connections those refuse, one a minute per address
	starts *ratelimit.Keyed // sessions started per account; nil: no limit
	seats  *seats
	live   *sessions
	// handshakes are the connections whose login is under way, by
	// connKey: the links a failed handshake's callback must find.
	handshakes sync.Map

	// handler runs the middlewares; ptyHandler is the library's emulated
	// pty. sessionChannel hands both to each session.
	handler    ssh.Handler
	ptyHandler ssh.PtyHandler

	// stopping is set by Shutdown; listeners are those Serve was given.
	// charm.land/ssh's Shutdown closes only the listeners its Serve has
	// reached, and its Serve, called after, would accept for ever: the
	// server closes them itself. It waits itself too, for what it
	// counts: serving, the Serve loops running, and links, every
	// connection accepted and not yet closed; gone is closed once
	// stopping finds none left. (charm.land/ssh's Shutdown waits on a
	// WaitGroup that a login completing at that instant adds to, a data
	// race the race detector caught in the tests.)
	mu        sync.Mutex
	stopping  bool
	listeners []net.Listener
	serving   int
	links     map[*link]struct{}
	gone      chan struct{}

	watchOnce sync.Once // starts the watcher, or says there will be none
	watchCtx  context.Context
	stopWatch context.CancelFunc
	watching  chan struct{} // closed once the watcher is done
}

// New returns a server of d; it listens once Serve is called.
func New(d *model.Desk, o Options) (*Server, error) {
	if o.HostKey == nil {
		return nil, errors.New("server: a host key is required")
	}
	if o.NewModel == nil {
		return nil, errors.New("server: a model is required")
	}
	if o.requestBytes == 0 {
		o.requestBytes = requestBytesRate
	}
	if o.wireBytes == 0 {
		o.wireBytes = wireRate
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.SessionsPerAccount <= 0 && o.SessionsPerAccount != NoLimit {
		o.SessionsPerAccount = DefaultSessionsPerAccount
	}
	if o.SessionsPerConn <= 0 {
		o.SessionsPerConn = DefaultSessionsPerConn
	}
	if o.SessionRate <= 0 && o.SessionRate != NoLimit {
		o.SessionRate = DefaultSessionRate
	}
	if o.KeyRate <= 0 && o.KeyRate != NoLimit {
		o.KeyRate = DefaultKeyRate
	}
	if o.ConnRate <= 0 && o.ConnRate != NoLimit {
		o.ConnRate = DefaultConnRate
	}
	if o.NoSessionTimeout <= 0 {
		o.NoSessionTimeout = DefaultNoSessionTimeout
	}
	if o.MaxWidth <= 0 {
		o.MaxWidth = DefaultMaxWidth
	}
	if o.MaxHeight <= 0 {
		o.MaxHeight = DefaultMaxHeight
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 20 * time.Second
	}
	if o.ShutdownNotice <= 0 {
		o.ShutdownNotice = 5 * time.Second
	}
	if o.WatchEvery <= 0 {
		o.WatchEvery = DefaultWatchEvery
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Server{
		desk:     d,
		o:        o,
		log:      o.Logger,
		conns:    ratelimit.PerMinute(o.ConnRate, 0),
		nets:     ratelimit.PerMinute(connlimit.NetFactor*o.ConnRate, 0),
		quiet:    ratelimit.New(1, time.Minute, maxQuiet),
		starts:   ratelimit.PerMinute(o.SessionRate, 0),
		seats:    newSeats(o.MaxSessions, o.SessionsPerAccount),
		live:     newSessions(),
		links:    map[*link]struct{}{},
		gone:     make(chan struct{}),
		watching: make(chan struct{}),
	}
	s.watchCtx, s.stopWatch = context.WithCancel(context.Background())
	srv, err := wish.NewServer(
		func(srv *ssh.Server) error { srv.AddHostKey(o.HostKey); return nil },
		wish.WithPublicKeyAuth(s.offered),
		ssh.EmulatePty(),
		func(srv *ssh.Server) error {
			srv.ServerConfigCallback = s.sshConfig
			srv.ConnCallback = s.accept
			srv.ConnectionFailedCallback = s.failed
			srv.HandshakeTimeout = o.HandshakeTimeout
			// A backstop for a connection stuck with a session that
			// neither ends nor idles out; sessions end after
			// IdleTimeout without a keystroke, connections without one
			// after NoSessionTimeout.
			srv.IdleTimeout = o.IdleTimeout + time.Minute
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.sessionChannel, "default": s.otherChannel}
			// every global request: none is taken (no forwarding), but
			// each is paced
			srv.RequestHandlers = map[string]ssh.RequestHandler{"default": s.globalRequest}
			return nil
		},
		// Middlewares, innermost first: each call runs the ones above it.
		wish.WithMiddleware(
			s.app(),             // the Bubble Tea program of the session
			s.requireTerminal(), // no pty, or a command: one line and closed
			s.admit(),           // full or closing: told so; logs start and end
			s.identify(),        // the account of the verified key
			s.recoverPanics(),   // a panic ends this session only
		),
	)
	if err != nil {
		return nil, err
	}
	s.ssh, s.handler, s.ptyHandler = srv, srv.Handler, srv.PtyHandler
	return s, nil
}

// Serve accepts connections on l until Shutdown; it returns nil then, at
// once when Shutdown came first.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		l.Close()
		return nil
	}
	s.listeners = append(s.listeners, l)
	s.serving++
	s.mu.Unlock()
	s.watchOnce.Do(func() {
		go func() {
			defer close(s.watching)
			defer s.recovered("watcher", nil)
			s.desk.Watch(s.watchCtx, s.o.WatchEvery)
		}()
	})
	s.log.Info("serving", "addr", l.Addr().String(), "host-key", gossh.FingerprintSHA256(s.o.HostKey.PublicKey()),
		"max-sessions", s.o.MaxSessions, "sessions-per-account", s.o.SessionsPerAccount,
		"conn-rate", s.o.ConnRate, "idle-timeout", s.o.IdleTimeout.String())
	err := s.ssh.Serve(l)
	s.mu.Lock()
	stopping := s.stopping
	s.serving--
	s.checkGone()
	s.mu.Unlock()
	if errors.Is(err, ssh.ErrServerClosed) || stopping {
		return nil // or the error of accepting on l, closed by Shutdown
	}
	return err
}

// hold counts l among the connections Shutdown waits for; it reports
// false, counting nothing, once the server is stopping.
func (s *Server) hold(l *link) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return false
	}
	s.links[l] = struct{}{}
	return true
}

// release forgets a closed connection.
func (s *Server) release(l *link) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.links, l)
	s.checkGone()
}

// checkGone closes gone when the server is stopping with no Serve loop
// and no connection left. s.mu is held.
func (s *Server) checkGone() {
	if s.stopping && s.serving == 0 && len(s.links) == 0 {
		select {
		case <-s.gone:
		default:
			close(s.gone)
		}
	}
}

// Sessions counts the sessions open now: the session channels that hold
// a place, as MaxSessions counts them.
func (s *Server) Sessions() int { return s.seats.count() }

// Shutdown stops accepting connections, warns the open sessions, gives
// them ShutdownNotice to finish, then ends them and closes every
// connection. It returns ctx's error when ctx ends first; every
// connection is closed then too.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.stopping = true
	ls := s.listeners
	s.mu.Unlock()
	for _, l := range ls {
		l.Close()
	}
	open := s.live.close()
	s.log.Info("shutting down", "sessions", len(open))
	s.mu.Lock()
	s.checkGone()
	s.mu.Unlock()
	stopped := s.gone
	for _, l := range open {
		// in the language the session logged in with: no read of the
		// desk per session while the server closes
		lang := locale.EN
		if l.sess != nil && whoOf(l.sess).Lang.Known() {
			lang = whoOf(l.sess).Lang
		}
		l.notify(locale.For(lang).T("srv.closing_in", locale.Args{"In": spoken(s.o.ShutdownNotice)}))
	}
	t := time.NewTimer(s.o.ShutdownNotice)
	select {
	case <-s.live.empty():
	case <-t.C:
	case <-ctx.Done():
	}
	t.Stop()
	for _, l := range s.live.all() {
		l.end(endShutdown)
	}
	var err error
	select {
	case <-s.live.empty():
	case <-ctx.Done():
		err = ctx.Err()
	}
	// A client leaves once its last session ended; give it a moment, then
	// close what is left (connections with no session, handshakes).
	t = time.NewTimer(time.Second)
	done := false
	select {
	case <-stopped:
		done = true
	case <-t.C:
	case <-ctx.Done():
	}
	t.Stop()
	s.ssh.Close()
	if !done {
		// The library closes the connections it tracks, logged in; the
		// server closes the rest (logins under way).
		s.mu.Lock()
		left := make([]*link, 0, len(s.links))
		for l := range s.links {
			left = append(left, l)
		}
		s.mu.Unlock()
		for _, l := range left {
			l.shut("server shutting down")
		}
		select {
		case <-stopped:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	s.stopWatch()
	s.watchOnce.Do(func() { close(s.watching) }) // Serve never ran
	<-s.watching
	if err != nil {
		s.log.Info("stopped", "error", err)
	} else {
		s.log.Info("stopped")
	}
	return err
}

// spoken is a duration as a message says it, in its reader's language
// ("30 minutes", "30 minutos"); one shorter than a second (the tests')
// as Go writes it.
func spoken(d time.Duration) any {
	if d >= time.Second {
		return locale.Duration(d.Round(time.Second))
	}
	return roundDuration(d)
}

func roundDuration(d time.Duration) string {
	if d >= time.Second {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}

// globalRequest answers a connection's global requests (keepalives,
// tcpip-forward): no, within the connection's pace. While it waits, the
// library reads nothing more of the connection: its client waits too.
func (s *Server) globalRequest(ctx ssh.Context, _ *ssh.Server, req *gossh.Request) (bool, []byte) {
	if l := linkOf(ctx); l != nil {
		l.paced(ctx, req)
	}
	return false, nil
}
