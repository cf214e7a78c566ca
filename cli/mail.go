package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
)

func newCmdMail(a *app) *cobra.Command {
	return group("mail", "Read your mailbox: tokens, outcomes",
		`Every mail the desk writes lands in the recipient's mailbox, kept in the
database: the tokens to confirm requests, and the outcomes. With real
delivery (--smtp) it is also sent, and the mailbox shows how that went.`,
		`contactdesk mail list --as xx11111-ovh
contactdesk mail show 28 --as xx11111-ovh`,
		newCmdMailList(a, nil),
		newCmdMailShow(a, nil),
	)
}

type mailListOptions struct {
	a    *app
	As   string
	JSON bool
}

func newCmdMailList(a *app, runF func(*mailListOptions) error) *cobra.Command {
	o := &mailListOptions{a: a}
	cmd := &cobra.Command{
		Use:         "list",
		Annotations: map[string]string{usageFlags: "--as HANDLE [--json]"},
		Short:       "List your mails",
		Long: `List the account's mails, newest first: "*" marks the unread, TOKEN those
that carry a token to answer a request with ('contactdesk mail show ID'
shows it), "replaced" when a newer mail brought a new token for the same
request (a resend; token_replaced in the JSON), "answered" when the
recipient answered the request, which still waits for other parties
(token_answered), or "ended" when the request ended, or the change of e-mail
address that the token proves was confirmed, refused or expired
(token_ended, true for an answered token as well). --json has every field,
the token and the delivery included.

With real delivery (mail-delivery smtp, see 'contactdesk config') a token
lives in its recipient's own inbox only: TOKEN says "mailed", "queued" (not
sent yet) or "not delivered" (the desk keeps no copy: ask for a fresh one),
and the JSON has an empty token, a link without it, token_withheld true,
and the delivery. A token the simulated mailbox held when real delivery
began was never mailed: it was removed then, and TOKEN says "removed"
(token_removed true); the mail says how to ask for a fresh one.

Only the table goes to stdout: the lines after it, which count the tokens
and say how to see them, go to stderr.`,
		Example: `contactdesk mail list --as xx11111-ovh
contactdesk mail list --as xx11111-ovh --json |
  jq -r '.[] | select(.token != "")
    | select(.token_replaced or .token_ended | not)
    | "\(.request) \(.token)"'`,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return mailList(o)
		},
	}
	asFlag(a, cmd, &o.As)
	jsonFlag(cmd, &o.JSON)
	return cmd
}

func mailList(o *mailListOptions) error {
	a := o.a
	d, h, err := a.readDeskAs(o.As)
	if err != nil {
		return err
	}
	// the table shows no body: it reads the mailbox's list, whole
	var ms []model.Mail
	if o.JSON {
		ms, err = d.Mails(a.ctx, h)
	} else {
		ms, _, err = d.Mailbox(a.ctx, h, 0)
	}
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, mapJSON(ms, mailOut))
	}
	rows := make([][]string, 0, len(ms))
	// What became of each token, counted for the lines that follow the
	// table (the replaced ones aside), each with its newest mail.
	var tokens, mailed, queued, failed, removed counted
	for _, m := range ms {
		unread, token := "", ""
		if !m.Read {
			unread = "*"
		}
		switch {
		case m.TokenAnswered && (m.Token != "" || m.TokenWithheld || m.TokenRemoved):
			token = a.T("cli.mail.answered")
		case m.TokenEnded && (m.Token != "" || m.TokenWithheld || m.TokenRemoved):
			token = a.T(endedWord(m))
		case m.TokenReplaced && (m.Token != "" || m.TokenWithheld || m.TokenRemoved):
			token = a.T("cli.mail.replaced")
		case m.Token != "":
			token = a.T("cli.mail.token")
			tokens.add(m)
		case m.TokenRemoved:
			token = a.T("cli.mail.removed")
			removed.add(m)
		case m.TokenWithheld && m.Delivery == model.DeliverySent:
			token = a.T("cli.mail.mailed")
			mailed.add(m)
		case m.TokenWithheld && m.Delivery == model.DeliveryFailed:
			token = a.T("cli.mail.not_delivered")
			failed.add(m)
		case m.TokenWithheld:
			token = a.T("cli.mail.queued")
			queued.add(m)
		}
		rows = append(rows, []string{strconv.FormatInt(m.ID, 10), unread, a.l.DateTime(m.Date), token, m.Subject})
	}
	a.table([]string{"number", "new", "date", "token", "subject"}, rows)
	// The lines about the tokens are notes for whoever reads, on stderr
	// as the command line's other notes are: a script that reads the
	// table from stdout gets its rows and nothing else. A table not
	// written has no notes: the command's one line on stderr says why.
	if a.outputErr() != nil {
		return nil
	}
	for _, c := range []struct {
		id string
		n  counted
	}{
		{"cli.mail.tokens", tokens},
		{"cli.mail.withheld", mailed},
		{"cli.mail.queued_tokens", queued},
		{"cli.mail.failed_tokens", failed},
		{"cli.mail.removed_tokens", removed},
	} {
		if c.n.n > 0 {
			fmt.Fprintln(a.stderr, a.T(c.id, locale.Args{"N": c.n.n, "Handle": h, "First": c.n.first}))
		}
	}
	return nil
}

// counted counts mails, and keeps the first one's number (the newest).
type counted struct {
	n     int
	first int64
}

func (c *counted) add(m model.Mail) {
	if c.n == 0 {
		c.first = m.ID
	}
	c.n++
}

type mailShowOptions struct {
	a    *app
	As   string
	JSON bool
	ID   int64
}

func newCmdMailShow(a *app, runF func(*mailShowOptions) error) *cobra.Command {
	o := &mailShowOptions{a: a}
	cmd := &cobra.Command{
		Use:         "show ID",
		Annotations: map[string]string{usageFlags: "--as HANDLE [--json]"},
		Short:       "Show one of your mails (and mark it read)",
		Long: `Show one of the account's mails whole — its token, and the link that opens
the request with the token filled in — and mark it read. With real
delivery, the token is in the recipient's own inbox only: the mail says
to which address it went, or that it is still queued, or was not
delivered (with the server's answer).`,
		Example: `contactdesk mail show 28 --as xx11111-ovh
contactdesk mail show 28 --as xx11111-ovh --json | jq -r .token`,
		Args:                  exactArgs("ID"),
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     a.completeMails,
		RunE: func(cmd *cobra.Command, args []string) error {
			// 31 or #31, as a request's number
			id, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64)
			if err != nil || id <= 0 {
				return misuse(cmd, "not_mail_number", locale.Args{"Value": locale.Quoted(text.Quote(args[0], 200))})
			}
			o.ID = id
			if runF != nil {
				return runF(o)
			}
			return mailShow(o)
		},
	}
	asFlag(a, cmd, &o.As)
	jsonFlag(cmd, &o.JSON)
	return cmd
}

func mailShow(o *mailShowOptions) error {
	a := o.a
	d, h, err := a.deskAs(o.As)
	if err != nil {
		return err
	}
	m, err := d.Mail(a.ctx, h, o.ID)
	if err != nil {
		return err
	}
	// Marked read once shown: not when its output is lost.
	m.Read = true
	if o.JSON {
		if err := writeJSON(a.stdout, mailOut(m)); err != nil {
			return err
		}
		return markRead(a, d, h, m.ID)
	}
	labels := []string{"from", "to", "date", "subject", "token"}
	if m.Delivery != "" {
		labels = append(labels, "delivery")
	}
	label := a.labels("cli.mail.label.", labels...)
	fmt.Fprintf(a.out, "%scontactdesk\n%s%s <%s>\n%s%s\n%s%s\n", label("from"), label("to"), m.To, text.Line(m.Address),
		label("date"), a.l.Stamp(m.Date), label("subject"), text.Line(m.Subject))
	if m.Delivery != "" {
		// Where it stands, and the server's last answer.
		d := a.T("tui.delivery." + m.Delivery)
		if m.DeliveryError != "" {
			d += ": " + text.Line(m.DeliveryError)
		}
		fmt.Fprintf(a.out, "%s%s\n", label("delivery"), d)
	}
	if say := a.tokenFate(m); say != "" && !m.TokenEnded {
		// (ended, how to get a fresh token is no matter)
		fmt.Fprintf(a.out, "%s%s\n", label("token"), say)
	}
	if m.TokenGone() {
		fmt.Fprintf(a.out, "%s%s\n", label("token"), model.GoneNote(m).In(a.l))
	}
	fmt.Fprintf(a.out, "\n%s", text.Clean(m.Body, true))
	return markRead(a, d, h, m.ID)
}

// markRead marks read the mail mail show has shown, when its output was
// written.
func markRead(a *app, d *model.Desk, h model.Handle, id int64) error {
	if a.outputErr() != nil {
		return nil
	}
	return d.MarkRead(a.ctx, h, id)
}

// tokenFate says what became of the token of a mail that does not show
// it: mailed, queued, not delivered, or removed from the simulated
// mailbox when real delivery began; "" for a mail that shows its token,
// or never had one.
func (a *app) tokenFate(m model.Mail) string {
	args := locale.Args{"Address": text.Line(m.Address), "ID": m.RequestID, "Handle": m.To}
	switch {
	case m.TokenRemoved:
		return a.T("cli.mail.token_removed", args)
	case !m.TokenWithheld:
		return ""
	case m.Delivery == model.DeliverySent:
		return a.T("tui.mail.withheld", args)
	case m.Delivery == model.DeliveryFailed && m.Kind == model.MailEmailConfirm:
		return a.T("cli.mail.token_failed_email", args)
	case m.Delivery == model.DeliveryFailed:
		return a.T("cli.mail.token_failed", args)
	}
	return a.T("cli.mail.token_queued", args)
}

// endedWord is what mail list says of a mail whose token ended: of a
// code, what became of its consumer key, when it is still there to say.
func endedWord(m model.Mail) string {
	switch m.CredentialState {
	case model.CredentialValidated:
		return "cli.mail.code_validated"
	case model.CredentialRefused:
		return "cli.mail.code_refused"
	case model.CredentialExpired:
		return "cli.mail.code_expired"
	}
	return "cli.mail.ended"
}
