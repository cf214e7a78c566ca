// Package model is contactdesk's domain: accounts, services, contact
// roles, change requests, tokens, mails and history, and every rule of
// docs/rules.md. It knows nothing of terminals, keys, colours or SQL: storage is
// reached through the Store interface declared in store.go.
package model

import (
	"slices"
	"strings"
	"time"
)

// Handle is a NIC handle such as "xx11111-ovh", always lowercase.
type Handle string

// String returns the handle as text.
func (h Handle) String() string { return string(h) }

// Role is one of the three contact roles of a service.
type Role string

// The contact roles.
const (
	Admin   Role = "admin"
	Tech    Role = "tech"
	Billing Role = "billing"
)

// Roles lists every role in display order.
var Roles = []Role{Admin, Tech, Billing}

// State is the state of a contact-change request, named as in the
// provider's API (/me/task/contactChange) plus expired and cancelled.
type State string

// Request states.
const (
	StateCheckValidity State = "checkValidity"
	StateValidating    State = "validatingByCustomers"
	StateDoing         State = "doing"
	StateDone          State = "done"
	StateRefused       State = "refused"
	StateExpired       State = "expired"
	StateCancelled     State = "cancelled"
)

// States lists every state a request can be seen in, for filters.
var States = []State{StateValidating, StateDone, StateRefused, StateExpired, StateCancelled}

// Ended reports whether a request in this state can no longer change.
func (s State) Ended() bool {
	switch s {
	case StateDone, StateRefused, StateExpired, StateCancelled:
		return true
	}
	return false
}

// Answer is a party's answer to a request.
type Answer string

// Answers.
const (
	AnswerPending  Answer = "pending"
	AnswerAccepted Answer = "accepted"
	AnswerRefused  Answer = "refused"
)

// Cents is an amount of money in hundredths of the currency unit.
type Cents int64

// String formats the amount as "42.50".
func (c Cents) String() string { return FormatAmount(c) }

// Account is a customer of the provider.
type Account struct {
	Handle  Handle
	Name    string
	Email   string
	Owes    Cents // 0 when payments are up to date
	Created time.Time
	Lang    Lang // the language it is addressed in
}

// UpToDate reports whether the account has no unpaid bills.
func (a Account) UpToDate() bool { return a.Owes <= 0 }

// Service types known to contactdesk.
const (
	TypeDomain    = "domain"
	TypeHosting   = "hosting"
	TypeVPS       = "vps"
	TypeDedicated = "dedicated"
	TypeEmail     = "email"
	TypeCloud     = "cloud"
	TypeDatabase  = "database"
	TypeSSL       = "ssl"
	TypeCDN       = "cdn"
)

// ServiceTypes lists the accepted service types.
var ServiceTypes = []string{TypeDomain, TypeHosting, TypeVPS, TypeDedicated, TypeEmail, TypeCloud, TypeDatabase, TypeSSL, TypeCDN}

// Owner holds a domain's owner details.
type Owner struct {
	Holder  string
	Address string
	Phone   string
	Email   string
}

// Service is something a customer rents, with its three contacts.
type Service struct {
	ID      int64
	Name    string
	Type    string
	Admin   Handle
	Tech    Handle
	Billing Handle
	Owner   *Owner // domains only
	Created time.Time
}

// Contact returns the account holding role r.
func (s Service) Contact(r Role) Handle {
	switch r {
	case Admin:
		return s.Admin
	case Tech:
		return s.Tech
	case Billing:
		return s.Billing
	}
	return ""
}

// SetContact makes h the contact for role r.
func (s *Service) SetContact(r Role, h Handle) {
	switch r {
	case Admin:
		s.Admin = h
	case Tech:
		s.Tech = h
	case Billing:
		s.Billing = h
	}
}

// RolesOf lists the roles h holds on the service, in display order.
func (s Service) RolesOf(h Handle) []Role {
	var rs []Role
	for _, r := range Roles {
		if s.Contact(r) == h {
			rs = append(rs, r)
		}
	}
	return rs
}

// IsDomain reports whether the service is a domain (and so has owner details).
func (s Service) IsDomain() bool { return s.Type == TypeDomain }

// ServiceView is a service as one account sees it in its list.
type ServiceView struct {
	Service
	Pending bool // a request on it is waiting for confirmation
}

// Party is an account that must confirm a request, and its answer.
type Party struct {
	Handle   Handle
	Answer   Answer
	Answered time.Time // zero while pending
}

// Request is a change of contact on one service, for one or more roles,
// from one outgoing contact to one incoming contact.
type Request struct {
	ID        int64
	ServiceID int64
	Service   string
	Type      string
	Roles     []Role
	From      Handle
	To        Handle
	Requester Handle
	State     State
	Reason    string
	Created   time.Time
	Expires   time.Time
	Ended     time.Time // zero until it ends
	Parties   []Party
}

// HasRole reports whether the request changes role r.
func (r Request) HasRole(role Role) bool { return slices.Contains(r.Roles, role) }

// Party returns h's entry among the parties.
func (r Request) Party(h Handle) (Party, bool) {
	for _, p := range r.Parties {
		if p.Handle == h {
			return p, true
		}
	}
	return Party{}, false
}

// Awaited lists the parties that have not answered yet.
func (r Request) Awaited() []Handle {
	if r.State != StateValidating {
		return nil
	}
	var hs []Handle
	for _, p := range r.Parties {
		if p.Answer == AnswerPending {
			hs = append(hs, p.Handle)
		}
	}
	return hs
}

// AwaitingMe reports whether the request is waiting for h's own answer.
func (r Request) AwaitingMe(h Handle) bool { return slices.Contains(r.Awaited(), h) }

// RoleList formats the roles as "tech, billing".
func (r Request) RoleList() string { return JoinRoles(r.Roles, ", ") }

// JoinRoles joins roles with sep.
func JoinRoles(rs []Role, sep string) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, sep)
}

// Mail kinds.
const (
	MailConfirm = "confirm" // asks a party to confirm, carries a token
	MailOutcome = "outcome" // says how a request ended
	// MailEmailConfirm carries the token that proves a new e-mail
	// address; it goes to that address.
	MailEmailConfirm = "email-confirm"
	// MailEmailChanged tells the old address that the change was made.
	MailEmailChanged = "email-changed"
	MailNotice       = "notice" // anything else (profile changes…)
)

// Delivery states of a mail sent over SMTP. A mail of the simulated
// mailbox alone has an empty Delivery.
const (
	DeliveryPending = "pending"
	DeliverySending = "sending" // handed to the server, answer not yet recorded
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
	// DeliveryWithdrawn is never stored: Deferred returns it for a mail
	// it took out of the outbox instead of queueing it again, the desk
	// no longer delivering for real (see withdrawIfOff).
	DeliveryWithdrawn = "withdrawn"
)

// Mail is a message in an account's mailbox.
type Mail struct {
	ID            int64
	To            Handle
	Address       string // the account's e-mail address when it was sent
	Subject       string
	Date          time.Time
	Body          string
	RequestID     int64 // 0 when it concerns no request
	Token         string
	Link          string
	Kind          string
	Read          bool
	Delivery      string // "", pending, sent, failed
	DeliveryError string
	// TokenWithheld: the mail carries a personal token meant for the
	// recipient's own inbox (real delivery), not shown here (Token is
	// empty, Link has no token); Delivery says whether it got there:
	// sent, pending (not yet), failed (never: the desk keeps no copy).
	// See Desk.Mails.
	TokenWithheld bool
	// TokenRemoved: the mail was written to the simulated mailbox, and
	// its token was removed from it when the desk began to deliver mail
	// for real (see Desk.SetSetting): nobody was mailed that token, and
	// the desk keeps no copy. Its body says so, and how to get a fresh one.
	TokenRemoved bool
	// TokenReplaced: a newer mail brought the recipient a new token for
	// the same request (a resend), or for a newer change of its e-mail
	// address, or a newer code for the same consumer key, and this mail's
	// token no longer works.
	TokenReplaced bool
	// TokenEnded: what the mail's token answers no longer waits for it,
	// and the token no longer works: the request (answered already by the
	// recipient, or ended: its outcome mail is in the mailbox, or it is
	// past its validity), or the change of e-mail address that it proves
	// (confirmed or refused: the mail saying so is in the mailbox; or
	// expired); or the consumer key whose code it carries (validated,
	// refused, expired, or no more: see CredentialState).
	TokenEnded bool
	// TokenAnswered: of the TokenEnded tokens of requests, one that no
	// longer works because the recipient answered the request (accepted
	// it: a refusal ends it), which still waits for other parties: it has
	// no outcome yet.
	// Once the request ends it is TokenEnded alone. TokenEnded is set as
	// well (what it means is unchanged), and set first: a door telling
	// the two apart asks TokenAnswered first.
	TokenAnswered bool
	// CredentialID: of a mail carrying a code that validates a consumer
	// key (MailCredentialCode), that key's number (its credentialId);
	// 0 for other mails, and for the codes mailed before the desk kept it.
	CredentialID int64
	// CredentialState: of a code's mail, as its mailbox was read, the
	// state of its key: validated, refused (with this code, or a newer
	// one: then this code no longer works, and TokenEnded is set),
	// expired (TokenEnded too), pendingValidation; or "" when the key is
	// no more (revoked, its application removed, or a day after it
	// expired: TokenEnded is set) or not known (CredentialID is 0).
	CredentialState string
}

// HistoryEntry records one action: who did what to which service, when.
type HistoryEntry struct {
	ID        int64
	At        time.Time
	Actor     Handle // SupportActor for actions of the support staff, SystemActor for the desk itself
	Action    string
	ServiceID int64
	Service   string
	RequestID int64
	Detail    string
}

// Actors that are not accounts.
const (
	SupportActor Handle = "support"
	SystemActor  Handle = "system"
)

// History actions.
const (
	ActAccountAdd     = "account.add"
	ActStanding       = "account.standing"
	ActEmail          = "profile.email"
	ActEmailAsk       = "profile.email.ask"
	ActEmailRefuse    = "profile.email.refuse"
	ActLang           = "profile.lang"
	ActServiceAdd     = "service.add"
	ActRequestCreate  = "request.create"
	ActRequestAccept  = "request.accept"
	ActRequestRefuse  = "request.refuse"
	ActRequestResend  = "request.resend"
	ActRequestCancel  = "request.cancel"
	ActRequestExpire  = "request.expire"
	ActRequestDone    = "request.done"
	ActRequestFailed  = "request.refused"
	ActContactChange  = "contact.change"
	ActOwnerSet       = "owner.set"
	ActTokenThrottled = "token.throttled"
)

// HistoryFilter selects history entries.
type HistoryFilter struct {
	Service   string // only this service
	RequestID int64  // only this request
	Limit     int    // at most this many, newest first; 0 for all
}
