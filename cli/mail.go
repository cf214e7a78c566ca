package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"contactdesk/model"
	"contactdesk/model/text"
)

func newCmdMail(a *app) *cobra.Command {
	return group("mail", "Read your mailbox: tokens, outcomes",
		`Every mail the desk writes lands in the recipient's mailbox, kept in the
database: the tokens to confirm requests, and the outcomes. With real
delivery (--smtp) it is also sent, and the mailbox shows how that went.`,
		`contactdesk mail list --as cd67890-ovh
contactdesk mail show 31 --as cd67890-ovh`,
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
		Long: `List the account's mails, newest first: "*" marks the unread, TOKEN those that
carry a token to answer a request with ('contactdesk mail show ID' shows
it). --json has every field, the token and the delivery included.

With real delivery (mail-delivery smtp, see 'contactdesk config') a token
lives in its recipient's own inbox only: TOKEN says "mailed", and the JSON
has an empty token, a link without it, and token_withheld true.`,
		Example: `contactdesk mail list --as cd67890-ovh
contactdesk mail list --as cd67890-ovh --json | jq -r '.[] | select(.token != "") | "\(.request) \(.token)"'`,
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
	ms, err := d.Mails(a.ctx, h)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, mapJSON(ms, mailOut))
	}
	rows := make([][]string, 0, len(ms))
	tokens, mailed, first := 0, 0, int64(0)
	for _, m := range ms {
		unread, token := "", ""
		if !m.Read {
			unread = "*"
		}
		switch {
		case m.Token != "":
			token = "token"
			tokens++
			if first == 0 {
				first = m.ID
			}
		case m.TokenWithheld:
			token = "mailed"
			mailed++
		}
		rows = append(rows, []string{strconv.FormatInt(m.ID, 10), unread, stamp(m.Date), token, m.Subject})
	}
	table(a.out, []string{"ID", "NEW", "DATE", "TOKEN", "SUBJECT"}, rows)
	if tokens > 0 {
		fmt.Fprintf(a.out, "%s a token: see it with 'contactdesk mail show ID --as %s' (the newest: mail show %d)\n",
			plural(tokens, "mail carries", "mails carry"), h, first)
	}
	if mailed > 0 {
		fmt.Fprintf(a.out, "%s a personal token to the account's own inbox; the desk keeps no copy: answer from the mail\n",
			plural(mailed, "mail took", "mails took"))
	}
	return nil
}

// plural is "1 mail carries" or "3 mails carry".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
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
to which address it went.`,
		Example: `contactdesk mail show 31 --as cd67890-ovh
contactdesk mail show 31 --as cd67890-ovh --json | jq -r .token`,
		Args:                  exactArgs("ID"),
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     a.completeMails,
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return misuse(cmd, "%q is not a mail number", text.Line(args[0]))
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
	ms, err := d.Mails(a.ctx, h)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.ID != o.ID {
			continue
		}
		if err := d.MarkRead(a.ctx, h, m.ID); err != nil {
			return err
		}
		m.Read = true
		if o.JSON {
			return writeJSON(a.stdout, mailOut(m))
		}
		fmt.Fprintf(a.out, "From:    contactdesk\nTo:      %s <%s>\nDate:    %s\nSubject: %s\n", m.To, text.Line(m.Address), stamp(m.Date), text.Line(m.Subject))
		if m.TokenWithheld {
			fmt.Fprintf(a.out, "Token:   mailed to %s; the desk keeps no copy\n", text.Line(m.Address))
		}
		fmt.Fprintf(a.out, "\n%s", text.Clean(m.Body, true))
		return nil
	}
	return &model.Error{Kind: model.ErrNotFound, Field: "mail", Msg: fmt.Sprintf("no mail #%d in the mailbox of %s", o.ID, h)}
}
