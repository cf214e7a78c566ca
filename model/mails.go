package model

import (
	"fmt"
	"strings"
	"time"
)

// Link returns the address that opens request id with token filled in.
func Link(id int64, token string) string {
	return fmt.Sprintf("contactdesk://request/%d?token=%s", id, token)
}

// ParseLink reads a link made by Link.
func ParseLink(link string) (id int64, token string, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(link), "contactdesk://request/")
	if !found {
		return 0, "", false
	}
	idPart, query, _ := strings.Cut(rest, "?")
	if _, err := fmt.Sscanf(idPart, "%d", &id); err != nil || id <= 0 || fmt.Sprint(id) != idPart {
		return 0, "", false
	}
	for _, kv := range strings.Split(query, "&") {
		if v, ok := strings.CutPrefix(kv, "token="); ok {
			token = v
		}
	}
	return id, token, true
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
	if err := tx.InsertMail(&m); err != nil {
		return Mail{}, err
	}
	if d.outbox {
		if err := tx.QueueMail(m.ID, w.now); err != nil {
			return Mail{}, err
		}
		m.Delivery = DeliveryPending
	}
	return m, nil
}

// sendConfirm issues h a fresh token for r and mails it.
func (d *Desk) sendConfirm(tx Tx, w *work, r Request, h Handle, again bool) (Mail, error) {
	tok, hash := NewToken()
	if err := tx.InsertToken(&TokenRecord{RequestID: r.ID, Handle: h, Hash: hash, State: TokenActive}); err != nil {
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
	var b strings.Builder
	fmt.Fprintf(&b, "%s asked for a change of contact on %s (%s):\n\n", r.Requester, r.Service, r.Type)
	fmt.Fprintf(&b, "    %s contact: %s -> %s\n\n", capitalize(r.RoleList()), r.From, r.To)
	fmt.Fprintf(&b, "You are asked to confirm it as the %s.\n", r.PartyLabel(h))
	fmt.Fprintf(&b, "Everyone who must confirm: %s.\n\n", partyWords(r))
	fmt.Fprintf(&b, "Your personal token (single use, for you alone; do not share it):\n\n    %s\n\n", tok)
	fmt.Fprintf(&b, "Open the request with the token filled in:\n\n    %s\n\n", Link(r.ID, tok))
	fmt.Fprintf(&b, "Or from a shell:\n\n    contactdesk request accept %d --as %s --token %s\n    contactdesk request refuse %d --as %s --token %s\n\n", r.ID, h, tok, r.ID, h, tok)
	if again {
		b.WriteString("This token replaces the one sent before, which no longer works.\n")
	}
	fmt.Fprintf(&b, "Unless everyone has answered by %s, the request expires and nothing changes.\n", mailTime(r.Expires))
	return d.send(tx, w, h, Mail{Subject: subject, Body: b.String(), RequestID: r.ID, Token: tok, Link: Link(r.ID, tok), Kind: MailConfirm})
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
