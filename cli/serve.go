package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"github.com/spf13/cobra"
	gossh "golang.org/x/crypto/ssh"

	"contactdesk/api"
	"contactdesk/model"
	"contactdesk/server"
	"contactdesk/storage/postgres"
	"contactdesk/tui"
)

// shutdownGrace is how long serve takes to stop after SIGINT or SIGTERM.
const shutdownGrace = 10 * time.Second

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

// maxAPIRate bounds --api-rate and --api-addr-rate: beyond a million
// calls a minute there is no limit left.
const maxAPIRate = 1_000_000

// HTTP server timeouts: a client has 10 s to send its headers and 30 s
// for its whole call (the API's bodies are a few hundred bytes), and an
// answer must be written within 60 s; an idle keep-alive connection is
// closed after 2 minutes.
const (
	httpHeaderTimeout = 10 * time.Second
	httpReadTimeout   = 30 * time.Second
	httpWriteTimeout  = 60 * time.Second
	httpIdleTimeout   = 2 * time.Minute
	httpMaxHeader     = 64 << 10
)

type serveOptions struct {
	a                  *app
	Listen             string
	HostKey            string
	IdleTimeout        time.Duration
	MaxSessions        int
	SessionsPerAccount int
	ConnRate           int
	HTTP               string
	APISecretKey       string
	TrustProxy         bool
	APIRate            int
	APIAddrRate        int
}

func newCmdServe(a *app, runF func(*serveOptions) error) *cobra.Command {
	o := &serveOptions{a: a}
	cmd := &cobra.Command{
		Use: "serve",
		Annotations: map[string]string{usageFlags: "[--listen ADDR|none] [--host-key PATH] [--idle-timeout D] [--max-sessions N] [--max-sessions-per-account N] [--conn-rate N]" +
			" [--http ADDR] [--api-secret-key PATH] [--trust-proxy] [--api-rate N] [--api-addr-rate N]"},
		Short: "Serve the terminal app over SSH, and the HTTP API with --http",
		Long: `Serve the terminal app over SSH: each customer reaches its own desk with ssh,
nothing to install, no password; who it is is the account its key is
registered for ('contactdesk key add'). The first start makes the server's
host key beside the database (mode 0600) and reuses it after. One log line
per connection, login and session goes to stderr. SIGINT or SIGTERM stops
taking connections and ends the open sessions within 10 s.

With --http ADDR it also serves the HTTP API under /1.0/, shaped like the
provider's own, for its official clients and scripts (keys: 'contactdesk
api-key add'); its secrets are sealed with the API secret key, beside the
database (made at first need) or --api-secret-key. --listen none serves
the HTTP API alone. One log line per API call goes to stderr.`,
		Example: `contactdesk serve
contactdesk serve --listen :2222 --idle-timeout 1h --max-sessions 500
contactdesk serve --conn-rate 0          # many customers behind one NAT or bastion
contactdesk serve --http 127.0.0.1:8081 --listen none
ssh -p 2222 desk.example.net`,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			if o.Listen == "none" && o.HTTP == "" {
				return misuse(cmd, "nothing to serve: --listen none leaves only --http ADDR, which is not given")
			}
			if o.Listen != "none" && o.HostKey == "" && postgres.IsURL(a.dbPath()) {
				return misuse(cmd, "with a PostgreSQL database, say where the host key is: --host-key PATH (every node behind one address needs the same key)")
			}
			if o.HTTP != "" {
				if err := a.apiSecretKeyGiven(cmd, o.APISecretKey); err != nil {
					return err
				}
			}
			return serve(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Listen, "listen", "127.0.0.1:2222", "the ADDRess the SSH server listens on (none: no SSH, the HTTP API alone)")
	f.StringVar(&o.HostKey, "host-key", "", "the server's private key PATH (default: the database's path + .host_key; made at first start)")
	f.Var(newDuration(&o.IdleTimeout, server.DefaultIdleTimeout, minIdleTimeout, maxIdleTimeout), "idle-timeout", "end a session after D without a keystroke: 90s, 15m, 48h, 15d")
	f.Var(newInt(&o.MaxSessions, server.DefaultMaxSessions, 1, maxSessions, "a number of sessions, 1 or more"), "max-sessions", "serve at most N sessions at once")
	f.Var(newInt(&o.SessionsPerAccount, server.DefaultSessionsPerAccount, 1, maxSessions, "a number of sessions, 1 or more"), "max-sessions-per-account",
		"let one account have at most N sessions open at once")
	f.Var(newInt(&o.ConnRate, server.DefaultConnRate, 0, maxConnRate, fmt.Sprintf("a number of connections from 0 (no limit) to %d", maxConnRate)), "conn-rate",
		"accept at most N new connections a minute from one address (0: no limit, for many customers behind one NAT or bastion)")
	f.StringVar(&o.HTTP, "http", "", "also serve HTTP on ADDR: the API under /1.0/")
	apiSecretKeyFlag(cmd, &o.APISecretKey)
	f.BoolVar(&o.TrustProxy, "trust-proxy", false, "the --http listener is reached through a reverse proxy: take the client's address, scheme and host from X-Forwarded-For, -Proto and -Host")
	f.Var(newInt(&o.APIRate, api.DefaultKeyRate, 0, maxAPIRate, fmt.Sprintf("a number of calls from 0 (no limit) to %d", maxAPIRate)), "api-rate",
		"let one API key make at most N calls a minute (0: no limit)")
	f.Var(newInt(&o.APIAddrRate, api.DefaultAddrRate, 0, maxAPIRate, fmt.Sprintf("a number of calls from 0 (no limit) to %d", maxAPIRate)), "api-addr-rate",
		"let one address make at most N API calls a minute (0: no limit, for many customers behind one NAT)")
	return cmd
}

// listener is one of the servers serve runs: serve runs it until
// shutdown; abandon closes one that never ran.
type listener struct {
	serve    func() error
	shutdown func(context.Context) error
	abandon  func()
}

func serve(o *serveOptions) error {
	a := o.a
	d, err := a.open(false)
	if err != nil {
		return err
	}
	var box *api.SecretBox
	if o.HTTP != "" {
		if box, err = a.apiSecretKey(o.APISecretKey, d); err != nil {
			return err
		}
	}
	log := slog.New(slog.NewTextHandler(a.stderr, nil))
	var ls []listener
	for _, start := range []func() (listener, error){
		func() (listener, error) { return serveSSH(o, d, log) },
		func() (listener, error) { return serveHTTP(o, d, box, log) },
	} {
		l, err := start()
		if err != nil {
			for _, l := range ls {
				l.abandon()
			}
			return err
		}
		if l.serve != nil {
			ls = append(ls, l)
		}
	}
	served := make(chan error, len(ls))
	for _, l := range ls {
		go func() { served <- l.serve() }()
	}
	select {
	case err = <-served:
	case <-a.ctx.Done(): // SIGINT or SIGTERM
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, l := range ls {
		if serr := l.shutdown(ctx); err == nil {
			err = serr
		}
	}
	return err // the database is closed on the way out
}

// serveSSH serves the terminal app on --listen, unless it is none.
func serveSSH(o *serveOptions, d *model.Desk, log *slog.Logger) (listener, error) {
	a := o.a
	if o.Listen == "none" {
		return listener{}, nil
	}
	keyPath := o.HostKey
	if keyPath == "" {
		keyPath = a.dbPath() + ".host_key"
	}
	hostKey, created, err := server.HostKey(keyPath)
	if err != nil {
		return listener{}, err
	}
	if created {
		log.Info("host key created", "path", keyPath, "fingerprint", gossh.FingerprintSHA256(hostKey.PublicKey()))
	}
	connRate := o.ConnRate
	if connRate == 0 {
		connRate = server.NoLimit // server.Options takes 0 as "the default"
	}
	srv, err := server.New(d, server.Options{
		HostKey:            hostKey,
		NewModel:           sessionApp(d),
		IdleTimeout:        o.IdleTimeout,
		MaxSessions:        o.MaxSessions,
		SessionsPerAccount: o.SessionsPerAccount,
		ConnRate:           connRate,
		Logger:             log,
	})
	if err != nil {
		return listener{}, err
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return listener{}, fmt.Errorf("can't listen on %s: %w", o.Listen, err)
	}
	// Shutdown waits for Serve to return, and reports what it said.
	done := make(chan error, 1)
	return listener{
		serve: func() error { err := srv.Serve(ln); done <- err; return err },
		shutdown: func(ctx context.Context) error {
			err := srv.Shutdown(ctx)
			if serr := <-done; err == nil {
				err = serr
			}
			return err
		},
		abandon: func() {
			ln.Close()
			srv.Shutdown(context.Background()) // it never served: this only stops its watcher
		},
	}, nil
}

// serveHTTP serves the API under api.Prefix on --http, when it is given.
func serveHTTP(o *serveOptions, d *model.Desk, box *api.SecretBox, log *slog.Logger) (listener, error) {
	if o.HTTP == "" {
		return listener{}, nil
	}
	rate := func(n int) int {
		if n == 0 {
			return api.NoLimit // api.Options takes 0 as "the default"
		}
		return n
	}
	mux := http.NewServeMux()
	mux.Handle(api.Prefix, api.New(d, api.Options{Secrets: box, Logger: log, TrustProxy: o.TrustProxy, KeyRate: rate(o.APIRate), AddrRate: rate(o.APIAddrRate)}))
	hs := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: httpHeaderTimeout,
		ReadTimeout:       httpReadTimeout,
		WriteTimeout:      httpWriteTimeout,
		IdleTimeout:       httpIdleTimeout,
		MaxHeaderBytes:    httpMaxHeader,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", o.HTTP)
	if err != nil {
		return listener{}, fmt.Errorf("can't listen on %s: %w", o.HTTP, err)
	}
	return listener{
		serve: func() error {
			log.Info("serving HTTP", "addr", ln.Addr().String(), "api", api.Prefix)
			if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
		shutdown: func(ctx context.Context) error {
			err := hs.Shutdown(ctx)
			log.Info("stopped HTTP", "error", err)
			return err
		},
		abandon: func() { ln.Close() },
	}, nil
}

// sessionApp is the terminal app of one SSH session, locked to the
// account whose key logged in.
func sessionApp(d *model.Desk) server.ModelFunc {
	return func(ctx context.Context, _ ssh.Session, who model.Account) tea.Model {
		return tui.New(d, who.Handle, tui.Options{Locked: true, Context: ctx})
	}
}
