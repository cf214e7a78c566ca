package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
)

func newCmdRequest(a *app) *cobra.Command {
	return group("request", "Ask for a change of contact, answer one, follow it",
		`A request changes one or more contacts (admin, tech, billing) of a service.
Every party — the requester, the outgoing contact and the incoming one —
gets a personal, single-use token by mail and accepts or refuses with it;
when the last one accepts, the change is made. Until then the requester
may cancel it, and a party whose mail went astray may have it sent again.`,
		`contactdesk request create --as xx11111-ovh --service xara.pt \
  --role tech --to cd67890-ovh
contactdesk mail list --as cd67890-ovh
contactdesk request accept 9 --as cd67890-ovh --token 7K3Q-9XWM-…
contactdesk request list --as xx11111-ovh`,
		newCmdRequestCreate(a, nil),
		newCmdRequestList(a, nil),
		newCmdRequestShow(a, nil),
		newCmdRequestAnswer(a, true, nil),
		newCmdRequestAnswer(a, false, nil),
		newCmdRequestResend(a, nil),
		newCmdRequestCancel(a, nil),
	)
}

type requestCreateOptions struct {
	a        *app
	As       string
	JSON     bool
	Service  string
	Roles    []model.Role
	To       string
	Validity time.Duration
}

func newCmdRequestCreate(a *app, runF func(*requestCreateOptions) error) *cobra.Command {
	o := &requestCreateOptions{a: a}
	var roles string
	cmd := &cobra.Command{
		Use:         "create",
		Annotations: map[string]string{usageFlags: "--as HANDLE --service NAME --role ROLE --to HANDLE [--validity D] [--json]"},
		Short:       "Ask for a change of contact",
		Long: `Ask for a change of contact of a service you hold a role on. The admin may
change any role; the tech and billing contacts only their own. --role takes
one role or several, comma-separated (tech,billing): several roles going to
the same account are one request, and one request per outgoing contact.

It is refused at once, with nothing stored, when the new contact does not
exist or already holds the role, when you may not change that role, when a
request for that role is already pending, or (billing) when the outgoing or
the incoming contact is behind with payments. Otherwise every party gets a
token by mail, and has --validity (15 days by default) to answer.

--json writes a list of the requests made (one, or one per outgoing
contact), each as 'request show --json' writes it: .[0].id is the number.`,
		Example: `contactdesk request create --as xx11111-ovh --service xara.pt \
  --role tech --to cd67890-ovh
contactdesk request create --as xx11111-ovh --service pn-104233 \
  --role admin,billing --to zz33333-ovh --validity 48h`,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "service", "role", "to"); err != nil {
				return err
			}
			rs, err := model.ParseRoles(roles)
			if err != nil {
				return misuseErr(cmd, "--role", err)
			}
			o.Roles = rs
			if runF != nil {
				return runF(o)
			}
			return requestCreate(o)
		},
	}
	asFlag(a, cmd, &o.As)
	jsonFlag(cmd, &o.JSON)
	f := cmd.Flags()
	f.StringVar(&o.Service, "service", "", "the service's NAME")
	f.Var(&rolesValue{&roles}, "role", "the ROLE to change: admin, tech, billing, or several (tech,billing, or --role again)")
	f.StringVar(&o.To, "to", "", "the new contact's HANDLE")
	f.Var(newDuration(&o.Validity, model.DefaultValidity, model.MinValidity, model.MaxValidity), "validity", "how long the parties have to answer: D such as 15d, 48h, 90s")
	cmd.RegisterFlagCompletionFunc("service", a.completeServices)
	cmd.RegisterFlagCompletionFunc("to", a.completeHandles)
	cmd.RegisterFlagCompletionFunc("role", cobra.FixedCompletions(roleCompletions(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func requestCreate(o *requestCreateOptions) error {
	a := o.a
	d, h, err := a.deskAs(o.As)
	if err != nil {
		return err
	}
	rs, err := d.CreateRequest(a.ctx, h, model.NewRequest{Service: o.Service, Roles: o.Roles, To: o.To, Validity: o.Validity})
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, mapJSON(rs, requestOut))
	}
	a.settle()
	for _, r := range rs {
		line, err := a.created(d, r)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.out, line)
	}
	// A token that was not delivered leaves the request created, and
	// waiting: its party asks for a fresh one once its address is right.
	// The command did what it was asked, and exits 0 (the README's exit
	// status 1 is for a refusal that changed nothing).
	return nil
}

// created is the success line of a request created: who must confirm,
// and what became of each one's token mail. When they all went the same
// way (all mailed, all queued), it says so once; otherwise party by
// party, with the server's answer for a mail it refused.
func (a *app) created(d *model.Desk, r model.Request) (string, error) {
	args := locale.Args{"ID": r.ID, "Roles": model.RoleWords(r.Roles), "Service": r.Service, "From": r.From, "To": r.To}
	awaited := r.Awaited()
	states := make([]mailState, len(awaited))
	whys := make([]string, len(awaited))
	same := true
	for i, h := range awaited {
		m, ok, err := d.TokenMail(a.ctx, h, r.ID)
		if err != nil {
			return "", err
		}
		if ok {
			states[i], whys[i] = stateOf(m), a.answerFor(m)
		}
		same = same && states[i] == states[0]
	}
	if len(awaited) > 0 && same && states[0] != undelivered {
		args["Awaited"], args["Tokens"] = handleList(a.l, awaited), locale.M("cli.request.tokens_mailed")
		if states[0] == queued {
			args["Tokens"] = locale.M("cli.request.tokens_queued")
		}
		return a.T("cli.request.created", args), nil
	}
	each := make([]any, len(awaited))
	for i, h := range awaited {
		pa := locale.Args{"Handle": h, "Why": text.Line(whys[i])}
		switch states[i] {
		case queued:
			each[i] = a.T("cli.request.party.queued", pa)
		case undelivered:
			each[i] = a.T("cli.request.party.undelivered", pa)
		default:
			each[i] = a.T("cli.request.party.mailed", pa)
		}
	}
	args["Awaited"] = a.l.List(each...)
	return a.T("cli.request.created_each", args), nil
}

type requestListOptions struct {
	a    *app
	As   string
	JSON bool
}

func newCmdRequestList(a *app, runF func(*requestListOptions) error) *cobra.Command {
	o := &requestListOptions{a: a}
	cmd := &cobra.Command{
		Use:         "list",
		Annotations: map[string]string{usageFlags: "--as HANDLE [--json]"},
		Short:       "List the requests you are a party to",
		Long: `List the requests the account is a party to, newest first, with their state
and the parties still awaited ("YOU" when it is your answer).`,
		Example: `contactdesk request list --as xx11111-ovh
contactdesk request list --as xx11111-ovh --json |
  jq '.[] | select(.state == "validatingByCustomers") | .id'`,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return requestList(o)
		},
	}
	asFlag(a, cmd, &o.As)
	jsonFlag(cmd, &o.JSON)
	return cmd
}

func requestList(o *requestListOptions) error {
	a := o.a
	d, h, err := a.readDeskAs(o.As)
	if err != nil {
		return err
	}
	rs, err := d.Requests(a.ctx, h)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, mapJSON(rs, requestOut))
	}
	rows := make([][]string, 0, len(rs))
	for _, r := range rs {
		awaited := handles(r.Awaited())
		if r.AwaitingMe(h) {
			awaited = a.T("cli.request.you_first", locale.Args{"Awaited": awaited})
		}
		rows = append(rows, []string{fmt.Sprintf("#%d", r.ID), a.l.DateTime(r.Created), r.Service,
			// A column names roles as labels do ("faturação"), not as
			// a sentence does ("contacto de faturação").
			model.RoleList(a.l, r.Roles, func(role model.Role) string { return a.T("cli.role." + string(role)) }),
			string(r.From) + " -> " + string(r.To), a.stateWord(r.State), dash(awaited)})
	}
	a.table([]string{"number", "created", "service", "roles", "from_to", "state", "awaiting"}, rows)
	return nil
}

// requestIDOptions are those of the commands about one request.
type requestIDOptions struct {
	a    *app
	As   string
	JSON bool
	ID   int64
}

// newCmdRequestID makes a command about one request, by its number.
func newCmdRequestID(a *app, o *requestIDOptions, run func() error) *cobra.Command {
	cmd := &cobra.Command{
		Args:                  exactArgs("ID"),
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     a.completeRequests,
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(cmd, args[0])
			if err != nil {
				return err
			}
			o.ID = id
			return run()
		},
	}
	asFlag(a, cmd, &o.As)
	jsonFlag(cmd, &o.JSON)
	return cmd
}

func newCmdRequestShow(a *app, runF func(*requestIDOptions) error) *cobra.Command {
	o := &requestIDOptions{a: a}
	cmd := newCmdRequestID(a, o, func() error {
		if runF != nil {
			return runF(o)
		}
		return requestShow(o)
	})
	cmd.Use = "show ID"
	cmd.Annotations = map[string]string{usageFlags: "--as HANDLE [--json]"}
	cmd.Short = "Show one request"
	cmd.Long = `Show one request you are a party to: the change, its state, when it expires
or ended and why, and each party's answer.`
	cmd.Example = `contactdesk request show 8 --as xx11111-ovh
contactdesk request show '#8' --as gh13579-ovh --json`
	return cmd
}

func requestShow(o *requestIDOptions) error {
	a := o.a
	d, h, err := a.readDeskAs(o.As)
	if err != nil {
		return err
	}
	r, err := d.Request(a.ctx, h, o.ID)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, requestOut(r))
	}
	a.describe(a.out, r)
	return nil
}

type requestAnswerOptions struct {
	requestIDOptions
	Accept bool
	Token  string
}

// newCmdRequestAnswer makes request accept (accept) or request refuse.
func newCmdRequestAnswer(a *app, accept bool, runF func(*requestAnswerOptions) error) *cobra.Command {
	o := &requestAnswerOptions{requestIDOptions: requestIDOptions{a: a}, Accept: accept}
	var cmd *cobra.Command
	cmd = newCmdRequestID(a, &o.requestIDOptions, func() error {
		if err := required(cmd, "token"); err != nil {
			return err
		}
		if runF != nil {
			return runF(o)
		}
		return requestAnswer(o)
	})
	cmd.ValidArgsFunction = a.completeRequestsWhere(awaitingMe)
	tokenFlag(a, cmd, &o.Token, "your TOKEN from the mail (- reads it from stdin, out of ps and the shell's history)")
	if accept {
		cmd.Use = "accept ID"
		cmd.Annotations = map[string]string{usageFlags: "--as HANDLE --token TOKEN [--json]"}
		cmd.Short = "Accept a request with your token"
		cmd.Long = `Accept a request with the token of your mail (case and dashes don't
matter). When you are the last party to accept, the change is made at once,
after checking again that it still holds; every party is told by mail.
A wrong, used, expired or someone else's token changes nothing, and after
five wrong tries within 15 minutes the request stops taking your tokens for
15 minutes.

It exits 0 once your answer is recorded; what came of the request is its
state (the line printed, or state in --json): done, still waiting for
others, or refused when the last check fails (the billing contact has
unpaid bills by then, say).`
		cmd.Example = `contactdesk request accept 8 --as xx11111-ovh --token 7K3Q-9XWM-4HBT-…
contactdesk mail show 28 --as xx11111-ovh --json | jq -r .token |
  contactdesk request accept 8 --as xx11111-ovh --token -`
	} else {
		cmd.Use = "refuse ID"
		cmd.Annotations = map[string]string{usageFlags: "--as HANDLE --token TOKEN [--json]"}
		cmd.Short = "Refuse a request with your token"
		cmd.Long = `Refuse a request with the token of your mail: it ends refused at once, and
every party is told by mail.`
		cmd.Example = `contactdesk request refuse 6 --as xx11111-ovh --token 7K3Q-9XWM-4HBT-…
contactdesk mail show 25 --as xx11111-ovh --json | jq -r .token |
  contactdesk request refuse 6 --as xx11111-ovh --token -`
	}
	return cmd
}

func requestAnswer(o *requestAnswerOptions) error {
	a := o.a
	d, h, err := a.deskAs(o.As)
	if err != nil {
		return err
	}
	var r model.Request
	if o.Accept {
		r, err = d.Accept(a.ctx, h, o.ID, o.Token)
	} else {
		r, err = d.Refuse(a.ctx, h, o.ID, o.Token)
	}
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, requestOut(r))
	}
	args := locale.Args{"ID": r.ID, "To": r.To, "Roles": model.RoleWords(r.Roles), "Service": r.Service, "Handle": h,
		"Awaited": handleList(a.l, r.Awaited()), "State": r.State, "Reason": model.ReasonOf(r)}
	switch r.State {
	case model.StateDone:
		fmt.Fprintln(a.out, a.T("cli.request.done", args))
	case model.StateValidating:
		fmt.Fprintln(a.out, a.T("cli.request.accepted", args))
	default:
		fmt.Fprintln(a.out, a.T("cli.request.ended", args))
	}
	return nil
}

func newCmdRequestResend(a *app, runF func(*requestIDOptions) error) *cobra.Command {
	o := &requestIDOptions{a: a}
	cmd := newCmdRequestID(a, o, func() error {
		if runF != nil {
			return runF(o)
		}
		return requestResend(o)
	})
	cmd.ValidArgsFunction = a.completeRequestsWhere(awaitingMe)
	cmd.Use = "resend ID"
	cmd.Annotations = map[string]string{usageFlags: "--as HANDLE [--json]"}
	cmd.Short = "Mail yourself a fresh token (the old one stops working)"
	cmd.Long = `Mail yourself a fresh token for a request still waiting for your answer, to
the address your profile has now (correct it first with 'contactdesk profile
set-email' if the mail went astray). The token sent before stops working.`
	cmd.Example = `contactdesk request resend 5 --as xx11111-ovh`
	return cmd
}

func requestResend(o *requestIDOptions) error {
	a := o.a
	d, h, err := a.deskAs(o.As)
	if err != nil {
		return err
	}
	m, err := d.Resend(a.ctx, h, o.ID)
	if err != nil {
		return err
	}
	a.settle()
	if m, err = d.Mail(a.ctx, h, m.ID); err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, mailOut(m))
	}
	args := locale.Args{"ID": o.ID, "Address": m.Address, "Why": text.Line(a.answerFor(m))}
	switch stateOf(m) {
	case queued:
		fmt.Fprintln(a.out, a.T("cli.request.resent_queued", args))
	case undelivered:
		// Exit 0 all the same: the resend was made (see requestCreate).
		fmt.Fprintln(a.out, a.T("cli.request.resent_undelivered", args))
	default:
		fmt.Fprintln(a.out, a.T("cli.request.resent", args))
	}
	return nil
}

func newCmdRequestCancel(a *app, runF func(*requestIDOptions) error) *cobra.Command {
	o := &requestIDOptions{a: a}
	cmd := newCmdRequestID(a, o, func() error {
		if runF != nil {
			return runF(o)
		}
		return requestCancel(o)
	})
	cmd.ValidArgsFunction = a.completeRequestsWhere(cancellable)
	cmd.Use = "cancel ID"
	cmd.Annotations = map[string]string{usageFlags: "--as HANDLE [--json]"}
	cmd.Short = "Withdraw a request you made"
	cmd.Long = `Withdraw a request you made, while it still waits for answers. Every party
is told by mail.`
	cmd.Example = `contactdesk request cancel 8 --as xx11111-ovh`
	return cmd
}

func requestCancel(o *requestIDOptions) error {
	a := o.a
	d, h, err := a.deskAs(o.As)
	if err != nil {
		return err
	}
	r, err := d.Cancel(a.ctx, h, o.ID)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, requestOut(r))
	}
	// Every party is told by a mail of its own: what became of each.
	a.settle()
	var unsent []model.Handle
	waits := false
	for _, p := range r.Parties {
		m, ok, err := d.MailAbout(a.ctx, p.Handle, r.ID, model.MailOutcome)
		if err != nil {
			return err
		}
		switch {
		case ok && stateOf(m) == undelivered:
			unsent = append(unsent, p.Handle)
		case ok && stateOf(m) == queued:
			waits = true
		}
	}
	switch {
	case len(unsent) > 0:
		fmt.Fprintln(a.out, a.T("cli.request.cancelled_undelivered", locale.Args{"ID": r.ID, "Handles": handles(unsent)}))
	case waits:
		fmt.Fprintln(a.out, a.T("cli.request.cancelled_queued", locale.Args{"ID": r.ID}))
	default:
		fmt.Fprintln(a.out, a.T("cli.request.cancelled", locale.Args{"ID": r.ID}))
	}
	return nil
}
