package api_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"contactdesk/api"
	"contactdesk/internal/syncbuf"
	"contactdesk/model"
)

// askFrom POSTs /auth/credential with appKey, as the client at addr
// behind the desk's reverse proxy (X-Forwarded-For): its status and
// its answer.
func (w *world) askFrom(t *testing.T, addr, appKey string) (int, map[string]any) {
	t.Helper()
	return w.ask(t, appKey, `{"accessRules":[{"method":"GET","path":"/me"}]}`, "X-Forwarded-For", addr)
}

// ask POSTs body to /auth/credential with appKey (none if ""), and
// the headers given as name, value pairs: its status and its answer.
func (w *world) ask(t *testing.T, appKey, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", w.endpoint()+"/auth/credential", strings.NewReader(body))
	if appKey != "" {
		req.Header.Set("X-Ovh-Application", appKey)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// TestAskCredentialPerNetwork: whoever knows an application key (no
// secret) asks for consumer keys from one network until the desk
// refuses it, and has their pages mail all the codes they may; its
// owner, asking from another network, still gets a key and its code,
// validates it on its page and calls with it. An IPv6 client is counted
// by its /48: its other /64s are the same network.
func TestAskCredentialPerNetwork(t *testing.T) {
	w := newWorld(t, api.Options{})
	// A throttle above the desk's bound: the desk's bound refuses.
	withPage(t, w, api.Options{TrustProxy: true, CredentialBurst: 3 * model.MaxPendingCredentials})
	ak := w.creds[ada].ApplicationKey
	var tokens []string // the hostile keys' pages'
	for _, hostile := range []string{"203.0.113.7", "2001:db8:66:1::1"} {
		for i := range model.MaxPendingCredentials {
			// IPv6: each ask from another /64 of the same /48
			addr := hostile
			if strings.Contains(hostile, ":") {
				addr = strings.Replace(hostile, ":1::", ":"+itoa(int64(i+1))+"::", 1)
			}
			status, out := w.askFrom(t, addr, ak)
			if status != 200 {
				t.Fatalf("%s's ask %d: %d %v", addr, i+1, status, out)
			}
			u, _ := url.Parse(out["validationUrl"].(string))
			tokens = append(tokens, u.Query().Get("credentialToken"))
		}
		status, out := w.askFrom(t, strings.Replace(hostile, ":1::", ":ff::", 1), ak)
		if status != 429 || !strings.Contains(out["message"].(string), "asked for from your network already await validation") {
			t.Fatalf("%s's ask past the bound: %d %v", hostile, status, out)
		}
	}
	// The hostile keys' pages spend the account's codes of the hour,
	// and the application key's.
	mailed := 0
	for _, token := range tokens {
		for range model.MaxCredentialCodes {
			if status, _ := page(t, "POST", w.srv.URL+"/auth/", url.Values{"credentialToken": {token}, "answer": {"code"}}); status == 200 {
				mailed++
			}
		}
	}
	if mailed < model.MaxCodeMails {
		t.Fatalf("the hostile keys' pages mailed %d codes, want at least %d", mailed, model.MaxCodeMails)
	}
	// The owner, from its office.
	status, out := w.askFrom(t, "198.51.100.20", ak)
	if status != 200 || out["state"] != "pendingValidation" {
		t.Fatalf("the owner's ask from another network: %d %v", status, out)
	}
	u, _ := url.Parse(out["validationUrl"].(string))
	token := u.Query().Get("credentialToken")
	if status, _ := page(t, "POST", w.srv.URL+"/auth/", url.Values{"credentialToken": {token}, "answer": {"code"}}); status != 200 {
		t.Fatalf("the owner's code, past the hostile network's: %d", status)
	}
	mail, ok := w.lastCode(ada)
	if !ok {
		t.Fatal("no code mailed for the owner's key")
	}
	if status, body := page(t, "POST", w.srv.URL+"/auth/", url.Values{"credentialToken": {token}, "answer": {"validate"}, "code": {mail.Token}}); status != 200 || !strings.Contains(body, "Validated") {
		t.Fatalf("the owner validates: %d", status)
	}
	cl := w.client(ada)
	cl.ConsumerKey = out["consumerKey"].(string)
	var me map[string]any
	if err := cl.Get("/me", &me); err != nil || me["nichandle"] != string(ada) {
		t.Fatalf("the owner's key: %v %v", me, err)
	}
}

// TestAskCredentialThrottlePerNetwork: the per-node throttle of asks
// (Options.CredentialBurst) counts an application key's asks per
// network: whoever empties its bucket from one network does not empty
// the owner's.
func TestAskCredentialThrottlePerNetwork(t *testing.T) {
	w := newWorld(t, api.Options{})
	log := &syncbuf.Buffer{}
	withPage(t, w, api.Options{TrustProxy: true, CredentialBurst: 3, Logger: slog.New(slog.NewTextHandler(log, nil))})
	ak := w.creds[ada].ApplicationKey
	for i := range 3 {
		if status, out := w.askFrom(t, "203.0.113.7", ak); status != 200 {
			t.Fatalf("ask %d: %d %v", i+1, status, out)
		}
	}
	for range 5 {
		if status, out := w.askFrom(t, "203.0.113.7", ak); status != 429 || out["errorCode"] != "TOO_MANY_REQUESTS" || !strings.Contains(out["message"].(string), "from your network") {
			t.Fatalf("the hostile network's ask past its burst: %d %v", status, out)
		}
	}
	for i := range 3 {
		if status, out := w.askFrom(t, "198.51.100.20", ak); status != 200 {
			t.Fatalf("the owner's ask %d from another network: %d %v", i+1, status, out)
		}
	}
	if status, _ := w.askFrom(t, "198.51.100.20", ak); status != 429 {
		t.Fatalf("the owner's ask past its own burst: %d", status)
	}
	// The log has the first refusal of each network on a line of its
	// own: the stranger's run of refusals does not hide the owner's.
	for _, network := range []string{"203.0.113.7", "198.51.100.20"} {
		if n := len(regexp.MustCompile(`status=429 [^\n]*remote=`+regexp.QuoteMeta(network)+` [^\n]*app_key=`+ak+` limit=key\n`).FindAllString(log.String(), -1)); n != 1 {
			t.Errorf("%d lines of the first refused ask from %s, want 1:\n%s", n, network, log.String())
		}
	}
}

// TestDroppedKeyPage: a key dropped to make room for others of its
// application key (model.MaxAppPendingCredentials) says so on its page,
// and what to do, instead of a bare "Expired"; a key still awaiting
// validation says nothing of it.
func TestDroppedKeyPage(t *testing.T) {
	w := newWorld(t, api.Options{})
	withPage(t, w, api.Options{})
	ak := w.creds[ada].ApplicationKey
	var first, last model.CredentialAsked
	for i := range model.MaxAppPendingCredentials + 1 {
		got, err := w.desk.AskCredentialFrom(w.ctx, fmt.Sprintf("198.51.100.%d", i/model.MaxPendingCredentials), ak, []model.APIRule{{Method: "GET", Path: "/me"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = got
		}
		last = got
	}
	status, body := page(t, "GET", w.srv.URL+"/auth/?credentialToken="+first.Token, nil)
	for _, want := range []string{"Expired", "This key was dropped before its hour was up: 200 keys of this application awaited validation", "ask the application for another one"} {
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("a dropped key's page: %d, no %q in\n%s", status, want, body)
		}
	}
	status, body = page(t, "GET", w.srv.URL+"/auth/?credentialToken="+last.Token, nil)
	if status != http.StatusOK || !strings.Contains(body, "Awaiting validation") || strings.Contains(body, "dropped") {
		t.Fatalf("a key awaiting validation: %d\n%s", status, body)
	}
}
