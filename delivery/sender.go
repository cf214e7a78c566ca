package delivery

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/textproto"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"contactdesk/model"
)

// Config says where and how a Sender delivers. Zero durations take the
// defaults.
type Config struct {
	Server Server
	From   *mail.Address
	// Log receives one line per event: Info for a mail sent; Warn for
	// each try that failed and will be made again (deferred), and for
	// mails left unsent at Close; Error for a mail given up (refused
	// with 5xx, not taken within model.DeliveryGiveUp, or interrupted
	// while the server took it: the answer lost, or, found by the next
	// claim, its sender stopped). Each line names the mail by its number
	// and its recipient by account ("account") and the address's domain
	// ("domain"), with "attempt" and the server's "answer"; never a
	// token, a body or the password. Nil discards them.
	Log *slog.Logger
	// LogAddresses names each mail's recipient in Log by its whole
	// address too ("to", and in the line's text): for the stderr of a
	// command, read by whoever runs it. A server's log, which is kept
	// and shipped, goes without: the mail's number leads to the address
	// in the desk, and the address is masked in the server's answer.
	LogAddresses bool
	// ShowAddress, when set, narrows LogAddresses to the recipients it
	// accepts: a command acting as an account names that account's own
	// address, and another account's mail as a server's log does (the
	// account and the address's domain, the address masked in the
	// server's answer), the lines of its stderr included. Nil, with
	// LogAddresses, names every address (support staff's commands). It
	// runs on the sender's goroutine.
	ShowAddress func(to model.Handle) bool
	// TLS, when set, is used for STARTTLS and smtps:// instead of the
	// system's roots (a private CA; tests).
	TLS *tls.Config

	Backoff   model.Backoff // waits between tries; default model.DefaultBackoff
	Timeout   time.Duration // for each exchange with the server, the final answer included; default 30 s
	Poll      time.Duration // how often to look for mails queued by other processes unheard of (see Attach); default 30 s
	CloseWait time.Duration // how long Close waits for what is due, at most; default DefaultCloseWait
	Batch     int           // mails put off at once when the server cannot be reached, with its answer; default 20

	// Lease is how long a mail claimed for a try is left to this
	// sender, and how long the server's answer to a mail handed over is
	// waited for before the mail is taken as interrupted. A claim covers
	// one try (see round), so the default, 5 × Timeout (2 min 30 s),
	// covers the longest: connecting, the greeting, EHLO with STARTTLS
	// and AUTH, then the mail's transaction, each within Timeout. It is
	// also how long a crashed sender holds up the mail it was trying.
	Lease time.Duration

	// OnSent and OnFailed, when set, are called for each mail the
	// server took, and for each mail given up (refused with 5xx, not
	// taken within model.DeliveryGiveUp, or found interrupted while
	// the server took it, whichever sender was handing it over):
	// metrics count with them.
	// They run on the sender's goroutine and must return at once.
	OnSent, OnFailed func()
}

// DefaultCloseWait is how long Close waits, at most, for the server: the
// time a command may spend sending its mails once its work is done. A
// server that hangs holds it no longer: Close then cuts the connection,
// and what is left stays in the outbox.
const DefaultCloseWait = 15 * time.Second

func (c *Config) defaults() {
	if c.Backoff.First <= 0 {
		c.Backoff = model.DefaultBackoff
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Lease <= 0 {
		c.Lease = 5 * c.Timeout
	}
	if c.Lease < 2*c.Timeout {
		c.Lease = 2 * c.Timeout
	}
	if c.Poll <= 0 {
		c.Poll = 30 * time.Second
	}
	if c.CloseWait <= 0 {
		c.CloseWait = DefaultCloseWait
	}
	if c.Batch <= 0 {
		c.Batch = 20
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

// Sender delivers a desk's outbox: it sends after every commit, retries
// with backoff, resumes at start what an earlier run left, and at Close
// sends what is due before returning. One goroutine does all the SMTP.
type Sender struct {
	cfg    Config
	client *gomail.Client
	tls    *tls.Config
	red    redactor

	desk   *model.Desk
	wake   chan struct{}
	stop   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	conn *smtp.Client // owned by the loop
	// off: the desk's mail-delivery said, at the loop's last look, that
	// mail is not delivered for real (owned by the loop; see follow).
	off bool

	mu      sync.Mutex
	unsent  map[int64]string // deferred in this run and not sent since: the last answer
	raw     net.Conn         // the connection to the server, for abort to cut
	aborted bool             // no connection may be opened any more
}

// New checks the configuration and returns a sender, not yet started.
func New(cfg Config) (*Sender, error) {
	cfg.defaults()
	if cfg.From == nil {
		return nil, errors.New("real mail needs a sender address (--mail-from)")
	}
	if cfg.Server.User != "" && cfg.Server.Security == StartTLSIfOffered {
		cfg.Server.Security = StartTLS // a password only over verified TLS
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sender{
		cfg: cfg, red: newRedactor(cfg.Server.Password),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		ctx: ctx, cancel: cancel, unsent: map[int64]string{},
	}
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLS != nil {
		t = cfg.TLS.Clone()
	}
	if t.ServerName == "" {
		t.ServerName = cfg.Server.Host
	}
	if cfg.Server.Security == StartTLSIfOffered {
		t.InsecureSkipVerify = true // see StartTLSIfOffered
	}
	s.tls = t
	// Every connection is opened by s.dial, so that Close can cut it.
	opts := []gomail.Option{gomail.WithPort(cfg.Server.Port), gomail.WithTimeout(cfg.Timeout),
		gomail.WithDialContextFunc(s.dial), gomail.WithTLSConfig(t)}
	switch cfg.Server.Security {
	case ImplicitTLS:
		// s.dial speaks TLS from the first byte itself (go-mail's
		// WithSSL can't be combined with a dial function of one's own);
		// go-mail then finds the connection encrypted, offers no
		// STARTTLS inside it, and allows every AUTH mechanism.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case StartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case StartTLSIfOffered:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if cfg.Server.User != "" {
		// The strongest mechanism the server offers; PLAIN and LOGIN only
		// over TLS (go-mail's rule).
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Server.User), gomail.WithPassword(cfg.Server.Password))
	}
	client, err := gomail.NewClient(cfg.Server.Host, opts...)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("SMTP server %s: %s", cfg.Server, s.red.redact(err.Error()))
	}
	s.client = client
	return s, nil
}

// errStopped is the dial of a sender that Close has cut off.
var errStopped = errors.New("the sender is stopping")

// dial opens a connection to the server and keeps it where abort can
// close it: closing it is the one way to end at once a read that waits
// for a server that has stopped answering.
func (s *Sender) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.aborted {
		s.mu.Unlock()
		conn.Close()
		return nil, errStopped
	}
	s.raw = conn
	s.mu.Unlock()
	if s.cfg.Server.Security == ImplicitTLS {
		tc := tls.Client(conn, s.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		return tc, nil
	}
	return conn, nil
}

// cutWhileGreeting reports whether err is abort cutting a connection
// that was made, the server not having answered yet.
func (s *Sender) cutWhileGreeting(err error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.aborted && s.raw != nil && errors.Is(err, net.ErrClosed)
}

// abort cuts the connection to the server, and any opened after.
func (s *Sender) abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aborted = true
	if s.raw != nil {
		s.raw.Close()
	}
}

// ErrNoSTARTTLS is the answer of Check when the server can't take the
// password safely.
var ErrNoSTARTTLS = errors.New("the SMTP server offers no STARTTLS")

// CheckTimeout bounds Check: connecting and the server's first answers.
const CheckTimeout = 5 * time.Second

// Check asks the server, before anything is queued, whether it can take
// the password: with a user and password in an smtp:// URL, the password
// goes only over STARTTLS, and a server that does not offer it would make
// every try fail for a day. Check says so at once, with an error wrapping
// ErrNoSTARTTLS. In every other case it returns nil: a server that can't
// be reached now may be reachable later, which the outbox is made for.
func (s *Sender) Check(ctx context.Context) error {
	if s.cfg.Server.Security != StartTLS {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Server.Addr())
	if err != nil {
		return nil
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, s.cfg.Server.Host)
	if err != nil {
		return nil
	}
	if err := c.Hello("localhost"); err != nil {
		return nil
	}
	offered, _ := c.Extension("STARTTLS")
	c.Quit()
	if offered {
		return nil
	}
	return fmt.Errorf("%w, so it can't be given the password safely: use smtps:// if it speaks TLS from the first byte (usually port 465), "+
		"a server or port that offers STARTTLS (usually 587), or a relay that needs no password (smtp://host, without user and password)", ErrNoSTARTTLS)
}

// Attach starts delivering d's outbox, beginning with what is due now.
// Call it once, before the desk is used, once the desk says that mail is
// delivered for real (model.Desk.UseRealDelivery): the sender then
// follows that setting, and logs when it changes (see follow).
//
// It looks for due mails after each commit of this process, and when the
// desk hears of a write of another process (a command run without
// --smtp, another node: model.Desk.Watch, which serve runs): their mails
// go out within the watch's interval, not at the next poll. The poll is
// for what no watch tells.
func (s *Sender) Attach(d *model.Desk) {
	s.desk = d
	d.OnCommit(s.Wake)
	others, stop := d.Broker().Subscribe("")
	go func() {
		defer stop()
		for {
			select {
			case <-s.done:
				return
			case <-others:
				// any change: another process's (All) is the one that
				// matters, but one of this process's own, waiting in the
				// subscription's one slot, may have taken its place
				s.Wake()
			}
		}
	}()
	go s.run()
}

// Wake makes the sender look for due mails now.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Close sends what is due, waiting at most CloseWait, and stops. A
// server still busy then (or hung) is cut off: a mail it was taking stays
// in the outbox (or, when the whole message had gone and only the
// server's answer was missing, ends failed, saying it may have been
// delivered). What is not sent stays in the outbox, for the next start
// or for another process.
func (s *Sender) Close() error {
	s.once.Do(func() { close(s.stop) })
	if s.desk == nil {
		s.cancel()
		return nil
	}
	t := time.NewTimer(s.cfg.CloseWait)
	defer t.Stop()
	select {
	case <-s.done:
	case <-t.C:
		s.cancel()
		s.abort()
		<-s.done
	}
	s.cancel()
	s.mu.Lock()
	n, last := len(s.unsent), ""
	for _, a := range s.unsent {
		last = a
	}
	s.mu.Unlock()
	if n > 0 {
		// Not all may still be there: turning real delivery off takes
		// them out, demo --force replaces the desk. Say only what the
		// outbox still holds.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		g, err := s.desk.Gauges(ctx)
		cancel()
		if err == nil {
			n = min(n, g.OutboxPending)
		}
	}
	if n == 0 {
		return nil
	}
	they := "they stay"
	if n == 1 {
		they = "it stays"
	}
	err := fmt.Errorf("%s not sent yet (%s): %s in the outbox, for the next command run with --smtp or for contactdesk serve",
		plural(n, "mail"), last, they)
	s.cfg.Log.Warn(err.Error(), "server", s.cfg.Server.String(), "mails", n)
	return err
}

func (s *Sender) run() {
	defer close(s.done)
	defer s.hangUp()
	poll := time.NewTicker(s.cfg.Poll)
	defer poll.Stop()
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	var retryAt time.Time // when the retry timer fires, on the desk's clock
	// waiting holds when each mail this sender put off is due again: the
	// timer is set for the soonest still to come, so that mails put off
	// a few milliseconds apart are each tried when due, not the later
	// ones at the next poll (up to 30 s late)
	var waiting []time.Time
	for {
		s.follow()
		waiting = append(waiting, s.round()...)
		now := s.desk.Now()
		waiting = slices.DeleteFunc(waiting, func(t time.Time) bool { return !t.After(now) })
		if !retryAt.After(now) {
			retryAt = time.Time{} // this round sent what it was for
		}
		if len(waiting) > 0 {
			if next := slices.MinFunc(waiting, time.Time.Compare); retryAt.IsZero() || next.Before(retryAt) {
				retryAt = next
				retry.Reset(max(next.Sub(now), 0))
			}
		}
		select {
		case <-s.ctx.Done():
			return
		case <-s.stop:
			s.round()
			return
		case <-s.wake:
		case <-poll.C:
		case <-retry.C:
			retryAt = time.Time{}
		}
	}
}

// The lines follow logs when the desk's mail-delivery changes under a
// running sender.
const (
	offLine = "mail delivery was turned off in the desk's settings (mail-delivery is not smtp): " +
		"this node sends no more mail, and the mails written meanwhile land in the desk's simulated mailbox, " +
		"until 'contactdesk config set mail-delivery smtp' (or a restart with --smtp, which sets it again)"
	onLine = "mail delivery was turned back on in the desk's settings (mail-delivery is smtp): this node sends the outbox again"
)

// follow looks at the desk's mail-delivery, which every process follows,
// this one too: support staff (or another process) may turn it to none
// while the sender runs. The desk then queues no mail, so the sender has
// nothing new to send, until it says smtp again. follow says so in the
// log once, when it changes: a warning when it is turned off, and a line
// when it is turned back on. It looks before each round: after every
// commit of this process, and at each poll for the others'.
func (s *Sender) follow() {
	set, err := s.desk.Settings(s.ctx)
	if err != nil {
		return // the round says why the desk can't be read
	}
	off := !set.RealDelivery()
	if off == s.off {
		return
	}
	s.off = off
	value := set[model.SettingMailDelivery]
	if value == "" {
		value = "unset"
	}
	if off {
		s.cfg.Log.Log(s.ctxLog(), slog.LevelWarn, offLine, "mail-delivery", value)
	} else {
		s.cfg.Log.Log(s.ctxLog(), slog.LevelInfo, onLine, "mail-delivery", value)
	}
}

// round sends everything due now. It returns when each mail it deferred
// is due again (and when to look again if the outbox could not be read).
//
// It claims one mail at a time, just before trying it, so that a claim
// (a lease, see model.Desk.ClaimMails) covers one try, not a batch's
// worth: a sender that dies (kill -9, a crash) holds up only the mail it
// was trying, for one lease. The mails it had not tried yet are not
// claimed: the next start, or another node, sends them at once, their
// attempt not counted. (Claiming 20 at a time with a lease long enough
// for all 20 left them waiting the whole lease after a crash, and then
// counted a second attempt for mails never tried.) It costs one small
// write per mail, at human speed; and it lets several nodes share a
// queue mail by mail. The one mail claimed cannot be sent twice: only
// the sender holding the latest claim can hand it over (HandOver checks
// it in its write), should a try outlive its lease.
func (s *Sender) round() (next []time.Time) {
	defer s.hangUp()
	defer func() {
		if s.ctx.Err() != nil {
			s.leftUntried()
		}
	}()
	soonest := func(t time.Time) {
		if !t.IsZero() {
			next = append(next, t)
		}
	}
	for s.ctx.Err() == nil {
		es, interrupted, err := s.desk.ClaimMails(s.ctx, 1, s.cfg.Lease)
		for _, e := range interrupted {
			s.interrupted(e)
		}
		if err != nil {
			if s.ctx.Err() == nil {
				s.cfg.Log.Warn("cannot read the outbox: "+err.Error(), "error", err.Error())
				soonest(s.desk.Now().Add(s.cfg.Backoff.First))
			}
			return next
		}
		if len(es) == 0 {
			return next
		}
		r := s.deliver(es[0])
		soonest(r.after)
		switch {
		case r.unreachable != "":
			// What else is due waits with the same answer.
			next = append(next, s.putOff(r.unreachable)...)
			return next
		case r.stop:
			return next
		}
	}
	return next
}

// putOff defers, with the answer of a server that cannot be reached, up
// to Batch more mails due now, rather than trying to reach it again for
// each. It runs even when the sender is stopping (Close cut off a
// server that did not answer): it only writes to the desk. It returns
// when each is due again.
func (s *Sender) putOff(answer string) (next []time.Time) {
	es, interrupted, err := s.desk.ClaimMails(context.WithoutCancel(s.ctx), s.cfg.Batch, s.cfg.Lease)
	for _, e := range interrupted {
		s.interrupted(e)
	}
	if err != nil {
		s.cfg.Log.Warn("cannot read the outbox: "+err.Error(), "error", err.Error())
	}
	for _, e := range es {
		if t := s.deferred(e, answer); !t.IsZero() {
			next = append(next, t)
		}
	}
	return next
}

// leftUntried counts among the unsent the mails due that a stopping
// sender did not try (see Close).
func (s *Sender) leftUntried() {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), 5*time.Second)
	defer cancel()
	es, err := s.desk.DueMails(ctx, s.cfg.Batch)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range es {
		if _, ok := s.unsent[e.Mail.ID]; !ok {
			s.unsent[e.Mail.ID] = "not tried before the sender stopped"
		}
	}
}

type result struct {
	after       time.Time // when the mail is due again, if it was deferred
	unreachable string    // the server could not be reached: why
	stop        bool      // the round must stop (the outbox cannot be written)
}

// deliver sends one claimed mail and records the outcome.
func (s *Sender) deliver(e model.OutboxEntry) result {
	msg, err := Message(e, s.cfg.From)
	if err != nil {
		s.undeliverable(e, err.Error())
		return result{}
	}
	if s.conn == nil {
		c, err := s.client.DialToSMTPClientWithContext(s.ctx)
		if err != nil {
			answer := fmt.Sprintf("cannot connect to %s: %s", s.cfg.Server, s.red.redact(err.Error()))
			if s.cutWhileGreeting(err) {
				// connected, then cut by the sender's own stop (abort):
				// "use of closed network connection" named no fault of it
				answer = fmt.Sprintf("gave up on %s: it took the connection but did not answer in time", s.cfg.Server)
			}
			return result{after: s.deferred(e, answer), unreachable: answer}
		}
		s.conn = c
	}
	switch kind, answer := s.transact(&e, msg); kind {
	case sent:
		s.delivered(e, answer)
	case refused, unsure:
		s.undeliverable(e, answer)
	case later:
		return result{after: s.deferred(e, answer)}
	case notHanded:
		s.release([]model.OutboxEntry{e})
		return result{stop: true}
	case lost:
		s.forget(e.Mail.ID)
	}
	return result{}
}

type outcome int

const (
	sent      outcome = iota
	later             // 4xx, or the connection broke before the message was handed over
	refused           // 5xx
	unsure            // handed over, the answer lost: may have been delivered
	notHanded         // stopped before the message was handed over; try again
	lost              // not handed over: another sender claimed the mail since
)

// transact runs one mail transaction on the open connection. The message
// is written whole, then the desk records the hand-over, and only then
// the final "." is sent: the server cannot accept a message before that
// dot, so a sender that dies earlier leaves a mail safe to send again,
// and one that dies later leaves the "sending" mark (see
// model.Desk.ClaimMails).
func (s *Sender) transact(e *model.OutboxEntry, msg *gomail.Msg) (outcome, string) {
	c := s.conn
	if err := c.UpdateDeadline(s.cfg.Timeout); err != nil {
		s.drop()
		return later, s.red.redact(err.Error())
	}
	from, err := msg.GetSender(false)
	if err != nil {
		return refused, err.Error()
	}
	to, err := msg.GetRecipients()
	if err != nil {
		return refused, err.Error()
	}
	if err := c.Mail(from); err != nil {
		return s.answer(err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return s.answer(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return s.answer(err)
	}
	if _, err := WriteMessage(w, msg); err != nil {
		s.drop()
		return later, "the connection broke while sending: " + s.red.redact(err.Error())
	}
	if err := s.desk.HandOver(s.ctx, e, s.cfg.Lease); err != nil {
		// Hang up without the final ".": the server drops the message.
		s.drop()
		if errors.Is(err, model.ErrClaimLost) {
			// This try outlived its lease, and another sender took the
			// mail: it is that one's to send, not this one's to give back.
			s.cfg.Log.Warn(fmt.Sprintf("mail #%d left to another sender: this try took longer than its lease (%s), and the mail was claimed again", e.Mail.ID, s.cfg.Lease), "mail", e.Mail.ID)
			return lost, ""
		}
		if errors.Is(err, model.ErrWithdrawn) {
			s.cfg.Log.Warn(fmt.Sprintf("mail #%d not sent: mail delivery is turned off in the desk's settings, and the mail is back in its simulated mailbox, token and all", e.Mail.ID), "mail", e.Mail.ID)
		} else if s.ctx.Err() == nil {
			s.cfg.Log.Warn("cannot record a mail's delivery, so it is not sent: "+err.Error(), "mail", e.Mail.ID)
		}
		return notHanded, ""
	}
	if err := w.Close(); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) {
			return s.answer(err)
		}
		s.drop()
		return unsure, "the connection broke while the server was taking the message (" + s.red.redact(err.Error()) +
			"): it may have been delivered, so it is not sent again (if it did not arrive, resend it)"
	}
	resp := ""
	if dc, ok := w.(*smtp.DataCloser); ok {
		resp = dc.ServerResponse()
	}
	return sent, "250 " + s.red.redact(resp)
}

// answer sorts the server's refusal of a command: 4xx later, 5xx never.
// Anything but an answer means the connection is gone.
func (s *Sender) answer(err error) (outcome, string) {
	var te *textproto.Error
	if !errors.As(err, &te) {
		s.drop()
		return later, "the connection broke: " + s.red.redact(err.Error())
	}
	text := s.red.redact(te.Error())
	if err := s.conn.Reset(); err != nil {
		s.drop()
	}
	if te.Code >= 500 {
		return refused, text
	}
	return later, text
}

// drop closes a connection that cannot be used any more, without a word
// to the server.
func (s *Sender) drop() {
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}

// hangUp ends the session politely, or, once Close has cut it off,
// just closes it.
func (s *Sender) hangUp() {
	if s.conn != nil && s.ctx.Err() != nil {
		s.drop()
		return
	}
	if s.conn != nil {
		s.conn.UpdateDeadline(s.cfg.Timeout)
		if err := s.conn.Quit(); err != nil {
			s.conn.Close()
		}
		s.conn = nil
	}
}

// The results are recorded even when the sender is stopping: the server
// has answered, and the desk must know.
//
// A try that outlived its lease, the mail claimed since by another
// sender, records nothing (model.ErrClaimLost): the mail is that
// sender's, and this one says so and forgets it; record then reports
// leftToOther, and the caller neither counts nor logs the outcome as the
// mail's.
func (s *Sender) record(what string, e model.OutboxEntry, f func(context.Context) (model.OutboxEntry, error)) (model.OutboxEntry, recorded) {
	ctx := context.WithoutCancel(s.ctx)
	var err error
	var unsure *model.OutboxEntry // a write whose COMMIT went unanswered
	for try := 0; try < 3; try++ {
		var r model.OutboxEntry
		if r, err = f(ctx); err == nil {
			return r, recordedOK
		}
		if errors.Is(err, model.ErrMaybeSaved) {
			unsure = &r
		}
		if errors.Is(err, model.ErrClaimLost) && unsure != nil {
			// the write before was saved after all: the entry is no
			// longer as the try left it because this very outcome is
			// recorded
			return *unsure, recordedOK
		}
		if errors.Is(err, model.ErrClaimLost) {
			s.forget(e.Mail.ID)
			s.cfg.Log.Warn(fmt.Sprintf("mail #%d left to another sender: the server answered this try after its lease (%s) ran out, and another sender claimed the mail (or found it interrupted) meanwhile", e.Mail.ID, s.cfg.Lease), "mail", e.Mail.ID)
			return e, leftToOther
		}
		time.Sleep(time.Duration(try+1) * 200 * time.Millisecond)
	}
	s.cfg.Log.Warn(fmt.Sprintf("mail #%d was %s, but that could not be recorded: %v", e.Mail.ID, what, err), "mail", e.Mail.ID)
	return e, notRecorded
}

// recorded is what became of the record of a try's outcome.
type recorded int

const (
	recordedOK  recorded = iota
	notRecorded          // the desk could not be written (said in the log)
	leftToOther          // another sender claimed the mail since (said in the log)
)

// The outcomes a log line tells, by its "event" attribute.
const (
	EventSent     = "sent"     // the server took the mail
	EventDeferred = "deferred" // a try failed; the mail is tried again later
	EventFailed   = "failed"   // the mail is given up
)

// logMail writes the line of an event of mail e: "mail #41 to
// ACCOUNT at DOMAIN deferred: ANSWER; next try at …", with the address
// instead of the account and domain when the log may name it.
func (s *Sender) logMail(level slog.Level, event string, e model.OutboxEntry, answer, after string) {
	m := e.Mail
	domain := m.Address[strings.LastIndexByte(m.Address, '@')+1:]
	who := fmt.Sprintf("%s at %s", m.To, domain)
	attrs := []any{"event", event, "mail", m.ID, "account", string(m.To), "domain", domain}
	if s.names(m) {
		who = m.Address
		attrs = append(attrs, "to", m.Address)
	} else {
		answer = MaskAddress(answer, m.Address)
	}
	attrs = append(attrs, "attempt", e.Attempts, "answer", answer)
	s.cfg.Log.Log(s.ctxLog(), level, fmt.Sprintf(eventLines[event], m.ID, who, answer)+after, attrs...)
}

var eventLines = map[string]string{
	EventSent:     "mail #%d sent to %s: %s",
	EventDeferred: "mail #%d to %s deferred: %s",
	EventFailed:   "mail #%d to %s not delivered: %s",
}

// ctxLog is the context of a log line: the sender's, even once stopping.
func (s *Sender) ctxLog() context.Context { return context.WithoutCancel(s.ctx) }

// names says whether the log may name m's address (see
// Config.LogAddresses and Config.ShowAddress).
func (s *Sender) names(m model.Mail) bool {
	return s.cfg.LogAddresses && (s.cfg.ShowAddress == nil || s.cfg.ShowAddress(m.To))
}

// MaskAddress hides the local part of address where the server's answer
// repeats it ("550 <…@example.com>: Recipient address rejected"): what a
// server's log, or a customer reading of another account's mail, shows.
func MaskAddress(answer, address string) string {
	at := strings.LastIndexByte(address, '@')
	if at <= 0 {
		return answer
	}
	re, err := regexp.Compile(`(?i)` + regexp.QuoteMeta(address))
	if err != nil {
		return answer
	}
	return re.ReplaceAllLiteralString(answer, "…"+address[at:])
}

func (s *Sender) delivered(e model.OutboxEntry, resp string) {
	if _, r := s.record("sent", e, func(ctx context.Context) (model.OutboxEntry, error) { return s.desk.Delivered(ctx, e) }); r == leftToOther {
		return
	}
	s.forget(e.Mail.ID)
	call(s.cfg.OnSent)
	s.logMail(slog.LevelInfo, EventSent, e, resp, "")
}

func (s *Sender) undeliverable(e model.OutboxEntry, answer string) {
	if _, r := s.record("refused", e, func(ctx context.Context) (model.OutboxEntry, error) { return s.desk.Undeliverable(ctx, e, answer) }); r == leftToOther {
		return
	}
	s.givenUp(e, answer)
}

// interrupted tells of a mail the claim found still being handed over
// past its wait, and marked failed (model.InterruptedAnswer): its sender
// stopped (a crash, most likely) between the hand-over and the server's
// answer, and can say nothing. This sender, whichever node it runs on,
// says it as it says any mail given up.
func (s *Sender) interrupted(e model.OutboxEntry) {
	s.givenUp(e, e.LastError)
}

// givenUp is the end of every mail given up: an error in the log, and
// one more in OnFailed's count.
func (s *Sender) givenUp(e model.OutboxEntry, answer string) {
	s.forget(e.Mail.ID)
	call(s.cfg.OnFailed)
	s.logMail(slog.LevelError, EventFailed, e, answer, "")
}

// deferred records a try to do again; it returns when (zero if the mail
// was given up).
func (s *Sender) deferred(e model.OutboxEntry, answer string) time.Time {
	r, rec := s.record("deferred", e, func(ctx context.Context) (model.OutboxEntry, error) {
		return s.desk.Deferred(ctx, e, answer, s.cfg.Backoff)
	})
	if rec != recordedOK {
		return time.Time{}
	}
	if r.State == model.DeliveryFailed {
		s.givenUp(e, r.LastError)
		return time.Time{}
	}
	if r.State == model.DeliveryWithdrawn {
		s.forget(e.Mail.ID)
		s.logMail(slog.LevelWarn, EventDeferred, e, answer, "; not tried again: mail delivery is turned off in the desk's settings, and the mail is back in its simulated mailbox, token and all")
		return time.Time{}
	}
	s.mu.Lock()
	if s.names(e.Mail) {
		s.unsent[e.Mail.ID] = answer
	} else {
		s.unsent[e.Mail.ID] = MaskAddress(answer, e.Mail.Address)
	}
	s.mu.Unlock()
	s.logMail(slog.LevelWarn, EventDeferred, e, answer, "; next try at "+r.NextTry.Format(time.RFC3339))
	return r.NextTry
}

func (s *Sender) release(es []model.OutboxEntry) {
	if err := s.desk.ReleaseMails(context.WithoutCancel(s.ctx), es); err != nil {
		// They come back when their lease runs out.
		s.cfg.Log.Warn("cannot give back claimed mails: "+err.Error(), "mails", len(es))
	}
}

func (s *Sender) forget(id int64) {
	s.mu.Lock()
	delete(s.unsent, id)
	s.mu.Unlock()
}

func call(f func()) {
	if f != nil {
		f()
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
