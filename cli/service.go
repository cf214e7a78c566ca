package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"contactdesk/locale"
	"contactdesk/model"
)

func newCmdService(a *app) *cobra.Command {
	return group("service", "Add services with their three contacts",
		`The services customers rent: domains, web hosting, VPS, dedicated servers,
e-mail plans, cloud projects… Each has one admin, one tech and one billing
contact. Adding one is support staff's: it acts as nobody (no --as).`,
		`contactdesk service add example.pt --type domain --admin ab12345-ovh \
  --tech ab12345-ovh --billing cd67890-ovh`,
		newCmdServiceAdd(a, nil),
	)
}

type serviceAddOptions struct {
	a                    *app
	Name, Type           string
	Admin, Tech, Billing string
}

func newCmdServiceAdd(a *app, runF func(*serviceAddOptions) error) *cobra.Command {
	o := &serviceAddOptions{a: a}
	cmd := &cobra.Command{
		Use:         "add NAME",
		Annotations: map[string]string{usageFlags: "--type TYPE --admin HANDLE --tech HANDLE --billing HANDLE"},
		Short:       "Add a service with its three contacts",
		Long: `Add a service: its name (a domain, a server's name…), its type, and its
admin, tech and billing contacts, accounts that exist already. A domain
starts with its admin as owner ('contactdesk owner set' changes it).

Types: ` + strings.Join(model.ServiceTypes, ", ") + `.`,
		Example: `contactdesk service add example.pt --type domain --admin ab12345-ovh \
  --tech ab12345-ovh --billing cd67890-ovh
contactdesk service add vps-1a2b3c4d.vps.ovh.net --type vps \
  --admin ab12345-ovh --tech ef24680-ovh --billing ab12345-ovh`,
		Args:                  exactArgs("NAME"),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			if err := required(cmd, "type", "admin", "tech", "billing"); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return serviceAdd(o)
		},
	}
	f := cmd.Flags()
	f.Var(typeValue{&o.Type}, "type", "the service TYPE: "+strings.Join(model.ServiceTypes, ", "))
	f.StringVar(&o.Admin, "admin", "", "the admin contact's HANDLE")
	f.StringVar(&o.Tech, "tech", "", "the tech contact's HANDLE")
	f.StringVar(&o.Billing, "billing", "", "the billing contact's HANDLE")
	cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(model.ServiceTypes, cobra.ShellCompDirectiveNoFileComp))
	for _, n := range []string{"admin", "tech", "billing"} {
		cmd.RegisterFlagCompletionFunc(n, a.completeHandles)
	}
	return cmd
}

func serviceAdd(o *serviceAddOptions) error {
	a := o.a
	d, err := a.open(false)
	if err != nil {
		return err
	}
	s, err := d.AddService(a.ctx, model.NewService{Name: o.Name, Type: o.Type, Admin: o.Admin, Tech: o.Tech, Billing: o.Billing})
	if err != nil {
		return err
	}
	fmt.Fprintln(a.out, a.T("cli.service.added", locale.Args{"Type": model.ServiceType(s.Type), "Service": s.Name, "Admin": s.Admin, "Tech": s.Tech, "Billing": s.Billing}))
	return nil
}
