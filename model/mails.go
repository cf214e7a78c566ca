package model

import (
	"fmt"
	"strings"

	"contactdesk/locale"
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

// letter writes a mail's subject and body (without the greeting and
// the signature) in its recipient's language.
type letter func(l *locale.Localizer) (subject, body string)

// send stores a mail to h at the address h has now.
func (d *Desk) send(tx Tx, w *work, h Handle, m Mail, write letter) (Mail, error) {
	return d.sendTo(tx, w, h, "", m, write)
}

// sendTo stores a mail in h's mailbox, addressed to address (the one h
// has now when address is empty), written in h's language whoever made
// it, and queues it for real delivery when the desk delivers mail.
func (d *Desk) sendTo(tx Tx, w *work, h Handle, address string, m Mail, write letter) (Mail, error) {
	a, err := tx.Account(h)
	if err != nil {
		return Mail{}, err
	}
	if address == "" {
		address = a.Email
	}
	l := locale.For(a.Lang)
	subject, body := write(l)
	m.To, m.Address, m.Date, m.Subject = h, address, w.now, subject
	m.Body = l.T("mail.hello", locale.Args{"Name": a.Name}) + "\n\n" + body + "\n-- \n" + l.T("mail.signature") + "\n"
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
	if w.tokens != nil {
		if w.tokens[r.ID] == nil {
			w.tokens[r.ID] = map[Handle]string{}
		}
		w.tokens[r.ID][h] = tok
	}
	link := Link(r.ID, tok)
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
		line("mail.confirm.link", nil)
		fmt.Fprintf(&b, "\n    %s\n\n", link)
		line("mail.confirm.shell", nil)
		fmt.Fprintf(&b, "\n    contactdesk request accept %d --as %s --token %s\n    contactdesk request refuse %d --as %s --token %s\n\n", r.ID, h, tok, r.ID, h, tok)
		if again {
			line("mail.confirm.replaces", nil)
		}
		line("mail.confirm.expires", locale.Args{"Expires": locale.Stamp(r.Expires)})
		return subject, b.String()
	}
	return d.send(tx, w, h, Mail{RequestID: r.ID, Token: tok, Link: link, Kind: MailConfirm}, write)
}

// sendOutcome tells h how r ended, and why (in h's language).
func (d *Desk) sendOutcome(tx Tx, w *work, r Request, why locale.Message, h Handle) error {
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
			fmt.Fprintf(&b, "    %s (%s): %s\n", p.Handle, r.Why(p.Handle).In(l), p.Answer.In(l))
		}
		return subject, b.String()
	}
	_, err := d.send(tx, w, h, Mail{RequestID: r.ID, Kind: MailOutcome}, write)
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

// partyWords lists the parties, each with why it must confirm.
func partyWords(r Request) locale.Word {
	ws := make([]any, len(r.Parties))
	for i, p := range r.Parties {
		ws[i] = locale.M("word.party_as", locale.Args{"Handle": p.Handle, "As": r.Why(p.Handle)})
	}
	return locale.Joined{Words: ws, Sep: ", "}
}
