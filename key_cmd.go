package main

import (
	"fmt"
	"io"
	"os"

	"contactdesk/model"
	"contactdesk/model/text"
)

func init() {
	extraCommands = append(extraCommands,
		command{name: "key add", args: "HANDLE PUBKEY_FILE", nargs: 2, run: cmdKeyAdd,
			about: "let an SSH public key log HANDLE in to contactdesk serve (- reads the key from stdin)"},
		command{name: "key list", args: "[HANDLE]", nargs: -1, flags: jsonFlag, run: cmdKeyList,
			about: "list the SSH keys that log in, of one account or all"},
		command{name: "key remove", args: "FINGERPRINT", nargs: 1, run: cmdKeyRemove,
			about: "stop an SSH key from logging in, at once"},
	)
}

// maxKeyFile is far more than any public key needs (an RSA 16384 one is
// about 2.8 KB), and keeps a wrong file from being read whole.
const maxKeyFile = 64 << 10

func cmdKeyAdd(c *cli, o *opts, args []string) error {
	h, err := model.ParseHandle(args[0])
	if err != nil {
		return err
	}
	data, err := readKeyFile(c, args[1])
	if err != nil {
		return err
	}
	d, err := c.open(o, false)
	if err != nil {
		return err
	}
	k, err := d.AddKey(c.ctx, h, data)
	if err != nil {
		return err
	}
	comment := ""
	if k.Comment != "" {
		comment = " (" + text.Line(k.Comment) + ")"
	}
	fmt.Fprintf(c.stdout, "%s key %s%s now logs %s in over SSH\n", k.Type, k.Fingerprint, comment, k.Handle)
	return nil
}

func readKeyFile(c *cli, name string) ([]byte, error) {
	var r io.Reader = c.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("can't read the public key: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("can't read the public key: %w", err)
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

func cmdKeyList(c *cli, o *opts, args []string) error {
	if len(args) > 1 {
		return &usageError{msg: fmt.Sprintf("key list takes at most one handle, not %d arguments", len(args))}
	}
	var h model.Handle
	if len(args) == 1 {
		var err error
		if h, err = model.ParseHandle(args[0]); err != nil {
			return err
		}
	}
	d, err := c.open(o, false)
	if err != nil {
		return err
	}
	ks, err := d.Keys(c.ctx, h)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(c.stdout, mapJSON(ks, func(k model.PublicKey) keyJSON {
			return keyJSON{Handle: string(k.Handle), Type: k.Type, Fingerprint: k.Fingerprint, Comment: k.Comment, Added: rfc(k.Added)}
		}))
	}
	rows := make([][]string, 0, len(ks))
	for _, k := range ks {
		rows = append(rows, []string{string(k.Handle), k.Type, k.Fingerprint, dash(k.Comment), stamp(k.Added)})
	}
	table(c.stdout, []string{"HANDLE", "TYPE", "FINGERPRINT", "COMMENT", "ADDED"}, rows)
	return nil
}

func cmdKeyRemove(c *cli, o *opts, args []string) error {
	d, err := c.open(o, false)
	if err != nil {
		return err
	}
	k, err := d.RemoveKey(c.ctx, args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s key %s of %s removed: it no longer logs in\n", k.Type, k.Fingerprint, k.Handle)
	return nil
}
