// Package web serves the page a confirmation mail links to: the request
// as the party whose token it is sees it, and a form that accepts or
// refuses it with that token — the same Desk.Accept and Desk.Refuse the
// app and the command line call. It is plain HTML from html/template,
// with one embedded style sheet: no JavaScript, nothing fetched from
// elsewhere, readable on a phone and in a text browser. The same
// handler serves the page of a mail that proves a new e-mail address
// (/email/{id}, email.go) and the page where an account validates a
// consumer key a program asked for through the API (/auth/,
// credential.go).
//
// Opening a link (GET) changes nothing: mail scanners and link previews
// open every link they see. Only the form's POST answers. Tokens that
// belong to no party are counted here, per client address, and never
// reach the model's throttle, so that nobody can pause a party's tries
// without holding its token; nor are they counted per request, which
// would let anybody close a request's page to its parties.
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"contactdesk/internal/clientinfo"
	"contactdesk/internal/connlimit"
	"contactdesk/internal/ratelimit"
	"contactdesk/locale"
	"contactdesk/metrics"
	"contactdesk/model"
	"contactdesk/model/text"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets/style.css
var styleCSS []byte

// pages are the templates; each view carries the Localizer of its
// reader's language, and the templates write their words with it
// ({{.L.T "page.desk"}}). What names a handle or a service goes through
// whole (keepWhole), which keeps such names on one line.
var pages = template.Must(template.New("").Funcs(template.FuncMap{"whole": keepWhole}).ParseFS(templateFiles, "templates/*.html"))

// The throttle of wrong tokens: a client address may try
// DefaultClientGuesses tokens that belong to nobody, then one every
// DefaultGuessEvery. A person who mistyped needs a couple; a token has
// 140 random bits, so this only keeps a script from trying. There is no
// share per request: guesses from many addresses would use it up, and
// close the page to the very parties whose tokens are right (one more
// guess a minute would keep it closed), while a right token is never
// found by guessing, whatever the number of addresses.
const (
	DefaultClientGuesses = 10
	DefaultGuessEvery    = time.Minute
)

// maxGuessKeys bounds the memory of the throttle: client addresses
// remembered at once (a few hundred bytes each).
const maxGuessKeys = 20000

// maxTyped is the most of a wrong token the page shows back in its
// field: a token is 34 characters, dashes included.
const maxTyped = 64

// maxFormBytes bounds the body of an answer: a token and a button.
const maxFormBytes = 4 << 10

// DefaultTimeout bounds the desk's work for one page, as the API bounds
// a call's: a little past PostgreSQL's default statement timeout (15 s),
// so that a busy server says so first. A database that stops answering
// altogether (a network partition) gets the reader the page saying the
// desk did not answer in time, rather than nothing until the browser
// gives up.
const DefaultTimeout = 20 * time.Second

// langLookupTimeout bounds the reading of the desk's default language
// for a visitor whose browser names none: better the language it had
// last time at once than the right one late.
const langLookupTimeout = 2 * time.Second

// Options configure the page; zero values take the defaults.
type Options struct {
	ClientGuesses int           // default DefaultClientGuesses
	GuessEvery    time.Duration // default DefaultGuessEvery
	// ClientAddr says which client a request comes from, for the
	// throttle and the access line (default: the connection's address;
	// behind a reverse proxy, clientinfo.FromHeader).
	ClientAddr func(*http.Request) string
	// Log receives what goes wrong (a database that does not answer);
	// nil discards it. Access lines are AccessLog's.
	Log *slog.Logger
	Now func() time.Time // default time.Now
	// Timeout bounds the desk's work for one page (default
	// DefaultTimeout).
	Timeout time.Duration
	// AddrRate is how many pages a minute one client (ClientAddr's) may
	// ask for: default DefaultAddrRate; NoLimit for none.
	AddrRate int
}

type handler struct {
	desk *model.Desk
	// The wrong tokens tried on the pages, one token bucket per client's
	// address. Only tokens that belong to no party are counted here; the
	// model never sees them (see model.Desk.FindTokenHolder), so a
	// stranger's guesses can't pause a party in the app or on the
	// command line.
	clients *ratelimit.Keyed
	// The pages each client asked for (nil: no limit), those the
	// clients of each IPv6 /48 asked for together (NetFactor times a
	// client's rate), and the log of those refused past either rate.
	pages    *ratelimit.Keyed
	nets     *ratelimit.Keyed
	refusals *ratelimit.Refusals
	now      func() time.Time
	addr     func(*http.Request) string
	log      *slog.Logger
	timeout  time.Duration
	// deskLang is the desk's default-lang as last read: the language of
	// a visitor whose browser names none while the database does not
	// answer.
	deskLang atomic.Value // locale.Lang
}

// New returns the page's handler, meant for the root ("/") of the
// public address: /request/{id} (the mails' links), /healthz (200 when
// the database answers, else 503, as when a newer contactdesk upgraded
// it: this one can't write it), and its style sheet. Every response
// carries the headers of secure.
func New(d *model.Desk, o Options) http.Handler {
	if o.ClientGuesses <= 0 {
		o.ClientGuesses = DefaultClientGuesses
	}
	if o.GuessEvery <= 0 {
		o.GuessEvery = DefaultGuessEvery
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClientAddr == nil {
		o.ClientAddr = clientinfo.Remote
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.AddrRate == 0 {
		o.AddrRate = DefaultAddrRate
	}
	h := &handler{
		pages:    ratelimit.PerMinute(o.AddrRate, maxGuessKeys),
		nets:     ratelimit.PerMinute(connlimit.NetFactor*o.AddrRate, maxGuessKeys),
		refusals: ratelimit.NewRefusals(o.Log, "pages refused past the rate", refusedLogEvery),
		desk:     d,
		clients:  ratelimit.New(o.ClientGuesses, o.GuessEvery, maxGuessKeys),
		now:      o.Now,
		addr:     o.ClientAddr,
		log:      o.Log,
		timeout:  o.Timeout,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /request/{id}", h.show)
	mux.HandleFunc("POST /request/{id}", h.answer)
	mux.HandleFunc("GET /email/{id}", h.showEmail)
	mux.HandleFunc("POST /email/{id}", h.answerEmail)
	mux.HandleFunc("GET /auth/{$}", h.showCredential)
	mux.HandleFunc("POST /auth/{$}", h.answerCredential)
	mux.HandleFunc("GET /healthz", h.health)
	mux.HandleFunc(styleRoute, style)
	mux.HandleFunc("GET /{$}", h.home)
	// The same addresses asked with another method: 405, saying which
	// methods they take.
	for route, allow := range map[string]string{"/request/{id}": "GET, HEAD, POST", "/auth/{$}": "GET, HEAD, POST", "/email/{id}": "GET, HEAD, POST", "/healthz": "GET, HEAD", "/assets/style.css": "GET, HEAD", "/{$}": "GET, HEAD"} {
		mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) { h.notAllowed(w, r, allow) })
	}
	mux.HandleFunc("/", h.notFound)
	return h.named(secure(h.rated(mux, clean(h, h.bounded(routed(mux))))))
}

// routed names, for the metrics, the route of each request mux served:
// the pattern it matched ("GET /request/{id}"; "/" for a page that is
// none), from a fixed set, never the path, which holds ids and tokens.
// The metrics can't read it for themselves: mux sets it on the request
// it is given, a copy of theirs (bounded's, with its timeout).
func routed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		metrics.SetRoute(r, r.Pattern)
	})
}

// named names the client of each request in its access line, as the
// throttle counts it.
func (h *handler) named(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setClient(r, h.addr(r))
		next.ServeHTTP(w, r)
	})
}

// errTooLong is why a page's work on the desk was cut short: its
// Timeout passed.
var errTooLong = errors.New("the desk did not answer in time")

// bounded gives each page's work on the desk its Timeout. The server's
// WriteTimeout does not stop a handler that still waits for the
// database: without this, a database that hangs held the reader for as
// long as the browser would wait.
func (h *handler) bounded(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeoutCause(r.Context(), h.timeout, errTooLong)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// clean answers 404 for a path that is not clean ("//", "/./", "/../"),
// which no link of the page has, where ServeMux would redirect to the
// cleaned path: a redirect would repeat the link's token in its
// Location header, and its absolute path would leave a proxy's prefix.
func clean(h *handler, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		c := path.Clean(p)
		if strings.HasSuffix(p, "/") && c != "/" {
			c += "/"
		}
		if p != c || strings.Contains(r.URL.RawPath, "//") {
			metrics.SetRoute(r, "unclean") // as the API names such a path
			h.notFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// csp allows the page its own style sheet and its own form, and nothing
// else: no script, no frame around it, nothing from elsewhere.
const csp = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secure sets the headers every response carries. The token is in the
// page's address, so no referrer leaves it, and no cache keeps it.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Robots-Tag", "noindex, nofollow")
		if r.TLS != nil {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

func style(w http.ResponseWriter, r *http.Request) {
	setRoute(r, "/assets/style.css")
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(styleCSS)))
	w.Write(styleCSS)
}

func (h *handler) health(w http.ResponseWriter, r *http.Request) {
	setRoute(r, "/healthz")
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := h.desk.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		var newer *model.NewerSchemaError
		if errors.As(err, &newer) {
			// this node can't write the database any more: taken out
			// of the balancer, saying why (serve logs it once)
			fmt.Fprintln(w, newer.Error())
			return
		}
		h.log.Warn("health check: the database does not answer: " + err.Error())
		fmt.Fprintln(w, "the database does not answer")
		return
	}
	fmt.Fprintln(w, "ok")
}

func (h *handler) home(w http.ResponseWriter, r *http.Request) {
	setRoute(r, "/")
	l := h.visitor(r)
	h.render(w, r, http.StatusOK, view{L: l, Title: l.T("page.desk"), Notes: []string{l.T("page.home")}})
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	l := h.visitor(r)
	h.render(w, r, http.StatusNotFound, view{L: l, Title: l.T("page.not_found"), Notes: []string{l.T("page.home")}})
}

// notAllowed answers a method the address does not take. Its access
// line names the route as the address's own page does (/request/8, not
// the pattern /request/{id}).
func (h *handler) notAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	switch r.Pattern {
	case "/request/{id}", "/email/{id}":
		if id, _, ok := requestRef(r); ok {
			setRoute(r, fmt.Sprintf("%s/%d", strings.TrimSuffix(r.Pattern, "/{id}"), id))
		}
	case "/{$}":
		setRoute(r, "/")
	}
	l := h.visitor(r)
	w.Header().Set("Allow", allow)
	h.render(w, r, http.StatusMethodNotAllowed, view{L: l, Title: l.T("page.not_allowed"), Notes: []string{l.T("page.home")}})
}

// requestRef reads the request number of /request/{id}. A mail client
// that escaped the link's "?" leaves the token in the path
// (/request/8%3Ftoken%3D…): it is read from there too.
func requestRef(r *http.Request) (id int64, pathToken string, ok bool) {
	seg := r.PathValue("id")
	seg, rest, _ := strings.Cut(seg, "?")
	id, err := strconv.ParseInt(seg, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != seg {
		return 0, "", false
	}
	if v, ok := strings.CutPrefix(rest, "token="); ok {
		pathToken = v
	}
	return id, pathToken, true
}

// numbered reads the number of /kind/{id} (/request/8, /email/3; see
// requestRef) and names the route in the access log; for a number that
// is none it writes the 404 page and returns false.
func (h *handler) numbered(w http.ResponseWriter, r *http.Request, kind string) (int64, string, bool) {
	id, pathToken, ok := requestRef(r)
	if !ok {
		h.notFound(w, r)
		return 0, "", false
	}
	setRoute(r, fmt.Sprintf("/%s/%d", kind, id))
	return id, pathToken, true
}

// linkToken reads the number and the token of a link to page /kind/{id}.
// When it returns false it has written the response: no such page, or,
// for a link without a token, the page asking drawn (in the visitor's
// language) to ask for one.
func (h *handler) linkToken(w http.ResponseWriter, r *http.Request, kind string, asking func(*locale.Localizer, int64) view) (int64, string, bool) {
	id, token, ok := h.numbered(w, r, kind)
	if !ok {
		return 0, "", false
	}
	if q := r.URL.Query().Get("token"); q != "" {
		token = q
	}
	if strings.TrimSpace(token) == "" {
		h.render(w, r, http.StatusOK, asking(h.visitor(r), id))
		return 0, "", false
	}
	return id, token, true
}

// answerable finds whose token it is (holder), and writes the page of a
// token that can't answer any more (closed); it returns true when the
// token's party may answer.
func (h *handler) answerable(w http.ResponseWriter, r *http.Request, id int64, token string) (model.TokenHolder, bool) {
	th, ok := h.holder(w, r, id, token)
	if ok && th.Closed != nil {
		h.closed(w, r, th, token)
		return th, false
	}
	return th, ok
}

// show is the page of a mail's link: the request as the token's party
// sees it, with the form to answer while it can.
func (h *handler) show(w http.ResponseWriter, r *http.Request) {
	id, token, ok := h.linkToken(w, r, "request", func(l *locale.Localizer, id int64) view {
		args := locale.Args{"ID": id}
		return view{L: l, Title: l.T("page.request_n", args), Notes: []string{l.T("page.ask_token", args)}, Ask: askRequest(l, id)}
	})
	if !ok {
		return
	}
	th, ok := h.answerable(w, r, id, token)
	if !ok {
		return
	}
	h.answerPage(w, r, th, token)
}

// answerPage is the page of a token that may answer: the request, and
// the form with the token filled in.
func (h *handler) answerPage(w http.ResponseWriter, r *http.Request, th model.TokenHolder, token string) {
	id := th.Request.ID
	l := h.partyLang(r, th.Party)
	v := view{L: l, Title: titleOf(l, th.Request), Request: requestViewOf(l, th.Request, th.Party, th.Paused == nil)}
	if th.Paused != nil {
		// paused through any door after wrong tokens: the right token
		// is refused until then, so the page says so instead of a form
		// that would be (the link, opened again then, offers it)
		v.Notice = &notice{Kind: "error", Text: sentence(l, th.Paused)}
		h.render(w, r, http.StatusOK, v)
		return
	}
	v.Form = &formView{L: l, Action: strconv.FormatInt(id, 10), Token: token,
		Accept: l.T("page.accept"), Refuse: l.T("page.refuse"), Note: l.T("page.form_note")}
	h.render(w, r, http.StatusOK, v)
}

// answer records the form's answer, as the token's party, through the
// model's own Accept and Refuse.
func (h *handler) answer(w http.ResponseWriter, r *http.Request) {
	id, token, choice, ok := h.readAnswer(w, r, "request", askRequest)
	if !ok {
		return
	}
	if choice == answerResend {
		h.resend(w, r, id, token)
		return
	}
	th, ok := h.answerable(w, r, id, token)
	if !ok {
		return
	}
	var res model.Request
	var err error
	if choice == answerYes {
		res, err = h.desk.Accept(r.Context(), th.Party, id, token)
	} else {
		res, err = h.desk.Refuse(r.Context(), th.Party, id, token)
	}
	if err != nil {
		h.refused(w, r, th, token, err)
		return
	}
	l := h.partyLang(r, th.Party)
	v := view{L: l, Title: titleOf(l, res), Request: requestViewOf(l, res, th.Party, false), Notice: outcome(l, res, choice == answerYes)}
	h.render(w, r, http.StatusOK, v)
}

// resend mails the party of the token its live one replaced a fresh
// one (model.TokenHolder.LastReplaced), through the model's own Resend
// (its limit of resends included), and says so on the request's page,
// without the address: the old mail may have gone to an address the
// account has left since. Any other token gets the page its link gets:
// a live one answers; an older one, or a closed one, has nothing to
// resend — which also makes the form, sent again (a reload), mail
// nothing more: its token is then older.
func (h *handler) resend(w http.ResponseWriter, r *http.Request, id int64, token string) {
	th, ok := h.holder(w, r, id, token)
	if !ok {
		return
	}
	if th.Closed == nil {
		h.answerPage(w, r, th, token)
		return
	}
	if !th.LastReplaced {
		h.closed(w, r, th, token)
		return
	}
	l := h.partyLang(r, th.Party)
	_, err := h.desk.Resend(r.Context(), th.Party, id)
	if err != nil && !model.IsRefusal(err) {
		h.failed(w, r, err)
		return
	}
	v := view{L: l, Title: titleOf(l, th.Request), Request: requestViewOf(l, th.Request, th.Party, false),
		Notice: &notice{Kind: "ok", Text: l.T("page.resent", locale.Args{"ID": id})}}
	status := http.StatusOK
	if err != nil {
		// the resends' limit, or the request ended or answered meanwhile
		v.Notice, status = &notice{Kind: "error", Text: sentence(l, err)}, h.refusalStatus(w, err)
		if now, rerr := h.desk.Request(r.Context(), th.Party, id); rerr == nil {
			v.Request = requestViewOf(l, now, th.Party, false)
		}
	}
	h.render(w, r, status, v)
}

// outcome says what the answer did, as a notice: ok, but for a request
// that ended without the change when its party accepted (the recheck
// refused it).
func outcome(l *locale.Localizer, r model.Request, accepted bool) *notice {
	args := locale.Args{"ID": r.ID, "To": r.To, "From": r.From, "Roles": model.RoleWords(r.Roles), "Service": text.Line(r.Service),
		"Awaited": handleList(l, r.Awaited()), "Reason": locale.Text(text.Line(model.ReasonOf(r).In(l)))}
	switch {
	case r.State == model.StateDone:
		return &notice{Kind: "ok", Text: l.T("page.done", args)}
	case r.State == model.StateValidating:
		return &notice{Kind: "ok", Text: l.T("page.accepted", args)}
	case !accepted && r.State == model.StateRefused:
		return &notice{Kind: "ok", Text: l.T("page.refused", args)}
	}
	return &notice{Kind: "error", Text: l.T("page.ended_refused", args)}
}

// holder finds whose token it is, after the throttle lets this client
// try a token on this request (see tryToken). When it returns false it
// has written the response.
func (h *handler) holder(w http.ResponseWriter, r *http.Request, id int64, token string) (model.TokenHolder, bool) {
	var th model.TokenHolder
	wrong := func(l *locale.Localizer) (string, *askView) {
		return l.T("page.wrong_title", locale.Args{"ID": id}), askRequest(l, id)
	}
	ok := h.tryToken(w, r, wrong, token, func() (err error) {
		th, err = h.desk.FindTokenHolder(r.Context(), id, token)
		return err
	})
	return th, ok
}

// triesNote says how many wrong tokens (or codes) a client may still
// give before a pause, or how long the pause it just earned lasts.
func triesNote(l *locale.Localizer, left int, wait time.Duration) string {
	if left == 0 {
		return l.T("page.no_try_left", locale.Args{"Wait": minutes(wait)})
	}
	return l.T("page.tries_left", locale.Args{"N": left})
}

// tryToken runs find (the model reading token: it changes nothing) once
// the throttle of this client lets a token be tried; a token of nobody
// (model.ErrWrongToken) is counted against it, and its page is titled
// and asks for another as wrong says. When it returns false it has
// written the response. The try is reserved before find, and given
// back unless the token was nobody's: tries sent at once each need a
// try of their own, so that they can't all pass while none is counted.
func (h *handler) tryToken(w http.ResponseWriter, r *http.Request, wrong func(*locale.Localizer) (string, *askView), token string, find func() error) bool {
	try, wait := h.clients.Reserve(ratelimit.AddrKey(h.addr(r)), h.now())
	if try == nil {
		l := h.visitor(r)
		h.paused(w, r, l, l.T("page.paused_client", locale.Args{"Wait": minutes(wait)}), wait)
		return false
	}
	defer try.Cancel() // a right token, or no answer: it counts for nothing
	err := find()
	switch {
	case errors.Is(err, model.ErrWrongToken):
		left, wait := try.Spend(h.now())
		l := h.visitor(r)
		note := triesNote(l, left, wait)
		title, ask := wrong(l)
		if v := []rune(text.Line(strings.TrimSpace(token))); len(v) <= maxTyped {
			ask.Value = string(v) // longer is no slip: nothing to mend
		}
		h.render(w, r, http.StatusForbidden, view{L: l, Title: title, Notice: &notice{Kind: "error", Text: sentence(l, err)},
			Notes: []string{note}, Ask: ask})
		return false
	case err != nil:
		h.failed(w, r, err)
		return false
	}
	return true
}

// The buttons of an answer: the form's "answer" field.
const (
	answerYes = "accept"
	answerNo  = "refuse"
	// resend: a replaced token's page asks for a fresh token (resend)
	answerResend = "resend"
)

// badForm says, per page, which buttons answer.
var badForm = map[string]string{"request": "page.bad_request", "email": "page.bad_email_form"}

// readAnswer reads the form of an answer on page /kind/{id}: its
// number, its token and its button. When it returns false it has
// written the response: no such page, or a form too large or not an
// answer, with ask's field to try again.
func (h *handler) readAnswer(w http.ResponseWriter, r *http.Request, kind string, ask func(*locale.Localizer, int64) *askView) (id int64, token, choice string, ok bool) {
	id, _, ok = h.numbered(w, r, kind)
	if !ok {
		return 0, "", "", false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		l := h.visitor(r)
		status, msg := http.StatusBadRequest, l.T(badForm[kind])
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status, msg = http.StatusRequestEntityTooLarge, l.T("page.too_much_form")
		}
		h.render(w, r, status, view{L: l, Title: l.T("page.refused_title"), Notice: &notice{Kind: "error", Text: msg}})
		return 0, "", "", false
	}
	token, choice = r.PostForm.Get("token"), r.PostForm.Get("answer")
	resend := kind == "request" && choice == answerResend
	if repeated(r.PostForm) || strings.TrimSpace(token) == "" || (choice != answerYes && choice != answerNo && !resend) {
		l := h.formLang(r, kind, id, r.PostForm["token"])
		h.render(w, r, http.StatusBadRequest, view{L: l, Title: l.T("page.refused_title"), Notice: &notice{Kind: "error", Text: l.T(badForm[kind])},
			Ask: ask(l, id)})
		return 0, "", "", false
	}
	return id, token, choice, true
}

// formLang is the language of the page of a form that can't be read:
// the party's, when the form holds one token and it is a token of a
// party of page /kind/{id} (as the page of its link speaks), else the
// visitor's. The token is looked up within the throttle of wrong tokens,
// as any other: a paused client gets the visitor's language
// without a look, and a token of nobody is counted (the page says no
// more), so that the language of the answer can't be used to try tokens
// either.
func (h *handler) formLang(r *http.Request, kind string, id int64, tokens []string) *locale.Localizer {
	if len(tokens) != 1 || strings.TrimSpace(tokens[0]) == "" {
		return h.visitor(r)
	}
	try, _ := h.clients.Reserve(ratelimit.AddrKey(h.addr(r)), h.now())
	if try == nil {
		return h.visitor(r)
	}
	defer try.Cancel()
	var party model.Handle
	var err error
	if kind == "email" {
		var el model.EmailLink
		el, err = h.desk.FindEmailChange(r.Context(), id, tokens[0])
		party = el.Change.Handle
	} else {
		var th model.TokenHolder
		th, err = h.desk.FindTokenHolder(r.Context(), id, tokens[0])
		party = th.Party
	}
	if errors.Is(err, model.ErrWrongToken) {
		try.Spend(h.now())
	}
	if err != nil {
		return h.visitor(r)
	}
	return h.partyLang(r, party)
}

// repeated reports whether a form gives a field more than once
// (answer=accept&answer=refuse, or two tokens): the page's forms never
// do, and which one was meant can't be known, so none is taken.
func repeated(form url.Values) bool {
	for _, vs := range form {
		if len(vs) > 1 {
			return true
		}
	}
	return false
}

// askRequest is the field that asks for a token of request id.
func askRequest(l *locale.Localizer, id int64) *askView {
	return &askView{L: l, Action: strconv.FormatInt(id, 10), Button: l.T("page.open")}
}

// closed is the page of a token that can't answer any more: the request
// as it stands, and why, without the form.
func (h *handler) closed(w http.ResponseWriter, r *http.Request, th model.TokenHolder, token string) {
	// Answered or ended is news, not a mistake; a replaced token is one.
	status, kind := http.StatusGone, "info"
	if errors.Is(th.Closed, model.ErrTokenReplaced) {
		status, kind = http.StatusForbidden, "error"
	}
	l := h.partyLang(r, th.Party)
	say := sentence(l, th.Closed)
	// The model's "request #2 is already refused: refused by …" says
	// the state twice: the page says it once.
	if why := model.ReasonOf(th.Request); errors.Is(th.Closed, model.ErrEnded) && namesItsState(why) {
		say = l.T("page.ended_by", locale.Args{"ID": th.Request.ID, "Reason": text.Line(why.In(l))})
	}
	v := view{L: l, Title: titleOf(l, th.Request), Request: requestViewOf(l, th.Request, th.Party, false),
		Notice: &notice{Kind: kind, Text: say}}
	if p, _ := th.Request.Party(th.Party); th.LastReplaced &&
		th.Request.State == model.StateValidating && p.Answer == model.AnswerPending {
		// the newest mail lost, or not come: a fresh token, mailed to the
		// party (the app and the command line resend too), unless the
		// limit of resends would refuse it: then when to ask again
		if th.ResendRefused != nil {
			v.Notes = append(v.Notes, sentence(l, th.ResendRefused))
		} else {
			v.Resend = &resendView{L: l, Action: strconv.FormatInt(th.Request.ID, 10), Token: token,
				Button: l.T("page.resend"), Note: l.T("page.resend_note")}
		}
	}
	h.render(w, r, status, v)
}

// refused is the page of an answer the model refused (the party's tries
// paused by its own wrong tokens elsewhere; the request ended meanwhile).
// A token that can no longer answer — another answer with it (a second
// click, a reload sent at once) or the end of the request came between
// the look at the token and the answer — gets the page it would have got
// a moment later, closed's: the same outcome, the same page and status,
// whichever of two answers sent at once was second.
func (h *handler) refused(w http.ResponseWriter, r *http.Request, th model.TokenHolder, token string, err error) {
	if !model.IsRefusal(err) {
		h.failed(w, r, err)
		return
	}
	if now, ferr := h.desk.FindTokenHolder(r.Context(), th.Request.ID, token); ferr == nil && now.Closed != nil {
		h.closed(w, r, now, token)
		return
	}
	l := h.partyLang(r, th.Party)
	v := view{L: l, Title: l.T("page.refused_title"), Notice: &notice{Kind: "error", Text: sentence(l, err)}}
	if now, rerr := h.desk.Request(r.Context(), th.Party, th.Request.ID); rerr == nil {
		v.Request = requestViewOf(l, now, th.Party, false)
	}
	h.render(w, r, h.refusalStatus(w, err), v)
}

// refusalStatus is the HTTP status of a refusal of the model. A 429 —
// a pause of the party's tries (made through any door), a limit of
// mails — says in Retry-After when to come back, as the API says it,
// when the model knows (a limit that waiting won't lift has none).
// Called before the page is written: it sets the header.
func (h *handler) refusalStatus(w http.ResponseWriter, err error) int {
	switch {
	case errors.Is(err, model.ErrThrottled), errors.Is(err, model.ErrMailLimit):
		if wait := model.RetryAt(err).Sub(h.desk.Now()); wait > 0 {
			retryAfter(w, wait)
		}
		return http.StatusTooManyRequests
	case errors.Is(err, model.ErrWrongToken), errors.Is(err, model.ErrTokenUsed), errors.Is(err, model.ErrTokenReplaced), errors.Is(err, model.ErrTokenNotYours):
		return http.StatusForbidden
	}
	return http.StatusConflict
}

func (h *handler) paused(w http.ResponseWriter, r *http.Request, l *locale.Localizer, msg string, wait time.Duration) {
	retryAfter(w, wait)
	h.render(w, r, http.StatusTooManyRequests, view{L: l, Title: l.T("page.paused_title"), Notice: &notice{Kind: "error", Text: msg}})
}

// failed is the page of a failure of the desk: it could not read or
// write, or did not answer within the page's Timeout. Nothing was
// changed (a write the desk gave up on is not made), and the reader is
// told so, in the visitor's language (the party's can't be read) —
// unless the store says the answer's outcome could not be seen
// (model.ErrMaybeSaved: it may have been recorded), which the page
// says instead, and where to look.
// retryAfter says when to come back: in whole seconds, rounded up.
func retryAfter(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
}

func (h *handler) failed(w http.ResponseWriter, r *http.Request, err error) {
	say := "page.failed"
	switch ctx := r.Context(); {
	case errors.Is(err, model.ErrMaybeSaved):
		say = "page.unsure"
		h.log.Warn("web: " + err.Error())
	case errors.Is(context.Cause(ctx), errTooLong):
		say = "page.timeout"
		h.log.Warn(fmt.Sprintf("web: the desk did not answer within %s: %v", h.timeout, err))
	case ctx.Err() == nil:
		h.log.Warn("web: " + err.Error())
	}
	l := h.visitor(r)
	h.render(w, r, http.StatusServiceUnavailable, view{L: l, Title: l.T("page.failed_title"), Notice: &notice{Kind: "error", Text: l.T(say)}})
}

// render writes a page whole, or, if it can't be made, a bare 500.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, v view) {
	if v.L == nil {
		v.L = h.visitor(r)
	}
	v.Lang = v.L.Lang().Tag().String()
	// Refusals quote the desk's text (a reason, a name): nothing in
	// them may fool a reader, whatever the database holds.
	v.Title = text.Line(v.Title)
	if v.Notice != nil {
		v.Notice.Text = text.Line(v.Notice.Text)
	}
	for i := range v.Notes {
		v.Notes[i] = text.Line(v.Notes[i])
	}
	// Relative links keep working when a reverse proxy serves the page
	// below a path of its own (https://example.net/desk/request/8).
	v.Base = strings.Repeat("../", max(0, strings.Count(r.URL.Path, "/")-1))
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, "page", v); err != nil {
		h.log.Error("web: a page could not be made: " + err.Error())
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", v.Lang) // as <html lang>, for a reader or a translator that reads the headers
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(b.Bytes())
	}
}

// view is what the page template draws, in L's language.
type view struct {
	L                 *locale.Localizer
	Lang, Base, Title string
	Notice            *notice
	Notes             []string
	Request           *requestView
	Email             *emailView
	Form              *formView
	Resend            *resendView
	Ask               *askView
	Credential        *credentialView
	// Refresh: the page goes elsewhere by itself (a meta refresh's
	// content, "3;url=…")
	Refresh string
}

type notice struct{ Kind, Text string } // Kind: ok, error, info

// formView is the form of an answer, with the words of its buttons.
type formView struct {
	L                    *locale.Localizer
	Action, Token        string
	Accept, Refuse, Note string
}

// resendView is the button of a replaced token's page that mails its
// party a fresh token (the form's answer "resend"), with what it does.
type resendView struct {
	L             *locale.Localizer
	Action, Token string
	Button, Note  string
}

type askView struct {
	L              *locale.Localizer
	Action, Button string
	// Value: the token that opened nothing, as typed (cleaned, cut), so
	// that a slip is mended in place rather than pasted again
	Value string
}

type requestView struct {
	L                           *locale.Localizer
	You, Service, Change, Asked string
	State, StateClass           string
	WhenLabel, When             string
	PartiesTitle                string // who must confirm; once ended, who had to
	Parties                     []partyView
}

type partyView struct {
	Handle, As, Answer, AnswerClass string
	You                             bool
}

func titleOf(l *locale.Localizer, r model.Request) string {
	return l.T("page.request", locale.Args{"ID": r.ID, "Roles": model.RoleWords(r.Roles), "Service": text.Line(r.Service)})
}

// requestViewOf is r as party sees it, in l's language, on a page that
// offers the form to answer (form) or not. Everything that came from
// the desk is cleaned of what could fool a reader (model/text); the
// template escapes it for HTML.
func requestViewOf(l *locale.Localizer, r model.Request, party model.Handle, form bool) *requestView {
	contact := locale.Capital{W: locale.M("word.contact", locale.Args{"Roles": model.RoleWords(r.Roles)})}
	v := &requestView{
		L:          l,
		Service:    fmt.Sprintf("%s (%s)", text.Line(r.Service), text.Line(model.ServiceType(r.Type).In(l))),
		Change:     l.T("page.change_val", locale.Args{"Contact": contact, "From": r.From, "To": r.To}),
		Asked:      l.T("page.asked_val", locale.Args{"Handle": r.Requester, "When": locale.Stamp(r.Created)}),
		StateClass: string(r.State),
	}
	if party != "" {
		// "you answer as" on the page of the form, while the answer is
		// awaited; once given, or the request ended, there is nothing
		// left to answer, and a page without the form (a replaced
		// token's, a paused party's) takes no answer
		you := "page.you_were"
		if form && r.AwaitingMe(party) {
			you = "page.you_are"
		}
		v.You = l.T(you, locale.Args{"Handle": party, "As": r.Why(party)})
	}
	v.State = l.T("page.state." + string(r.State))
	v.PartiesTitle = l.T("page.parties")
	if r.State.Ended() {
		v.PartiesTitle = l.T("page.parties_ended") // nobody must any more
	}
	switch {
	case r.State == model.StateValidating:
		if aw := r.Awaited(); len(aw) > 0 {
			v.State = waitingFor(l, aw, party)
		}
		v.WhenLabel, v.When = l.T("page.expires"), l.Stamp(r.Expires)
	default:
		switch why := model.ReasonOf(r); {
		case r.Reason == "" || r.State == model.StateDone:
		case namesItsState(why):
			v.State = text.Line(why.In(l)) // "refused by yy22222-ovh", not "refused: refused by…"
		default:
			v.State = l.T("page.state_because", locale.Args{"State": v.State, "Reason": text.Line(why.In(l))})
		}
		v.WhenLabel, v.When = l.T("page.ended"), l.Stamp(r.Ended)
	}
	for _, p := range r.Parties {
		pv := partyView{Handle: string(p.Handle), As: r.Why(p.Handle).In(l), AnswerClass: string(p.Answer), You: p.Handle == party}
		pv.Answer = l.T("page.answer."+string(p.Answer), locale.Args{"When": locale.Stamp(p.Answered)})
		if p.Answer == model.AnswerPending && r.State != model.StateValidating {
			pv.Answer = l.T("page.answer.none") // it will never come
		}
		v.Parties = append(v.Parties, pv)
	}
	return v
}

// namesItsState reports whether the reason a request ended says its
// state itself ("refused by yy22222-ovh", "cancelled by xx11111-ovh"):
// the page then says it alone, not after the state ("refused: refused
// by yy22222-ovh").
func namesItsState(why locale.Word) bool {
	m, ok := why.(locale.Message)
	return ok && (m.ID == "word.reason.refused_by" || m.ID == "word.reason.cancelled_by")
}

// sentence is a refusal of the model as a sentence of the page, in l's
// language: capitalised, with a full stop.
func sentence(l *locale.Localizer, err error) string {
	return locale.Capitalize(model.Localize(err, l)) + "."
}

// visitor is the language of a page before it knows whose token it
// is: the one its form was shown in, else the one the browser asks for
// (Accept-Language), else the desk's
// default-lang, else English. While the database does not answer
// (within langLookupTimeout), the desk's default-lang is the one last
// read.
func (h *handler) visitor(r *http.Request) *locale.Localizer {
	// A page's form says the language it was shown in (the party's):
	// a token mended wrong in its field is answered in that language,
	// whatever the browser's. (PostForm is empty until readAnswer read
	// the form, within its limit of size.)
	if lang, ok := locale.Parse(r.PostForm.Get("lang")); ok {
		return locale.For(lang)
	}
	if lang, ok := locale.Parse(r.URL.Query().Get("lang")); ok && r.Method != http.MethodPost {
		return locale.For(lang)
	}
	if lang, ok := locale.FromAcceptLanguage(r.Header.Get("Accept-Language")); ok {
		return locale.For(lang)
	}
	ctx, cancel := context.WithTimeout(r.Context(), min(langLookupTimeout, h.timeout))
	defer cancel()
	if set, err := h.desk.Settings(ctx); err == nil {
		h.deskLang.Store(set.DefaultLang())
		return locale.For(set.DefaultLang())
	}
	if lang, ok := h.deskLang.Load().(locale.Lang); ok {
		return locale.For(lang)
	}
	return locale.For(locale.Default)
}

// partyLang is the language of a page about a request, once the token's
// party is known: the party's own, whatever the browser says (the page
// answers its mail, written in that language).
func (h *handler) partyLang(r *http.Request, party model.Handle) *locale.Localizer {
	if a, err := h.desk.Account(r.Context(), party); err == nil {
		return locale.For(a.Lang)
	}
	return h.visitor(r)
}

// waitingFor says whom a request waits for, the reader (party) as
// "you": "waiting for your answer", "waiting for answers from you and
// cd67890-ovh"; the reader's own handle read as somebody else's.
func waitingFor(l *locale.Localizer, aw []model.Handle, party model.Handle) string {
	i := slices.Index(aw, party)
	switch {
	case party == "" || i < 0:
		return l.T("page.waiting_for", locale.Args{"Awaited": handleList(l, aw)})
	case len(aw) == 1:
		return l.T("page.waiting_for_you")
	}
	rest := slices.Delete(slices.Clone(aw), i, i+1)
	return l.T("page.waiting_for_you_and", locale.Args{"Rest": handleList(l, rest), "N": len(rest)})
}

// handleList lists handles as a sentence of l's language does:
// "ad11111-ovh and te22222-ovh", "ad11111-ovh e te22222-ovh".
func handleList(l *locale.Localizer, hs []model.Handle) string {
	items := make([]any, len(hs))
	for i, h := range hs {
		items[i] = string(h)
	}
	return l.List(items...)
}

// minutes is a wait in whole minutes, rounded up, in the reader's words.
func minutes(d time.Duration) locale.Duration {
	m := max(1, (d+time.Minute-1)/time.Minute)
	return locale.Duration(m * time.Minute)
}
