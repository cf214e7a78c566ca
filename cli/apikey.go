package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"contactdesk/api"
	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
	"contactdesk/storage/postgres"
)

func newCmdAPIKey(a *app) *cobra.Command {
	return group("api-key", "The keys that let programs act as an account through the HTTP API",
		`An API key lets a program act as one account through the HTTP API of
contactdesk serve --http, the way the provider's own API clients do: an
application key, an application secret and a consumer key. They are shown
once, when the key is made; the consumer key is kept only as a hash, and
the secret sealed under the API secret key, a file beside the database.
A removed key stops working at once. These are support staff's commands:
they act as nobody (no --as).`,
		`contactdesk api-key add xx11111-ovh --name "billing sync"
contactdesk api-key list xx11111-ovh
contactdesk api-key remove 7kQ2pX9aLm3vB8nR`,
		newCmdAPIKeyAdd(a, nil),
		newCmdAPIKeyList(a, nil),
		newCmdAPIKeyRemove(a, nil),
		newCmdAPIKeyRevoke(a, nil),
	)
}

// apiSecretKeyFlag gives cmd its --api-secret-key.
func apiSecretKeyFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVar(path, "api-secret-key", "", "the PATH of the key that seals API secrets (default: the database's path + .api_key; made at first need)")
}

// apiSecretKey opens the key that seals the API secrets of d: path, else
// the file beside the database, made at first need (and said so on
// stderr). A PostgreSQL desk has no file beside it (see
// apiSecretKeyGiven). A file that opens none of the desk's keys is
// refused, and removed if it was made now: it is most likely a mistyped
// path, under which a new key would fail on the server that has the
// right one, and a server given it would refuse every signed call (one
// node of several, behind a load balancer: calls failing now and then).
// A file that opens some of them is the desk's: it warns of the others.
func (a *app) apiSecretKey(path string, d *model.Desk) (*api.SecretBox, error) {
	if path == "" {
		path = a.dbPath() + ".api_key"
	}
	if err := keyFile(path, "secret_key"); err != nil {
		return nil, err
	}
	box, created, err := api.LoadSecretKey(path)
	if err != nil {
		return nil, err
	}
	elsewhere, err := d.APIKeysSealedElsewhere(a.ctx, box)
	if err != nil {
		return nil, err
	}
	if len(elsewhere) > 0 {
		if all, err := d.APIKeys(a.ctx, ""); err == nil && len(all) == len(elsewhere) {
			if created {
				// There was no file: it was made for nothing, and is
				// not said to be the wrong one.
				os.Remove(path)
				return nil, fails("apikey_secret_missing", locale.Args{"Path": path, "N": len(all)})
			}
			return nil, fails("apikey_other_secret", locale.Args{"Path": path, "N": len(all)})
		}
	}
	if created {
		fmt.Fprintln(a.stderr, a.T("cli.apikey.secret_made", locale.Args{"Path": path}))
	}
	if len(elsewhere) > 0 {
		fmt.Fprintln(a.stderr, a.T("cli.apikey.sealed_elsewhere", locale.Args{"N": len(elsewhere)}))
	}
	return box, nil
}

// apiSecretKeyGiven refuses, before anything is opened, a PostgreSQL
// desk without --api-secret-key: there is no file beside the database,
// and every node and the command line must be given the same one.
func (a *app) apiSecretKeyGiven(cmd *cobra.Command, path string) error {
	if path == "" && postgres.IsURL(a.dbPath()) {
		return misuse(cmd, "api_secret_where")
	}
	return nil
}

type apiKeyAddOptions struct {
	a         *app
	Handle    string
	Name      string
	Rules     []string // METHOD:PATH; none: every right
	JSON      bool
	SecretKey string
}

type apiCredentialsJSON struct {
	ApplicationKey    string `json:"applicationKey"`
	ApplicationSecret string `json:"applicationSecret"`
	ConsumerKey       string `json:"consumerKey"`
	Handle            string `json:"handle"`
	Name              string `json:"name"`
	Created           string `json:"created"`
	// Rules are the access rules of its consumer key, the provider's
	// shape: [{"method": "GET", "path": "/me/*"}, …].
	Rules []model.APIRule `json:"rules"`
	// CredentialID is its consumer key's number, as api-key list names
	// it (credentialId) and api-key revoke takes it.
	CredentialID int64 `json:"credentialId"`
}

func newCmdAPIKeyAdd(a *app, runF func(*apiKeyAddOptions) error) *cobra.Command {
	o := &apiKeyAddOptions{a: a}
	cmd := &cobra.Command{
		Use:         "add HANDLE",
		Annotations: map[string]string{usageFlags: "[--name TEXT] [--rule METHOD:PATH]... [--api-secret-key PATH] [--json]"},
		Short:       "Make an API key that acts as HANDLE, and show its credentials once",
		Long: `Make an API key for an account, and print its three credentials: the
application key, the application secret and the consumer key. They are
shown this once: hand them to the customer (the consumer key alone is
enough to call, as a bearer token: keep it like a password). The
application secret is sealed with the API secret key (--api-secret-key,
by default the database's path + .api_key, made now if missing), which
contactdesk serve --http needs too.

Its consumer key may make every call (GET, POST, PUT and DELETE on /*)
unless --rule says which, the provider's access rules: a method (GET,
POST, PUT or DELETE) and a path after /1.0, where * stands for any rest
(GET:/me/* allows GET /me/task/contactChange/12, not GET /me). A call
no rule allows is refused (403 NOT_GRANTED_CALL).`,
		Example: `contactdesk api-key add xx11111-ovh --name "billing sync"
contactdesk api-key add xx11111-ovh --json > credentials.json
contactdesk api-key add xx11111-ovh --rule GET:/me --rule GET:/me/*`,
		Args:                  exactArgs("HANDLE"),
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     a.completeHandleArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Handle = args[0]
			if runF != nil {
				return runF(o)
			}
			if err := a.apiSecretKeyGiven(cmd, o.SecretKey); err != nil {
				return err
			}
			return apiKeyAdd(o)
		},
	}
	cmd.Flags().StringVar(&o.Name, "name", "", "what the key is for, to tell keys apart in lists")
	cmd.Flags().StringArrayVar(&o.Rules, "rule", nil, "an access rule METHOD:PATH of its consumer key, such as GET:/me/* (repeat it; default: every call)")
	apiSecretKeyFlag(cmd, &o.SecretKey)
	jsonFlag(cmd, &o.JSON)
	return cmd
}

func apiKeyAdd(o *apiKeyAddOptions) error {
	a := o.a
	// The rules are read before anything is opened: a bad one makes
	// nothing, not even the API secret key file.
	var rules []model.APIRule
	for _, s := range o.Rules {
		r, err := model.ParseAPIRule(s)
		if err != nil {
			return err
		}
		rules = append(rules, r)
	}
	if len(rules) > 0 {
		if _, err := model.CheckAPIRules(rules); err != nil {
			return err
		}
	}
	d, h, err := a.deskFor(o.Handle)
	if err != nil {
		return err
	}
	// Nor does a handle the desk has not: the account is looked up
	// before the API secret key file is made (it was made, and said so,
	// before the refusal).
	if _, err := d.Account(a.ctx, h); err != nil {
		return err
	}
	if discarded(a.tty) {
		// every write to /dev/null succeeds (and a closed stdout is
		// /dev/null: Go's runtime opens it there), so no write would
		// fail: the key is not made, nor the API secret key file
		// that would seal it
		return fails("output_key_discarded", nil)
	}
	box, err := a.apiSecretKey(o.SecretKey, d)
	if err != nil {
		return err
	}
	// A closed pipe would end the process at the first write, the key
	// kept with its credentials shown nowhere: the write fails instead.
	defer failOnClosedPipe()()
	c, err := d.AddAPIKey(a.ctx, h, o.Name, box, rules...)
	if err != nil {
		return err
	}
	if o.JSON {
		err = writeJSON(a.stdout, apiCredentialsJSON{ApplicationKey: c.AppKey, ApplicationSecret: c.AppSecret, ConsumerKey: c.ConsumerKey,
			Handle: string(c.Handle), Name: c.Name, Created: rfc(c.Created), Rules: c.Rules, CredentialID: c.Consumers[0].ID})
	} else {
		fmt.Fprintf(a.out, "%s\n\n", a.T("cli.apikey.added", locale.Args{"AppKey": c.AppKey, "Handle": c.Handle}))
		// The credentials' names are the API's own, in every language.
		fmt.Fprintf(a.out, "  application key:    %s\n  application secret: %s\n  consumer key:       %s\n\n", c.AppKey, c.AppSecret, c.ConsumerKey)
		fmt.Fprintln(a.out, a.rulesSentence(c.Rules))
		fmt.Fprintln(a.out, a.T("cli.apikey.bearer"))
	}
	if why := a.outputErr(); why != nil {
		return a.takeBackAPIKey(d, c.APIKey, why)
	}
	return err
}

// discarded tells whether w is the null device: what is written there is
// read by nobody.
func discarded(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}

// takeBackAPIKey removes the key just made, whose credentials could not
// be written (why): they are shown only once, so a key kept would work
// for nobody (and for whoever read part of them), and exit 1 is to mean
// that nothing changed. It is removed even when the command is being
// interrupted. Should the removal fail, the message says the key is
// still there, and how to remove it.
func (a *app) takeBackAPIKey(d *model.Desk, k model.APIKey, why error) error {
	if _, err := d.RemoveAPIKey(context.WithoutCancel(a.ctx), k.AppKey); err != nil {
		return fails("output_key_kept", locale.Args{"AppKey": k.AppKey, "Handle": k.Handle, "Why": saying{err}}, why)
	}
	return fails("output_key_removed", nil, why)
}

type apiKeyJSON struct {
	ApplicationKey string `json:"applicationKey"`
	Handle         string `json:"handle"`
	Name           string `json:"name"`
	Created        string `json:"created"`
	LastUsed       string `json:"lastUsed"`
	// ConsumerKeys are its consumer keys (never the keys themselves),
	// oldest first.
	ConsumerKeys []consumerKeyJSON `json:"consumerKeys"`
}

// consumerKeyJSON is a consumer key as listed, with the provider's
// names of a credential (GET /1.0/auth/currentCredential).
type consumerKeyJSON struct {
	CredentialID int64           `json:"credentialId"`
	Status       string          `json:"status"` // validated, pendingValidation, refused, expired
	Rules        []model.APIRule `json:"rules"`
	Creation     string          `json:"creation"`
	Expiration   string          `json:"expiration"` // a pending one's; "" for others
	LastUse      string          `json:"lastUse"`
}

// rulesSentence says what a consumer key may call.
func (a *app) rulesSentence(rules []model.APIRule) string {
	if slices.Equal(rules, model.AllRights) {
		return a.T("cli.apikey.all_rights")
	}
	return a.T("cli.apikey.rules", locale.Args{"Rules": model.RulesText(rules)})
}

type apiKeyListOptions struct {
	a      *app
	JSON   bool
	Handle string // "": every account's
}

func newCmdAPIKeyList(a *app, runF func(*apiKeyListOptions) error) *cobra.Command {
	o := &apiKeyListOptions{a: a}
	cmd := &cobra.Command{
		Use:         "list [HANDLE]",
		Annotations: map[string]string{usageFlags: "[--json]"},
		Short:       "List the API keys, of one account or all (never a secret)",
		Long: `List the API keys, of one account or of all: the application key, the
account it acts as, its name, when it was made and when it was last used
(to the minute), and a line for each of its consumer keys: its number,
its state and its access rules. The secrets are never shown again.`,
		Example: `contactdesk api-key list
contactdesk api-key list xx11111-ovh --json`,
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     a.completeHandleArg,
		Args:                  atMostOneHandle,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Handle = args[0]
			}
			if runF != nil {
				return runF(o)
			}
			return apiKeyList(o)
		},
	}
	jsonFlag(cmd, &o.JSON)
	return cmd
}

func apiKeyList(o *apiKeyListOptions) error {
	a := o.a
	h, err := optionalHandle(o.Handle)
	if err != nil {
		return err
	}
	d, err := a.openRead()
	if err != nil {
		return err
	}
	ks, err := d.APIKeys(a.ctx, h)
	if err != nil {
		return err
	}
	now := d.Now()
	if o.JSON {
		return writeJSON(a.stdout, mapJSON(ks, func(k model.APIKey) apiKeyJSON {
			j := apiKeyJSON{ApplicationKey: k.AppKey, Handle: string(k.Handle), Name: k.Name, Created: rfc(k.Created), LastUsed: rfc(k.LastUsed),
				ConsumerKeys: []consumerKeyJSON{}}
			for _, c := range k.Consumers {
				cj := consumerKeyJSON{CredentialID: c.ID, Status: c.StateAt(now), Rules: c.Rules, Creation: rfc(c.Created), LastUse: rfc(c.LastUsed)}
				if c.State == model.CredentialPending {
					cj.Expiration = rfc(c.Expires)
				}
				j.ConsumerKeys = append(j.ConsumerKeys, cj)
			}
			return j
		}))
	}
	// A row per consumer key, with its own last use; a key without
	// any, a row of its own.
	var rows [][]string
	for _, k := range ks {
		row := []string{k.AppKey, string(k.Handle), dash(k.Name), a.l.DateTime(k.Created)}
		if len(k.Consumers) == 0 {
			rows = append(rows, append(row, a.l.DateTime(k.LastUsed), "-", "-", "-"))
		}
		for _, c := range k.Consumers {
			rows = append(rows, append(slices.Clone(row), a.l.DateTime(c.LastUsed), strconv.FormatInt(c.ID, 10), a.T("cli.credential_state."+c.StateAt(now)), model.RulesText(c.Rules)))
		}
	}
	a.table([]string{"app_key", "handle", "name", "created", "last_used", "credential", "state", "rules"}, rows)
	return nil
}

type apiKeyRemoveOptions struct {
	a      *app
	AppKey string
}

func newCmdAPIKeyRemove(a *app, runF func(*apiKeyRemoveOptions) error) *cobra.Command {
	o := &apiKeyRemoveOptions{a: a}
	cmd := &cobra.Command{
		Use:                   "remove APPLICATION_KEY",
		Short:                 "Stop an API key from working, at once",
		Long:                  `Remove an API key, by its application key (as 'contactdesk api-key list' shows it), with every consumer key of it: the next call made with any of them is refused, on every node.`,
		Example:               `contactdesk api-key remove 7kQ2pX9aLm3vB8nR`,
		Args:                  exactArgs("APPLICATION_KEY"),
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     firstArg(a.completeAPIKeys),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.AppKey = args[0]
			if strings.TrimSpace(o.AppKey) == "" {
				return misuse(cmd, "empty_app_key")
			}
			if runF != nil {
				return runF(o)
			}
			return apiKeyRemove(o)
		},
	}
	return cmd
}

func apiKeyRemove(o *apiKeyRemoveOptions) error {
	a := o.a
	d, err := a.open(false)
	if err != nil {
		return err
	}
	k, err := d.RemoveAPIKey(a.ctx, o.AppKey)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.out, a.T("cli.apikey.removed", locale.Args{"AppKey": k.AppKey, "Handle": k.Handle}))
	return nil
}

type apiKeyRevokeOptions struct {
	a      *app
	AppKey string
	ID     int64
}

func newCmdAPIKeyRevoke(a *app, runF func(*apiKeyRevokeOptions) error) *cobra.Command {
	o := &apiKeyRevokeOptions{a: a}
	cmd := &cobra.Command{
		Use:   "revoke APPLICATION_KEY NUMBER",
		Short: "Stop one consumer key of an API key from working, at once",
		Long: `Revoke one consumer key of an API key, by its application key and its
number (as 'contactdesk api-key list' shows them): the next call made with
it is refused, on every node; the application key and its other consumer
keys keep working.`,
		Example:               `contactdesk api-key revoke 7kQ2pX9aLm3vB8nR 12`,
		Args:                  exactArgs("APPLICATION_KEY", "NUMBER"),
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     a.completeRevoke,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.AppKey = strings.TrimSpace(args[0])
			if o.AppKey == "" {
				return misuse(cmd, "empty_app_key")
			}
			id, err := strconv.ParseInt(strings.TrimSpace(args[1]), 10, 64)
			if err != nil || id <= 0 {
				return misuse(cmd, "consumer_number", locale.Args{"Value": locale.Quoted(text.Quote(args[1], 40))})
			}
			o.ID = id
			if runF != nil {
				return runF(o)
			}
			return apiKeyRevoke(o)
		},
	}
	return cmd
}

func apiKeyRevoke(o *apiKeyRevokeOptions) error {
	a := o.a
	d, err := a.open(false)
	if err != nil {
		return err
	}
	c, err := d.RevokeConsumerKey(a.ctx, o.AppKey, o.ID, model.SupportActor)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.out, a.T("cli.apikey.revoked", locale.Args{"ID": c.ID, "AppKey": c.AppKey, "Handle": c.Handle}))
	return nil
}

// completeAPIKeys completes an application key, described by its
// account and name.
func (a *app) completeAPIKeys(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	ks, _, ok := a.peekAPIKeys()
	if !ok {
		return nil, noFiles
	}
	var out []string
	for _, k := range ks {
		if strings.HasPrefix(k.AppKey, toComplete) {
			out = append(out, k.AppKey+"\t"+describeForShell(string(k.Handle)+" "+k.Name))
		}
	}
	return out, noFiles
}

// peekAPIKeys reads every account's API keys for a completion, and the
// desk's time; false when the desk can't be read.
func (a *app) peekAPIKeys() ([]model.APIKey, time.Time, bool) {
	d, ctx, done, ok := a.peek()
	if !ok {
		return nil, time.Time{}, false
	}
	defer done()
	ks, err := d.APIKeys(ctx, "")
	return ks, d.Now(), err == nil
}

// completeRevoke completes revoke's application key, then the numbers of
// that key's consumer keys, described by their state and rules.
func (a *app) completeRevoke(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	switch len(args) {
	case 0:
		return a.completeAPIKeys(cmd, args, toComplete)
	case 1:
	default:
		return nil, noFiles
	}
	ks, now, ok := a.peekAPIKeys()
	if !ok {
		return nil, noFiles
	}
	var out []string
	for _, k := range ks {
		if k.AppKey != strings.TrimSpace(args[0]) {
			continue
		}
		for _, c := range k.Consumers {
			if n := strconv.FormatInt(c.ID, 10); strings.HasPrefix(n, toComplete) {
				out = append(out, n+"\t"+describeForShell(c.StateAt(now)+" "+model.RulesText(c.Rules)))
			}
		}
	}
	return out, noFiles
}
