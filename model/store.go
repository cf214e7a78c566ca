package model

import (
	"context"
	"errors"
	"time"
)

// ErrNoRow is what a Tx returns when the row asked for does not exist.
// The model turns it into a message for the user.
var ErrNoRow = errors.New("no such row")

// ErrWithdrawn is HandOver's refusal of a mail that mail-delivery none
// took out of the outbox since it was claimed: the mail is the simulated
// mailbox's again, and must not be sent.
var ErrWithdrawn = errors.New("the mail was taken out of the outbox: mail delivery is turned off in the desk's settings")

// ErrClaimLost is HandOver's refusal of a mail whose claim is no longer
// its sender's: the lease ran out and another sender claimed the mail
// since (or recorded it). The mail is the other sender's to send; this
// one must not finish the message.
var ErrClaimLost = errors.New("the mail's claim ran out, and another sender has taken it")

// Store keeps the desk's data. storage/ implements it over SQLite (and a
// second backend over PostgreSQL); the model only ever sees these
// interfaces.
type Store interface {
	// View runs fn in a read-only transaction over one consistent snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in one read-write transaction: everything fn wrote is
	// committed when it returns nil, nothing when it returns an error.
	// A backend may run fn more than once (to retry a serialization
	// failure), so fn must have no effect outside tx.
	Update(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Watcher is a Store that can tell, cheaply, whether anyone (another
// process, another node) has committed since the last call.
type Watcher interface {
	// Changed reports whether the data changed since the previous call.
	// The first call reports false.
	Changed(ctx context.Context) (bool, error)
}

// ChangeWatcher is a Watcher that can also tell whose screens show what
// the others wrote (PostgreSQL, whose nodes announce it: see Announcer).
type ChangeWatcher interface {
	// Changes reports what changed since the previous call, as Changed
	// does, and, when it did, what: the accounts whose screens show it
	// (none: data no screen shows, such as a mail's delivery), or All
	// when anything may have changed. The first call reports nothing.
	Changes(ctx context.Context) (Change, bool, error)
}

// Announcer is a Tx that tells the store's other nodes what its write
// changed, once it commits (PostgreSQL's NOTIFY). It is optional: a Tx
// without it (SQLite, one node) has no one to tell. A write that does
// not call Announce is announced as "anything may have changed"; one
// that does changed only what the screens of hs show (hs may be empty:
// nothing any screen shows). The desk calls it with what it publishes
// on its own broker.
type Announcer interface {
	Announce(hs []Handle)
}

// Tx is one transaction's view of the data. Methods return ErrNoRow when
// a single row asked for is missing.
type Tx interface {
	Account(h Handle) (Account, error)
	Accounts() ([]Account, error)
	// FindAccounts lists up to limit accounts whose handle or name starts
	// with prefix (case-insensitively), by handle.
	FindAccounts(prefix string, limit int) ([]Account, error)
	InsertAccount(a Account) error
	SetEmail(h Handle, email string) error

	// InsertEmailChange stores a change of e-mail address waiting for its
	// token, and sets c.ID.
	InsertEmailChange(c *EmailChange) error
	// PendingEmailChange returns h's newest change of address in state
	// EmailPending, whatever its expiry.
	PendingEmailChange(h Handle) (EmailChange, error)
	// EmailChange returns the change of address id, ErrNoRow when
	// there is none.
	EmailChange(id int64) (EmailChange, error)
	// EmailChangesOf returns h's changes of address, newest first.
	EmailChangesOf(h Handle) ([]EmailChange, error)
	// EndEmailChange records how a change of address ended.
	EndEmailChange(id int64, state string, at time.Time) error
	// RecentEmailChanges returns when h asked for its latest limit
	// changes of address, newest first.
	RecentEmailChanges(h Handle, limit int) ([]time.Time, error)
	SetOwes(h Handle, owes Cents) error
	SetLang(h Handle, lang Lang) error

	Service(name string) (Service, error)
	ServiceByID(id int64) (Service, error)
	// ServicesOf lists the services where h holds any role, by name,
	// each marked when a request on it is validatingByCustomers and not
	// past its expiry at now.
	ServicesOf(h Handle, now time.Time) ([]ServiceView, error)
	// FirstServicesOf lists the first limit services of ServicesOf's
	// list, in its order and with its marks, without reading the rest:
	// however many services h holds, it reads about limit rows per role.
	FirstServicesOf(h Handle, now time.Time, limit int) ([]ServiceView, error)
	InsertService(s *Service) error
	SetContact(serviceID int64, r Role, h Handle) error
	SetOwner(serviceID int64, o Owner) error

	// Request returns a request with its parties in order.
	Request(id int64) (Request, error)
	// RequestsOf lists the requests h is a party to, newest first.
	RequestsOf(h Handle) ([]Request, error)
	// Acquaintances lists, by handle, h and the accounts h has to do
	// with: the contacts of h's services and the parties of h's
	// requests; only their handles and names are read.
	Acquaintances(h Handle) ([]Account, error)
	// Awaiting counts the requests in state validatingByCustomers, not
	// past their expiry at now, where h is a party that has not answered.
	Awaiting(h Handle, now time.Time) (int, error)
	// OpenAnswers returns h's answers to those of the requests ids that
	// are in state validatingByCustomers, not past their expiry at now,
	// and where h is a party, by request number: AnswerPending for those
	// Awaiting counts. Only the requests named are read: an account's
	// mailbox names a few of the hundreds it may be a party to.
	OpenAnswers(h Handle, now time.Time, ids []int64) (map[int64]Answer, error)
	// OpenRequests lists the service's requests in state validatingByCustomers.
	OpenRequests(serviceID int64) ([]Request, error)
	// DueRequests lists requests in state validatingByCustomers whose
	// expiry is at or before now.
	DueRequests(now time.Time) ([]Request, error)
	// InsertRequest stores the request and its parties, and sets r.ID.
	InsertRequest(r *Request) error
	// RecentRequestsBy returns when h asked for its latest limit
	// requests, newest first.
	RecentRequestsBy(h Handle, limit int) ([]time.Time, error)
	EndRequest(id int64, s State, reason string, at time.Time) error
	SetAnswer(requestID int64, h Handle, a Answer, at time.Time) error

	InsertToken(t *TokenRecord) error
	Tokens(requestID int64) ([]TokenRecord, error)
	SetTokenState(id int64, s TokenState) error
	// UseToken marks token id used and records h's answer a to the
	// token's request at at: SetTokenState(id, TokenUsed), then
	// SetAnswer, in one statement when the token is h's latest.
	UseToken(id int64, h Handle, a Answer, at time.Time) error

	// Failures counts wrong tokens h gave for the request since a time.
	// Request 0 stands for h's change of e-mail address, in these four
	// methods.
	Failures(h Handle, requestID int64, since time.Time) (int, error)
	InsertFailure(h Handle, requestID int64, at time.Time) error
	// LockedUntil returns until when h may not try tokens on the request
	// (zero when never locked).
	LockedUntil(h Handle, requestID int64) (time.Time, error)
	SetLock(h Handle, requestID int64, until time.Time) error

	// InsertMail stores m and sets m.ID.
	InsertMail(m *Mail) error
	// MailsOf lists h's mails, newest first.
	MailsOf(h Handle) ([]Mail, error)
	// MailListOf lists h's newest limit mails (all when limit is 0) as
	// MailsOf does, without their bodies (Body is empty): what a
	// mailbox's list shows.
	MailListOf(h Handle, limit int) ([]Mail, error)
	Mail(id int64) (Mail, error)
	// LastMailAbout returns h's newest mail of kind about the request
	// (ErrNoRow when there is none), without reading h's other mails'
	// bodies.
	LastMailAbout(h Handle, requestID int64, kind string) (Mail, error)
	// CredentialCodeMails lists the mails of codes validating consumer
	// keys (MailCredentialCode) sent to h after since, oldest first,
	// each saying whether the key it validates is one of appKey's, and
	// if so the network it was asked from.
	CredentialCodeMails(h Handle, appKey string, since time.Time) ([]CodeMail, error)
	MarkRead(h Handle, id int64) error
	Unread(h Handle) (int, error)

	// Key returns the key with this fingerprint.
	Key(fingerprint string) (PublicKey, error)
	// KeyOwner returns the key with this fingerprint and its account,
	// ErrNoRow when either is missing. It does the same work whether or
	// not they are there (one statement, the same index searches, one
	// row read): how long it takes tells nobody whether the key is
	// registered.
	KeyOwner(fingerprint string) (PublicKey, Account, error)
	// Keys lists h's keys (every key when h is empty), by account then date.
	Keys(h Handle) ([]PublicKey, error)
	InsertKey(k PublicKey) error
	DeleteKey(fingerprint string) error

	// APIKey returns the API key with this application key.
	APIKey(appKey string) (APIKeyRecord, error)
	// APIKeys lists h's API keys (every key when h is empty), by account
	// then date, without their consumer keys.
	APIKeys(h Handle) ([]APIKey, error)
	InsertAPIKey(k APIKeyRecord) error
	// DeleteAPIKey deletes an API key and every consumer key of it.
	DeleteAPIKey(appKey string) error
	// APIConsumerByHash returns the consumer key whose SHA-256 is hash,
	// with its application's sealed secret.
	APIConsumerByHash(hash [32]byte) (APIConsumerRecord, error)
	// APIConsumers lists the consumer keys of h's API keys (of every
	// key when h is empty), by application key then id.
	APIConsumers(h Handle) ([]APIConsumer, error)
	// InsertAPIConsumer stores a consumer key and returns its id.
	InsertAPIConsumer(c APIConsumerRecord) (int64, error)
	// TouchAPIConsumer records that the consumer key, and so its
	// application key, was last used at. The application key keeps its
	// last use once the consumer key is deleted (revoked).
	TouchAPIConsumer(id int64, at time.Time) error
	// APIConsumerByToken returns the consumer key whose validation
	// page's token has this SHA-256.
	APIConsumerByToken(hash []byte) (APIConsumerRecord, error)
	// PendingAPIConsumers lists the consumer keys of appKey stored
	// awaiting validation, expired or not, made after since, oldest
	// first.
	PendingAPIConsumers(appKey string, since time.Time) ([]APIConsumerRecord, error)
	// UpdateAPIConsumer stores c's state, code (hash and count), end and
	// expiry.
	UpdateAPIConsumer(c APIConsumerRecord) error
	// DeleteAPIConsumer deletes one consumer key.
	DeleteAPIConsumer(id int64) error
	// DeleteStaleAPIConsumers deletes the consumer keys of appKey that
	// expired awaiting validation before before.
	DeleteStaleAPIConsumers(appKey string, before time.Time) error

	// QueueMail puts a stored mail in the SMTP outbox, due at once.
	QueueMail(mailID int64, at time.Time) error
	// DueMails lists up to limit outbox entries in state pending (or
	// sending: a crash interrupted them) whose next try is due at now,
	// oldest first, with their mails.
	DueMails(now time.Time, limit int) ([]OutboxEntry, error)
	// SetDelivery records where an outbox entry stands.
	SetDelivery(e OutboxEntry) error
	// SetDeliveryIf records e only while the stored entry is still as
	// was has it (same state, attempts and next try: as a claim left
	// it), and returns ErrNoRow otherwise: another sender claimed it
	// since, or it is gone.
	SetDeliveryIf(e, was OutboxEntry) error

	// Settings returns every setting of the desk that is set.
	Settings() (Settings, error)
	// CheckSchema fails with a *NewerSchemaError when a newer
	// contactdesk upgraded the database's schema past the one this
	// binary knows (it did so while this one had it open: an older one
	// refuses to open it). One tiny query.
	CheckSchema() error
	// SetSetting stores a setting, replacing its value.
	SetSetting(key, value string, at time.Time) error
	// DeleteSetting unsets a setting (nothing happens when it is not set).
	DeleteSetting(key string) error
	// RedactMail rewrites a mail once its token has left for the
	// recipient's own inbox (or will never get there): its body and
	// link as given, no token.
	RedactMail(id int64, body, link string) error
	// SimulatedTokenMails lists up to limit mails that still hold a
	// token and never went through the outbox (the simulated mailbox's),
	// by number. It is read once, when real delivery is turned on, and
	// may read every mail.
	SimulatedTokenMails(limit int) ([]Mail, error)
	// RestoreMail puts back m's body, link and token as m has them (as
	// written): the server refused for now a message whose hand-over
	// had made the desk forget them.
	RestoreMail(m Mail) error
	// WithdrawPending takes out of the outbox every entry still pending
	// (never handed to a server: its mail still holds its token) and
	// returns the recipient of each of their mails.
	WithdrawPending() ([]Handle, error)
	// AccountsIn returns those of the accounts hs names that exist, by
	// handle, each once (an import's checks).
	AccountsIn(hs []Handle) ([]Account, error)
	// ServicesNamed returns those of the services names names that
	// exist, by name, each once (an import's checks).
	ServicesNamed(names []string) ([]Service, error)
	// ServicesAfter lists up to limit services by name, starting after
	// the name after ("" for the first): an export, a page at a time.
	ServicesAfter(after string, limit int) ([]Service, error)

	// RequestCounts counts the requests in each state as they stand at
	// now: one still waiting past its expiry counts as expired. States
	// without requests are left out.
	RequestCounts(now time.Time) (map[State]int, error)
	// OutboxPending counts the mails the SMTP outbox has still to send
	// (pending, or being sent).
	OutboxPending() (int, error)

	InsertHistory(e *HistoryEntry) error
	// History lists entries newest first. serviceID and requestID, when
	// not zero, narrow it to that service or request; otherwise it lists
	// what concerns h: its own actions, the services where it holds a
	// role, the requests it is a party to. Of a service, h sees the
	// lines of the requests it is a party to, and of no other request
	// but the changes of contact they made, without their number
	// (RequestID 0): a request is its parties' business.
	History(h Handle, serviceID, requestID int64, limit int) ([]HistoryEntry, error)
	// PartyHistory lists, newest first, the entries of a service that h
	// sees without holding a role of it (having held one, or been asked
	// to): those of the requests on it that h is a party to, and h's own
	// about no request.
	PartyHistory(h Handle, serviceID int64, limit int) ([]HistoryEntry, error)
}

// OutboxEntry is one mail's delivery over SMTP.
type OutboxEntry struct {
	Mail      Mail
	State     string // DeliveryPending, DeliverySending, DeliverySent, DeliveryFailed
	Attempts  int
	NextTry   time.Time
	Queued    time.Time
	Updated   time.Time
	LastError string // the server's last answer
	// RequestCreated is when the mail's request was made (zero for a
	// mail about no request): with its number, it names the request's
	// thread, which its mails refer to.
	RequestCreated time.Time
}

// Clock tells the time; tests set their own.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
