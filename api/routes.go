package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"contactdesk/model"
)

// routes serves every route of the API on h.mux. A route added here
// needs its row in the README's table of routes (with the query
// parameters it takes, authed's first argument), which
// TestEveryRouteIsInTheReadme checks; one added under /1.0/auth/ is
// callable by every consumer key whatever its access rules (authed), as
// a key may always read and revoke itself.
func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("GET /1.0/auth/time", func(w http.ResponseWriter, r *http.Request) {
		if _, e := params(nil).read(r); e != nil {
			writeError(w, e)
			return
		}
		writeJSON(w, http.StatusOK, h.d.Now().Unix())
	})
	m.HandleFunc("POST /1.0/auth/credential", h.askCredential)
	m.Handle("GET /1.0/auth/currentCredential", h.authed(nil, h.currentCredential))
	m.Handle("POST /1.0/auth/logout", h.authed(nil, h.logout))
	// The second argument of authed is the query parameters a route
	// takes (nil: none), as the README's table of routes shows them.
	m.Handle("GET /1.0/me", h.authed(nil, h.me))
	m.Handle("GET /1.0/me/task/contactChange", h.authed(taskFilters, h.tasks))
	m.Handle("GET /1.0/me/task/contactChange/{id}", h.authed(nil, h.task))
	m.Handle("POST /1.0/me/task/contactChange/{id}/accept", h.authed(nil, h.answer(h.d.Accept)))
	m.Handle("POST /1.0/me/task/contactChange/{id}/refuse", h.authed(nil, h.answer(h.d.Refuse)))
	m.Handle("POST /1.0/me/task/contactChange/{id}/resendEmail", h.authed(nil, h.resend))
	m.Handle("POST /1.0/me/task/contactChange/{id}/cancel", h.authed(nil, h.cancel))
	m.Handle("POST /1.0/me/changeEmail", h.authed(nil, h.changeEmail))
	m.Handle("GET /1.0/me/task/emailChange", h.authed(emailFilters, h.emailTasks))
	m.Handle("GET /1.0/me/task/emailChange/{id}", h.authed(nil, h.emailTask))
	m.Handle("POST /1.0/me/task/emailChange/{id}/accept", h.authed(nil, h.answerEmail(h.d.ConfirmEmail)))
	m.Handle("POST /1.0/me/task/emailChange/{id}/refuse", h.authed(nil, h.answerEmail(h.d.RefuseEmail)))
	for _, p := range ServicePaths {
		m.Handle("GET /1.0/"+p.Path, h.authed(nil, h.services(p)))
		m.Handle("GET /1.0/"+p.Path+"/{name}/serviceInfos", h.authed(nil, h.serviceInfos(p)))
		m.Handle("POST /1.0/"+p.Path+"/{name}/changeContact", h.authed(nil, h.changeContact(p)))
	}
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeError(w, notFound()) })
}

// notFound answers a call to no route, in the provider's words.
func notFound() *Error { return fail(http.StatusNotFound, "", "Got an invalid (or empty) URL") }

// date writes a time as the provider does: ISO 8601, here in UTC.
func date(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// amount is money as a JSON number with two decimals: 42.50.
type amount model.Cents

// MarshalJSON writes the amount with two decimals.
func (a amount) MarshalJSON() ([]byte, error) { return []byte(model.FormatAmount(model.Cents(a))), nil }

// me is GET /me: the provider's nichandle, name and email, and what the
// Profile shows besides (contactdesk's fields).
type me struct {
	Nichandle        string `json:"nichandle"`
	Name             string `json:"name"`
	Email            string `json:"email"`
	PaymentsUpToDate bool   `json:"paymentsUpToDate"`
	AmountOwed       amount `json:"amountOwed"`
}

func (h *Handler) me(c *call) (any, error) {
	a, err := h.d.Account(c.ctx, c.who)
	if err != nil {
		return nil, err
	}
	return me{Nichandle: string(a.Handle), Name: a.Name, Email: a.Email, PaymentsUpToDate: a.UpToDate(), AmountOwed: amount(a.Owes)}, nil
}

// task is a request as the provider's nichandle.contactChange.Task, with
// contactdesk's additions after it.
type task struct {
	ID            int64    `json:"id"`
	AskingAccount string   `json:"askingAccount"`
	ContactTypes  []string `json:"contactTypes"`
	DateRequest   string   `json:"dateRequest"`
	DateDone      *string  `json:"dateDone"`
	FromAccount   string   `json:"fromAccount"`
	ToAccount     string   `json:"toAccount"`
	ServiceDomain string   `json:"serviceDomain"`
	State         string   `json:"state"`
	// contactdesk's: when it expires unless everyone answered, who is
	// still awaited, and why it ended.
	DateExpiry       string   `json:"dateExpiry"`
	AwaitingAccounts []string `json:"awaitingAccounts"`
	Reason           string   `json:"reason"`
}

// contactTypes are the provider's names of the roles.
var contactTypes = map[model.Role]string{model.Admin: "administrator", model.Tech: "tech", model.Billing: "billing"}

// stateName is a request's state as the provider names it: cancelled
// is its aborted; the others are the same.
func stateName(s model.State) string {
	if s == model.StateCancelled {
		return "aborted"
	}
	return string(s)
}

// taskStates are the provider's states of a task, which a filter may
// name (some of them no contactdesk request is ever in).
var taskStates = []string{"aborted", "checkValidity", "doing", "done", "error", "expired", "refused", "todo", "validatingByCustomers"}

func taskOf(r model.Request) task {
	t := task{ID: r.ID, AskingAccount: string(r.Requester), DateRequest: date(r.Created), FromAccount: string(r.From), ToAccount: string(r.To),
		ServiceDomain: r.Service, State: stateName(r.State), DateExpiry: date(r.Expires), AwaitingAccounts: []string{}, Reason: r.Reason}
	for _, role := range r.Roles {
		t.ContactTypes = append(t.ContactTypes, contactTypes[role])
	}
	if !r.Ended.IsZero() {
		d := date(r.Ended)
		t.DateDone = &d
	}
	for _, h := range r.Awaited() {
		t.AwaitingAccounts = append(t.AwaitingAccounts, string(h))
	}
	return t
}

// tasks is GET /me/task/contactChange: the ids of the requests the
// caller is a party to, oldest first, narrowed by askingAccount,
// toAccount and state (taskFilters, checked before).
func (h *Handler) tasks(c *call) (any, error) {
	state, asking, to := c.query["state"], c.query["askingAccount"], c.query["toAccount"]
	rs, err := h.d.Requests(c.ctx, c.who)
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for _, r := range rs {
		if (state == "" || stateName(r.State) == state) && (asking == "" || string(r.Requester) == asking) && (to == "" || string(r.To) == to) {
			ids = append(ids, r.ID)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

func taskID(c *call) (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fail(http.StatusBadRequest, "INVALID_PARAMETER", "the task id must be a whole number above 0")
	}
	return id, nil
}

// task is GET /me/task/contactChange/{id}.
func (h *Handler) task(c *call) (any, error) {
	id, err := taskID(c)
	if err != nil {
		return nil, err
	}
	r, err := h.d.Request(c.ctx, c.who, id)
	if err != nil {
		return nil, err
	}
	return taskOf(r), nil
}

// answer is POST …/accept and …/refuse, with {"token": "…"}: the
// provider answers null.
func (h *Handler) answer(do func(ctx context.Context, actor model.Handle, id int64, token string) (model.Request, error)) route {
	return func(c *call) (any, error) {
		id, err := taskID(c)
		if err != nil {
			return nil, err
		}
		token, err := tokenOf(c)
		if err != nil {
			return nil, err
		}
		_, err = do(c.ctx, c.who, id, token)
		return nil, err
	}
}

// tokenOf reads the body of an answer, {"token": "…"}.
func tokenOf(c *call) (string, error) {
	var in struct {
		Token string `json:"token"`
	}
	if err := decode(c, &in); err != nil {
		return "", err
	}
	if strings.TrimSpace(in.Token) == "" {
		return "", fail(http.StatusBadRequest, "INVALID_PARAMETER", `give the token of your mail: {"token": "…"}`)
	}
	return in.Token, nil
}

// resend is POST …/resendEmail: a fresh token by mail.
func (h *Handler) resend(c *call) (any, error) {
	if err := decode(c, &struct{}{}); err != nil {
		return nil, err
	}
	id, err := taskID(c)
	if err != nil {
		return nil, err
	}
	_, err = h.d.Resend(c.ctx, c.who, id)
	return nil, err
}

// cancel is POST …/cancel, contactdesk's: the requester withdraws it.
func (h *Handler) cancel(c *call) (any, error) {
	if err := decode(c, &struct{}{}); err != nil {
		return nil, err
	}
	id, err := taskID(c)
	if err != nil {
		return nil, err
	}
	_, err = h.d.Cancel(c.ctx, c.who, id)
	return nil, err
}

// services is GET /{path}: the names of the caller's services of the
// path's type.
func (h *Handler) services(p ServicePath) route {
	return func(c *call) (any, error) {
		ss, err := h.d.Services(c.ctx, c.who)
		if err != nil {
			return nil, err
		}
		names := []string{}
		for _, s := range ss {
			if s.Type == p.Type {
				names = append(names, s.Name)
			}
		}
		return names, nil
	}
}

// service loads one of the caller's services of the path's type: one of
// another type is not found here, as the provider keeps each product
// under its own path.
func (h *Handler) service(c *call, p ServicePath) (model.Service, error) {
	s, err := h.d.Service(c.ctx, c.who, c.r.PathValue("name"))
	if err != nil {
		return model.Service{}, err
	}
	if s.Type != p.Type {
		return model.Service{}, fail(http.StatusNotFound, "", "no service of type "+p.Type+" named "+s.Name+" among those of "+string(c.who)+" (it is a "+s.Type+": /1.0/"+pathOf(s.Type)+")")
	}
	return s, nil
}

func pathOf(typ string) string {
	for _, p := range ServicePaths {
		if p.Type == typ {
			return p.Path
		}
	}
	return typ
}

// serviceInfos is GET /{path}/{name}/serviceInfos, the provider's
// services.Service as far as contactdesk knows it.
type serviceInfos struct {
	Domain         string `json:"domain"`
	ServiceID      int64  `json:"serviceId"`
	ContactAdmin   string `json:"contactAdmin"`
	ContactTech    string `json:"contactTech"`
	ContactBilling string `json:"contactBilling"`
	Creation       string `json:"creation"`
	Status         string `json:"status"`
}

func (h *Handler) serviceInfos(p ServicePath) route {
	return func(c *call) (any, error) {
		s, err := h.service(c, p)
		if err != nil {
			return nil, err
		}
		return serviceInfos{Domain: s.Name, ServiceID: s.ID, ContactAdmin: string(s.Admin), ContactTech: string(s.Tech), ContactBilling: string(s.Billing),
			Creation: s.Created.UTC().Format(time.DateOnly), Status: "ok"}, nil
	}
}

// changeContactBody is the body of changeContact: the new contact of
// each role to change, named as serviceInfos names the roles.
type changeContactBody struct {
	Admin   *string `json:"contactAdmin"`
	Tech    *string `json:"contactTech"`
	Billing *string `json:"contactBilling"`
}

// changeContact is POST /{path}/{name}/changeContact with any of
// contactAdmin, contactTech, contactBilling: the roles going to one
// account make one change, and all the changes are asked for at once
// (all stored, or none). It answers the new tasks' ids: one per
// outgoing contact, as the provider makes them.
func (h *Handler) changeContact(p ServicePath) route {
	return func(c *call) (any, error) {
		var in changeContactBody
		if err := decode(c, &in); err != nil {
			return nil, err
		}
		s, err := h.service(c, p)
		if err != nil {
			return nil, err
		}
		var changes []model.NewRequest
		for _, x := range []struct {
			role model.Role
			to   *string
		}{{model.Admin, in.Admin}, {model.Tech, in.Tech}, {model.Billing, in.Billing}} {
			if x.to == nil {
				continue
			}
			to := strings.ToLower(strings.TrimSpace(*x.to))
			i := slices.IndexFunc(changes, func(n model.NewRequest) bool { return n.To == to })
			if i < 0 {
				changes = append(changes, model.NewRequest{Service: s.Name, To: to})
				i = len(changes) - 1
			}
			changes[i].Roles = append(changes[i].Roles, x.role)
		}
		if len(changes) == 0 {
			return nil, fail(http.StatusBadRequest, "INVALID_PARAMETER", "give at least one of contactAdmin, contactTech, contactBilling: the NIC handle of the new contact")
		}
		rs, err := h.d.CreateRequests(c.ctx, c.who, changes)
		if err != nil {
			return nil, err
		}
		ids := make([]int64, len(rs))
		for i, r := range rs {
			ids[i] = r.ID
		}
		slices.Sort(ids)
		return ids, nil
	}
}
