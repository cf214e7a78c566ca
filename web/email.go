package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
)

// The page of a change of e-mail address: the link of the mail that
// proves a new address (/email/{id}?token=…) opens it, and its form
// confirms or refuses the change with that token, through the model's
// own ConfirmEmail and RefuseEmail. As on a request's page, opening it
// changes nothing, and tokens of nobody are counted here only.

// showEmail is the page of the link: the change as its account asked
// for it, with the form to answer while it can.
func (h *handler) showEmail(w http.ResponseWriter, r *http.Request) {
	id, token, ok := h.linkToken(w, r, "email", func(l *locale.Localizer, id int64) view {
		return view{L: l, Title: l.T("page.email_title_n"), Notes: []string{l.T("page.email_ask_token")}, Ask: askEmail(l, id)}
	})
	if !ok {
		return
	}
	el, ok := h.openEmail(w, r, id, token)
	if !ok {
		return
	}
	l := h.partyLang(r, el.Change.Handle)
	h.render(w, r, http.StatusOK, view{L: l, Title: l.T("page.email_title", locale.Args{"Handle": el.Change.Handle}),
		Email: emailViewOf(l, el, h.now()), Form: emailForm(l, id, token)})
}

// answerEmail records the form's answer through the model.
func (h *handler) answerEmail(w http.ResponseWriter, r *http.Request) {
	id, token, choice, ok := h.readAnswer(w, r, "email", askEmail)
	if !ok {
		return
	}
	el, ok := h.openEmail(w, r, id, token)
	if !ok {
		return
	}
	who := el.Change.Handle
	var err error
	if choice == answerYes {
		_, err = h.desk.ConfirmEmail(r.Context(), who, token)
	} else {
		_, err = h.desk.RefuseEmail(r.Context(), who, token)
	}
	l := h.partyLang(r, who)
	if err != nil {
		if !model.IsRefusal(err) {
			h.failed(w, r, err)
			return
		}
		// Answered or ended between the look at the token and the
		// answer (two answers sent at once): the page a moment later.
		if now, ferr := h.desk.FindEmailChange(r.Context(), id, token); ferr == nil && now.Closed != nil {
			h.emailClosed(w, r, now)
			return
		}
		v := view{L: l, Title: l.T("page.refused_title"), Notice: &notice{Kind: "error", Text: sentence(l, err)}}
		if now, ferr := h.desk.FindEmailChange(r.Context(), id, token); ferr == nil {
			v.Email = emailViewOf(l, now, h.now())
		}
		h.render(w, r, h.refusalStatus(w, err), v)
		return
	}
	args := locale.Args{"Handle": who, "Email": text.Line(el.Change.Email)}
	done := l.T("page.email_confirmed", args)
	if choice == answerNo {
		done = l.T("page.email_refused", args)
	}
	v := view{L: l, Title: l.T("page.email_title", locale.Args{"Handle": who}), Notice: &notice{Kind: "ok", Text: done}}
	if now, ferr := h.desk.FindEmailChange(r.Context(), id, token); ferr == nil {
		v.Email = emailViewOf(l, now, h.now())
	}
	h.render(w, r, http.StatusOK, v)
}

// openEmail finds the change of address token opens, after the
// throttle lets this client try (see tryToken), and writes the page of
// a change that can't be answered any more. It returns true when the
// token may answer.
func (h *handler) openEmail(w http.ResponseWriter, r *http.Request, id int64, token string) (model.EmailLink, bool) {
	var el model.EmailLink
	wrong := func(l *locale.Localizer) (string, *askView) { return l.T("page.email_wrong_title"), askEmail(l, id) }
	if !h.tryToken(w, r, wrong, token, func() (err error) {
		el, err = h.desk.FindEmailChange(r.Context(), id, token)
		return err
	}) {
		return el, false
	}
	if el.Closed != nil {
		h.emailClosed(w, r, el)
		return el, false
	}
	return el, true
}

// emailClosed is the page of a change of address that can't be answered
// any more: the change as it stands, and why, without the form.
func (h *handler) emailClosed(w http.ResponseWriter, r *http.Request, el model.EmailLink) {
	// Confirmed, refused or expired is news, not a mistake; a replaced
	// token is one.
	status, kind := http.StatusGone, "info"
	if errors.Is(el.Closed, model.ErrTokenReplaced) {
		status, kind = http.StatusForbidden, "error"
	}
	l := h.partyLang(r, el.Change.Handle)
	h.render(w, r, status, view{L: l, Title: l.T("page.email_title", locale.Args{"Handle": el.Change.Handle}),
		Email: emailViewOf(l, el, h.now()), Notice: &notice{Kind: kind, Text: sentence(l, el.Closed)}})
}

// emailView is a change of address as its page shows it.
type emailView struct {
	L                        *locale.Localizer
	Intro, Handle, Email     string
	Asked, State, StateClass string
	WhenLabel, When          string
}

// emailViewOf is el in l's language, cleaned of what could fool a
// reader (the template escapes it for HTML).
func emailViewOf(l *locale.Localizer, el model.EmailLink, now time.Time) *emailView {
	c := el.Change
	state := c.StateAt(now)
	// While pending, the intro says where mail goes meanwhile; once the
	// change has ended (confirmed, refused, replaced, expired) that is
	// no longer so, and the state says what became of it.
	intro := "page.email_intro_ended"
	if state == model.EmailPending {
		intro = "page.email_intro"
	}
	v := &emailView{
		L:          l,
		Intro:      l.T(intro, locale.Args{"Handle": c.Handle, "Email": text.Line(c.Email)}),
		Handle:     string(c.Handle),
		Email:      text.Line(c.Email),
		Asked:      l.Stamp(c.Created),
		State:      l.T("page.email_state." + state),
		StateClass: state,
	}
	if state == model.EmailPending {
		v.WhenLabel, v.When = l.T("page.expires"), l.Stamp(c.Expires)
	} else {
		ended := c.Ended
		if state == model.EmailExpired {
			ended = c.Expires
		}
		v.WhenLabel, v.When = l.T("page.email_ended"), l.Stamp(ended)
	}
	return v
}

// emailForm is the form that confirms or refuses change id with token.
func emailForm(l *locale.Localizer, id int64, token string) *formView {
	return &formView{L: l, Action: strconv.FormatInt(id, 10), Token: token,
		Accept: l.T("page.email_confirm"), Refuse: l.T("page.email_refuse"), Note: l.T("page.email_form_note")}
}

// askEmail is the field that asks for the token of change id.
func askEmail(l *locale.Localizer, id int64) *askView {
	return &askView{L: l, Action: strconv.FormatInt(id, 10), Button: l.T("page.email_open")}
}
