package model

import "contactdesk/locale"

// The model's words that each language writes its own way. They are
// locale.Words: a refusal or a mail made of them is written in its
// reader's language (see Error), and in English for Error() and the
// history.

// In writes the role as it stands in "the tech contact": tech,
// técnico, technique.
func (r Role) In(l *locale.Localizer) string { return l.T("word.role." + string(r)) }

// In writes the state of a request as a sentence says it.
func (s State) In(l *locale.Localizer) string { return l.T("word.state." + string(s)) }

// In writes a party's answer: accepted, aceitou, a accepté.
func (a Answer) In(l *locale.Localizer) string { return l.T("word.answer." + string(a)) }

// RoleWords are roles written together: "tech, billing" in English (as
// the desk always has), "técnico e de faturação", "technique et de
// facturation".
type RoleWords []Role

// In writes the roles.
func (rs RoleWords) In(l *locale.Localizer) string { return joinRoles(l, rs, "list") }

// RolesJoined are roles joined in a party's label: "tech+billing".
type RolesJoined []Role

// In writes the roles.
func (rs RolesJoined) In(l *locale.Localizer) string { return joinRoles(l, rs, "plus") }

// RoleList joins roles as a list of l's language ("tech, billing",
// "técnico e faturação"), each written by word: for the app's labels,
// which name a role otherwise than a sentence does.
func RoleList(l *locale.Localizer, rs []Role, word func(Role) string) string {
	return joinWith(l, rs, "list", word)
}

// joinRoles joins roles with the separators of style (list, plus) of
// l's language.
func joinRoles(l *locale.Localizer, rs []Role, style string) string {
	return joinWith(l, rs, style, func(r Role) string { return r.In(l) })
}

// joinWith joins roles, each written by word, with the separators of
// style of l's language.
func joinWith(l *locale.Localizer, rs []Role, style string, word func(Role) string) string {
	out := ""
	for i, r := range rs {
		switch {
		case i == 0:
		case i == len(rs)-1:
			out += l.T("word.roles." + style + ".last")
		default:
			out += l.T("word.roles." + style + ".sep")
		}
		out += word(r)
	}
	return out
}

// PartyWhy says why an account must confirm a request: as its
// requester, its outgoing contact, its incoming contact, or several of
// these ("requester and new tech contact").
type PartyWhy struct {
	Requester, From, To bool
	Roles               []Role
	// Done: the change was made, and the outgoing contact is the
	// former one ("former tech contact"), no longer the current.
	Done bool
}

// Why returns why h must confirm r.
func (r Request) Why(h Handle) PartyWhy {
	return PartyWhy{Requester: h == r.Requester, From: h == r.From, To: h == r.To, Roles: r.Roles, Done: r.State == StateDone}
}

// In writes the label: "requester", "current tech contact" (once the change is
// made, "former tech contact"), "new tech+billing contact".
func (p PartyWhy) In(l *locale.Localizer) string {
	var ws []any
	if p.Requester {
		ws = append(ws, locale.M("word.party.requester"))
	}
	if p.From {
		from := "word.party.current"
		if p.Done {
			from = "word.party.former"
		}
		ws = append(ws, locale.M(from, locale.Args{"Roles": RolesJoined(p.Roles)}))
	}
	if p.To {
		ws = append(ws, locale.M("word.party.new", locale.Args{"Roles": RolesJoined(p.Roles)}))
	}
	return l.List(ws...)
}

// Handles are handles written as a list: "xx11111-ovh, yy22222-ovh and
// zz33333-ovh", "… e …", "… et …".
type Handles []Handle

// In writes the list.
func (hs Handles) In(l *locale.Localizer) string {
	ws := make([]any, len(hs))
	for i, h := range hs {
		ws[i] = string(h)
	}
	return l.List(ws...)
}

// ServiceType is a service's type as a word: domain, domínio, domaine.
// A type of another making is written as it is.
type ServiceType string

// In writes the type.
func (t ServiceType) In(l *locale.Localizer) string {
	if id := "word.type." + string(t); l.Has(id) {
		return l.T(id)
	}
	return string(t)
}
