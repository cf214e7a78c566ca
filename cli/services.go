package cli

import (
	"github.com/spf13/cobra"

	"contactdesk/model"
)

type servicesOptions struct {
	a    *app
	As   string
	JSON bool
}

func newCmdServices(a *app, runF func(*servicesOptions) error) *cobra.Command {
	o := &servicesOptions{a: a}
	cmd := &cobra.Command{
		Use:         "services",
		Annotations: map[string]string{usageFlags: "--as HANDLE [--json]"},
		Short:       "List the services where you hold a role",
		Long: `List the services where the account holds any role, with their admin, tech
and billing contacts; "pending" marks a service with a change of contact
waiting for confirmation. A service where the account holds no role is not
listed.`,
		Example: `contactdesk services --as xx11111-ovh
contactdesk services --as xx11111-ovh --json |
  jq -r '.[] | select(.pending) | .name'`,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return services(o)
		},
	}
	asFlag(a, cmd, &o.As)
	jsonFlag(cmd, &o.JSON)
	return cmd
}

func services(o *servicesOptions) error {
	a := o.a
	d, h, err := a.readDeskAs(o.As)
	if err != nil {
		return err
	}
	ss, err := d.Services(a.ctx, h)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, mapJSON(ss, func(s model.ServiceView) serviceJSON {
			return serviceJSON{Name: s.Name, Type: s.Type, Admin: string(s.Admin), Tech: string(s.Tech), Billing: string(s.Billing),
				Pending: s.Pending, Roles: roleStrings(s.RolesOf(h))}
		}))
	}
	rows := make([][]string, 0, len(ss))
	for _, s := range ss {
		mark := ""
		if s.Pending {
			mark = a.T("cli.services.pending")
		}
		rows = append(rows, []string{s.Name, model.ServiceType(s.Type).In(a.l), string(s.Admin), string(s.Tech), string(s.Billing), mark})
	}
	a.table([]string{"service", "type", "admin", "tech", "billing", "request"}, rows)
	return nil
}
