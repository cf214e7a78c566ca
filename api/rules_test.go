package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ovh/go-ovh/ovh"

	"contactdesk/api"
)

// TestAccessRules: a key made with access rules (api-key add --rule)
// makes the calls they grant and no other: the provider's 403
// NOT_GRANTED_CALL, through its own client and as a bearer, and nothing
// is changed by a call refused so.
func TestAccessRules(t *testing.T) {
	w := newWorld(t, api.Options{})
	var ro credentials
	out := contactdesk(t, w.db, "api-key", "add", string(ada), "--name", "dashboard", "--rule", "GET:/me", "--rule", "GET:/me/*", "--json")
	if err := json.Unmarshal([]byte(out), &ro); err != nil {
		t.Fatal(err)
	}
	cl, err := ovh.NewClient(w.endpoint(), ro.ApplicationKey, ro.ApplicationSecret, ro.ConsumerKey)
	if err != nil {
		t.Fatal(err)
	}
	var me map[string]any
	if err := cl.Get("/me", &me); err != nil || me["nichandle"] != string(ada) {
		t.Fatalf("GET /me, granted: %v %v", me, err)
	}
	var ids []int64
	if err := cl.Get("/me/task/contactChange?state=todo", &ids); err != nil {
		t.Fatalf("GET /me/task/contactChange, granted by GET /me/*: %v", err)
	}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/domain", nil},
		{"GET", "/domain/" + domain + "/serviceInfos", nil},
		{"POST", "/domain/" + domain + "/changeContact", map[string]string{"contactTech": string(nina)}},
		{"POST", "/me/changeEmail", map[string]string{"to": "new@mail.example"}},
	} {
		err := cl.CallAPI(c.method, c.path, c.body, nil, true)
		e := apiError(t, err, http.StatusForbidden, "Client::Forbidden", c.method+" "+c.path)
		if !strings.HasPrefix(e.Message, "This call has not been granted") || !strings.Contains(e.Message, c.method+` "`+c.path+`"`) {
			t.Errorf("%s %s: %q", c.method, c.path, e.Message)
		}
	}
	// As a bearer too, with the provider's errorCode.
	res, body := w.bare(t, "POST", "/domain/"+domain+"/changeContact", ro.ConsumerKey, strings.NewReader(`{"contactTech":"`+string(nina)+`"}`))
	var e struct {
		Code string `json:"errorCode"`
	}
	if json.Unmarshal(body, &e); res.StatusCode != http.StatusForbidden || e.Code != "NOT_GRANTED_CALL" {
		t.Fatalf("a bearer's call not granted: %d %s", res.StatusCode, body)
	}
	// Nothing was asked for: the domain's contacts and ada's tasks are
	// as they were, seen with her key of every right.
	var tasks []int64
	if err := w.client(ada).Get("/me/task/contactChange", &tasks); err != nil || len(tasks) != 0 {
		t.Fatalf("ada's tasks after refused calls: %v %v", tasks, err)
	}
	var si serviceInfos
	if err := w.client(ada).Get("/domain/"+domain+"/serviceInfos", &si); err != nil || si.ContactTech != string(ted) {
		t.Fatalf("the domain after refused calls: %+v %v", si, err)
	}
	// The key of every right still makes them all.
	if err := w.client(ada).Post("/domain/"+domain+"/changeContact", map[string]string{"contactTech": string(nina)}, &ids); err != nil || len(ids) != 1 {
		t.Fatalf("ada's key of every right: %v %v", ids, err)
	}
	if _, err := w.desk.Request(w.ctx, ada, ids[0]); err != nil {
		t.Fatal(err)
	}
}
