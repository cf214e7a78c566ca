package api

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"contactdesk/internal/clientinfo"
	"contactdesk/model"
	"contactdesk/model/text"
)

// Error is an answer in the provider's error shape:
// {"class":"Client::NotFound","message":"…"}, which its clients decode
// (go-ovh into *ovh.APIError, with the status as Code). errorCode and
// httpCode are the provider's too; clients may ignore them.
type Error struct {
	Status  int    `json:"-"`
	Class   string `json:"class"`
	Message string `json:"message"`
	Code    string `json:"errorCode,omitempty"`
	HTTP    string `json:"httpCode"`
	// RetryAfter, when not zero, is sent as the Retry-After header.
	RetryAfter time.Duration `json:"-"`
}

func (e *Error) Error() string { return e.Class + ": " + e.Message }

// The classes of error the provider's API answers with, by status.
var classes = map[int]string{
	http.StatusBadRequest:            "Client::BadRequest",
	http.StatusUnauthorized:          "Client::Unauthorized",
	http.StatusForbidden:             "Client::Forbidden",
	http.StatusNotFound:              "Client::NotFound",
	http.StatusMethodNotAllowed:      "Client::MethodNotAllowed",
	http.StatusConflict:              "Client::Conflict",
	http.StatusRequestEntityTooLarge: "Client::RequestEntityTooLarge",
	http.StatusTooManyRequests:       "Client::TooManyRequests",
	http.StatusInternalServerError:   "Server::InternalServerError",
	http.StatusServiceUnavailable:    "Server::ServiceUnavailable",
}

func fail(status int, code, msg string) *Error {
	return &Error{Status: status, Class: classes[status], Message: msg, Code: code, HTTP: httpCode(status)}
}

func httpCode(status int) string { return strconv.Itoa(status) + " " + http.StatusText(status) }

// statusOf says which status answers a refusal of the model: not found is
// 404; what the caller may not do is 403 (a token is a credential, so a
// wrong one is 403 too); what clashes with the request's or service's
// state is 409; what passes with time is 429; any other refusal is 400.
var statusOf = []struct {
	kind   error
	status int
}{
	{model.ErrNotFound, http.StatusNotFound},
	{model.ErrCredentials, http.StatusForbidden},
	{model.ErrNotYourRole, http.StatusForbidden},
	{model.ErrNotRequester, http.StatusForbidden},
	{model.ErrNotAdmin, http.StatusForbidden},
	{model.ErrNotUpToDate, http.StatusForbidden},
	{model.ErrWrongToken, http.StatusForbidden},
	{model.ErrTokenUsed, http.StatusForbidden},
	{model.ErrTokenReplaced, http.StatusForbidden},
	{model.ErrTokenNotYours, http.StatusForbidden},
	{model.ErrExists, http.StatusConflict},
	{model.ErrAlreadyContact, http.StatusConflict},
	{model.ErrPending, http.StatusConflict},
	{model.ErrEnded, http.StatusConflict},
	{model.ErrAlreadyAnswered, http.StatusConflict},
	{model.ErrChanged, http.StatusConflict},
	{model.ErrThrottled, http.StatusTooManyRequests},
	{model.ErrMailLimit, http.StatusTooManyRequests},
}

// credentialCodes are the provider's codes of the refusals of
// credentials, by the part refused.
var credentialCodes = map[string]string{"consumer": "INVALID_CREDENTIAL", "application": "INVALID_KEY", "signature": "INVALID_SIGNATURE"}

// fromModel turns what the desk answered into the API's error. A
// refusal keeps its message, which says what to do; anything else (the
// storage failed, the setup is wrong) is a 500 whose message says
// nothing of the inside: the detail goes to the log.
func fromModel(err error, now time.Time) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, model.ErrMaybeSaved) {
		// the COMMIT went unanswered (the connection broke, or no answer
		// came in time): the server may have saved it, so never "nothing
		// was changed", nor "try again" blind
		return fail(http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "the desk lost its database while saving: the change may or may not have been saved; read it back before trying again")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		e := fail(http.StatusServiceUnavailable, "TIMEOUT", "the desk took too long to answer; try again in a moment")
		e.RetryAfter = time.Second
		return e
	}
	var newer *model.NewerSchemaError
	if errors.As(err, &newer) {
		// this node is older than the database (a rolling upgrade under
		// way): it changed nothing; another node, or this one upgraded,
		// will answer
		e := fail(http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", newer.Error())
		e.RetryAfter = 10 * time.Second
		return e
	}
	if !model.IsRefusal(err) {
		return fail(http.StatusInternalServerError, "INTERNAL_ERROR", "the desk could not answer; nothing was changed; try again later")
	}
	status := http.StatusBadRequest
	for _, k := range statusOf {
		if errors.Is(err, k.kind) {
			status = k.status
			break
		}
	}
	e = fail(status, "", err.Error())
	if errors.Is(err, model.ErrCredentials) {
		e.Code = credentialCodes[model.FieldOf(err)]
	}
	if status == http.StatusTooManyRequests {
		e.RetryAfter = time.Minute // when the refusal does not say
		if at := model.RetryAt(err); at.After(now) {
			e.RetryAfter = at.Sub(now)
		}
	}
	return e
}

// retrySeconds is Retry-After's value: whole seconds, rounded up.
func retrySeconds(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}

// notGranted refuses a call that none of its consumer key's access rules
// grants, in the provider's words, then which call it was.
func notGranted(method, path string) *Error {
	return fail(http.StatusForbidden, "NOT_GRANTED_CALL", "This call has not been granted: "+clientinfo.Method(method)+" "+strconv.Quote(shortPath(path))+
		" matches none of this consumer key's access rules")
}

// shortPath is a path as a message quotes it: cleaned, and cut.
func shortPath(p string) string {
	r := []rune(text.Line(p))
	if len(r) > 120 {
		return string(r[:120]) + "…"
	}
	return string(r)
}
