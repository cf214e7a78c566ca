package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newCmdProfile(a *app) *cobra.Command {
	return group("profile", "Your own account: its e-mail address",
		`The account's own settings. Each account changes only its own.`,
		`contactdesk profile set-email ana@new.example --as ab12345-ovh`,
		newCmdProfileSetEmail(a, nil),
	)
}

type profileSetEmailOptions struct {
	a     *app
	As    string
	JSON  bool
	Email string
}

func newCmdProfileSetEmail(a *app, runF func(*profileSetEmailOptions) error) *cobra.Command {
	o := &profileSetEmailOptions{a: a}
	cmd := &cobra.Command{
		Use:         "set-email EMAIL",
		Annotations: map[string]string{usageFlags: "--as HANDLE [--json]"},
		Short:       "Change the e-mail address of your profile",
		Long: `Change the e-mail address the account's mails go to. A mail sent before to a
wrong address can then be sent again: 'contactdesk request resend ID'.`,
		Example:               `contactdesk profile set-email ana@new.example --as ab12345-ovh`,
		Args:                  exactArgs("EMAIL"),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Email = args[0]
			if runF != nil {
				return runF(o)
			}
			return profileSetEmail(o)
		},
	}
	asFlag(a, cmd, &o.As)
	jsonFlag(cmd, &o.JSON)
	return cmd
}

func profileSetEmail(o *profileSetEmailOptions) error {
	a := o.a
	d, h, err := a.deskAs(o.As)
	if err != nil {
		return err
	}
	acc, err := d.SetEmail(a.ctx, h, o.Email)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, accountOut(acc))
	}
	fmt.Fprintf(a.out, "the e-mail address of %s is now %s\n", acc.Handle, acc.Email)
	return nil
}
