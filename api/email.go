package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"contactdesk/model"
)

// A change of the caller's e-mail address, as the provider's
// /me/changeEmail and /me/task/emailChange: the new address is used once
// the token mailed to it comes back (accept), and its reader may refuse
// it instead.

// emailTask is a change of address as the provider's
// nichandle.emailChange.Task, with contactdesk's expiry after it.
type emailTask struct {
	ID          int64   `json:"id"`
	DateDone    *string `json:"dateDone"`
	DateRequest string  `json:"dateRequest"`
	NewEmail    string  `json:"newEmail"`
	State       string  `json:"state"`
	// contactdesk's: when the token stops working.
	DateExpiry string `json:"dateExpiry"`
}

// emailStates are the provider's states of an emailChange task.
var emailStates = []string{"aborted", "done", "refused", "todo"}

// emailStateName is a change's state as the provider names it: one
// replaced by a newer change, or past its expiry, was aborted.
func emailStateName(state string) string {
	switch state {
	case model.EmailPending:
		return "todo"
	case model.EmailConfirmed:
		return "done"
	case model.EmailRefused:
		return "refused"
	}
	return "aborted"
}

func (h *Handler) emailTaskOf(c model.EmailChange) emailTask {
	t := emailTask{ID: c.ID, DateRequest: date(c.Created), NewEmail: c.Email, State: emailStateName(c.StateAt(h.d.Now())), DateExpiry: date(c.Expires)}
	if !c.Ended.IsZero() {
		d := date(c.Ended)
		t.DateDone = &d
	}
	return t
}

// changeEmail is POST /me/changeEmail, {"newEmail": "…"}: a token is
// mailed to the new address; the answer is the task.
func (h *Handler) changeEmail(c *call) (any, error) {
	var in struct {
		NewEmail string `json:"newEmail"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.NewEmail) == "" {
		return nil, fail(http.StatusBadRequest, "INVALID_PARAMETER", `give the new address: {"newEmail": "…"}`)
	}
	ch, err := h.d.AskEmailChange(c.ctx, c.who, in.NewEmail)
	if err != nil {
		return nil, err
	}
	return h.emailTaskOf(ch), nil
}

// emailTasks is GET /me/task/emailChange: the ids of the caller's
// changes of address, oldest first, narrowed by state (emailFilters,
// checked before).
func (h *Handler) emailTasks(c *call) (any, error) {
	state := c.query["state"]
	cs, err := h.d.EmailChanges(c.ctx, c.who)
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for _, ch := range cs {
		if state == "" || emailStateName(ch.StateAt(h.d.Now())) == state {
			ids = append(ids, ch.ID)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// emailTask is GET /me/task/emailChange/{id}.
func (h *Handler) emailTask(c *call) (any, error) {
	el, err := h.emailChange(c)
	if err != nil {
		return nil, err
	}
	return h.emailTaskOf(el.Change), nil
}

// emailChange is the caller's change of address of …/emailChange/{id}.
func (h *Handler) emailChange(c *call) (model.EmailLink, error) {
	id, err := taskID(c)
	if err != nil {
		return model.EmailLink{}, err
	}
	return h.d.EmailChangeOf(c.ctx, c.who, id)
}

// answerEmail is POST …/emailChange/{id}/accept and …/refuse, with
// {"token": "…"}: the provider answers null. A change that can no longer
// be answered (done, refused, replaced, expired) is refused as such,
// with 409 whatever its end: the task has ended (done, refused,
// aborted), as a contact-change task that has ended is 409 whatever the
// token. (A replaced change is an aborted task, not a replaced token of
// a task still waiting, which contactChange answers with 403.)
func (h *Handler) answerEmail(do func(ctx context.Context, actor model.Handle, token string) (model.Account, error)) route {
	return func(c *call) (any, error) {
		el, err := h.emailChange(c)
		if err != nil {
			return nil, err
		}
		token, err := tokenOf(c)
		if err != nil {
			return nil, err
		}
		if el.Closed != nil {
			return nil, fail(http.StatusConflict, "", el.Closed.Error())
		}
		_, err = do(c.ctx, c.who, token)
		if endedChange(err) {
			// The token of a change that has ended: this task's, ended
			// since it was read (409, as above); or an earlier change's,
			// which this task, still waiting, takes as a token not its
			// own, whatever that change's end: 403, as contactChange a
			// token a resend replaced. The message says which change.
			if el, e := h.emailChange(c); e == nil && el.Closed != nil {
				return nil, fail(http.StatusConflict, "", el.Closed.Error())
			}
			return nil, fail(http.StatusForbidden, "", err.Error())
		}
		return nil, err
	}
}

// endedChange says whether err is the model's refusal of the token of a
// change of address that has ended (model.EmailLink.Closed): confirmed,
// refused, replaced or expired.
func endedChange(err error) bool {
	for _, kind := range []error{model.ErrTokenUsed, model.ErrAlreadyAnswered, model.ErrTokenReplaced, model.ErrEnded} {
		if errors.Is(err, kind) {
			return true
		}
	}
	return false
}
