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

	"contactdesk/metrics"
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

type serveOptions struct {
	a                  *app
	Listen             string
	HostKey            string
	IdleTimeout        time.Duration
	MaxSessions        int
	SessionsPerAccount int
	ConnRate           int
	Metrics            string
}

func newCmdServe(a *app, runF func(*serveOptions) error) *cobra.Command {
	o := &serveOptions{a: a}
	cmd := &cobra.Command{
		Use:         "serve",
		Annotations: map[string]string{usageFlags: "[--listen ADDR] [--host-key PATH] [--idle-timeout D] [--max-sessions N] [--max-sessions-per-account N] [--conn-rate N] [--metrics ADDR]"},
		Short:       "Serve the terminal app over SSH to every account with a registered key",
		Long: `Serve the terminal app over SSH: each customer reaches its own desk with ssh,
nothing to install, no password; who it is is the account its key is
registered for ('contactdesk key add'). The first start makes the server's
host key beside the database (mode 0600) and reuses it after. One log line
per connection, login and session goes to stderr. SIGINT or SIGTERM stops
taking connections and ends the open sessions within 10 s.

With --metrics ADDR it also serves, on that address of its own (keep it
private: it is not for customers), Prometheus metrics at /metrics
(sessions, refusals, requests by state, actions, write times, mail) and
/healthz, which answers 200 while the database answers, 503 when not.`,
		Example: `contactdesk serve
contactdesk serve --listen :2222 --idle-timeout 1h --max-sessions 500
contactdesk serve --conn-rate 0          # many customers behind one NAT or bastion
contactdesk serve --metrics 127.0.0.1:9187   # Prometheus scrapes http://127.0.0.1:9187/metrics
ssh -p 2222 desk.example.net`,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			if o.HostKey == "" && postgres.IsURL(a.dbPath()) {
				return misuse(cmd, "with a PostgreSQL database, say where the host key is: --host-key PATH (every node behind one address needs the same key)")
			}
			return serve(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Listen, "listen", "127.0.0.1:2222", "the ADDRess to listen on")
	f.StringVar(&o.HostKey, "host-key", "", "the server's private key PATH (default: the database's path + .host_key; made at first start)")
	f.Var(newDuration(&o.IdleTimeout, server.DefaultIdleTimeout, minIdleTimeout, maxIdleTimeout), "idle-timeout", "end a session after D without a keystroke: 90s, 15m, 48h, 15d")
	f.Var(newInt(&o.MaxSessions, server.DefaultMaxSessions, 1, maxSessions, "a number of sessions, 1 or more"), "max-sessions", "serve at most N sessions at once")
	f.Var(newInt(&o.SessionsPerAccount, server.DefaultSessionsPerAccount, 1, maxSessions, "a number of sessions, 1 or more"), "max-sessions-per-account",
		"let one account have at most N sessions open at once")
	f.Var(newInt(&o.ConnRate, server.DefaultConnRate, 0, maxConnRate, fmt.Sprintf("a number of connections from 0 (no limit) to %d", maxConnRate)), "conn-rate",
		"accept at most N new connections a minute from one address (0: no limit, for many customers behind one NAT or bastion)")
	f.StringVar(&o.Metrics, "metrics", "", "serve Prometheus metrics (/metrics) and a health check (/healthz) on ADDR, such as 127.0.0.1:9187 (default: none)")
	return cmd
}

func serve(o *serveOptions) error {
	a := o.a
	var m *metrics.Metrics
	var metricsLn net.Listener
	if o.Metrics != "" {
		// Its address is taken first: a mistake in it stops serve before
		// anything else starts.
		var err error
		if metricsLn, err = net.Listen("tcp", o.Metrics); err != nil {
			return fmt.Errorf("can't serve the metrics on %s: %w", o.Metrics, err)
		}
		defer metricsLn.Close()
		m = metrics.New()
		a.observe, a.mailSent, a.mailFailed = m.Observe, m.MailSent, m.MailFailed
	}
	d, err := a.open(false)
	if err != nil {
		return err
	}
	keyPath := o.HostKey
	if keyPath == "" {
		keyPath = a.dbPath() + ".host_key"
	}
	hostKey, created, err := server.HostKey(keyPath)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(a.stderr, nil))
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
		OnRefuse: func(r server.Refusal) {
			if m != nil {
				m.Refused(string(r))
			}
		},
	})
	if err != nil {
		return err
	}
	if m != nil {
		m.Desk(d)
		m.Sessions("ssh", srv.Sessions)
		// The HTTP doors, once serve has them, are counted by wrapping
		// their handlers: m.HTTP("web", …), m.HTTP("api", …).
		stop := serveMetrics(metricsLn, m.Handler(d), log)
		defer stop()
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return fmt.Errorf("can't listen on %s: %w", o.Listen, err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-a.ctx.Done(): // SIGINT or SIGTERM
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = srv.Shutdown(ctx)
	if serr := <-served; err == nil {
		err = serr
	}
	return err // the database is closed on the way out
}

// serveMetrics serves h on ln until the returned function is called.
func serveMetrics(ln net.Listener, h http.Handler, log *slog.Logger) (stop func()) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
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
// account whose key logged in.
func sessionApp(d *model.Desk) server.ModelFunc {
	return func(ctx context.Context, _ ssh.Session, who model.Account) tea.Model {
		return tui.New(d, who.Handle, tui.Options{Locked: true, Context: ctx})
	}
}
