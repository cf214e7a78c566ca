package api_test

import (
	"net/http"
	"testing"

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
	err = c.Post(path+"/refuse", map[string]string{"token": w.emailToken(ted)}, nil)
	apiError(t, err, http.StatusForbidden, "Client::Forbidden", "answering a done task")

	// Refused: the address stays.
	var second emailTask
	if err := c.Post("/me/changeEmail", map[string]string{"newEmail": "not-ted@elsewhere.example"}, &second); err != nil {
		t.Fatal(err)
	}
	if err := c.Post("/me/task/emailChange/"+itoa(second.ID)+"/refuse", map[string]string{"token": w.emailToken(ted)}, nil); err != nil {
		t.Fatalf("refuse: %v", err)
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
}
