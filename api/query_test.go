package api_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ovh/go-ovh/ovh"

	"contactdesk/api"
	"contactdesk/model"
	"contactdesk/model/text"
)

// deskState is what a refused call must leave as it was: every
// party's requests, mails and history, and the caller's account and
// changes of address.
func (w *world) deskState() string {
	w.t.Helper()
	var s string
	for _, h := range []model.Handle{ada, ted, bia, nina, stranger} {
		rs, err1 := w.desk.Requests(w.ctx, h)
		ms, err2 := w.desk.Mails(w.ctx, h)
		hs, err3 := w.desk.History(w.ctx, h, model.HistoryFilter{})
		a, err4 := w.desk.Account(w.ctx, h)
		cs, err5 := w.desk.EmailChanges(w.ctx, h)
		for _, err := range []error{err1, err2, err3, err4, err5} {
			if err != nil {
				w.t.Fatal(err)
			}
		}
		s += fmt.Sprintf("%s: %+v\n%+v\n%+v\n%+v\n%+v\n", h, rs, ms, hs, a, cs)
	}
	return s
}

// TestQueryParameters: every route takes only the query parameters the
// README's table of routes shows, each once and of its form. An
// unknown one, one given twice with two values, or a value not of its
// form is refused with the API's 400, whose message names it and says
// what it takes; the call does nothing. The same value twice is taken
// once, as the command line takes a flag repeated.
func TestQueryParameters(t *testing.T) {
	w := newWorld(t, api.Options{})
	var ids []int64
	if err := w.client(ada).Post("/domain/"+domain+"/changeContact", map[string]string{"contactTech": string(nina)}, &ids); err != nil || len(ids) != 1 {
		t.Fatalf("changeContact: %v %v", ids, err)
	}
	id := ids[0]
	task := taskPath(id)
	token := w.token(ada, id)
	const (
		handleForm = " must be a NIC handle: two letters, digits, -ovh (xx11111-ovh)"
		taskStates = "state must be one of aborted, checkValidity, doing, done, error, expired, refused, todo, validatingByCustomers"
		none       = "; this call takes no query parameters"
		filters    = "; this call takes only askingAccount, state, toAccount"
	)
	before := w.deskState()

	for _, c := range []struct {
		method, path string
		body         any
		says         string
	}{
		// A parameter the route does not take.
		{"GET", "/me/task/contactChange?foo=1", nil, "Received not described parameters: (foo)" + filters},
		{"GET", "/me/task/contactChange?State=done", nil, "Received not described parameters: (State)" + filters},
		{"GET", "/me/task/contactChange?state=done&b=1&a=2", nil, "Received not described parameters: (a, b)" + filters},
		{"GET", "/me/task/emailChange?page=2", nil, "Received not described parameters: (page); this call takes only state"},
		{"GET", "/me?" + "a0=1&a1=1&a2=1&a3=1&a4=1&a5=1&a6=1&a7=1&a8=1&a9=1&b0=1&b1=1", nil, "Received not described parameters: (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, and 2 more)" + none},
		{"GET", "/me?x=1", nil, "Received not described parameters: (x)" + none},
		{"GET", "/me?x", nil, "Received not described parameters: (x)" + none},
		{"GET", "/domain?state=done", nil, "Received not described parameters: (state)" + none},
		{"GET", "/domain/" + domain + "/serviceInfos?x=1", nil, "Received not described parameters: (x)" + none},
		{"GET", "/vps/" + vps + "/serviceInfos?%0A=1", nil, `Received not described parameters: ("\n")` + none},
		{"GET", task + "?x=1", nil, "Received not described parameters: (x)" + none},
		{"GET", "/me/task/emailChange/1?x=1", nil, "Received not described parameters: (x)" + none},
		// …on a call that would change something: it changes nothing.
		{"POST", "/domain/" + domain + "/changeContact?x=1", map[string]string{"contactBilling": string(nina)}, "Received not described parameters: (x)" + none},
		{"POST", "/domain/" + domain + "/changeContact?contactBilling=" + string(nina), nil, "Received not described parameters: (contactBilling)" + none},
		{"POST", task + "/accept?x=1", map[string]string{"token": token}, "Received not described parameters: (x)" + none},
		{"POST", task + "/accept?token=" + token, nil, "Received not described parameters: (token)" + none},
		{"POST", task + "/refuse?x=1", map[string]string{"token": token}, "Received not described parameters: (x)" + none},
		{"POST", task + "/resendEmail?x=1", nil, "Received not described parameters: (x)" + none},
		{"POST", task + "/cancel?reason=oops", nil, "Received not described parameters: (reason)" + none},
		{"POST", "/me/changeEmail?x=1", map[string]string{"newEmail": "ada@new.example"}, "Received not described parameters: (x)" + none},
		{"POST", "/me/task/emailChange/1/accept?x=1", map[string]string{"token": "T"}, "Received not described parameters: (x)" + none},
		// Two values of one parameter: which was meant?
		{"GET", "/me/task/contactChange?state=done&state=refused", nil, `state is given twice ("done", then "refused"): give it once`},
		{"GET", "/me/task/contactChange?toAccount=" + string(nina) + "&toAccount=" + string(ted), nil, `toAccount is given twice ("ne44444-ovh", then "te22222-ovh"): give it once`},
		{"GET", "/me/task/emailChange?state=todo&state=done", nil, `state is given twice ("todo", then "done"): give it once`},
		// A value not of the parameter's form, an empty one included.
		{"GET", "/me/task/contactChange?askingAccount=bad", nil, "askingAccount" + handleForm},
		{"GET", "/me/task/contactChange?toAccount=ne44444", nil, "toAccount" + handleForm},
		{"GET", "/me/task/contactChange?askingAccount=", nil, "askingAccount" + handleForm},
		{"GET", "/me/task/contactChange?state=done&state=bogus", nil, taskStates},
		{"GET", "/me/task/contactChange?state=", nil, taskStates},
		{"GET", "/me/task/contactChange?state=Done", nil, taskStates},
		{"GET", "/me/task/emailChange?state=validatingByCustomers", nil, "state must be one of aborted, done, refused, todo"},
		// A query string that can't be read.
		{"GET", "/me/task/contactChange?state=%zz", nil, "the query string can't be read: it must be name=value pairs joined by &, with %XX escapes"},
	} {
		var err error
		if c.method == "GET" {
			err = w.client(ada).Get(c.path, nil)
		} else {
			err = w.client(ada).Post(c.path, c.body, nil)
		}
		var e *ovh.APIError
		if !errors.As(err, &e) || e.Code != http.StatusBadRequest || e.Class != "Client::BadRequest" || e.Message != c.says {
			t.Errorf("%s %s: %v, want 400 Client::BadRequest %q", c.method, c.path, err, c.says)
		}
	}
	if after := w.deskState(); after != before {
		was := strings.Split(before, "\n")
		var changed []string
		for _, l := range strings.Split(after, "\n") {
			if !slices.Contains(was, l) && len(changed) < 8 {
				changed = append(changed, text.Quote(l, 160))
			}
		}
		t.Errorf("refused calls changed the desk; new or changed:\n%s", strings.Join(changed, "\n"))
	}

	// /auth/time takes none either; a call without credentials is
	// refused for them first; the error's code is the provider's.
	raw := func(path, auth string) (int, map[string]string) {
		res, b := w.bare(t, "GET", path, auth, nil)
		var out map[string]string
		json.Unmarshal(b, &out)
		return res.StatusCode, out
	}
	if code, out := raw("/auth/time?x=1", ""); code != 400 || out["message"] != "Received not described parameters: (x)"+none {
		t.Errorf("/auth/time?x=1: %d %v", code, out)
	}
	if code, out := raw("/me?x=1", ""); code != 401 {
		t.Errorf("/me?x=1 without credentials: %d %v, want 401", code, out)
	}
	if code, out := raw("/me?x=1", w.creds[ada].ConsumerKey); code != 400 || out["errorCode"] != "INVALID_PARAMETER" || out["httpCode"] != "400 Bad Request" {
		t.Errorf("/me?x=1 as a bearer: %d %v", code, out)
	}

	// What each route takes still works: the same value twice (a
	// handle whatever its case) is taken once.
	for _, c := range []struct {
		path string
		want []int64
	}{
		{"/me/task/contactChange?state=validatingByCustomers&state=validatingByCustomers", []int64{id}},
		{"/me/task/contactChange?askingAccount=AD11111-OVH&askingAccount=ad11111-ovh", []int64{id}},
		{"/me/task/contactChange?toAccount=" + string(nina) + "&state=done", []int64{}},
		{"/me/task/emailChange?state=todo&state=todo", []int64{}},
	} {
		var got []int64
		if err := w.client(ada).Get(c.path, &got); err != nil || !slices.Equal(got, c.want) {
			t.Errorf("GET %s: %v %v, want %v", c.path, got, err, c.want)
		}
	}
	var now int64
	if err := w.client(ada).GetUnAuth("/auth/time", &now); err != nil || now == 0 {
		t.Errorf("/auth/time: %v %v", now, err)
	}
	// The README shows what each route takes, and what a refusal says.
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| `GET /me/task/contactChange?askingAccount=&state=&toAccount=` |", "| `GET /me/task/emailChange?state=` |",
		`"message": "Received not described parameters: (foo)` + filters + `"`} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("the README has no %q", want)
		}
	}
}
