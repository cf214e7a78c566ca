package model

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"contactdesk/locale"
)

// A history line is stored text, written in English when the action was
// done (scripts and the API read it so; it never changes after).
// DetailOf reads the model's own lines back, by their action, and
// writes them in any language; a line of another making (an older
// version, an import, the demo's chores) reads as it was written.

// DetailOf is what history line e says, in any language: in English,
// exactly as stored.
func DetailOf(e HistoryEntry) locale.Word {
	return detail{raw: e.Detail, m: detailMessage(e), timed: e.Action == ActTokenThrottled}
}

type detail struct {
	raw string
	m   locale.Message
	// timed: the stored line holds a machine's time (RFC 3339), which
	// English says as the other languages do, as the refusal said it
	timed bool
}

// In writes the line: as stored in English, or when it is not the
// model's; else the model's message, in l's language.
func (d detail) In(l *locale.Localizer) string {
	if d.m.IsZero() || (l.Lang() == locale.EN && !d.timed) {
		return d.raw
	}
	return d.m.In(l)
}

// The model's history lines, read back by detailMessage. serviceAddRE
// reads addService's line, which names a service's roles one by one (as
// Import's "imported" line does, which no pattern reads): a role added
// to the model changes what new lines say, and the lines stored before
// must still read back, so it needs a second pattern, not an edit of
// this one.
var (
	createRE     = regexp.MustCompile(`^(.+) of (\S+): (\S+) -> (\S+); to confirm: (.+)$`)
	doneRE       = regexp.MustCompile(`^(.+) of (\S+) moved from (\S+) to (\S+)$`)
	endedRE      = regexp.MustCompile(`^(refused|expired|cancelled|done): (.+)$`)
	contactRE    = regexp.MustCompile(`^(` + alternatives(Roles) + `) contact of (\S+): (\S+) -> (\S+)$`)
	resentRE     = regexp.MustCompile(`^confirmation mail sent again to (\S+)$`)
	accountRE    = regexp.MustCompile(`^account (\S+) \((.*)\) opened$`)
	standingRE   = regexp.MustCompile(`^(\S+): payments (up to date|overdue)$`)
	serviceAddRE = regexp.MustCompile(`^(\S+) (\S+) added: admin (\S+), tech (\S+), billing (\S+)$`)
	ownerRE      = regexp.MustCompile(`^owner details changed: (.+)$`)
	emailAskRE   = regexp.MustCompile(`^asked to use (\S+); a token was mailed to it$`)
	emailRefRE   = regexp.MustCompile(`^change of e-mail address to (\S+) refused with its token$`)
	emailRE      = regexp.MustCompile(`^e-mail address changed from (\S+) to (\S+?)( \(confirmed\))?$`)
	langRE       = regexp.MustCompile(`^language set to (` + alternatives(Langs) + `)$`)
	throttledRE  = regexp.MustCompile(`^(\d+) wrong tokens in (.+); tries paused until (\S+)$`)
	expiredRE    = regexp.MustCompile(`^no decision within the validity period \((.+)\)$`)
	refusedByRE  = regexp.MustCompile(`^refused by (\S+)$`)
	cancelByRE   = regexp.MustCompile(`^cancelled by (\S+)$`)
	// the keys' lines: the customer reads its consumer keys' in its
	// history, support staff the rest in history --support
	keyAddRE       = regexp.MustCompile(`^(\S+) key (\S+) added for (\S+)$`)
	keyRemoveRE    = regexp.MustCompile(`^(\S+) key (\S+) of (\S+) removed$`)
	apiAddRE       = regexp.MustCompile(`^API key (.+) added for ([a-z]{2}\d+-ovh)(?:, allowed (.+))?$`)
	apiRemoveRE    = regexp.MustCompile(`^API key (.+) of (\S+) removed$`)
	credAskRE      = regexp.MustCompile(`^consumer key #(\d+) of API key (.+) asked for, allowed (.+); awaits validation until (\d{4}-\d\d-\d\d \d\d:\d\d) UTC$`)
	credCodeRE     = regexp.MustCompile(`^a code to validate consumer key #(\d+) of API key (\S+) was mailed$`)
	credAnswerRE   = regexp.MustCompile(`^consumer key #(\d+) of API key (\S+) (?:validated|refused) on its page, allowed (.+)$`)
	credDropRE     = regexp.MustCompile(`^consumer key #(\d+) of API key (\S+) dropped before its validation: (\d+) keys of this API key already awaited validation, the most the desk keeps \(asked for from many networks\)$`)
	credRevokeRE   = regexp.MustCompile(`^consumer key #(\d+) of API key (\S+) of (\S+) revoked by (support|itself \(logout\))$`)
	settingSetRE   = regexp.MustCompile(`^setting (\S+) set to (\S+)$`)
	deliveryOnRE   = regexp.MustCompile(`^setting (\S+) set to (\S+); the tokens of (\d+) mails? of the simulated mailbox removed \(never mailed; the desk keeps no copy\)$`)
	deliveryOffRE  = regexp.MustCompile(`^setting (\S+) set to (\S+); (\d+) mails? not sent yet taken out of the outbox \(the mailbox shows their tokens again\)$`)
	settingUnsetRE = regexp.MustCompile(`^setting (\S+) unset$`)
)

// detailMessage reads the model's history line of e back into its
// message, or the zero message.
func detailMessage(e HistoryEntry) locale.Message {
	s := e.Detail
	args := locale.Args{}
	match := func(re *regexp.Regexp, names ...string) bool {
		m := re.FindStringSubmatch(s)
		if m == nil {
			return false
		}
		for i, n := range names {
			if n != "" {
				args[n] = m[i+1]
			}
		}
		return true
	}
	switch e.Action {
	case ActRequestCreate:
		if match(createRE, "Roles", "Service", "From", "To", "Parties") {
			if rs, ok := rolesOf(args["Roles"].(string)); ok {
				args["Roles"] = RoleWords(rs)
				args["Parties"] = handlesOf(args["Parties"].(string))
				return locale.M("hist.create", args)
			}
		}
	case ActRequestAccept:
		if s == "accepted" {
			return locale.M("hist.accepted")
		}
	case ActRequestRefuse:
		if s == "refused" {
			return locale.M("hist.refused")
		}
	case ActRequestDone:
		if match(doneRE, "Roles", "Service", "From", "To") {
			if rs, ok := rolesOf(args["Roles"].(string)); ok {
				args["Roles"] = RoleWords(rs)
				return locale.M("hist.done", args)
			}
		}
	case ActRequestFailed, ActRequestCancel, ActRequestExpire:
		if match(endedRE, "State", "Reason") {
			args["State"] = State(args["State"].(string))
			args["Reason"] = reasonOfText(args["Reason"].(string))
			return locale.M("hist.ended", args)
		}
	case ActContactChange:
		if match(contactRE, "Role", "Service", "From", "To") {
			args["Role"] = Role(args["Role"].(string))
			return locale.M("hist.contact", args)
		}
	case ActRequestResend:
		if match(resentRE, "Handle") {
			return locale.M("hist.resent", args)
		}
	case ActAccountAdd:
		if match(accountRE, "Handle", "Name") {
			return locale.M("hist.account", args)
		}
	case ActStanding:
		if match(standingRE, "Handle", "") {
			if strings.HasSuffix(s, "up to date") {
				return locale.M("hist.paid", args)
			}
			return locale.M("hist.overdue", args)
		}
	case ActServiceAdd:
		if match(serviceAddRE, "Type", "Service", "Admin", "Tech", "Billing") {
			args["Type"] = ServiceType(args["Type"].(string))
			return locale.M("hist.service", args)
		}
	case ActOwnerSet:
		if match(ownerRE, "Fields") {
			var ws []any
			for _, f := range splitWords(args["Fields"].(string)) {
				switch f {
				case "holder", "address", "phone", "e-mail":
					ws = append(ws, locale.M("hist.field."+f))
				default:
					return locale.Message{}
				}
			}
			args["Fields"] = locale.ListOf(ws)
			return locale.M("hist.owner", args)
		}
	case ActEmailAsk:
		if match(emailAskRE, "Email") {
			return locale.M("hist.email_ask", args)
		}
	case ActEmailRefuse:
		if match(emailRefRE, "Email") {
			return locale.M("hist.email_refused", args)
		}
	case ActEmail:
		if m := emailRE.FindStringSubmatch(s); m != nil {
			args["From"], args["To"] = m[1], m[2]
			if m[3] != "" {
				return locale.M("hist.email_confirmed", args)
			}
			return locale.M("hist.email", args)
		}
	case ActLang:
		if match(langRE, "Lang") {
			args["Lang"] = locale.M("word.lang." + args["Lang"].(string))
			return locale.M("hist.lang", args)
		}
	case ActKeyAdd:
		if match(keyAddRE, "Type", "Fingerprint", "Handle") {
			return locale.M("hist.key_add", args)
		}
	case ActKeyRemove:
		if match(keyRemoveRE, "Type", "Fingerprint", "Handle") {
			return locale.M("hist.key_remove", args)
		}
	case ActAPIKeyAdd:
		if match(apiAddRE, "App", "Handle", "Rules") {
			if args["Rules"] == "" {
				return locale.M("hist.apikey_add", locale.Args{"App": args["App"], "Handle": args["Handle"]})
			}
			return locale.M("hist.apikey_add_rules", args)
		}
	case ActAPIKeyRemove:
		if match(apiRemoveRE, "App", "Handle") {
			return locale.M("hist.apikey_remove", args)
		}
	case ActCredentialAsk:
		if match(credAskRE, "ID", "App", "Rules", "Until") {
			if until, err := time.Parse("2006-01-02 15:04", args["Until"].(string)); err == nil {
				args["Until"] = locale.Stamp(until)
				return locale.M("hist.credential_ask", args)
			}
		}
	case ActCredentialCode:
		if match(credCodeRE, "ID", "AppKey") {
			return locale.M("hist.credential_code", args)
		}
	case ActCredentialValidate, ActCredentialRefuse:
		if match(credAnswerRE, "ID", "AppKey", "Rules") {
			if e.Action == ActCredentialValidate {
				return locale.M("hist.credential_validated", args)
			}
			return locale.M("hist.credential_refused", args)
		}
	case ActCredentialDrop:
		if match(credDropRE, "ID", "AppKey", "N") {
			return locale.M("hist.credential_dropped", args)
		}
	case ActCredentialRevoke:
		if match(credRevokeRE, "ID", "AppKey", "Handle", "By") {
			by := args["By"]
			delete(args, "By")
			if by == "support" {
				return locale.M("hist.credential_revoked", args)
			}
			return locale.M("hist.credential_logout", args)
		}
	case ActSetting:
		if match(settingSetRE, "Key", "Value") {
			return locale.M("hist.setting", args)
		}
		if match(settingUnsetRE, "Key") {
			return locale.M("hist.setting_unset", args)
		}
		for re, id := range map[*regexp.Regexp]string{deliveryOnRE: "hist.setting_tokens_removed", deliveryOffRE: "hist.setting_withdrawn"} {
			if match(re, "Key", "Value", "N") {
				if n, err := strconv.Atoi(args["N"].(string)); err == nil {
					args["N"] = n
					return locale.M(id, args)
				}
			}
		}
	case ActTokenThrottled:
		if match(throttledRE, "N", "Window", "Until") {
			n, err1 := strconv.Atoi(args["N"].(string))
			d, ok := durationOf(args["Window"].(string))
			until, err2 := time.Parse(time.RFC3339, args["Until"].(string))
			if err1 == nil && ok && err2 == nil {
				// rounded up to the minute, as the refusal says it
				// (clockTime): "until 11:35" for 11:34:45, not 11:34
				args["N"], args["Window"], args["Until"] = n, locale.Duration(d), locale.Stamp(until.Add(time.Minute-time.Nanosecond))
				return locale.M("hist.throttled", args)
			}
		}
	}
	return locale.Message{}
}

// reasonOfText reads a request's ending reason back from its English
// text (see ReasonOf, which also has the request).
func reasonOfText(s string) locale.Word {
	if m := refusedByRE.FindStringSubmatch(s); m != nil {
		return refusedBy(Handle(m[1]))
	}
	if m := cancelByRE.FindStringSubmatch(s); m != nil {
		return cancelledBy(Handle(m[1]))
	}
	if m := expiredRE.FindStringSubmatch(s); m != nil {
		if d, ok := durationOf(m[1]); ok {
			return locale.M("word.reason.expired", locale.Args{"Validity": locale.Duration(d)})
		}
	}
	if m := movedRE.FindStringSubmatch(s); m != nil {
		return movedReason(Role(m[1]), m[2], Handle(m[3]), Handle(m[4]))
	}
	if m := unpaidRE.FindStringSubmatch(s); m != nil {
		return unpaidReason(Handle(m[1]))
	}
	return locale.Text(s)
}

// alternatives is a regular expression's alternation of words: the
// roles or the languages of the model's history lines, so that a role
// or a language added to Roles or Langs reads back in every language.
func alternatives[W ~string](ws []W) string {
	qs := make([]string, len(ws))
	for i, w := range ws {
		qs[i] = regexp.QuoteMeta(string(w))
	}
	return strings.Join(qs, "|")
}

// rolesOf reads "tech, billing" back into roles.
func rolesOf(s string) ([]Role, bool) {
	var rs []Role
	for _, w := range strings.Split(s, ", ") {
		r := Role(w)
		if !slices.Contains(Roles, r) {
			return nil, false
		}
		rs = append(rs, r)
	}
	return rs, true
}

// splitWords reads a list written by joinWords: "a, b and c".
func splitWords(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ", ") {
		out = append(out, strings.Split(part, " and ")...)
	}
	return out
}

// handlesOf reads a list of handles written by handleList.
func handlesOf(s string) Handles {
	var hs Handles
	for _, w := range splitWords(s) {
		hs = append(hs, Handle(w))
	}
	return hs
}

// units are the English units of FormatDuration.
var units = map[string]time.Duration{"day": 24 * time.Hour, "hour": time.Hour, "minute": time.Minute, "second": time.Second}

// durationOf reads a duration written by FormatDuration: "15 days".
func durationOf(s string) (time.Duration, bool) {
	n, unit, ok := strings.Cut(s, " ")
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(n)
	d, known := units[strings.TrimSuffix(unit, "s")]
	if err != nil || !known {
		return 0, false
	}
	return time.Duration(v) * d, true
}
