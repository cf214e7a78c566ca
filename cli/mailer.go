package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"

	"contactdesk/delivery"
	"contactdesk/model"
)

// setupMail makes the sender of real delivery when it is configured:
// --smtp, else $CONTACTDESK_SMTP, with --mail-from, else
// $CONTACTDESK_MAIL_FROM. Once the desk is open, openFor records in it
// that mail is delivered for real (mail-delivery smtp), and the sender
// delivers what the desk queues — for as long as the setting says so. A
// password for a server that can't take it safely is a setup error, found
// here, before the command changes anything.
func (a *app) setupMail() error {
	raw, from := a.global.smtp, a.global.mailFrom
	if raw == "" {
		raw = a.env("CONTACTDESK_SMTP")
	}
	if from == "" {
		from = a.env("CONTACTDESK_MAIL_FROM")
	}
	if raw == "" {
		if a.global.mailFrom != "" {
			return misuse(nil, "mail_from_alone")
		}
		return nil
	}
	server, err := delivery.ParseURL(raw)
	if err != nil {
		return misuseText(nil, "--smtp: %v", err)
	}
	if from == "" {
		return misuse(nil, "no_sender")
	}
	addr, err := delivery.ParseFrom(from)
	if err != nil {
		return misuseText(nil, "--mail-from: %v", err)
	}
	log := newStderrLog(a.stderr)
	// A command's sender tells whoever runs it, on stderr, what went
	// wrong, with the addresses: every one for support staff, the
	// account's own for a command acting as an account, which names
	// another's mail as serve's log does; serve's tells its log
	// (a.serveLog), which names accounts and domains only.
	cfg := delivery.Config{Server: server, From: addr, Log: slog.New(log), LogAddresses: true, ShowAddress: a.mayShowAddress,
		OnSent: a.mailSent, OnFailed: a.mailFailed}
	if a.serveLog != nil {
		cfg.Log, cfg.LogAddresses = a.serveLog, false
	}
	s, err := delivery.New(cfg)
	if err != nil {
		return err
	}
	if err := s.Check(a.ctx); err != nil {
		s.Close()
		if errors.Is(err, delivery.ErrNoSTARTTLS) {
			return misuseText(nil, "--smtp %s: %v", server, err)
		}
		return err
	}
	a.mail = &mailer{Sender: s, log: log}
	return nil
}

// mailer is the sender of one run of the command line.
type mailer struct {
	*delivery.Sender
	log *stderrLog

	once   sync.Once
	closed error
}

// Close sends what is due (waiting at most delivery.DefaultCloseWait),
// then writes what the sender had to say. It may be called again: it
// does its work once.
func (m *mailer) Close() error {
	m.once.Do(func() {
		m.closed = m.Sender.Close()
		m.log.flush()
	})
	return m.closed
}

// settle waits for this run's sender, when it has one (--smtp), to send
// what is due (see mailer.Close): the delivery of a mail the command
// wrote, read afterwards, is where it stands when the command ends.
func (a *app) settle() {
	if a.mail != nil {
		a.mail.Close()
	}
}

// mailState is where a mail a command wrote stands, once settled: what
// the command's success line says of it. Without a sender of its own,
// a process under real delivery leaves its mails queued for another.
type mailState int

const (
	inMailbox   mailState = iota // no real delivery: the simulated mailbox
	mailed                       // the SMTP server took it
	queued                       // in the outbox, not sent yet (a line on stderr says why, with --smtp)
	undelivered                  // refused by the server, or given up: never sent
)

// stateOf is where m stands, read once settled.
func stateOf(m model.Mail) mailState {
	switch m.Delivery {
	case "":
		return inMailbox
	case model.DeliverySent:
		return mailed
	case model.DeliveryFailed:
		return undelivered
	}
	return queued
}

// stderrLog writes the sender's warnings as the command line writes its
// errors: "contactdesk: …", one line each. To a file (a terminal, a
// server's log) they go as they come; to anything else (a test's buffer)
// when the command ends, so that the sender's goroutine and the command
// never write it at once.
type stderrLog struct {
	mu   sync.Mutex
	w    io.Writer
	live bool
	held []string
}

func newStderrLog(w io.Writer) *stderrLog {
	live := false
	if r, ok := w.(redactWriter); ok {
		inner := r.w
		if n, ok := inner.(*notesWriter); ok {
			inner = n.w
		}
		_, live = inner.(*os.File)
	}
	return &stderrLog{w: w, live: live}
}

func (l *stderrLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }

// Handle writes a warning or an error, but a try deferred: what is still
// unsent when the command ends is said once, by the sender's Close.
func (l *stderrLog) Handle(_ context.Context, r slog.Record) error {
	deferred := false
	r.Attrs(func(a slog.Attr) bool {
		deferred = a.Key == "event" && a.Value.String() == delivery.EventDeferred
		return !deferred
	})
	if deferred {
		return nil
	}
	line := fmt.Sprintf("contactdesk: %s\n", message(r.Message))
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.live {
		_, err := io.WriteString(l.w, line)
		return err
	}
	l.held = append(l.held, line)
	return nil
}

func (l *stderrLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *stderrLog) WithGroup(string) slog.Handler      { return l }

// hold keeps the lines until flush, for while the terminal app owns the
// screen (a line written then would tear its frame).
func (l *stderrLog) hold() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.live = false
}

func (l *stderrLog) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.held {
		io.WriteString(l.w, line)
	}
	l.held = nil
}
