// Package api is contactdesk's HTTP API: the contact-change part of the
// provider's own API (/me/task/contactChange, /{service}/{name}/
// changeContact, serviceInfos…), with its authentication, its error
// shape and its names, so that the provider's official clients and the
// scripts written against them work by changing only their endpoint.
// Every call acts as the account of its API key, through model.Desk:
// the same rules, refusals, throttles and history as the terminal app.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"contactdesk/internal/clientinfo"
	"contactdesk/internal/connlimit"
	"contactdesk/internal/ratelimit"
	"contactdesk/metrics"
	"contactdesk/model"
)

// Prefix is where the API is mounted: the provider's version path.
const Prefix = "/1.0/"

// refusedLogEvery is how often, at most, the log speaks of the calls of
// one address or one API key refused past its rate, while they go on.
var refusedLogEvery = time.Minute

// Defaults of Options.
const (
	// DefaultKeyRate is how many calls a minute one API key may make (all
	// at once, then one every 100 ms): a script walking through a few
	// hundred services at full speed, not one flooding the desk.
	DefaultKeyRate = 600
	// DefaultAddrRate is how many calls a minute one address may make,
	// signed or not: twice a key's, for an office running a few scripts
	// behind one NAT.
	DefaultAddrRate = 1200
	// DefaultTimeout bounds one call's work, a little past PostgreSQL's
	// default statement timeout (15 s).
	DefaultTimeout = 20 * time.Second
	// DefaultMaxBody is the largest body a call may send: the biggest
	// the API reads (changeContact's three handles) is under 200 bytes.
	DefaultMaxBody = 64 << 10
	// NoLimit, given as a rate, turns that limit off.
	NoLimit = -1
)

// Options configure a Handler; zero values take the defaults.
type Options struct {
	// Secrets opens the application secrets of API keys to check
	// signatures (see LoadSecretKey). Without it only bearer calls work.
	Secrets model.SecretBox
	// Logger gets one line per call: method, route, status, duration,
	// application key, query id; never a credential, token or body. Of
	// the calls refused past a rate, only the first of each address or
	// key, then a count a minute while they go on.
	Logger *slog.Logger
	// TrustProxy: the server is reached through a reverse proxy that
	// sets X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host; the
	// client's address (unless ClientAddr says it), scheme and host are
	// read from them. Never set it when clients can reach the server
	// directly: they could claim any address. It implies BehindProxy.
	TrustProxy bool
	// BehindProxy: the server is reached through a reverse proxy (serve's
	// --trust-proxy or --http-client-header), which may terminate TLS and
	// pass on a Host of its own: a signed call may then be signed for the
	// desk's public-url too (https://desk.example.net and the path and
	// query the server received), the address the proxy publishes. The
	// X-Forwarded-* headers count only with TrustProxy.
	BehindProxy bool
	// ClientAddr says which client a call comes from, for the rate of
	// its address and its log line: serve gives the one the web page
	// counts its clients by (clientinfo.FromHeader behind a reverse
	// proxy). By default, the last X-Forwarded-For address with
	// TrustProxy, else the connection's.
	ClientAddr func(*http.Request) string
	// CredentialBurst consumer keys may be asked for at once with one
	// application key from one network (POST /1.0/auth/credential; an
	// IPv4 address, or an IPv6 /48), then one every
	// CredentialEvery (defaults: DefaultCredentialBurst,
	// DefaultCredentialEvery).
	CredentialBurst int
	CredentialEvery time.Duration
	KeyRate         int // calls a minute per API key (NoLimit: none)
	AddrRate        int // calls a minute per address, IPv6 by its /64, and connlimit.NetFactor times that per IPv6 /48 (NoLimit: none)
	Timeout         time.Duration
	MaxBody         int64
}

// Handler serves the API under Prefix.
type Handler struct {
	d     *model.Desk
	o     Options
	log   *slog.Logger
	mux   *http.ServeMux
	keys  *ratelimit.Keyed
	addrs *ratelimit.Keyed
	nets  *ratelimit.Keyed // the calls of each IPv6 /48's addresses together
	// asks limits the consumer keys asked for, per application key and
	// asking network
	asks *ratelimit.Keyed
	// sealedTold holds the application keys whose secret was found
	// sealed under another API secret key, and logged so once.
	sealedTold sync.Map
	// refusals keeps the log of the calls refused past a rate short:
	// a line for the first of a run, then a count a minute
	refusals *ratelimit.Refusals
}

// New returns the API over d.
func New(d *model.Desk, o Options) *Handler {
	if o.KeyRate == 0 {
		o.KeyRate = DefaultKeyRate
	}
	if o.AddrRate == 0 {
		o.AddrRate = DefaultAddrRate
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.CredentialBurst <= 0 {
		o.CredentialBurst = DefaultCredentialBurst
	}
	if o.CredentialEvery <= 0 {
		o.CredentialEvery = DefaultCredentialEvery
	}
	if o.MaxBody == 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.TrustProxy {
		o.BehindProxy = true
	}
	if o.ClientAddr == nil {
		o.ClientAddr = clientinfo.Remote
		if o.TrustProxy {
			o.ClientAddr = clientinfo.FromHeader("X-Forwarded-For")
		}
	}
	h := &Handler{d: d, o: o, log: o.Logger, keys: ratelimit.PerMinute(o.KeyRate, 0), addrs: ratelimit.PerMinute(o.AddrRate, 0), nets: ratelimit.PerMinute(connlimit.NetFactor*o.AddrRate, 0), mux: http.NewServeMux(),
		asks: ratelimit.New(o.CredentialBurst, o.CredentialEvery, 0)}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.refusals = ratelimit.NewRefusals(h.log, "api calls refused past the rate", refusedLogEvery)
	h.routes()
	return h
}

// callInfo is what a call's log line needs from deep inside it.
type callInfo struct {
	appKey string
	err    error // a failure of the desk, logged in detail
	// limit: the call was refused past the rate of its address
	// ("address"), of its address's IPv6 /48 ("network": net) or of its
	// API key ("key")
	limit string
	net   string
	// askFrom: the network a consumer key was asked from (askNetwork),
	// when the throttle of asks refused it: its refusals are grouped per
	// application key and network, so that a stranger's run of them
	// does not swallow the owner's first one into its count
	askFrom string
}

type infoKey struct{}

// statusWriter remembers the status a call answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP limits the caller's address, routes the call, and logs it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	qid := queryID()
	w.Header().Set("X-Ovh-QueryID", qid)
	// Every answer is JSON, said so in its Content-Type: a browser
	// pointed at a call must never read it as anything else (HTML).
	w.Header().Set("X-Content-Type-Options", "nosniff")
	info := &callInfo{}
	r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
	addr := h.o.ClientAddr(r)
	route := "" // the log's name of the call's route, when r.Pattern does not say it
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			info.err = errors.New("panic: " + panicText(p))
			if sw.status == 0 {
				writeError(sw, fail(http.StatusInternalServerError, "INTERNAL_ERROR", "the desk could not answer; try again later"))
			}
		}
		if route == "" {
			route = r.Pattern
		}
		if route == "" || route == "/" {
			route = "unknown"
		}
		// The metrics wrapping this handler saw the request before its
		// context was copied here, so it can't see the route's pattern
		// for itself: every call was counted by its method alone.
		metrics.SetRoute(r, route)
		attrs := []any{"method", clientinfo.Method(r.Method), "route", route, "status", sw.status, "duration", time.Since(start).Round(time.Microsecond),
			"remote", addr, "query_id", qid}
		if info.appKey != "" {
			attrs = append(attrs, "app_key", info.appKey)
		}
		if info.limit != "" {
			// the first refusal of a run is logged, the others counted
			key, whose := "address "+ratelimit.AddrKey(addr), []any{"limit", "address", "remote", ratelimit.AddrKey(addr)}
			switch info.limit {
			case "key":
				key, whose = "key "+info.appKey, []any{"limit", "key", "app_key", info.appKey}
				if info.askFrom != "" {
					key, whose = key+" "+info.askFrom, append(whose, "network", info.askFrom)
				}
			case "network":
				key, whose = "network "+info.net, []any{"limit", "network", "network", info.net}
			}
			if !h.refusals.Refused(key, whose...) {
				return
			}
			attrs = append(attrs, "limit", info.limit)
		}
		if info.err != nil {
			h.log.Error("api call failed", append(attrs, "error", info.err.Error())...)
			return
		}
		h.log.Info("api call", attrs...)
	}()
	// The calls of one IPv6 /48 together, too (NetFactor times an
	// address's rate): whoever holds one holds 65,536 /64s, each an
	// address of its own. A call refused by either rate spends nothing
	// of the other (ratelimit.Both).
	var nets *ratelimit.Keyed
	net := ratelimit.NetKey(addr)
	if net != "" {
		nets = h.nets
	}
	if refused, wait := ratelimit.Both(h.addrs, ratelimit.AddrKey(addr), nets, net, time.Now()); refused != nil {
		info.limit, info.net = "address", net
		from := "your address"
		if refused == nets {
			info.limit, from = "network", "your network (its IPv6 /48)"
		}
		if cleanPath(r) {
			_, route = h.mux.Handler(r) // the route it would have taken
		}
		e := fail(http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "too many calls from "+from+"; try again in "+retrySeconds(wait)+" s")
		e.RetryAfter = wait
		writeError(sw, e)
		return
	}
	if !cleanPath(r) {
		route = "unclean"
		writeError(sw, notFound())
		return
	}
	h.mux.ServeHTTP(sw, r)
}

// cleanPath reports whether r's path is clean: no "//", "/./" or
// "/../" in it, as no client of the API writes. ServeMux would answer
// one with a redirect to the cleaned path (an HTML body, and the query
// repeated in its Location: /1.0/../request/7?token=… led to the web
// page's address with the token); the API answers it as an unknown
// route instead, in its own shape.
func cleanPath(r *http.Request) bool {
	p := r.URL.EscapedPath()
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return p == c
}

func panicText(v any) string {
	if err, ok := v.(error); ok {
		return err.Error()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return "unknown value"
}

// queryID names a call in the log and in its answer (X-Ovh-QueryID,
// which go-ovh shows in its errors), so that support can find one.
func queryID() string {
	var b [8]byte
	rand.Read(b[:])
	return "CD-" + hex.EncodeToString(b[:])
}

// call is one authenticated call, as a route sees it.
type call struct {
	ctx  context.Context
	r    *http.Request
	who  model.Handle
	key  model.APIConsumer // the consumer key it was made with
	body []byte
	now  time.Time
	// query holds the query parameters given, checked against the
	// route's (see params.read): each once, of its form.
	query map[string]string
	used  func(context.Context, model.APIConsumer) // notes a use of key
	noted bool
}

// use notes the call as a use of its key, once: authed does once the
// action has answered, but for a refusal of its input; a route that
// deletes the calling key does before it goes (its application key's
// last use outlives it).
func (c *call) use() {
	if !c.noted {
		c.noted = true
		c.used(c.ctx, c.key)
	}
}

// route is what a route does; it answers a value to send as JSON, or an
// error (a model refusal, or an *Error).
type route func(c *call) (any, error)

// authed reads a call's body, checks its credentials, its key's rate and
// its query string (ps: the query parameters the route takes), then runs
// fn with a time limit, and notes the use of the key unless the call was
// refused for its input.
func (h *Handler) authed(ps params, fn route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		info := r.Context().Value(infoKey{}).(*callInfo)
		body, e := readBody(w, r, h.o.MaxBody)
		if e != nil {
			writeError(w, e)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), h.o.Timeout)
		defer cancel()
		r = r.WithContext(ctx)
		now := h.d.Now()
		who, err := h.authenticate(r, body, now)
		if err != nil {
			info.appKey = who.AppKey // a key known but refused, or none
			h.answerError(w, info, err, now)
			return
		}
		info.appKey = who.AppKey
		if ok, wait := h.keys.Allow(who.AppKey, time.Now()); !ok {
			info.limit = "key"
			e := fail(http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "too many calls with this API key; try again in "+retrySeconds(wait)+" s")
			e.RetryAfter = wait
			writeError(w, e)
			return
		}
		// The key's access rules, the provider's way: the call's method
		// and path (after /1.0, without the query) must match one.
		// A key may always see and revoke itself (/auth/…): told by the
		// route the call matched, not by its path, so that no path
		// reaching another route through /auth/ is ever exempt. Every
		// route under /auth/ skips the rules, a new one too.
		_, route, _ := strings.Cut(r.Pattern, " ")
		if p := strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(Prefix, "/")); !strings.HasPrefix(route, Prefix+"auth/") && !who.Granted(r.Method, p) {
			writeError(w, notGranted(r.Method, p))
			return
		}
		query, e := ps.read(r)
		if e != nil {
			writeError(w, e)
			return
		}
		// A GET takes no body: one sent is a mistake (a filter meant for
		// the query string, say), refused rather than ignored.
		if r.Method == http.MethodGet && len(body) > 0 {
			writeError(w, badParameter("You provided an input body while none was expected: a GET takes its filters in the query string"))
			return
		}
		c := &call{ctx: ctx, r: r, who: who.Handle, key: who, body: body, now: now, query: query, used: h.d.APIUsed}
		out, err := fn(c)
		// A use of the key, which its last use says: a call it was
		// allowed to make and that was carried out. A call refused by
		// its rules or its rate (above) is none, nor one refused for
		// its input, 400: its query string or GET body (above), its
		// body or a value the action refuses (which changed nothing).
		// So the use is noted once the action has answered, in a write
		// of its own as before: the action's writes are untouched.
		if err == nil || fromModel(err, now).Status != http.StatusBadRequest {
			c.use()
		}
		if err != nil {
			h.answerError(w, info, err, now)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// answerError answers err; a failure that is not a refusal is logged.
func (h *Handler) answerError(w http.ResponseWriter, info *callInfo, err error, now time.Time) {
	e := fromModel(err, now)
	if e.Status >= 500 {
		info.err = err
	}
	writeError(w, e)
}

func readBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, *Error) {
	var buf []byte
	var err error
	if r.ContentLength != 0 {
		buf, err = io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, fail(http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", "the body is larger than "+strconv.FormatInt(max>>10, 10)+" KiB")
	case err != nil:
		return nil, fail(http.StatusBadRequest, "BAD_BODY", "the body could not be read")
	}
	return buf, nil
}

// decode reads a call's JSON body into v. Its field names are matched
// exactly, as the provider's API matches them: encoding/json matches
// them whatever their case ({"contacttech": …} asked for a change, and
// {"contactTech": …, "contacttech": …} took one of the two), so the
// body is read with go-json-experiment's json (encoding/json/v2, which
// this Go has only with GOEXPERIMENT=jsonv2). A field v does not have,
// a mis-cased one included, is refused with all the others (a mistyped
// "contactTeh" beside "contactAdmin" would change the admin alone), as
// the provider refuses "not described parameters"; so is a field given
// twice (which one was meant?) and a body that is not UTF-8. A call
// that takes no body decodes into struct{}: an empty body, {} or null.
func decode(c *call, v any) error {
	if len(c.body) == 0 {
		return nil
	}
	err := jsonv2.Unmarshal(c.body, v, jsonv2.RejectUnknownMembers(true))
	var se *jsonv2.SemanticError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se) && errors.Is(se.Err, jsonv2.ErrUnknownName):
		return notDescribed(c.body, v)
	}
	return fail(http.StatusBadRequest, "INVALID_BODY", "the body is not the JSON this call takes: "+jsonProblem(err, v))
}

// notDescribed is the refusal of a body with fields v does not have:
// it names them all, wherever they stand in the body (the body itself,
// or an object nested in it: an access rule of accessRules), in one
// message, and what each object that has some takes. They are named
// in the order of what is said of their objects, the body's first, then
// the access rules' in the order of the array (accessRules[2] before
// accessRules[10], which an order of their text would swap).
func notDescribed(body []byte, v any) error {
	var whole any
	if err := jsonv2.Unmarshal(body, &whole); err != nil {
		return fail(http.StatusBadRequest, "INVALID_BODY", "the body is not the JSON this call takes: "+jsonProblem(err, v))
	}
	var found []stray
	strays(v, whole, reflect.TypeOf(v).Elem(), "", &found)
	var unknown, says []string
	// the objects that take the same fields (the access rules) are
	// told of together, in the order the body has them, the body first
	group := func(s stray) string {
		if s.object == "" {
			return "" // the body, told of alone
		}
		return "." + strings.Join(s.takes, ", ")
	}
	done := map[string]bool{}
	for _, s := range found {
		key := group(s)
		if done[key] {
			continue
		}
		done[key] = true
		var objects []string
		for _, o := range found {
			if group(o) == key {
				objects = append(objects, o.object)
				unknown = append(unknown, o.names...)
			}
		}
		says = append(says, takesOnly(objects, s.takes))
	}
	return notTaken(unknown, strings.Join(says, "; "))
}

// stray is an object of a body with fields its Go type has not: object
// names it ("" for the body itself), names are those fields' (as
// memberName writes them), takes those its type has.
type stray struct {
	object string
	names  []string
	takes  []string
}

// strays adds to found each object of value, decoded from JSON, at
// pointer at of a body decoded into v, with members t (the Go type it
// is read into) has not: the object first, then those nested in it, in
// the order of their names and of their arrays.
func strays(v, value any, t reflect.Type, at jsontext.Pointer, found *[]stray) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch val := value.(type) {
	case map[string]any:
		if t == nil || t.Kind() != reflect.Struct {
			return
		}
		var takes, names []string
		for f := range t.Fields() {
			takes = append(takes, jsonName(f))
		}
		slices.Sort(takes)
		keys := slices.Sorted(maps.Keys(val))
		for _, k := range keys {
			if !slices.Contains(takes, k) {
				names = append(names, memberName(v, at.AppendToken(k)))
			}
		}
		if len(names) > 0 {
			object := ""
			if at != "" {
				object = memberName(v, at)
			}
			*found = append(*found, stray{object: object, names: names, takes: takes})
		}
		for _, k := range keys {
			if slices.Contains(takes, k) {
				strays(v, val[k], memberType(t, k), at.AppendToken(k), found)
			}
		}
	case []any:
		if t == nil || (t.Kind() != reflect.Slice && t.Kind() != reflect.Array) {
			return
		}
		for i, e := range val {
			strays(v, e, t.Elem(), at.AppendToken(strconv.Itoa(i)), found)
		}
	}
}

// takesOnly says what the objects named take: the body itself ("") or
// objects nested in it, ten named, the others counted.
func takesOnly(objects, takes []string) string {
	switch {
	case objects[0] == "" && len(takes) == 0:
		return "this call takes no body"
	case objects[0] == "":
		return "this call's body takes only " + strings.Join(takes, ", ")
	}
	verb := " takes only "
	if len(objects) > 1 {
		verb = " take only "
	}
	if n := len(objects); n > maxNamed {
		objects = append(objects[:maxNamed], "and "+strconv.Itoa(n-maxNamed)+" more")
	}
	return strings.Join(objects, ", ") + verb + strings.Join(takes, ", ")
}

// jsonName is the name a struct field has in JSON.
func jsonName(f reflect.StructField) string { return strings.Split(f.Tag.Get("json"), ",")[0] }

// memberType is the Go type of member tok of a JSON value decoded into
// t: an element of a slice, a field of a struct; nil when t has none.
func memberType(t reflect.Type, tok string) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == nil:
	case t.Kind() == reflect.Slice, t.Kind() == reflect.Array:
		return t.Elem()
	case t.Kind() == reflect.Struct:
		for f := range t.Fields() {
			if jsonName(f) == tok {
				return f.Type
			}
		}
	}
	return nil
}

// memberName names the member of a body (decoded into v) at p for a
// message, as a client's code names it: contactTech, accessRules[0],
// accessRules[0].method. A name the body gave that is not plain is
// quoted (paramName).
func memberName(v any, p jsontext.Pointer) string {
	var b strings.Builder
	t := reflect.TypeOf(v).Elem()
	for tok := range p.Tokens() {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
			b.WriteString("[" + tok + "]")
		case b.Len() == 0:
			b.WriteString(paramName(tok))
		default:
			b.WriteString("." + paramName(tok))
		}
		t = memberType(t, tok)
	}
	return b.String()
}

func jsonProblem(err error, v any) string {
	var se *jsonv2.SemanticError
	var sy *jsontext.SyntacticError
	switch {
	case errors.As(err, &se) && se.JSONPointer != "" && se.GoType != nil:
		return memberName(v, se.JSONPointer) + " must be " + article(goKind(se.GoType))
	case errors.As(err, &se) && se.JSONPointer == "":
		return "an object is expected, not " + article(jsonKind(se.JSONKind))
	case errors.As(err, &sy) && errors.Is(sy.Err, jsontext.ErrDuplicateName):
		return memberName(v, sy.JSONPointer) + " is given twice"
	}
	return "not valid JSON"
}

// goKind names the JSON value a Go type takes.
func goKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return "number"
}

// jsonKind names a kind of JSON value.
func jsonKind(k jsontext.Kind) string {
	switch k {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// article names a JSON value's kind with its article: "an array", "a
// string".
func article(kind string) string {
	if kind != "" && strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"class":"Server::InternalServerError","message":"the answer could not be written"}`)
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, e *Error) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", retrySeconds(e.RetryAfter))
	}
	writeJSON(w, e.Status, e)
}
