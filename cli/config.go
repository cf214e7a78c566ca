package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"contactdesk/locale"
	"contactdesk/model"
)

func newCmdConfig(a *app) *cobra.Command {
	return group("config", "The desk's settings: its public URL, its SSH address, real mail, its language",
		`The settings of the desk, kept in its database so that every process that
writes mail — the command line, the app, every serve node, on SQLite or
PostgreSQL — writes the same links and agrees on real delivery:

  public-url     the address of the web page the mails link to (https://…):
                 a confirmation mail's link is then
                 <public-url>/request/<id>?token=<token>
  public-ssh     HOST[:PORT], told in every mail: how to reach the desk
                 over SSH. Its customers have the app alone, so the mails
                 then name no command line; unset, the simulated
                 mailbox's mails offer the commands (request accept …)
  mail-delivery  smtp: mail is delivered for real, and the desk keeps no
                 usable token; none: the simulated mailbox. A run with
                 --smtp that writes (serve too) sets it to smtp; one that
                 only reads leaves it. Turning it on removes the tokens
                 the simulated mailbox holds, never mailed (each mail
                 says how to ask for a fresh one); turning it off takes
                 the mails not sent yet out of the outbox, and shows
                 their tokens again.
  default-lang   pt, en or fr: the language of an account opened without
                 --lang, and of the app's account picker when $LANG names
                 none of them (unset: en)

These are support staff's commands: they act as nobody (no --as).`,
		`contactdesk config set public-url https://desk.example.net
contactdesk config set public-ssh desk.example.net:2222
contactdesk config get public-url
contactdesk config list --json`,
		newCmdConfigSet(a, nil),
		newCmdConfigGet(a, nil),
		newCmdConfigUnset(a, nil),
		newCmdConfigList(a, nil),
	)
}

// settingArg checks a KEY argument: an unknown key is a misuse.
func settingArg(cmd *cobra.Command, key string) (model.SettingKey, error) {
	k, err := model.LookupSetting(key)
	if err != nil {
		return k, misuseErr(cmd, "", err)
	}
	return k, nil
}

// completeSettings offers the keys of the settings.
func completeSettings(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, k := range model.SettingKeys() {
		out = append(out, k.Name+"\t"+k.About)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeSettingValues completes config set's key, then the values of
// the settings that take a few (mail-delivery, default-lang).
func completeSettingValues(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	switch {
	case len(args) == 0:
		return completeSettings(cmd, args, toComplete)
	case len(args) == 1 && args[0] == model.SettingMailDelivery:
		return []string{model.DeliverySMTP, model.DeliveryNone}, cobra.ShellCompDirectiveNoFileComp
	case len(args) == 1 && args[0] == model.SettingDefaultLang:
		var out []string
		for _, l := range locale.Langs {
			out = append(out, string(l)+"\t"+l.Name())
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

type configSetOptions struct {
	a     *app
	Key   string
	Value string
}

func newCmdConfigSet(a *app, runF func(*configSetOptions) error) *cobra.Command {
	o := &configSetOptions{a: a}
	cmd := &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Set one of the desk's settings",
		Long: `Set one of the desk's settings ('contactdesk config list' shows them all).
A value the setting can't take is a misuse (exit 2), and changes nothing.
Every change is recorded in the history, as done by support.`,
		Example: `contactdesk config set public-url https://desk.example.net
contactdesk config set public-ssh desk.example.net:2222
contactdesk config set mail-delivery smtp
contactdesk config set default-lang pt`,
		Args:                  exactArgs("KEY", "VALUE"),
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     completeSettingValues,
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := settingArg(cmd, args[0])
			if err != nil {
				return err
			}
			if strings.TrimSpace(args[1]) == "" {
				return misuse(cmd, "config_value", locale.Args{"Key": k.Name})
			}
			if _, err := k.Check(args[1]); err != nil {
				return misuseErr(cmd, "", err)
			}
			o.Key, o.Value = k.Name, args[1]
			if runF != nil {
				return runF(o)
			}
			return configSet(o)
		},
	}
	return cmd
}

func configSet(o *configSetOptions) error {
	a := o.a
	d, err := a.open(false)
	if err != nil {
		return err
	}
	c, err := d.ChangeSetting(a.ctx, o.Key, o.Value)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.out, a.T("cli.config.set", locale.Args{"Key": o.Key, "Value": c.Value}))
	a.settled(c)
	return nil
}

// settled says what turning real delivery on or off did to the mails.
func (a *app) settled(c model.SettingChange) {
	if c.TokensRemoved > 0 {
		fmt.Fprintln(a.out, a.T("cli.config.tokens_removed", locale.Args{"N": c.TokensRemoved}))
	}
	if c.Withdrawn > 0 {
		fmt.Fprintln(a.out, a.T("cli.config.withdrawn", locale.Args{"N": c.Withdrawn}))
	}
}

type configKeyOptions struct {
	a   *app
	Key string
}

// newCmdConfigKey makes a command about one setting, by its key.
func newCmdConfigKey(a *app, o *configKeyOptions, run func() error) *cobra.Command {
	return &cobra.Command{
		Args:                  exactArgs("KEY"),
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     completeSettings,
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := settingArg(cmd, args[0])
			if err != nil {
				return err
			}
			o.Key = k.Name
			return run()
		},
	}
}

func newCmdConfigGet(a *app, runF func(*configKeyOptions) error) *cobra.Command {
	o := &configKeyOptions{a: a}
	cmd := newCmdConfigKey(a, o, func() error {
		if runF != nil {
			return runF(o)
		}
		return configGet(o)
	})
	cmd.Use = "get KEY"
	cmd.Short = "Print one of the desk's settings"
	cmd.Long = `Print the value of one of the desk's settings, alone on its line, for
scripts. A setting that is not set prints nothing, and exits 0.`
	cmd.Example = `contactdesk config get public-url
url=$(contactdesk config get public-url)`
	return cmd
}

func configGet(o *configKeyOptions) error {
	a := o.a
	d, err := a.openRead()
	if err != nil {
		return err
	}
	s, err := d.Settings(a.ctx)
	if err != nil {
		return err
	}
	if v, ok := s[o.Key]; ok {
		fmt.Fprintln(a.out, v)
	}
	return nil
}

func newCmdConfigUnset(a *app, runF func(*configKeyOptions) error) *cobra.Command {
	o := &configKeyOptions{a: a}
	cmd := newCmdConfigKey(a, o, func() error {
		if runF != nil {
			return runF(o)
		}
		return configUnset(o)
	})
	cmd.Use = "unset KEY"
	cmd.Short = "Remove one of the desk's settings"
	cmd.Long = `Remove one of the desk's settings: without public-url, mails carry the app's
own contactdesk:// links; without public-ssh, they tell no SSH address;
without mail-delivery, the simulated mailbox (until a run with --smtp that
writes).`
	cmd.Example = `contactdesk config unset public-ssh`
	return cmd
}

func configUnset(o *configKeyOptions) error {
	a := o.a
	d, err := a.open(false)
	if err != nil {
		return err
	}
	c, err := d.ChangeSetting(a.ctx, o.Key, "")
	if err != nil {
		return err
	}
	fmt.Fprintln(a.out, a.T("cli.config.unset", locale.Args{"Key": o.Key}))
	a.settled(c)
	return nil
}

type configListOptions struct {
	a    *app
	JSON bool
}

func newCmdConfigList(a *app, runF func(*configListOptions) error) *cobra.Command {
	o := &configListOptions{a: a}
	cmd := &cobra.Command{
		Use:         "list",
		Annotations: map[string]string{usageFlags: "[--json]"},
		Short:       "List the desk's settings",
		Long: `List every setting the desk knows, set or not, with what it does. --json is
an array of objects: key, value ("" when not set), set, description.`,
		Example: `contactdesk config list
contactdesk config list --json |
  jq -r '.[] | select(.set) | "\(.key)=\(.value)"'`,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return configList(o)
		},
	}
	jsonFlag(cmd, &o.JSON)
	return cmd
}

// settingJSON is one setting in config list --json.
type settingJSON struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Set         bool   `json:"set"`
	Description string `json:"description"`
}

func configList(o *configListOptions) error {
	a := o.a
	d, err := a.openRead()
	if err != nil {
		return err
	}
	s, err := d.Settings(a.ctx)
	if err != nil {
		return err
	}
	out := mapJSON(model.SettingKeys(), func(k model.SettingKey) settingJSON {
		v, set := s[k.Name]
		return settingJSON{Key: k.Name, Value: v, Set: set, Description: k.About}
	})
	if o.JSON {
		return writeJSON(a.stdout, out)
	}
	rows := make([][]string, 0, len(out))
	for _, j := range out {
		v := j.Value
		if !j.Set {
			v = a.T("cli.config.not_set")
		}
		rows = append(rows, []string{j.Key, v, a.T("cli.config.about." + j.Key)})
	}
	a.table([]string{"key", "value", "about"}, rows)
	return nil
}
