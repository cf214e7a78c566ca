package model

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"contactdesk/locale"
)

// The settings of a desk are kept in the desk itself, so that every
// process that writes mail (the command line, the app, every serve node,
// on SQLite or PostgreSQL) writes the same links and agrees on whether
// mail is delivered for real. Each key has its check and a one-line
// description; a new key is one more entry in settingKeys.
const (
	// SettingPublicURL is the address of the web page of the mails'
	// links: https://desk.example.net (a path is allowed).
	SettingPublicURL = "public-url"
	// SettingPublicSSH is where customers reach the desk over SSH:
	// HOST[:PORT].
	SettingPublicSSH = "public-ssh"
	// SettingMailDelivery says whether mail is delivered for real:
	// DeliverySMTP or DeliveryNone (unset: none).
	SettingMailDelivery = "mail-delivery"
	// SettingDefaultLang is the language of an account opened without
	// one, and of the account picker when the system says none: pt, en
	// or fr (unset: DefaultLang, English).
	SettingDefaultLang = "default-lang"
)

// ActSetting is the history action of a change of setting.
const ActSetting = "desk.setting"

// The values of SettingMailDelivery.
const (
	DeliverySMTP = "smtp"
	DeliveryNone = "none"
)

// SettingKey is one setting a desk knows: its name, what it does, and
// how a value is checked.
type SettingKey struct {
	Name  string
	About string // one line, for a listing
	// check returns the value as it is stored, or a refusal.
	check func(string) (string, error)
}

var settingKeys = []SettingKey{
	{Name: SettingPublicURL, About: "the address of the web page the mails link to: https://desk.example.net", check: checkPublicURL},
	{Name: SettingPublicSSH, About: "where customers reach the desk over SSH, HOST[:PORT], told in every mail (which then names no command line)", check: checkPublicSSH},
	{Name: SettingMailDelivery, About: "smtp: mail is delivered for real (the desk then keeps no usable token); none: the simulated mailbox", check: checkMailDelivery},
	{Name: SettingDefaultLang, About: "the language of an account opened without --lang: pt, en or fr (unset: en)", check: checkLang},
}

// SettingKeys lists every setting a desk knows, in a fixed order.
func SettingKeys() []SettingKey { return append([]SettingKey(nil), settingKeys...) }

// LookupSetting returns the setting called name, or a refusal naming the
// known ones.
func LookupSetting(name string) (SettingKey, error) {
	for _, k := range settingKeys {
		if k.Name == name {
			return k, nil
		}
	}
	names := make([]string, len(settingKeys))
	for i, k := range settingKeys {
		names[i] = k.Name
	}
	return SettingKey{}, fail(ErrInvalid, "key", "err.setting.unknown", locale.Args{"Value": quoteTyped(name), "Names": strings.Join(names, ", ")})
}

// Check returns v as it would be stored, or a refusal that says what the
// setting takes.
func (k SettingKey) Check(v string) (string, error) { return k.check(strings.TrimSpace(v)) }

// Settings are a desk's settings, by key; a key that is not set is absent.
type Settings map[string]string

// PublicURL is the address of the web page, without a trailing slash,
// or "".
func (s Settings) PublicURL() string { return s[SettingPublicURL] }

// RealDelivery reports whether the desk delivers its mail for real.
func (s Settings) RealDelivery() bool { return s[SettingMailDelivery] == DeliverySMTP }

// DefaultLang is the language of an account opened without one: the
// desk's default-lang, else English.
func (s Settings) DefaultLang() Lang {
	if l, ok := locale.Parse(s[SettingDefaultLang]); ok {
		return l
	}
	return DefaultLang
}

// SSHCommand is how a customer reaches the desk over SSH ("ssh -p 2222
// desk.example.net"), or "" when public-ssh is not set.
func (s Settings) SSHCommand() string {
	v := s[SettingPublicSSH]
	if v == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return "ssh " + v
	}
	if port == "22" {
		return "ssh " + host
	}
	return "ssh -p " + port + " " + host
}

// CommandsInMail reports whether a mail may name the command line
// (contactdesk request accept …, request resend …, profile set-email …):
// only when customers are not told to reach the desk over SSH
// (public-ssh unset). Only a mail of the simulated mailbox ever names
// it — a real one tells the web page or the SSH way (see howToAnswer) —
// and the simulated mailbox is read in the app alone. A customer served
// over SSH has the app and nothing else: the command line is the support
// staff's, on the server, with the database. A desk not served over SSH
// is read by whoever runs it, the database at hand, where the command
// works: there it stays, as a help. public-url changes nothing to that:
// the web page answers a link and shows no mailbox.
func (s Settings) CommandsInMail() bool { return s[SettingPublicSSH] == "" }

// Settings returns every setting that is set.
func (d *Desk) Settings(ctx context.Context) (Settings, error) {
	var s Settings
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		var err error
		s, err = tx.Settings()
		return err
	})
	return s, err
}

// SetSetting checks value and stores it as the setting key (support
// staff); it returns the value as stored. An empty value unsets it.
// Every change is recorded in the history.
func (d *Desk) SetSetting(ctx context.Context, key, value string) (string, error) {
	c, err := d.ChangeSetting(ctx, key, value)
	return c.Value, err
}

// SettingChange is what a change of setting did.
type SettingChange struct {
	Value string // as stored; "" when unset
	// TokensRemoved counts the mails of the simulated mailbox whose
	// tokens were removed as real delivery was turned on.
	TokensRemoved int
	// Withdrawn counts the mails taken out of the outbox, never sent,
	// as real delivery was turned off: their tokens show in the
	// simulated mailbox again.
	Withdrawn int
}

// ChangeSetting is SetSetting, saying what the change did to the mails
// (see setSetting).
func (d *Desk) ChangeSetting(ctx context.Context, key, value string) (SettingChange, error) {
	k, err := LookupSetting(key)
	if err != nil {
		return SettingChange{}, err
	}
	v := ""
	if strings.TrimSpace(value) != "" {
		if v, err = k.Check(value); err != nil {
			return SettingChange{}, err
		}
	}
	return write(ctx, d, ActSetting, func(tx Tx, w *work) (SettingChange, error) {
		return d.setSetting(tx, w, k.Name, v)
	})
}

// setSetting stores a setting and records it. Turning real delivery on
// or off (mail-delivery smtp, or back) also settles, in the same write,
// the tokens the mailboxes hold, so that what a mailbox says stays true:
//
//   - On: a token of the simulated mailbox was never mailed, and the
//     desk now keeps no token. Each is removed from its mail, which says
//     so and how to ask for a fresh one (removed); the token itself keeps
//     working for whoever copied it (its hash is untouched).
//   - Off: the mails never handed to a server are taken out of the
//     outbox, and show their tokens again, as the README promises ("the
//     simulated mailbox, which works as before"). They are not sent
//     later by a run with --smtp: their tokens are readable in the desk
//     meanwhile, so a real mail would no longer be the only copy, and it
//     could arrive long after it was written, its token long replaced or
//     its request ended. Turning real delivery on again removes their
//     tokens as above, and the party resends. A mail handed over, sent
//     or failed already has no token, and stays as it is.
func (d *Desk) setSetting(tx Tx, w *work, key, v string) (SettingChange, error) {
	c := SettingChange{Value: v}
	old, err := tx.Settings()
	if err != nil {
		return c, err
	}
	if old[key] == v {
		return c, nil
	}
	detail := fmt.Sprintf("setting %s set to %s", key, v)
	if v == "" {
		detail = fmt.Sprintf("setting %s unset", key)
		err = tx.DeleteSetting(key)
	} else {
		err = tx.SetSetting(key, v, w.now)
	}
	if err != nil {
		return c, err
	}
	w.settings = nil // read again by the rest of this write
	w.all = true     // the other nodes reload every screen
	if key == SettingMailDelivery {
		was, now := old[key] == DeliverySMTP, v == DeliverySMTP
		switch {
		case now && !was:
			if c.TokensRemoved, err = d.removeSimulatedTokens(tx, w); err != nil {
				return c, err
			}
			detail += fmt.Sprintf("; the tokens of %s of the simulated mailbox removed (never mailed; the desk keeps no copy)", mailsWord(c.TokensRemoved))
		case was && !now:
			hs, err := tx.WithdrawPending()
			if err != nil {
				return c, err
			}
			c.Withdrawn = len(hs)
			w.touch(hs...)
			detail += fmt.Sprintf("; %s not sent yet taken out of the outbox (the mailbox shows their tokens again)", mailsWord(c.Withdrawn))
		}
	}
	return c, d.record(tx, w, SupportActor, ActSetting, 0, 0, detail)
}

// removeSimulatedTokens removes the token of every mail of the simulated
// mailbox (see removed), a batch at a time so that a desk with years of
// mails does not hold them all at once, and returns how many.
func (d *Desk) removeSimulatedTokens(tx Tx, w *work) (int, error) {
	const batch = 500
	set, err := w.settingsOf(tx)
	if err != nil {
		return 0, err
	}
	langs := map[Handle]*locale.Localizer{}
	n := 0
	for {
		ms, err := tx.SimulatedTokenMails(batch)
		if err != nil {
			return n, err
		}
		for _, m := range ms {
			l, ok := langs[m.To]
			if !ok {
				if l, err = recipientLang(tx, m.To); err != nil {
					return n, err
				}
				langs[m.To] = l
			}
			r := removed(m, l, set)
			if err := tx.RedactMail(m.ID, r.Body, r.Link); err != nil {
				return n, err
			}
			w.touch(m.To)
		}
		n += len(ms)
		if len(ms) < batch {
			return n, nil
		}
	}
}

func mailsWord(n int) string {
	if n == 1 {
		return "1 mail"
	}
	return fmt.Sprintf("%d mails", n)
}

// UseRealDelivery records in the desk that its mail is delivered for
// real (mail-delivery smtp), unless it says so already: a process with
// an SMTP server calls it before it writes anything, so that every
// process, itself included, queues its mails in the outbox, and
// withholds the tokens. The setting alone decides, for that process as
// for any other: turned to none later (by support staff, or by another
// process), the mails it writes land in the simulated mailbox, nothing
// is queued for its sender to send, until the setting says smtp again.
// (A mail written before the setting is stored is the simulated
// mailbox's, and the switch removes its token like the others': no
// moment leaves a usable token in the desk under real delivery.) It
// returns how many tokens of the simulated mailbox it removed (see
// setSetting).
func (d *Desk) UseRealDelivery(ctx context.Context) (int, error) {
	s, err := d.Settings(ctx)
	if err != nil || s.RealDelivery() {
		return 0, err
	}
	c, err := write(ctx, d, ActSetting, func(tx Tx, w *work) (SettingChange, error) {
		return d.setSetting(tx, w, SettingMailDelivery, DeliverySMTP)
	})
	return c.TokensRemoved, err
}

// Ping answers whether the desk's database answers (a health check),
// and is one this binary may write: a schema that a newer contactdesk
// upgraded it to since is a *NewerSchemaError.
func (d *Desk) Ping(ctx context.Context) error {
	return d.view(ctx, func(tx Tx, _ time.Time) error {
		if err := tx.CheckSchema(); err != nil {
			return err
		}
		_, err := tx.Settings()
		return err
	})
}

// settings reads the desk's settings once per write.
func (w *work) settingsOf(tx Tx) (Settings, error) {
	if w.settings == nil {
		s, err := tx.Settings()
		if err != nil {
			return nil, err
		}
		if s == nil {
			s = Settings{}
		}
		w.settings = s
	}
	return w.settings, nil
}

// MaxPublicAddress is the longest public-url or public-ssh: every mail's
// link or SSH hint carries it, and a real address is far shorter.
const MaxPublicAddress = 200

func checkPublicURL(v string) (string, error) {
	bad := func(why string) error {
		return fail(ErrInvalid, "value", "err.setting.public_url", locale.Args{"Value": quoteTyped(v), "Why": locale.M("word.setting." + why)})
	}
	if v == "" {
		return "", bad("empty")
	}
	// bytes first, so that a megabyte is not parsed; then the characters
	// of the address as stored, escapes included
	if len(v) > 4*MaxPublicAddress {
		return "", bad("too_long")
	}
	for _, r := range v {
		if r <= ' ' || r == 0x7f {
			return "", bad("space")
		}
	}
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return "", bad("not_url")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", bad("scheme")
	case u.Host == "" || u.Hostname() == "":
		return "", bad("no_host")
	case u.User != nil:
		return "", bad("user")
	case u.RawQuery != "" || u.ForceQuery:
		return "", bad("query")
	case u.Fragment != "" || strings.Contains(v, "#"):
		return "", bad("fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", bad("port")
		}
	}
	out := strings.TrimRight(strings.ToLower(u.Scheme)+"://"+strings.ToLower(u.Host)+u.EscapedPath(), "/")
	if utf8.RuneCountInString(out) > MaxPublicAddress {
		return "", bad("too_long_link")
	}
	return out, nil
}

func checkPublicSSH(v string) (string, error) {
	bad := func(why string) error {
		return fail(ErrInvalid, "value", "err.setting.public_ssh", locale.Args{"Value": quoteTyped(v), "Why": locale.M("word.setting." + why)})
	}
	if v == "" {
		return "", bad("empty")
	}
	if utf8.RuneCountInString(v) > MaxPublicAddress {
		return "", bad("too_long")
	}
	host, port := v, ""
	if h, p, err := net.SplitHostPort(v); err == nil {
		host, port = h, p
	} else if strings.Count(v, ":") > 1 && net.ParseIP(v) != nil {
		host = v // an IPv6 address without a port
	} else if strings.Contains(v, ":") {
		return "", bad("not_hostport")
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", bad("port")
		}
	}
	if net.ParseIP(host) == nil && !hostnameOK(host) {
		return "", bad("not_host")
	}
	host = strings.ToLower(host)
	if port == "" {
		return host, nil
	}
	return net.JoinHostPort(host, port), nil
}

// hostnameOK accepts a DNS name: labels of letters, digits and hyphens.
func hostnameOK(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, l := range strings.Split(h, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func checkMailDelivery(v string) (string, error) {
	switch strings.ToLower(v) {
	case DeliverySMTP:
		return DeliverySMTP, nil
	case DeliveryNone:
		return DeliveryNone, nil
	}
	return "", fail(ErrInvalid, "value", "err.setting.mail_delivery", locale.Args{"Value": quoteTyped(v)})
}

func checkLang(v string) (string, error) {
	l, err := ParseLang(v)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Field = "value"
		}
		return "", err
	}
	return string(l), nil
}
