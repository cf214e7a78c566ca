package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"contactdesk/api"
	"contactdesk/cli"
	"contactdesk/internal/clientinfo"
	"contactdesk/internal/syncbuf"
	"contactdesk/metrics"
	"contactdesk/model"
	"contactdesk/storage"
)

// The cast of the desk the tests drive.
const (
	ada      model.Handle = "ad11111-ovh" // admin of both services
	ted      model.Handle = "te22222-ovh" // tech of both
	bia      model.Handle = "bi33333-ovh" // billing of the VPS
	nina     model.Handle = "ne44444-ovh" // the new contact
	stranger model.Handle = "st55555-ovh" // a party to nothing
	domain                = "example.pt"
	vps                   = "vps-1a2b3c.vps.example.net"
)

// liveClock is the wall clock, moved forward when a test says so.
type liveClock struct {
	mu    sync.Mutex
	ahead time.Duration
}

func (c *liveClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.ahead)
}

func (c *liveClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ahead += d
}

// world is a desk made with the command line, and the API over it on a
// real HTTP server on 127.0.0.1.
type world struct {
	t     testing.TB
	ctx   context.Context
	db    string
	desk  *model.Desk
	clock *liveClock
	box   *api.SecretBox
	srv   *httptest.Server
	log   *syncbuf.Buffer
	creds map[model.Handle]credentials
}

// credentials are what `api-key add --json` prints.
type credentials struct {
	ApplicationKey    string `json:"applicationKey"`
	ApplicationSecret string `json:"applicationSecret"`
	ConsumerKey       string `json:"consumerKey"`
}

// contactdesk runs the command line on the world's database.
func contactdesk(t testing.TB, db string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), append([]string{"--db", db}, args...), strings.NewReader(""), &out, &errOut, func(string) string { return "" })
	if code != 0 {
		t.Fatalf("contactdesk %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

func newWorld(t testing.TB, o api.Options) *world {
	t.Helper()
	db := filepath.Join(t.TempDir(), "desk.db")
	contactdesk(t, db, "init")
	for _, a := range []struct{ h, name string }{{string(ada), "Ada Admin"}, {string(ted), "Ted Tech"}, {string(bia), "Bia Billing"}, {string(nina), "Nina New"}, {string(stranger), "Sam Stranger"}} {
		contactdesk(t, db, "account", "add", a.h, "--name", a.name, "--email", a.h+"@mail.example")
	}
	contactdesk(t, db, "service", "add", domain, "--type", "domain", "--admin", string(ada), "--tech", string(ted), "--billing", string(ada))
	contactdesk(t, db, "service", "add", vps, "--type", "vps", "--admin", string(ada), "--tech", string(ted), "--billing", string(bia))
	w := &world{t: t, ctx: context.Background(), db: db, clock: &liveClock{}, log: &syncbuf.Buffer{}, creds: map[model.Handle]credentials{}}
	for _, h := range []model.Handle{ada, ted, bia, nina, stranger} {
		w.creds[h] = w.addKey(h)
	}
	st, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w.desk = model.NewDesk(st, model.Options{Clock: w.clock})
	// The key file api-key add made beside the database.
	if w.box, _, err = api.LoadSecretKey(db + ".api_key"); err != nil {
		t.Fatal(err)
	}
	o.Secrets = w.box
	o.Logger = slog.New(slog.NewTextHandler(w.log, nil))
	w.srv = httptest.NewServer(api.New(w.desk, o))
	t.Cleanup(w.srv.Close)
	return w
}

// addKey makes an API key for h with the command line, as support staff do.
func (w *world) addKey(h model.Handle) credentials {
	w.t.Helper()
	var c credentials
	out := contactdesk(w.t, w.db, "api-key", "add", string(h), "--name", "test of "+string(h), "--json")
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.ApplicationKey == "" || c.ApplicationSecret == "" || c.ConsumerKey == "" {
		w.t.Fatalf("api-key add --json: %v\n%s", err, out)
	}
	return c
}

func (w *world) endpoint() string { return w.srv.URL + "/1.0" }

// bare makes a call without the client's signature: a bearer's
// consumer key as its credential, or none; it answers the response
// (its body read) and the body.
func (w *world) bare(t *testing.T, method, path, auth string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, w.endpoint()+path, body)
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// statusOf makes the call req and answers its status, its body read.
func statusOf(t *testing.T, req *http.Request) int {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// client is the official client, unchanged, with h's key.
func (w *world) client(h model.Handle) *ovh.Client {
	w.t.Helper()
	c := w.creds[h]
	cl, err := ovh.NewClient(w.endpoint(), c.ApplicationKey, c.ApplicationSecret, c.ConsumerKey)
	if err != nil {
		w.t.Fatal(err)
	}
	return cl
}

// token reads h's newest token for request id from its mailbox.
func (w *world) token(h model.Handle, id int64) string {
	w.t.Helper()
	ms, err := w.desk.Mails(w.ctx, h)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, m := range ms {
		if m.RequestID == id && m.Kind == model.MailConfirm && m.Token != "" {
			return m.Token
		}
	}
	w.t.Fatalf("%s has no token for request #%d", h, id)
	return ""
}

// task is the provider's contactChange task, as a client reads it.
type task struct {
	ID               int64    `json:"id"`
	AskingAccount    string   `json:"askingAccount"`
	ContactTypes     []string `json:"contactTypes"`
	DateRequest      string   `json:"dateRequest"`
	DateDone         *string  `json:"dateDone"`
	FromAccount      string   `json:"fromAccount"`
	ToAccount        string   `json:"toAccount"`
	ServiceDomain    string   `json:"serviceDomain"`
	State            string   `json:"state"`
	AwaitingAccounts []string `json:"awaitingAccounts"`
}

func (w *world) task(h model.Handle, id int64) task {
	w.t.Helper()
	var tk task
	if err := w.client(h).Get(taskPath(id), &tk); err != nil {
		w.t.Fatalf("%s reads task %d: %v", h, id, err)
	}
	return tk
}

func taskPath(id int64) string { return "/me/task/contactChange/" + itoa(id) }

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

type serviceInfos struct {
	Domain         string `json:"domain"`
	ContactAdmin   string `json:"contactAdmin"`
	ContactTech    string `json:"contactTech"`
	ContactBilling string `json:"contactBilling"`
	Creation       string `json:"creation"`
	Status         string `json:"status"`
}

// apiError checks that err is the provider's error, as go-ovh surfaces
// it, with this status and class.
func apiError(t *testing.T, err error, code int, class, what string) *ovh.APIError {
	t.Helper()
	var e *ovh.APIError
	if !errors.As(err, &e) {
		t.Fatalf("%s: %v (%T), want *ovh.APIError %d", what, err, err, code)
	}
	if e.Code != code || e.Class != class || e.Message == "" || !strings.HasPrefix(e.QueryID, "CD-") {
		t.Fatalf("%s: %d %s %q (query %q), want %d %s", what, e.Code, e.Class, e.Message, e.QueryID, code, class)
	}
	return e
}

// TestLifeThroughTheOfficialClient drives whole changes of contact with
// go-ovh, each party with its own key and the token of its own mail.
func TestLifeThroughTheOfficialClient(t *testing.T) {
	w := newWorld(t, api.Options{})

	var me map[string]any
	if err := w.client(ada).Get("/me", &me); err != nil {
		t.Fatal(err)
	}
	if me["nichandle"] != string(ada) || me["name"] != "Ada Admin" || me["email"] != string(ada)+"@mail.example" || me["paymentsUpToDate"] != true {
		t.Fatalf("/me: %v", me)
	}
	var names []string
	if err := w.client(ted).Get("/vps", &names); err != nil || !slices.Equal(names, []string{vps}) {
		t.Fatalf("ted's VPSs: %v %v", names, err)
	}
	if err := w.client(ted).Get("/domain", &names); err != nil || !slices.Equal(names, []string{domain}) {
		t.Fatalf("ted's domains: %v %v", names, err)
	}
	if err := w.client(nina).Get("/domain", &names); err != nil || len(names) != 0 {
		t.Fatalf("nina's domains: %v %v", names, err)
	}

	// A change on a domain: one task, and what it says.
	changes, stop := w.desk.Subscribe(nina)
	defer stop()
	var ids []int64
	before := time.Now().UTC().Add(-time.Second)
	if err := w.client(ada).Post("/domain/"+domain+"/changeContact", map[string]string{"contactTech": string(nina)}, &ids); err != nil || len(ids) != 1 {
		t.Fatalf("changeContact on the domain: %v %v", ids, err)
	}
	// Live: a subscriber of the app (nina's open session) hears of it.
	select {
	case c := <-changes:
		if !c.Concerns(nina) {
			t.Fatalf("the change published does not concern nina: %+v", c)
		}
	case <-time.After(time.Second):
		t.Fatal("a change made through the API did not reach the app's subscribers within a second")
	}
	id := ids[0]
	tk := w.task(ada, id)
	asked, err := time.Parse(time.RFC3339, tk.DateRequest)
	if err != nil || asked.Before(before.Truncate(time.Second)) || asked.After(time.Now().Add(time.Second)) {
		t.Errorf("dateRequest %q is not an ISO 8601 date of now (%v)", tk.DateRequest, err)
	}
	if tk.ID != id || tk.AskingAccount != string(ada) || !slices.Equal(tk.ContactTypes, []string{"tech"}) || tk.DateDone != nil ||
		tk.FromAccount != string(ted) || tk.ToAccount != string(nina) || tk.ServiceDomain != domain || tk.State != "validatingByCustomers" {
		t.Fatalf("the new task: %+v", tk)
	}
	var list []int64
	if err := w.client(nina).Get("/me/task/contactChange?state=validatingByCustomers&toAccount="+string(nina), &list); err != nil || !slices.Equal(list, []int64{id}) {
		t.Fatalf("nina's pending tasks: %v %v", list, err)
	}
	if err := w.client(nina).Get("/me/task/contactChange?askingAccount="+string(nina), &list); err != nil || len(list) != 0 {
		t.Fatalf("tasks nina asked for: %v %v", list, err)
	}

	// Every party accepts with the token of its mail; the last applies it.
	for i, h := range []model.Handle{ada, ted, nina} {
		if err := w.client(h).Post(taskPath(id)+"/accept", map[string]string{"token": w.token(h, id)}, nil); err != nil {
			t.Fatalf("%s accepts: %v", h, err)
		}
		if tk := w.task(h, id); (i < 2) != (tk.State == "validatingByCustomers") {
			t.Fatalf("after %s accepted: %+v", h, tk)
		}
	}
	tk = w.task(nina, id)
	if tk.State != "done" || tk.DateDone == nil || len(tk.AwaitingAccounts) != 0 {
		t.Fatalf("the task once everyone accepted: %+v", tk)
	}
	var si serviceInfos
	if err := w.client(ada).Get("/domain/"+domain+"/serviceInfos", &si); err != nil {
		t.Fatal(err)
	}
	if si.Domain != domain || si.ContactTech != string(nina) || si.ContactAdmin != string(ada) || si.ContactBilling != string(ada) || si.Status != "ok" || len(si.Creation) != 10 {
		t.Fatalf("serviceInfos after the change: %+v", si)
	}
	if err := w.client(nina).Get("/domain", &names); err != nil || !slices.Equal(names, []string{domain}) {
		t.Fatalf("nina's domains, now its tech: %v %v", names, err)
	}

	// A VPS: tech and billing to one account, from two outgoing contacts,
	// make two tasks (one per outgoing contact, as the provider's).
	if err := w.client(ada).Post("/vps/"+vps+"/changeContact", map[string]any{"contactTech": string(nina), "contactBilling": strings.ToUpper(string(nina))}, &ids); err != nil || len(ids) != 2 {
		t.Fatalf("changeContact on the VPS: %v %v", ids, err)
	}
	techTask, billTask := w.task(ada, ids[0]), w.task(ada, ids[1])
	if techTask.FromAccount != string(ted) || !slices.Equal(techTask.ContactTypes, []string{"tech"}) ||
		billTask.FromAccount != string(bia) || !slices.Equal(billTask.ContactTypes, []string{"billing"}) ||
		billTask.ServiceDomain != vps || billTask.ToAccount != string(nina) || billTask.State != "validatingByCustomers" {
		t.Fatalf("the VPS's tasks: %+v %+v", techTask, billTask)
	}
	// The same change again clashes with the pending one.
	err = w.client(ada).Post("/vps/"+vps+"/changeContact", map[string]string{"contactTech": string(nina)}, &ids)
	apiError(t, err, 409, "Client::Conflict", "the same change twice")

	// A stranger sees none of it.
	var tks task
	apiError(t, w.client(stranger).Get(taskPath(techTask.ID), &tks), 404, "Client::NotFound", "a stranger reads a task")
	err = w.client(stranger).Post(taskPath(techTask.ID)+"/accept", map[string]string{"token": w.token(ted, techTask.ID)}, nil)
	apiError(t, err, 404, "Client::NotFound", "a stranger accepts with a party's token")
	apiError(t, w.client(stranger).Get("/vps/"+vps+"/serviceInfos", &si), 404, "Client::NotFound", "a stranger's serviceInfos")
	apiError(t, w.client(ada).Get("/domain/"+vps+"/serviceInfos", &si), 404, "Client::NotFound", "a VPS under /domain")

	// A wrong token is refused and changes nothing.
	err = w.client(nina).Post(taskPath(billTask.ID)+"/accept", map[string]string{"token": "7K3Q-9XWM-AAAA-BBBB-CCCC-DDDD-EEEE"}, nil)
	apiError(t, err, 403, "Client::Forbidden", "a wrong token")
	err = w.client(nina).Post(taskPath(billTask.ID)+"/accept", map[string]string{"token": w.token(bia, billTask.ID)}, nil)
	apiError(t, err, 403, "Client::Forbidden", "another party's token")
	if tk := w.task(nina, billTask.ID); tk.State != "validatingByCustomers" || !slices.Contains(tk.AwaitingAccounts, string(nina)) {
		t.Fatalf("after wrong tokens: %+v", tk)
	}

	// Refuse: the tech task ends refused, the tech stays.
	if err := w.client(ted).Post(taskPath(techTask.ID)+"/refuse", map[string]string{"token": w.token(ted, techTask.ID)}, nil); err != nil {
		t.Fatal(err)
	}
	if tk := w.task(nina, techTask.ID); tk.State != "refused" || tk.DateDone == nil {
		t.Fatalf("after ted refused: %+v", tk)
	}
	err = w.client(nina).Post(taskPath(techTask.ID)+"/accept", map[string]string{"token": w.token(nina, techTask.ID)}, nil)
	apiError(t, err, 409, "Client::Conflict", "accepting a refused task")

	// resendEmail: a fresh token, the old one dead.
	old := w.token(bia, billTask.ID)
	if err := w.client(bia).Post(taskPath(billTask.ID)+"/resendEmail", nil, nil); err != nil {
		t.Fatal(err)
	}
	fresh := w.token(bia, billTask.ID)
	if fresh == old {
		t.Fatal("resendEmail mailed the same token")
	}
	err = w.client(bia).Post(taskPath(billTask.ID)+"/accept", map[string]string{"token": old}, nil)
	apiError(t, err, 403, "Client::Forbidden", "the token a resend replaced")
	for _, h := range []model.Handle{bia, ada, nina} {
		if err := w.client(h).Post(taskPath(billTask.ID)+"/accept", map[string]string{"token": w.token(h, billTask.ID)}, nil); err != nil {
			t.Fatalf("%s accepts the billing task: %v", h, err)
		}
	}
	if err := w.client(bia).Get("/vps/"+vps+"/serviceInfos", &si); err == nil {
		t.Fatalf("bia still reads the VPS it no longer holds a role on: %+v", si)
	}
	if err := w.client(nina).Get("/vps/"+vps+"/serviceInfos", &si); err != nil || si.ContactBilling != string(nina) || si.ContactTech != string(ted) {
		t.Fatalf("the VPS after the billing task: %+v %v", si, err)
	}

	// cancel (contactdesk's): only the requester, and then it is aborted.
	if err := w.client(ada).Post("/domain/"+domain+"/changeContact", map[string]string{"contactBilling": string(bia)}, &ids); err != nil {
		t.Fatal(err)
	}
	apiError(t, w.client(bia).Post(taskPath(ids[0])+"/cancel", nil, nil), 403, "Client::Forbidden", "a party that did not ask cancels")
	if err := w.client(ada).Post(taskPath(ids[0])+"/cancel", nil, nil); err != nil {
		t.Fatal(err)
	}
	if tk := w.task(bia, ids[0]); tk.State != "aborted" {
		t.Fatalf("a cancelled task: %+v", tk)
	}
	if err := w.client(bia).Get("/me/task/contactChange?state=aborted", &list); err != nil || !slices.Equal(list, []int64{ids[0]}) {
		t.Fatalf("bia's aborted tasks: %v %v", list, err)
	}
	if err := w.client(nina).Get("/me/task/contactChange", &list); err != nil || len(list) != 3 || !slices.IsSorted(list) {
		t.Fatalf("nina's tasks: %v %v", list, err)
	}
	apiError(t, w.client(nina).Get("/me/task/contactChange?state=cancelled", &list), 400, "Client::BadRequest", "a state the provider does not name")

	// Nothing secret reached the log, and every call is in it.
	log := w.log.String()
	for h, c := range w.creds {
		for _, s := range []string{c.ApplicationSecret, c.ConsumerKey} {
			if strings.Contains(log, s) {
				t.Errorf("the log shows a credential of %s", h)
			}
		}
	}
	for _, h := range []model.Handle{ada, ted, bia, nina} {
		ms, _ := w.desk.Mails(w.ctx, h)
		for _, m := range ms {
			if m.Token != "" && strings.Contains(log, m.Token) {
				t.Errorf("the log shows a token of %s", h)
			}
		}
	}
	for _, want := range []string{`route="POST /1.0/domain/{name}/changeContact" status=200`, `route="GET /1.0/me/task/contactChange/{id}" status=404`, "app_key=" + w.creds[ada].ApplicationKey} {
		if !strings.Contains(log, want) {
			t.Errorf("the log has no %q", want)
		}
	}
}

// TestCredentialsRefused: a wrong secret, an old timestamp, a removed
// key, a missing signature are refused, as go-ovh reports them; a
// bearer works.
func TestCredentialsRefused(t *testing.T) {
	w := newWorld(t, api.Options{})
	c := w.creds[ada]
	var me map[string]any

	wrong, _ := ovh.NewClient(w.endpoint(), c.ApplicationKey, strings.Repeat("x", 32), c.ConsumerKey)
	apiError(t, wrong.Get("/me", &me), 403, "Client::Forbidden", "a wrong secret")
	other := w.creds[ted]
	mixed, _ := ovh.NewClient(w.endpoint(), other.ApplicationKey, other.ApplicationSecret, c.ConsumerKey)
	apiError(t, mixed.Get("/me", &me), 403, "Client::Forbidden", "another key's application key and secret")
	unknown, _ := ovh.NewClient(w.endpoint(), c.ApplicationKey, c.ApplicationSecret, strings.Repeat("y", 32))
	apiError(t, unknown.Get("/me", &me), 403, "Client::Forbidden", "an unknown consumer key")

	// An old timestamp: the client's clock correction was taken, then
	// the server's clock moved on.
	cl := w.client(ada)
	if err := cl.Get("/me", &me); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(api.MaxSkew + time.Minute)
	apiError(t, cl.Get("/me", &me), 400, "Client::BadRequest", "an old timestamp")
	if err := w.client(ada).Get("/me", &me); err != nil {
		t.Fatalf("a client that asks the time again: %v", err)
	}

	// Bearer: go-ovh's access-token client, and curl's way.
	bearer, err := ovh.NewAccessTokenClient(w.endpoint(), c.ConsumerKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := bearer.Get("/me", &me); err != nil || me["nichandle"] != string(ada) {
		t.Fatalf("bearer /me: %v %v", me, err)
	}
	get := func(auth string, headers ...string) (int, map[string]string) {
		req, _ := http.NewRequest("GET", w.endpoint()+"/me", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]string
		json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body
	}
	if code, body := get("Bearer " + c.ConsumerKey); code != 200 || body["nichandle"] != string(ada) {
		t.Fatalf("curl-like bearer: %d %v", code, body)
	}
	for _, bad := range []string{"Bearer " + c.ApplicationSecret, "Bearer ", "Bearer " + c.ApplicationKey} {
		if code, body := get(bad); code != 403 || body["class"] != "Client::Forbidden" {
			t.Errorf("%q: %d %v", bad, code, body)
		}
	}
	if code, body := get(""); code != 401 || body["class"] != "Client::Unauthorized" {
		t.Errorf("no credentials: %d %v", code, body)
	}
	// A bearer beside a signed call's headers: which was meant? Refused.
	// X-Ovh-Application alone is no credential, and clients send it.
	for _, hd := range []string{"X-Ovh-Consumer", "X-Ovh-Timestamp", "X-Ovh-Signature"} {
		if code, body := get("Bearer "+c.ConsumerKey, "X-Ovh-Application", c.ApplicationKey, hd, "1"); code != 401 || !strings.Contains(body["message"], "not both ("+hd) {
			t.Errorf("a bearer with %s: %d %v", hd, code, body)
		}
	}
	if code, body := get("Bearer "+c.ConsumerKey, "X-Ovh-Application", c.ApplicationKey); code != 200 {
		t.Errorf("a bearer with X-Ovh-Application: %d %v", code, body)
	}
	// Two bearers: which was meant? Refused, not the first taken.
	two, _ := http.NewRequest("GET", w.endpoint()+"/me", nil)
	two.Header.Add("Authorization", "Bearer "+c.ConsumerKey)
	two.Header.Add("Authorization", "Bearer "+w.creds[ted].ConsumerKey)
	if res, err := http.DefaultClient.Do(two); err != nil || res.StatusCode != 401 {
		t.Errorf("two Authorization headers: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	// A signed call's header twice (a proxy adding its own, a client's
	// bug): refused, naming it, not the first taken, even when the
	// first values sign the call right.
	for _, hd := range []string{"X-Ovh-Application", "X-Ovh-Consumer", "X-Ovh-Timestamp", "X-Ovh-Signature"} {
		ts := strconv.FormatInt(w.clock.Now().Unix(), 10)
		req, _ := http.NewRequest("GET", w.endpoint()+"/me", nil)
		req.Header.Set("X-Ovh-Application", c.ApplicationKey)
		req.Header.Set("X-Ovh-Consumer", c.ConsumerKey)
		req.Header.Set("X-Ovh-Timestamp", ts)
		req.Header.Set("X-Ovh-Signature", api.Signature(c.ApplicationSecret, c.ConsumerKey, http.MethodGet, w.endpoint()+"/me", nil, ts))
		req.Header.Add(hd, "1")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]string
		json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if res.StatusCode != 401 || !strings.Contains(body["message"], "send one "+hd+" header") {
			t.Errorf("%s twice: %d %v", hd, res.StatusCode, body)
		}
	}

	// A removed key stops at once, signed or bearer; the others go on.
	out := contactdesk(t, w.db, "api-key", "remove", c.ApplicationKey)
	if !strings.Contains(out, c.ApplicationKey) {
		t.Fatalf("api-key remove: %q", out)
	}
	apiError(t, w.client(ada).Get("/me", &me), 403, "Client::Forbidden", "a removed key")
	apiError(t, bearer.Get("/me", &me), 403, "Client::Forbidden", "a removed key as a bearer")
	if err := w.client(ted).Get("/me", &me); err != nil {
		t.Fatalf("another key after a removal: %v", err)
	}

	// Neither the consumer key nor the secret is in the database's files.
	var files []byte
	for _, f := range []string{w.db, w.db + "-wal"} {
		b, _ := os.ReadFile(f)
		files = append(files, b...)
	}
	if len(files) == 0 {
		t.Fatal("nothing read of the database")
	}
	for h, c := range w.creds {
		for _, s := range []string{c.ApplicationSecret, c.ConsumerKey} {
			if bytes.Contains(files, []byte(s)) {
				t.Errorf("the database holds a credential of %s as it is", h)
			}
		}
	}
	// A node given another key file can't open the secrets sealed
	// under the first: not a failure of the desk (trying again never
	// helps) but a key that can't be used there, refused as the
	// provider refuses an unusable application key, saying it must be
	// made again; the log says it once per key, however many calls.
	otherBox, _, err := api.LoadSecretKey(filepath.Join(t.TempDir(), "other.api_key"))
	if err != nil {
		t.Fatal(err)
	}
	var log syncbuf.Buffer
	srv := httptest.NewServer(api.New(w.desk, api.Options{Secrets: otherBox, Logger: slog.New(slog.NewTextHandler(&log, nil))}))
	defer srv.Close()
	cl, _ = ovh.NewClient(srv.URL+"/1.0", other.ApplicationKey, other.ApplicationSecret, other.ConsumerKey)
	for range 3 {
		e := apiError(t, cl.Get("/me", &me), 403, "Client::Forbidden", "a secret sealed under another key file")
		if !strings.Contains(e.Message, "this application key can't be used with this server") || !strings.Contains(e.Message, "contactdesk api-key add") {
			t.Errorf("message %q", e.Message)
		}
	}
	req, _ := http.NewRequest("GET", srv.URL+"/1.0/me", nil)
	req.Header.Set("X-Ovh-Application", other.ApplicationKey)
	req.Header.Set("X-Ovh-Consumer", other.ConsumerKey)
	req.Header.Set("X-Ovh-Timestamp", strconv.FormatInt(w.clock.Now().Unix(), 10))
	req.Header.Set("X-Ovh-Signature", "$1$0")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if res.StatusCode != 403 || body["errorCode"] != "INVALID_KEY" {
		t.Errorf("the error's code: %d %v", res.StatusCode, body)
	}
	l := log.String()
	if strings.Count(l, "does not open with this server's API secret key") != 1 || !strings.Contains(l, "api-key add") ||
		strings.Count(l, "status=403 ") != 4 || strings.Count(l, "app_key="+other.ApplicationKey) != 5 || strings.Contains(l, "status=500") {
		t.Errorf("the log:\n%s", l)
	}
	// Its consumer key still works as a bearer, as the README says.
	bearerOther, _ := ovh.NewAccessTokenClient(srv.URL+"/1.0", other.ConsumerKey)
	if err := bearerOther.Get("/me", &me); err != nil {
		t.Errorf("the key as a bearer on that node: %v", err)
	}
}

// TestNetworkRate: the addresses of one IPv6 /48 make four times an
// address's calls a minute together, then are told to wait, their
// network named; an address of another /48, or of IPv4, still calls.
// Before, each /64 had a rate of its own, and whoever held a /48 (65,536
// of them) made as many calls as so many addresses.
func TestNetworkRate(t *testing.T) {
	w := newWorld(t, api.Options{AddrRate: 2, ClientAddr: func(r *http.Request) string { return r.Header.Get("X-Test-Client") }})
	call := func(client string) (int, string) {
		req, _ := http.NewRequest("GET", w.endpoint()+"/auth/time", nil)
		req.Header.Set("X-Test-Client", client)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for i := range 4 {
		for range 2 {
			if status, body := call(fmt.Sprintf("[2001:db8:1:%x::7]:4000", i)); status != 200 {
				t.Fatalf("address %d of the /48: %d %s", i, status, body)
			}
		}
	}
	status, body := call("[2001:db8:1:ff::7]:4000")
	// one call every 7.5 s for the /48: 8 s at once, less by the time
	// the calls above took (on the real clock, under load more than 0.5 s)
	if status != 429 || !regexp.MustCompile(`too many calls from your network \(its IPv6 /48\); try again in [1-8] s`).MatchString(body) {
		t.Errorf("a fifth address of the /48: %d %s", status, body)
	}
	for _, other := range []string{"[2001:db8:2::7]:4000", "192.0.2.10:50000"} {
		if status, body := call(other); status != 200 {
			t.Errorf("%s: %d %s", other, status, body)
		}
	}
	if !strings.Contains(w.log.String(), `route="GET /1.0/auth/time" status=429`) || !strings.Contains(w.log.String(), "limit=network") {
		t.Errorf("the log of the refused call:\n%s", w.log.String())
	}
}

// TestRateLimits: past its key's rate, or its address's, a client is
// told to wait, with Retry-After.
func TestRateLimits(t *testing.T) {
	w := newWorld(t, api.Options{KeyRate: 3, AddrRate: 8})
	var me map[string]any
	cl := w.client(ada)
	for i := range 3 {
		if err := cl.Get("/me", &me); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	e := apiError(t, cl.Get("/me", &me), 429, "Client::TooManyRequests", "a 4th call a minute with a key allowed 3")
	if !strings.Contains(e.Message, "API key") {
		t.Errorf("message %q", e.Message)
	}
	// Another key from the same address still has its own calls…
	req, _ := http.NewRequest("GET", w.endpoint()+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+w.creds[ted].ConsumerKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("another key: %d", res.StatusCode)
	}
	// …until the address's rate is spent (go-ovh's /auth/time calls and
	// the refused ones count).
	var last *http.Response
	for range 8 {
		res, err := http.DefaultClient.Do(req.Clone(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		last = res
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" || last.Header.Get("Retry-After") == "0" {
		t.Fatalf("past the address's rate: %d, Retry-After %q", last.StatusCode, last.Header.Get("Retry-After"))
	}
	// The log names the route of a call refused for its rate, whichever
	// rate: the key's (one line) and the address's (the others).
	log := w.log.String()
	if n := strings.Count(log, `route="GET /1.0/me" status=429`); n < 2 || strings.Count(log, "status=429") != n || strings.Contains(log, "route=unknown") {
		t.Errorf("%d lines of a refused call to /me:\n%s", n, log)
	}
}

// TestHTTPEdges: unknown routes, big bodies, bad JSON, a broken store:
// always the provider's error shape, never a trace.
func TestHTTPEdges(t *testing.T) {
	w := newWorld(t, api.Options{})
	do := func(method, path, auth string, body io.Reader) (int, http.Header, map[string]any) {
		res, b := w.bare(t, method, path, auth, body)
		var out map[string]any
		if err := json.Unmarshal(b, &out); err != nil && res.StatusCode >= 300 {
			t.Fatalf("%s %s: %d with a body that is not JSON: %q", method, path, res.StatusCode, b)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
		return res.StatusCode, res.Header, out
	}
	ck := w.creds[ada].ConsumerKey
	// What a message says of a body or an id it can't take.
	for _, c := range []struct{ method, path, body, says string }{
		{"POST", "/domain/" + domain + "/changeContact", `[]`, "an object is expected, not an array"},
		{"POST", "/domain/" + domain + "/changeContact", `"tech"`, "an object is expected, not a string"},
		{"POST", "/domain/" + domain + "/changeContact", `{"contactTech": 5}`, "contactTech must be a string"},
		{"POST", "/domain/" + domain + "/changeContact", `{"contactTech"`, "not valid JSON"},
		{"GET", "/me/task/contactChange/0", "", "the task id must be a whole number above 0"},
		{"GET", "/me/task/contactChange", `{"state": "done"}`, "You provided an input body while none was expected"},
		{"GET", "/me", `{}`, "You provided an input body while none was expected"},
		{"GET", "/me", " ", "You provided an input body while none was expected"},
	} {
		code, _, body := do(c.method, c.path, ck, strings.NewReader(c.body))
		if msg, _ := body["message"].(string); code != 400 || !strings.Contains(msg, c.says) {
			t.Errorf("%s %s %s: %d %q, want 400 saying %q", c.method, c.path, c.body, code, msg, c.says)
		}
	}
	for _, c := range []struct {
		method, path string
		body         string
		status       int
		class        string
	}{
		{"GET", "/nothing/here", "", 404, "Client::NotFound"},
		{"DELETE", "/me", "", 404, "Client::NotFound"},
		{"GET", "/domain/", "", 404, "Client::NotFound"},
		{"GET", "/me/task/contactChange/abc", "", 400, "Client::BadRequest"},
		{"GET", "/me/task/contactChange/999", "", 404, "Client::NotFound"},
		{"POST", "/domain/" + domain + "/changeContact", `{"contactTech": 5}`, 400, "Client::BadRequest"},
		{"POST", "/domain/" + domain + "/changeContact", `not json`, 400, "Client::BadRequest"},
		{"POST", "/domain/" + domain + "/changeContact", `{}`, 400, "Client::BadRequest"},
		{"POST", "/domain/" + domain + "/changeContact", `{"contactTech": "zz99999-ovh"}`, 400, "Client::BadRequest"},
		{"POST", "/domain/" + domain + "/changeContact", `{"contactTech": "` + string(ted) + `"}`, 409, "Client::Conflict"},
		{"POST", "/domain/" + domain + "/changeContact", `{"contactTech": "` + strings.Repeat("x", 70<<10) + `"}`, 413, "Client::RequestEntityTooLarge"},
		{"POST", "/me/task/contactChange/1/accept", `{}`, 400, "Client::BadRequest"},
	} {
		code, _, body := do(c.method, c.path, ck, strings.NewReader(c.body))
		if code != c.status || body["class"] != c.class || body["message"] == "" {
			t.Errorf("%s %s %.40q: %d %v, want %d %s", c.method, c.path, c.body, code, body, c.status, c.class)
		}
	}
	// Nothing those calls sent was stored.
	if rs, _ := w.desk.Requests(w.ctx, ada); len(rs) != 0 {
		t.Errorf("refused calls stored %d requests", len(rs))
	}
	// The store gone: a 500 in the provider's shape, without the detail.
	w.desk.Store().Close()
	code, _, body := do("GET", "/me", ck, nil)
	msg, _ := body["message"].(string)
	if code != 500 || body["class"] != "Server::InternalServerError" || strings.Contains(strings.ToLower(msg), "sql") || strings.Contains(msg, "closed") {
		t.Errorf("a broken store: %d %v", code, body)
	}
	if !strings.Contains(w.log.String(), "level=ERROR") {
		t.Errorf("the failure was not logged:\n%s", w.log.String())
	}
	// /auth/time needs no credentials, and answers a Unix time.
	code, _, _ = do("GET", "/auth/time", "", nil)
	if code != 200 {
		t.Errorf("/auth/time: %d", code)
	}
}

// TestMetricsNameTheRoute: serve's metrics count each API call by its
// route, as its log line names it, not by its method alone.
func TestMetricsNameTheRoute(t *testing.T) {
	w := newWorld(t, api.Options{})
	m := metrics.New()
	srv := httptest.NewServer(m.HTTP("api", api.New(w.desk, api.Options{Secrets: w.box, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})))
	defer srv.Close()
	c := w.creds[ada]
	cl, err := ovh.NewClient(srv.URL+"/1.0", c.ApplicationKey, c.ApplicationSecret, c.ConsumerKey)
	if err != nil {
		t.Fatal(err)
	}
	var me map[string]any
	if err := cl.Get("/me", &me); err != nil {
		t.Fatal(err)
	}
	cl.Get("/me/task/contactChange/999", &me) // 404
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range fams {
		if f.GetName() != "contactdesk_http_requests_total" {
			continue
		}
		for _, mt := range f.Metric {
			labels := map[string]string{}
			for _, l := range mt.Label {
				labels[l.GetName()] = l.GetValue()
			}
			got[labels["route"]+" "+labels["status"]] += mt.GetCounter().GetValue()
		}
	}
	for _, want := range []string{"GET /1.0/me 2xx", "GET /1.0/me/task/contactChange/{id} 4xx"} {
		if got[want] != 1 {
			t.Errorf("contactdesk_http_requests_total: %v, want 1 of %q", got, want)
		}
	}
}

// TestHostileMethodInTheLog: a method the client makes up, of any
// length, is written OTHER in the call's log line: 15,000 characters
// sent 10,000 times wrote 154 MiB of log.
func TestHostileMethodInTheLog(t *testing.T) {
	w := newWorld(t, api.Options{})
	long := strings.Repeat("X", 15000)
	for _, path := range []string{"/me", "/nothing/here", "//me", "/auth/time"} {
		res, body := w.bare(t, long, path, w.creds[ada].ConsumerKey, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%.10s… %s: %d %s", long, path, res.StatusCode, body)
		}
	}
	log := w.log.String()
	if n := strings.Count(log, `msg="api call" method=OTHER `); n != 4 || len(log) > 4*300 {
		t.Errorf("%d lines with method=OTHER for 4 calls, %d bytes of log:\n%.2000s", n, len(log), log)
	}
}

// TestRefusedCallsDoNotFloodTheLog: a client past its rate is refused
// each call (429), and each is counted in the metrics, but the log has
// a line for the first alone, then one a minute (here: every 400 ms)
// counting those refused meanwhile, while they go on: a line per
// refused call let one client write the log as fast as it could send.
// The same for an API key past its rate.
func TestRefusedCallsDoNotFloodTheLog(t *testing.T) {
	const every = time.Second
	api.RefusedLogEvery(t, every)
	w := newWorld(t, api.Options{})
	m := metrics.New()
	log := &syncbuf.Buffer{}
	srv := httptest.NewServer(m.HTTP("api", api.New(w.desk, api.Options{Secrets: w.box, AddrRate: 3, KeyRate: 2,
		Logger: slog.New(slog.NewTextHandler(log, nil)), ClientAddr: clientinfo.FromHeader("X-Real-IP")})))
	defer srv.Close()
	call := func(client, path, ck string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/1.0"+path, nil)
		req.Header.Set("X-Real-IP", client)
		if ck != "" {
			req.Header.Set("Authorization", "Bearer "+ck)
		}
		return statusOf(t, req)
	}
	lines := func(s string) int { return strings.Count(log.String(), s) }
	// An address: 3 calls, then 200 refused.
	for range 3 {
		call("203.0.113.5", "/auth/time", "")
	}
	for i := range 200 {
		if code := call("203.0.113.5", "/auth/time", ""); code != http.StatusTooManyRequests {
			t.Fatalf("refused call %d: %d", i+1, code)
		}
	}
	// A key: 2 calls, then 50 refused (from addresses of their own).
	ck := w.creds[ada].ConsumerKey
	for i := range 52 {
		call(fmt.Sprintf("198.51.100.%d", i+1), "/me", ck)
	}
	// The first refusal of the address and of the key each get a line;
	// one that follows a quiet while (every) starts anew, and a loaded
	// machine may make such a while between two of these calls: a few
	// more, never a line each.
	if n := lines("status=429"); n < 2 || n > 6 || len(regexp.MustCompile(`status=429 [^\n]* limit=(address|key)\n`).FindAllString(log.String(), -1)) != n {
		t.Errorf("%d lines of refused calls, want 2 (the first of the address's, the first of the key's):\n%s", n, log.String())
	}
	for _, want := range []string{
		`route="GET /1.0/auth/time" status=429`, "remote=203.0.113.5 query_id=",
		`route="GET /1.0/me" status=429`, "app_key=" + w.creds[ada].ApplicationKey + " limit=key",
	} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log has no %q:\n%s", want, log.String())
		}
	}
	// Every refused call is counted in the metrics.
	fams, _ := m.Registry().Gather()
	refused := 0.0
	for _, f := range fams {
		if f.GetName() == "contactdesk_http_requests_total" {
			for _, mt := range f.Metric {
				for _, l := range mt.Label {
					if l.GetName() == "status" && l.GetValue() == "4xx" {
						refused += mt.GetCounter().GetValue()
					}
				}
			}
		}
	}
	if refused != 250 {
		t.Errorf("the metrics counted %v refused calls, want 250", refused)
	}
	// While they go on, a line every so often counts them; once they
	// stop, nothing more.
	for range 10 {
		call("203.0.113.5", "/auth/time", "")
	}
	// Every refusal is in the log once: on a line of its own (the
	// first), or counted by a line that follows.
	counted := func() (lines int, refused map[string]int) {
		refused = map[string]int{}
		re := regexp.MustCompile(`level=WARN msg="api calls refused past the rate" (limit=address remote=203\.0\.113\.5|limit=key app_key=\S+) refused=(\d+) within=` + every.String() + "\n")
		for _, m := range re.FindAllStringSubmatch(log.String(), -1) {
			n, _ := strconv.Atoi(m[2])
			refused[m[1]] += n
			lines++
		}
		own := regexp.MustCompile(`status=429 [^\n]*(remote=203\.0\.113\.5) [^\n]*limit=address\n|status=429 [^\n]*(app_key=\S+) limit=key\n`)
		for _, m := range own.FindAllStringSubmatch(log.String(), -1) {
			if m[1] != "" {
				refused["limit=address "+m[1]]++
			} else {
				refused["limit=key "+m[2]]++
			}
		}
		return lines, refused
	}
	// The last line comes within two whiles of the last refusal, by a
	// timer: waited for, as a busy machine can fire it late.
	want := map[string]int{"limit=address remote=203.0.113.5": 210, "limit=key app_key=" + w.creds[ada].ApplicationKey: 50}
	n, got := counted()
	for deadline := time.Now().Add(20 * time.Second); !maps.Equal(got, want) && time.Now().Before(deadline); n, got = counted() {
		time.Sleep(20 * time.Millisecond)
	}
	if !maps.Equal(got, want) || n > 8 {
		t.Errorf("%d lines counting %v refused calls, want %v:\n%s", n, got, want, log.String())
	}
	time.Sleep(3 * every)
	if again, _ := counted(); again != n || lines("api calls refused past the rate") != n {
		t.Errorf("lines counting refused calls once they stopped:\n%s", log.String())
	}
	// The next refusal starts again.
	before, refusedBefore := lines("remote=203.0.113.5 query_id="), lines("status=429")
	call("203.0.113.5", "/auth/time", "")
	if lines("remote=203.0.113.5 query_id=") != before+1 || lines("status=429") != refusedBefore+1 {
		t.Errorf("a refusal after a quiet while is not logged:\n%s", log.String())
	}
}
