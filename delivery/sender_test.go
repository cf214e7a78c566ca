package delivery_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	gosmtp "github.com/emersion/go-smtp"

	"contactdesk/delivery"
	"contactdesk/delivery/smtptest"
	"contactdesk/internal/syncbuf"
	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/storage"
)

const (
	admin = model.Handle("aa11111-ovh")
	tech  = model.Handle("bb22222-ovh")
	taker = model.Handle("cc33333-ovh")
)

var addresses = map[model.Handle]string{
	admin: "ada@example.com",
	tech:  "bob@example.net",
	taker: "cyd@example.org",
}

// world is a database with three accounts and a domain whose admin is
// admin and whose tech contact is tech.
type world struct {
	path string
	db   *storage.DB
	desk *model.Desk
}

func newWorld(t *testing.T, clk model.Clock) *world {
	t.Helper()
	w := &world{path: filepath.Join(t.TempDir(), "contactdesk.db")}
	w.open(t, clk)
	ctx := context.Background()
	for _, h := range []model.Handle{admin, tech, taker} {
		if _, err := w.desk.AddAccount(ctx, model.NewAccount{Handle: string(h), Name: "Owner of " + string(h), Email: addresses[h]}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.desk.AddService(ctx, model.NewService{Name: "example.com", Type: model.TypeDomain, Admin: string(admin), Tech: string(tech), Billing: string(admin)}); err != nil {
		t.Fatal(err)
	}
	return w
}

// open opens the database again, as a new process with an SMTP server
// would: it records in the desk that mail is delivered for real.
func (w *world) open(t *testing.T, clk model.Clock) {
	t.Helper()
	db, err := storage.Open(w.path, storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	w.desk = model.NewDesk(db, model.Options{Clock: clk})
	if _, err := w.desk.UseRealDelivery(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// request has the admin hand the tech role to taker: three parties.
func (w *world) request(t *testing.T) model.Request {
	t.Helper()
	rs, err := w.desk.CreateRequest(context.Background(), admin, model.NewRequest{Service: "example.com", Roles: []model.Role{model.Tech}, To: string(taker)})
	if err != nil {
		t.Fatal(err)
	}
	return rs[0]
}

// mail returns h's newest mail.
func (w *world) mail(t *testing.T, h model.Handle) model.Mail {
	t.Helper()
	ms, err := w.desk.Mails(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatalf("%s has no mail", h)
	}
	return ms[0]
}

// waitMail polls h's newest mail until ok says it is as wanted.
func (w *world) waitMail(t *testing.T, h model.Handle, want string, ok func(model.Mail) bool) model.Mail {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		m := w.mail(t, h)
		if ok(m) {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("mail #%d of %s: delivery %q (%s), want %s", m.ID, h, m.Delivery, m.DeliveryError, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitDelivery polls until h's newest mail's delivery is want.
func (w *world) waitDelivery(t *testing.T, h model.Handle, want string) model.Mail {
	t.Helper()
	return w.waitMail(t, h, want, func(m model.Mail) bool { return m.Delivery == want })
}

// waitError polls until h's newest mail's delivery error says answer.
func (w *world) waitError(t *testing.T, h model.Handle, answer string) model.Mail {
	t.Helper()
	return w.waitMail(t, h, "an error saying "+answer, func(m model.Mail) bool { return strings.Contains(m.DeliveryError, answer) })
}

type senderOpt func(*delivery.Config)

func start(t *testing.T, w *world, srv *smtptest.Server, opts ...senderOpt) (*delivery.Sender, *syncbuf.Buffer) {
	t.Helper()
	s, logs := newSender(t, srv.URL(), srv, opts...)
	s.Attach(w.desk)
	t.Cleanup(func() { s.Close() })
	return s, logs
}

func newSender(t *testing.T, url string, srv *smtptest.Server, opts ...senderOpt) (*delivery.Sender, *syncbuf.Buffer) {
	t.Helper()
	server, err := delivery.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	from, err := delivery.ParseFrom("Contact desk <desk@provider.example>")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	cfg := delivery.Config{
		Server:    server,
		From:      from,
		Log:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		Backoff:   model.Backoff{First: 20 * time.Millisecond, Max: 80 * time.Millisecond},
		Timeout:   10 * time.Second,
		Poll:      50 * time.Millisecond,
		CloseWait: 10 * time.Second,
	}
	if srv.RootCAs != nil {
		cfg.TLS = &tls.Config{RootCAs: srv.RootCAs}
	}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := delivery.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, logs
}

// byRecipient indexes messages by envelope recipient.
func byRecipient(t *testing.T, ms []smtptest.Message) map[string]smtptest.Message {
	t.Helper()
	out := map[string]smtptest.Message{}
	for _, m := range ms {
		if len(m.To) != 1 {
			t.Fatalf("message to %v: want one recipient", m.To)
		}
		if _, dup := out[m.To[0]]; dup {
			t.Fatalf("two messages to %s", m.To[0])
		}
		out[m.To[0]] = m
	}
	return out
}

// tokenRE finds a token in a message.
var tokenRE = regexp.MustCompile(`[0-9A-Z]{4}(-[0-9A-Z]{4}){6}`)

func TestEachPartyGetsItsOwnToken(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: true, User: "desk", Password: "pw-in-the-url"})
	w := newWorld(t, nil)
	start(t, w, srv)
	r := w.request(t)

	got := byRecipient(t, srv.Wait(t, 3))
	tokens := map[string]model.Handle{}
	for _, h := range []model.Handle{admin, tech, taker} {
		m := w.waitDelivery(t, h, model.DeliverySent)
		msg, ok := got[addresses[h]]
		if !ok {
			t.Fatalf("nothing delivered to %s; got %v", addresses[h], got)
		}
		tok := tokenRE.FindString(msg.Body)
		if tok == "" {
			t.Fatalf("the message to %s carries no token:\n%s", h, msg.Body)
		}
		tokens[tok] = h
		// The token lives in the recipient's inbox alone: the desk's
		// mailbox says where it went, and its stored copy forgot it
		// when the server took the message.
		if m.RequestID != r.ID || m.Token != "" || !m.TokenWithheld || strings.Contains(m.Body, tok) || strings.Contains(m.Link, tok) {
			t.Fatalf("%s's mailbox shows %+v", h, m)
		}
		var stored model.Mail
		w.desk.Store().View(context.Background(), func(tx model.Tx) error {
			var err error
			stored, err = tx.Mail(m.ID)
			return err
		})
		if stored.Token != "" || strings.Contains(stored.Body, tok) || strings.Contains(stored.Link, tok) {
			t.Errorf("the stored mail keeps the token: %+v", stored)
		}
		if !msg.TLS || msg.User != "desk" {
			t.Errorf("sent without STARTTLS and AUTH (tls %v, user %q)", msg.TLS, msg.User)
		}
		if msg.From != "desk@provider.example" {
			t.Errorf("envelope sender %q", msg.From)
		}
		// The mailbox keeps the message, but for its token.
		if want := strings.ReplaceAll(msg.Body, tok, "(mailed to "+addresses[h]+"; the desk keeps no copy)"); want != m.Body {
			t.Errorf("body differs from the mailbox's:\n%q\n%q", want, m.Body)
		}
		if strings.Contains(msg.Body, "contactdesk request accept") || strings.Contains(msg.Body, "--token") {
			t.Errorf("a real mail tells the support staff's commands:\n%s", msg.Body)
		}
		if msg.Subject != m.Subject {
			t.Errorf("subject %q, want %q", msg.Subject, m.Subject)
		}
		if to := msg.Header.Get("To"); to != "<"+addresses[h]+">" && to != addresses[h] {
			t.Errorf("To: %q", to)
		}
		if m.DeliveryError != "" {
			t.Errorf("a sent mail with an error: %q", m.DeliveryError)
		}
	}
	if len(tokens) != 3 {
		t.Fatalf("tokens are not personal: %v", tokens)
	}
	// Each works for its party, from the mail alone.
	for tok, h := range tokens {
		if _, err := w.desk.Accept(context.Background(), h, r.ID, tok); err != nil {
			t.Errorf("%s accepts with the token of its mail: %v", h, err)
		}
	}
}

func TestServerDownThenUp(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.SetDown(true)
	w := newWorld(t, nil)
	_, logs := start(t, w, srv)
	w.request(t)

	// Each mail is tried, fails and waits, the server's answer recorded.
	for _, h := range []model.Handle{admin, tech, taker} {
		if m := w.waitError(t, h, "cannot connect to smtp://127.0.0.1"); m.Delivery != model.DeliveryPending {
			t.Fatalf("while the server is down: %q (%s)", m.Delivery, m.DeliveryError)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages while down", n)
	}

	srv.SetDown(false)
	for _, h := range []model.Handle{admin, tech, taker} {
		w.waitDelivery(t, h, model.DeliverySent)
	}
	// Later rounds (a few polls) find nothing more to send.
	time.Sleep(300 * time.Millisecond)
	ms := srv.Messages()
	ids := map[string]int{}
	for _, m := range ms {
		ids[m.Header.Get("Message-ID")]++
	}
	if len(ms) != 3 || len(ids) != 3 {
		t.Fatalf("want each of 3 mails once, got %d messages: %v", len(ms), ids)
	}
	if !strings.Contains(logs.String(), "deferred") {
		t.Errorf("no deferral logged:\n%s", logs)
	}
}

func TestTemporaryRefusalIsRetried(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	var mu sync.Mutex
	tries := 0
	srv.Refuse(func(rcpt string) *gosmtp.SMTPError {
		if rcpt != addresses[tech] {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if tries++; tries <= 2 {
			return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
		}
		return nil
	})
	w := newWorld(t, nil)
	start(t, w, srv)
	w.request(t)
	m := w.waitDelivery(t, tech, model.DeliverySent)
	if srv.Refused() != 2 {
		t.Fatalf("refused %d times, want 2", srv.Refused())
	}
	got := byRecipient(t, srv.Wait(t, 3))
	if !strings.Contains(got[addresses[tech]].Body, m.Token) {
		t.Fatal("the retried message lacks the token")
	}
}

// TestEachPutOffMailIsTriedWhenDue: mails put off a few milliseconds
// apart are each tried again when due, with no poll to come for them;
// before, the timer was set for the first only, and the others waited
// for the next poll (30 s on a 1-minute back-off).
func TestEachPutOffMailIsTriedWhenDue(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	var mu sync.Mutex
	tried := map[string]bool{}
	srv.Refuse(func(rcpt string) *gosmtp.SMTPError {
		mu.Lock()
		first := !tried[rcpt]
		tried[rcpt] = true
		mu.Unlock()
		if first {
			// put off 50 ms apart, so due again 50 ms apart
			time.Sleep(50 * time.Millisecond)
			return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
		}
		// the second try ends at once, before the next mail is due
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	})
	w := newWorld(t, nil)
	start(t, w, srv, func(c *delivery.Config) {
		c.Poll = time.Hour // only the timer of the mails put off can bring them back
		c.Backoff = model.Backoff{First: 300 * time.Millisecond, Max: 300 * time.Millisecond}
	})
	w.request(t)
	for _, h := range []model.Handle{admin, tech, taker} {
		w.waitDelivery(t, h, model.DeliveryFailed)
	}
}

func TestPermanentRefusalFailsThatMailOnly(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.Refuse(func(rcpt string) *gosmtp.SMTPError {
		if rcpt == addresses[tech] {
			return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
		}
		return nil
	})
	w := newWorld(t, nil)
	_, logs := start(t, w, srv)
	w.request(t)

	failed := w.waitDelivery(t, tech, model.DeliveryFailed)
	if !strings.Contains(failed.DeliveryError, "550") || !strings.Contains(failed.DeliveryError, "No such user here") {
		t.Fatalf("delivery error %q: want the server's answer", failed.DeliveryError)
	}
	w.waitDelivery(t, admin, model.DeliverySent)
	w.waitDelivery(t, taker, model.DeliverySent)
	if !strings.Contains(logs.String(), "No such user here") {
		t.Errorf("the refusal is not logged:\n%s", logs)
	}

	// The tech contact fixes its address (proving the new one with the
	// token mailed there; the notice to the old address is refused too)
	// and asks again: the fresh token goes to the new address, and the
	// failed mail is not tried again.
	ctx := context.Background()
	r := w.mail(t, tech).RequestID
	if _, err := w.desk.AskEmailChange(ctx, tech, "bob@new.example"); err != nil {
		t.Fatal(err)
	}
	proof := w.waitDelivery(t, tech, model.DeliverySent)
	if proof.Kind != model.MailEmailConfirm || proof.Address != "bob@new.example" || proof.Token != "" {
		t.Fatalf("the proof of the new address: %+v", proof)
	}
	// The token is in the new inbox only: the desk kept none.
	var token string
	for _, m := range srv.Wait(t, 3) {
		if m.To[0] == "bob@new.example" {
			token = tokenRE.FindString(m.Body)
		}
	}
	if _, err := w.desk.ConfirmEmail(ctx, tech, token); err != nil {
		t.Fatal(err)
	}
	w.waitDelivery(t, tech, model.DeliveryFailed) // the notice, to the old address
	if _, err := w.desk.Resend(ctx, tech, r); err != nil {
		t.Fatal(err)
	}
	w.waitDelivery(t, tech, model.DeliverySent)
	reached := false
	for _, m := range srv.Wait(t, 4) {
		reached = reached || (m.To[0] == "bob@new.example" && strings.Contains(m.Subject, "Sent again") && tokenRE.MatchString(m.Body) && !strings.Contains(m.Body, token))
	}
	if !reached {
		t.Fatalf("the resent mail did not reach the new address with the new token: %v", srv.Messages())
	}
	if len(srv.Messages()) != 4 || srv.Refused() != 2 {
		t.Fatalf("%d messages, %d refusals: the failed mail was tried again", len(srv.Messages()), srv.Refused())
	}
}

func TestCrashBetweenCommitAndSend(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorld(t, nil)
	// The process queues the mails and dies before any sender runs.
	w.request(t)
	if m := w.mail(t, tech); m.Delivery != model.DeliveryPending {
		t.Fatalf("queued mail: delivery %q", m.Delivery)
	}
	w.db.Close()

	// The next start resumes the outbox.
	w.open(t, nil)
	start(t, w, srv)
	for _, h := range []model.Handle{admin, tech, taker} {
		w.waitDelivery(t, h, model.DeliverySent)
	}
	byRecipient(t, srv.Messages())
}

// TestCrashAfterHandOverIsNotSentAgain: a sender dies after handing a
// mail over, before the server's answer is recorded. The sender that
// finds it (the next start, or another node) marks it failed, never
// sends it again, and says so as for any mail given up: an ERROR line
// and one more in OnFailed's count (the metric). Before, it said
// nothing: no line, no count, and a customer's only token could be lost
// without an alert.
func TestCrashAfterHandOverIsNotSentAgain(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorld(t, nil)
	w.request(t)
	ctx := context.Background()
	// A sender claims the mails and hands one over; then it dies, before
	// the server's answer is recorded.
	es, _, err := w.desk.ClaimMails(ctx, 10, time.Minute)
	if err != nil || len(es) != 3 {
		t.Fatalf("claimed %d (%v)", len(es), err)
	}
	var handed model.OutboxEntry
	for _, e := range es {
		if e.Mail.To == tech {
			handed = e
		}
	}
	if err := w.desk.HandOver(ctx, &handed, 0); err != nil {
		t.Fatal(err)
	}
	// The others' claims are given back (their lease ran out).
	var rest []model.OutboxEntry
	for _, e := range es {
		if e.Mail.ID != handed.Mail.ID {
			rest = append(rest, e)
		}
	}
	if err := w.desk.ReleaseMails(ctx, rest); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	sent, failed := 0, 0
	_, logs := start(t, w, srv, func(c *delivery.Config) {
		c.OnSent = func() { mu.Lock(); sent++; mu.Unlock() }
		c.OnFailed = func() { mu.Lock(); failed++; mu.Unlock() }
	})
	w.waitDelivery(t, admin, model.DeliverySent)
	w.waitDelivery(t, taker, model.DeliverySent)
	m := w.waitDelivery(t, tech, model.DeliveryFailed)
	if m.DeliveryError != model.InterruptedAnswer {
		t.Fatalf("delivery error %q", m.DeliveryError)
	}
	for _, msg := range srv.Messages() {
		if msg.To[0] == addresses[tech] {
			t.Fatal("a mail that may have been delivered was sent again")
		}
	}
	want := fmt.Sprintf(`level=ERROR msg="mail #%d to %s at example.net not delivered: %s" event=failed mail=%d account=%s domain=example.net attempt=1 `,
		m.ID, tech, model.InterruptedAnswer, m.ID, tech)
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(logs.String(), want) || strings.Count(logs.String(), "event=sent") < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no error line for the interrupted mail #%d; want\n%s\nthe log:\n%s", m.ID, want, logs)
		}
	}
	time.Sleep(200 * time.Millisecond) // a few more polls: it is told once
	mu.Lock()
	defer mu.Unlock()
	if failed != 1 || sent != 2 {
		t.Errorf("OnFailed called %d times, OnSent %d; want 1 and 2", failed, sent)
	}
	if n := strings.Count(logs.String(), "level=ERROR"); n != 1 {
		t.Errorf("%d error lines, want 1:\n%s", n, logs)
	}
	if strings.Contains(logs.String(), addresses[tech]) || tokenRE.MatchString(logs.String()) {
		t.Errorf("the log holds an address or a token:\n%s", logs)
	}
}

// crashable is a store that a test can make die, as its process would
// (kill -9): from then on, nothing its desk does reaches the database,
// which stays as the crash left it.
type crashable struct {
	model.Store
	dead atomic.Bool
}

var errCrashed = errors.New("the process is dead")

func (c *crashable) View(ctx context.Context, fn func(model.Tx) error) error {
	if c.dead.Load() {
		return errCrashed
	}
	return c.Store.View(ctx, fn)
}

func (c *crashable) Update(ctx context.Context, fn func(model.Tx) error) error {
	if c.dead.Load() {
		return errCrashed
	}
	return c.Store.Update(ctx, fn)
}

// unanswered saves every write recording a mail sent, then answers as a
// PostgreSQL COMMIT that went unanswered does (model.ErrMaybeSaved),
// once per mail.
type unanswered struct {
	model.Store
	mu   sync.Mutex
	done map[int64]bool
}

type sentTx struct {
	model.Tx
	sent *int64
}

func (x sentTx) SetDeliveryIf(e, was model.OutboxEntry) error {
	if e.State == model.DeliverySent && was.State == model.DeliverySending {
		*x.sent = e.Mail.ID
	}
	return x.Tx.SetDeliveryIf(e, was)
}

func (u *unanswered) Update(ctx context.Context, fn func(model.Tx) error) error {
	var sent int64
	if err := u.Store.Update(ctx, func(tx model.Tx) error { return fn(sentTx{Tx: tx, sent: &sent}) }); err != nil || sent == 0 {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done[sent] {
		return nil
	}
	u.done[sent] = true
	return fmt.Errorf("%w: connection reset by peer", model.ErrMaybeSaved)
}

// TestSentRecordedOnceUnanswered: a mail's record as sent whose COMMIT
// went unanswered, though saved, is tried again, and that second try
// finding the entry already recorded is the record, not a mail "left to
// another sender": each mail is logged sent, none given up.
func TestSentRecordedOnceUnanswered(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorld(t, nil)
	s, logs := newSender(t, srv.URL(), srv)
	s.Attach(model.NewDesk(&unanswered{Store: w.db, done: map[int64]bool{}}, model.Options{}))
	t.Cleanup(func() { s.Close() })
	w.request(t)
	srv.Wait(t, 3)
	for h := range addresses {
		w.waitDelivery(t, h, model.DeliverySent)
	}
	for deadline := time.Now().Add(20 * time.Second); strings.Count(logs.String(), "event=sent") < 3; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not every mail is logged sent:\n%s", logs)
		}
	}
	if strings.Contains(logs.String(), "left to another sender") {
		t.Errorf("a mail recorded sent is said to be another sender's:\n%s", logs)
	}
}

// TestCrashMidQueueSendsTheRestAtOnce: a sender dies (kill -9) while a
// slow server takes the first of three mails. The next start sends the
// two it never tried at once, their attempt the first; before, the dead
// sender had claimed them with the first, for the whole lease (10
// minutes), and they went out only then, counted as a second attempt.
// The mail being taken is never sent again: once the wait for its
// answer has passed, it is given up with an ERROR line and counted.
func TestCrashMidQueueSendsTheRestAtOnce(t *testing.T) {
	clk := modeltest.NewClock(time.Now())
	srv := smtptest.Start(t, smtptest.Options{})
	var mu sync.Mutex
	first := ""
	taking := make(chan struct{})
	srv.HoldData(func(rcpt string) bool {
		mu.Lock()
		defer mu.Unlock()
		if first == "" {
			first = rcpt
			close(taking)
		}
		return rcpt == first
	})
	t.Cleanup(srv.ReleaseData)
	w := newWorld(t, clk)
	w.request(t)

	store := &crashable{Store: w.db}
	dying, _ := newSender(t, srv.URL(), srv)
	dying.Attach(model.NewDesk(store, model.Options{Clock: clk}))
	select {
	case <-taking:
	case <-time.After(20 * time.Second):
		t.Fatal("the server was never handed a mail")
	}
	store.dead.Store(true)
	t.Cleanup(func() { srv.ReleaseData(); dying.Close() })

	// The next start, on the same machine (its clock has not moved).
	w.open(t, clk)
	failed := 0
	_, logs := start(t, w, srv, func(c *delivery.Config) {
		c.OnFailed = func() { mu.Lock(); failed++; mu.Unlock() }
	})
	byAddress := map[string]model.Handle{}
	for h, a := range addresses {
		byAddress[a] = h
	}
	mu.Lock()
	cut := byAddress[first]
	mu.Unlock()
	deadline := time.Now().Add(20 * time.Second)
	for _, h := range []model.Handle{admin, tech, taker} {
		if h == cut {
			continue
		}
		for m := w.mail(t, h); m.Delivery != model.DeliverySent; m = w.mail(t, h) {
			if time.Now().After(deadline) {
				t.Fatalf("mail #%d to %s, never tried by the dead sender, is %s at the next start (%s): it waits for the dead sender's claim to run out", m.ID, h, m.Delivery, m.DeliveryError)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for deadline := time.Now().Add(20 * time.Second); strings.Count(logs.String(), "event=sent") < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the log:\n%s", logs)
		}
	}
	if n := strings.Count(logs.String(), "event=sent"); n != 2 || strings.Count(logs.String(), "attempt=1 ") != 2 {
		t.Errorf("%d mails sent; want the 2 never tried, each at its first attempt:\n%s", n, logs)
	}
	if m := w.mail(t, cut); m.Delivery != model.DeliveryPending {
		t.Fatalf("the mail the server was taking: %s (%s), want it waiting for its answer", m.Delivery, m.DeliveryError)
	}

	// No answer recorded once the wait has passed: given up, and said.
	clk.Advance(11 * time.Minute)
	m := w.waitDelivery(t, cut, model.DeliveryFailed)
	if m.DeliveryError != model.InterruptedAnswer {
		t.Fatalf("the mail cut off: %q", m.DeliveryError)
	}
	want := fmt.Sprintf(`level=ERROR msg="mail #%d to %s at `, m.ID, cut)
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(logs.String(), want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no error line for mail #%d:\n%s", m.ID, logs)
		}
	}
	mu.Lock()
	if failed != 1 {
		t.Errorf("OnFailed called %d times, want 1", failed)
	}
	mu.Unlock()
	srv.ReleaseData()
	time.Sleep(200 * time.Millisecond)
	n := 0
	for _, msg := range srv.Messages() {
		if msg.To[0] == addresses[cut] {
			n++
		}
	}
	if n > 1 {
		t.Errorf("the mail cut off reached the server %d times", n)
	}
}

// TestTryOutlivingItsLeaseIsNotSentTwice: a sender's try that takes
// longer than its claim (a server that stalls before the message) loses
// the mail to another sender, which claims it once the lease has run
// out and sends it. When the first one's server answers at last, that
// sender records nothing over the other's: it does not finish the
// message (the desk refuses its hand-over), nor put the mail back in the
// queue on a 4xx (the other sender, or this one, then sent it again),
// nor mark it failed on a 5xx; it logs that the mail is another's.
func TestTryOutlivingItsLeaseIsNotSentTwice(t *testing.T) {
	for _, c := range []struct {
		name   string
		answer *gosmtp.SMTPError
	}{
		{"accepted", nil},
		{"4xx", &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 2, 0}, Message: "try later"}},
		{"5xx", &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := modeltest.NewClock(time.Now())
			srv := smtptest.Start(t, smtptest.Options{})
			stalled := make(chan struct{})
			resume := make(chan struct{})
			var once sync.Once
			var stalledTo string
			srv.Refuse(func(rcpt string) *gosmtp.SMTPError {
				first := false
				once.Do(func() { first, stalledTo = true, rcpt })
				if first {
					close(stalled)
					<-resume
					return c.answer
				}
				return nil
			})
			w := newWorld(t, clk)
			w.request(t)
			slow, slowLogs := newSender(t, srv.URL(), srv)
			slow.Attach(model.NewDesk(w.db, model.Options{Clock: clk}))
			t.Cleanup(func() { slow.Close() })
			select {
			case <-stalled:
			case <-time.After(20 * time.Second):
				t.Fatal("the server was never asked for a recipient")
			}
			clk.Advance(time.Minute) // the lease (5 × Timeout: 50 s) runs out
			other := &world{path: w.path}
			other.open(t, clk)
			fast, _ := start(t, other, srv)
			srv.Wait(t, 3)
			close(resume)
			for deadline := time.Now().Add(20 * time.Second); !strings.Contains(slowLogs.String(), "left to another sender"); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the slow sender's log:\n%s", slowLogs)
				}
			}
			// The other sender has recorded its three sends before the
			// clock jumps: a send the server had but the desk not yet,
			// past its lease, is one interrupted (maybe delivered).
			for h := range addresses {
				w.waitMail(t, h, "sent by the other sender", func(m model.Mail) bool { return m.Delivery == model.DeliverySent })
			}
			// past any backoff: a mail put back in the queue would go
			// out again now
			clk.Advance(time.Hour)
			slow.Wake()
			fast.Wake()
			time.Sleep(300 * time.Millisecond)
			got := srv.Messages()
			byRecipient(t, got) // fails on a mail sent twice
			if len(got) != 3 {
				t.Fatalf("%d messages, want 3", len(got))
			}
			for h, a := range addresses {
				if a == stalledTo {
					if m := w.mail(t, h); m.Delivery != model.DeliverySent {
						t.Fatalf("the mail the other sender sent is %q: %q", m.Delivery, m.DeliveryError)
					}
				}
			}
			if strings.Contains(slowLogs.String(), "not delivered") || strings.Contains(slowLogs.String(), "deferred") {
				t.Errorf("the slow sender tells an outcome of a mail not its own:\n%s", slowLogs)
			}
		})
	}
}

func TestLostAnswerIsNotSentAgain(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.HangUpAfterData(func(rcpt string) bool { return rcpt == addresses[tech] })
	w := newWorld(t, nil)
	start(t, w, srv)
	w.request(t)
	m := w.waitDelivery(t, tech, model.DeliveryFailed)
	if !strings.Contains(m.DeliveryError, "may have been delivered") {
		t.Fatalf("delivery error %q", m.DeliveryError)
	}
	w.waitDelivery(t, admin, model.DeliverySent)
	w.waitDelivery(t, taker, model.DeliverySent)
	time.Sleep(300 * time.Millisecond) // a few polls: nothing is tried again
	n := 0
	for _, msg := range srv.Messages() {
		if msg.To[0] == addresses[tech] {
			n++
		}
	}
	if n != 1 || len(srv.Messages()) != 3 {
		t.Fatalf("the message whose answer was lost reached the server %d times (%d in all)", n, len(srv.Messages()))
	}
}

func TestGivesUpAfter24Hours(t *testing.T) {
	clk := modeltest.NewClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := smtptest.Start(t, smtptest.Options{})
	srv.SetDown(true)
	w := newWorld(t, clk)
	s, logs := start(t, w, srv)
	w.request(t)
	if m := w.waitError(t, tech, "cannot connect"); m.Delivery != model.DeliveryPending {
		t.Fatalf("after one failed try: %q", m.Delivery)
	}
	clk.Advance(model.DeliveryGiveUp)
	s.Wake()
	m := w.waitDelivery(t, tech, model.DeliveryFailed)
	if !strings.Contains(m.DeliveryError, "24 hours") || !strings.Contains(m.DeliveryError, "cannot connect") {
		t.Fatalf("delivery error %q", m.DeliveryError)
	}
	// Given up: an error in the log, as it happens (just after the
	// record). The other parties' mails are given up in the same run,
	// each logged after its own record: wait for this one's line.
	line := regexp.MustCompile(fmt.Sprintf(`level=ERROR msg="mail #%d to %s at example.net not delivered: not delivered within 24 hours; the last try: cannot connect`, m.ID, tech))
	for deadline := time.Now().Add(20 * time.Second); !line.MatchString(logs.String()) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if l := logs.String(); !line.MatchString(l) {
		t.Errorf("the log:\n%s", l)
	}
}

func TestNoPasswordInLogsOrErrors(t *testing.T) {
	const password = "S3cret:p@ss/w0rd"
	srv := smtptest.Start(t, smtptest.Options{TLS: true, User: "desk", Password: password})
	escaped := strings.Replace(srv.URL(), password, "S3cret%3Ap%40ss%2Fw0rd", 1)
	wrong := strings.Replace(escaped, "w0rd", "w0rd-wrong", 1)

	// Refused by the server: every try fails on AUTH.
	w := newWorld(t, nil)
	s, logs := newSender(t, wrong, srv)
	s.Attach(w.desk)
	w.request(t)
	w.waitError(t, tech, "535")
	closeErr := s.Close()
	if closeErr == nil {
		t.Fatal("Close does not say mails are left")
	}
	texts := []string{logs.String(), closeErr.Error(), w.mail(t, tech).DeliveryError}

	// Accepted: the log of a good run.
	w2 := newWorld(t, nil)
	s2, logs2 := newSender(t, escaped, srv)
	s2.Attach(w2.desk)
	w2.request(t)
	w2.waitDelivery(t, tech, model.DeliverySent)
	s2.Close()
	texts = append(texts, logs2.String())

	// Mistyped URLs.
	for _, u := range []string{
		"smtp://desk:" + password + "@127.0.0.1:25",
		"smtp://desk:" + password + "@host:port",
		"smtpx://desk:" + password + "@host",
		"smtp://desk:" + password + "@host/path",
		"smtp://desk:S3cret%3Ap%40ss%2Fw0rd@host?x=1",
		"smtp://desk:S3cret%zz@host",
	} {
		if _, err := delivery.ParseURL(u); err == nil {
			t.Errorf("%s parsed", u)
		} else {
			texts = append(texts, err.Error())
		}
	}
	for _, text := range texts {
		for _, form := range []string{password, "S3cret%3Ap%40ss%2Fw0rd", "S3cret", "S3cret%zz"} {
			if strings.Contains(text, form) {
				t.Errorf("the password shows (%q):\n%s", form, text)
			}
		}
	}
	if !strings.Contains(logs.String(), "535") {
		t.Errorf("the server's answer is not logged:\n%s", logs)
	}
}

func TestImplicitTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Implicit: true, User: "desk", Password: "pw"})
	w := newWorld(t, nil)
	start(t, w, srv)
	w.request(t)
	w.waitDelivery(t, taker, model.DeliverySent)
	for _, m := range byRecipient(t, srv.Wait(t, 3)) {
		if !m.TLS || m.User != "desk" {
			t.Fatalf("tls %v, user %q", m.TLS, m.User)
		}
	}
}

func TestPasswordNeedsTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{}) // offers no STARTTLS
	w := newWorld(t, nil)
	s, _ := newSender(t, "smtp://desk:pw@"+srv.Addr, srv)
	s.Attach(w.desk)
	t.Cleanup(func() { s.Close() })
	w.request(t)
	w.waitError(t, tech, "STARTTLS")
	if len(srv.Messages()) != 0 {
		t.Fatal("sent in plain text")
	}
}

func TestStartTLSWhenOffered(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: true})
	w := newWorld(t, nil)
	// No password, and the system's roots do not know the test's
	// certificate: opportunistic TLS goes on unverified.
	s, _ := newSender(t, srv.URL(), srv, func(c *delivery.Config) { c.TLS = nil })
	s.Attach(w.desk)
	t.Cleanup(func() { s.Close() })
	w.request(t)
	w.waitDelivery(t, tech, model.DeliverySent)
	if !srv.Messages()[0].TLS {
		t.Fatal("STARTTLS was offered, not used")
	}
}

func TestCloseSendsWhatIsDue(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorld(t, nil)
	// A long poll and no commit after Attach but the request's: Close
	// alone must see the mails out.
	s, _ := newSender(t, srv.URL(), srv, func(c *delivery.Config) { c.Poll = time.Hour })
	w.request(t)
	s.Attach(w.desk)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages()); n != 3 {
		t.Fatalf("%d messages at Close, want 3", n)
	}
	for _, h := range []model.Handle{admin, tech, taker} {
		if m := w.mail(t, h); m.Delivery != model.DeliverySent {
			t.Fatalf("%s: %q", h, m.Delivery)
		}
	}
}

func TestCloseLeavesWhatCannotGo(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.SetDown(true)
	w := newWorld(t, nil)
	s, _ := newSender(t, srv.URL(), srv, func(c *delivery.Config) { c.Backoff = model.Backoff{First: time.Hour} })
	s.Attach(w.desk)
	w.request(t)
	err := s.Close()
	if err == nil || !strings.Contains(err.Error(), "3 mails not sent yet") {
		t.Fatalf("Close: %v", err)
	}
	if m := w.mail(t, tech); m.Delivery != model.DeliveryPending {
		t.Fatalf("left: %q", m.Delivery)
	}
}

// TestCloseSaysOnlyWhatStays: mails put off, then taken out of the
// outbox by another process (mail-delivery none), are not said at Close
// to stay in it; before, Close named them with the server's old answer,
// sending the operator after an SMTP fault that no longer mattered.
func TestCloseSaysOnlyWhatStays(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.SetDown(true)
	w := newWorld(t, nil)
	s, logs := newSender(t, srv.URL(), srv, func(c *delivery.Config) { c.Backoff = model.Backoff{First: time.Hour} })
	s.Attach(w.desk)
	w.request(t)
	w.waitMail(t, tech, "put off", func(m model.Mail) bool { return m.DeliveryError != "" })
	support := model.NewDesk(w.db, model.Options{}) // another process
	if _, err := support.SetSetting(context.Background(), model.SettingMailDelivery, model.DeliveryNone); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil || strings.Contains(logs.String(), "not sent yet") {
		t.Fatalf("Close: %v\n%s", err, logs)
	}
}

func TestTwoSendersNeverShareAMail(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorld(t, nil)
	other := &world{path: w.path}
	other.open(t, nil)
	// Requests on five services: fifteen mails for two processes.
	ctx := context.Background()
	for i := range 5 {
		name := fmt.Sprintf("s%d.example.com", i)
		if _, err := w.desk.AddService(ctx, model.NewService{Name: name, Type: model.TypeDomain, Admin: string(admin), Tech: string(tech), Billing: string(admin)}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.desk.CreateRequest(ctx, admin, model.NewRequest{Service: name, Roles: []model.Role{model.Tech}, To: string(taker)}); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := newSender(t, srv.URL(), srv)
	b, _ := newSender(t, srv.URL(), srv)
	a.Attach(w.desk)
	b.Attach(other.desk)
	ms := srv.Wait(t, 15)
	a.Close()
	b.Close()
	ids := map[string]int{}
	for _, m := range srv.Messages() {
		ids[m.Header.Get("Message-ID")]++
	}
	if len(ms) != 15 || len(srv.Messages()) != 15 || len(ids) != 15 {
		t.Fatalf("%d messages, %d distinct", len(srv.Messages()), len(ids))
	}
}

func TestMessageHeaders(t *testing.T) {
	from, _ := delivery.ParseFrom("Équipe contactdesk <desk@provider.example>")
	date := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	e := model.OutboxEntry{
		Mail: model.Mail{ID: 42, To: tech, Address: "bob@example.net", Date: date,
			Subject: "Confirmação: novo contato técnico ☕ (pedido #7)",
			Body:    "Olá,\n\nToken: abc123\nLink: contactdesk://request/7?token=abc123\n" + strings.Repeat("long line ", 20) + "\n"},
		Queued: date,
	}
	msg, err := delivery.Message(e, from)
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(raw.String(), "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		for _, r := range line {
			if r > 126 || (r < 32 && r != '\t') {
				t.Fatalf("header line not 7-bit: %q", line)
			}
		}
		if len(line) > 998 {
			t.Fatalf("header line of %d characters", len(line))
		}
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(raw.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	h := parsed.Header
	if d, err := h.Date(); err != nil || !d.Equal(date) {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	want := "<" + delivery.MessageID(e, from) + ">"
	if h.Get("Message-ID") != want || !strings.HasSuffix(want, "@provider.example>") {
		t.Errorf("Message-ID %q, want %q", h.Get("Message-ID"), want)
	}
	e.Attempts, e.NextTry = 3, date.Add(time.Hour)
	if delivery.MessageID(e, from) != strings.Trim(want, "<>") {
		t.Error("the Message-ID changes between tries")
	}
	if fs, err := h.AddressList("From"); err != nil || len(fs) != 1 || fs[0].Name != "Équipe contactdesk" || fs[0].Address != "desk@provider.example" {
		t.Errorf("From %q: %v %v", h.Get("From"), fs, err)
	}
	if ts, err := h.AddressList("To"); err != nil || len(ts) != 1 || ts[0].Address != "bob@example.net" {
		t.Errorf("To %q: %v", h.Get("To"), err)
	}
	if !strings.HasPrefix(h.Get("Subject"), "=?UTF-8?") {
		t.Errorf("Subject not encoded: %q", h.Get("Subject"))
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(strings.ToLower(ct), "utf-8") {
		t.Errorf("Content-Type %q", ct)
	}
	if h.Get("Auto-Submitted") != "auto-generated" || h.Get("MIME-Version") != "1.0" {
		t.Errorf("headers: %v", h)
	}

	// And through a real server, decoded.
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorld(t, nil)
	start(t, w, srv)
	err = w.db.Update(context.Background(), func(tx model.Tx) error {
		m := e.Mail
		m.ID = 0
		if err := tx.InsertMail(&m); err != nil {
			return err
		}
		return tx.QueueMail(m.ID, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	// Written behind the desk's back, no commit hook runs: the poll finds it.
	got := srv.Wait(t, 1)[0]
	if got.Subject != e.Mail.Subject || got.Body != e.Mail.Body {
		t.Fatalf("received %q\n%q", got.Subject, got.Body)
	}
}

func TestCheckRefusesAPasswordWithoutSTARTTLS(t *testing.T) {
	plain := smtptest.Start(t, smtptest.Options{}) // offers no STARTTLS
	s, _ := newSender(t, "smtp://desk:pw@"+plain.Addr, plain)
	err := s.Check(context.Background())
	if !errors.Is(err, delivery.ErrNoSTARTTLS) || !strings.Contains(err.Error(), "smtps://") || strings.Contains(err.Error(), "pw") {
		t.Fatalf("Check of a password for a server without STARTTLS: %v", err)
	}
	// No password: nothing to protect, nothing to check.
	if s, _ := newSender(t, plain.URL(), plain); s.Check(context.Background()) != nil {
		t.Error("Check refused a relay without a password")
	}
	tlsSrv := smtptest.Start(t, smtptest.Options{TLS: true, User: "desk", Password: "pw"})
	if s, _ := newSender(t, tlsSrv.URL(), tlsSrv); s.Check(context.Background()) != nil {
		t.Error("Check refused a server that offers STARTTLS")
	}
	// Down or hung: the outbox waits for it, as for any server away.
	plain.SetDown(true)
	if err := s.Check(context.Background()); err != nil {
		t.Errorf("Check of a server that is down: %v", err)
	}
	plain.SetDown(false)
	plain.SetHung(true)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	began := time.Now()
	if err := s.Check(ctx); err != nil {
		t.Errorf("Check of a hung server: %v", err)
	}
	// one that ignored its deadline would wait CheckTimeout (5 s)
	if d := time.Since(began); d > 3*time.Second {
		t.Errorf("Check of a hung server took %s past its deadline", d)
	}
}

// TestCloseCutsOffAHungServer: a server that accepts the connection and
// never answers holds Close no longer than CloseWait; the mails stay in
// the outbox.
func TestCloseCutsOffAHungServer(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.SetHung(true)
	w := newWorld(t, nil)
	const wait = 300 * time.Millisecond
	s, _ := newSender(t, srv.URL(), srv, func(c *delivery.Config) { c.CloseWait = wait; c.Timeout = time.Minute })
	s.Attach(w.desk)
	w.request(t)
	began := time.Now()
	err := s.Close()
	// held to Timeout, it would take a minute: 5 s leave a busy machine
	// its time
	if d := time.Since(began); d > wait+5*time.Second {
		t.Errorf("Close took %s against a hung server, want about %s", d, wait)
	}
	if err == nil || !strings.Contains(err.Error(), "3 mails not sent yet") {
		t.Fatalf("Close: %v", err)
	}
	for _, h := range []model.Handle{admin, tech, taker} {
		if m := w.mail(t, h); m.Delivery != model.DeliveryPending {
			t.Errorf("%s: delivery %q (%s), want pending", h, m.Delivery, m.DeliveryError)
		}
	}
}

// TestImplicitTLSIsCutOffToo: the connection Close cuts is the one under
// TLS as well.
func TestImplicitTLSIsCutOffToo(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Implicit: true})
	srv.SetHung(true)
	w := newWorld(t, nil)
	s, _ := newSender(t, srv.URL(), srv, func(c *delivery.Config) { c.CloseWait = 300 * time.Millisecond; c.Timeout = time.Minute })
	s.Attach(w.desk)
	w.request(t)
	began := time.Now()
	s.Close()
	if d := time.Since(began); d > 6*time.Second { // held to Timeout: a minute
		t.Errorf("Close took %s against a hung smtps:// server", d)
	}
}

// TestEachFailedTryIsLogged: a server's log says, as it happens, each try
// that failed (a warning, with its attempt) and the mail given up (an
// error), naming the mail, its account and the address's domain, and the
// server's answer with the address masked; never the address, the token
// or the body.
func TestEachFailedTryIsLogged(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	var mu sync.Mutex
	tries := 0
	srv.Refuse(func(rcpt string) *gosmtp.SMTPError {
		if rcpt != addresses[tech] {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if tries++; tries <= 3 {
			return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "<" + rcpt + "> try again later"}
		}
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "<" + rcpt + ">: no such user"}
	})
	w := newWorld(t, nil)
	_, logs := start(t, w, srv)
	w.request(t)
	failed := w.waitDelivery(t, tech, model.DeliveryFailed)
	// The line comes just after the record.
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(logs.String(), "level=ERROR") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}

	var warns, errs []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if !strings.Contains(l, fmt.Sprintf("mail=%d ", failed.ID)) {
			continue
		}
		switch {
		case strings.Contains(l, "level=WARN"):
			warns = append(warns, l)
		case strings.Contains(l, "level=ERROR"):
			errs = append(errs, l)
		}
	}
	if len(warns) != 3 || len(errs) != 1 {
		t.Fatalf("%d warnings and %d errors for the mail, want 3 and 1:\n%s", len(warns), len(errs), logs)
	}
	for i, l := range warns {
		want := fmt.Sprintf(`msg="mail #%d to %s at example.net deferred: 451 \"4.3.0 <…@example.net> try again later\"; next try at `, failed.ID, tech)
		if !strings.Contains(l, want) || !strings.Contains(l, fmt.Sprintf("event=deferred mail=%d account=%s domain=example.net attempt=%d ", failed.ID, tech, i+1)) {
			t.Errorf("warning %d:\n%s\nwant %s", i+1, l, want)
		}
	}
	if !strings.Contains(errs[0], fmt.Sprintf(`msg="mail #%d to %s at example.net not delivered: 550 \"5.1.1 <…@example.net>: no such user\""`, failed.ID, tech)) ||
		!strings.Contains(errs[0], "event=failed") || !strings.Contains(errs[0], "attempt=4") {
		t.Errorf("the error:\n%s", errs[0])
	}
	if strings.Contains(logs.String(), addresses[tech]) || tokenRE.MatchString(logs.String()) || strings.Contains(logs.String(), "Hello") {
		t.Errorf("the log holds an address, a token or a body:\n%s", logs)
	}

	// With LogAddresses (a command's stderr), the address is said.
	srv2 := smtptest.Start(t, smtptest.Options{})
	srv2.Refuse(func(rcpt string) *gosmtp.SMTPError {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	})
	w2 := newWorld(t, nil)
	_, logs2 := start(t, w2, srv2, func(c *delivery.Config) { c.LogAddresses = true })
	w2.request(t)
	w2.waitDelivery(t, tech, model.DeliveryFailed)
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(logs2.String(), "to "+addresses[tech]) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs2.String(), "to "+addresses[tech]+" not delivered: 550") || !strings.Contains(logs2.String(), "to="+addresses[tech]) {
		t.Errorf("with LogAddresses:\n%s", logs2)
	}
}

// TestTemporaryRefusalOfTheMessageKeepsTheToken: a server that answers
// the final "." with 4xx did not take the message, although the desk had
// recorded its hand-over (and forgotten the token): the retry sends the
// message whole, token included, and the mailbox says "mailed" only once
// it went.
func TestTemporaryRefusalOfTheMessageKeepsTheToken(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	var mu sync.Mutex
	tries := 0
	srv.RefuseData(func(rcpt string) *gosmtp.SMTPError {
		if rcpt != addresses[tech] {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if tries++; tries == 1 {
			return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 7, 1}, Message: "Greylisted, try again later"}
		}
		return nil
	})
	w := newWorld(t, nil)
	start(t, w, srv)
	r := w.request(t)
	var stored string
	w.db.View(context.Background(), func(tx model.Tx) error {
		ms, err := tx.MailsOf(tech)
		stored = ms[0].Token
		return err
	})
	w.waitDelivery(t, tech, model.DeliverySent)
	got := byRecipient(t, srv.Wait(t, 3))[addresses[tech]]
	if stored == "" || !strings.Contains(got.Body, stored) || strings.Contains(got.Body, "keeps no copy") {
		t.Fatalf("the message sent after a 451 to its final dot lacks its token %q:\n%s", stored, got.Body)
	}
	if _, err := w.desk.Accept(context.Background(), tech, r.ID, stored); err != nil {
		t.Errorf("the token of the retried message: %v", err)
	}
}

// TestFollowsTheDeskSetting: support staff turn mail-delivery to none
// from another process while the sender runs. The mails this process
// writes then land in the simulated mailbox, nothing is sent, and the
// log says so once, as a warning; turned back to smtp, it says so once
// more, and sends what is written after.
func TestFollowsTheDeskSetting(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorld(t, nil)
	_, logs := start(t, w, srv)
	support := model.NewDesk(w.db, model.Options{}) // another process
	ctx := context.Background()
	if _, err := support.SetSetting(ctx, model.SettingMailDelivery, model.DeliveryNone); err != nil {
		t.Fatal(err)
	}
	r := w.request(t)
	for _, h := range []model.Handle{admin, tech, taker} {
		if m := w.mail(t, h); m.Delivery != "" || m.Token == "" {
			t.Errorf("%s's mail under mail-delivery none: delivery %q, token %q", h, m.Delivery, m.Token)
		}
	}
	count := func(s string) int { return strings.Count(logs.String(), s) }
	const off = `level=WARN msg="mail delivery was turned off in the desk's settings (mail-delivery is not smtp): this node sends no more mail, ` +
		`and the mails written meanwhile land in the desk's simulated mailbox, until 'contactdesk config set mail-delivery smtp' ` +
		`(or a restart with --smtp, which sets it again)" mail-delivery=none`
	for deadline := time.Now().Add(20 * time.Second); count(off) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no warning that delivery was turned off:\n%s", logs)
		}
	}
	// A few more rounds (commits, polls) say nothing more, and send
	// nothing.
	if _, err := w.desk.Resend(ctx, taker, r.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := count("mail delivery was turned"); n != 1 {
		t.Errorf("%d lines about the setting, want 1:\n%s", n, logs)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages sent under mail-delivery none", n)
	}

	if _, err := support.SetSetting(ctx, model.SettingMailDelivery, model.DeliverySMTP); err != nil {
		t.Fatal(err)
	}
	const on = `level=INFO msg="mail delivery was turned back on in the desk's settings (mail-delivery is smtp): this node sends the outbox again" mail-delivery=smtp`
	for deadline := time.Now().Add(20 * time.Second); count(on) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no line that delivery is back on:\n%s", logs)
		}
	}
	if _, err := w.desk.Resend(ctx, taker, r.ID); err != nil {
		t.Fatal(err)
	}
	if got := srv.Wait(t, 1); got[0].To[0] != addresses[taker] {
		t.Errorf("sent to %v, want %s", got[0].To, addresses[taker])
	}
	w.waitDelivery(t, taker, model.DeliverySent)
	if n := count("mail delivery was turned"); n != 2 {
		t.Errorf("%d lines about the setting, want 2:\n%s", n, logs)
	}
	if tokenRE.MatchString(logs.String()) {
		t.Errorf("the log holds a token:\n%s", logs)
	}
}

// TestSilentServerGivenUpOn: a server that takes the connection and
// never greets, given up on when the sender stops, is said to be so —
// not "cannot connect …: use of closed network connection", the sender's
// own cut, which named no fault of the server.
func TestSilentServerGivenUpOn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c // held open, silent
		}
	}()
	w := newWorld(t, nil)
	s, _ := newSender(t, "smtp://"+ln.Addr().String(), &smtptest.Server{}, func(c *delivery.Config) { c.CloseWait = 200 * time.Millisecond })
	s.Attach(w.desk)
	w.request(t)
	select {
	case c := <-accepted:
		defer c.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("the sender never connected")
	}
	s.Close()
	m := w.waitError(t, admin, "took the connection but did not answer in time")
	if strings.Contains(m.DeliveryError, "closed network connection") || m.Delivery != model.DeliveryPending {
		t.Fatalf("the silent server: %q (%s)", m.DeliveryError, m.Delivery)
	}
}

// TestAnotherProcesssMailGoesOutAtItsWatch: a mail queued by another
// process (a command run without --smtp) goes out once the desk's watch
// hears of that process's write, not at the sender's next poll: here
// the poll never comes. Before, it waited for the poll (30 s by default).
func TestAnotherProcesssMailGoesOutAtItsWatch(t *testing.T) {
	clk := modeltest.NewClock(time.Now())
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorld(t, clk)
	start(t, w, srv, func(c *delivery.Config) { c.Poll = time.Hour })
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	go w.desk.Watch(ctx, 20*time.Millisecond)

	// the other process: the same file, a desk of its own, no sender
	other, err := storage.Open(w.path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	if _, err := model.NewDesk(other, model.Options{Clock: clk}).CreateRequest(ctx, admin, model.NewRequest{Service: "example.com", Roles: []model.Role{model.Tech}, To: string(taker)}); err != nil {
		t.Fatal(err)
	}
	for _, h := range []model.Handle{admin, tech, taker} {
		w.waitDelivery(t, h, model.DeliverySent)
	}
	if got := len(srv.Messages()); got != 3 {
		t.Fatalf("%d messages reached the server, want 3", got)
	}
}

// TestAddressWithAnInternationalDomain: an account whose address has a
// domain beyond ASCII (padaria-pão.pt, as .pt allows) gets its mail:
// the envelope and the To header carry the domain in IDNA's ASCII form
// (xn--padaria-po-n5a.pt), which any server takes, and the header stays
// 7-bit. Before, the domain went as typed, which a server without
// SMTPUTF8 (many relays) may refuse, losing the token; the header was
// 8-bit. The desk keeps the address as the account wrote it.
func TestAddressWithAnInternationalDomain(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorld(t, nil)
	if _, err := w.desk.AddAccount(context.Background(), model.NewAccount{Handle: "pp44444-ovh", Name: "Padaria do Pão", Email: "yolanda@padaria-pão.pt"}); err != nil {
		t.Fatal(err)
	}
	start(t, w, srv)
	if _, err := w.desk.CreateRequest(context.Background(), admin, model.NewRequest{Service: "example.com", Roles: []model.Role{model.Tech}, To: "pp44444-ovh"}); err != nil {
		t.Fatal(err)
	}
	got := byRecipient(t, srv.Wait(t, 3))
	msg, ok := got["yolanda@xn--padaria-po-n5a.pt"]
	if !ok {
		t.Fatalf("nothing delivered to yolanda@xn--padaria-po-n5a.pt; got %v", got)
	}
	if to := msg.Header.Get("To"); to != "<yolanda@xn--padaria-po-n5a.pt>" && to != "yolanda@xn--padaria-po-n5a.pt" {
		t.Errorf("To: %q", to)
	}
	head, _, _ := strings.Cut(string(msg.Data), "\r\n\r\n")
	for _, r := range head {
		if r > 126 {
			t.Fatalf("the header is not 7-bit:\n%s", head)
		}
	}
	m := w.waitDelivery(t, "pp44444-ovh", model.DeliverySent)
	if m.Address != "yolanda@padaria-pão.pt" {
		t.Errorf("the mailbox says the mail went to %q", m.Address)
	}
}

// TestARequestsMailsAreOneConversation: every message of one request —
// each party's token, and the outcome once the last accepts — refers
// to one thread (In-Reply-To and References), so that a mail client
// shows them as one conversation, not one more each; a mail about no
// request (a new address's proof) refers to none. Before, each message
// stood alone in the recipient's inbox.
func TestARequestsMailsAreOneConversation(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorld(t, nil)
	start(t, w, srv)
	r := w.request(t)
	for _, m := range srv.Wait(t, 3) {
		tok := tokenRE.FindString(m.Body)
		var h model.Handle
		for hh, a := range addresses {
			if a == m.To[0] {
				h = hh
			}
		}
		if _, err := w.desk.Accept(context.Background(), h, r.ID, tok); err != nil {
			t.Fatalf("%s accepts: %v", h, err)
		}
	}
	ms := srv.Wait(t, 6)
	thread := ms[0].Header.Get("References")
	if !regexp.MustCompile(fmt.Sprintf(`^<contactdesk\.request\.%d\.[0-9a-z]+@provider\.example>$`, r.ID)).MatchString(thread) {
		t.Fatalf("References %q", thread)
	}
	for _, m := range ms {
		if m.Header.Get("References") != thread || m.Header.Get("In-Reply-To") != thread || m.Header.Get("Message-ID") == thread {
			t.Errorf("%q to %v: References %q, In-Reply-To %q, Message-ID %q; want the thread %s",
				m.Subject, m.To, m.Header.Get("References"), m.Header.Get("In-Reply-To"), m.Header.Get("Message-ID"), thread)
		}
	}
	if _, err := w.desk.AskEmailChange(context.Background(), tech, "bob@new.example"); err != nil {
		t.Fatal(err)
	}
	for _, m := range srv.Wait(t, len(ms)+1)[len(ms):] {
		if m.Header.Get("References") != "" || m.Header.Get("In-Reply-To") != "" {
			t.Errorf("a mail about no request refers to a thread: %q %q", m.Header.Get("References"), m.Header.Get("In-Reply-To"))
		}
	}
	// Another request, or the same number on another desk (made at
	// another time), is another thread.
	e := model.OutboxEntry{Mail: model.Mail{ID: 1, RequestID: 8}, RequestCreated: time.Unix(1_800_000_000, 0)}
	from := &mail.Address{Address: "desk@provider.example"}
	other, later := e, e
	other.Mail.RequestID, later.RequestCreated = 9, e.RequestCreated.Add(time.Second)
	if a, b, c := delivery.ThreadID(e, from), delivery.ThreadID(other, from), delivery.ThreadID(later, from); a == b || a == c || a == "" {
		t.Errorf("threads %q, %q, %q", a, b, c)
	}
}

// rawMessage writes e's message as the sender hands it to the server,
// and parses it back as a mail client would.
func rawMessage(t *testing.T, e model.OutboxEntry, from *mail.Address) (string, *mail.Message) {
	t.Helper()
	msg, err := delivery.Message(e, from)
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := delivery.WriteMessage(&raw, msg); err != nil {
		t.Fatal(err)
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(raw.Bytes()))
	if err != nil {
		t.Fatalf("%v:\n%s", err, raw.String())
	}
	return raw.String(), parsed
}

// TestOutOfOfficeRepliesAreHeldBack: besides Auto-Submitted (RFC 3834),
// which Sieve's vacation reads, every message says Precedence: bulk,
// which vacation(1), procmail recipes and older autoresponders read,
// and X-Auto-Response-Suppress: OOF, AutoReply, which Exchange and
// Outlook read: a recipient away on holiday does not send the desk's
// address an out-of-office reply to each token. Non-delivery reports
// are not suppressed: the operator's mailbox still learns of a bounce.
// Before, only Auto-Submitted was there, which not every responder
// reads: Exchange documents X-Auto-Response-Suppress, vacation(1)
// Precedence.
func TestOutOfOfficeRepliesAreHeldBack(t *testing.T) {
	from, _ := delivery.ParseFrom("Contact desk <desk@provider.example>")
	e := model.OutboxEntry{Mail: model.Mail{ID: 7, To: tech, Address: "bob@example.net", Date: time.Unix(1_800_000_000, 0), Subject: "Please confirm", Body: "Hello\n"}}
	_, m := rawMessage(t, e, from)
	for k, want := range map[string]string{
		"Auto-Submitted":           "auto-generated",
		"Precedence":               "bulk",
		"X-Auto-Response-Suppress": "OOF, AutoReply",
	} {
		if got := m.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}

// TestHostileTextForgesNoHeader: a subject or body holding what the
// model refuses at input, as a row written behind its back (by hand in
// the database, by an older version) would — line ends followed by
// header fields, a bidi override that shows an address backwards,
// control characters, a subject of thousands of characters — forges no
// header, and reaches the recipient's mail client without the
// characters that would reorder or hide what it shows. The header stays
// 7-bit with lines under 998 characters.
func TestHostileTextForgesNoHeader(t *testing.T) {
	from, _ := delivery.ParseFrom("Contact desk <desk@provider.example>")
	for _, c := range []struct{ name, subject, body, wantSubject, wantBody string }{
		{"line ends", "Please confirm\r\nBcc: victim@example.org\r\nX-Forged: yes", "Hello\r\nBcc: victim@example.org\n",
			"Please confirm Bcc: victim@example.org X-Forged: yes", "Hello\nBcc: victim@example.org\n"},
		{"lone CR and LF", "a\rReply-To: evil@example.org\nX-Forged: yes", "ok\n",
			"aReply-To: evil@example.org X-Forged: yes", "ok\n"},
		{"bidi override", "Confirm: \u202Egro.elpmaxe@troppus", "Open \u202Egro.elpmaxe\u202C now\n",
			"Confirm: gro.elpmaxe@troppus", "Open gro.elpmaxe now\n"},
		{"escape sequence", "Done \x1b]0;owned\x07 \x1b[31mred", "\x1b[2Jcleared\n",
			"Done  red", "cleared\n"},
		{"encoded-word look-alike", "=?UTF-8?B?QmNjOiB4QGV4YW1wbGUub3Jn?=", "ok\n",
			"=?UTF-8?B?QmNjOiB4QGV4YW1wbGUub3Jn?=", "ok\n"},
		{"very long", strings.Repeat("é", 3000), "ok\n", strings.Repeat("é", 3000), "ok\n"},
		{"many encoded-word look-alikes", strings.Repeat("=?UTF-8?q?Bcc:_x@example.org?= é", 60), "ok\n",
			strings.Repeat("=?UTF-8?q?Bcc:_x@example.org?= é", 60), "ok\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := model.OutboxEntry{Mail: model.Mail{ID: 7, To: tech, Address: "bob@example.net", Date: time.Unix(1_800_000_000, 0), Subject: c.subject, Body: c.body}}
			raw, m := rawMessage(t, e, from)
			head, _, _ := strings.Cut(raw, "\r\n\r\n")
			for _, line := range strings.Split(head, "\r\n") {
				if len(line) > 998 || strings.ContainsFunc(line, func(r rune) bool { return r > 126 || r < 32 && r != '\t' }) {
					t.Fatalf("header line of %d bytes, or not 7-bit: %q", len(line), line)
				}
			}
			for _, k := range []string{"Bcc", "Reply-To", "X-Forged"} {
				if v, ok := m.Header[k]; ok {
					t.Errorf("forged header %s: %q\n%s", k, v, head)
				}
			}
			if tos, err := m.Header.AddressList("To"); err != nil || len(tos) != 1 || tos[0].Address != "bob@example.net" {
				t.Errorf("To %v (%v)", tos, err)
			}
			subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			if err != nil {
				t.Fatal(err)
			}
			if subject != c.wantSubject {
				t.Errorf("the client shows the subject\n%q, want\n%q", subject, c.wantSubject)
			}
			body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != c.wantBody {
				t.Errorf("the client shows the body\n%q, want\n%q", got, c.wantBody)
			}
		})
	}
}

// TestSubjectStartsOnItsOwnLine: a subject beyond ASCII (every French
// one, most Portuguese ones) starts on the Subject line itself, the rest
// folded under it, each line within RFC 2047's 76 characters. Before, its
// first encoded-word, 75 characters long, did not fit beside "Subject: ",
// so the line was left empty ("Subject:", then the whole subject folded
// under it): valid, but a reader that does not trim what follows the
// colon after unfolding (Python's email package, and the webmails and
// ticket systems written with it) showed the subject with a leading
// space, and "Show original" showed a header with nothing in it.
func TestSubjectStartsOnItsOwnLine(t *testing.T) {
	from, _ := delivery.ParseFrom("Contact desk <desk@provider.example>")
	for _, subject := range []string{
		"À confirmer\u00a0: nouveau contact technique pour vps-7f3a21c9.vps.ovh.net (demande #9)",
		"Pedido #10 concluído: ab12345-ovh é o novo contacto técnico de web.xara.pt",
		"Confirme o seu novo endereço de e-mail",
		"Reenviado: Confirme: novo contacto técnico e de faturação de " + strings.Repeat("serviço-", 20) + ".pt (pedido #12345)",
		"é",
		"=?UTF-8?B?QmNjOiB4QGV4YW1wbGUub3Jn?= and more words after it",
	} {
		e := model.OutboxEntry{Mail: model.Mail{ID: 7, To: tech, Address: "bob@example.net", Date: time.Unix(1_800_000_000, 0), Subject: subject, Body: "ok\n"}}
		raw, m := rawMessage(t, e, from)
		head, _, _ := strings.Cut(raw, "\r\n\r\n")
		var lines []string
		for _, l := range strings.SplitAfter(head, "\r\n") {
			if strings.HasPrefix(l, "Subject:") || len(lines) > 0 && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) {
				lines = append(lines, strings.TrimSuffix(l, "\r\n"))
			} else if len(lines) > 0 {
				break
			}
		}
		if len(lines) == 0 || !strings.HasPrefix(lines[0], "Subject: =?UTF-8?") {
			t.Errorf("%q: the Subject line does not start the subject:\n%s", subject, strings.Join(lines, "\n"))
		}
		for _, l := range lines {
			if len(l) > 76 {
				t.Errorf("%q: a line of %d characters, beyond RFC 2047's 76: %q", subject, len(l), l)
			}
		}
		got, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil || got != subject {
			t.Errorf("the client shows the subject\n%q (%v), want\n%q", got, err, subject)
		}
	}
}

// TestNoBodyLineStartsWithFrom: no line of a message's body, as the
// server gets it, starts with "From ", which a mailbox in the mbox
// format (Postfix's local delivery, procmail, /var/mail) takes for the
// start of a message and so writes ">From ": the English notice of a
// changed address said ">From now on contactdesk writes to the new
// address." there. Quoted-printable writes such a line "=46rom ", which
// every reader shows as "From ". Through the real server, the notice
// itself; then any body, the first line and a line after a soft line
// break too.
func TestNoBodyLineStartsWithFrom(t *testing.T) {
	fromLine := func(data []byte) string {
		for _, l := range strings.Split(string(data), "\r\n") {
			if strings.HasPrefix(l, "From ") {
				return l
			}
		}
		return ""
	}
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorld(t, nil)
	start(t, w, srv)
	ctx := context.Background()
	if _, err := w.desk.AskEmailChange(ctx, tech, "bob@new.example"); err != nil {
		t.Fatal(err)
	}
	token := tokenRE.FindString(srv.Wait(t, 1)[0].Body)
	if _, err := w.desk.ConfirmEmail(ctx, tech, token); err != nil {
		t.Fatal(err)
	}
	notice := srv.Wait(t, 2)[1]
	if !strings.Contains(notice.Body, "\nFrom now on contactdesk writes to the new address.\n") {
		t.Fatalf("the notice of the new address reads:\n%s", notice.Body)
	}
	if l := fromLine(notice.Data); l != "" {
		t.Errorf("the notice of the new address has a line an mbox turns into \">%s\":\n%s", l, notice.Data)
	}

	from, _ := delivery.ParseFrom("Contact desk <desk@provider.example>")
	body := "From the first line on\nFrom the second\n" + strings.Repeat("x", 75) + "From here, past a soft line break\nFromage and From: stay\n" +
		// lines quoted-printable breaks at its 76 characters, which
		// "=46" must not push beyond (spam filters count a longer line
		// against the mail), nor break inside an =XX
		"From " + strings.Repeat("y", 150) + "\n" + "From " + strings.Repeat("é", 40) + "\n" + "From " + strings.Repeat("w", 68) + "From the end\n"
	raw, m := rawMessage(t, model.OutboxEntry{Mail: model.Mail{ID: 7, To: tech, Address: "bob@example.net", Date: time.Unix(1_800_000_000, 0), Subject: "From", Body: body}}, from)
	_, rawBody, _ := strings.Cut(raw, "\r\n\r\n")
	if l := fromLine([]byte(rawBody)); l != "" {
		t.Errorf("a line an mbox turns into \">%s\":\n%s", l, raw)
	}
	for _, l := range strings.Split(rawBody, "\r\n") {
		if len(l) > 76 {
			t.Errorf("a line of %d characters, beyond quoted-printable's 76: %q", len(l), l)
		}
	}
	if m.Header.Get("Subject") != "From" || m.Header.Get("From") == "" {
		t.Errorf("the header changed:\n%s", raw)
	}
	got, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.ReplaceAll(string(got), "\r\n", "\n"); s != body {
		t.Errorf("the client shows the body\n%q, want\n%q", s, body)
	}
}

// TestRealMailSaysRepliesAreNotRead: a real mail, in its reader's
// language, ends by saying that it was sent automatically and that
// replies to it are not read, in its signature (after "-- "), where a
// mail client shows it apart and leaves it out of a reply: a recipient
// who did not expect a token learns there that writing back reaches no
// one, rather than from the silence. Before, nothing said so, and the
// message came from an address that looks like anyone's.
func TestRealMailSaysRepliesAreNotRead(t *testing.T) {
	want := map[string]string{
		"en": "This mail was sent automatically: replies to it are not read.",
		"pt": "Esta mensagem foi enviada automaticamente: as respostas não são lidas.",
		"fr": "Ce message a été envoyé automatiquement\u00a0: les réponses ne sont pas lues.",
	}
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorld(t, nil)
	ctx := context.Background()
	langs := map[model.Handle]string{admin: "en", tech: "pt", taker: "fr"}
	for h, lang := range langs {
		if _, err := w.desk.SetLang(ctx, h, lang); err != nil {
			t.Fatal(err)
		}
	}
	start(t, w, srv)
	w.request(t)
	got := byRecipient(t, srv.Wait(t, 3))
	for h, lang := range langs {
		m := got[addresses[h]]
		_, sig, ok := strings.Cut(m.Body, "\n-- \n")
		if !ok || !strings.HasSuffix(sig, "\n"+want[lang]+"\n") {
			t.Errorf("the %s mail's signature does not end with %q:\n%s", lang, want[lang], m.Body)
		}
	}
}

// TestLateMailIsDatedWhenSent: a mail that waited in the outbox (the
// server down for hours) is dated when it is handed to the server, not
// when it was written: it arrives at the top of the recipient's inbox,
// which clients sort by Date, rather than hours down among older mail,
// and spam filters don't count its age against it (SpamAssassin's
// DATE_IN_PAST_03_06 adds 2.4 points to a mail that took 3 to 6 hours
// to arrive). The mailbox keeps the time it was written.
func TestLateMailIsDatedWhenSent(t *testing.T) {
	written := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	clk := modeltest.NewClock(written)
	srv := smtptest.Start(t, smtptest.Options{})
	srv.SetDown(true)
	w := newWorld(t, clk)
	s, _ := start(t, w, srv)
	w.request(t)
	for _, h := range []model.Handle{admin, tech, taker} {
		w.waitError(t, h, "cannot connect")
	}
	clk.Advance(5 * time.Hour)
	srv.SetDown(false)
	s.Wake()
	for _, m := range srv.Wait(t, 3) {
		d, err := m.Header.Date()
		if err != nil || !d.Equal(written.Add(5*time.Hour)) {
			t.Errorf("the message to %v is dated %q (%v), want when it was sent, %s", m.To, m.Header.Get("Date"), err, written.Add(5*time.Hour))
		}
	}
	if m := w.waitDelivery(t, tech, model.DeliverySent); !m.Date.Equal(written) {
		t.Errorf("the mailbox dates the mail %s, want when it was written, %s", m.Date, written)
	}
}

// outlookJoins returns the lines of body that Outlook, which by default
// "removes extra line breaks" from a plain-text mail, would join to the
// line before them. As measured in Outlook 2007 and since: a line of 40
// characters or more turns on the joining, unless it ends a sentence
// (., ?, !, :) or ends with a tab or three spaces; a line that starts
// with a tab or two spaces, or a blank line, is never joined; a shorter
// line does not turn it on.
func outlookJoins(body string) []string {
	var joined []string
	on := false
	for _, l := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		indented := strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "  ")
		if on && l != "" && !indented {
			joined = append(joined, l)
		}
		on = utf8.RuneCountInString(l) >= 40 &&
			!strings.HasSuffix(l, "   ") && !strings.HasSuffix(l, "\t") &&
			!strings.ContainsAny(l[len(l)-1:], ".?!:")
	}
	return joined
}

// TestOutlookKeepsTheLineBreaks: Outlook joins the lines of a plain-text
// mail it takes for a paragraph cut by hand ("We removed extra line
// breaks from this message"). The signature was one: "contactdesk, on
// behalf of your hosting provider", the SSH line and the line saying
// replies are not read showed as one run-on line. Each real mail, of
// each kind a request sends and in each language, now keeps every line
// break: a line Outlook would join to the next ends with three spaces,
// which no one sees (and the message is not format=flowed, where they
// would mean something).
func TestOutlookKeepsTheLineBreaks(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	w := newWorld(t, nil)
	ctx := context.Background()
	for k, v := range map[string]string{"public-url": "https://desk.example.net", "public-ssh": "desk.example.net:2222"} {
		if _, err := w.desk.SetSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	langs := map[model.Handle]string{admin: "en", tech: "pt", taker: "fr"}
	for h, lang := range langs {
		if _, err := w.desk.SetLang(ctx, h, lang); err != nil {
			t.Fatal(err)
		}
	}
	start(t, w, srv)
	r := w.request(t)
	if _, err := w.desk.Refuse(ctx, tech, r.ID, tokenRE.FindString(byRecipient(t, srv.Wait(t, 3))[addresses[tech]].Body)); err != nil {
		t.Fatal(err)
	}
	for _, m := range srv.Wait(t, 6) {
		if j := outlookJoins(m.Body); len(j) > 0 {
			t.Errorf("%q to %v: Outlook joins %q to the line before:\n%s", m.Subject, m.To, j, m.Body)
		}
		if !strings.Contains(m.Body, "\n-- \n") {
			t.Errorf("%q: no signature", m.Subject)
		}
	}
}
