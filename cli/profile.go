package cli

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
)

func newCmdProfile(a *app) *cobra.Command {
	return group("profile", "Your own account: its e-mail address and its language",
		`The account's own settings. Each account changes only its own. A new
e-mail address is used once it is proven: set-email mails a personal
token to it, and confirm-email with that token makes the change
(refuse-email, with the same token, ends it).`,
		`contactdesk profile set-email ana@new.example --as ab12345-ovh
contactdesk profile confirm-email --token 7K3Q-9XWM-… --as ab12345-ovh
contactdesk profile set-lang pt --as ab12345-ovh`,
		newCmdProfileSetEmail(a, nil),
		newCmdProfileConfirmEmail(a, nil),
		newCmdProfileRefuseEmail(a, nil),
		newCmdProfileSetLang(a, nil),
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
		Short:       "Ask to use a new e-mail address (a token is mailed to it)",
		Long: `Ask to use a new e-mail address. Nothing changes yet: a personal,
single-use token is mailed to the new address, and the change is made when
that token comes back ('contactdesk profile confirm-email', or the app's
Profile). Until then mail keeps going to the address the account has, so
nobody can point an account's mail at an inbox that is not its own. A
second set-email replaces the first (its token stops working); at most 3
an hour. Once the new address is in use, a mail sent before to a wrong
address can be sent again: 'contactdesk request resend ID'.`,
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

// profileJSON is an account as its owner sees it, with the change of
// address waiting for its token.
type profileJSON struct {
	accountJSON
	PendingEmail   string `json:"pending_email"`
	PendingExpires string `json:"pending_expires"`
}

func profileSetEmail(o *profileSetEmailOptions) error {
	a := o.a
	d, h, err := a.deskAs(o.As)
	if err != nil {
		return err
	}
	c, err := d.AskEmailChange(a.ctx, h, o.Email)
	if err != nil {
		return err
	}
	acc, err := d.Account(a.ctx, h)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, profileJSON{accountOut(acc), c.Email, rfc(c.Expires)})
	}
	// The token went to the new address, in a mail of its own: what
	// became of it.
	a.settle()
	ms, err := d.Mails(a.ctx, h)
	if err != nil {
		return err
	}
	id, why := "cli.profile.token_mailed", ""
	if i := slices.IndexFunc(ms, func(m model.Mail) bool { return m.Kind == model.MailEmailConfirm }); i >= 0 {
		switch stateOf(ms[i]) {
		case queued:
			id = "cli.profile.token_queued"
		case undelivered:
			// Exit 0: the change was asked for (see requestCreate).
			id, why = "cli.profile.token_undelivered", ms[i].DeliveryError
		}
	}
	fmt.Fprintln(a.out, a.T(id, locale.Args{"New": c.Email, "Handle": acc.Handle, "Email": acc.Email, "Why": text.Line(why)}))
	return nil
}

type profileConfirmEmailOptions struct {
	a      *app
	As     string
	JSON   bool
	Token  string
	Refuse bool // refuse-email: end the change instead
}

func newCmdProfileConfirmEmail(a *app, runF func(*profileConfirmEmailOptions) error) *cobra.Command {
	return newCmdProfileAnswerEmail(a, &profileConfirmEmailOptions{a: a}, runF, &cobra.Command{
		Use:   "confirm-email",
		Short: "Start using the new e-mail address, with the token mailed to it",
		Long: `Make the change of e-mail address asked for with 'profile set-email', with
the token mailed to the new address. The old address is told of the change.
Wrong tokens are counted: after 5 within 15 minutes, tries are paused for 15
minutes. A change not confirmed within 15 days lapses.`,
		Example: `contactdesk profile confirm-email --token 7K3Q-9XWM-… --as ab12345-ovh`,
	})
}

func newCmdProfileRefuseEmail(a *app, runF func(*profileConfirmEmailOptions) error) *cobra.Command {
	return newCmdProfileAnswerEmail(a, &profileConfirmEmailOptions{a: a, Refuse: true}, runF, &cobra.Command{
		Use:   "refuse-email",
		Short: "End a change of e-mail address, with the token mailed to the new address",
		Long: `End the change of e-mail address asked for with 'profile set-email', with
the token mailed to the new address: its reader did not ask for it, or it is
no longer wanted. The account keeps its address and is told there. Wrong
tokens are counted as confirm-email's are.`,
		Example: `contactdesk profile refuse-email --token 7K3Q-9XWM-… --as ab12345-ovh`,
	})
}

// newCmdProfileAnswerEmail completes cmd, confirm-email or refuse-email:
// their flags and how they run.
func newCmdProfileAnswerEmail(a *app, o *profileConfirmEmailOptions, runF func(*profileConfirmEmailOptions) error, cmd *cobra.Command) *cobra.Command {
	cmd.Annotations = map[string]string{usageFlags: "--token TOKEN --as HANDLE [--json]"}
	cmd.Args = exactArgs()
	cmd.DisableFlagsInUseLine = true
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := required(cmd, "token"); err != nil {
			return err
		}
		if runF != nil {
			return runF(o)
		}
		return profileConfirmEmail(o)
	}
	asFlag(a, cmd, &o.As)
	jsonFlag(cmd, &o.JSON)
	tokenFlag(a, cmd, &o.Token, "the TOKEN mailed to the new address (- reads it from stdin, out of ps and the shell's history)")
	return cmd
}

func profileConfirmEmail(o *profileConfirmEmailOptions) error {
	a := o.a
	d, h, err := a.deskAs(o.As)
	if err != nil {
		return err
	}
	if o.Refuse {
		// what was refused, for the message: the change the token ends
		c, _, err := d.PendingEmail(a.ctx, h)
		if err != nil {
			return err
		}
		acc, err := d.RefuseEmail(a.ctx, h, o.Token)
		if err != nil {
			return err
		}
		if o.JSON {
			return writeJSON(a.stdout, accountOut(acc))
		}
		fmt.Fprintln(a.out, a.T("cli.profile.email_refused", locale.Args{"Handle": acc.Handle, "New": c.Email, "Email": acc.Email}))
		return nil
	}
	acc, err := d.ConfirmEmail(a.ctx, h, o.Token)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, accountOut(acc))
	}
	fmt.Fprintln(a.out, a.T("cli.profile.email_changed", locale.Args{"Handle": acc.Handle, "Email": acc.Email}))
	return nil
}

type profileSetLangOptions struct {
	a    *app
	As   string
	JSON bool
	Lang string
}

func newCmdProfileSetLang(a *app, runF func(*profileSetLangOptions) error) *cobra.Command {
	o := &profileSetLangOptions{a: a}
	cmd := &cobra.Command{
		Use:         "set-lang LANG",
		Annotations: map[string]string{usageFlags: "--as HANDLE [--json]"},
		Short:       "Choose the language your screens and mails are written in",
		Long: `Choose the language the account is addressed in: pt (European
Portuguese), en (English) or fr (French). Its screens change at once, and
the mails written to it from then on are in that language.`,
		Example:               `contactdesk profile set-lang pt --as ab12345-ovh`,
		Args:                  exactArgs("LANG"),
		DisableFlagsInUseLine: true,
		ValidArgs:             langNames(),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := (langValue{&o.Lang}).Set(args[0]); err != nil {
				return misuse(cmd, "unknown_lang", locale.Args{"Value": locale.Quoted(strconv.Quote(args[0])), "Langs": langList()})
			}
			if runF != nil {
				return runF(o)
			}
			return profileSetLang(o)
		},
	}
	asFlag(a, cmd, &o.As)
	jsonFlag(cmd, &o.JSON)
	return cmd
}

func profileSetLang(o *profileSetLangOptions) error {
	a := o.a
	d, h, err := a.deskAs(o.As)
	if err != nil {
		return err
	}
	acc, err := d.SetLang(a.ctx, h, o.Lang)
	if err != nil {
		return err
	}
	if o.JSON {
		return writeJSON(a.stdout, accountOut(acc))
	}
	// said in the output's language, naming the new one in its own words
	fmt.Fprintln(a.out, a.T("cli.profile.lang_set", locale.Args{"Handle": acc.Handle, "Lang": locale.M("word.lang." + string(acc.Lang))}))
	return nil
}
