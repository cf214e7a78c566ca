package model

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"contactdesk/locale"
	"contactdesk/model/text"
)

// A program asks for a consumer key the provider's way (POST
// /1.0/auth/credential, with its application key and the access rules
// it wants): the key is made at once, awaiting validation, and works
// only once the account of the application validates it on the web
// page its validationUrl opens. The account proves itself there with a
// code mailed to its address when the page asks for one (never when the
// program asks: a bare call mails nobody). A key not validated within
// CredentialValidity expires.

// CredentialValidity is how long a consumer key asked for awaits its
// validation.
const CredentialValidity = time.Hour

// MaxCredentialCodes is how many codes may be mailed for one consumer
// key awaiting validation (within its hour, as with resends: three).
const MaxCredentialCodes = 3

// MaxCodeMails is how many codes may be mailed to one account within
// CredentialValidity, whichever of its application keys' consumer keys
// they validate: they all reach one person's inbox, and an account may
// have several application keys (each of which lets whoever knows it
// ask for MaxPendingCredentials keys at once). It is as many as one
// application key's keys may get.
//
// Past it, an application key whose keys asked for from one network
// were mailed fewer than MaxCredentialCodes codes within the hour (one
// key's worth) still gets its code for a key asked from that network:
// the application key is no secret, and whoever knows one of the
// account's could otherwise spend the account's codes and keep the
// owner from validating a key of any other application, or of that one
// asked from another network, for an hour. An account is then mailed at
// most MaxCodeMails + MaxCredentialCodes × (its application keys ×
// the networks each was asked from within the hour) codes an hour:
// whoever fills an inbox must hold that many networks, as whoever fills
// the database (MaxPendingCredentials).
const MaxCodeMails = MaxPendingCredentials * MaxCredentialCodes

// CodeMail is a mail of a code validating a consumer key, as
// MailCredentialCode counts it: when it was sent, whether the key it
// validates is one of the application key asking, and if so the
// network that key was asked from (APIConsumer.From).
type CodeMail struct {
	Date  time.Time
	OfApp bool
	From  string
}

// codeMailsRefused says whether the account's code mails of the last
// hour, ms (oldest first), leave no code for a key of the application
// key they were read for asked from the network from; if so, when one
// will go again: when the account's fall below MaxCodeMails, or those
// of the application's keys asked from that network below
// MaxCredentialCodes, whichever comes first.
func codeMailsRefused(ms []CodeMail, from string) (bool, time.Time) {
	var share []time.Time
	for _, m := range ms {
		if m.OfApp && m.From == from {
			share = append(share, m.Date)
		}
	}
	if len(ms) < MaxCodeMails || len(share) < MaxCredentialCodes {
		return false, time.Time{}
	}
	// The mail whose hour ends leaves one fewer than the bound.
	at := ms[len(ms)-MaxCodeMails].Date
	if a := share[len(share)-MaxCredentialCodes]; a.Before(at) {
		at = a
	}
	return true, at.Add(CredentialValidity)
}

// MaxPendingCredentials is how many consumer keys of one application
// key asked for from one network may await validation at once. The
// application key is no secret (it names the key in logs and
// configuration files), and each key asked for lets its page mail
// MaxCredentialCodes codes to the account: the bound is kept in the
// database, so that neither a restart, another node nor a flood of other
// keys pushing the per-node throttle's buckets out
// (api.Options.CredentialBurst) lets whoever knows the application key
// fill the database or the account's inbox from one network.
//
// It is counted per asking network (AskCredentialFrom's from, which the
// API makes of the client's address), not per application key alone:
// whoever knows the application key could otherwise keep its
// MaxPendingCredentials slots full, asking again as each expires, and
// keep its owner from getting any key at all. A key asked for counts
// against its network for its whole hour, even once dropped (see
// MaxAppPendingCredentials): a network's asks stay bounded to
// MaxPendingCredentials an hour, but for those the account validated or
// refused.
const MaxPendingCredentials = 10

// MaxAppPendingCredentials is how many consumer keys of one application
// key may await validation at once, from all networks: the bound of the
// database's rows of a key asked for from many networks. Past it, one of
// them is dropped (it expires at once) to make room for the new one,
// rather than the new one refused, which would let whoever asks from
// enough networks keep the owner from asking: the key whose page mailed
// no code yet, of the network holding the most keys awaiting
// validation, the oldest. Whoever floods from many networks (each
// holding up to MaxPendingCredentials) pushes out its own keys first;
// the owner's, one or two of its network's, go last, and a key whose
// code was mailed goes only once none without a code is left (the
// codes an hour are bounded: see MaxCodeMails).
const MaxAppPendingCredentials = 200

// credentialTokenLen is the length of the token of a validation page's
// address: the provider's is 64 letters and digits.
const credentialTokenLen = 64

// MaxRedirection bounds the address a validated key's page goes to.
const MaxRedirection = 2048

// History actions of consumer keys asked for.
const (
	ActCredentialAsk      = "apikey.credential.ask"
	ActCredentialCode     = "apikey.credential.code"
	ActCredentialValidate = "apikey.credential.validate"
	ActCredentialRefuse   = "apikey.credential.refuse"
	ActCredentialRevoke   = "apikey.credential.revoke"
	// ActCredentialDrop: a key awaiting validation dropped to make room
	// (MaxAppPendingCredentials), in the history of its application
	// key's account, written by the ask that dropped it.
	ActCredentialDrop = "apikey.credential.drop"
)

// MailCredentialCode carries the code that validates a consumer key.
const MailCredentialCode = "credential-code"

// CredentialAsked is a consumer key just asked for: its key and the
// token of its validation page, shown this once.
type CredentialAsked struct {
	APIConsumer
	ConsumerKey string
	Token       string
	// ValidationURL is the page's address on the desk's public-url;
	// empty when the desk has none (the door that asked knows its own).
	ValidationURL string
}

// CredentialWebLink is the address of the page that validates a consumer
// key, with the page's token (and the mailed code, when given).
func CredentialWebLink(publicURL, token, code string) string {
	link := publicURL + "/auth/?credentialToken=" + url.QueryEscape(token)
	if code != "" {
		link += "&code=" + url.QueryEscape(code)
	}
	return link
}

// CredentialLink is a consumer key asked for, as its validation page
// shows it.
type CredentialLink struct {
	Consumer APIConsumer
	AppName  string
	Account  Account
	State    string // at Now: validated, pendingValidation, refused, expired
	Now      time.Time
	// CodeSent: a code was mailed and not used yet.
	CodeSent bool
	// CodesLeft is how many more codes may be mailed.
	CodesLeft int
}

// CheckRedirection checks where a validated key's page is to go: an
// absolute http or https address, or nothing.
func CheckRedirection(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(s) > MaxRedirection ||
		strings.IndexFunc(s, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }) >= 0 {
		return "", fail(ErrInvalid, "redirection", "err.credential.redirection", locale.Args{"Max": MaxRedirection})
	}
	return s, nil
}

// AskCredential makes a consumer key of the application appKey, with
// rules, awaiting validation by the application's account; once
// validated, its page goes to redirection (if any). An unknown
// application key is refused as the provider refuses it. It is
// AskCredentialFrom of no known network: all such asks share one.
func (d *Desk) AskCredential(ctx context.Context, appKey string, rules []APIRule, redirection string) (CredentialAsked, error) {
	return d.AskCredentialFrom(ctx, "", appKey, rules, redirection)
}

// AskCredentialFrom is AskCredential asked from the network from: an
// opaque name (the API's is the client's address, or its /48 in IPv6),
// whose asks awaiting validation are bounded by MaxPendingCredentials;
// those of all networks by MaxAppPendingCredentials.
func (d *Desk) AskCredentialFrom(ctx context.Context, from, appKey string, rules []APIRule, redirection string) (CredentialAsked, error) {
	if appKey == "" || len(appKey) > 64 {
		return CredentialAsked{}, errBadAppKey
	}
	// from is stored as text: valid UTF-8, cut between characters
	from = strings.ToValidUTF8(from, "\uFFFD")
	if len(from) > MaxFromLen {
		from = strings.ToValidUTF8(from[:MaxFromLen], "")
	}
	rules, err := CheckAPIRules(rules)
	if err != nil {
		return CredentialAsked{}, err
	}
	if redirection, err = CheckRedirection(redirection); err != nil {
		return CredentialAsked{}, err
	}
	ck, token := randomText(apiSecretLen), randomText(credentialTokenLen)
	th := HashConsumerKey(token)
	return write(ctx, d, ActCredentialAsk, func(tx Tx, w *work) (CredentialAsked, error) {
		k, err := tx.APIKey(appKey)
		if errors.Is(err, ErrNoRow) {
			return CredentialAsked{}, errBadAppKey
		}
		if err != nil {
			return CredentialAsked{}, err
		}
		// The keys that expired unvalidated a day ago or more are of no
		// more use, even to their page.
		if err := tx.DeleteStaleAPIConsumers(appKey, w.now.Add(-24*time.Hour)); err != nil {
			return CredentialAsked{}, err
		}
		dropped, err := pendingAllowed(tx, appKey, from, w.now)
		if err != nil {
			return CredentialAsked{}, err
		}
		for _, c := range dropped {
			// Its account learns that its application key is asked for
			// from more networks than the desk keeps keys of (a flood,
			// most likely): the key's page says so too.
			if err := d.record(tx, w, k.Handle, ActCredentialDrop, 0, 0, fmt.Sprintf("consumer key #%d of API key %s dropped before its validation: %d keys of this API key already awaited validation, the most the desk keeps (asked for from many networks)",
				c.ID, appKey, MaxAppPendingCredentials)); err != nil {
				return CredentialAsked{}, err
			}
		}
		rec := APIConsumerRecord{APIConsumer: APIConsumer{AppKey: appKey, Handle: k.Handle, Rules: rules, State: CredentialPending, Redirection: redirection,
			Created: w.now, Expires: w.now.Add(CredentialValidity), From: from}, ConsumerHash: HashConsumerKey(ck), TokenHash: th[:]}
		if rec.ID, err = tx.InsertAPIConsumer(rec); err != nil {
			return CredentialAsked{}, err
		}
		w.touch(k.Handle) // its history says so; no one else's screen
		out := CredentialAsked{APIConsumer: rec.APIConsumer, ConsumerKey: ck, Token: token}
		set, err := w.settingsOf(tx)
		if err != nil {
			return CredentialAsked{}, err
		}
		if u := set.PublicURL(); u != "" {
			out.ValidationURL = CredentialWebLink(u, token, "")
		}
		return out, d.record(tx, w, k.Handle, ActCredentialAsk, 0, 0, fmt.Sprintf("consumer key #%d of API key %s%s asked for, allowed %s; awaits validation until %s",
			rec.ID, appKey, quoted(k.Name), RulesText(rules), rec.Expires.UTC().Format("2006-01-02 15:04 UTC")))
	})
}

// MaxFromLen bounds the name of the network a consumer key is asked
// from, as stored.
const MaxFromLen = 64

// pendingAllowed makes room for another consumer key of appKey asked
// from the network from, or refuses it. It refuses it while
// MaxPendingCredentials keys asked from that network are within their
// hour, neither validated nor refused (dropped ones too: see
// MaxAppPendingCredentials), saying when the first of those hours ends
// (of no known network, as the application key's: AskCredential). While
// MaxAppPendingCredentials of appKey's keys await validation, it drops
// one of them (it expires now), and answers it: see
// MaxAppPendingCredentials.
func pendingAllowed(tx Tx, appKey, from string, now time.Time) ([]APIConsumerRecord, error) {
	// Those of the last hour: every key awaiting validation, and every
	// one holding its network's slot.
	cs, err := tx.PendingAPIConsumers(appKey, now.Add(-CredentialValidity))
	if err != nil {
		return nil, err
	}
	n, first := 0, time.Time{}
	var live []APIConsumerRecord
	for _, c := range cs {
		if c.StateAt(now) == CredentialPending {
			live = append(live, c)
		}
		end := c.Created.Add(CredentialValidity)
		if c.From != from || !now.Before(end) {
			continue
		}
		n++
		if first.IsZero() || end.Before(first) {
			first = end
		}
	}
	if n >= MaxPendingCredentials {
		id := "err.credential.network.pending"
		if from == "" {
			id = "err.credential.pending"
		}
		return nil, retryAt(fail(ErrMailLimit, "credential", id,
			locale.Args{"N": n, "At": clockTime(first), "In": roundUp(first.Sub(now))}), first)
	}
	over := len(live) - MaxAppPendingCredentials + 1
	if over <= 0 {
		return nil, nil
	}
	// The keys dropped first: those whose page mailed no code, of the
	// networks holding the most, the oldest.
	held := map[string]int{}
	for _, c := range live {
		held[c.From]++
	}
	coded := func(c APIConsumerRecord) int {
		if c.Codes > 0 || c.CodeHash != nil {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(live, func(a, b APIConsumerRecord) int {
		if d := coded(a) - coded(b); d != 0 {
			return d
		}
		if d := held[b.From] - held[a.From]; d != 0 {
			return d
		}
		return a.Created.Compare(b.Created)
	})
	for i := range live[:over] {
		live[i].Expires = now
		if err := tx.UpdateAPIConsumer(live[i]); err != nil {
			return nil, err
		}
	}
	return live[:over], nil
}

// errWrongCredential is the refusal of a validation page's token that
// opens nothing, the same whether or not it ever did.
var errWrongCredential = fail(ErrWrongToken, "credentialToken", "err.credential.wrong_link")

// credentialByToken reads the consumer key of a validation page's token.
func credentialByToken(tx Tx, token string) (APIConsumerRecord, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 256 {
		return APIConsumerRecord{}, errWrongCredential
	}
	th := HashConsumerKey(token)
	rec, err := tx.APIConsumerByToken(th[:])
	if errors.Is(err, ErrNoRow) {
		return APIConsumerRecord{}, errWrongCredential
	}
	return rec, err
}

func linkOfCredential(tx Tx, rec APIConsumerRecord, now time.Time) (CredentialLink, error) {
	k, err := tx.APIKey(rec.AppKey)
	if err != nil {
		return CredentialLink{}, err
	}
	a, err := tx.Account(rec.Handle)
	if err != nil {
		return CredentialLink{}, err
	}
	return CredentialLink{Consumer: rec.APIConsumer, AppName: k.Name, Account: a, State: rec.StateAt(now), Now: now,
		CodeSent: rec.CodeHash != nil, CodesLeft: max(0, MaxCredentialCodes-rec.Codes)}, nil
}

// FindCredential reads the consumer key a validation page's token
// opens, changing nothing. A token of none is ErrWrongToken, which the
// page counts against its reader.
func (d *Desk) FindCredential(ctx context.Context, token string) (CredentialLink, error) {
	var out CredentialLink
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		rec, err := credentialByToken(tx, token)
		if err != nil {
			return err
		}
		out, err = linkOfCredential(tx, rec, now)
		return err
	})
	return out, err
}

// closedCredential is the refusal of an answer to a key no longer
// awaiting validation.
func closedCredential(state string, id int64) error {
	return fail(ErrEnded, "credentialToken", "err.credential."+state, locale.Args{"ID": id})
}

// MailCredentialCode mails the account of the consumer key that token's
// page validates a fresh code (the one before stops working), at most
// MaxCredentialCodes times, and at most MaxCodeMails codes an hour to
// one account, but for one key's worth per application key (see
// MaxCodeMails). The code is never logged nor shown but in the
// mail.
func (d *Desk) MailCredentialCode(ctx context.Context, token string) (CredentialLink, error) {
	return write(ctx, d, ActCredentialCode, func(tx Tx, w *work) (CredentialLink, error) {
		rec, err := credentialByToken(tx, token)
		if err != nil {
			return CredentialLink{}, err
		}
		if st := rec.StateAt(w.now); st != CredentialPending {
			return CredentialLink{}, closedCredential(st, rec.ID)
		}
		if rec.Codes >= MaxCredentialCodes {
			return CredentialLink{}, retryAt(fail(ErrMailLimit, "credentialToken", "err.credential.codes", locale.Args{"N": MaxCredentialCodes}), time.Time{})
		}
		// Counted in the database, in this write: on every node, and
		// after a restart.
		ms, err := tx.CredentialCodeMails(rec.Handle, rec.AppKey, w.now.Add(-CredentialValidity))
		if err != nil {
			return CredentialLink{}, err
		}
		if refused, at := codeMailsRefused(ms, rec.From); refused {
			return CredentialLink{}, retryAt(fail(ErrMailLimit, "credentialToken", "err.credential.codes_account",
				locale.Args{"N": len(ms), "Handle": rec.Handle, "At": clockTime(at), "In": roundUp(at.Sub(w.now))}), at)
		}
		code, hash := NewToken()
		rec.CodeHash, rec.Codes = hash[:], rec.Codes+1
		if err := tx.UpdateAPIConsumer(rec); err != nil {
			return CredentialLink{}, err
		}
		link, err := linkOfCredential(tx, rec, w.now)
		if err != nil {
			return CredentialLink{}, err
		}
		set, err := w.settingsOf(tx)
		if err != nil {
			return CredentialLink{}, err
		}
		page := ""
		if u := set.PublicURL(); u != "" {
			page = CredentialWebLink(u, strings.TrimSpace(token), code)
		}
		write := func(l *locale.Localizer) (string, string) {
			var b strings.Builder
			b.WriteString(l.T("mail.credential.asked", locale.Args{"Handle": rec.Handle, "App": appWords(l, link.AppName, rec.AppKey)}) + "\n\n")
			for _, r := range rec.Rules {
				fmt.Fprintf(&b, "  - %s\n", RuleWords(r).In(l))
			}
			fmt.Fprintf(&b, "\n%s\n\n    %s\n\n", l.T("mail.credential.code"), code)
			if page != "" {
				fmt.Fprintf(&b, "%s\n\n    %s\n\n", l.T("mail.credential.page"), page)
			}
			b.WriteString(l.T("mail.credential.unexpected", locale.Args{"Expires": locale.Spelled(rec.Expires)}) + "\n")
			return l.T("mail.credential.subject", locale.Args{"Handle": rec.Handle}), b.String()
		}
		if _, err := d.send(tx, w, rec.Handle, Mail{Token: code, Link: page, Kind: MailCredentialCode, CredentialID: rec.ID}, write); err != nil {
			return CredentialLink{}, err
		}
		w.touch(rec.Handle)
		return link, d.record(tx, w, rec.Handle, ActCredentialCode, 0, 0, fmt.Sprintf("a code to validate consumer key #%d of API key %s was mailed", rec.ID, rec.AppKey))
	})
}

// appWords names an application: its name and key, or its key alone.
func appWords(l *locale.Localizer, name, appKey string) string {
	if name == "" {
		return appKey
	}
	return l.T("word.app.named", locale.Args{"Name": text.Line(name), "Key": appKey})
}

// AnswerCredential validates (validate) or refuses the consumer key that
// token's page opens, with the code last mailed, which works once. A
// wrong code is ErrWrongToken, which the page counts against its
// reader.
func (d *Desk) AnswerCredential(ctx context.Context, token, code string, validate bool) (CredentialLink, error) {
	action := ActCredentialRefuse
	if validate {
		action = ActCredentialValidate
	}
	return write(ctx, d, action, func(tx Tx, w *work) (CredentialLink, error) {
		rec, err := credentialByToken(tx, token)
		if err != nil {
			return CredentialLink{}, err
		}
		if st := rec.StateAt(w.now); st != CredentialPending {
			return CredentialLink{}, closedCredential(st, rec.ID)
		}
		if rec.CodeHash == nil {
			return CredentialLink{}, fail(ErrInvalid, "code", "err.credential.no_code")
		}
		norm, ok := NormalizeToken(code)
		h := HashToken(norm)
		if !ok || subtle.ConstantTimeCompare(h[:], rec.CodeHash) != 1 {
			return CredentialLink{}, fail(ErrWrongToken, "code", "err.credential.wrong_code")
		}
		rec.CodeHash, rec.Ended, rec.State = nil, w.now, CredentialRefused
		verb := "refused"
		if validate {
			rec.State, verb = CredentialValidated, "validated"
		}
		if err := tx.UpdateAPIConsumer(rec); err != nil {
			return CredentialLink{}, err
		}
		link, err := linkOfCredential(tx, rec, w.now)
		if err != nil {
			return CredentialLink{}, err
		}
		w.touch(rec.Handle)
		return link, d.record(tx, w, rec.Handle, action, 0, 0, fmt.Sprintf("consumer key #%d of API key %s %s on its page, allowed %s", rec.ID, rec.AppKey, verb, RulesText(rec.Rules)))
	})
}

// RuleWords says what a rule allows, for a person: "read (GET) every
// path under /me/".
func RuleWords(r APIRule) locale.Message {
	var where locale.Message
	switch rest, under := strings.CutSuffix(r.Path, "*"); {
	case r.Path == "/*":
		where = locale.M("word.api.path.all")
	case under && !strings.Contains(rest, "*") && strings.HasSuffix(rest, "/"):
		where = locale.M("word.api.path.under", locale.Args{"Path": rest})
	case strings.Contains(r.Path, "*"):
		where = locale.M("word.api.path.pattern", locale.Args{"Path": r.Path})
	default:
		where = locale.M("word.api.path.single", locale.Args{"Path": r.Path})
	}
	return locale.M("word.api.rule", locale.Args{"Method": locale.M("word.api.method." + strings.ToLower(r.Method)), "Where": where})
}

// RevokeConsumerKey deletes consumer key id of the application appKey:
// the next call made with it, on any node, is refused. actor is the
// key's own account (the key revoking itself: POST /1.0/auth/logout),
// whose keys alone it finds, or SupportActor.
func (d *Desk) RevokeConsumerKey(ctx context.Context, appKey string, id int64, actor Handle) (APIConsumer, error) {
	appKey = strings.TrimSpace(appKey)
	return write(ctx, d, ActCredentialRevoke, func(tx Tx, w *work) (APIConsumer, error) {
		if _, err := tx.APIKey(appKey); errors.Is(err, ErrNoRow) {
			return APIConsumer{}, fail(ErrNotFound, "key", "err.apikey.not_found", locale.Args{"AppKey": keyHint(appKey)})
		} else if err != nil {
			return APIConsumer{}, err
		}
		of := actor
		if actor == SupportActor {
			of = ""
		}
		cs, err := tx.APIConsumers(of)
		if err != nil {
			return APIConsumer{}, err
		}
		i := slices.IndexFunc(cs, func(c APIConsumer) bool { return c.ID == id && c.AppKey == appKey })
		if i < 0 {
			return APIConsumer{}, fail(ErrNotFound, "credential", "err.credential.not_found", locale.Args{"ID": id, "AppKey": appKey})
		}
		c := cs[i]
		if err := tx.DeleteAPIConsumer(id); err != nil {
			return APIConsumer{}, err
		}
		how := "by support"
		if actor != SupportActor {
			how = "by itself (logout)"
		}
		w.touch(c.Handle)
		return c, d.record(tx, w, actor, ActCredentialRevoke, 0, 0, fmt.Sprintf("consumer key #%d of API key %s of %s revoked %s", c.ID, c.AppKey, c.Handle, how))
	})
}
