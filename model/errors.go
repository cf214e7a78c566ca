package model

import (
	"errors"
	"fmt"
	"time"
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
)

// Error is a refusal a person can read: Msg says what went wrong in the
// user's terms, Kind says which rule, Field which input it is about
// ("to", "role", "token", "email"…) so a form can show it beside that field.
type Error struct {
	Kind  error
	Field string
	Msg   string
	// Retry is when the refused action may be tried again, for a refusal
	// that passes with time (throttled, too many mails); zero otherwise.
	Retry time.Time
}

func (e *Error) Error() string { return e.Msg }

// Unwrap lets errors.Is match the kind.
func (e *Error) Unwrap() error { return e.Kind }

func fail(kind error, field, format string, args ...any) error {
	return &Error{Kind: kind, Field: field, Msg: fmt.Sprintf(format, args...)}
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
