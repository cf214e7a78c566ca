package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"contactdesk/api"
	"contactdesk/model"
)

// postJSON posts body, as it is, to path under /1.0 with h's consumer
// key as a bearer; it returns the status and the decoded answer.
func (w *world) postJSON(h model.Handle, path, body string) (int, any) {
	w.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, w.endpoint()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+w.creds[h].ConsumerKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		w.t.Fatalf("POST %s: %d, not JSON: %q", path, res.StatusCode, b)
	}
	return res.StatusCode, out
}

// TestFieldNamesExact: a body's field names are matched exactly, as the
// provider's API does: a field in another case, or mistyped, is a field
// the call does not know, refused with all the others as the provider
// refuses "not described parameters", and the call changes nothing —
// beside the right names too, whichever comes first. A field given twice
// is refused. A call that takes no body takes {}, and refuses fields.
func TestFieldNamesExact(t *testing.T) {
	w := newWorld(t, api.Options{})
	changeContact := "/domain/" + domain + "/changeContact"
	refused := func(who model.Handle, path, body, says string) {
		t.Helper()
		code, out := w.postJSON(who, path, body)
		e, _ := out.(map[string]any)
		if msg, _ := e["message"].(string); code != 400 || !strings.Contains(msg, says) {
			t.Errorf("%s %s: %d %v, want 400 saying %q", path, body, code, out, says)
		}
		if strings.Contains(says, "(") && e["errorCode"] != "INVALID_PARAMETER" {
			t.Errorf("%s %s: errorCode %v, want INVALID_PARAMETER", path, body, e["errorCode"])
		}
	}
	takes := "; this call's body takes only contactAdmin, contactBilling, contactTech"
	refused(ada, changeContact, `{"contacttech": "`+string(nina)+`"}`, "Received not described parameters: (contacttech)"+takes)
	refused(ada, changeContact, `{"CONTACTTECH": "`+string(nina)+`"}`, "(CONTACTTECH)")
	refused(ada, changeContact, `{"contactTech": "`+string(nina)+`", "contacttech": "`+string(bia)+`"}`, "(contacttech)")
	refused(ada, changeContact, `{"contactbilling": "`+string(bia)+`", "contactTech": "`+string(nina)+`", "Contacttech": "`+string(stranger)+`", "contactTeh": 1}`,
		"Received not described parameters: (Contacttech, contactTeh, contactbilling)"+takes)
	refused(ada, changeContact, `{"contactAdmin": "`+string(nina)+`", "a\u001b[31mb": 1}`, `("a\x1b[31mb")`)
	refused(ada, changeContact, `{"contactTech": "`+string(nina)+`", "contactTech": "`+string(bia)+`"}`, "contactTech is given twice")
	// Thousands of fields: ten named, the others counted.
	var many strings.Builder
	many.WriteString(`{"contactTech": "` + string(nina) + `"`)
	for i := range 3000 {
		fmt.Fprintf(&many, `, "f%04d": 1`, i)
	}
	many.WriteString("}")
	code, out := w.postJSON(ada, changeContact, many.String())
	if msg, _ := out.(map[string]any)["message"].(string); code != 400 || !strings.Contains(msg, "(f0000, f0001, f0002, f0003, f0004, f0005, f0006, f0007, f0008, f0009, and 2990 more)") || len(msg) > 300 {
		t.Errorf("3,000 unknown fields: %d %.400q", code, msg)
	}
	if rs, _ := w.desk.Requests(w.ctx, ada); len(rs) != 0 {
		t.Fatalf("refused bodies made %d requests: %+v", len(rs), rs)
	}
	// The right names alone make the change.
	code, out = w.postJSON(ada, changeContact, `{"contactTech": "`+string(nina)+`"}`)
	ids, _ := out.([]any)
	if code != 200 || len(ids) != 1 {
		t.Fatalf("contactTech alone: %d %v, want one task", code, out)
	}
	id := int64(ids[0].(float64))
	// An answer's token and a new address: the same.
	refused(nina, taskPath(id)+"/accept", `{"Token": "`+w.token(nina, id)+`"}`, "(Token); this call's body takes only token")
	refused(nina, taskPath(id)+"/accept", `{"token": "`+w.token(nina, id)+`", "comment": "ok"}`, "(comment)")
	refused(ted, "/me/changeEmail", `{"newemail": "ted@new.example"}`, "(newemail); this call's body takes only newEmail")
	if tk := w.task(nina, id); len(tk.AwaitingAccounts) != 3 {
		t.Errorf("a refused body answered: %+v", tk)
	}
	// Resend and cancel take no body: {} and null are nothing.
	refused(ada, taskPath(id)+"/cancel", `{"reason": "oops"}`, "Received not described parameters: (reason); this call takes no body")
	refused(ada, taskPath(id)+"/resendEmail", `{"to": "`+string(nina)+`"}`, "(to); this call takes no body")
	if tk := w.task(ada, id); tk.State != "validatingByCustomers" {
		t.Fatalf("a refused cancel ended the task: %+v", tk)
	}
	for _, body := range []string{`{}`, `null`} {
		if code, out := w.postJSON(ada, taskPath(id)+"/resendEmail", body); code != 200 {
			t.Errorf("resendEmail with %s: %d %v", body, code, out)
		}
	}
	if code, out := w.postJSON(ada, taskPath(id)+"/cancel", `{}`); code != 200 || w.task(ada, id).State != "aborted" {
		t.Errorf("cancel with {}: %d %v", code, out)
	}
}

// TestNestedFieldsNamed: a refusal of a field inside an access rule
// names it where it stands (accessRules[1].Method), with what an access
// rule takes, and every other field not taken, at the top of the body
// or in another rule, in one message; and makes no consumer key: it
// said "Received not described parameters: ()", naming nothing, and "0
// must be an object" for an access rule that is not one, and named
// only the first object's fields the decoder reached.
func TestNestedFieldsNamed(t *testing.T) {
	w := newWorld(t, api.Options{})
	ak := w.creds[ada].ApplicationKey
	consumers := func() int {
		ks, _ := w.desk.APIKeys(w.ctx, ada)
		return len(ks[0].Consumers)
	}
	before := consumers()
	for _, c := range []struct{ body, says string }{
		{`{"accessRules":[{"method":"GET","path":"/me"},{"Method":"GET","path":"/me/*","x":1}]}`,
			"Received not described parameters: (accessRules[1].Method, accessRules[1].x); accessRules[1] takes only method, path"},
		{`{"accessRules":[{"method":"GET","path":"/me","a\u001b[31mb":1}]}`, `(accessRules[0]."a\x1b[31mb")`},
		{`{"accessRules":[1]}`, "accessRules[0] must be an object"},
		{`{"accessRules":[{"method":"GET","path":5}]}`, "accessRules[0].path must be a string"},
		{`{"accessRules":[{"method":"GET","method":"POST","path":"/me"}]}`, "accessRules[0].method is given twice"},
		{`{"accessRules":{"method":"GET","path":"/me"}}`, "accessRules must be an array"},
		{`{"accessRules":[{"method":"GET","path":"/me"}],"scope":"all"}`, "Received not described parameters: (scope); this call's body takes only accessRules, allowedIPs, redirection"},
		// unknown fields at the top and in access rules: every one named,
		// whichever the body gives first, and what each object takes
		{`{"accessRules":[{"method":"GET","path":"/me","x":1}],"scope":"all"}`,
			"Received not described parameters: (scope, accessRules[0].x); this call's body takes only accessRules, allowedIPs, redirection; accessRules[0] takes only method, path"},
		{`{"scope":"all","accessRules":[{"Method":"GET","path":"/me"},{"method":"GET","path":"/me/*"},{"method":"GET","path":"/me/*","x":1}],"Redirection":""}`,
			"Received not described parameters: (Redirection, scope, accessRules[0].Method, accessRules[2].x); this call's body takes only accessRules, allowedIPs, redirection; accessRules[0], accessRules[2] take only method, path"},
		// the rules in the order of the array, not of their text
		// ([10] sorts before [2]), ten named and the rest counted
		{`{"accessRules":[` + strings.Repeat(`{"method":"GET","path":"/me","x":1},`, 11) + `{"method":"GET","path":"/me","x":1}]}`,
			"Received not described parameters: (accessRules[0].x, accessRules[1].x, accessRules[2].x, accessRules[3].x, accessRules[4].x, accessRules[5].x, accessRules[6].x, accessRules[7].x, accessRules[8].x, accessRules[9].x, and 2 more); accessRules[0], accessRules[1], accessRules[2], accessRules[3], accessRules[4], accessRules[5], accessRules[6], accessRules[7], accessRules[8], accessRules[9], and 2 more take only method, path"},
	} {
		req, _ := http.NewRequest("POST", w.endpoint()+"/auth/credential", strings.NewReader(c.body))
		req.Header.Set("X-Ovh-Application", ak)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if msg, _ := out["message"].(string); res.StatusCode != 400 || !strings.Contains(msg, c.says) {
			t.Errorf("%s: %d %q, want 400 saying %q", c.body, res.StatusCode, msg, c.says)
		}
	}
	if n := consumers(); n != before {
		t.Fatalf("refused asks made consumer keys: %d, then %d", before, n)
	}
}
