package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"contactdesk/api"
	"contactdesk/model"
	"contactdesk/web"
)

// withPage serves the web page beside the API on the world's server,
// as serve --http does: the page at /, the API at /1.0/.
func withPage(t *testing.T, w *world, o api.Options) {
	t.Helper()
	o.Secrets = w.box
	apiH, page := api.New(w.desk, o), web.New(w.desk, web.Options{})
	w.srv.Close()
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, api.Prefix) {
			apiH.ServeHTTP(rw, r)
			return
		}
		page.ServeHTTP(rw, r)
	}))
	t.Cleanup(w.srv.Close)
}

// page GETs a page of the web door, or POSTs a form to it; it answers
// the status and the body.
func page(t *testing.T, method, u string, form url.Values) (int, string) {
	t.Helper()
	var res *http.Response
	var err error
	if method == "POST" {
		res, err = http.PostForm(u, form)
	} else {
		res, err = http.Get(u)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	// the page keeps handles whole on a line: read it without that
	return res.StatusCode, strings.NewReplacer(`<span class="whole">`, "", "</span>", "").Replace(string(b))
}

// lastCode is the newest mail of h's mailbox that carries a code to
// validate a consumer key.
func (w *world) lastCode(h model.Handle) (model.Mail, bool) {
	w.t.Helper()
	ms, err := w.desk.Mails(w.ctx, h)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, m := range ms {
		if m.Kind == model.MailCredentialCode {
			return m, true
		}
	}
	return model.Mail{}, false
}

// TestConsumerKeyThroughTheOfficialClient: go-ovh asks for a consumer
// key its documented way (NewCkRequest, its rules, Do), the account
// validates it on the page of its validationUrl with the code mailed
// to it, and the key then makes the calls of its rules and no other.
func TestConsumerKeyThroughTheOfficialClient(t *testing.T) {
	w := newWorld(t, api.Options{})
	withPage(t, w, api.Options{})
	contactdesk(t, w.db, "config", "set", "public-url", w.srv.URL)
	c := w.creds[ada]
	cl, err := ovh.NewClient(w.endpoint(), c.ApplicationKey, c.ApplicationSecret, "")
	if err != nil {
		t.Fatal(err)
	}
	ck := cl.NewCkRequestWithRedirection("https://app.example/done?x=1")
	ck.AddRecursiveRules(ovh.ReadOnly, "/me")
	state, err := ck.Do()
	if err != nil {
		t.Fatal(err)
	}
	if state.State != "pendingValidation" || len(state.ConsumerKey) != 32 || state.ConsumerKey == c.ConsumerKey ||
		!strings.HasPrefix(state.ValidationURL, w.srv.URL+"/auth/?credentialToken=") || cl.ConsumerKey != state.ConsumerKey {
		t.Fatalf("the answer: %+v", state)
	}
	// Awaiting validation, the key can't call; nobody was mailed.
	var me map[string]any
	e := apiError(t, cl.Get("/me", &me), http.StatusForbidden, "Client::Forbidden", "a key awaiting validation")
	if !strings.Contains(e.Message, "awaits its validation") {
		t.Errorf("a key awaiting validation: %q", e.Message)
	}
	if m, ok := w.lastCode(ada); ok {
		t.Fatalf("a bare API call mailed the account: %+v", m)
	}

	// The page: which application, which account, which rights, in
	// plain words; a button to mail a code.
	status, body := page(t, "GET", state.ValidationURL, nil)
	for _, want := range []string{"API access for " + string(ada), "test of " + string(ada) + " (" + c.ApplicationKey + ")",
		"read (GET) the path /me", "read (GET) every path under /me/", "Awaiting validation", ">Mail me a code</button>",
		// where the page will go, before the account validates
		`<dt>After validation, goes to</dt><dd class="goes-to">https://app.example</dd>`} {
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("the validation page: %d, no %q in\n%s", status, want, body)
		}
	}
	if strings.Contains(body, `name="code"`) {
		t.Errorf("the page asks for a code before one was mailed:\n%s", body)
	}
	token := strings.TrimPrefix(state.ValidationURL, w.srv.URL+"/auth/?credentialToken=")
	status, body = page(t, "POST", w.srv.URL+"/auth/", url.Values{"credentialToken": {token}, "answer": {"code"}})
	if status != http.StatusOK || !strings.Contains(body, "A code was mailed to the address of "+string(ada)) || !strings.Contains(body, `name="code"`) ||
		!strings.Contains(body, "asks to act as "+string(ada)+" through the contact desk&#39;s HTTP API. Once validated, it may:") ||
		!strings.Contains(body, "This page validates an access to your hosting provider") {
		t.Fatalf("mail me a code: %d\n%s", status, body)
	}
	mail, ok := w.lastCode(ada)
	if !ok || mail.Token == "" || mail.Address != string(ada)+"@mail.example" || !strings.Contains(mail.Body, mail.Token) ||
		!strings.Contains(mail.Body, "read (GET) every path under /me/") || !strings.HasPrefix(mail.Link, state.ValidationURL+"&code=") {
		t.Fatalf("the code's mail: %+v", mail)
	}

	// A wrong code validates nothing, and is counted.
	status, body = page(t, "POST", w.srv.URL+"/auth/", url.Values{"credentialToken": {token}, "answer": {"validate"}, "code": {"AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"}})
	if status != http.StatusForbidden || !strings.Contains(body, "This code is not the one last mailed for this key.") || !strings.Contains(body, "more tries before a pause") {
		t.Fatalf("a wrong code: %d\n%s", status, body)
	}
	apiError(t, cl.Get("/me", &me), http.StatusForbidden, "Client::Forbidden", "after a wrong code")

	// The mail's link opens the page with the code filled in.
	status, body = page(t, "GET", mail.Link, nil)
	if status != http.StatusOK || !strings.Contains(body, `value="`+mail.Token+`"`) {
		t.Fatalf("the mail's link: %d\n%s", status, body)
	}
	status, body = page(t, "POST", w.srv.URL+"/auth/", url.Values{"credentialToken": {token}, "answer": {"validate"}, "code": {mail.Token}})
	if status != http.StatusOK || !strings.Contains(body, "Validated: the application may now act as "+string(ada)) ||
		!strings.Contains(body, "acts as "+string(ada)+" through the contact desk&#39;s HTTP API. It may:") || strings.Contains(body, "Once validated") ||
		!strings.Contains(body, `<meta http-equiv="refresh" content="3;url=https://app.example/done?x=1">`) || !strings.Contains(body, `href="https://app.example/done?x=1"`) {
		t.Fatalf("validate: %d\n%s", status, body)
	}

	// Validated: the calls of its rules, and no other.
	if err := cl.Get("/me", &me); err != nil || me["nichandle"] != string(ada) {
		t.Fatalf("GET /me with the validated key: %v %v", me, err)
	}
	var ids []int64
	if err := cl.Get("/me/task/contactChange", &ids); err != nil {
		t.Fatalf("GET /me/task/contactChange with the validated key: %v", err)
	}
	err = cl.Post("/domain/"+domain+"/changeContact", map[string]string{"contactTech": string(nina)}, &ids)
	if e := apiError(t, err, http.StatusForbidden, "Client::Forbidden", "a call outside its rules"); !strings.HasPrefix(e.Message, "This call has not been granted") {
		t.Fatalf("a call outside its rules: %q", e.Message)
	}
	if rs, _ := w.desk.Requests(w.ctx, ada); len(rs) != 0 {
		t.Fatalf("a call not granted made requests: %+v", rs)
	}
	// Alone, as a bearer, the key is refused: whoever knows the
	// application key (no secret) and gets the account to validate a
	// key asked for in its name still lacks the application secret.
	bearer, err := ovh.NewAccessTokenClient(w.endpoint(), state.ConsumerKey)
	if err != nil {
		t.Fatal(err)
	}
	if e := apiError(t, bearer.Get("/me", &me), http.StatusForbidden, "Client::Forbidden", "the key asked for, as a bearer"); !strings.Contains(e.Message, "signed with its application secret") {
		t.Fatalf("the key asked for, as a bearer: %+v", e)
	}
	// The code worked once.
	status, body = page(t, "POST", w.srv.URL+"/auth/", url.Values{"credentialToken": {token}, "answer": {"refuse"}, "code": {mail.Token}})
	if status != http.StatusConflict || !strings.Contains(body, "is validated already") {
		t.Fatalf("the code again: %d\n%s", status, body)
	}

	// The history says who asked, mailed and validated, never a secret.
	hs, err := w.desk.History(w.ctx, ada, model.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, h := range hs {
		for _, s := range []string{state.ConsumerKey, token, mail.Token} {
			if strings.Contains(h.Detail, s) {
				t.Errorf("a history line shows a secret: %s", h.Detail)
			}
		}
		if strings.HasPrefix(h.Action, "apikey.credential.") {
			acts = append(acts, h.Action)
		}
	}
	if strings.Join(acts, " ") != "apikey.credential.validate apikey.credential.code apikey.credential.ask" {
		t.Errorf("history: %v", acts)
	}
}

// TestAskCredentialRefusals: what POST /1.0/auth/credential refuses, in
// the provider's shapes, making nothing; a key refused or left to expire
// on its page never works; the asking is limited per application key.
func TestAskCredentialRefusals(t *testing.T) {
	w := newWorld(t, api.Options{})
	withPage(t, w, api.Options{CredentialBurst: 11, CredentialEvery: time.Hour})
	ak := w.creds[ada].ApplicationKey
	ask := func(appKey, body string) (int, map[string]any) { return w.ask(t, appKey, body) }
	consumers := func() int {
		ks, _ := w.desk.APIKeys(w.ctx, ada)
		return len(ks[0].Consumers)
	}
	before := consumers()
	for _, c := range []struct {
		appKey, body string
		status       int
		code, says   string
	}{
		{"", `{"accessRules":[{"method":"GET","path":"/me"}]}`, 403, "INVALID_KEY", "Invalid application key"},
		{"NoSuchKey0000000", `{"accessRules":[{"method":"GET","path":"/me"}]}`, 403, "INVALID_KEY", "Invalid application key"},
		{ak, `{}`, 400, "INVALID_PARAMETER", "give accessRules"},
		{ak, `{"accessRules":[]}`, 400, "", "give at least one access rule"},
		{ak, `{"accessRules":[{"method":"PATCH","path":"/me"}]}`, 400, "", "names no method the API takes"},
		{ak, `{"accessRules":[{"method":"GET","path":"me"}]}`, 400, "", "must start with /"},
		{ak, `{"accessRules":[{"method":"GET","path":"/me"}],"redirection":"javascript:alert(1)"}`, 400, "", "redirection takes the absolute http or https address"},
		{ak, `{"accessRules":[{"method":"GET","path":"/me"}],"scope":"all"}`, 400, "", "scope"},
		{ak, `{"accessRules":[{"method":"GET","path":"/me"}],"allowedIPs":["192.0.2.0/24"]}`, 400, "INVALID_PARAMETER", "allowedIPs is not supported here"},
	} {
		status, out := ask(c.appKey, c.body)
		if status != c.status || (c.code != "" && out["errorCode"] != c.code) || !strings.Contains(out["message"].(string), c.says) {
			t.Errorf("%q %s: %d %v, want %d %s %q", c.appKey, c.body, status, out, c.status, c.code, c.says)
		}
	}
	// The application key twice (a proxy adding its own, a client's
	// bug): which was meant? Refused, not the first taken.
	two, _ := http.NewRequest("POST", w.endpoint()+"/auth/credential", strings.NewReader(`{"accessRules":[{"method":"GET","path":"/me"}]}`))
	two.Header.Add("X-Ovh-Application", ak)
	two.Header.Add("X-Ovh-Application", w.creds[ted].ApplicationKey)
	if res, err := http.DefaultClient.Do(two); err != nil {
		t.Fatal(err)
	} else {
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if res.StatusCode != 403 || out["errorCode"] != "INVALID_KEY" || !strings.Contains(out["message"].(string), "send one X-Ovh-Application header") {
			t.Errorf("two X-Ovh-Application headers: %d %v", res.StatusCode, out)
		}
	}
	if n := consumers(); n != before {
		t.Fatalf("refused asks made consumer keys: %d, then %d", before, n)
	}

	// Refused on its page: never works. (Asked as python-ovh asks,
	// with null for what it was not given.)
	okRules := `{"accessRules":[{"method":"GET","path":"/*"}],"redirection":null,"allowedIPs":null}`
	status, out := ask(ak, okRules)
	if status != 200 || out["state"] != "pendingValidation" {
		t.Fatalf("ask: %d %v", status, out)
	}
	u, _ := url.Parse(out["validationUrl"].(string))
	if u.Host != strings.TrimPrefix(w.srv.URL, "http://") || u.Path != "/auth/" {
		t.Errorf("without public-url, the page is where the call came: %s", u)
	}
	token, refusedKey := u.Query().Get("credentialToken"), out["consumerKey"].(string)
	page(t, "POST", w.srv.URL+"/auth/", url.Values{"credentialToken": {token}, "answer": {"code"}})
	mail, _ := w.lastCode(ada)
	if mail.Link != "" {
		t.Errorf("without public-url, the mail has no link: %q", mail.Link)
	}
	status, body := page(t, "POST", w.srv.URL+"/auth/", url.Values{"credentialToken": {token}, "answer": {"refuse"}, "code": {mail.Token}})
	if status != 200 || !strings.Contains(body, "Refused: its consumer key will never work.") || strings.Contains(body, "http-equiv") ||
		!strings.Contains(body, "asked to act as") || !strings.Contains(body, "It may do none of this:") {
		t.Fatalf("refuse: %d\n%s", status, body)
	}
	res, b := w.bare(t, "GET", "/me", refusedKey, nil)
	if res.StatusCode != 403 || !strings.Contains(string(b), "INVALID_CREDENTIAL") || !strings.Contains(string(b), "refused") {
		t.Fatalf("a refused key: %d %s", res.StatusCode, b)
	}

	// Left to expire: never works, and its page says so, without forms.
	status, out = ask(ak, okRules)
	if status != 200 {
		t.Fatalf("ask: %d %v", status, out)
	}
	w.clock.Advance(model.CredentialValidity + time.Minute)
	res, b = w.bare(t, "GET", "/me", out["consumerKey"].(string), nil)
	if res.StatusCode != 403 || !strings.Contains(string(b), "not validated in time") {
		t.Fatalf("an expired key: %d %s", res.StatusCode, b)
	}
	status, body = page(t, "GET", out["validationUrl"].(string), nil)
	if status != 200 || !strings.Contains(body, "Expired") || strings.Contains(body, "<form") {
		t.Fatalf("an expired key's page: %d\n%s", status, body)
	}
	// A page token of nobody is counted, as a wrong token is.
	status, body = page(t, "GET", w.srv.URL+"/auth/?credentialToken=nothing", nil)
	if status != 403 || !strings.Contains(body, "This validation link opens no consumer key") || !regexp.MustCompile(`\d+ (more )?tr`).MatchString(body) {
		t.Fatalf("a page token of nobody: %d\n%s", status, body)
	}

	// Eleven asks an hour with this application key (this test's
	// limit; refused bodies do not count): then each waits.
	for i := 0; ; i++ {
		status, out := ask(ak, okRules)
		if status == 429 && out["errorCode"] == "TOO_MANY_REQUESTS" {
			break
		}
		if status != 200 || i > 11 {
			t.Fatalf("ask %d past the limit: %d %v", i, status, out)
		}
	}
	// Another application's asks are its own.
	if status, out := ask(w.creds[ted].ApplicationKey, okRules); status != 200 {
		t.Fatalf("another application: %d %v", status, out)
	}
}

// TestRefusedBodiesAreNotCounted: a developer mending a hand-written
// body, try after try, keeps the asks its application key has: only an
// ask the desk could carry out counts against them, and the 429 comes
// after as many keys made as the limit says.
func TestRefusedBodiesAreNotCounted(t *testing.T) {
	w := newWorld(t, api.Options{})
	withPage(t, w, api.Options{CredentialBurst: 2, CredentialEvery: time.Hour})
	ak := w.creds[ada].ApplicationKey
	ask := func(body string) (int, map[string]any) { return w.ask(t, ak, body) }
	for range 3 {
		for _, body := range []string{
			`{"accessRules":{"method":"GET","path":"/me"}}`,
			`{"accessRules":[{"method":"GET","path":"me"}]}`,
			`{"accessRules":[{"method":"PATCH","path":"/me"}]}`,
			`{"accessRules":[]}`,
			`{"accessRules":[{"method":"GET","path":"/me"}],"redirection":"javascript:alert(1)"}`,
			`{"accessRules":[{"Method":"GET","path":"/me"}]}`,
			`{"accessRules":[{"method":"GET","path":"/me"}],"allowedIPs":["192.0.2.0/24"]}`,
			`{"accessRules":[{"method":"GET","path":"/me"}]`,
		} {
			if status, out := ask(body); status != 400 {
				t.Fatalf("%s: %d %v, want 400", body, status, out)
			}
		}
	}
	ok := `{"accessRules":[{"method":"GET","path":"/me"}]}`
	for i := range 2 {
		if status, out := ask(ok); status != 200 || out["state"] != "pendingValidation" {
			t.Fatalf("ask %d after 24 refused bodies: %d %v, want a key (the limit is 2)", i+1, status, out)
		}
	}
	if status, out := ask(ok); status != 429 || out["errorCode"] != "TOO_MANY_REQUESTS" {
		t.Fatalf("the third ask: %d %v, want 429", status, out)
	}
}

// TestCurrentCredentialAndLogout: a consumer key reads itself, in the
// provider's shape, and revokes itself; its application's other
// consumer keys keep working. A key may do both whatever its rules.
func TestCurrentCredentialAndLogout(t *testing.T) {
	w := newWorld(t, api.Options{})
	// A second consumer key of ada's application, validated.
	c := w.creds[ada]
	withPage(t, w, api.Options{})
	cl, _ := ovh.NewClient(w.endpoint(), c.ApplicationKey, c.ApplicationSecret, "")
	ck := cl.NewCkRequest()
	ck.AddRule("GET", "/me")
	state, err := ck.Do()
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(state.ValidationURL, w.srv.URL+"/auth/?credentialToken=")
	page(t, "POST", w.srv.URL+"/auth/", url.Values{"credentialToken": {token}, "answer": {"code"}})
	mail, _ := w.lastCode(ada)
	if status, body := page(t, "POST", w.srv.URL+"/auth/", url.Values{"credentialToken": {token}, "answer": {"validate"}, "code": {mail.Token}}); status != 200 ||
		strings.Contains(body, "goes-to") || strings.Contains(body, "refresh") {
		t.Fatalf("validate a key with no redirection: %d %s", status, body)
	}

	var cred struct {
		ApplicationKey string              `json:"applicationKey"`
		CredentialID   int64               `json:"credentialId"`
		Rules          []map[string]string `json:"rules"`
		Status         string              `json:"status"`
		Creation       string              `json:"creation"`
		LastUse        *string             `json:"lastUse"`
		Expiration     *string             `json:"expiration"`
	}
	if err := cl.Get("/auth/currentCredential", &cred); err != nil {
		t.Fatalf("currentCredential, not among its rules but its own: %v", err)
	}
	if cred.ApplicationKey != c.ApplicationKey || cred.CredentialID == 0 || cred.Status != "validated" || len(cred.Rules) != 1 || cred.Rules[0]["path"] != "/me" ||
		cred.Creation == "" || cred.LastUse == nil || cred.Expiration != nil {
		t.Fatalf("currentCredential: %+v", cred)
	}
	var all map[string]any
	if err := w.client(ada).Get("/auth/currentCredential", &all); err != nil || all["credentialId"] == cred.CredentialID || len(all["rules"].([]any)) != 4 {
		t.Fatalf("the first key's currentCredential: %v %v", all, err)
	}

	if err := cl.Post("/auth/logout", nil, nil); err != nil {
		t.Fatalf("logout: %v", err)
	}
	var me map[string]any
	e := apiError(t, cl.Get("/me", &me), http.StatusForbidden, "Client::Forbidden", "a key logged out")
	if e.Message != "This credential does not exist" {
		t.Errorf("a key logged out: %q", e.Message)
	}
	if err := w.client(ada).Get("/me", &me); err != nil {
		t.Fatalf("the application's other consumer key after a logout: %v", err)
	}
	hs, _ := w.desk.History(w.ctx, ada, model.HistoryFilter{})
	if len(hs) == 0 || hs[0].Action != model.ActCredentialRevoke || !strings.Contains(hs[0].Detail, "revoked by itself (logout)") {
		t.Errorf("the history of a logout: %+v", hs)
	}
}

// TestCodeMailsPerAccount: the validation pages of an account's
// consumer keys, asked for with any of its application keys, mail it at
// most model.MaxCodeMails codes an hour (but for one key's worth to an
// application key that had fewer); past them the page says so, in the
// account's language, and when to ask again, and mails nothing.
func TestCodeMailsPerAccount(t *testing.T) {
	w := newWorld(t, api.Options{})
	withPage(t, w, api.Options{})
	apps := []string{w.creds[ada].ApplicationKey, w.addKey(ada).ApplicationKey}
	read := []model.APIRule{{Method: "GET", Path: "/me"}}
	ask := func(app string) string {
		t.Helper()
		got, err := w.desk.AskCredential(w.ctx, app, read, "")
		if err != nil {
			t.Fatal(err)
		}
		return got.Token
	}
	mailCode := func(token string) (int, string) {
		return page(t, "POST", w.srv.URL+"/auth/", url.Values{"credentialToken": {token}, "answer": {"code"}})
	}
	for i := 0; i < model.MaxCodeMails/model.MaxCredentialCodes; i++ {
		token := ask(apps[i%2])
		for range model.MaxCredentialCodes {
			if status, body := mailCode(token); status != http.StatusOK {
				t.Fatalf("code mail of key %d: %d\n%s", i+1, status, body)
			}
		}
	}
	ms, _ := w.desk.Mails(w.ctx, ada)
	token := ask(apps[1])
	for _, c := range []struct{ lang, want string }{
		{"en", "30 codes were mailed to " + string(ada) + " within the last hour, for this application or others: ask for another at "},
		{"pt", "Já foram enviados 30 códigos para " + string(ada) + " na última hora, para esta aplicação ou outras: pode pedir outro às "},
		{"fr", "30 codes ont été envoyés à " + string(ada) + " dans la dernière heure, pour cette application ou d&#39;autres"},
	} {
		if _, err := w.desk.SetLang(w.ctx, ada, c.lang); err != nil {
			t.Fatal(err)
		}
		if status, body := mailCode(token); status != http.StatusTooManyRequests || !strings.Contains(body, c.want) {
			t.Errorf("%s: a code past the account's bound: %d, no %q in\n%s", c.lang, status, c.want, body)
		}
	}
	// The 429 says in Retry-After when a code goes again, as the API's
	// do: when the oldest of the hour's codes ages out (an hour, less
	// the moments the codes took to mail; the clock is the wall's).
	res, err := http.PostForm(w.srv.URL+"/auth/", url.Values{"credentialToken": {token}, "answer": {"code"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); res.StatusCode != http.StatusTooManyRequests || err != nil || s < 3000 || s > 3600 {
		t.Errorf("a code past the account's bound: %d, Retry-After %q; want 429 and the seconds until the hour's first code ages out",
			res.StatusCode, res.Header.Get("Retry-After"))
	}
	if after, _ := w.desk.Mails(w.ctx, ada); len(after) != len(ms) {
		t.Errorf("refused codes were mailed: %d mails, then %d", len(ms), len(after))
	}
}
