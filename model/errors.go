package model

import (
	"errors"
	"fmt"
	"time"

	"contactdesk/locale"
)

// Kinds of refusal. Every error the model returns to a user wraps one of
// these, so callers test them with errors.Is and show Error() as it is.
var (
	ErrNotFound        = errors.New("not found")
	ErrInvalid         = errors.New("invalid input")
	ErrExists          = errors.New("already exists")
	ErrUnknownAccount  = errors.New("unknown account")
	ErrAlreadyContact  = errors.New("already the contact")
	ErrNotYourRole     = errors.New("role not yours to change")
	ErrPending         = errors.New("request already pending")
	ErrNotUpToDate     = errors.New("payments not up to date")
	ErrEnded           = errors.New("request has ended")
	ErrAlreadyAnswered = errors.New("already answered")
	ErrNotRequester    = errors.New("not the requester")
	ErrNotAdmin        = errors.New("not the admin")
	ErrNotDomain       = errors.New("not a domain")
	ErrWrongToken      = errors.New("wrong token")
	ErrTokenUsed       = errors.New("token already used")
	ErrTokenReplaced   = errors.New("token replaced")
	ErrTokenNotYours   = errors.New("token of another party")
	ErrThrottled       = errors.New("too many wrong tokens")
	ErrMailLimit       = errors.New("too many mails asked for")
	ErrCredentials     = errors.New("bad API credentials")
	ErrStorage         = errors.New("storage failure")
	ErrChanged         = errors.New("changed meanwhile")
)

// ErrMaybeSaved marks the failure of a write whose outcome the store
// could not see: its COMMIT was sent and no answer came (the connection
// broke, or the database did not answer in time). The change may or may
// not have been saved, and only a look tells; a door must not say that
// nothing was changed. Every other failure of a write changed nothing.
var ErrMaybeSaved = errors.New("the change may or may not have been saved")

// ErrNewerSchema is a database whose schema a newer contactdesk wrote:
// this one refuses to open it, and a store that finds it so while open
// (a newer node upgraded it, in a rolling upgrade) refuses every write
// with a *NewerSchemaError.
var ErrNewerSchema = errors.New("database written by a newer contactdesk")

// NewerSchemaError is the refusal of a store whose database a newer
// contactdesk upgraded while this one had it open: Found is the schema
// the database is at, Known the newest this binary knows. It is
// ErrNewerSchema. A write refused so changed nothing.
type NewerSchemaError struct{ Found, Known int }

func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("the database was upgraded by a newer contactdesk (schema %d; this one knows up to %d): upgrade this contactdesk; until then it changes nothing", e.Found, e.Known)
}

func (e *NewerSchemaError) Unwrap() error { return ErrNewerSchema }

// Error is a refusal a person can read: Msg says what went wrong in the
// user's terms, Kind says which rule, Field which input it is about
// ("to", "role", "token", "email"…) so a form can show it beside that field.
//
// Msg is in English, and is what Error() returns: logs, the API and
// scripts read it so. Text is the same refusal not yet written in any
// language: a door writes it in its reader's language (In, Localize).
// Its arguments that are words — a role, a state, a duration — are
// words of that language too, for the model does not know who will read
// the refusal.
type Error struct {
	Kind  error
	Field string
	Msg   string
	Text  locale.Message
	// Retry is when the refused action may be tried again, for a refusal
	// that passes with time (throttled, too many mails), or at the
	// latest (a request pending on the role: its expiry, unless its
	// parties answer first); zero otherwise.
	Retry time.Time
}

func (e *Error) Error() string { return e.Msg }

// In writes the refusal in l's language.
func (e *Error) In(l *locale.Localizer) string {
	if e.Text.IsZero() {
		return e.Msg
	}
	return e.Text.In(l)
}

// Unwrap lets errors.Is match the kind.
func (e *Error) Unwrap() error { return e.Kind }

// english writes the Msg of every refusal.
var english = locale.For(locale.EN)

// fail makes a refusal of message id of the catalogues (under err.).
func fail(kind error, field, id string, args ...locale.Args) error {
	return newRefusal(kind, field, locale.M(id, args...))
}

func newRefusal(kind error, field string, m locale.Message) *Error {
	return &Error{Kind: kind, Field: field, Msg: m.In(english), Text: m}
}

// Localize writes err for a reader of l's language: a refusal of the
// model (found with errors.As, also inside a ChangeError) in that
// language; any other error, or a refusal wrapped with more words, as
// its Error() says, in English.
func Localize(err error, l *locale.Localizer) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && err.Error() == e.Msg {
		return e.In(l)
	}
	return err.Error()
}

// retryAt marks a refusal made by fail as one that passes at t.
func retryAt(err error, t time.Time) error {
	if e, ok := err.(*Error); ok {
		e.Retry = t
	}
	return err
}

// RetryAt returns when the action err refused may be tried again, or
// the zero time when waiting won't help.
func RetryAt(err error) time.Time {
	var e *Error
	if errors.As(err, &e) {
		return e.Retry
	}
	return time.Time{}
}

// ChangeError is CreateRequests' refusal of one of its changes.
type ChangeError struct {
	Index int   // which change, from 0
	Err   error // the refusal, an *Error
}

func (e *ChangeError) Error() string { return e.Err.Error() }

// Unwrap lets errors.Is and errors.As see the refusal.
func (e *ChangeError) Unwrap() error { return e.Err }

// ChangeOf returns which change of a CreateRequests err refused, or -1.
func ChangeOf(err error) int {
	var e *ChangeError
	if errors.As(err, &e) {
		return e.Index
	}
	return -1
}

// FieldOf returns the input field an error is about, or "".
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// IsRefusal reports whether err is a rule's refusal (as opposed to a
// failure of the storage or the machine).
func IsRefusal(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind != ErrStorage
}
