package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/idna"

	"contactdesk/internal/ratelimit"
	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
)

// The page of a consumer key asked for through the API (POST
// /1.0/auth/credential answers its address, the validationUrl:
// /auth/?credentialToken=…): which application asks to act as which
// account, with which rights, and the forms that validate or refuse it.
// The account proves itself with a code mailed to its address when the
// page asks for one; the mail's link opens the page with the code filled
// in. The page speaks the account's language, as the mail does. Its
// tokens and codes of nobody are counted against the client, as a
// request page's wrong tokens are.

// The buttons of the page's forms: the form's "answer" field.
const (
	credentialMail     = "code"
	credentialValidate = "validate"
	credentialRefuse   = "refuse"
)

// credentialRoute names the page in the access log: never its tokens.
const credentialRoute = "/auth/"

// showCredential is the page of a validationUrl (and of the mail's link,
// with its code).
func (h *handler) showCredential(w http.ResponseWriter, r *http.Request) {
	setRoute(r, credentialRoute)
	q := r.URL.Query()
	token := q.Get("credentialToken")
	if strings.TrimSpace(token) == "" || len(q["credentialToken"]) > 1 {
		l := h.visitor(r)
		h.render(w, r, http.StatusOK, view{L: l, Title: l.T("page.credential.title_n"), Notes: []string{l.T("page.credential.ask")}})
		return
	}
	cl, ok := h.openCredential(w, r, token, nil)
	if !ok {
		return
	}
	code := q.Get("code")
	if len([]rune(code)) > maxTyped {
		code = ""
	}
	h.credentialPage(w, r, http.StatusOK, cl, token, code, nil)
}

// answerCredential takes the page's forms: mail a code, or validate or
// refuse with it, through the model.
func (h *handler) answerCredential(w http.ResponseWriter, r *http.Request) {
	setRoute(r, credentialRoute)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		l := h.visitor(r)
		status, msg := http.StatusBadRequest, l.T("page.credential.bad_form")
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status, msg = http.StatusRequestEntityTooLarge, l.T("page.too_much_form")
		}
		h.render(w, r, status, view{L: l, Title: l.T("page.refused_title"), Notice: &notice{Kind: "error", Text: msg}})
		return
	}
	f := r.PostForm
	token, choice, code := f.Get("credentialToken"), f.Get("answer"), f.Get("code")
	if repeated(f) || strings.TrimSpace(token) == "" || (choice != credentialMail && choice != credentialValidate && choice != credentialRefuse) {
		l := h.visitor(r)
		h.render(w, r, http.StatusBadRequest, view{L: l, Title: l.T("page.refused_title"), Notice: &notice{Kind: "error", Text: l.T("page.credential.bad_form")}})
		return
	}
	var try *ratelimit.Reservation
	if choice != credentialMail {
		// the code is tried within the throttle too: a code of nobody
		// is counted as a wrong token is
		var ok bool
		if try, ok = h.reserveTry(w, r); !ok {
			return
		}
		defer try.Cancel()
	}
	cl, ok := h.openCredential(w, r, token, try)
	if !ok {
		return
	}
	l := locale.For(cl.Account.Lang)
	var err error
	var now model.CredentialLink
	if choice == credentialMail {
		now, err = h.desk.MailCredentialCode(r.Context(), token)
		if err == nil {
			h.credentialPage(w, r, http.StatusOK, now, token, "", &notice{Kind: "ok", Text: l.T("page.credential.code_sent", locale.Args{"Handle": cl.Account.Handle})})
			return
		}
	} else {
		now, err = h.desk.AnswerCredential(r.Context(), token, code, choice == credentialValidate)
		if err == nil {
			say := "page.credential.refused"
			if choice == credentialValidate {
				say = "page.credential.validated"
			}
			h.credentialPage(w, r, http.StatusOK, now, token, "", &notice{Kind: "ok", Text: l.T(say, locale.Args{"Handle": cl.Account.Handle})})
			return
		}
	}
	if !model.IsRefusal(err) {
		h.failed(w, r, err)
		return
	}
	if errors.Is(err, model.ErrWrongToken) && try != nil {
		left, wait := try.Spend(h.now())
		note := triesNote(l, left, wait)
		h.credentialPage(w, r, http.StatusForbidden, cl, token, "", &notice{Kind: "error", Text: sentence(l, err) + " " + note})
		return
	}
	if fresh, ferr := h.desk.FindCredential(r.Context(), token); ferr == nil {
		cl = fresh
	}
	h.credentialPage(w, r, h.refusalStatus(w, err), cl, token, "", &notice{Kind: "error", Text: sentence(l, err)})
}

// reserveTry reserves a try of this client's throttle of wrong tokens;
// a paused client gets the page saying when to come back.
func (h *handler) reserveTry(w http.ResponseWriter, r *http.Request) (*ratelimit.Reservation, bool) {
	try, wait := h.clients.Reserve(ratelimit.AddrKey(h.addr(r)), h.now())
	if try == nil {
		l := h.visitor(r)
		h.paused(w, r, l, l.T("page.paused_client", locale.Args{"Wait": minutes(wait)}), wait)
		return nil, false
	}
	return try, true
}

// openCredential finds the key a page's token opens, within the client's
// throttle (try, when the caller reserved one already): a token of
// nobody is counted, and answered with its page. When it returns false
// it has written the response.
func (h *handler) openCredential(w http.ResponseWriter, r *http.Request, token string, try *ratelimit.Reservation) (model.CredentialLink, bool) {
	if try == nil {
		var ok bool
		if try, ok = h.reserveTry(w, r); !ok {
			return model.CredentialLink{}, false
		}
		defer try.Cancel()
	}
	cl, err := h.desk.FindCredential(r.Context(), token)
	switch {
	case errors.Is(err, model.ErrWrongToken):
		left, wait := try.Spend(h.now())
		l := h.visitor(r)
		note := triesNote(l, left, wait)
		h.render(w, r, http.StatusForbidden, view{L: l, Title: l.T("page.credential.wrong_title"), Notice: &notice{Kind: "error", Text: sentence(l, err)},
			Notes: []string{note}})
		return cl, false
	case err != nil:
		h.failed(w, r, err)
		return cl, false
	}
	return cl, true
}

// credentialPage draws the key as it stands, in its account's language,
// with the forms while it awaits validation (code: the mail's, filled
// in), and once validated, the way back to the application.
func (h *handler) credentialPage(w http.ResponseWriter, r *http.Request, status int, cl model.CredentialLink, token, code string, n *notice) {
	l := locale.For(cl.Account.Lang)
	c := cl.Consumer
	intro := "page.credential.intro"
	switch cl.State {
	case model.CredentialValidated:
		intro = "page.credential.intro_validated"
	case model.CredentialRefused, model.CredentialExpired:
		intro = "page.credential.intro_ended"
	}
	v := &credentialView{
		L:      l,
		Intro:  l.T(intro, locale.Args{"App": appNamed(l, cl), "Handle": cl.Account.Handle}),
		Handle: string(cl.Account.Handle), App: appName(cl), Asked: l.Stamp(c.Created),
		State: l.T("page.credential.state." + cl.State), StateClass: cl.State,
		Token: token, Code: text.Line(code),
	}
	for _, rule := range c.Rules {
		v.Rules = append(v.Rules, text.Line(model.RuleWords(rule).In(l)))
	}
	if cl.State == model.CredentialPending || cl.State == model.CredentialValidated {
		// Whoever knows an application key (no secret) chooses where a
		// validated key's page goes: the account sees it before it
		// validates, so that a lookalike of its application's address
		// can be told apart.
		v.GoesTo = redirectionSite(c.Redirection)
	}
	if cl.State == model.CredentialPending {
		v.WhenLabel, v.When = l.T("page.credential.expires"), l.Stamp(c.Expires)
		v.Answer = cl.CodeSent || code != ""
		if cl.CodesLeft > 0 {
			v.Mail = l.T("page.credential.mail")
			if cl.CodeSent {
				v.Mail = l.T("page.credential.mail_again")
			}
			v.MailNote = l.T("page.credential.mail_note", locale.Args{"Handle": cl.Account.Handle})
		}
	} else {
		v.WhenLabel, v.When = l.T("page.credential.answered"), l.Stamp(c.Ended)
		if cl.State == model.CredentialExpired {
			v.WhenLabel, v.When = l.T("page.credential.ended"), l.Stamp(c.Expires)
		}
	}
	out := view{L: l, Title: l.T("page.credential.title", locale.Args{"Handle": cl.Account.Handle}), Notice: n, Credential: v}
	if cl.State == model.CredentialExpired && c.Dropped() {
		// ended before its hour: why, and what to do
		out.Notes = []string{l.T("page.credential.dropped", locale.Args{"N": model.MaxAppPendingCredentials})}
	}
	if cl.State == model.CredentialValidated && c.Redirection != "" && n != nil && n.Kind == "ok" {
		// just validated: back to the application, as the provider's
		// page goes (a link, and the page goes by itself in a moment)
		v.Continue, v.ContinueText = c.Redirection, l.T("page.credential.continue")
		out.Refresh = "3;url=" + c.Redirection
	}
	h.render(w, r, status, out)
}

// appNamed is the application in a sentence: its name between the
// reader's quotation marks («painel de faturas» in Portuguese), so that
// the name reads apart from the words around it, then its key.
func appNamed(l *locale.Localizer, cl model.CredentialLink) string {
	if cl.AppName == "" {
		return cl.Consumer.AppKey
	}
	return l.T("word.app.named", locale.Args{"Name": text.Line(cl.AppName), "Key": cl.Consumer.AppKey})
}

func appName(cl model.CredentialLink) string {
	if cl.AppName == "" {
		return cl.Consumer.AppKey
	}
	return text.Line(cl.AppName) + " (" + cl.Consumer.AppKey + ")"
}

// credentialView is a consumer key asked for, as its page shows it.
type credentialView struct {
	L                         *locale.Localizer
	Intro, Handle, App, Asked string
	Rules                     []string
	State, StateClass         string
	WhenLabel, When           string
	Token, Code               string
	Answer                    bool   // the form that validates or refuses
	Mail, MailNote            string // the button that mails a code, when one may be
	Continue, ContinueText    string // where a validated key's page goes
	GoesTo                    string // that address's site, shown beside the key
}

// redirectionSite is the scheme and host of a validated key's
// redirection (model.CheckRedirection took it), or "" when it has none.
// A host of letters outside ASCII is shown as the browser looks it up,
// in its ASCII form (xn--…, golang.org/x/net/idna's UTS #46 lookup, as
// the mails' addresses are): the Cyrillic "а" of "аpple.com" looks like
// a Latin "a", and the page showed the lookalike as the very site it
// imitates, where this line is meant to tell them apart.
func redirectionSite(redirection string) string {
	u, err := url.Parse(redirection)
	if redirection == "" || err != nil {
		return ""
	}
	host := u.Host
	if name := u.Hostname(); !text.IsASCII(name) {
		ascii, err := idna.Lookup.ToASCII(name)
		if err != nil {
			// no browser goes there; its labels encoded all the same
			ascii, _ = idna.Punycode.ToASCII(name)
		}
		host = ascii
		if port := u.Port(); port != "" {
			host += ":" + port
		}
	}
	return text.Line(u.Scheme + "://" + host)
}
