package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"contactdesk/api"
	"contactdesk/model"
)

// emailTask is the provider's emailChange task, as a client reads it.
type emailTask struct {
	ID          int64   `json:"id"`
	DateDone    *string `json:"dateDone"`
	DateRequest string  `json:"dateRequest"`
	NewEmail    string  `json:"newEmail"`
	State       string  `json:"state"`
}

// emailToken reads the token mailed for h's newest change of address.
func (w *world) emailToken(h model.Handle) string {
	w.t.Helper()
	ms, err := w.desk.Mails(w.ctx, h)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, m := range ms {
		if m.Kind == model.MailEmailConfirm && m.Token != "" {
			return m.Token
		}
	}
	w.t.Fatalf("%s has no token for a new address", h)
	return ""
}

// TestEmailChangeThroughTheOfficialClient: a new address asked for with
// /me/changeEmail is used once the token mailed to it comes back through
// /me/task/emailChange/{id}/accept; refuse ends one; a stranger sees
// none of them.
func TestEmailChangeThroughTheOfficialClient(t *testing.T) {
	w := newWorld(t, api.Options{})
	c := w.client(ted)
	var tk emailTask
	if err := c.Post("/me/changeEmail", map[string]string{"newEmail": "ted@new.example"}, &tk); err != nil {
		t.Fatal(err)
	}
	if tk.ID == 0 || tk.NewEmail != "ted@new.example" || tk.State != "todo" || tk.DateDone != nil || tk.DateRequest == "" {
		t.Fatalf("the task: %+v", tk)
	}
	var me struct {
		Email string `json:"email"`
	}
	if err := c.Get("/me", &me); err != nil || me.Email != "te22222-ovh@mail.example" {
		t.Fatalf("/me before the token came back: %+v %v", me, err)
	}
	path := "/me/task/emailChange/" + itoa(tk.ID)
	err := c.Post(path+"/accept", map[string]string{"token": "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"}, nil)
	apiError(t, err, http.StatusForbidden, "Client::Forbidden", "a wrong token")
	apiError(t, w.client(stranger).Get(path, nil), http.StatusNotFound, "Client::NotFound", "a stranger reads the task")
	err = w.client(stranger).Post(path+"/accept", map[string]string{"token": w.emailToken(ted)}, nil)
	apiError(t, err, http.StatusNotFound, "Client::NotFound", "a stranger answers with the token")
	if err := c.Post(path+"/accept", map[string]string{"token": w.emailToken(ted)}, nil); err != nil {
		t.Fatalf("accept: %v", err)
	}
	if err := c.Get("/me", &me); err != nil || me.Email != "ted@new.example" {
		t.Fatalf("/me after the token came back: %+v %v", me, err)
	}
	if err := c.Get(path, &tk); err != nil || tk.State != "done" || tk.DateDone == nil {
		t.Fatalf("the task once accepted: %+v %v", tk, err)
	}
	// A task that has ended is 409, whatever its end, as a contact
	// change's; its message says which end.
	err = c.Post(path+"/refuse", map[string]string{"token": w.emailToken(ted)}, nil)
	if e := apiError(t, err, http.StatusConflict, "Client::Conflict", "answering a done task"); !strings.Contains(e.Message, "already confirmed") {
		t.Errorf("answering a done task: %q", e.Message)
	}

	// Refused: the address stays.
	var second emailTask
	if err := c.Post("/me/changeEmail", map[string]string{"newEmail": "not-ted@elsewhere.example"}, &second); err != nil {
		t.Fatal(err)
	}
	refused := w.emailToken(ted)
	if err := c.Post("/me/task/emailChange/"+itoa(second.ID)+"/refuse", map[string]string{"token": refused}, nil); err != nil {
		t.Fatalf("refuse: %v", err)
	}
	err = c.Post("/me/task/emailChange/"+itoa(second.ID)+"/accept", map[string]string{"token": refused}, nil)
	if e := apiError(t, err, http.StatusConflict, "Client::Conflict", "accepting a refused task"); !strings.Contains(e.Message, "was refused") {
		t.Errorf("accepting a refused task: %q", e.Message)
	}
	if err := c.Get("/me", &me); err != nil || me.Email != "ted@new.example" {
		t.Fatalf("/me after a refusal: %+v %v", me, err)
	}
	var ids []int64
	if err := c.Get("/me/task/emailChange?state=refused", &ids); err != nil || len(ids) != 1 || ids[0] != second.ID {
		t.Fatalf("refused tasks: %v %v", ids, err)
	}
	if err := c.Get("/me/task/emailChange", &ids); err != nil || len(ids) != 2 || ids[0] != tk.ID {
		t.Fatalf("all tasks: %v %v", ids, err)
	}
	if err := w.client(stranger).Get("/me/task/emailChange", &ids); err != nil || len(ids) != 0 {
		t.Fatalf("a stranger's tasks: %v %v", ids, err)
	}
	apiError(t, c.Get("/me/task/emailChange?state=lost", nil), http.StatusBadRequest, "Client::BadRequest", "an unknown state")
	err = c.Post("/me/changeEmail", map[string]string{"newEmail": "ted@"}, nil)
	apiError(t, err, http.StatusBadRequest, "Client::BadRequest", "not an address")

	// Replaced by a newer change, or expired: 409 as well. (An hour on:
	// three changes an hour; a fresh client asks the time again.)
	w.clock.Advance(time.Hour)
	c = w.client(ted)
	var third, fourth emailTask
	if err := c.Post("/me/changeEmail", map[string]string{"newEmail": "ted@third.example"}, &third); err != nil {
		t.Fatal(err)
	}
	thirdToken := w.emailToken(ted)
	if err := c.Post("/me/changeEmail", map[string]string{"newEmail": "ted@fourth.example"}, &fourth); err != nil {
		t.Fatal(err)
	}
	err = c.Post("/me/task/emailChange/"+itoa(third.ID)+"/accept", map[string]string{"token": thirdToken}, nil)
	if e := apiError(t, err, http.StatusConflict, "Client::Conflict", "accepting a replaced task"); !strings.Contains(e.Message, "a newer change of address") {
		t.Errorf("accepting a replaced task: %q", e.Message)
	}
	fourthToken := w.emailToken(ted)
	// A task still waiting, answered with an ended change's token: a
	// token not its own, 403 whatever that change's end; its message
	// says what became of it.
	for _, tok := range []struct{ token, says string }{{thirdToken, "a newer change of address"}, {refused, "was refused"}} {
		err = c.Post("/me/task/emailChange/"+itoa(fourth.ID)+"/accept", map[string]string{"token": tok.token}, nil)
		if e := apiError(t, err, http.StatusForbidden, "Client::Forbidden", "a waiting task answered with an ended change's token"); !strings.Contains(e.Message, tok.says) {
			t.Errorf("a waiting task answered with an ended change's token: %q", e.Message)
		}
	}
	w.clock.Advance(16 * 24 * time.Hour)
	c = w.client(ted)
	err = c.Post("/me/task/emailChange/"+itoa(fourth.ID)+"/accept", map[string]string{"token": fourthToken}, nil)
	if e := apiError(t, err, http.StatusConflict, "Client::Conflict", "accepting an expired task"); !strings.Contains(e.Message, "expired on") {
		t.Errorf("accepting an expired task: %q", e.Message)
	}
}
