package api_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

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
	// A refused call is no use of the key: its last use stays the
	// granted calls' (api-key list, as text and JSON), though the clock
	// moved past the minute within which a use is not written again.
	before, row := listOf(t, w, ro.ApplicationKey), lineWith(contactdesk(t, w.db, "api-key", "list", string(ada)), ro.ApplicationKey)
	if before.LastUsed == "" || len(before.ConsumerKeys) != 1 || before.ConsumerKeys[0].LastUse != before.LastUsed {
		t.Fatalf("the key after granted calls: %+v", before)
	}
	w.clock.Advance(2 * time.Minute)
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
	if after := listOf(t, w, ro.ApplicationKey); !reflect.DeepEqual(after, before) {
		t.Errorf("refused calls changed the key's last use: %+v, then %+v", before, after)
	}
	if after := lineWith(contactdesk(t, w.db, "api-key", "list", string(ada)), ro.ApplicationKey); after != row || row == "" {
		t.Errorf("refused calls changed api-key list's row of the key: %q, then %q", row, after)
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

// listed is an API key as api-key list --json shows it.
type listed struct {
	ApplicationKey string `json:"applicationKey"`
	LastUsed       string `json:"lastUsed"`
	ConsumerKeys   []struct {
		CredentialID int64  `json:"credentialId"`
		Status       string `json:"status"`
		LastUse      string `json:"lastUse"`
	} `json:"consumerKeys"`
}

// listOf is API key appKey as api-key list --json shows it.
func listOf(t *testing.T, w *world, appKey string) listed {
	t.Helper()
	var ks []listed
	if err := json.Unmarshal([]byte(contactdesk(t, w.db, "api-key", "list", "--json")), &ks); err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.ApplicationKey == appKey {
			return k
		}
	}
	t.Fatalf("api-key list --json has no key %s: %+v", appKey, ks)
	return listed{}
}

// lineWith is the line of out that holds s.
func lineWith(out, s string) string {
	for l := range strings.Lines(out) {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// TestBadInputIsNoUse: a call refused for its input (400: a query
// parameter it does not take or can't read, a GET's body, a body of
// fields it does not take, a value the action refuses) is no use of the
// key: its last use stays the last call carried out, in api-key list.
// A call carried out that finds nothing (404) is one; so is a logout,
// on its application key, though the consumer key goes with it.
func TestBadInputIsNoUse(t *testing.T) {
	w := newWorld(t, api.Options{})
	app := w.creds[ada].ApplicationKey
	cl := w.client(ada)
	var me map[string]any
	if err := cl.Get("/me", &me); err != nil {
		t.Fatal(err)
	}
	before := listOf(t, w, app)
	if before.LastUsed == "" {
		t.Fatalf("the key after a call: %+v", before)
	}
	// past the minute within which a use is not written again
	w.clock.Advance(2 * time.Minute)
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/me/task/contactChange?stat=todo", nil},
		{"GET", "/me/task/contactChange?state=%zz", nil},
		{"GET", "/me", map[string]string{"state": "todo"}},
		{"POST", "/me/changeEmail", map[string]string{"to": "new@mail.example"}},
		{"POST", "/me/changeEmail", map[string]int{"newEmail": 7}},
		{"POST", "/me/changeEmail", map[string]string{"newEmail": "not an address"}},
	} {
		err := cl.CallAPI(c.method, c.path, c.body, nil, true)
		apiError(t, err, http.StatusBadRequest, "Client::BadRequest", c.method+" "+c.path)
	}
	if after := listOf(t, w, app); !reflect.DeepEqual(after, before) {
		t.Errorf("calls refused for their input changed the key's last use: %+v, then %+v", before, after)
	}
	// found nothing, but carried out: a use
	err := cl.Get("/me/task/contactChange/9999", nil)
	apiError(t, err, http.StatusNotFound, "Client::NotFound", "a task of nobody")
	used := listOf(t, w, app)
	if used.LastUsed == before.LastUsed || used.ConsumerKeys[0].LastUse != used.LastUsed {
		t.Errorf("a call carried out left the key's last use: %+v, then %+v", before, used)
	}
	// A logout is the consumer key's last call: its application key's
	// last use says it.
	w.clock.Advance(2 * time.Minute)
	cl = w.client(ada) // which reads the server's time afresh
	if err := cl.Post("/auth/logout", nil, nil); err != nil {
		t.Fatal(err)
	}
	if out := listOf(t, w, app); out.LastUsed == used.LastUsed || len(out.ConsumerKeys) != 0 {
		t.Errorf("a logout: the key %+v, then %+v", used, out)
	}
}
