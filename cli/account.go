package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"contactdesk/locale"
	"contactdesk/model"
)

func newCmdAccount(a *app) *cobra.Command {
	return group("account", "Open accounts, record their billing standing, list them",
		`The accounts of the desk: customers, each known by its NIC handle
(xx11111-ovh), with a name, an e-mail address and a billing standing.
These are support staff's commands: they act as nobody (no --as).`,
		`contactdesk account add ab24680-ovh --name "Ana Brito" \
  --email ana@example.pt
contactdesk account set-standing ab24680-ovh --owes 42.50
contactdesk account list --json`,
		newCmdAccountAdd(a, nil),
		newCmdAccountSetStanding(a, nil),
		newCmdAccountList(a, nil),
	)
}

type accountAddOptions struct {
	a      *app
	Handle string
	Name   string
	Email  string
	Owes   model.Cents
	Lang   string
}

func newCmdAccountAdd(a *app, runF func(*accountAddOptions) error) *cobra.Command {
	o := &accountAddOptions{a: a}
	cmd := &cobra.Command{
		Use:         "add HANDLE",
		Annotations: map[string]string{usageFlags: "--name NAME --email ADDRESS [--owes AMOUNT] [--lang LANG]"},
		Short:       "Open an account",
		Long: `Open an account: its NIC handle (two letters, digits, -ovh), the name of the
person or company, and the e-mail address its tokens are mailed to. With
--owes it starts behind with payments, which stops billing changes that
involve it. --lang is the language its screens and mails are written in:
pt (European Portuguese), en or fr; without it, the desk's default-lang
('contactdesk config set default-lang pt'), else en.`,
		Example: `contactdesk account add ab24680-ovh --name "Ana Brito" \
  --email ana@example.pt
contactdesk account add cd13579-ovh --name "Carla Dias" \
  --email carla@example.pt --owes 12.50 --lang pt`,
		Args:                  exactArgs("HANDLE"),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Handle = args[0]
			if err := required(cmd, "name", "email"); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return accountAdd(o)
		},
	}
	cmd.Flags().StringVar(&o.Name, "name", "", "the account's NAME")
	cmd.Flags().StringVar(&o.Email, "email", "", "its e-mail ADDRESS")
	cmd.Flags().Var(amountValue{&o.Owes}, "owes", "the AMOUNT it owes (default: nothing, up to date)")
	cmd.Flags().Var(langValue{&o.Lang}, "lang", "the LANGuage it is addressed in: "+langList()+" (default: the desk's default-lang, else "+string(model.DefaultLang)+")")
	cmd.RegisterFlagCompletionFunc("lang", cobra.FixedCompletions(langNames(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func accountAdd(o *accountAddOptions) error {
	a := o.a
	d, err := a.open(false)
	if err != nil {
		return err
	}
	acc, err := d.AddAccount(a.ctx, model.NewAccount{Handle: o.Handle, Name: o.Name, Email: o.Email, Owes: o.Owes, Lang: o.Lang})
	if err != nil {
		return err
	}
	args := locale.Args{"Handle": acc.Handle, "Name": acc.Name, "Email": acc.Email, "Amount": locale.Amount(acc.Owes)}
	if acc.Owes > 0 {
		fmt.Fprintln(a.out, a.T("cli.account.added_owes", args))
	} else {
		fmt.Fprintln(a.out, a.T("cli.account.added", args))
	}
	return nil
}

type accountSetStandingOptions struct {
	a      *app
	Handle string
	Owes   model.Cents // 0 with --paid
}

func newCmdAccountSetStanding(a *app, runF func(*accountSetStandingOptions) error) *cobra.Command {
	o := &accountSetStandingOptions{a: a}
	var paid bool
	cmd := &cobra.Command{
		Use:         "set-standing HANDLE",
		Annotations: map[string]string{usageFlags: "(--paid | --owes AMOUNT)"},
		Short:       "Record an account's billing standing",
		Long: `Record whether an account is up to date with its payments (--paid) or how
much it owes (--owes). An account that owes money can neither hand over nor
take a billing role; the refusal names it, and never says how much.`,
		Example: `contactdesk account set-standing ab12345-ovh --owes 42.50
contactdesk account set-standing ab12345-ovh --paid`,
		Args:                  exactArgs("HANDLE"),
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     a.completeHandleArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			if paid == cmd.Flags().Changed("owes") {
				return misuse(cmd, "either_paid_owes")
			}
			o.Handle = args[0]
			if runF != nil {
				return runF(o)
			}
			return accountSetStanding(o)
		},
	}
	cmd.Flags().BoolVar(&paid, "paid", false, "payments are up to date")
	cmd.Flags().Var(amountValue{&o.Owes}, "owes", "the AMOUNT it owes")
	return cmd
}

func accountSetStanding(o *accountSetStandingOptions) error {
	a := o.a
	d, h, err := a.deskFor(o.Handle)
	if err != nil {
		return err
	}
	acc, err := d.SetStanding(a.ctx, h, o.Owes)
	if err != nil {
		return err
	}
	args := locale.Args{"Handle": acc.Handle, "Amount": locale.Amount(acc.Owes)}
	if acc.Owes > 0 {
		fmt.Fprintln(a.out, a.T("cli.account.owes", args))
	} else {
		fmt.Fprintln(a.out, a.T("cli.account.up_to_date", args))
	}
	return nil
}

type accountListOptions struct {
	a    *app
	JSON bool
}

func newCmdAccountList(a *app, runF func(*accountListOptions) error) *cobra.Command {
	o := &accountListOptions{a: a}
	cmd := &cobra.Command{
		Use:         "list",
		Annotations: map[string]string{usageFlags: "[--json]"},
		Short:       "List the accounts",
		Long: `List every account: handle, name, e-mail address, and whether it is up to
date with payments or how much it owes (which only support staff see).`,
		Example: `contactdesk account list
contactdesk account list --json |
  jq -r '.[] | select(.owes > 0) | .handle'`,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return accountList(o)
		},
	}
	jsonFlag(cmd, &o.JSON)
	return cmd
}

func accountList(o *accountListOptions) error {
	a := o.a
	d, err := a.openRead()
	if err != nil {
		return err
	}
	as, err := d.Accounts(a.ctx)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, mapJSON(as, accountOut))
	}
	rows := make([][]string, 0, len(as))
	for _, acc := range as {
		owes := a.T("tui.picker.up_to_date")
		if acc.Owes > 0 {
			owes = a.T("tui.picker.owes", locale.Args{"Amount": locale.Amount(acc.Owes)})
		}
		rows = append(rows, []string{string(acc.Handle), acc.Name, acc.Email, owes, string(acc.Lang)})
	}
	a.table([]string{"handle", "name", "email", "payments", "lang"}, rows)
	return nil
}
