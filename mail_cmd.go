package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"

	"contactdesk/delivery"
	"contactdesk/model"
)

// mailer delivers the desk's mails for real, beside the mailbox.
type mailer interface {
	// Attach starts delivering what d queues.
	Attach(d *model.Desk)
	// Close waits for what can still be sent, then stops.
	Close() error
}

// mailFlags registers the flags of real mail delivery on every command.
// Their defaults are empty whatever the environment holds, so a password
// given in $CONTACTDESK_SMTP never shows in a usage.
func mailFlags(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.smtp, "smtp", "", "deliver mails for real through the SMTP server at `URL` (smtp://host:25, smtp://user:password@host:587, smtps://user:password@host)")
	fs.StringVar(&o.mailFrom, "mail-from", "", "the sender `ADDRESS` of real mails")
}

// isMailFlag reports the flags mailFlags registers (left out of usages).
func isMailFlag(name string) bool { return name == "smtp" || name == "mail-from" }

// setupMail turns on real delivery when it is configured: --smtp, else
// $CONTACTDESK_SMTP, with --mail-from, else $CONTACTDESK_MAIL_FROM. The
// desk then queues every mail it stores, and a sender delivers them.
func (c *cli) setupMail(o *opts, mo *model.Options) error {
	raw, from := o.smtp, o.mailFrom
	if raw == "" {
		raw = c.env("CONTACTDESK_SMTP")
	}
	if from == "" {
		from = c.env("CONTACTDESK_MAIL_FROM")
	}
	if raw == "" {
		if o.mailFrom != "" {
			return &usageError{msg: "--mail-from is the sender of real mail: give the server too, with --smtp URL (or $CONTACTDESK_SMTP)"}
		}
		return nil
	}
	server, err := delivery.ParseURL(raw)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	if from == "" {
		return &usageError{msg: "real mail needs a sender address: --mail-from ADDRESS (or $CONTACTDESK_MAIL_FROM)"}
	}
	addr, err := delivery.ParseFrom(from)
	if err != nil {
		return &usageError{msg: "--mail-from: " + err.Error()}
	}
	log := newStderrLog(c.stderr)
	s, err := delivery.New(delivery.Config{Server: server, From: addr, Log: slog.New(log)})
	if err != nil {
		return err
	}
	mo.Outbox = true
	c.mail = &cliMailer{Sender: s, log: log}
	return nil
}

// cliMailer is the sender of one run of the command line.
type cliMailer struct {
	*delivery.Sender
	log *stderrLog
}

// Close sends what is due, then writes what the sender had to say.
func (m *cliMailer) Close() error {
	err := m.Sender.Close()
	m.log.flush()
	return err
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
	_, live := w.(*os.File)
	return &stderrLog{w: w, live: live}
}

func (l *stderrLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }

func (l *stderrLog) Handle(_ context.Context, r slog.Record) error {
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
