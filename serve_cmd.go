package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"contactdesk/model"
	"contactdesk/server"
	"contactdesk/storage/postgres"
	"contactdesk/tui"
)

func init() {
	extraCommands = append(extraCommands, command{name: "serve", nargs: 0, run: cmdServe,
		about: "serve the terminal app over SSH to every account with a registered key",
		flags: func(fs *flag.FlagSet, o *opts) {
			fs.StringVar(&o.listen, "listen", "127.0.0.1:2222", "the `ADDR`ess to listen on")
			fs.StringVar(&o.hostKey, "host-key", "", "the server's private key `PATH` (default: the database's path + .host_key; made at first start)")
			fs.DurationVar(&o.idleTimeout, "idle-timeout", server.DefaultIdleTimeout, "end a session after `D` without a keystroke")
			fs.IntVar(&o.maxSessions, "max-sessions", server.DefaultMaxSessions, "serve at most `N` sessions at once")
		}})
}

// shutdownGrace is how long serve takes to stop after SIGINT or SIGTERM.
const shutdownGrace = 10 * time.Second

func cmdServe(c *cli, o *opts, _ []string) error {
	if o.idleTimeout <= 0 {
		return &usageError{msg: "--idle-timeout takes a duration such as 30m or 2h"}
	}
	if o.maxSessions < 1 {
		return &usageError{msg: "--max-sessions takes a number of sessions, 1 or more"}
	}
	if o.hostKey == "" && postgres.IsURL(c.dbPath(o)) {
		return &usageError{msg: "with a PostgreSQL database, say where the host key is: --host-key PATH (every node behind one address needs the same key)"}
	}
	d, err := c.open(o, false)
	if err != nil {
		return err
	}
	keyPath := o.hostKey
	if keyPath == "" {
		keyPath = c.dbPath(o) + ".host_key"
	}
	hostKey, created, err := server.HostKey(keyPath)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(c.stderr, nil))
	if created {
		log.Info("host key created", "path", keyPath, "fingerprint", gossh.FingerprintSHA256(hostKey.PublicKey()))
	}
	srv, err := server.New(d, server.Options{
		HostKey:     hostKey,
		NewModel:    sessionApp(d),
		IdleTimeout: o.idleTimeout,
		MaxSessions: o.maxSessions,
		Logger:      log,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("can't listen on %s: %w", o.listen, err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-c.ctx.Done(): // SIGINT or SIGTERM
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = srv.Shutdown(ctx)
	if serr := <-served; err == nil {
		err = serr
	}
	return err // the database is closed on the way out
}

// sessionApp is the terminal app of one SSH session, locked to the
// account whose key logged in.
func sessionApp(d *model.Desk) server.ModelFunc {
	return func(ctx context.Context, _ ssh.Session, who model.Account) tea.Model {
		return tui.New(d, who.Handle, tui.Options{Locked: true, Context: ctx})
	}
}
