package model

import (
	"fmt"
	"net/url"
	"strings"
	"time"
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

// mailTime writes a time in mails: UTC, to the minute.
func mailTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// send stores a mail to h at the address h has now.
func (d *Desk) send(tx Tx, w *work, h Handle, m Mail) (Mail, error) {
	return d.sendTo(tx, w, h, "", m)
}

// sendTo stores a mail in h's mailbox, addressed to address (the one h
// has now when address is empty), and queues it for real delivery when
// the desk delivers mail.
func (d *Desk) sendTo(tx Tx, w *work, h Handle, address string, m Mail) (Mail, error) {
	a, err := tx.Account(h)
	if err != nil {
		return Mail{}, err
	}
	if address == "" {
		address = a.Email
	}
	m.To, m.Address, m.Date = h, address, w.now
	m.Body = fmt.Sprintf("Hello %s,\n\n%s\n-- \ncontactdesk, on behalf of your hosting provider\n", a.Name, m.Body)
	set, err := w.settingsOf(tx)
	if err != nil {
		return Mail{}, err
	}
	if ssh := set.SSHCommand(); ssh != "" {
		m.Body += "Your contact desk over SSH: " + ssh + "\n"
	}
	if err := tx.InsertMail(&m); err != nil {
		return Mail{}, err
	}
	if d.realDelivery(set) {
		if err := tx.QueueMail(m.ID, w.now); err != nil {
			return Mail{}, err
		}
		m.Delivery = DeliveryPending
	}
	return m, nil
}

// realDelivery reports whether the mails written now go out for real:
// this process has an SMTP server, or the desk says mail is delivered
// (another process sends the outbox).
func (d *Desk) realDelivery(s Settings) bool { return d.outbox || s.RealDelivery() }

// sendConfirm issues h a fresh token for r and mails it.
func (d *Desk) sendConfirm(tx Tx, w *work, r Request, h Handle, again bool) (Mail, error) {
	tok, hash := NewToken()
	if err := tx.InsertToken(&TokenRecord{RequestID: r.ID, Handle: h, Hash: hash, State: TokenActive}); err != nil {
		return Mail{}, err
	}
	set, err := w.settingsOf(tx)
	if err != nil {
		return Mail{}, err
	}
	change := changeWords(r)
	subject := fmt.Sprintf("Please confirm: %s (request #%d)", change, r.ID)
	if again {
		subject = "Sent again: " + subject
	}
	if w.tokens != nil {
		if w.tokens[r.ID] == nil {
			w.tokens[r.ID] = map[Handle]string{}
		}
		w.tokens[r.ID][h] = tok
	}
	link := linkOf(set, r.ID, tok)
	var b strings.Builder
	fmt.Fprintf(&b, "%s asked for a change of contact on %s (%s):\n\n", r.Requester, r.Service, r.Type)
	fmt.Fprintf(&b, "    %s contact: %s -> %s\n\n", capitalize(r.RoleList()), r.From, r.To)
	fmt.Fprintf(&b, "You are asked to confirm it as the %s.\n", r.PartyLabel(h))
	fmt.Fprintf(&b, "Everyone who must confirm: %s.\n\n", partyWords(r))
	fmt.Fprintf(&b, "Your personal token (single use, for you alone; do not share it):\n\n    %s\n\n", tok)
	if d.realDelivery(set) {
		howToAnswer(&b, set, r.ID, link)
	} else {
		// The simulated mailbox is read inside the desk, by its users
		// and its support staff: the app's link, and the commands.
		fmt.Fprintf(&b, "Open the request with the token filled in:\n\n    %s\n\n", link)
		fmt.Fprintf(&b, "Or from a shell:\n\n    contactdesk request accept %d --as %s --token %s\n    contactdesk request refuse %d --as %s --token %s\n\n", r.ID, h, tok, r.ID, h, tok)
	}
	if again {
		b.WriteString("This token replaces the one sent before, which no longer works.\n")
	}
	fmt.Fprintf(&b, "Unless everyone has answered by %s, the request expires and nothing changes.\n", mailTime(r.Expires))
	return d.send(tx, w, h, Mail{Subject: subject, Body: b.String(), RequestID: r.ID, Token: tok, Link: link, Kind: MailConfirm})
}

// howToAnswer tells the reader of a real mail where to answer: the web
// page (with a public URL), the desk over SSH (with public-ssh), else
// the desk as they know it. Never the command line: it needs the
// database, which only support staff have.
func howToAnswer(b *strings.Builder, s Settings, id int64, link string) {
	ssh := s.SSHCommand()
	if s.PublicURL() != "" {
		fmt.Fprintf(b, "Accept or refuse it on this page, where your token is filled in:\n\n    %s\n\n", link)
		if ssh != "" {
			fmt.Fprintf(b, "Or over SSH: %s, then open request #%d under Requests and answer with your token.\n\n", ssh, id)
		}
		return
	}
	if ssh != "" {
		fmt.Fprintf(b, "To accept or refuse it, connect to the desk over SSH:\n\n    %s\n\nthen open request #%d under Requests and answer with your token.\n\n", ssh, id)
		return
	}
	fmt.Fprintf(b, "To accept or refuse it, open request #%d in your contact desk and answer with your token.\n\n", id)
}

// CarriesToken reports whether m is a mail that carries (or carried) a
// personal token.
func (m Mail) CarriesToken() bool {
	return m.Token != "" || m.Kind == MailConfirm || m.Kind == MailEmailConfirm
}

// shown is m as its mailbox shows it. Once the desk delivers mail for
// real, a token belongs in its recipient's own inbox: a mailbox anyone
// logged in as the account can read proves nothing, so a mail that went
// out for real, or any mail while real delivery is on, shows that its
// token was mailed, and where, never the token itself.
func shown(m Mail, real bool) Mail {
	if (!real && m.Delivery == "") || !m.CarriesToken() {
		return m
	}
	return withheld(m)
}

// withheld is m without its token: the body says where the token went,
// and the link opens the request without it.
func withheld(m Mail) Mail {
	if m.Token != "" {
		bare := bareLink(m.Link)
		if m.Link != "" {
			m.Body = strings.ReplaceAll(m.Body, m.Link, bare)
		}
		m.Body = strings.ReplaceAll(m.Body, m.Token, fmt.Sprintf("(mailed to %s; the desk keeps no copy)", m.Address))
		m.Token, m.Link = "", bare
	}
	m.TokenWithheld = true
	return m
}

// bareLink is a link without its token.
func bareLink(link string) string {
	base, _, _ := strings.Cut(link, "?")
	return base
}

// sendOutcome tells h how r ended.
func (d *Desk) sendOutcome(tx Tx, w *work, r Request, h Handle) error {
	var subject string
	var b strings.Builder
	role := r.RoleList()
	switch r.State {
	case StateDone:
		subject = fmt.Sprintf("Request #%d done: %s is the new %s contact of %s", r.ID, r.To, role, r.Service)
		fmt.Fprintf(&b, "Everyone confirmed request #%d, and it has been applied:\n\n    %s contact of %s: %s -> %s\n\n", r.ID, capitalize(role), r.Service, r.From, r.To)
	default:
		subject = fmt.Sprintf("Request #%d %s: the %s contact of %s stays %s", r.ID, r.State, role, r.Service, r.From)
		fmt.Fprintf(&b, "Request #%d (%s) has ended %s, and nothing was changed.\n\n    Reason: %s\n\n", r.ID, changeWords(r), r.State, r.Reason)
	}
	b.WriteString("Answers:\n")
	for _, p := range r.Parties {
		fmt.Fprintf(&b, "    %s (%s): %s\n", p.Handle, r.PartyLabel(p.Handle), p.Answer)
	}
	_, err := d.send(tx, w, h, Mail{Subject: subject, Body: b.String(), RequestID: r.ID, Kind: MailOutcome})
	return err
}

func changeWords(r Request) string {
	return fmt.Sprintf("new %s contact for %s", r.RoleList(), r.Service)
}

func partyWords(r Request) string {
	ws := make([]string, len(r.Parties))
	for i, p := range r.Parties {
		ws[i] = fmt.Sprintf("%s (%s)", p.Handle, r.PartyLabel(p.Handle))
	}
	return strings.Join(ws, ", ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
