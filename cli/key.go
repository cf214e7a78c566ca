package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
)

func newCmdKey(a *app) *cobra.Command {
	return group("key", "The SSH keys that log accounts in to contactdesk serve",
		`Over SSH (contactdesk serve), who you are is the account your key is
registered for. A key works at once when added, and stops at once when
removed. These are support staff's commands: they act as nobody (no --as).`,
		`contactdesk key add xx11111-ovh ~/.ssh/id_ed25519.pub
contactdesk key list xx11111-ovh
contactdesk key remove SHA256:56vgkZlE…`,
		newCmdKeyAdd(a, nil),
		newCmdKeyList(a, nil),
		newCmdKeyRemove(a, nil),
	)
}

// maxKeyFile is far more than any public key needs (an RSA 16384 one is
// about 2.8 KB), and keeps a wrong file from being read whole.
const maxKeyFile = 64 << 10

type keyAddOptions struct {
	a      *app
	Handle string
	File   string // - for stdin
}

func newCmdKeyAdd(a *app, runF func(*keyAddOptions) error) *cobra.Command {
	o := &keyAddOptions{a: a}
	cmd := &cobra.Command{
		Use:   "add HANDLE PUBKEY_FILE",
		Short: "Let an SSH public key log HANDLE in to contactdesk serve (- reads the key from stdin)",
		Long: `Register an SSH public key (the .pub file: one line such as 'ssh-ed25519 AAAA…
you@host') for an account: it logs that account in to contactdesk serve at
once. A key belongs to one account only. - reads the key from stdin.`,
		Example: `contactdesk key add xx11111-ovh ~/.ssh/id_ed25519.pub
ssh-add -L | head -1 | contactdesk key add xx11111-ovh -`,
		Args:                  exactArgs("HANDLE", "PUBKEY_FILE"),
		DisableFlagsInUseLine: true,
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return a.completeHandles(cmd, args, toComplete)
			}
			return nil, cobra.ShellCompDirectiveDefault // a file
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Handle, o.File = args[0], args[1]
			if runF != nil {
				return runF(o)
			}
			return keyAdd(o)
		},
	}
	return cmd
}

func keyAdd(o *keyAddOptions) error {
	a := o.a
	h, err := model.ParseHandle(o.Handle)
	if err != nil {
		return err
	}
	data, err := readKeyFile(a.stdin, o.File)
	if err != nil {
		return err
	}
	d, err := a.open(false)
	if err != nil {
		return err
	}
	k, err := d.AddKey(a.ctx, h, data)
	if err != nil {
		return err
	}
	comment := ""
	if k.Comment != "" {
		comment = " (" + text.Line(k.Comment) + ")"
	}
	fmt.Fprintln(a.out, a.T("cli.key.added", locale.Args{"Type": k.Type, "Fingerprint": k.Fingerprint, "Comment": comment, "Handle": k.Handle}))
	return nil
}

func readKeyFile(stdin io.Reader, name string) ([]byte, error) {
	r := stdin
	if name != "-" {
		if isDir(name) {
			return nil, fails("key_directory", locale.Args{"Path": name})
		}
		f, err := os.Open(name)
		if err != nil {
			// the path once, and the system's bare reason, which is
			// said in the reader's language
			return nil, fails("key_file_unreadable", locale.Args{"Path": name}, errors.Unwrap(err))
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	if err != nil {
		return nil, fails("key_unreadable", nil, err)
	}
	if len(data) > maxKeyFile {
		return nil, &model.Error{Kind: model.ErrInvalid, Field: "key",
			Msg: fmt.Sprintf("%s is too big to be an SSH public key: give the .pub file, one line such as 'ssh-ed25519 AAAA… you@host'", text.Line(name))}
	}
	return data, nil
}

type keyJSON struct {
	Handle      string `json:"handle"`
	Type        string `json:"type"`
	Fingerprint string `json:"fingerprint"`
	Comment     string `json:"comment"`
	Added       string `json:"added"`
}

type keyListOptions struct {
	a      *app
	JSON   bool
	Handle string // "": every account's
}

func newCmdKeyList(a *app, runF func(*keyListOptions) error) *cobra.Command {
	o := &keyListOptions{a: a}
	cmd := &cobra.Command{
		Use:         "list [HANDLE]",
		Annotations: map[string]string{usageFlags: "[--json]"},
		Short:       "List the SSH keys that log in, of one account or all",
		Long:        `List the registered SSH keys, of one account or of all.`,
		Example: `contactdesk key list
contactdesk key list xx11111-ovh --json`,
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
			return keyList(o)
		},
	}
	jsonFlag(cmd, &o.JSON)
	return cmd
}

func keyList(o *keyListOptions) error {
	return listByHandle(o.a, o.Handle, o.JSON, (*model.Desk).Keys,
		func(k model.PublicKey) keyJSON {
			return keyJSON{Handle: string(k.Handle), Type: k.Type, Fingerprint: k.Fingerprint, Comment: k.Comment, Added: rfc(k.Added)}
		},
		[]string{"handle", "key_type", "fingerprint", "comment", "added"},
		func(k model.PublicKey) []string {
			return []string{string(k.Handle), k.Type, k.Fingerprint, dash(k.Comment), o.a.l.DateTime(k.Added)}
		})
}

// listByHandle writes what list reads of one account (handle), or of
// all (""), from the desk opened to read: as JSON through toJSON, else as
// a table of the columns named (cli.col.<id>), a row each.
func listByHandle[T, J any](a *app, handle string, asJSON bool, list func(*model.Desk, context.Context, model.Handle) ([]T, error),
	toJSON func(T) J, columns []string, row func(T) []string) error {
	h, err := optionalHandle(handle)
	if err != nil {
		return err
	}
	d, err := a.openRead()
	if err != nil {
		return err
	}
	items, err := list(d, a.ctx, h)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(a.stdout, mapJSON(items, toJSON))
	}
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		rows = append(rows, row(it))
	}
	a.table(columns, rows)
	return nil
}

type keyRemoveOptions struct {
	a           *app
	Fingerprint string
}

func newCmdKeyRemove(a *app, runF func(*keyRemoveOptions) error) *cobra.Command {
	o := &keyRemoveOptions{a: a}
	cmd := &cobra.Command{
		Use:                   "remove FINGERPRINT",
		Short:                 "Stop an SSH key from logging in, at once",
		Long:                  `Remove a registered SSH key, by its fingerprint (as 'contactdesk key list' shows it): it no longer logs in.`,
		Example:               "contactdesk key remove \\\n  SHA256:56vgkZlEIbUmTKqsi5QbtBsdbnLVqrcJhvVEg3eGG6c",
		Args:                  exactArgs("FINGERPRINT"),
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     firstArg(a.completeKeys),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Fingerprint = args[0]
			if strings.TrimSpace(o.Fingerprint) == "" {
				return misuse(cmd, "empty_fingerprint")
			}
			if runF != nil {
				return runF(o)
			}
			return keyRemove(o)
		},
	}
	return cmd
}

func keyRemove(o *keyRemoveOptions) error {
	a := o.a
	d, err := a.open(false)
	if err != nil {
		return err
	}
	k, err := d.RemoveKey(a.ctx, o.Fingerprint)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.out, a.T("cli.key.removed", locale.Args{"Type": k.Type, "Fingerprint": k.Fingerprint, "Handle": k.Handle}))
	return nil
}
