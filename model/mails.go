package model

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"contactdesk/locale"
)

// Link returns the app's own address that opens request id with token
// filled in: contactdesk://request/<id>?token=<token>.
func Link(id int64, token string) string {
	return fmt.Sprintf("contactdesk://request/%d?token=%s", id, token)
}

// WebLink returns the address of request id's web page with token
// filled in: <publicURL>/request/<id>?token=<token>.
func WebLink(publicURL string, id int64, token string) string {
	return fmt.Sprintf("%s/request/%d?token=%s", publicURL, id, url.QueryEscape(token))
}

// EmailWebLink returns the address of the web page that confirms or
// refuses change id of an e-mail address with token filled in:
// <publicURL>/email/<id>?token=<token>.
func EmailWebLink(publicURL string, id int64, token string) string {
	return fmt.Sprintf("%s/email/%d?token=%s", publicURL, id, url.QueryEscape(token))
}

// linkOf is the link of a confirmation mail: the web page's when the
// desk has a public URL, else the app's.
func linkOf(s Settings, id int64, token string) string {
	if u := s.PublicURL(); u != "" {
		return WebLink(u, id, token)
	}
	return Link(id, token)
}

// ParseLink reads a link made by Link or WebLink (the token may be
// missing: a link whose token was withheld).
func ParseLink(link string) (id int64, token string, ok bool) {
	link = strings.TrimSpace(link)
	if rest, found := strings.CutPrefix(link, "contactdesk://request/"); found {
		idPart, query, _ := strings.Cut(rest, "?")
		if id, ok = parseLinkID(idPart); !ok {
			return 0, "", false
		}
		return id, tokenParam(query), true
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
		return 0, "", false
	}
	i := strings.LastIndex(u.Path, "/request/")
	if i < 0 {
		return 0, "", false
	}
	if id, ok = parseLinkID(u.Path[i+len("/request/"):]); !ok {
		return 0, "", false
	}
	return id, tokenParam(u.RawQuery), true
}

// tokenParam is the token of a link's query, as written: a token needs
// no escaping (WebLink escapes it all the same).
func tokenParam(query string) string {
	var token string
	for _, kv := range strings.Split(query, "&") {
		if v, ok := strings.CutPrefix(kv, "token="); ok {
			token = v
		}
	}
	return token
}

// parseLinkID reads a request number written as Link writes it.
func parseLinkID(s string) (int64, bool) {
	var id int64
	if _, err := fmt.Sscanf(s, "%d", &id); err != nil || id <= 0 || fmt.Sprint(id) != s {
		return 0, false
	}
	return id, true
}

// letter writes a mail's subject and body (without the greeting and
// the signature) in its recipient's language.
type letter func(l *locale.Localizer) (subject, body string)

// send stores a mail to h at the address h has now.
func (d *Desk) send(tx Tx, w *work, h Handle, m Mail, write letter) (Mail, error) {
	return d.sendTo(tx, w, h, "", m, write)
}

// sendTo stores a mail in h's mailbox, addressed to address (the one h
// has now when address is empty), written in h's language whoever made
// it, and queues it for real delivery when the desk delivers mail: its
// setting mail-delivery says so, read in this write, whichever process
// writes (one with an SMTP server of its own too; see Settings).
func (d *Desk) sendTo(tx Tx, w *work, h Handle, address string, m Mail, write letter) (Mail, error) {
	a, err := tx.Account(h)
	if err != nil {
		return Mail{}, err
	}
	return d.sendToAccount(tx, w, a, address, m, write)
}

// sendToAccount is sendTo to account a, read by the caller in this
// write (partyAccounts reads a request's parties' in one statement).
func (d *Desk) sendToAccount(tx Tx, w *work, a Account, address string, m Mail, write letter) (Mail, error) {
	h := a.Handle
	if address == "" {
		address = a.Email
	}
	l := locale.For(a.Lang)
	subject, body := write(l)
	m.To, m.Address, m.Date, m.Subject = h, address, w.now, subject
	m.Body = l.T("mail.hello", locale.Args{"Name": a.Name}) + "\n\n" + body + "\n-- \n" + l.T("mail.signature") + "\n"
	set, err := w.settingsOf(tx)
	if err != nil {
		return Mail{}, err
	}
	if ssh := set.SSHCommand(); ssh != "" {
		m.Body += l.T("mail.ssh_line", locale.Args{"SSH": ssh}) + "\n"
	}
	if set.RealDelivery() {
		// A real mail comes from the operator's address, where a reply
		// reaches no one who acts on it: the reader learns it before
		// writing one ("I did not ask for this!"), not from the silence.
		m.Body = keepLineBreaks(m.Body + l.T("mail.no_reply") + "\n")
	}
	if err := tx.InsertMail(&m); err != nil {
		return Mail{}, err
	}
	if set.RealDelivery() {
		if err := tx.QueueMail(m.ID, w.now); err != nil {
			return Mail{}, err
		}
		m.Delivery = DeliveryPending
	}
	return m, nil
}

// keepLineBreaks keeps Outlook from joining body's lines. By default it
// "removes extra line breaks" from a plain-text mail: after a line of 40
// characters or more that does not end a sentence (., ?, !, :), it joins
// the next line to it, unless that one starts with a tab or two spaces
// (an indented block, as the mails' tokens, links and lists are). Such a
// line, followed by one Outlook would join, ends with three spaces, as
// mailing lists' footers do: nobody sees them, and the message is not
// format=flowed, where a trailing space would mean something. The
// signature's lines ("contactdesk, on behalf of your hosting provider",
// the SSH line, the line saying replies are not read) are such lines.
// Only a real mail gets them: the simulated mailbox is read in the app.
func keepLineBreaks(body string) string {
	lines := strings.Split(body, "\n")
	for i := 0; i+1 < len(lines); i++ {
		l, next := lines[i], lines[i+1]
		if next == "" || strings.HasPrefix(next, "\t") || strings.HasPrefix(next, "  ") ||
			utf8.RuneCountInString(l) < 40 || strings.HasSuffix(l, "   ") || strings.HasSuffix(l, "\t") ||
			strings.ContainsAny(l[len(l)-1:], ".?!:") {
			continue
		}
		lines[i] = l + "   "
	}
	return strings.Join(lines, "\n")
}

// partyAccounts reads the accounts of r's parties, in one statement
// rather than one a mail, for the mails each is sent.
func partyAccounts(tx Tx, r Request) (map[Handle]Account, error) {
	as, err := tx.AccountsIn(partyHandles(r))
	if err != nil {
		return nil, err
	}
	m := make(map[Handle]Account, len(as))
	for _, a := range as {
		m[a.Handle] = a
	}
	return m, nil
}

// partyAccount is h's account among those partyAccounts read, or, when
// it holds none (no such account: the error says so), read alone.
func partyAccount(tx Tx, as map[Handle]Account, h Handle) (Account, error) {
	if a, ok := as[h]; ok {
		return a, nil
	}
	return tx.Account(h)
}

// sendConfirm issues a's holder a fresh token for r and mails it.
func (d *Desk) sendConfirm(tx Tx, w *work, r Request, a Account, again bool) (Mail, error) {
	h := a.Handle
	tok, hash := NewToken()
	if err := tx.InsertToken(&TokenRecord{RequestID: r.ID, Handle: h, Hash: hash, State: TokenActive}); err != nil {
		return Mail{}, err
	}
	set, err := w.settingsOf(tx)
	if err != nil {
		return Mail{}, err
	}
	if w.tokens != nil {
		if w.tokens[r.ID] == nil {
			w.tokens[r.ID] = map[Handle]string{}
		}
		w.tokens[r.ID][h] = tok
	}
	link := linkOf(set, r.ID, tok)
	real := set.RealDelivery()
	write := func(l *locale.Localizer) (string, string) {
		subject := l.T("mail.confirm.subject", locale.Args{"Change": changeWords(r), "ID": r.ID})
		if again {
			subject = l.T("mail.confirm.subject_again", locale.Args{"Subject": locale.Text(subject)})
		}
		var b strings.Builder
		line := func(id string, args locale.Args) { b.WriteString(l.T(id, args) + "\n") }
		line("mail.confirm.asked", locale.Args{"Requester": r.Requester, "Service": r.Service, "Type": ServiceType(r.Type)})
		b.WriteString("\n    ")
		line("mail.change", locale.Args{"Contact": locale.Capital{W: contactWords(r.Roles)}, "From": r.From, "To": r.To})
		b.WriteString("\n")
		line("mail.confirm.as", locale.Args{"As": r.Why(h)})
		line("mail.confirm.everyone", locale.Args{"Parties": partyWords(r)})
		b.WriteString("\n")
		line("mail.confirm.token", nil)
		fmt.Fprintf(&b, "\n    %s\n\n", tok)
		if real {
			howToAnswer(&b, l, set, r.ID, link)
		} else {
			// The simulated mailbox is read inside the desk, in the app:
			// its link, and the commands when its readers have the command
			// line at hand (Settings.CommandsInMail), else the app's keys.
			line("mail.confirm.link", nil)
			fmt.Fprintf(&b, "\n    %s\n\n", link)
			if set.CommandsInMail() {
				line("mail.confirm.shell", nil)
				fmt.Fprintf(&b, "\n    contactdesk request accept %d --as %s --token %s\n    contactdesk request refuse %d --as %s --token %s\n\n", r.ID, h, tok, r.ID, h, tok)
			} else {
				line("mail.confirm.app", locale.Args{"ID": r.ID})
				b.WriteString("\n")
			}
		}
		if again {
			line("mail.confirm.replaces", nil)
		}
		line("mail.confirm.expires", locale.Args{"Expires": locale.Spelled(r.Expires)})
		return subject, b.String()
	}
	return d.sendToAccount(tx, w, a, "", Mail{RequestID: r.ID, Token: tok, Link: link, Kind: MailConfirm}, write)
}

// howToAnswer tells the reader of a real mail, in its language, where to
// answer: the web page (with a public URL), the desk over SSH (with
// public-ssh), else the desk as they know it. Never the command line: it
// needs the database, which only support staff have.
func howToAnswer(b *strings.Builder, l *locale.Localizer, s Settings, id int64, link string) {
	ssh := s.SSHCommand()
	args := locale.Args{"ID": id, "SSH": ssh}
	if s.PublicURL() != "" {
		fmt.Fprintf(b, "%s\n\n    %s\n\n", l.T("mail.answer.page"), link)
		if ssh != "" {
			b.WriteString(l.T("mail.answer.or_ssh", args) + "\n\n")
		}
		return
	}
	if ssh != "" {
		fmt.Fprintf(b, "%s\n\n    %s\n\n%s\n\n", l.T("mail.answer.ssh"), ssh, l.T("mail.answer.ssh_then", args))
		return
	}
	b.WriteString(l.T("mail.answer.desk", args) + "\n\n")
}

// CarriesToken reports whether m is a mail that carries (or carried) a
// personal token.
func (m Mail) CarriesToken() bool {
	return m.Token != "" || m.Kind == MailConfirm || m.Kind == MailEmailConfirm || m.Kind == MailCredentialCode
}

// shown is m as its mailbox shows it. In the simulated mailbox the desk
// is the recipient's inbox: a mail shows its token. Once the desk
// delivers mail for real, a token belongs in its recipient's own inbox:
// a mailbox anyone logged in as the account can read proves nothing, so
// a mail that went through the outbox shows where its token went (or is
// to go, or failed to go), never the token itself. A mail of the
// simulated mailbox whose token was removed when real delivery began
// says so, whatever the setting now. l is the recipient's language,
// which the mail is written in; s, the desk's settings.
func shown(m Mail, real bool, s Settings, l *locale.Localizer) Mail {
	switch {
	case !m.CarriesToken():
		return m
	case m.Delivery != "":
		return withheld(m, l)
	case m.Token == "":
		// Only the switch to real delivery takes the token of a mail
		// that never went through the outbox (removeSimulatedTokens).
		m.TokenRemoved = true
		return m
	case real:
		// A mail of the simulated mailbox that still holds its token
		// under real delivery: only a write that raced the switch can
		// leave one. It shows as the switch would have left it.
		return removed(m, l, s)
	}
	return m
}

// withheld is m, a mail of the outbox, without its token: the body says,
// in l's language (the recipient's), where the token goes — queued for,
// mailed to, or not delivered to the address — and the link opens the
// request without it.
func withheld(m Mail, l *locale.Localizer) Mail {
	m = scrub(m, l.T(withheldNote(m.Delivery), locale.Args{"Address": m.Address}))
	m.TokenWithheld = true
	return m
}

// withheldNote is the message that stands where the token was, by where
// the mail's delivery stands. The stored copy forgets the token when the
// mail is handed to the server, saying "mailed to" (see Desk.HandOver),
// or when it fails, saying "not delivered to"; a mail still queued holds
// its token, which the mailbox hides with "queued for".
func withheldNote(delivery string) string {
	switch delivery {
	case DeliveryPending:
		return "mail.withheld_queued"
	case DeliveryFailed:
		return "mail.withheld_failed"
	}
	return "mail.withheld"
}

// removed is m, a mail of the simulated mailbox, as it is kept once real
// delivery began: without its token, which no inbox ever received. A
// note comes first, after the greeting, in l's language: the token was
// removed and the desk keeps no copy; a copy the reader made still works;
// how to ask for a fresh one, which is then mailed for real: in the app,
// and with the command line too when the desk's settings s allow it
// (Settings.CommandsInMail).
func removed(m Mail, l *locale.Localizer, s Settings) Mail {
	args := locale.Args{"ID": m.RequestID, "Handle": m.To, "Email": m.Address}
	request, email := "mail.removed.request", "mail.removed.email"
	if s.CommandsInMail() {
		request, email = "mail.removed.request_shell", "mail.removed.email_shell"
	}
	note := l.T(request, args)
	switch m.Kind {
	case MailEmailConfirm:
		note = l.T(email, args)
	case MailCredentialCode:
		note = l.T("mail.removed.credential")
	}
	m.Body = withoutCommands(m.Body, m.Token)
	m = scrub(m, l.T("mail.removed.token"))
	if hello, rest, ok := strings.Cut(m.Body, "\n\n"); ok {
		m.Body = hello + "\n\n" + note + "\n\n" + rest
	} else {
		m.Body = note + "\n\n" + m.Body
	}
	m.TokenRemoved = true
	return m
}

// scrub is m without its token: note stands where the token was, and
// the link opens the request without it.
func scrub(m Mail, note string) Mail {
	if m.Token == "" {
		return m
	}
	bare := bareLink(m.Link)
	if m.Link != "" {
		m.Body = strings.ReplaceAll(m.Body, m.Link, bare)
	}
	m.Body = strings.ReplaceAll(m.Body, m.Token, note)
	m.Token, m.Link = "", bare
	return m
}

// withoutCommands is body without the commands that answer with token
// (a confirmation mail of a desk not served over SSH offers them, see
// sendConfirm), nor their heading, in whichever language the mail was
// written: once the token is removed they would read "--token (removed:
// see the note above)", commands no one can run.
func withoutCommands(body, token string) string {
	if token == "" {
		return body
	}
	lines := strings.Split(body, "\n")
	kept := lines[:0]
	for _, line := range lines {
		if strings.HasPrefix(line, "    contactdesk ") && strings.Contains(line, token) {
			continue
		}
		kept = append(kept, line)
	}
	body = strings.Join(kept, "\n")
	for _, lang := range locale.Langs {
		// the heading, the blank line after it, and the one after the
		// commands
		body = strings.Replace(body, locale.For(lang).T("mail.confirm.shell")+"\n\n\n", "", 1)
	}
	return body
}

// bareLink is a link without its token.
func bareLink(link string) string {
	base, _, _ := strings.Cut(link, "?")
	return base
}

// sendOutcome tells h how r ended, and why (in h's language).
func (d *Desk) sendOutcome(tx Tx, w *work, r Request, why locale.Message, a Account) error {
	write := func(l *locale.Localizer) (string, string) {
		var subject string
		var b strings.Builder
		roles := RoleWords(r.Roles)
		switch r.State {
		case StateDone:
			subject = l.T("mail.outcome.done_subject", locale.Args{"ID": r.ID, "To": r.To, "Roles": roles, "Service": r.Service})
			b.WriteString(l.T("mail.outcome.done", locale.Args{"ID": r.ID}) + "\n\n    ")
			b.WriteString(l.T("mail.change_of", locale.Args{"Contact": locale.Capital{W: contactWords(r.Roles)}, "Service": r.Service, "From": r.From, "To": r.To}) + "\n\n")
		default:
			subject = l.T("mail.outcome.ended_subject", locale.Args{"ID": r.ID, "State": r.State, "Roles": roles, "Service": r.Service, "From": r.From})
			b.WriteString(l.T("mail.outcome.ended", locale.Args{"ID": r.ID, "Change": changeWords(r), "State": r.State}) + "\n\n    ")
			var reason locale.Word = why
			if why.IsZero() {
				reason = locale.Text(r.Reason)
			}
			b.WriteString(l.T("mail.outcome.reason", locale.Args{"Reason": reason}) + "\n\n")
		}
		b.WriteString(l.T("mail.outcome.answers") + "\n")
		for _, p := range r.Parties {
			// ended: a party that never answered is awaited no more
			var answer locale.Word = p.Answer
			if p.Answer == AnswerPending {
				answer = locale.M("word.answer.none")
			}
			b.WriteString(l.T("mail.outcome.answer", locale.Args{"Handle": p.Handle, "Why": r.Why(p.Handle), "Answer": answer}) + "\n")
		}
		return subject, b.String()
	}
	_, err := d.sendToAccount(tx, w, a, "", Mail{RequestID: r.ID, Kind: MailOutcome}, write)
	return err
}

// changeWords: "new tech contact for xara.pt".
func changeWords(r Request) locale.Message {
	return locale.M("word.change", locale.Args{"Roles": RoleWords(r.Roles), "Service": r.Service})
}

// contactWords: "tech, billing contact", "contacto técnico e de faturação".
func contactWords(rs []Role) locale.Message {
	return locale.M("word.contact", locale.Args{"Roles": RoleWords(rs)})
}

// partyWords lists the parties, each with why it must confirm, and
// whether it accepted already (a mail sent again says so).
func partyWords(r Request) locale.Word {
	ws := make([]any, len(r.Parties))
	for i, p := range r.Parties {
		id := "word.party_as"
		if p.Answer == AnswerAccepted {
			id = "word.party_as_accepted"
		}
		ws[i] = locale.M(id, locale.Args{"Handle": p.Handle, "As": r.Why(p.Handle)})
	}
	return locale.Joined{Words: ws, Sep: ", "}
}
