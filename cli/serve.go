package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"github.com/spf13/cobra"
	gossh "golang.org/x/crypto/ssh"

	"contactdesk/api"
	"contactdesk/internal/clientinfo"
	"contactdesk/internal/connlimit"
	"contactdesk/internal/ratelimit"
	"contactdesk/locale"
	"contactdesk/metrics"
	"contactdesk/model"
	"contactdesk/server"
	"contactdesk/storage/postgres"
	"contactdesk/tui"
	"contactdesk/web"
)

// shutdownGrace is how long serve takes to stop after SIGINT or SIGTERM.
const shutdownGrace = 10 * time.Second

// The range of --call-timeout: under a second a busy database fails
// calls that would have ended well; past ten minutes a customer waits
// on a hung database for longer than anyone would.
const (
	minCallTimeout = time.Second
	maxCallTimeout = 10 * time.Minute
)

// The range of --idle-timeout: a minute is the least a person needs to
// read a screen; beyond 30 days a session is not idle, it is forgotten.
const (
	minIdleTimeout = time.Minute
	maxIdleTimeout = 30 * 24 * time.Hour
)

// maxSessions bounds --max-sessions: each session holds a goroutine and a
// screen; a million is beyond any machine this runs on.
const maxSessions = 1_000_000

// maxConnRate bounds --conn-rate: more than a thousand new connections a
// minute from one address is no limit at all.
const maxConnRate = 1000

// maxAPIRate bounds --api-rate, --api-addr-rate, --page-rate and
// --http-conn-rate:
// beyond a million calls (or connections) a minute there is no limit
// left.
const maxAPIRate = 1_000_000

// defaultHTTPConnRate is how many new HTTP connections one address may
// open a minute: as many as the API calls it may make (a script that
// opens a connection for each call meets the API's own 429 first, which
// says when to retry), far more than a browser opens for the page.
const defaultHTTPConnRate = api.DefaultAddrRate

type serveOptions struct {
	a                  *app
	Listen             string
	HostKey            string
	IdleTimeout        time.Duration
	CallTimeout        time.Duration
	MaxSessions        int
	SessionsPerAccount int
	ConnRate           int
	HTTP               string
	TLSCert            string
	cert               tls.Certificate // TLSCert and TLSKey, read before anything starts
	TLSKey             string
	ClientHeader       string
	APISecretKey       string
	TrustProxy         bool
	APIRate            int
	APIAddrRate        int
	HTTPConnRate       int
	PageRate           int
	Metrics            string
}

// noListen, as --listen, turns the SSH server off.
const noListen = "none"

func newCmdServe(a *app, runF func(*serveOptions) error) *cobra.Command {
	o := &serveOptions{a: a}
	cmd := &cobra.Command{
		Use:         "serve",
		Annotations: map[string]string{usageFlags: "[--listen ADDR|none] [--http ADDR [--tls-cert FILE --tls-key FILE] [--trust-proxy | --http-client-header NAME] [--api-secret-key PATH] [--api-rate N] [--api-addr-rate N] [--page-rate N] [--http-conn-rate N]] [--host-key PATH] [--idle-timeout D] [--call-timeout D] [--max-sessions N] [--max-sessions-per-account N] [--conn-rate N] [--metrics ADDR]"},
		Short:       "Serve the terminal app over SSH; the page of the mails' links and the HTTP API over HTTP",
		Long: `Serve the terminal app over SSH: each customer reaches its own desk with ssh,
nothing to install, no password; who it is is the account its key is
registered for ('contactdesk key add'). The first start makes the server's
host key beside the database (mode 0600) and reuses it after. One log line
per connection, login and session goes to stderr. SIGINT or SIGTERM stops
taking connections and ends the open sessions within 10 s.

With --http ADDR it also serves, over HTTP, the web page the mails link to:
a party opens the link of its mail, sees the request with its token filled
in, and accepts or refuses it; GET /healthz answers 200 while the database
does. --tls-cert and --tls-key serve HTTPS on that address; without them it
is plain HTTP, meant to sit behind a reverse proxy that speaks HTTPS (tell
it the header that names the client with --http-client-header, or every
client counts as the proxy's address in the throttle of wrong tokens and
the API's calls per address). Set the address the mails link to with
'contactdesk config set public-url'.

The same address serves the HTTP API under /1.0/, shaped like the
provider's own, for its official clients and scripts (keys: 'contactdesk
api-key add'); its secrets are sealed with the API secret key, beside the
database (made at first need) or --api-secret-key. Behind a reverse proxy
that sets X-Forwarded-For, -Proto and -Host, --trust-proxy reads the
client's address, scheme and host from them, for the page and the API;
with --http-client-header, a call is signed for the public-url's scheme
and host. --listen none serves HTTP alone.

With --metrics ADDR it also serves, on that address of its own (keep it
private: it is not for customers), Prometheus metrics at /metrics and a
health check at /healthz (200 while the database answers, 503 when not).`,
		Example: `contactdesk serve
contactdesk serve --listen :2222 --idle-timeout 1h --max-sessions 500
ssh -p 2222 desk.example.net
# many customers behind one NAT or bastion
contactdesk serve --conn-rate 0
# the web page too, behind a reverse proxy
contactdesk serve --http 127.0.0.1:8080
contactdesk serve --listen none --http :443 --tls-cert cert.pem \
  --tls-key key.pem
contactdesk serve --listen none --http 127.0.0.1:8081 --trust-proxy \
  --api-rate 120
# Prometheus scrapes http://127.0.0.1:9187/metrics
contactdesk serve --metrics 127.0.0.1:9187`,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Listen == noListen && o.HTTP == "" {
				return misuse(cmd, "serve_nothing")
			}
			if (o.TLSCert == "") != (o.TLSKey == "") {
				return misuse(cmd, "serve_tls_pair")
			}
			if (o.TLSCert != "" || o.ClientHeader != "" || o.TrustProxy) && o.HTTP == "" {
				return misuse(cmd, "serve_http_only")
			}
			if o.TrustProxy && o.ClientHeader != "" {
				return misuse(cmd, "serve_proxy_either")
			}
			if runF != nil {
				return runF(o)
			}
			if o.Listen != noListen && o.HostKey == "" && postgres.IsURL(a.dbPath()) {
				return misuse(cmd, "host_key_where")
			}
			if o.HTTP != "" {
				if err := a.apiSecretKeyGiven(cmd, o.APISecretKey); err != nil {
					return err
				}
			}
			// a key file given that can't be made is said before the
			// other is made
			if o.Listen != noListen && o.HostKey != "" {
				if err := keyFile(o.HostKey, "host_key"); err != nil {
					return err
				}
			}
			if o.HTTP != "" && o.APISecretKey != "" {
				if err := keyFile(o.APISecretKey, "secret_key"); err != nil {
					return err
				}
			}
			return serve(o)
		},
	}
	f := cmd.Flags()
	f.Var(newAddr(&o.Listen, "127.0.0.1:2222", noListen), "listen", "the ADDRess the SSH server listens on (none: no SSH server)")
	f.Var(newAddr(&o.HTTP, "", ""), "http", "serve the web page of the mails' links on ADDR too, such as 127.0.0.1:8080 (default: no web page)")
	f.StringVar(&o.TLSCert, "tls-cert", "", "with --http: serve HTTPS with the certificate (chain) in FILE, PEM")
	f.StringVar(&o.TLSKey, "tls-key", "", "with --http: the certificate's private key FILE, PEM")
	f.StringVar(&o.ClientHeader, "http-client-header", "", "with --http behind a reverse proxy: the header NAME in which it names the client (X-Real-IP, X-Forwarded-For), for the throttle of wrong tokens, the API's calls per address and the log; the proxy's own connections are then bounded in total only, not as one address's")
	f.BoolVar(&o.TrustProxy, "trust-proxy", false, "with --http behind a reverse proxy: take the client's address, scheme and host from X-Forwarded-For, -Proto and -Host; the proxy's own connections are then bounded in total only, not as one address's")
	apiSecretKeyFlag(cmd, &o.APISecretKey)
	f.Var(newInt(&o.APIRate, api.DefaultKeyRate, 0, maxAPIRate, accepts("calls", locale.Args{"Max": maxAPIRate})), "api-rate",
		"let one API key make at most N calls a minute (0: no limit)")
	f.Var(newInt(&o.APIAddrRate, api.DefaultAddrRate, 0, maxAPIRate, accepts("calls", locale.Args{"Max": maxAPIRate})), "api-addr-rate",
		"let one address make at most N API calls a minute, and one IPv6 /48 4N (0: no limit, for many customers behind one NAT)")
	f.Var(newInt(&o.PageRate, web.DefaultAddrRate, 0, maxAPIRate, accepts("pages", locale.Args{"Max": maxAPIRate})), "page-rate",
		"with --http: let one address ask for at most N web pages a minute, and one IPv6 /48 4N (0: no limit, for many customers behind one NAT)")
	f.Var(newInt(&o.HTTPConnRate, defaultHTTPConnRate, 0, maxAPIRate, accepts("connections", locale.Args{"Max": maxAPIRate})), "http-conn-rate",
		"with --http: accept at most N new HTTP connections a minute from one address, before any TLS handshake (0: no limit, for many customers behind one NAT)")
	f.Var(newAddr(&o.Metrics, "", ""), "metrics", "serve Prometheus metrics (/metrics) and a health check (/healthz) on ADDR, such as 127.0.0.1:9187 (default: none)")
	f.StringVar(&o.HostKey, "host-key", "", "the server's private key PATH (default: the database's path + .host_key; made at first start)")
	f.Var(newDuration(&o.IdleTimeout, server.DefaultIdleTimeout, minIdleTimeout, maxIdleTimeout), "idle-timeout", "end a session after D without a keystroke: 90s, 15m, 48h, 15d")
	f.Var(newShortDuration(&o.CallTimeout, tui.DefaultCallTimeout, minCallTimeout, maxCallTimeout), "call-timeout",
		"fail a read or write of a session, a page or an API call that the database has not answered in D: 5s, 20s, 1m")
	f.Var(newInt(&o.MaxSessions, server.DefaultMaxSessions, 1, maxSessions, accepts("sessions")), "max-sessions", "serve at most N sessions at once")
	f.Var(newInt(&o.SessionsPerAccount, server.DefaultSessionsPerAccount, 1, maxSessions, accepts("sessions")), "max-sessions-per-account",
		"let one account have at most N sessions open at once")
	f.Var(newInt(&o.ConnRate, server.DefaultConnRate, 0, maxConnRate, accepts("connections", locale.Args{"Max": maxConnRate})), "conn-rate",
		"accept at most N new connections a minute from one address (0: no limit, for many customers behind one NAT or bastion)")
	return cmd
}

// expiriesEvery is how often serve and the app look for requests whose
// validity ran out (a read; a write only when one did).
const expiriesEvery = 5 * time.Second

// servant is one of the servers serve runs: SSH, HTTP.
type servant struct {
	serve    func() error
	shutdown func(context.Context) error
}

func serve(o *serveOptions) error {
	a := o.a
	if o.TLSCert != "" {
		// Read first: a mistake in them stops serve before it makes
		// anything (a host key, an API secret key) or opens a port.
		// a folder is refused saying so, in the reader's language (the
		// system said "read /tmp: is a directory", in English)
		if isDir(o.TLSCert) {
			return fails("tls_cert_directory", locale.Args{"Path": o.TLSCert})
		}
		if isDir(o.TLSKey) {
			return fails("tls_key_directory", locale.Args{"Path": o.TLSKey})
		}
		var err error
		if o.cert, err = tls.LoadX509KeyPair(o.TLSCert, o.TLSKey); err != nil {
			return fails("tls_pair", locale.Args{"Cert": o.TLSCert, "Key": o.TLSKey}, err)
		}
	}
	var m *metrics.Metrics
	var metricsLn net.Listener
	if o.Metrics != "" {
		// Its address is taken first: a mistake in it stops serve before
		// anything else starts.
		var err error
		if metricsLn, err = net.Listen("tcp", o.Metrics); err != nil {
			return fails("metrics_listen", locale.Args{"Addr": o.Metrics}, err)
		}
		defer metricsLn.Close()
		m = metrics.New()
		a.observe, a.mailSent, a.mailFailed = m.Observe, m.MailSent, m.MailFailed
	}
	log := slog.New(slog.NewTextHandler(a.stderr, nil))
	a.serveLog = log // --smtp: each try that fails, each mail given up
	d, err := a.open(false)
	if err != nil {
		return err
	}
	// A newer contactdesk upgraded the database (a rolling upgrade that
	// reached another node first): this node writes nothing from then
	// on, and its health checks fail saying so. Said once.
	d.OnNewerSchema(func(e *model.NewerSchemaError) {
		log.Error("the database was upgraded by a newer contactdesk: upgrade this node; until then it changes nothing, and its health checks (/healthz) fail",
			"schema", e.Found, "knows", e.Known)
	})
	if m != nil {
		m.Desk(d)
		metricsLn = connlimit.Wrap(metricsLn, connlimit.Limits{PerAddr: connlimit.DefaultPerAddr, Total: maxMetricsConns, Log: log})
		stop := serveMetrics(metricsLn, m.Handler(d), log)
		defer stop()
	}
	var servants []servant
	if o.Listen != noListen {
		s, err := sshServant(o, d, m, log)
		if err != nil {
			return err
		}
		servants = append(servants, s)
	}
	if o.HTTP != "" {
		box, err := a.apiSecretKey(o.APISecretKey, d)
		if err != nil {
			for _, s := range servants {
				s.shutdown(context.Background())
			}
			return err
		}
		s, err := httpServant(o, d, box, m, log)
		if err != nil {
			for _, s := range servants {
				s.shutdown(context.Background())
			}
			return err
		}
		servants = append(servants, s)
	}
	settling, settled := context.WithCancel(a.ctx)
	defer settled()
	// Requests that expire are recorded, and their parties told, though
	// nothing is written meanwhile.
	go d.SettleExpiries(settling, expiriesEvery)
	if o.Listen == noListen && a.mail != nil {
		// The SSH server watches for other processes' writes (its
		// sessions show them); without it, the SMTP sender still wants
		// to hear of the mails they queue (delivery.Sender.Attach).
		go d.Watch(settling, server.DefaultWatchEvery)
	}
	served := make(chan error, len(servants))
	for _, s := range servants {
		go func() { served <- s.serve() }()
	}
	var first error
	left := len(servants) // still to be heard from
	select {
	case first = <-served: // one stopped by itself: stop the others
		left--
	case <-a.ctx.Done(): // SIGINT or SIGTERM
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	errs := make(chan error, len(servants))
	for _, s := range servants {
		go func() { errs <- s.shutdown(ctx) }()
	}
	for range servants {
		if err := <-errs; first == nil {
			first = err
		}
	}
	for range left {
		if err := <-served; first == nil {
			first = err
		}
	}
	return first // the database is closed on the way out
}

// sshServant is the SSH server of the terminal app; m, when not nil,
// counts its sessions and refusals.
func sshServant(o *serveOptions, d *model.Desk, m *metrics.Metrics, log *slog.Logger) (servant, error) {
	keyPath := o.HostKey
	if keyPath == "" {
		keyPath = o.a.dbPath() + ".host_key"
	}
	if err := keyFile(keyPath, "host_key"); err != nil {
		return servant{}, err
	}
	hostKey, created, err := server.HostKey(keyPath)
	if err != nil {
		return servant{}, err
	}
	if created {
		log.Info("host key created", "path", keyPath, "fingerprint", gossh.FingerprintSHA256(hostKey.PublicKey()))
	}
	if set, err := d.Settings(o.a.ctx); err == nil {
		if !set.RealDelivery() {
			// Customers share this server, and nothing they read proves
			// where a mail went: said once, at start, for the operator.
			log.Warn("mail is not delivered for real (mail-delivery is not smtp): every mail lands in the desk's simulated mailbox, which each customer reads in the app, so a new e-mail address is proven by a token its own account reads; for customers, give serve --smtp")
		}
		if set.CommandsInMail() {
			// The mails know the desk is served over SSH only by its
			// setting public-ssh (model.Settings.CommandsInMail).
			msg := "public-ssh is not set: the mails do not tell customers how to reach the desk over SSH"
			if !set.RealDelivery() {
				msg += ", and those of the simulated mailbox offer them the command line (contactdesk request accept …), which over SSH they cannot run"
			}
			log.Warn(msg + "; set it: contactdesk config set public-ssh HOST[:PORT]")
		}
	}
	connRate := o.ConnRate
	if connRate == 0 {
		connRate = server.NoLimit // server.Options takes 0 as "the default"
	}
	srv, err := server.New(d, server.Options{
		HostKey:            hostKey,
		NewModel:           sessionApp(d, o.CallTimeout),
		IdleTimeout:        o.IdleTimeout,
		MaxSessions:        o.MaxSessions,
		SessionsPerAccount: o.SessionsPerAccount,
		ConnRate:           connRate,
		Logger:             log,
		OnRefuse: func(r server.Refusal) {
			if m != nil {
				m.Refused(string(r))
			}
		},
	})
	if err != nil {
		return servant{}, err
	}
	if m != nil {
		m.Sessions("ssh", srv.Sessions)
	}
	tcp, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return servant{}, fails("cant_listen", locale.Args{"Addr": o.Listen}, err)
	}
	// Bounded as the HTTP server's are: connections that never finished
	// their handshake, each held for its timeout, from a few hundred
	// addresses took every descriptor of the process. With --conn-rate 0
	// (many customers behind one address) only the total holds.
	limits := connlimit.Limits{PerAddr: connlimit.DefaultPerAddr, Total: connlimit.MaxTotal(), Log: log}
	if o.ConnRate == 0 {
		limits.Exempt = func(netip.Addr) bool { return true }
	}
	ln := connlimit.Wrap(tcp, limits)
	return servant{serve: func() error { return srv.Serve(ln) }, shutdown: srv.Shutdown}, nil
}

// httpServant serves the web page of the mails' links, and the API under
// api.Prefix on the same address; m, when not nil, counts their calls.
func httpServant(o *serveOptions, d *model.Desk, box *api.SecretBox, m *metrics.Metrics, log *slog.Logger) (servant, error) {
	set, err := d.Settings(o.a.ctx)
	if err != nil {
		return servant{}, err
	}
	if set.PublicURL() == "" {
		log.Warn("no public URL is set: the mails link to the app (contactdesk://…), not to this page; set it with: contactdesk config set public-url https://HOST")
	}
	// Which client a request comes from: the page's throttle, the API's
	// rates and both doors' log lines count the same one. Behind a
	// reverse proxy it is the one the proxy names, not the proxy.
	client := clientinfo.Remote
	switch {
	case o.ClientHeader != "":
		client = clientinfo.FromHeader(o.ClientHeader)
	case o.TrustProxy:
		client = clientinfo.FromHeader("X-Forwarded-For")
	}
	rate := func(n int) int {
		if n == 0 {
			return api.NoLimit // api.Options takes 0 as "the default"
		}
		return n
	}
	pageRate := o.PageRate
	if pageRate == 0 {
		pageRate = web.NoLimit // as the API's: 0 is "the default"
	}
	wo := web.Options{Log: log, Timeout: o.CallTimeout, ClientAddr: client, AddrRate: pageRate}
	// The page logs each request in web.AccessLog, the API each call in
	// its own line (with the key that made it).
	door := func(name string, h http.Handler) http.Handler {
		if m == nil {
			return h
		}
		return m.HTTP(name, h)
	}
	page := web.AccessLog(log, door("web", web.New(d, wo)))
	calls := door("api", api.New(d, api.Options{Secrets: box, Logger: log, Timeout: o.CallTimeout,
		// behind a proxy, a call may be signed for the public-url; the
		// X-Forwarded-* headers count with --trust-proxy alone
		TrustProxy: o.TrustProxy, BehindProxy: o.ClientHeader != "", ClientAddr: client,
		KeyRate: rate(o.APIRate), AddrRate: rate(o.APIAddrRate)}))
	// By prefix, not with a ServeMux: one would answer a path that is
	// not clean with a redirect of its own, repeating the link's token
	// in its Location, without the page's headers and its log line.
	both := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, api.Prefix) {
			calls.ServeHTTP(w, r)
			return
		}
		page.ServeHTTP(w, r)
	})
	srv := web.NewServer(both, log)
	// An answer the server's write timeout cuts short is lost without a
	// word (the client reads an empty reply): a call allowed longer than
	// it (--call-timeout) gets the time to say how it ended.
	srv.WriteTimeout = max(srv.WriteTimeout, o.CallTimeout+10*time.Second)
	tcp, err := net.Listen("tcp", o.HTTP)
	if err != nil {
		return servant{}, fails("cant_listen", locale.Args{"Addr": o.HTTP}, err)
	}
	// Bounded before TLS: a connection past a bound costs no handshake.
	var ln net.Listener = connlimit.Wrap(tcp, httpLimits(o, log))
	scheme := "http"
	if o.TLSCert != "" {
		scheme = "https"
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{o.cert}}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	log.Info("serving HTTP", "addr", ln.Addr().String(), "url", scheme+"://"+ln.Addr().String(), "api", api.Prefix)
	return servant{
		serve: func() error {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
		shutdown: srv.Shutdown,
	}, nil
}

// httpLimits are the bounds of the HTTP server's connections: those of
// one address (an IPv6 one by its /64) and of one IPv6 /48, open at
// once and opened a minute (--http-conn-rate, a /48 NetFactor times
// it, as the SSH server's), and those of the server.
func httpLimits(o *serveOptions, log *slog.Logger) connlimit.Limits {
	limits := connlimit.Limits{PerAddr: connlimit.DefaultPerAddr, Total: connlimit.MaxTotal(), Log: log,
		Rate:    ratelimit.PerMinute(o.HTTPConnRate, 0),
		NetRate: ratelimit.PerMinute(connlimit.NetFactor*o.HTTPConnRate, 0)}
	if o.TrustProxy || o.ClientHeader != "" {
		// Behind a reverse proxy, every connection is the proxy's (the
		// flags are given only when the port can be reached through it
		// alone, or anybody could name any client in the headers), and
		// the proxy carries every client's: held to the bound of one
		// address, it would shut them all out. Only the total holds.
		limits.Exempt = func(netip.Addr) bool { return true }
	}
	return limits
}

// maxMetricsConns bounds the connections open to --metrics, an address
// for a few scrapers and health checks: far beyond what they need, and
// few beside the descriptors of the HTTP and SSH servers.
const maxMetricsConns = 256

// serveMetrics serves h on ln until the returned function is called.
func serveMetrics(ln net.Listener, h http.Handler, log *slog.Logger) (stop func()) {
	// A scrape's reads take at most 5 s: a client that has not sent its
	// request, or read the answer, well after is holding the connection.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute,
		MaxHeaderBytes: 16 << 10, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("the metrics stopped", "error", err)
		}
	}()
	log.Info("serving metrics", "addr", ln.Addr().String(), "metrics", "http://"+ln.Addr().String()+"/metrics", "health", "http://"+ln.Addr().String()+"/healthz")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}
}

// sessionApp is the terminal app of one SSH session, locked to the
// account whose key logged in: in the account's language as read at
// login, should the desk not answer when the session reads it again.
func sessionApp(d *model.Desk, callTimeout time.Duration) server.ModelFunc {
	return func(ctx context.Context, _ ssh.Session, who model.Account) tea.Model {
		return tui.New(d, who.Handle, tui.Options{Locked: true, Context: ctx, CallTimeout: callTimeout, Lang: who.Lang})
	}
}
