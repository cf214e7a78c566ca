package model

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"contactdesk/locale"
	"contactdesk/model/text"
)

// Limits on what users may type.
const (
	MaxNameLen    = 200
	MaxAddressLen = 500
	MaxEmailLen   = 254
	MaxPhoneLen   = 32
	MaxServiceLen = 253
	MaxValidity   = 365 * 24 * time.Hour
	MinValidity   = time.Minute
)

var handleRE = regexp.MustCompile(`^[a-z]{2}[0-9]{1,10}-ovh$`)

// ParseHandle reads a NIC handle whatever its case: two letters, digits, "-ovh".
func ParseHandle(s string) (Handle, error) {
	h := strings.ToLower(strings.TrimSpace(s))
	if h == "" {
		return "", fail(ErrInvalid, "handle", "err.handle.missing")
	}
	if !handleRE.MatchString(h) {
		return "", fail(ErrInvalid, "handle", "err.handle.bad", quotedArg(s))
	}
	return Handle(h), nil
}

// ParseRole reads "admin", "tech" or "billing", whatever the case.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Roles, r) {
		return r, nil
	}
	return "", fail(ErrInvalid, "role", "err.role.bad", quotedArg(s))
}

// ParseRoles reads a comma-separated list of roles without repeats,
// returned in display order.
func ParseRoles(s string) ([]Role, error) {
	seen := map[Role]bool{}
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		r, err := ParseRole(part)
		if err != nil {
			return nil, err
		}
		seen[r] = true
	}
	if len(seen) == 0 {
		return nil, fail(ErrInvalid, "role", "err.role.none")
	}
	var rs []Role
	for _, r := range Roles {
		if seen[r] {
			rs = append(rs, r)
		}
	}
	return rs, nil
}

// CheckText refuses user text that is empty (when required), too long, or
// holds anything that could act on a terminal or hide from a reader:
// control characters, escape sequences, bidi overrides, invisible
// characters, invalid UTF-8. Text made only of invisible characters and
// spaces is refused as empty.
func CheckText(field, label, s string, max int, required bool) (string, error) {
	what := fieldWord(label)
	if required && utf8.ValidString(s) && strings.TrimSpace(text.StripIgnorable(s)) == "" {
		return "", fail(ErrInvalid, field, "err.text.empty", locale.Args{"Field": what})
	}
	if why := text.Unsafe(s); why != "" {
		return "", fail(ErrInvalid, field, "err.text.unsafe", locale.Args{"Field": what, "Why": unsafeWord(why)})
	}
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", fail(ErrInvalid, field, "err.text.empty", locale.Args{"Field": what})
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", fail(ErrInvalid, field, "err.text.long", locale.Args{"Field": what, "Len": n, "Max": max})
	}
	return s, nil
}

// CheckEmail validates an e-mail address of the form local@domain.tld and
// returns it trimmed.
func CheckEmail(field, s string) (string, error) {
	s, err := CheckText(field, "e-mail address", s, MaxEmailLen, true)
	if err != nil {
		return "", err
	}
	a, perr := mail.ParseAddress(s)
	if perr != nil || a.Address != s || a.Name != "" {
		return "", fail(ErrInvalid, field, "err.email.bad", quotedArg(s))
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if at < 1 || strings.ContainsAny(s, " \"") || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") ||
		strings.ContainsAny(domain, "[]") {
		return "", fail(ErrInvalid, field, "err.email.bad", quotedArg(s))
	}
	// No mail reaches a domain whose name can't be one: a label begins
	// and ends with a letter or a digit, and has 63 bytes at most.
	for _, label := range strings.Split(domain, ".") {
		if strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") || len(label) > 63 {
			return "", fail(ErrInvalid, field, "err.email.bad", quotedArg(s))
		}
	}
	return s, nil
}

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 .\-()]{3,30}$`)

// CheckPhone validates a phone number: digits, spaces, dots, dashes and
// brackets, optionally starting with +.
func CheckPhone(field, s string) (string, error) {
	s, err := CheckText(field, "phone number", s, MaxPhoneLen, false)
	if err != nil || s == "" {
		return s, err
	}
	if !phoneRE.MatchString(s) {
		return "", fail(ErrInvalid, field, "err.phone.bad", quotedArg(s))
	}
	return s, nil
}

var serviceRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// CheckServiceName validates a service name (a domain, a server's
// hostname, a plan's identifier) and returns it lowercased.
func CheckServiceName(s string) (string, error) {
	s, err := CheckText("service", "service name", s, MaxServiceLen, true)
	if err != nil {
		return "", err
	}
	s = strings.ToLower(s)
	if !serviceRE.MatchString(s) {
		return "", fail(ErrInvalid, "service", "err.service.bad_name", quotedArg(s))
	}
	return s, nil
}

// CheckServiceType validates a service type.
func CheckServiceType(s string) (string, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, k := range ServiceTypes {
		if k == t {
			return t, nil
		}
	}
	return "", fail(ErrInvalid, "type", "err.service.bad_type", locale.Args{"Value": quoteTyped(s), "Types": strings.Join(ServiceTypes, ", ")})
}

// ParseAmount reads an amount such as "42", "42.5" or "42.50" (or, with
// a decimal comma, "42,50") into cents.
func ParseAmount(s string) (Cents, error) {
	t := strings.TrimSpace(s)
	bad := fail(ErrInvalid, "owes", "err.owes.bad", quotedArg(s))
	if t == "" || strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		return 0, bad
	}
	sep := "."
	if !strings.Contains(t, ".") {
		// 12,50 as written in Portuguese and French (a spreadsheet's
		// CSV): a decimal comma, one or two digits after it; 1,000 is
		// no amount, whichever way it was meant
		sep = ","
	}
	whole, frac, hasFrac := strings.Cut(t, sep)
	if whole == "" || (hasFrac && (len(frac) == 0 || len(frac) > 2)) {
		return 0, bad
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1_000_000_000 {
		return 0, bad
	}
	var f int64
	if hasFrac {
		if len(frac) == 1 {
			frac += "0"
		}
		f, err = strconv.ParseInt(frac, 10, 64)
		if err != nil || f < 0 {
			return 0, bad
		}
	}
	return Cents(w*100 + f), nil
}

// FormatAmount writes cents as "42.50".
func FormatAmount(c Cents) string {
	return fmt.Sprintf("%d.%02d", int64(c)/100, int64(c)%100)
}

// ParseValidity reads a validity period: a Go duration ("90s", "48h") or
// a number of days ("15d").
func ParseValidity(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	var d time.Duration
	if n, ok := strings.CutSuffix(t, "d"); ok && n != "" {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 || days > 365 {
			return 0, fail(ErrInvalid, "validity", "err.validity.bad", quotedArg(s))
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		d, err = time.ParseDuration(t)
		if err != nil {
			return 0, fail(ErrInvalid, "validity", "err.validity.bad", quotedArg(s))
		}
	}
	if d < MinValidity || d > MaxValidity {
		return 0, fail(ErrInvalid, "validity", "err.validity.range_not", locale.Args{"Value": clip(s)})
	}
	return d, nil
}

// clip shortens what a user typed for quoting in a message, and makes it
// safe to print.
func clip(s string) string {
	s = text.Line(s) // invisible characters become U+FFFD
	if utf8.RuneCountInString(s) > 60 {
		r := []rune(s)
		s = string(r[:59]) + "…"
	}
	return s
}

// quotedArg is the argument Value of a refusal quoting what was typed:
// shortened, safe to print, and in Go's quotes ("xx1").
func quotedArg(s string) locale.Args { return locale.Args{"Value": quoteTyped(s)} }

// quoteTyped is what a refusal shows of a value typed: see text.Quote.
func quoteTyped(s string) locale.Quoted { return locale.Quoted(text.Quote(s, 40)) }

// fields are the words of CheckText's labels, by their English: each
// language writes them with their article ("o nome", "l'adresse postale").
var fields = map[string]string{
	"name":           "word.field.name",
	"holder name":    "word.field.holder",
	"postal address": "word.field.address",
	"e-mail address": "word.field.email",
	"phone number":   "word.field.phone",
	"service name":   "word.field.service",
}

// fieldWord is the word of a label of CheckText; a label of another
// caller, in every language as given.
func fieldWord(label string) locale.Word { return wordOf(fields, label) }

// unsafes are the words of text.Unsafe's reasons, by their English.
var unsafes = map[string]string{
	"it is not valid UTF-8":                 "word.unsafe.utf8",
	"it contains an escape sequence":        "word.unsafe.escape",
	"it contains a control character":       "word.unsafe.control",
	"it contains a text-direction override": "word.unsafe.bidi",
	"it contains an invisible separator":    "word.unsafe.invisible",
	"it piles marks on one letter":          "word.unsafe.marks",
}

func unsafeWord(why string) locale.Word {
	// The one that names its character: "… (U+200D)".
	if code, ok := strings.CutPrefix(why, "it contains an invisible character ("); ok {
		return locale.M("word.unsafe.invisible_char", locale.Args{"Code": strings.TrimSuffix(code, ")")})
	}
	return wordOf(unsafes, why)
}

// wordOf is the word whose English is en, by a table of their message
// IDs; an English the table lacks reads as it is in every language.
func wordOf(ids map[string]string, en string) locale.Word {
	if id, ok := ids[en]; ok {
		return locale.M(id)
	}
	return locale.Text(en)
}
