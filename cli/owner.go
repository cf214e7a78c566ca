package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
)

func newCmdOwner(a *app) *cobra.Command {
	return group("owner", "A domain's owner details: holder, address, phone, e-mail",
		`A domain has owner details: the holder's name, postal address, phone and
e-mail. Its contacts see them; only its admin changes them.`,
		`contactdesk owner show xara.pt --as xx11111-ovh
contactdesk owner set xara.pt --as xx11111-ovh \
  --phone "+351 210 000 000"`,
		newCmdOwnerShow(a, nil),
		newCmdOwnerSet(a, nil),
	)
}

type ownerShowOptions struct {
	a       *app
	As      string
	JSON    bool
	Service string
}

func newCmdOwnerShow(a *app, runF func(*ownerShowOptions) error) *cobra.Command {
	o := &ownerShowOptions{a: a}
	cmd := &cobra.Command{
		Use:                   "show SERVICE",
		Annotations:           map[string]string{usageFlags: "--as HANDLE [--json]"},
		Short:                 "Show a domain's owner details",
		Long:                  `Show the owner details of a domain you hold a role on.`,
		Example:               `contactdesk owner show xara.pt --as xx11111-ovh`,
		Args:                  exactArgs("SERVICE"),
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     a.completeServiceArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Service = args[0]
			if runF != nil {
				return runF(o)
			}
			return ownerShow(o)
		},
	}
	asFlag(a, cmd, &o.As)
	jsonFlag(cmd, &o.JSON)
	return cmd
}

func ownerShow(o *ownerShowOptions) error {
	a := o.a
	d, h, err := a.readDeskAs(o.As)
	if err != nil {
		return err
	}
	s, err := d.Owner(a.ctx, h, o.Service)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, ownerOut(s))
	}
	a.printOwner(a.out, s)
	return nil
}

type ownerSetOptions struct {
	a       *app
	As      string
	JSON    bool
	Service string
	Change  model.OwnerChange // nil fields: left as they are
}

func newCmdOwnerSet(a *app, runF func(*ownerSetOptions) error) *cobra.Command {
	o := &ownerSetOptions{a: a}
	var holder, address, phone, email string
	cmd := &cobra.Command{
		Use:         "set SERVICE",
		Annotations: map[string]string{usageFlags: "--as HANDLE [--holder NAME] [--address ADDRESS] [--phone PHONE] [--email ADDRESS] [--json]"},
		Short:       "Change a domain's owner details (its admin only)",
		Long: `Change the owner details of a domain you are the admin of: the fields given,
and only those (an empty value clears the address or the phone; a domain
always has a holder and an e-mail address).`,
		Example: `contactdesk owner set xara.pt --as xx11111-ovh \
  --address "Rua das Flores 1, 1200-001 Lisboa" \
  --phone "+351 210 000 000"
contactdesk owner set xara.pt --as xx11111-ovh --phone ""`,
		Args:                  exactArgs("SERVICE"),
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     a.completeServiceArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Service = args[0]
			given := func(name string, v *string) *string {
				if cmd.Flags().Changed(name) {
					return v
				}
				return nil
			}
			o.Change = model.OwnerChange{Holder: given("holder", &holder), Address: given("address", &address),
				Phone: given("phone", &phone), Email: given("email", &email)}
			if o.Change == (model.OwnerChange{}) {
				return misuse(cmd, "owner_nothing")
			}
			if runF != nil {
				return runF(o)
			}
			return ownerSet(o)
		},
	}
	asFlag(a, cmd, &o.As)
	jsonFlag(cmd, &o.JSON)
	f := cmd.Flags()
	f.StringVar(&holder, "holder", "", "the holder's NAME")
	f.StringVar(&address, "address", "", "the postal ADDRESS")
	f.StringVar(&phone, "phone", "", "the PHONE number")
	f.StringVar(&email, "email", "", "the e-mail ADDRESS")
	return cmd
}

func ownerSet(o *ownerSetOptions) error {
	a := o.a
	d, h, err := a.deskAs(o.As)
	if err != nil {
		return err
	}
	s, err := d.SetOwner(a.ctx, h, o.Service, o.Change)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, ownerOut(s))
	}
	a.printOwner(a.out, s)
	return nil
}

func ownerOut(s model.Service) ownerJSON {
	return ownerJSON{Service: s.Name, Admin: string(s.Admin), Holder: s.Owner.Holder, Address: s.Owner.Address, Phone: s.Owner.Phone, Email: s.Owner.Email}
}

func (a *app) printOwner(w io.Writer, s model.Service) {
	fmt.Fprintln(w, a.T("cli.owner.head", locale.Args{"Service": s.Name, "Admin": s.Admin}))
	label := a.labels("cli.owner.label.", "holder", "address", "phone", "email")
	fmt.Fprintf(w, "  %s%s\n  %s%s\n  %s%s\n  %s%s\n", label("holder"), text.Line(s.Owner.Holder), label("address"), dash(text.Line(s.Owner.Address)),
		label("phone"), dash(text.Line(s.Owner.Phone)), label("email"), dash(text.Line(s.Owner.Email)))
}
