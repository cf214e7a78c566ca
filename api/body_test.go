package api_test

import (
	"encoding/json"
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
// provider's API does: a field in another case is a field the call does
// not know, ignored as the README says; so it asks for nothing, and
// beside the right one it changes nothing. A field given twice is
// refused.
func TestFieldNamesExact(t *testing.T) {
	w := newWorld(t, api.Options{})
	changeContact := "/domain/" + domain + "/changeContact"
	for _, body := range []string{`{"contacttech": "` + string(nina) + `"}`, `{"CONTACTTECH": "` + string(nina) + `"}`, `{"ContactAdmin": "` + string(nina) + `"}`} {
		code, out := w.postJSON(ada, changeContact, body)
		e, _ := out.(map[string]any)
		if msg, _ := e["message"].(string); code != 400 || !strings.Contains(msg, "give at least one of contactAdmin, contactTech, contactBilling") {
			t.Errorf("%s: %d %v, want 400: no field it knows", body, code, out)
		}
	}
	code, out := w.postJSON(ada, changeContact, `{"contactTech": "`+string(nina)+`", "contactTech": "`+string(bia)+`"}`)
	if e, _ := out.(map[string]any); code != 400 || !strings.Contains(e["message"].(string), "contactTech is given twice") {
		t.Errorf("a field given twice: %d %v", code, out)
	}
	if rs, _ := w.desk.Requests(w.ctx, ada); len(rs) != 0 {
		t.Fatalf("mis-cased fields made %d requests: %+v", len(rs), rs)
	}
	// Beside the right name, the mis-cased one is ignored, whichever
	// comes first.
	for i, body := range []string{`{"contactTech": "` + string(nina) + `", "contacttech": "` + string(bia) + `"}`,
		`{"contactbilling": "` + string(bia) + `", "contactTech": "` + string(nina) + `", "Contacttech": "` + string(stranger) + `"}`} {
		code, out := w.postJSON(ada, changeContact, body)
		ids, _ := out.([]any)
		if code != 200 || len(ids) != 1 {
			t.Fatalf("%s: %d %v, want one task", body, code, out)
		}
		tk := w.task(ada, int64(ids[0].(float64)))
		if tk.ToAccount != string(nina) || len(tk.ContactTypes) != 1 || tk.ContactTypes[0] != "tech" {
			t.Errorf("%s made %+v", body, tk)
		}
		if i == 0 {
			if err := w.client(ada).Post(taskPath(tk.ID)+"/cancel", nil, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	// An answer's token and a new address: the same.
	var id int64
	rs, _ := w.desk.Requests(w.ctx, nina)
	for _, r := range rs {
		if r.State == model.StateValidating {
			id = r.ID
		}
	}
	if code, out := w.postJSON(nina, taskPath(id)+"/accept", `{"Token": "`+w.token(nina, id)+`"}`); code != 400 {
		t.Errorf("a token under Token: %d %v", code, out)
	}
	if code, out := w.postJSON(ted, "/me/changeEmail", `{"newemail": "ted@new.example"}`); code != 400 {
		t.Errorf("a new address under newemail: %d %v", code, out)
	}
	if tk := w.task(nina, id); len(tk.AwaitingAccounts) != 3 {
		t.Errorf("a mis-cased token answered: %+v", tk)
	}
}
