package api

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"contactdesk/internal/ratelimit"
	"contactdesk/model"
)

// POST /1.0/auth/credential: a program asks for a consumer key, the
// provider's way, with its application key alone (X-Ovh-Application,
// unsigned: it has no consumer key yet) and the access rules it wants.
// The key is made awaiting validation by the application's account, on
// the web page at validationUrl; until then every call with it is
// refused (INVALID_CREDENTIAL). go-ovh's NewCkRequest().Do() and
// python-ovh's request_consumerkey call it.

// Defaults of the asking of consumer keys, per application key and
// asking network (askNetwork): a script asks for one now and then (a
// fresh one when a person is to validate it); more than
// DefaultCredentialBurst at once, then one every DefaultCredentialEvery,
// is a loop gone wrong. Counted per network too, not per application
// key alone: the application key is no secret, and whoever knows one
// could otherwise keep its bucket empty and its owner refused.
const (
	DefaultCredentialBurst = 10
	DefaultCredentialEvery = 6 * time.Minute
)

// credentialAsked is the provider's answer: where the account validates
// the key, the key, and its state.
type credentialAsked struct {
	ValidationURL string `json:"validationUrl"`
	ConsumerKey   string `json:"consumerKey"`
	State         string `json:"state"`
}

func (h *Handler) askCredential(w http.ResponseWriter, r *http.Request) {
	info := r.Context().Value(infoKey{}).(*callInfo)
	body, e := readBody(w, r, h.o.MaxBody)
	if e != nil {
		writeError(w, e)
		return
	}
	if _, e := params(nil).read(r); e != nil {
		writeError(w, e)
		return
	}
	if len(r.Header.Values("X-Ovh-Application")) > 1 {
		writeError(w, fail(http.StatusForbidden, "INVALID_KEY", "send one X-Ovh-Application header: which of them was meant can't be known"))
		return
	}
	appKey := strings.TrimSpace(r.Header.Get("X-Ovh-Application"))
	if appKey == "" {
		writeError(w, fail(http.StatusForbidden, "INVALID_KEY", "Invalid application key: send it in X-Ovh-Application"))
		return
	}
	// No application key is longer, nor of bytes that are not UTF-8
	// (a header may carry any byte from 0x80 up): such a key is refused
	// as any other the desk does not know, before its look-up, which
	// PostgreSQL failed (a 500, and an ERROR in the log, for each call).
	if len(appKey) > 64 || !utf8.ValidString(appKey) {
		writeError(w, fail(http.StatusForbidden, "INVALID_KEY", "Invalid application key"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.o.Timeout)
	defer cancel()
	now := h.d.Now()
	// python-ovh sends "redirection" and "allowedIPs" as null when not
	// given.
	var in struct {
		AccessRules *[]model.APIRule `json:"accessRules"`
		Redirection *string          `json:"redirection"`
		AllowedIPs  *[]string        `json:"allowedIPs"`
	}
	c := &call{ctx: ctx, r: r, body: body, now: now}
	if err := decode(c, &in); err != nil {
		h.answerError(w, info, err, now)
		return
	}
	if in.AccessRules == nil {
		writeError(w, badParameter(`give accessRules: the calls the key may make, such as [{"method": "GET", "path": "/me/*"}]`))
		return
	}
	if in.AllowedIPs != nil && len(*in.AllowedIPs) > 0 {
		// a restriction this desk can't keep: refused, not ignored
		writeError(w, badParameter("allowedIPs is not supported here: a consumer key works from any address; ask without it (null or [])"))
		return
	}
	redirection := ""
	if in.Redirection != nil {
		redirection = *in.Redirection
	}
	// A body the desk would refuse is refused before the ask is counted:
	// a developer mending a hand-written body, try after try, is not
	// asking for keys (the API's rate per address bounds such tries).
	if _, err := model.CheckAPIRules(*in.AccessRules); err != nil {
		h.answerError(w, info, err, now)
		return
	}
	if _, err := model.CheckRedirection(redirection); err != nil {
		h.answerError(w, info, err, now)
		return
	}
	// Counted before the key is looked up: unknown keys tried in a
	// loop are limited too (by their own name, in bounded memory).
	from := askNetwork(h.o.ClientAddr(r))
	if ok, wait := h.asks.Allow(appKey+" "+from, time.Now()); !ok {
		info.limit, info.appKey, info.askFrom = "key", appKey, from
		e := fail(http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "too many consumer keys asked for with this application key from your network; try again in "+retrySeconds(wait)+" s")
		e.RetryAfter = wait
		writeError(w, e)
		return
	}
	got, err := h.d.AskCredentialFrom(ctx, from, appKey, *in.AccessRules, redirection)
	if err != nil {
		if model.FieldOf(err) == "application" {
			info.appKey = ""
		}
		h.answerError(w, info, err, now)
		return
	}
	info.appKey = appKey
	url := got.ValidationURL
	if url == "" {
		// no public-url: the page is served beside the API, at the
		// address this call came to
		base := strings.TrimSuffix(h.fullURL(r), r.RequestURI)
		url = model.CredentialWebLink(base, got.Token, "")
	}
	writeJSON(w, http.StatusOK, credentialAsked{ValidationURL: url, ConsumerKey: got.ConsumerKey, State: got.State})
}

// askNetwork names the network a consumer key is asked from, whose keys
// awaiting validation the desk bounds (model.MaxPendingCredentials): an
// IPv4 address, or the /48 of an IPv6 one, what one site is given (a
// /64 each would give whoever holds a /48 65,536 networks' worth of
// keys). addr is the client's address as Options.ClientAddr finds it:
// behind a reverse proxy, only with TrustProxy (or serve's
// --http-client-header) are its clients told apart.
func askNetwork(addr string) string {
	if n := ratelimit.NetKey(addr); n != "" {
		return n
	}
	return ratelimit.AddrKey(addr)
}

// credential is the provider's auth.Credential: the calling consumer
// key, never the key itself. applicationKey is contactdesk's (the
// provider numbers applications, applicationId; contactdesk names them
// by their key alone).
type credential struct {
	ApplicationKey string          `json:"applicationKey"`
	CredentialID   int64           `json:"credentialId"`
	Rules          []model.APIRule `json:"rules"`
	Status         string          `json:"status"`
	Creation       string          `json:"creation"`
	Expiration     *string         `json:"expiration"`
	LastUse        *string         `json:"lastUse"`
	OVHSupport     bool            `json:"ovhSupport"`
	AllowedIPs     *[]string       `json:"allowedIPs"`
}

// currentCredential is GET /auth/currentCredential: the consumer key the
// call was made with. This call is its last use.
func (h *Handler) currentCredential(c *call) (any, error) {
	k := c.key
	last := date(c.now)
	return credential{ApplicationKey: k.AppKey, CredentialID: k.ID, Rules: k.Rules, Status: k.StateAt(c.now), Creation: date(k.Created), LastUse: &last}, nil
}

// logout is POST /auth/logout: the calling consumer key is revoked (the
// provider answers null). Its application key and other consumer keys
// keep working.
func (h *Handler) logout(c *call) (any, error) {
	if err := decode(c, &struct{}{}); err != nil {
		return nil, err
	}
	// the key's last call: noted while it is there to note it on (a
	// revoked key is deleted)
	c.use()
	_, err := h.d.RevokeConsumerKey(c.ctx, c.key.AppKey, c.key.ID, c.key.Handle)
	return nil, err
}
