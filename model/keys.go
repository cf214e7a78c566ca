package model

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"contactdesk/locale"
)

// PublicKey is an SSH public key that logs one account in.
type PublicKey struct {
	Fingerprint string // "SHA256:…", as ssh-keygen -l prints it
	Handle      Handle
	Type        string // "ssh-ed25519"…
	Key         string // authorized_keys form, without the comment
	Comment     string
	Added       time.Time
}

// History actions for keys.
const (
	ActKeyAdd    = "key.add"
	ActKeyRemove = "key.remove"
)

// ParsePublicKey reads one key in authorized_keys form ("ssh-ed25519
// AAAA… comment"), ignoring blank lines and # comments around it.
func ParsePublicKey(data []byte) (ssh.PublicKey, string, error) {
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, "", fail(ErrInvalid, "key", "err.key.none")
	}
	// A private key file has many lines: say what it is, not how many.
	if strings.Contains(lines[0], "PRIVATE KEY") {
		return nil, "", fail(ErrInvalid, "key", "err.key.private")
	}
	if len(lines) > 1 {
		return nil, "", fail(ErrInvalid, "key", "err.key.several", locale.Args{"N": len(lines)})
	}
	pk, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(lines[0]))
	if err != nil {
		return nil, "", fail(ErrInvalid, "key", "err.key.not_ssh", locale.Args{"Why": locale.Text(err.Error())})
	}
	comment, err = CheckText("key", "key comment", comment, MaxNameLen, false)
	if err != nil {
		return nil, "", err
	}
	return pk, comment, nil
}

// AddKey registers a public key for account h (support staff). A key
// already registered is refused with the name of its account.
func (d *Desk) AddKey(ctx context.Context, h Handle, data []byte) (PublicKey, error) {
	pk, comment, err := ParsePublicKey(data)
	if err != nil {
		return PublicKey{}, err
	}
	return write(ctx, d, ActKeyAdd, func(tx Tx, w *work) (PublicKey, error) {
		if _, err := account(tx, h, "handle", ErrUnknownAccount); err != nil {
			return PublicKey{}, err
		}
		k := PublicKey{
			Fingerprint: ssh.FingerprintSHA256(pk), Handle: h, Type: pk.Type(),
			Key:     strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))),
			Comment: comment, Added: w.now,
		}
		if old, err := tx.Key(k.Fingerprint); err == nil {
			return PublicKey{}, fail(ErrExists, "key", "err.key.exists", locale.Args{"Fingerprint": k.Fingerprint, "Handle": old.Handle})
		} else if !errors.Is(err, ErrNoRow) {
			return PublicKey{}, err
		}
		if err := tx.InsertKey(k); err != nil {
			return PublicKey{}, err
		}
		return k, d.record(tx, w, SupportActor, ActKeyAdd, 0, 0, fmt.Sprintf("%s key %s added for %s", k.Type, k.Fingerprint, h))
	})
}

// Keys lists the registered keys, of one account or (h empty) of all.
func (d *Desk) Keys(ctx context.Context, h Handle) ([]PublicKey, error) {
	var ks []PublicKey
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		if h != "" {
			if _, err := account(tx, h, "handle", ErrUnknownAccount); err != nil {
				return err
			}
		}
		var err error
		ks, err = tx.Keys(h)
		return err
	})
	return ks, err
}

// RemoveKey unregisters a key by its fingerprint; it stops working for
// new connections at once, and its account's subscribers are told.
func (d *Desk) RemoveKey(ctx context.Context, fingerprint string) (PublicKey, error) {
	fp := strings.TrimSpace(fingerprint)
	if !strings.HasPrefix(fp, "SHA256:") {
		fp = "SHA256:" + fp
	}
	return write(ctx, d, ActKeyRemove, func(tx Tx, w *work) (PublicKey, error) {
		k, err := tx.Key(fp)
		if errors.Is(err, ErrNoRow) {
			return PublicKey{}, fail(ErrNotFound, "key", "err.key.not_found", locale.Args{"Fingerprint": clip(fingerprint)})
		}
		if err != nil {
			return PublicKey{}, err
		}
		if err := tx.DeleteKey(fp); err != nil {
			return PublicKey{}, err
		}
		// Published to the account's subscribers: the SSH server ends the
		// sessions the key opened.
		w.touch(k.Handle)
		return k, d.record(tx, w, SupportActor, ActKeyRemove, 0, 0, fmt.Sprintf("%s key %s of %s removed", k.Type, k.Fingerprint, k.Handle))
	})
}

// KeyOwner returns the account a key logs in, or ErrNotFound.
//
// Anyone may offer any public key (GitHub publishes everyone's), so the
// lookup does the same work whether or not the key is registered: the
// key's text is made first either way, the store reads the key and its
// account in one statement that searches both tables and reads one row
// either way (Tx.KeyOwner). A registered key's account was read by a
// second statement, which made its lookup measurably slower than a
// stranger's key's.
func (d *Desk) KeyOwner(ctx context.Context, pk ssh.PublicKey) (Account, error) {
	fp := ssh.FingerprintSHA256(pk)
	want := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk)))
	var a Account
	found := false
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		k, owner, err := tx.KeyOwner(fp)
		if err != nil && !errors.Is(err, ErrNoRow) {
			return err
		}
		// The stored key must be this very key, not only share its
		// hash; a key of an account that is gone logs nobody in. The
		// answer is given once the read ends, so that the read ends
		// alike (PostgreSQL: a COMMIT, where an error rolled back).
		found = err == nil && k.Key == want
		a = owner
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	if !found {
		return Account{}, fail(ErrNotFound, "key", "err.key.unregistered")
	}
	return a, nil
}
