package model

import (
	"regexp"

	"contactdesk/locale"
)

// Why a request ended as it did. The reason is stored with the request
// in English (Request.Reason, as the API and the history read it); the
// mails of its end are written in each party's language from the
// message itself, and ReasonOf gives it back to any door, in any
// language.

func refusedBy(h Handle) locale.Message {
	return locale.M("word.reason.refused_by", locale.Args{"Handle": h})
}

func cancelledBy(h Handle) locale.Message {
	return locale.M("word.reason.cancelled_by", locale.Args{"Handle": h})
}

func expiryReason(r Request) locale.Message {
	return locale.M("word.reason.expired", locale.Args{"Validity": locale.Duration(r.Expires.Sub(r.Created))})
}

// movedReason: the outgoing contact no longer held the role when the
// last party accepted.
func movedReason(role Role, service string, was, now Handle) locale.Message {
	return locale.M("word.reason.moved", locale.Args{"Role": role, "Service": service, "From": was, "Now": now})
}

// The reasons of the recheck, read back from their English text: the
// only ones a request's parties and states do not tell.
var (
	movedRE  = regexp.MustCompile(`^the (` + alternatives(Roles) + `) contact of (\S+) is no longer (\S+) \(it is now (\S+)\)$`)
	unpaidRE = regexp.MustCompile(`^(\S+) has unpaid bills; the billing contact can't move until they are settled$`)
)

// ReasonOf is why r ended, in any language: from what the request says
// (who refused, who cancelled, its validity), or read back from the
// English text stored; a text of another making is shown as it is.
func ReasonOf(r Request) locale.Word {
	switch r.State {
	case StateCancelled:
		if r.Reason == cancelledBy(r.Requester).In(english) {
			return cancelledBy(r.Requester)
		}
	case StateExpired:
		if why := expiryReason(r); r.Reason == why.In(english) {
			return why
		}
	case StateRefused:
		for _, p := range r.Parties {
			if p.Answer == AnswerRefused && r.Reason == refusedBy(p.Handle).In(english) {
				return refusedBy(p.Handle)
			}
		}
		if m := movedRE.FindStringSubmatch(r.Reason); m != nil {
			return movedReason(Role(m[1]), m[2], Handle(m[3]), Handle(m[4]))
		}
		if m := unpaidRE.FindStringSubmatch(r.Reason); m != nil {
			return unpaidReason(Handle(m[1]))
		}
	}
	return locale.Text(r.Reason)
}
